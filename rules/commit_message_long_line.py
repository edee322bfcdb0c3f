"""
## What it does

Flags a commit message with lines longer than 75 columns, once per patch, on
the first such line, naming the others.  Lines that cannot or should not be wrapped are left
alone: quoted logs and code (indented lines, `[   12.345678]` kernel log
lines and the `Call Trace:` / register dump block they start, compiler and
checker output such as `drivers/foo.c:12:3: warning: ...`, `make: ***`,
`dev_printk()`-style lines like `usb 1-1.1: new device`), mail quotes
(`> ...`), lines holding a URL, a commit reference (`1234567890ab ("title")`),
tags (`Fixes:`, `Link:`, `Closes:`, `Signed-off-by:`, any `Xxx-by:`), and
lines holding a word longer than the limit (a long path), which no wrapping
can fix.  A web archive's copy is not judged:
it lost the indentation that marks quoted logs.

## Why is this bad?

`git log` indents the message by four columns; 75 columns keep it inside an
80-column terminal, and mail replies quoting it stay readable.  An unwrapped
paragraph usually means the message was written in an editor that does not
wrap, and reads as one long line in every tool that shows history.

## Example

```patch
From: Jane Developer <jane@example.org>
Subject: [PATCH] foo: fix the bar count
Message-ID: <1@example.org>

The bar count is off by one when the queue wraps, because foo_next() returns the slot after the last one.

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

The bar count is off by one when the queue wraps, because foo_next()
returns the slot after the last one:

[   12.345678] foo 0000:00:1f.0: bar count 4294967295 exceeds the queue size of 64 entries

Fixes: 1234567890ab ("foo: count the bars in the queue instead of the slots in use")
Link: https://lore.kernel.org/all/20240102100000.1234-1-someone-with-a-long-address@example.org/
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

- Documentation/process/submitting-patches.rst, "The canonical patch format"
  (wrap the body at 75 columns; tags are exempt)
- checkpatch.pl: COMMIT_LOG_LONG_LINE ("Prefer a maximum 75 chars per line
  (possible unwrapped commit description?)")
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule

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
_COMMIT_REF = re.compile(r"\b[0-9a-f]{12,40}\s+\(\"")


def commit_lines(message) -> list[tuple[int, str]]:
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


def is_tag(line: str) -> bool:
    m = _TAG.match(line)
    if not m:
        return False
    name = m.group(1).lower()
    return name in _TAG_NAMES or "-" in name


def prose_lines(message):
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


@rule("commit-message-long-line", severity="warning", scope="mail", checkpatch=("COMMIT_LOG_LONG_LINE",),
      options={"max-line-length": 75})
def check(ctx):
    message = ctx.message
    if message.kind != "mail" or not message.commit_message:
        return
    limit = ctx.options["max-line-length"]
    text = message.commit_message
    if "\t" not in text and max(map(len, text.split("\n"))) <= limit:
        return
    long_lines = []
    for row, line in prose_lines(message):
        width = len(line.expandtabs(8))
        if width <= limit or "://" in line or _COMMIT_REF.search(line):
            continue
        if max(map(len, line.split())) > limit:
            continue   # a word longer than the limit (a path, a hash): wrapping cannot help
        long_lines.append((row, width))
    if not long_lines:
        return
    row, width = long_lines[0]
    more = f" (and {len(long_lines) - 1} more)" if len(long_lines) > 1 else ""
    yield Report(
        f"commit message line is {width} columns long, more than {limit}{more}",
        mail_line=row,
        hint=f"wrap the commit message at {limit} columns; indent quoted logs and code instead of wrapping them",
        also=tuple(r for r, _ in long_lines[1:]),
        also_message=f"commit message line longer than {limit} columns",
    )
