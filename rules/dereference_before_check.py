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

import re

from reviewbot.cflow import (
    CONDITIONS, PREPROC_ARMS, assigns, dead_code, labels_between, leaves_before, macro_loop_header, span_broken,
    unevaluated,
)
from reviewbot.csyntax import (
    added_text, call_name, chain, child_toward, contains, declared_names, matches, occurrences_of,
    outer_expression, query, strip_parens, text,
)
from reviewbot.ruleapi import Report, rule

# --- what this rule asks of the flow (the questions other rules share are in cflow) -------

LOOPS = frozenset({"for_statement", "while_statement", "do_statement"})
SCOPE_END = frozenset({"function_definition", "translation_unit"})


def common_ancestor(a, b):
    """The smallest node that contains both."""
    node = a.parent
    while node is not None and not contains(node, b):
        node = node.parent
    return node


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
