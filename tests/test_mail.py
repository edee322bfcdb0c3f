"""reviewbot.mail: headers, MIME, charsets, the web-archive copy, and where each diff line is."""

from __future__ import annotations

import base64
import quopri
import re
from email.message import EmailMessage

import pytest

from reviewbot.ingest import RawMessage, split_mbox
from reviewbot.mail import parse_message
from reviewbot.model import Origin
from conftest import CORPUS, SEED_ARCHIVE, SEED_MBOX, require_shared

TIPC = "ml-kernel-janitors/2025-03-02_25b6ff35d371_tipc-Reduce-scope-for-the-variable-fdefq-in-tipc_link_tnl_prepare.patch"
MESON = "ml-linux-pwm/2021-11-08_6e886a6d313c_pwm-meson-Drop-useless-check-for-channel-data-being-NULL.patch"
MTK_B64 = "ml-modechange/2020-09-03_6e2230697fe1_usb-xhci-mtk-add-mt8192-wakeup.patch"
APPLE_LONG_HEADERS = "ml-linux-pwm/2026-03-20_05a19de9bc1e_dt-bindings-i2c-apple-i2c-Add-t8122-compatible.patch"
RADXA_BROKEN_FOLD = "openwrt/rockchip__patches-6.6__111-radxa-cm3-io-add-led-aliases.patch"
RS5C372_UTF8_FROM = "openwrt/generic__pending-6.6__190-rtc-rs5c372-support_alarms_up_to_1_week.patch"
SIGNED_MULTIPART = "ml-linux-pwm/2023-10-05_21d42458d4c5_pwm-brcmstb-Checked-clk_prepare_enable-return-value.patch"
TEMAC_FOLDED = "ml-kernel-janitors/2019-05-03_03422989f3b5_net-ll_temac-Fix-an-NULL-vs-IS_ERR-check-in-temac_open.patch"

DIFF = """\
diff --git a/drivers/foo.c b/drivers/foo.c
index 1111111..2222222 100644
--- a/drivers/foo.c
+++ b/drivers/foo.c
@@ -1,3 +1,4 @@
 int a;
+int b;
 int c;
 int d;
"""


def parse_bytes(data: bytes, source: str = "t.eml"):
    return [parse_message(raw) for raw in split_mbox(data, source)]


def parse_one(data: bytes):
    (m,) = parse_bytes(data)
    return m


def corpus(name: str) -> bytes:
    require_shared()
    return (CORPUS / name).read_bytes()


def raw_lines(data: bytes) -> list[str]:
    """The input's lines, 1-based through index - 1, as text (UTF-8 where it decodes, else latin-1)."""
    out = []
    for line in data.split(b"\n"):
        line = line.rstrip(b"\r")
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("latin-1"))
    return out


def same_diff_line(raw: str, text: str) -> bool:
    """A diff line is its input line; an empty input line inside a hunk is an empty context line."""
    return raw == text or (raw == "" and text == " ")


def assert_diff_lines_are_on_their_input_lines(m, data: bytes):
    lines = raw_lines(data)
    assert m.diff_lines, "no diff"
    for text, n in zip(m.diff_lines, m.diff_mail_lines, strict=True):
        assert same_diff_line(lines[n - 1], text), (n, text)


def simple_mail(body: str, headers: str = "From: Ann Author <ann@example.org>\nSubject: [PATCH] foo: add b\n") -> bytes:
    return (headers + "\n" + body).encode()


# --- headers --------------------------------------------------------------------------------------

def test_rfc2047_folded_subject_and_qp_body_from_a_real_mail():
    data = corpus(TIPC)
    m = parse_one(data)
    assert m.kind == "mail"
    # =?UTF-8?Q?=5BPATCH_RESEND=5D_tipc=3A_Reduce_scope_for_the_variable_?= + a B-encoded word
    assert m.subject == "[PATCH RESEND] tipc: Reduce scope for the variable \u201cfdefq\u201d in tipc_link_tnl_prepare()"
    assert m.prefix.tags == ("RESEND",) and m.prefix.is_patch
    assert m.title == "tipc: Reduce scope for the variable \u201cfdefq\u201d in tipc_link_tnl_prepare()"
    assert m.message_id == "08fe8fc3-19c3-4324-8719-0ee74b0f32c9@web.de"
    assert m.in_reply_to == "624fb730-d9de-ba92-1641-f21260b65283@web.de"
    assert m.references == ("40c60719-4bfe-b1a4-ead7-724b84637f55@web.de",
                            "1a11455f-ab57-dce0-1677-6beb8492a257@web.de",
                            "624fb730-d9de-ba92-1641-f21260b65283@web.de")
    # the folded To: header is unfolded and split into addresses, the quoted comma-free name kept
    assert '"David S. Miller" <davem@davemloft.net>' in m.to
    assert "Ying Xue <ying.xue@windriver.com>" in m.to and len(m.to) == 11
    assert m.cc == ("cocci@inria.fr", "LKML <linux-kernel@vger.kernel.org>")


def test_in_body_from_overrides_the_sender():
    data = corpus(TIPC)
    m = parse_one(data)
    # header From: Markus Elfring <Markus.Elfring@web.de>; body starts "From: ... sourceforge"
    assert m.author == "Markus Elfring <elfring@users.sourceforge.net>"
    # the in-body From/Date are not part of the commit message, which starts on line 108
    assert m.commit_message.startswith("The address of a data structure member was determined before\n")
    assert m.commit_message_line == 108
    assert raw_lines(data)[107] == "The address of a data structure member was determined before"


def test_rfc2047_author_folded_over_two_lines():
    m = parse_one(corpus(MESON))
    # From:   =?UTF-8?q?Uwe=20Kleine-K=C3=B6nig?= \n        <u.kleine-koenig@pengutronix.de>
    assert m.author == "Uwe Kleine-K\u00f6nig <u.kleine-koenig@pengutronix.de>"
    assert (m.prefix.number, m.prefix.total) == (2, 4)


def test_folded_subject_is_unfolded_with_one_space():
    m = parse_one(corpus(TEMAC_FOLDED))
    assert m.subject == "[PATCH 1/2 net-next] net: ll_temac: Fix an NULL vs IS_ERR() check in temac_open()"
    assert m.prefix.tags == ("net-next",) and (m.prefix.number, m.prefix.total) == (1, 2)


def test_header_block_longer_than_8k_is_still_a_mail():
    data = corpus(APPLE_LONG_HEADERS)
    assert data.index(b"\n\n") > 8192
    m = parse_one(data)
    assert m.kind == "mail"
    assert m.subject == "[PATCH 6/9] dt-bindings: i2c: apple,i2c: Add t8122 compatible"
    assert (m.prefix.number, m.prefix.total) == (6, 9)
    assert m.author == "Janne Grunau <j@jannau.net>"
    assert m.message_id == "20260320-apple-m3-initial-devicetrees-v1-6-5842e1e393a8@jannau.net"
    assert m.in_reply_to == "20260320-apple-m3-initial-devicetrees-v1-0-5842e1e393a8@jannau.net"
    assert m.commit_message_line == 163
    assert m.commit_message.startswith("The i2c block on the Apple silicon t8122 (M3) SoC")
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_header_ended_by_a_broken_fold_is_still_a_mail():
    """`Subject: ... Radxa \\nCM3 IO board` (the continuation lost its indent): the headers end there."""
    data = corpus(RADXA_BROKEN_FOLD)
    m = parse_one(data)
    assert m.kind == "mail"
    assert m.subject == "[PATCH] arm64: dts: rockchip: Update LED properties for Radxa"
    assert m.author == "Marius Durbaca <mariusd84@gmail.com>"
    assert m.commit is None   # From 0000000000000000000000000000000000000000
    assert m.commit_message.startswith("CM3 IO board\n\nAdd OpenWrt's LED aliases")
    assert m.commit_message_line == 5
    assert [t.mail_line for t in m.trailers] == [9, 10]
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_quilt_header_followed_directly_by_the_diff():
    data = b"From: A <a@x>\nSubject: SoC: add qualcomm syscon\n" + DIFF.split("\n", 2)[2].encode()
    m = parse_one(data)
    assert (m.subject, m.author) == ("SoC: add qualcomm syscon", "A <a@x>")
    assert m.diff_lines[0] == "--- a/drivers/foo.c" and m.diff_mail_lines[0] == 3
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_raw_utf8_bytes_in_a_header_are_read_as_utf8():
    m = parse_one(corpus(RS5C372_UTF8_FROM))
    assert m.author == "Daniel Gonz\u00e1lez Cabanelas <dgcbueu@gmail.com>"


def test_raw_latin1_bytes_in_a_header_are_read_as_latin1():
    data = b"From: J\xf6rg M\xfcller <j@x>\nSubject: [PATCH] caf\xe9: fix\n\nmsg\n---\n" + DIFF.encode()
    m = parse_one(data)
    assert m.author == "J\u00f6rg M\u00fcller <j@x>"
    assert m.subject == "[PATCH] caf\u00e9: fix"


def test_undecodable_encoded_word_is_kept_as_written():
    data = b"From: =?x-no-such-charset?q?abc?= <a@x>\nSubject: [PATCH] =?utf-8?b?!!!notbase64?= x\n\nm\n---\n" + DIFF.encode()
    m = parse_one(data)
    assert "<a@x>" in m.author
    assert m.subject.startswith("[PATCH]") and m.prefix.is_patch
    assert m.has_diff


def test_encoded_display_name_with_a_comma_is_one_address():
    data = simple_mail("m\n", "From: A <a@x>\nSubject: [PATCH] x\n"
                       "To: =?utf-8?q?Doe=2C_J=C3=B6hn?= <j@x>, \"Roe, R\" <r@x>,\n plain@x\nCc: \u00e9 <e@x>\n")
    m = parse_one(data)
    assert m.to == ("Doe, J\u00f6hn <j@x>", '"Roe, R" <r@x>', "plain@x")
    assert m.cc == ("\u00e9 <e@x>",)


def test_reply_and_auto_submitted_headers():
    data = simple_mail("I agree.\n", "From: B <b@x>\nSubject: Re: [PATCH v2 1/3] foo: x\n"
                       "In-Reply-To: <patch-1@x>\nReferences: <cover@x>\n <patch-1@x>\nAuto-Submitted: auto-generated\n")
    m = parse_one(data)
    assert m.prefix.is_reply
    assert m.in_reply_to == "patch-1@x" and m.references == ("cover@x", "patch-1@x")
    assert m.auto_submitted == "auto-generated"
    assert not m.has_diff


def test_in_body_subject_gives_the_title_but_the_mail_keeps_its_subject_and_prefix():
    m = parse_one(simple_mail("Subject: foo: a better title\n\nmsg\n---\n" + DIFF,
                              "From: A <a@x>\nSubject: [PATCH v2 3/5] foo: a title\n"))
    assert m.subject == "[PATCH v2 3/5] foo: a title"
    assert (m.prefix.is_patch, m.prefix.version, m.prefix.number, m.prefix.total) == (True, 2, 3, 5)
    assert m.title == "foo: a better title"
    assert m.commit_message == "msg"


# --- bodies: transfer encodings and charsets -----------------------------------------------------

def test_quoted_printable_diff_is_decoded_and_each_line_points_at_where_it_starts():
    data = corpus(TIPC)
    m = parse_one(data)
    assert "-\tstruct sk_buff_head *fdefq = &tnl->failover_deferdq;" in m.diff_lines   # =3D decoded
    assert m.diff_lines[0] == "diff --git a/net/tipc/link.c b/net/tipc/link.c"
    raw = data.split(b"\n")
    for text, n in zip(m.diff_lines, m.diff_mail_lines, strict=True):
        # the raw line n, joined with the next ones while they end in a soft break, decodes to the line
        k, chunk = n - 1, b""
        while True:
            chunk += raw[k] + b"\n"
            if not raw[k].endswith(b"="):
                break
            k += 1
        assert same_diff_line(quopri.decodestring(chunk).decode("utf-8").rstrip("\n"), text), n
    # soft breaks inside the diff: the hunk header is line 129, the line after it 131
    assert m.diff_mail_lines[4:6] == (129, 131)
    # a trailer after a soft-broken commit-message line still names its own line
    assert [(t.name, t.mail_line) for t in m.trailers] == [("Fixes", 118), ("Signed-off-by", 120)]


def test_base64_crlf_body_is_decoded_and_in_body_from_wins():
    data = corpus(MTK_B64)
    m = parse_one(data)
    assert m.subject == "[RFC PATCH 2/4] usb: xhci-mtk: add mt8192 wakeup"
    assert m.author == "Zhanyong Wang <zhanyong.wang@mediatek.com>"   # header From: is Chunfeng Yun
    assert not any("\r" in line for line in m.diff_lines)
    assert "+#define SSC_IP_SLEEP_EN_V3\tBIT(6)" in m.diff_lines
    # lines of a base64 body are numbered as in the decoded message (headers, blank line, body)
    head, _, body = data.partition(b"\n\n")
    body_first = head.count(b"\n") + 3
    decoded = base64.b64decode(body).decode().replace("\r\n", "\n").split("\n")
    k = decoded.index("diff --git a/drivers/usb/host/xhci-mtk.c b/drivers/usb/host/xhci-mtk.c")
    assert m.diff_mail_lines[0] == body_first + k
    assert m.diff_mail_lines == tuple(range(m.diff_mail_lines[0], m.diff_mail_lines[0] + len(m.diff_lines)))


def _latin1_mail(declared: str | None) -> bytes:
    ctype = f"Content-Type: text/plain; charset={declared}\n" if declared else ""
    return (b"From: A <a@x>\nSubject: [PATCH] foo: Gr\xfc\xdfe\nMIME-Version: 1.0\n" + ctype.encode()
            + b"Content-Transfer-Encoding: 8bit\n\n"
            + b"Say hello to J\xf6rg.\n\nSigned-off-by: J\xf6rg <j@x>\n---\n"
            + b"diff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-/* Hallo */\n+/* Gr\xfc\xdfe */\n int x;\n")


@pytest.mark.parametrize("declared", ["iso-8859-1", "ISO-8859-1", "latin-1", "windows-1252"])
def test_latin1_body_is_decoded(declared):
    m = parse_one(_latin1_mail(declared))
    assert m.commit_message.startswith("Say hello to J\u00f6rg.")
    assert "+/* Gr\u00fc\u00dfe */" in m.diff_lines
    assert m.trailers[0].value == "J\u00f6rg <j@x>"


@pytest.mark.parametrize("declared", ["utf-8", "us-ascii", "x-no-such-charset", None])
def test_wrongly_declared_charset_falls_back_without_failing(declared):
    m = parse_one(_latin1_mail(declared))
    assert "+/* Gr\u00fc\u00dfe */" in m.diff_lines       # not valid UTF-8: read as latin-1
    assert m.commit_message.startswith("Say hello to J\u00f6rg.")


def test_utf8_body_declared_as_ascii_is_read_as_utf8():
    data = ("From: A <a@x>\nSubject: [PATCH] x\nContent-Type: text/plain; charset=us-ascii\n\n"
            "Thanks to Uwe Kleine-K\u00f6nig.\n---\n" + DIFF.replace("int b;", "int \u00e9;")).encode()
    m = parse_one(data)
    assert m.commit_message == "Thanks to Uwe Kleine-K\u00f6nig."
    assert "+int \u00e9;" in m.diff_lines


def test_crlf_mail_has_no_carriage_returns_and_right_line_numbers():
    data = simple_mail("msg\n\nSigned-off-by: A <a@x>\n---\n" + DIFF).replace(b"\n", b"\r\n")
    m = parse_one(data)
    assert m.commit_message == "msg\n\nSigned-off-by: A <a@x>"
    assert not any("\r" in x for x in m.diff_lines + (m.commit_message, m.subject, m.author))
    assert_diff_lines_are_on_their_input_lines(m, data)
    assert m.trailers[0].mail_line == 6


# --- attachments and multipart -------------------------------------------------------------------

def _with_attachment(diff: str, **kw) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ann Author <ann@example.org>"
    msg["Subject"] = "[PATCH] foo: add b"
    msg["Message-ID"] = "<att@example.org>"
    msg.set_content("Add b next to a.\n\nSigned-off-by: Ann Author <ann@example.org>\n")
    msg.add_attachment(diff.encode(), maintype="text", subtype=kw.pop("subtype", "x-patch"),
                       filename="0001-foo-add-b.patch", **kw)
    return msg.as_bytes()


def test_patch_sent_as_a_text_x_patch_attachment():
    data = _with_attachment(DIFF, cte="7bit")
    assert b"Content-Type: text/x-patch" in data
    m = parse_one(data)
    assert m.subject == "[PATCH] foo: add b" and m.message_id == "att@example.org"
    assert m.commit_message == "Add b next to a.\n\nSigned-off-by: Ann Author <ann@example.org>"
    assert [t.name for t in m.trailers] == ["Signed-off-by"]
    assert raw_lines(data)[m.trailers[0].mail_line - 1] == "Signed-off-by: Ann Author <ann@example.org>"
    assert m.diff_lines[:1] == ("diff --git a/drivers/foo.c b/drivers/foo.c",)
    assert "+int b;" in m.diff_lines
    assert_diff_lines_are_on_their_input_lines(m, data)


@pytest.mark.parametrize("cte", ["base64", "quoted-printable"])
def test_encoded_patch_attachment_is_decoded_and_numbered_inside_the_attachment(cte):
    data = _with_attachment(DIFF, cte=cte)
    m = parse_one(data)
    assert "\n".join(m.diff_lines).strip() == DIFF.strip()
    lines = raw_lines(data)
    # the attachment's body starts after its own headers: the line after the blank line that
    # follows `Content-Disposition: attachment`
    disp = next(k for k, x in enumerate(lines) if x.startswith("Content-Disposition: attachment"))
    body_first = next(k for k in range(disp, len(lines)) if lines[k] == "") + 2
    assert m.diff_mail_lines[0] == body_first
    assert list(m.diff_mail_lines) == sorted(m.diff_mail_lines)


def test_text_plain_patch_attachment_keeps_the_message_of_the_first_part():
    data = _with_attachment(DIFF, subtype="plain", cte="7bit")
    m = parse_one(data)
    assert m.commit_message.startswith("Add b next to a.")
    assert "+int b;" in m.diff_lines
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_multipart_signed_real_mail_reads_the_text_part():
    data = corpus(SIGNED_MULTIPART)
    m = parse_one(data)
    assert m.commit_message.startswith("Check the clk_prepare_enable() return value and propagate it.")
    assert m.notes.startswith("This change depends upon:")
    assert m.diff_lines[0] == "diff --git a/drivers/pwm/pwm-brcmstb.c b/drivers/pwm/pwm-brcmstb.c"
    assert not any("smime" in x.lower() for x in m.diff_lines)
    assert_diff_lines_are_on_their_input_lines(m, data)


# --- the web-archive seed and the mbox seed --------------------------------------------------------

SEED_COMMIT_MESSAGE = """\
Use the instruction's 'off' field to indicate the source of a kfunc.
When libbpf resolves a kfunc, it sets insn->off to 0 for vmlinux
kfuncs or a non-zero module ID for module kfuncs.

The verifier now checks insn->off to determine where to look up the
kfunc address: off == 0 searches in vmlinux, while off > 0 searches
in the corresponding module BTF. This enables proper resolution of
module kfuncs that may override vmlinux kfuncs with the same name.

This works in conjunction with the libbpf change that prioritizes
module kfuncs during BTF resolution.

Suggested-by: Alexei Starovoitov <alexei.starovoitov@xxxxxxxxx>
Signed-off-by: Song Chen <chensong_2000@xxxxxxx>"""


def test_seed_archive_copy():
    require_shared()
    data = SEED_ARCHIVE.read_bytes()
    m = parse_one(data)
    assert m.kind == "archive" and not m.whitespace_trusted
    assert m.subject == "[PATCH V2 2/2] kernel/bpf/verifier: Support module kfunc resolution via instruction offset"
    assert (m.prefix.version, m.prefix.number, m.prefix.total) == (2, 2, 2)
    assert m.author == "Song Chen"
    assert m.date == "Sat May 09 2026 - 23:03:34 EST"
    assert m.commit_message == SEED_COMMIT_MESSAGE
    assert m.commit_message_line == 8
    assert [(t.name, t.mail_line) for t in m.trailers] == [("Suggested-by", 20), ("Signed-off-by", 21)]
    lines = raw_lines(data)
    assert m.notes == "\n".join(lines[23:32])   # lines 24-32: changelog, the second ---, the diffstat
    assert m.notes.startswith("changelog:\nv1 --- v2:") and m.notes.endswith("100755 kernel/bpf/verifier.c")
    assert m.diff_lines[0] == "diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c"
    assert m.diff_mail_lines[0] == 34


def test_seed_mbox():
    require_shared()
    data = SEED_MBOX.read_bytes()
    m = parse_one(data)
    assert m.kind == "mail" and m.whitespace_trusted
    assert m.subject == "[PATCH V2 2/2] kernel/bpf/verifier: Support module kfunc resolution via instruction offset"
    assert m.author == "Song Chen <chensong_2000@xxxxxxx>"
    assert m.commit_message == SEED_COMMIT_MESSAGE
    assert m.commit_message_line == 6
    assert [(t.name, t.mail_line) for t in m.trailers] == [("Suggested-by", 18), ("Signed-off-by", 19)]
    assert m.notes.startswith("changelog:") and " mode change 100644 => 100755 kernel/bpf/verifier.c" in m.notes
    assert m.repairs == ()
    assert_diff_lines_are_on_their_input_lines(m, data)


# --- the split at ---, trailers, diff-like text in the message ----------------------------------

def test_commit_message_notes_and_diff_split_at_the_dashes():
    body = ("Add b.\n\nLink: https://example.org/1\nReviewed-by: R <r@x>\nSigned-off-by: A <a@x>\n"
            "---\nv2: rebased\n\n drivers/foo.c | 1 +\n\n" + DIFF)
    data = simple_mail(body)
    m = parse_one(data)
    assert m.commit_message == "Add b.\n\nLink: https://example.org/1\nReviewed-by: R <r@x>\nSigned-off-by: A <a@x>"
    assert m.notes == "v2: rebased\n\n drivers/foo.c | 1 +"
    assert [(t.name, t.value, t.mail_line) for t in m.trailers] == [
        ("Link", "https://example.org/1", 6), ("Reviewed-by", "R <r@x>", 7), ("Signed-off-by", "A <a@x>", 8)]
    assert m.diff_mail_lines[0] == 14
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_no_dashes_means_no_notes():
    m = parse_one(simple_mail("Add b.\n\nSigned-off-by: A <a@x>\n" + DIFF))
    assert m.commit_message == "Add b.\n\nSigned-off-by: A <a@x>" and m.notes == ""
    assert m.diff_lines[0].startswith("diff --git")


def test_prose_that_looks_like_a_trailer_in_the_middle_is_not_the_dash_split():
    m = parse_one(simple_mail("Note: the --- below is prose --- really.\n\nSigned-off-by: A <a@x>\n---\n" + DIFF))
    assert m.commit_message.startswith("Note: the --- below is prose")


def test_commit_message_quoting_a_diff_keeps_it_and_finds_the_real_diff():
    body = ("Smatch complains about this hunk:\n\n"
            "    --- a/drivers/foo.c\n"
            "    +++ b/drivers/foo.c\n"
            "    @@ -1 +1 @@\n"
            "    -old\n"
            "    +new\n\n"
            "+1 to what Dan said; -EINVAL is returned.\n"
            "diffstat below shows one file.\n\n"
            "Signed-off-by: A <a@x>\n---\n" + DIFF)
    data = simple_mail(body)
    m = parse_one(data)
    assert "    --- a/drivers/foo.c\n    +++ b/drivers/foo.c\n    @@ -1 +1 @@" in m.commit_message
    assert "+1 to what Dan said; -EINVAL is returned." in m.commit_message
    assert m.commit_message.endswith("Signed-off-by: A <a@x>")
    assert m.diff_lines[0] == "diff --git a/drivers/foo.c b/drivers/foo.c"
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_bare_diff_with_a_description_above_it():
    data = ("foo: add b\n\nBecause b.\n\n" + DIFF).encode()
    m = parse_one(data)
    assert m.kind == "diff"
    assert m.subject == "foo: add b"
    assert m.commit_message == "foo: add b\n\nBecause b."
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_bare_unified_diff_without_git_header():
    data = b"--- a/x.c\t2024-01-01 10:00:00.000000000 +0100\n+++ b/x.c\t2024-01-02 10:00:00.000000000 +0100\n@@ -1 +1 @@\n-a\n+b\n"
    m = parse_one(data)
    assert m.kind == "diff" and m.diff_mail_lines[0] == 1
    assert_diff_lines_are_on_their_input_lines(m, data)


# --- where lines are: leading junk, mbox positions, the corpus ------------------------------------

def test_blank_lines_before_the_headers_do_not_shift_line_numbers():
    data = b"\n\n" + simple_mail("msg\n\nSigned-off-by: A <a@x>\n---\n" + DIFF)
    m = parse_one(data)
    assert m.kind == "mail" and m.subject == "[PATCH] foo: add b"
    assert m.commit_message == "msg\n\nSigned-off-by: A <a@x>"
    assert m.commit_message_line == 6
    assert_diff_lines_are_on_their_input_lines(m, data)


def test_byte_order_mark_before_the_headers():
    data = b"\xef\xbb\xbf" + simple_mail("msg\n---\n" + DIFF)
    m = parse_one(data)
    assert m.kind == "mail" and m.subject == "[PATCH] foo: add b"
    assert m.author == "Ann Author <ann@example.org>"


def test_line_numbers_of_later_messages_in_an_mbox_count_from_the_top_of_the_file():
    one = simple_mail("first\n---\n" + DIFF)
    two = simple_mail("second\n---\n" + DIFF.replace("int b;", "int bb;"))
    data = (b"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n" + one
            + b"From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n" + two)
    first, second = parse_bytes(data, "series.mbox")
    assert first.commit == "1" * 40 and second.commit == "2" * 40
    assert_diff_lines_are_on_their_input_lines(first, data)
    assert_diff_lines_are_on_their_input_lines(second, data)
    assert raw_lines(data)[second.commit_message_line - 1] == "second"


def _encoded(data: bytes) -> bool:
    return bool(re.search(rb"(?im)^content-transfer-encoding:\s*(base64|quoted-printable)", data))


def test_every_diff_line_of_plain_corpus_mails_points_at_its_input_line():
    require_shared()
    files = sorted(p for p in CORPUS.glob("*/*.patch"))
    checked = 0
    for path in files[::9]:
        data = path.read_bytes()
        if _encoded(data):
            continue
        for m in parse_bytes(data, str(path)):
            if m.repairs or not m.diff_lines:
                continue
            assert_diff_lines_are_on_their_input_lines(m, data)
            checked += 1
    assert checked > 250


def test_every_corpus_mail_is_read_as_a_mail_with_its_indexed_subject():
    """INDEX.tsv's subjects (whitespace runs collapsed) are what the headers say."""
    require_shared()
    import csv
    with open(CORPUS / "INDEX.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows[::9]:
        path = CORPUS / row["path"]
        (m,) = parse_bytes(path.read_bytes(), str(path))
        assert m.kind == "mail", row["path"]
        assert " ".join(m.subject.split()) == " ".join(row["subject"].split()), row["path"]


# --- the header fields the feed parser is given, and bodies it is not fed line by line ---------

_SHAPES = {
    "plain": b"From: A <a@x>\nReceived: from x\n\tby y\nSubject: [PATCH] foo\nX-Long: 1\n 2\n\nbody\n" + DIFF.encode(),
    "crlf": b"From: A <a@x>\r\nReceived: x\r\nSubject: s\r\n\r\nbody\r\n",
    "bare cr": b"From: A <a@x>\rReceived: x\nSubject: s\n\nbody\n",
    "unixfrom": b"From 1234 Mon Sep 17 00:00:00 2001\nFrom: A <a@x>\nSubject: s\n\nbody\n",
    "misplaced envelope line": b"Subject: s\nX-A: 1\nFrom 1234 Mon Sep 17 00:00:00 2001\n\nbody\n",
    "envelope line last": b"Subject: s\nFrom 1234 Mon Sep 17 00:00:00 2001\nbody\n",
    "no blank line": b"Subject: s\nX-A: 1\nbody without a separator\n",
    "leading continuation": b" folded\nSubject: s\n\nbody\n",
    "colon first": b":x\nSubject: s\n\nbody\n",
    "qp": b"Subject: s\nContent-Type: text/plain; charset=utf-8\nX-A: b\nContent-Transfer-Encoding: quoted-printable\n\nl=\nine=3D\n",
    "multipart": (b"Subject: s\nX-A: 1\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
                  b"Content-Type: text/plain\nX-B: 2\n\nmsg\n--B\nContent-Type: text/x-patch; name=\"a.patch\"\n\n"
                  + DIFF.encode() + b"--B--\n"),
    "rfc822 inside": b"Subject: s\nContent-Type: message/rfc822\n\nSubject: inner\n\nbody\n",
    "headers only": b"Subject: s\nX-A: 1\n",
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_mail_parse_reads_what_the_stdlib_reads_from_the_whole_mail(shape):
    import email.parser

    from reviewbot.mail import _header_end, _parse_mail

    data = _SHAPES[shape]
    fast, full = _parse_mail(data, _header_end(data)), email.parser.BytesParser().parsebytes(data)
    used = ("subject", "from", "content-type", "content-transfer-encoding", "content-disposition", "mime-version")

    def seen(msg):
        return [(p.get_unixfrom(), [(k, v) for k, v in p.raw_items() if k.lower() in used],
                 p.get_content_type(), p.get_filename(), None if p.is_multipart() else p.get_payload(decode=True))
                for p in msg.walk()]

    assert seen(fast) == seen(full)


def test_to_and_cc_split_at_commas_outside_quotes():
    msg = parse_one(b'From: A <a@x>\nSubject: s\nTo: "Doe, J" <j@x>, b@x,\n c@x\nCc: "a" <a@x>, "b, c" <b@x>\n\n'
                      + DIFF.encode())
    assert msg.to == ('"Doe, J" <j@x>', "b@x", "c@x")
    assert msg.cc == ('"a" <a@x>', '"b, c" <b@x>')


def test_plain_ascii_addresses_read_as_the_decoder_reads_them():
    """The fast path for plain ASCII To/Cc values gives what decoding each address gives."""
    from reviewbot.mail import _addresses, _decode_header, _split_outside_quotes

    for value in ('a@b.c, "Doe, John" <j@x.org>,  <k@y>  ,', " x@y ,\t z@w\t", ",,", "Name <n@m>",
                  '"a "" b" <c@d>, e@f', "a@b,\n c@d", 'x <y@z>,\r\n\t"Q, R" <s@t>,\n\t', "p <q@r>\n",
                  "=?utf-8?q?Doe=2C_John?= <j@x>, plain@x.org", "Jos\u00e9 <j@x>,  a@b "):
        slow = tuple(a for a in (_decode_header(p) for p in _split_outside_quotes(value)) if a)
        assert _addresses(value) == slow, value


def test_addresses_of_odd_and_folded_values_read_as_each_piece_decoded():
    """_addresses unfolds a plain ASCII value whole and decodes only the pieces with an encoded
    word: on folded, quoted, encoded, CR LF and damaged values it gives what decoding every
    piece on its own gives (_decoded_addresses, the general way)."""
    import random

    from reviewbot.mail import _addresses, _decoded_addresses

    atoms = ["a@b.c", " ", ",", '"', "\n ", "\n\t", "\r\n ", "\n", " \t", "Doe, J", "<j@x>", "=?utf-8?q?Doe=2C_J?=",
             "=?iso-8859-1?q?Jos=E9?=", "=?", "?=", "=?bad?x?y?=", "\u00e9", "\r", "\x1c", "Q. R"]
    rng = random.Random(7)
    values = ['"Doe, J" <j@x>,\n "a, b" <c@d>, e@f', "a@b,\r\n\tc@d,\n =?utf-8?q?X=2C_Y?= <x@y>", "a\n,b", "a,\nb"]
    values += ["".join(rng.choice(atoms) for _ in range(rng.randrange(1, 12))) for _ in range(4000)]
    for value in values:
        assert _addresses(value) == _decoded_addresses(value), repr(value)


def test_split_outside_quotes_splits_as_a_walk_over_the_characters():
    """Each comma with an even number of double quotes after it splits (counted from the end, as
    a character walk counts them), on balanced and unbalanced quotes."""
    import random

    from reviewbot.mail import _split_outside_quotes

    def by_char(value):
        after = value.count('"')   # quotes after the current position
        pieces, start = [], 0
        for i, c in enumerate(value):
            if c == '"':
                after -= 1
            elif c == "," and after % 2 == 0:
                pieces.append(value[start:i])
                start = i + 1
        pieces.append(value[start:])
        return pieces

    rng = random.Random(3)
    values = ["", ",", '"', '","', 'a "b, c" d, e', '"a, b', 'a, "b', '""', '",",",']
    values += ["".join(rng.choice('ab ,"') for _ in range(rng.randrange(12))) for _ in range(3000)]
    for value in values:
        assert _split_outside_quotes(value) == by_char(value), repr(value)


def test_header_end_is_the_first_line_that_is_no_header_line():
    """_header_end, line by line, agrees with a search for the first line that starts neither a
    field, nor "From ", nor a continuation."""
    import re

    from reviewbot.mail import _header_end

    not_a_header = re.compile(rb"^(?!From |[\041-\071\073-\176]*:|[\t ])", re.MULTILINE)
    samples = [b"", b"\n", b"From: a\n", b"From: a", b"From x\nSubject: y\n z\n\nbody\n", b"Subject: y\r\n\r\nb",
               b"a b: c\n", b":x\nY: z\nno colon\n", b"X: 1\n\tcont\n \nY: 2\n", b"From a@b Mon\nTo: c\n-- \nx: y\n",
               b"X-\x80: bad\nY: z\n", b"X: 1\nnot one\nY: 2\n", b"To: a\n\n", b"\tstart\nX: y\n"]
    import random

    rng = random.Random(23)
    pieces = [b"From ", b"From", b"X-A", b":", b" ", b"\t", b"\n", b"\r\n", b"a b", b"\x80", b"\n\n", b"::", b"-"]
    samples += [b"".join(rng.choice(pieces) for _ in range(rng.randrange(14))) for _ in range(5000)]
    for data in samples:
        m = not_a_header.search(data)
        assert _header_end(data) == (m.start() if m else len(data)), data


def _deep(m):
    """A stdlib Message as plain values (defects by type and text), parts and all."""
    if not hasattr(m, "_headers"):
        return m
    v = dict(vars(m))
    v["defects"] = [(type(d).__name__, str(d)) for d in v["defects"]]
    p = v["_payload"]
    v["_payload"] = [_deep(x) for x in p] if isinstance(p, list) else p
    v["policy"] = repr(v["policy"])
    return v


_ODD_MAILS = {
    "plain": b"From: A <a@x>\nSubject: [PATCH] x\nX-Junk: 1\n\nbody\n",
    "envelope line": b"From abc Mon Sep 17 00:00:00 2001\nFrom: A <a@x>\nSubject: s\n\nbody\n",
    "envelope line, CRLF": b"From abc Mon Sep 17 00:00:00 2001\r\nFrom: A <a@x>\r\nSubject: s\r\n\r\nbody\r\n",
    "continuation after the envelope line": b"From abc\n x\nFrom: A <a@x>\n\nbody\n",
    "CRLF and folded": b"From: A <a@x>\r\nTo: b@x,\r\n\tc@x\r\nX-Skip: 1\r\n  folded\r\nSubject: s\r\n\r\nbody\r\n",
    "8-bit headers": b"From: J\xc3\xb6rg <j@x>\nSubject: caf\xe9\nCc: \xff\n\nbody \xe9\n",
    "no newline at the end": b"From: A <a@x>\nSubject: s\n\nbody",
    "no body": b"From: A <a@x>\nSubject: s\n\n",
    "quoted-printable": (b"From: A <a@x>\nSubject: s\nContent-Type: text/plain; charset=utf-8\n"
                         b"Content-Transfer-Encoding: quoted-printable\n\nJ=C3=B6rg=\n x\n"),
    "base64": (b"From: A <a@x>\nSubject: s\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
               b"Ym9keQo=\n"),
    "multipart": (b"From: A <a@x>\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
                  b"--b\nContent-Type: text/plain\n\ntext\n--b\nContent-Type: text/x-patch; name=x.patch\n"
                  b"Content-Disposition: attachment; filename=x.patch\n\n--- a/x\n+++ b/x\n--b--\n"),
    "message/rfc822": b"From: A <a@x>\nContent-Type: message/rfc822\n\nFrom: B <b@x>\nSubject: in\n\nbody\n",
    "no blank line after the headers": b"From: A <a@x>\nSubject: s\nbody line\n",
    "a field without a name": b"From: A <a@x>\n: x\nSubject: s\n\nbody\n",
}


@pytest.mark.parametrize("name", sorted(_ODD_MAILS))
def test_header_lines_read_without_the_feed_parser_make_the_same_message(name, monkeypatch):
    """_parse_mail builds the Message of the kept header lines itself; the stdlib's feed parser of
    the same lines (what it did before) must make the same one, and parse_message the same Message."""
    import reviewbot.mail as m
    data = _ODD_MAILS[name]
    end = m._header_end(data)
    fast = m._parse_mail(data, end)
    raw = RawMessage(Origin("x.eml"), data)
    mine = m.parse_message(raw)
    monkeypatch.setattr(m, "_header_message", lambda head: None)
    slow = m._parse_mail(data, end)
    assert _deep(fast) == _deep(slow)
    assert m.parse_message(raw) == mine


def test_content_fields_read_as_the_stdlib_reads_them():
    """_content_fields reads a plain Content-Type (a type, a lone charset) itself: on odd, damaged
    and RFC 2231 values of Content-Type and Content-Disposition it gives what the stdlib's
    get_content_type(), get_filename() and get_content_charset() give."""
    import random

    from reviewbot.mail import _PARSER, _content_fields, _content_headers

    types = [b"text/plain", b"TEXT/Plain", b"text/x-patch", b"text", b"a/b/c", b" text/plain ", b"charset", b"name/x",
             b"application/octet-stream", b"multipart/mixed", b"text/pl\xc3\xa9in", b""]
    params = [b"", b"; charset=utf-8", b'; charset="UTF-8"', b"; charset=us-ascii", b";charset=ISO-8859-1 ",
              b"; Charset=utf-8", b"; charset = utf-8", b'; charset="utf-8', b"; charset=", b'; charset=""',
              b"; charset*=utf-8''x", b"; charset*0=ut; charset*1=f-8", b"; charset=\xc3\xa9", b"; name=x.patch",
              b'; name="a.diff"', b"; name*=utf-8''a%20b.patch", b"; format=flowed", b";", b"; charset=utf-8; x=y",
              b'; charset="a;b"', b";\n charset=utf-8", b"; charset=<x>", b"; charset='q'", b"; charset=\"a\\\"b\""]
    dispositions = [None, b"inline", b"attachment", b'attachment; filename="x.patch"', b"inline; filename*=utf-8''y.diff",
                    b"INLINE; FileName=z.patch", b"name", b"inline; \xc3\xa9", b""]
    rng = random.Random(11)
    cases = [(t, p, d) for t in types for p in params[:6] for d in dispositions[:3]]
    cases += [(rng.choice(types + [None]), rng.choice(params), rng.choice(dispositions)) for _ in range(3000)]
    for ctype, param, disposition in cases:
        head = b"" if ctype is None else b"Content-Type: " + ctype + param + b"\n"
        if disposition is not None:
            head += b"Content-Disposition: " + disposition + b"\n"
        if rng.random() < 0.3:   # a second of each (the first counts), a transfer encoding, in any case
            head += rng.choice((b"content-type: text/x-diff\n", b"CONTENT-DISPOSITION: attachment\n", b"X-A: b\n",
                                b"Content-Transfer-Encoding: 8bit\n", b"content-transfer-encoding: b\xc3\xa9se64\n"))
        part = _PARSER.parsebytes(head + b"\nbody\n")
        fields = _content_headers(part)
        assert fields == (part.get("content-type"), part.get("content-disposition"),
                          part.get("content-transfer-encoding")), head
        assert _content_fields(part, *fields[:2]) == (
            part.get_content_type(), part.get_filename(), part.get_content_charset()), head


def test_unencoded_payload_is_what_the_stdlib_decodes():
    """_unencoded_payload, where it answers, gives part.get_payload(decode=True): on every transfer
    encoding spelling, bodies with 8-bit bytes, and payloads the parser could not have made."""
    from reviewbot.mail import _PARSER, _unencoded_payload

    ctes = [None, b"7bit", b"8BIT", b"binary", b"base64", b"BASE64", b"quoted-printable", b" quoted-printable",
            b"quoted-printable  ", b"x-uuencode", b"uue", b"bogus", b"8bit\xc3\xa9", b""]
    bodies = [b"plain\n", b"caf\xc3\xa9 =C3=A9\n", b"Y2Fm\n", b"\xff\xfe\n", b"", b"a=\nb\n"]
    answered = 0
    for cte in ctes:
        for body in bodies:
            head = b"Content-Type: text/plain; charset=utf-8\n"
            if cte is not None:
                head += b"Content-Transfer-Encoding: " + cte + b"\n"
            part = _PARSER.parsebytes(head + b"\n" + body)
            for payload in (part.get_payload(), "caf\u00e9", "\udcff\u00e9", "\ud800x"):
                part.set_payload(payload)
                got = _unencoded_payload(part, part.get("Content-Transfer-Encoding", ""))
                if got is not None:
                    answered += 1
                    assert got == part.get_payload(decode=True), (cte, payload)
    assert answered > 20


def test_unfold_replaces_what_the_fold_regex_matches():
    """_unfold gives _FOLD.sub(" ", text) on random runs of blanks, CRs, line ends and text."""
    import random

    from reviewbot.mail import _FOLD, _unfold

    rng = random.Random(17)
    values = ["a\n b", "a \t\r\n\tb", "a\n \n b", "a\n\n b", "a\r\r\n b", "a \r \n b", "a\nb\r\n c", "\n x", "x\n", "x\n "]
    values += ["".join(rng.choice(" \t\r\naa,") for _ in range(rng.randrange(16))) for _ in range(20000)]
    for value in values:
        assert _unfold(value) == _FOLD.sub(" ", value), repr(value)


def test_used_header_lines_found_by_regex_are_those_of_a_walk_over_the_lines():
    """_used_header_lines picks the fields out of the lowercased block with a regex: on header
    blocks of every corpus-like and odd shape (folds, CR LF, envelope lines, names in any case,
    names that only begin like a used one, a field without a name) it keeps what a walk over the
    lines keeps, or gives up where the walk gives up."""
    import random

    from reviewbot.mail import _USED_HEADERS, _header_end, _used_header_lines

    def walk(block):
        if b"\r" in block.replace(b"\r\n", b""):
            return None
        kept, keep = [], False
        for k, line in enumerate(block.splitlines(keepends=True)):
            if line[:1] in (b" ", b"\t"):   # a continuation line goes with its field
                if keep:
                    kept.append(line)
                continue
            if line.startswith(b"From "):
                if k:
                    return None
                keep = True
            else:
                name = line[:line.find(b":")].lower()
                keep = name in _USED_HEADERS or name.startswith(b"content-")
            if keep:
                kept.append(line)
        return b"".join(kept)

    fields = [b"From: A <a@x>", b"FROM: b", b"Subject: [PATCH] x", b"subject:y", b"Date: Mon", b"Message-ID: <m@x>",
              b"Reply-To: r", b"In-Reply-To: <i>", b"References: <a>", b"To: t", b"TO:t", b"Cc: c", b"CC: d",
              b"Auto-Submitted: no", b"MIME-Version: 1.0", b"Content-Type: text/plain", b"content-transfer-encoding: 8bit",
              b"Content-:x", b"Received: from x", b"X-Mailer: y", b"Tox: n", b"Fromage: n", b"From x: y", b": empty",
              b"Sender: s", b"DKIM-Signature: v=1", b"X-\xc3\xa9: z", b"Content-Type:multipart/mixed", b"cc:"]
    conts = [b" folded", b"\tmore", b"  ", b"\t"]
    rng = random.Random(19)
    for case in range(3000):
        lines = []
        if case % 5 == 0:
            lines.append(b"From abc Mon Sep 17 00:00:00 2001")
        for _ in range(rng.randrange(12)):
            if lines and rng.random() < 0.3 or not lines and rng.random() < 0.05:
                lines.append(rng.choice(conts))
            else:
                lines.append(rng.choice(fields))
            if rng.random() < 0.02:
                lines.append(rng.choice((b"From x", b"From: y")))
        end = rng.choice((b"\n", b"\r\n", b"\n", b"\r"))
        block = b"".join(x + (end if rng.random() < 0.95 else b"\n") for x in lines)
        if case % 7 == 0 and block:
            block = block[:-1]   # no newline after the last line
        block = block[:_header_end(block)]   # (what callers hand on: the header lines)
        assert _used_header_lines(block) == walk(block), block


def test_header_message_of_random_kept_lines_is_the_feed_parsers():
    """_header_message (the feed parser's header loop, written out) makes the Message the feed
    parser makes of the same kept lines, on random fields, folds, CR LF, 8-bit bytes, values
    with colons or nothing after the colon, and envelope lines."""
    import random

    from reviewbot.mail import _PARSER, _header_message

    fields = [b"From: A <a@x>", b"Subject: [PATCH] x: y", b"Subject:", b"Subject:   ", b"To: a,", b"Cc:\tb",
              b"Content-Type: text/plain; charset=utf-8", b"Date: Mon, 1 Jan", b"From: J\xc3\xb6rg <j@x>",
              b"Subject: caf\xe9", b"Message-ID: <m@x>", b"content-transfer-encoding: 8bit", b"References:"]
    conts = [b" folded", b"\tmore: x", b"  ", b"\t", b" \xe9"]
    rng = random.Random(29)
    checked = 0
    for case in range(2000):
        lines = [b"From abc Mon Sep 17 00:00:00 2001"] if case % 4 == 0 else []
        for _ in range(rng.randrange(8)):
            lines.append(rng.choice(conts) if lines and rng.random() < 0.3 else rng.choice(fields))
        end = rng.choice((b"\n", b"\r\n"))
        head = b"".join(x + end for x in lines)
        fast = _header_message(head)
        if fast is not None:
            checked += 1
            assert _deep(fast) == _deep(_PARSER.parsebytes(head + b"\n")), head
    assert checked > 1500


def test_plain_header_values_decode_as_the_general_way_decodes_them():
    """_decode_header strips plain one-line ASCII itself: on random values (blanks, folds, CRs,
    encoded words, 8-bit characters as surrogate escapes) it gives what _decoded_header gives."""
    import random

    from reviewbot.mail import _decode_header, _decoded_header

    atoms = [" ", "\t", "x", "[PATCH]", "\n ", "\r", "=?utf-8?q?J=C3=B6rg?=", "=?", "\udcc3\udcb6", "\u00e9", "\x0b", "\x1c"]
    rng = random.Random(31)
    for _ in range(5000):
        value = "".join(rng.choice(atoms) for _ in range(rng.randrange(8)))
        assert _decode_header(value) == _decoded_header(value), repr(value)
