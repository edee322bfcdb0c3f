"""`reviewbot github` against a GitHub-like server on loopback.

The server implements the endpoints reviewbot uses and rejects any request whose body
does not match GitHub's published schema for that operation (the parts of
@octokit/openapi kept in tests/data/github-openapi-subset.json), as well as review
comments outside the pull request's diff (GitHub's 422) and more than 50 annotations
in one request.  The pull request is three commits made from corpus patches with
`git am` in a real repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

from conftest import CORPUS, ROOT, require_shared, run_cli
from loopback import Request, Response, Server
from reviewbot.diff import parse_diff
from reviewbot.ingest import RawMessage
from reviewbot.mail import parse_message
from reviewbot.model import Origin

SPEC = json.loads((ROOT / "tests" / "data" / "github-openapi-subset.json").read_text())
RULES = "missing-blank-after-declarations,unbalanced-braces"
PATCHES = (
    "ml-kernel-janitors/2025-07-30_7b60fdbb3f8c_genirq-devres-Add-dev_err_probe-in-devm_request_threaded_irq"
    "-and-devm_request_an.patch",
    "ml-linux-pwm/2025-06-25_78e9e1d8649b_math64.h-provide-rounddown_u64-variant-for-rounddown-macro.patch",
    "ml-linux-pwm/2025-02-05_3d7045670aea_platform-x86-tuxedo-Implement-TUXEDO-TUXI-ACPI-TFAN-via-hwmon.patch",
)


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    r = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=True,
                       env={"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
                            "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin"})
    return r.stdout.decode()


def base_files(mails: list[bytes]) -> dict[str, list[str]]:
    """Files holding each patch's pre-image lines at their line numbers, filler elsewhere."""
    files: dict[str, dict[int, str]] = {}
    for data in mails:
        message = parse_message(RawMessage(Origin("p"), data))
        changes, _ = parse_diff(message.diff_lines, message.diff_mail_lines)
        for fc in changes:
            if fc.status == "added":
                continue
            lines = files.setdefault(fc.old_path, {})
            for h in fc.hunks:
                for x in h.lines:
                    if x.kind != "+":
                        lines[x.old] = x.text
    out = {}
    for path, lines in files.items():
        top = max(lines)   # git apply pins a hunk with less trailing context to the end of the file
        out[path] = [lines.get(n, f"/* line {n} */") for n in range(1, top + 1)]
    return out


def make_repo(tmp_path: Path, extra: list[bytes] = ()) -> tuple[Path, str, str]:
    """A repository with a base commit and the three corpus patches on top: (repo, base, head)."""
    require_shared()
    repo = tmp_path / "linux"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    mails = [(CORPUS / p).read_bytes() for p in PATCHES] + list(extra)
    for path, lines in base_files(mails).items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("\n".join(lines) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    for data in mails:
        git(repo, "am", "-q", "--keep-cr", input=data)
    return repo, base, git(repo, "rev-parse", "HEAD").strip()


# --- the server ---------------------------------------------------------------------------------


def _operation(method: str, path: str):
    for template, ops in SPEC["paths"].items():
        pattern = "^" + re.sub(r"\\\{[a-z_]+\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return template, ops[method.lower()]
    return None, None


class GitHub:
    """State of one pull request, and the rules GitHub applies to what reviewbot sends."""

    def __init__(self, repo: Path, base: str, head: str, *, read_only: bool = False, rate_limit_once: bool = False,
                 refuse_line: tuple[str, int] | None = None) -> None:
        self.files = self._files(repo, base, head)
        self.head = head
        self.read_only = read_only
        self.rate_limit_once = rate_limit_once
        self.refuse_line = refuse_line
        self.comments: list[dict] = []
        self.reviews: list[dict] = []
        self.check_runs: dict[int, dict] = {}
        self.rejected: list[tuple[str, str]] = []
        self.after_first_listing: list[dict] | None = None   # the diff as a later push leaves it

    @staticmethod
    def _files(repo: Path, base: str, head: str) -> list[dict]:
        out = []
        names = git(repo, "diff", "--name-only", f"{base}..{head}").split()
        for name in names:
            diff = git(repo, "diff", f"{base}..{head}", "--", name)
            patch = diff[diff.index("\n@@") + 1:] if "\n@@" in diff else ""
            out.append({"filename": name, "status": "modified", "patch": patch.rstrip("\n")})
        return out

    def right_lines(self, path: str) -> set[int]:
        from reviewbot.deliver.github import right_lines

        f = next((f for f in self.files if f["filename"] == path), None)
        return set(right_lines(f["patch"])) if f else set()

    def _page(self, request: Request, items: list) -> Response:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            url = urllib.parse.urlsplit(request.path)._replace(query=f"per_page={per_page}&page={page + 1}")
            headers["Link"] = f'<{self.url}{urllib.parse.urlunsplit(url)}>; rel="next"'
        return Response.of_json(chunk, headers=headers)

    def reject(self, request: Request, status: int, message: str, errors=None) -> Response:
        self.rejected.append((f"{request.method} {request.path}", message))
        return Response.of_json({"message": message, **({"errors": errors} if errors else {})}, status)

    def __call__(self, request: Request) -> Response:
        path = urllib.parse.urlsplit(request.path).path
        template, op = _operation(request.method, path)
        if op is None:
            return self.reject(request, 404, "Not Found")
        if request.headers.get("authorization") != "Bearer t0ken":
            return self.reject(request, 401, "Bad credentials")
        if "requestBody" in op:
            try:
                jsonschema.validate(request.json(), op["requestBody"]["schema"])
            except jsonschema.ValidationError as e:
                return self.reject(request, 422, f"Invalid request: {e.message}")
        if request.method != "GET" and self.read_only:
            return self.reject(request, 403, "Resource not accessible by integration")
        name = op["operationId"]
        if name == "pulls/list-files":
            response = self._page(request, self.files)
            if self.after_first_listing is not None:
                self.files, self.after_first_listing = self.after_first_listing, None
            return response
        if name == "pulls/list-review-comments":
            return self._page(request, self.comments)
        if name == "pulls/list-reviews":
            return self._page(request, self.reviews)
        if name == "pulls/create-review":
            if self.rate_limit_once:
                self.rate_limit_once = False
                return Response.of_json({"message": "You have exceeded a secondary rate limit."}, 403,
                                        {"Retry-After": "0"})
            return self._create_review(request)
        if name == "checks/create":
            return self._check_run(request, None)
        if name == "checks/update":
            return self._check_run(request, int(path.rsplit("/", 1)[1]))
        if name == "pulls/update-review-comment":
            cid = int(path.rsplit("/", 1)[1])
            next(c for c in self.comments if c["id"] == cid)["body"] = request.json()["body"]
            return Response.of_json({"id": cid})
        if name == "pulls/delete-review-comment":
            cid = int(path.rsplit("/", 1)[1])
            self.comments = [c for c in self.comments if c["id"] != cid]
            return Response(204)
        return self.reject(request, 404, "Not Found")

    def _create_review(self, request: Request) -> Response:
        body = request.json()
        if body.get("event") in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
            return self.reject(request, 422, "Unprocessable Entity", ["body is required"])
        comments = body.get("comments", [])
        for c in comments:
            lines = self.right_lines(c["path"])
            if c.get("line") not in lines or (c.get("start_line") and c["start_line"] not in lines) \
                    or (c["path"], c.get("line")) == self.refuse_line:
                return self.reject(request, 422, "Unprocessable Entity", ["Line could not be resolved"])
        review_id = len(self.reviews) + 1
        self.reviews.append({"id": review_id, "body": body["body"], "state": body["event"],
                             "commit_id": body.get("commit_id")})
        for c in comments:
            self.comments.append({"id": 1000 + len(self.comments) + len(self.reviews) * 100,
                                  "pull_request_review_id": review_id, **c})
        return Response.of_json({"id": review_id}, 200)

    def _check_run(self, request: Request, run_id: int | None) -> Response:
        body = request.json()
        notes = body.get("output", {}).get("annotations", [])
        if len(notes) > 50:
            return self.reject(request, 422, "Only 50 annotations are allowed per request")
        if run_id is None:
            run_id = len(self.check_runs) + 1
            self.check_runs[run_id] = {**body, "annotations": list(notes)}
        else:
            self.check_runs[run_id]["annotations"] += notes
        return Response.of_json({"id": run_id}, 201 if request.method == "POST" else 200)


def serve(github: GitHub) -> Server:
    server = Server(github)
    github.url = server.url
    return server


def run_action(repo: Path, base: str, head: str, server: Server, tmp_path: Path, *args: str, number: int = 7,
               token: str = "t0ken", monkeypatch=None):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {
        "number": number, "base": {"sha": base}, "head": {"sha": head}}}))
    for k, v in {"GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/linux", "GITHUB_TOKEN": token,
                 "GITHUB_API_URL": server.url, "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                 "REVIEWBOT_HTTP_BACKOFF": "0"}.items():
        monkeypatch.setenv(k, v)
    return run_cli("github", "--no-config", "--select", RULES, *args, cwd=repo)


@pytest.fixture
def pr(tmp_path):
    return make_repo(tmp_path)


def test_review_and_check_run_on_three_commits(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    gh = GitHub(repo, base, head)
    with serve(gh) as srv:
        run = run_action(repo, base, head, srv, tmp_path, monkeypatch=monkeypatch)
    assert run.status == 1, run.err
    assert gh.rejected == []
    (review,) = gh.reviews
    assert review["state"] == "COMMENT" and review["commit_id"] == head
    anchored = sorted((c["path"], c["line"]) for c in gh.comments)
    assert len(anchored) == 5 and all(line in gh.right_lines(path) for path, line in anchored)
    assert {p for p, _ in anchored} >= {"kernel/irq/devres.c", "include/linux/math64.h"}
    assert all(re.search(r"<!-- reviewbot:[0-9a-f]+ -->", c["body"]) for c in gh.comments)
    assert all("(commit " in c["body"] for c in gh.comments)      # several commits: each says which
    (check,) = gh.check_runs.values()
    assert check["conclusion"] == "failure" and check["head_sha"] == head and len(check["annotations"]) == 5


def test_a_second_run_repeats_nothing_and_removes_what_is_gone(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    gh = GitHub(repo, base, head)
    with serve(gh) as srv:
        run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
        assert len(gh.reviews) == 1 and len(gh.comments) == 5
        run = run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
        assert len(gh.reviews) == 1 and len(gh.comments) == 5, "a re-run must not repeat a comment"
        assert "nothing new (5 already commented" in run.err
        # A new push: the finding on a line whose text changed is gone, nobody replied, so its comment goes;
        # another comment got a reply, so when its finding goes it is marked outdated instead.
        first, second = gh.comments[0], gh.comments[1]
        gh.comments.append({"id": 1, "in_reply_to_id": second["id"], "body": "Not a bug, see the spec.",
                            "path": second["path"], "line": second["line"]})
        first["body"] = first["body"].replace(MARKER_OF(first), "<!-- reviewbot:" + "0" * 24 + " -->")
        second["body"] = second["body"].replace(MARKER_OF(second), "<!-- reviewbot:" + "1" * 24 + " -->")
        run = run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
    ids = {c["id"] for c in gh.comments}
    assert first["id"] not in ids, "an unanswered comment whose finding is gone is deleted"
    assert second["body"].startswith("~~") and "Outdated" in second["body"]
    assert len(gh.reviews) == 2   # the two findings behind those comments are posted again, once


def MARKER_OF(comment: dict) -> str:
    return re.search(r"<!-- reviewbot:[0-9a-f]+ -->", comment["body"]).group(0)


def _many_findings_patch(n: int) -> bytes:
    body = []
    for k in range(n):
        body += [f"static void f{k}(int a)", "{", "\tif (a) {", f"\t\tg({k});", "\t} else", f"\t\th({k});", "}", ""]
    lines = "".join(f"+{line}\n" for line in body)
    return (f"From: T <t@example.org>\nSubject: [PATCH] many: add {n} functions\nDate: Mon, 2 Mar 2026 10:00:00 +0000"
            f"\n\nAdd them.\n\nSigned-off-by: T <t@example.org>\n---\ndiff --git a/many.c b/many.c\n"
            f"new file mode 100644\n--- /dev/null\n+++ b/many.c\n@@ -0,0 +1,{len(body)} @@\n{lines}").encode()


def test_more_than_fifty_findings_page_annotations_and_cap_comments(tmp_path, monkeypatch):
    repo, base, head = make_repo(tmp_path, [_many_findings_patch(60)])
    gh = GitHub(repo, base, head)
    with serve(gh) as srv:
        run = run_action(repo, base, head, srv, tmp_path, monkeypatch=monkeypatch)
    assert gh.rejected == [], gh.rejected
    assert run.status == 1
    (check,) = gh.check_runs.values()
    assert len(check["annotations"]) == 65       # 50 created, 15 appended with PATCH
    (review,) = gh.reviews
    assert len(gh.comments) == 30                # the cap; the rest are in the body
    assert review["body"].count("<!-- reviewbot:") == 35


def test_read_only_token_falls_back_to_annotations(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    gh = GitHub(repo, base, head, read_only=True)
    with serve(gh) as srv:
        run = run_action(repo, base, head, srv, tmp_path, monkeypatch=monkeypatch)
    assert run.status == 1, "the exit status follows the findings, not the 403"
    assert run.out.count("::warning file=") == 5
    assert "403" in run.err and "annotations instead" in run.err
    summary = (tmp_path / "summary.md").read_text()
    assert "missing-blank-after-declarations" in summary


def test_secondary_rate_limit_is_waited_out(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    gh = GitHub(repo, base, head, rate_limit_once=True)
    with serve(gh) as srv:
        run = run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
        posts = [r for r in srv.requests if r.method == "POST"]
    assert run.status == 1, run.err
    assert len(posts) == 2 and len(gh.reviews) == 1 and len(gh.comments) == 5


def test_a_422_names_the_anchor_and_the_findings_still_arrive(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    probe = GitHub(repo, base, head)   # where reviewbot comments, to pull one line out from under it
    with serve(probe) as srv:
        run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
    path, line = probe.comments[0]["path"], probe.comments[0]["line"]
    gh = GitHub(repo, base, head)
    # A push between reviewbot's listing of the diff and its review: the file is no longer changed.
    gh.after_first_listing = [f for f in gh.files if f["filename"] != path]
    with serve(gh) as srv:
        run = run_action(repo, base, head, srv, tmp_path, "--mode", "review", monkeypatch=monkeypatch)
    assert run.status == 1
    assert "422" in run.err and f"{path}:{line} (the file is not in the pull request's diff)" in run.err
    (review,) = gh.reviews
    assert gh.comments == [] and review["body"].count("<!-- reviewbot:") == 5


def test_request_changes_only_for_errors(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    gh = GitHub(repo, base, head)
    with serve(gh) as srv:
        run_action(repo, base, head, srv, tmp_path, "--mode", "review", "--request-changes", monkeypatch=monkeypatch)
    assert [r["state"] for r in gh.reviews] == ["COMMENT"]   # warnings only
    gh = GitHub(repo, base, head)
    (tmp_path / "cfg.toml").write_text('[severity]\nunbalanced-braces = "error"\n')
    with serve(gh) as srv:
        monkeypatch.setenv("GITHUB_API_URL", srv.url)
        run = run_cli("github", "--config", str(tmp_path / "cfg.toml"), "--select", RULES, "--mode", "review",
                      "--request-changes", cwd=repo)
    assert run.status == 1 and [r["state"] for r in gh.reviews] == ["REQUEST_CHANGES"]


def test_sarif_mode_writes_a_file(pr, tmp_path, monkeypatch):
    repo, base, head = pr
    out = tmp_path / "out.sarif"
    with serve(GitHub(repo, base, head)) as srv:
        run = run_action(repo, base, head, srv, tmp_path, "--mode", "sarif,annotations", "--sarif-output", str(out),
                         monkeypatch=monkeypatch)
    doc = json.loads(out.read_text())
    assert doc["version"] == "2.1.0" and len(doc["runs"][0]["results"]) == 5
    assert run.out.count("::warning") == 5 and srv.requests == []


def test_missing_event_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    run = run_cli("github", "--mode", "annotations", cwd=tmp_path)
    assert run.status == 2 and "GITHUB_EVENT_PATH" in run.err and run.err.count("\n") == 1
