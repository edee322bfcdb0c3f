"""Review replies as an mbox: one RFC 822 reply per patch that has findings (see reviewbot/reply.py)."""

from __future__ import annotations

import re
import time

from reviewbot import __version__
from reviewbot.reply import ReplySettings, compose, reply_id
from reviewbot.review import RunResult

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def replies(result: RunResult, settings: ReplySettings, ruleset: str, now: float) -> list[tuple[str, bytes]]:
    """(Message-ID, message) of each reply owed: one per patch with findings."""
    out = []
    for review in result.reviews:
        if review.findings:
            out.append((reply_id(review, settings, ruleset), compose(review, settings, ruleset, __version__, now)))
    return out


def render(result: RunResult, *, settings: ReplySettings = ReplySettings(), ruleset: str = __version__,
           now: float | None = None) -> str:
    """An mboxrd of the replies (empty when no patch has findings)."""
    chunks = []
    for _, data in replies(result, settings, ruleset, time.time() if now is None else now):
        body = _FROM_LINE.sub(rb">\1", data.replace(b"\r\n", b"\n"))
        chunks.append(b"From reviewbot@localhost Thu Jan  1 00:00:00 1970\n" + body.rstrip(b"\n") + b"\n\n")
    return b"".join(chunks).decode("utf-8")
