"""One JSON object for tools: `{"version": 1, "patches": [...]}` (see README, "JSON output")."""

from __future__ import annotations

import json

from reviewbot.review import RunResult


def document(result: RunResult) -> dict:
    return {
        "version": 1,
        "patches": [
            {
                "source": str(r.message.origin),
                "message_id": r.message.message_id,
                "subject": r.message.subject,
                "notices": list(r.notices),
                "not_shown": {"preexisting": r.preexisting, "silenced": r.silenced},
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": str(f.severity),
                        "path": f.path,
                        "line": f.line,
                        "end_line": f.end_line,
                        "message": f.message,
                        "checkpatch_type": f.checkpatch_type,
                        "hint": f.hint,
                        "mail_line": f.mail_line,
                        "preexisting": f.preexisting,
                        "also": [{"line": n, "mail_line": m, "message": f.also_message or f.message}
                                 for n, m in f.also],
                    }
                    for f in r.findings
                ],
            }
            for r in result.reviews
        ],
        "skipped": [{"source": s.label, "reason": s.reason} for s in result.skipped],
    }


def render(result: RunResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
