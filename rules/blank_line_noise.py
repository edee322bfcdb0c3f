"""
## What it does

Flags blank lines that carry no meaning: a hunk whose only change is adding or
removing blank lines, and a blank line added right after `{` or right before a
`}` alone on its line.  A blank line that replaces a line holding only
whitespace (a form feed, stray tabs) is not an added one, and a patch that
says it is about whitespace may add or remove blank lines.  A blank line next
to another blank line is `multiple-blank-lines`' to report, and trailing
whitespace is `trailing-whitespace`'s.

## Why is this bad?

Stray blank lines make a patch bigger than its change, hide the real change
from reviewers, and cause needless conflicts for everyone carrying patches to
the same code.  Coding style asks for no blank line after an opening brace or
before a closing one.

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
- checkpatch.pl: BRACES ("Blank lines aren't necessary after an open brace",
  "Blank lines aren't necessary before a close brace"), LINE_SPACING (a blank
  line that is a whitespace change of its own)
- See also: `multiple-blank-lines`, `trailing-whitespace`
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule

# (LINE_SPACING's "multiple blank lines" and TRAILING_WHITESPACE are multiple-blank-lines' and
# trailing-whitespace's: one thing, one rule.)


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


def _doubled(image, blank: list[bool]) -> set[int]:
    """New-file lines of blank lines next to another blank line: multiple-blank-lines' to report."""
    last = len(image) - 1
    return {x.new for k, x in enumerate(image)
            if blank[k] and ((k > 0 and blank[k - 1]) or (k < last and blank[k + 1]))}


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
      checkpatch=("LINE_SPACING", "BRACES"))
def check(ctx):
    hunk = ctx.hunk
    if not any(x.kind != " " and not x.text.strip(" \t") for x in hunk.lines):
        return   # the common case, first: no blank line added or removed
    image = hunk.post_image
    blank_only = _blank_only(hunk)
    blank = replaced = doubled = None
    if blank_only:
        blank = [not x.text.strip(" \t") for x in image]
        replaced = _replacements(hunk)
        doubled = _doubled(image, blank)
        on_purpose = WHITESPACE_PATCH.search(ctx.message.subject + "\n" + ctx.message.commit_message)
        if on_purpose or all(_blank_only(h) for fc in ctx.files for h in fc.hunks):
            return   # a whitespace clean-up: the blank lines are the point
        added = [x for x in hunk.added if x.new not in replaced]
        if any(x.new in doubled for x in added):
            return   # multiple-blank-lines says what is wrong with it
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
    # (An added blank line next to a brace first; which of them stand for a removed one or next
    # to another blank line only then.  None: blank lines only removed, among other changes.)
    places = [(k, at) for k, x in enumerate(image)
              if x.kind == "+" and not x.text.strip(" \t") and (at := _at_brace(image, k))]
    if not places:
        return
    if replaced is None:
        blank = [not x.text.strip(" \t") for x in image]
        replaced = _replacements(hunk)
        doubled = _doubled(image, blank)
    for k, at in places:
        x = image[k]
        if x.new in replaced or x.new in doubled:
            continue
        if at == "{":
            yield Report("blank line after an opening brace", line=x.new, hint="remove it", checkpatch="BRACES")
        else:
            yield Report("blank line before a closing brace", line=x.new, hint="remove it", checkpatch="BRACES")


def _at_brace(image, k: int) -> str | None:
    """"{" for a line right after a line that ends with `{` (not a comment's), "}" for one right
    before a `}` alone on its line, else None."""
    before = image[k - 1].text if k > 0 else None
    after = image[k + 1].text.strip() if k + 1 < len(image) else None
    if before is not None and before.rstrip().endswith("{") \
            and not before.lstrip().startswith(("/*", "*", "//")):
        return "{"
    if after is not None and CLOSING.match(after):
        return "}"
    return None
