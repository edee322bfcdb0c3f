"""What a rule file imports: the `rule` decorator, `Report`, `Scope`, `Severity`.

A rule is a module in `rules/` named after its id, whose docstring is its
documentation and whose `check(ctx)` yields `Report`s.  The engine fills in the
rule id, severity, path and checkpatch type, so a rule only says where and what.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple

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
    # More places where the same thing holds, said once ("and 12 more"): new-file lines for a
    # report on a line, mail lines for a report on the mail.
    also: tuple[int, ...] = ()
    # What the finding says at each of those places, when `message` counts them ("3 lines ...").
    also_message: str | None = None
    # The fault was there before the patch (the line replaces one with the same fault, the code
    # around it does the same): counted, shown only with --show-preexisting, as moved code is.
    preexisting: bool = False


class RuleMeta(NamedTuple):
    id: str
    severity: Severity
    scope: Scope
    checkpatch: tuple[str, ...] = ()
    preview: bool = False
    paths: tuple[str, ...] = ()    # globs on the file's path; empty: every file
    options: Mapping[str, object] = MappingProxyType({})   # option name -> default (config may override)
    # For a line rule: a cheap test on the added line's text (and the options) that says `check`
    # would report nothing on it, so the engine need not call it (most lines).
    skip_line: Callable[[str, Mapping[str, object]], bool] | None = None


def rule(id: str, *, severity: str, scope: str, checkpatch: tuple[str, ...] = (), preview: bool = False,
         paths: tuple[str, ...] = (), options: Mapping[str, object] | None = None,
         skip_line: Callable[[str, Mapping[str, object]], bool] | None = None) -> Callable:
    """Mark `check` as a rule's entry point and attach its metadata.

    `options` declares the rule's settings and their defaults (kebab-case names,
    values of TOML types); `.reviewbot.toml` may override them under
    `[rules.<id>]`, and the rule reads the effective values as `ctx.options[name]`.

    `skip_line(text, options)`, for a line rule, is true of lines `check` would say nothing
    about; it only saves the calls (tests hold it to that).
    """
    meta = RuleMeta(id, Severity.parse(severity), Scope(scope), tuple(checkpatch), preview, tuple(paths),
                    MappingProxyType(dict(options or {})), skip_line)

    def attach(check: Callable) -> Callable:
        check.rule_meta = meta
        return check

    return attach
