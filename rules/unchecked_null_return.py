"""
## What it does

Flags the result of a function that can return NULL (an allocator,
`bsearch()`, a lookup) when it is used without a NULL check: a pointer or a
field that holds it (`p = f()`, `st->info = f()`) is dereferenced (`p->f`,
`*p`, `p[i]`, `st->info->x`) on an added line with no check on the way there,
or the call is on an added line and the result is never tested in the rest of
the function (handed to other functions, kept, or left for later).

The statements of the enclosing function are read in order from the call: a
test of the pointer (`if (!p)`, `if (p == NULL)`, `if (unlikely(!p))`,
`if (p) { ... }`, `p && p->f`, `p ? ... : ...`, `IS_ERR_OR_NULL(p)`,
`WARN_ON(!p)`, `KUNIT_ASSERT_NOT_NULL()`) or of a copy of it (`priv->buf = p;
if (!priv->buf)`) ends the search, and so does a new assignment to it, a new
variable of the same name, or `return p` (the caller checks).  A dereference in
the other arm of an `if` or another `case`, or inside `sizeof()`/`typeof()`, is
not one; a dereference on a line the patch did not add is never reported.

Which functions return NULL comes from kernel source, never from a list made
for a test: the database `reviewbot learn` mined from Linux 6.12
(`reviewbot/rules/data/kernel-6.12.tsv`: a `return NULL`, a wrapper of such a
function, or kernel-doc saying so), with how often the tree's callers check the
result.  A dereference is flagged for functions whose callers that dereference
the result test it first at nine sites out of ten; a result never tested, for
functions whose callers test it within a few lines at nine sites out of ten.
Low-convention functions (`rb_next()`, `strsep()`,
`of_device_get_match_data()`) are left alone, and so are functions that return
an `ERR_PTR()`.  A function the viewed source defines with a `return NULL;` in
its body counts too (for dereferences), and its own definition wins over the
database; a static function of another file does not count.  The option
`extra-functions` (`[rules.unchecked-null-return]` in `.reviewbot.toml`) adds
project functions.  Without a tree the rule sees the hunk, and claims "never
tested" only when at least three lines after the call are shown; with one
(`--tree`, or the git work tree) it sees the whole function.

## Why is this bad?

When the allocation fails or the lookup finds nothing, the dereference is a
NULL pointer oops in the kernel.  Allocation failures are rare in testing and
common under memory pressure, so the bug survives until it reaches users.

## Example

```c
static int add_call(struct tab *tab, s16 offset)
{
	struct desc key = { .offset = offset };
	struct desc *d;

	d = bsearch(&key, tab->descs, tab->nr, sizeof(tab->descs[0]), cmp_by_off);
	return d->module_id;
}
```

## Use instead

```c
static int add_call(struct tab *tab, s16 offset)
{
	struct desc key = { .offset = offset };
	struct desc *d;

	d = bsearch(&key, tab->descs, tab->nr, sizeof(tab->descs[0]), cmp_by_off);
	if (!d)
		return -ENOENT;
	return d->module_id;
}
```

## References

- Documentation/process/coding-style.rst, section 14 ("Allocating memory")
- Documentation/dev-tools/checkpatch.rst has no equivalent: checkpatch cannot see data flow
- include/linux/bsearch.h: `__inline_bsearch()` returns NULL when nothing matches
"""

from __future__ import annotations

from reviewbot.cflow import exclusive_arms, scope_of
from reviewbot.csyntax import (
    ancestors, broken, call_name, declares, identifiers_named, matches, query, squeeze, strip_parens, text,
)
from reviewbot.knowledge import CONFIDENT_SHARE, MIN_SITES, ReturnFact
from reviewbot.ruleapi import Report, rule

# Calls whose argument is a test of the pointer, not a use of it.
CHECKING_CALLS = frozenset({
    "IS_ERR_OR_NULL", "ZERO_OR_NULL_PTR", "WARN_ON", "WARN_ON_ONCE", "WARN", "WARN_ONCE", "BUG_ON",
    "likely", "unlikely", "IS_ERR", "PTR_ERR_OR_ZERO", "assert", "BUILD_BUG_ON",
    "KUNIT_ASSERT_NOT_NULL", "KUNIT_ASSERT_NOT_ERR_OR_NULL",
})
# Where a pointer expression is not evaluated, so `*p` or `p->f` cannot fault.
UNEVALUATED_CALLS = frozenset({
    "typeof", "__typeof__", "__typeof", "offsetof", "ARRAY_SIZE", "sizeof_field", "FIELD_SIZEOF",
    "typeof_member", "__same_type", "__alignof__", "_Alignof", "container_of_const",
})
UNEVALUATED = frozenset({"sizeof_expression", "alignof_expression", "offsetof_expression"})
CONDITION_OPS = frozenset({"&&", "||", "==", "!=", "!"})
BOUNDARIES = frozenset({
    "expression_statement", "declaration", "return_statement", "compound_statement", "function_definition",
    "translation_unit",
})


def _is_condition(node) -> bool:
    """Is this occurrence of the pointer a test of it (rather than a use)?"""
    child = node
    for parent in ancestors(node):
        if parent.type in ("if_statement", "while_statement", "do_statement", "for_statement",
                           "conditional_expression"):
            return parent.child_by_field_name("condition") == child
        if parent.type in ("binary_expression", "unary_expression"):
            op = parent.child_by_field_name("operator")
            if op is not None and op.type in CONDITION_OPS:
                return True
        if parent.type == "call_expression" and call_name(parent) in CHECKING_CALLS:
            return True
        if parent.type in BOUNDARIES:
            return False
        child = parent
    return False


def _unevaluated(node) -> bool:
    for parent in ancestors(node):
        if parent.type in UNEVALUATED:
            return True
        if parent.type == "call_expression" and call_name(parent) in UNEVALUATED_CALLS:
            return True
        if parent.type in BOUNDARIES:
            return False
    return False


def _use(node) -> str:
    """How an occurrence of the identifier uses it: deref, assign, address, test or other."""
    parent = node.parent
    if parent is None:
        return "other"
    if parent.type == "field_expression" and parent.child_by_field_name("argument") == node:
        op = parent.child_by_field_name("operator")
        if op is not None and op.type == "->":
            return "other" if _unevaluated(node) else "deref"
    if parent.type == "subscript_expression" and parent.child_by_field_name("argument") == node:
        return "other" if _unevaluated(node) else "deref"
    if parent.type == "pointer_expression":
        op = parent.child_by_field_name("operator")
        if op is not None and op.type == "*":
            return "other" if _unevaluated(node) else "deref"
        if op is not None and op.type == "&":
            return "address"   # handed to something that may set it
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        return "assign"
    if _is_condition(node):
        return "test"
    return "other"


def _stored_into(node) -> str | None:
    """`x = p` (or `x = p = f()`): the text of x, which then holds the same pointer."""
    parent = node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "cast_expression"):
        node, parent = parent, parent.parent
    if parent is not None and parent.type == "assignment_expression" \
            and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        return text(left) if left is not None else None
    return None


def _alias_tested(scope, aliases: set[str], start: int, end: int) -> bool:
    """Is a copy of the pointer (`priv->buf = p`) tested for NULL between the two offsets?"""
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.start_byte >= start and n.type in ("identifier", "field_expression", "subscript_expression",
                                                "pointer_expression") \
                and text(n) in aliases:
            if _is_condition(n):
                return True
            continue
        stack.extend(n.named_children)
    return False


def _repeats_earlier_call(scope, site, call_node) -> bool:
    """`ph = f(skb, 0, 2, &h)` once more after the first result was checked: the author
    knows the second call cannot fail where the first did not."""
    call = text(call_node)
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.start_byte >= site.start_byte:
            continue
        if n.type == "call_expression" and text(n) == call:
            return True
        stack.extend(n.named_children)
    return False


def _fields(unit, name: str, after: int):
    """Occurrences of a field (`st->info`) after an offset, outermost first where they nest."""
    stack = [unit]
    found = []
    while stack:
        n = stack.pop()
        if n.end_byte <= after:
            continue
        if n.type == "field_expression" and n.start_byte >= after and squeeze(n) == name:
            found.append(n)
            continue
        stack.extend(n.named_children)
    return sorted(found, key=lambda n: n.start_byte)


def _occurrences(scope, var, after: int):
    if var.type == "identifier":
        return identifiers_named(scope, text(var).encode(), after)
    return _fields(scope, squeeze(var), after)


def _function_name(definition) -> str | None:
    d = definition.child_by_field_name("declarator")
    while d is not None and d.type in ("pointer_declarator", "parenthesized_declarator", "attributed_declarator"):
        d = d.child_by_field_name("declarator")
    if d is None or d.type != "function_declarator":
        return None
    name = d.child_by_field_name("declarator")
    return text(name) if name is not None and name.type == "identifier" else None


def _own_functions(view) -> dict[str, int | None]:
    """Functions the viewed source defines: name -> None (`_return_null_lines` fills in the
    line of a `return NULL;` in it).  The file's own definition wins over the knowledge."""
    own: dict[str, int | None] = {}
    stack = [view.root]
    while stack:   # definitions are at the top, or under #if / an ERROR node; not inside one another
        n = stack.pop()
        for child in n.named_children:
            if child.type == "function_definition":
                name = _function_name(child)
                if name is not None:
                    own.setdefault(name, None)
            elif child.type in CONTAINERS:
                stack.append(child)
    return own


def _return_null_lines(view, own: dict[str, int | None]) -> None:
    """Set, for each function of `own` with a `return NULL;`, the line of the first one
    (asked only when a call of one of them is judged: the query is not run otherwise)."""
    # (The query's `null` is the text NULL or nullptr: where tree-sitter must invent a missing
    # expression it invents an identifier, never a NULL.  Without that text it finds nothing.)
    if own and (b"NULL" in view.source or b"nullptr" in view.source):
        for m in matches(query("null_returning_definitions"), view.root):
            node = m["null"]
            definition = next((a for a in ancestors(node) if a.type == "function_definition"), None)
            name = _function_name(definition) if definition is not None else None
            if name is not None and own.get(name) is None:
                own[name] = view.nearby_line(node.start_point.row)


CONTAINERS = frozenset({"ERROR", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "linkage_specification",
                        "declaration_list"})
TERMINAL_ROWS = 3   # rows a hunk window must show after the call before "never checked" is claimed


def _ends_without_test(site, scope, view) -> bool:
    """Is the stored result neither tested nor handed back (`return p`) in the rest of its
    scope, and is enough of that scope visible to say so?"""
    complete = scope.type in ("function_definition", "compound_statement") and not broken(scope)
    if not complete:
        stmt = next((a for a in ancestors(site) if a.type in BOUNDARIES), site)
        if len(view.rows) - 1 - stmt.end_point.row < TERMINAL_ROWS:
            return False
    return True


def _fact(ctx, function: str, own: dict[str, int | None] | None):
    """(fact, kinds) for a called function: kinds says which findings its evidence supports:
    'deref' (dereferenced before a test) and 'never' (never tested at all)."""
    if function in ctx.options.get("extra-functions", ()):
        return ReturnFact(function, "null", None, None, "configured"), ("deref", "never")
    if own is not None and function in own:
        line = own[function]
        if line is None:
            return None, ()
        return ReturnFact(function, "null", None, None, f"`return NULL` at line {line}"), ("deref",)
    fact = ctx.knowledge.facts.get(function)
    if fact is None or not fact.may_be_null or (fact.sites is not None and 0 < fact.sites < MIN_SITES) \
            or not fact.applies_to(ctx.file.path):
        return None, ()
    kinds = []
    deref_share = fact.checked_before_deref
    if deref_share is not None and deref_share >= CONFIDENT_SHARE:
        kinds.append("deref")
    if fact.checked is not None and fact.checked >= CONFIDENT_SHARE:
        kinds.append("never")
    return (fact, tuple(kinds)) if kinds else (None, ())


def _share(fact) -> str:
    if fact.checked is None or not fact.sites:
        return ""
    return f" ({round(fact.checked * 100)}% of its {fact.sites} callers in Linux 6.12 do)"


@rule("unchecked-null-return", severity="error", scope="function", paths=("*.c", "*.h"),
      options={"extra-functions": []})
def check(ctx):
    view = ctx.view
    sources = query("null_sources")
    own = None
    null_lines = False   # (own's `return NULL` lines found)
    for unit in view.units():
        for match in matches(sources, unit):
            site, var, fn, value = match["site"], match["var"], match["fn"], match["value"]
            function = text(fn)
            if own is None:
                own = _own_functions(view)
            if not null_lines and function in own:
                _return_null_lines(view, own)
                null_lines = True
            fact, kinds = _fact(ctx, function, own)
            if fact is None or site.has_error or "__GFP_NOFAIL" in text(value):
                continue
            if _is_condition(site):
                continue   # `if (!(p = f()))`, `while ((p = f()) != NULL)`
            name = text(var) if var.type == "identifier" else squeeze(var)
            scope = scope_of(site, unit)
            aliases = {a for a in (_stored_into(site),) if a}
            deref = None
            ended = False
            for node in _occurrences(scope, var, site.end_byte):
                use = "assign" if var.type == "identifier" and declares(node) else _use(node)
                if use in ("assign", "address", "test"):
                    ended = True
                    break
                if use == "deref" and not exclusive_arms(site, node, condition_apart=True):
                    deref = node
                    break
                if node.parent is not None and node.parent.type == "return_statement":
                    ended = True   # handed back to the caller, who checks it
                    break
                if (alias := _stored_into(node)) is not None:
                    aliases.add(alias)
            if deref is not None:
                if "deref" not in kinds or not view.row_added(deref.start_point.row):
                    continue   # a dereference on an unchanged line is not this patch's doing
                if aliases and _alias_tested(scope, aliases, site.end_byte, deref.start_byte):
                    continue   # `priv->buf = p; if (!priv->buf) ...` checks p too
                if _repeats_earlier_call(scope, site, fn.parent):
                    continue
                call_line = view.nearby_line(site.start_point.row)
                where = f"line {call_line}" if call_line is not None else "above"
                yield Report(
                    f"`{name}` may be NULL here: {function}() ({where}) returns NULL {fact.failure}, "
                    f"and `{text(strip_parens(deref.parent))}` dereferences it without a check",
                    line=view.line_of(deref),
                    hint=f"check `{name}` for NULL after calling {function}() and handle the failure",
                )
                continue
            if ended or "never" not in kinds or not view.row_added(site.start_point.row):
                continue
            if aliases and _alias_tested(scope, aliases, site.end_byte, scope.end_byte):
                continue
            if not _ends_without_test(site, scope, view) or _repeats_earlier_call(scope, site, fn.parent):
                continue
            yield Report(
                f"`{name}` is never checked for NULL: {function}() returns NULL {fact.failure}",
                line=view.line_of(site),
                hint=f"check `{name}` after calling {function}() and handle the failure{_share(fact)}",
            )
