"""GitHub Actions workflow commands: `::error file=P,line=N,endLine=M,title=RULE::message`.

They need no token, so they work for pull requests from forks.  Levels: error,
warning, and notice for notes.  A line finding carries file, line and endLine; a
file finding only the file; a mail finding (the commit message) neither, and shows
on the run.  Values are escaped as Actions reads them: `%`, CR and LF in the
message; `:` and `,` as well in properties.

Actions shows only 10 annotations of each level per step, so `extra_outputs` also
gives the whole list as Markdown for `$GITHUB_STEP_SUMMARY` when that is set; the
CLI appends it to the file (a renderer does no I/O).
"""

from __future__ import annotations

from typing import Mapping

from reviewbot.findings import Finding, Severity
from reviewbot.review import RunResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
SUMMARY_LIMIT = 1_000_000   # bytes; Actions refuses a step summary over 1 MiB


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(f: Finding) -> str:
    return f"{f.message}\nhelp: {f.hint}" if f.hint else f.message


def command(f: Finding) -> str:
    props = []
    if f.path is not None:
        props.append(("file", f.path))
        if f.line is not None:
            props += [("line", str(f.line)), ("endLine", str(f.end_line or f.line))]
    props.append(("title", f.rule))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.severity]} {head}::{escape_data(_message(f))}"


def render(result: RunResult) -> str:
    return "".join(command(f) + "\n" for review in result.reviews for f in review.findings)


# --- the step summary ------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell; the message's `code` spans are kept."""
    parts = text.split("`")
    if len(parts) % 2 == 0:   # an unpaired backtick: no code spans at all
        parts = [text.replace("`", "\\`")]
    for k in range(0, len(parts), 2):
        parts[k] = parts[k].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "`".join(parts).replace("|", "\\|")
    return "<br>".join(text.splitlines()) or " "


def _code(text: str) -> str:
    """A path or an input name as a code span inside a table cell."""
    text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _where(f: Finding) -> str:
    if f.path is None:
        return "the mail" if f.mail_line is None else f"the mail (line {f.mail_line} of the input)"
    if f.line is None:
        return _code(f.path)
    return _code(f"{f.path}:{f.line}" + (f"-{f.end_line}" if f.end_line else ""))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(result: RunResult) -> str:
    """Every finding as Markdown, one table per patch, cut short only at the 1 MiB limit."""
    counts = {s: sum(1 for r in result.reviews for f in r.findings if f.severity is s) for s in Severity}
    patches = f"{len(result.reviews)} patch" + ("" if len(result.reviews) == 1 else "es")
    found = [_plural(counts[s], str(s)) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE) if counts[s]]
    head = ["## reviewbot", "", (f"{', '.join(found)} in {patches}" if found else f"no findings in {patches}"), ""]
    body: list[str] = []
    for review in result.reviews:
        if not review.findings:
            continue
        body += [f"### {_cell(review.message.subject or review.message.label)}", "",
                 _code(str(review.message.origin)), "",
                 "| severity | where | rule | message |", "|---|---|---|---|"]
        for f in review.findings:
            body.append(f"| {f.severity} | {_where(f)} | `{f.rule}` | {_cell(_message(f))} |")
        body.append("")
    notices = [f"- {_code(str(r.message.origin))}: {_cell(n)}" for r in result.reviews for n in r.notices]
    if notices:
        body += ["### Notes", ""] + notices + [""]
    lines, size = head, sum(len(x.encode()) + 1 for x in head)
    for k, line in enumerate(body):
        size += len(line.encode("utf-8", "surrogateescape")) + 1
        if size > SUMMARY_LIMIT - 200:
            rest = sum(1 for x in body[k:] if x.startswith("| ") and not x.startswith("| severity"))
            lines += ["", f"... {_plural(rest, 'more finding')} not shown: a step summary is limited to 1 MiB", ""]
            break
        lines.append(line)
    return "\n".join(lines) + "\n"


def extra_outputs(result: RunResult, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path, text) to append to: the step summary, when Actions named a file for it."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    return [(path, summary(result))] if path else []
