"""--msgid: threads fetched from a lore-like server (a real HTTP server on loopback)."""

from __future__ import annotations

import gzip
import json
import urllib.parse

import pytest

from conftest import CORPUS, require_shared, run_cli
from loopback import Response, Server
from reviewbot.deliver.lore import clean_msgid, fetch_thread
from reviewbot.deliver.http import HttpError

PATCH_FILE = "ml-kernel-janitors/2019-04-29_3b3ae935a819_ASoC-sprd-Fix-return-value-check-in-sprd_mcdt_probe.patch"
MSGID = "20190429122512.59242-1-weiyongjun1@huawei.com"


def _thread() -> bytes:
    require_shared()
    patch = (CORPUS / PATCH_FILE).read_bytes()
    reply = (b"From: Reviewer <r@example.org>\nSubject: Re: [PATCH -next] ASoC: sprd: Fix return value check\n"
             b"Message-ID: <reply-1@example.org>\nIn-Reply-To: <" + MSGID.encode() + b">\n\nLooks good.\n")
    box = b""
    for mail in (patch, reply, patch):   # lore can list a message twice; it is reviewed once
        box += b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + mail.rstrip(b"\n") + b"\n\n"
    return box


def _lore(thread: bytes, fail_first: int = 0, status: int = 503):
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] <= fail_first:
            return Response(status, b"busy", {"Retry-After": "0"})
        parts = request.path.split("/")
        if request.method == "GET" and len(parts) == 4 and parts[1] == "all" and parts[3] == "t.mbox.gz" \
                and urllib.parse.unquote(parts[2]) == MSGID:
            return Response(200, gzip.compress(thread), {"Content-Type": "application/gzip"})
        return Response(404, b"not found")

    return Server(handler)


def test_check_msgid_reviews_the_thread_patches_and_skips_replies():
    with _lore(_thread()) as srv:
        run = run_cli("check", "--no-tree", "--no-config", "--format", "json", "--msgid", f"<{MSGID}>",
                      "--lore-url", f"{srv.url}/all")
    assert run.status in (0, 1), run.err
    doc = json.loads(run.out)
    assert [p["message_id"] for p in doc["patches"]] == [MSGID]
    assert [s["reason"] for s in doc["skipped"]] == ["reply"]
    assert doc["patches"][0]["source"] == f"lore:{MSGID}"
    request = srv.requests[0]
    assert request.headers["user-agent"].startswith("reviewbot/")
    assert request.path == f"/all/{MSGID}/t.mbox.gz"


def test_retries_on_5xx_and_429():
    for status in (503, 429):
        with _lore(_thread(), fail_first=2, status=status) as srv:
            data = fetch_thread(MSGID, f"{srv.url}/all", sleep=lambda s: None)
        assert data.count(b"Message-ID: <reply-1@example.org>") == 1
        assert len(srv.requests) == 3


def test_gives_up_after_the_retries_with_one_line():
    with _lore(_thread(), fail_first=10) as srv:
        run = run_cli("check", "--no-tree", "--msgid", MSGID, "--lore-url", f"{srv.url}/all")
    assert run.status == 2 and run.err.count("\n") == 1 and "HTTP 503" in run.err


def test_unknown_msgid_is_a_clear_error():
    with _lore(_thread()) as srv:
        run = run_cli("check", "--no-tree", "--msgid", "nope@example.org", "--lore-url", f"{srv.url}/all")
    assert run.status == 2 and "nope@example.org: no such message" in run.err


def test_unreachable_server_is_one_line(monkeypatch):
    monkeypatch.setenv("REVIEWBOT_HTTP_BACKOFF", "0")
    run = run_cli("check", "--no-tree", "--msgid", MSGID, "--lore-url", "http://127.0.0.1:9/all")
    assert run.status == 2 and run.err.startswith("reviewbot: GET http://127.0.0.1:9/all/") and "Traceback" not in run.err


def test_reply_msgid_writes_the_outbox(tmp_path):
    from test_reply import PATCH   # a patch with findings, Message-ID <20260302-foo-3@example.org>

    thread = b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + PATCH
    with _lore(thread.replace(b"20260302-foo-3@example.org", MSGID.encode())) as srv:
        run = run_cli("reply", "--no-tree", "--no-config", "--select", "unchecked-null-return", "--msgid", MSGID,
                      "--lore-url", f"{srv.url}/all", "--outbox", str(tmp_path))
    assert run.status == 0, run.err
    (reply,) = tmp_path.iterdir()
    assert f"In-Reply-To: <{MSGID}>" in reply.read_text()


@pytest.mark.parametrize("given, msgid", [
    ("<a.b@c>", "a.b@c"), ("id:a.b@c", "a.b@c"), ("https://lore.kernel.org/bpf/a.b@c/", "a.b@c"),
    ("https://lore.kernel.org/all/a.b@c/t.mbox.gz", "a.b@c"),
])
def test_msgid_forms(given, msgid):
    assert clean_msgid(given) == msgid


def test_not_a_msgid():
    with pytest.raises(HttpError):
        clean_msgid("two words")
