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

from reviewbot.cflow import CONDITIONS, TRUTH_CALLS, result_uses, statement_of
from reviewbot.csyntax import (
    SPACE, ancestors, broken_ignoring_qualifiers, call_name, call_results, not_a_pointer, squeeze, text,
)
from reviewbot.ruleapi import Report, rule

# Names of functions that return NULL for "not there" besides an ERR_PTR() for failure.
BOTH = re.compile(r"_optional\b|_or_null\b")


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
        return fact is not None and fact.returns == "err_ptr" and not BOTH.search(fn) and fact.applies_to(path)

    for unit, site, var, fn in call_results(view, err_ptr_only):
        found = result_uses(site, var, unit)
        kinds = {k for _, k in found}
        if "is_err" in kinds or "err_or_null" in kinds:
            continue
        test = next((n for n, k in found if k == "null"), None)
        if test is None or broken_ignoring_qualifiers(statement_of(test)) \
                or broken_ignoring_qualifiers(statement_of(site)) or not_a_pointer(var, site):
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
