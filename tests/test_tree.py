"""Context from a tree: whole functions for function-scope rules, from a directory, the
work tree, or the commit a `git format-patch` mail came from; a fallback when it does not apply."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from reviewbot.diff import parse_diff
from reviewbot.ingest import RawMessage
from reviewbot.mail import parse_message
from reviewbot.model import Origin
from reviewbot.tree import already_applied, apply, post_image

BASE = ["// SPDX-License-Identifier: GPL-2.0", "#include <linux/slab.h>", "",
        "struct foo { int a; int b; };", "",
        "static int foo_probe(struct device *dev)", "{", "\tstruct foo *p;", "\tint i;", "",
        "\tp = kzalloc(sizeof(*p), GFP_KERNEL);"] + [f"\ti = {k};" for k in range(12)] + ["\treturn 0;", "}"]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """A real git repository: a driver, then a commit that dereferences p far below its kzalloc()."""
    repo = tmp_path / "linux"
    (repo / "drivers").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.name", "A Developer")
    _git(repo, "config", "user.email", "dev@example.org")
    (repo / "drivers/foo.c").write_text("\n".join(BASE) + "\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "foo: add driver")
    lines = BASE[:-2] + ["\tp->a = 1;"] + BASE[-2:]
    (repo / "drivers/foo.c").write_text("\n".join(lines) + "\n")
    _git(repo, "commit", "-qam", "foo: set a\n\nSigned-off-by: A Developer <dev@example.org>")
    return repo


@pytest.fixture
def patch(repo, tmp_path):
    """The commit as a mail without its `From <sha>` line, as b4 would pass it."""
    mail = _git(repo, "format-patch", "-1", "--stdout").split("\n", 1)[1]
    path = tmp_path / "set-a.eml"
    path.write_text(mail)
    return path


def _findings(run) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for p in json.loads(run.out)["patches"] for f in p["findings"]]


def test_without_a_tree_the_hunk_window_cannot_see_the_allocation(patch, tmp_path):
    run = run_cli("check", "--no-tree", "--format", "json", str(patch), cwd=tmp_path)
    assert _findings(run) == []


def test_tree_option_gives_the_whole_function(patch, repo, tmp_path):
    _git(repo, "checkout", "-q", "HEAD~1")   # the tree before the patch: applied in memory
    run = run_cli("check", "--format", "json", "--tree", str(repo), str(patch), cwd=tmp_path)
    assert _findings(run) == [("unchecked-null-return", 24)]
    message = json.loads(run.out)["patches"][0]["findings"][0]["message"]
    assert "kzalloc() (line 11)" in message


def test_work_tree_is_used_by_default(patch, repo):
    run = run_cli("check", "--format", "json", str(patch), cwd=repo)   # the tree already has the patch
    assert _findings(run) == [("unchecked-null-return", 24)]


def test_no_tree_turns_the_work_tree_off(patch, repo):
    run = run_cli("check", "--no-tree", "--format", "json", str(patch), cwd=repo)
    assert _findings(run) == []


def test_git_revision_range_reads_each_commit(repo):
    run = run_cli("check", "--format", "json", "HEAD~1..HEAD", cwd=repo)
    doc = json.loads(run.out)
    assert [p["subject"] for p in doc["patches"]] == ["[PATCH] foo: set a"]
    assert _findings(run) == [("unchecked-null-return", 24)]
    assert run.status == 1


def test_single_commit_revision(repo):
    assert _findings(run_cli("check", "--format", "json", "HEAD", cwd=repo)) == [("unchecked-null-return", 24)]


def test_patch_that_does_not_apply_falls_back_with_a_notice(patch, repo, tmp_path):
    (repo / "drivers/foo.c").write_text("int unrelated(void)\n{\n\treturn 0;\n}\n")
    run = run_cli("check", "--format", "json", "--tree", str(repo), str(patch), cwd=tmp_path)
    doc = json.loads(run.out)
    assert doc["patches"][0]["notices"] == [
        "drivers/foo.c: the patch does not apply to the tree's copy; reviewed the hunk windows only"]
    assert _findings(run) == []
    text = run_cli("check", "--tree", str(repo), str(patch), cwd=tmp_path).out
    assert "note: " in text and "does not apply" in text


def test_tree_without_the_file_is_silent(patch, tmp_path):
    empty = tmp_path / "empty-tree"
    empty.mkdir()
    run = run_cli("check", "--format", "json", "--tree", str(empty), str(patch), cwd=tmp_path)
    assert json.loads(run.out)["patches"][0]["notices"] == []


def test_tree_option_must_be_a_directory(patch, tmp_path):
    run = run_cli("check", "--tree", str(tmp_path / "nope"), str(patch), cwd=tmp_path)
    assert run.status == 2 and "not a directory" in run.err


def _file_change(diff: str):
    message = parse_message(RawMessage(Origin("t"), diff.encode()))
    files, errors = parse_diff(message.diff_lines, message.diff_mail_lines)
    assert not errors
    return files[0]


DIFF = """diff --git a/x.c b/x.c
--- a/x.c
+++ b/x.c
@@ -2,3 +2,4 @@
 b
 c
+C
 d
"""


def test_apply_maps_rows_to_new_lines_with_an_offset():
    fc = _file_change(DIFF)
    old = ["0", "1", "a", "b", "c", "d", "e"]          # two extra lines on top: offset 2
    image = apply(old, fc)
    assert image.rows == ("0", "1", "a", "b", "c", "C", "d", "e")
    assert image.new_lines == (None, None, None, 2, 3, 4, 5, None)


def test_already_applied_maps_the_patched_file():
    fc = _file_change(DIFF)
    image = already_applied(["a", "b", "c", "C", "d"], fc)
    assert image.new_lines == (None, 2, 3, 4, 5)


def test_apply_refuses_a_mismatch():
    fc = _file_change(DIFF)
    assert apply(["a", "x", "y", "d"], fc) is None
    assert already_applied(["a", "x", "y", "d"], fc) is None


def test_post_image_matches_whitespace_loosely_for_damaged_copies():
    fc = _file_change(DIFF.replace(" b\n", " b \n"))
    read = {"x.c": "a\nb\nc\nd\n"}.get
    assert post_image(read, fc, damaged=False)[0] is not None   # second, loose pass
    image, notice = post_image(read, fc, damaged=True)
    assert notice is None and image.rows[1] == "b"                # the tree's own text is kept
