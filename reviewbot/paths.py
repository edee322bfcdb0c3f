"""File names as diffs write them: `a/`/`b/` prefixes, quoting, trailing timestamps."""

from __future__ import annotations

import re

_TIMESTAMP = re.compile(
    r"\s+(?:\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[+-]\d{4}|\s*[A-Z]{3,4})?"
    r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d+ \d{2}:\d{2}:\d{2}(?: \d{4})?(?: [+-]\d{4})?)\s*$")


def diff_path(name: str | None) -> str | None:
    """The repository path a `---`/`+++`/`diff --git` name refers to (patch -p1), or None for /dev/null."""
    if name is None:
        return None
    name = name.split("\t")[0].strip()
    name = _TIMESTAMP.sub("", name)
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        raw = name[1:-1]
        try:
            name = raw.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-8")
        except (UnicodeError, ValueError):
            name = raw
    if not name or name == "/dev/null":
        return None
    return name.split("/", 1)[1] if "/" in name else name
