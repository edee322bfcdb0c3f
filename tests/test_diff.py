"""reviewbot.diff: file changes, hunks and lines, with their numbers in the files and in the mail."""

from __future__ import annotations

import pytest

from reviewbot.diff import DiffError, parse_diff
from reviewbot.ingest import split_mbox
from reviewbot.mail import parse_message
from reviewbot.paths import diff_path
from conftest import CORPUS, SEED_MBOX, require_shared

MODECHANGE_B64 = "ml-modechange/2020-09-03_6e2230697fe1_usb-xhci-mtk-add-mt8192-wakeup.patch"


def lines_of(text: str) -> tuple[str, ...]:
    out = text.split("\n")
    if out[-1] == "":
        out.pop()
    return tuple(out)


def pd(text: str, first: int = 101, damaged=frozenset(), all_damaged=False):
    lines = lines_of(text)
    return parse_diff(lines, tuple(range(first, first + len(lines))), damaged, all_damaged)


def one(text: str, **kw):
    files, errors = pd(text, **kw)
    assert errors == ()
    (fc,) = files
    return fc


def rows(h):
    return [(x.kind, x.text, x.old, x.new) for x in h.lines]


def test_empty_diff():
    assert parse_diff((), ()) == ((), ())


def test_mode_change_only():
    fc = one("diff --git a/kernel/x.c b/kernel/x.c\nold mode 100644\nnew mode 100755\n")
    assert (fc.old_path, fc.new_path, fc.path, fc.status) == ("kernel/x.c", "kernel/x.c", "kernel/x.c", "modified")
    assert (fc.old_mode, fc.new_mode, fc.mode_changed, fc.binary, fc.hunks) == ("100644", "100755", True, False, ())
    assert fc.mail_line == 101


def test_seed_mode_change_with_content():
    require_shared()
    (m,) = [parse_message(r) for r in split_mbox(SEED_MBOX.read_bytes(), "seed")]
    files, errors = parse_diff(m.diff_lines, m.diff_mail_lines)
    assert errors == ()
    (fc,) = files
    assert (fc.path, fc.status, fc.old_mode, fc.new_mode, fc.mode_changed) == (
        "kernel/bpf/verifier.c", "modified", "100644", "100755", True)
    assert fc.mail_line == 32   # `diff --git` is line 32 of the mbox file
    h1, h2 = fc.hunks
    assert (h1.old_start, h1.old_len, h1.new_start, h1.new_len) == (3303, 6, 3303, 7)
    assert h1.section == "static struct btf *__find_kfunc_desc_btf(struct bpf_verifier_env *env,"
    assert h1.mail_line == 38 and h2.mail_line == 46
    # the lone added blank line is new line 3306; `mod = b->module;` is new line 3508
    assert [(x.new, x.mail_line) for x in h1.added] == [(3306, 42)]
    assert next(x for x in h2.added if x.text.strip() == "mod = b->module;").new == 3508
    assert [x.old for x in h2.lines if x.kind == "-"] == [3501]
    assert (h2.header, len(h2.added), len(h2.post_image)) == ("@@ -3498,7 +3499,16 @@", 10, 16)


def test_mode_change_in_a_base64_mail():
    require_shared()
    (m,) = [parse_message(r) for r in split_mbox((CORPUS / MODECHANGE_B64).read_bytes(), "x")]
    files, errors = parse_diff(m.diff_lines, m.diff_mail_lines)
    assert errors == ()
    (fc,) = files
    assert (fc.path, fc.old_mode, fc.new_mode, fc.mode_changed) == ("drivers/usb/host/xhci-mtk.c", "100644", "100755", True)
    assert [h.header for h in fc.hunks] == ["@@ -68,9 +68,13 @@", "@@ -305,6 +309,11 @@"]


def test_new_executable_file():
    fc = one("""\
diff --git a/scripts/run.sh b/scripts/run.sh
new file mode 100755
index 0000000..e69de29
--- /dev/null
+++ b/scripts/run.sh
@@ -0,0 +1,2 @@
+#!/bin/sh
+echo hi
""")
    assert (fc.old_path, fc.new_path, fc.status, fc.old_mode, fc.new_mode) == (None, "scripts/run.sh", "added", None, "100755")
    assert not fc.mode_changed   # a new file has no mode to change from
    (h,) = fc.hunks
    assert rows(h) == [("+", "#!/bin/sh", None, 1), ("+", "echo hi", None, 2)]
    assert [x.mail_line for x in h.lines] == [107, 108]


def test_new_empty_file_has_no_hunks():
    fc = one("diff --git a/empty.c b/empty.c\nnew file mode 100644\nindex 0000000..e69de29\n")
    assert (fc.old_path, fc.new_path, fc.status, fc.new_mode, fc.hunks) == (None, "empty.c", "added", "100644", ())


def test_deleted_file():
    fc = one("""\
diff --git a/drivers/old.c b/drivers/old.c
deleted file mode 100644
index 1234567..0000000
--- a/drivers/old.c
+++ /dev/null
@@ -1,2 +0,0 @@
-int x;
-int y;
""")
    assert (fc.old_path, fc.new_path, fc.path, fc.status, fc.old_mode, fc.new_mode) == (
        "drivers/old.c", None, "drivers/old.c", "deleted", "100644", None)
    assert rows(fc.hunks[0]) == [("-", "int x;", 1, None), ("-", "int y;", 2, None)]
    assert fc.hunks[0].added == () and fc.hunks[0].post_image == ()


def test_rename_with_changes_and_pure_rename():
    files, errors = pd("""\
diff --git a/old/r.c b/new/r.c
similarity index 90%
rename from old/r.c
rename to new/r.c
index 1111111..2222222 100644
--- a/old/r.c
+++ b/new/r.c
@@ -1,2 +1,2 @@
-a
+b
 c
diff --git a/pure/ren.c b/other/ren.c
similarity index 100%
rename from pure/ren.c
rename to other/ren.c
""")
    assert errors == ()
    changed, pure = files
    assert (changed.old_path, changed.new_path, changed.status) == ("old/r.c", "new/r.c", "renamed")
    assert rows(changed.hunks[0]) == [("-", "a", 1, None), ("+", "b", None, 1), (" ", "c", 2, 2)]
    assert (pure.old_path, pure.new_path, pure.status, pure.hunks) == ("pure/ren.c", "other/ren.c", "renamed", ())
    assert (changed.mail_line, pure.mail_line) == (101, 112)


def test_copy():
    fc = one("""\
diff --git a/x.c b/y.c
similarity index 80%
copy from x.c
copy to y.c
index 1111111..2222222 100644
--- a/x.c
+++ b/y.c
@@ -1 +1 @@
-a
+b
""")
    assert (fc.old_path, fc.new_path, fc.status) == ("x.c", "y.c", "copied")


def test_binary_files_differ_and_git_binary_patch():
    files, errors = pd("""\
diff --git a/img.png b/img.png
index 1111111..2222222 100644
Binary files a/img.png and b/img.png differ
diff --git a/fw.bin b/fw.bin
new file mode 100644
index 0000000000000000000000000000000000000000..5a5ac1b8c6e0d5f0fb4d7d5c2d7b9d8f8f3a7c45
GIT binary patch
literal 12
TcmZQzWMXCI;$UQ7U}j(d00jU8

literal 0
HcmV?d00001

diff --git a/after.c b/after.c
index 1111111..2222222 100644
--- a/after.c
+++ b/after.c
@@ -1 +1 @@
-a
+b
""")
    assert errors == ()
    png, fw, after = files
    assert (png.path, png.binary, png.status, png.hunks) == ("img.png", True, "modified", ())
    assert (fw.path, fw.binary, fw.status, fw.hunks) == ("fw.bin", True, "added", ())
    assert (after.path, after.binary) == ("after.c", False)
    assert rows(after.hunks[0]) == [("-", "a", 1, None), ("+", "b", None, 1)]
    assert after.hunks[0].lines[1].mail_line == 120


def test_non_git_diff_with_tab_timestamps():
    fc = one("--- a/x.c\t2024-01-01 10:00:00.000000000 +0100\n+++ b/x.c\t2024-01-02 10:00:00.000000000 +0100\n"
             "@@ -1,2 +1,2 @@\n-a\n+b\n c\n")
    assert (fc.old_path, fc.new_path, fc.status, fc.mail_line) == ("x.c", "x.c", "modified", 101)
    assert rows(fc.hunks[0]) == [("-", "a", 1, None), ("+", "b", None, 1), (" ", "c", 2, 2)]


def test_non_git_diff_with_spaces_before_the_timestamps_is_not_a_rename():
    fc = one("--- fs/resctrl/ctrlmondata.c    2025-10-26 08:21:46.928920563 +0100\n"
             "+++ fs/resctrl/ctrlmondata.c    2025-10-26 08:21:40.864024143 +0100\n"
             "@@ -1603,2 +1603,2 @@\n-a\n+b\n c\n")
    # patch -p1 semantics: the first directory is the a/ or b/ side's name
    assert (fc.old_path, fc.new_path, fc.status) == ("resctrl/ctrlmondata.c", "resctrl/ctrlmondata.c", "modified")
    assert (fc.hunks[0].old_start, fc.hunks[0].new_start) == (1603, 1603)


def test_quilt_style_diff_between_two_trees_is_a_modification():
    files, errors = pd("""\
diff -urN linux-6.1.orig/drivers/x.c linux-6.1/drivers/x.c
--- linux-6.1.orig/drivers/x.c\t2024-01-01 10:00:00.000000000 +0100
+++ linux-6.1/drivers/x.c\t2024-01-02 10:00:00.000000000 +0100
@@ -5 +5 @@ int f(void)
-a
+b
diff -urN linux-6.1.orig/drivers/new.c linux-6.1/drivers/new.c
--- linux-6.1.orig/drivers/new.c\t1970-01-01 01:00:00.000000000 +0100
+++ linux-6.1/drivers/new.c\t2024-01-02 10:00:00.000000000 +0100
@@ -0,0 +1 @@
+n
--- linux-6.1.orig/drivers/gone.c
+++ /dev/null
@@ -1 +0,0 @@
-g
""")
    assert errors == ()
    x, new, gone = files
    assert (x.old_path, x.new_path, x.status) == ("drivers/x.c", "drivers/x.c", "modified")
    assert x.hunks[0].section == "int f(void)"
    assert (new.old_path, new.new_path, new.status) == (None, "drivers/new.c", "added")
    assert (gone.old_path, gone.new_path, gone.status) == ("drivers/gone.c", None, "deleted")
    assert [f.mail_line for f in files] == [102, 108, 112]   # the `---` line of each file


def test_git_hunk_from_line_zero_of_an_existing_file_is_not_an_added_file():
    fc = one("diff --git a/e.c b/e.c\nindex e69de29..1111111 100644\n--- a/e.c\n+++ b/e.c\n@@ -0,0 +1 @@\n+x\n")
    assert (fc.old_path, fc.status) == ("e.c", "modified")


def test_no_newline_at_end_of_file():
    fc = one("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n")
    assert [(x.kind, x.text, x.no_newline, x.mail_line) for x in fc.hunks[0].lines] == [
        (" ", "x", False, 104), ("-", "y", True, 105), ("+", "z", True, 107)]


def test_line_numbers_across_hunks():
    fc = one("""\
diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -10,4 +10,5 @@ int f(void)
 a
-b
+B
+C
 c
 d
@@ -40,3 +41,2 @@ int g(void)
 x
-y
 z
""")
    h1, h2 = fc.hunks
    assert rows(h1) == [(" ", "a", 10, 10), ("-", "b", 11, None), ("+", "B", None, 11), ("+", "C", None, 12),
                        (" ", "c", 12, 13), (" ", "d", 13, 14)]
    assert rows(h2) == [(" ", "x", 40, 41), ("-", "y", 41, None), (" ", "z", 42, 42)]
    assert (h1.mail_line, h2.mail_line) == (104, 111)
    assert [x.mail_line for x in h1.lines] == list(range(105, 111))
    assert [x.new for x in h1.post_image] == [10, 11, 12, 13, 14]
    assert [x.text for x in h1.added] == ["B", "C"]


def test_mail_lines_are_taken_from_the_map_not_counted():
    lines = lines_of("--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n")
    mail = (10, 11, 12, 20, 25, 26)   # e.g. soft line breaks in between
    (fc,), _ = parse_diff(lines, mail)
    assert fc.hunks[0].mail_line == 12
    assert [x.mail_line for x in fc.hunks[0].lines] == [20, 25, 26]


def test_repaired_flag_from_the_damaged_hunk_headers():
    text = "--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n@@ -10 +10 @@\n-c\n+d\n"
    fc = one(text, damaged=frozenset({5}))
    assert [h.repaired for h in fc.hunks] == [False, True]
    assert [h.repaired for h in one(text).hunks] == [False, False]
    assert [h.repaired for h in one(text, all_damaged=True).hunks] == [True, True]


def test_unparseable_file_is_an_error_and_the_others_still_parse():
    files, errors = pd("""\
diff --git a/a.c b/a.c
--- a/a.c
+++ b/a.c
@@ -1 +1 @@
-a
+b
diff --git a/b.c b/b.c
index 1111111..2222222 100644
--- a/b.c
+++ b/b.c
@@ -1,2 +1,2 @@
-a
+b
@@ -10,3 +10,3 @@
 z
diff --git a/c.c b/c.c
--- a/c.c
+++ b/c.c
@@ -1 +1 @@
-a
+b
""")
    assert [f.path for f in files] == ["a.c", "c.c"]
    (e,) = errors
    assert isinstance(e, DiffError)
    assert (e.path, e.mail_line) == ("b.c", 107)
    assert e.text and "\n" not in e.text
    assert files[1].mail_line == 116 and files[1].hunks[0].lines[0].mail_line == 120


def test_unparseable_file_without_plus_plus_plus_is_named_by_its_git_header():
    files, errors = pd("""\
diff --git a/a.c b/a.c
--- a/a.c
+++ b/a.c
@@ -1 +1 @@
-a
+b
diff --git a/b.c b/b.c
@@ -1,2 +1,2 @@
-a
""")
    assert [f.path for f in files] == ["a.c"]
    assert [(e.path, e.mail_line) for e in errors] == [("b.c", 107)]


def test_quoted_paths():
    files, errors = pd('''\
diff --git "a/dir/sp ace.c" "b/dir/sp ace.c"
index 1111111..2222222 100644
--- "a/dir/sp ace.c"
+++ "b/dir/sp ace.c"
@@ -1 +1 @@
-a
+b
diff --git "a/caf\\303\\251.c" "b/caf\\303\\251.c"
index 1111111..2222222 100644
--- "a/caf\\303\\251.c"
+++ "b/caf\\303\\251.c"
@@ -1 +1 @@
-a
+b
''')
    assert errors == ()
    assert [f.path for f in files] == ["dir/sp ace.c", "caf\u00e9.c"]


def test_diff_path():
    assert diff_path("a/kernel/bpf/verifier.c") == "kernel/bpf/verifier.c"
    assert diff_path("b/x.c\t2024-01-01 10:00:00.000000000 +0100") == "x.c"
    assert diff_path("linux/x.c    2025-10-26 08:21:40.864024143 +0100") == "x.c"
    assert diff_path("a/x.c\tMon Jan  1 10:00:00 2024") == "x.c"
    assert diff_path("/dev/null") is None and diff_path(None) is None
    assert diff_path('"b/sp ace.c"') == "sp ace.c"
    assert diff_path("Makefile") == "Makefile"


_BODIES = {
    "no newline at the end, inside and after the hunk": (
        "--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
        "\\ No newline at end of file\n"),
    "blank context lines and a CR": "--- a/x.c\n+++ b/x.c\n@@ -1,4 +1,4 @@\n\n a\r\n-b\n+c\r\n\r\n\n",
    "two files, a new one": (
        "diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -3 +3 @@ int f(void)\n-a\n+b\n"
        "diff --git a/y.c b/y.c\nnew file mode 100644\n--- /dev/null\n+++ b/y.c\n@@ -0,0 +1,2 @@\n+x\n+\n"),
    "an empty hunk": "--- a/x.c\n+++ b/x.c\n@@ -0,0 +0,0 @@\n\\ No newline at end of file\n",
}


@pytest.mark.parametrize("name", sorted(_BODIES))
def test_hunk_lines_read_after_the_quick_parse_are_those_of_unidiffs_full_parse(name):
    import unidiff

    from reviewbot.diff import _file_change, _patch

    lines = tuple(_BODIES[name].split("\n")[:-1])
    mail_lines = tuple(range(10, 10 + len(lines)))
    quick, headers = _patch(lines)
    assert headers is not None
    at = iter(headers)
    mine = [_file_change(pf, mail_lines, 0, None, frozenset(), False, lines, at) for pf in quick]
    full = unidiff.PatchSet("\n".join(lines) + "\n")
    theirs = [_file_change(pf, mail_lines, 0, None, frozenset(), False) for pf in full]
    assert mine == theirs
    assert any(x.no_newline for fc in mine for h in fc.hunks for x in h.lines) == name.startswith("no newline")


def test_a_line_holding_a_newline_takes_unidiffs_full_parse():
    from reviewbot.diff import _patch

    patch, headers = _patch(("--- a/x.c", "+++ b/x.c", "@@ -1 +1 @@", "-a", "+b\n+c"))
    assert headers is None


def test_hunk_lines_picked_out_once_stay_a_value():
    """Hunk keeps `added` and `post_image` once computed, and stays equal, hashed and replaced
    as the NamedTuple of its fields."""
    from reviewbot.diff import DiffLine, Hunk

    lines = (DiffLine(" ", "a", 1, 1, 5), DiffLine("-", "b", 2, None, 6), DiffLine("+", "c", None, 2, 7))
    h = Hunk(1, 2, 1, 2, "", lines, 4)
    assert h.added == (lines[2],) and h.post_image == (lines[0], lines[2])
    assert h.added is h.added
    assert h == tuple(h) and hash(h) == hash(tuple(h))
    other = h._replace(lines=lines[:2])
    assert type(other) is Hunk and other.added == () and other.post_image == (lines[0],)


# Diffs for the one-pass read of the plainest git shape (_plain_git_diff): what it reads must be
# what unidiff's read makes of them; anything else it must leave to unidiff.
_GIT = "diff --git a/x.c b/x.c\nindex 1111111..2222222 100644\n--- a/x.c\n+++ b/x.c\n"
_PLAIN_OR_NOT = {
    "plain: two hunks, two files, a new and a deleted one": (
        _GIT + "@@ -1,3 +1,3 @@ int f(void)\n a\n-b\n+c\n d\n@@ -10,2 +10,3 @@\n e\n+f\n g\n"
        "diff --git a/n.c b/n.c\nnew file mode 100644\nindex 0000000..3333333\n--- /dev/null\n+++ b/n.c\n"
        "@@ -0,0 +1,2 @@\n+x\n+y\n"
        "diff --git a/d.c b/d.c\ndeleted file mode 100755\nindex 3333333..0000000\n--- a/d.c\n+++ /dev/null\n"
        "@@ -1 +0,0 @@\n-x\n"),
    "plain: signature and blank lines after the last hunk": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n-- \n2.43.0\n\n",
    "plain: empty context lines": _GIT + "@@ -1,3 +1,3 @@\n\n-b\n+c\n\n",
    "plain: base-commit and a signature without its space after the last hunk": (
        _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n---\nbase-commit: 0123abc\nprerequisite-patch-id: 4567\n--\n2.49.0\n\n"),
    "plain: without diff --git lines (quilt), an added, a removed and a changed file": (
        "--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n--- /dev/null\n+++ b/n.c\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        "--- a/d.c\n+++ b/d.c\n@@ -1,2 +0,0 @@\n-x\n-y\n--- a/e.c\n+++ /dev/null\n@@ -3 +3,0 @@\n-z\n"
        "--- a/f.c\n+++ b/f.c\n@@ -0,0 +1 @@\n+f\n@@ -5 +6 @@\n-g\n+h\n-- \n2.43.0\n"),
    "without diff --git lines, a hunk's removed `-- ` line before an added `++ ` one": (
        "--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n--- b\n+++ c\n"),
    "without diff --git lines, then a git part": "--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-b\n+c\n" + _GIT + "@@ -1 +1 @@\n-a\n+b\n",
    "without diff --git lines, names with timestamps": "--- a/x.c 2020-01-01\n+++ b/x.c 2020-01-02\n@@ -1 +1 @@\n-b\n+c\n",
    "without diff --git lines, an Index: line between files": (
        "--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-b\n+c\nIndex: y.c\n=====\n--- a/y.c\n+++ b/y.c\n@@ -1 +1 @@\n-b\n+c\n"),
    "a git header line after the last hunk": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n\nbase-commit: 1\nnew file mode 100644\n",
    "a marker after the signature": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n-- \n\\ No newline at end of file\n",
    "a hunk header after the signature": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n-- \n@@ -1 +1 @@\n-a\n+b\n",
    "plain: a hunk without counts": _GIT + "@@ -5 +5 @@\n-b\n+c\n",
    "CRLF lines": _GIT.replace("\n", "\r\n") + "@@ -1,2 +1,2 @@\r\n a\r\n-b\r\n+c\r\n",
    "a CR only line in a hunk": _GIT + "@@ -1,3 +1,3 @@\n a\n\r\n-b\n+c\n",
    "no newline at the end": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
    "binary": "diff --git a/a.bin b/a.bin\nindex 1..2 100644\nBinary files a/a.bin and b/a.bin differ\n",
    "rename": ("diff --git a/o.c b/n.c\nsimilarity index 90%\nrename from o.c\nrename to n.c\nindex 1..2 100644\n"
               "--- a/o.c\n+++ b/n.c\n@@ -1 +1 @@\n-a\n+b\n"),
    "mode change": "diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\n",
    "mode change with content": ("diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\nindex 1..2\n"
                                 "--- a/s.sh\n+++ b/s.sh\n@@ -1 +1 @@\n-a\n+b\n"),
    "truncated hunk": _GIT + "@@ -1,3 +1,3 @@\n a\n-b\n+c\n",
    "hunk longer than its counts": _GIT + "@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n",
    "junk between files": _GIT + "@@ -1 +1 @@\n-a\n+b\nsome text\n" + _GIT + "@@ -3 +3 @@\n-a\n+b\n",
    "junk after the signature": _GIT + "@@ -1 +1 @@\n-a\n+b\n-- \n--- a/y.c\n",
    "quoted path": 'diff --git "a/x y.c" "b/x y.c"\nindex 1..2 100644\n--- "a/x y.c"\n+++ "b/x y.c"\n@@ -1 +1 @@\n-a\n+b\n',
    "a line holding a newline": None,
    "non-git diff": "--- x.c.orig\t2020-01-01\n+++ x.c\t2020-01-02\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
}


@pytest.mark.parametrize("name", sorted(_PLAIN_OR_NOT))
def test_plain_git_diffs_read_in_one_pass_as_unidiff_reads_them(name, monkeypatch):
    import reviewbot.diff as d

    if _PLAIN_OR_NOT[name] is None:
        lines = tuple(lines_of(_GIT + "@@ -1 +1 @@\n-a\n+b\n")[:-1]) + ("+b\n+c",)
    else:
        lines = lines_of(_PLAIN_OR_NOT[name])
    mails = tuple(range(3, 3 + len(lines)))
    for damaged, all_damaged in ((frozenset(), False), (frozenset({4}), False), (frozenset(), True)):
        taken = d._plain_git_diff(lines, mails, damaged, all_damaged) is not None
        assert taken == name.startswith("plain")
        fast = parse_diff(lines, mails, damaged, all_damaged)
        monkeypatch.setattr(d, "_plain_git_diff", lambda *args: None)
        slow = parse_diff(lines, mails, damaged, all_damaged)
        monkeypatch.undo()
        assert repr(fast) == repr(slow)


def test_damaged_plain_diffs_read_in_one_pass_as_unidiff_reads_them(monkeypatch):
    """Plain diffs with added-only, removed-only and mixed hunks, then damaged (a line dropped,
    doubled or replaced, a count changed): the one-pass read gives unidiff's result or leaves
    the diff to it."""
    import random
    import re

    import reviewbot.diff as d

    def plain_diff(rng):
        text = ""
        quilt = rng.random() < 0.3   # no diff --git lines
        for f in range(rng.randrange(1, 4)):
            shape = rng.choice(("new", "deleted", "modified"))
            if quilt:
                text += "--- /dev/null\n" if shape == "new" and rng.random() < 0.5 else f"--- a/f{f}.c\n"
                text += "+++ /dev/null\n" if shape == "deleted" and rng.random() < 0.5 else f"+++ b/f{f}.c\n"
                shape = rng.choice((shape, "modified"))
            elif shape == "modified":
                text += f"diff --git a/f{f}.c b/f{f}.c\nindex 1111111..2222222 100644\n--- a/f{f}.c\n+++ b/f{f}.c\n"
            else:
                text += f"diff --git a/f{f}.c b/f{f}.c\n{shape} file mode 100644\nindex 1111111..2222222\n"
                text += "--- /dev/null\n" if shape == "new" else f"--- a/f{f}.c\n"
                text += "+++ /dev/null\n" if shape == "deleted" else f"+++ b/f{f}.c\n"
            for h in range(1 if shape != "modified" else rng.randrange(1, 4)):
                kinds = {"new": "+", "deleted": "-"}.get(shape) or rng.choice(("+", "-", "+- ", "+- ", " +"))
                body = [rng.choice(kinds) + rng.choice(("x", "\tint y;", "", "+", "-", " ")) for _ in range(rng.randrange(1, 30))]
                body = [("" if line == " " and rng.random() < 0.3 else line) for line in body]
                old = sum(x[:1] in "- " for x in body)
                new = sum(x[:1] in "+ " for x in body)
                # (a side without lines starts at 0, or -- by some tools -- where it would be)
                old_start = 0 if not old and rng.random() < 0.7 else 10 * h + 1
                new_start = 0 if not new and rng.random() < 0.7 else 10 * h + 1
                text += f"@@ -{old_start},{old} +{new_start},{new} @@\n"
                text += "".join(x + "\n" for x in body)
        return text + rng.choice(("", "-- \n2.43.0\n\n", "\n", "\n---\nbase-commit: 1a\n--\n2.49.0\n", "\nIndex: x\n"))

    noise = ["", " ", "+", "-", "x", "\\ No newline at end of file", "@@ -1,2 +1,2 @@", "--- a/x.c", "-- ", "+\r"]
    rng = random.Random(13)
    taken = 0
    for case in range(400):
        lines = lines_of(plain_diff(rng))
        if case % 4:
            k = rng.randrange(len(lines))
            op = rng.randrange(4)
            if op == 0:
                lines = lines[:k] + lines[k + 1:]
            elif op == 1:
                lines = lines[:k] + (lines[k],) + lines[k:]
            elif op == 2:
                lines = lines[:k] + (rng.choice(noise),) + lines[k + 1:]
            else:
                lines = tuple(re.sub(r",\d+ ", f",{rng.randrange(4)} ", x, count=1) if x.startswith("@@") and rng.random() < 0.5
                              else x for x in lines)
        mails = tuple(range(3, 3 + len(lines)))
        taken += d._plain_git_diff(lines, mails, frozenset(), False) is not None
        fast = parse_diff(lines, mails)
        monkeypatch.setattr(d, "_plain_git_diff", lambda *args: None)
        slow = parse_diff(lines, mails)
        monkeypatch.undo()
        assert repr(fast) == repr(slow), lines
        for h in (h for fc in fast[0] for h in fc.hunks):   # (set up front for one-sided hunks)
            assert h.added == tuple(x for x in h.lines if x.kind == "+")
            assert h.post_image == tuple(x for x in h.lines if x.kind != "-")
    assert taken > 80
