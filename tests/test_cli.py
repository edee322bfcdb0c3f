"""The command line as users and b4 drive it: inputs, formats, selection, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SEED_ARCHIVE, SEED_MBOX, require_shared, run_cli

CLEAN = b"""From: A Developer <dev@example.org>
Subject: [PATCH] foo: return zero
Message-ID: <clean-1@example.org>

Return zero.

Signed-off-by: A Developer <dev@example.org>
---
 foo.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/foo.c b/foo.c
index 1111111..2222222 100644
--- a/foo.c
+++ b/foo.c
@@ -1,4 +1,4 @@
 int f(void)
 {
-\treturn 1;
+\treturn 0;
 }
"""


def _seed_bytes() -> bytes:
    require_shared()
    return SEED_MBOX.read_bytes()


def test_seed_from_stdin_as_b4_sends_it():
    # b4 writes one RFC 822 message: no mbox "From " line.
    message = _seed_bytes().split(b"\n", 1)[1]
    run = run_cli("check", "--no-tree", "--format", "checkpatch", "-", stdin=message)
    assert run.status == 1
    assert run.err == ""
    lines = run.out.splitlines()
    assert len(lines) == 6   # five findings; the unbalanced chain named at its `if` and its `else`
    assert sum("ERROR:" in x for x in lines) == 2     # b4 counts these as failures
    assert all(x.startswith(("kernel/bpf/verifier.c:", "-:")) for x in lines)


def test_stdin_is_read_without_an_input_argument():
    run = run_cli("check", "--no-tree", "--format", "json", stdin=_seed_bytes())
    assert run.status == 1
    assert len(json.loads(run.out)["patches"][0]["findings"]) == 5


def test_no_input_on_a_terminal_is_a_usage_error():
    run = run_cli("check")
    assert run.status == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1 and "no INPUT" in run.err


def test_clean_patch_prints_nothing_in_checkpatch_format_and_exits_0():
    run = run_cli("check", "--no-tree", "--format", "checkpatch", "-", stdin=CLEAN)
    assert (run.status, run.out, run.err) == (0, "", "")


def test_clean_patch_text_output_says_so():
    run = run_cli("check", "--no-tree", "-", stdin=CLEAN)
    assert run.status == 0
    assert run.out == "no findings in 1 patch\n"


def test_missing_file_is_one_line_on_stderr_and_exit_2():
    run = run_cli("check", "/nonexistent/patch.mbox")
    assert run.status == 2
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert "Traceback" not in run.err


def test_unknown_rule_in_select_is_a_usage_error():
    run = run_cli("check", "--select", "no-such-rule", str(SEED_MBOX))
    assert run.status == 2
    assert "unknown rule id no-such-rule" in run.err


def test_unknown_option_is_a_usage_error_without_traceback():
    run = run_cli("check", "--no-such-option", str(SEED_MBOX))
    assert run.status == 2
    assert run.err.count("\n") == 1


def test_unknown_option_exits_2_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "reviewbot", "check", "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1


def test_select_runs_only_the_named_rules():
    run = run_cli("check", "--no-tree", "--format", "json", "--select", "unchecked-null-return,unbalanced-braces",
                  str(SEED_MBOX))
    rules = {f["rule"] for f in json.loads(run.out)["patches"][0]["findings"]}
    assert rules == {"unchecked-null-return", "unbalanced-braces"}


def test_ignore_drops_rules():
    run = run_cli("check", "--no-tree", "--format", "json", "--ignore", "executable-source-file,blank-line-noise",
                  str(SEED_MBOX))
    rules = {f["rule"] for f in json.loads(run.out)["patches"][0]["findings"]}
    assert rules == {"unchecked-null-return", "unbalanced-braces", "missing-blank-after-declarations"}


def test_fail_on_error_exits_1_only_for_errors():
    warnings_only = ("--select", "blank-line-noise,unbalanced-braces")
    assert run_cli("check", "--no-tree", "--fail-on", "error", *warnings_only, str(SEED_MBOX)).status == 0
    assert run_cli("check", "--no-tree", "--fail-on", "warning", *warnings_only, str(SEED_MBOX)).status == 1
    assert run_cli("check", "--no-tree", "--fail-on", "error", str(SEED_MBOX)).status == 1


def test_a_series_mbox_skips_cover_letter_and_replies(tmp_path):
    seed = _seed_bytes()
    cover = (b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
             b"From: Song Chen <c@example.org>\nSubject: [PATCH V2 0/2] kfunc resolution\n"
             b"Message-ID: <cover@example.org>\n\nThe cover letter.\n\n")
    reply = (b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
             b"From: Reviewer <r@example.org>\nSubject: Re: [PATCH V2 2/2] kernel/bpf/verifier: Support\n"
             b"Message-ID: <reply@example.org>\n\n> quoted\n\nLooks wrong.\n\n")
    mbox = tmp_path / "series.mbox"
    mbox.write_bytes(cover + seed + b"\n" + reply + CLEAN_AS_MBOX)
    run = run_cli("check", "--no-tree", "--format", "json", str(mbox))
    doc = json.loads(run.out)
    assert [p["subject"] for p in doc["patches"]] == [
        "[PATCH V2 2/2] kernel/bpf/verifier: Support module kfunc resolution via instruction offset",
        "[PATCH] foo: return zero"]
    assert sorted(s["reason"] for s in doc["skipped"]) == ["cover letter", "reply"]
    text = run_cli("check", "--no-tree", str(mbox)).out
    assert text.splitlines()[-1] == "2 errors, 3 warnings in 2 patches (skipped: 1 cover letter, 1 reply)"


CLEAN_AS_MBOX = b"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n" + CLEAN


def test_archive_and_mbox_copies_agree():
    require_shared()
    a = json.loads(run_cli("check", "--no-tree", "--format", "json", str(SEED_ARCHIVE)).out)
    b = json.loads(run_cli("check", "--no-tree", "--format", "json", str(SEED_MBOX)).out)
    key = lambda doc: [(f["rule"], f["line"], f["message"]) for f in doc["patches"][0]["findings"]]
    assert key(a) == key(b)


def test_rules_lists_every_rule_with_severity_and_scope():
    run = run_cli("rules")
    assert run.status == 0
    ids = [line.split()[0] for line in run.out.splitlines()]
    assert ids == sorted(ids)
    assert {"unchecked-null-return", "executable-source-file", "blank-line-noise", "unbalanced-braces",
            "missing-blank-after-declarations", "corrupted-patch"} <= set(ids)


def test_rules_json_for_tooling():
    rules = json.loads(run_cli("rules", "--format", "json").out)
    null = next(r for r in rules if r["id"] == "unchecked-null-return")
    assert null["severity"] == "error" and null["scope"] == "function" and null["preview"] is False
    assert next(r for r in rules if r["id"] == "executable-source-file")["checkpatch"] == ["EXECUTE_PERMISSIONS"]


def test_explain_prints_the_rule_docs():
    run = run_cli("explain", "unchecked-null-return")
    assert run.status == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
        assert heading in run.out


def test_explain_unknown_rule_exits_2():
    run = run_cli("explain", "nope")
    assert run.status == 2 and "unknown rule id nope" in run.err


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "reviewbot", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("reviewbot ")


@pytest.mark.parametrize("fmt", __import__("reviewbot.cli", fromlist=["FORMATS"]).FORMATS)
def test_inputs_are_never_modified(tmp_path, fmt):
    path = tmp_path / "seed.mbox"
    data = _seed_bytes()
    path.write_bytes(data)
    run_cli("check", "--format", fmt, str(path))
    assert path.read_bytes() == data
