"""
## What it does

Flags an `else` that follows an `if` arm ending in `return` or `break`: the
`else` can go and its body can move out one level.  The patch must have
written both the `else` and the `return`/`break` (when it only touches the
`else` line, the shape was there before).  Like checkpatch.pl it
leaves alone an `if`/`else` that returns in both arms (`if (x) return a; else
return b;`, the else arm starting with its own `return`), and, to be precise,
any `else if` chain: only a plain `if` with one plain `else` is judged.

## Why is this bad?

After `return` or `break` control never reaches the `else`, so the keyword and
the extra indentation level only make the reader check that.  Kernel style
prefers the early return followed by the normal path at the outer level, and
checkpatch.pl warns "else is not generally useful after a break or return".

## Example

```c
int f(struct foo *foo)
{
	if (!foo->ready) {
		dev_err(foo->dev, "not ready\n");
		return -EAGAIN;
	} else {
		foo->count++;
	}
	return 0;
}
```

## Use instead

```c
int f(struct foo *foo)
{
	if (!foo->ready) {
		dev_err(foo->dev, "not ready\n");
		return -EAGAIN;
	}

	foo->count++;
	return 0;
}
```

## References

- Documentation/process/coding-style.rst
- checkpatch.pl: UNNECESSARY_ELSE ("else is not generally useful after a break or return")
"""

from __future__ import annotations

import functools
import re

from reviewbot.csyntax import broken
from reviewbot.ruleapi import Report, rule

JUMPS = {"return_statement": "return", "break_statement": "break"}
NOT_CODE = frozenset({"comment"})
ELSE = re.compile(rb"\belse\b")


def _last_statement(body):
    """The statement an arm ends with: itself, or the last one of its block."""
    while body is not None and body.type == "compound_statement":
        items = [c for c in body.named_children if c.type not in NOT_CODE]
        body = items[-1] if items else None
    return body


def _first_statement(body):
    while body is not None and body.type == "compound_statement":
        items = [c for c in body.named_children if c.type not in NOT_CODE]
        body = items[0] if items else None
    return body


def _unsure(view, node, parts) -> bool:
    """Is the statement text a window cannot parse for sure: in a comment whose start
    or end the window cut off, or with a `#define` continuation line or a `* ...`
    comment line among the rows of the parts judged (the rows of an arm's body may
    hold a comment)?"""
    rows = view.rows
    head, tail = _comment_edges(view)
    if _top(node).start_point.row < head or node.end_point.row >= tail:
        return True
    return any(_doubtful(rows[r]) for part in parts
               for r in range(part.start_point.row, min(part.end_point.row + 1, len(rows))))


def _doubtful(line: str) -> bool:
    """A `#define` continuation line, or a line of a comment (`* ...`)."""
    text = line.strip()
    return text.endswith("\\") or text[:2] in ("*", "* ", "*\t")


def _top(node):
    """The outermost node holding `node` (a child of the translation unit)."""
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node


@functools.lru_cache(maxsize=4)
def _comment_edges(view) -> tuple[int, int]:
    """(rows at the top of a window that end a block comment begun above it, the first
    row of a block comment the window ends in): tree-sitter reads such text as code."""
    rows = view.rows
    head, tail = 0, len(rows)
    for r, line in enumerate(rows):
        close, start = line.find("*/"), line.find("/*")
        if start >= 0 and (close < 0 or start < close):
            break
        if close >= 0:
            head = r + 1
            break
    for r in range(len(rows) - 1, head - 1, -1):
        close, start = rows[r].rfind("*/"), rows[r].rfind("/*")
        if start > close:
            tail = r
            break
        if close >= 0:
            break
    return head, tail


@rule("else-after-return", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("UNNECESSARY_ELSE",))
def check(ctx):
    view = ctx.view
    rows = view.rows
    for row in view.added_rows:
        if "else" not in rows[row]:
            continue
        line = rows[row].encode("utf-8", "replace")
        for m in ELSE.finditer(line):
            keyword = view.root.descendant_for_point_range((row, m.start()), (row, m.end()))
            if keyword is None or keyword.type != "else" or keyword.parent is None:
                continue
            yield from _judge(view, keyword)


def _judge(view, keyword):
    """A report if the `else` of this clause follows an arm that returns."""
    clause = keyword.parent
    node = clause.parent
    if clause.type != "else_clause" or not clause.named_children or node is None or node.type != "if_statement":
        return
    parent = node.parent
    if parent is not None and parent.type == "else_clause":
        return   # an `else if` arm: part of a chain
    body = clause.named_children[-1]
    if body.type == "if_statement":
        return   # `else if`: a chain
    last = _last_statement(node.child_by_field_name("consequence"))
    if last is None or last.type not in JUMPS or not view.row_added(last.start_point.row):
        return   # (when the patch wrote only the `else` line, the shape was there before)
    first = _first_statement(body)
    if first is None or first.type == "return_statement":
        return   # both arms return: the symmetric form is fine
    if broken(node) or _unsure(view, node, (node.child_by_field_name("condition"), last, keyword)):
        return
    word = JUMPS[last.type]
    yield Report(f"else is not needed after `{word}` (line {view.line_of(last)})", line=view.line_of(keyword),
                 hint="drop the else and move its body out one level")
