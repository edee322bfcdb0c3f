"""
## What it does

Flags an assignment inside the condition of an `if` (or `else if`):
`if ((ret = foo()))`, `if ((p = kmalloc(...)) == NULL)`, `if (!(x = f()))`.
Compound assignments (`+=`, `|=`, ...) count too.  Loops are left alone:
`while ((c = next()) != NULL)` is the kernel's own idiom for walking a
sequence, and checkpatch.pl accepts it.  An assignment inside a statement
expression (`({ ... })`, as kernel macros expand) is not the condition's, and
`#define` bodies are not judged.

## Why is this bad?

Kernel coding style: the assignment goes on its own line and the test on the
next.  An assignment hidden in a condition is easy to misread as a comparison
(`=` for `==`), and it makes the line do two things.  checkpatch.pl reports it
as an error.

## Example

```c
int f(struct device *dev)
{
	int ret;

	if ((ret = probe(dev)))
		return ret;
	return 0;
}
```

## Use instead

```c
int f(struct device *dev)
{
	int ret;

	ret = probe(dev);
	if (ret)
		return ret;
	return 0;
}
```

## References

- Documentation/process/coding-style.rst
- checkpatch.pl: ASSIGN_IN_IF ("do not use assignment in if condition")
"""

from __future__ import annotations

import re

from reviewbot.csyntax import unsure as _unsure, ancestors, broken, text
from reviewbot.ruleapi import Report, rule

# An assignment operator (`=`, `+=`, `<<=`, ...), not `==`, `!=`, `<=` or `>=`.
ASSIGN_OP = re.compile(rb"(?<![=!<>])(?:<<|>>|[-+*/%&|^])?=(?!=)")
# A quick look at the whole window: an `if (` followed by an assignment operator
# before the next `;` or `{`.  (`if(?<!\wif)` is `\bif`: a pattern that starts with letters lets
# the regex engine skip ahead to the next `if`, several times faster over a whole window.)
MAYBE = re.compile(rb"if(?<!\wif)\s*\([^;{]*?(?<![=!<>])(?:<<|>>|[-+*/%&|^])?=(?!=)")
# Where the search for the enclosing condition stops: the assignment belongs to a
# statement of its own (as in a statement expression), or to a loop's condition.
STOP = frozenset({"compound_statement", "expression_statement", "declaration", "return_statement",
                  "for_statement", "while_statement", "do_statement", "switch_statement",
                  "initializer_list", "function_definition", "translation_unit", "ERROR"})


def _condition_of(assign):
    """The if statement whose condition holds this assignment, if any."""
    child = assign
    for a in ancestors(assign):
        if a.type == "if_statement":
            return a if a.child_by_field_name("condition") == child else None
        if a.type in STOP:
            return None
        child = a
    return None


@rule("assignment-in-condition", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("ASSIGN_IN_IF",))
def check(ctx):
    view = ctx.view
    if not MAYBE.search(view.source):
        return
    rows = view.rows
    seen: set[int] = set()
    for row in view.added_rows:
        written = rows[row]
        if "=" not in written or ("(" not in written and "if" not in written):
            continue   # (every `=` of the row would be skipped below: no `(` before it, no `if`)
        line = written.encode("utf-8", "replace")
        for m in ASSIGN_OP.finditer(line):
            before = line[:m.start()]
            if before.count(b"(") <= before.count(b")") and b"if" not in before:
                continue   # not inside parentheses: `x = f();`, not a condition
            token = view.root.descendant_for_point_range((row, m.start()), (row, m.end()))
            assign = token.parent if token is not None else None
            if assign is None or assign.type != "assignment_expression" \
                    or assign.child_by_field_name("operator") != token:
                continue
            statement = _condition_of(assign)
            if statement is None or statement.start_byte in seen:
                continue
            cond = statement.child_by_field_name("condition")
            if broken(cond) or _unsure(view, cond):
                continue
            seen.add(statement.start_byte)
            name = " ".join(text(assign.child_by_field_name("left")).split())
            what = f"assignment to '{name}'" if 0 < len(name) <= 40 else "assignment"
            # On the line of the `if`, as checkpatch.pl does, when the patch wrote it.
            at = statement.start_point.row if view.row_added(statement.start_point.row) else row
            yield Report(f"{what} inside an if condition", line=view.line(at),
                         hint="assign on its own line, then test the variable")
