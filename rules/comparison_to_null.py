"""
## What it does

Flags a pointer compared with `NULL` where only its truth is used:
`if (p == NULL)`, `while (node != NULL)`, `if (!p || p->next == NULL)`,
`unlikely(p == NULL)`, `WARN_ON(p == NULL)`, the condition of `?:`, and the
Yoda forms `NULL == p` / `NULL != p`.  It says `!p` or `p` instead.  A
comparison whose value is stored or returned (`ok = p != NULL;`,
`return p == NULL;`) is left alone: there `!p` would change the type of what
is stored, and the explicit comparison is often clearer.  So is a comparison
with an assignment in it (`(p = f()) == NULL`; assignment-in-condition reports
that), and `#define` bodies.

## Why is this bad?

Kernel coding style tests pointers for truth directly; `!p` is shorter and is
what every kernel reader expects.  checkpatch.pl suggests the same with
`--strict` ("Comparison to NULL could be written ...").  It is a matter of
style, hence a note.

## Example

```c
static int foo_bind(struct foo *foo)
{
	if (foo->dev == NULL)
		return -ENODEV;
	return 0;
}
```

## Use instead

```c
static int foo_bind(struct foo *foo)
{
	if (!foo->dev)
		return -ENODEV;
	return 0;
}
```

## References

- Documentation/process/coding-style.rst
- checkpatch.pl: COMPARISON_TO_NULL (a CHECK, with --strict)
"""

from __future__ import annotations


from reviewbot.csyntax import unsure as _unsure, broken, call_name, text
from reviewbot.ruleapi import Report, rule

CONDITION_OWNERS = frozenset({"if_statement", "while_statement", "do_statement", "for_statement"})
# Macros and helpers whose (first) argument is only tested for truth.
TRUTH_MACROS = frozenset({"likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "BUG_ON", "WARN", "WARN_ONCE",
                          "if_likely", "if_unlikely", "VM_BUG_ON", "VM_WARN_ON", "VM_WARN_ON_ONCE"})
# Operands `!` applies to without parentheses.
SIMPLE = frozenset({"identifier", "field_expression", "subscript_expression", "call_expression",
                    "parenthesized_expression", "pointer_expression"})
LOGICAL = frozenset({"&&", "||"})


def _operator(node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _tested(node) -> bool:
    """Is the value of `node` only used for its truth?"""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "parenthesized_expression":
            child, parent = parent, parent.parent
            continue
        if parent.type == "binary_expression" and _operator(parent) in LOGICAL:
            return True
        if parent.type == "unary_expression" and _operator(parent) == "!":
            return True
        if parent.type == "conditional_expression":
            return parent.child_by_field_name("condition") == child
        if parent.type in CONDITION_OWNERS:
            return parent.child_by_field_name("condition") == child
        if parent.type == "argument_list":
            call = parent.parent
            args = parent.named_children
            return bool(args) and args[0] == child and call is not None \
                and call_name(call) in TRUTH_MACROS
        return False
    return False


def _has_assignment(node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in ("assignment_expression", "update_expression", "compound_statement"):
            return True
        stack.extend(n.named_children)
    return False


def _comparison(view, row: int, col: int):
    """The `x == NULL` / `NULL != x` comparison around the NULL at (row, col), with x."""
    node = view.root.descendant_for_point_range((row, col), (row, col + 4))
    if node is not None and node.type == "NULL":
        node = node.parent
    if node is None or node.type != "null" or text(node) != "NULL":
        return None, None
    parent = node.parent
    if parent is None or parent.type != "binary_expression" or _operator(parent) not in ("==", "!="):
        return None, None
    left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
    other = right if left == node else left
    if other is None or other.type == "null":
        return None, None
    return parent, other


def _better(comparison, other) -> str:
    """`!p` for `p == NULL`, `p` for `p != NULL`."""
    name = " ".join(text(other).split())
    negate = _operator(comparison) == "=="
    if negate and other.type not in SIMPLE:
        name = f"({name})"
    better = f"!{name}" if negate else name
    return better if len(better) <= 50 else ("!ptr" if negate else "ptr")


@rule("comparison-to-null", severity="note", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("COMPARISON_TO_NULL",))
def check(ctx):
    view = ctx.view
    if b"NULL" not in view.source:
        return
    rows = view.rows
    for row in view.added_rows:
        line = rows[row]
        if "NULL" not in line or ("==" not in line and "!=" not in line):
            continue
        raw = line.encode("utf-8", "replace")
        col = raw.find(b"NULL")
        found = []
        while col >= 0:
            comparison, other = _comparison(view, row, col)
            col = raw.find(b"NULL", col + 4)
            if comparison is None or not _tested(comparison) or _has_assignment(other):
                continue
            if broken(comparison) or _unsure(view, comparison):
                continue
            found.append(_better(comparison, other))
        if found:
            shown = ", ".join(f"'{b}'" for b in found)
            plural = "s" if len(found) > 1 else ""
            yield Report(f"comparison{plural} to NULL could be written {shown}", line=view.line(row),
                         hint="test the pointer itself: `!p` for `p == NULL`, `p` for `p != NULL`")

