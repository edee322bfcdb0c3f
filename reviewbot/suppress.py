"""What is not shown: code the patch only moved, and what the author or the config silenced.

Pure functions over findings; `review.Reviewer` applies them after the rules ran.
"""

from __future__ import annotations

import re
from typing import Iterable

from reviewbot.diff import FileChange
from reviewbot.findings import Finding
from reviewbot.model import Message

TRAILER = "reviewbot-ignore"
_IGNORE_LIST = re.compile(r"^\s*([a-z][a-z0-9-]*(?:\s*,\s*[a-z][a-z0-9-]*)*)(?:\s|$)")


def _squeeze(text: str) -> str:
    return "".join(text.split())


# A single line this long (ignoring whitespace) is distinctive enough to count as moved alone;
# shorter ones (`} else`, `return ret;`) only as part of a moved run of two or more.
DISTINCTIVE = 16

# Rules that judge whitespace: re-indenting a line, or adding spaces at its end, is the patch's
# own doing, so for them an added line counts as moved only when it is a removed line exactly.
WHITESPACE_RULES = frozenset({"trailing-whitespace", "space-indentation", "dos-line-endings"})


def _runs(files: tuple[FileChange, ...], kind: str, squeeze=_squeeze) -> list[list[tuple[str | None, int | None, str]]]:
    """The runs of consecutive `kind` lines of every hunk: [(path, new line, squeezed text)]."""
    runs = []
    for fc in files:
        for h in fc.hunks:
            run: list = []
            for x in h.lines:
                if x.kind == kind:
                    run.append((fc.path, x.new, squeeze(x.text)))
                elif run:
                    runs.append(run)
                    run = []
            if run:
                runs.append(run)
    return runs


def moved_lines(files: tuple[FileChange, ...], exact: bool = False) -> frozenset[tuple[str, int]]:
    """(path, new line) of the added lines that are, ignoring whitespace, lines the same
    patch removes (in any of its files): moved or re-indented code the author did not
    write.  Blank lines never count; short lines only with a moved neighbour.  `exact`:
    whitespace counts too."""
    squeeze = str if exact else _squeeze
    removed: dict[str, list[tuple[list, int]]] = {}
    for run in _runs(files, "-", squeeze):
        for k, (_, _, text) in enumerate(run):
            if text:
                removed.setdefault(text, []).append((run, k))
    if not removed:
        return frozenset()

    def neighbours_match(added: list, i: int, run: list, k: int) -> bool:
        return any(0 <= i + d < len(added) and 0 <= k + d < len(run) and added[i + d][2]
                   and added[i + d][2] == run[k + d][2] for d in (-1, 1))

    out = set()
    for added in _runs(files, "+", squeeze):
        for i, (path, line, text) in enumerate(added):
            places = removed.get(text) if text else None
            if places and (len(text) >= DISTINCTIVE or any(neighbours_match(added, i, run, k) for run, k in places)):
                out.add((path, line))
    return frozenset(out)


def mark_preexisting(findings: Iterable[Finding], files: tuple[FileChange, ...]) -> list[Finding]:
    """Mark the findings whose added lines were all moved (see `moved_lines`)."""
    findings = list(findings)
    if not any(f.line is not None for f in findings):
        return findings
    moved = moved_lines(files)
    if not moved:
        return findings
    added = {(fc.path, x.new) for fc in files for h in fc.hunks for x in h.added}
    exact = None
    out = []
    for f in findings:
        if f.line is not None:
            pool = moved
            if f.rule in WHITESPACE_RULES:
                exact = moved_lines(files, exact=True) if exact is None else exact
                pool = exact
            # Every added line the finding covers was moved; unchanged lines inside the range do not count.
            mine = [(f.path, n) for n in range(f.line, (f.end_line or f.line) + 1) if (f.path, n) in added]
            if mine and all(x in pool for x in mine):
                f = f._replace(preexisting=True)
        out.append(f)
    return out


def trailer_ignores(message: Message) -> frozenset[str]:
    """Rule ids silenced for this patch by `Reviewbot-ignore: rule-id[, rule-id ...] [reason]`
    trailers: the comma-separated list at the start; the reason is what follows it."""
    ids: set[str] = set()
    for t in message.trailers:
        if t.name.lower() == TRAILER:
            m = _IGNORE_LIST.match(t.value)
            if m:
                ids.update(x.strip() for x in m.group(1).split(","))
    return frozenset(ids)
