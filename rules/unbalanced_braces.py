"""
## What it does

Flags an `if` / `else if` / `else` chain in which some arms have braces and
others do not, and an arm without braces whose single statement is itself a
multi-line `if`, loop or `switch`.  A chain is reported once, naming its
`if` and each `else` between a braced and an unbraced arm as further places.  The
chain is read from the syntax tree, so comments, macros and line wrapping do
not confuse it; a single statement wrapped over two lines (a long call) is
fine without braces.

## Why is this bad?

Kernel coding style: "Do not unnecessarily use braces where a single statement
will do ... This does not apply if only one branch of a conditional statement is
a single statement; in the latter case use braces in both branches."  Mixed
arms are easy to misread and to break when a statement is added to the
unbraced arm.

## Example

```c
void f(int offset)
{
	if (offset) {
		a = lookup(offset);
		b = a + 1;
	} else
		b = 0;
}
```

## Use instead

```c
void f(int offset)
{
	if (offset) {
		a = lookup(offset);
		b = a + 1;
	} else {
		b = 0;
	}
}
```

## References

- Documentation/process/coding-style.rst, section 3 ("Placing Braces and Spaces")
- checkpatch.pl: BRACES ("Unbalanced braces around else statement", with --strict)
"""

from __future__ import annotations

from reviewbot.csyntax import broken, if_chain, walk
from reviewbot.ruleapi import Report, rule

COMPOUND_STATEMENTS = frozenset({"if_statement", "for_statement", "while_statement", "do_statement",
                                 "switch_statement"})


def _braced(body) -> bool:
    return body is not None and body.type == "compound_statement"


def _nothing_to_find(view) -> bool:
    """Asked before the tree: a chain judged spans an added row, and one the parser read whole (not
    broken) starts with the text `if`."""
    return not view.added_rows or b"if" not in view.source


@rule("unbalanced-braces", severity="warning", scope="hunk", paths=("*.c", "*.h"), checkpatch=("BRACES",))
def check(ctx):
    view = ctx.view
    if _nothing_to_find(view):
        return
    for node in walk(view.root, {"if_statement"}):
        parent = node.parent
        if parent is not None and parent.type == "else_clause":
            continue   # judged as part of the chain it continues
        if not view.node_added(node) or broken(node):
            continue
        arms = if_chain(node)
        if any(body is None or broken(body) for _, body in arms):
            continue
        braced = [_braced(body) for _, body in arms]
        if len(arms) > 1 and any(braced) and not all(braced):
            # One finding per chain, on a line of it the patch wrote: an unbraced arm's
            # `if`/`else` if it added one, else the first `if`/`else` it added.
            unbraced = [keyword for (keyword, _), has in zip(arms, braced) if not has]
            written = [keyword for keyword, _ in arms if view.row_added(keyword.start_point.row)]
            if not written:
                continue
            at = next((k for k in unbraced if view.row_added(k.start_point.row)), written[0])
            first = unbraced[0] if at not in unbraced else at
            word = "else" if first.type == "else" else "if"
            where = "" if first == at else f" (line {view.line_of(first)})"
            more = f", and {len(unbraced) - 1} more like it" if len(unbraced) > 1 else ""
            # The other places of the same chain: its `if` and each `else` between a braced and an
            # unbraced arm (`} else` or `else {`): where checkpatch reports it.
            also = [view.line_of(arms[0][0])]
            also += [view.line_of(arms[k][0]) for k in range(1, len(arms)) if braced[k] != braced[k - 1]]
            yield Report(f"`{word}` arm{where} without braces in an if/else chain whose other arms have them{more}",
                         line=view.line_of(at), hint="use braces on every arm of the chain",
                         also=tuple(sorted({n for n in also if n is not None and n != view.line_of(at)})),
                         also_message="braces on some arms of this if/else chain but not on all")
            continue
        for keyword, body in arms:
            if body.type in COMPOUND_STATEMENTS and body.start_point.row != body.end_point.row \
                    and view.node_added(body):
                inner = body.type.split("_")[0]
                yield Report(f"`{inner}` statement spanning several lines as the body of an arm without braces",
                             line=view.line_of(keyword), hint="put braces around it")
