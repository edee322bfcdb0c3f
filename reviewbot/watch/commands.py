"""`reviewbot outbox list|send|drop` and `reviewbot status`: what a person does with the
service's state (the replies waiting for approval, counts, the last errors)."""

from __future__ import annotations

import email.parser
import email.policy
import os
import time
from pathlib import Path
from typing import Mapping, TextIO

from reviewbot.errors import InputError
from reviewbot.reply import outbox_name
from reviewbot.watch.config import WatchConfig
from reviewbot.watch.service import Delivery, _Crash
from reviewbot.watch.state import ORDER, Reply, State, bare


def _headers(data: bytes):
    return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)


def _file(config: WatchConfig, r: Reply) -> Path:
    return Path(config.outbox) / outbox_name(f"<{r.reply_id}>")


def _short(r: Reply) -> str:
    return outbox_name(f"<{r.reply_id}>").removesuffix(".eml")


def _pick(state: State, ids: list[str], states: tuple[str, ...], named_states: tuple[str, ...]) -> list[Reply]:
    """The replies in `states` (all of them when no ID is given), or those IDs: a short ID
    (`outbox list`), a file name, or a Message-ID; a named reply may also be in `named_states`."""
    waiting = state.replies(states)
    if not ids:
        return waiting
    found = []
    for wanted in ids:
        key = bare(wanted).removesuffix(".eml")
        match = [r for r in state.replies(states + named_states) if key in (r.reply_id, _short(r))]
        if not match:
            raise InputError(f"{wanted}: no such reply waiting (see `reviewbot outbox list`)")
        found += match
    return found


def outbox_list(config: WatchConfig, out: TextIO) -> int:
    state = State(config.state)
    try:
        waiting = state.replies(("outbox",))
        for r in waiting:
            h = _headers(r.data)
            present = "" if config.outbox and _file(config, r).exists() else "  (file removed)"
            out.write(f"{_short(r)}  {r.list}  To: {h.get('To', '')}  {h.get('Subject', '')}{present}\n")
        unknown = state.replies(("unknown",))
        for r in unknown:
            out.write(f"{_short(r)}  {r.list}  delivery unknown after an interruption (send it by its ID "
                      f"if it never arrived)\n")
        if not waiting and not unknown:
            out.write("the outbox is empty\n")
    finally:
        state.close()
    return 0


def outbox_send(config: WatchConfig, ids: list[str], out: TextIO, environ: Mapping | None = None,
                now=time.time) -> int:
    """Send what waits in the outbox (as the files now read: a person may have edited them),
    through [smtp], and record it; a sent file moves to `sent/` in the outbox."""
    if config.smtp is None:
        raise InputError(f"{config.source}: outbox send needs an [smtp] table")
    if not config.outbox:
        raise InputError(f"{config.source}: no outbox directory is configured")
    environ = os.environ if environ is None else environ
    state = State(config.state)
    log = lambda text: out.write(f"{text}\n")   # noqa: E731
    delivery = Delivery(config, state, now=now, environ=environ, log=log,
                        crash=_Crash(environ.get("REVIEWBOT_CRASH_AT")))
    status = 0
    try:
        with delivery.send_lock():
            delivery.recover()
            _tidy(config, state)
            for r in _pick(state, ids, ("outbox",), ("unknown",)):
                path = _file(config, r)
                if r.state == "outbox":
                    if not path.exists():
                        out.write(f"{_short(r)}: {path} was removed; `reviewbot outbox drop {_short(r)}` to forget it\n")
                        status = 1
                        continue
                    data = path.read_bytes()
                else:
                    data = r.data
                result = delivery.send(r, data, "outbox")
                if result == "sent":
                    _tidy(config, state)
                elif result != "claimed elsewhere":
                    status = 1
                if result == "stop":
                    break
            delivery.close()
    finally:
        state.close()
    return status


def _tidy(config: WatchConfig, state: State) -> None:
    """Move the files of sent outbox replies to `sent/` (also after a crash between the two)."""
    directory = Path(config.outbox)
    for r in state.replies(("sent",)):
        if r.via != "outbox":
            continue
        path = _file(config, r)
        if path.exists():
            (directory / "sent").mkdir(exist_ok=True)
            os.replace(path, directory / "sent" / path.name)


def outbox_drop(config: WatchConfig, ids: list[str], out: TextIO, now=time.time) -> int:
    if not ids:
        raise InputError("outbox drop: name the replies to drop (see `reviewbot outbox list`)")
    state = State(config.state)
    try:
        for r in _pick(state, ids, ("outbox",), ("unknown",)):
            with state.transaction():
                state.move(r.reply_id, (r.state,), "dropped", now())
            if config.outbox:
                _file(config, r).unlink(missing_ok=True)
            out.write(f"dropped {_short(r)} <{r.reply_id}>\n")
    finally:
        state.close()
    return 0


def status(config: WatchConfig, out: TextIO) -> int:
    if not Path(config.state).exists():
        out.write(f"{config.state}: no state yet (`reviewbot watch` has not run)\n")
        return 0
    state = State(config.state)
    try:
        c = state.counts()
        messages = c["messages"]
        seen = sum(messages.values())
        out.write(f"state: {config.state}\n")
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(c["skipped"].items()))
        out.write(f"messages seen: {seen} (reviewed {messages.get('reviewed', 0)}, skipped "
                  f"{messages.get('skipped', 0)}{f': {skipped}' if skipped else ''}; own {messages.get('own', 0)}; "
                  f"errors {messages.get('error', 0)})\n")
        total, with_findings, findings = c["reviews"]
        out.write(f"reviews: {total} ({with_findings} with findings, {findings} findings)\n")
        replies = c["replies"]
        shown = ", ".join(f"{s} {replies[s]}" for s in ORDER if replies.get(s))
        out.write(f"replies: {shown or 'none'}\n")
        for source, value, updated in c["cursors"]:
            out.write(f"cursor {source}: {value} (at {_when(updated)})\n")
        failed = state.replies(("failed", "unknown"))
        for r in failed:
            out.write(f"{r.state} <{r.reply_id}> ({r.list}): {r.error or ''}\n")
        errors = state.last_errors()
        if errors:
            out.write("last errors:\n")
            for at, place, text in errors:
                out.write(f"  {_when(at)}  {place}: {text}\n")
    finally:
        state.close()
    return 0


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)) + "Z"
