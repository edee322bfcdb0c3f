"""The only user of unidiff: a repaired diff -> `FileChange`, `Hunk`, `DiffLine` values."""

from __future__ import annotations

import re
from typing import NamedTuple

import unidiff

from reviewbot.paths import diff_path

_KINDS = frozenset("+- ")
_GIT_HEADER = re.compile(r"^(old mode|new mode|new file mode|deleted file mode) (\d+)$")


class DiffLine(NamedTuple):
    kind: str                # "+", "-" or " "
    text: str                # without the prefix and the newline
    old: int | None          # line in the old file
    new: int | None          # line in the new file
    mail_line: int           # line in the message
    no_newline: bool = False  # followed by "\ No newline at end of file"


class Hunk(NamedTuple):
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str             # the text after the second @@
    lines: tuple[DiffLine, ...]
    mail_line: int
    repaired: bool = False   # mended on the way in, or from a whitespace-damaged copy

    @property
    def added(self) -> tuple[DiffLine, ...]:
        return tuple(line for line in self.lines if line.kind == "+")

    @property
    def post_image(self) -> tuple[DiffLine, ...]:
        """The lines of the new file this hunk shows: context and added, in order."""
        return tuple(line for line in self.lines if line.kind != "-")

    @property
    def header(self) -> str:
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@"


class FileChange(NamedTuple):
    old_path: str | None     # None for an added file
    new_path: str | None     # None for a deleted file
    status: str              # added, deleted, modified, renamed, copied
    old_mode: str | None
    new_mode: str | None
    binary: bool
    hunks: tuple[Hunk, ...]
    mail_line: int           # the `diff --git` (or `---`) line in the message

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def mode_changed(self) -> bool:
        return self.status != "added" and self.new_mode is not None and self.new_mode != self.old_mode


class DiffError(NamedTuple):
    path: str | None
    mail_line: int
    text: str


def _modes(info: list[str]) -> dict[str, str]:
    modes = {}
    for line in info:
        m = _GIT_HEADER.match(line.strip())
        if m:
            modes[m.group(1)] = m.group(2)
    return modes


def _file_change(pf: unidiff.PatchedFile, mail_lines, line_base: int, header: int | None,
                 damaged: frozenset[int], all_damaged: bool) -> FileChange:
    info = list(pf.patch_info) if pf.patch_info else []
    modes = _modes(info)
    old_path, new_path = diff_path(pf.source_file), diff_path(pf.target_file)
    # unidiff's is_rename only compares the names (so `linux.orig/x.c` -> `linux/x.c`, or
    # names followed by different timestamps, would be renames); git says so in its headers.
    git = any(line.startswith("diff --git ") for line in info)
    if "new file mode" in modes or old_path is None or (not git and pf.is_added_file):
        old_path, status = None, "added"
    elif "deleted file mode" in modes or new_path is None or (not git and pf.is_removed_file):
        new_path, status = None, "deleted"
    elif any(line.startswith(("rename from ", "rename to ")) for line in info):
        status = "renamed"
    elif any(line.startswith("copy from ") for line in info):
        status = "copied"
    else:
        status = "modified"
    old_mode = modes.get("old mode") or modes.get("deleted file mode")
    new_mode = modes.get("new mode") or modes.get("new file mode")
    hunks = []
    for h in pf:
        lines = []
        first_no = None
        base = line_base - 1
        for line in h:
            kind, no = line.line_type, line.diff_line_no
            if first_no is None:
                first_no = no
            if kind == "\\":
                if lines:
                    lines[-1] = lines[-1]._replace(no_newline=True)
                continue
            if no is None or kind not in _KINDS:
                continue   # unidiff's padding for blank lines after a hunk
            value = line.value
            lines.append(DiffLine(kind, value[:-1] if value[-1:] == "\n" else value,
                                  line.source_line_no, line.target_line_no, mail_lines[base + no]))
        header_index = (first_no - 2 + line_base) if first_no is not None else -1
        hunks.append(Hunk(
            h.source_start, h.source_length, h.target_start, h.target_length, h.section_header or "",
            tuple(lines), mail_lines[header_index] if header_index >= 0 else 0,
            repaired=all_damaged or header_index in damaged,
        ))
    if header is not None:
        mail_line = mail_lines[header]
    else:
        mail_line = hunks[0].mail_line if hunks else mail_lines[line_base]
    return FileChange(old_path, new_path, status, old_mode, new_mode, bool(pf.is_binary_file), tuple(hunks), mail_line)


def _sections(lines: tuple[str, ...]) -> list[int]:
    """Where each file's part of the diff starts, for parsing them one by one."""
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    if not starts:
        starts = [i for i, line in enumerate(lines)
                  if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")]
    return starts or [0]


def parse_diff(lines: tuple[str, ...], mail_lines: tuple[int, ...], damaged: frozenset[int] = frozenset(),
               all_damaged: bool = False) -> tuple[tuple[FileChange, ...], tuple[DiffError, ...]]:
    """Parse the diff; a file whose part cannot be parsed becomes a DiffError, the rest still parse."""
    if not lines:
        return (), ()
    starts = _sections(lines)
    try:
        patch = unidiff.PatchSet("\n".join(lines) + "\n")
        headers = starts if len(starts) == len(patch) else [None] * len(patch)
        return tuple(_file_change(pf, mail_lines, 0, h, damaged, all_damaged) for pf, h in zip(patch, headers)), ()
    except unidiff.UnidiffParseError:
        pass
    files, errors = [], []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        try:
            patch = unidiff.PatchSet("\n".join(lines[start:end]) + "\n")
            files += [_file_change(pf, mail_lines, start, start if len(patch) == 1 else None, damaged, all_damaged)
                      for pf in patch]
        except unidiff.UnidiffParseError as e:
            path = next((diff_path(x[4:].split("\t")[0]) for x in lines[start:end] if x.startswith("+++ ")), None)
            if path is None and lines[start].startswith("diff --git ") and len(lines[start].split()) >= 4:
                path = diff_path(lines[start].split()[-1])
            errors.append(DiffError(path, mail_lines[start], " ".join(str(e).split())))   # one line
    return tuple(files), tuple(errors)
