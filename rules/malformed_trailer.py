"""
## What it does

Flags commit message tags that tools and maintainers cannot read as
written:

- `Signed-off-by:`, `Co-developed-by:`, `Reviewed-by:`, `Acked-by:` and
  `Tested-by:` that do not name a person as `Name <address>` (a bare
  address, a name without an address, an address without its closing `>`);
  `Reported-by:` and `Suggested-by:` may give a bare address
  (`Reported-by: syzbot+1234@syzkaller.appspotmail.com`);
- one of those tags misspelt (`Signed-of-by:`, `Sighed-off-by:`), in the
  wrong case (`Signed-Off-By:`), without a space after the colon, or
  repeated word for word;
- tags other projects use where the kernel has its own: `Co-authored-by:`
  (GitHub's; the kernel writes `Co-developed-by:` and the co-author's
  `Signed-off-by:`) and `Submitted-by:` (the sender's `Signed-off-by:` says
  who submitted);
- a `Co-developed-by:` that is not immediately followed by the same
  person's `Signed-off-by:`;
- a `Signed-off-by:` indented with the rest of a pasted message, when the
  message has no sign-off at the start of a line: git does not read it as a
  trailer;
- a `Fixes:` tag that is not `Fixes: <12 or more hex digits of the SHA-1>
  ("<subject>")`: a short or upper-case hash, the word `commit`, a URL, a
  missing or unclosed `("...")`, a tag wrapped over two lines.

On a web archive's copy, whose page may have eaten `<address>` as HTML
and changed the indentation, only the tag names, their order and `Fixes:`
are checked.  `Reviewbot-ignore:` and tags this rule does not know
(`Link:`, `Closes:`, `Generated-by:`, ...) are left alone, and so is a
`Fixes:` hash longer than 12 digits (linux-next's Fixes check asks for
"at least 12 digits", and git's core.abbrev may give 13 or more).

## Why is this bad?

Tags are read by tools: b4 and patchwork collect `Reviewed-by:`, the stable
team's scripts follow `Fixes:` to pick backports, and `git interpret-trailers`
only sees well-formed ones.  A misspelt `Signed-off-by:` is not a sign-off
at all, and a `Fixes:` tag with a seven-digit hash or no subject is
ambiguous today and may not resolve tomorrow.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH] foo: fix the bar count
Message-ID: <1@example.org>

The bar count is off by one when the queue wraps.

Fixes: 1234567 foo: count the bars
Reviewed-by: joe@example.org
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
Subject: [PATCH] foo: fix the bar count
Message-ID: <1@example.org>

The bar count is off by one when the queue wraps.

Fixes: 1234567890ab ("foo: count the bars")
Reported-by: syzbot+0123456789abcdef0123@syzkaller.appspotmail.com
Reviewed-by: Joe Reviewer <joe@example.org>
Acked-by: Ann Maintainer <ann@example.org> # for the DT part
Reviewbot-ignore: commit-message-long-line quoting a log
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

- Documentation/process/submitting-patches.rst, "Sign your work", "Using
  Reported-by:, Tested-by:, Reviewed-by:, Suggested-by: and Fixes:"
- checkpatch.pl: BAD_SIGN_OFF ("Non-standard signature", "Unrecognized email
  address", "Space required after Signed-off-by:", "Duplicate signature",
  "Do not use whitespace before Signed-off-by:", "Co-developed-by: must be
  immediately followed by Signed-off-by:"),
  BAD_FIXES_TAG ("Please use correct Fixes: style 'Fixes: <12+ chars of
  sha1> (\\"<title line>\\")'")
"""

from __future__ import annotations

import re

from reviewbot.commitmsg import PERSON_TAGS, canonical_tag, commit_lines
from reviewbot.ruleapi import Report, rule

_BARE_ADDRESS_OK = frozenset(("reported-by", "suggested-by"))
# Tags of other projects, for which the kernel has its own.
_FOREIGN_TAGS = {
    "co-authored-by": ("is GitHub's tag, not the kernel's",
                       "write 'Co-developed-by: Name <address>' followed by that person's 'Signed-off-by:'"),
    "submitted-by": ("is not a tag the kernel uses: the sender's Signed-off-by: says who submitted the patch",
                     "write 'Signed-off-by: Name <address>'"),
}
_INDENTED_SOB = re.compile(r"^\s+signed-off-by:", re.IGNORECASE)
_TAG_LINE = re.compile(r"^([A-Za-z][A-Za-z-]*-[Bb][Yy])(\s*):(\s*)(.*?)\s*$")
_NO_COLON_TAGS = ("signed-off-by ", "co-developed-by ", "reviewed-by ", "acked-by ", "tested-by ")
_NO_COLON = re.compile(r"^[\w-]+\s+[^:<>]*<[^<>\s]+@[^<>\s]+>\s*$")
_PERSON = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+@[^<>\s]+)>")
_ADDRESS = re.compile(r"^<?[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>?$")
_FIXES_LINE = re.compile(r"^(fixes)(\s*):(\s*)(.*?)\s*$", re.IGNORECASE)
_FIXES_GOOD = re.compile(r"^[0-9a-f]{12,40} \(\".+\"\)$")
_FIXES_FORMAT = "write it as 'Fixes: <12 or more characters of the SHA-1> (\"<subject line of that commit>\")'"


def _person_problem(tag: str, value: str, archive: bool) -> str | None:
    if archive:
        return None   # the page may have eaten `<address>` as markup
    m = _PERSON.match(value)
    if m:
        if not m.group("name").strip(" \"'"):
            return None if tag.lower() in _BARE_ADDRESS_OK else "gives an address but no name"
        return None
    if _ADDRESS.match(value):
        return None if tag.lower() in _BARE_ADDRESS_OK else "gives an address but no name"
    if "<" in value and ">" not in value:
        return "has an address without its closing '>'"
    if "://" in value:
        return "names a URL, not a person"
    if "@" not in value:
        return "has no email address"
    return "is not 'Name <address>'"


def _fixes_problem(value: str, next_line: str) -> str | None:
    if _FIXES_GOOD.match(value):
        return None
    if "://" in value:
        return "names a URL, not a commit (use Link: or Closes: for a URL)"
    m = re.match(r"^(commit\s+)?([0-9a-fA-F]+)(\s*)(.*)$", value)
    if not m or len(m.group(2)) < 5:
        return "does not start with a commit hash"
    if m.group(1):
        return "has the word 'commit' before the hash"
    digits, space, rest = m.group(2), m.group(3), m.group(4)
    if len(digits) < 12:
        return f"has a {len(digits)}-character hash; use at least 12"
    if digits != digits.lower():
        return "has an upper-case hash"
    if not rest:
        return "has no subject"
    if rest.startswith("(\"") and not rest.endswith("\")"):
        if next_line.strip() and not next_line.startswith(" ") and (next_line.rstrip().endswith("\")")):
            return "is wrapped over two lines (tags are exempt from line wrapping)"
        return "has a subject without the closing '\")'"
    if not rest.startswith("(\""):
        return "has a subject not in (\"...\")"
    if not space:
        return "has no space between the hash and the subject"
    return "is not in the standard form"


def _person(value: str) -> tuple[str, str]:
    """(name, address) of `Name <address>` or of a bare address, folded for comparison."""
    m = _PERSON.match(value)
    if m:
        return " ".join(m.group("name").strip(" \"'").split()).casefold(), m.group("address").lower()
    if "@" in value and " " not in value.strip():
        return "", value.strip().strip("<>").lower()
    return " ".join(value.split()).casefold(), ""


def _same_person(a: str, b: str) -> bool:
    (name_a, address_a), (name_b, address_b) = _person(a), _person(b)
    return bool(address_a and address_a == address_b) or bool(name_a and name_a == name_b)


def _is_sign_off(line: str) -> bool:
    """A sign-off at the start of a line, spelt right or not."""
    m = _TAG_LINE.match(line)
    if m:
        return m.group(1).lower() == "signed-off-by" or canonical_tag(m.group(1)) == "Signed-off-by"
    return line[:14].lower() == "signed-off-by "


def _indented_sign_offs(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The indented `Signed-off-by:` lines of the message's last paragraph, when no sign-off
    starts a line: a message pasted with its indentation (from `git show`), whose tags git
    does not read.  (A quoted commit's sign-off inside the message is followed by the
    author's own, and is left alone.)"""
    end = len(lines)
    while end and not lines[end - 1][1].strip():
        end -= 1
    start = end
    while start and lines[start - 1][1].strip():
        start -= 1
    found = [(row, line) for row, line in lines[start:end] if _INDENTED_SOB.match(line)]
    if found and any(line and line[0] not in " \t" and _is_sign_off(line) for _, line in lines):
        return []   # (asked only of a message with indented sign-offs: most have none)
    return found


@rule("malformed-trailer", severity="warning", scope="mail", checkpatch=("BAD_SIGN_OFF", "BAD_FIXES_TAG"))
def check(ctx):
    message = ctx.message
    if message.kind == "diff" or not message.commit_message:
        return
    archive = message.kind == "archive"
    lines = commit_lines(message)
    seen: set[tuple[str, str]] = set()
    for row, line in () if archive else _indented_sign_offs(lines):   # an archive's indentation is its own
        yield Report("'Signed-off-by:' is indented, so git does not read it as a tag", mail_line=row,
                     hint=f"start the line with the tag: '{line.strip()}'", checkpatch="BAD_SIGN_OFF")
    for k, (row, line) in enumerate(lines):
        if not line or line[0] in " \t>":
            continue
        first = line[0].lower()
        if first == "f":
            m = _FIXES_LINE.match(line)
            if m and m.group(4):   # (a bare `Fixes:` heads a list in prose)
                problem = _fixes_problem(m.group(4), lines[k + 1][1] if k + 1 < len(lines) else "")
                if problem:
                    yield Report(f"malformed Fixes: tag: it {problem}", mail_line=row, hint=_FIXES_FORMAT,
                                 checkpatch="BAD_FIXES_TAG")
            continue
        m = _TAG_LINE.match(line) if ":" in line else None   # (a tag line has a colon)
        if not m:
            if line[:16].lower().startswith(_NO_COLON_TAGS) and _NO_COLON.match(line):
                yield Report(f"'{line.split()[0]}' has no ':' after it", mail_line=row,
                             hint=f"write '{line.split()[0]}: Name <address>'", checkpatch="BAD_SIGN_OFF")
            continue
        name, space_before, space_after, value = m.groups()
        lowered = name.lower()
        canonical = PERSON_TAGS.get(lowered)
        if canonical is None:
            canonical = canonical_tag(name)
            if canonical is not None:
                yield Report(f"'{name}:' looks like a misspelt '{canonical}:'", mail_line=row,
                             hint=f"write '{canonical}: {value}'", checkpatch="BAD_SIGN_OFF")
            elif lowered in _FOREIGN_TAGS:
                why, hint = _FOREIGN_TAGS[lowered]
                yield Report(f"'{name}:' {why}", mail_line=row, hint=hint, checkpatch="BAD_SIGN_OFF")
            continue
        if name != canonical:
            yield Report(f"'{name}:' is written '{canonical}:'", mail_line=row,
                         hint=f"write '{canonical}: {value}'", checkpatch="BAD_SIGN_OFF")
            continue
        if space_before or not space_after:
            yield Report(f"'{name}:' needs exactly one space after the colon and none before it", mail_line=row,
                         hint=f"write '{canonical}: {value}'", checkpatch="BAD_SIGN_OFF")
            continue
        problem = _person_problem(canonical, value, archive)
        if problem:
            yield Report(f"'{canonical}: {value}' {problem}", mail_line=row,
                         hint=f"write '{canonical}: Full Name <address>'", checkpatch="BAD_SIGN_OFF")
            continue
        key = (lowered, value.lower())
        if key in seen:
            yield Report(f"'{canonical}: {value}' appears twice", mail_line=row,
                         hint="drop the repeated tag", checkpatch="BAD_SIGN_OFF")
        seen.add(key)
        if lowered == "co-developed-by":
            following = lines[k + 1][1] if k + 1 < len(lines) else ""
            m = _TAG_LINE.match(following)
            if not (m and _is_sign_off(following) and _same_person(value, m.group(4))):
                yield Report(f"'Co-developed-by: {value}' is not immediately followed by that person's "
                             "Signed-off-by:", mail_line=row,
                             hint=f"put 'Signed-off-by: {value}' on the line after it "
                                  "(Documentation/process/submitting-patches.rst)", checkpatch="BAD_SIGN_OFF")
