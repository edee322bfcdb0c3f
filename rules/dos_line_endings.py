"""
## What it does

Flags added lines that end in a carriage return (CR LF, DOS line endings),
once per file: at the first such line, with how many there are.  A mail that
travelled with CR LF at the end of every line is not such a patch (that CR is
the transport's, and is gone before rules run); only a CR that belongs to the
file's own lines is, as `git send-email` sends it (quoted-printable `=0D`).
A hunk whose unchanged lines end in CR too belongs to a file that already has
DOS line endings, and is left alone.

## Why is this bad?

Kernel sources use Unix line endings.  A CR at the end of a line is invisible
in most editors but shows in every diff (`^M`), breaks shell scripts and
Kconfig parsing, and usually means the file went through a Windows editor or
tool.  `git am` keeps the CRs, so they land in the tree.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH] misc: foo: add a register
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Add the rate register.

Signed-off-by: Jane Developer <jane@example.org>
---
diff --git a/drivers/misc/foo.h b/drivers/misc/foo.h
--- a/drivers/misc/foo.h
+++ b/drivers/misc/foo.h
@@ -1,3 +1,4 @@
 #define FOO_CTRL	0x00
 #define FOO_STATUS	0x04
+#define FOO_RATE	0x08=0D
 #define FOO_IRQ		0x0c
```

## Use instead

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH] misc: foo: add a register
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Add the rate register.

Signed-off-by: Jane Developer <jane@example.org>
---
diff --git a/drivers/misc/foo.h b/drivers/misc/foo.h
--- a/drivers/misc/foo.h
+++ b/drivers/misc/foo.h
@@ -1,3 +1,4 @@
 #define FOO_CTRL	0x00
 #define FOO_STATUS	0x04
+#define FOO_RATE	0x08
 #define FOO_IRQ		0x0c
```

## References

- `git config core.autocrlf`, `dos2unix`
- checkpatch.pl: DOS_LINE_ENDINGS ("DOS line endings")
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule


@rule("dos-line-endings", severity="error", scope="file", checkpatch=("DOS_LINE_ENDINGS",))
def check(ctx):
    first, count = None, 0
    for hunk in ctx.file.hunks:
        with_cr = [x for x in hunk.added if x.text[-1:] == "\r"]
        if not with_cr:
            continue   # the common case
        if any(x.text.endswith("\r") for x in hunk.lines if x.kind != "+"):
            continue   # the file has DOS line endings already: the patch follows it
        first = first or with_cr[0]
        count += len(with_cr)
    if first is None:
        return
    more = f" (and {count - 1} more added line{'s' if count > 2 else ''})" if count > 1 else ""
    yield Report(f"DOS line ending (CR LF){more}", line=first.new, mail_line=first.mail_line,
                 hint="convert the file to Unix line endings (dos2unix) and regenerate the patch")
