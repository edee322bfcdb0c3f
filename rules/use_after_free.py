"""
## What it does

Flags a pointer that is used after the memory it points to was freed:
dereferenced (`p->f`, `*p`, `p[i]`, `&p->f` handed on), passed to a function,
freed again, or returned, after `kfree(p)`, `kvfree(p)`, `kfree_sensitive(p)`,
`vfree(p)`, `kmem_cache_free(cache, p)`, `kfree_skb(skb)`, `consume_skb(skb)`,
`dev_kfree_skb_any(skb)` or `free_netdev(dev)` on the same path, with no new
value stored in the pointer in between.  The finding is on the use when the
patch added it, else on the free when the patch added that.

Only a use the free always runs before is counted: the free must be a
statement of its own, and the use must follow it in the same block (or inside
a statement nested in that block), with no `return`, `goto`, `break`,
`continue` or label in between.  So `kfree(p); p = NULL;`, a free in one arm
of an `if` or one `case` and a use in another, `kfree(p); return;`, error
ladders whose labels other `goto`s reach, `kfree(p->a); kfree(p);` and loops
such as `list_for_each_entry_safe()` stay silent.  A pointer printed with
`%p`, compared, or handed to a tracepoint or an upper-case macro is not a use
of the memory; an skb the function took a reference to with `skb_get()` is not
freed by dropping it; code under `#if 0`, KASAN's own tests (and tests that
call `kasan_disable_current()`) and LKDTM are not judged.  `put_device()` and
`kfree_rcu()` are not counted as frees: the object may live on.

## Why is this bad?

Once freed, the memory may already belong to someone else: reading it returns
their data, writing it corrupts their object, and freeing it again corrupts the
allocator.  These bugs are silent in testing and become crashes or security
holes under load; KASAN reports them as "slab-use-after-free".

## Example

```c
static void foo_tx_done(struct foo_priv *priv, struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
	priv->stats.tx_bytes += skb->len;
}
```

## Use instead

```c
static void foo_tx_done(struct foo_priv *priv, struct sk_buff *skb)
{
	priv->stats.tx_bytes += skb->len;
	dev_kfree_skb_any(skb);
}
```

## References

- Documentation/dev-tools/kasan.rst ("slab-use-after-free")
- smatch: check_free.c, "dereferencing freed memory"; Coccinelle: scripts/coccinelle/free/kfree.cocci
- Documentation/dev-tools/checkpatch.rst has no equivalent: checkpatch cannot see data flow
"""

from __future__ import annotations

import re

from reviewbot.cflow import assigns, dead_code, is_block, jumps, labels_between, span_broken, unevaluated
from reviewbot.csyntax import (
    call_name, declared_names, matches, occurrences_of, outer_expression, query, strip_parens, text,
)
from reviewbot.ruleapi import Report, rule

# Release function -> index of the argument it frees.
RELEASES = {
    "kfree": 0, "kvfree": 0, "kfree_sensitive": 0, "kvfree_sensitive": 0, "kzfree": 0, "vfree": 0,
    "kfree_const": 0, "bitmap_free": 0, "kmem_cache_free": 1, "mempool_free": 0,
    "kfree_skb": 0, "kfree_skb_reason": 0, "consume_skb": 0, "dev_kfree_skb": 0, "dev_kfree_skb_any": 0,
    "dev_kfree_skb_irq": 0, "dev_consume_skb_any": 0, "dev_consume_skb_irq": 0, "napi_consume_skb": 0,
    "free_netdev": 0,
}
# Calls that only look at the pointer's value (or may), never at the memory.
VALUE_ONLY = frozenset({"WARN_ON", "WARN_ON_ONCE", "BUG_ON", "likely", "unlikely", "IS_ERR", "IS_ERR_OR_NULL",
                        "PTR_ERR", "ZERO_OR_NULL_PTR", "kmemleak_ignore", "kmemleak_not_leak", "kasan_poison"})
CONVERSION = re.compile(r"%(?:%|[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?(?:hh|h|ll|l|z|t|j|L|q)?([a-zA-Z])(\w*))")


def _freed(call):
    """(name, node) of the variable a release call frees, or None."""
    name = call_name(call)
    index = RELEASES.get(name)
    if index is None:
        return None
    args = call.child_by_field_name("arguments").named_children
    if len(args) <= index:
        return None
    arg = args[index]
    while arg is not None and arg.type in ("parenthesized_expression", "cast_expression"):
        arg = arg.named_children[-1] if arg.type == "cast_expression" else strip_parens(arg)
    return (text(arg), arg) if arg is not None and arg.type == "identifier" else None


def _statement(call):
    """The statement the call is, when it runs whenever that statement does (`kfree(p);`,
    `kfree(p), p = NULL;`), else None."""
    node = call
    while node.parent is not None and node.parent.type in ("parenthesized_expression", "comma_expression"):
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "expression_statement":
        return parent
    return None


def _format_slots(args) -> list[str] | None:
    """For a printk-style argument list: the conversion each argument after the format fills."""
    for k, arg in enumerate(args):
        if arg.type in ("string_literal", "concatenated_string"):
            fmt = "".join(text(s)[1:-1] for s in ([arg] if arg.type == "string_literal" else arg.named_children)
                          if s.type == "string_literal")
            slots = []
            for m in CONVERSION.finditer(fmt):
                if m.group(0) == "%%":
                    continue
                slots += ["*"] * ((m.group(1) == "*") + (m.group(2) == "*"))
                slots.append(m.group(3) + (m.group(4) if m.group(3) == "p" else ""))
            return ["arg"] * k + ["format"] + slots
    return None


def _use(node) -> str | None:
    """What an occurrence after the free does with the pointer: "deref", "free", "call",
    "return", or None when it only looks at its value."""
    if unevaluated(node):
        return None
    expr = outer_expression(node)
    parent = expr.parent
    if parent is None:
        return None
    if (parent.type == "field_expression" and parent.child_by_field_name("argument") == expr
            and parent.child_by_field_name("operator").type == "->") \
            or (parent.type == "subscript_expression" and parent.child_by_field_name("argument") == expr) \
            or (parent.type == "pointer_expression" and parent.child_by_field_name("operator").type == "*"):
        return "deref"
    if parent.type == "return_statement":
        return "return"
    if parent.type == "argument_list":
        call = parent.parent
        name = call_name(call)
        if name is None or name in VALUE_ONLY or name.startswith("trace_") or name.isupper():
            return None   # a tracepoint or a macro (`SCTP_DBG_OBJCNT_DEC(ep)`) may only paste the name
        if name in RELEASES:
            return "free"
        args = parent.named_children
        slots = _format_slots(args)
        if slots is not None:
            k = args.index(expr) if expr in args else -1
            if not 0 <= k < len(slots) or slots[k] in ("p", "px", "pK", "*"):
                return None   # `dout("%p done", p)`: the value, not the memory
        return "call"
    return None


def _dominated(free_stmt, use, whole: bool) -> bool:
    """Does every path to the use pass the free, straight down its block?"""
    block = free_stmt.parent
    if block is None or not is_block(block) or not (block.start_byte <= use.start_byte < block.end_byte):
        return False
    if block.type == "translation_unit" and whole:
        return False
    if span_broken(block, free_stmt, use):
        return False
    sibling = free_stmt.next_named_sibling
    while sibling is not None and sibling.end_byte <= use.start_byte:
        if jumps(sibling):
            return False
        sibling = sibling.next_named_sibling
    return not labels_between(block, free_stmt.end_byte, use.start_byte)


def _sanitizer_test(unit) -> bool:
    """A test that uses freed memory on purpose, with KASAN told to look away or to expect it."""
    body = text(unit)
    return "kasan_disable_current" in body or "KUNIT_EXPECT_KASAN_FAIL" in body


def _holds_extra_reference(unit, name: str) -> bool:
    """Did the function take a reference of its own (`skb_get(skb)`)?"""
    return any(n.parent.type == "argument_list"
               and call_name(n.parent.parent) in ("skb_get", "refcount_inc", "skb_share_check")
               for n in occurrences_of(unit, [name]).get(name, ()))


FREEING = re.compile(rb"free|consume_skb")
# KASAN's and KMSAN's own tests, and LKDTM, use freed memory on purpose.
SANITIZER_TESTS = re.compile(r"(?:^|/)mm/k[am]san/.*test|(?:^|/)lib/test_(?:kasan|kmsan)|(?:^|/)drivers/misc/lkdtm/")


def _nothing_to_find(view) -> bool:
    """Asked before the tree: FREEING (plain words) finds nothing in a unit, text of the source."""
    return b"free" not in view.source and b"consume_skb" not in view.source


@rule("use-after-free", severity="error", scope="function", preview=True, paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    whole = view.whole_file
    if ctx.file is not None and SANITIZER_TESTS.search(ctx.file.path):
        return
    if _nothing_to_find(view):
        return
    for unit in view.units():
        if not FREEING.search(unit.text):
            continue
        declared = None
        reported = set()
        for m in matches(query("release_calls"), unit):
            call = m["call"]
            freed = _freed(call)
            if freed is None or freed[1].id in reported:
                continue   # the second of `kfree(p); kfree(p); kfree(p);` is already reported
            name, arg = freed
            if "skb" in call_name(call) and _holds_extra_reference(unit, name):
                continue   # `skb_get(skb)` earlier: this only drops that reference
            stmt = _statement(call)
            if stmt is None or stmt.parent is None:
                continue
            block = stmt.parent
            for node in occurrences_of(block, [name]).get(name, ()):
                if node.start_byte < stmt.end_byte:
                    continue
                if assigns(node):
                    break
                use = _use(node)
                if use is None:
                    continue
                if not (view.row_added(node.start_point.row) or view.row_added(call.start_point.row)):
                    break
                if declared is None:
                    declared = declared_names(unit)
                if declared.get(name, 0) > 1 or (whole and declared.get(name, 0) == 0):
                    break
                if dead_code(node):
                    continue
                if _sanitizer_test(unit):
                    break
                if _dominated(stmt, node, whole):
                    reported.add(node.id)
                    yield _report(view, name, call, node, use)
                break


def _report(view, name, call, node, use) -> Report:
    fn = call_name(call)
    free_line = view.nearby_line(call.start_point.row)
    use_line = view.nearby_line(node.start_point.row)
    what = {"deref": f"`{text(strip_parens(outer_expression(node).parent))}` dereferences it",
            "free": "it is freed again", "call": f"it is passed to {call_name(outer_expression(node).parent.parent)}()",
            "return": "it is returned"}[use]
    if view.row_added(node.start_point.row):
        return Report(
            f"`{name}` is used after {fn}() freed it{f' at line {free_line}' if free_line else ''}: {what}",
            line=view.line_of(node),
            hint=f"use `{name}` before freeing it, or free it later",
        )
    return Report(
        f"{fn}() frees `{name}` here, but it is still used{f' at line {use_line}' if use_line else ' below'}: {what}",
        line=view.line_of(call),
        hint=f"free `{name}` after its last use",
    )
