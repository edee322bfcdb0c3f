"""Questions about how control and values flow through C code, asked of csyntax's trees.

Which statement a node belongs to, whether two nodes sit in arms one run never both
takes, where a name occurs after a point and what each occurrence does with the value
stored there; which statements are blocks or jumps, whether every path leaves before a
point, which loop a kernel iterator macro heads, whether the parser gave up between two
nodes.  They know C's statements, not one rule's question: several rules share them.
Everything here reads nodes only; tree-sitter itself stays behind csyntax.
"""

from __future__ import annotations

from reviewbot.csyntax import (
    SPACE, Node, ancestors, broken, call_name, chain, child_toward, contains, declares, identifiers_named,
    outer_expression, squeeze, strip_parens, text,
)

# Statements (and the expression) whose `condition` field decides what runs.
CONDITIONS = frozenset({"if_statement", "while_statement", "do_statement", "for_statement",
                        "conditional_expression"})


# --- where a node stands --------------------------------------------------------------------


def statement_of(node: Node) -> Node:
    """The smallest piece of code around the node that a rule judges: its statement, or the
    condition of its `if`/`while` (the body may run past the end of a hunk)."""
    for a in ancestors(node):
        if a.type in ("expression_statement", "declaration", "return_statement", "goto_statement"):
            return a
        if a.parent is not None and a.parent.type in CONDITIONS and a.parent.child_by_field_name("condition") == a:
            return a
        if a.type.endswith("_statement"):
            return a
    return node


def exclusive_arms(site: Node, node: Node, condition_apart: bool = False) -> bool:
    """Are the two nodes in different arms of one if/else or different cases of one switch?

    With `condition_apart`, a node in an `if`'s condition counts as apart from a site in its
    arms too (the condition runs before them)."""
    site_chain = {a.id for a in ancestors(site)}
    child = node
    for parent in ancestors(node):
        if parent.id in site_chain:
            if parent.type == "if_statement":
                return (condition_apart or parent.child_by_field_name("condition") != child) \
                    and not contains(child, site)
            if parent.type == "compound_statement" and parent.parent is not None \
                    and parent.parent.type == "switch_statement":
                return child.type == "case_statement" and not contains(child, site)
            return False
        child = parent
    return False


def scope_of(site: Node, unit: Node) -> Node:
    """Where the value a site (`p = f()`, `T *p = f()`) stores can be used: the block of a
    declaration, else the function (else the unit)."""
    if site.type == "init_declarator":
        block = next((a for a in ancestors(site) if a.type == "compound_statement"), None)
        if block is not None:
            return block
    return next((a for a in ancestors(site) if a.type == "function_definition"), unit)


def occurrences_after(scope: Node, var: Node, after: int) -> list[Node]:
    """The nodes under `scope` from byte `after` on that name the same value as `var`, an
    identifier or a field / element / dereference (`foo->clk`, `b[1]`, `*b`, whatever the
    whitespace), in source order."""
    if var.type == "identifier":
        return identifiers_named(scope, text(var).encode(), after)
    name, types = squeeze(var).encode(), (var.type,)
    found = []
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.end_byte <= after:
            continue
        if n.type in types and n.start_byte >= after:
            if (n.text if n.type == "identifier" else SPACE.sub("", n.text.decode("utf-8", "replace")).encode()) \
                    == name:
                found.append(n)
                continue
        if n.type == "identifier":
            continue
        stack.extend(n.named_children)   # (the nodes looked for are named; only tokens are not)
    return sorted(found, key=lambda n: n.start_byte)


# --- what happens to a stored pointer -------------------------------------------------------

# Tests that catch an error pointer.
IS_ERR_TESTS = frozenset({"IS_ERR", "IS_ERR_VALUE", "PTR_ERR_OR_ZERO", "IS_ERR_PCPU"})
# ... and the one that catches both.
ERR_OR_NULL_TESTS = frozenset({"IS_ERR_OR_NULL"})
# Calls that pass on the truth of their argument.
TRUTH_CALLS = frozenset({"likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "BUG_ON", "WARN", "WARN_ONCE"})
NULLS = frozenset({"NULL", "0", "((void *)0)"})


def classify_use(node: Node) -> str:
    """How an occurrence of a stored pointer is used.

    `assign` (a new value or a new variable), `address` (`&p`: anything may
    happen to it), `null` (a NULL or truth test), `is_err` (`IS_ERR(p)` and
    friends), `err_or_null` (`IS_ERR_OR_NULL(p)`) or `other`.
    """
    if node.type == "identifier" and declares(node):
        return "assign"
    parent = node.parent
    if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        return "assign"
    if parent is not None and parent.type == "update_expression":
        return "assign"
    node = outer_expression(node)
    parent = node.parent
    if parent is None:
        return "other"
    if parent.type == "pointer_expression" and parent.child_by_field_name("operator").type == "&":
        return "address"
    if parent.type == "argument_list":
        call = parent.parent
        name = call_name(call) if call is not None else None
        if name in IS_ERR_TESTS:
            return "is_err"
        if name in ERR_OR_NULL_TESTS:
            return "err_or_null"
        if name in TRUTH_CALLS and parent.named_child_count == 1:
            return _truth(call)
        return "other"
    if parent.type == "unary_expression" and parent.child_by_field_name("operator").type == "!":
        return "null"
    if parent.type == "binary_expression":
        op = parent.child_by_field_name("operator").type
        if op in ("==", "!="):
            left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
            other = right if outer_expression(left) == node or left == node else left
            return "null" if squeeze(strip_parens(other)) in NULLS else "other"
        if op in ("&&", "||"):
            return "null"
        return "other"
    return _truth(node)


def _truth(node: Node) -> str:
    """`null` when the node's value is used as a condition (`if (p)`, `p ? a : b`)."""
    node = outer_expression(node)
    parent = node.parent
    if parent is None:
        return "other"
    if parent.type in CONDITIONS and parent.child_by_field_name("condition") == node:
        return "null"
    if parent.type == "unary_expression" and parent.child_by_field_name("operator").type == "!":
        return "null"
    if parent.type == "binary_expression" and parent.child_by_field_name("operator").type in ("&&", "||"):
        return "null"
    if parent.type == "argument_list" and call_name(parent.parent) in TRUTH_CALLS:
        return _truth(parent.parent)
    return "other"


def result_uses(site: Node, var: Node, unit: Node) -> list[tuple[Node, str]]:
    """The uses of the value the site stores in `var`, in order, up to the next assignment of
    it, each with its `classify_use` kind; uses in another arm than the site's are skipped
    (and an assignment there means later tests are not about this value: none then).

    For `if (!(p = f()))` the site's own use comes first.
    """
    out = []
    if site.type == "assignment_expression":
        kind = classify_use(site)
        if kind != "other":
            out.append((site, kind))
    for node in occurrences_after(scope_of(site, unit), var, site.end_byte):
        kind = classify_use(node)
        if exclusive_arms(site, node):
            if kind == "assign":
                return []   # another arm stores something else: later tests are not about this call
            continue
        if kind in ("assign", "address"):
            break
        out.append((node, kind))
    return out


# --- blocks, jumps and what the parser got wrong --------------------------------------------

BLOCKS = frozenset({"compound_statement", "case_statement", "translation_unit"})
PREPROC_ARMS = frozenset({"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"})
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


def window_block(node: Node) -> bool:
    """The ERROR node a hunk window becomes when it opens a block it does not close."""
    return node.type == "ERROR" and node.parent is not None and node.parent.type == "translation_unit"


def is_block(node: Node) -> bool:
    """A sequence of statements: a block, a `case`, an `#if` arm, the top of a window, or
    a window's unclosed block."""
    return node.type in BLOCKS or node.type in PREPROC_ARMS or window_block(node)


def dead_code(node: Node) -> bool:
    """Is the node inside `#if 0`?"""
    child = node
    for a in chain(node.parent, None):
        if a.type == "preproc_if" and text(a.child_by_field_name("condition")).strip() == "0" \
                and child != a.child_by_field_name("alternative"):
            return True
        child = a
    return False


def unevaluated(node: Node) -> bool:
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


def _assigning_call(call: Node) -> bool:
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


def assigns(node: Node) -> bool:
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


def jumps(stmt: Node) -> bool:
    """Is the statement an unconditional way out (`return`, `goto`, `break`, `continue`, `BUG()`)?"""
    if stmt.type in JUMPS:
        return True
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        return call_name(stmt.named_children[0]) in NORETURN
    return False


def leaves_before(node: Node, lca: Node, end: int) -> bool:
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


def macro_loop_header(block: Node) -> Node | None:
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


def labels_between(unit: Node, start: int, end: int) -> bool:
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


def span_broken(lca: Node, a: Node, b: Node) -> bool:
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
