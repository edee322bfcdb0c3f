"""
## What it does

Flags `sizeof` applied without parentheses: `sizeof *p`, `sizeof buf`,
`sizeof p->hdr`, also in `#define` bodies.  Comments and strings that say
"sizeof" are not code and are left alone.

## Why is this bad?

Kernel coding style always writes `sizeof(...)`, even though `sizeof` is an
operator: `sizeof *p + 1` and `sizeof(*p) + 1` read differently to a human, and
the kernel's grep-ability (`sizeof(*p)`) depends on one spelling.  checkpatch.pl
warns "sizeof *p should be sizeof(*p)".

## Example

```c
static struct foo *foo_alloc(void)
{
	struct foo *p;

	p = kzalloc(sizeof *p, GFP_KERNEL);
	return p;
}
```

## Use instead

```c
static struct foo *foo_alloc(void)
{
	struct foo *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	return p;
}
```

## References

- Documentation/process/coding-style.rst, section 3.1 ("sizeof ... (with parentheses)")
- checkpatch.pl: SIZEOF_PARENTHESIS ("sizeof *p should be sizeof(*p)")
"""

from __future__ import annotations

import functools
import re

from reviewbot.csyntax import broken, text
from reviewbot.ruleapi import Report, rule

# `sizeof` followed, on the same line, by something else than `(`.
BARE = re.compile(r"\bsizeof\b(?=\s*[^\s(])")
# In a macro body, which tree-sitter does not parse: the operand as checkpatch reads it.
OPERAND = re.compile(r"\bsizeof(?:\s+|(?=\*))((?:\*\s*)*[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*|\[[^\]]*\])*"
                     r"|(?:\*\s*)+\((?:[^()]|\([^()]*\))*\))")
STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|/\*.*?(?:\*/|$)|//.*$')
MACRO_BODY = frozenset({"preproc_arg"})


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def _macro_findings(line: str):
    code = STRING_OR_COMMENT.sub(_blank, line)
    for m in OPERAND.finditer(code):
        yield " ".join(m.group(1).split())


def _unsure(view, row: int) -> bool:
    """Is the row prose a window cannot tell from code: inside a block comment whose
    start or end the window cut off, or a `* ...` comment line?"""
    head, tail = _comment_edges(view)
    text = view.rows[row].lstrip()
    return text[:2] in ("* ", "*") or not head <= row < tail


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


@rule("sizeof-without-parentheses", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("SIZEOF_PARENTHESIS",))
def check(ctx):
    view = ctx.view
    if b"sizeof" not in view.source:
        return
    rows = view.rows
    for row in view.added_rows:
        line = rows[row]
        if "sizeof" not in line or _unsure(view, row):
            continue
        operands = []
        for m in BARE.finditer(line):
            col = len(line[:m.start()].encode("utf-8", "replace"))
            node = view.root.descendant_for_point_range((row, col), (row, col + 6))
            if node is None:
                continue
            if node.type in MACRO_BODY or (node.type == "sizeof" and node.parent is not None
                                           and node.parent.type in MACRO_BODY):
                operands = list(_macro_findings(line))
                break
            if node.type != "sizeof" or node.parent is None or node.parent.type != "sizeof_expression":
                continue   # a comment, a string, an identifier in a broken parse
            expression = node.parent
            operand = node.next_sibling
            if operand is None or operand.start_point.row != row or broken(expression) \
                    or _top(expression).start_point.row < _comment_edges(view)[0]:
                continue
            operands.append(" ".join(text(operand).split()))
        if operands:
            shown = operands[0] if len(operands[0]) <= 40 else "x"
            yield Report(f"sizeof {shown} should be sizeof({shown})", line=view.line(row),
                         hint="write sizeof with parentheses")
