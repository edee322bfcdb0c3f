"""
## What it does

Flags whitespace changes that carry no meaning: a hunk whose only change is
adding or removing blank lines, a blank line added right after `{` or right
before a `}` alone on its line, a blank line added next to another blank line,
and trailing whitespace on an added line.  A blank line that replaces a line
holding only whitespace (a form feed, stray tabs) is not an added one, and a
patch that says it is about whitespace may add or remove blank lines.
Trailing whitespace is not judged on hunks whose whitespace was damaged in
transit (a web archive's copy).

## Why is this bad?

Stray blank lines make a patch bigger than its change, hide the real change
from reviewers, and cause needless conflicts for everyone carrying patches to
the same code.  Coding style asks for no blank line after an opening brace or
before a closing one, and never two in a row.

## Example

```c
int f(int a)
{

	return a;
}
```

## Use instead

```c
int f(int a)
{
	return a;
}
```

## References

- Documentation/process/coding-style.rst, section 3
- checkpatch.pl: BRACES ("Blank lines aren't necessary after an open brace"),
  LINE_SPACING ("Please don't use multiple blank lines"), TRAILING_WHITESPACE
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule


# A patch that says it is about whitespace may well add or remove blank lines on purpose.
WHITESPACE_PATCH = re.compile(
    r"blank line|empty line|new ?line|whitespace|white space|spacing|coding style|checkpatch|indent", re.I)


def _blank(text: str) -> bool:
    """Empty, or spaces and tabs only (a form feed or a CR is content)."""
    return not text.strip(" \t")


def _blank_only(hunk) -> bool:
    changed = [x for x in hunk.lines if x.kind != " "]
    return bool(changed) and all(_blank(x.text) for x in changed)


def _replacements(hunk) -> set[int]:
    """New-file lines of added blank lines that stand where a removed blank line stood.

    In each run of changed lines, an added blank line pairs with a removed line
    that was blank or whitespace only (a form feed, trailing spaces): the patch
    did not add a blank line there, it changed what one holds.
    """
    out: set[int] = set()
    run: list = []
    for x in hunk.lines + (None,):
        if x is not None and x.kind != " ":
            run.append(x)
            continue
        removed = sum(1 for y in run if y.kind == "-" and not y.text.strip())
        blanks = [y.new for y in run if y.kind == "+" and _blank(y.text)]
        out.update(blanks[:removed])
        run = []
    return out


def _misplaced(hunk, line) -> bool:
    """Was this removed blank line one coding style objects to (after `{`, before `}`,
    next to another blank)?  Removing it is a fix, not noise."""
    old = [x for x in hunk.lines if x.kind != "+"]
    k = old.index(line)
    before = old[k - 1].text if k > 0 else None
    after = old[k + 1].text if k + 1 < len(old) else None
    return (before is not None and (before.rstrip().endswith("{") or _blank(before))) \
        or (after is not None and (CLOSING.match(after.strip()) is not None or _blank(after)))


CLOSING = re.compile(r"^}[;,]?$")   # `}` alone, as checkpatch reads it: not `} else {`, not `} while (0);`


@rule("blank-line-noise", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("LINE_SPACING", "BRACES", "TRAILING_WHITESPACE"))
def check(ctx):
    hunk = ctx.hunk
    replaced = _replacements(hunk)
    if _blank_only(hunk):
        on_purpose = WHITESPACE_PATCH.search(ctx.message.subject + "\n" + ctx.message.commit_message)
        if on_purpose or all(_blank_only(h) for fc in ctx.files for h in fc.hunks):
            return   # a whitespace clean-up: the blank lines are the point
        added = [x for x in hunk.added if x.new not in replaced]
        removed = [x for x in hunk.lines if x.kind == "-"][len(replaced):]
        if added:
            what = "a blank line" if len(added) == 1 else f"{len(added)} blank lines"
            for x in added:
                yield Report(f"this hunk only adds {what}: a whitespace change unrelated to the patch",
                             line=x.new, hint="drop the hunk")
            return
        removed = [x for x in removed if not _misplaced(hunk, x)]
        if removed:
            what = "a blank line" if len(removed) == 1 else f"{len(removed)} blank lines"
            yield Report(f"hunk `{hunk.header}` only removes {what} (old line {removed[0].old}): "
                         "a whitespace change unrelated to the patch", hint="drop the hunk")
            return
    image = hunk.post_image
    for k, x in enumerate(image):
        if x.kind != "+":
            continue
        if _blank(x.text) and x.new not in replaced:
            before = image[k - 1].text if k > 0 else None
            after = image[k + 1].text.strip() if k + 1 < len(image) else None
            if before is not None and before.rstrip().endswith("{") \
                    and not before.lstrip().startswith(("/*", "*", "//")):
                yield Report("blank line after an opening brace", line=x.new, hint="remove it", checkpatch="BRACES")
            elif after is not None and CLOSING.match(after):
                yield Report("blank line before a closing brace", line=x.new, hint="remove it", checkpatch="BRACES")
            elif before is not None and _blank(before):
                yield Report("two blank lines in a row", line=x.new, hint="remove one")
        if ctx.hunk.repaired:
            continue
        content = x.text.rstrip("\r")   # a carriage return is a line-ending problem, not trailing space
        if content != content.rstrip(" \t"):
            if content.strip(" \t"):
                yield Report("trailing whitespace", line=x.new, hint="remove the spaces or tabs at the end of the line",
                             checkpatch="TRAILING_WHITESPACE")
            else:
                yield Report("trailing whitespace (a blank line holding spaces or tabs)", line=x.new,
                             hint="make the line empty", checkpatch="TRAILING_WHITESPACE")
