"""Crash safety of `reviewbot watch`: SIGKILL at each step (REVIEWBOT_CRASH_AT) in a real process,
then a restart, and exactly which mails the SMTP server received."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import run_cli
from test_watch import FINDINGS, CLEAN, Inbox, patch, replies, smtp, watch, write_config  # noqa: F401 (fixture)


def killed_run(config, step: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REVIEWBOT_CRASH_AT": step}
    r = subprocess.run([sys.executable, "-m", "reviewbot", "watch", "--config", str(config), "--once", "--backfill"],
                       env=env, cwd=config.parent, capture_output=True, text=True, timeout=120)
    assert r.returncode == -9, r.stderr     # killed where asked, not before, not after
    return r


def archive(tmp_path, confirm_hours: float = 6):
    inbox = Inbox(tmp_path / "inbox")
    inbox.add(patch(FINDINGS[0], 1), patch(CLEAN, 2), patch(FINDINGS[1], 3))
    return inbox


@pytest.mark.parametrize("step", ["after-review", "before-commit", "before-send"])
def test_a_kill_before_anything_reached_the_server_loses_nothing(tmp_path, smtp, step):
    archive(tmp_path)
    config = write_config(tmp_path, port=smtp.port)
    killed_run(config, step)
    assert smtp.received == []
    watch(config, backfill=True)                           # the restart
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]
    watch(config)
    assert len(smtp.received) == 2
    assert set(replies(tmp_path).values()) == {"sent"}


def test_a_kill_between_the_envelope_and_data_is_resent_when_the_list_never_shows_it(tmp_path, smtp):
    archive(tmp_path)
    config = write_config(tmp_path, port=smtp.port, lists="confirm-hours = 0")
    killed_run(config, "before-data")
    assert smtp.received == []
    watch(config, backfill=True)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]


@pytest.mark.parametrize("step", ["after-accept", "before-sent-commit"])
def test_a_kill_after_the_server_accepted_never_sends_twice(tmp_path, smtp, step):
    inbox = archive(tmp_path)
    config = write_config(tmp_path, port=smtp.port)
    killed_run(config, step)
    assert smtp.in_reply_to() == ["<p1@example.org>"]
    watch(config, backfill=True)       # the archive does not show it yet: unknown, not sent again
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]
    assert sorted(replies(tmp_path).values()) == ["sent", "unknown"]
    out = run_cli("status", "--config", str(config)).out
    assert "unknown 1" in out and "interrupted during DATA" in out

    inbox.add(smtp.raw(smtp.received[0]))                  # the list delivered it: the archive shows it
    watch(config)
    assert len(smtp.received) == 2
    assert set(replies(tmp_path).values()) == {"sent"}


def test_after_a_kill_the_reply_the_author_alone_got_is_never_guessed(tmp_path, smtp):
    archive(tmp_path)
    config = write_config(tmp_path, port=smtp.port, recipients="author", lists="confirm-hours = 0")
    killed_run(config, "after-accept")
    watch(config, backfill=True)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]    # p1 not again
    assert replies(tmp_path)["p1@example.org"] == "unknown"
    listed = run_cli("outbox", "list", "--config", str(config)).out
    assert "delivery unknown" in listed


def test_the_unknown_reply_of_the_list_is_resent_after_confirm_hours(tmp_path, smtp):
    archive(tmp_path)
    config = write_config(tmp_path, port=smtp.port)
    killed_run(config, "before-data")
    from test_watch import Clock

    clock = Clock()
    watch(config, backfill=True, clock=clock)
    assert smtp.in_reply_to() == ["<p3@example.org>"]
    clock.t += 6 * 3600 + 1
    watch(config, clock=clock)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]
