"""reviewbot/suppress.py: moved code is not the author's, and `Reviewbot-ignore:` silences rules."""

from __future__ import annotations

import json

from conftest import SEED_MBOX, require_shared, run_cli
from reviewbot.diff import parse_diff
from reviewbot.findings import Finding, Severity
from reviewbot.ingest import RawMessage
from reviewbot.mail import parse_message
from reviewbot.model import Origin
from reviewbot.suppress import mark_preexisting, trailer_ignores

# A patch that moves an unbalanced if/else (re-indented, into a new function) and adds a new one.
MOVED = b"""From: A Author <a@example.org>
Subject: [PATCH] foo: move the reset into a helper

Move it.

Signed-off-by: A Author <a@example.org>
---
diff --git a/foo.c b/foo.c
--- a/foo.c
+++ b/foo.c
@@ -1,11 +1,24 @@
+static void foo_reset(struct foo *f)
+{
+	if (f->on) {
+		foo_off(f);
+	} else
+		foo_on(f);
+}
+
+static void foo_kick(struct foo *f)
+{
+	if (f->busy) {
+		foo_wait(f);
+	} else
+		foo_go(f);
+}
+
 static int foo_probe(struct foo *f)
 {
 	int ret;
 
-	if (f->on) {
-			foo_off(f);
-	} else
-		foo_on(f);
+	foo_reset(f);
 	ret = foo_start(f);
 	return ret;
 }
"""


def _findings(*args: str, data: bytes = MOVED) -> tuple[list[dict], dict]:
    run = run_cli("check", "--no-tree", "--select", "unbalanced-braces", "--format", "json", *args, "-", stdin=data)
    assert run.status in (0, 1), run.err
    patch = json.loads(run.out)["patches"][0]
    return patch["findings"], patch["not_shown"]


def test_findings_on_moved_lines_are_hidden_and_counted():
    found, hidden = _findings()
    assert [f["line"] for f in found] == [13]       # foo_kick's else, which is new
    assert hidden == {"preexisting": 1, "silenced": 0}


def test_show_preexisting_shows_them_marked():
    found, _ = _findings("--show-preexisting")
    assert sorted((f["line"], f["preexisting"]) for f in found) == [(5, True), (13, False)]


def test_text_output_says_what_was_not_shown():
    run = run_cli("check", "--no-tree", "--select", "unbalanced-braces", "-", stdin=MOVED)
    assert "1 pre-existing (moved code, faults the code already had) not shown, see --show-preexisting" in run.out
    run = run_cli("check", "--no-tree", "--select", "unbalanced-braces", "--show-preexisting", "-", stdin=MOVED)
    assert "foo.c:5: warning:" in run.out and "(pre-existing: the code had this before the patch)" in run.out


def test_mark_preexisting_ignores_whitespace_but_not_content():
    message = parse_message(RawMessage(Origin("p"), MOVED))
    files, _ = parse_diff(message.diff_lines, message.diff_mail_lines)
    f = Finding("r", Severity.WARNING, "m", "foo.c", 3)        # `if (f->on) {` was removed too
    g = Finding("r", Severity.WARNING, "m", "foo.c", 11)       # `if (f->busy) {` is new
    h = Finding("r", Severity.WARNING, "m", "foo.c", 8)        # a blank line: never "moved"
    k = Finding("r", Severity.WARNING, "m", None, None)        # mail level: never
    e = Finding("r", Severity.WARNING, "m", "foo.c", 13)       # `} else` like a removed one, but among new lines
    marked = mark_preexisting([f, g, h, k, e], files)
    assert [x.preexisting for x in marked] == [True, False, False, False, False]


def test_trailer_lists_rule_ids_then_a_reason():
    def ids(value: str) -> frozenset:
        data = (b"From: A <a@example.org>\nSubject: [PATCH] x\n\nx\n\nSigned-off-by: A <a@example.org>\n"
                b"Reviewbot-ignore: " + value.encode() + b"\n---\n")
        return trailer_ignores(parse_message(RawMessage(Origin("p"), data)))

    assert ids("long-line") == {"long-line"}
    assert ids("long-line, spelling generated register table") == {"long-line", "spelling"}
    assert ids("long-line,spelling") == {"long-line", "spelling"}
    assert ids("long-line false-positive: see thread") == {"long-line"}


def test_reviewbot_ignore_trailer_silences_the_rule_for_that_patch():
    require_shared()
    data = SEED_MBOX.read_bytes().replace(
        b"Signed-off-by: Song Chen", b"Reviewbot-ignore: executable-source-file, unbalanced-braces mode is intended\n"
                                      b"Signed-off-by: Song Chen", 1)
    run = run_cli("check", "--no-tree", "--format", "json", "-", stdin=data)
    rules = {f["rule"] for p in json.loads(run.out)["patches"] for f in p["findings"]}
    assert "executable-source-file" not in rules and "unbalanced-braces" not in rules
    assert "unchecked-null-return" in rules


def test_reviewbot_ignore_naming_no_rule_is_a_notice():
    require_shared()
    data = SEED_MBOX.read_bytes().replace(
        b"Signed-off-by: Song Chen", b"Reviewbot-ignore: no-such-rule\nSigned-off-by: Song Chen", 1)
    run = run_cli("check", "--no-tree", "-", stdin=data)
    assert "Reviewbot-ignore names no rule: no-such-rule" in run.out


LONG_BEFORE = "\tfoo_register_the_device_with_a_long_name(dev, FOO_FLAG_ONE | FOO_FLAG_TWO, &foo_ops, priv, NULL);"
REPLACED = f"""From: A <a@example.org>
Subject: [PATCH] foo: strscpy

Signed-off-by: A <a@example.org>
---
diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
--- a/drivers/foo/foo.c
+++ b/drivers/foo/foo.c
@@ -10,3 +10,3 @@ static int foo_probe(struct device *dev)
 	int ret;
-{LONG_BEFORE}
+{LONG_BEFORE.replace("NULL", "name")}
         return ret;
""".encode()


def test_a_fault_the_replaced_line_already_had_is_preexisting_not_gone():
    args = ("check", "--no-config", "--no-tree", "--select", "long-line,space-indentation", "--format", "json")
    hidden = json.loads(run_cli(*args, "-", stdin=REPLACED).out)["patches"][0]
    assert hidden["findings"] == [] and hidden["not_shown"]["preexisting"] == 1
    shown = json.loads(run_cli(*args, "--show-preexisting", "-", stdin=REPLACED).out)["patches"][0]
    assert [(f["rule"], f["line"], f["preexisting"]) for f in shown["findings"]] == [("long-line", 11, True)]


def test_indentation_the_file_already_uses_is_preexisting():
    data = REPLACED.replace(b"+\tfoo_register", b"+        ret = 0;\n+\tfoo_register").replace(b"+10,3", b"+10,4")
    args = ("check", "--no-config", "--no-tree", "--select", "space-indentation", "--format", "json")
    hidden = json.loads(run_cli(*args, "-", stdin=data).out)["patches"][0]
    assert hidden["findings"] == [] and hidden["not_shown"]["preexisting"] == 1
    shown = json.loads(run_cli(*args, "--show-preexisting", "-", stdin=data).out)["patches"][0]
    assert [(f["rule"], f["line"], f["preexisting"]) for f in shown["findings"]] == [("space-indentation", 11, True)]


FORM_FEEDS = b"""From: A <a@example.org>
Subject: [PATCH] alpha: remove ^L characters

Signed-off-by: A <a@example.org>
---
diff --git a/arch/alpha/kernel/foo.c b/arch/alpha/kernel/foo.c
--- a/arch/alpha/kernel/foo.c
+++ b/arch/alpha/kernel/foo.c
@@ -10,4 +10,4 @@ static int a;
 int b;
 
-\x0c
+
 int c;
"""


def test_a_blank_line_replacing_a_form_feed_is_a_preexisting_double_blank():
    args = ("check", "--no-config", "--no-tree", "--select", "multiple-blank-lines", "--format", "json")
    hidden = json.loads(run_cli(*args, "-", stdin=FORM_FEEDS).out)["patches"][0]
    assert hidden["findings"] == [] and hidden["not_shown"]["preexisting"] == 1
    shown = json.loads(run_cli(*args, "--show-preexisting", "-", stdin=FORM_FEEDS).out)["patches"][0]
    assert [(f["line"], f["preexisting"]) for f in shown["findings"]] == [(12, True)]
