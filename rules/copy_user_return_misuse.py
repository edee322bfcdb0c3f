"""
## What it does

Flags misuse of the result of `copy_from_user()`, `copy_to_user()`,
`__copy_from_user()`, `__copy_to_user()` (and their `_inatomic` forms),
`raw_copy_*_user()`, `clear_user()` and `copy_mc_to_user()`, which return the
number of bytes they could not copy, never a negative error:

- the result compared with `< 0` (or `>= 0`), directly or through the variable
  it was stored in: the test never sees a failure;
- the stored result returned as the function's error code (`ret =
  copy_to_user(...); if (ret) return ret;`, or `return ret;` with no test on
  the way) from a function that returns `int`, `long` or `ssize_t` and
  elsewhere returns a negative errno (`return -EINVAL;`): the caller gets a
  positive byte count instead of `-EFAULT`.

The variable is followed from the call up to its next assignment; a test that
turns it into `-EFAULT` on the way, or a function that returns an unsigned
count itself (a wrapper), keeps the rule silent, and so does signal-frame code
(`arch/*/kernel/signal.c`), where helpers pass the count up only to be tested
for non-zero.  `copy_from_user_nofault()`
and `copy_struct_from_user()` return `-EFAULT` and are not concerned.

## Why is this bad?

A failed copy (a bad user pointer, an unmapped page) goes unnoticed with
`< 0`: the kernel then works with a partly uninitialised buffer.  Returning the
byte count from an ioctl or a `read()` handler tells user space that the call
succeeded, or that some bytes were read, when it failed.

## Example

```c
static long foo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct foo_req req;
	int ret;

	if (copy_from_user(&req, (void __user *)arg, sizeof(req)) < 0)
		return -EFAULT;
	ret = foo_do(file->private_data, &req);
	if (ret)
		return ret;
	ret = copy_to_user((void __user *)arg, &req, sizeof(req));
	if (ret)
		return ret;
	return 0;
}
```

## Use instead

```c
static long foo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct foo_req req;
	int ret;

	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	ret = foo_do(file->private_data, &req);
	if (ret)
		return ret;
	if (copy_to_user((void __user *)arg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}
```

## References

- include/linux/uaccess.h: `copy_from_user()` and `copy_to_user()` return the number of bytes not copied
- Kernel commit 832735e50080 ("drm/amdgpu: Fix error codes if copy_to_user() fails") and many like it
- smatch: "warn: maybe return -EFAULT instead of the bytes remaining?"; checkpatch.pl has no equivalent
"""

from __future__ import annotations

import re

from reviewbot.cflow import exclusive_arms, occurrences_after, scope_of, statement_of
from reviewbot.csyntax import (
    ancestors, any_of, broken_ignoring_qualifiers, call_name, matches, outer_expression, query, strip_parens, text,
    walk,
)
from reviewbot.ruleapi import Report, rule

BYTES_LEFT = frozenset({
    "copy_from_user", "copy_to_user", "__copy_from_user", "__copy_to_user",
    "__copy_from_user_inatomic", "__copy_to_user_inatomic", "__copy_from_user_inatomic_nocache",
    "raw_copy_from_user", "raw_copy_to_user", "clear_user", "__clear_user", "copy_mc_to_user",
})
NEVER = {("<", "0"): "always false", (">=", "0"): "always true", ("0", ">"): "always false",
         ("0", "<="): "always true"}
SIGNED_RETURNS = re.compile(r"^(?:static\s+|inline\s+|__always_inline\s+|noinline\s+)*(?:int|long|ssize_t|s32|s64)$")
TRUTH_CALLS = frozenset({"likely", "unlikely"})
ANY_BYTES_LEFT = any_of(BYTES_LEFT)


def _sign_test(node) -> str | None:
    """`x < 0` / `x >= 0` (or `0 > x`): what the comparison always is, or None."""
    node = outer_expression(node)
    parent = node.parent
    if parent is None or parent.type != "binary_expression":
        return None
    op = parent.child_by_field_name("operator").type
    left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
    if left == node and text(strip_parens(right)) == "0":
        return NEVER.get((op, "0"))
    if right == node and text(strip_parens(left)) == "0":
        return NEVER.get(("0", op))
    return None


def _comparison(node) -> str:
    """The comparison as a reviewer would quote it, the copy's arguments elided."""
    outer = outer_expression(node)
    shown = text(outer.parent)
    for call in walk(outer, ("call_expression",)):
        if call_name(call) in BYTES_LEFT:
            shown = shown.replace(text(call), f"{call_name(call)}(...)")
    return " ".join(shown.split())


def _polarity(condition, node) -> bool | None:
    """True when the condition holds exactly when `node` (the byte count) is non-zero, False when it
    holds when it is zero, None when it says something else."""
    c = strip_parens(condition)
    while c.type == "call_expression" and call_name(c) in TRUTH_CALLS:
        args = c.child_by_field_name("arguments").named_children
        if len(args) != 1:
            return None
        c = strip_parens(args[0])
    if c == node or (c.type == node.type and c.start_byte == node.start_byte and c.end_byte == node.end_byte):
        return True
    if c.type == "unary_expression" and c.child_by_field_name("operator").type == "!":
        inner = _polarity(c.child_by_field_name("argument"), node)
        return None if inner is None else not inner
    if c.type == "binary_expression":
        op = c.child_by_field_name("operator").type
        left, right = strip_parens(c.child_by_field_name("left")), strip_parens(c.child_by_field_name("right"))
        if left.start_byte == node.start_byte and text(right) == "0" and op in ("!=", ">", "==", "<="):
            return op in ("!=", ">")
    return None


def _returned_on_failure(ret_node, var_uses) -> bool:
    """Is this `return ret` reached with a non-zero byte count?

    Yes when it sits in the arm of a test that holds for a non-zero count
    (`if (ret) return ret;`), or when nothing tested the count before it.
    """
    child = ret_node
    for a in ancestors(ret_node):
        if a.type == "if_statement":
            condition = a.child_by_field_name("condition")
            tested = next((u for u in var_uses if condition.start_byte <= u.start_byte < condition.end_byte), None)
            if tested is not None:
                polarity = _polarity(condition, tested)
                if polarity is None:
                    return False
                in_then = a.child_by_field_name("consequence") == child
                return polarity == in_then
        if a.type == "function_definition":
            break
        child = a
    # unconditional: only if no test of the count comes before it
    return not any(u.start_byte < ret_node.start_byte and _is_tested(u) for u in var_uses)


def _is_tested(node) -> bool:
    for a in ancestors(node):
        if a.type in ("if_statement", "while_statement", "conditional_expression", "switch_statement",
                      "for_statement", "do_statement"):
            cond = a.child_by_field_name("condition")
            return cond is not None and cond.start_byte <= node.start_byte < cond.end_byte
        if a.type in ("expression_statement", "return_statement", "declaration", "compound_statement"):
            return a.type == "expression_statement" and _in_logic(node, a)
    return False


def _in_logic(node, stop) -> bool:
    """`ret && ...`, `!ret`, `ret ? a : b` used as a statement of its own."""
    for a in ancestors(node):
        if a == stop:
            return False
        if a.type == "binary_expression" and a.child_by_field_name("operator").type in ("&&", "||"):
            return True
    return False


ERRNO = re.compile(rb"(?:return|=)\s*-E[A-Z0-9]+\b")


def _signed_function(node) -> bool:
    """Does the function return an errno: a signed type, and a `return -EINVAL;` or
    `ret = -ENOMEM;` somewhere (a helper whose callers only test for non-zero has none)?"""
    function = next((a for a in ancestors(node) if a.type == "function_definition"), None)
    if function is None or not ERRNO.search(function.text):
        return False
    declarator = function.child_by_field_name("declarator")
    if declarator is None or declarator.type != "function_declarator":
        return False   # returns a pointer, or a macro we cannot read
    kind = function.child_by_field_name("type")
    return kind is not None and bool(SIGNED_RETURNS.match(text(kind)))


@rule("copy-user-return-misuse", severity="error", scope="function", paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    if not ANY_BYTES_LEFT.search(view.source):
        return   # none of the calls this rule judges
    # Signal-frame code passes a non-zero count up as "the frame is bad" and only ever tests it.
    signal_code = "signal" in (getattr(ctx.file, "path", None) or "").rsplit("/", 1)[-1]
    for unit in view.units():
        found = matches(query("copy_user_calls"), unit)
        # 1. the call itself compared with 0: `copy_from_user(...) < 0`
        for m in found:
            call = m.get("call")
            if call is None or text(m["fn"]) not in BYTES_LEFT or not view.row_added(call.start_point.row):
                continue
            target = outer_expression(call)
            if target.parent is not None and target.parent.type == "assignment_expression" \
                    and target.parent.child_by_field_name("right") == target:
                target = target.parent   # `(ret = copy_to_user(...)) < 0`
            always = _sign_test(target)
            if always is not None and not broken_ignoring_qualifiers(statement_of(call)):
                name = text(m["fn"])
                yield Report(
                    f"{name}() returns the number of bytes not copied, never a negative value: "
                    f"`{_comparison(target)}` is {always}",
                    line=view.line_of(call),
                    hint=f"test `if ({name}(...))` and return -EFAULT",
                )
        # 2. the stored result: compared with 0, or returned as an error code
        for m in found:
            if "site" not in m:
                continue
            site, var, name = m["site"], m["var"], text(m["sfn"])
            if name not in BYTES_LEFT or broken_ignoring_qualifiers(statement_of(site)):
                continue
            if site.type == "assignment_expression" and _sign_test(site) is not None:
                continue   # `(ret = copy_to_user(...)) < 0`: reported with the call
            var_uses = []
            for node in occurrences_after(scope_of(site, unit), var, site.end_byte):
                if exclusive_arms(site, node):
                    continue
                parent = node.parent
                if parent is not None and parent.type == "assignment_expression" \
                        and parent.child_by_field_name("left") == node:
                    break
                if parent is not None and parent.type in ("update_expression", "pointer_expression"):
                    break
                var_uses.append(node)
            v = " ".join(text(var).split())
            for node in var_uses:
                always = _sign_test(node)
                if always is not None:
                    if view.row_added(node.start_point.row) and not broken_ignoring_qualifiers(statement_of(node)):
                        yield Report(
                            f"`{v}` holds what {name}() could not copy, a byte count that is never negative: "
                            f"`{_comparison(node)}` is {always}",
                            line=view.line_of(node),
                            hint="test it for non-zero and return -EFAULT",
                        )
                    break
                parent = outer_expression(node).parent
                if parent is not None and parent.type == "return_statement":
                    if not signal_code and _signed_function(node) and _returned_on_failure(parent, var_uses) \
                            and (view.row_added(node.start_point.row) or view.row_added(site.start_point.row)):
                        yield Report(
                            f"`{v}` holds the number of bytes {name}() could not copy; "
                            f"`return {v};` hands that count to the caller as if it were an error code",
                            line=view.line_of(node) if view.row_added(node.start_point.row) else view.line_of(site),
                            hint=f"return -EFAULT when {name}() fails",
                        )
                    break
