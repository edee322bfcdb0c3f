"""Where patches come from: files, directories, maildirs, stdin, git revision ranges.

Everything here produces `RawMessage` values (the bytes of one message and where
they came from) or `Problem` values (an input, or one message in it, that could
not be read).  Turning the bytes into a `Message` is `reviewbot.mail`'s job.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Iterator, NamedTuple

from reviewbot.errors import InputError
from reviewbot.model import Origin

# An mbox "From " separator: `From <sender> <asctime>` (git format-patch writes
# `From <sha> Mon Sep 17 00:00:00 2001`, public-inbox `From mboxrd@z Thu Jan  1 ...`).
_FROM_LINE = re.compile(
    rb"^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ "
    rb"\d+:\d+(?::\d+)? (?:[A-Z]{3,4} |[-+]\d{4} )?\d{4}\s*$"
)
_MBOXRD_ESCAPE = re.compile(rb"^>(>*From )", re.MULTILINE)
_SHA_FROM_LINE = re.compile(rb"^From ([0-9a-f]{40}|[0-9a-f]{64}) ")
MAX_INPUT_BYTES = 256 * 1024 * 1024


class RawMessage(NamedTuple):
    origin: Origin
    data: bytes
    commit: str | None = None   # from a `git format-patch` separator line


class Problem(NamedTuple):
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def split_mbox(data: bytes, source: str) -> Iterator[RawMessage]:
    """Split mbox bytes into messages; data without a separator is one message."""
    if b"\r" in data:
        yield from _split_mbox_lines(data, source)
        return
    # Without a CR, the lines are what the newlines end: the lines starting "From " are found with
    # find() and numbered by counting newlines, and each message is the data between two
    # separator lines (what joining its lines gives), without splitting the data into lines.
    seps = []   # (offset, offset after it, line index) of each separator line
    row = counted = 0
    for at in _from_offsets(data):
        row += data.count(b"\n", counted, at)
        counted = at
        end = data.find(b"\n", at) + 1 or len(data)
        if _FROM_LINE.match(data[at:end]):
            seps.append((at, end, row))
    if not seps or (seps[0][0] != 0 and data[:seps[0][0]].strip()):
        # Not an mbox (or text before the first separator): one message.
        yield RawMessage(Origin(source, 0, 1), data)
        return
    for index, (at, end, row) in enumerate(seps):
        stop = seps[index + 1][0] if index + 1 < len(seps) else len(data)
        yield _mbox_message(data[at:end], data[end:stop], source, index, row)


def _split_mbox_lines(data: bytes, source: str) -> Iterator[RawMessage]:
    """split_mbox, line by line (the lines of data.splitlines: a CR alone ends one too)."""
    lines = data.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(b"From ") and _FROM_LINE.match(line)]
    if not starts or (starts[0] != 0 and any(lines[k].strip() for k in range(starts[0]))):
        yield RawMessage(Origin(source, 0, 1), data)
        return
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        yield _mbox_message(lines[start], b"".join(lines[start + 1:end]), source, index, start)


def _mbox_message(separator: bytes, body: bytes, source: str, index: int, row: int) -> RawMessage:
    """The message after a separator line (mboxrd's `>From ` escapes undone) on line `row` (0-based)."""
    m = _SHA_FROM_LINE.match(separator)
    # `From 0000...` (format-patch of no commit, as OpenWrt keeps patches) names no commit.
    commit = m.group(1).decode() if m and m.group(1).strip(b"0") else None
    if b">From " in body:   # (in every escape; the regex, beginning at line starts, is tried at every byte)
        body = _MBOXRD_ESCAPE.sub(rb"\1", body)
    return RawMessage(Origin(source, index, row + 2), body, commit)


def _from_offsets(data: bytes) -> Iterator[int]:
    """Where the lines that start with "From " start."""
    if data.startswith(b"From "):
        yield 0
    at = data.find(b"\nFrom ")
    while at >= 0:
        yield at + 1
        at = data.find(b"\nFrom ", at + 1)


def _read_file(path: Path | str, label: str) -> bytes:
    try:
        size = os.stat(path).st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{label}: {size} bytes is larger than the {MAX_INPUT_BYTES >> 20} MiB limit")
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        raise InputError(f"{label}: is a directory") from None
    except OSError as e:
        raise InputError(f"{label}: {e.strerror or e}") from None


def _looks_binary(data: bytes) -> bool:
    """NUL bytes near the top (as git decides), unless it is an mbox: one bad message must not
    cost the others their review."""
    if b"\0" not in data[:8192]:
        return False
    first = data[:data.find(b"\n") + 1 if b"\n" in data[:1024] else 1024]
    return not (first.startswith(b"From ") and _FROM_LINE.match(first))


def _files_under(directory: Path) -> list[tuple[str, str]]:
    """The files of a directory or maildir, in a stable order, hidden ones skipped: each as its
    path and its path relative to the directory (strings: pathlib costs more than reading)."""
    if all((directory / sub).is_dir() for sub in ("cur", "new", "tmp")):
        return [(str(p), str(p.relative_to(directory)))
                for sub in ("new", "cur") for p in sorted((directory / sub).iterdir()) if p.is_file()]
    found = []
    top = os.fspath(directory)
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        under = root[len(top):].lstrip("/")   # (os.walk joins the directories below onto `top`)
        found += [(os.path.join(root, f), f"{under}/{f}" if under else f)
                  for f in sorted(files) if not f.startswith(".")]
    return found


def _git(args: list[str], cwd: str | None = None):
    import subprocess   # only when git is really needed: it costs start-up time

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True)


def _inside_git(cwd: str | None) -> bool:
    """A cheap look upward for `.git`, so no process is spawned outside repositories."""
    if os.environ.get("GIT_DIR"):
        return True
    here = os.path.abspath(cwd or os.getcwd())
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def git_toplevel(cwd: str | None = None) -> str | None:
    if not _inside_git(cwd):
        return None
    try:
        r = _git(["rev-parse", "--show-toplevel"], cwd)
    except OSError:
        return None
    return r.stdout.decode().strip() or None if r.returncode == 0 else None


def _git_range(spec: str, cwd: str | None) -> bytes | None:
    """`git format-patch --stdout` for a range (A..B) or a single commit, or None."""
    if spec.startswith("-") or git_toplevel(cwd) is None:
        return None
    probe = spec.split("...")[-1].split("..")[-1] or "HEAD"
    if _git(["rev-parse", "--verify", "--quiet", probe + "^{commit}"], cwd).returncode != 0:
        return None
    # The prefixes are given so a user's diff.noprefix / diff.mnemonicPrefix cannot change the paths.
    args = ["format-patch", "--stdout", "--no-signature", "--no-color", "--src-prefix=a/", "--dst-prefix=b/"]
    args += [spec] if ".." in spec else ["-1", spec]
    r = _git(args, cwd)
    if r.returncode != 0:
        first = (r.stderr.decode(errors="replace").strip().splitlines() or ["exit status %d" % r.returncode])[0]
        raise InputError(f"{spec}: git format-patch failed: {first}")
    return r.stdout


def read_inputs(specs: list[str], stdin: BinaryIO | None = None, cwd: str | None = None) -> Iterator[RawMessage | Problem]:
    """Yield every message of every input, in order, and a Problem for what cannot be read.

    An input that cannot be read at all (a missing file, a binary file named on the
    command line) raises InputError: the user named something that is not a patch.
    """
    for spec in specs:
        if spec == "-":
            if stdin is None:
                raise InputError("-: no standard input")
            yield from split_mbox(stdin.read(), "-")
            continue
        path = Path(cwd or ".") / spec
        if path.is_dir():
            files = _files_under(path)
            if not files:
                raise InputError(f"{spec}: empty directory")
            named = str(Path(spec))   # (str(Path(spec) / relative), without a Path per file)
            prefix = "" if named == "." else named if named.endswith("/") else named + "/"
            for f, relative in files:
                label = prefix + relative
                try:
                    data = _read_file(f, label)
                except InputError as e:
                    yield Problem(label, str(e).split(": ", 1)[1])
                    continue
                if _looks_binary(data):
                    continue
                yield from split_mbox(data, label)
            continue
        if path.exists():
            data = _read_file(path, spec)
            if _looks_binary(data):
                raise InputError(f"{spec}: binary file, not a patch or mail")
            yield from split_mbox(data, spec)
            continue
        data = _git_range(spec, cwd)
        if data is None:
            raise InputError(f"{spec}: no such file, directory or git revision")
        if not data.strip():
            raise InputError(f"{spec}: no commits in that range")
        yield from split_mbox(data, f"git:{spec}")
