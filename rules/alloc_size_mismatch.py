"""
## What it does

Flags allocation sizes that do not say what the code needs:

- `p = kmalloc(sizeof(p), ...)` (also `sizeof(struct foo *)`, `kcalloc(n,
  sizeof(p), ...)`, `devm_kzalloc(dev, sizeof(p), ...)`, `s->buf =
  kzalloc(sizeof(s->buf), ...)`) where `p` is declared as a pointer to one
  object: the size of the pointer is allocated, not of what it points to;
- `kmalloc(n * sizeof(*p), ...)` and the like, a product of a size and a count
  that is not a constant (a variable, a field, a call): the multiplication can
  overflow and the allocation comes out short;
- `kcalloc(sizeof(*p), n, ...)` and `kmalloc_array(sizeof(...), n, ...)`: the
  count and the element size are swapped.

A factor counts as constant when it is a number, a macro name in capitals, a
`sizeof`, `ARRAY_SIZE()` or `BIT()`, or arithmetic of those.  The pointer's
declaration must be in view (the function, its parameters, the file; for a
field `s->f`, the declaration of `s` and its struct in the file) and be a
single `*`: `sizeof(pp)` for `T **pp` allocates the size of a pointer either
way and is left alone.

## Why is this bad?

`sizeof(p)` is 8 bytes on 64-bit machines whatever `*p` is: writing the object
then runs off the end of the allocation, a heap overflow KASAN reports only
when that path runs.  `n * size` wraps around when `n` comes from userspace or
a device, and the short buffer is then filled with `n` elements;
`kmalloc_array()`, `kcalloc()` and `array_size()` return NULL (or saturate)
instead.  Swapped arguments work by accident but trip GCC's
`-Wcalloc-transposed-args` and the `__alloc_size` checks.

## Example

```c
static int oxu_hcd_init(struct oxu_hcd *oxu, struct device *dev, int nr)
{
	struct oxu_murb *murb;
	u32 *table;

	murb = kzalloc(sizeof(murb), GFP_KERNEL);
	if (!murb)
		return -ENOMEM;
	table = kmalloc(nr * sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	oxu->ports = kcalloc(sizeof(*oxu->ports), nr, GFP_KERNEL);
	return oxu->ports ? 0 : -ENOMEM;
}
```

## Use instead

```c
static int oxu_hcd_init(struct oxu_hcd *oxu, struct device *dev, int nr)
{
	struct oxu_murb *murb;
	u32 *table;

	murb = kzalloc(sizeof(*murb), GFP_KERNEL);
	if (!murb)
		return -ENOMEM;
	table = kmalloc_array(nr, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	oxu->ports = kcalloc(nr, sizeof(*oxu->ports), GFP_KERNEL);
	return oxu->ports ? 0 : -ENOMEM;
}
```

## References

- Documentation/process/deprecated.rst, "open-coded arithmetic in allocator arguments"
- Documentation/process/coding-style.rst, section 14 ("Allocating memory"): `p = kmalloc(sizeof(*p), ...)`
- checkpatch.pl: ALLOC_WITH_MULTIPLY (`kmalloc(a * sizeof(b))`), ALLOC_ARRAY_ARGS (`kcalloc(sizeof(...), n)`);
  checkpatch has no check for `sizeof(p)` of a pointer
"""

from __future__ import annotations

import re

from reviewbot.csyntax import (
    ancestors, any_of, broken_ignoring_qualifiers, call_name, matches, query, strip_parens, text, walk,
)
from reviewbot.ruleapi import Report, rule

# Allocator: (index of the size argument, the array form to use instead).
SINGLE = {
    "kmalloc": (0, "kmalloc_array"), "kzalloc": (0, "kcalloc"),
    "kvmalloc": (0, "kvmalloc_array"), "kvzalloc": (0, "kvcalloc"),
    "kmalloc_node": (0, "kmalloc_array_node"), "kzalloc_node": (0, "kcalloc_node"),
    "vmalloc": (0, "vmalloc_array"), "vzalloc": (0, "vcalloc"),
    "devm_kmalloc": (1, "devm_kmalloc_array"), "devm_kzalloc": (1, "devm_kcalloc"),
    "krealloc": (1, "krealloc_array"), "devm_krealloc": (2, None),
}
# Array allocator: (index of the count, index of the element size).
ARRAY = {
    "kcalloc": (0, 1), "kmalloc_array": (0, 1), "kvcalloc": (0, 1), "kvmalloc_array": (0, 1),
    "kcalloc_node": (0, 1), "kmalloc_array_node": (0, 1), "vcalloc": (0, 1), "vmalloc_array": (0, 1),
    "devm_kcalloc": (1, 2), "devm_kmalloc_array": (1, 2), "krealloc_array": (1, 2),
    "kvcalloc_node": (0, 1), "kvmalloc_array_node": (0, 1), "calloc": (0, 1),
}
CONSTANT_CALLS = frozenset({"ARRAY_SIZE", "BIT", "BIT_ULL", "sizeof_field", "FIELD_SIZEOF", "SZ", "round_up",
                            "ALIGN", "DIV_ROUND_UP", "max", "min", "max_t", "min_t", "__struct_size"})
MACRO = re.compile(r"^[A-Z_][A-Z0-9_]*$")
VOID = frozenset({"void", "const void"})
ARITH = frozenset({"+", "-", "*", "/", "<<", ">>", "|", "&"})


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _constant(node) -> bool:
    """Is this a compile-time constant as a reader sees it (a number, a MACRO, a sizeof, ...)?"""
    node = strip_parens(node)
    if node is None:
        return False
    t = node.type
    if t in ("number_literal", "sizeof_expression", "alignof_expression", "char_literal", "offsetof_expression"):
        return True
    if t == "identifier":
        return bool(MACRO.match(text(node)))
    if t == "cast_expression":
        return _constant(node.child_by_field_name("value"))
    if t == "binary_expression":
        return node.child_by_field_name("operator").type in ARITH \
            and _constant(node.child_by_field_name("left")) and _constant(node.child_by_field_name("right"))
    if t == "unary_expression":
        return _constant(node.child_by_field_name("argument"))
    if t == "call_expression":
        name = call_name(node)
        if name == "ARRAY_SIZE" or name == "sizeof_field":
            return True
        return name in CONSTANT_CALLS and all(_constant(a) for a in _args(node)) or bool(name and MACRO.match(name))
    return False


def _factors(node) -> list:
    """The factors of a product `a * b * c` (just [node] when it is not one)."""
    node = strip_parens(node)
    if node.type == "binary_expression" and node.child_by_field_name("operator").type == "*":
        return _factors(node.child_by_field_name("left")) + _factors(node.child_by_field_name("right"))
    return [node]


def _is_sizeof(node) -> bool:
    node = strip_parens(node)
    return node.type == "sizeof_expression" or (node.type == "call_expression" and call_name(node) == "sizeof_field")


# --- sizeof(p) of a pointer -----------------------------------------------------------------

def _declarator_name(d):
    """(name, pointer depth) of a declarator: `*p` -> (p, 1), `**pp` -> (pp, 2), `a[4]` -> (a, None)."""
    depth = 0
    while d is not None:
        if d.type in ("identifier", "field_identifier"):
            return text(d), depth
        if d.type == "pointer_declarator":
            depth += 1
        elif d.type in ("array_declarator", "function_declarator"):
            depth = None if depth == 0 else depth   # arrays and function pointers: not a plain pointer
            if depth is None:
                return None, None
        elif d.type not in ("init_declarator", "parenthesized_declarator", "attributed_declarator"):
            return None, None
        d = d.child_by_field_name("declarator")
    return None, None


def _declarations(node, wanted: str, field: bool, top: bool = False):
    """(base type text, pointer depth) of each declaration of `wanted` under node (`top`: its children only)."""
    kinds = ("field_declaration",) if field else ("declaration", "parameter_declaration")
    for decl in (c for c in node.children if c.type in kinds) if top else walk(node, kinds):
        base = decl.child_by_field_name("type")
        for d in decl.children_by_field_name("declarator"):
            name, depth = _declarator_name(d)
            if name == wanted:
                yield squeeze(base), depth


def squeeze(node) -> str:
    return re.sub(r"\s+", " ", text(node)).strip() if node is not None else ""


def _pointer_type(var, site, root) -> tuple[str, int] | None:
    """(base type, depth) of the variable or field `var`, when its one declaration is in view."""
    if var.type == "identifier":
        name = text(var)
        function = next((a for a in ancestors(site) if a.type == "function_definition"), None)
        # The nearest: the function's own declarations and parameters, else the file's.
        for where, top in (((function, False),) if function is not None else ()) + ((root, True),):
            found = set(_declarations(where, name, field=False, top=top))
            if found:
                return found.pop() if len(found) == 1 else None
        return None
    if var.type == "field_expression":
        # `s->f`: the struct s points to must be defined in view, with f in it.
        holder = var.child_by_field_name("argument")
        if holder is None or holder.type != "identifier":
            return None
        holder_type = _pointer_type(holder, site, root)
        if holder_type is None or holder_type[1] != (1 if var.child_by_field_name("operator").type == "->" else 0):
            return None
        body = _struct_body(root, holder_type[0])
        if body is None:
            return None
        name = text(var.child_by_field_name("field"))
        found = set(_declarations(body, name, field=True, top=True))
        return found.pop() if len(found) == 1 else None
    return None


def _struct_body(root, type_text: str):
    """The field list of `struct name { ... }` defined in view, if exactly one is."""
    if not type_text.startswith("struct "):
        return None
    name = type_text[len("struct "):].strip()
    bodies = []
    for spec in walk(root, ("struct_specifier",)):
        body = spec.child_by_field_name("body")
        if body is not None and text(spec.child_by_field_name("name")) == name:
            bodies.append(body)
    return bodies[0] if len(bodies) == 1 else None


def _sizeof_operand(node):
    """What `sizeof(x)` / `sizeof x` measures: (expression node or None, type_descriptor node or None)."""
    node = strip_parens(node)
    if node.type != "sizeof_expression":
        return None, None
    kind = node.child_by_field_name("type")
    if kind is not None:
        return None, kind
    value = node.child_by_field_name("value")
    return (strip_parens(value) if value is not None else None), None


def _pointer_size_of(size, var, site, root) -> bool:
    """Does `size` measure the pointer `var` instead of the object it points to?"""
    expr, kind = _sizeof_operand(size)
    if expr is not None:
        if re.sub(r"\s+", "", text(expr)) != re.sub(r"\s+", "", text(var)):
            return False
    elif kind is not None:
        abstract = kind.child_by_field_name("declarator")
        if abstract is None or abstract.type != "abstract_pointer_declarator" \
                or abstract.child_by_field_name("declarator") is not None:
            return False
    else:
        return False
    decl = _pointer_type(var, site, root)
    if decl is None or decl[1] != 1 or decl[0] in VOID:
        return False   # `void *buf` may well hold an array of pointers
    if expr is not None:
        return True
    # sizeof(struct foo *) for `struct foo *p`
    return squeeze(kind.child_by_field_name("type")) == decl[0]


def _assigned_to(call):
    """The variable or field a call's result is stored in (`p = f()`, `T *p = f()`), or None."""
    node = call
    while node.parent is not None and node.parent.type in ("parenthesized_expression", "cast_expression"):
        node = node.parent
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node \
            and parent.child_by_field_name("operator").type == "=":
        left = parent.child_by_field_name("left")
        return left if left.type in ("identifier", "field_expression") else None
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == node:
        d = parent.child_by_field_name("declarator")
        while d is not None and d.type in ("pointer_declarator", "attributed_declarator"):
            d = d.child_by_field_name("declarator")
        return d if d is not None and d.type == "identifier" else None
    return None


def _check_call(call, name, root):
    args = _args(call)
    var = None
    if name in SINGLE:
        index, array_form = SINGLE[name]
        if index >= len(args):
            return
        size = args[index]
        factors = _factors(size)
        var = _assigned_to(call)
        if var is not None:
            for f in factors:
                if _is_sizeof(f) and _pointer_size_of(f, var, call, root):
                    yield f, _pointer_message(var, f), _pointer_hint(var), ""
                    return
        if len(factors) >= 2 and any(_is_sizeof(f) for f in factors) \
                and not all(_constant(f) for f in factors):
            count = " * ".join(text(f) for f in factors if not _is_sizeof(f))
            if array_form is None:
                return
            shown = " ".join(text(size).split())
            if len(factors) == 2:
                hint = f"use {array_form}() with the count and the element size as separate arguments"
            else:
                hint = "use array3_size() or size_mul() for the size"
            yield size, f"{name}() size `{shown}` multiplies by `{count}` without overflow checking", \
                hint, "ALLOC_WITH_MULTIPLY"
        return
    count_index, size_index = ARRAY[name]
    if size_index >= len(args):
        return
    count, size = args[count_index], args[size_index]
    var = _assigned_to(call)
    if var is not None:
        for f in _factors(size):
            if _is_sizeof(f) and _pointer_size_of(f, var, call, root):
                yield f, _pointer_message(var, f), _pointer_hint(var), ""
                return
    if _is_sizeof(count) and not _is_sizeof(size):
        yield count, (f"{name}()'s arguments are swapped: `{text(count)}` is the element size and "
                      f"`{text(size)}` the count"), \
            f"call {name}({'dev, ' if count_index else ''}{text(size)}, {text(count)}, ...)", "ALLOC_ARRAY_ARGS"


def _pointer_message(var, size) -> str:
    v = re.sub(r"\s+", "", text(var))
    return f"`{text(size)}` is the size of the pointer `{v}`, not of the object it points to"


def _pointer_hint(var) -> str:
    v = re.sub(r"\s+", "", text(var))
    return f"allocate sizeof(*{v})"


ALLOCATORS = frozenset(SINGLE) | frozenset(ARRAY)
ANY_ALLOCATOR = any_of(ALLOCATORS)


@rule("alloc-size-mismatch", severity="warning", scope="function", paths=("*.c", "*.h"),
      checkpatch=("ALLOC_WITH_MULTIPLY", "ALLOC_ARRAY_ARGS"))
def check(ctx):
    view = ctx.view
    if not ANY_ALLOCATOR.search(view.source):
        return   # no call of an allocator to judge
    root = view.root
    calls = query("alloc_calls")
    for unit in view.units():
        for m in matches(calls, unit):
            call, name = m["call"], text(m["fn"])
            if name not in ALLOCATORS or not view.node_added(call):   # the query lists the same names
                continue
            for node, message, hint, checkpatch in _check_call(call, name, root):
                if not view.row_added(node.start_point.row):
                    continue
                statement = next((a for a in ancestors(call) if a.type.endswith("statement")
                                  or a.type == "declaration"), call)
                if broken_ignoring_qualifiers(statement):
                    continue
                yield Report(message, line=view.line_of(node), hint=hint, checkpatch=checkpatch)
