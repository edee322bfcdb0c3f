"""
## What it does

Flags a `*` written against the type instead of the name in a declaration,
a parameter, a struct member, a function's return type or a cast: `int* p`,
`char * name`, `struct foo*bar`, `(void*)x`, `(char * )s`, `void * *pp`.  It
reads declarations from the syntax tree, so multiplications are never taken
for pointers; a qualifier after the star (`char * const p`,
`int * __rcu *slot`) is fine, so is a return type ending its line
(`static struct foo *` above the function's name), and so is any spacing in
a function pointer's `(*fn)`.  Comment text in a hunk that cuts a comment in
half is not read as code, and hunks whose whitespace was damaged in transit
are not judged.

## Why is this bad?

In C the `*` binds to the name: `int* a, b;` declares one pointer and one int.
Kernel coding style writes `int *a` so the code reads the way the compiler
reads it, and checkpatch.pl reports the other spellings as errors.

## Example

```c
static int foo_read(struct foo* foo, char * buf)
{
	return snprintf(buf, PAGE_SIZE, "%d\\n", foo->val);
}
```

## Use instead

```c
static int foo_read(struct foo *foo, char *buf)
{
	return snprintf(buf, PAGE_SIZE, "%d\\n", foo->val);
}
```

## References

- Documentation/process/coding-style.rst, section 3.1 ("When declaring pointer data ...")
- checkpatch.pl: POINTER_LOCATION ("foo* bar" should be "foo *bar", "(foo*)" should be "(foo *)")
"""

from __future__ import annotations

import functools
import re

from reviewbot.csyntax import ancestors, broken
from reviewbot.ruleapi import Report, rule

POINTERS = frozenset({"pointer_declarator", "abstract_pointer_declarator"})
# What a pointer declarator is part of; an error there means the parser guessed.
OWNERS = frozenset({"declaration", "parameter_declaration", "field_declaration", "type_descriptor",
                    "function_definition", "type_definition"})
TYPES = frozenset({"primitive_type", "type_identifier", "sized_type_specifier", "struct_specifier",
                   "union_specifier", "enum_specifier", "type_qualifier"})
DECLARATORS = frozenset({"pointer_declarator", "init_declarator"})
# Qualifiers that may follow the star after a space (`char * const p`, `void * __rcu *p`).
QUALIFIER_NODES = frozenset({"type_qualifier", "ms_pointer_modifier", "attribute_specifier",
                             "ms_based_modifier", "gnu_asm_expression"})
# Sparse annotations tree-sitter does not know, between a type and its declarator.
ANNOTATIONS = re.compile(rb"^__[a-z_]+(?:\s+__[a-z_]+)*$")
WORD = re.compile(rb"[A-Za-z0-9_]")
SPACE = b" \t"
TAIL_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*$")
STARS = re.compile(r"\s*((?:\*\s*)+)")
HEAD_WORD = re.compile(rb"^[A-Za-z_][A-Za-z0-9_]*")
# A star _suspect would look at, in the row's text: one after a word character, one after any
# character and before a space or tab, one after spaces or tabs after another star.
SUSPECT_STAR = re.compile(r"\*(?:(?<=[A-Za-z0-9_]\*)|(?<=.\*)[ \t]|[ \t]+\*)", re.DOTALL)


def _owner(node):
    """The declaration (or type name) the pointer declarator is part of."""
    for a in ancestors(node):
        if a.type in OWNERS:
            return a
        if a.type == "ERROR":
            # A window that cuts a function in half leaves its declarations loose in
            # an ERROR node: still one when a type comes right before the declarator.
            top = node
            while top.parent is not None and top.parent != a:
                top = top.parent
            before = top.prev_named_sibling
            return top if before is not None and before.type in TYPES and top.type in DECLARATORS else None
        if a.type in ("compound_statement", "translation_unit"):
            return None
    return None


def _only_annotations(node) -> bool:
    """Are the parser's errors in this declaration only sparse annotations it does not
    know (`void __iomem *base`, `char __user *buf`)?"""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR":
            if not ANNOTATIONS.match(n.text):
                return False
            continue
        if n.is_missing:
            return False
        if n.has_error:
            stack.extend(n.children)
    return True


def _suspect(line: bytes, col: int) -> bool:
    """A quick look at the text: could the `*` at `col` be misplaced at all?"""
    before = line[col - 1:col]
    after = line[col + 1:col + 2]
    return bool(before) and (WORD.match(before) is not None or after in (b" ", b"\t")
                             or (before in (b" ", b"\t") and line[:col].rstrip(SPACE).endswith(b"*")))


def _misplaced(line: bytes, star, after) -> bool:
    """Is this `*` spaced as `foo* bar`, `foo * bar`, `foo*bar` or `(foo* )`?"""
    col = star.start_point.column
    before = line[:col]
    stripped = before.rstrip(SPACE)
    if stripped.endswith(b"*") and len(stripped) < len(before):
        return True                              # `* *p`
    if before and WORD.match(before[-1:]):
        return True                              # `int*p`, `int* p`, `(char*)`
    rest = line[star.end_point.column:]
    if not rest or rest[:1] not in SPACE:
        return False                             # `*p`, `**p`, `*)`, a star ending the line
    if not rest.strip(SPACE):
        return False                             # the name is on the next line
    if after is not None and (after.type in QUALIFIER_NODES or after.type == "*"):
        return False                             # `* const p`
    nxt = rest.lstrip(SPACE)
    if nxt.startswith((b"__", b"const", b"volatile", b"restrict", b"/*", b"*")):
        return False                             # `* __iomem *p`, a comment
    return True


def _unsure(view, row: int) -> bool:
    """Is the row text a window cannot parse for sure: a `#define` continuation line
    (the window may cut a macro in half), or the tail of a comment the window starts in?"""
    head, tail = _comment_edges(view)
    text = view.rows[row].strip()
    # `* words ...`: a comment line, even when the window shows neither end of it.
    return text.endswith("\\") or text[:2] in ("* ", "*") or not head <= row < tail


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


def _spelling(line: bytes, star) -> tuple[str, str]:
    """(as written, as kernel style writes it) around the star, for the message."""
    col = star.start_point.column
    lo = col
    while lo > 0 and line[lo - 1:lo] in (b" ", b"\t", b"*"):
        lo -= 1
    hi = star.end_point.column
    while hi < len(line) and line[hi:hi + 1] in (b" ", b"\t", b"*"):
        hi += 1
    left = TAIL_WORD.search(line[:lo])
    right = HEAD_WORD.match(line[hi:])
    start = left.start() if left else lo
    stop = hi + (right.end() if right else 0)
    stars = line[lo:hi].count(b"*")
    lw = left.group(0).decode("utf-8", "replace") if left else ""
    rw = right.group(0).decode("utf-8", "replace") if right else ""
    written = line[start:stop].decode("utf-8", "replace").strip()
    return written, f"{lw} {'*' * stars}{rw}".strip()


def _type_name_message(line: bytes, owner) -> str:
    """`'(u8*)' should be '(u8 *)'` for a cast, `'u8*' should be 'u8 *'` for another type name."""
    close = line.find(b")", owner.end_point.column)
    raw = line[owner.start_point.column:close if close >= 0 else owner.end_point.column]
    written = raw.decode("utf-8", "replace").rstrip() + (" " if raw[-1:] in (b" ", b"\t") else "")
    wanted = STARS.sub(lambda m: " " + "".join(m.group(1).split()), written).strip()
    if owner.parent is not None and owner.parent.type == "cast_expression":
        return f"'({written})' should be '({wanted})'"
    return f"'{written.strip()}' should be '{wanted}'"


@rule("pointer-declaration-style", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("POINTER_LOCATION",))
def check(ctx):
    view = ctx.view
    if view.repaired or b"*" not in view.source:
        return
    rows = view.rows
    seen: set[int] = set()
    for row in view.added_rows:
        text = rows[row]
        # A row with no star _suspect would look at says nothing (most rows with a star: `*p`,
        # `struct foo *foo`): asked first, being cheaper than _unsure.
        if "*" not in text or row in seen or SUSPECT_STAR.search(text) is None or _unsure(view, row):
            continue
        line = text.encode("utf-8", "replace")
        col = line.find(b"*")
        while col >= 0 and row not in seen:
            at, col = col, line.find(b"*", col + 1)
            if not _suspect(line, at):
                continue
            star = view.root.descendant_for_point_range((row, at), (row, at + 1))
            if star is None or star.type != "*" or star.parent is None or star.parent.type not in POINTERS:
                continue
            node = star.parent
            if node.parent is not None and node.parent.type == "parenthesized_declarator":
                continue                         # `(*fn)(...)`: any spacing
            after = star.next_sibling
            if not _misplaced(line, star, after):
                continue
            owner = _owner(node)
            if owner is None or (broken(owner) and not _only_annotations(owner)) \
                    or _top(owner).start_point.row < _comment_edges(view)[0]:
                continue   # (text after a comment the window cut is read as code)
            seen.add(row)
            if owner.type == "type_descriptor" and owner.start_point.row == owner.end_point.row:
                message = _type_name_message(line, owner)
            else:
                written, wanted = _spelling(line, star)
                message = f"'{written}' should be '{wanted}': the `*` goes with the name"
            yield Report(message, line=view.line(row), hint="write the `*` next to the name, after one space")
