"""
## What it does

Flags an added line of C longer than 100 columns (tabs count to the next
multiple of eight; the limit is the option `max-line-length`).  Left alone:
a line whose excess is a string literal (the column past the limit is inside
the string, or only the string's closing `,`, `)` or `;` follow it), a line
with a URL, a table row on one line (`{ USB_DEVICE(...) },`), `EFI_GUID()` and
`DEFINE_PER_CPU()` lines (as checkpatch).  A line that replaces one that was
already over the limit (and is not much longer), or stands among unchanged
ones that are as long (the file's way), is reported as pre-existing: counted,
and shown only with `--show-preexisting`, as moved code is.  A comment that runs past the limit
is reported as such: it can be rewrapped.  Device trees are not checked: their
long lines are node names, binding constants and phandles with their
specifiers five or more levels deep, which cannot be broken, or a compatible
with its fallback, which DT maintainers take on one line.

## Why is this bad?

Coding style prefers 80 columns and treats 100 as the point where a line must
be broken: long lines are hard to read side by side, in a terminal, and in
mailed patches, and usually mean the code is nested too deep.  Strings that
users see are the exception: breaking them makes them impossible to grep for.

## Example

```c
static int foo_probe(struct platform_device *pdev)
{
	priv->regmap = devm_regmap_init_mmio(&pdev->dev, priv->base, &foo_regmap_config_with_a_long_name);
	return 0;
}
```

## Use instead

```c
static int foo_probe(struct platform_device *pdev)
{
	priv->regmap = devm_regmap_init_mmio(&pdev->dev, priv->base,
					     &foo_regmap_config_with_a_long_name);
	if (IS_ERR(priv->regmap))
		return dev_err_probe(&pdev->dev, PTR_ERR(priv->regmap), "cannot set up the register map: %pe\\n",
				     priv->regmap);
	return 0;
}
```

## References

- Documentation/process/coding-style.rst, section 2 (Breaking long lines and strings)
- checkpatch.pl: LONG_LINE, LONG_LINE_COMMENT ("line length of N exceeds 100
  columns"); LONG_LINE_STRING is checkpatch's warning about a string past the
  limit, which this rule leaves alone
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule

URL = re.compile(r"\b[a-z][\w.+-]*://\S", re.I)
SPECIAL = re.compile(r"\bEFI_GUID\s*\(|^\s*(?:\w+)?\s*DEFINE_PER_CPU")
# One entry of a table on one line, `{ USB_DEVICE(...), .driver_info = ... },`: tables are read
# across, and their rows are commonly left long.
TABLE_ROW = re.compile(r"^\s*\{.*(?:\}\s*,?|,)\s*(?:/\*.*\*/)?\s*$")
SLACK = 16   # a line that was over the limit may grow this much (an argument more) and stay the old line's
AFTER_STRING = re.compile(r"^[\s,;)\\]*$")   # what may follow a string that ends a line: `,`, `);`, `\`


def _width(text: str) -> int:
    return len(text.expandtabs(8)) if "\t" in text else len(text)


def _over(text: str, limit: int) -> bool:
    return (len(text) > limit or ("\t" in text and len(text) + 7 * text.count("\t") > limit)) \
        and _width(text) > limit


def _where(text: str, limit: int) -> str:
    """What the first column past the limit is in: "code", "string" or "comment".

    A string counts when the column is inside it, or when it ends the line; a
    comment when the column is inside one (a `*` line is a block comment's)."""
    stripped = text.lstrip()
    if stripped.startswith(("*", "/*", "//")) and not stripped.startswith("*/"):
        if not stripped.startswith("*") or stripped[1:2] in ("", " ", "\t", "/"):
            return "comment"
    col = 0
    k, n = 0, len(text)
    while k < n:
        c = text[k]
        if c == '"' or c == "'":
            start_col = col
            j = k + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            end = min(j + 1, n)
            end_col = col + _width(text[k:end])   # no tabs in a literal, usually; good enough when there are
            if c == '"' and start_col <= limit < end_col:
                return "string"
            if c == '"' and start_col <= limit and AFTER_STRING.match(text[end:]):
                return "string"
            col, k = end_col, end
            if col > limit:
                return "code"
            continue
        if text.startswith("/*", k) or text.startswith("//", k):
            close = n if text[k + 1] == "/" else text.find("*/", k + 2)
            close = n if close < 0 else close + 2
            end_col = col + _width(text[k:close])
            if col <= limit < end_col:
                return "comment"
            col, k = end_col, close
            continue
        col = (col // 8 + 1) * 8 if c == "\t" else col + 1
        if col > limit:
            return "code"
        k += 1
    return "code"


def _exempt(text: str, limit: int) -> bool:
    """A URL, a string past the limit (never break one a user sees), a table row, checkpatch's
    special cases."""
    return bool(URL.search(text) or SPECIAL.search(text) or TABLE_ROW.match(text)) or _where(text, limit) == "string"


def _was_long(hunk, line, limit: int) -> bool:
    """Does the added line stand where the patch removes a line that was over the limit already,
    and is it not much longer than that one?  (The lines of one run of changes replace each other.)"""
    run: list = []
    for x in hunk.lines + (None,):
        if x is not None and x.kind != " ":
            run.append(x)
            continue
        if line in run:
            widths = [_width(y.text) for y in run if y.kind == "-"]
            return bool(widths) and max(widths) > limit and _width(line.text) <= max(widths) + SLACK
        run = []
    return False


def _short(text: str, options) -> bool:
    """The common case: the line is within the limit.  (Not _over, in one test: a tab widens a
    line by seven columns at most, and a line without one is as wide as it is long.)"""
    limit = options["max-line-length"]
    return len(text) + 7 * text.count("\t") <= limit or _width(text) <= limit


@rule("long-line", severity="warning", scope="line", paths=("*.c", "*.h"),
      checkpatch=("LONG_LINE", "LONG_LINE_COMMENT", "LONG_LINE_STRING"), options={"max-line-length": 100},
      skip_line=_short)
def check(ctx):
    text = ctx.line.text
    limit = ctx.options["max-line-length"]
    if _short(text, ctx.options):
        return
    if _exempt(text, limit):
        return
    where = _where(text, limit)
    # Not the author's doing (shown only with --show-preexisting): the line replaces one that was
    # that long already, or the code around it has lines as long (the file's way).
    before = _was_long(ctx.hunk, ctx.line, limit) or any(
        x.kind == " " and _over(x.text, limit) and not _exempt(x.text, limit) for x in ctx.hunk.lines)
    width = _width(text)
    if where == "comment":
        yield Report(f"comment runs to column {width}, past the {limit}-column limit", line=ctx.line.new,
                     hint="rewrap the comment", checkpatch="LONG_LINE_COMMENT", preexisting=before)
    else:
        yield Report(f"line is {width} columns long (limit {limit})", line=ctx.line.new,
                     hint="break it after an argument or operator, or simplify the expression", preexisting=before)
