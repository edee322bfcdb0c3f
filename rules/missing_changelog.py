"""
## What it does

Flags a new version of a single patch (`[PATCH v2]`, `[PATCH v3 1/1]`)
that says nothing about what changed since the last one: no notes below the
`---` line other than the diffstat, and no version notes or mention of the
earlier version in the commit message.

A patch in a series (`[PATCH v2 3/7]`) is left alone: its changelog usually
lives in the cover letter, which reviewbot does not review as a patch.  So
is a `1/1` patch sent as a reply (its `0/1` cover letter may hold the
changelog), and a `RESEND`, which repeats a posting unchanged.

## Why is this bad?

Reviewers who read the last version need to know what to look at again:
which comments were addressed, what else moved.  Without a changelog they
must diff the postings themselves, and often ask for one instead of
reviewing.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH v2] foo: fix the bar count
Message-ID: <2@example.org>

The bar count is off by one when the queue wraps.

Signed-off-by: Jane Developer <jane@example.org>
---
 foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

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

The bar count is off by one when the queue wraps.

Signed-off-by: Jane Developer <jane@example.org>
---
v2: use foo_next() instead of open-coding the wrap (Joe)
v1: https://lore.kernel.org/all/1@example.org/

 foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

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
  format" (changes between versions go below the `---` line) and
  "Respond to review comments"
"""

from __future__ import annotations

import functools
import re

from reviewbot.commitmsg import changelog_line
from reviewbot.ruleapi import Report, rule

# What `git format-patch` puts below the `---` line by itself: the diffstat and its summary.
_DIFFSTAT = (
    r"^\s*(?:\S.*\|\s+(?:\d+\s*[-+]*|Bin\b.*)|\d+ files? changed\b.*|(?:create|delete) mode \d+ .*|"
    r"mode change \d+ => \d+ .*|(?:rename|copy) .*\(\d+%\)|---)\s*$"
)
# The commit message mentions an earlier posting.
_EARLIER = (
    r"(?i)\bv\d+\b|\b(?:previous|earlier|last|prior|first|original)\s+"
    r"(?:version|revision|patch|posting|submission|iteration|series|attempt)|\bchanges\s+(?:since|from)\b"
)


@functools.cache
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    return re.compile(_DIFFSTAT), re.compile(_EARLIER)   # compiled on first use: few patches need them


def has_notes(notes: str) -> bool:
    """Is there anything below the `---` line besides the diffstat?"""
    diffstat = _patterns()[0]
    return any(line.strip() and not diffstat.match(line) for line in notes.split("\n"))


@rule("missing-changelog", severity="note", scope="mail")
def check(ctx):
    message = ctx.message
    prefix = message.prefix
    if message.kind == "diff" or prefix.version < 2:
        return
    if (prefix.total or 1) > 1:
        return   # in a series: the cover letter carries the changelog
    if prefix.number is not None and message.in_reply_to:
        return   # a 1/1 in a thread: its 0/1 cover letter may carry it
    if any(tag.upper() == "RESEND" for tag in prefix.tags):
        return
    if has_notes(message.notes) or _patterns()[1].search(message.commit_message):
        return
    if changelog_line(message) is not None:
        return
    yield Report(
        f"v{prefix.version} of this patch says nothing about what changed since v{prefix.version - 1}",
        mail_line=message.commit_message_line,
        hint="list the changes below the '---' line (e.g. 'v2: check the return value of foo_get() (Joe)'), "
             "ideally with a link to the previous version",
    )
