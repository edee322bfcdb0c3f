"""
## What it does

Flags braces the patch writes around a single one-line statement: the body of
an `if` without `else`, of a `for` or `while` loop, or every arm of an
`if` / `else if` / `else` chain when each arm is one such statement.  A body
with a comment, a declaration, a preprocessor line or a nested `if`, loop or
`switch` in it, a statement or condition wrapped over several lines, and a
chain where any arm needs its braces, are all left alone.

## Why is this bad?

Kernel coding style: "Do not unnecessarily use braces where a single statement
will do."  Maintainers ask for the braces to go, and checkpatch.pl warns about
them on every patch.

## Example

```c
int f(struct device *dev, int ret)
{
	if (ret) {
		return dev_err_probe(dev, ret, "no clock");
	}
	return 0;
}
```

## Use instead

```c
int f(struct device *dev, int ret)
{
	if (ret)
		return dev_err_probe(dev, ret, "no clock");
	return 0;
}
```

## References

- Documentation/process/coding-style.rst, section 3 ("Placing Braces and Spaces")
- checkpatch.pl: BRACES ("braces {} are not necessary for single statement blocks",
  "braces {} are not necessary for any arm of this statement")
- See also: `unbalanced-braces`, for chains that need braces on some arms
"""

from __future__ import annotations

from reviewbot.csyntax import broken, if_chain, walk
from reviewbot.ruleapi import Report, rule

NESTED = frozenset({"if_statement", "for_statement", "while_statement", "do_statement", "switch_statement",
                    "compound_statement", "labeled_statement"})
LOOPS = frozenset({"for_statement", "while_statement"})


def _one_line_statement(body) -> bool:
    """Is this `{ ... }` around one statement on one line of its own, and nothing else?"""
    if body is None or body.type != "compound_statement" or body.named_child_count != 1:
        return False
    (statement,) = body.named_children
    if statement.type in NESTED or statement.type.startswith("preproc") or statement.type in ("comment",
                                                                                              "declaration"):
        return False
    row = statement.start_point.row
    return statement.end_point.row == row and body.start_point.row < row < body.end_point.row


def _header_one_line(node, body) -> bool:
    """Does the `if (...)` / loop header (up to the body's `{`) fit on one line?"""
    return node.start_point.row == body.start_point.row


def _whole(view, node, last_body) -> bool:
    """Does the window show the whole statement: nothing before it on its line (`} else if`
    in a chain cut by the hunk's start), and a line after it (no `else` cut off at the end)?"""
    row = node.start_point.row
    before = view.rows[row].encode("utf-8", "replace")[:node.start_point.column]
    return not before.strip() and last_body.end_point.row + 1 < len(view.rows)


def _nothing_to_find(view) -> bool:
    """Asked before the tree: do the added rows lack an `if`, `for` or `while`, or a `}`?  A
    report needs both: the statement judged starts on an added row and its body's `}` ends on
    one, and a statement the parser read whole (not broken) has them as real text."""
    rows = view.rows
    keyword = brace = False
    for row in view.added_rows:
        text = rows[row]
        brace = brace or "}" in text
        keyword = keyword or "if" in text or "for" in text or "while" in text
        if brace and keyword:
            return False
    return True


@rule("unnecessary-braces", severity="warning", scope="hunk", paths=("*.c", "*.h"), checkpatch=("BRACES",))
def check(ctx):
    view = ctx.view
    if view.repaired:
        return   # where the lines break is not to be trusted
    if _nothing_to_find(view):
        return
    for node in walk(view.root, {"if_statement"} | LOOPS):
        parent = node.parent
        if node.type == "if_statement" and parent is not None and parent.type == "else_clause":
            continue   # judged as part of the chain it continues
        if not view.row_added(node.start_point.row) or broken(node):
            continue
        if node.type in LOOPS:
            body = node.child_by_field_name("body")
            arms = [(node.children[0], body)]
        else:
            arms = if_chain(node)
        if not arms or not all(_one_line_statement(body) for _, body in arms):
            continue
        headers = [(node if k == 0 else keyword) for k, (keyword, _) in enumerate(arms)]
        if not all(_header_one_line(h, body) for h, (_, body) in zip(headers, arms)):
            continue
        if not all(view.row_added(body.end_point.row) for _, body in arms):
            continue   # the braces were there before: the patch only changed what they hold
        if not _whole(view, node, arms[-1][1]):
            continue
        if len(arms) == 1:
            what = node.type.split("_")[0]
            yield Report(f"braces around the single statement of this `{what}` are not needed",
                         line=view.line_of(node), hint="drop the braces")
        else:
            yield Report("no arm of this if/else chain needs braces: each is a single statement",
                         line=view.line_of(node), hint="drop the braces")
