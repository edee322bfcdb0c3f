"""
## What it does

Flags spaces or tabs at the end of an added line, and added lines that hold
nothing but spaces or tabs.  Lines ending in a carriage return are left to
`dos-line-endings`.  Whitespace is not judged where it cannot be trusted: a
hunk mended on the way in, or a web archive's copy of the patch.  Patches and
diffs carried as files (`*.patch`, `*.diff`), where a context line is a lone
space, and Markdown, where two trailing spaces break a line, are left alone.

## Why is this bad?

Trailing whitespace is invisible in an editor but not in git: it makes later
diffs noisier, and `git am --whitespace=error` (which some maintainers use)
refuses the patch.  Every maintainer who applies it has to clean it up.

## Example

The added line ends in a space:

```diff
diff --git a/drivers/misc/foo.c b/drivers/misc/foo.c
--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -1,3 +1,4 @@
 static int foo_read(struct foo_priv *priv)
 {
+	priv->val = readl(priv->base); 
 	return 0;
```

## Use instead

```diff
diff --git a/drivers/misc/foo.c b/drivers/misc/foo.c
--- a/drivers/misc/foo.c
+++ b/drivers/misc/foo.c
@@ -1,3 +1,4 @@
 static int foo_read(struct foo_priv *priv)
 {
+	priv->val = readl(priv->base);
 	return 0;
```

## References

- Documentation/process/submitting-patches.rst; `git diff --check`
- checkpatch.pl: TRAILING_WHITESPACE ("trailing whitespace")
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule

# A context line in a patch file is a single space; Markdown ends a line with two spaces on purpose.
LEFT_ALONE = (".patch", ".diff", ".md")


def _nothing_at_the_end(text: str, options) -> bool:
    """The common case: nothing at the end to judge (a CR is dos-line-endings')."""
    return not text or text[-1] not in " \t"


@rule("trailing-whitespace", severity="warning", scope="line", checkpatch=("TRAILING_WHITESPACE",),
      skip_line=_nothing_at_the_end)
def check(ctx):
    text = ctx.line.text
    if _nothing_at_the_end(text, ctx.options):
        return
    if ctx.hunk.repaired or not ctx.message.whitespace_trusted or ctx.file.path.endswith(LEFT_ALONE):
        return
    if text.strip(" \t"):
        yield Report("trailing whitespace", line=ctx.line.new, hint="remove the spaces or tabs at the end of the line")
    else:
        yield Report("trailing whitespace (a blank line holding spaces or tabs)", line=ctx.line.new,
                     hint="make the line empty")
