"""Severity, Finding and the one sort key every output uses."""

from __future__ import annotations

import enum
from typing import NamedTuple


class Severity(enum.IntEnum):
    """How bad a finding is; higher is worse, so `>=` compares against --fail-on."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or note)") from None

    def __str__(self) -> str:
        return self.name.lower()


class Finding(NamedTuple):
    """One thing a reviewer would say about a patch.

    `line`/`end_line` are lines of the new file; both are None for findings about
    the file as a whole (its mode, say) and `path` is None as well for findings
    about the mail.  `mail_line` is the line inside the message the finding is
    about (checkpatch's `-:N:`), counted from 1 with the headers.
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    end_line: int | None = None
    mail_line: int | None = None
    hint: str | None = None
    checkpatch_type: str | None = None
    preexisting: bool = False   # on an added line identical to one the patch removes (moved code)
    # The other places the finding covers, as (line, mail_line): a finding said once for many
    # lines ("and 12 more") still names each, for formats that list every place (checkpatch's).
    also: tuple[tuple[int | None, int | None], ...] = ()
    also_message: str | None = None   # what the finding says at each of those places (else `message`)

    @property
    def level(self) -> str:
        """`file`, `line` or `mail`: what the finding is anchored on."""
        if self.path is None:
            return "mail"
        return "file" if self.line is None else "line"


def sort_key(finding: Finding) -> tuple:
    """Mail-level first, then by path, line and rule id."""
    return (
        finding.path is not None,
        finding.path or "",
        finding.line is not None,
        finding.line or 0,
        finding.rule,
        finding.message,
    )
