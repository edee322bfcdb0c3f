#!/usr/bin/env python3
"""Review a whole directory of patches in ONE process through the library, and time it.

    python benchmarks/corpus.py [DIR] [--json] [--profile OUT.pstats] [--top N]

DIR defaults to ../shared/corpus next to the repository.  Every message goes
through the same steps as `reviewbot check` (reviewbot/cli.py, _check): read_inputs
-> parse_message -> skip_reason -> Reviewer(default rules, builtin knowledge, no
tree).review(message).  Each message is timed from parse to review (reading the
files is in the total, not in the per-message times).  Rendering is not timed.

Exit status: 0 when every message was reviewed (or skipped as not a patch), 1 when
any message raised (each traceback is printed on stderr) or a file could not be
read, 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def _percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def _median(sorted_values: list[float]) -> float:
    n = len(sorted_values)
    if not n:
        return 0.0
    mid = n // 2
    return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _short(label: str, corpus: Path) -> str:
    """A message's label relative to the corpus directory, for readable output."""
    prefix = str(corpus).rstrip("/") + "/"
    return label[len(prefix):] if label.startswith(prefix) else label


def run(corpus: Path, top: int = 5) -> dict:
    t_import = time.perf_counter()
    from reviewbot.ingest import Problem, read_inputs
    from reviewbot.knowledge import builtin
    from reviewbot.mail import parse_message
    from reviewbot.review import Reviewer, skip_reason
    from reviewbot.selection import select_rules

    t_setup = time.perf_counter()
    # As cli._check builds it: default rules, builtin knowledge, no --tree, no git work tree.
    reviewer = Reviewer(select_rules(None, None), builtin(), None, None)
    t_start = time.perf_counter()
    cpu_start = time.process_time()

    times: list[tuple[float, str]] = []     # (seconds, label) of every message
    reviewed = findings = 0
    skipped: Counter[str] = Counter()
    problems: list[str] = []
    failures: list[tuple[str, str]] = []    # (label, traceback)
    for item in read_inputs([str(corpus)]):
        if isinstance(item, Problem):
            problems.append(str(item))
            continue
        label = _short(str(item.origin), corpus)
        t0 = time.perf_counter()
        try:
            message = parse_message(item)
            reason = skip_reason(message)
            if reason:
                skipped[reason] += 1
            else:
                review = reviewer.review(message)
                reviewed += 1
                findings += len(review.findings)
        except BaseException as e:  # noqa: B036 - RecursionError and friends must fail the run too
            if isinstance(e, KeyboardInterrupt):
                raise
            failures.append((label, traceback.format_exc()))
        times.append((time.perf_counter() - t0, label))
    t_end = time.perf_counter()
    cpu = time.process_time() - cpu_start

    per = sorted(t for t, _ in times)
    wall = t_end - t_start
    slowest = sorted(times, reverse=True)[:top]
    return {
        "corpus": str(corpus),
        "messages": len(times),
        "reviewed": reviewed,
        "skipped": dict(skipped),
        "problems": problems,
        "failures": [label for label, _ in failures],
        "findings": findings,
        "import_s": round(t_setup - t_import, 4),
        "setup_s": round(t_start - t_setup, 4),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "patches_per_s": round(len(times) / wall, 1) if wall else None,
        "sum_per_message_s": round(sum(per), 3),
        "median_ms": round(_median(per) * 1000, 3),
        "p99_ms": round(_percentile(per, 99) * 1000, 3),
        "max_ms": round(per[-1] * 1000, 3) if per else 0.0,
        "slowest": [{"patch": label, "ms": round(t * 1000, 2)} for t, label in slowest],
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "_tracebacks": [tb for _, tb in failures],
    }


def _print_text(r: dict) -> None:
    skipped = sum(r["skipped"].values())
    reasons = ", ".join(f"{n} {why}" for why, n in sorted(r["skipped"].items())) or "none"
    print(f"corpus:          {r['corpus']}")
    failed = f", {len(r['failures'])} FAILED" if r["failures"] else ""
    print(f"patches:         {r['messages']} messages ({r['reviewed']} reviewed, {skipped} skipped: {reasons}{failed}),"
          f" {r['findings']} findings")
    print(f"wall time:       {r['wall_s']:.3f} s  (CPU {r['cpu_s']:.3f} s; imports {r['import_s'] * 1000:.0f} ms and "
          f"setup {r['setup_s'] * 1000:.0f} ms not included)")
    print(f"throughput:      {r['patches_per_s']} patches/s")
    print(f"per patch:       median {r['median_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.2f} ms"
          f" (sum {r['sum_per_message_s']:.3f} s)")
    print("slowest:")
    for s in r["slowest"]:
        print(f"  {s['ms']:9.2f} ms  {s['patch']}")
    print(f"peak RSS:        {r['peak_rss_mb']:.1f} MB")
    if r["problems"]:
        print(f"unreadable:      {len(r['problems'])}")
        for p in r["problems"]:
            print(f"  {p}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS),
                    help=f"directory (or file) of patches (default: {DEFAULT_CORPUS})")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--top", type=int, default=5, metavar="N", help="how many of the slowest patches to list")
    ap.add_argument("--profile", metavar="OUT", help="run under cProfile and write pstats to OUT "
                    "(times are then inflated; use for where, not how much)")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.exists():
        print(f"corpus.py: {corpus}: no such file or directory", file=sys.stderr)
        return 2

    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        result = prof.runcall(run, corpus, args.top)
        prof.dump_stats(args.profile)
    else:
        result = run(corpus, args.top)

    tracebacks = result.pop("_tracebacks")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_text(result)
    if result["failures"]:
        for label, tb in zip(result["failures"], tracebacks):
            print(f"\ncorpus.py: FAILED on {label}:\n{tb}", file=sys.stderr, end="")
        print(f"\ncorpus.py: {len(result['failures'])} of {result['messages']} messages raised", file=sys.stderr)
        return 1
    if result["problems"]:
        print(f"corpus.py: {len(result['problems'])} input file(s) could not be read", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
