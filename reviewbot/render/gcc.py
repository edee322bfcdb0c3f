"""Compiler-style lines editors jump to: `path:line:col: severity: message [rule]`.

A finding about a whole file has no line (`path: severity: ...`, as gcc prints
for a file); one about the mail points into the input (`patch.mbox:N:1: ...`).
"""

from __future__ import annotations

from reviewbot.review import RunResult


def _column(text: str | None) -> int:
    if not text:
        return 1
    stripped = text.lstrip()
    return len(text[: len(text) - len(stripped)].expandtabs(8)) + 1


def render(result: RunResult) -> str:
    out = []
    for review in result.reviews:
        for f in review.findings:
            tail = f"{f.severity}: {' '.join(f.message.split())} [{f.rule}]"
            if f.path is None:
                source = review.message.origin.source
                out.append(f"{'<stdin>' if source == '-' else source}:{f.mail_line or 1}:1: {tail}")
            elif f.line is None:
                out.append(f"{f.path}: {tail}")
            else:
                out.append(f"{f.path}:{f.line}:{_column(review.quote(f.path, f.line))}: {tail}")
    return "".join(x + "\n" for x in out)
