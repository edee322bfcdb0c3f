"""Questions about how control and values flow through C code, asked of csyntax's trees.

Which statement a node belongs to, whether two nodes sit in arms one run never both
takes, where a name occurs after a point and what each occurrence does with the value
stored there.  They know C's statements, not one rule's question: several rules share
them.  Everything here reads nodes only; tree-sitter itself stays behind csyntax.
"""

from __future__ import annotations

from reviewbot.csyntax import (
    SPACE, Node, ancestors, call_name, contains, declares, identifiers_named, outer_expression, squeeze,
    strip_parens, text,
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


def exclusive_arms(site: Node, node: Node) -> bool:
    """Are the two nodes in different arms of one if/else or different cases of one switch?"""
    site_chain = {a.id for a in ancestors(site)}
    child = node
    for parent in ancestors(node):
        if parent.id in site_chain:
            if parent.type == "if_statement":
                return parent.child_by_field_name("condition") != child and not contains(child, site)
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
