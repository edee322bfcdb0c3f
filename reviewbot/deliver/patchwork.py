"""Posting each review to patchwork as a check (INTERFACES.md, "patchwork checks")."""

from __future__ import annotations

import re
from typing import NamedTuple

from reviewbot.deliver.http import HttpError, request, session
from reviewbot.findings import Severity
from reviewbot.review import PatchReview

CONTEXT = "reviewbot"
_CONTEXT_OK = re.compile(r"^[-a-zA-Z0-9_]{1,255}$")


class CheckResult(NamedTuple):
    message_id: str | None
    patch_id: int | None
    state: str | None
    outcome: str          # "posted", "not found", "no message-id", or an error


def state_of(review: PatchReview) -> str:
    """fail for errors, warning for warnings or notes, success for nothing."""
    worst = max((f.severity for f in review.findings), default=None)
    if worst is None:
        return "success"
    return "fail" if worst is Severity.ERROR else "warning"


def description(review: PatchReview) -> str:
    counts = [(s, sum(1 for f in review.findings if f.severity is s))
              for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)]
    parts = [f"{n} {s}{'s' if n > 1 else ''}" for s, n in counts if n]
    if not parts:
        return "no findings"
    rules = sorted({f.rule for f in review.findings})
    return f"{', '.join(parts)}: {', '.join(rules)}"


class Patchwork(NamedTuple):
    url: str               # https://patchwork.kernel.org (the API is under /api/)
    project: str           # the project's linkname
    token: str
    context: str = CONTEXT
    target_url: str | None = None

    def _api(self, path: str) -> str:
        return f"{self.url.rstrip('/')}/api/{path.lstrip('/')}"

    def find_patch(self, s, message_id: str) -> int | None:
        response = request(s, "GET", self._api("patches/"), params={"project": self.project, "msgid": message_id})
        if response.status_code != 200:
            raise HttpError(f"patchwork: looking up {message_id}: HTTP {response.status_code}", response.status_code)
        found = response.json()
        return found[0]["id"] if found else None

    def post(self, reviews: list[PatchReview]) -> list[CheckResult]:
        if not _CONTEXT_OK.match(self.context):
            raise HttpError(f"patchwork: context {self.context!r} must match [-a-zA-Z0-9_]{{1,255}}")
        if self.target_url is not None and len(self.target_url) > 200:
            raise HttpError("patchwork: target_url is longer than 200 characters")
        s = session({"Authorization": f"Token {self.token}"})
        out = []
        for review in reviews:
            msgid = review.message.message_id
            if not msgid:
                out.append(CheckResult(None, None, None, "no message-id"))
                continue
            patch = self.find_patch(s, msgid)
            if patch is None:
                out.append(CheckResult(msgid, None, None, "not found"))
                continue
            state = state_of(review)
            body = {"state": state, "context": self.context, "target_url": self.target_url,
                    "description": description(review)}
            response = request(s, "POST", self._api(f"patches/{patch}/checks/"), json=body)
            if response.status_code == 201:
                out.append(CheckResult(msgid, patch, state, "posted"))
            elif response.status_code == 403:
                raise HttpError("patchwork: 403 Forbidden: the token's user must be the submitter, the delegate "
                                "or a maintainer of the project", 403)
            else:
                detail = response.text.strip().replace("\n", " ")[:200]
                out.append(CheckResult(msgid, patch, state, f"HTTP {response.status_code}: {detail}"))
        return out
