"""
## What it does

Flags version notes in the commit message: a line that starts like a
changelog between postings of the patch (`v2:`, `[v3]`, `Changes in v3`,
`Changes since v1:`, `Changelog v2:`, `v1 -> v2`, `Changes since the
previous version`).  Only these shapes at the start of a line count; a
sentence that mentions "the v2 protocol" or a section called "Changes:" that
describes the patch itself does not.  Reported once per patch, on the first
such line.

Some subsystems (DRM among them) keep version notes in the commit message
on purpose; there, ignore the rule for those paths in `.reviewbot.toml`.

## Why is this bad?

Everything above the `---` line becomes the commit message.  Notes about
how this posting differs from the last one matter to reviewers today and to
nobody reading `git log` later; below the `---` line `git am` drops them.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH v2] foo: fix the bar count
Message-ID: <2@example.org>

The bar count is off by one when the queue wraps.

v2: use foo_next() instead of open-coding the wrap

Signed-off-by: Jane Developer <jane@example.org>
---
diff --git a/foo.c b/foo.c
index 1111111..2222222 100644
--- a/foo.c
+++ b/foo.c
@@ -1,3 +1,3 @@
 int f(void)
 {
-	return 1;
+	return 0;
```

## Use instead

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH v2] foo: fix the bar count
Message-ID: <2@example.org>

The bar count is off by one when the queue wraps.  The v2 queue layout
made the wrap visible.

Signed-off-by: Jane Developer <jane@example.org>
---
v2: use foo_next() instead of open-coding the wrap

diff --git a/foo.c b/foo.c
index 1111111..2222222 100644
--- a/foo.c
+++ b/foo.c
@@ -1,3 +1,3 @@
 int f(void)
 {
-	return 1;
+	return 0;
```

## References

- Documentation/process/submitting-patches.rst, "The canonical patch
  format": "Other comments relevant only to the moment or the maintainer,
  not suitable for the permanent changelog, should also go here ... such as
  changes between versions of the patch"
"""

from __future__ import annotations

from reviewbot.commitmsg import changelog_line
from reviewbot.ruleapi import Report, rule


@rule("changelog-above-cut", severity="warning", scope="mail")
def check(ctx):
    message = ctx.message
    if message.kind == "diff":
        return   # a bare diff's description is not a commit message
    found = changelog_line(message)
    if found is None:
        return
    row, line = found
    shown = line.strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    yield Report(
        f"version notes ('{shown}') are above the '---' line and would end up in git history",
        mail_line=row,
        hint="move the changes between versions below the '---' line (after the Signed-off-by: lines); "
             "git am drops what is there",
    )
