"""reviewbot/reply.py and `--format email` / `reviewbot reply`: one threaded, quoted reply per patch."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from conftest import SEED_MBOX, require_shared, run_cli
from reviewbot.ingest import RawMessage
from reviewbot.mail import parse_message
from reviewbot.model import Origin
from reviewbot.reply import ReplySettings, compose, recipients, reply_message_id, ruleset_version
from reviewbot.review import PatchReview
from reviewbot.engine import registry
from snapshot import assert_snapshot

NOW = 1_790_000_000.0

PATCH = b"""From: Jane Dev <jane@example.org>
To: Maintainer <maint@example.org>, linux-foo@vger.kernel.org
Cc: Other Person <other@example.org>, JANE@example.org
Subject: [PATCH v2 3/4] foo: add a reset path
Date: Mon, 2 Mar 2026 10:00:00 +0100
Message-ID: <20260302-foo-3@example.org>
In-Reply-To: <20260302-foo-0@example.org>
References: <20260302-foo-0@example.org>

Add a reset path.

Signed-off-by: Jane Dev <jane@example.org>
---
diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c
index 1111111..2222222 100644
--- a/drivers/foo/foo.c
+++ b/drivers/foo/foo.c
@@ -10,14 +10,22 @@ static int foo_probe(struct foo *f)
 	int ret;
 
 	ret = foo_hw_init(f);
 	if (ret)
 		return ret;
 
 	ret = foo_irq_init(f);
 	if (ret)
 		return ret;
 
+	if (f->reset) {
+		foo_reset(f);
+	} else
+		foo_kick(f);
+
+	buf = kmalloc(64, GFP_KERNEL);
+	buf->len = 0;
+
 	foo_start(f);
 	return 0;
 }
 
"""


def _mail(*args: str, data: bytes = PATCH) -> email.message.EmailMessage:
    run = run_cli("check", "--no-tree", "--no-config", "--select", "unbalanced-braces,unchecked-null-return",
                  "--format", "email", *args, "-", stdin=data)
    assert run.status == 1, run.err
    assert run.out.startswith("From ")
    return email.message_from_bytes(run.out.split("\n", 1)[1].encode(), policy=email.policy.default)


def _review(data: bytes = PATCH) -> PatchReview:
    from reviewbot.knowledge import builtin
    from reviewbot.review import Reviewer
    from reviewbot.selection import select_rules

    reviewer = Reviewer(select_rules("unbalanced-braces,unchecked-null-return"), builtin())
    return reviewer.review(parse_message(RawMessage(Origin("p"), data)))


def test_headers_thread_the_reply_under_the_patch():
    msg = _mail()
    assert msg["Subject"] == "Re: [PATCH v2 3/4] foo: add a reset path"
    assert msg["In-Reply-To"] == "<20260302-foo-3@example.org>"
    assert msg["References"] == "<20260302-foo-0@example.org> <20260302-foo-3@example.org>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"] and msg["Message-ID"].startswith("<reviewbot.")
    assert not msg.is_multipart()
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"


def test_message_id_is_a_function_of_patch_and_ruleset():
    rules = registry()
    ruleset = ruleset_version("1.0", rules)
    a = reply_message_id("x@example.org", ruleset, "bot <bot@bots.example>")
    assert a == reply_message_id("x@example.org", ruleset, "bot <bot@bots.example>")
    assert a.endswith("@bots.example>")
    assert a != reply_message_id("y@example.org", ruleset, "bot <bot@bots.example>")
    assert a != reply_message_id("x@example.org", ruleset_version("1.1", rules), "bot <bot@bots.example>")
    review = _review()
    first = compose(review, ReplySettings(), ruleset, "1.0", NOW)
    again = compose(review, ReplySettings(), ruleset, "1.0", NOW + 3600)
    mid = re.compile(rb"^Message-ID: (.*)$", re.M)
    assert mid.search(first).group(1) == mid.search(again).group(1)


def test_message_id_without_a_patch_message_id_does_not_depend_on_the_path():
    from reviewbot.knowledge import builtin
    from reviewbot.review import Reviewer
    from reviewbot.selection import select_rules

    data = re.sub(rb"(?m)^(Message-ID|In-Reply-To|References):.*\n", b"", PATCH)
    reviewer = Reviewer(select_rules("unbalanced-braces,unchecked-null-return"), builtin())
    mid = re.compile(rb"^Message-ID: (.*)$", re.M)
    ids = [mid.search(compose(reviewer.review(parse_message(RawMessage(Origin(path), body))),
                              ReplySettings(), "r", "1.0", NOW)).group(1)
           for path, body in (("/a/p.mbox", data), ("/b/elsewhere.mbox", data),
                              ("/a/p.mbox", data.replace(b"foo_kick(f)", b"foo_kick(f, 1)")))]
    assert ids[0] == ids[1]
    assert ids[0] != ids[2]


@pytest.mark.parametrize("mode, cc", [
    ("author", []),
    ("list", ["linux-foo@vger.kernel.org"]),
    ("all", ["Maintainer <maint@example.org>", "linux-foo@vger.kernel.org", "Other Person <other@example.org>"]),
])
def test_recipient_modes(mode, cc):
    settings = ReplySettings(sender="bot <bot@example.net>", recipients=mode, lists=("LINUX-FOO@vger.kernel.org",))
    to, got = recipients(_review(), settings)
    assert to == ["Jane Dev <jane@example.org>"]
    assert got == cc     # the author's second address (JANE@...) is not repeated, case-insensitively


def test_reply_to_wins_over_from():
    data = PATCH.replace(b"Subject:", b"Reply-To: Jane Lists <jane-lists@example.org>\nSubject:", 1)
    to, _ = recipients(_review(data), ReplySettings())
    assert to == ["Jane Lists <jane-lists@example.org>"]


def _body(msg) -> str:
    return msg.get_content()


def test_quoting_is_interleaved_and_stops_at_the_last_comment():
    body = _body(_mail())
    lines = body.split("\n")
    assert lines[0] == "On Mon, 2 Mar 2026 10:00:00 +0100, Jane Dev wrote:"
    assert body.count("> diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c") == 1
    assert body.count("> @@ -10,14 +10,22 @@ static int foo_probe(struct foo *f)") == 1
    # five lines above the `else`, what comes before them skipped, the comment right below it
    at = lines.index("> +\t} else")
    assert lines[at - 6:at] == ["> [ ... skip 7 lines ... ]", ">  \tif (ret)", ">  \t\treturn ret;", ">  ",
                                "> +\tif (f->reset) {", "> +\t\tfoo_reset(f);"]
    assert lines[at + 1] == "" and "[unbalanced-braces]" in " ".join(lines[at + 2:at + 5])
    # nothing quoted after the last comment
    last_quote = max(k for k, line in enumerate(lines) if line.startswith(">"))
    assert "unchecked-null-return" in " ".join(lines[last_quote:last_quote + 6])
    assert "> +\tfoo_start(f);" not in body and ">  \tfoo_start(f);" not in body


def test_tabs_survive_and_prose_wraps_at_72():
    body = _body(_mail())
    assert "> +\t\tfoo_kick(f);" in body
    prose = [line for line in body.split("\n") if line and not line.startswith(">") and line != "-- "]
    assert all(len(line) <= 72 for line in prose), [line for line in prose if len(line) > 72]


def test_footer_says_it_is_automated_and_signature_follows_the_dash_line():
    body = _body(_mail())
    assert "automated review by reviewbot" in body and "say so" in body and "stop" in body
    assert body.rstrip("\n").split("\n")[-2:] == ["-- ", "reviewbot"]


def test_patch_content_is_data_not_template_code():
    data = (PATCH.replace(b"foo: add a reset path", b"foo: {{ 7*7 }} {% for x in y %}")
            .replace(b"+\t\tfoo_kick(f);", b"+\t\tfoo_kick(f); /* {{ config }} {# x #} */"))
    msg = _mail(data=data)
    assert msg["Subject"] == "Re: [PATCH v2 3/4] foo: {{ 7*7 }} {% for x in y %}"
    assert "/* {{ config }} {# x #} */" in _body(msg)


def test_header_injection_in_the_subject_comes_out_inert():
    data = PATCH.replace(b"Subject: [PATCH v2 3/4] foo: add a reset path",
                         b"Subject: =?utf-8?q?foo=0D=0ABcc=3A_victim=40example=2Eorg=0D=0A=0D=0Abody?=")
    msg = _mail(data=data)
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert "Bcc: victim@example.org" in msg["Subject"]


def test_no_reply_for_a_clean_patch():
    run = run_cli("check", "--no-tree", "--no-config", "--select", "executable-source-file", "--format", "email",
                  "-", stdin=PATCH)
    assert run.status == 0 and run.out == ""


def test_reply_writes_an_outbox_once(tmp_path):
    outbox = tmp_path / "outbox"
    args = ("reply", "--no-tree", "--no-config", "--select", "unchecked-null-return", "--outbox", str(outbox), "-")
    run = run_cli(*args, stdin=PATCH)
    assert run.status == 0 and run.out.startswith("wrote ")
    files = list(outbox.iterdir())
    assert len(files) == 1
    first = files[0].read_bytes()
    run = run_cli(*args, stdin=PATCH)
    assert run.out.startswith("kept ") and files[0].read_bytes() == first
    parsed = email.message_from_bytes(first, policy=email.policy.default)
    assert parsed["In-Reply-To"] == "<20260302-foo-3@example.org>"


def test_reply_settings_come_from_the_config(tmp_path):
    (tmp_path / ".reviewbot.toml").write_text(
        '[reply]\nfrom = "BPF bot <bot@bpf.example>"\nrecipients = "all"\nsignature = "the BPF bot"\n'
        'contact = "bpf-bot-admin@bpf.example"\n')
    (tmp_path / "p.patch").write_bytes(PATCH)
    run = run_cli("check", "--no-tree", "--select", "unchecked-null-return", "--format", "email", "p.patch",
                  cwd=tmp_path)
    msg = email.message_from_bytes(run.out.split("\n", 1)[1].encode(), policy=email.policy.default)
    assert msg["From"] == "BPF bot <bot@bpf.example>" and msg["Message-ID"].endswith("@bpf.example>")
    assert "other@example.org" in msg["Cc"]
    body = _body(msg)
    assert "bpf-bot-admin@bpf.example" in body and body.rstrip().endswith("-- \nthe BPF bot")


def test_own_template_directory(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "reply.txt.j2").write_text("{{ attribution }}\nCUSTOM {{ count }}\n-- \n{{ signature }}\n")
    (tmp_path / ".reviewbot.toml").write_text('[reply]\ntemplates = "tpl"\n')
    (tmp_path / "p.patch").write_bytes(PATCH)
    run = run_cli("check", "--no-tree", "--select", "unchecked-null-return", "--format", "email", "p.patch",
                  cwd=tmp_path)
    assert "CUSTOM 1" in run.out


def test_seed_reply_snapshot():
    require_shared()
    review = _review(SEED_MBOX.read_bytes())
    from reviewbot.knowledge import builtin
    from reviewbot.review import Reviewer
    from reviewbot.selection import select_rules

    names = ("executable-source-file,blank-line-noise,missing-blank-after-declarations,"
             "unchecked-null-return,unbalanced-braces")
    review = Reviewer(select_rules(names), builtin()).review(
        parse_message(RawMessage(Origin(str(SEED_MBOX)), SEED_MBOX.read_bytes())))
    data = compose(review, ReplySettings(), "0.0+seed", "0.0", NOW)
    assert_snapshot("seed.reply.eml", data.decode("utf-8"))
