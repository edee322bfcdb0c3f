"""Reading a patch subject the way b4 does: `[RFC PATCH net-next v2 1/3] title`."""

from __future__ import annotations

import re

from reviewbot.model import SubjectPrefix

_REPLY = re.compile(r"^\s*(re|aw|sv|antw|r|ref|odp)\s*:", re.IGNORECASE)
_BRACKETS = re.compile(r"^\s*\[([^\]]*)\]")
_COUNTER = re.compile(r"^(\d+)/(\d+)$")
_VERSION = re.compile(r"^v(\d+)$", re.IGNORECASE)
_PATCHV = re.compile(r"^(PATCH|RFC)v(\d+)$", re.IGNORECASE)


def parse_subject(subject: str) -> tuple[SubjectPrefix, str]:
    """Split a subject into its prefix and the title after the bracketed groups."""
    is_reply = bool(_REPLY.match(subject))
    rest = subject
    if is_reply:
        return SubjectPrefix(is_reply=True), subject
    words: list[str] = []
    while True:
        m = _BRACKETS.match(rest)
        if not m:
            break
        words.extend(m.group(1).replace(",", " ").split())
        rest = rest[m.end():]
    is_patch = False
    version, number, total = 1, None, None
    tags: list[str] = []
    for word in words:
        upper = word.upper()
        if upper == "PATCH":
            is_patch = True
        elif m := _PATCHV.match(word):
            is_patch = is_patch or m.group(1).upper() == "PATCH"
            if m.group(1).upper() == "RFC":
                tags.append("RFC")
            version = int(m.group(2))
        elif m := _VERSION.match(word):
            version = int(m.group(1))
        elif m := _COUNTER.match(word):
            number, total = int(m.group(1)), int(m.group(2))
        else:
            tags.append("RFC" if upper == "RFC" else "RESEND" if upper == "RESEND" else word)
    prefix = SubjectPrefix(is_patch=is_patch, version=version, number=number, total=total, tags=tuple(tags))
    return prefix, rest.strip()
