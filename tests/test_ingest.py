"""reviewbot.ingest: mbox splitting, files, directories, maildirs, stdin and git revision ranges."""

from __future__ import annotations

import io
import mailbox
import os
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from reviewbot import ingest
from reviewbot.errors import InputError
from reviewbot.ingest import Problem, RawMessage, read_inputs, split_mbox
from reviewbot.model import Origin
from conftest import CORPUS, SEED_ARCHIVE, SEED_MBOX, require_shared

REAL = [
    "ml-kernel-janitors/2019-04-29_3b3ae935a819_ASoC-sprd-Fix-return-value-check-in-sprd_mcdt_probe.patch",
    "ml-linux-pwm/2021-11-08_6e886a6d313c_pwm-meson-Drop-useless-check-for-channel-data-being-NULL.patch",
    "ml-kernel-janitors/2019-05-01_faca69551266_kobject-fix-dereference-before-null-check-on-kobj.patch",
]
SHAS = ["1" * 40, "abcdef0123456789abcdef0123456789abcdef01", "9" * 40]


def real_mails() -> list[bytes]:
    require_shared()
    out = []
    for name in REAL:
        data = (CORPUS / name).read_bytes()
        out.append(data if data.endswith(b"\n") else data + b"\n")
    return out


def format_patch_mbox(mails: list[bytes]) -> tuple[bytes, list[int]]:
    """An mbox as `git format-patch` writes it, and the 1-based line of each message's first header."""
    blob = b""
    starts = []
    for sha, mail in zip(SHAS, mails):
        blob += f"From {sha} Mon Sep 17 00:00:00 2001\n".encode()
        starts.append(blob.count(b"\n") + 1)
        blob += mail
    return blob, starts


def only_messages(items) -> list[RawMessage]:
    items = list(items)
    assert all(isinstance(i, RawMessage) for i in items), items
    return items


# --- split_mbox ----------------------------------------------------------------------------------

def test_format_patch_mbox_splits_into_each_message_with_its_commit_and_first_line():
    mails = real_mails()
    blob, starts = format_patch_mbox(mails)
    got = list(split_mbox(blob, "series.mbox"))
    assert [m.data for m in got] == mails
    assert [m.commit for m in got] == SHAS
    assert [m.origin for m in got] == [Origin("series.mbox", k, starts[k]) for k in range(3)]
    # start_line is where the message's headers begin in the mbox file
    lines = blob.split(b"\n")
    for m in got:
        assert lines[m.origin.start_line - 1] == m.data.split(b"\n")[0]
        assert lines[m.origin.start_line - 2].startswith(b"From " + m.commit.encode())


def test_origin_names_the_position_after_the_first_message():
    assert str(Origin("a.mbox", 0, 1)) == "a.mbox"
    assert str(Origin("a.mbox", 2, 40)) == "a.mbox#3"


def test_seed_mbox_is_one_message_starting_on_line_2():
    require_shared()
    data = SEED_MBOX.read_bytes()
    (m,) = split_mbox(data, "seed")
    assert m.origin.start_line == 2
    assert m.data == data.split(b"\n", 1)[1]
    # `From 9331c087312ca54e ...` is not a full object name: nothing to look a commit up by
    assert m.commit is None


def test_null_sha_separator_names_no_commit():
    blob = b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: a <a@x>\n\nbody\n"
    (m,) = split_mbox(blob, "x")
    assert m.commit is None
    assert m.data == b"From: a <a@x>\n\nbody\n"


def test_sha256_separator_names_its_commit():
    sha = "ab" * 32
    (m,) = split_mbox(f"From {sha} Mon Sep 17 00:00:00 2001\nFrom: a\n\nx\n".encode(), "x")
    assert m.commit == sha


def test_mboxrd_from_lines_are_unescaped_one_level():
    blob = (b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
            b"From: A <a@x>\nSubject: [PATCH] one\n\n"
            b">From the top, this line was escaped.\n"
            b">>From this one twice.\n"
            b"> From is quoted text, not an escape.\n"
            b"From mboxrd@z Thu Jan  1 00:00:00 1970\n"
            b"From: B <b@x>\nSubject: [PATCH] two\n\nbody\n")
    one, two = split_mbox(blob, "inbox.mbox")
    assert one.data == (b"From: A <a@x>\nSubject: [PATCH] one\n\n"
                        b"From the top, this line was escaped.\n"
                        b">From this one twice.\n"
                        b"> From is quoted text, not an escape.\n")
    assert two.data == b"From: B <b@x>\nSubject: [PATCH] two\n\nbody\n"
    assert (one.origin.start_line, two.origin.start_line) == (2, 9)
    assert one.commit is None and two.commit is None


def test_from_line_without_a_date_does_not_split():
    blob = (b"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
            b"From: A <a@x>\nSubject: [PATCH] x\n\n"
            b"From what I can tell this is prose.\n"
            b"From foo@bar the next line\n")
    (m,) = split_mbox(blob, "x")
    assert m.data.endswith(b"From what I can tell this is prose.\nFrom foo@bar the next line\n")


def test_single_eml_without_separator_is_one_message_from_line_1():
    mail = real_mails()[0]
    (m,) = split_mbox(mail, "patch.eml")
    assert m.data == mail
    assert m.origin == Origin("patch.eml", 0, 1)
    assert m.commit is None


def test_text_before_the_first_separator_means_not_an_mbox():
    blob = b"Some notes first\n\nFrom 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: a\n\nx\n"
    (m,) = split_mbox(blob, "x")
    assert m.data == blob and m.origin.start_line == 1


def test_blank_lines_before_the_first_separator_are_skipped():
    blob = b"\n\nFrom 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: a\n\nx\n"
    (m,) = split_mbox(blob, "x")
    assert m.data == b"From: a\n\nx\n"
    assert m.origin.start_line == 4


def test_crlf_mbox_splits_too():
    mails = [m.replace(b"\n", b"\r\n") for m in real_mails()[:2]]
    blob = b"".join(f"From {sha} Mon Sep 17 00:00:00 2001\r\n".encode() + m for sha, m in zip(SHAS, mails))
    got = list(split_mbox(blob, "x"))
    assert [m.data for m in got] == mails
    assert [m.commit for m in got] == SHAS[:2]


def test_empty_input_is_one_empty_message():
    (m,) = split_mbox(b"", "empty")
    assert m.data == b"" and m.origin == Origin("empty", 0, 1)


# --- read_inputs: files, directories, maildirs ---------------------------------------------------

def test_file_named_relative_to_cwd(tmp_path):
    mail = real_mails()[0]
    (tmp_path / "a.patch").write_bytes(mail)
    (m,) = only_messages(read_inputs(["a.patch"], cwd=str(tmp_path)))
    assert m.data == mail and m.origin.source == "a.patch"


def test_seed_archive_copy_is_read_whole():
    require_shared()
    (m,) = only_messages(read_inputs([str(SEED_ARCHIVE)]))
    assert m.data == SEED_ARCHIVE.read_bytes()
    assert m.origin == Origin(str(SEED_ARCHIVE), 0, 1)


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no-such.patch: no such file, directory or git revision"):
        list(read_inputs(["no-such.patch"], cwd=str(tmp_path)))


def test_binary_file_named_directly_is_an_input_error(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="blob.bin: binary file"):
        list(read_inputs(["blob.bin"], cwd=str(tmp_path)))


def test_mbox_with_a_nul_byte_in_a_message_is_not_a_binary_file(tmp_path):
    a, b, _ = real_mails()
    blob, starts = format_patch_mbox([a.replace(b"Subject:", b"X-Junk: \x00\nSubject:", 1), b])
    assert b"\0" in blob[:8192]
    (tmp_path / "nul.mbox").write_bytes(blob)
    got = only_messages(read_inputs(["nul.mbox"], cwd=str(tmp_path)))
    assert [m.origin.start_line for m in got] == starts[:2]
    assert got[1].data == b


def test_file_over_the_size_limit_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 100)
    (tmp_path / "big.patch").write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="larger than"):
        list(read_inputs(["big.patch"], cwd=str(tmp_path)))


def test_empty_directory_is_an_input_error(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match="empty directory"):
        list(read_inputs(["d"], cwd=str(tmp_path)))


def test_directory_is_read_recursively_sorted_skipping_hidden_and_binary(tmp_path):
    a, b, c = real_mails()
    d = tmp_path / "patches"
    (d / "sub" / "deeper").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "b.patch").write_bytes(b)
    (d / "a.patch").write_bytes(a)
    (d / "sub" / "deeper" / "c.patch").write_bytes(c)
    (d / "sub" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (d / ".hidden.patch").write_bytes(a)
    (d / ".git" / "HEAD.patch").write_bytes(a)
    got = only_messages(read_inputs(["patches"], cwd=str(tmp_path)))
    assert [m.origin.source for m in got] == [
        os.path.join("patches", "a.patch"),
        os.path.join("patches", "b.patch"),
        os.path.join("patches", "sub", "deeper", "c.patch"),
    ]
    assert [m.data for m in got] == [a, b, c]


def test_unreadable_file_in_a_directory_is_a_problem_and_the_rest_is_read(tmp_path):
    a = real_mails()[0]
    d = tmp_path / "d"
    d.mkdir()
    (d / "a.patch").write_bytes(a)
    (d / "broken.patch").symlink_to(tmp_path / "nowhere")
    items = list(read_inputs(["d"], cwd=str(tmp_path)))
    assert [type(i) for i in items] == [RawMessage, Problem]
    assert items[0].data == a
    assert items[1].where == os.path.join("d", "broken.patch")
    assert "\n" not in str(items[1])


def test_oversized_file_in_a_directory_is_a_problem(tmp_path, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    (d / "big.patch").write_bytes(b"x" * 200)
    (d / "small.patch").write_bytes(b"y\n")
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 100)
    items = list(read_inputs(["d"], cwd=str(tmp_path)))
    assert isinstance(items[0], Problem) and "larger than" in items[0].text
    assert isinstance(items[1], RawMessage) and items[1].data == b"y\n"


def test_mbox_inside_a_directory_is_split(tmp_path):
    blob, starts = format_patch_mbox(real_mails())
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "series.mbox").write_bytes(blob)
    got = only_messages(read_inputs(["d"], cwd=str(tmp_path)))
    assert [m.origin for m in got] == [Origin(os.path.join("d", "series.mbox"), k, starts[k]) for k in range(3)]


def _email(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "A <a@example.org>"
    msg["Subject"] = subject
    msg.set_content("body of " + subject + "\n")
    return msg


def test_maildir_reads_new_and_cur_but_not_tmp(tmp_path):
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    key_new = md.add(_email("[PATCH 1/2] in new"))
    cur = mailbox.MaildirMessage(_email("[PATCH 2/2] in cur"))
    cur.set_subdir("cur")
    cur.add_flag("S")
    key_cur = md.add(cur)
    md.close()
    (tmp_path / "Mail" / "tmp" / "123.being-delivered").write_bytes(bytes(_email("half written")))
    got = only_messages(read_inputs(["Mail"], cwd=str(tmp_path)))
    subjects = [next(line for line in m.data.split(b"\n") if line.startswith(b"Subject:")) for m in got]
    assert sorted(subjects) == [b"Subject: [PATCH 1/2] in new", b"Subject: [PATCH 2/2] in cur"]
    sources = {m.origin.source for m in got}
    assert any(s.startswith(os.path.join("Mail", "new", key_new)) for s in sources)
    assert any(s.startswith(os.path.join("Mail", "cur", key_cur)) for s in sources)
    assert not any(os.sep + "tmp" + os.sep in s for s in sources)
    assert all(m.origin.start_line == 1 for m in got)
    # the order is stable from run to run
    assert [m.origin for m in got] == [m.origin for m in only_messages(read_inputs(["Mail"], cwd=str(tmp_path)))]


# --- stdin ---------------------------------------------------------------------------------------

def test_stdin_mbox_is_split_and_named_dash():
    blob, starts = format_patch_mbox(real_mails())
    got = only_messages(read_inputs(["-"], stdin=io.BytesIO(blob)))
    assert [m.origin for m in got] == [Origin("-", k, starts[k]) for k in range(3)]
    assert [m.commit for m in got] == SHAS


def test_stdin_single_message():
    mail = real_mails()[1]
    (m,) = only_messages(read_inputs(["-"], stdin=io.BytesIO(mail)))
    assert m.data == mail and m.origin == Origin("-", 0, 1)


def test_stdin_missing_is_an_input_error():
    with pytest.raises(InputError):
        list(read_inputs(["-"], stdin=None))


# --- git revision ranges -------------------------------------------------------------------------

def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with three commits on top of a root commit; the user's git config is not read."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ann Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ann@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Ann Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "ann@example.org")
    r = tmp_path / "repo"
    r.mkdir()
    _git(r, "init", "-q")
    (r / "drivers").mkdir()
    src = r / "drivers" / "foo.c"
    src.write_text("int a;\n")
    _git(r, "add", ".")
    _git(r, "commit", "-q", "-m", "foo: add a")
    for k, name in enumerate(["b", "c", "d"]):
        src.write_text(src.read_text() + f"int {name};\n")
        _git(r, "commit", "-q", "-a", "-m", f"foo: add {name}")
    return r


def test_git_range_gives_one_message_per_commit_with_its_sha(repo):
    shas = _git(repo, "rev-list", "--reverse", "HEAD~2..HEAD").split()
    got = only_messages(read_inputs(["HEAD~2..HEAD"], cwd=str(repo)))
    assert [m.commit for m in got] == shas
    assert [m.origin.source for m in got] == ["git:HEAD~2..HEAD"] * 2
    assert [m.origin.index for m in got] == [0, 1]
    assert b"Subject: [PATCH 1/2] foo: add c" in got[0].data
    assert b"Subject: [PATCH 2/2] foo: add d" in got[1].data
    assert b"+int d;" in got[1].data


def test_git_single_commit(repo):
    sha = _git(repo, "rev-parse", "HEAD~1")
    (m,) = only_messages(read_inputs(["HEAD~1"], cwd=str(repo)))
    assert m.commit == sha
    assert m.origin == Origin("git:HEAD~1", 0, 2)
    assert b"Subject: [PATCH] foo: add c" in m.data


def test_git_range_paths_keep_their_prefixes_whatever_the_users_diff_config(repo):
    _git(repo, "config", "diff.noprefix", "true")
    (m,) = only_messages(read_inputs(["HEAD~1..HEAD"], cwd=str(repo)))
    assert b"diff --git a/drivers/foo.c b/drivers/foo.c\n" in m.data
    assert b"\n+++ b/drivers/foo.c\n" in m.data


def test_git_empty_range_is_an_input_error(repo):
    with pytest.raises(InputError, match="no commits in that range"):
        list(read_inputs(["HEAD..HEAD"], cwd=str(repo)))


def test_git_bad_range_is_a_one_line_input_error(repo):
    with pytest.raises(InputError) as e:
        list(read_inputs(["nosuchrev..HEAD"], cwd=str(repo)))
    assert "\n" not in str(e.value)
    assert str(e.value).startswith("nosuchrev..HEAD: ")


def test_unknown_revision_outside_a_repository_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(InputError, match="no such file, directory or git revision"):
        list(read_inputs(["HEAD~1..HEAD"], cwd=str(tmp_path)))


def test_existing_file_wins_over_a_revision_of_the_same_name(repo):
    (repo / "HEAD").write_bytes(b"not a patch\n")
    (m,) = only_messages(read_inputs(["HEAD"], cwd=str(repo)))
    assert m.origin.source == "HEAD" and m.data == b"not a patch\n"


def test_inputs_come_in_the_order_given(tmp_path):
    a, b, _ = real_mails()
    (tmp_path / "a.patch").write_bytes(a)
    got = only_messages(read_inputs(["-", "a.patch"], stdin=io.BytesIO(b), cwd=str(tmp_path)))
    assert [(m.origin.source, m.data) for m in got] == [("-", b), ("a.patch", a)]


def test_mboxes_split_by_search_as_they_split_line_by_line():
    """Without a CR, split_mbox finds the separators with find() and cuts the messages out of the
    data: on mboxes of every odd shape (text or blank lines before the first separator, a last
    line without a newline, `>From ` escapes, lookalike separators) it gives what the split into
    lines gives."""
    import random

    from reviewbot.ingest import _split_mbox_lines

    sep = b"From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
    samples = [b"", b"From x", sep, sep + b"a\n" + sep + b"From me\n>From x\n", b"a\n" + sep + b"\n" + sep,
               sep + sep + sep[:-1], b"\n\n" + sep + b"body From " + sep, b" \t\n\x0b\n" + sep + b"x",
               b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nx\n"]
    pieces = [sep, sep[:-1], b"From mboxrd@z Thu Jan  1 00:00:00 1970\n", b"From x y\n", b">From x\n", b">>From y\n",
              b"a\n", b"\n", b" \n", b"\x0c", b"From: a\n", b"body From x\n", b"From "]
    rng = random.Random(37)
    samples += [b"".join(rng.choice(pieces) for _ in range(rng.randrange(8))) for _ in range(3000)]
    for data in samples:
        assert b"\r" not in data
        assert list(split_mbox(data, "x")) == list(_split_mbox_lines(data, "x")), data


def test_directory_labels_are_the_paths_pathlib_makes(tmp_path, monkeypatch):
    """Files under a directory are labelled by string joins: the labels are str(Path(spec) / the
    file's path relative to it) for specs written in every way (., ./d, d/, d//e, absolute)."""
    from pathlib import Path

    mail = b"From: a\nSubject: [PATCH] x\n\nbody\n"
    for rel in ("d/a.patch", "d/e/b.patch", "d/e/f/c.patch", "d/.hidden", "d/.git/x.patch", "d/e/z z.patch"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(mail)
    monkeypatch.chdir(tmp_path)
    for spec in (".", "./d", "d/", "d", "d//e", "./d/e/", str(tmp_path / "d"), str(tmp_path) + "/d/"):
        path = Path(spec)
        expected = []   # (what read_inputs made with a Path per file)
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            expected += [str(Path(spec) / (Path(root) / f).relative_to(path)) for f in sorted(files) if not f.startswith(".")]
        assert [m.origin.source for m in only_messages(read_inputs([spec]))] == expected, spec
        assert len(expected) == (4 if spec in (".", "./d", "d/", "d") or spec.startswith("/") else 3)


def test_mboxrd_escapes_undone_only_where_the_regex_would_undo_them():
    """_mbox_message runs the >From regex only on bodies holding `>From ` (every escape does):
    on random bodies it gives what the regex gives on all of them."""
    import random

    from reviewbot.ingest import _MBOXRD_ESCAPE, _mbox_message

    pieces = [b">From x\n", b">>From y\n", b"From z\n", b"a>From b\n", b" >From c\n", b">\n", b">>\n", b"From\n", b"x\n",
              b">From", b"\n"]
    rng = random.Random(41)
    for _ in range(3000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randrange(8)))
        assert _mbox_message(b"From x\n", body, "x", 0, 0).data == _MBOXRD_ESCAPE.sub(rb"\1", body), body
