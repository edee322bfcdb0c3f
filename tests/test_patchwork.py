"""`reviewbot patchwork`: checks posted to a patchwork-like server on loopback that enforces
the API's rules (token, fields, states, context pattern, target_url length)."""

from __future__ import annotations

import re
import urllib.parse

from conftest import SEED_MBOX, require_shared, run_cli
from loopback import Response, Server
from test_reply import PATCH

TOKEN = "s3cret"
STATES = {"pending", "success", "warning", "fail"}


class Patchwork:
    """Patches by Message-ID; POST checks as patchwork 3.x validates them."""

    def __init__(self, patches: dict[str, int], writable: bool = True) -> None:
        self.patches = patches
        self.writable = writable
        self.checks: list[tuple[int, dict]] = []

    def __call__(self, request):
        url = urllib.parse.urlsplit(request.path)
        query = urllib.parse.parse_qs(url.query)
        if request.method == "GET" and url.path == "/api/patches/":
            assert query["project"] == ["netdevbpf"]
            msgid = query["msgid"][0]
            pid = self.patches.get(msgid)
            return Response.of_json([] if pid is None else [{"id": pid, "msgid": f"<{msgid}>"}])
        m = re.fullmatch(r"/api/patches/(\d+)/checks/", url.path)
        if request.method == "POST" and m:
            if request.headers.get("authorization") != f"Token {TOKEN}":
                return Response.of_json({"detail": "Authentication credentials were not provided."}, 401)
            if not self.writable:
                return Response.of_json({"detail": "You do not have permission to perform this action."}, 403)
            body = request.json()
            errors = {}
            if body.get("state") not in STATES:
                errors["state"] = ["not a valid choice"]
            if not re.fullmatch(r"[-a-zA-Z0-9_]{1,255}", body.get("context") or ""):
                errors["context"] = ["invalid"]
            if body.get("target_url") is not None and len(body["target_url"]) > 200:
                errors["target_url"] = ["too long"]
            if not isinstance(body.get("description", ""), str):
                errors["description"] = ["not a string"]
            if set(body) - {"state", "context", "target_url", "description"}:
                errors["non_field_errors"] = ["unknown field"]
            if errors:
                return Response.of_json(errors, 400)
            self.checks.append((int(m.group(1)), body))
            return Response.of_json({"id": len(self.checks), **body}, 201)
        return Response(404, b"")


def _run(server, *args, token=TOKEN, stdin=PATCH, monkeypatch=None):
    monkeypatch.setenv("PATCHWORK_TOKEN", token)
    return run_cli("patchwork", "--no-tree", "--no-config", "--url", server.url, "--project", "netdevbpf",
                   *args, "-", stdin=stdin)


def test_posts_a_fail_check_with_counts(monkeypatch):
    pw = Patchwork({"20260302-foo-3@example.org": 41})
    with Server(pw) as srv:
        run = _run(srv, "--select", "unchecked-null-return,unbalanced-braces", "--target-url",
                   "https://ci.example.org/r/1", monkeypatch=monkeypatch)
    assert run.status == 0, run.err
    assert run.out == "20260302-foo-3@example.org: posted (patch 41, fail)\n"
    (patch, body), = pw.checks
    assert patch == 41
    assert body == {"state": "fail", "context": "reviewbot", "target_url": "https://ci.example.org/r/1",
                    "description": "1 error, 1 warning: unbalanced-braces, unchecked-null-return"}


def test_success_when_clean_and_warning_for_warnings(monkeypatch):
    pw = Patchwork({"20260302-foo-3@example.org": 7})
    with Server(pw) as srv:
        _run(srv, "--select", "executable-source-file", monkeypatch=monkeypatch)
        _run(srv, "--select", "unbalanced-braces", monkeypatch=monkeypatch)
    assert [(b["state"], b["description"], b["target_url"]) for _, b in pw.checks] == [
        ("success", "no findings", None), ("warning", "1 warning: unbalanced-braces", None)]


def test_patch_not_in_patchwork_is_reported_not_posted(monkeypatch):
    pw = Patchwork({})
    with Server(pw) as srv:
        run = _run(srv, monkeypatch=monkeypatch)
    assert run.status == 0 and "not found" in run.out and pw.checks == []


def test_forbidden_token_is_one_line_and_exit_2(monkeypatch):
    pw = Patchwork({"20260302-foo-3@example.org": 41}, writable=False)
    with Server(pw) as srv:
        run = _run(srv, monkeypatch=monkeypatch)
    assert run.status == 2 and run.err.count("\n") == 1 and "403" in run.err


def test_bad_context_is_refused_before_any_request(monkeypatch):
    pw = Patchwork({"20260302-foo-3@example.org": 41})
    with Server(pw) as srv:
        run = _run(srv, "--context", "review bot!", monkeypatch=monkeypatch)
        assert srv.requests == []
    assert run.status == 2 and "context" in run.err


def test_token_comes_from_the_environment_only(monkeypatch):
    monkeypatch.delenv("PATCHWORK_TOKEN", raising=False)
    run = run_cli("patchwork", "--url", "http://127.0.0.1:9", "--project", "p", "-", stdin=PATCH)
    assert run.status == 2 and "PATCHWORK_TOKEN" in run.err


def test_seed_without_message_id(monkeypatch):
    require_shared()
    pw = Patchwork({})
    with Server(pw) as srv:
        run = _run(srv, stdin=SEED_MBOX.read_bytes(), monkeypatch=monkeypatch)
    assert run.out == "-: no message-id\n" and run.status == 0
