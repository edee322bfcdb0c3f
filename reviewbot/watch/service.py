"""`reviewbot watch`: read each list's new mail, review each patch once, and deliver the replies
that are owed, surviving a crash at any point without losing a reply or sending one twice.

A poll reads every list (`sources`), handles each new message in one transaction (the
message, its review and findings, the reply owed, and the source's cursor), then runs a
delivery round.  Delivery moves a reply `due -> sending -> transmitting -> sent`, with the
first two steps committed to disk before the SMTP server is told anything:

- a reply found in `sending` after a crash never reached DATA: it is simply due again;
- a reply found in `transmitting` may have been accepted: it becomes `unknown`, and is
  known delivered as soon as the watched archive shows its Message-ID (the service reads
  its own mail there).  When the reply went to the list and the archive still does not
  show it after the list's `confirm-hours`, it was lost on the way and is sent again; a
  reply that went to the author only cannot be confirmed, so it is never sent again on a
  guess (`reviewbot status` shows it, `reviewbot outbox send ID` sends it by hand).

`REVIEWBOT_CRASH_AT=STEP[:N]` kills the process with SIGKILL the Nth time (default: first)
it reaches STEP: after-review, before-commit, before-send, before-data, after-accept,
before-sent-commit.  The tests use it to show the above.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import signal
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping

from reviewbot.deliver.smtp import Ambiguous, Connection, Permanent, Transient, envelope
from reviewbot.errors import InputError
from reviewbot.watch.config import ListSettings, WatchConfig
from reviewbot.watch.policy import HOUR, author_addresses, backoff, decide, thread_of, why_skipped, worth_saying
from reviewbot.watch.sources import Item, SourceError, open_source
from reviewbot.watch.state import Reply, State, bare

CRASH_STEPS = ("after-review", "before-commit", "before-send", "before-data", "after-accept", "before-sent-commit")


class _Crash:
    """Fault injection for the crash-safety tests: SIGKILL at a named step."""

    def __init__(self, spec: str | None) -> None:
        step, _, count = (spec or "").partition(":")
        if step and step not in CRASH_STEPS:
            raise InputError(f"REVIEWBOT_CRASH_AT={spec}: unknown step (known: {', '.join(CRASH_STEPS)})")
        self.step = step or None
        self.left = int(count) if count.isdigit() else 1

    def at(self, step: str) -> None:
        if step == self.step:
            self.left -= 1
            if self.left <= 0:
                os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def file_lock(path: str, blocking: bool, busy: str) -> Iterator[None]:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            raise InputError(busy) from None
        yield
    finally:
        os.close(fd)


def redate(data: bytes, now: float) -> bytes:
    """The message with its Date header set to `now` (a reply held by an embargo is dated when sent)."""
    head, sep, body = data.partition(b"\n\n")
    date = b"Date: " + email.utils.formatdate(now, localtime=False).encode()
    head, n = re.subn(rb"(?im)^Date:[^\n]*(?:\n[ \t][^\n]*)*", date, head, count=1)
    return head + sep + body if n else data


def cursor_key(lst: ListSettings) -> str:
    """Where a list's cursor is kept: per list and source, so a list given another source
    starts that one from now (or --backfill) instead of misreading the old cursor."""
    src = lst.source
    return f"{lst.name} {src.type}:{src.path or f'{src.url}/{src.list}'}"


class Delivery:
    """Handing replies to SMTP with the state written around each step (shared by the service
    and `reviewbot outbox send`).  Call `recover()` first, holding the send lock."""

    def __init__(self, config: WatchConfig, state: State, *, now: Callable[[], float], environ: Mapping,
                 log: Callable[[str], None], crash: _Crash) -> None:
        self.config, self.state, self.now, self.environ, self.log, self.crash = config, state, now, environ, log, crash
        self.connection: Connection | None = None
        self.failures = 0

    def send_lock(self):
        return file_lock(self.config.state + ".send.lock", True, "another process is delivering")

    def recover(self) -> None:
        """Replies a killed process left half-way: `sending` had not reached DATA (due again),
        `transmitting` may have been accepted (unknown)."""
        now = self.now()
        for r in self.state.replies(("sending",)):
            with self.state.transaction():
                back = "outbox" if r.via == "outbox" else "due"
                self.state.move(r.reply_id, ("sending",), back, now)
        for r in self.state.replies(("transmitting",)):
            with self.state.transaction():
                self.state.move(r.reply_id, ("transmitting",), "unknown", now,
                                error="interrupted during DATA: the server may have accepted it")
                self.state.error(f"reply <{r.reply_id}>", "delivery interrupted during DATA; waiting for the "
                                 "archive to show it", now)
            self.log(f"<{r.reply_id}>: interrupted during DATA; delivery unknown until the archive shows it")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, r: Reply, data: bytes, via: str) -> str:
        """Deliver one reply claimed from its current state; returns its new state, or "stop"
        when the server cannot be reached (the other replies then wait for the next round)."""
        state, now = self.state, self.now()
        if self.config.smtp is None:
            raise InputError(f"{self.config.source}: no [smtp] table: cannot send")
        with state.transaction(durable=True):
            if not state.move(r.reply_id, (r.state,), "sending", now, attempted_at=now, via=via):
                return "claimed elsewhere"
        self.crash.at("before-send")
        data = redate(data, now)
        if self.connection is None:
            self.connection = Connection(self.config.smtp, self.environ)

        def before_data() -> None:
            with state.transaction(durable=True):
                state.move(r.reply_id, ("sending",), "transmitting", self.now())
            self.crash.at("before-data")

        try:
            refused = self.connection.send(self.config.identity.address, envelope(data), data, before_data)
        except Transient as e:
            attempts = r.attempts + 1
            wait = backoff(attempts)
            back = "outbox" if via == "outbox" else "due"
            with state.transaction():
                state.move(r.reply_id, ("sending", "transmitting"), back, self.now(), attempts=attempts,
                           next_attempt=self.now() + wait, error=str(e))
                state.error(f"reply <{r.reply_id}>", f"temporary failure, retrying in {wait:.0f} s: {e}", self.now())
            self.failures += 1
            self.log(f"<{r.reply_id}>: temporary failure ({e}); retrying in {wait:.0f} s")
            if self.connection is not None and self.connection.smtp is None:
                return "stop"
            return back
        except Permanent as e:
            with state.transaction():
                state.move(r.reply_id, ("sending", "transmitting"), "failed", self.now(), error=str(e),
                           attempts=r.attempts + 1)
                state.error(f"reply <{r.reply_id}>", f"refused for good: {e}", self.now())
            self.failures += 1
            self.log(f"<{r.reply_id}>: refused for good ({e})")
            return "failed"
        except Ambiguous as e:
            with state.transaction():
                state.move(r.reply_id, ("transmitting",), "unknown", self.now(), error=str(e))
                state.error(f"reply <{r.reply_id}>", f"delivery unknown: {e}", self.now())
            self.failures += 1
            self.log(f"<{r.reply_id}>: delivery unknown ({e})")
            return "unknown"
        self.crash.at("after-accept")
        with state.transaction():
            note = "; ".join(f"{k}: {v}" for k, v in refused.items()) or None
            state.move(r.reply_id, ("transmitting",), "sent", self.now(), sent_at=self.now(), error=note)
            self.crash.at("before-sent-commit")
        self.log(f"sent <{r.reply_id}> to {', '.join(envelope(data))}")
        return "sent"


class Service:
    def __init__(self, config: WatchConfig, *, now: Callable[[], float] = time.time, environ: Mapping | None = None,
                 log=None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.now = now
        self.environ = os.environ if environ is None else environ
        self.out = log if log is not None else sys.stderr
        self.sleep = sleep
        self.crash = _Crash(self.environ.get("REVIEWBOT_CRASH_AT"))
        self.state = State(config.state)
        self.delivery = Delivery(config, self.state, now=now, environ=self.environ, log=self.log, crash=self.crash)
        self.stopping = False
        self.errors = 0
        self._review = None

    def log(self, text: str) -> None:
        self.out.write(f"reviewbot watch: {text}\n")
        self.out.flush()

    def close(self) -> None:
        self.delivery.close()
        self.state.close()

    # --- the loop -------------------------------------------------------------------------

    def run(self, once: bool = False, backfill: bool = False) -> int:
        with file_lock(self.config.state + ".watch.lock", False,
                       f"{self.config.state}: another `reviewbot watch` is using this state"):
            previous = {}
            if not once:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    previous[sig] = signal.signal(sig, self._stop)
            try:
                while True:
                    self.poll(backfill)
                    if once or self.stopping:
                        break
                    until = self.now() + self.config.poll_interval
                    while not self.stopping and self.now() < until:
                        self.sleep(min(1.0, max(0.0, until - self.now())))
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        return 1 if self.errors or self.delivery.failures else 0

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def poll(self, backfill: bool = False) -> None:
        for lst in self.config.lists:
            if self.stopping:
                return
            self.read_list(lst, backfill)
        self.deliver()

    def _error(self, place: str, text: str) -> None:
        self.errors += 1
        with self.state.transaction():
            self.state.error(place, text, self.now())
        self.log(f"{place}: {text}")

    # --- reading and reviewing ----------------------------------------------------------

    def reviewing(self):
        """(Reviewer, ruleset version), built once: the rules, the review configuration, the tree."""
        if self._review is None:
            from reviewbot import __version__
            from reviewbot.pipeline import Options, session
            from reviewbot.reply import ruleset_version

            c = self.config
            run = session(Options(config=c.review_config, no_config=c.review_config is None, tree=c.tree,
                                  no_tree=c.tree is None))
            self._review = (run.reviewer, ruleset_version(__version__, run.selection.rules))
        return self._review

    def read_list(self, lst: ListSettings, backfill: bool) -> None:
        counts = {"new": 0, "reviewed": 0, "replies": 0}
        try:
            source = open_source(lst.source, lst.name)
            if hasattr(source, "fetch"):
                source.fetch()
            key = cursor_key(lst)
            cursor = self.state.cursor(key)
            if cursor is None and not backfill:
                head = source.head()
                with self.state.transaction():
                    self.state.set_cursor(key, head, self.now())
                self.log(f"{lst.name}: first run: starting from now (--backfill reads what is already there)")
                return
            with closing(source.read(cursor)) as items:
                for item in items:
                    self.handle(lst, key, item, counts)
                    if self.stopping:
                        break
        except (SourceError, InputError, OSError) as e:
            self._error(lst.name, str(e))
        if counts["new"]:
            self.log(f"{lst.name}: {counts['new']} new, {counts['reviewed']} reviewed, "
                     f"{counts['replies']} with a reply owed")

    def handle(self, lst: ListSettings, key: str, item: Item, counts: dict) -> None:
        from reviewbot.mail import parse_message

        state, now = self.state, self.now()
        if item.raw is None:
            with state.transaction():
                state.set_cursor(key, item.cursor, now)
            return
        origin = str(item.raw.origin)
        try:
            message = parse_message(item.raw)
        except Exception as e:  # a message that cannot be parsed must not stop the list
            with state.transaction():
                state.error(origin, f"cannot parse: {type(e).__name__}: {e}", now)
                state.set_cursor(key, item.cursor, now)
            return
        mid = message.message_id or "sha256:" + hashlib.sha256(item.raw.data).hexdigest()
        if state.seen(mid):
            with state.transaction():
                state.set_cursor(key, item.cursor, now)
            return
        counts["new"] += 1
        fields = dict(subject=message.subject, author=message.author or message.sender, thread=thread_of(message),
                      prefix=message.prefix)
        reason = why_skipped(message, self.config.identity)
        if reason:
            with state.transaction():
                state.add_message(mid, lst.name, origin, "own" if reason == "own" else "skipped", now,
                                  reason=reason, **fields)
                if reason == "own" and state.move(mid, ("due", "unknown"), "sent", now, via="archive", sent_at=now):
                    self.log(f"<{bare(mid)}>: seen in the archive: delivered")
                state.set_cursor(key, item.cursor, now)
            return
        reviewer, ruleset = self.reviewing()
        try:
            review = reviewer.review(message)
        except RecursionError:
            review = None
            problem = "too deeply nested to review"
        except Exception as e:  # a bug must not stop the service; it is recorded and shown by status
            review = None
            problem = f"internal error ({type(e).__name__}: {e}); please report"
        if review is None:
            with state.transaction():
                state.add_message(mid, lst.name, origin, "error", now, reason=problem, **fields)
                state.error(origin, problem, now)
                state.set_cursor(key, item.cursor, now)
            return
        self.crash.at("after-review")
        counts["reviewed"] += 1
        owed = self._compose(lst, review, ruleset, now)
        with state.transaction():
            state.add_message(mid, lst.name, origin, "reviewed", now, **fields)
            state.add_review(mid, ruleset, review.findings, now)
            if owed:
                reply_id, data, to_list = owed
                decision = decide(lst, message, state.thread_replies(fields["thread"]), now)
                author = next(iter(sorted(author_addresses(message))), None)
                state.add_reply(reply_id, mid, ruleset, lst.name, fields["thread"], author, to_list,
                                decision.state, decision.due_at, data, now)
                counts["replies"] += 1
            state.set_cursor(key, item.cursor, now)
            self.crash.at("before-commit")

    def _compose(self, lst: ListSettings, review, ruleset: str, now: float) -> tuple[str, bytes, bool] | None:
        """(reply Message-ID, bytes, whether the list is among its recipients), or None: nothing
        at or above the list's threshold."""
        from reviewbot import __version__
        from reviewbot.reply import ReplySettings, compose, recipients, reply_message_id

        kept = worth_saying(review.findings, lst)
        if not kept:
            return None
        ident = self.config.identity
        settings = ReplySettings(ident.sender, lst.recipients, (lst.address,) if lst.address else (),
                                 ident.signature, ident.contact, ident.templates)
        shown = review._replace(findings=kept)
        data = compose(shown, settings, ruleset, __version__, now)
        to, cc = recipients(shown, settings)
        to_list = bool(lst.address) and any(email.utils.parseaddr(a)[1].lower() == lst.address.lower()
                                            for a in to + cc)
        return bare(reply_message_id(review.message.message_id, ruleset, ident.sender)), data, to_list

    # --- delivering ----------------------------------------------------------------------

    def deliver(self) -> None:
        delivery, state = self.delivery, self.state
        with delivery.send_lock():
            delivery.recover()
            self._resolve_unknown()
            try:
                for r in state.replies(("due",), ready_at=self.now()):
                    if self.stopping or self._deliver_one(r) == "stop":
                        break
            finally:
                delivery.close()

    def _resolve_unknown(self) -> None:
        """An `unknown` reply the archive shows was delivered; one that went to the list and is
        still not there after `confirm-hours` was lost, and is due again."""
        state, now = self.state, self.now()
        for r in state.replies(("unknown",)):
            lst = self.config.list_named(r.list)
            if state.seen(r.reply_id):
                with state.transaction():
                    state.move(r.reply_id, ("unknown",), "sent", now, via="archive", sent_at=now)
                self.log(f"<{r.reply_id}>: seen in the archive: delivered")
            elif lst is not None and r.to_list and now - (r.attempted_at or r.updated) >= lst.confirm_hours * HOUR:
                with state.transaction():
                    state.move(r.reply_id, ("unknown",), "due", now,
                               error=f"not in the archive {lst.confirm_hours:g} h after an interrupted delivery; "
                                     "sending again")
                self.log(f"<{r.reply_id}>: not in the archive after {lst.confirm_hours:g} h: sending again")

    def _deliver_one(self, r: Reply) -> str:
        state, now = self.state, self.now()
        lst = self.config.list_named(r.list)
        if lst is None:
            return "due"    # its list left the configuration: kept as it is
        if state.seen(r.reply_id):
            with state.transaction():
                state.move(r.reply_id, ("due",), "sent", now, via="archive", sent_at=now)
            return "sent"
        if not lst.live or (r.author and r.author in lst.opt_out):
            with state.transaction():
                state.move(r.reply_id, ("due",), "muted" if not lst.live else "opted-out", now)
            return "held"
        if state.sent_since(lst.name, now - HOUR) >= lst.max_per_hour:
            return "due"    # over the hourly cap: a later poll sends it
        if self.config.outbox:
            from reviewbot.reply import write_outbox

            write_outbox(Path(self.config.outbox), [(f"<{r.reply_id}>", redate(r.data, now))])
            with state.transaction():
                state.move(r.reply_id, ("due",), "outbox", now, attempted_at=now)
            self.log(f"<{r.reply_id}>: in the outbox for approval")
            return "outbox"
        return self.delivery.send(r, r.data, "smtp")
