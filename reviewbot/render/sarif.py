"""SARIF 2.1.0 for code scanning (GitHub's upload-sarif and every SARIF viewer).

One run.  `tool.driver.rules` describes each rule that has a result, sorted by id
(from its docs: summary, *What it does*, the whole page as help, its severity as
the default level, its checkpatch types); results point at them by id and index.

Where a result is:

- a line: the file's repository-relative path (`%SRCROOT%`) and the new file's
  `startLine`/`endLine`;
- a file (a mode change): the file, at line 1 -- code scanning wants a
  `region.startLine` on every result, and a file-level alert shows at the top;
- the mail (the commit message, the patch as a whole): the input it came from, at
  the line of the message (`mail_line`); from stdin or a git range there is no
  such file and the result has no location.

`partialFingerprints["reviewbot/v1"]` is stable across rebases: a hash of the rule,
the path, the text of the flagged line(s), stripped, and how many results of the run
had the same key before it -- never a line number or a message that quotes one.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from reviewbot import __version__
from reviewbot.engine import rule_by_id, section
from reviewbot.findings import Finding, Severity
from reviewbot.fingerprint import fingerprints
from reviewbot.review import PatchReview, RunResult

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "reviewbot/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def message_text(f: Finding) -> str:
    """The finding's message, its fix hint on a line of its own."""
    return f"{f.message}\nhelp: {f.hint}" if f.hint else f.message


def _uri(path: str) -> dict:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace("\\", "/"), safe="/"), "uriBaseId": "%SRCROOT%"}


def _locations(review: PatchReview, f: Finding) -> list[dict]:
    if f.path is not None:
        region = {"startLine": f.line or 1}
        if f.line is not None:
            region["endLine"] = f.end_line or f.line
        return [{"physicalLocation": {"artifactLocation": _uri(f.path), "region": region}}]
    source = review.message.origin.source
    if source == "-" or source.startswith("git:"):
        return []
    return [{"physicalLocation": {"artifactLocation": _uri(source), "region": {"startLine": f.mail_line or 1}}}]


def _descriptor(rule_id: str, severity: Severity) -> dict:
    rule = rule_by_id().get(rule_id)
    out: dict = {"id": rule_id, "name": rule_id}
    if rule is None:
        out["defaultConfiguration"] = {"level": LEVELS[severity]}
        return out
    what = " ".join(section(rule.doc, "What it does").split())
    out["shortDescription"] = {"text": rule.summary or rule_id}
    out["fullDescription"] = {"text": what or rule.summary or rule_id}
    doc = rule.doc.strip()
    out["help"] = {"text": doc, "markdown": doc}
    out["defaultConfiguration"] = {"level": LEVELS[rule.meta.severity]}
    out["properties"] = {
        "checkpatch": list(rule.meta.checkpatch),
        "scope": str(rule.meta.scope),
        "preview": rule.meta.preview,
    }
    return out


def _notifications(result: RunResult) -> list[dict]:
    out = [{"level": "error", "message": {"text": p}} for p in result.problems]
    out += [{"level": "note", "message": {"text": f"{r.message.origin}: {n}"}}
            for r in result.reviews for n in r.notices]
    return out


def document(result: RunResult) -> dict:
    severities: dict[str, Severity] = {}
    for review in result.reviews:
        for f in review.findings:
            severities.setdefault(f.rule, f.severity)
    rule_ids = sorted(severities)
    index = {rule_id: k for k, rule_id in enumerate(rule_ids)}
    prints = iter(fingerprints(result.reviews))
    results = []
    for review in result.reviews:
        for f in review.findings:
            item: dict = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": LEVELS[f.severity],
                "message": {"text": message_text(f)},
            }
            locations = _locations(review, f)
            if locations:
                item["locations"] = locations
            item["partialFingerprints"] = {FINGERPRINT_KEY: next(prints)}
            props: dict = {"patch": str(review.message.origin), "subject": review.message.subject}
            if f.checkpatch_type:
                props["checkpatchType"] = f.checkpatch_type
            if f.path is None or f.line is None:
                props["anchor"] = f.level
            item["properties"] = props
            results.append(item)
    invocation: dict = {"executionSuccessful": not result.problems}
    notifications = _notifications(result)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "reviewbot",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(r, severities[r]) for r in rule_ids],
            }},
            "invocations": [invocation],
            "results": results,
        }],
    }


def render(result: RunResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
