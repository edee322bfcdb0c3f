"""What a rule file imports: the `rule` decorator, `Report`, `Scope`, `Severity`.

A rule is a module in `rules/` named after its id, whose docstring is its
documentation and whose `check(ctx)` yields `Report`s.  The engine fills in the
rule id, severity, path and checkpatch type, so a rule only says where and what.
"""

from __future__ import annotations

import enum
from typing import Callable, NamedTuple

from reviewbot.findings import Severity

__all__ = ["Report", "RuleMeta", "Scope", "Severity", "rule"]


class Scope(str, enum.Enum):
    MAIL = "mail"          # headers, commit message, trailers, notes, damage
    FILE = "file"          # one FileChange's metadata
    LINE = "line"          # each added line as text
    HUNK = "hunk"          # the hunk's post-image window, parsed
    FUNCTION = "function"  # whole functions from the tree, else the hunk window

    def __str__(self) -> str:
        return self.value


class Report(NamedTuple):
    """What a rule says: a message, and the new-file line(s) it is about (None: the file or mail)."""

    message: str
    line: int | None = None
    end_line: int | None = None
    hint: str | None = None
    path: str | None = None        # only for mail-scope rules that name a file
    mail_line: int | None = None   # the line in the message, when the rule knows better
    checkpatch: str | None = None  # the checkpatch type of this report, when the rule maps to several


class RuleMeta(NamedTuple):
    id: str
    severity: Severity
    scope: Scope
    checkpatch: tuple[str, ...] = ()
    preview: bool = False
    paths: tuple[str, ...] = ()    # globs on the file's path; empty: every file


def rule(id: str, *, severity: str, scope: str, checkpatch: tuple[str, ...] = (), preview: bool = False,
         paths: tuple[str, ...] = ()) -> Callable:
    """Mark `check` as a rule's entry point and attach its metadata."""
    meta = RuleMeta(id, Severity.parse(severity), Scope(scope), tuple(checkpatch), preview, tuple(paths))

    def attach(check: Callable) -> Callable:
        check.rule_meta = meta
        return check

    return attach
