"""checkpatch.pl's `--terse --showfile --show-types` lines, for b4 and editors.

`PATH:LINE: LEVEL:TYPE: message` for a line, `-:N: LEVEL:TYPE: PATH: message` for
a file (N is the line of the message the file's diff starts on) and
`-:N: LEVEL:TYPE: message` for the mail.  Nothing at all when clean, and never
the text `ERROR:` inside a warning (b4 would count it as a failure).
"""

from __future__ import annotations

from reviewbot.findings import Finding, Severity
from reviewbot.review import RunResult

LEVELS = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.NOTE: "CHECK"}


def type_name(f: Finding) -> str:
    return f.checkpatch_type or f.rule.upper().replace("-", "_")


def line(f: Finding) -> str:
    level = LEVELS[f.severity]
    message = " ".join(f.message.split())
    if f.severity is not Severity.ERROR:
        message = message.replace("ERROR:", "error:")
    head = f"{level}:{type_name(f)}:"
    if f.path is not None and f.line is not None:
        return f"{f.path}:{f.line}: {head} {message}"
    where = f"-:{f.mail_line or 0}:"
    return f"{where} {head} {f.path}: {message}" if f.path else f"{where} {head} {message}"


def places(f: Finding) -> list[Finding]:
    """The finding, then one copy per place in `also`: checkpatch says a thing on every line."""
    message = f.also_message or f.message
    return [f] + [f._replace(message=message, line=n, end_line=None, mail_line=m, also=(), also_message=None)
                  for n, m in f.also]


def render(result: RunResult) -> str:
    # every place of every finding, in the order of the mail as checkpatch prints them (a finding
    # without a mail line keeps its place among the mail-level ones, first)
    lines = [line(g) for review in result.reviews
             for g in sorted((g for f in review.findings for g in places(f)), key=lambda g: g.mail_line or 0)]
    return "".join(x + "\n" for x in lines)
