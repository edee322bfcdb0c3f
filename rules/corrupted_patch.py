"""
## What it does

Flags a mailed patch that arrived damaged: context lines that lost their
leading space, a header line joined onto `diff --git` (except an `index` line,
which `git am` does without), or a hunk whose lines
do not match the counts in its `@@` header (a long line wrapped by the mail
client, a truncated mail).  reviewbot repairs what the counts make
unambiguous and reviews the rest, but the mail itself will not apply.  A web
archive's copy of a patch is damaged by the archive, not by the author: for
those, the repairs are printed as notices and this rule stays silent.

## Why is this bad?

`git am` refuses a corrupted patch, so a maintainer cannot apply it and the
author has to resend.  The usual cause is a mail client that reflows or
re-encodes text; `git send-email` (or b4) avoids it.

## Example

```patch
From: A Developer <dev@example.org>
Subject: [PATCH] foo: fix bar
Message-ID: <1@example.org>

Fix bar.

Signed-off-by: A Developer <dev@example.org>
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
From: A Developer <dev@example.org>
Subject: [PATCH] foo: fix bar
Message-ID: <1@example.org>

Fix bar.

Signed-off-by: A Developer <dev@example.org>
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

## References

- Documentation/process/email-clients.rst
- checkpatch.pl: CORRUPTED_PATCH ("patch seems to be corrupt (line wrapped?)")
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule


@rule("corrupted-patch", severity="error", scope="mail", checkpatch=("CORRUPTED_PATCH",))
def check(ctx):
    if ctx.message.kind == "archive" or not ctx.damage:
        return
    by_path: dict = {}
    for damage in ctx.damage:
        if damage.breaks_apply:   # damage git am shrugs off is not worth a resend
            by_path.setdefault(damage.path, []).append(damage)
    for path, items in by_path.items():
        dropped = [d for d in items if not d.repaired]
        detail = "; ".join(d.what for d in items[:3]) + ("; ..." if len(items) > 3 else "")
        verdict = "parts of it could not be reviewed" if dropped else "reviewbot repaired it to review it"
        yield Report(
            f"the patch was damaged in transit and will not apply ({verdict}): {detail}",
            path=path,
            mail_line=items[0].mail_line,
            hint="resend with git send-email or b4 send; see Documentation/process/email-clients.rst",
        )
