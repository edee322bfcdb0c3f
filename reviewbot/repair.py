"""Mending diffs that mail clients and web archives damaged, where the hunk counts allow.

A hunk header `@@ -a,b +c,d @@` says how many old and new lines follow.  When a
line inside a hunk has lost the space that marks it as context (web archives
collapse leading whitespace; some clients strip it), and the counts only work
out if it is context, we put the space back and record the repair.  A hunk whose
counts cannot be made to work (a long line wrapped by the mailer, a truncated
mail) is dropped from review and recorded as damage.  A header line joined onto
`diff --git` by a mailer is split again.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from reviewbot.model import Repair
from reviewbot.paths import diff_path

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_JOINED_GIT_HEADER = re.compile(
    r"^(diff --git \S+ \S+) ((?:index [0-9a-f]+\.\.[0-9a-f]+|old mode|new mode|new file mode|deleted file mode|similarity index)\b.*)$"
)
# Lines that may legitimately follow a complete hunk.
_AFTER_HUNK = re.compile(
    r"^(@@ |diff |--- |\+\+\+ |\\ |-- ?$|---\s*$|Index: |index |old mode|new mode|new file|deleted file|similarity|rename |copy |Binary |GIT binary|Only in |=+$)"
)

_FIRST = itemgetter(slice(0, 1))   # a line's first character, or "" for an empty line
_FILE_START = repeat("--- ")


def _file_header_at(lines, j) -> bool:
    """Whether a new file's part of the diff starts at line j (`diff ...`, `Index: `, or `---`/`+++`/`@@`)."""
    line = lines[j]
    if line.startswith(("diff --git ", "diff -", "Index: ")):
        return True
    return (line.startswith("--- ") and j + 2 < len(lines) and lines[j + 1].startswith("+++ ")
            and lines[j + 2].startswith("@@ "))


class RepairedDiff(NamedTuple):
    lines: tuple[str, ...]
    mail_lines: tuple[int, ...]
    repairs: tuple[Repair, ...]
    repaired_hunks: frozenset[int]


def _target_path(line: str) -> str | None:
    if line.startswith("diff --git "):
        parts = line.split()
        return diff_path(parts[-1]) if len(parts) >= 4 else None
    return diff_path(line[4:])


def _read_hunk(lines, start, old_len, new_len):
    """Consume one hunk body from `start`; return (body, fixed indexes, end, ok).

    Whole runs of plain `+`, `-`, context and empty lines are taken first, told apart by
    their first characters in C; the line-by-line walk (_walk_hunk) goes on from where they
    end.  A run is `m` lines, m the smaller count left (or the only one left, and then every
    line must be of that side): m lines cannot overdraw either count, and the walk would
    take each as it is (an empty line as " ") without stopping early, which it only does at
    a line that is none of these, or at a `--- ` line."""
    body: list[str] = []
    j = start
    while old_len > 0 or new_len > 0:
        m = min(old_len, new_len) or max(old_len, new_len)
        if m < 16:
            break
        chunk = lines[j:j + m]
        if len(chunk) < m:
            break
        kinds = "".join(map(_FIRST, chunk))
        plus, minus = kinds.count("+"), kinds.count("-")
        space = kinds.count(" ")
        empty = m - len(kinds)
        if plus + minus + space + empty != m:
            break
        if (empty or space) and not (old_len and new_len):
            break
        if (plus and not new_len) or (minus and not old_len):
            break
        if minus and any(map(str.startswith, chunk, _FILE_START)):
            break
        old_len -= minus + space + empty
        new_len -= plus + space + empty
        body += [x or " " for x in chunk] if empty else chunk
        j += m
    return _walk_hunk(lines, j, old_len, new_len, body)


def _walk_hunk(lines, j, old_len, new_len, body):
    """_read_hunk's line-by-line walk from line j, `body` holding what was read before it."""
    fixed: list[int] = []
    n = len(lines)
    append = body.append
    while (old_len > 0 or new_len > 0) and j < n:
        line = lines[j]
        c = line[:1]
        if c == "+":
            new_len -= 1
            append(line)
        elif c == " ":
            old_len -= 1
            new_len -= 1
            append(line)
        elif c == "-":
            if line.startswith("--- ") and _file_header_at(lines, j):
                return body, fixed, j, False   # the next file begins: this hunk was cut short
            old_len -= 1
            append(line)
        elif not line:
            # An empty context line (what GNU diff writes, and mailers make of a lone space).
            old_len -= 1
            new_len -= 1
            append(" ")
        elif c == "\\":
            append(line)
        elif line.startswith("@@ ") or _file_header_at(lines, j):
            return body, fixed, j, False
        else:
            # A context line that lost its leading space.
            old_len -= 1
            new_len -= 1
            fixed.append(j)
            append(" " + line)
        if old_len < 0 or new_len < 0:
            return body, fixed, j + 1, False
        j += 1
    if old_len > 0 or new_len > 0:
        return body, fixed, j, False
    if j < n and lines[j].startswith("\\"):
        body.append(lines[j])
        j += 1
    # What follows a complete hunk must look like diff structure, not more hunk lines.
    if j < n and lines[j] and not _AFTER_HUNK.match(lines[j]) and lines[j][:1] in " +-":
        return body, fixed, j, False
    return body, fixed, j, True


def _path(path: str | None, named: list[str]) -> str | None:
    """The file a repair is recorded for: each line in `named` (emptied), in turn, names it unless
    it names none (/dev/null) -- worked out only when a repair needs it."""
    for line in named:
        path = _target_path(line) or path
    named.clear()
    return path


def repair_diff(lines: list[str], mail_lines: list[int], archive: bool) -> RepairedDiff:
    """Return the diff with what can be mended mended, and a record of it."""
    out: list[str] = []
    out_map: list[int] = []
    repairs: list[Repair] = []
    repaired_hunks: set[int] = set()
    path: str | None = None
    named: list[str] = []   # the lines naming a file since `path` was last worked out (see _path)
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("diff --git "):
            m = _JOINED_GIT_HEADER.match(line)
            if m:
                out += [m.group(1), m.group(2)]
                out_map += [mail_lines[i], mail_lines[i]]
                named.clear()
                path = _target_path(m.group(1))
                # git apply takes the names from ---/+++ when `diff --git` has junk after them, and an
                # `index` line is only needed for a three-way merge: such a mail still applies.
                joined = m.group(2).split()[0]
                repairs.append(Repair(f"split the header line joined onto `diff --git` ({joined} ...)",
                                      path, mail_lines[i], breaks_apply=joined != "index"))
                i += 1
                continue
            named.append(line)
        elif line.startswith("+++ ") and i > 0 and lines[i - 1].startswith("--- "):
            named.append(line)
        m = HUNK_HEADER.match(line) if line.startswith("@@ -") else None
        if not m:
            out.append(line)
            out_map.append(mail_lines[i])
            i += 1
            continue
        old_len = int(m.group(2)) if m.group(2) is not None else 1
        new_len = int(m.group(4)) if m.group(4) is not None else 1
        body, fixed, end, ok = _read_hunk(lines, i + 1, old_len, new_len)
        if not ok:
            header = line.split(" @@")[0] + " @@"
            path = _path(path, named)
            repairs.append(Repair(
                f"hunk `{header}` does not match its line counts (a line wrapped or lost by the mailer?); "
                "not reviewed", path, mail_lines[i], repaired=False))
            # Resume at the next header so later hunks and files are still reviewed.
            k = i + 1
            while k < n and not (lines[k].startswith("@@ ") or _file_header_at(lines, k)):
                k += 1
            i = k
            continue
        if fixed:
            repaired_hunks.add(len(out))
            what = "line" if len(fixed) == 1 else "lines"
            header = line.split(" @@")[0] + " @@"
            path = _path(path, named)
            repairs.append(Repair(
                f"hunk `{header}`: {len(fixed)} context {what} had lost the leading space; restored",
                path, mail_lines[i]))
        elif archive:
            repaired_hunks.add(len(out))
        out.append(line)
        out_map.append(mail_lines[i])
        out += body
        out_map += mail_lines[i + 1:i + 1 + len(body)]
        i = end
    return RepairedDiff(tuple(out), tuple(out_map), tuple(repairs), frozenset(repaired_hunks))
