"""What the service does with a message and a review: pure decisions, no I/O.

- Which messages are reviewed at all: not replies, not `Auto-Submitted` mail, not the
  bot's own mail, not mail without a diff, not cover letters.
- Whether a reply is owed (a finding at or above the list's threshold) and what becomes
  of it: recorded only (muted list, opted-out author, a thread that had its share), or
  due at the posting time plus the embargo.
- The hourly cap and the back-off after a temporary SMTP failure.
"""

from __future__ import annotations

import email.utils
import re
from typing import NamedTuple, Sequence

from reviewbot.findings import Finding
from reviewbot.model import Message
from reviewbot.review import skip_reason
from reviewbot.watch.config import Identity, ListSettings

HOUR = 3600.0
BACKOFF_FIRST = 60.0
BACKOFF_MAX = 6 * HOUR
_OWN_ID = re.compile(r"^reviewbot\.[0-9a-f]{32}@(.+)$")


def is_own(message: Message, identity: Identity) -> bool:
    """The bot's own mail: sent from its address, or carrying a Message-ID it makes."""
    for header in (message.sender, message.author):
        if header and email.utils.parseaddr(header)[1].lower() == identity.address:
            return True
    m = _OWN_ID.match(message.message_id or "")
    return bool(m and m.group(1).lower() == identity.domain)


def why_skipped(message: Message, identity: Identity) -> str | None:
    """Why a message gets no review, or None.  "own" first: the service notes its own mail."""
    if is_own(message, identity):
        return "own"
    if message.prefix.is_reply:
        return "reply"
    if message.auto_submitted and message.auto_submitted.strip().lower() != "no":
        return "auto-submitted"
    reason = skip_reason(message)
    if reason:
        return reason
    if not message.message_id:
        return "no message-id"
    return None


def thread_of(message: Message) -> str:
    """The thread a message belongs to: the first of its References, else what it replies
    to, else itself (a series hangs under its cover letter or first patch)."""
    if message.references:
        return message.references[0]
    return message.in_reply_to or message.message_id or ""


def posted_at(message: Message, seen_at: float) -> float:
    """When the message was posted: its Date, unless missing, unreadable or later than its arrival."""
    if message.date:
        try:
            when = email.utils.parsedate_to_datetime(message.date)
            if when is not None:
                stamp = when.timestamp()
                return min(stamp, seen_at)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return seen_at


def author_addresses(message: Message) -> set[str]:
    found = set()
    for header in (message.author, message.sender, message.reply_to):
        if header:
            addr = email.utils.parseaddr(header)[1].lower()
            if addr:
                found.add(addr)
    return found


def worth_saying(findings: Sequence[Finding], lst: ListSettings) -> tuple[Finding, ...]:
    """The findings a public reply carries: those at or above the list's threshold."""
    return tuple(f for f in findings if f.severity >= lst.threshold)


class Decision(NamedTuple):
    state: str        # muted | opted-out | capped | due
    due_at: float


def decide(lst: ListSettings, message: Message, thread_replies: int, seen_at: float) -> Decision:
    """What becomes of a reply owed to `message` (call it only when one is owed)."""
    due = posted_at(message, seen_at) + lst.embargo_hours * HOUR
    if not lst.live:
        return Decision("muted", due)
    if author_addresses(message) & lst.opt_out:
        return Decision("opted-out", due)
    if thread_replies >= lst.max_per_thread:
        return Decision("capped", due)
    return Decision("due", due)


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th temporary failure: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_MAX)
