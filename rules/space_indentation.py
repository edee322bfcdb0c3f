"""
## What it does

Flags an added line of C, a device tree or Kconfig whose indentation uses
spaces where the kernel uses tabs: eight or more spaces where a tab belongs
(alone, or after the tabs), a space before a tab (in the indentation or in the
alignment after the code), or, in C and device trees, a statement (or a line
of a macro's body) that starts a line indented with a few spaces instead of a
tab.  A new file indented with spaces throughout is said once per kind of
fault, naming every line.
Spaces after the tabs that align a continuation line with an open parenthesis
are fine, and so is Kconfig help text (a tab and two spaces).  The text of
block comments is left alone.  A line that replaces one with the same fault,
or in a hunk whose unchanged lines are indented with spaces too (the file
already does it: eight spaces, or the same few leading spaces or spaces
before tabs), is reported as pre-existing: counted, and shown only with
`--show-preexisting`, as moved code is.  Whitespace is not judged
where it cannot be trusted: a hunk mended on the way in, or a web archive's
copy.

## Why is this bad?

The kernel indents with tabs, eight columns wide.  Lines indented with spaces
look right in the author's editor and wrong in everyone else's, make the next
patch touching them re-indent them, and mixed tabs and spaces make `git diff`
and alignment inconsistent.  Maintainers ask for a resend.

## Example

```c
static int foo_probe(struct platform_device *pdev)
{
	struct foo_priv *priv;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
	        return -ENOMEM;
	return 0;
}
```

## Use instead

```c
static int foo_probe(struct platform_device *pdev)
{
	struct foo_priv *priv;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv),
			    GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	return 0;
}
```

## References

- Documentation/process/coding-style.rst, section 1 (Indentation)
- Documentation/kbuild/kconfig-language.rst (help text: a tab and two spaces)
- checkpatch.pl: CODE_INDENT ("code indent should use tabs where possible"),
  SPACE_BEFORE_TAB ("please, no space before tabs"), LEADING_SPACE ("please, no
  spaces at the start of a line")
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule

INDENT = re.compile(r"^[ \t]*")
# A line worth a closer look: a space before a tab, eight spaces after the tabs, or a few spaces
# before code (not a block comment's ` * `).
SUSPECT = re.compile(r"[ \t]* \t|\t* {8}| {1,7}[^ \t*]")
# A line that ends a statement, opens or closes a block, or is a label: the next line starts a statement.
STATEMENT_END = re.compile(r"[;{}]\s*$|^\s*(?:case\b.*|default\s*|\w+\s*):\s*$")
LABEL = re.compile(r"^\s*\w+\s*:(?!:)")


def _kconfig(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith("Kconfig")


def _problem(indent: str, kconfig: bool) -> tuple[str, str, str] | None:
    """(message, hint, checkpatch type) for indentation that should have been tabs, or None."""
    if " \t" in indent:
        return ("space before a tab in the indentation", "indent with tabs only, then spaces to align",
                "SPACE_BEFORE_TAB")
    spaces = len(indent) - len(indent.lstrip(" ")) if indent.startswith(" ") else 0
    if spaces >= 8:
        return (f"indented with {spaces} spaces instead of tabs",
                "indent with tabs (eight columns each), then fewer than eight spaces to align", "CODE_INDENT")
    trailing = len(indent) - len(indent.rstrip(" "))
    if trailing >= 8 and not kconfig:
        return (f"{trailing} spaces after the tabs in the indentation: eight of them make a tab",
                "use tabs as far as they go, then fewer than eight spaces to align", "CODE_INDENT")
    return None


@rule("space-indentation", severity="warning", scope="hunk", paths=("*.c", "*.h", "*.dts", "*.dtsi", "Kconfig*"),
      checkpatch=("CODE_INDENT", "SPACE_BEFORE_TAB", "LEADING_SPACE"))
def check(ctx):
    hunk = ctx.hunk
    if hunk.repaired or not ctx.message.whitespace_trusted:
        return
    for x in hunk.added:
        # SUSPECT.match(text) or a space before a tab (a line SUSPECT matches starts with a space
        # or has one after a tab: asked first, that spares most lines the match)
        text = x.text
        if " \t" in text or ((text[:1] == " " or "\t " in text) and SUSPECT.match(text) is not None):
            break
    else:
        return   # the common case, first: no added line has a space in its indentation, or before a tab
    kconfig = _kconfig(ctx.file.path)
    context = [x.text for x in hunk.lines if x.kind == " " and x.text.strip() and not x.text.lstrip().startswith("*")]
    # The file is indented with spaces here already: not this patch's doing (reported as pre-existing,
    # shown only with --show-preexisting).
    file_does_it = any(_problem(INDENT.match(t).group(0), kconfig) for t in context)
    # (a few leading spaces on an unchanged line: the file uses them, leave that kind alone)
    leading_ok = any(t[:1] == " " for t in context)
    aligned_ok = any(" \t" in t.lstrip(" \t") for t in context)   # and spaces before tabs in the alignment
    replaced = _replaced(hunk)
    found = []   # (line, message, hint, checkpatch type, pre-existing) in order
    in_comment = False
    previous = None   # the last line of code before this one in the post-image
    for x in hunk.post_image:
        text = x.text
        stripped = text.strip()
        starts_in_comment = in_comment
        in_comment = _comment_state(stripped, in_comment)
        if not stripped:
            continue
        if x.kind == "+" and not starts_in_comment and not stripped.startswith("*"):
            problem = _judge(text, stripped, previous, kconfig, leading_ok, aligned_ok)
            before = file_does_it
            if problem is None and (leading_ok or aligned_ok):
                # What unchanged lines of the hunk do too (a few leading spaces, a space before a
                # tab in the alignment): the file's way, reported as pre-existing.
                problem = _judge(text, stripped, previous, kconfig, False, False)
                before = True
            old = replaced.get(x.new)
            if problem is not None and old is not None and not before:
                was = _judge(old, old.strip(), previous, kconfig, leading_ok, aligned_ok)
                before = was is not None and was[2] == problem[2]   # the line it replaces had the same fault
            if problem is not None:
                found.append((x, *problem, before))
        if not starts_in_comment and not stripped.startswith(("*", "/*", "//")):
            previous = _code(stripped)
    yield from _reports(found, hunk, ctx.file.status == "added")


def _replaced(hunk) -> dict[int, str]:
    """The removed line each added line replaces, by new-file line: the k-th added line of a
    run of changes pairs with the k-th removed one."""
    out: dict[int, str] = {}
    run: list = []
    for x in hunk.lines + (None,):
        if x is not None and x.kind != " ":
            run.append(x)
            continue
        if run:
            removed = [y.text for y in run if y.kind == "-"]
            added = [y.new for y in run if y.kind == "+"]
            out.update(zip(added, removed))
        run = []
    return out


# A new file with this many lines indented with spaces, in this many places, was written (or
# imported) with spaces throughout: say so once.
WHOLE_FILE_LINES = 20
WHOLE_FILE_RUNS = 5
KINDS = ("CODE_INDENT", "LEADING_SPACE", "SPACE_BEFORE_TAB")
WHOLE_FILE = {"CODE_INDENT": "are indented with spaces where the kernel uses tabs",
              "LEADING_SPACE": "start a statement with spaces instead of a tab",
              "SPACE_BEFORE_TAB": "have a space before a tab"}
ONE_LINE = {"CODE_INDENT": "is indented with spaces where the kernel uses tabs",
            "LEADING_SPACE": "starts a statement with spaces instead of a tab",
            "SPACE_BEFORE_TAB": "has a space before a tab"}


def _reports(found: list, hunk, new_file: bool):
    """One report per run of consecutive lines with the same problem; one for a whole new file
    indented with spaces."""
    runs: list[list] = []
    image = hunk.post_image
    index = {x.new: k for k, x in enumerate(image)}
    for item in found:
        if runs:
            last = runs[-1][-1]
            between = image[index[last[0].new] + 1:index[item[0].new]]
            if last[3:] == item[3:] and all(not y.text.strip() for y in between):
                runs[-1].append(item)
                continue
        runs.append([item])
    if new_file and len(found) >= WHOLE_FILE_LINES and len(runs) >= WHOLE_FILE_RUNS:
        # Said once per kind of fault, naming every line it covers (checkpatch's format lists them).
        for kind in sorted({item[3] for item in found}, key=KINDS.index):
            lines = [item[0].new for item in found if item[3] == kind]
            what = WHOLE_FILE[kind] if len(lines) > 1 else ONE_LINE[kind]
            yield Report(f"{len(lines)} lines of this new file {what} (first here)" if len(lines) > 1
                         else f"a line of this new file {what}", line=lines[0],
                         hint="re-indent the file with tabs (eight columns each)", checkpatch=kind,
                         also=tuple(lines[1:]), also_message=f"this line {ONE_LINE[kind]}")
        return
    for run in runs:
        x, message, hint, kind, before = run[0]
        if len(run) == 1:
            yield Report(message, line=x.new, hint=hint, checkpatch=kind, preexisting=before)
        else:
            what = {"SPACE_BEFORE_TAB": "have a space before a tab",
                    "LEADING_SPACE": "are statements indented with spaces instead of a tab"}.get(
                        kind, "are indented with spaces instead of tabs")
            yield Report(f"{len(run)} lines {what}", line=x.new, end_line=run[-1][0].new, hint=hint, checkpatch=kind,
                         preexisting=before)


def _judge(text: str, stripped: str, previous: str | None, kconfig: bool, few_spaces_ok: bool,
           aligned_ok: bool) -> tuple[str, str, str] | None:
    """(message, hint, checkpatch type) of what is wrong with an added line's whitespace, or None."""
    found = _indentation(text, stripped, previous, kconfig, few_spaces_ok)
    if found is None and not aligned_ok:
        found = _alignment(text)
    return found


def _indentation(text: str, stripped: str, previous: str | None, kconfig: bool,
                 few_spaces_ok: bool) -> tuple[str, str, str] | None:
    indent = INDENT.match(text).group(0)
    if not indent:
        return None
    found = _problem(indent, kconfig)
    if found is not None or kconfig or few_spaces_ok:
        return found
    spaces = len(indent)
    if indent.strip(" ") or stripped.startswith(("#", "/*", "//")) or LABEL.match(stripped):
        return None   # tabs in it; a preprocessor line, a comment, a label
    plural = "s" if spaces > 1 else ""
    if previous is not None and previous.endswith("\\"):
        # A macro's body: the `#define` takes eight columns, so a few spaces align with nothing.
        return f"macro body indented with {spaces} space{plural} instead of a tab", "indent with tabs", "LEADING_SPACE"
    if stripped == "{" or previous is not None and STATEMENT_END.search(previous):
        return f"statement indented with {spaces} space{plural} instead of a tab", "indent with tabs", "LEADING_SPACE"
    return None


def _alignment(text: str) -> tuple[str, str, str] | None:
    """A space before a tab after the indentation, in code (not in a comment's or a string's text)."""
    rest = text.lstrip(" \t")
    at = rest.find(" \t")
    if at < 0 or rest.startswith(("*", "/*", "//")):
        return None
    before = rest[:at]
    if '"' in before or "'" in before or "/*" in before or "//" in before:
        return None
    return ("space before a tab", "remove the space: align with tabs only", "SPACE_BEFORE_TAB")


def _code(stripped: str) -> str:
    """The line without a comment that ends it: `int x;\t/* the x */` is `int x;`."""
    if "/" not in stripped:
        return stripped.rstrip()   # no comment to take off (the quotes matter only before one)
    return _code_scan(stripped)


def _code_scan(stripped: str) -> str:
    """_code, character by character (strings may hold `//` or `/*`)."""
    quote = None
    k = 0
    while k < len(stripped):
        c = stripped[k]
        if quote:
            if c == "\\":
                k += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif stripped.startswith("//", k):
            return stripped[:k].rstrip()
        elif stripped.startswith("/*", k):
            end = stripped.find("*/", k + 2)
            if end < 0:
                return stripped[:k].rstrip()
            stripped = stripped[:k] + " " + stripped[end + 2:]
        k += 1
    return stripped.rstrip()


def _comment_state(stripped: str, inside: bool) -> bool:
    """Is the next line inside a block comment, after this one?  (Strings are not looked into:
    a `/*` in a string literal is rare enough, and only makes the rule say less.)"""
    pos = 0
    while True:
        if inside:
            end = stripped.find("*/", pos)
            if end < 0:
                return True
            inside, pos = False, end + 2
        else:
            start = stripped.find("/*", pos)
            line_comment = stripped.find("//", pos)
            if start < 0 or (0 <= line_comment < start):
                return False
            inside, pos = True, start + 2
