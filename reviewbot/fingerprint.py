"""One fingerprint per finding, stable across rebases: the rule, the path, and the text of
the flagged lines (whitespace-normalised), not their numbers; for a finding about the file,
the file; about the mail, its message.  The n-th repeat of the same key gets n in its hash,
so two identical findings in one file stay two.  SARIF's `partialFingerprints` and the hidden
marker in each pull-request comment both use it: one recipe, one identity."""

from __future__ import annotations

import hashlib
from typing import Iterable

from reviewbot.findings import Finding


def key(f: Finding, quote) -> str:
    """`quote(path, line)` gives the text of a new-file line (None when unknown)."""
    if f.path is None:
        where = "<mail>\0" + " ".join(f.message.split())
    elif f.line is None:
        where = "<file>"
    else:
        where = "\n".join(" ".join((quote(f.path, n) or "").split())
                          for n in range(f.line, (f.end_line or f.line) + 1))
    return "\0".join((f.rule, f.path or "", where))


def fingerprints(reviews: Iterable) -> list[str]:
    """One fingerprint per finding of the `PatchReview`s, in their order (32 hex digits)."""
    seen: dict[str, int] = {}
    out = []
    for review in reviews:
        for f in review.findings:
            k = key(f, review.quote)
            n = seen.get(k, 0)
            seen[k] = n + 1
            out.append(hashlib.sha256(f"{k}\0{n}".encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return out
