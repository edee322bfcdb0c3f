"""
## What it does

Flags `IS_ERR(p)` (also under `unlikely()` or `WARN_ON()`) and
`PTR_ERR_OR_ZERO(p)` where `p` holds the result of a function that returns
NULL on failure (`kmalloc()`, `kzalloc()`, `devm_ioremap()`,
`platform_get_resource()`, ...), when the pointer is not also tested for NULL.

The statements after the call are read in order up to the next assignment of
the pointer; a field that holds the result (`priv->regs = devm_ioremap(...)`)
is followed like a variable.  What a function returns comes from the knowledge
base (`reviewbot/rules/data/null_returning.tsv` and what `reviewbot learn`
adds); `IS_ERR_OR_NULL()`, functions the file itself defines, and look-ups
that return whatever was stored (`idr_find()`, `xa_load()`: callers may store
`ERR_PTR()` placeholders) are left alone.
The finding is on the test, or on the call when only the call is new.

## Why is this bad?

`IS_ERR(NULL)` is false and `PTR_ERR_OR_ZERO(NULL)` is 0: the failure is taken
for success and the NULL pointer is used a few lines later, an oops.  The
allocators and lookups that return NULL never return an error pointer, so the
test is dead code that looks like error handling.

## Example

```c
static int vc5_hdmi_init_resources(struct vc4_hdmi *vc4_hdmi, struct resource *res)
{
	struct device *dev = &vc4_hdmi->pdev->dev;

	vc4_hdmi->hdmicore_regs = devm_ioremap(dev, res->start, resource_size(res));
	if (IS_ERR(vc4_hdmi->hdmicore_regs))
		return PTR_ERR(vc4_hdmi->hdmicore_regs);
	return 0;
}
```

## Use instead

```c
static int vc5_hdmi_init_resources(struct vc4_hdmi *vc4_hdmi, struct resource *res)
{
	struct device *dev = &vc4_hdmi->pdev->dev;

	vc4_hdmi->hdmicore_regs = devm_ioremap(dev, res->start, resource_size(res));
	if (!vc4_hdmi->hdmicore_regs)
		return -ENOMEM;
	return 0;
}
```

## References

- include/linux/err.h: `IS_ERR()` is true only for the top 4095 addresses
- Kernel commit 66163a816472 ("drm/vc4: hdmi: Fix NULL vs IS_ERR() checks in
  vc5_hdmi_init_resources()") and many like it
- checkpatch.pl has no equivalent: it cannot tell what a function returns
"""

from __future__ import annotations

from reviewbot.cflow import classify_use, occurrences_after, result_uses, scope_of, statement_of
from reviewbot.csyntax import (
    ancestors, broken_ignoring_qualifiers, call_name, call_results, not_a_pointer, squeeze, text,
)
from reviewbot.ruleapi import Report, rule


# Look-ups that return whatever was stored: NULL when nothing was, but callers may store
# ERR_PTR() placeholders (net/sched/act_api.c keeps ERR_PTR(-EBUSY) in its IDR).
STORED_ENTRIES = frozenset({
    "idr_find", "idr_get_next", "idr_get_next_ul", "idr_replace", "idr_remove", "xa_load", "xa_find",
    "xa_find_after", "xa_erase", "xa_store", "radix_tree_lookup", "radix_tree_delete", "mtree_load",
    "mtree_erase",
})


def _null_tested_anywhere(scope, var, site) -> bool:
    """Is the pointer tested for NULL anywhere after the call, whatever happens in between
    (`if (IS_ERR(p)) p = NULL; else if (p) ...`)?"""
    return any(classify_use(n) in ("null", "err_or_null") for n in occurrences_after(scope, var, site.end_byte))


def _test_text(node) -> str:
    """`IS_ERR(p)` (or `PTR_ERR_OR_ZERO(p)`), the call that tests the occurrence."""
    for a in ancestors(node):
        if a.type == "call_expression":
            return f"{call_name(a)}({squeeze(node)})"
    return text(node)


@rule("is-err-of-null-return", severity="error", scope="function", paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    facts = ctx.knowledge.facts

    if b"IS_ERR" not in view.source and b"PTR_ERR_OR_ZERO" not in view.source:
        return   # no test this rule judges (the same test as below, on all the text at once)
    path = getattr(ctx.file, "path", None)

    def returns_null(fn: str) -> bool:
        fact = facts.get(fn)
        return fact is not None and fact.returns == "null" and fn not in STORED_ENTRIES and fact.applies_to(path)

    for unit, site, var, fn in call_results(view, returns_null):
        if "__GFP_NOFAIL" in text(site):
            continue
        scope = scope_of(site, unit)
        after = view.source[site.end_byte:scope.end_byte]
        if b"IS_ERR" not in after and b"PTR_ERR_OR_ZERO" not in after:
            continue   # nothing to judge (and no need to follow the pointer)
        if _null_tested_anywhere(scope, var, site):
            continue   # tested for NULL too: the author knows, or the knowledge is wrong
        found = result_uses(site, var, unit)
        test = next((n for n, k in found if k == "is_err"), None)
        if test is None or broken_ignoring_qualifiers(statement_of(test)) \
                or broken_ignoring_qualifiers(statement_of(site)) or not_a_pointer(var, site):
            continue
        if view.row_added(test.start_point.row):
            line = view.line_of(test)
        elif view.row_added(site.start_point.row):
            line = view.line_of(site)
        else:
            continue
        name = squeeze(var)
        fact = facts[fn]
        yield Report(
            f"{fn}() returns NULL {fact.failure}, never an ERR_PTR(): "
            f"`{_test_text(test)}` misses the failure",
            line=line,
            hint=f"test `{name}` for NULL (`if (!{name})`) and return -ENOMEM or the error it stands for",
        )
