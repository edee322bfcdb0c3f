"""Fetching a thread from lore.kernel.org (or a mirror) by Message-ID, as b4 does:
`GET <base>/<msgid>/t.mbox.gz`, a gzip mbox of the whole thread."""

from __future__ import annotations

import gzip
import os
import urllib.parse
from typing import Iterator

from reviewbot.deliver.http import HttpError, request, session
from reviewbot.ingest import RawMessage, split_mbox

DEFAULT_BASE = "https://lore.kernel.org/all"
MAX_BYTES = 64 << 20


def base_url(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("REVIEWBOT_LORE_URL") or DEFAULT_BASE).rstrip("/")


def clean_msgid(msgid: str) -> str:
    value = msgid.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if value.lower().startswith("id:"):
        value = value[3:]
    if "/" in value and value.startswith(("http://", "https://")):
        # A lore URL pasted whole: https://lore.kernel.org/bpf/<msgid>/
        parts = [p for p in urllib.parse.urlsplit(value).path.split("/") if p]
        value = urllib.parse.unquote(parts[-1] if parts[-1] not in ("t.mbox.gz", "raw", "T", "t") else parts[-2])
    if not value or any(c in value for c in " \t\r\n<>"):
        raise HttpError(f"--msgid {msgid!r}: not a Message-ID")
    return value


def thread_url(msgid: str, base: str) -> str:
    return f"{base}/{urllib.parse.quote(msgid, safe='@!$&()*+,;=:~-._')}/t.mbox.gz"


def fetch_thread(msgid: str, base: str | None = None, **retry) -> bytes:
    """The thread's mbox (uncompressed); an `HttpError` when lore has no such message."""
    msgid = clean_msgid(msgid)
    url = thread_url(msgid, base_url(base))
    response = request(session(), "GET", url, **retry)
    if response.status_code == 404:
        raise HttpError(f"{msgid}: no such message on {base_url(base)}", 404)
    if response.status_code != 200:
        raise HttpError(f"GET {url}: HTTP {response.status_code}", response.status_code)
    data = response.content
    try:
        if data[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=__import__("io").BytesIO(data)) as g:
                data = g.read(MAX_BYTES + 1)
    except (OSError, EOFError) as e:
        raise HttpError(f"GET {url}: not a gzip mbox ({e})") from None
    if len(data) > MAX_BYTES:
        raise HttpError(f"GET {url}: the thread is larger than {MAX_BYTES >> 20} MiB")
    return data


def thread_messages(msgid: str, data: bytes) -> Iterator[RawMessage]:
    """The messages of the thread, each once (lore may list a cross-posted message twice)."""
    import re

    seen = set()
    for raw in split_mbox(data, f"lore:{clean_msgid(msgid)}"):
        head = raw.data.split(b"\n\n", 1)[0]
        m = re.search(rb"^message-id:\s*<?([^>\s]+)>?", head, re.IGNORECASE | re.MULTILINE)
        key = m.group(1) if m else raw.data
        if key in seen:
            continue
        seen.add(key)
        yield raw
