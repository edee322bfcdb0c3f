"""reviewdog's Diagnostic Format: rdjson (one document) and rdjsonl (one diagnostic a line)."""

from __future__ import annotations

import json

import jsonschema

from conftest import CORPUS, SEED_MBOX, require_shared, run_cli
from reviewbot.findings import Finding, Severity
from reviewbot.model import Message, Origin
from reviewbot.render import rdjson, rdjsonl
from reviewbot.review import PatchReview, RunResult

# No package carries reviewdog's own JSON schema (proto/rdf/jsonschema in its repository), so this
# is the Diagnostic Format as its protobuf defines it (reviewdog.rdf.DiagnosticResult), written
# out here and stricter than the original: no unknown keys, and the fields reviewbot always sends
# are required.
_POSITION = {"type": "object", "additionalProperties": False, "required": ["line"],
             "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}}}
_SOURCE = {"type": "object", "additionalProperties": False, "required": ["name"],
           "properties": {"name": {"type": "string", "minLength": 1}, "url": {"type": "string"}}}
DIAGNOSTIC = {
    "type": "object", "additionalProperties": False, "required": ["message", "severity", "source", "code"],
    "properties": {
        "message": {"type": "string", "minLength": 1},
        "severity": {"enum": ["ERROR", "WARNING", "INFO"]},
        "source": _SOURCE,
        "code": {"type": "object", "additionalProperties": False, "required": ["value"],
                 "properties": {"value": {"type": "string"}, "url": {"type": "string"}}},
        "location": {"type": "object", "additionalProperties": False, "required": ["path"],
                     "properties": {"path": {"type": "string", "minLength": 1},
                                    "range": {"type": "object", "additionalProperties": False, "required": ["start"],
                                              "properties": {"start": _POSITION, "end": _POSITION}}}},
        "suggestions": {"type": "array"},
    },
}
RESULT = {"type": "object", "additionalProperties": False, "required": ["source", "diagnostics"],
          "properties": {"source": _SOURCE, "severity": {"enum": ["ERROR", "WARNING", "INFO"]},
                         "diagnostics": {"type": "array", "items": DIAGNOSTIC}}}


def _check(*args: str, fmt: str = "rdjson", stdin: bytes | None = None) -> str:
    run = run_cli("check", "--no-tree", "--format", fmt, *args, stdin=stdin)
    assert run.status in (0, 1), run.err
    return run.out


def test_seed_as_rdjson():
    require_shared()
    doc = json.loads(_check(str(SEED_MBOX)))
    jsonschema.validate(doc, RESULT)
    assert doc["source"] == {"name": "reviewbot"}
    diags = doc["diagnostics"]
    assert [(d["code"]["value"], d["severity"]) for d in diags] == [
        ("executable-source-file", "ERROR"),
        ("blank-line-noise", "WARNING"),
        ("missing-blank-after-declarations", "WARNING"),
        ("unchecked-null-return", "ERROR"),
        ("unbalanced-braces", "WARNING"),
    ]
    assert all(d["location"]["path"] == "kernel/bpf/verifier.c" for d in diags)
    assert "range" not in diags[0]["location"]                       # the mode change: the file
    assert diags[1]["location"]["range"] == {"start": {"line": 3306}, "end": {"line": 3306}}   # a blank line
    # `\t\tmod = b->module;`: from the first non-blank byte to the end of the line, end exclusive
    assert diags[3]["location"]["range"] == {"start": {"line": 3508, "column": 3}, "end": {"line": 3508, "column": 19}}
    assert diags[4]["location"]["range"] == {"start": {"line": 3510, "column": 2}, "end": {"line": 3510, "column": 8}}
    assert "suggestions" not in diags[0]


def test_rdjsonl_is_the_same_diagnostics_one_a_line():
    require_shared()
    paths = (str(SEED_MBOX), str(CORPUS / "ml-modechange"))
    lines = _check(*paths, fmt="rdjsonl").splitlines()
    diags = [json.loads(line) for line in lines]
    for d in diags:
        jsonschema.validate(d, DIAGNOSTIC)
    assert diags == json.loads(_check(*paths))["diagnostics"]
    assert len(diags) > 5


def test_rdjsonl_prints_nothing_when_clean():
    require_shared()
    assert _check("--select", "unchecked-null-return", str(CORPUS / "ml-modechange"), fmt="rdjsonl") == ""


MSG = Message(origin=Origin("series.mbox", 1, 40), kind="mail", subject="[PATCH 2/3] foo: bar")
WIDE = Finding("some-rule", Severity.NOTE, "wide", "drivers/é.c", 7, 8, mail_line=70, hint="narrow it")
MAIL = Finding("corrupted-patch", Severity.ERROR, "damaged", None, None, mail_line=47)


def _diags(*findings, origin=MSG.origin) -> list[dict]:
    review = PatchReview(MSG._replace(origin=origin), tuple(findings), (),
                         (("drivers/é.c", 7, "\t\tname = \"é\","), ("drivers/é.c", 8, "\t\tx = \"日本\";")))
    doc = json.loads(rdjson.render(RunResult((review,))))
    jsonschema.validate(doc, RESULT)
    return doc["diagnostics"]


def test_columns_count_utf8_bytes_and_the_range_spans_the_lines():
    (d,) = _diags(WIDE)
    assert d["location"]["range"] == {"start": {"line": 7, "column": 3},
                                      "end": {"line": 8, "column": len("\t\tx = \"日本\";".encode()) + 1}}
    assert d["severity"] == "INFO" and d["message"] == "wide\nhelp: narrow it"


def test_mail_findings_point_into_the_input_or_nowhere():
    (d,) = _diags(MAIL)
    assert d["location"] == {"path": "series.mbox", "range": {"start": {"line": 47}}}
    (d,) = _diags(MAIL, origin=Origin("-"))
    assert "location" not in d


def test_rdjsonl_renders_each_finding_on_one_line():
    review = PatchReview(MSG, (WIDE, MAIL), ())
    out = rdjsonl.render(RunResult((review,)))
    assert out.count("\n") == 2 and out.endswith("\n")
    assert [json.loads(x)["code"]["value"] for x in out.splitlines()] == ["some-rule", "corrupted-patch"]
