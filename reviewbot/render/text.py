"""For people: `path:line: severity: message [rule]`, the line quoted under it, notices last."""

from __future__ import annotations

from reviewbot.findings import Finding, Severity
from reviewbot.review import PatchReview, RunResult


SKIPPED = {
    "reply": ("reply", "replies"),
    "cover letter": ("cover letter", "cover letters"),
    "no diff": ("mail without a diff", "mails without a diff"),
}


def _where(review: PatchReview, f: Finding) -> str:
    if f.path is None:
        return f"{review.message.origin.source}:{f.mail_line}" if f.mail_line else str(review.message.origin)
    return f.path if f.line is None else f"{f.path}:{f.line}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render(result: RunResult) -> str:
    out: list[str] = []
    many = len(result.reviews) > 1
    for review in result.reviews:
        if many and review.findings:
            out.append(f"--- {review.message.label} ({review.message.origin})")
        for f in review.findings:
            moved = " (pre-existing: the code had this before the patch)" if f.preexisting else ""
            out.append(f"{_where(review, f)}: {f.severity}: {f.message} [{f.rule}]{moved}")
            if f.line is not None:
                for n in range(f.line, (f.end_line or f.line) + 1):
                    text = review.quote(f.path, n)
                    if text is not None:
                        out.append(f"  {n:>5} | {text.expandtabs(8)}".rstrip())
            if f.hint:
                out.append(f"        = help: {f.hint}")
    notices = [(r, n) for r in result.reviews for n in r.notices]
    for review, notice in notices:
        out.append(f"note: {review.message.origin}: {notice}")
    counts = {s: sum(1 for r in result.reviews for f in r.findings if f.severity is s) for s in Severity}
    total = sum(counts.values())
    patches = f"{len(result.reviews)} patch" + ("" if len(result.reviews) == 1 else "es")
    skipped = ""
    if result.skipped:
        kinds: dict[str, int] = {}
        for s in result.skipped:
            kinds[s.reason] = kinds.get(s.reason, 0) + 1
        skipped = " (skipped: " + ", ".join(
            f"{n} {SKIPPED.get(k, (k, k))[n != 1]}" for k, n in sorted(kinds.items())) + ")"
    hidden = []
    moved = sum(r.preexisting for r in result.reviews)
    silenced = sum(r.silenced for r in result.reviews)
    if moved:
        hidden.append(f"{moved} pre-existing (moved code, faults the code already had) not shown, "
                      "see --show-preexisting")
    if silenced:
        hidden.append(f"{silenced} silenced by configuration")
    skipped += f" ({'; '.join(hidden)})" if hidden else ""
    if total:
        parts = [_plural(counts[s], str(s)) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE) if counts[s]]
        out.append(f"{', '.join(parts)} in {patches}{skipped}")
    else:
        out.append(f"no findings in {patches}{skipped}")
    return "\n".join(out) + "\n"
