#!/usr/bin/env python3
"""Time reviewing one very large diff of one C file (~17,000 lines), next to checkpatch.pl.

    python benchmarks/big_diff.py                       # synthetic, from the 6.12 tree's verifier.c
    python benchmarks/big_diff.py --newer-file NEW.c    # synthetic older version of NEW.c
    python benchmarks/big_diff.py --older-file OLD.c --newer-file NEW.c [--path kernel/bpf/verifier.c]

The newer file is, in order: --newer-file (alias --tree-file), else
~/.cache/kernel-ref/linux-6.12/kernel/bpf/verifier.c (shared/tools/get-kernel-ref.sh --full).
With --older-file the diff is between two real versions; without it an older-looking
version is made from the newer one: a seeded, deterministic choice of its functions
is removed (the patch adds them), edited (changed, added and removed lines), or a
renamed copy added (the patch removes it), with as many functions touched as it
takes for `diff -u` to come out nearest --target lines (default 17,000).

The diff is wrapped as `git format-patch` output, written to a temp directory, and
timed as whole processes, from a scratch directory (no git tree):
  (a) `reviewbot check PATCH`, --runs times (default 3): min and median;
  (b) `perl checkpatch.pl --no-tree --show-types --terse --showfile --strict
      --ignore UNKNOWN_COMMIT_ID PATCH`, --checkpatch-runs times (default 1), when found;
  (c) with --with-tree, `reviewbot check --tree DIR PATCH` where DIR holds the newer
      file, so function-scope rules parse the whole post-image.
Then, unless --no-breakdown, one in-process run split into parse / review / render.
Exit status: 1 when a run fails (reviewbot exit 2, a crash), 2 when inputs are missing.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_NEWER = Path.home() / ".cache" / "kernel-ref" / "linux-6.12" / "kernel" / "bpf" / "verifier.c"
DEFAULT_CHECKPATCH = Path.home() / ".cache" / "kernel-ref" / "checkpatch" / "checkpatch.pl"
CHECKPATCH_ARGS = ("--no-tree", "--show-types", "--terse", "--showfile", "--strict",
                   "--ignore", "UNKNOWN_COMMIT_ID")
_WORD = re.compile(r"\b([a-z_][a-z0-9_]{2,})\b")
_NUMBER = re.compile(r"\b(\d+)\b")


# --- making an older version -------------------------------------------------------------


def functions(lines: list[str]) -> list[tuple[int, int, int]]:
    """(first line of the signature, the `{` line, the closing `}` line) of each top-level
    function, by kernel layout: `{` and `}` alone in column 0."""
    found = []
    i = 0
    n = len(lines)
    while i < n:
        if lines[i] == "{":
            close = next((k for k in range(i + 1, n) if lines[k] == "}"), None)
            if close is None:
                break
            start = i
            while start > 0 and lines[start - 1].strip() and not lines[start - 1].startswith(("#", "}", " *", "/*")) \
                    and not lines[start - 1].rstrip().endswith((";", "*/", "}")):
                start -= 1
            if start < i:
                found.append((start, i, close))
            i = close + 1
            continue
        i += 1
    return found


def _mutate(line: str, rng: random.Random) -> str:
    """An older-looking variant of a code line (another name, another constant)."""
    body = line.lstrip("\t ")
    indent = line[:len(line) - len(body)]
    numbers = list(_NUMBER.finditer(body))
    if numbers and rng.random() < 0.3:
        m = rng.choice(numbers)
        value = int(m.group(1))
        return indent + body[:m.start()] + str(value + 1 if value < 2 else value // 2) + body[m.end():]
    words = [m for m in _WORD.finditer(body) if m.group(1) not in ("struct", "return", "static", "const",
                                                                     "unsigned", "int", "else", "goto")]
    if words:
        m = rng.choice(words)
        return indent + body[:m.start()] + m.group(1) + "_old" + body[m.end():]
    return line + " /* v1 */" if body.strip() else line


def _plan(lines: list[str], funcs: list[tuple[int, int, int]], seed: int) -> list[tuple[int, str, random.Random]]:
    """A deterministic order of functions to touch and what to do to each."""
    order = list(range(len(funcs)))
    random.Random(seed).shuffle(order)
    plan = []
    for k in order:
        rng = random.Random(f"{seed}:{k}")
        roll = rng.random()
        op = "add" if roll < 0.25 else "remove" if roll < 0.33 else "edit"
        plan.append((k, op, rng))
    return plan


def older_version(lines: list[str], count: int, seed: int) -> list[str]:
    """The newer file with the first `count` planned functions changed back."""
    funcs = functions(lines)
    plan = _plan(lines, funcs, seed)[:count]
    # Work bottom-up so earlier line numbers stay valid.
    changes = sorted(((funcs[k], op, random.Random(f"{seed}:{k}:x")) for k, op, _ in plan),
                     key=lambda c: c[0][0], reverse=True)
    old = list(lines)
    for (start, brace, close), op, rng in changes:
        if op == "add":
            end = close + 1
            if end < len(old) and not old[end].strip():
                end += 1   # and the blank line after it
            del old[start:end]
        elif op == "remove":
            copy = old[start:close + 1]
            copy[0] = re.sub(r"\b([a-z_][a-z0-9_]*)\(", r"\1_legacy(", copy[0], count=1) \
                if "(" in copy[0] else copy[0] + "_legacy"
            if brace - start > 0 and "(" not in copy[0]:
                copy[brace - start - 1] = re.sub(r"\b([a-z_][a-z0-9_]*)\(", r"\1_legacy(",
                                                  copy[brace - start - 1], count=1)
            old[close + 1:close + 1] = [""] + copy
        else:
            body = list(range(brace + 1, close))
            if not body:
                continue
            edits = max(1, min(16, len(body) // 6 + rng.randint(0, 3)))
            points = sorted(rng.sample(body, min(edits, len(body))), reverse=True)
            for p in points:
                kind = rng.random()
                if kind < 0.45 and old[p].strip():
                    old[p] = _mutate(old[p], rng)                       # the patch changes a line
                elif kind < 0.80:
                    span = rng.randint(1, 6)
                    del old[p:min(p + span, close)]                     # the patch adds lines
                else:
                    extra = [_mutate(old[p], rng)] if old[p].strip() else ["\t/* obsolete */"]
                    old[p:p] = extra                                    # the patch removes a line
    return old


def unified_diff(old: list[str], new: list[str], path: str) -> list[str]:
    """`diff -u -p` (GNU diff when present, else difflib), with a/ b/ names."""
    if shutil.which("diff"):
        with tempfile.TemporaryDirectory(prefix="reviewbot-bigdiff-") as d:
            a, b = Path(d, "a"), Path(d, "b")
            a.write_text("\n".join(old) + "\n")
            b.write_text("\n".join(new) + "\n")
            r = subprocess.run(["diff", "-u", "-p", "--label", f"a/{path}", "--label", f"b/{path}", str(a), str(b)],
                               capture_output=True)
            if r.returncode not in (0, 1):
                raise RuntimeError(f"diff failed: {r.stderr.decode(errors='replace')}")
            return r.stdout.decode("utf-8", "surrogateescape").splitlines()
    return [line.rstrip("\n") for line in difflib.unified_diff(
        [x + "\n" for x in old], [x + "\n" for x in new], f"a/{path}", f"b/{path}")]


def synthesize(new: list[str], target: int, seed: int, path: str) -> tuple[list[str], list[str], int]:
    """(older lines, diff lines, functions touched) with len(diff) nearest `target`."""
    total = len(functions(new))
    if total == 0:
        raise ValueError("found no functions (`{` / `}` alone in column 0) in the newer file")
    cache: dict[int, tuple[list[str], list[str]]] = {}

    def at(count: int) -> tuple[list[str], list[str]]:
        if count not in cache:
            old = older_version(new, count, seed)
            cache[count] = (old, unified_diff(old, new, path))
        return cache[count]

    lo, hi = 1, total
    if len(at(hi)[1]) <= target:
        return (*at(hi), hi)
    while hi - lo > 1:   # smallest count whose diff reaches the target
        mid = (lo + hi) // 2
        if len(at(mid)[1]) >= target:
            hi = mid
        else:
            lo = mid
    best = min((lo, hi), key=lambda c: abs(len(at(c)[1]) - target))
    return (*at(best), best)


def _blob_id(lines: list[str]) -> str:
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def as_mail(diff: list[str], old: list[str], new: list[str], path: str, title: str) -> str:
    """The diff as `git format-patch` writes it."""
    added = sum(1 for x in diff[2:] if x.startswith("+"))
    removed = sum(1 for x in diff[2:] if x.startswith("-"))
    body = diff[2:] if diff and diff[0].startswith("--- ") else diff
    head = [
        "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
        "From: Bench Mark <bench@example.org>",
        "Date: Mon, 2 Dec 2024 10:00:00 +0000",
        f"Subject: [PATCH] {title}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "A very large change to one C file, for timing reviewers on big diffs.",
        "",
        "Signed-off-by: Bench Mark <bench@example.org>",
        "---",
        f" {path} | {added + removed} {'+' * min(40, added * 40 // max(1, added + removed))}"
        f"{'-' * min(40, removed * 40 // max(1, added + removed))}",
        f" 1 file changed, {added} insertions(+), {removed} deletions(-)",
        "",
        f"diff --git a/{path} b/{path}",
        f"index {_blob_id(old)[:12]}..{_blob_id(new)[:12]} 100644",
        f"--- a/{path}",
        f"+++ b/{path}",
    ]
    tail = ["-- ", "2.43.0", ""]
    return "\n".join(head + body + tail)


# --- timing ------------------------------------------------------------------------------


def find_reviewbot() -> str | None:
    here = Path(sys.executable).parent / "reviewbot"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("reviewbot")


def time_process(cmd: list[str], runs: int, cwd: str, ok: tuple[int, ...]) -> dict:
    times = []
    p = None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
        times.append(time.perf_counter() - t0)
        if p.returncode not in ok:
            raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}")
    out = p.stdout.decode(errors="replace").splitlines()
    return {"runs": runs, "min_s": round(min(times), 3), "median_s": round(statistics.median(times), 3),
            "exit": p.returncode, "output_lines": len(out), "last_line": out[-1] if out else ""}


def breakdown(patch: Path) -> dict | None:
    """One in-process run, split by stage (None when reviewbot is not importable)."""
    try:
        t0 = time.perf_counter()
        from reviewbot.ingest import read_inputs
        from reviewbot.knowledge import builtin
        from reviewbot.mail import parse_message
        from reviewbot.render import text as render_text
        from reviewbot.review import Reviewer, RunResult
        from reviewbot.selection import select_rules
    except ImportError:
        return None
    t1 = time.perf_counter()
    reviewer = Reviewer(select_rules(None, None), builtin(), None, None)
    raw = next(iter(read_inputs([str(patch)])))
    t2 = time.perf_counter()
    message = parse_message(raw)
    t3 = time.perf_counter()
    review = reviewer.review(message)
    t4 = time.perf_counter()
    render_text.render(RunResult((review,)))
    t5 = time.perf_counter()
    return {"imports_s": round(t1 - t0, 3), "setup_and_read_s": round(t2 - t1, 3),
            "parse_message_s": round(t3 - t2, 3), "review_s": round(t4 - t3, 3), "render_s": round(t5 - t4, 3),
            "findings": len(review.findings)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--newer-file", "--tree-file", dest="newer", metavar="PATH",
                    help=f"the newer version of the C file (default {DEFAULT_NEWER})")
    ap.add_argument("--older-file", metavar="PATH", help="a real older version to diff against (no synthesis)")
    ap.add_argument("--path", default=None,
                    help="the file's path in the diff (default kernel/bpf/verifier.c, or the newer file's path "
                         "inside a linux-* tree)")
    ap.add_argument("--target", type=int, default=17000, help="diff lines to aim for when synthesizing (17000)")
    ap.add_argument("--seed", type=int, default=1, help="seed for the synthetic older version (1)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of reviewbot check (3)")
    ap.add_argument("--checkpatch", default=str(DEFAULT_CHECKPATCH), help="path to checkpatch.pl")
    ap.add_argument("--checkpatch-runs", type=int, default=1, help="timed runs of checkpatch.pl (1; ~20 s each)")
    ap.add_argument("--no-checkpatch", action="store_true", help="do not time checkpatch.pl")
    ap.add_argument("--with-tree", action="store_true",
                    help="also time `reviewbot check --tree DIR` with the newer file in DIR (whole-file parse)")
    ap.add_argument("--no-breakdown", action="store_true", help="skip the in-process stage breakdown")
    ap.add_argument("--keep", metavar="FILE", help="also write the patch to FILE")
    ap.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = ap.parse_args(argv)

    newer = Path(args.newer) if args.newer else DEFAULT_NEWER
    if not newer.is_file():
        print("big_diff.py: needs a C file to diff.  Either fetch the kernel tree "
              "(shared/tools/get-kernel-ref.sh --full, which puts verifier.c at "
              f"{DEFAULT_NEWER}), or pass --newer-file NEW.c (an older version is then made "
              "synthetically), or --older-file OLD.c --newer-file NEW.c to diff two real versions."
              + (f"  Not found: {newer}" if args.newer else ""), file=sys.stderr)
        return 2
    if args.older_file and not Path(args.older_file).is_file():
        print(f"big_diff.py: --older-file {args.older_file}: no such file", file=sys.stderr)
        return 2
    path = args.path
    if path is None:
        parts = newer.resolve().parts
        tops = [i for i, p in enumerate(parts) if p.startswith("linux")]
        path = "/".join(parts[tops[-1] + 1:]) if tops else (
            "kernel/bpf/verifier.c" if newer.name == "verifier.c" else newer.name)
    reviewbot = find_reviewbot()
    if not reviewbot:
        print("big_diff.py: no `reviewbot` executable next to sys.executable or on PATH", file=sys.stderr)
        return 2

    new_lines = newer.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    if new_lines and new_lines[-1] == "":
        new_lines.pop()
    t0 = time.perf_counter()
    if args.older_file:
        old_lines = Path(args.older_file).read_text(encoding="utf-8", errors="surrogateescape").split("\n")
        if old_lines and old_lines[-1] == "":
            old_lines.pop()
        diff = unified_diff(old_lines, new_lines, path)
        how, touched = f"real: {args.older_file} -> {newer}", None
    else:
        old_lines, diff, touched = synthesize(new_lines, args.target, args.seed, path)
        how = f"synthetic older version of {newer} (seed {args.seed}, {touched} functions touched)"
    build_s = time.perf_counter() - t0
    if not diff:
        print("big_diff.py: the two versions are identical", file=sys.stderr)
        return 2

    result: dict = {
        "source": how, "path": path, "diff_lines": len(diff),
        "added": sum(1 for x in diff[2:] if x.startswith("+")),
        "removed": sum(1 for x in diff[2:] if x.startswith("-")),
        "hunks": sum(1 for x in diff if x.startswith("@@ ")), "build_s": round(build_s, 2),
    }
    checkpatch = None if args.no_checkpatch else Path(args.checkpatch)
    if checkpatch is not None and not checkpatch.is_file():
        print(f"big_diff.py: no checkpatch.pl at {checkpatch}; timing reviewbot only", file=sys.stderr)
        checkpatch = None
    try:
        with tempfile.TemporaryDirectory(prefix="reviewbot-bigdiff-") as scratch:
            patch = Path(scratch, "0001-big-change.patch")
            mail = as_mail(diff, old_lines, new_lines, path, f"{path}: large synthetic change")
            patch.write_text(mail, encoding="utf-8", errors="surrogateescape")
            result["mail_lines"] = mail.count("\n")
            if args.keep:
                Path(args.keep).write_text(mail, encoding="utf-8", errors="surrogateescape")
            work = Path(scratch, "cwd")
            work.mkdir()
            subprocess.run([reviewbot, "check", str(patch)], cwd=work, capture_output=True)   # warm-up
            result["reviewbot"] = time_process([reviewbot, "check", str(patch)], args.runs, str(work), (0, 1))
            if args.with_tree:
                tree = Path(scratch, "tree")
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                (tree / path).write_text("\n".join(new_lines) + "\n", encoding="utf-8", errors="surrogateescape")
                result["reviewbot_tree"] = time_process([reviewbot, "check", "--tree", str(tree), str(patch)],
                                                        args.runs, str(work), (0, 1))
            if checkpatch is not None:
                result["checkpatch"] = time_process(
                    [shutil.which("perl") or "perl", str(checkpatch), *CHECKPATCH_ARGS, str(patch)],
                    args.checkpatch_runs, str(work), (0, 1))
            if not args.no_breakdown:
                result["breakdown"] = breakdown(patch)
    except RuntimeError as e:
        print(f"big_diff.py: FAILED: {e}", file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"diff:        {result['source']}")
    print(f"             {result['diff_lines']} diff lines ({result['added']} +, {result['removed']} -, "
          f"{result['hunks']} hunks), {result['mail_lines']} mail lines, built in {result['build_s']} s")
    r = result["reviewbot"]
    print(f"reviewbot:   min {r['min_s']:.3f} s, median {r['median_s']:.3f} s over {r['runs']} runs "
          f"(exit {r['exit']}, {r['output_lines']} output lines; {r['last_line']})")
    if "reviewbot_tree" in result:
        r = result["reviewbot_tree"]
        print(f"  --tree:    min {r['min_s']:.3f} s, median {r['median_s']:.3f} s (whole post-image parsed; "
              f"{r['last_line']})")
    if "checkpatch" in result:
        r = result["checkpatch"]
        print(f"checkpatch:  min {r['min_s']:.3f} s, median {r['median_s']:.3f} s over {r['runs']} runs "
              f"(exit {r['exit']}, {r['output_lines']} output lines)")
    b = result.get("breakdown")
    if b:
        print(f"in process:  parse_message {b['parse_message_s']:.3f} s, review {b['review_s']:.3f} s, "
              f"render {b['render_s']:.3f} s  ({b['findings']} findings; imports {b['imports_s']:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
