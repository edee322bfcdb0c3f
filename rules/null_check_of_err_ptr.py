"""
## What it does

Flags a NULL test (`if (!p)`, `if (p == NULL)`, `if (unlikely(!p))`, `if (p)`)
of a pointer that holds the result of a function that returns an `ERR_PTR()`
on failure and never NULL (`memdup_user()`, `filp_open()`,
`devm_ioremap_resource()`, `kthread_run()`, ...), when the pointer is not also
tested with `IS_ERR()`, `IS_ERR_OR_NULL()` or `PTR_ERR_OR_ZERO()`.

The statements after the call are read in order up to the next assignment of
the pointer; the first test of it is judged.  A field that holds the result
(`priv->base = devm_ioremap_resource(...)`) is followed like a variable.  What a
function returns comes from the knowledge base (`reviewbot/rules/data/
null_returning.tsv` and what `reviewbot learn` adds); functions whose name says
they may also return NULL (`*_optional`) and functions the file itself defines
are left alone.  The finding is on the test, or on the call when only the call
is new (a patch that switches `kzalloc()` to `memdup_user()` and keeps the old
check).

## Why is this bad?

An error pointer is a non-NULL value (`(void *)-ENOMEM`): the NULL test never
catches the failure, and the code goes on to dereference an address in the top
page of memory, an oops.  `PTR_ERR()` of NULL is 0, so `return PTR_ERR(p)` under
such a test also turns the failure into success.  "Fix a NULL vs IS_ERR() check"
is one of the most common fixes sent to the kernel.

## Example

```c
static int qmgr_probe(struct platform_device *pdev)
{
	struct resource *res;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	qmgr_regs = devm_ioremap_resource(&pdev->dev, res);
	if (!qmgr_regs)
		return -ENOMEM;
	return 0;
}
```

## Use instead

```c
static int qmgr_probe(struct platform_device *pdev)
{
	struct resource *res;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	qmgr_regs = devm_ioremap_resource(&pdev->dev, res);
	if (IS_ERR(qmgr_regs))
		return PTR_ERR(qmgr_regs);
	return 0;
}
```

## References

- include/linux/err.h: `ERR_PTR()`, `IS_ERR()`, `PTR_ERR()`
- Kernel commit 848ec95ccb50 ("soc: ixp4xx: qmgr: Fix an NULL vs IS_ERR() check in probe") and many like it
- smatch's check_check_deref / "warn: 'p' is an error pointer or valid" family; checkpatch.pl has no equivalent
"""

from __future__ import annotations

import re

from reviewbot.csyntax import ancestors, call_name, identifiers_named, matches, query, strip_parens, text
from reviewbot.ruleapi import Report, rule

# Tests that catch an error pointer.
IS_ERR_TESTS = frozenset({"IS_ERR", "IS_ERR_VALUE", "PTR_ERR_OR_ZERO", "IS_ERR_PCPU"})
# ... and the one that catches both.
ERR_OR_NULL_TESTS = frozenset({"IS_ERR_OR_NULL"})
# Calls that pass on the truth of their argument.
TRUTH_CALLS = frozenset({"likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "BUG_ON", "WARN", "WARN_ONCE"})
CONDITIONS = frozenset({"if_statement", "while_statement", "do_statement", "for_statement",
                        "conditional_expression"})
DECLARATOR_WRAPPERS = frozenset({"pointer_declarator", "array_declarator", "parenthesized_declarator",
                                 "attributed_declarator", "init_declarator"})
NULLS = frozenset({"NULL", "0", "((void *)0)"})
# Names of functions that return NULL for "not there" besides an ERR_PTR() for failure.
BOTH = re.compile(r"_optional\b|_or_null\b")
SPACE = re.compile(r"\s+")


def _qualifier_error(node) -> bool:
    """An ERROR tree-sitter makes of an address-space qualifier and nothing else: `void __user *p`,
    `(void __iomem *)x` (the rest of the statement is read correctly)."""
    parent = node.parent
    if parent is None or parent.type not in ("declaration", "cast_expression", "parameter_declaration",
                                             "field_declaration"):
        return False
    return all(c.type in ("primitive_type", "type_identifier") or c.type == "identifier"
               and c.text.startswith(b"__") for c in node.children)


def broken(node) -> bool:
    """csyntax.broken, except for the ERROR an address-space qualifier (`__user`, `__iomem`) makes."""
    if not node.has_error:
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" and not _qualifier_error(n) or (n.is_missing and n.type != ";"):
            return True
        if n.has_error:
            stack.extend(n.children)
    return False


def squeeze(node) -> str:
    return SPACE.sub("", text(node))


def _outer(node):
    """The node, climbed through parentheses and casts (what its surroundings see)."""
    parent = node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        node, parent = parent, parent.parent
    return node


def _declares(node) -> bool:
    child, parent = node, node.parent
    while parent is not None and parent.type in DECLARATOR_WRAPPERS:
        if parent.child_by_field_name("declarator") != child:
            return False
        child, parent = parent, parent.parent
    return parent is not None and parent.type in ("declaration", "parameter_declaration")


def classify(node) -> str:
    """How an occurrence of the tracked value is used.

    `assign` (a new value or a new variable), `address` (`&p`: anything may
    happen to it), `null` (a NULL or truth test), `is_err` (`IS_ERR(p)` and
    friends), `err_or_null` (`IS_ERR_OR_NULL(p)`) or `other`.
    """
    if node.type == "identifier" and _declares(node):
        return "assign"
    parent = node.parent
    if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        return "assign"
    if parent is not None and parent.type == "update_expression":
        return "assign"
    node = _outer(node)
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
            other = right if _outer(left) == node or left == node else left
            return "null" if squeeze(strip_parens(other)) in NULLS else "other"
        if op in ("&&", "||"):
            return "null"
        return "other"
    return _truth(node)


def _truth(node) -> str:
    """`null` when the node's value is used as a condition (`if (p)`, `p ? a : b`)."""
    node = _outer(node)
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


def _contains(outer, inner) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def exclusive_arms(site, node) -> bool:
    """Are the two nodes in different arms of one if/else or different cases of one switch?"""
    site_chain = {a.id for a in ancestors(site)}
    child = node
    for parent in ancestors(node):
        if parent.id in site_chain:
            if parent.type == "if_statement":
                return parent.child_by_field_name("condition") != child and not _contains(child, site)
            if parent.type == "compound_statement" and parent.parent is not None \
                    and parent.parent.type == "switch_statement":
                return child.type == "case_statement" and not _contains(child, site)
            return False
        child = parent
    return False


def scope_of(site, unit):
    """Where the stored value can be used: the block of a declaration, else the function."""
    if site.type == "init_declarator":
        block = next((a for a in ancestors(site) if a.type == "compound_statement"), None)
        if block is not None:
            return block
    return next((a for a in ancestors(site) if a.type == "function_definition"), unit)


def occurrences(scope, var, after: int) -> list:
    """Nodes after byte `after` that name the same value as `var` (an identifier or a field)."""
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


def uses(site, var, unit) -> list[tuple[object, str]]:
    """The uses of the value the site stores, in order, up to the next assignment of it.

    For `if (!(p = f()))` the site's own use comes first.
    """
    out = []
    if site.type == "assignment_expression":
        kind = classify(site)
        if kind != "other":
            out.append((site, kind))
    for node in occurrences(scope_of(site, unit), var, site.end_byte):
        kind = classify(node)
        if exclusive_arms(site, node):
            if kind == "assign":
                return []   # another arm stores something else: later tests are not about this call
            continue
        if kind in ("assign", "address"):
            break
        out.append((node, kind))
    return out


def _declared_depth(declarator, name: str) -> int | None:
    """Pointer depth of `name` if this declarator declares it (`int x` 0, `T *p` 1), else None."""
    depth = 0
    d = declarator
    while d is not None:
        if d.type == "identifier":
            return depth if text(d) == name else None
        if d.type == "pointer_declarator":
            depth += 1
        elif d.type in ("array_declarator", "function_declarator"):
            depth += 1
        elif d.type not in ("init_declarator", "parenthesized_declarator", "attributed_declarator"):
            return None
        d = d.child_by_field_name("declarator")
    return None


def not_a_pointer(var, site) -> bool:
    """Is `var` a local variable or parameter declared as a plain value (`int ret`)?  Then the
    call is a namesake that returns an int (arch/sh's `int clk_register(struct clk *)`)."""
    if var.type != "identifier":
        return False
    function = next((a for a in ancestors(site) if a.type == "function_definition"), None)
    if function is None:
        return False
    name = text(var)
    stack = [function]
    while stack:
        n = stack.pop()
        if n.type in ("declaration", "parameter_declaration"):
            kind = n.child_by_field_name("type")
            for d in n.children_by_field_name("declarator"):
                depth = _declared_depth(d, name)
                if depth is not None:
                    return depth == 0 and kind is not None and kind.type in ("primitive_type",
                                                                             "sized_type_specifier")
            continue
        stack.extend(n.named_children)
    return False


def defined_functions(view) -> frozenset[str]:
    """Functions the viewed source defines itself (their own behaviour wins over the knowledge)."""
    names = set()
    for child in view.root.children:
        if child.type == "function_definition":
            d = child.child_by_field_name("declarator")
            while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator"):
                d = d.child_by_field_name("declarator")
            if d is not None and d.type == "function_declarator":
                names.add(text(d.child_by_field_name("declarator")))
    return frozenset(names)


def applies(fact, path: str | None) -> bool:
    """Is the fact about the function a call in this file reaches (not a static namesake elsewhere)?"""
    check = getattr(fact, "applies_to", None)
    return check(path) if check is not None else True


def statement_of(node):
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


def call_results(view, wanted):
    """(unit, site, var, fn name) for each stored call result whose function `wanted(name)` accepts."""
    own = None
    for unit in view.units():
        for m in matches(query("call_results"), unit):
            fn = text(m["fn"])
            if not wanted(fn):
                continue
            if own is None:
                own = defined_functions(view)
            if fn in own:
                continue
            yield unit, m["site"], m["var"], fn


def _condition_text(node) -> str:
    """The test as a reader sees it: `!p`, `p == NULL`, `unlikely(!p)`."""
    best = node
    for a in ancestors(node):
        if a.type == "argument_list":
            continue
        if a.type == "parenthesized_expression":
            if a.parent is not None and a.parent.type in CONDITIONS:
                break
        elif a.type == "binary_expression":
            if a.child_by_field_name("operator").type in ("&&", "||"):
                break
        elif a.type == "call_expression":
            if call_name(a) not in TRUTH_CALLS:
                break
        elif a.type != "unary_expression":
            break
        best = a
    return SPACE.sub(" ", text(best))


@rule("null-check-of-err-ptr", severity="error", scope="function", paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    facts = ctx.knowledge.facts

    path = getattr(ctx.file, "path", None)

    def err_ptr_only(fn: str) -> bool:
        fact = facts.get(fn)
        return fact is not None and fact.returns == "err_ptr" and not BOTH.search(fn) and applies(fact, path)

    for unit, site, var, fn in call_results(view, err_ptr_only):
        found = uses(site, var, unit)
        kinds = {k for _, k in found}
        if "is_err" in kinds or "err_or_null" in kinds:
            continue
        test = next((n for n, k in found if k == "null"), None)
        if test is None or broken(statement_of(test)) or broken(statement_of(site)) or not_a_pointer(var, site):
            continue
        name = squeeze(var)
        if view.row_added(test.start_point.row):
            line = view.line_of(test)
        elif view.row_added(site.start_point.row):
            line = view.line_of(site)
        else:
            continue
        condition = _condition_text(test)
        verdict = "is true for an error pointer too" if condition == name else "does not catch the error"
        yield Report(
            f"`{name}` holds the result of {fn}(), which returns an ERR_PTR() on failure, never NULL: "
            f"`{condition}` {verdict}",
            line=line,
            hint=f"debugfs results need no check: drop the test, or use IS_ERR({name})" if fn.startswith("debugfs_")
            else f"test it with IS_ERR({name}) and return PTR_ERR({name})",
        )
