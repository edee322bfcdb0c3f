"""reviewdog's Diagnostic Format as a stream (`reviewdog -f=rdjsonl`): one diagnostic per line.

The same diagnostics as `rdjson` (see there), each carrying its own source; nothing
at all when there are no findings.
"""

from __future__ import annotations

import json

from reviewbot.render.rdjson import diagnostics
from reviewbot.review import RunResult


def render(result: RunResult) -> str:
    return "".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in diagnostics(result))
