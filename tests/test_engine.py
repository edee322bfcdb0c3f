"""The engine: an immutable registry named after files, scopes, and never blaming unchanged lines."""

from __future__ import annotations

from pathlib import Path

from reviewbot.diff import parse_diff
from reviewbot.engine import Rule, dedupe, registry, run_rules
from reviewbot.findings import Finding, Severity
from reviewbot.ingest import RawMessage
from reviewbot.knowledge import builtin
from reviewbot.mail import parse_message
from reviewbot.model import Origin
from reviewbot.ruleapi import Report, RuleMeta, Scope
from reviewbot.selection import select_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def test_registry_has_one_rule_per_file_named_after_its_id():
    rules = registry()
    files = sorted(p.stem for p in RULES_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(r.id.replace("-", "_") for r in rules) == files
    assert registry() is registry()        # built once
    assert isinstance(rules, tuple)


def test_default_selection_leaves_out_preview_rules():
    preview = Rule(RuleMeta("x-preview", Severity.NOTE, Scope.LINE, preview=True), lambda ctx: (), "", "m")
    normal = Rule(RuleMeta("x-normal", Severity.NOTE, Scope.LINE), lambda ctx: (), "", "m")
    assert select_rules(rules=(preview, normal)) == (normal,)
    assert select_rules("x-preview", rules=(preview, normal)) == (preview,)


PATCH = b"""From: A <a@example.org>
Subject: [PATCH] x

x
---
diff --git a/x.c b/x.c
--- a/x.c
+++ b/x.c
@@ -1,3 +1,4 @@
 int a;
+int b;
 int c;
 int d;
"""


def _run(check, scope=Scope.HUNK):
    rule = Rule(RuleMeta("probe", Severity.WARNING, scope), check, "", "m")
    message = parse_message(RawMessage(Origin("p"), PATCH))
    files, _ = parse_diff(message.diff_lines, message.diff_mail_lines)
    return run_rules(message, files, (), (rule,), builtin())


def test_reports_on_unchanged_lines_are_dropped():
    def check(ctx):
        for line in (1, 2, 3, 4):
            yield Report(f"line {line}", line=line)
    assert [(f.line, f.message) for f in _run(check)] == [(2, "line 2")]


def test_file_level_reports_are_kept_with_the_file_header_line():
    found = _run(lambda ctx: [Report("whole file")])
    assert [(f.path, f.line, f.mail_line) for f in found] == [("x.c", None, 6)]


def test_line_scope_sees_each_added_line_once():
    seen = []

    def check(ctx):
        seen.append(ctx.line.text)
        return ()
    _run(check, Scope.LINE)
    assert seen == ["int b;"]


def test_findings_carry_the_mail_line_of_their_line():
    found = _run(lambda ctx: [Report("x", line=2)])
    assert found[0].mail_line == 11


def test_also_keeps_only_added_lines_with_their_mail_lines():
    found = _run(lambda ctx: [Report("x", line=2, also=(1, 2, 3))])
    assert found[0].also == ()   # 1 and 3 are context, 2 is the finding's own line
    mail = _run(lambda ctx: [Report("m", mail_line=3, also=(3, 4))], Scope.MAIL)
    assert mail[0].also == ((None, 4),)


def test_dedupe_keeps_first_per_rule_and_line_and_sorts():
    a = Finding("r", Severity.WARNING, "first", "b.c", 3)
    b = Finding("r", Severity.WARNING, "second", "b.c", 3)
    c = Finding("r", Severity.WARNING, "other", "a.c", 9)
    mail = Finding("m", Severity.ERROR, "mail", None, None)
    assert dedupe([a, b, c, mail]) == [mail, c, a]
