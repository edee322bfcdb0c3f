#!/usr/bin/env python3
"""Time `reviewbot check SEED` as a whole process, next to checkpatch.pl on the same patch.

    python benchmarks/seed_process.py [-n 20] [--checkpatch PATH | --no-checkpatch] [--json]

For each seed file (the .mbox and the web-archive .lkml.txt) the installed console
script `reviewbot` (next to sys.executable, else on PATH) runs N times, after one
untimed warm-up run; min, median and max wall time are printed.  Then, when
checkpatch.pl is found (--checkpatch, else ~/.cache/kernel-ref/checkpatch/checkpatch.pl),
the same for

    perl checkpatch.pl --no-tree --show-types --terse --showfile --strict --ignore UNKNOWN_COMMIT_ID SEED.mbox

Both run in a fresh scratch directory (outside any git work tree, so reviewbot
reads no tree, and checkpatch's camelcase cache lands there).  For scale, the
bare interpreter start-up (`python -c pass`) and importing the modules `check` needs
are timed too.  This environment sets PYTHONDONTWRITEBYTECODE=1, so an editable
install compiles reviewbot's sources on every start; the reviewbot rows are therefore
repeated with a bytecode cache in the scratch directory (PYTHONPYCACHEPREFIX), which
is what an installed reviewbot gets.  Exit status 1 when a run fails (reviewbot exit 2, checkpatch crash).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT.parent / "shared" / "seed"
SEEDS = ("verifier-kfunc-offset.mbox", "verifier-kfunc-offset.lkml.txt")
DEFAULT_CHECKPATCH = Path.home() / ".cache" / "kernel-ref" / "checkpatch" / "checkpatch.pl"
CHECKPATCH_ARGS = ("--no-tree", "--show-types", "--terse", "--showfile", "--strict",
                   "--ignore", "UNKNOWN_COMMIT_ID")


def find_reviewbot() -> str | None:
    here = Path(sys.executable).parent / "reviewbot"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("reviewbot")


def time_runs(cmd: list[str], runs: int, cwd: str, ok: tuple[int, ...], env: dict | None = None) -> dict:
    """Wall time of `cmd` over `runs` runs (plus one warm-up), with its last output."""
    def once() -> tuple[float, subprocess.CompletedProcess]:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, env=env)
        return time.perf_counter() - t0, p

    _, p = once()   # warm the page cache and __pycache__
    if p.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')}")
    times = []
    for _ in range(runs):
        t, p = once()
        if p.returncode not in ok:
            raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode(errors='replace')}")
        times.append(t)
    return {
        "cmd": cmd,
        "runs": runs,
        "min_s": round(min(times), 4),
        "median_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
        "exit": p.returncode,
        "output_lines": len(p.stdout.decode(errors="replace").splitlines()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=20, help="timed runs per command (default 20)")
    ap.add_argument("--seed-dir", default=str(SEED_DIR), help=f"where the seed files are (default {SEED_DIR})")
    ap.add_argument("--reviewbot", help="the reviewbot executable (default: next to sys.executable, else PATH)")
    ap.add_argument("--checkpatch", default=str(DEFAULT_CHECKPATCH), help="path to checkpatch.pl")
    ap.add_argument("--no-checkpatch", action="store_true", help="do not time checkpatch.pl")
    ap.add_argument("--no-baseline", action="store_true", help="do not time the bare interpreter start-up")
    ap.add_argument("--no-cached-bytecode", action="store_true",
                    help="do not repeat the reviewbot runs with a bytecode cache (PYTHONPYCACHEPREFIX in the "
                         "scratch directory); only useful to skip when PYTHONDONTWRITEBYTECODE is unset")
    ap.add_argument("--importtime", type=int, default=0, metavar="N",
                    help="also run `python -X importtime -m reviewbot check SEED.mbox` N times (bytecode cached) "
                         "and print the modules with the largest cumulative import time (minimum over the runs)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)

    reviewbot = args.reviewbot or find_reviewbot()
    if not reviewbot:
        print("seed_process.py: no `reviewbot` executable next to sys.executable or on PATH "
              "(pip install -e . into this interpreter's environment, or pass --reviewbot)", file=sys.stderr)
        return 2
    seeds = [Path(args.seed_dir).resolve() / s for s in SEEDS]
    missing = [str(s) for s in seeds if not s.is_file()]
    if missing:
        print(f"seed_process.py: missing seed file(s): {', '.join(missing)}", file=sys.stderr)
        return 2
    checkpatch = None if args.no_checkpatch else Path(args.checkpatch)
    if checkpatch is not None and not checkpatch.is_file():
        print(f"seed_process.py: no checkpatch.pl at {checkpatch} (fetch it with "
              "shared/tools/get-kernel-ref.sh, or pass --checkpatch); timing reviewbot only", file=sys.stderr)
        checkpatch = None

    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="reviewbot-bench-") as scratch:
            # As the environment is (here PYTHONDONTWRITEBYTECODE=1 is set, and an editable
            # install has no __pycache__, so every run compiles reviewbot's sources), then
            # with a bytecode cache outside the repository, as an installed reviewbot has.
            envs = [("", None)]
            if not args.no_cached_bytecode:
                cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
                cached["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
                envs.append((" [pyc cached]", cached))
            for label, env in envs:
                for seed in seeds:
                    # exit 1 means "findings", which the seed has; 2 is a failure.
                    r = time_runs([reviewbot, "check", str(seed)], args.runs, scratch, ok=(0, 1), env=env)
                    rows.append({"what": f"reviewbot check {seed.name}{label}", **r})
            if checkpatch is not None:
                perl = shutil.which("perl") or "perl"
                r = time_runs([perl, str(checkpatch), *CHECKPATCH_ARGS, str(seeds[0])], args.runs, scratch,
                              ok=(0, 1))
                rows.append({"what": f"checkpatch.pl --strict {seeds[0].name}", **r})
            if not args.no_baseline:
                py = sys.executable
                rows.append({"what": "python -c pass (floor)",
                             **time_runs([py, "-c", "pass"], args.runs, scratch, ok=(0,))})
                for label, env in envs:
                    code = ("import reviewbot.cli, reviewbot.ingest, reviewbot.mail, reviewbot.review, "
                            "reviewbot.selection")
                    rows.append({"what": f"python -c 'import reviewbot.{{cli,ingest,mail,review,selection}}'{label}",
                                 **time_runs([py, "-c", code], args.runs, scratch, ok=(0,), env=env)})
            imports = importtime(seeds[0], args.importtime, scratch) if args.importtime else None
    except RuntimeError as e:
        print(f"seed_process.py: FAILED: {e}", file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps({"reviewbot": reviewbot, "checkpatch": str(checkpatch) if checkpatch else None,
                          "rows": rows, "importtime": imports}, indent=2))
        return 0
    print(f"{args.runs} runs each (after one warm-up), wall time per process, run in a scratch directory")
    width = max(len(r["what"]) for r in rows)
    print(f"{'':<{width}}  {'min':>8}  {'median':>8}  {'max':>8}  exit  out-lines")
    for r in rows:
        print(f"{r['what']:<{width}}  {r['min_s'] * 1000:6.1f}ms  {r['median_s'] * 1000:6.1f}ms  "
              f"{r['max_s'] * 1000:6.1f}ms  {r['exit']:>4}  {r['output_lines']:>9}")
    if imports:
        print(f"\n-X importtime, min over {args.importtime} runs (bytecode cached); modules imported with "
              "importlib.import_module (rules, renderers) are not listed by -X importtime")
        print(f"{'self ms':>8} {'cumul ms':>9}  module")
        for row in imports["top"]:
            print(f"{row['self_ms']:8.1f} {row['cumulative_ms']:9.1f}  {row['module']}")
        print(f"{imports['reviewbot_self_ms']:8.1f} {'':>9}  (all reviewbot.* module bodies)")
        print(f"{imports['all_self_ms']:8.1f} {'':>9}  (every import)")
    return 0


def importtime(seed: Path, runs: int, scratch: str, top: int = 25) -> dict:
    """Per-module import cost of `reviewbot check SEED`: the minimum of each over `runs` runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
    cmd = [sys.executable, "-X", "importtime", "-m", "reviewbot", "check", str(seed)]
    self_us: dict[str, int] = {}
    cumul_us: dict[str, int] = {}
    for _ in range(runs + 1):   # the first run fills the bytecode cache
        p = subprocess.run(cmd, cwd=scratch, stdin=subprocess.DEVNULL, capture_output=True, env=env)
        for line in p.stderr.decode(errors="replace").splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, total, name = line[len("import time:"):].split("|", 2)
            name = name.strip()
            self_us[name] = min(self_us.get(name, 10**12), int(own))
            cumul_us[name] = min(cumul_us.get(name, 10**12), int(total))
    ranked = sorted(cumul_us, key=cumul_us.get, reverse=True)[:top]
    return {
        "runs": runs,
        "top": [{"module": m, "self_ms": round(self_us[m] / 1000, 1), "cumulative_ms": round(cumul_us[m] / 1000, 1)}
                for m in ranked],
        "reviewbot_self_ms": round(sum(v for k, v in self_us.items() if k.startswith("reviewbot")) / 1000, 1),
        "all_self_ms": round(sum(self_us.values()) / 1000, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
