"""
## What it does

Flags a block whose declarations at the top are followed directly, on the next
line, by a statement, when the patch added either side of that boundary.
Declaration macros (`DECLARE_BITMAP()`, `DEFINE_MUTEX()`, `LIST_HEAD()`,
`XA_STATE()` and the like) count as declarations; a comment, a label or a
preprocessor line between the two is left alone, and so is `CLASS()`, which
kernel code writes on either side of the blank line.  When the old code
already had a statement right after the unchanged declarations, the patch is
not blamed for it.

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

# checkpatch's $declaration_macros, plus the iterator states and options that kernel
# code declares the same way (counted in Linux 6.12: followed by declarations).
DECLARATION_MACRO = re.compile(
    r"^(?:[A-Z_][A-Z0-9]*_){0,2}(?:DEFINE|DECLARE)(?:_[A-Z0-9]+){1,6}$"
    r"|^[HLP]?LIST_HEAD$|^(?:SYNC_)?(?:SKCIPHER_REQUEST|SHASH_DESC|AHASH_REQUEST)_ON_STACK$"
    r"|^(?:XA_STATE|XA_STATE_ORDER|MA_STATE|VMA_ITERATOR|LIBBPF_OPTS|FUSE_ARGS)$"
    r"|^(?:guard|__free|DEFINE_FREE)$")
UPPER_CASE_MACRO = re.compile(r"^[A-Z][A-Z0-9_]*$")
# `u8 *buf __free(kfree) = ...;` can parse as an expression; it is a declaration.
CLEANUP_DECLARATION = re.compile(rb"^[^=;(]*\b__free\(")
# `struct foo *p __free(kfree) = kzalloc(...);` is checked on the next line by
# design (include/linux/cleanup.h): the allocation and its check belong together.
CLEANUP_ALLOCATION = re.compile(rb"\b__free\(\s*\w+\s*\)\s*=(?!\s*NULL\b)")
# Statements that start with a keyword cannot be a declaration the parser misread, so
# an error inside one (`(u32 __user *)arg`) does not make its start uncertain.
KEYWORD_STATEMENTS = frozenset({"return_statement", "if_statement", "for_statement", "while_statement",
                                "do_statement", "switch_statement", "goto_statement"})
SKIP = frozenset({"comment", "preproc_call", "preproc_if", "preproc_ifdef", "preproc_def", "preproc_function_def",
                  "preproc_else", "preproc_elif", "ERROR", "labeled_statement"})
# `CLASS(fd, f)(fd);` declares `f`, but kernel code writes it both among the
# declarations and as the first statement: neither side of it is judged.
AMBIGUOUS = frozenset({"CLASS"})


def _callee(node) -> str | None:
    """`X` for an expression statement `X(...);` or `X(...)(...);`."""
    if node.type != "expression_statement" or node.named_child_count != 1:
        return None
    expr = node.named_children[0]
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        if fn is not None and fn.type == "call_expression":
            expr = fn
    return call_name(expr)


def _is_declaration(node) -> bool:
    if node.type in ("type_definition", "struct_specifier", "union_specifier", "enum_specifier"):
        return True
    if node.type == "declaration":
        # Attribute macros (`__free(kfree)`, `__maybe_unused`) and type arguments
        # (`container_of(p, struct foo, m)`) leave errors inside a declaration that
        # is a declaration all the same.
        return not node.has_error or node.child_by_field_name("declarator") is not None
    if node.type == "expression_statement":
        if node.text.lstrip().startswith((b"typeof", b"__typeof")) or CLEANUP_DECLARATION.match(node.text):
            return True   # `typeof(*p) *q = p;` parses as an expression
        name = call_name(node.named_children[0]) if node.named_child_count == 1 else None
        return name is not None and bool(DECLARATION_MACRO.match(name))
    return False


def _was_adjacent(hunk, decl_line: int | None) -> bool:
    """In the old file, did a line of code follow the (unchanged) declaration directly?

    Then the missing blank line is older than the patch, which only replaced or
    pushed down the statement that was already there.
    """
    lines = hunk.lines
    for k, x in enumerate(lines):
        if x.kind == " " and x.new == decl_line:
            following = next((y for y in lines[k + 1:] if y.kind != "+"), None)
            if following is None:
                return False
            code = following.text.strip()
            return bool(code) and not code.startswith(("/*", "*", "//", "#", "}"))
    return False


def _blocks(root):
    """The items of every block: compound statements, and in a window that cuts a
    function in half (an ERROR node), what follows its opening `{`."""
    for node in walk(root, {"compound_statement", "ERROR"}):
        if node.type == "compound_statement":
            if node.parent is not None and node.parent.type not in ("initializer_list", "ERROR"):
                yield node.named_children
            continue
        items = None
        for child in node.children:
            if child.type == "{":
                items = []
            elif child.type == "}":
                if items:
                    yield items
                items = None
            elif items is not None and child.is_named:
                items.append(child)
        if items:
            yield items


@rule("missing-blank-after-declarations", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("LINE_SPACING",))
def check(ctx):
    view = ctx.view
    for items in _blocks(view.root):
        last_decl = None
        for k, item in enumerate(items):
            callee = _callee(item)
            if callee in AMBIGUOUS:
                break
            if _is_declaration(item) or (callee and UPPER_CASE_MACRO.match(callee) and k + 1 < len(items)
                                         and items[k + 1].type == "declaration"):
                # (an unknown `FOO_STATE(x, ...);` followed by declarations is one of them)
                last_decl = item
                continue
            if item.type in SKIP or last_decl is None:
                break
            if (item.has_error and item.type not in KEYWORD_STATEMENTS) \
                    or item.start_point.row != last_decl.end_point.row + 1:
                break
            if item.type in ("compound_statement",) or CLEANUP_ALLOCATION.search(last_decl.text):
                break
            decl_added = view.row_added(last_decl.end_point.row)
            stmt_added = view.row_added(item.start_point.row)
            if not decl_added and _was_adjacent(ctx.hunk, view.line(last_decl.end_point.row)):
                break   # the old code had a statement right there too: not this patch's doing
            if (decl_added or stmt_added) and view.line_of(item) is not None:
                yield Report("missing a blank line after declarations", line=view.line_of(item),
                             hint="add an empty line between the block's declarations and its first statement")
            break
