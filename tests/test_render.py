"""One renderer per format: what each line looks like, for lines, files and mails."""

from __future__ import annotations

import json

from reviewbot.findings import Finding, Severity
from reviewbot.model import Message, Origin
from reviewbot.render import checkpatch, gcc, text
from reviewbot.render import json as json_render
from reviewbot.review import PatchReview, RunResult, Skipped

MSG = Message(origin=Origin("series.mbox", 1, 40), kind="mail", subject="[PATCH 2/3] foo: bar",
              message_id="2@example.org")
LINE = Finding("unbalanced-braces", Severity.WARNING, "arm without braces", "drivers/foo.c", 12,
               mail_line=70, checkpatch_type="BRACES", hint="brace it")
FILE = Finding("executable-source-file", Severity.ERROR, "mode changed", "drivers/foo.c", None, mail_line=55,
               checkpatch_type="EXECUTE_PERMISSIONS")
MAIL = Finding("corrupted-patch", Severity.ERROR, "damaged", None, None, mail_line=47)
NOTE = Finding("some-note", Severity.NOTE, "a WARNING: and an ERROR: inside", "drivers/foo.c", 13, mail_line=71)


def _result(*findings, notices=(), skipped=()):
    review = PatchReview(MSG, tuple(findings), tuple(notices),
                         quotes=(("drivers/foo.c", 12, "\t} else"), ("drivers/foo.c", 13, "\t\tx = 1;")))
    return RunResult((review,), tuple(skipped))


def test_checkpatch_line_file_and_mail_levels():
    out = checkpatch.render(_result(MAIL, FILE, LINE)).splitlines()
    assert out == [
        "-:47: ERROR:CORRUPTED_PATCH: damaged",
        "-:55: ERROR:EXECUTE_PERMISSIONS: drivers/foo.c: mode changed",
        "drivers/foo.c:12: WARNING:BRACES: arm without braces",
    ]


def test_checkpatch_prints_every_place_a_finding_said_once_covers():
    once = LINE._replace(message="3 lines indented with spaces", also=((15, 73), (19, 77)))
    mail = MAIL._replace(message="long line (and 1 more)", also=((None, 49),))
    out = checkpatch.render(_result(mail, once)).splitlines()
    assert out == [
        "-:47: ERROR:CORRUPTED_PATCH: long line (and 1 more)",
        "-:49: ERROR:CORRUPTED_PATCH: long line (and 1 more)",
        "drivers/foo.c:12: WARNING:BRACES: 3 lines indented with spaces",
        "drivers/foo.c:15: WARNING:BRACES: 3 lines indented with spaces",
        "drivers/foo.c:19: WARNING:BRACES: 3 lines indented with spaces",
    ]
    doc = json.loads(json_render.render(_result(once)))
    assert doc["patches"][0]["findings"][0]["also"] == [
        {"line": 15, "mail_line": 73, "message": "3 lines indented with spaces"},
        {"line": 19, "mail_line": 77, "message": "3 lines indented with spaces"}]


def test_each_further_place_says_the_finding_s_message_for_one_place():
    once = LINE._replace(message="3 lines indented with spaces (first here)", also=((15, 73),),
                         also_message="line indented with spaces")
    out = checkpatch.render(_result(once)).splitlines()
    assert out == [
        "drivers/foo.c:12: WARNING:BRACES: 3 lines indented with spaces (first here)",
        "drivers/foo.c:15: WARNING:BRACES: line indented with spaces",
    ]
    doc = json.loads(json_render.render(_result(once)))
    assert doc["patches"][0]["findings"][0]["also"] == [
        {"line": 15, "mail_line": 73, "message": "line indented with spaces"}]


def test_checkpatch_never_says_error_inside_a_non_error():
    out = checkpatch.render(_result(NOTE))
    assert out == "drivers/foo.c:13: CHECK:SOME_NOTE: a WARNING: and an error: inside\n"
    assert "ERROR:" not in out


def test_checkpatch_prints_nothing_when_clean():
    assert checkpatch.render(_result()) == ""


def test_gcc_columns_count_tabs_as_eight():
    out = gcc.render(_result(LINE, NOTE)).splitlines()
    assert out[0] == "drivers/foo.c:12:9: warning: arm without braces [unbalanced-braces]"
    assert out[1].startswith("drivers/foo.c:13:17: note: ")


def test_gcc_file_and_mail_findings():
    out = gcc.render(_result(MAIL, FILE)).splitlines()
    assert out == ["series.mbox:47:1: error: damaged [corrupted-patch]",
                   "drivers/foo.c: error: mode changed [executable-source-file]"]


def test_text_quotes_the_line_and_hint_and_ends_with_a_summary():
    out = text.render(_result(LINE, notices=("drivers/foo.c: did not apply",))).splitlines()
    assert out[0] == "drivers/foo.c:12: warning: arm without braces [unbalanced-braces]"
    assert out[1] == "     12 |         } else"
    assert out[2] == "        = help: brace it"
    assert out[3] == "note: series.mbox#2: drivers/foo.c: did not apply"
    assert out[-1] == "1 warning in 1 patch"


def test_text_mail_level_points_into_the_input():
    assert text.render(_result(MAIL)).splitlines()[0] == "series.mbox:47: error: damaged [corrupted-patch]"


def test_text_summary_counts_skips():
    out = text.render(_result(skipped=(Skipped("a", "cover letter"), Skipped("b", "reply"), Skipped("c", "reply"))))
    assert out.splitlines()[-1] == "no findings in 1 patch (skipped: 1 cover letter, 2 replies)"


def test_json_document_shape():
    doc = json.loads(json_render.render(_result(FILE, LINE, notices=("n",))))
    assert doc["version"] == 1
    patch = doc["patches"][0]
    assert patch["source"] == "series.mbox#2"
    assert patch["message_id"] == "2@example.org"
    assert patch["subject"] == "[PATCH 2/3] foo: bar"
    assert patch["notices"] == ["n"]
    assert patch["findings"][0] == {
        "rule": "executable-source-file", "severity": "error", "path": "drivers/foo.c", "line": None,
        "end_line": None, "message": "mode changed", "checkpatch_type": "EXECUTE_PERMISSIONS", "hint": None,
        "mail_line": 55, "preexisting": False, "also": []}
    assert patch["not_shown"] == {"preexisting": 0, "silenced": 0}
    assert set(patch["findings"][1]) >= {"rule", "severity", "path", "line", "end_line", "message",
                                         "checkpatch_type"}
