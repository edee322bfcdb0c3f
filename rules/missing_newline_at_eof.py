"""
## What it does

Flags an added line that ends a file without a newline: the diff follows it
with `\\ No newline at end of file`.  When the old file already ended without
one and the patch only changes that last line, the patch did not make things
worse and the rule stays silent; so it does for symbolic links, which git
stores as their target without a newline.

## Why is this bad?

A text file is a sequence of lines, each ended by a newline.  Without the
last one, the next patch that appends to the file also has to change the old
last line, `cat` runs the last line into the prompt, and some tools (older
`make`, `ld` scripts, `cpp` with -Werror) warn or stumble.  Editors usually
add the newline; a missing one means the file was generated or edited with
an unusual tool, and maintainers ask for it to be fixed.

## Example

```diff
diff --git a/drivers/misc/Makefile b/drivers/misc/Makefile
--- a/drivers/misc/Makefile
+++ b/drivers/misc/Makefile
@@ -70,3 +70,4 @@ obj-$(CONFIG_TPS6594_PFSM)	+= tps6594-pfsm.o
 obj-$(CONFIG_NSM)		+= nsm.o
 obj-$(CONFIG_MARVELL_CN10K_DPI)	+= mrvl_cn10k_dpi.o
 obj-y				+= keba/
+obj-$(CONFIG_FOO)		+= foo.o
\\ No newline at end of file
```

## Use instead

```diff
diff --git a/drivers/misc/Makefile b/drivers/misc/Makefile
--- a/drivers/misc/Makefile
+++ b/drivers/misc/Makefile
@@ -70,3 +70,4 @@ obj-$(CONFIG_TPS6594_PFSM)	+= tps6594-pfsm.o
 obj-$(CONFIG_NSM)		+= nsm.o
 obj-$(CONFIG_MARVELL_CN10K_DPI)	+= mrvl_cn10k_dpi.o
 obj-y				+= keba/
+obj-$(CONFIG_FOO)		+= foo.o
```

## References

- POSIX, "Line": a sequence of characters ended by a newline
- checkpatch.pl: MISSING_EOF_NEWLINE ("adding a line without newline at end of file")
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule


SYMLINK = "120000"


@rule("missing-newline-at-eof", severity="warning", scope="hunk", checkpatch=("MISSING_EOF_NEWLINE",))
def check(ctx):
    hunk = ctx.hunk
    # `\ No newline at end of file` can only follow the last lines of a hunk
    last = next((x for x in reversed(hunk.lines[-3:]) if x.kind == "+" and x.no_newline), None)
    if last is None or ctx.file.new_mode == SYMLINK:
        return   # (git stores a symbolic link as its target, without a newline)
    if any(x.kind == "-" and x.no_newline for x in hunk.lines):
        return   # the old file ended without a newline too: the patch kept it so
    yield Report("no newline at the end of the file", line=last.new,
                 hint="end the last line with a newline (\\ No newline at end of file)")
