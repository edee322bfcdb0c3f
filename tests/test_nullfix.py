"""Known bugs: the hand-checked fixes of `../shared/corpus/NULLFIX.tsv`, before and after.

Each row is a mailed fix of an unchecked NULL return (`missing-check`) or of an
`IS_ERR()` test of a function that returns NULL (`is_err-vs-null`).  From the
fix's hunks two patches are built, each adding a hunk's lines as new code to
the file: the pre-image (the bug, as if an author had just written it) and the
post-image (the fix).  reviewbot, without a tree and with the shipped knowledge,
must flag at least 90% of the bugs with the right rule (naming the function) and
stay silent on at least 95% of the fixes.  `pytest -s` prints the figures.

Some bugs cannot be caught from what the hunk and the kernel source say; they
are listed in EXCEPTIONS with the reason, counted apart, and the test fails if
one of them starts being caught (the exception is then stale).  No function is
taught to the tool for a row's sake.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CORPUS, run_cli

NULLFIX = CORPUS / "NULLFIX.tsv"
RULE_OF_KIND = {
    "missing-check": "unchecked-null-return",
    "is_err-vs-null": "is-err-of-null-return",     # the function returns NULL; the code tested IS_ERR()
    "null-vs-is_err": "null-check-of-err-ptr",     # the function returns an ERR_PTR; the code tested NULL
}
BUGS_FLAGGED = 0.90
FIXES_SILENT = 0.95

# Rows whose bug needs knowledge that neither the hunk nor the Linux 6.12 source gives.
EXCEPTIONS = {
    "ml-kernel-janitors/2024-08-20_7c7cea3564fa_mmc-mmc_test-Fix-NULL-dereference-on-allocation-failure.patch":
        "the pre-image does test `test->highmem` (`if (test->buffer && test->highmem)`); the oops is "
        "__free_pages(NULL) on the way out, and nothing in the source says __free_pages() rejects NULL",
    "ml-linux-pwm/2026-07-14_e48dd7bb0fe7_pwm-tegra-Check-for-match_data-being-NULL.patch":
        "of_device_get_match_data() returns NULL only for a device matched by name or override; in 6.12 "
        "about half of the callers that dereference the result do not test it (a low-convention function, "
        "left out on purpose)",
    "ml-kernel-janitors/2025-04-23_f7ac7428b281_driver-core-auxiliary-bus-Fix-IS_ERR-vs-NULL-check-in-"
    "__devm_auxiliary_device_cr.patch":
        "auxiliary_device_create() was added after Linux 6.12 and is not defined in the hunk: without a "
        "tree nothing says it returns NULL",
}

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


@dataclass
class Row:
    path: str
    kind: str
    function: str        # the function the fix is in
    call: str            # the function whose result was not checked

    @property
    def rule(self) -> str:
        return RULE_OF_KIND[self.kind]


def rows() -> list[Row]:
    with open(NULLFIX, newline="") as f:
        return [Row(r["path"], r["kind"], r["function_lacking_check"], r["unchecked_call"])
                for r in csv.DictReader(f, delimiter="\t") if r["is_null_check_fix"] == "1"]


def hunks(patch: str) -> list[tuple[str, int, str, list[str], list[str]]]:
    """(path, new start, section heading, pre-image lines, post-image lines) of each hunk of a C file."""
    out = []
    path = None
    lines = patch.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("+++ "):
            path = line[4:].split("\t")[0]
            path = path[2:] if path.startswith("b/") else path
        m = HUNK.match(line)
        if m and path and path.endswith((".c", ".h")):
            old_left = int(m.group(2) or 1)
            new_left = int(m.group(4) or 1)
            pre, post = [], []
            i += 1
            while i < len(lines) and (old_left > 0 or new_left > 0):
                body = lines[i]
                tag, text = (body[:1], body[1:]) if body else (" ", "")
                if tag == "\\":
                    i += 1
                    continue
                if tag in " -":
                    pre.append(text)
                    old_left -= 1
                if tag in " +":
                    post.append(text)
                    new_left -= 1
                i += 1
            out.append((path, int(m.group(3)), m.group(5), pre, post))
            continue
        i += 1
    return out


def as_added(row: Row, image: int) -> bytes:
    """A patch that adds the pre-image (image 3) or post-image (image 4) of each hunk as new lines."""
    diff: list[str] = []
    current = None
    added_so_far = 0
    for path, start, heading, *images in hunks((CORPUS / row.path).read_text(errors="replace")):
        body = images[image - 3]
        if path != current:
            diff += [f"diff --git a/{path} b/{path}", "index 1111111..2222222 100644",
                     f"--- a/{path}", f"+++ b/{path}"]
            current, added_so_far = path, 0
        diff.append(f"@@ -{start - 1},0 +{start + added_so_far},{len(body)} @@{heading}")
        diff += ["+" + x for x in body]
        added_so_far += len(body)
    mail = [
        "From: NULLFIX <nullfix@example.org>",
        "Date: Mon, 1 Jan 2024 00:00:00 +0000",
        f"Subject: [PATCH] {'bug' if image == 3 else 'fix'} in {row.function}()",
        f"Message-ID: <{row.function}.{image}@nullfix.example>",
        "",
        f"The {'pre' if image == 3 else 'post'}-image of {row.path}, as new code.",
        "",
        "Signed-off-by: NULLFIX <nullfix@example.org>",
        "---",
        *diff,
        "-- ",
        "2.40.0",
        "",
    ]
    return "\n".join(mail).encode()


def findings(row: Row, image: int, tmp_path: Path) -> list[dict]:
    patch = tmp_path / f"{Path(row.path).stem[:60]}.{image}.patch"
    patch.write_bytes(as_added(row, image))
    run = run_cli("check", "--no-tree", "--no-config", "--select", row.rule, "--format", "json", str(patch))
    assert run.status in (0, 1), f"{row.path}: exit {run.status}: {run.err}"
    return [f for p in json.loads(run.out)["patches"] for f in p["findings"] if f["rule"] == row.rule]


def _known_rules() -> set[str]:
    from reviewbot.engine import registry

    return {r.id for r in registry()}


def test_nullfix_rows_are_there():
    assert NULLFIX.is_file(), f"{NULLFIX} is missing (set REVIEWBOT_SHARED)"
    assert rows(), "NULLFIX.tsv lists no fix"
    assert set(EXCEPTIONS) <= {r.path for r in rows()}, "an exception names a row NULLFIX.tsv does not have"


def test_nullfix_bugs_flagged_fixes_silent(tmp_path):
    if not NULLFIX.is_file():
        pytest.fail(f"{NULLFIX} is missing (set REVIEWBOT_SHARED)")
    known = _known_rules()
    caught, missed, stale, noisy, silent = [], [], [], [], []
    unavailable = set()
    for row in rows():
        if row.rule not in known:
            unavailable.add(row.rule)
            continue
        bug = [f for f in findings(row, 3, tmp_path) if row.call in f["message"]]
        fix = findings(row, 4, tmp_path)
        if fix:
            noisy.append((row, fix))
        if row.path in EXCEPTIONS:
            (stale if bug else silent).append(row)
        else:
            (caught if bug else missed).append(row)
    judged = len(caught) + len(missed)
    fixes = judged + len(stale) + len(silent)
    flagged = len(caught) / judged if judged else 1.0
    quiet = (fixes - len(noisy)) / fixes if fixes else 1.0
    report = [
        f"NULLFIX: {len(rows())} fixes, {len(EXCEPTIONS)} listed exceptions, "
        f"rules not available: {', '.join(sorted(unavailable)) or 'none'}",
        f"  bugs flagged with the right rule: {len(caught)}/{judged} = {flagged:.0%} (need {BUGS_FLAGGED:.0%}; "
        f"{len(caught)}/{judged + len(EXCEPTIONS)} counting the exceptions as misses)",
        f"  fixes left silent: {fixes - len(noisy)}/{fixes} = {quiet:.0%} (need {FIXES_SILENT:.0%})",
    ]
    report += [f"  missed: {r.path} ({r.call}, {r.rule})" for r in missed]
    report += [f"  noisy fix: {r.path}: {f[0]['line']}: {f[0]['message']}" for r, f in noisy]
    report += [f"  stale exception (now caught): {r.path}" for r in stale]
    print("\n" + "\n".join(report))
    assert not stale, "\n".join(report)
    assert flagged >= BUGS_FLAGGED, "\n".join(report)
    assert quiet >= FIXES_SILENT, "\n".join(report)
