"""Every real patch of the shared corpus is reviewed: no traceback, exit status 0 or 1, no stderr."""

from __future__ import annotations

import json

from conftest import CORPUS, require_shared, run_cli


def _corpus_files() -> list[str]:
    require_shared()
    index = (CORPUS / "INDEX.tsv").read_text().splitlines()[1:]
    return [line.split("\t")[0] for line in index if line.strip()]


def test_every_corpus_file_reviews_with_status_0_or_1():
    failures = []
    files = _corpus_files()
    assert len(files) == 3022
    for rel in files:
        run = run_cli("check", "--no-tree", "--format", "json", str(CORPUS / rel))
        if run.status not in (0, 1) or run.err:
            failures.append(f"{rel}: exit {run.status}: {run.err.strip()[:200]}")
            continue
        doc = json.loads(run.out)
        if len(doc["patches"]) != 1:
            failures.append(f"{rel}: {len(doc['patches'])} patches reviewed, skipped {doc['skipped']}")
    assert failures == [], "\n".join(failures[:20])


def test_a_corpus_directory_as_one_input(tmp_path):
    require_shared()
    (tmp_path / "mails").mkdir()
    for path in sorted((CORPUS / "ml-modechange").iterdir()):
        (tmp_path / "mails" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "mails" / "INDEX.tsv").write_bytes((CORPUS / "INDEX.tsv").read_bytes()[:4000])
    run = run_cli("check", "--no-tree", "--format", "json", str(tmp_path / "mails"))
    assert run.status == 1
    assert run.err == ""
    doc = json.loads(run.out)
    assert len(doc["patches"]) == 8
    # a file that is not a mail is skipped, not an error
    assert [s["source"].rsplit("/", 1)[-1] for s in doc["skipped"]] == ["INDEX.tsv"]


def test_parse_failures_of_the_index_are_repaired_and_reviewed():
    """The three mails unidiff cannot parse have an `index` line joined onto `diff --git`:
    ingest splits it off and the patch is reviewed.  git am applies such a mail (git apply
    takes the names from ---/+++), so it is not a `corrupted-patch`."""
    from reviewbot.ingest import read_inputs
    from reviewbot.mail import parse_message

    require_shared()
    index = [line.split("\t") for line in (CORPUS / "INDEX.tsv").read_text().splitlines()[1:]]
    broken = [row[0] for row in index if row[-1] == "unidiff-error"]
    assert len(broken) == 3
    for rel in broken:
        message = parse_message(next(iter(read_inputs([str(CORPUS / rel)]))))
        (repair,) = message.repairs
        assert "joined onto `diff --git`" in repair.what and repair.path == "drivers/pwm/pwm-imx-tpm.c"
        assert not repair.breaks_apply
        assert any(line.startswith("@@ ") for line in message.diff_lines)
        run = run_cli("check", "--no-tree", "--format", "json", str(CORPUS / rel))
        doc = json.loads(run.out)
        assert run.err == "" and "corrupted-patch" not in [f["rule"] for f in doc["patches"][0]["findings"]], rel


def test_mode_change_mails_are_flagged():
    require_shared()
    for path in sorted((CORPUS / "ml-modechange").iterdir()):
        doc = json.loads(run_cli("check", "--no-tree", "--format", "json", str(path)).out)
        rules = [f["rule"] for f in doc["patches"][0]["findings"]]
        mode = "mode change 100644 => 100755" in _decoded(path)
        assert ("executable-source-file" in rules) == mode, path.name


def _decoded(path) -> str:
    from reviewbot.ingest import read_inputs
    from reviewbot.mail import parse_message

    message = parse_message(next(iter(read_inputs([str(path)]))))
    return message.notes + "\n" + "\n".join(message.diff_lines)
