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

DECLARATION_MACRO = re.compile(
    r"^(DECLARE|DEFINE|LIST_HEAD|HLIST_HEAD|LLIST_HEAD|__DECLARE|DECLARE_BITMAP|DECLARE_WAITQUEUE|"
    r"DECLARE_COMPLETION|__free|CLASS|guard|scoped_guard|VM_BUG_ON|BUILD_BUG_ON|static_assert|"
    r"__maybe_unused|_DECLARE|MODULE_|EXPORT_|struct_group)\w*$")
SKIP = frozenset({"comment", "preproc_call", "preproc_if", "preproc_ifdef", "preproc_def", "preproc_function_def",
                  "preproc_else", "preproc_elif", "ERROR"})


def _is_declaration(node) -> bool:
    if node.type in ("declaration", "type_definition", "struct_specifier", "union_specifier", "enum_specifier"):
        return True
    if node.type == "expression_statement" and node.named_child_count == 1:
        name = call_name(node.named_children[0])
        return name is not None and bool(DECLARATION_MACRO.match(name))
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
            if (decl_added or stmt_added) and view.line_of(item) is not None:
                yield Report("missing a blank line after declarations", line=view.line_of(item),
                             hint="add an empty line between the block's declarations and its first statement")
            break
