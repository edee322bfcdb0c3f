"""reviewbot.repair: mending what mailers and web archives did to a diff, and giving up honestly."""

from __future__ import annotations

import re

from reviewbot.diff import parse_diff
from reviewbot.ingest import split_mbox
from reviewbot.mail import parse_message
from reviewbot.repair import repair_diff
from conftest import CORPUS, SEED_ARCHIVE, SEED_MBOX, require_shared

# file, the index line (after `diff --git a/... b/...` on the same line, QP soft-broken), the `tmp`/`tpm` typo
JOINED_INDEX = {
    "ml-linux-pwm/2025-10-30_33cfc9341f53_Fix-IMX-PWM-period-setting.patch": ("index 5b399de16d60..82db43f56da8 100644", "tmp"),
    "ml-linux-pwm/2025-10-30_6e2c270cb9f4_Fix-IMX-PWM-period-setting.patch": ("index 5b399de16d60..411daa7711f1 100644", "tpm"),
    "ml-linux-pwm/2025-11-03_b1437d0953c6_Fix-IMX-PWM-period-setting.patch": ("index 5b399de16d60..411daa7711f1 100644", "tpm"),
}
GPIO_REGMAP = "ml-linux-pwm/2025-03-18_9d11178d571d_gpio-regmap-Allow-to-allocate-regmap-irq-device.patch"
RESCTRL_ASM_IN_NOTES = "ml-kernel-janitors/2025-10-26_c5368169fe55_fs-resctrl-Slightly-optimize-cbm_validate.patch"


def repair(text: str, archive: bool = False, first_line: int = 1):
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return repair_diff(lines, list(range(first_line, first_line + len(lines))), archive)


def parse(fixed):
    files, errors = parse_diff(fixed.lines, fixed.mail_lines, fixed.repaired_hunks)
    assert errors == ()
    return files


def message(data: bytes):
    (m,) = [parse_message(r) for r in split_mbox(data, "x")]
    return m


def files_of(m):
    files, errors = parse_diff(m.diff_lines, m.diff_mail_lines, m.repaired_hunks, not m.whitespace_trusted)
    assert errors == ()
    return files


def hunk_texts(fc):
    return [(h.header, [(x.kind, x.text) for x in h.lines]) for h in fc.hunks]


TWO_FILES = """\
diff --git a/a.c b/a.c
--- a/a.c
+++ b/a.c
@@ -1,3 +1,3 @@
 x
-old
+new
 y
@@ -10,2 +10,3 @@
 p
+q
 r
diff --git a/b.c b/b.c
--- a/b.c
+++ b/b.c
@@ -1,2 +1,2 @@
-m
+n
 o
"""


def test_undamaged_diff_comes_out_unchanged_with_no_repairs():
    fixed = repair(TWO_FILES, first_line=40)
    assert list(fixed.lines) == TWO_FILES.rstrip("\n").split("\n")
    assert fixed.mail_lines == tuple(range(40, 40 + len(fixed.lines)))
    assert fixed.repairs == () and fixed.repaired_hunks == frozenset()


def test_seed_mbox_diff_needs_no_repair():
    require_shared()
    m = message(SEED_MBOX.read_bytes())
    lines = SEED_MBOX.read_text().splitlines()
    start = lines.index("diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c")
    assert m.repairs == () and m.repaired_hunks == frozenset()
    assert list(m.diff_lines) == lines[start:]
    assert m.diff_mail_lines == tuple(range(start + 1, len(lines) + 1))


def test_context_lines_that_lost_their_space_are_restored_and_recorded():
    damaged = TWO_FILES.replace("\n x\n", "\nx\n").replace("\n y\n", "\ny\n")
    fixed = repair(damaged)
    assert list(fixed.lines) == TWO_FILES.rstrip("\n").split("\n")
    (r,) = fixed.repairs
    assert r.repaired and r.path == "a.c" and r.mail_line == 4
    assert "2 context lines" in r.what and "@@ -1,3 +1,3 @@" in r.what
    assert fixed.repaired_hunks == frozenset({3})          # index of that hunk's header in the output
    assert fixed.lines[3].startswith("@@ -1,3 +1,3 @@")
    files = parse(fixed)
    assert [h.repaired for h in files[0].hunks] == [True, False]
    assert [h.repaired for h in files[1].hunks] == [False]


def test_empty_line_in_a_hunk_is_an_empty_context_line_not_damage():
    fixed = repair(TWO_FILES.replace("\n p\n", "\n\n").replace("@@ -10,2 +10,3 @@", "@@ -10,2 +10,3 @@"))
    assert fixed.repairs == ()
    files = parse(fixed)
    assert files[0].hunks[1].lines[0].text == "" and files[0].hunks[1].lines[0].kind == " "


def test_seed_archive_copy_gets_both_hunks_repaired():
    require_shared()
    data = SEED_ARCHIVE.read_bytes()
    m = message(data)
    assert [(r.path, r.mail_line, r.repaired) for r in m.repairs] == [
        ("kernel/bpf/verifier.c", 40, True), ("kernel/bpf/verifier.c", 48, True)]
    # hunk 1: `*/`, sort(...), kfunc_btf_cmp_by_off..., `} else {`, `btf = b->btf;`, `}` lost their space;
    # hunk 2: `if (err)`, `return err;`, `if (!addr) {`, verbose(...), `return -EINVAL;` did (the empty
    # line there is an empty context line, not a repair)
    assert "6 context lines" in m.repairs[0].what and "5 context lines" in m.repairs[1].what
    assert {m.diff_lines[k] for k in m.repaired_hunks} == {
        "@@ -3303,6 +3303,7 @@ static struct btf *__find_kfunc_desc_btf(struct bpf_verifier_env *env,",
        "@@ -3498,7 +3499,16 @@ static int add_kfunc_call(struct bpf_verifier_env *env, u32 func_id, s16 offset)"}
    (fc,) = files_of(m)
    assert [len(h.lines) for h in fc.hunks] == [7, 17]
    assert all(h.repaired for h in fc.hunks)
    h1 = fc.hunks[0]
    assert [(x.kind, x.text, x.new) for x in h1.lines[2:5]] == [
        (" ", "kfunc_btf_cmp_by_off, NULL);", 3305), ("+", "", 3306), (" ", "} else {", 3307)]
    # the mended lines still point at their lines of the archive copy
    raw = SEED_ARCHIVE.read_text().split("\n")
    for h in fc.hunks:
        for x in h.lines:
            assert raw[x.mail_line - 1] in (x.kind + x.text, x.text), x


def test_archive_hunks_are_marked_even_when_nothing_needed_mending():
    fixed = repair(TWO_FILES, archive=True)
    assert fixed.repairs == ()
    assert fixed.repaired_hunks == frozenset({3, 8, 15})
    assert all(fixed.lines[k].startswith("@@ ") for k in fixed.repaired_hunks)


def test_wrapped_long_line_drops_that_hunk_only():
    damaged = TWO_FILES.replace("+new\n", "+new value that the mailer\nwrapped here\n")
    fixed = repair(damaged)
    (r,) = fixed.repairs
    assert not r.repaired and r.path == "a.c" and r.mail_line == 4
    assert "@@ -1,3 +1,3 @@" in r.what
    files = parse(fixed)
    assert [f.path for f in files] == ["a.c", "b.c"]
    assert hunk_texts(files[0]) == [("@@ -10,2 +10,3 @@", [(" ", "p"), ("+", "q"), (" ", "r")])]
    assert hunk_texts(files[1]) == [("@@ -1,2 +1,2 @@", [("-", "m"), ("+", "n"), (" ", "o")])]
    assert files[0].hunks[0].lines[1].mail_line == 12   # one line further down than before the wrap


def test_wrapped_line_in_a_real_patch_drops_one_hunk_and_keeps_the_others():
    require_shared()
    data = (CORPUS / GPIO_REGMAP).read_bytes()
    long_line = b"\n struct gpio_regmap *gpio_regmap_register(const struct gpio_regmap_config *config)\n"
    assert data.count(long_line) == 1
    wrapped = data.replace(long_line, b"\n struct gpio_regmap *gpio_regmap_register(const struct\ngpio_regmap_config *config)\n")
    clean, damaged = message(data), message(wrapped)
    assert clean.repairs == ()
    (r,) = damaged.repairs
    assert (r.path, r.mail_line, r.repaired) == ("drivers/gpio/gpio-regmap.c", 106, False)
    before, after = files_of(clean), files_of(damaged)
    assert [f.path for f in after] == [f.path for f in before] == ["drivers/gpio/gpio-regmap.c",
                                                                   "include/linux/gpio/regmap.h"]
    assert hunk_texts(after[0]) == hunk_texts(before[0])[1:]
    assert hunk_texts(after[1]) == hunk_texts(before[1])
    assert [x.mail_line for x in after[1].hunks[0].lines] == [x.mail_line + 1 for x in before[1].hunks[0].lines]


def test_truncated_hunk_at_the_end_of_the_mail():
    require_shared()
    text = SEED_MBOX.read_text()
    cut = text[:text.index("+\t\tmod = b->module;")]   # the mail ends in the middle of hunk 2
    m = message(cut.encode())
    (r,) = m.repairs
    assert not r.repaired and r.path == "kernel/bpf/verifier.c" and r.mail_line == 46   # its @@ line
    (fc,) = files_of(m)
    assert [h.header for h in fc.hunks] == ["@@ -3303,6 +3303,7 @@"]
    assert fc.mode_changed


def test_damaged_hunk_before_a_non_git_file_header_keeps_that_file():
    damaged = """\
--- a/a.c
+++ b/a.c
@@ -1,3 +1,4 @@
 x
+y
--- a/b.c
+++ b/b.c
@@ -1,2 +1,2 @@
-m
+n
 o
"""
    fixed = repair(damaged)
    (r,) = fixed.repairs
    assert not r.repaired and r.path == "a.c" and r.mail_line == 3
    files = parse(fixed)
    assert [(f.path, len(f.hunks)) for f in files] == [("a.c", 0), ("b.c", 1)]
    assert files[1].hunks[0].lines[0].mail_line == 9


def test_short_hunk_does_not_swallow_the_next_files_header_even_when_counts_fit():
    # `--- a/b.c` and `+++ b/b.c` would make up the two missing lines of the first hunk
    damaged = """\
--- a/a.c
+++ b/a.c
@@ -1,2 +1,2 @@
 x
--- a/b.c
+++ b/b.c
@@ -1,2 +1,2 @@
-m
+n
 o
"""
    fixed = repair(damaged)
    assert [r.repaired for r in fixed.repairs] == [False]
    files = parse(fixed)
    assert [(f.path, len(f.hunks)) for f in files] == [("a.c", 0), ("b.c", 1)]


def test_git_dashes_after_a_complete_hunk_are_not_damage():
    text = """\
--- a/notes.s
+++ b/notes.s
@@ -1,2 +1,2 @@
-m
+n
 o
---
 a.c | 2 +-

diff --git a/a.c b/a.c
--- a/a.c
+++ b/a.c
@@ -1,2 +1,2 @@
-m
+n
 o
"""
    fixed = repair(text)
    assert fixed.repairs == ()
    assert [f.path for f in parse(fixed)] == ["notes.s", "a.c"]


def test_real_mail_with_an_asm_diff_in_its_notes_is_not_called_damaged():
    require_shared()
    data = (CORPUS / RESCTRL_ASM_IN_NOTES).read_bytes()
    m = message(data)
    assert m.repairs == ()
    files = files_of(m)
    c = next(f for f in files if f.path == "fs/resctrl/ctrlmondata.c")
    (h,) = c.hunks
    assert h.mail_line == 105
    assert [(x.kind, x.text) for x in h.lines if x.kind != " "] == [
        ("-", "\tzero_bit = find_next_zero_bit(&val, cbm_len, first_bit);"),
        ("+", "\tzero_bit = find_next_zero_bit(&val, cbm_len, first_bit + 1);")]
    assert [x.mail_line for x in h.lines if x.kind != " "] == [109, 110]


def test_index_line_joined_onto_diff_git_is_split():
    fixed = repair("diff --git a/x b/x index 5b399..82db 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", first_line=7)
    assert fixed.lines[:2] == ("diff --git a/x b/x", "index 5b399..82db 100644")
    assert fixed.mail_lines[:3] == (7, 7, 8)
    (r,) = fixed.repairs
    assert r.repaired and r.path == "x" and r.mail_line == 7 and "index" in r.what
    (fc,) = parse(fixed)
    assert fc.path == "x" and hunk_texts(fc) == [("@@ -1,1 +1,1 @@", [("-", "a"), ("+", "b")])]


def test_mode_line_joined_onto_diff_git_is_split():
    fixed = repair("diff --git a/x.c b/x.c old mode 100644\nnew mode 100755\n")
    assert fixed.lines == ("diff --git a/x.c b/x.c", "old mode 100644", "new mode 100755")
    (fc,) = parse(fixed)
    assert (fc.old_mode, fc.new_mode, fc.mode_changed) == ("100644", "100755", True)


def test_real_mails_with_the_index_line_joined_are_split_and_parse():
    require_shared()
    for name, (index, typo) in JOINED_INDEX.items():
        data = (CORPUS / name).read_bytes()
        m = message(data)
        (r,) = m.repairs
        assert r.repaired and r.path == "drivers/pwm/pwm-imx-tpm.c"
        k = m.diff_lines.index("diff --git a/drivers/pwm/pwm-imx-tpm.c b/drivers/pwm/pwm-imx-tpm.c")
        assert m.diff_lines[k + 1] == index
        raw = data.split(b"\n")
        assert raw[r.mail_line - 1].startswith(b"diff --git a/drivers/pwm/pwm-imx-tpm.c b/drivers/pwm/pwm-imx-tpm.c index ")
        assert m.diff_mail_lines[k] == m.diff_mail_lines[k + 1] == r.mail_line
        (fc,) = files_of(m)
        assert [(x.kind, x.text) for h in fc.hunks for x in h.lines if x.kind != " "] == [
            ("-", "\t\tif (tpm->user_count > 1)"),
            ("+", f"\t\tif ((tpm->user_count > 1) && ({typo}->real_period != 0))")]


def test_no_newline_marker_is_kept():
    text = "--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n"
    fixed = repair(text)
    assert fixed.repairs == ()
    assert list(fixed.lines) == text.rstrip("\n").split("\n")
    (fc,) = parse(fixed)
    assert [(x.kind, x.text, x.no_newline) for x in fc.hunks[0].lines] == [
        (" ", "x", False), ("-", "y", True), ("+", "z", True)]


def test_signature_after_the_last_hunk_is_not_damage():
    fixed = repair(TWO_FILES + "-- \n2.43.0\n\n")
    assert fixed.repairs == ()
    assert [f.path for f in parse(fixed)] == ["a.c", "b.c"]


def test_only_damaged_corpus_mails_get_repairs():
    """Across the corpus, the mails with the joined `index` line are the only ones mended or dropped."""
    require_shared()
    sample = sorted(CORPUS.glob("*/*.patch"))[::9] + [CORPUS / name for name in JOINED_INDEX]
    seen = set()
    for path in sample:
        m = message(path.read_bytes())
        if m.repairs:
            seen.add(str(path.relative_to(CORPUS)))
    assert seen == set(JOINED_INDEX)


def test_every_hunk_that_survives_repair_matches_its_counts():
    require_shared()
    for path in sorted(CORPUS.glob("*/*.patch"))[1::11]:
        m = message(path.read_bytes())
        for fc in files_of(m):
            for h in fc.hunks:
                assert sum(x.kind != "+" for x in h.lines) == h.old_len, (path, h.header)
                assert sum(x.kind != "-" for x in h.lines) == h.new_len, (path, h.header)
                assert re.match(r"^@@ -\d+,\d+ \+\d+,\d+ @@$", h.header)


def test_plain_runs_read_as_the_line_by_line_walk_reads_them():
    """_read_hunk takes runs of plain lines counted in C before walking line by line: on plain,
    odd and damaged bodies (lost spaces, markers, `@@`, `--- ` file headers, newlines inside a
    line, bodies cut short) it gives what the walk alone gives."""
    import random

    from reviewbot.repair import _read_hunk, _walk_hunk

    plain = ["+\tint x;", "-\treturn 0;", " \tfoo();", "", "+", "-", " ", "+\u00e9t\u00e9"]
    odd = ["lost its space", "\\ No newline at end of file", "@@ -1,2 +1,2 @@", "--- a/x.c", "+++ b/x.c",
           "diff --git a/x.c b/x.c", "-- ", "--- x", "+a\nb", "\nx", "E", "\r", "Index: x", "@@ x"]
    header = ["--- a/y.c", "+++ b/y.c", "@@ -1 +1 @@"]
    for lines, old, new in (([" x"] * 20 + header, 21, 21), ([" x"] * 20 + header, 21, 22), (["-x"] * 30 + header, 31, 0),
                            (["+x"] * 20 + ["", "x"] + ["-y"] * 20, 22, 22), (["+x\ny"] * 20, 0, 20)):
        assert _read_hunk(lines, 0, old, new) == _walk_hunk(lines, 0, old, new, []), (lines, old, new)
    rng = random.Random(5)
    for case in range(3000):
        n = rng.choice((3, 20, 40, 90))
        lines = [rng.choice(plain) for _ in range(n)]
        for _ in range(rng.choice((0, 0, 1, 2))):
            lines[rng.randrange(n)] = rng.choice(odd)
        if case % 5 == 1:   # the next file's header inside (or right after) a run
            at = rng.randrange(n)
            lines[at:at] = ["--- a/y.c", "+++ b/y.c", "@@ -1 +1 @@"][:rng.choice((2, 3))]
        if case % 4 == 0:   # a pure addition or removal
            lines = [rng.choice(("+x", "-y")[case % 8 // 4:][:1]) for _ in range(n)]
            if case % 3:
                lines[rng.randrange(n)] = rng.choice(plain + odd)
        start = rng.randrange(3)
        old = sum(x[:1] in ("-", " ", "") for x in lines[start:]) + rng.choice((0, 0, -1, 1, -3))
        new = sum(x[:1] in ("+", " ", "") for x in lines[start:]) + rng.choice((0, 0, -1, 1, 2))
        if rng.random() < 0.3:   # counts for a prefix: the hunk ends before the last line
            cut = rng.randrange(start, n + 1)
            old = sum(x[:1] in ("-", " ", "") for x in lines[start:cut])
            new = sum(x[:1] in ("+", " ", "") for x in lines[start:cut])
        old, new = max(old, 0), max(new, 0)
        assert _read_hunk(lines, start, old, new) == _walk_hunk(lines, start, old, new, []), (lines, start, old, new)
