"""
## What it does

Flags a missing blank line where declarations end, when the patch added
either side of that boundary:

- in a block, the declarations at its top followed directly, on the next
  line, by a statement.  Declaration macros (`DECLARE_BITMAP()`,
  `DEFINE_MUTEX()`, `LIST_HEAD()`, `XA_STATE()` and the like) count as
  declarations, and a comment between two declarations does not end them; a
  comment, a label or a preprocessor line between the declarations and the
  statement is left alone, and so is `CLASS()`, which kernel code writes on
  either side of the blank line;
- at file level, the `}` or `};` closing a function, struct, enum or
  initializer followed directly by more code (in a device tree, a top-level
  node's `};` followed by the next node).  What belongs to the definition
  above it may follow it directly: `EXPORT_SYMBOL()`, `MODULE_*()`,
  `module_*_driver()`, initcalls, `__setup()`, `*_ATTR*()` and `*DECLARE*()`
  macros (`IRQCHIP_DECLARE()`), `static_assert()`, and preprocessor lines
  (`#endif`, `#define FOO_MAX (__FOO_MAX - 1)` under its enum).

When the old code already had the two lines together (a statement right
after unchanged declarations, a function right after an unchanged `}`), the
patch is not blamed for it; and where the code around the change already
writes definitions one under the other (pin tables pairing `foo_pins[]`
with `foo_mux[]`), a patch following that style is not blamed either: such
definitions are reported as pre-existing, shown only with
`--show-preexisting`.

## Why is this bad?

Kernel style separates a block's local variables from its code, and one
definition from the next, with one blank line, so the reader sees at a
glance where each ends.  checkpatch.pl warns about both.

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

- Documentation/process/coding-style.rst, section 6 ("In source files,
  separate functions with one blank line. If the function is exported, the
  EXPORT macro for it should follow immediately after the closing function
  brace line.")
- checkpatch.pl: LINE_SPACING ("Missing a blank line after declarations", and
  with --strict "Please use a blank line after function/struct/union/enum
  declarations")
- Documentation/devicetree/bindings/dts-coding-style.rst (nodes apart)
"""

from __future__ import annotations

import re

from reviewbot.csyntax import broken, call_name, walk
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

# `}` or `};` alone at the start of a line: the end of a function, struct, enum or
# initializer at file level (checkpatch reads it the same way).
CLOSING = re.compile(r"^};?[ \t]*$")
# What kernel code writes right under the definition it belongs to (checkpatch's list, and
# the registration macros of the same kind): `EXPORT_SYMBOL(f);`, `module_init(f);`,
# `static DEVICE_ATTR_RW(x);`, `IRQCHIP_DECLARE(...)`, `static DEFINE_SIMPLE_DEV_PM_OPS(...)`,
# `static DECLARE_DELAYED_WORK(w, handler);`, `#endif`, `#define N ARRAY_SIZE(t)`,
# `static_assert(sizeof(struct s) == 8);`, a second `}` (`extern "C"`).
ATTACHED = re.compile(
    r"(?:EXPORT_|early_param|core_param|ALLOW_ERROR_INJECTION|NOKPROBE_SYMBOL|STACK_FRAME_NON_STANDARD|__setup"
    r"|__exitcall|(?i:module_)|[a-z_]*init[a-z_]*\s*\(|(?:static\s+)?(?:[A-Z_]*ATTR|[A-Z0-9_]*DECLARE|DEFINE_"
    r"|[A-Z_]*PM_OPS\b)"
    r"|builtin_\w*driver|KUNIT_|(?:_S|s)tatic_assert|#|}|\)|//|/\*.*\*/\s*$)")
# The start of an initialized table: `static const struct regmap_range foo_ranges[] = {`.
TABLE = re.compile(r"=\s*\{\s*$")
# Code that can only be inside a function: the `}` before it was misplaced, not the end of one.
STATEMENT = re.compile(r"(?:if|else|for|while|do|switch|case|default|return|goto|break|continue)\b|\w+:(?!:)")


def _callee(node, kind: str | None = None) -> str | None:
    """`X` for an expression statement `X(...);` or `X(...)(...);` (`kind`: the node's type, if known)."""
    if (kind or node.type) != "expression_statement" or node.named_child_count != 1:
        return None
    expr = node.named_children[0]
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        if fn is not None and fn.type == "call_expression":
            expr = fn
    return call_name(expr)


def _is_declaration(node, kind: str | None = None) -> bool:
    kind = kind or node.type
    if kind in ("type_definition", "struct_specifier", "union_specifier", "enum_specifier"):
        return True
    if kind == "declaration":
        # Attribute macros (`__free(kfree)`, `__maybe_unused`) and type arguments
        # (`container_of(p, struct foo, m)`) leave errors inside a declaration that
        # is a declaration all the same.
        return not node.has_error or node.child_by_field_name("declarator") is not None
    if kind == "expression_statement":
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


def _blocks(view):
    """The items of every block that spans an added line: compound statements, and in a
    window that cuts a function in half (an ERROR node), what follows its opening `{`.
    (A report is on a statement the patch added, so other blocks cannot have one.)"""
    for node in walk(view.root, {"compound_statement", "ERROR"}):
        if not view.node_added(node):
            continue
        if node.type == "compound_statement":
            parent = node.parent
            if parent is not None and parent.type not in ("initializer_list", "ERROR"):
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


@rule("missing-blank-after-declarations", severity="warning", scope="hunk",
      paths=("*.c", "*.h", "*.dts", "*.dtsi"), checkpatch=("LINE_SPACING",))
def check(ctx):
    device_tree = ctx.file.path.endswith((".dts", ".dtsi"))
    if not ctx.hunk.repaired:   # (collapsed indentation puts every `}` at the start of its line)
        yield from _after_definitions(ctx.hunk, device_tree)
    if not device_tree:
        yield from _after_declarations(ctx)


def _iterator_macro(items, k) -> bool:
    """`list_for_each_entry(...) {`: a statement tree-sitter reads as a call missing its `;`."""
    item = items[k]
    return (item.type == "expression_statement" and not broken(item) and k + 1 < len(items)
            and items[k + 1].type == "compound_statement" and items[k + 1].start_point.row == item.end_point.row)


def _after_declarations(ctx):
    view = ctx.view
    if not view.added_rows:
        return   # a report is on the added line of a statement: none to find
    for items in _blocks(view):
        last_decl = None
        for k, item in enumerate(items):
            kind = item.type   # (asked once: each ask makes a new string)
            callee = _callee(item, kind)
            if callee in AMBIGUOUS:
                break
            if _is_declaration(item, kind) or (callee and UPPER_CASE_MACRO.match(callee) and k + 1 < len(items)
                                               and items[k + 1].type == "declaration"):
                # (an unknown `FOO_STATE(x, ...);` followed by declarations is one of them)
                last_decl = item
                continue
            if kind == "comment":
                continue   # between declarations; one between them and the first statement keeps them apart
            if kind in SKIP or last_decl is None:
                break
            if (item.has_error and kind not in KEYWORD_STATEMENTS and not _iterator_macro(items, k)) \
                    or item.start_point.row != last_decl.end_point.row + 1:
                break
            if kind == "compound_statement" or CLEANUP_ALLOCATION.search(last_decl.text):
                break
            decl_added = view.row_added(last_decl.end_point.row)
            stmt_added = view.row_added(item.start_point.row)
            if not decl_added and _was_adjacent(ctx.hunk, view.line(last_decl.end_point.row)):
                break   # the old code had a statement right there too: not this patch's doing
            if (decl_added or stmt_added) and view.line_of(item) is not None:
                yield Report("missing a blank line after declarations", line=view.line_of(item),
                             hint="add an empty line between the block's declarations and its first statement")
            break


def _glued(texts: list[str], j: int, device_tree: bool) -> bool:
    """Would line `j`, right after a top-level `}`/`};` at `j - 1`, want a blank line between them?"""
    text = texts[j]
    if not text or text[0] in " \t":
        return False   # blank, or indented: the `}` was not the end of a top-level definition
    if device_tree:
        return text.rstrip().endswith("{")   # the next node
    if ATTACHED.match(text) or STATEMENT.match(text):
        return False
    if texts[j - 1].startswith("};") and TABLE.search(text):
        return False   # tables written one under the other, as a group
    if text.startswith("/*") and "*/" not in text:
        # A comment introducing what follows it: `subsys_initcall()` may follow the
        # function with its reason above it; what cannot be seen is not judged.
        end = next((i for i in range(j + 1, len(texts)) if "*/" in texts[i]), len(texts))
        return end + 1 < len(texts) and bool(texts[end + 1]) and texts[end + 1][0] not in " \t" \
            and not ATTACHED.match(texts[end + 1])
    return True


def _after_definitions(hunk, device_tree: bool):
    """`}` or `};` ending a top-level definition, and on the next line more code, not a blank line."""
    image = hunk.post_image
    # (CLOSING matches only at a `}`: the common case is a hunk without one)
    ends = [k + 1 for k, x in enumerate(image) if x.text[:1] == "}" and k + 1 < len(image)]
    if not ends:
        return
    texts = [x.text for x in image]
    before = grouped = None
    for j in ends:
        x, following = image[j - 1], image[j]
        if not CLOSING.match(x.text) or not _glued(texts, j, device_tree) or "+" not in (x.kind, following.kind):
            continue
        if before is None:
            before = [x.text for x in hunk.lines if x.kind != "+"]
            # The file groups its definitions so (pin tables: `foo_pins[]` then `foo_mux[]`): what the patch
            # glues the same way is reported as pre-existing (shown only with --show-preexisting).
            grouped = any(before[i - 1][:1] == "}" and CLOSING.match(before[i - 1]) and _glued(before, i, device_tree)
                          for i in range(1, len(before)))
        old = grouped
        if following.kind == "+":
            if x.kind == " ":
                # The old file's line after the `}`: code there already was not this patch's doing.
                k = _old_index(hunk, x)
                old = old or (k + 1 < len(before) and _glued(before, k + 1, device_tree))
            at = following
        else:
            # What stood before the following line in the old file: a `}` there too, not this patch's doing.
            k = _old_index(hunk, following)
            old = old or (k > 0 and bool(CLOSING.match(before[k - 1])))
            at = x
        what = "top-level node" if device_tree else "definition"
        yield Report(f"missing a blank line after the end of a {what}", line=at.new,
                     hint=f"add an empty line after the `{x.text.strip()}`", preexisting=old)


def _old_index(hunk, line) -> int:
    """The index of a context line among the hunk's old-file lines."""
    return [x for x in hunk.lines if x.kind != "+"].index(line)
