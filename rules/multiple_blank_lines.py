"""
## What it does

Flags an added blank line next to another blank line, added or unchanged:
two (or more) blank lines in a row.  A blank line that only replaces a line
that held nothing but whitespace (a form feed, stray tabs) is not an added
one, and a line holding a form feed is not blank: a run made only of such
replacements was there before the patch, and is reported as pre-existing
(shown only with `--show-preexisting`).  A new file with doubled
blank lines in five places or more gets one finding, at the first, which
lists the others.

## Why is this bad?

Coding style asks for one blank line between functions and between paragraphs
of code, never two.  A doubled blank line is noise every later reader scrolls
past, and maintainers ask for it to be removed.

## Example

```diff
diff --git a/drivers/misc/foo.c b/drivers/misc/foo.c
--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -10,6 +10,8 @@ static int foo_hw_init(struct foo_priv *priv)
 	return 0;
 }
 
+
+
 static irqreturn_t foo_irq(int irq, void *data)
 {
 	struct foo_priv *priv = data;
```

## Use instead

```diff
diff --git a/drivers/misc/foo.c b/drivers/misc/foo.c
--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -10,6 +10,9 @@ static int foo_hw_init(struct foo_priv *priv)
 	return 0;
 }
 
+static void foo_hw_stop(struct foo_priv *priv);
+
 static irqreturn_t foo_irq(int irq, void *data)
 {
 	struct foo_priv *priv = data;
```

## References

- Documentation/process/coding-style.rst, section 3
- checkpatch.pl: LINE_SPACING ("Please don't use multiple blank lines", with --strict)
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule


NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}
WHOLE_FILE = 5   # a new file with blank lines doubled in this many places gets one finding


def _blank(text: str) -> bool:
    """Empty, or spaces and tabs only (a form feed or a CR is content)."""
    return not text.strip(" \t")


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


@rule("multiple-blank-lines", severity="warning", scope="hunk", paths=("*.c", "*.h", "*.dts", "*.dtsi"),
      checkpatch=("LINE_SPACING",))
def check(ctx):
    hunk = ctx.hunk
    if not any(not x.text.strip(" \t") for x in hunk.added):
        return   # the common case, first: no blank line added
    image = hunk.post_image
    replaced = None
    found = []   # (new-file line to report, blank lines in the run, pre-existing)
    blank = [not x.text.strip(" \t") for x in image]
    k, n = 0, len(image)
    while k < n:
        if not blank[k]:
            k += 1
            continue
        end = k
        while end < n and blank[end]:
            end += 1
        run, k = image[k:end], end   # a run of blank lines
        if len(run) < 2:
            continue
        if replaced is None:
            replaced = _replacements(hunk)
        added = [k for k, x in enumerate(run) if x.kind == "+"]
        fresh = [k for k in added if run[k].new not in replaced]
        # Only blank lines that replace whitespace-only ones (a form feed): the run was there before,
        # reported as pre-existing (shown with --show-preexisting).
        before = not fresh
        added = fresh or added
        if added:
            # the first added one after another blank line, where checkpatch puts it; else the only one
            at = next((k for k in added if k > 0), added[0])
            found.append((run[at].new, len(run), before))
    if ctx.file.status == "added" and len(found) >= WHOLE_FILE:
        yield Report(f"{len(found)} places in this new file have two or more blank lines in a row (first here)",
                     line=found[0][0], hint="keep one blank line in each",
                     also=tuple(line for line, _, _ in found[1:]),
                     also_message="two or more blank lines in a row")
        return
    for line, count, before in found:
        yield Report(f"{NUMBERS.get(count, str(count))} blank lines in a row", line=line,
                     hint="remove one" if count == 2 else "keep one", preexisting=before)
