#!/usr/bin/env python3
"""Review the same patches with reviewbot and checkpatch.pl; compare findings by type, and time both.

    python benchmarks/vs_checkpatch.py [DIR] [--checkpatch PATH] [--limit N] [--jobs 2] [--batch 200]
                                       [--slack 1] [--preview] [--top N] [--json]
                                       [--list-misses TYPE[,TYPE|ALL]] [--list-extra TYPE[,TYPE|ALL]]
                                       [--verify-showfile]

DIR defaults to ../shared/corpus next to the repository.  reviewbot runs in this
process through the library, as benchmarks/corpus.py does (read_inputs ->
parse_message -> skip_reason -> Reviewer(default rules, builtin knowledge, no
tree).review); checkpatch.pl runs as `perl checkpatch.pl --no-tree --show-types
--terse --strict --ignore UNKNOWN_COMMIT_ID FILE...`, many files per call, from a
scratch directory.  Both see exactly the same files: those in which reviewbot found
at least one patch to review.

Checkpatch types map to reviewbot rules through the rules' metadata
(`rule.meta.checkpatch`, and each finding's `checkpatch_type`), so the table follows
the rules as they are added.  A finding is one *unit* per patch, type and line; see
benchmarks/README.md for how the two tools' lines are matched.

Exit status: 0 on success; 1 when reviewbot raised on a message or a checkpatch run
failed; 2 for a bad argument, a missing DIR, or no checkpatch.pl / perl.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_CHECKPATCH = Path.home() / ".cache" / "kernel-ref" / "checkpatch" / "checkpatch.pl"
# The flags the issue names, without --showfile: with it checkpatch prints the path *inside*
# the patch instead of the input file, so a batch of many files loses which patch a line
# belongs to, and lines about the commit message come out as `:N:` with a meaningless N.
# Without it every line is `INPUT:N:`, N the line in the input file; the file and
# new-file line are recomputed from the patch the way checkpatch does (`patch_layout`).
CHECKPATCH_FLAGS = ("--no-tree", "--show-types", "--terse", "--strict", "--ignore", "UNKNOWN_COMMIT_ID")

# Types checkpatch reports after it has read the whole patch (at its last line), about the
# mail as a whole.  Read from checkpatch.pl itself when it can be (`post_loop_types`).
POST_LOOP_TYPES = frozenset({"NOT_UNIFIED_DIFF", "MISSING_FIXES_TAG", "MISSING_SIGN_OFF",
                             "NO_AUTHOR_SIGN_OFF", "FROM_SIGN_OFF_MISMATCH"})

# `PATH:LINE: LEVEL:TYPE: message` (checkpatch --terse --show-types, without --showfile).
CP_LINE = re.compile(r"^(?P<path>.*?):(?P<line>\d+): (?P<level>ERROR|WARNING|CHECK):(?P<type>[A-Z0-9_]+): ?"
                     r"(?P<msg>.*)$")
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


# --- pure parts (tested in tests/test_vs_checkpatch.py) ----------------------------------


@dataclass(frozen=True)
class CpLine:
    """One line of checkpatch output."""

    path: str        # the input file as checkpatch was given it
    mail_line: int   # line inside that file, counted from 1 (checkpatch's `-:N:`)
    level: str
    type: str
    message: str


def parse_checkpatch_line(text: str) -> CpLine | None:
    """A finding line of `checkpatch --terse --show-types` output, or None (`total:` lines, noise)."""
    m = CP_LINE.match(text.rstrip("\r\n"))
    if not m:
        return None
    return CpLine(m["path"], int(m["line"]), m["level"], m["type"], m["msg"])


def parse_checkpatch_output(text: str, known: Iterable[str] | None = None) -> tuple[list[CpLine], list[str]]:
    """Findings of one checkpatch run, and the lines that are neither findings nor `total:`
    summaries (or name a path not in `known`, when given)."""
    known = set(known) if known is not None else None
    found, other = [], []
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("total: "):
            continue
        cp = parse_checkpatch_line(raw)
        if known is not None and (cp is None or cp.path not in known):
            # A path with `:N: LEVEL:` in it defeats the lazy match; try the known names.
            for name in sorted(known, key=len, reverse=True):
                if raw.startswith(name + ":"):
                    cp = parse_checkpatch_line("X" + raw[len(name):])
                    cp = cp and CpLine(name, cp.mail_line, cp.level, cp.type, cp.message)
                    break
        if cp is None or (known is not None and cp.path not in known):
            other.append(raw)
            continue
        found.append(cp)
    return found, other


def post_loop_types(checkpatch_source: str) -> frozenset[str]:
    """The types checkpatch.pl reports after its main loop (about the whole mail, at its last
    line): those between "If we have no input at all" and the end of `sub process`."""
    start = checkpatch_source.find("If we have no input at all")
    if start < 0:
        return POST_LOOP_TYPES
    end = checkpatch_source.find("\n}\n", start)
    types = frozenset(re.findall(r"\b(?:ERROR|WARN|CHK)\(\s*\"([A-Z0-9_]+)\"", checkpatch_source[start:end]))
    return types or POST_LOOP_TYPES


def patch_layout(data: bytes) -> list[tuple[str | None, int | None]]:
    """For every line of a patch file (index = line number from 1; index 0 unused): the file
    it belongs to (None before the first diff header: headers, commit message) and its line
    in the new file (None for headers, removed lines, anything outside a hunk).

    As checkpatch tracks `$realfile` / `$realline`: `diff --git ... b/PATH` and `+++ b/PATH`
    name the file (first path component dropped), `@@ -a,b +c,d @@` starts a hunk at new line
    c, and context (` `, or an empty line: some diffs drop the space), `+` lines count.
    """
    lines = data.split(b"\n")
    out: list[tuple[str | None, int | None]] = [(None, None)]
    realfile: str | None = None
    new = 0
    old_left = new_left = 0
    for k, raw in enumerate(lines):
        line = raw.decode("utf-8", "replace")
        where: tuple[str | None, int | None] = (realfile, None)
        if old_left > 0 or new_left > 0:
            c = line[:1]
            if c == "+" and new_left > 0:
                new += 1
                new_left -= 1
                where = (realfile, new)
            elif c == "-" and old_left > 0:
                old_left -= 1
            elif (c == " " or line in ("", "\r")) and new_left > 0:
                new += 1
                new_left -= 1
                old_left = max(0, old_left - 1)
                where = (realfile, new)
            elif c == "\\":
                pass
            else:
                old_left = new_left = 0   # a short hunk: fall through to the headers below
        if old_left == 0 and new_left == 0 and where[1] is None:
            if line.startswith("diff --git "):
                path = line.rstrip().rsplit(" ", 1)[-1]
                realfile = path.split("/", 1)[1] if "/" in path else path
                where = (realfile, None)
            elif line.startswith("+++ ") and (k == 0 or lines[k - 1].startswith(b"--- ")):
                path = line[4:].split("\t")[0].strip().split(" ")[0]
                realfile = path.split("/", 1)[1] if "/" in path else path
                where = (realfile, None)
            elif realfile is not None and (m := _HUNK.match(line)):
                old_left = int(m[1]) if m[1] is not None else 1
                new = int(m[2]) - 1
                new_left = int(m[3]) if m[3] is not None else 1
        out.append(where)
    return out


_CTE = re.compile(rb"^Content-Transfer-Encoding:[ \t]*(base64|quoted-printable)[ \t]*\r?$", re.I | re.M)


def transfer_encoding(data: bytes) -> str | None:
    """`base64` or `quoted-printable` when the mail (or a part of it) is sent so.  checkpatch
    reads the file undecoded (b4 decodes before it calls checkpatch): in a base64 body it
    sees no patch at all, in a quoted-printable one `=3D` and lines wrapped with `=`."""
    m = _CTE.search(data)
    return m.group(1).decode().lower() if m else None


@dataclass
class Unit:
    """One finding as the comparison counts it: a patch, a checkpatch type and a place."""

    patch: str
    type: str
    mail_line: int | None        # line in the patch file (both tools count from 1)
    file: str | None             # None: about the mail (commit message, sign-offs)
    line: int | None             # new-file line; None: about the file (or the mail)
    end_line: int | None = None  # reviewbot findings may cover a range
    source: str = "cp"           # "cp" (checkpatch) or "rb" (reviewbot)
    rule: str | None = None      # reviewbot rule id
    message: str = ""
    level: str = ""              # checkpatch's ERROR/WARNING/CHECK, or reviewbot's severity
    matched: str | None = None   # None, "exact", "range", "near", "loose"; "moved" (see `match_patch`)
    preexisting: bool = False    # reviewbot unit: on code the patch only moves (not shown by default)
    covered: bool = False        # checkpatch unit: reviewbot reported the type in the same file (or mail)
    excuse: str | None = None    # checkpatch unit reviewbot misses on purpose: why (see `excuse`)

    @property
    def scope(self) -> str:
        return "mail" if self.file is None else ("file" if self.line is None else "line")


def cp_units(patch: str, found: Iterable[CpLine], layout: list[tuple[str | None, int | None]],
             mail_types: frozenset[str] = POST_LOOP_TYPES) -> list[Unit]:
    """Checkpatch's findings on one patch as units, one per (type, line) (checkpatch sometimes
    says two things of one type about one line; reviewbot says one thing per rule and line)."""
    units: dict[tuple, Unit] = {}
    for cp in found:
        if cp.type in mail_types:
            file, line = None, None
        else:
            file, line = layout[cp.mail_line] if 0 < cp.mail_line < len(layout) else (None, None)
        key = (cp.type, cp.mail_line)
        if key not in units:
            units[key] = Unit(patch, cp.type, cp.mail_line, file, line, None, "cp", None, cp.message, cp.level)
    return list(units.values())


def rb_units(patch: str, findings: Iterable) -> list[Unit]:
    """reviewbot's findings (`reviewbot.findings.Finding`) on one patch that carry a checkpatch
    type, as units; findings of several rules on one type and line make one unit."""
    units: dict[tuple, Unit] = {}
    from reviewbot.render.checkpatch import places

    # A finding said once for many places counts at each, as checkpatch's format lists them.
    for f in (g for f in findings for g in places(f)):
        if not f.checkpatch_type:
            continue
        file = f.path
        line = f.line if file is not None else None
        moved = bool(getattr(f, "preexisting", False))
        key = (f.checkpatch_type, file, line, f.mail_line if line is None else None, moved)
        u = units.get(key)
        if u is None:
            units[key] = Unit(patch, f.checkpatch_type, f.mail_line, file, line, f.end_line, "rb", f.rule,
                              f.message, str(f.severity), preexisting=moved)
        elif f.end_line and (u.end_line or 0) < f.end_line:
            u.end_line = f.end_line
    shown = {k[:4] for k, u in units.items() if not u.preexisting}
    for k in [k for k, u in units.items() if u.preexisting and k[:4] in shown]:
        del units[k]   # the same place is also found on code the patch changes
    return list(units.values())


def match_patch(cps: list[Unit], rbs: list[Unit], slack: int = 1, show_preexisting: bool = False) -> None:
    """Pair one patch's units: first with reviewbot's shown findings (`match`); what is left of
    checkpatch's with reviewbot's findings on moved code, which `reviewbot check` hides unless
    --show-preexisting: those checkpatch units are `matched = "moved"`.  With
    `show_preexisting` every finding counts alike."""
    if show_preexisting:
        match(cps, rbs, slack)
        return
    match(cps, [r for r in rbs if not r.preexisting], slack)
    left = [c for c in cps if not c.matched]
    moved = [r for r in rbs if r.preexisting]
    if left and moved:
        match(left, moved, slack, cover=False)
        for c in left:
            if c.matched:
                c.matched = "moved"


def match(cps: list[Unit], rbs: list[Unit], slack: int = 1, cover: bool = True) -> None:
    """Pair checkpatch's and reviewbot's units of ONE patch, setting each unit's `matched`.

    Per type, in this order:
      exact  the same line of the patch file;
      range  a reviewbot finding over lines a..b covers every checkpatch line in a..b
             of the same file (one reviewbot unit may match several);
      near   the same file, new-file lines at most `slack` apart (nearest first);
      loose  about the mail on both sides (a missing sign-off is reported once, wherever
             each tool puts it), or about the file on one side (reviewbot's file-level
             finding vs checkpatch's line in that file).
    All but `range` pair one to one.  A checkpatch unit is also `covered` when reviewbot
    reported its type anywhere in the same file (or, for the mail, in the mail): some rules
    say once per file or mail what checkpatch says on every line ("and 12 more").
    """
    by_type: dict[str, tuple[list[Unit], list[Unit]]] = defaultdict(lambda: ([], []))
    for u in cps:
        by_type[u.type][0].append(u)
    for u in rbs:
        by_type[u.type][1].append(u)
    for c_list, r_list in by_type.values():
        if not c_list or not r_list:
            continue
        # exact
        free_r = {}
        for r in r_list:
            if r.mail_line is not None:
                free_r.setdefault(r.mail_line, r)
        for c in c_list:
            r = free_r.get(c.mail_line)
            if r is not None and r.matched is None:
                c.matched = r.matched = "exact"
        # range
        for r in r_list:
            if r.line is None or not r.end_line or r.end_line <= r.line:
                continue
            for c in c_list:
                if c.matched is None and c.file == r.file and c.line is not None and r.line <= c.line <= r.end_line:
                    c.matched = "range"
                    r.matched = r.matched or "range"
        # near, then loose: greedy on the smallest distance
        for kind in ("near", "loose"):
            pairs = []
            for ci, c in enumerate(c_list):
                if c.matched:
                    continue
                for ri, r in enumerate(r_list):
                    if r.matched:
                        continue
                    d = _distance(c, r, slack) if kind == "near" else _loose(c, r)
                    if d is not None:
                        pairs.append((d, ci, ri))
            for _, ci, ri in sorted(pairs):
                c, r = c_list[ci], r_list[ri]
                if not c.matched and not r.matched:
                    c.matched = r.matched = kind
        if cover:
            places = {r.file for r in r_list}
            for c in c_list:
                c.covered = bool(c.matched) or c.file in places


def _distance(c: Unit, r: Unit, slack: int) -> int | None:
    if c.file is None or c.file != r.file or c.line is None or r.line is None:
        return None
    lo, hi = r.line, max(r.line, r.end_line or r.line)
    d = lo - c.line if c.line < lo else (c.line - hi if c.line > hi else 0)
    return d if d <= slack else None


def _loose(c: Unit, r: Unit) -> int | None:
    if c.file is None and r.file is None:
        return abs((c.mail_line or 0) - (r.mail_line or 0))
    if c.file is not None and c.file == r.file and (c.line is None or r.line is None):
        return abs((c.mail_line or 0) - (r.mail_line or 0))
    return None


# --- misses reviewbot has a reason for ------------------------------------------------------

ENCODED = "encoded mail: checkpatch read the quoted-printable or base64 text undecoded"
UNCHANGED = "unchanged line: reviewbot judges only the lines a patch adds"
BYTES = ("checkpatch counts bytes: the line is at most 100 characters wide, as an editor shows it, "
         "but longer in UTF-8")
SIBLING = ("one fault, one finding: reviewbot reports the line under another type of the same rule "
           "(checkpatch reports eight leading spaces as CODE_INDENT and LEADING_SPACE)")
MISSPELT = ("one fault, one finding: the sign-off is there but misspelt (`Signe-off-by:`); "
            "malformed-trailer reports the spelling, missing-signed-off-by takes the tag as meant")
# checkpatch's missing sign-off types, and what malformed-trailer says of a misspelt Signed-off-by:
SIGN_OFF_TYPES = frozenset({"MISSING_SIGN_OFF", "NO_AUTHOR_SIGN_OFF"})
MISSPELT_SIGN_OFF = re.compile(r"looks like a misspelt 'Signed-off-by:'")
EXCEPTIONS_FILE = Path(__file__).resolve().parent / "checkpatch-exceptions.tsv"


@dataclass(frozen=True)
class Exception_:
    """One documented kind of case where checkpatch is wrong or reviewbot is silent on purpose:
    a checkpatch type, regular expressions the file's path, checkpatch's message and the line's
    text must match (empty: anything), and the reason (docs/checkpatch-differences.md says more)."""

    type: str
    file: re.Pattern
    message: re.Pattern
    text: re.Pattern
    reason: str
    next: re.Pattern | None = None   # the line after it, when the case needs it


def read_exceptions(text: str) -> list[Exception_]:
    """`type<TAB>file regex<TAB>message regex<TAB>line regex<TAB>reason[<TAB>next line regex]` rows;
    `#` comments and blank lines skipped."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) not in (5, 6) or not cols[0] or not cols[4]:
            raise ValueError(f"line {n}: want type, file regex, message regex, line regex, reason and "
                             "optionally a next-line regex (tab-separated)")
        follow = re.compile(cols[5]) if len(cols) == 6 and cols[5] else None
        out.append(Exception_(cols[0], *(re.compile(c) for c in cols[1:4]), cols[4], follow))
    return out


def excuse(cps: Iterable[Unit], added: set[int], encoded: bool, exceptions: Iterable[Exception_],
           text=lambda u, k=0: "", rbs: Iterable[Unit] = (), mapping: dict[str, list[str]] | None = None) -> None:
    """Set `excuse` on each of one patch's checkpatch units that reviewbot did not find, when it
    is a case reviewbot leaves alone on purpose: an encoded mail (checkpatch reads it undecoded),
    a line the patch did not add (`added`: the mail lines of its `+` lines), or a documented
    exception (`text(u)` gives the unit's line, for the exception's line pattern, and
    `text(u, 1)` the line after it).  Also when
    reviewbot reported the same line under another checkpatch type of a rule that maps this
    type too (`rbs`: the patch's reviewbot units; `mapping`: type -> rule ids), and a missing
    sign-off when malformed-trailer reported a misspelt Signed-off-by in the mail."""
    exceptions = list(exceptions)
    rbs = list(rbs)
    misspelt = any(r.rule == "malformed-trailer" and MISSPELT_SIGN_OFF.search(r.message) for r in rbs)
    on_line: dict[tuple, set[str]] = defaultdict(set)   # (file, new line) -> rules reporting it
    for r in rbs:
        if r.rule and r.line is not None:
            for n in range(r.line, (r.end_line or r.line) + 1):
                on_line[(r.file, n)].add(r.rule)
    for u in cps:
        if u.matched:
            continue
        if encoded:
            u.excuse = ENCODED
        elif u.line is not None and u.mail_line not in added:
            u.excuse = UNCHANGED
        elif mapping and u.line is not None and on_line.get((u.file, u.line), set()) & set(mapping.get(u.type, ())):
            u.excuse = SIBLING
        elif u.type in SIGN_OFF_TYPES and misspelt:
            u.excuse = MISSPELT
        elif u.type.startswith("LONG_LINE") and u.line is not None and _bytes_only(text(u)[1:]):
            u.excuse = BYTES
        else:
            line = text(u)
            for e in exceptions:
                if (e.type == u.type and e.file.search(u.file or "") and e.message.search(u.message)
                        and e.text.search(line) and (e.next is None or e.next.search(text(u, 1)))):
                    u.excuse = e.reason
                    break


def _bytes_only(text: str, limit: int = 100) -> bool:
    """Over the limit in UTF-8 bytes (as checkpatch counts), not in characters (as an editor shows)."""
    wide = text.expandtabs(8)
    return len(wide) <= limit < len(wide.encode("utf-8"))


def added_mail_lines(data: bytes, layout: list[tuple[str | None, int | None]]) -> set[int]:
    """The mail lines (from 1) that are `+` lines of a hunk."""
    lines = data.split(b"\n")
    return {k for k in range(1, len(layout)) if layout[k][1] is not None and lines[k - 1].startswith(b"+")}


@dataclass
class TypeRow:
    type: str
    rules: list[str] = field(default_factory=list)
    checkpatch: int = 0          # checkpatch's units
    both: int = 0                # checkpatch units reviewbot also found
    near: int = 0                # of which not on the same line (range / near / loose)
    only_checkpatch: int = 0
    only_reviewbot: int = 0      # reviewbot units checkpatch did not report
    moved: int = 0               # checkpatch units reviewbot finds on moved code and does not show
    excused: int = 0             # of only_checkpatch: reviewbot misses them on purpose (`excuse`)
    reviewbot: int = 0
    places: int = 0              # (patch, file or mail) where checkpatch reported the type
    places_covered: int = 0      # ... and reviewbot reported it at least once

    @property
    def recall(self) -> float | None:
        """Of what checkpatch reports on code the patch changes (moved code left out)."""
        n = self.both + self.only_checkpatch
        return self.both / n if n else None

    @property
    def recall_where_right(self) -> float | None:
        """Of what checkpatch reports on code the patch changes, leaving out the excused misses."""
        n = self.both + self.only_checkpatch - self.excused
        return self.both / n if n else None

    @property
    def place_recall(self) -> float | None:
        return self.places_covered / self.places if self.places else None

    def as_dict(self) -> dict:
        return {"type": self.type, "rules": self.rules, "checkpatch": self.checkpatch, "reviewbot": self.reviewbot,
                "both": self.both, "near": self.near, "moved": self.moved, "only_checkpatch": self.only_checkpatch,
                "only_reviewbot": self.only_reviewbot,
                "recall": None if self.recall is None else round(self.recall, 4),
                "excused": self.excused,
                "recall_where_right": None if self.recall_where_right is None else round(self.recall_where_right, 4),
                "places": self.places, "places_covered": self.places_covered,
                "place_recall": None if self.place_recall is None else round(self.place_recall, 4)}


def tabulate(cps: Iterable[Unit], rbs: Iterable[Unit], mapping: dict[str, list[str]],
             show_preexisting: bool = False) -> tuple[list[TypeRow], Counter, Counter]:
    """Per mapped type: counts; and the unmapped checkpatch types (units, patches)."""
    rows = {t: TypeRow(t, sorted(rules)) for t, rules in mapping.items()}
    unmapped: Counter = Counter()
    unmapped_patches: dict[str, set] = defaultdict(set)
    places: dict[tuple, bool] = {}
    for c in cps:
        row = rows.get(c.type)
        if row is None:
            unmapped[c.type] += 1
            unmapped_patches[c.type].add(c.patch)
            continue
        row.checkpatch += 1
        if c.matched != "moved":
            key = (c.type, c.patch, c.file)
            places[key] = places.get(key, False) or c.covered
        if c.matched == "moved":
            row.moved += 1
        elif c.matched:
            row.both += 1
            row.near += c.matched != "exact"
        else:
            row.only_checkpatch += 1
            row.excused += c.excuse is not None
    for r in rbs:
        row = rows.setdefault(r.type, TypeRow(r.type, [r.rule] if r.rule else []))
        if r.rule and r.rule not in row.rules:
            row.rules = sorted(row.rules + [r.rule])
        if r.preexisting and not show_preexisting:
            continue   # not shown: neither found nor extra
        row.reviewbot += 1
        if not r.matched:
            row.only_reviewbot += 1
    for (t, _, _), covered in places.items():
        rows[t].places += 1
        rows[t].places_covered += covered
    ordered = sorted(rows.values(), key=lambda x: (-(x.checkpatch + x.only_reviewbot), x.type))
    return ordered, unmapped, Counter({t: len(p) for t, p in unmapped_patches.items()})


def type_mapping(rules) -> dict[str, list[str]]:
    """checkpatch type -> ids of the given rules that report it (from `rule.meta.checkpatch`)."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in rules:
        for t in r.meta.checkpatch:
            out[t].append(r.id)
    return dict(out)


# --- running the tools --------------------------------------------------------------------


def list_files(target: Path) -> list[Path]:
    """The files under a directory (hidden ones skipped), in the order reviewbot reads them."""
    if target.is_file():
        return [target]
    found = []
    for root, dirs, files in os.walk(target):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def _label(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base)) if base.is_dir() else path.name
    except ValueError:
        return str(path)


def run_reviewbot(files: list[Path], base: Path, preview: bool) -> dict:
    """Review each file in this process; per patch file its findings, and the time it took."""
    t_import = time.perf_counter()
    cpu_import = time.process_time()
    from reviewbot.engine import registry
    from reviewbot.errors import InputError
    from reviewbot.ingest import Problem, read_inputs
    from reviewbot.knowledge import builtin
    from reviewbot.mail import parse_message
    from reviewbot.review import Reviewer, skip_reason
    from reviewbot.selection import select_rules

    every = registry()
    rules = tuple(every) if preview else select_rules(None, None)
    try:
        # Keep the findings on moved code (hidden by default, as `reviewbot check` does without
        # --show-preexisting): the comparison counts them apart.
        from reviewbot.review import Policy
        reviewer = Reviewer(rules, builtin(), None, None, Policy(show_preexisting=True))
    except (ImportError, TypeError):
        reviewer = Reviewer(rules, builtin(), None, None)
    setup = time.perf_counter() - t_import
    setup_cpu = time.process_time() - cpu_import

    patches: dict[str, list] = {}          # label -> findings, for files with something reviewed
    not_patches: dict[str, str] = {}       # label -> why
    failures: list[tuple[str, str]] = []
    wall = cpu = 0.0
    t_loop = time.perf_counter()
    for path in files:
        label = _label(path, base)
        t0, c0 = time.perf_counter(), time.process_time()
        findings: list = []
        reviewed = 0
        reasons: list[str] = []
        try:
            for item in read_inputs([str(path)]):
                if isinstance(item, Problem):
                    reasons.append(item.text)
                    continue
                message = parse_message(item)
                reason = skip_reason(message)
                if reason:
                    reasons.append(reason)
                    continue
                findings += reviewer.review(message).findings
                reviewed += 1
        except InputError as e:
            reasons.append(str(e).split(": ", 1)[-1])
        except BaseException as e:  # noqa: B036 - as corpus.py: RecursionError and friends count as failures
            if isinstance(e, KeyboardInterrupt):
                raise
            failures.append((label, traceback.format_exc()))
            continue
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if reviewed:
            patches[label] = findings
            wall += dt
            cpu += dc
        else:
            not_patches[label] = ", ".join(sorted(set(reasons))) or "nothing to review"
    return {
        "rules": rules, "registry": every, "patches": patches, "not_patches": not_patches, "failures": failures,
        "wall_s": wall, "cpu_s": cpu, "setup_s": setup, "setup_cpu_s": setup_cpu,
        "loop_wall_s": time.perf_counter() - t_loop,
    }


def _checkpatch_env(scratch: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    env["HOME"] = scratch    # no ~/.checkpatch.conf of whoever runs this
    return env


def _run_batch(cmd: list[str], scratch: str, env: dict) -> tuple[int, str, str, float]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True)
    return (r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace"),
            time.perf_counter() - t0)


def run_checkpatch(checkpatch: Path, files: list[Path], batch: int, jobs: int, extra: tuple[str, ...] = ()) -> dict:
    """checkpatch.pl over the files, `batch` per call, `jobs` calls at a time, from a scratch
    directory (it leaves a camelcase cache in its working directory, and runs `git ls-files`
    per input when it finds a .git there).  Paths are given absolute."""
    perl = shutil.which("perl")
    args = [str(p.resolve()) for p in files]
    chunks = [args[k:k + batch] for k in range(0, len(args), batch)]
    out: dict[str, list[CpLine]] = {a: [] for a in args}
    errors: list[str] = []
    failed: list[str] = []
    stderr_seen: Counter = Counter()
    batch_walls: list[float] = []
    with tempfile.TemporaryDirectory(prefix="vs-checkpatch-") as scratch:
        env = _checkpatch_env(scratch)
        base = [perl, str(checkpatch), *CHECKPATCH_FLAGS, *extra]
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda chunk: _run_batch(base + chunk, scratch, env), chunks))
        wall = time.perf_counter() - t0
        retried = []
        for chunk, (rc, stdout, stderr, dt) in zip(chunks, results):
            batch_walls.append(dt)
            found, other = parse_checkpatch_output(stdout, chunk)
            if rc not in (0, 1):
                # checkpatch died part-way (it exits on an empty input, for one): run the batch's
                # files one by one so the others still count.
                errors.append(f"batch of {len(chunk)} exited {rc}: {stderr.strip()[:300]}; re-run one file at a time")
                retried.append(chunk)
                continue
            if stderr.strip():
                stderr_seen[stderr.strip()[:300]] += 1
            for line in other:
                errors.append(f"unparsed: {line[:200]}")
            for cp in found:
                out[cp.path].append(cp)
        for text, n in stderr_seen.items():
            errors.append(f"stderr of {n} call(s): {text}")
        for chunk in retried:
            for a in chunk:
                rc, stdout, stderr, dt = _run_batch(base + [a], scratch, env)
                batch_walls.append(dt)
                found, other = parse_checkpatch_output(stdout, [a])
                if rc not in (0, 1):
                    errors.append(f"{a}: exited {rc}: {stderr.strip()[:300]}")
                    failed.append(a)
                for cp in found:
                    out[a].append(cp)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {"findings": out, "errors": errors, "wall_s": wall, "batch_sum_s": sum(batch_walls),
            "cpu_s": cpu, "batches": len(chunks), "retried": sum(len(c) for c in retried),
            "failed": failed}


def verify_showfile(checkpatch: Path, files: list[Path], layouts: dict[str, list],
                    cp_found: dict[str, list[CpLine]]) -> dict:
    """Run checkpatch once more with --showfile, one file per call (its lines name no input
    file), and check that `patch_layout` puts each finding on the file and line --showfile
    prints.  The lines are paired in output order with the batched run's lines for that
    file, CAMELCASE left out on both sides (batched calls report a word once per call)."""
    agree = disagree = skipped = 0
    examples: list[str] = []
    perl = shutil.which("perl")
    with tempfile.TemporaryDirectory(prefix="vs-checkpatch-") as scratch:
        env = _checkpatch_env(scratch)
        for path in files:
            a = str(path.resolve())
            plain = [cp for cp in cp_found.get(a, []) if cp.type != "CAMELCASE"]
            if not plain:
                continue
            rc, stdout, _, _ = _run_batch([perl, str(checkpatch), *CHECKPATCH_FLAGS, "--showfile", a], scratch, env)
            shown = [ln for ln in stdout.splitlines() if ln.strip() and not ln.startswith("total: ")
                     and ":CAMELCASE: " not in ln]
            layout = layouts[a]
            for cp, s in zip(plain, shown):
                m = CP_LINE.match(s)
                if not m or m["type"] != cp.type:
                    disagree += 1
                    if len(examples) < 10:
                        examples.append(f"{a}: out of step at {cp.mail_line} {cp.type} / {s}")
                    break
                file, line = layout[cp.mail_line] if cp.mail_line < len(layout) else (None, None)
                if not m["path"] or line is None:
                    # `:N:`, a commit-message line (--showfile's N means nothing there), or a
                    # header line (it prints the last hunk's line counter)
                    skipped += 1
                    continue
                if (file, line) == (m["path"], int(m["line"])):
                    agree += 1
                else:
                    disagree += 1
                    if len(examples) < 10:
                        examples.append(f"{a}:{cp.mail_line}: {cp.type}: layout {file}:{line}, --showfile {s}")
    return {"agree": agree, "disagree": disagree, "not_on_a_hunk_line": skipped, "examples": examples}


# --- the report ---------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _types_arg(text: str | None) -> set[str] | None:
    if not text:
        return None
    return {t.strip().upper() for t in text.split(",") if t.strip()}


def _wanted(u: Unit, types: set[str] | None) -> bool:
    return types is not None and ("ALL" in types or u.type in types)


def _patch_text(path: Path, n: int | None, cache: dict) -> str:
    if n is None:
        return ""
    lines = cache.get(path)
    if lines is None:
        lines = cache[path] = path.read_bytes().split(b"\n")
    return lines[n - 1].decode("utf-8", "replace") if 0 < n <= len(lines) else ""


def _where(u: Unit) -> str:
    if u.file is None:
        return "(mail)"
    return f"{u.file}:{u.line}" if u.line is not None else f"{u.file} (file)"


def compare(args) -> tuple[dict, int]:
    corpus = Path(args.corpus)
    files = list_files(corpus)
    if args.limit is not None:
        files = files[:args.limit]
    rb = run_reviewbot(files, corpus, args.preview)
    labels = {_label(p, corpus): p for p in files}
    patch_files = [labels[label] for label in rb["patches"]]
    rb_failed = {label for label, _ in rb["failures"]}

    cp = run_checkpatch(Path(args.checkpatch), patch_files, args.batch, args.jobs)
    source = Path(args.checkpatch).read_text(errors="replace")
    mail_types = post_loop_types(source)

    running = rb["rules"]
    mapping = type_mapping(running)
    preview_only = {t: ids for t, ids in type_mapping(rb["registry"]).items() if t not in mapping}

    exceptions = read_exceptions(Path(args.exceptions).read_text()) if args.exceptions else []
    cache: dict = {}
    all_cp: list[Unit] = []
    all_rb: list[Unit] = []
    untyped: Counter = Counter()
    layouts: dict[str, list] = {}
    encoded: dict[str, str] = {}
    for label, findings in rb["patches"].items():
        path = labels[label]
        a = str(path.resolve())
        data = path.read_bytes()
        layout = layouts[a] = patch_layout(data)
        enc = transfer_encoding(data)
        if enc:
            encoded[label] = enc
        c = cp_units(label, cp["findings"].get(a, []), layout, mail_types)
        r = rb_units(label, findings)
        for f in findings:
            if not f.checkpatch_type:
                untyped[f.rule] += 1
        match_patch(c, r, args.slack, args.show_preexisting)
        excuse(c, added_mail_lines(data, layout), bool(enc), exceptions,
               lambda u, k=0, path=path: _patch_text(path, u.mail_line and u.mail_line + k, cache), r, mapping)
        all_cp += c
        all_rb += r
    for r in all_rb:   # a type only a Report(checkpatch=...) names is mapped too
        if r.type not in mapping:
            mapping.setdefault(r.type, []).append(r.rule)
            mapping[r.type] = sorted(set(mapping[r.type]))

    rows, unmapped, unmapped_patches = tabulate(all_cp, all_rb, mapping, args.show_preexisting)
    both = sum(r.both for r in rows)
    only_cp = sum(r.only_checkpatch for r in rows)
    excused = sum(r.excused for r in rows)
    places = sum(r.places for r in rows)
    covered = sum(r.places_covered for r in rows)
    rb_total = rb["wall_s"] + rb["setup_s"]
    rb_cpu = rb["cpu_s"] + rb["setup_cpu_s"]
    result = {
        "corpus": str(corpus),
        "files": len(files),
        "patches": len(patch_files),
        "not_patches": rb["not_patches"],
        "reviewbot_failures": sorted(rb_failed),
        "rules": {"running": len(running), "with_checkpatch_type": sum(1 for r in running if r.meta.checkpatch),
                  "preview": bool(args.preview)},
        "checkpatch": {"path": str(args.checkpatch), "flags": list(CHECKPATCH_FLAGS), "batch": args.batch,
                       "jobs": args.jobs, "batches": cp["batches"], "mail_level_types": sorted(mail_types),
                       "errors": cp["errors"], "retried_files": cp["retried"],
                       "failed_files": cp["failed"]},
        "slack": args.slack,
        "exceptions": args.exceptions or "none",
        "show_preexisting": bool(args.show_preexisting),
        "types": [r.as_dict() for r in rows],
        "overall": {"mapped_types": len(rows), "checkpatch": both + only_cp, "both": both,
                    "only_checkpatch": only_cp, "only_reviewbot": sum(r.only_reviewbot for r in rows),
                    "moved": sum(r.moved for r in rows),
                    "recall": round(both / (both + only_cp), 4) if both + only_cp else None,
                    "excused": excused,
                    "recall_where_right": (round(both / (both + only_cp - excused), 4)
                                           if both + only_cp - excused else None),
                    "excuses": dict(Counter(u.excuse for u in all_cp if u.excuse and u.type in mapping
                                            and not u.matched).most_common()),
                    "places": places, "places_covered": covered,
                    "place_recall": round(covered / places, 4) if places else None},
        "unmapped": [{"type": t, "count": n, "patches": unmapped_patches[t]} for t, n in unmapped.most_common()],
        "mapped_to_preview_rules_only": preview_only,
        "reviewbot_untyped": dict(untyped.most_common()),
        "encoded": {"patches": dict(Counter(encoded.values())),
                    "only_checkpatch": sum(1 for u in all_cp if u.patch in encoded and not u.matched
                                           and u.type in mapping),
                    "only_reviewbot": sum(1 for u in all_rb if u.patch in encoded and not u.matched
                                          and (args.show_preexisting or not u.preexisting))},
        "checkpatch_findings_raw": sum(len(v) for v in cp["findings"].values()),
        "timing": {
            "reviewbot_wall_s": round(rb_total, 3), "reviewbot_review_s": round(rb["wall_s"], 3),
            "reviewbot_setup_s": round(rb["setup_s"], 3), "reviewbot_cpu_s": round(rb_cpu, 3),
            "checkpatch_wall_s": round(cp["wall_s"], 3), "checkpatch_batch_sum_s": round(cp["batch_sum_s"], 3),
            "checkpatch_cpu_s": round(cp["cpu_s"], 3),
            "ratio_one_process_each": round(cp["batch_sum_s"] / rb_total, 1) if rb_total else None,
            "ratio_wall_as_run": round(cp["wall_s"] / rb_total, 1) if rb_total else None,
            "ratio_cpu": round(cp["cpu_s"] / rb_cpu, 1) if rb_cpu else None,
        },
    }
    miss_types, extra_types = _types_arg(args.list_misses), _types_arg(args.list_extra)
    if miss_types is not None:
        result["misses"] = [
            {"patch": u.patch, "mail_line": u.mail_line, "file": u.file, "line": u.line, "type": u.type,
             "level": u.level, "message": u.message, "file_flagged": u.covered, "encoded": encoded.get(u.patch),
             "excuse": u.excuse,
             "text": _patch_text(labels[u.patch], u.mail_line, cache)}
            for u in all_cp if not u.matched and u.type in mapping and _wanted(u, miss_types)]
    if extra_types is not None:
        result["extra"] = [
            {"patch": u.patch, "mail_line": u.mail_line, "file": u.file, "line": u.line, "type": u.type,
             "rule": u.rule, "message": u.message, "encoded": encoded.get(u.patch),
             "text": _patch_text(labels[u.patch], u.mail_line, cache) if u.line is not None else ""}
            for u in all_rb if not u.matched and _wanted(u, extra_types)
            and (args.show_preexisting or not u.preexisting)]
    if args.verify_showfile:
        result["verify_showfile"] = verify_showfile(Path(args.checkpatch), patch_files, layouts, cp["findings"])
    status = 1 if rb["failures"] or cp["failed"] else 0
    for label, tb in rb["failures"]:
        print(f"vs_checkpatch.py: reviewbot FAILED on {label}:\n{tb}", file=sys.stderr, end="")
    return result, status


def print_text(r: dict, top: int) -> None:
    out = sys.stdout.write
    np = r["not_patches"]
    skipped = f"; {len(np)} not reviewed as patches: " + ", ".join(
        f"{k} ({v})" for k, v in list(np.items())[:5]) + (" ..." if len(np) > 5 else "") if np else ""
    out(f"corpus:      {r['corpus']}: {r['files']} files, {r['patches']} patches compared{skipped}\n")
    rules = r["rules"]
    out(f"reviewbot:   {rules['running']} {'rules (with preview)' if rules['preview'] else 'default rules'}, "
        f"{rules['with_checkpatch_type']} of them with checkpatch types\n")
    c = r["checkpatch"]
    out(f"checkpatch:  {c['path']} {' '.join(c['flags'])}\n"
        f"             {c['batches']} calls of <= {c['batch']} files, {c['jobs']} at a time; "
        f"{r['checkpatch_findings_raw']} finding lines\n")
    if r["reviewbot_failures"]:
        out(f"FAILED:      reviewbot raised on {len(r['reviewbot_failures'])} files (left out; see stderr)\n")
    for e in c["errors"][:10]:
        out(f"checkpatch:  {e}\n")

    moved = ("'moved': what reviewbot finds but does not show as the author's doing: code the patch only "
             "moves, or a fault the line it replaces already had (--show-preexisting counts it as found)" if not r["show_preexisting"] else "findings on moved code count as found")
    out(f"\nMapped checkpatch types.  Units (one per patch, type and line) checkpatch reports; {moved}; found by "
        f"both (of which 'near': within {r['slack']} line(s), or at file or mail level); only by checkpatch; "
        f"only by reviewbot.\nrecall = both / (both + only-cp); per-file = share of the files (or mails) with "
        f"the type that reviewbot flags it in at least once\n")
    rows = r["types"]
    w = max([len("type")] + [len(x["type"]) for x in rows])
    out(f"{'type':<{w}}  {'checkpatch':>10}  {'moved':>5}  {'both':>6}  {'near':>5}  {'only-cp':>7}  "
        f"{'excused':>7}  {'only-rb':>7}  {'recall':>7}  {'recall*':>7}  {'per-file':>8}  rules\n")
    for x in rows:
        out(f"{x['type']:<{w}}  {x['checkpatch']:>10}  {x['moved']:>5}  {x['both']:>6}  {x['near']:>5}  "
            f"{x['only_checkpatch']:>7}  {x['excused']:>7}  {x['only_reviewbot']:>7}  {_pct(x['recall']):>7}  "
            f"{_pct(x['recall_where_right']):>7}  {_pct(x['place_recall']):>8}  {', '.join(x['rules'])}\n")
    o = r["overall"]
    out(f"{'all ' + str(o['mapped_types']) + ' mapped types':<{w}}  {o['checkpatch']:>10}  {o['moved']:>5}  "
        f"{o['both']:>6}  {'':>5}  {o['only_checkpatch']:>7}  {o['excused']:>7}  {o['only_reviewbot']:>7}  "
        f"{_pct(o['recall']):>7}  {_pct(o['recall_where_right']):>7}  {_pct(o['place_recall']):>8}\n")
    out("recall* = both / (both + only-cp - excused): the misses reviewbot has a reason for left out "
        f"({r['exceptions']}):\n")
    for reason, n in o["excuses"].items():
        out(f"  {n:>6}  {reason}\n")
    if r["mapped_to_preview_rules_only"]:
        out("mapped only by preview rules (not run; --preview runs them): " + ", ".join(
            f"{t} ({', '.join(ids)})" for t, ids in sorted(r["mapped_to_preview_rules_only"].items())) + "\n")

    enc = r.get("encoded") or {}
    if enc.get("patches"):
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(enc["patches"].items()))
        out(f"transfer-encoded mails ({kinds}), which checkpatch reads undecoded: {enc['only_checkpatch']} of "
            f"only-cp and {enc['only_reviewbot']} of only-rb are on them\n")

    um = r["unmapped"]
    out(f"\nUnmapped checkpatch types: {len(um)} types, {sum(x['count'] for x in um)} units"
        f"{f' (top {top})' if len(um) > top else ''}\n")
    for x in um[:top]:
        out(f"  {x['count']:>6}  in {x['patches']:>4} patches  {x['type']}\n")
    if r["reviewbot_untyped"]:
        out("\nreviewbot findings no checkpatch type names, by rule: " + ", ".join(
            f"{k} {v}" for k, v in r["reviewbot_untyped"].items()) + "\n")

    t = r["timing"]
    out(f"\nTime on the same {r['patches']} patches\n")
    out(f"  reviewbot   {t['reviewbot_wall_s']:8.2f} s wall, one process (review {t['reviewbot_review_s']:.2f} s "
        f"+ imports and rule loading {t['reviewbot_setup_s']:.2f} s); CPU {t['reviewbot_cpu_s']:.2f} s\n")
    out(f"  checkpatch  {t['checkpatch_wall_s']:8.2f} s wall with {c['jobs']} processes at a time; "
        f"{t['checkpatch_batch_sum_s']:.2f} s summed over its calls (one process at a time); "
        f"CPU {t['checkpatch_cpu_s']:.2f} s\n")
    out(f"  checkpatch / reviewbot: {t['ratio_one_process_each']}x one process each (summed calls / reviewbot wall), "
        f"{t['ratio_wall_as_run']}x as run ({c['jobs']} processes vs 1), {t['ratio_cpu']}x CPU\n")

    if "verify_showfile" in r:
        v = r["verify_showfile"]
        out(f"\n--showfile check: {v['agree']} findings on hunk lines placed on the file:line --showfile prints, "
            f"{v['disagree']} not ({v['not_on_a_hunk_line']} on other lines not compared)\n")
        for e in v["examples"]:
            out(f"  {e}\n")
    for key, title in (("misses", "checkpatch found, reviewbot did not"),
                       ("extra", "reviewbot found, checkpatch did not")):
        if key not in r:
            continue
        out(f"\n{title}: {len(r[key])}\n")
        for u in r[key]:
            where = _where(Unit(u["patch"], u["type"], u["mail_line"], u["file"], u["line"]))
            who = u.get("rule") or u.get("level")
            note = " (reviewbot flags this type elsewhere in the file)" if u.get("file_flagged") else ""
            if u.get("excuse") and u["excuse"] != ENCODED:
                note += f" (excused: {u['excuse']})"
            if u.get("encoded"):
                note += f" (a {u['encoded']} mail: checkpatch read it undecoded)"
            out(f"{u['patch']}:{u['mail_line']}: {where}: {u['type']} [{who}] {u['message']}{note}\n")
            if u["text"]:
                out(f"    | {u['text']}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                    help=f"directory (or file) of patches (default: {DEFAULT_CORPUS})")
    ap.add_argument("--checkpatch", default=str(DEFAULT_CHECKPATCH), metavar="PATH",
                    help="checkpatch.pl (default: %(default)s; ../shared/tools/get-kernel-ref.sh fetches it)")
    ap.add_argument("--limit", type=int, metavar="N", help="only the first N files")
    ap.add_argument("--batch", type=int, default=200, metavar="N", help="files per checkpatch call (default 200)")
    ap.add_argument("--jobs", type=int, default=2, metavar="N",
                    help="checkpatch calls at a time (default 2, at most 2)")
    ap.add_argument("--slack", type=int, default=1, metavar="N",
                    help="match lines at most N apart in the same file (default 1; 0: exact lines only)")
    ap.add_argument("--preview", action="store_true", help="run preview rules too")
    ap.add_argument("--show-preexisting", action="store_true",
                    help="count reviewbot's findings on code the patch only moves as found (by default they are "
                         "not shown, as in `reviewbot check`, and checkpatch's findings there are counted apart)")
    ap.add_argument("--top", type=int, default=30, metavar="N", help="unmapped checkpatch types to list (default 30)")
    ap.add_argument("--exceptions", default=str(EXCEPTIONS_FILE), metavar="TSV",
                    help="documented cases where checkpatch is wrong or reviewbot silent on purpose "
                         "(default: %(default)s; '' for none)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--list-misses", metavar="TYPE", help="list what checkpatch found and reviewbot did not, "
                    "for these types (comma-separated, or ALL: every mapped type)")
    ap.add_argument("--list-extra", metavar="TYPE", help="list what reviewbot found and checkpatch did not "
                    "(comma-separated types, or ALL)")
    ap.add_argument("--verify-showfile", action="store_true",
                    help="also run checkpatch with --showfile, one file per call, and check the file:line "
                         "this script computes for each finding (slow: about doubles checkpatch's time)")
    args = ap.parse_args(argv)

    def bad(msg: str) -> int:
        print(f"vs_checkpatch.py: {msg}", file=sys.stderr)
        return 2

    if not Path(args.corpus).exists():
        return bad(f"{args.corpus}: no such file or directory")
    if not Path(args.checkpatch).is_file():
        return bad(f"{args.checkpatch}: no checkpatch.pl there (../shared/tools/get-kernel-ref.sh fetches it; "
                   "or give --checkpatch PATH)")
    if shutil.which("perl") is None:
        return bad("perl is not on PATH; checkpatch.pl needs it")
    if args.limit is not None and args.limit < 1:
        return bad("--limit must be at least 1")
    if args.batch < 1:
        return bad("--batch must be at least 1")
    if not 1 <= args.jobs <= 2:
        return bad("--jobs must be 1 or 2 (the machine has 2 cores, shared)")
    if args.slack < 0:
        return bad("--slack must be 0 or more")
    if args.exceptions:
        try:
            read_exceptions(Path(args.exceptions).read_text())
        except (OSError, ValueError, re.error) as e:
            return bad(f"{args.exceptions}: {e}")
    if args.top < 0:
        return bad("--top must be 0 or more")

    result, status = compare(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_text(result, args.top)
    return status


if __name__ == "__main__":
    sys.exit(main())
