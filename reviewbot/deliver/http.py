"""One way to talk HTTP: a `requests` session with reviewbot's User-Agent, timeouts, and
retries with back-off on 5xx and 429 (honouring `Retry-After`)."""

from __future__ import annotations

import time
from typing import Callable

from reviewbot import __version__
from reviewbot.errors import InputError

USER_AGENT = f"reviewbot/{__version__}"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpError(InputError):
    """A request that failed for good (after retries); its message is one line for the user."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def session(token_header: dict[str, str] | None = None):
    import requests

    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    if token_header:
        s.headers.update(token_header)
    return s


def retry_after(response, default: float) -> float:
    value = response.headers.get("Retry-After")
    if value is None:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        import email.utils

        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else default


def request(s, method: str, url: str, *, retries: int = 3, backoff: float | None = None, timeout: float = 30.0,
            sleep: Callable[[float], None] = time.sleep, max_wait: float = 60.0, **kwargs):
    """`s.request(...)`, retried on connection errors, 5xx and 429; returns the last response.
    The first wait is `backoff` seconds ($REVIEWBOT_HTTP_BACKOFF, default 1), doubling."""
    import os

    import requests

    wait = backoff if backoff is not None else float(os.environ.get("REVIEWBOT_HTTP_BACKOFF", "1"))
    for attempt in range(retries + 1):
        try:
            response = s.request(method, url, timeout=timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as e:
            if attempt == retries:
                raise HttpError(f"{method} {url}: {type(e).__name__}: {e}") from None
            sleep(min(wait, max_wait))
            wait *= 2
            continue
        if response.status_code in RETRY_STATUS and attempt < retries:
            sleep(min(retry_after(response, wait), max_wait))
            wait *= 2
            continue
        return response
    return response  # pragma: no cover - the loop always returns
