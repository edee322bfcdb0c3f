"""Whole post-images from a source tree: the patch applied in memory, for function-scope rules.

A tree is anything that can read a file's text by path: a directory (`--tree DIR`
or the git work tree the command runs in), or a git commit (for revision ranges,
where the commit holds the post-image itself).  Reading is the only I/O here;
applying a patch is a pure function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

from reviewbot.diff import FileChange, Hunk

MAX_TREE_FILE = 8 * 1024 * 1024


class PostImage(NamedTuple):
    rows: tuple[str, ...]
    new_lines: tuple[int | None, ...]   # for each row, the new-file line the patch gives it


def _norm(line: str, loose: bool) -> str:
    return line.strip() if loose else line.rstrip("\r")


def _find(block: list[str], lines: list[str], norm: list[str], around: int, loose: bool) -> int | None:
    """Where `block` appears in `lines`, nearest to `around` first."""
    if not block:
        return max(0, min(around, len(lines)))
    want = [_norm(b, loose) for b in block]
    size = len(want)
    limit = len(lines) - size
    for distance in range(0, len(lines) + 1):
        for pos in ((around - distance, around + distance) if distance else (around,)):
            if 0 <= pos <= limit and norm[pos] == want[0] and norm[pos:pos + size] == want:
                return pos
        if around - distance < 0 and around + distance > limit:
            break
    return None


def _place(hunks: tuple[Hunk, ...], lines: list[str], kinds: str, start_attr: str, loose: bool) -> list[int] | None:
    """Positions of each hunk's `kinds` lines in `lines`, in order, or None."""
    norm = [_norm(x, loose) for x in lines]
    positions = []
    floor, drift = 0, 0
    for h in hunks:
        block = [x.text for x in h.lines if x.kind in kinds]
        start = max(getattr(h, start_attr) - 1, 0)
        pos = _find(block, lines, norm, start + drift, loose)
        if pos is None or pos < floor:
            return None
        positions.append(pos)
        drift = pos - start
        floor = pos + len(block)
    return positions


def apply(old: list[str], fc: FileChange, loose: bool = False) -> PostImage | None:
    """The post-image of `old` with the patch applied, or None when it does not apply."""
    positions = _place(fc.hunks, old, " -", "old_start", loose)
    if positions is None:
        return None
    rows: list[str] = []
    new_lines: list[int | None] = []
    cursor = 0
    for h, pos in zip(fc.hunks, positions):
        rows += old[cursor:pos]
        new_lines += [None] * (pos - cursor)
        for x in h.lines:
            if x.kind != "-":
                # Keep the tree's own text for context lines (the mail's copy may be damaged).
                rows.append(old[pos] if x.kind == " " else x.text)
                new_lines.append(x.new)
            if x.kind != "+":
                pos += 1
        cursor = pos
    rows += old[cursor:]
    new_lines += [None] * (len(old) - cursor)
    return PostImage(tuple(rows), tuple(new_lines))


def already_applied(current: list[str], fc: FileChange, loose: bool = False) -> PostImage | None:
    """When the tree already holds the patched file, map the patch's lines onto it."""
    positions = _place(fc.hunks, current, " +", "new_start", loose)
    if positions is None:
        return None
    new_lines: list[int | None] = [None] * len(current)
    for h, pos in zip(fc.hunks, positions):
        for offset, x in enumerate(h.post_image):
            new_lines[pos + offset] = x.new
    return PostImage(tuple(current), tuple(new_lines))


def post_image(read: Callable[[str], str | None], fc: FileChange, damaged: bool) -> tuple[PostImage | None, str | None]:
    """(post-image, notice): None and no notice when the tree does not have the file."""
    if fc.status in ("added", "deleted") or fc.binary or not fc.hunks:
        return None, None
    def lines_of(path: str | None) -> list[str] | None:
        text = read(path) if path else None
        if text is None:
            return None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    old = lines_of(fc.old_path)
    new = lines_of(fc.new_path) if fc.new_path != fc.old_path else old
    if old is None and new is None:
        return None, None
    for loose in ((False, True) if not damaged else (True,)):
        image = (old is not None and apply(old, fc, loose)) or (new is not None and already_applied(new, fc, loose))
        if image:
            return image, None
    return None, f"{fc.path}: the patch does not apply to the tree's copy; reviewed the hunk windows only"


def directory_reader(root: Path) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        p = root / path
        try:
            if not p.is_file() or p.stat().st_size > MAX_TREE_FILE:
                return None
            return p.read_bytes().decode("utf-8", "replace")
        except OSError:
            return None
    return read


def git_commit_reader(repo: str, commit: str) -> Callable[[str], str | None]:
    """Read files as they are in `commit` (the post-image of the patch made from it)."""
    import subprocess

    def read(path: str) -> str | None:
        r = subprocess.run(["git", "cat-file", "blob", f"{commit}:{path}"], cwd=repo, capture_output=True)
        if r.returncode != 0 or len(r.stdout) > MAX_TREE_FILE:
            return None
        return r.stdout.decode("utf-8", "replace")
    return read
