"""
## What it does

Flags a statement written on the same line as the `if`, `for` or `while`
that controls it, or as its `else` or `case` label: `if (!p) return -ENOMEM;`,
`for (i = 0; i < n; i++) sum += a[i];`, `while (busy(dev));`,
`} else kfree(p);`, `case FOO: x = 1; break;`, and `if (x) { y(); }` on one
line.  The finding is on the line of the keyword, as checkpatch.pl puts it.

Left alone: `else if`, which is no statement after `else`; `case FOO: return
x;`, which checkpatch.pl accepts too; a table of one-line case labels
(`case 0: mode = A; break;` followed by `case 1: ...`), a layout some
subsystems keep on purpose; the `while (0)` that ends a `do { } while (0)`,
and a `} while (x);` whose `do` the hunk does not show; and `#define` bodies,
where one-line macros are the norm.

## Why is this bad?

Kernel coding style puts the body of a conditional or a loop on its own line,
indented one level deeper, so that the structure of the code is visible from
its indentation and a breakpoint or a diff can name the statement alone.
checkpatch.pl reports it as an error ("trailing statements should be on next
line").

## Example

```c
static int foo_start(struct foo *foo)
{
	if (!foo->ops) return -EINVAL;
	return foo->ops->start(foo);
}
```

## Use instead

```c
static int foo_start(struct foo *foo)
{
	if (!foo->ops)
		return -EINVAL;
	return foo->ops->start(foo);
}
```

## References

- Documentation/process/coding-style.rst, section 1 ("Don't put multiple statements on a single line")
- checkpatch.pl: TRAILING_STATEMENTS ("trailing statements should be on next line")
"""

from __future__ import annotations

import bisect
import functools
import re

from reviewbot.csyntax import broken
from reviewbot.ruleapi import Report, rule

CONTROLS = frozenset({"if_statement", "for_statement", "while_statement", "else_clause", "case_statement"})
NOT_CODE = frozenset({"comment"})
# How far above the line with the body a multi-line `if (...)` may begin.
HEAD_ROWS = 6
KEYWORD = re.compile(rb"\b(?:if|else|for|while|case|default)\b")
# `\b(?:if|else|for|while|case|default)\b`, written to start with a set of letters: the
# regex engine then skips to the next of them instead of trying the words at every character
# (half the time over a whole new file).
KEYWORD_TEXT = re.compile(r"[cdefiw](?<!\w[cdefiw])(?:(?<=i)f|(?<=e)lse|(?<=f)or|(?<=w)hile|(?<=c)ase|(?<=d)efault)\b")
# The same matches, one keyword at a time: each pattern starts with its word, which the regex
# engine searches for as a string (a third faster in all than the set of letters above); no two
# keywords match at one place, and none inside another, so the matches of all six are its matches.
KEYWORD_WORDS = tuple((word, re.compile(rf"{word}(?<!\w{word})\b"))
                      for word in ("if", "else", "for", "while", "case", "default"))


def _controls(view):
    """The if/else/for/while statements and case labels whose keyword is on an added
    line or a few lines above one (a condition can span lines), found from the keyword."""
    rows = view.rows
    added = view.added_rows
    if not added:
        return   # (before view.root: a window without added lines need not be parsed)
    root = view.root
    checked, near = -1, False   # the last row asked about, and whether an added row is near it
    for row, start, end, word in _keywords(rows, max(0, added[0] - HEAD_ROWS), added[-1] + 1):
        if row != checked:
            k = bisect.bisect_left(added, row)
            checked, near = row, k < len(added) and added[k] <= row + HEAD_ROWS
        if not near:
            continue
        token = root.descendant_for_point_range((row, start), (row, end))
        if token is None or token.type != word:
            continue
        parent = token.parent
        if parent is not None and parent.type in CONTROLS and parent.child(0) == token:
            yield parent


def _keywords(rows, lo: int, hi: int):
    """(row, start byte, end byte, keyword) of each KEYWORD match in the UTF-8 of the rows from
    `lo` to before `hi` that KEYWORD_TEXT finds a keyword in, in order: from a search for each
    keyword over their text joined by newlines (a newline is no word character, so `\\b` reads
    each row alone), whose columns are byte columns on an ASCII row; a row that is not is
    searched as bytes."""
    chunk = "\n".join(rows[lo:hi])
    found: list = []
    for word, pattern in KEYWORD_WORDS:
        if word in chunk:   # (most windows have no `while`, `case` or `default`)
            found += pattern.finditer(chunk)
    found.sort(key=re.Match.start)   # (the order of KEYWORD_TEXT.finditer)
    row, at, begin = lo, 0, 0   # the row that position `at` of chunk is on, and where it begins
    done = -1   # the last row searched as bytes
    for m in found:
        pos = m.start()
        n = chunk.count("\n", at, pos)
        if n:
            row += n
            begin = chunk.rfind("\n", at, pos) + 1
        at = pos
        if row == done:
            continue
        text = rows[row]
        if text.isascii():
            yield row, pos - begin, m.end() - begin, m.group()
        else:
            done = row
            for b in KEYWORD.finditer(text.encode("utf-8", "replace")):
                yield row, b.start(), b.end(), b.group().decode()


def _first_statement(body):
    """The statement that starts the body: itself, or the first one of its block."""
    if body.type != "compound_statement":
        return body
    items = [c for c in body.named_children if c.type not in NOT_CODE]
    return items[0] if items else None


def _head_end(node):
    """(the token that ends the control's head, its body), e.g. `)` of `if (...)`, `else`,
    the `:` of a `case` label and the first statement under it."""
    if node.type == "case_statement":
        colon = next((c for c in node.children if c.type == ":"), None)
        after = [c for c in node.named_children if colon is not None and c.start_byte >= colon.end_byte
                 and c.type not in NOT_CODE]
        return (colon, after[0]) if after else (None, None)
    if node.type == "else_clause":
        if not node.named_children:
            return None, None
        return node.children[0], node.named_children[-1]
    if node.type == "if_statement":
        body = node.child_by_field_name("consequence")
    else:
        body = node.child_by_field_name("body")
    if body is None:
        return None, None
    return body.prev_sibling, body


def _one_line_case(node) -> bool:
    if node is None or node.type != "case_statement":
        return False
    colon, first = _head_end(node)
    return colon is not None and first.start_point.row == colon.end_point.row


def _in_table(node) -> bool:
    """Is this one-line case label one of a table of them (`case 0: x = A; break;`
    above or below it), a layout some subsystems keep on purpose?"""
    return _one_line_case(_neighbour(node, "prev_named_sibling")) \
        or _one_line_case(_neighbour(node, "next_named_sibling"))


def _neighbour(node, direction: str):
    node = getattr(node, direction)
    while node is not None and node.type in NOT_CODE:
        node = getattr(node, direction)
    return node


def _head(node, body):
    """What comes before the body: the condition, a for loop's clauses, a case value."""
    if node.type == "else_clause":
        return []
    return [c for c in node.children if c.end_byte <= body.start_byte]


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _do_tail(view, node, statement) -> bool:
    """Is this `while (...);` the end of a `do ... while` whose `do` the window cut off?

    `} while (x);` is; so is a `while (x);` below a line indented deeper (the
    do's body), or at the top of the window, where nothing says which it is.
    """
    if statement.type != "expression_statement" or statement.named_child_count:
        return False
    row = node.start_point.row
    rows = view.rows
    if rows[row][:node.start_point.column].strip().endswith("}"):
        return True
    above = next((r for r in range(row - 1, -1, -1) if rows[r].strip()), None)
    return above is None or _indent(rows[above]) > _indent(rows[row])


def _unsure(view, node, last: int) -> bool:
    """Are these rows text a window cannot parse for sure: a `#define` continuation
    line (the window may cut a macro in half), or a comment whose start or end the
    window cut off?"""
    rows = view.rows
    head, tail = _comment_edges(view)
    if _top(node).start_point.row < head or last >= tail:
        return True
    return any(_doubtful(rows[r]) for r in range(node.start_point.row, min(last + 1, len(rows))))


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


@rule("trailing-statement", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("TRAILING_STATEMENTS",))
def check(ctx):
    view = ctx.view
    reported: set[int] = set()
    for node in _controls(view):
        head, body = _head_end(node)
        if head is None or body is None or (node.type == "else_clause" and body.type == "if_statement"):
            continue   # `else if` is not a statement after `else`
        if node.type == "case_statement" and (body.type in ("compound_statement", "return_statement")
                                              or _in_table(node)):
            continue   # `case X: {`, `case X: return y;` and tables of one-line cases are fine
        statement = _first_statement(body)
        if statement is None:
            continue   # `{ }`
        row = head.end_point.row
        if statement.start_point.row != row or row in reported or not view.row_added(row):
            continue
        if head.type not in (")", "else", "parenthesized_expression", ":"):
            continue   # the parser did not see the head we expect
        if broken(statement) or any(broken(c) for c in _head(node, body)) \
                or _unsure(view, node, statement.end_point.row):
            continue
        if node.type == "while_statement" and _do_tail(view, node, statement):
            continue
        reported.add(row)
        keyword = node.children[0].type
        what = "an empty statement" if statement.type == "expression_statement" \
            and statement.named_child_count == 0 else "a statement"
        # On the line of the keyword, as checkpatch.pl does, when the patch wrote it.
        at = node.start_point.row if view.row_added(node.start_point.row) else row
        yield Report(f"{what} on the same line as its `{keyword}`", line=view.line(at),
                     hint="put the body on the next line, indented one more level")
