"""The service's memory: one SQLite file in WAL mode.

Tables: `cursors` (where each source was read up to: a hint, never the identity),
`messages` (every message seen, by Message-ID: the identity), `reviews` and `findings`
(one review per (Message-ID, ruleset)), `replies` (every reply owed, by its own
deterministic Message-ID, with the bytes and a state), `errors` (what went wrong, for
`reviewbot status`).

Reply states:

    muted      a muted list: written down, never sent
    opted-out  the author asked not to get these
    capped     the thread already had its share of replies
    due        to be sent at `due_at` (embargo) or `next_attempt` (back-off)
    outbox     written to the outbox directory, waiting for a person
    sending    claimed by a delivery round; the message has not been handed over yet
    transmitting  the envelope was accepted and DATA is about to start: after a crash,
               nobody can tell whether the server took it
    unknown    a crash or a broken connection in `transmitting`: not retried blindly
    sent       delivered (via "smtp", "outbox" or seen in the "archive")
    failed     refused for good (5xx)
    dropped    a person dropped it from the outbox

Commits that only record what was read use `synchronous=NORMAL` (a process crash loses
nothing; a power cut may lose the last ones, which are then read and reviewed again).
The transitions that guard against sending twice (`sending`, `transmitting`) are
committed with `synchronous=FULL`, so they are on disk before the server sees a byte.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

SCHEMA_VERSION = "1"
LIVE_STATES = ("due", "outbox", "sending", "transmitting", "unknown", "sent")   # count against caps
ORDER = ("due", "outbox", "sending", "transmitting", "unknown", "sent", "failed", "dropped", "muted",
         "opted-out", "capped")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors(source TEXT PRIMARY KEY, value TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
    message_id TEXT PRIMARY KEY, list TEXT NOT NULL, origin TEXT NOT NULL, subject TEXT, author TEXT,
    date REAL, seen_at REAL NOT NULL, thread TEXT, version INTEGER, number INTEGER, total INTEGER,
    status TEXT NOT NULL, reason TEXT);
CREATE TABLE IF NOT EXISTS reviews(
    message_id TEXT NOT NULL, ruleset TEXT NOT NULL, reviewed_at REAL NOT NULL, findings INTEGER NOT NULL,
    worst TEXT, PRIMARY KEY(message_id, ruleset));
CREATE TABLE IF NOT EXISTS findings(
    message_id TEXT NOT NULL, ruleset TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, path TEXT,
    line INTEGER, end_line INTEGER, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_by_review ON findings(message_id, ruleset);
CREATE TABLE IF NOT EXISTS replies(
    reply_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, ruleset TEXT NOT NULL, list TEXT NOT NULL,
    thread TEXT NOT NULL, author TEXT, to_list INTEGER NOT NULL, state TEXT NOT NULL, due_at REAL NOT NULL,
    next_attempt REAL NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, attempted_at REAL,
    sent_at REAL, via TEXT, error TEXT, created REAL NOT NULL, updated REAL NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS replies_by_state ON replies(state, due_at);
CREATE INDEX IF NOT EXISTS replies_by_thread ON replies(thread);
CREATE TABLE IF NOT EXISTS errors(id INTEGER PRIMARY KEY, at REAL NOT NULL, place TEXT NOT NULL,
    text TEXT NOT NULL);
"""


class Reply(NamedTuple):
    reply_id: str
    message_id: str
    list: str
    thread: str
    author: str | None
    to_list: bool
    state: str
    due_at: float
    next_attempt: float
    attempts: int
    attempted_at: float | None
    sent_at: float | None
    via: str | None
    error: str | None
    updated: float
    data: bytes


_REPLY_COLUMNS = ", ".join(Reply._fields)


def bare(message_id: str) -> str:
    return message_id.strip().strip("<>")


class State:
    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            if durable:
                self.db.execute("PRAGMA synchronous=NORMAL")

    # --- cursors and messages ------------------------------------------------------------

    def cursor(self, source: str) -> str | None:
        row = self.db.execute("SELECT value FROM cursors WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, source: str, value: str, now: float) -> None:
        self.db.execute("INSERT INTO cursors VALUES (?, ?, ?) ON CONFLICT(source) DO UPDATE SET value = excluded.value,"
                        " updated = excluded.updated", (source, value, now))

    def seen(self, message_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE message_id = ?", (bare(message_id),)).fetchone() is not None

    def add_message(self, message_id: str, list_name: str, origin: str, status: str, now: float, *,
                    reason: str | None = None, subject: str | None = None, author: str | None = None,
                    date: float | None = None, thread: str | None = None, prefix=None) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (bare(message_id), list_name, origin, subject, author, date, now, thread,
             prefix.version if prefix else None, prefix.number if prefix else None,
             prefix.total if prefix else None, status, reason))

    def add_review(self, message_id: str, ruleset: str, findings: Iterable, now: float) -> None:
        findings = list(findings)
        worst = str(max(f.severity for f in findings)) if findings else None
        self.db.execute("INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?)",
                        (bare(message_id), ruleset, now, len(findings), worst))
        self.db.execute("DELETE FROM findings WHERE message_id = ? AND ruleset = ?", (bare(message_id), ruleset))
        self.db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            (bare(message_id), ruleset, f.rule, str(f.severity), f.path, f.line, f.end_line, f.message)
            for f in findings])

    # --- replies ------------------------------------------------------------------------

    def add_reply(self, reply_id: str, message_id: str, ruleset: str, list_name: str, thread: str,
                  author: str | None, to_list: bool, state: str, due_at: float, data: bytes, now: float) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO replies (reply_id, message_id, ruleset, list, thread, author, to_list, state,"
            " due_at, created, updated, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (bare(reply_id), bare(message_id), ruleset, list_name, thread, author, int(to_list), state, due_at,
             now, now, data))
        return cur.rowcount == 1

    def reply(self, reply_id: str) -> Reply | None:
        row = self.db.execute(f"SELECT {_REPLY_COLUMNS} FROM replies WHERE reply_id = ?", (bare(reply_id),)).fetchone()
        return _reply(row) if row else None

    def replies(self, states: Iterable[str], *, ready_at: float | None = None) -> list[Reply]:
        states = tuple(states)
        sql = f"SELECT {_REPLY_COLUMNS} FROM replies WHERE state IN ({','.join('?' * len(states))})"
        args: list = list(states)
        if ready_at is not None:
            sql += " AND due_at <= ? AND next_attempt <= ?"
            args += [ready_at, ready_at]
        return [_reply(r) for r in self.db.execute(sql + " ORDER BY due_at, created, reply_id", args)]

    def move(self, reply_id: str, from_states: Iterable[str], state: str, now: float, **fields) -> bool:
        """Set a reply's state (and other columns) if it is in one of `from_states`: a claim."""
        from_states = tuple(from_states)
        sets = ", ".join(f"{k} = ?" for k in ("state", "updated", *fields))
        cur = self.db.execute(
            f"UPDATE replies SET {sets} WHERE reply_id = ? AND state IN ({','.join('?' * len(from_states))})",
            (state, now, *fields.values(), bare(reply_id), *from_states))
        return cur.rowcount == 1

    def thread_replies(self, thread: str) -> int:
        return self.db.execute(
            f"SELECT COUNT(*) FROM replies WHERE thread = ? AND state IN ({','.join('?' * len(LIVE_STATES))})",
            (thread, *LIVE_STATES)).fetchone()[0]

    def sent_since(self, list_name: str, since: float) -> int:
        """Replies of a list handed to SMTP or the outbox since `since` (what the hourly cap counts)."""
        return self.db.execute(
            "SELECT COUNT(*) FROM replies WHERE list = ? AND attempted_at >= ? AND state IN"
            " ('outbox', 'sending', 'transmitting', 'unknown', 'sent')", (list_name, since)).fetchone()[0]

    # --- errors and counts --------------------------------------------------------------

    def error(self, place: str, text: str, now: float) -> None:
        self.db.execute("INSERT INTO errors (at, place, text) VALUES (?, ?, ?)", (now, place, text))

    def last_errors(self, n: int = 10) -> list[tuple[float, str, str]]:
        return list(reversed(self.db.execute("SELECT at, place, text FROM errors ORDER BY id DESC LIMIT ?",
                                             (n,)).fetchall()))

    def counts(self) -> dict:
        q = self.db.execute
        return {
            "messages": dict(q("SELECT status, COUNT(*) FROM messages GROUP BY status").fetchall()),
            "skipped": dict(q("SELECT reason, COUNT(*) FROM messages WHERE status = 'skipped' GROUP BY reason")
                            .fetchall()),
            "reviews": q("SELECT COUNT(*), COUNT(worst), COALESCE(SUM(findings), 0) FROM reviews").fetchone(),
            "replies": dict(q("SELECT state, COUNT(*) FROM replies GROUP BY state").fetchall()),
            "cursors": q("SELECT source, value, updated FROM cursors ORDER BY source").fetchall(),
        }


def _reply(row) -> Reply:
    values = dict(zip(Reply._fields, row))
    values["to_list"] = bool(values["to_list"])
    return Reply(**values)
