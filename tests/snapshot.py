"""Pinned outputs: compare with tests/snapshots/NAME; REVIEWBOT_UPDATE_SNAPSHOTS=1 rewrites them."""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("REVIEWBOT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
        return
    assert path.exists(), f"no snapshot {path}; run with REVIEWBOT_UPDATE_SNAPSHOTS=1 and review the file"
    expected = path.read_text()
    assert actual == expected, f"output differs from snapshot {name}:\n--- expected\n{expected}\n--- actual\n{actual}"
