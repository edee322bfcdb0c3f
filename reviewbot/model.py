"""The values ingest hands on: where a message came from, what it says, what was mended."""

from __future__ import annotations

from typing import NamedTuple



class Origin(NamedTuple):
    """Where a message was read: the input as the user named it, and its place there."""

    source: str          # a path, "-" for stdin, or "git:RANGE"
    index: int = 0       # 0-based position of the message inside the input
    start_line: int = 1  # line of the input where the message's headers begin

    def __str__(self) -> str:
        return self.source if self.index == 0 else f"{self.source}#{self.index + 1}"


class SubjectPrefix(NamedTuple):
    """What b4 reads from `[RFC PATCH net-next v2 1/3]`."""

    is_patch: bool = False
    is_reply: bool = False
    version: int = 1
    number: int | None = None
    total: int | None = None
    tags: tuple[str, ...] = ()   # RFC, RESEND, net-next, ...

    @property
    def is_cover_letter(self) -> bool:
        return self.number == 0


class Trailer(NamedTuple):
    name: str       # as written: Signed-off-by, Fixes, ...
    value: str
    mail_line: int  # line inside the message


class Repair(NamedTuple):
    """One mend ingest made to a damaged diff, or a hunk it had to give up on."""

    what: str
    path: str | None
    mail_line: int
    repaired: bool = True   # False: the hunk could not be mended and was dropped
    breaks_apply: bool = True   # False: git am applies the mail as sent anyway (an `index` line joined on)


class Message(NamedTuple):
    """One mail (or archive copy, or bare diff) as reviewbot understands it.

    `kind` is "mail" (RFC 822, including `git format-patch` output), "archive"
    (a web archive's text copy: whitespace is not to be trusted) or "diff" (a bare
    diff with no message around it).  `diff_lines` hold the diff after repairs,
    one string each without newline, and `diff_mail_lines` the line of the message
    each came from.
    """

    origin: Origin
    kind: str
    subject: str = ""
    title: str = ""
    prefix: SubjectPrefix = SubjectPrefix()
    message_id: str | None = None
    author: str = ""
    date: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    sender: str = ""                 # the mail's From: header (`author` may come from an in-body From:)
    reply_to: str | None = None
    auto_submitted: str | None = None
    commit: str | None = None
    commit_message: str = ""
    commit_message_line: int = 1
    commit_message_rows: tuple[int, ...] = ()   # the mail line of each commit_message line
    notes: str = ""
    trailers: tuple[Trailer, ...] = ()
    diff_lines: tuple[str, ...] = ()
    diff_mail_lines: tuple[int, ...] = ()
    repairs: tuple[Repair, ...] = ()
    repaired_hunks: frozenset[int] = frozenset()   # indexes into diff_lines of mended hunk headers

    @property
    def has_diff(self) -> bool:
        return bool(self.diff_lines)

    @property
    def whitespace_trusted(self) -> bool:
        return self.kind != "archive"

    @property
    def label(self) -> str:
        return self.subject or str(self.origin)
