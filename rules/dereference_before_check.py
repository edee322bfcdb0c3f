"""
## What it does

Flags a pointer that is dereferenced (`p->f`, `*p`, `p[i]`) and afterwards, in
the same function and with no new value stored in it in between, tested for
NULL (`if (!p)`, `if (p == NULL)`, `if (unlikely(!p))`, `p ? ... : ...`,
`IS_ERR_OR_NULL(p)`).  The finding is on the dereference when the patch added
it, naming the line of the check; otherwise on the check, when the patch added
that.  This is smatch's "variable dereferenced before check".

Only a dereference that runs whenever its statement does, and from which the
check is reached, is counted: not one in an arm of an `if` or `?:`, in a
`case`, on the right of `&&`/`||`, in the body of a loop that may not run, or
in another `#ifdef` branch than the check; not one followed by a `return`,
`goto`, `break` or `continue`; not one inside `sizeof()`/`typeof()`; and not
`&p->f` that only computes an address (`dev = &pdev->dev`, `container_of()`),
though `&p->f` handed to a function (`spin_lock_init(&p->lock)`) counts.  A pointer already tested before the
dereference, a loop that moves the pointer (`for (p = head; p; p = p->next)`,
`list_for_each_entry(p, ...)`), a label between the two (an error path that
other `goto`s join) and a new variable of the same name keep the rule silent.

## Why is this bad?

One of the two is wrong.  If the pointer can be NULL, the dereference oopses
before the check is reached; if it cannot, the check is dead code that tells
the next reader the opposite and hides the real invariant.

## Example

```c
static int foo_start(struct foo_dev *fdev)
{
	struct device *dev = fdev->dev;

	if (!fdev)
		return -EINVAL;
	return foo_hw_start(dev);
}
```

## Use instead

```c
static int foo_start(struct foo_dev *fdev)
{
	struct device *dev;

	if (!fdev)
		return -EINVAL;
	dev = fdev->dev;
	return foo_hw_start(dev);
}
```

## References

- smatch: check_deref_check.c, "variable dereferenced before check"
- Documentation/dev-tools/checkpatch.rst has no equivalent: checkpatch cannot see data flow
"""

from __future__ import annotations

import bisect
import re

from reviewbot.cflow import CONDITIONS
from reviewbot.csyntax import (
    broken, call_name, contains, declares, matches, outer_expression, query, strip_parens, text,
)
from reviewbot.ruleapi import Report, rule

# --- flow helpers, shared with use_after_free and missing_unlock_on_error_path ----------
# (candidates for csyntax.py: they know C's statements, not one rule's question)

BLOCKS = frozenset({"compound_statement", "case_statement", "translation_unit"})
PREPROC_ARMS = frozenset({"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"})
LOOPS = frozenset({"for_statement", "while_statement", "do_statement"})
JUMPS = frozenset({"return_statement", "goto_statement", "break_statement", "continue_statement"})
NORETURN = frozenset({"BUG", "panic", "do_exit", "kthread_exit", "make_task_dead", "__builtin_unreachable",
                      "unreachable"})
UNEVALUATED = frozenset({"sizeof_expression", "alignof_expression", "offsetof_expression"})
UNEVALUATED_CALLS = frozenset({
    "typeof", "__typeof__", "__typeof", "offsetof", "ARRAY_SIZE", "sizeof_field", "FIELD_SIZEOF",
    "typeof_member", "__same_type", "__alignof__", "_Alignof", "container_of_const", "BUILD_BUG_ON",
    "static_assert", "__must_be_array",
})
# Function-like macros that store into a variable handed to them by name.
ASSIGNING_MACROS = frozenset({
    "swap", "WRITE_ONCE", "rcu_assign_pointer", "RCU_INIT_POINTER", "get_user", "__get_user",
    "unsafe_get_user", "xchg", "cmpxchg", "try_cmpxchg", "smp_store_release", "rcu_replace_pointer",
    "get_user_unaligned", "no_free_ptr", "retain_and_null_ptr", "barrier_var", "OPTIMIZER_HIDE_VAR",
})
SCOPE_END = frozenset({"function_definition", "translation_unit"})


def window_block(node) -> bool:
    """The ERROR node a hunk window becomes when it opens a block it does not close."""
    return node.type == "ERROR" and node.parent is not None and node.parent.type == "translation_unit"


def is_block(node) -> bool:
    """A sequence of statements: a block, a `case`, an `#if` arm, the top of a window, or
    a window's unclosed block."""
    return node.type in BLOCKS or node.type in PREPROC_ARMS or window_block(node)


def dead_code(node) -> bool:
    """Is the node inside `#if 0`?"""
    child = node
    for a in chain(node.parent, None):
        if a.type == "preproc_if" and text(a.child_by_field_name("condition")).strip() == "0" \
                and child != a.child_by_field_name("alternative"):
            return True
        child = a
    return False


def chain(node, stop):
    """`node` and its ancestors up to, not including, `stop` (None: to the root)."""
    out = []
    while node is not None and node != stop:
        out.append(node)
        node = node.parent
    return out


def common_ancestor(a, b):
    """The smallest node that contains both."""
    node = a.parent
    while node is not None and not contains(node, b):
        node = node.parent
    return node


def child_toward(ancestor, node):
    """The child of `ancestor` that holds `node`."""
    for c in chain(node, ancestor):
        if c.parent == ancestor:
            return c
    return None


def unevaluated(node) -> bool:
    """Is the node inside `sizeof()`, `typeof()` or the like, so never evaluated?"""
    for parent in chain(node.parent, None):
        if parent.type in UNEVALUATED:
            return True
        if parent.type == "call_expression" and call_name(parent) in UNEVALUATED_CALLS:
            return True
        if parent.type in ("expression_statement", "declaration", "compound_statement", "return_statement",
                           "function_definition", "if_statement"):
            return False
    return False


def _assigning_call(call) -> bool:
    """A macro that may store into a variable named in its arguments: `swap()`, an
    iterator (`*for_each*`, or any call statement that lacks its `;` and heads a body,
    `skb_list_walk_safe(segs, skb, next) { ... }`)."""
    name = call_name(call)
    if name is None:
        return False
    if name in ASSIGNING_MACROS or "for_each" in name or "foreach" in name:
        return True
    stmt = call.parent
    return stmt is not None and stmt.type == "expression_statement" and stmt.children[-1].is_missing


def assigns(node) -> bool:
    """Does this occurrence give the variable a new value (or may it: `&p`, `swap(p, q)`,
    `list_for_each_entry(p, ...)`), or declare a new variable of that name?"""
    if declares(node):
        return True
    expr = outer_expression(node)
    parent = expr.parent
    if parent is None:
        return False
    kind = parent.type   # (asked once: each ask makes a new string)
    if kind == "assignment_expression":
        return parent.child_by_field_name("left") == expr
    if kind == "update_expression":
        return True
    if kind == "pointer_expression":
        return parent.child_by_field_name("operator").type == "&"
    if kind == "argument_list":
        return parent.parent is not None and _assigning_call(parent.parent)
    return False


def is_deref(node) -> bool:
    """`p->f`, `*p`, `p[i]` (through parentheses and casts), evaluated, and not `&p->f`."""
    expr = outer_expression(node)
    parent = expr.parent
    if parent is None:
        return False
    if parent.type == "field_expression" and parent.child_by_field_name("argument") == expr:
        if parent.child_by_field_name("operator").type != "->":
            return False
        access = parent
    elif parent.type == "subscript_expression" and parent.child_by_field_name("argument") == expr:
        access = parent
    elif parent.type == "pointer_expression" and parent.child_by_field_name("operator").type == "*":
        access = parent
    else:
        return False
    # `&p->a.b[2]` only computes an address: climb member and index accesses to the `&`.
    up = access
    while up.parent is not None and (
            up.parent.type == "parenthesized_expression"
            or (up.parent.type in ("field_expression", "subscript_expression")
                and up.parent.child_by_field_name("argument") == up
                and not (up.parent.type == "field_expression"
                         and up.parent.child_by_field_name("operator").type == "->"))):
        up = up.parent
    if up.parent is not None and up.parent.type == "pointer_expression" \
            and up.parent.child_by_field_name("operator").type == "&":
        return _handed_to_callee(up.parent) and not unevaluated(node)
    return not unevaluated(node)


ADDRESS_ONLY_CALLS = frozenset({"container_of", "container_of_const", "list_entry", "hlist_entry", "offsetof",
                                "PTR_ALIGN", "IS_ERR", "IS_ERR_OR_NULL", "PTR_ERR", "WARN_ON", "WARN_ON_ONCE",
                                "prefetch", "prefetchw", "XA_STATE", "XA_STATE_ORDER", "MA_STATE"})


def _handed_to_callee(address) -> bool:
    """`spin_lock_init(&p->lock)`: the callee writes through the address, so `p` must be
    valid; `dev = &pdev->dev` or `container_of(&p->f, ...)` only compute one."""
    expr = outer_expression(address)
    parent = expr.parent
    if parent is None or parent.type != "argument_list":
        return False
    name = call_name(parent.parent)
    # `__drm_atomic_helper_crtc_reset(crtc, &state->base)` takes a NULL state (base is the first member).
    return name is not None and name not in ADDRESS_ONLY_CALLS \
        and not name.startswith(("pr_", "trace_", "__drm_atomic_helper_", "DEFINE_", "DECLARE_"))


def _is_null(node) -> bool:
    node = strip_parens(node)
    return node is not None and text(node) in ("NULL", "0", "((void *)0)", "nullptr")


TEST_WRAPPERS = frozenset({"likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "BUG_ON", "WARN", "WARN_ONCE",
                           "data_race"})
TEST_CALLS = frozenset({"IS_ERR_OR_NULL", "ZERO_OR_NULL_PTR"})


def is_null_test(node) -> bool:
    """Is this occurrence a NULL test of the variable in a condition: `!p`, `p == NULL`,
    `p` itself, `IS_ERR_OR_NULL(p)`, through `&&`, `||`, `likely()`, `unlikely()`?"""
    expr = outer_expression(node)
    parent = expr.parent
    if parent is None:
        return False
    kind = parent.type   # (asked once: each ask makes a new string)
    if kind == "argument_list":
        call = parent.parent
        if call_name(call) not in TEST_CALLS or parent.named_child_count != 1:
            return False
        expr = call
    elif kind == "unary_expression" and parent.child_by_field_name("operator").type == "!":
        expr = parent
    elif kind == "binary_expression" and parent.child_by_field_name("operator").type in ("==", "!="):
        other = parent.child_by_field_name("right" if parent.child_by_field_name("left") == expr else "left")
        if not _is_null(other):
            return False
        expr = parent
    return in_condition(expr)


def in_condition(expr) -> bool:
    """Is the expression (through `!`, `&&`, `||`, parentheses, likely()) the condition of a statement?"""
    while True:
        parent = expr.parent
        if parent is None:
            return False
        kind = parent.type
        if kind in CONDITIONS:
            return parent.child_by_field_name("condition") == expr
        if kind == "parenthesized_expression":
            expr = parent
            continue
        if kind == "unary_expression" and parent.child_by_field_name("operator").type == "!":
            expr = parent
            continue
        if kind == "binary_expression" and parent.child_by_field_name("operator").type in ("&&", "||"):
            expr = parent
            continue
        if kind == "argument_list" and call_name(parent.parent) in TEST_WRAPPERS:
            if call_name(parent.parent) in ("likely", "unlikely", "data_race"):
                expr = parent.parent
                continue
            return True   # WARN_ON(!p)
        return False


def exclusive(lca, a, b) -> bool:
    """Do the two nodes (a before b) sit in arms that one run never both executes?"""
    ca, cb = child_toward(lca, a), child_toward(lca, b)
    if lca.type in ("if_statement", "conditional_expression"):
        return ca != lca.child_by_field_name("condition")
    if lca.type == "compound_statement" and lca.parent is not None and lca.parent.type == "switch_statement":
        return ca is not None and cb is not None and ca != cb and "case_statement" in (ca.type, cb.type)
    if lca.type in PREPROC_ARMS:
        return ca.type in PREPROC_ARMS or cb.type in PREPROC_ARMS
    return False


def jumps(stmt) -> bool:
    """Is the statement an unconditional way out (`return`, `goto`, `break`, `continue`, `BUG()`)?"""
    if stmt.type in JUMPS:
        return True
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        return call_name(stmt.named_children[0]) in NORETURN
    return False


def leaves_before(node, lca, end: int) -> bool:
    """Does every path from `node` leave (return, goto, break, continue) before reaching
    byte `end` inside `lca`?  True also when `node` is inside a `return` or `goto`."""
    for a in chain(node, lca):
        if a.type in JUMPS:
            return True
        parent = a.parent
        if parent is not None and is_block(parent):
            sibling = a.next_named_sibling
            while sibling is not None and sibling.start_byte < end:
                if jumps(sibling):
                    return True
                sibling = sibling.next_named_sibling
    return False


def macro_loop_header(block):
    """For `list_for_each_entry(p, h, m) { ... }` (or an unbraced body), parsed as a call
    statement missing its `;` and the statement after it: the call statement (or, when
    the parser read the macro and its body as a function definition, that definition)."""
    if block.parent is None or not is_block(block.parent):
        return None
    if block.type == "function_definition" and block.parent.type != "translation_unit":
        return block   # `for_each_console_srcu(con) { ... }` read as a function inside a function
    if not block.type.endswith("statement"):
        return None
    prev = block.prev_sibling
    while prev is not None and prev.type == "comment":
        prev = prev.prev_sibling
    if prev is not None and prev.type == "expression_statement" and prev.child_count \
            and prev.children[-1].is_missing:
        inner = [c for c in prev.named_children if c.type != "comment"]
        if len(inner) == 1 and inner[0].type == "call_expression":
            return prev
    return None


def loops_around(node, stop):
    """The loops between `node` and `stop` (exclusive), as (start_byte, end_byte) ranges,
    a kernel iterator macro's header included."""
    out = []
    for a in chain(node.parent, stop):
        if a.type in LOOPS:
            out.append((a.start_byte, a.end_byte))
        elif (header := macro_loop_header(a)) is not None:
            out.append((header.start_byte, a.end_byte))
    return out


def labels_between(unit, start: int, end: int) -> bool:
    """Is there a label between the two offsets (a place other paths join)?"""
    stack = [unit]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type == "labeled_statement" and start < n.start_byte:
            return True
        stack.extend(n.named_children)
    return False


def span_broken(lca, a, b) -> bool:
    """Did the parser give up anywhere from `a` to `b` under their common ancestor, or
    (in a window) do they lie in different functions?"""
    loose = lca.type == "translation_unit" or window_block(lca)
    if (lca.type == "ERROR" and not loose) or any(x.type == "ERROR" for x in chain(a, lca)) \
            or any(x.type == "ERROR" for x in chain(b, lca)):
        return True
    child = lca
    for up in chain(lca.parent, None):
        if up.type == "ERROR" and not window_block(up):
            return True
        for c in up.children:   # what comes before may have swallowed a `while (...)` or an `if`
            if c == child:
                break
            if c.type == "ERROR" or (c.is_missing and c.type not in (";", "}")):
                return True
        child = up
    ca, cb = child_toward(lca, a), child_toward(lca, b)
    if ca is None or cb is None:
        return True
    for node in lca.named_children:
        if node.start_byte >= ca.start_byte and loose and node.type not in STATEMENTS_AT_TOP:
            return True
        if broken(node):
            return True   # `do { ... } while_each_thread(p, t);` can swallow the statements after it
        if node == cb:
            return False
    return True


STATEMENTS_AT_TOP = frozenset({
    "expression_statement", "if_statement", "for_statement", "while_statement", "do_statement",
    "return_statement", "goto_statement", "break_statement", "continue_statement", "switch_statement",
    "compound_statement", "labeled_statement", "declaration", "comment",
})


def declared_names(unit) -> dict[str, int]:
    """How many times each name is declared in the unit (parameters and locals)."""
    counts: dict[str, int] = {}
    stack = [unit]
    while stack:
        n = stack.pop()
        if n.type in ("declaration", "parameter_declaration"):
            for d in n.children_by_field_name("declarator"):
                while d is not None and d.type != "identifier":
                    d = d.child_by_field_name("declarator")
                if d is not None:
                    name = text(d)
                    counts[name] = counts.get(name, 0) + 1
            continue
        stack.extend(n.named_children)
    return counts


# --- the rule ----------------------------------------------------------------------------


def event_order(occurrences):
    """The occurrences in the order they take effect: an assignment after its right-hand
    side (`p = p->next` reads p, then writes it), everything else where it stands."""
    keyed = []
    for node in occurrences:
        at = node.start_byte
        if assigns(node):
            at = _takes_effect(node)
            keyed.append((at, 1, node))
        else:
            keyed.append((at, 0, node))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [(node, kind == 1) for _, kind, node in keyed]


def _takes_effect(node) -> int:
    """Where a store into the variable takes effect: after the assignment's right-hand
    side, or after the outermost call that was handed `&p` (`f(&p, p->x)`)."""
    holder = None
    for a in chain(node.parent, None):
        if a.type in ("assignment_expression", "init_declarator", "update_expression") and holder is None:
            return a.end_byte
        if a.type == "call_expression":
            holder = a
        elif a.type in SCOPE_END or a.type.endswith("statement") or a.type == "declaration":
            break
    return holder.end_byte if holder is not None else node.end_byte


def conditional_below(node, stop) -> bool:
    """Is the node evaluated only on some runs through `stop`: in an arm of an `if` or
    `?:`, a `case`, the body of a loop, or the right-hand side of `&&` / `||`?"""
    child = node
    for parent in chain(node.parent, stop):
        if parent.type in ("for_statement", "while_statement") and child == parent.child_by_field_name("body"):
            return True   # may run no times
        if macro_loop_header(parent) is not None:
            return True
        if parent.type in ("if_statement", "conditional_expression") \
                and child != parent.child_by_field_name("condition"):
            return True
        if parent.type in ("else_clause", "case_statement"):
            return True
        if parent.type == "binary_expression" and parent.child_by_field_name("operator").type in ("&&", "||") \
                and child == parent.child_by_field_name("right"):
            return True
        child = parent
    return False


def _pairs(unit, occurrences):
    """(dereference, check) pairs of one variable: a check whose nearest earlier
    occurrences since the last assignment include dereferences and no test."""
    derefs: list = []
    tested = False
    for node, assigned in event_order(occurrences):
        if assigned:
            derefs, tested = [], False
        elif is_null_test(node):
            if derefs and not tested:
                yield derefs, node
            derefs, tested = [], True
        elif not tested and is_deref(node):
            derefs.append(node)


def _reaches(unit, deref, check, occurrences, whole: bool) -> bool:
    """Does the check follow the dereference on some path with the same value in the variable?"""
    lca = common_ancestor(deref, check)
    if lca is None or span_broken(lca, deref, check) or exclusive(lca, deref, check):
        return False
    if dead_code(deref) or dead_code(check):
        return False
    if lca.type == "translation_unit" and whole:
        return False
    if conditional_below(deref, lca) or leaves_before(deref, lca, check.start_byte):
        return False
    assigned = [n.start_byte for n in occurrences if assigns(n)]
    loops = loops_around(deref, lca) + loops_around(check, lca)
    if lca.type in LOOPS:
        loops.append((lca.start_byte, lca.end_byte))   # `for (p = h, n = p->next; p; p = n)`
    for start, end in loops:
        if any(start <= b < end for b in assigned):
            return False   # a loop that moves the pointer: `for (p = h; p; p = p->next)`
    return not labels_between(unit, deref.end_byte, check.start_byte)


WORD = re.compile(r"\w+")


def is_word_of(name: str, text: str) -> bool:
    """Is `name` one of the words of the text (`name in set(WORD.findall(text))`, without
    listing them all: a window tests a few names)?"""
    if not WORD.fullmatch(name):
        return False
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        # (`\w` is a letter, a digit or `_`: what str.isalnum() says of one character, and `_`)
        if (at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")) \
                and (end == len(text) or not (text[end].isalnum() or text[end] == "_")):
            return True
        at = text.find(name, at + 1)
    return False


def added_text(view, unit) -> str:
    """The text of the lines the patch added inside the unit (for cheap early exits)."""
    rows = view.added_rows
    lo = bisect.bisect_left(rows, unit.start_point.row)
    hi = bisect.bisect_right(rows, unit.end_point.row)
    text = view.rows
    return "\n".join([text[r] for r in rows[lo:hi]])


WORD_BYTES = frozenset(bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def occurrences_of(unit, names) -> dict[str, list]:
    """The identifiers under the unit that spell one of `names`, by name, in source order
    (found in the text, then looked up in the tree: comments and strings drop out)."""
    src, base = unit.text, unit.start_byte
    found: dict[str, list] = {}
    for name in names:
        raw = name.encode()
        at = src.find(raw)
        while at >= 0:
            after = at + len(raw)
            if not (at and src[at - 1:at] in WORD_BYTES) and src[after:after + 1] not in WORD_BYTES:
                start, end = base + at, base + after
                node = unit.descendant_for_byte_range(start, end)
                if node is not None and node.type == "identifier" and node.start_byte == start \
                        and node.end_byte == end:
                    found.setdefault(name, []).append(node)
            at = src.find(raw, after)
    return found


@rule("dereference-before-check", severity="warning", scope="function", paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    whole = view.whole_file
    for unit in view.units():
        tests = matches(query("null_tests"), unit)
        added = added_text(view, unit) if tests else ""
        if not added:
            continue
        # The dereference or the check is on an added line, so the name is in the added text.
        names = set()
        for m in tests:
            node = m["var"]
            name = text(node)
            if name not in names and not name.isupper() and is_word_of(name, added) and is_null_test(node):
                names.add(name)
        if not names:
            continue
        declared = None
        for name, occurrences in occurrences_of(unit, names).items():
            for derefs, test in _pairs(unit, occurrences):
                if not view.row_added(test.start_point.row) \
                        and not any(view.row_added(d.start_point.row) for d in derefs):
                    continue
                if declared is None:
                    declared = declared_names(unit)
                if declared.get(name, 0) > 1 or (whole and declared.get(name, 0) == 0):
                    continue   # a shadowed name, or a global something else may change
                deref = next((d for d in derefs if _reaches(unit, d, test, occurrences, whole)), None)
                if deref is None:
                    continue
                yield _report(view, name, deref, test)


def _report(view, name, deref, test) -> Report:
    test_line = view.nearby_line(test.start_point.row)
    deref_line = view.nearby_line(deref.start_point.row)
    access = text(strip_parens(outer_expression(deref).parent))
    if view.row_added(deref.start_point.row):
        return Report(
            f"`{name}` is dereferenced here (`{access}`) but checked for NULL "
            f"{f'at line {test_line}' if test_line else 'below'}",
            line=view.line_of(deref),
            hint=f"if `{name}` can be NULL, check it before this; if it cannot, drop the check",
        )
    return Report(
        f"`{name}` is checked for NULL here but was already dereferenced "
        f"(`{access}`) {f'at line {deref_line}' if deref_line else 'above'}",
        line=view.line_of(test),
        hint=f"if `{name}` can be NULL, move the check before the dereference; if it cannot, drop the check",
    )
