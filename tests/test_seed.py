"""The seed patch: exactly the five findings a good reviewer gives, in every format, pinned."""

from __future__ import annotations

import json

import pytest

from conftest import SEED_ARCHIVE, SEED_MBOX, require_shared, run_cli
from snapshot import assert_snapshot

EXPECTED = {
    ("executable-source-file", None),
    ("blank-line-noise", 3306),
    ("missing-blank-after-declarations", 3506),
    ("unchecked-null-return", 3508),
    ("unbalanced-braces", 3510),
}
SEEDS = [SEED_ARCHIVE, SEED_MBOX]


def _json(seed) -> dict:
    require_shared()
    run = run_cli("check", "--no-tree", "--format", "json", seed.name, cwd=seed.parent)
    assert run.status == 1, run.err
    assert run.err == ""
    return json.loads(run.out)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.suffix)
def test_seed_gives_exactly_the_five_findings(seed):
    doc = _json(seed)
    assert len(doc["patches"]) == 1
    findings = doc["patches"][0]["findings"]
    assert {(f["rule"], f["line"]) for f in findings} == EXPECTED
    assert len(findings) == 5
    assert all(f["path"] == "kernel/bpf/verifier.c" for f in findings)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.suffix)
def test_null_finding_names_pointer_function_and_call_line(seed):
    finding = next(f for f in _json(seed)["patches"][0]["findings"] if f["rule"] == "unchecked-null-return")
    assert "`b`" in finding["message"]
    assert "bsearch()" in finding["message"]
    assert "line 3506" in finding["message"]
    assert finding["severity"] == "error"


def test_archive_copy_repairs_are_notices_not_findings():
    doc = _json(SEED_ARCHIVE)
    patch = doc["patches"][0]
    assert not any(f["rule"] == "corrupted-patch" for f in patch["findings"])
    assert len(patch["notices"]) == 2
    assert all("lost the leading space" in n for n in patch["notices"])
    assert _json(SEED_MBOX)["patches"][0]["notices"] == []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.suffix)
@pytest.mark.parametrize("fmt", ["text", "checkpatch", "gcc", "json"])
def test_seed_output_matches_snapshot(seed, fmt):
    require_shared()
    run = run_cli("check", "--no-tree", "--format", fmt, seed.name, cwd=seed.parent)
    assert run.status == 1
    assert run.err == ""
    assert_snapshot(f"seed{seed.suffix}.{fmt}", run.out)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.suffix)
def test_every_format_carries_the_same_five(seed):
    require_shared()
    checkpatch = run_cli("check", "--no-tree", "--format", "checkpatch", seed.name, cwd=seed.parent).out.splitlines()
    gcc = run_cli("check", "--no-tree", "--format", "gcc", seed.name, cwd=seed.parent).out.splitlines()
    text = run_cli("check", "--no-tree", seed.name, cwd=seed.parent).out.splitlines()
    assert len(gcc) == 5
    for line in (3306, 3506, 3508, 3510):
        assert sum(x.startswith(f"kernel/bpf/verifier.c:{line}: ") for x in checkpatch) == 1
        assert sum(x.startswith(f"kernel/bpf/verifier.c:{line}:") for x in gcc) == 1
        assert sum(x.startswith(f"kernel/bpf/verifier.c:{line}: ") for x in text) == 1
    # checkpatch's format names every place of a finding, as checkpatch does: the unbalanced
    # chain at its `if` (3502) too, where checkpatch says "braces {} should be used on all arms".
    assert len(checkpatch) == 6
    assert [x.split(": ")[0] for x in checkpatch if ":BRACES:" in x] == \
        ["kernel/bpf/verifier.c:3502", "kernel/bpf/verifier.c:3510"]
    assert sum("ERROR:EXECUTE_PERMISSIONS:" in x for x in checkpatch) == 1
    assert text[-1] == "2 errors, 3 warnings in 1 patch"
