"""GitHub Actions workflow commands, escaped as Actions reads them, and the step summary."""

from __future__ import annotations

from conftest import SEED_MBOX, require_shared, run_cli
from reviewbot.findings import Finding, Severity
from reviewbot.model import Message, Origin
from reviewbot.render import github
from reviewbot.review import PatchReview, RunResult

MSG = Message(origin=Origin("series.mbox", 1, 40), kind="mail", subject="[PATCH 2/3] foo: bar | baz <x>")
LINE = Finding("unbalanced-braces", Severity.WARNING, "arm without braces", "drivers/foo.c", 12, hint="brace it")
RANGE = Finding("some-rule", Severity.NOTE, "100% sure,\r\nreally: `a|b`", "drivers/a:b,c.c", 3, 5)
FILE = Finding("executable-source-file", Severity.ERROR, "mode changed", "drivers/foo.c")
MAIL = Finding("corrupted-patch", Severity.ERROR, "damaged", None, None, mail_line=47)


def _result(*findings, notices=()) -> RunResult:
    return RunResult((PatchReview(MSG, tuple(findings), tuple(notices)),))


def test_escaping_of_data_and_properties():
    assert github.escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert github.escape_property("100% a\r\nb: c, d") == "100%25 a%0D%0Ab%3A c%2C d"


def test_one_command_per_finding_with_its_level():
    out = github.render(_result(MAIL, FILE, LINE, RANGE)).splitlines()
    assert out == [
        "::error title=corrupted-patch::damaged",
        "::error file=drivers/foo.c,title=executable-source-file::mode changed",
        "::warning file=drivers/foo.c,line=12,endLine=12,title=unbalanced-braces::arm without braces%0Ahelp: brace it",
        "::notice file=drivers/a%3Ab%2Cc.c,line=3,endLine=5,title=some-rule::100%25 sure,%0D%0Areally: `a|b`",
    ]


def test_nothing_when_clean():
    assert github.render(_result()) == ""


def test_seed_as_workflow_commands(tmp_path, monkeypatch):
    require_shared()
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "--no-tree", "--format", "github", str(SEED_MBOX))
    assert run.status == 1 and run.err == ""
    lines = run.out.splitlines()
    assert len(lines) == 5 and all(x.startswith(("::error ", "::warning ")) for x in lines)
    assert "::error file=kernel/bpf/verifier.c,line=3508,endLine=3508,title=unchecked-null-return::" in run.out
    assert list(tmp_path.iterdir()) == []            # no summary file without GITHUB_STEP_SUMMARY


def test_step_summary_is_appended_when_set(tmp_path, monkeypatch):
    require_shared()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = run_cli("check", "--no-tree", "--format", "github", str(SEED_MBOX))
    assert run.status == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## reviewbot\n")
    assert "2 errors, 3 warnings in 1 patch" in text
    rows = [x for x in text.splitlines() if x.startswith("| ") and not x.startswith("| severity")]
    assert len(rows) == 5
    assert "| error | `kernel/bpf/verifier.c:3508` | `unchecked-null-return` |" in text


def test_other_formats_write_no_summary(tmp_path, monkeypatch):
    require_shared()
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_cli("check", "--no-tree", "--format", "text", str(SEED_MBOX))
    assert not summary.exists()


def test_extra_outputs_only_with_a_summary_file():
    assert github.extra_outputs(_result(LINE), {}) == []
    ((path, text),) = github.extra_outputs(_result(LINE), {"GITHUB_STEP_SUMMARY": "/x/summary"})
    assert path == "/x/summary" and text == github.summary(_result(LINE))


def test_summary_markdown_is_safe_in_a_table():
    text = github.summary(_result(MAIL, FILE, RANGE, notices=("a <note>",)))
    assert "### [PATCH 2/3] foo: bar \\| baz &lt;x&gt;" in text
    assert "| note | `drivers/a:b,c.c:3-5` | `some-rule` | 100% sure,<br>really: `a\\|b` |" in text
    assert "| error | the mail (line 47 of the input) | `corrupted-patch` | damaged |" in text
    assert "| error | `drivers/foo.c` | `executable-source-file` | mode changed |" in text
    assert "- `series.mbox#2`: a &lt;note&gt;" in text
    assert "2 errors, 1 note in 1 patch" in text


def test_summary_when_clean():
    assert github.summary(_result()) == "## reviewbot\n\nno findings in 1 patch\n\n"


def test_summary_stays_under_the_step_summary_limit():
    many = tuple(LINE._replace(line=n, message="x" * 2000) for n in range(1, 1001))
    text = github.summary(_result(*many))
    assert len(text.encode()) <= github.SUMMARY_LIMIT
    assert "more findings not shown" in text
    shown = sum(1 for x in text.splitlines() if x.startswith("| warning"))
    assert f"{1000 - shown} more findings not shown" in text
