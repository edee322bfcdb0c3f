"""Shared test helpers: where the shared material is, and running the CLI in-process."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REVIEWBOT_SHARED", ROOT.parent / "shared")).resolve()
SEED_ARCHIVE = SHARED / "seed" / "verifier-kfunc-offset.lkml.txt"
SEED_MBOX = SHARED / "seed" / "verifier-kfunc-offset.mbox"
CORPUS = SHARED / "corpus"
FIXTURES = ROOT / "tests" / "fixtures"


@dataclass
class Run:
    status: int
    out: str
    err: str


class _Stdin(io.BytesIO):
    """A stdin with a .buffer and isatty(), as sys.stdin has."""

    def __init__(self, data: bytes, tty: bool = False) -> None:
        super().__init__(data)
        self.buffer = self
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run_cli(*args: str, stdin: bytes | None = None, cwd: str | Path | None = None) -> Run:
    """Run `reviewbot ARGS` in this process and capture what it prints and returns."""
    from reviewbot.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        status = main(list(args), stdout=out, stderr=err,
                      stdin=_Stdin(stdin or b"", tty=stdin is None))
    finally:
        os.chdir(old)
    return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def require_shared() -> None:
    if not SEED_MBOX.exists():
        pytest.fail(f"the shared material is missing at {SHARED} (set REVIEWBOT_SHARED)")
