"""The commit message of a Message as lines: their rows in the mail, prose apart from logs and
tags, the trailer names a misspelling stands for, and where version notes start.

What several mail rules ask of the same commit message lives here, so that a rule file holds
one rule and no rule imports another.
"""

from __future__ import annotations

import functools
import re

from reviewbot.model import Message

# --- rows in the mail ------------------------------------------------------------------


def commit_lines(message: Message) -> list[tuple[int, str]]:
    """(mail line, text) of each commit message line.

    Trailers carry their own mail line; the lines after one follow it, the lines before
    the first count on from `commit_message_line` (a quoted-printable soft break can make
    those a little early).
    """
    lines = message.commit_message.split("\n") if message.commit_message else []
    exact = message.commit_message_rows   # each line's row, as ingest recorded it
    if exact and len(exact) == len(lines):
        return list(zip(exact, lines))
    rows = [message.commit_message_line + k for k in range(len(lines))]
    k = 0
    for t in message.trailers:
        head = f"{t.name}:"
        j = k
        while j < len(lines) and not (lines[j].lstrip().startswith(head) and t.value in lines[j]):
            j += 1
        if j == len(lines):
            continue
        shift = t.mail_line - rows[j]
        if shift:
            for i in range(j, len(lines)):
                rows[i] += shift
        k = j + 1
    return list(zip(rows, lines))


# --- prose, logs, tool output and tags ---------------------------------------------------

_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):(?:\s|$)")
_TAG_NAMES = frozenset(
    "fixes link closes cc bug buglink subject from date to ref refs reference references message-id "
    "change-id reviewbot-ignore".split()
)
# The first line of a pasted log or dump: everything after it up to a blank line is log too.
_LOG_START = re.compile(
    r"^\s*(?:\[\s*\d+\.\d+\]|\[<[0-9a-fA-F]{8,}>\]|(?:WARNING|BUG|Oops|Call Trace|Hardware name|RIP|"
    r"Unable to handle kernel|Internal error|Kernel panic|general protection fault|KASAN|UBSAN|"
    r"kernel BUG at)\b|#\d+\s*\[[0-9a-fA-F]+\]|(?:\s+\w+:\s+[0-9a-fA-F]+){3})"
)
_LOG_WORDS = ("WARNING", "BUG", "Oops", "Call Trace", "Hardware name", "RIP", "Unable to handle kernel",
              "Internal error", "Kernel panic", "general protection fault", "KASAN", "UBSAN", "kernel BUG at")
# One line of tool output: `path/file.c:12:3: warning: ...`, `file.c: In function`, `make[2]: ***`,
# `ERROR: modpost: ...`, `dev_name 1-1.1: ...` (dev_printk), a commit reference.
_OUTPUT = re.compile(
    r"^(?:(?:[\w.+-]*/)+[\w.+-]+:|[\w.+-]+\.\w{1,4}:\d|[\w.+-]+\.[chS]: |make(?:\[\d+\])?: |"
    r"[A-Z][A-Z0-9_]+: |\*\*\* |"
    r"[a-z][\w-]* [\w-]*[\d.:][\w.:-]*(?: [\w-]+)?(?: \([^)]*\))?: )"
)


def is_tag(line: str) -> bool:
    """Does the line start with a tag: `Fixes:`, `Link:`, `Cc:`, ... or any `Xxx-by:`?"""
    m = _TAG.match(line)
    if not m:
        return False
    name = m.group(1).lower()
    return name in _TAG_NAMES or "-" in name


def prose_lines(message: Message):
    """(mail line, text) of the commit message lines written as prose: not quoted logs,
    tool output, mail quotes, tags or indented blocks."""
    in_log = False
    for row, line in commit_lines(message):
        if not line.strip():
            in_log = False
            continue
        # (_LOG_START matches only a line that starts with a space, `[`, `#` or one of its words;
        # a tag and tool output have a colon, but for `*** `.)
        if in_log or ((line[0].isspace() or line[0] in "[#" or line.startswith(_LOG_WORDS))
                      and _LOG_START.match(line)):
            in_log = True
            continue
        if line[0] in " \t>" or ((":" in line or line.startswith("*** "))
                                 and (is_tag(line) or _OUTPUT.match(line))):
            continue
        yield row, line


# --- trailer names -----------------------------------------------------------------------

PERSON_TAGS = {t.lower(): t for t in (
    "Signed-off-by", "Co-developed-by", "Reviewed-by", "Acked-by", "Tested-by", "Reported-by", "Suggested-by",
)}
# Other tags in use in the kernel's history, which are not misspellings of the ones above.
_OTHER_TAGS = frozenset(
    "nacked-by requested-by reviewed-and-tested-by tested-and-reviewed-by reported-and-tested-by "
    "debugged-by analyzed-by analysed-by bisected-by originally-by generated-by submitted-by assisted-by "
    "co-authored-by helped-by inspired-by based-on-patch-by noticed-by found-by diagnosed-by "
    "suggested-and-acked-by acked-and-tested-by signed-off-by reported-by tested-by".split()
)


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count once), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def canonical_tag(name: str) -> str | None:
    """The standard person tag `name` is a misspelling of, or None."""
    lowered = name.lower()
    if lowered in PERSON_TAGS or lowered in _OTHER_TAGS:
        return None
    for key, tag in PERSON_TAGS.items():
        limit = 2 if len(key) >= 11 else 1
        if _distance(lowered, key, limit) <= limit:
            return tag
    return None


# --- version notes -----------------------------------------------------------------------

_VERSION = r"(?:v\d+|version\s*\d+|rfc)"
_EARLIER = (r"(?:the\s+)?(?:previous|last|first|prior|earlier|original)\s+"
            r"(?:version|revision|patch(?:set)?|series|submission|iteration|posting|post|spin|round)")
# A cheap first look: does any line start like version notes could?  (Searched for in the text
# after a newline: `\n` where (?m)`^` would be lets the regex engine skip to the next newline
# instead of trying the pattern at every character.)
_HINTS = re.compile(r"(?i)\n {0,2}(?:[-*]\s*)?\[?(?:v\d|rfc|change|revision|version|history)")
# Anchored at the start of a line (up to two spaces of indent, an optional bullet).
_CHANGELOG = (
    r"^ {0,2}(?:[-*]\s*)?(?:"
    # Changes in v3 / Changes since v1: / Changelog v2 / Change log from v1 to v2 / changes since RFC
    r"(?:changes|changelog|change[\s-]*log|changes[\s-]*log|change[\s-]*history|revision\s+history|"
    r"version\s+history|history)\s*"
    r"(?:(?:in|since|from|for|to|between|compared\s+to|against|with|vs\.?|over|after|of|wrt)\s+)?"
    rf"(?:{_VERSION}\b|{_EARLIER})"
    # v2: / [v3] / V4 - / v2 (alone on its line)
    r"|\[?v\d+\]?\s*(?::|\s-\s|$)"
    # v1 -> v2 / v1 --- v2 / v2 <==> v1 / RFC -> v1 / v1..v2
    r"|(?:v\d+|rfc)\s*(?:->|-->|→|=>|to|vs\.?|<=*>|-{1,3}|\.\.)\s*v\d+"
    r")"
)


@functools.cache
def changelog_pattern() -> re.Pattern:
    """The start of version notes (compiled on first use: most messages never need it)."""
    return re.compile(_CHANGELOG, re.IGNORECASE)


def changelog_line(message: Message) -> tuple[int, str] | None:
    """(mail line, text) of the first commit message line that starts version notes, or None."""
    text = message.commit_message
    if not text or not _HINTS.search("\n" + text):
        return None
    pattern = changelog_pattern()
    for row, line in commit_lines(message):
        if pattern.match(line):
            return row, line
    return None
