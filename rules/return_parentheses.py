"""
## What it does

Flags `return (value);` where the parentheses enclose the whole returned value
and that value is a single thing: a variable, a constant, a member or array
element, a function or macro call, `*p` / `&x`, a cast, a negated constant
(`-EINVAL`), or a `?:` whose condition is one of those.  Parentheses that
group an operation (`return (a & MASK);`, `return (a && b) || c;`) are left
alone, as are statement expressions (`return ({ ... });`) and `#define`
bodies.

## Why is this bad?

`return` is not a function.  Kernel coding style writes `return x;`, and
checkpatch.pl reports the parentheses as an error ("return is not a function,
parentheses are not required").

## Example

```c
static int foo_probe(struct platform_device *pdev)
{
	return (-ENODEV);
}
```

## Use instead

```c
static int foo_probe(struct platform_device *pdev)
{
	return -ENODEV;
}
```

## References

- Documentation/process/coding-style.rst, section 3.1 ("return is not a function")
- checkpatch.pl: RETURN_PARENTHESES ("return is not a function, parentheses are not required")
"""

from __future__ import annotations


from reviewbot.csyntax import unsure as _unsure, broken, strip_parens
from reviewbot.ruleapi import Report, rule

# A value that parentheses cannot make clearer (checkpatch's $FuncArg: an lvalue, a
# call, a constant or a string, maybe cast).
SINGLE = frozenset({
    "identifier", "number_literal", "char_literal", "string_literal", "concatenated_string", "true", "false",
    "null", "field_expression", "subscript_expression", "call_expression", "sizeof_expression",
    "alignof_expression", "offsetof_expression",
})


def _single(node) -> bool:
    node = strip_parens(node)
    if node is None:
        return False
    if node.type in SINGLE:
        return True
    if node.type == "pointer_expression":        # *p, &x
        return _single(node.child_by_field_name("argument"))
    if node.type == "cast_expression":           # (u32)x
        return _single(node.child_by_field_name("value"))
    if node.type == "unary_expression":          # -EINVAL, -1
        op = node.child_by_field_name("operator")
        arg = strip_parens(node.child_by_field_name("argument"))
        return op is not None and op.type == "-" and arg is not None \
            and arg.type in ("identifier", "number_literal")
    return False


def _value_is_single(node) -> bool:
    node = strip_parens(node)
    if node is not None and node.type == "conditional_expression":   # return (x ? a : b);
        return _single(node.child_by_field_name("condition"))
    return _single(node)


def _returns(view, row):
    """The `return` statements that start on a row (found by their keyword)."""
    line = view.rows[row].encode("utf-8", "replace")
    k = line.find(b"return")
    while k >= 0:
        node = view.root.descendant_for_point_range((row, k), (row, k + 6))
        if node is not None and node.type == "return" and node.parent is not None \
                and node.parent.type == "return_statement":
            yield node.parent
        k = line.find(b"return", k + 6)


@rule("return-parentheses", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("RETURN_PARENTHESES",))
def check(ctx):
    view = ctx.view
    rows = view.rows
    for row in view.added_rows:
        line = rows[row]
        if "return" not in line or "(" not in line:
            continue
        for statement in _returns(view, row):
            if statement.named_child_count != 1:
                continue
            value = statement.named_children[0]
            if value.type != "parenthesized_expression" or value.named_child_count != 1:
                continue
            inner = value.named_children[0]
            if not _value_is_single(inner) or broken(statement) or _unsure(view, statement):
                continue
            plain = " ".join(inner.text.decode("utf-8", "replace").split())
            yield Report("return is not a function: the parentheses around the returned value are not needed",
                         line=view.line(row), hint=f"write `return {plain};`" if len(plain) <= 60
                         else "drop the parentheses")
