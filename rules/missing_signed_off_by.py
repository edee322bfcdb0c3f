"""
## What it does

Flags a patch whose commit message has no `Signed-off-by:` line, one whose
only sign-off sits below the `---` line (where `git am` drops it), and one
that nobody signed off as its author.  The author is the in-body `From:` line
`git format-patch` writes at the top of the message when the sender is not
the author, else the mail's `From:` header.  A sign-off counts as the
author's when its address matches (case-insensitively, ignoring a `+tag`
subaddress) or, failing that, its name does: a developer who sends from one
address and signs off with another has still signed off.  A misspelt tag
(`Signed-of-by:`) is taken as meant; `malformed-trailer` reports the spelling.

A bare diff has no commit message to sign, so it is left alone; so is the
author check on a web archive's copy that shows the author without an
address, and a copy that shows no trailers at all (archives drop them).

## Why is this bad?

The Signed-off-by line is the author's statement under the Developer's
Certificate of Origin that they may submit the code under the project's
licence.  Maintainers cannot apply a patch without it, and the author's own
sign-off must be there: the sender's or a co-worker's does not certify the
author's work.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH] foo: fix the bar count
Message-ID: <1@example.org>

The bar count is off by one when the queue wraps.

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
Subject: [PATCH] foo: fix the bar count
Message-ID: <1@example.org>

The bar count is off by one when the queue wraps.

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

## References

- Documentation/process/submitting-patches.rst, "Sign your work - the
  Developer's Certificate of Origin" and "When to use Acked-by:, Cc:, and
  Co-developed-by:"
- checkpatch.pl: MISSING_SIGN_OFF ("Missing Signed-off-by: line(s)"),
  NO_AUTHOR_SIGN_OFF ("Missing Signed-off-by: line by nominal patch author")
"""

from __future__ import annotations

import re

from reviewbot.commitmsg import canonical_tag, commit_lines
from reviewbot.ruleapi import Report, rule

# Also `Signed-off-by:Name` and `Signed-off-by Name <a@b>`, which are no trailers to git but
# are meant as sign-offs (malformed-trailer reports their form).
_SOB = re.compile(r"^\s*signed-off-by\b\s*:?\s*(\S.*)$", re.IGNORECASE | re.MULTILINE)
_ANGLE = re.compile(r"^(.*?)\s*<\s*([^<>]*?)\s*>")
_BARE = re.compile(r"([^\s<>()\"']+@[^\s<>()\"']+)")
_VIA = re.compile(r"\s+via\s+\S.*$", re.IGNORECASE)   # a list's DMARC rewrite: "Jane Doe via foo-list"
_HINT = ("add 'Signed-off-by: Your Name <you@example.org>' to the commit message (git commit -s); "
         "see Documentation/process/submitting-patches.rst")


def identity(value: str) -> tuple[str, str]:
    """(name, address) of `Name <addr>`, `addr` or `Name`, both folded for comparison."""
    value = value.strip()
    m = _ANGLE.match(value)
    if m:
        name, address = m.group(1), m.group(2)
    else:
        bare = _BARE.search(value)
        address = bare.group(1) if bare else ""
        name = value.replace(address, "") if address else value
    name = _VIA.sub("", name.strip().strip("\"'").strip())
    address = address.strip().lower()
    local, at, domain = address.partition("@")
    if at and "+" in local:
        address = local.split("+", 1)[0] + "@" + domain   # RFC 5233 subaddress
    return _fold_name(name), address


def _fold_name(name: str) -> str:
    name = " ".join(name.replace("\"", " ").split()).casefold()
    if not name.isascii():
        import unicodedata
        name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return name


def _same_person(author: tuple[str, str], signer: tuple[str, str]) -> bool:
    if author[1] and author[1] == signer[1]:
        return True
    return bool(author[0]) and author[0] == signer[0]


@rule("missing-signed-off-by", severity="error", scope="mail",
      checkpatch=("MISSING_SIGN_OFF", "NO_AUTHOR_SIGN_OFF"))
def check(ctx):
    message = ctx.message
    if message.kind == "diff":
        return   # no commit message to sign
    # A misspelt `Signe-off-by:` is meant as a sign-off: malformed-trailer reports the spelling.
    signers = [(t.value, t.mail_line) for t in message.trailers
               if t.name.lower() == "signed-off-by" or canonical_tag(t.name) == "Signed-off-by"]
    if not signers and "igned-off" in message.commit_message.lower():
        signers = [(m.group(1), row) for row, line in commit_lines(message) for m in (_SOB.match(line),) if m]
    if not signers:
        rows = commit_lines(message)
        end_line = rows[-1][0] if rows else message.commit_message_line
        if message.kind == "archive" and not message.trailers:
            return   # the archive may have dropped the trailers; nothing to go on
        below = _SOB.search(message.notes)
        if below:
            yield Report(
                f"the only Signed-off-by: ('{below.group(1).strip()}') is below the '---' line, "
                "where git am drops it",
                mail_line=end_line,
                hint="move the Signed-off-by: line above the '---' line, after the commit message",
                checkpatch="MISSING_SIGN_OFF",
            )
            return
        yield Report("the commit message has no Signed-off-by: line", mail_line=end_line, hint=_HINT,
                     checkpatch="MISSING_SIGN_OFF")
        return
    if not message.author.strip():
        return
    author = identity(message.author)
    if not author[0] and not author[1]:
        return
    if message.kind == "archive" and not author[1]:
        return   # an archive shows a display name only; it need not be the name in the sign-off
    if any(_same_person(author, identity(value)) for value, _ in signers):
        return
    yield Report(
        f"no Signed-off-by: from the patch author '{message.author.strip()}'",
        mail_line=signers[0][1],
        hint="the author must sign off their own patch (git commit -s); when sending someone else's "
             "patch, keep their Signed-off-by: and add yours after it",
        checkpatch="NO_AUTHOR_SIGN_OFF",
    )
