"""What `b4 review` runs as `review-perpatch-check-cmd` expects: one JSON object per patch
(a list when the input held several), `{"tool", "status", "summary", "details"}`, where
`details` is itself a JSON list of `{"status", "description", "context", "srcline"}`."""

from __future__ import annotations

import json

from reviewbot.findings import Finding, Severity
from reviewbot.review import PatchReview, RunResult

TOOL = "reviewbot"
STATUS = {Severity.ERROR: "fail", Severity.WARNING: "warn", Severity.NOTE: "pass"}


def _where(f: Finding) -> str:
    if f.path is None:
        return "commit message"
    return f.path if f.line is None else f"{f.path}:{f.line}"


def check(review: PatchReview) -> dict:
    findings = review.findings
    worst = max((f.severity for f in findings), default=None)
    status = "pass" if worst is None else STATUS[worst]
    counts = [(s, sum(1 for f in findings if f.severity is s)) for s in (Severity.ERROR, Severity.WARNING,
                                                                          Severity.NOTE)]
    summary = ", ".join(f"{n} {s}{'s' if n > 1 else ''}" for s, n in counts if n) or "no findings"
    details = [{
        "status": STATUS[f.severity],
        "description": f"{_where(f)}: {f.message}" + (f" ({f.hint})" if f.hint else ""),
        "context": f.rule,
        **({"srcline": review.quote(f.path, f.line)} if f.line is not None and review.quote(f.path, f.line) else {}),
    } for f in findings]
    return {"tool": TOOL, "status": status, "summary": summary, "details": json.dumps(details)}


def render(result: RunResult) -> str:
    checks = [check(r) for r in result.reviews]
    doc = checks[0] if len(checks) == 1 else checks
    return json.dumps(doc, ensure_ascii=False) + "\n"
