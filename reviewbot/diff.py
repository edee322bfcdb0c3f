"""The only user of unidiff: a repaired diff -> `FileChange`, `Hunk`, `DiffLine` values.

A diff in the plainest `git format-patch` (or quilt) shape (_plain_git_diff) is read in one pass
without it, to the same values (tests compare the two reads); unidiff reads everything else."""

from __future__ import annotations

import re
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from typing import Iterator, NamedTuple

import unidiff
from unidiff.constants import RE_HUNK_EMPTY_BODY_LINE as _EMPTY_BODY_LINE
from unidiff.constants import RE_HUNK_HEADER as _HUNK_HEADER

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


class _HunkFields(NamedTuple):
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str             # the text after the second @@
    lines: tuple[DiffLine, ...]
    mail_line: int
    repaired: bool = False   # mended on the way in, or from a whitespace-damaged copy


class Hunk(_HunkFields):
    """A hunk: its fields are a NamedTuple's (equal by value); the lines every rule asks for are
    picked out once (a subclass without __slots__ has room to keep them)."""

    @cached_property
    def added(self) -> tuple[DiffLine, ...]:
        return tuple([line for line in self.lines if line.kind == "+"])

    @cached_property
    def post_image(self) -> tuple[DiffLine, ...]:
        """The lines of the new file this hunk shows: context and added, in order."""
        return tuple([line for line in self.lines if line.kind != "-"])

    @property
    def header(self) -> str:
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@"

    def knowing(self, added: tuple[DiffLine, ...], post_image: tuple[DiffLine, ...]) -> Hunk:
        """This hunk, with `added` and `post_image` given by a reader that picked them out as it
        made the lines (they must be what the properties would compute: tests compare)."""
        vars(self).update(added=added, post_image=post_image)   # where cached_property keeps them
        return self


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


# DiffLine(...) through tuple.__new__ with every field: the NamedTuple's own __new__ is a Python
# function call, and a diff has hundreds of thousands of lines.
_new_line = tuple.__new__


def _hunk_body(lines: tuple[str, ...], header: int, h: unidiff.Hunk, mail_lines, line_base: int) -> list[DiffLine]:
    """The lines of the hunk whose `@@` line is lines[header], read as unidiff's full parse
    reads them (unidiff's quick parse has checked and counted them, but kept none)."""
    body: list[DiffLine] = []
    source, target = h.source_start, h.target_start
    source_end, target_end = source + h.source_length, target + h.target_length
    for k in range(header + 1, len(lines)):
        line = lines[k]
        kind = line[:1]
        if kind == "\\":   # "\ No newline at end of file"
            if body:
                body[-1] = body[-1]._replace(no_newline=True)
        else:
            if kind in _KINDS:
                text = line[1:]
            else:   # an empty line: a context line of only its line end (unidiff keeps up to two CR/LF)
                kind, text = " ", _EMPTY_BODY_LINE.match(line + "\n").group("value").removesuffix("\n")
            old = new = None
            if kind == "+":
                new, target = target, target + 1
            elif kind == "-":
                old, source = source, source + 1
            else:
                old, new, source, target = source, target, source + 1, target + 1
            body.append(_new_line(DiffLine, (kind, text, old, new, mail_lines[line_base + k], False)))
        if source == source_end and target == target_end:
            break
    return body


def _full_parse_lines(h: unidiff.Hunk, mail_lines, line_base: int) -> tuple[int, list[DiffLine]]:
    """(index of the `@@` line, the lines) of a hunk of unidiff's full parse."""
    diff_lines: list[DiffLine] = []
    first_no = None
    base = line_base - 1
    for line in h:
        kind, no = line.line_type, line.diff_line_no
        if first_no is None:
            first_no = no
        if kind == "\\":
            if diff_lines:
                diff_lines[-1] = diff_lines[-1]._replace(no_newline=True)
            continue
        if no is None or kind not in _KINDS:
            continue   # unidiff's padding for blank lines after a hunk
        value = line.value
        diff_lines.append(DiffLine(kind, value[:-1] if value[-1:] == "\n" else value,
                                   line.source_line_no, line.target_line_no, mail_lines[base + no]))
    return (first_no - 2 + line_base) if first_no is not None else -1, diff_lines


def _hunk_headers(lines: tuple[str, ...]) -> list[int]:
    return [k for k, line in enumerate(lines) if line.startswith("@@") and _HUNK_HEADER.match(line)]


def _patch(lines: tuple[str, ...]) -> tuple[unidiff.PatchSet, list[int] | None]:
    """unidiff's parse of the lines, and where each hunk's `@@` line is (None: the hunks hold
    their lines, as unidiff's full parse made them).

    unidiff's quick parse (`metadata_only`) checks and counts all a full parse does but
    keeps no lines; their values are read here from where each hunk starts, without
    making unidiff's objects for them.  The full parse is kept for text the quick one
    might not locate line for line (a newline inside a line, hunks and `@@` lines that
    do not pair up).
    """
    text = "\n".join(lines) + "\n"
    if text.count("\n") == len(lines):
        patch = unidiff.PatchSet(text, metadata_only=True)
        headers = _hunk_headers(lines)
        if len(headers) == sum(len(pf) for pf in patch):
            return patch, headers
    return unidiff.PatchSet(text), None


def _file_change(pf: unidiff.PatchedFile, mail_lines, line_base: int, header: int | None,
                 damaged: frozenset[int], all_damaged: bool, lines: tuple[str, ...] = (),
                 hunk_headers: Iterator[int] | None = None) -> FileChange:
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
        if hunk_headers is None:
            header_index, diff_lines = _full_parse_lines(h, mail_lines, line_base)
        else:
            at = next(hunk_headers)
            diff_lines = _hunk_body(lines, at, h, mail_lines, line_base)
            header_index = at + line_base if at + 1 < len(lines) else -1
            # after the body, what unidiff adds to a hunk (which its quick parse keeps too): a
            # "\ No newline" marker, padding for blank lines
            if diff_lines and any(x.line_type == "\\" for x in h):
                diff_lines[-1] = diff_lines[-1]._replace(no_newline=True)
        hunks.append(Hunk(
            h.source_start, h.source_length, h.target_start, h.target_length, h.section_header or "",
            tuple(diff_lines), mail_lines[header_index] if header_index >= 0 else 0,
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


_PLAIN_GIT_HEADER = re.compile(r"diff --git a/(\S+) b/(\S+)")
_PLAIN_INDEX = re.compile(r"index [0-9a-f]+\.\.[0-9a-f]+(?: [0-7]+)?")
_PLAIN_MODE = re.compile(r"(new|deleted) file mode ([0-7]+)")
_PLAIN_NAME = re.compile(r'[^\s"]+')   # a `---`/`+++` name unidiff and diff_path take as it is
# After the last hunk: blank lines, and lines unidiff takes for text between files (no file, hunk,
# marker or git header line can begin otherwise; the signature, base-commit: and a version can).
_TRAILER_LIVE = ("+", "-", " ", "\t", "@", "\\", "diff ", "index ", "new ", "old ", "deleted ", "Binary ", "GIT binary")
_TRAILER_MARKS = frozenset(("-- ", "--", "---"))   # (no `--- ` file line, and no hunk line after a whole hunk)
_REST = itemgetter(slice(1, None))   # a line without its first character
_NEXT_CHAR = {"+": ",", "-": "."}   # every line from "+" up to (not including) "," starts with "+"


def _plain_git_diff(lines: tuple[str, ...], mail_lines, damaged: frozenset[int],
                    all_damaged: bool) -> tuple[FileChange, ...] | None:
    """The files of a diff in the plainest `git format-patch` shape, read in one pass without
    unidiff; None for anything else (unidiff reads that).

    Each file: `diff --git a/P b/P`; `index ..` with a mode, or `new file mode`/`deleted file
    mode` and `index ..`; `--- a/P` or `/dev/null`; `+++ b/P` or `/dev/null` -- or, in a diff
    without `diff --git` lines (quilt), just `--- NAME` and `+++ NAME`; then hunks whose
    every line is `+`, `-` or context (no `\\` marker) and whose counts are their
    header's (an empty line is a context line of nothing), each followed by the next `@@` or
    file; after the last, nothing but blank lines and text unidiff reads as no part of a file
    (the signature, `base-commit:`, a version).
    What unidiff and _file_change make of exactly these lines is what is built here.
    """
    n = len(lines)
    if not n or len(mail_lines) < n:
        return None
    quilt = lines[0].startswith("--- ")   # no `diff --git` lines: each file's part begins at `---`
    if not quilt and not lines[0].startswith("diff --git "):
        return None
    text = "\n".join(lines)
    if text.count("\n") != n - 1:
        return None   # unidiff reads a line holding a newline as two
    files = []
    starts = []
    # Each file's part ends where the next `diff --git` (`---`) line follows its last hunk, or at
    # the end: no other line of the shape starts so (for `---`, _sections is asked at the end).
    start = 0
    while start < n:
        if quilt:
            if start + 1 >= n or not lines[start + 1].startswith("+++ "):
                return None
            old_name, new_name = lines[start][4:], lines[start + 1][4:]
            if not _PLAIN_NAME.fullmatch(old_name) or not _PLAIN_NAME.fullmatch(new_name):
                return None
            j = start + 2
        else:
            m = _PLAIN_GIT_HEADER.fullmatch(lines[start])
            if not m or m.group(1) != m.group(2) or '"' in lines[start]:
                return None
            path = m.group(1)
            j = start + 1
            mode = _PLAIN_MODE.fullmatch(lines[j]) if j < n else None
            if mode:
                j += 1
            if j + 3 > n or not _PLAIN_INDEX.fullmatch(lines[j]):
                return None
            if mode is None and " " not in lines[j][6:]:
                return None   # an index line without a mode, and no mode line: not the plainest shape
            old_name = "/dev/null" if mode and mode.group(1) == "new" else "a/" + path
            new_name = "/dev/null" if mode and mode.group(1) == "deleted" else "b/" + path
            if lines[j + 1] != "--- " + old_name or lines[j + 2] != "+++ " + new_name:
                return None
            j += 3
        hunks = []
        while j < n and lines[j].startswith("@@ "):
            h = _HUNK_HEADER.match(lines[j])
            if not h:
                return None
            old_start, new_start = int(h.group(1)), int(h.group(3))
            old_len = int(h.group(2)) if h.group(2) is not None else 1
            new_len = int(h.group(4)) if h.group(4) is not None else 1
            if old_len + new_len == 0:
                return None
            at = j
            j += 1
            if not old_len or not new_len:
                # Only added (or only removed) lines: exactly that many, every one of that kind.
                size = old_len + new_len
                chunk = lines[j:j + size]
                kind, first = ("+", new_start) if new_len else ("-", old_start)
                if len(chunk) != size or not (min(chunk) >= kind and max(chunk) < _NEXT_CHAR[kind]):
                    return None
                numbers = range(first, first + size)
                body = tuple(map(_new_line, repeat(DiffLine), zip(
                    repeat(kind), map(_REST, chunk), repeat(None) if new_len else numbers,
                    numbers if new_len else repeat(None), mail_lines[j:j + size], repeat(False))))
                hunk = Hunk(old_start, old_len, new_start, new_len, h.group(5) or "", body,
                            mail_lines[at], repaired=all_damaged or at in damaged)
                shown = body if new_len else ()   # what Hunk.added and Hunk.post_image would pick out
                hunks.append(hunk.knowing(shown, shown))
                j += size
            else:
                source, target = old_start, new_start
                source_end, target_end = old_start + old_len, new_start + new_len
                body = []
                append = body.append
                added = []   # (Hunk.added and Hunk.post_image, picked out as the lines are made)
                shown = []
                stop = min(j + old_len + new_len, n)   # (every line counts against one count at least)
                # (a count overdrawn never comes back: the walk then reads to `stop` and fails; a next
                # file's `diff --git` line read as part of the hunk fails it too)
                for line, row in zip(lines[j:stop], mail_lines[j:stop]):
                    kind = line[:1]
                    if kind == "+":
                        x = _new_line(DiffLine, ("+", line[1:], None, target, row, False))
                        append(x)
                        added.append(x)
                        shown.append(x)
                        target += 1
                    elif kind == "-":
                        append(_new_line(DiffLine, ("-", line[1:], source, None, row, False)))
                        source += 1
                    elif kind == " " or not line:   # (an empty line: a context line of nothing, as unidiff reads it)
                        x = _new_line(DiffLine, (" ", line[1:], source, target, row, False))
                        append(x)
                        shown.append(x)
                        source += 1
                        target += 1
                    else:
                        return None
                    if source == source_end and target == target_end:
                        break
                if source != source_end or target != target_end:
                    return None
                j += len(body)
                hunk = Hunk(old_start, old_len, new_start, new_len, h.group(5) or "", tuple(body),
                            mail_lines[at], repaired=all_damaged or at in damaged)
                hunks.append(hunk.knowing(tuple(added), tuple(shown)))
        if not hunks:
            return None
        next_start = n
        if j < n and lines[j].startswith("--- " if quilt else "diff --git "):
            next_start = j
        elif not all(not x or x in _TRAILER_MARKS or not x.startswith(_TRAILER_LIVE) for x in lines[j:n]):
            return None   # only after the last file, and only lines unidiff reads as no part of a file
        old_path, new_path = diff_path(old_name), diff_path(new_name)
        if quilt:
            # _file_change without git's headers: unidiff's is_added_file / is_removed_file
            only = hunks[0] if len(hunks) == 1 else None
            if old_path is None or (only and only.old_start == 0 and only.old_len == 0):
                change = (None, new_path, "added", None, None)
            elif new_path is None or (only and only.new_start == 0 and only.new_len == 0):
                change = (old_path, None, "deleted", None, None)
            else:
                change = (old_path, new_path, "modified", None, None)
        elif mode is None:
            change = (old_path, new_path, "modified", None, None)
        elif mode.group(1) == "new":
            change = (None, new_path, "added", None, mode.group(2))
        else:
            change = (old_path, None, "deleted", mode.group(2), None)
        files.append(FileChange(*change, False, tuple(hunks), mail_lines[start]))
        starts.append(start)
        start = next_start
    # _sections finds these parts: at once when there is no `diff --git` line and no `+++ ` line but
    # the files' (each part begins at the `---` line before one); else when it says so.
    if quilt and (text.count("\n+++ ") != len(starts) or "\ndiff --git " in text) and _sections(lines) != starts:
        return None   # (a hunk's `--- ` line before a `+++ ` one: parse_diff's parts differ)
    return tuple(files)


def parse_diff(lines: tuple[str, ...], mail_lines: tuple[int, ...], damaged: frozenset[int] = frozenset(),
               all_damaged: bool = False) -> tuple[tuple[FileChange, ...], tuple[DiffError, ...]]:
    """Parse the diff; a file whose part cannot be parsed becomes a DiffError, the rest still parse."""
    if not lines:
        return (), ()
    plain = _plain_git_diff(lines, mail_lines, damaged, all_damaged)
    if plain is not None:
        return plain, ()
    starts = _sections(lines)
    try:
        patch, hunk_headers = _patch(lines)
        headers = starts if len(starts) == len(patch) else [None] * len(patch)
        at = iter(hunk_headers) if hunk_headers is not None else None
        return tuple(_file_change(pf, mail_lines, 0, h, damaged, all_damaged, lines, at)
                     for pf, h in zip(patch, headers)), ()
    except unidiff.UnidiffParseError:
        pass
    files, errors = [], []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        try:
            part = lines[start:end]
            patch, hunk_headers = _patch(part)
            at = iter(hunk_headers) if hunk_headers is not None else None
            files += [_file_change(pf, mail_lines, start, start if len(patch) == 1 else None, damaged, all_damaged,
                                   part, at)
                      for pf in patch]
        except unidiff.UnidiffParseError as e:
            path = next((diff_path(x[4:].split("\t")[0]) for x in lines[start:end] if x.startswith("+++ ")), None)
            if path is None and lines[start].startswith("diff --git ") and len(lines[start].split()) >= 4:
                path = diff_path(lines[start].split()[-1])
            errors.append(DiffError(path, mail_lines[start], " ".join(str(e).split())))   # one line
    return tuple(files), tuple(errors)
