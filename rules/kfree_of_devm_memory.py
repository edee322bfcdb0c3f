"""
## What it does

Flags `kfree(p)` (also `kvfree()`, `kfree_sensitive()`, `kfree_const()`,
`vfree()`) of memory that the same function got from a device-managed
allocator: `devm_kzalloc()`, `devm_kmalloc()`, `devm_kcalloc()`,
`devm_kmalloc_array()`, `devm_kstrdup()`, `devm_kmemdup()`, `devm_kasprintf()`,
`devm_krealloc()`, ...

The pointer is followed from the allocation to the free, as a variable or as a
field it was stored in (`priv->buf = devm_kzalloc(...)` then
`kfree(priv->buf)`).  When the same variable or field is also assigned
anything else in the function (a `kmalloc()` on another path, a copy), the
rule stays silent.

## Why is this bad?

devres frees the memory again when the device is unbound or probe fails, so
`kfree()` of it is a double free; and until then devres keeps a pointer into
freed memory.  Memory from a `devm_` allocator is released with `devm_kfree()`,
or simply left to devres.

## Example

```c
static int ab8500_gpadc_probe(struct platform_device *pdev)
{
	struct ab8500_gpadc *gpadc;
	int ret;

	gpadc = devm_kzalloc(&pdev->dev, sizeof(*gpadc), GFP_KERNEL);
	if (!gpadc)
		return -ENOMEM;
	ret = ab8500_gpadc_setup(gpadc);
	if (ret) {
		kfree(gpadc);
		return ret;
	}
	return 0;
}
```

## Use instead

```c
static int ab8500_gpadc_probe(struct platform_device *pdev)
{
	struct ab8500_gpadc *gpadc;
	int ret;

	gpadc = devm_kzalloc(&pdev->dev, sizeof(*gpadc), GFP_KERNEL);
	if (!gpadc)
		return -ENOMEM;
	ret = ab8500_gpadc_setup(gpadc);
	if (ret)
		return ret;
	return 0;
}
```

## References

- Documentation/driver-api/driver-model/devres.rst
- drivers/base/devres.c: `devm_kfree()` is the only way to release devres memory early
- checkpatch.pl has no equivalent; Coccinelle's scripts/coccinelle/free/devm_free.cocci looks for the same
"""

from __future__ import annotations

from reviewbot.cflow import statement_of
from reviewbot.csyntax import broken_ignoring_qualifiers, call_name, matches, query, squeeze, text, walk
from reviewbot.ruleapi import Report, rule

DEVM_ALLOCATORS = frozenset({
    "devm_kmalloc", "devm_kzalloc", "devm_kcalloc", "devm_kmalloc_array", "devm_krealloc",
    "devm_krealloc_array", "devm_kstrdup", "devm_kstrndup", "devm_kstrdup_const", "devm_kmemdup",
    "devm_kmemdup_array", "devm_kasprintf", "devm_kvasprintf", "devm_bitmap_alloc", "devm_bitmap_zalloc",
})
REALLOCATORS = frozenset({"devm_krealloc", "devm_krealloc_array"})
FREES = frozenset({"kfree", "kvfree", "kfree_sensitive", "kzfree", "kfree_const", "vfree", "bitmap_free"})


def _stores(unit):
    """(key, site node, function name) for every store of a call's result under the unit,
    and for the old pointer handed to devm_krealloc() (devres memory by contract)."""
    for m in matches(query("call_results"), unit):
        fn = text(m["fn"])
        yield squeeze(m["var"]), m["site"], fn
        if fn in REALLOCATORS:
            call = m["fn"].parent
            args = call.child_by_field_name("arguments").named_children
            if len(args) > 1 and args[1].type in ("identifier", "field_expression"):
                yield squeeze(args[1]), call, fn


def _assignments(unit) -> dict[str, list]:
    """Every assignment of a variable or field under the unit, by the text of its target."""
    out: dict[str, list] = {}
    for node in walk(unit, ("assignment_expression", "init_declarator", "update_expression")):
        if node.type == "init_declarator":
            target = node.child_by_field_name("declarator")
            while target is not None and target.type in ("pointer_declarator", "attributed_declarator"):
                target = target.child_by_field_name("declarator")
        elif node.type == "update_expression":
            target = node.child_by_field_name("argument")
        else:
            target = node.child_by_field_name("left")
            if squeeze(node.child_by_field_name("right")) in ("NULL", "0"):
                continue   # `p = NULL` after a free, or on a path that allocates nothing
        if target is not None:
            out.setdefault(squeeze(target), []).append(node)
    return out


def _enclosing_function(node):
    while node is not None and node.type != "function_definition":
        node = node.parent
    return node


@rule("kfree-of-devm-memory", severity="error", scope="function", paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    if b"devm_" not in view.source or b"free" not in view.source:
        return
    for unit in view.units():
        stores = [s for s in _stores(unit) if s[2] in DEVM_ALLOCATORS]
        if not stores:
            continue
        assigned = _assignments(unit)
        frees = [c for c in walk(unit, ("call_expression",)) if call_name(c) in FREES]
        reported = set()
        for key, site, allocator in stores:
            handed = site.type == "call_expression"   # the old pointer given to devm_krealloc()
            function = _enclosing_function(site)
            others = [a for a in assigned.get(key, ()) if a != site and a != site.parent
                      and not (handed and a.start_byte < site.start_byte)]
            if others or broken_ignoring_qualifiers(statement_of(site)):
                continue   # the pointer may hold something else when it is freed
            for call in frees:
                args = call.child_by_field_name("arguments").named_children
                if len(args) != 1 or squeeze(args[0]) != key or call.start_byte < site.end_byte:
                    continue
                if _enclosing_function(call) != function or not view.row_added(call.start_point.row):
                    continue
                if broken_ignoring_qualifiers(statement_of(call)) or call.id in reported:
                    continue
                reported.add(call.id)
                line = view.nearby_line(site.start_point.row)
                where = f"line {line}" if line is not None else "above"
                name = call_name(call)
                how = f"was handed to {allocator}()" if handed else f"was allocated with {allocator}()"
                yield Report(
                    f"`{key}` {how} ({where}): {name}() of it is a double free when devres releases it",
                    line=view.line_of(call),
                    hint=f"drop the {name}() and let devres release it, or use devm_kfree()",
                )
