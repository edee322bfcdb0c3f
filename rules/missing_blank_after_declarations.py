"""
## What it does

Flags a block whose declarations at the top are followed directly, on the next
line, by a statement, when the patch added either side of that boundary.
Declaration macros (`DECLARE_BITMAP()`, `DEFINE_MUTEX()`, `LIST_HEAD()` and
the like) count as declarations; a comment or a preprocessor line between the
two is left alone.

## Why is this bad?

Kernel style separates a block's local variables from its code with one blank
line so the reader sees at a glance where the declarations end.  checkpatch.pl
warns about it on every patch that breaks it.

## Example

```c
void f(void)
{
	int a;
	a = compute();
}
```

## Use instead

```c
void f(void)
{
	int a;

	a = compute();
}
```

## References

- Documentation/process/coding-style.rst
- checkpatch.pl: LINE_SPACING ("Missing a blank line after declarations")
"""

from __future__ import annotations

import re

from reviewbot.csyntax import call_name, walk
from reviewbot.ruleapi import Report, rule

# checkpatch's $declaration_macros, plus the scoped-cleanup declarations.
DECLARATION_MACRO = re.compile(
    r"^(?:[A-Z_][A-Z0-9]*_){0,2}(?:DEFINE|DECLARE)(?:_[A-Z0-9]+){1,6}$"
    r"|^[HLP]?LIST_HEAD$|^(?:SKCIPHER_REQUEST|SHASH_DESC|AHASH_REQUEST)_ON_STACK$"
    r"|^(?:CLASS|guard|__free|DEFINE_FREE)$")
SKIP = frozenset({"comment", "preproc_call", "preproc_if", "preproc_ifdef", "preproc_def", "preproc_function_def",
                  "preproc_else", "preproc_elif", "ERROR"})


def _is_declaration(node) -> bool:
    if node.type in ("declaration", "type_definition", "struct_specifier", "union_specifier", "enum_specifier"):
        return True
    if node.type == "expression_statement" and node.named_child_count == 1:
        name = call_name(node.named_children[0])
        return name is not None and bool(DECLARATION_MACRO.match(name))
    return False


def _was_adjacent(hunk, decl_line: int | None) -> bool:
    """In the old file, did a non-blank line follow the (unchanged) declaration directly?"""
    lines = hunk.lines
    for k, x in enumerate(lines):
        if x.kind == " " and x.new == decl_line:
            following = lines[k + 1] if k + 1 < len(lines) else None
            return following is not None and following.kind == "-" and bool(following.text.strip())
    return False


@rule("missing-blank-after-declarations", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("LINE_SPACING",))
def check(ctx):
    view = ctx.view
    for block in walk(view.root, {"compound_statement"}):
        if block.parent is None or block.parent.type in ("initializer_list", "ERROR"):
            continue
        items = [c for c in block.named_children]
        last_decl = None
        for item in items:
            if _is_declaration(item):
                if item.has_error:
                    break
                last_decl = item
                continue
            if item.type in SKIP or last_decl is None:
                break
            if item.has_error or item.start_point.row != last_decl.end_point.row + 1:
                break
            if item.type in ("compound_statement",):
                break
            decl_added = view.row_added(last_decl.end_point.row)
            stmt_added = view.row_added(item.start_point.row)
            if not decl_added and _was_adjacent(ctx.hunk, view.line(last_decl.end_point.row)):
                break   # the old code had a statement right there too: not this patch's doing
            if (decl_added or stmt_added) and view.line_of(item) is not None:
                yield Report("missing a blank line after declarations", line=view.line_of(item),
                             hint="add an empty line between the block's declarations and its first statement")
            break
