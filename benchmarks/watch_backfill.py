#!/usr/bin/env python3
"""A muted backfill of a public-inbox archive by `reviewbot watch`, timed, with its memory.

    python benchmarks/watch_backfill.py [DIR] [--epochs N] [--repeat K] [--keep DIR] [--json]

Builds, in a temporary directory, a public-inbox v2 archive (`git/0.git` ... one commit a
message, the file `m`) from every mail and patch under DIR (default ../shared/corpus; the
.tsv index files are left out, a `git format-patch` "From <sha>" line is dropped), spread
over N epochs.  `--repeat K` adds the corpus K times (each copy with its own Message-IDs) to
show that memory stays flat over a longer archive.  Then runs, as its own process,

    reviewbot watch --config WATCH.toml --once --backfill

on a muted list (review and record everything, send nothing), sampling the process's RSS
every 0.2 s together with the number of messages already recorded in its state database.
Prints the number of messages, wall time, messages per second (wall and per CPU second of
the service: on a shared machine the second is the steadier figure), peak RSS (VmHWM) and
the RSS at 10/25/50/75/100% of the messages.  Exit 1 when the service fails or misses messages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
_MSGID = re.compile(rb"^(Message-I[Dd]:[ \t]*<)([^>\s]+)(>)", re.MULTILINE | re.IGNORECASE)
_SEPARATOR = re.compile(rb"\AFrom [^\n]*\n")


def corpus_messages(corpus: Path, repeat: int):
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".tsv")
    for copy in range(repeat + 1):
        for path in files:
            data = _SEPARATOR.sub(b"", path.read_bytes(), count=1)
            if copy:
                head, sep, body = data.partition(b"\n\n")
                head, n = _MSGID.subn(lambda m: m.group(1) + m.group(2) + f".copy{copy}".encode() + m.group(3),
                                      head, count=1)
                if not n:   # a patch file without one: the same bytes would count as the same message
                    head = f"Message-ID: <copy{copy}.{path.name}@bench.example>\n".encode() + head
                data = head + sep + body
            yield data


def build_archive(root: Path, messages, epochs: int, total: int) -> int:
    """Write the messages as public-inbox v2 epochs with `git fast-import`; returns the count."""
    per_epoch = -(-total // epochs)
    count = 0
    proc = None
    for data in messages:
        epoch = count // per_epoch
        if count % per_epoch == 0:
            if proc:
                proc.stdin.close()
                if proc.wait():
                    raise SystemExit("git fast-import failed")
            gitdir = root / "git" / f"{epoch}.git"
            subprocess.run(["git", "init", "--quiet", "--bare", str(gitdir)], check=True)
            proc = subprocess.Popen(["git", f"--git-dir={gitdir}", "fast-import", "--quiet"], stdin=subprocess.PIPE)
        stamp = 1700000000 + count
        proc.stdin.write(f"commit refs/heads/master\ncommitter A U Thor <a@example.org> {stamp} +0000\n"
                         f"data 1\nm\nM 100644 inline m\ndata {len(data)}\n".encode() + data + b"\n")
        count += 1
    if proc:
        proc.stdin.close()
        if proc.wait():
            raise SystemExit("git fast-import failed")
    return count


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _recorded(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as c:
            return c.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    except sqlite3.Error:
        return 0


def run(corpus: Path, epochs: int, repeat: int, scratch: Path) -> dict:
    files = [p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".tsv"]
    total = len(files) * (repeat + 1)
    t0 = time.perf_counter()
    built = build_archive(scratch / "inbox", corpus_messages(corpus, repeat), epochs, total)
    build_s = time.perf_counter() - t0
    state = scratch / "state.sqlite"
    config = scratch / "watch.toml"
    config.write_text(f'state = "{state}"\n\n[reply]\nfrom = "reviewbot <bot@bench.example>"\n\n'
                      f'[[lists]]\nname = "bench"\nmode = "muted"\n'
                      f'source = {{ type = "public-inbox", path = "{scratch / "inbox"}" }}\n')
    exe = Path(sys.executable).with_name("reviewbot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "reviewbot"]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cmd, "watch", "--config", str(config), "--once", "--backfill"],
                            stderr=subprocess.PIPE, text=True, cwd=scratch)
    samples = []      # (seconds, messages recorded, RSS KiB)
    peak = 0
    while True:
        rss = _status_kb(proc.pid, "VmRSS")
        peak = max(peak, _status_kb(proc.pid, "VmHWM") or 0)
        if rss:
            samples.append((time.perf_counter() - t0, _recorded(state), rss))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(peak, usage.ru_maxrss)
    err = proc.stderr.read()
    with sqlite3.connect(state) as c:
        seen = c.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        reviewed = c.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        muted = c.execute("SELECT COUNT(*) FROM replies").fetchone()[0]
        errors = c.execute("SELECT COUNT(*) FROM errors").fetchone()[0]
    curve = {}
    for pct in (10, 25, 50, 75, 100):
        want = seen * pct / 100
        hit = next((s for s in samples if s[1] >= want), samples[-1] if samples else None)
        if hit:
            curve[pct] = round(hit[2] / 1024, 1)
    return {
        "messages": built, "epochs": epochs, "build_s": round(build_s, 2), "recorded": seen, "reviewed": reviewed,
        "replies_recorded": muted, "errors": errors, "wall_s": round(wall, 2),
        "messages_per_s": round(seen / wall, 1) if wall else None, "reviews_per_s": round(reviewed / wall, 1),
        "cpu_s": round(cpu, 2), "messages_per_cpu_s": round(seen / cpu, 1) if cpu else None,
        "peak_rss_mb": round(peak / 1024, 1), "rss_mb_at_pct": curve, "exit": proc.returncode,
        "stderr_tail": err.strip().splitlines()[-3:],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--epochs", type=int, default=1, help="spread the messages over N epochs (default 1)")
    ap.add_argument("--repeat", type=int, default=0, help="add the corpus K more times, with new Message-IDs")
    ap.add_argument("--keep", type=Path, help="build and run in this directory and keep it")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.corpus.is_dir() or args.epochs < 1 or args.repeat < 0:
        ap.error("DIR must be a directory, --epochs >= 1, --repeat >= 0")
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="reviewbot-watch-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        result = run(args.corpus, args.epochs, args.repeat, scratch)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"archive: {result['messages']} messages in {result['epochs']} epoch(s), built in {result['build_s']} s")
        print(f"backfill: {result['recorded']} messages recorded ({result['reviewed']} reviewed, "
              f"{result['replies_recorded']} replies recorded muted, {result['errors']} errors) "
              f"in {result['wall_s']} s")
        print(f"throughput: {result['messages_per_s']} messages/s ({result['reviews_per_s']} reviews/s) wall; "
              f"{result['cpu_s']} s CPU, {result['messages_per_cpu_s']} messages per CPU second")
        print(f"peak RSS: {result['peak_rss_mb']} MB; RSS at "
              + ", ".join(f"{p}%: {v} MB" for p, v in result["rss_mb_at_pct"].items()))
        if result["exit"] not in (0, 1):
            print(f"watch exited {result['exit']}: {result['stderr_tail']}")
    return 0 if result["recorded"] == result["messages"] and result["exit"] in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
