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


def _run(check, scope=Scope.HUNK, patch=PATCH):
    rule = Rule(RuleMeta("probe", Severity.WARNING, scope), check, "", "m")
    message = parse_message(RawMessage(Origin("p"), patch))
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
    two = PATCH.replace(b"+int b;\n", b"+int b;\n+int b2;\n").replace(b"+1,4 @@", b"+1,5 @@")
    found = _run(lambda ctx: [Report("x", line=2, also=(1, 3, 4))], patch=two)
    assert found[0].also == ((3, 12),)   # the second added line, with its line in the mail
    mail = _run(lambda ctx: [Report("m", mail_line=3, also=(3, 4))], Scope.MAIL)
    assert mail[0].also == ((None, 4),)


def test_also_message_is_kept_only_when_there_are_further_places():
    two = PATCH.replace(b"+int b;\n", b"+int b;\n+int b2;\n").replace(b"+1,4 @@", b"+1,5 @@")
    found = _run(lambda ctx: [Report("2 lines", line=2, also=(3,), also_message="one line")], patch=two)
    assert (found[0].also, found[0].also_message) == (((3, 12),), "one line")
    found = _run(lambda ctx: [Report("2 lines", line=2, also=(1,), also_message="one line")], patch=two)
    assert (found[0].also, found[0].also_message) == ((), None)   # line 1 is context: no further place


def test_dedupe_keeps_first_per_rule_and_line_and_sorts():
    a = Finding("r", Severity.WARNING, "first", "b.c", 3)
    b = Finding("r", Severity.WARNING, "second", "b.c", 3)
    c = Finding("r", Severity.WARNING, "other", "a.c", 9)
    mail = Finding("m", Severity.ERROR, "mail", None, None)
    assert dedupe([a, b, c, mail]) == [mail, c, a]


def test_skip_line_only_saves_calls_that_would_report_nothing():
    """A line rule's skip_line is true only of lines its check says nothing about: run over
    every added line of the rule fixtures, with and without it, the findings are the same."""
    line_rules = [r for r in registry() if r.meta.scope is Scope.LINE and r.meta.skip_line is not None]
    assert {r.id for r in line_rules} >= {"long-line", "trailing-whitespace"}
    texts = ["", " ", "\t", "x ", "x\t", "x\r", "\t" * 13 + "y", "a" * 100, "a" * 101, "\t" * 12 + "abcde",
             "\t" * 12 + "abcd", "\t\t/* " + "c" * 90 + " */", "\tpr_err(\"" + "s" * 100 + "\");  "]
    for path in (RULES_DIR.parent / "tests" / "fixtures" / "rules").rglob("*"):
        if path.is_file():
            texts += path.read_text(errors="replace").splitlines()
    body = "".join(f"+{t}\n" for t in texts)
    patch = (b"From: A <a@example.org>\nSubject: [PATCH] x\n\nx\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n"
             b"+++ b/x.c\n" + f"@@ -0,0 +1,{len(texts)} @@\n{body}".encode())
    message = parse_message(RawMessage(Origin("p"), patch))
    files, _ = parse_diff(message.diff_lines, message.diff_mail_lines)
    for rule in line_rules:
        assert any(rule.meta.skip_line(t, rule.options) for t in texts)
        slow = rule._replace(meta=rule.meta._replace(skip_line=None))
        with_skip = run_rules(message, files, (), (rule,), builtin())
        assert with_skip == run_rules(message, files, (), (slow,), builtin()), rule.id
        assert with_skip or rule.id != "trailing-whitespace"


def test_path_globs_match_as_fnmatch_matches_the_path_or_its_name():
    import fnmatch

    from reviewbot.engine import _path_matches

    globs_sets = [("*.c", "*.h"), ("*.c", "*.h", "*.dts", "*.dtsi", "Kconfig*"), ("drivers/*",), ("[ab].c",), (),
                  ("*.[ch]", "x?y"), ("Makefile",)]
    paths = ["a.c", "drivers/net/x.h", "arch/arm/boot/dts/x.dts", "Kconfig", "drivers/Kconfig.debug", "a.cc",
             "b.c", "drivers/a/b.c", "x.y", "xzy", "src/Makefile", "Makefile.am", "dir.c/file", ".c", ""]
    for globs in globs_sets:
        for path in paths:
            name = path.rsplit("/", 1)[-1]
            expected = any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)
            assert _path_matches(globs, path) == expected, (globs, path)


def test_a_plan_lists_the_rules_applies_to_names_for_each_path_in_order():
    from reviewbot.engine import _plan

    rules = registry() + (Rule(RuleMeta("x-dts", Severity.NOTE, Scope.HUNK, paths=("*.dts",)), lambda ctx: (), "", "m"),
                          Rule(RuleMeta("x-any", Severity.NOTE, Scope.FUNCTION), lambda ctx: (), "", "m"))
    plan = _plan(rules)
    assert _plan(rules) is plan and _plan(tuple(list(rules))) is plan   # by the rules, not the tuple
    paths = ["a.c", "drivers/net/x.h", "arch/arm/boot/dts/x.dts", "x.dtsi", "Kconfig", "drivers/Kconfig.debug",
             "a.cc", "Makefile", "scripts/x.py", "Documentation/x.rst", "", "dir.c/file", "a.c"]
    for path in paths:
        file_rules, line_rules, hunk_rules, function_rules = plan.for_path(path)
        expected = {s: [r for r in rules if r.meta.scope is s and r.applies_to(path)] for s in Scope}
        assert plan.mail_rules == expected[Scope.MAIL]
        assert file_rules == expected[Scope.FILE], path
        assert line_rules == [(r, r.meta.skip_line) for r in expected[Scope.LINE]], path
        assert hunk_rules == [(r, r.options or None) for r in expected[Scope.HUNK]], path
        assert function_rules == [(r, r.options or None) for r in expected[Scope.FUNCTION]], path
