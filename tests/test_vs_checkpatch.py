"""benchmarks/vs_checkpatch.py: the parts that need neither checkpatch.pl nor a kernel tree.

Reading checkpatch's terse lines, placing a patch line in its file as checkpatch does,
matching the two tools' findings, counting; and that reviewbot's `mail_line` is the
line checkpatch prints (the script relies on it).
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from conftest import ROOT, run_cli
from reviewbot.findings import Finding, Severity

_spec = importlib.util.spec_from_file_location("vs_checkpatch", ROOT / "benchmarks" / "vs_checkpatch.py")
vs = importlib.util.module_from_spec(_spec)
sys.modules["vs_checkpatch"] = vs   # dataclasses look their module up
_spec.loader.exec_module(vs)

Unit = vs.Unit

# A `git format-patch` mail as the corpus holds them: the mbox `From ` line is line 1.
PATCH = """\
From 661edfc3dab943a67c8821353b63cc23057f7ce9 Mon Sep 17 00:00:00 2001
From: Ann Author <ann@example.org>
Date: Tue, 9 Jan 2024 20:48:46 +0100
Subject: [PATCH] foo: fix bar

A commit message line.

Signed-off-by: Ann Author <ann@example.org>
---
 drivers/foo.c | 4 +++-
 1 file changed, 3 insertions(+), 1 deletion(-)

diff --git a/drivers/foo.c b/drivers/foo.c
index 1111111..2222222 100644
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -10,4 +10,6 @@ static int foo(void)
 {
-	return 0;
+	int x = 1; 
+
+	return x;

 }
diff --git a/drivers/bar.h b/drivers/bar.h
new file mode 100644
--- /dev/null
+++ b/drivers/bar.h
@@ -0,0 +1,2 @@
+#define BAR 1
+#define BAZ 2
\\ No newline at end of file
-- 
2.43.0
"""


def _line_of(text: str) -> int:
    """The 1-based line of the patch that starts with `text`."""
    for n, line in enumerate(PATCH.split("\n"), 1):
        if line.startswith(text):
            return n
    raise AssertionError(text)


# --- checkpatch's output ----------------------------------------------------------------


def test_a_terse_line_without_showfile():
    cp = vs.parse_checkpatch_line(
        "/c/openwrt/x.patch:40: ERROR:TRAILING_WHITESPACE: trailing whitespace\n")
    assert cp == vs.CpLine("/c/openwrt/x.patch", 40, "ERROR", "TRAILING_WHITESPACE", "trailing whitespace")


def test_a_stdin_line_and_a_message_with_colons():
    cp = vs.parse_checkpatch_line("-:12: CHECK:CAMELCASE: Avoid CamelCase: <fooBar>")
    assert (cp.path, cp.mail_line, cp.level, cp.type, cp.message) == (
        "-", 12, "CHECK", "CAMELCASE", "Avoid CamelCase: <fooBar>")


@pytest.mark.parametrize("text", [
    "total: 0 errors, 1 warnings, 0 checks, 8 lines checked",
    "find: '/include': No such file or directory",
    "x.patch:3: NOTE:FOO: not a checkpatch level",
    "",
])
def test_what_is_not_a_finding(text):
    assert vs.parse_checkpatch_line(text) is None


def test_output_of_a_batch_keeps_each_input_apart():
    out = ("/a/one.patch:8: WARNING:COMMIT_MESSAGE: Missing commit description - Add an appropriate one\n"
           "total: 0 errors, 1 warnings, 0 checks, 149 lines checked\n"
           "/a/two.patch:27: WARNING:SPDX_LICENSE_TAG: Missing or malformed SPDX-License-Identifier tag in line 1\n"
           "/a/two.patch:84: WARNING:LINE_SPACING: Missing a blank line after declarations\n"
           "total: 0 errors, 2 warnings, 0 checks, 149 lines checked\n"
           "/elsewhere.patch:1: ERROR:X: not one of ours\n")
    found, other = vs.parse_checkpatch_output(out, ["/a/one.patch", "/a/two.patch"])
    assert [(f.path, f.mail_line, f.type) for f in found] == [
        ("/a/one.patch", 8, "COMMIT_MESSAGE"), ("/a/two.patch", 27, "SPDX_LICENSE_TAG"),
        ("/a/two.patch", 84, "LINE_SPACING")]
    assert other == ["/elsewhere.patch:1: ERROR:X: not one of ours"]


def test_a_path_that_looks_like_a_finding_is_found_by_name():
    name = "/c/odd:7: WARNING:X: name.patch"
    found, other = vs.parse_checkpatch_output(f"{name}:3: ERROR:TRAILING_WHITESPACE: trailing whitespace\n", [name])
    assert other == []
    assert [(f.path, f.mail_line, f.type) for f in found] == [(name, 3, "TRAILING_WHITESPACE")]


def test_post_loop_types_are_read_from_checkpatch():
    source = """
sub process {
	foreach my $line (@lines) {
		WARN("LONG_LINE", "x\\n");
	}
	# If we have no input at all, then there is nothing to report on
	if ($is_patch && $has_commit_log && $chk_signoff) {
		if ($signoff == 0) {
			ERROR("MISSING_SIGN_OFF",
			      "Missing Signed-off-by: line(s)\\n");
		}
		CHK("FROM_SIGN_OFF_MISMATCH", "y\\n");
	}
}
sub later { WARN("NOT_THIS", "z"); }
"""
    assert vs.post_loop_types(source) == {"MISSING_SIGN_OFF", "FROM_SIGN_OFF_MISMATCH"}
    assert vs.post_loop_types("no such marker") == vs.POST_LOOP_TYPES


# --- where a patch line is ----------------------------------------------------------------


def test_patch_layout_places_lines_as_checkpatch_does():
    layout = vs.patch_layout(PATCH.encode())
    at = lambda text: layout[_line_of(text)]  # noqa: E731
    assert at("From: Ann") == (None, None)
    assert at("A commit message line") == (None, None)
    assert at("Signed-off-by:") == (None, None)
    assert at(" drivers/foo.c | 4") == (None, None)          # the diffstat is not the file yet
    assert at("diff --git a/drivers/foo.c") == ("drivers/foo.c", None)
    assert at("@@ -10,4 +10,6 @@") == ("drivers/foo.c", None)
    assert at(" {") == ("drivers/foo.c", 10)
    assert at("-\treturn 0;") == ("drivers/foo.c", None)
    assert at("+\tint x = 1; ") == ("drivers/foo.c", 11)
    assert layout[_line_of("+\tint x = 1; ") + 1] == ("drivers/foo.c", 12)   # an added blank line
    assert at("+\treturn x;") == ("drivers/foo.c", 13)
    assert layout[_line_of("+\treturn x;") + 1] == ("drivers/foo.c", 14)     # context that lost its space
    assert at(" }") == ("drivers/foo.c", 15)
    assert at("new file mode") == ("drivers/bar.h", None)
    assert at("+#define BAR") == ("drivers/bar.h", 1)
    assert at("+#define BAZ") == ("drivers/bar.h", 2)
    assert at("\\ No newline") == ("drivers/bar.h", None)
    assert at("-- ") == ("drivers/bar.h", None)               # the signature is outside every hunk
    assert at("2.43.0") == ("drivers/bar.h", None)


def test_transfer_encoded_mails_are_recognised():
    assert vs.transfer_encoding(PATCH.encode()) is None
    qp = PATCH.replace("Subject:", "Content-Transfer-Encoding: quoted-printable\nSubject:").encode()
    assert vs.transfer_encoding(qp) == "quoted-printable"
    assert vs.transfer_encoding(b"From: a\ncontent-transfer-encoding: BASE64\r\n\nZm9v\n") == "base64"
    assert vs.transfer_encoding(b"From: a\n\nContent-Transfer-Encoding: 8bit\n") is None


# --- units and matching -------------------------------------------------------------------


def _cp(type_, mail_line, file=None, line=None, patch="p"):
    return Unit(patch, type_, mail_line, file, line, source="cp")


def _rb(type_, mail_line, file=None, line=None, end_line=None, rule="r", preexisting=False, patch="p"):
    return Unit(patch, type_, mail_line, file, line, end_line, "rb", rule, preexisting=preexisting)


def test_checkpatch_units_take_their_place_from_the_layout():
    layout = vs.patch_layout(PATCH.encode())
    n = _line_of("+\tint x = 1; ")
    last = len(PATCH.split("\n")) - 1
    found = [vs.CpLine("f", n, "ERROR", "TRAILING_WHITESPACE", "trailing whitespace"),
             vs.CpLine("f", n, "ERROR", "TRAILING_WHITESPACE", "trailing whitespace"),   # said twice: one unit
             vs.CpLine("f", 6, "WARNING", "COMMIT_LOG_LONG_LINE", "..."),
             vs.CpLine("f", last, "ERROR", "MISSING_SIGN_OFF", "Missing Signed-off-by: line(s)")]
    units = vs.cp_units("p", found, layout)
    assert [(u.type, u.mail_line, u.file, u.line, u.scope) for u in units] == [
        ("TRAILING_WHITESPACE", n, "drivers/foo.c", 11, "line"),
        ("COMMIT_LOG_LONG_LINE", 6, None, None, "mail"),
        ("MISSING_SIGN_OFF", last, None, None, "mail")]   # at the last line, but about the mail


def test_reviewbot_units_from_findings():
    w = Severity.WARNING
    findings = [
        Finding("trailing-whitespace", w, "trailing whitespace", "a.c", 11, None, 20,
                checkpatch_type="TRAILING_WHITESPACE"),
        Finding("blank-line-noise", w, "trailing whitespace", "a.c", 11, None, 20,
                checkpatch_type="TRAILING_WHITESPACE"),
        Finding("unchecked-null-return", Severity.ERROR, "'p' may be NULL", "a.c", 12, None, 21),
        Finding("missing-signed-off-by", Severity.ERROR, "no Signed-off-by", None, None, None, 9,
                checkpatch_type="MISSING_SIGN_OFF"),
    ]
    units = vs.rb_units("p", findings)
    assert [(u.type, u.file, u.line, u.mail_line, u.rule) for u in units] == [
        ("TRAILING_WHITESPACE", "a.c", 11, 20, "trailing-whitespace"),   # two rules, one place: one unit
        ("MISSING_SIGN_OFF", None, None, 9, "missing-signed-off-by")]


def test_a_finding_said_once_counts_at_every_place_it_covers():
    once = Finding("space-indentation", Severity.WARNING, "30 lines use spaces", "a.c", 11, None, 20,
                   checkpatch_type="LEADING_SPACE", also=((14, 23), (15, 24)))
    units = vs.rb_units("p", [once])
    assert [(u.file, u.line, u.mail_line) for u in units] == [("a.c", 11, 20), ("a.c", 14, 23), ("a.c", 15, 24)]


def test_exact_match_on_the_patch_line():
    c, r = _cp("TRAILING_WHITESPACE", 40, "a.c", 7), _rb("TRAILING_WHITESPACE", 40, "a.c", 7)
    vs.match([c], [r])
    assert c.matched == r.matched == "exact"


def test_types_never_match_each_other():
    c, r = _cp("CODE_INDENT", 40, "a.c", 7), _rb("LEADING_SPACE", 40, "a.c", 7)
    vs.match([c], [r])
    assert c.matched is None and r.matched is None


def test_near_match_within_the_slack_only():
    # checkpatch puts "Blank lines aren't necessary before a close brace" on the `}`, reviewbot on
    # the blank line before it (seen on openwrt/mvebu...300-mvebu-Mangle-bootloader-s-kernel-arguments).
    c, r = _cp("BRACES", 243, "a.c", 308), _rb("BRACES", 242, "a.c", 307)
    vs.match([c], [r], slack=1)
    assert c.matched == r.matched == "near"
    c, r = _cp("BRACES", 243, "a.c", 308), _rb("BRACES", 242, "a.c", 307)
    vs.match([c], [r], slack=0)
    assert c.matched is None and r.matched is None
    c, r = _cp("BRACES", 243, "b.c", 308), _rb("BRACES", 242, "a.c", 307)
    vs.match([c], [r], slack=5)
    assert c.matched is None


def test_pairs_are_one_to_one_and_nearest_first():
    far, near = _cp("LINE_SPACING", 10, "a.c", 10), _cp("LINE_SPACING", 12, "a.c", 12)
    r = _rb("LINE_SPACING", 13, "a.c", 13)
    vs.match([far, near], [r], slack=3)
    assert near.matched == "near" and far.matched is None


def test_a_range_covers_every_line_in_it():
    cs = [_cp("LONG_LINE", 20 + k, "a.c", 5 + k) for k in range(3)] + [_cp("LONG_LINE", 30, "a.c", 15)]
    r = _rb("LONG_LINE", 20, "a.c", 5, end_line=7)
    vs.match(cs, [r], slack=0)
    assert [c.matched for c in cs] == ["exact", "range", "range", None]


def test_mail_level_findings_match_on_patch_and_type():
    c = _cp("MISSING_SIGN_OFF", 70)                  # checkpatch: the last line of the mail
    r = _rb("MISSING_SIGN_OFF", 9)                   # reviewbot: the end of the commit message
    vs.match([c], [r], slack=0)
    assert c.matched == r.matched == "loose"


def test_a_file_level_finding_matches_a_line_in_that_file():
    c = _cp("SPDX_LICENSE_TAG", 27, "drivers/bar.h", 1)
    r = _rb("SPDX_LICENSE_TAG", 24, "drivers/bar.h", None)
    vs.match([c], [r], slack=0)
    assert c.matched == "loose"
    c = _cp("SPDX_LICENSE_TAG", 27, "drivers/baz.h", 1)
    r = _rb("SPDX_LICENSE_TAG", 24, "drivers/bar.h", None)
    vs.match([c], [r], slack=0)
    assert c.matched is None


def test_covered_when_the_type_is_flagged_elsewhere_in_the_file():
    # dos-line-endings says once per file what checkpatch says on every line
    cs = [_cp("DOS_LINE_ENDINGS", 20 + k, "a.c", 5 + k) for k in range(3)] + [_cp("DOS_LINE_ENDINGS", 40, "b.c", 2)]
    r = _rb("DOS_LINE_ENDINGS", 20, "a.c", 5)
    vs.match(cs, [r], slack=0)
    assert [(c.matched, c.covered) for c in cs] == [("exact", True), (None, True), (None, True), (None, False)]


def test_findings_on_moved_code_count_apart():
    c1, c2 = _cp("LONG_LINE", 20, "a.c", 5), _cp("LONG_LINE", 30, "a.c", 15)
    shown, moved = _rb("LONG_LINE", 20, "a.c", 5), _rb("LONG_LINE", 30, "a.c", 15, preexisting=True)
    vs.match_patch([c1, c2], [shown, moved], slack=0)
    assert (c1.matched, c2.matched) == ("exact", "moved")
    rows, _, _ = vs.tabulate([c1, c2], [shown, moved], {"LONG_LINE": ["long-line"]})
    row = rows[0]
    assert (row.checkpatch, row.moved, row.both, row.only_checkpatch, row.reviewbot) == (2, 1, 1, 0, 1)

    c1, c2 = _cp("LONG_LINE", 20, "a.c", 5), _cp("LONG_LINE", 30, "a.c", 15)
    shown, moved = _rb("LONG_LINE", 20, "a.c", 5), _rb("LONG_LINE", 30, "a.c", 15, preexisting=True)
    vs.match_patch([c1, c2], [shown, moved], slack=0, show_preexisting=True)
    assert (c1.matched, c2.matched) == ("exact", "exact")


def test_tabulate_counts_recall_and_unmapped_types():
    cps = [_cp("TRAILING_WHITESPACE", n, "a.c", n) for n in (1, 2, 3, 4)] + [
        _cp("CAMELCASE", 5, "a.c", 5), _cp("CAMELCASE", 6, "a.c", 6, patch="q"), _cp("SPACING", 7, "a.c", 7)]
    rbs = [_rb("TRAILING_WHITESPACE", n, "a.c", n, rule="trailing-whitespace") for n in (1, 2, 3, 9)]
    vs.match(cps, rbs, slack=0)
    rows, unmapped, patches = vs.tabulate(cps, rbs, {"TRAILING_WHITESPACE": ["trailing-whitespace"],
                                                     "EXECUTE_PERMISSIONS": ["executable-source-file"]})
    tw = rows[0]
    assert (tw.type, tw.checkpatch, tw.both, tw.only_checkpatch, tw.only_reviewbot) == (
        "TRAILING_WHITESPACE", 4, 3, 1, 1)
    assert tw.recall == 0.75 and tw.place_recall == 1.0
    assert rows[1].type == "EXECUTE_PERMISSIONS" and rows[1].recall is None
    assert unmapped == {"CAMELCASE": 2, "SPACING": 1}
    assert patches == {"CAMELCASE": 2, "SPACING": 1}


def test_the_mapping_comes_from_the_rules_metadata():
    from reviewbot.engine import registry

    mapping = vs.type_mapping(registry())
    for r in registry():
        for t in r.meta.checkpatch:
            assert r.id in mapping[t]


# --- reviewbot's mail_line is checkpatch's line -------------------------------------------


def test_reviewbot_counts_mail_lines_from_the_top_of_the_file(tmp_path):
    """checkpatch prints the line in the input file, the mbox `From ` line being line 1;
    reviewbot's diff lines (and so every finding's mail_line) must say the same line."""
    from reviewbot.ingest import read_inputs
    from reviewbot.mail import parse_message

    path = tmp_path / "one.patch"
    path.write_text(PATCH)
    (raw,) = list(read_inputs([str(path)]))
    message = parse_message(raw)
    lines = PATCH.split("\n")
    for text, n in zip(message.diff_lines, message.diff_mail_lines):
        # (an empty context line comes back as " ": the space some mailers drop)
        assert lines[n - 1] == text or (lines[n - 1], text) == ("", " "), (n, text)
    assert message.diff_mail_lines[0] == _line_of("diff --git a/drivers/foo.c")


def test_in_an_mbox_of_several_messages_too(tmp_path):
    """Lines stay those of the file for the second message of an mbox (`Origin.start_line`)."""
    from reviewbot.ingest import read_inputs
    from reviewbot.mail import parse_message

    path = tmp_path / "two.mbox"
    path.write_text(PATCH + PATCH)
    lines = (PATCH + PATCH).split("\n")
    first, second = (parse_message(raw) for raw in read_inputs([str(path)]))
    offset = len(PATCH.split("\n")) - 1
    assert second.diff_mail_lines[0] == first.diff_mail_lines[0] + offset
    for text, n in zip(second.diff_lines, second.diff_mail_lines):
        assert lines[n - 1] == text or (lines[n - 1], text) == ("", " "), (n, text)


def test_a_trailing_whitespace_finding_is_on_checkpatchs_line(tmp_path):
    from reviewbot.engine import registry
    from reviewbot.ingest import read_inputs
    from reviewbot.knowledge import builtin
    from reviewbot.mail import parse_message
    from reviewbot.review import Reviewer

    rules = tuple(r for r in registry() if "TRAILING_WHITESPACE" in r.meta.checkpatch)
    if not rules:
        pytest.skip("no rule reports TRAILING_WHITESPACE")
    path = tmp_path / "one.patch"
    path.write_text(PATCH)
    (raw,) = list(read_inputs([str(path)]))
    review = Reviewer(rules, builtin(), None, None).review(parse_message(raw))
    found = [f for f in review.findings if f.checkpatch_type == "TRAILING_WHITESPACE"]
    # checkpatch: `one.patch:19: ERROR:TRAILING_WHITESPACE: trailing whitespace` (--showfile: drivers/foo.c:11)
    assert [(f.mail_line, f.path, f.line) for f in found] == [(_line_of("+\tint x = 1; "), "drivers/foo.c", 11)]


# --- arguments ----------------------------------------------------------------------------


def test_bad_arguments_exit_2(tmp_path, capsys):
    assert vs.main([str(tmp_path / "nowhere")]) == 2
    assert vs.main([str(tmp_path), "--checkpatch", str(tmp_path / "checkpatch.pl")]) == 2
    assert "checkpatch.pl" in capsys.readouterr().err
    cp = tmp_path / "checkpatch.pl"
    cp.write_text("")
    assert vs.main([str(tmp_path), "--checkpatch", str(cp), "--jobs", "3"]) == 2
    assert vs.main([str(tmp_path), "--checkpatch", str(cp), "--limit", "0"]) == 2
    with pytest.raises(SystemExit) as e:
        vs.main(["--no-such-option"])
    assert e.value.code == 2


def test_exceptions_file_rows_and_errors():
    rows = vs.read_exceptions("# comment\n\nLONG_LINE_STRING\t\t\t\tstrings are not broken\n"
                              "LONG_LINE\t\\.dtsi?$\t^line length\t\tdevice trees\n")
    assert [(e.type, e.reason) for e in rows] == [("LONG_LINE_STRING", "strings are not broken"),
                                                  ("LONG_LINE", "device trees")]
    with pytest.raises(ValueError, match="line 1"):
        vs.read_exceptions("LONG_LINE\tonly\tthree columns\n")
    shipped = vs.read_exceptions(vs.EXCEPTIONS_FILE.read_text())   # the shipped table parses
    assert all(e.reason for e in shipped)


def test_misses_are_excused_only_for_a_stated_reason():
    data = b"Subject: x\n\n---\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,3 @@\n ctx;\n+new;\n ctx;\n"
    layout = vs.patch_layout(data)
    added = vs.added_mail_lines(data, layout)
    assert added == {9}
    on_context, on_added, documented, found = (_cp("LONG_LINE", 8, "a.c", 1), _cp("LONG_LINE", 9, "a.c", 2),
                                               _cp("LONG_LINE_STRING", 9, "a.c", 2), _cp("BRACES", 9, "a.c", 2))
    found.matched = "exact"
    rows = vs.read_exceptions("LONG_LINE_STRING\ta\\.c\t\t^new\tstrings are not broken\n")
    vs.excuse([on_context, on_added, documented, found], added, False, rows, lambda u: "new;")
    assert on_context.excuse == vs.UNCHANGED
    assert on_added.excuse is None        # a real miss stays a miss
    assert documented.excuse == "strings are not broken"
    assert found.excuse is None
    utf8 = _cp("LONG_LINE_COMMENT", 9, "a.c", 2)
    vs.excuse([utf8], added, False, [], lambda u: "+\t/* " + "é" * 80 + " */")
    assert utf8.excuse == vs.BYTES
    rows = vs.read_exceptions("BRACES\t\t\t^\\+\\s*\\} else$\t#ifdef splits the arm\t^\\+#endif\n")
    split, plain = _cp("BRACES", 9, "a.c", 2), _cp("BRACES", 9, "a.c", 2)
    vs.excuse([split], added, False, rows, lambda u, k=0: ["+\t} else", "+#endif"][k])
    vs.excuse([plain], added, False, rows, lambda u, k=0: ["+\t} else", "+\t\tfoo();"][k])
    assert split.excuse == "#ifdef splits the arm" and plain.excuse is None
    mail = _cp("BAD_FIXES_TAG", 2)
    vs.excuse([mail], added, True, [])
    assert mail.excuse == vs.ENCODED


def test_a_line_reported_under_a_sibling_type_of_the_same_rule_is_excused():
    data = b"Subject: x\n\n---\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,1 +1,2 @@\n ctx;\n+        new;\n"
    added = vs.added_mail_lines(data, vs.patch_layout(data))
    leading, code = _cp("LEADING_SPACE", 9, "a.c", 2), _cp("CODE_INDENT", 9, "a.c", 2)
    found = _rb("CODE_INDENT", 9, "a.c", 2, rule="space-indentation")
    vs.match([leading, code], [found])
    mapping = {"CODE_INDENT": ["space-indentation"], "LEADING_SPACE": ["space-indentation"], "BRACES": ["other"]}
    other = _cp("BRACES", 9, "a.c", 2)
    vs.excuse([leading, code, other], added, False, [], rbs=[found], mapping=mapping)
    in_run = _cp("LEADING_SPACE", 10, "a.c", 3)   # inside a reviewbot finding over lines 1..3
    vs.excuse([in_run], added | {10}, False, [], rbs=[_rb("CODE_INDENT", 8, "a.c", 1, 3, rule="space-indentation")],
              mapping=mapping)
    assert in_run.excuse == vs.SIBLING
    assert code.matched == "exact" and code.excuse is None
    assert leading.excuse == vs.SIBLING
    assert other.excuse is None           # another rule's type on the same line is still a miss


def test_a_missing_sign_off_is_excused_only_when_a_misspelt_one_was_reported():
    added: set[int] = set()
    misspelt = _rb("BAD_SIGN_OFF", 19, rule="malformed-trailer")
    misspelt.message = "'Signe-off-by:' looks like a misspelt 'Signed-off-by:'"
    other = _rb("BAD_SIGN_OFF", 19, rule="malformed-trailer")
    other.message = "'Reviewed-by: Jane' gives no address"
    missing, author = _cp("MISSING_SIGN_OFF", 30), _cp("NO_AUTHOR_SIGN_OFF", 30)
    vs.excuse([missing, author], added, False, [], rbs=[misspelt])
    assert missing.excuse == author.excuse == vs.MISSPELT
    alone = _cp("MISSING_SIGN_OFF", 30)
    vs.excuse([alone], added, False, [], rbs=[other])
    assert alone.excuse is None


def test_the_misspelt_sign_off_pattern_is_what_malformed_trailer_says():
    fixture = ROOT / "tests/fixtures/rules/malformed-trailer/fires_misspelt_signed_off_by.patch"
    run = run_cli("check", "--no-tree", "--no-config", "--select", "malformed-trailer", "--format", "json",
                  str(fixture))
    messages = [f["message"] for p in json.loads(run.out)["patches"] for f in p["findings"]]
    assert any(vs.MISSPELT_SIGN_OFF.search(m) for m in messages), messages
