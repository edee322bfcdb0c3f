"""
## What it does

Flags whitespace changes that carry no meaning: a hunk whose only change is
adding or removing blank lines, a blank line added right after `{` or right
before `}`, a blank line added next to another blank line, and trailing
whitespace on an added line.  Trailing whitespace is not judged on hunks whose
whitespace was damaged in transit (a web archive's copy).

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


@rule("blank-line-noise", severity="warning", scope="hunk", paths=("*.c", "*.h"),
      checkpatch=("LINE_SPACING", "BRACES", "TRAILING_WHITESPACE"))
def check(ctx):
    hunk = ctx.hunk
    changed = [x for x in hunk.lines if x.kind != " "]
    if _blank_only(hunk):
        on_purpose = WHITESPACE_PATCH.search(ctx.message.subject + "\n" + ctx.message.commit_message)
        if on_purpose or all(_blank_only(h) for fc in ctx.files for h in fc.hunks):
            return   # a whitespace clean-up: the blank lines are the point
        added = [x for x in changed if x.kind == "+"]
        if added:
            what = "a blank line" if len(added) == 1 else f"{len(added)} blank lines"
            for x in added:
                yield Report(f"this hunk only adds {what}: a whitespace change unrelated to the patch",
                             line=x.new, hint="drop the hunk")
        else:
            removed = len(changed)
            what = "a blank line" if removed == 1 else f"{removed} blank lines"
            yield Report(f"hunk `{hunk.header}` only removes {what} (old line {changed[0].old}): "
                         "a whitespace change unrelated to the patch", hint="drop the hunk")
        return
    image = hunk.post_image
    for k, x in enumerate(image):
        if x.kind != "+":
            continue
        if _blank(x.text):
            before = image[k - 1].text.rstrip() if k > 0 else None
            after = image[k + 1].text.strip() if k + 1 < len(image) else None
            if before is not None and before.endswith("{") and not before.lstrip().startswith(("/*", "*", "//")):
                yield Report("blank line after an opening brace", line=x.new, hint="remove it", checkpatch="BRACES")
            elif after is not None and after.startswith("}"):
                yield Report("blank line before a closing brace", line=x.new, hint="remove it", checkpatch="BRACES")
            elif before is not None and not before.strip() and k > 0:
                yield Report("two blank lines in a row", line=x.new, hint="remove one")
        if ctx.hunk.repaired:
            continue
        content = x.text.rstrip("\r")   # a carriage return is a line-ending problem, not trailing space
        if content != content.rstrip():
            if content.strip():
                yield Report("trailing whitespace", line=x.new, hint="remove the spaces or tabs at the end of the line",
                             checkpatch="TRAILING_WHITESPACE")
            else:
                yield Report("trailing whitespace (a blank line holding spaces or tabs)", line=x.new,
                             hint="make the line empty", checkpatch="TRAILING_WHITESPACE")
