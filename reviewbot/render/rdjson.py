"""reviewdog's Diagnostic Format: `{"source", "diagnostics": [...]}` for `reviewdog -f=rdjson`.

Each diagnostic has the message (the fix hint on a line of its own), the severity
(`ERROR`, `WARNING`, `INFO`), the rule id as its code, and a location:

- a line: the path and a range from the first non-blank character of the first line
  to the end of the last (columns are 1-based UTF-8 byte offsets, the end exclusive);
  line-wise (no columns) when the text of the lines is not known or the line is blank;
- a file: the path, no range;
- the mail: the input file and the line of the message; none from stdin or a git range.

No suggestions: reviewbot's hints are prose, not replacements.
"""

from __future__ import annotations

import json

from reviewbot.findings import Finding, Severity
from reviewbot.review import PatchReview, RunResult

SOURCE = {"name": "reviewbot"}
SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.NOTE: "INFO"}


def _range(review: PatchReview, f: Finding) -> dict:
    last = f.end_line or f.line
    first_text, last_text = review.quote(f.path, f.line), review.quote(f.path, last)
    if first_text is None or last_text is None or not first_text.strip():
        return {"start": {"line": f.line}, "end": {"line": last}}
    indent = len(first_text) - len(first_text.lstrip())
    return {
        "start": {"line": f.line, "column": len(first_text[:indent].encode("utf-8", "surrogateescape")) + 1},
        "end": {"line": last, "column": len(last_text.rstrip("\r\n").encode("utf-8", "surrogateescape")) + 1},
    }


def _location(review: PatchReview, f: Finding) -> dict | None:
    if f.path is not None:
        return {"path": f.path} if f.line is None else {"path": f.path, "range": _range(review, f)}
    source = review.message.origin.source
    if source == "-" or source.startswith("git:"):
        return None
    return {"path": source, "range": {"start": {"line": f.mail_line or 1}}}


def diagnostic(review: PatchReview, f: Finding) -> dict:
    """One reviewdog Diagnostic, self-contained (with its source), as rdjsonl wants it."""
    out: dict = {
        "message": f"{f.message}\nhelp: {f.hint}" if f.hint else f.message,
        "severity": SEVERITIES[f.severity],
        "source": SOURCE,
        "code": {"value": f.rule},
    }
    location = _location(review, f)
    if location is not None:
        out["location"] = location
    return out


def diagnostics(result: RunResult) -> list[dict]:
    return [diagnostic(review, f) for review in result.reviews for f in review.findings]


def render(result: RunResult) -> str:
    document = {"source": SOURCE, "diagnostics": diagnostics(result)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
