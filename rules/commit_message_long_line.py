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

from reviewbot.commitmsg import prose_lines
from reviewbot.ruleapi import Report, rule

_COMMIT_REF = re.compile(r"\b[0-9a-f]{12,40}\s+\(\"")


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
