"""GitHub's REST API, the parts `reviewbot github` uses: pull-request files, review comments,
reviews and check runs, with pagination, rate limits and retries handled in one place."""

from __future__ import annotations

import json
import re
import time
from typing import Callable, Iterator, NamedTuple

from reviewbot.deliver.http import HttpError, request, retry_after, session

API = "https://api.github.com"
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class GitHubError(HttpError):
    """A request GitHub refused: status, its message and the `errors` list it gave."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        self.doc = doc if isinstance(doc, dict) else {}
        detail = self.doc.get("message") or body.strip()[:200] or "no message"
        errors = self.doc.get("errors")
        if errors:
            detail += f" ({json.dumps(errors)[:300]})"
        super().__init__(f"GitHub: {method} {path}: HTTP {status}: {detail}", status)

    @property
    def forbidden(self) -> bool:
        """A 403 that is about permissions (a read-only token), not a rate limit."""
        return self.status == 403


class Client(NamedTuple):
    api: str
    repository: str            # owner/name
    token: str
    sleep: Callable[[float], None] = time.sleep
    max_wait: float = 120.0

    def _session(self):
        return session({"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                        "X-GitHub-Api-Version": "2022-11-28"})

    def call(self, method: str, path: str, body=None, params=None, s=None):
        """One API call; waits out secondary rate limits (403/429 with Retry-After or a
        rate-limit message) and exhausted quotas, retries 5xx.  Returns the response."""
        s = s or self._session()
        url = path if path.startswith("http") else f"{self.api.rstrip('/')}/{path.lstrip('/')}"
        for attempt in range(4):
            response = request(s, method, url, json=body, params=params, sleep=self.sleep, max_wait=self.max_wait)
            if response.status_code in (403, 429) and attempt < 3 and _rate_limited(response):
                self.sleep(min(_rate_wait(response), self.max_wait))
                continue
            if response.status_code >= 400:
                raise GitHubError(method, path, response.status_code, response.text)
            return response
        raise GitHubError(method, path, response.status_code, response.text)  # pragma: no cover

    def pages(self, path: str, params=None) -> Iterator[dict]:
        s = self._session()
        url, params = path, {"per_page": 100, **(params or {})}
        while url:
            response = self.call("GET", url, params=params, s=s)
            yield from response.json()
            m = _NEXT.search(response.headers.get("Link", ""))
            url, params = (m.group(1), None) if m else (None, None)

    # --- pull requests ---------------------------------------------------------------

    def pr_files(self, number: int) -> list[dict]:
        return list(self.pages(f"repos/{self.repository}/pulls/{number}/files"))

    def review_comments(self, number: int) -> list[dict]:
        return list(self.pages(f"repos/{self.repository}/pulls/{number}/comments"))

    def reviews(self, number: int) -> list[dict]:
        return list(self.pages(f"repos/{self.repository}/pulls/{number}/reviews"))

    def create_review(self, number: int, body: dict) -> dict:
        return self.call("POST", f"repos/{self.repository}/pulls/{number}/reviews", body).json()

    def edit_comment(self, comment_id: int, text: str) -> None:
        self.call("PATCH", f"repos/{self.repository}/pulls/comments/{comment_id}", {"body": text})

    def delete_comment(self, comment_id: int) -> None:
        self.call("DELETE", f"repos/{self.repository}/pulls/comments/{comment_id}")

    # --- check runs ------------------------------------------------------------------

    def create_check_run(self, body: dict) -> dict:
        return self.call("POST", f"repos/{self.repository}/check-runs", body).json()

    def update_check_run(self, run_id: int, body: dict) -> dict:
        return self.call("PATCH", f"repos/{self.repository}/check-runs/{run_id}", body).json()


def _rate_limited(response) -> bool:
    if response.headers.get("Retry-After") is not None:
        return True
    if response.headers.get("X-RateLimit-Remaining") == "0":
        return True
    return "rate limit" in response.text.lower()


def _rate_wait(response) -> float:
    if response.headers.get("Retry-After") is not None:
        return retry_after(response, 60.0)
    reset = response.headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        return max(1.0, int(reset) - time.time())
    return 60.0   # GitHub: wait at least a minute after a secondary rate limit without Retry-After


def right_lines(patch: str | None) -> dict[int, str]:
    """The new-file lines a review comment may sit on (added and context lines inside the
    hunks of a file's `patch`), with their text."""
    out: dict[int, str] = {}
    if not patch:
        return out
    new = None
    for line in patch.split("\n"):
        m = _HUNK.match(line)
        if m:
            new = int(m.group(1))
            continue
        if new is None or line.startswith("\\"):
            continue
        if line.startswith("+") or line.startswith(" "):
            out[new] = line[1:]
            new += 1
    return out
