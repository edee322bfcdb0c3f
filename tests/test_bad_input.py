"""Bad input end to end through the CLI: a clear exit status, one line per problem, no traceback,
and the input files left exactly as they were."""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from email.message import EmailMessage
from pathlib import Path

from conftest import CORPUS, SEED_ARCHIVE, SEED_MBOX, require_shared, run_cli

SMALL_REAL = "ml-kernel-janitors/2019-04-29_3b3ae935a819_ASoC-sprd-Fix-return-value-check-in-sprd_mcdt_probe.patch"
OTHER_REAL = "ml-linux-pwm/2021-11-08_6e886a6d313c_pwm-meson-Drop-useless-check-for-channel-data-being-NULL.patch"
BIG_REAL = "ml-kernel-janitors/2025-03-03_3356fca09af4_mfd-remove-STA2x11-mfd-driver.patch"


def digest(paths: list[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file())
        for f in files:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def check(*inputs: Path, extra: tuple[str, ...] = (), stdin: bytes | None = None, cwd: Path | None = None,
          max_problems: int = 0):
    """Run `reviewbot check`, assert the contract every bad input must keep, and return the run."""
    before = digest(list(inputs))
    cwd = cwd or (inputs[0].parent if inputs else None)
    run = run_cli("check", "--no-tree", *extra, *[os.path.relpath(p, cwd) for p in inputs], stdin=stdin, cwd=cwd)
    assert digest(list(inputs)) == before, "the input files were changed"
    assert run.status in (0, 1, 2), run
    assert "Traceback" not in run.out + run.err
    err_lines = run.err.splitlines()
    assert len(err_lines) <= max_problems, run.err
    for line in err_lines:
        assert line.startswith("reviewbot: "), line
        assert "internal error" not in line, line
    return run


def real(name: str) -> bytes:
    require_shared()
    data = (CORPUS / name).read_bytes()
    return data if data.endswith(b"\n") else data + b"\n"


def mboxrd(*mails: bytes) -> bytes:
    out = b""
    for m in mails:
        body = m.replace(b"\nFrom ", b"\n>From ")
        out += b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + body + (b"" if body.endswith(b"\n") else b"\n")
    return out


def patches(run) -> list[dict]:
    return json.loads(run.out)["patches"]


DIFF = (b"diff --git a/drivers/foo.c b/drivers/foo.c\nindex 1111111..2222222 100644\n--- a/drivers/foo.c\n"
        b"+++ b/drivers/foo.c\n@@ -1,3 +1,4 @@\n int a;\n+int b;\n int c;\n int d;\n")


# --- the cases -----------------------------------------------------------------------------------

def test_empty_file(tmp_path):
    p = tmp_path / "empty.patch"
    p.write_bytes(b"")
    run = check(p)
    assert run.status == 0


def test_file_of_only_blank_lines(tmp_path):
    p = tmp_path / "blank.patch"
    p.write_bytes(b"\n\n\r\n \n")
    assert check(p).status == 0


def test_random_bytes_with_nul_is_one_line_and_status_2(tmp_path):
    p = tmp_path / "random.bin"
    p.write_bytes(random.Random(7).randbytes(64 * 1024))
    assert b"\0" in p.read_bytes()
    run = check(p, max_problems=1)
    assert run.status == 2
    assert run.err.count("\n") == 1 and "random.bin" in run.err


def test_random_bytes_without_nul(tmp_path):
    rnd = random.Random(11)
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(rnd.randrange(1, 256) for _ in range(200_000)))
    assert check(p).status in (0, 1)


def test_malformed_mails(tmp_path):
    cases = {
        "no-colon.eml": b"From a@x\nSubject [PATCH] x\n\n" + DIFF,
        "bad-boundary.eml": (b"From: a@x\nSubject: [PATCH] x\nMIME-Version: 1.0\n"
                             b"Content-Type: multipart/mixed; boundary=\"\"\n\n--\nContent-Type: text/plain\n"
                             b"Content-Transfer-Encoding: base64\n\n!!!!====\n--\n"),
        "unterminated-multipart.eml": (b"From: a@x\nSubject: [PATCH] x\nMIME-Version: 1.0\n"
                                       b"Content-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\n"
                                       b"Content-Type: text/plain\n\nmsg\n---\n" + DIFF),
        "bad-base64.eml": (b"From: a@x\nSubject: [PATCH] x\nContent-Transfer-Encoding: base64\n\n"
                           b"ZGlmZiAtLWdpdCBh=L2YuYyBiL2YuYwo===\n@@@@\n"),
        "bad-qp.eml": (b"From: a@x\nSubject: [PATCH] x\nContent-Transfer-Encoding: quoted-printable\n\n"
                       b"msg =ZZ =\n---\n" + DIFF.replace(b"int b;", b"int b =3D 1;=\n")),
        "header-only.eml": b"From: a@x\nSubject: [PATCH] x\n",
        "continuation-first.eml": b" folded: nothing\nFrom: a@x\n\n" + DIFF,
        "nested.eml": (b"From: a@x\nSubject: [PATCH] x\nMIME-Version: 1.0\n"
                       + b"".join(b"Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n" % (i, i) for i in range(400))
                       + b"Content-Type: text/plain\n\nhello\n"),
        "lone-cr.patch": DIFF.replace(b"\n", b"\r"),
        "one-long-line.patch": b"From: a@x\nSubject: [PATCH] x\n\n" + b"x" * 3_000_000,
    }
    paths = []
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    for p in paths:
        check(p, max_problems=1)


def test_mbox_whose_middle_message_is_garbage_still_reviews_the_others(tmp_path):
    garbage = random.Random(3).randbytes(5000).replace(b"\0", b"") + b"\n\x00\xff\xfe garbage \x80\n"
    p = tmp_path / "three.mbox"
    p.write_bytes(mboxrd(real(SMALL_REAL), garbage, real(OTHER_REAL)))
    run = check(p, extra=("--format", "json"), max_problems=1)
    got = patches(run)
    assert [x["source"] for x in got] == ["three.mbox", "three.mbox#3"]
    assert got[0]["subject"] == "[PATCH -next] ASoC: sprd: Fix return value check in sprd_mcdt_probe()"
    assert got[1]["subject"] == "[PATCH 2/4] pwm: meson: Drop useless check for channel data being NULL"


def test_odd_charsets(tmp_path):
    d = tmp_path / "charsets"
    d.mkdir()
    for k, (charset, cte, body) in enumerate([
        ("utf-16", "8bit", b"msg\n---\n" + DIFF),
        ("x-klingon", "8bit", b"caf\xe9\n---\n" + DIFF),
        ("utf-8", "8bit", b"caf\xe9 \xff\xfe\n---\n" + DIFF.replace(b"int b;", b"int b; /* \xe9\xe9 */")),
        ("iso-2022-jp", "7bit", b"\x1b$B$3$s\x1b(B\n---\n" + DIFF),
        ("", "8bit", b"\xc3\x28 broken utf-8\n---\n" + DIFF),
        ("utf-7", "base64", b"K0FHQS0tLQ==\n"),
    ]):
        ctype = f"Content-Type: text/plain; charset={charset}\n".encode() if charset else b""
        (d / f"{k}.eml").write_bytes(b"From: a@x\nSubject: [PATCH] x\nMIME-Version: 1.0\n" + ctype
                                     + f"Content-Transfer-Encoding: {cte}\n\n".encode() + body)
    run = check(d, extra=("--format", "json"))
    assert run.status in (0, 1)
    assert len(patches(run)) >= 4


def test_undecodable_bytes_in_headers(tmp_path):
    p = tmp_path / "headers.eml"
    p.write_bytes(b"From: \xff\xfe\x80 <\x81@x>\nSubject: [PATCH] =?utf-8?b?////?= \xc3\x28 =?unknown?q?x?=\n"
                  b"To: \xe9\xe9, =?utf-8?q?=FF?= <b@x>\nMessage-ID: <\xff@x>\nIn-Reply-To: \xfe\n\nmsg\n---\n" + DIFF)
    run = check(p, extra=("--format", "json"))
    (patch,) = patches(run)
    assert patch["subject"].startswith("[PATCH]")


def test_nul_inside_a_later_message_of_an_mbox_is_not_a_binary_file(tmp_path):
    second = real(OTHER_REAL).replace(b"Signed-off-by", b"Signed\x00off-by", 1)
    p = tmp_path / "nul.mbox"
    p.write_bytes(mboxrd(real(SMALL_REAL), second))
    run = check(p, extra=("--format", "json"))
    assert len(patches(run)) == 2


def test_truncated_hunk(tmp_path):
    require_shared()
    text = SEED_MBOX.read_bytes()
    p = tmp_path / "cut.mbox"
    p.write_bytes(text[:text.index(b"+\t\tmod = b->module;")])
    run = check(p, extra=("--format", "json"))
    (patch,) = patches(run)
    assert "corrupted-patch" in {f["rule"] for f in patch["findings"]}
    assert run.status == 1


def test_damaged_archive_copy_and_clean_mbox_together(tmp_path):
    require_shared()
    a, b = tmp_path / "seed.txt", tmp_path / "seed.mbox"
    a.write_bytes(SEED_ARCHIVE.read_bytes())
    b.write_bytes(SEED_MBOX.read_bytes())
    run = check(a, b, extra=("--format", "json"))
    assert run.status == 1 and len(patches(run)) == 2


def test_missing_input_is_one_line_and_status_2(tmp_path):
    run = check(cwd=tmp_path, extra=("no-such-file.patch",), max_problems=1)
    assert run.status == 2 and "no-such-file.patch" in run.err


def test_missing_input_among_good_ones(tmp_path):
    p = tmp_path / "a.patch"
    p.write_bytes(real(SMALL_REAL))
    run = check(p, extra=("--format", "json", str(tmp_path / "missing.patch")), max_problems=1)
    assert run.status == 2


def test_garbage_on_stdin(tmp_path):
    run = check(cwd=tmp_path, stdin=random.Random(5).randbytes(20000).replace(b"\0", b"\1"), max_problems=1)
    assert run.status in (0, 1)


def test_directory_of_mixed_junk(tmp_path):
    d = tmp_path / "junk"
    (d / "sub").mkdir(parents=True)
    (d / "a.patch").write_bytes(real(SMALL_REAL))
    (d / "b.bin").write_bytes(b"\x00\x01\x02" * 1000)
    (d / "c.txt").write_bytes(b"")
    (d / "sub" / "d.eml").write_bytes(b"From: x\n\n\xff\xfe")
    (d / "dangling.patch").symlink_to(tmp_path / "nowhere")
    run = check(d, extra=("--format", "json"), max_problems=1)
    assert run.status == 2                     # the dangling link is a problem, reported on one line
    assert "dangling.patch" in run.err
    assert [x["source"] for x in patches(run)] == [str(Path("junk") / "a.patch")]


def test_mail_built_with_every_mime_oddity_at_once(tmp_path):
    msg = EmailMessage()
    msg["From"] = "J\u00f6rg <j@x>"
    msg["Subject"] = "[PATCH v2 1/1] caf\u00e9: " + "long " * 40
    msg.set_content("Commit message \u00e9.\n\nSigned-off-by: J\u00f6rg <j@x>\n", cte="quoted-printable")
    msg.add_attachment(DIFF, maintype="application", subtype="octet-stream", filename="0001-x.patch")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), maintype="image", subtype="png", filename="x.png")
    p = tmp_path / "mime.eml"
    p.write_bytes(msg.as_bytes())
    run = check(p, extra=("--format", "json"))
    (patch,) = patches(run)
    assert patch["subject"].startswith("[PATCH v2 1/1] caf\u00e9: long long")


def test_huge_mbox_of_repeated_real_patches_finishes(tmp_path):
    """20 MB of real patches (453 copies of a 44 KB one, and small ones between): it must finish."""
    big, small = real(BIG_REAL), real(SMALL_REAL)
    unit = mboxrd(big, small)
    p = tmp_path / "huge.mbox"
    p.write_bytes(unit * (20_000_000 // len(unit) + 1))
    assert p.stat().st_size >= 20_000_000
    t0 = time.monotonic()
    # the cheap rules: this is about reading 20 MB, not about the rules' speed
    run = check(p, extra=("--format", "json", "--select", "executable-source-file,corrupted-patch"))
    elapsed = time.monotonic() - t0
    assert run.status == 0
    got = patches(run)
    assert len(got) == 2 * (20_000_000 // len(unit) + 1)
    assert got[-1]["source"] == f"huge.mbox#{len(got)}"
    assert elapsed < 60
