"""reviewbot/watch/: the service against a real git archive in public-inbox v2 layout and a real
SMTP server on loopback (aiosmtpd), checking exactly which mails arrive."""

from __future__ import annotations

import email
import email.policy
import io
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import CORPUS, require_shared, run_cli
from reviewbot.watch.config import load_watch_config
from reviewbot.watch.service import Service
from reviewbot.watch.state import State

BOT = "reviewbot <bot@review.example>"
LIST = "linux-pwm@vger.kernel.org"
FINDINGS = ("2025-01-10_0e79c390bbdf", "2025-01-15_fb43f04feb7a", "2025-02-05_921511a9b57f",
            "2025-02-07_db4eb9992058")          # patches to C files, made executable by `patch()`
CLEAN = "2025-01-10_0a5dcc2835dd"                 # left as it is: nothing to say
# The tests run one rule, one the seed pins (so rule work elsewhere cannot move these tests).
RULES = 'select = ["executable-source-file"]\n'
_NEW_C_FILE = re.compile(rb"^(diff --git a/\S+\.c b/\S+\n)new file mode 100644\n", re.MULTILINE)
_C_FILE_INDEX = re.compile(rb"^(diff --git a/\S+\.c b/\S+\n)(index [0-9a-f]+\.\.[0-9a-f]+) 100644\n", re.MULTILINE)


# --- mails ---------------------------------------------------------------------------------------


def corpus(prefix: str) -> bytes:
    require_shared()
    return next((CORPUS / "ml-linux-pwm").glob(prefix + "*")).read_bytes()


def rewrite(data: bytes, headers: dict[str, str | None]) -> bytes:
    """The mail with these headers replaced (None: removed) and the others kept."""
    head, sep, body = data.partition(b"\n\n")
    names = {k.lower() for k in headers}
    out, skipping = [], False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                out.append(line)
            continue
        skipping = line.split(b":", 1)[0].decode("latin-1").strip().lower() in names
        if not skipping:
            out.append(line)
    out += [f"{k}: {v}".encode() for k, v in headers.items() if v is not None]
    return b"\n".join(out) + sep + body


def patch(prefix: str, n: int, *, thread: str | None = None, author: str | None = None, date: str | None = None,
          subject: str | None = None, **extra: str) -> bytes:
    """A corpus patch as mail number n: Message-ID <pN@example.org>, sent to LIST by devN."""
    headers = {
        "From": author or f"Dev {n} <dev{n}@example.org>",
        "To": f"Maint <maint@example.org>, {LIST}",
        "Cc": "Other <other@example.org>",
        "Message-ID": f"<p{n}@example.org>",
        "In-Reply-To": f"<{thread}>" if thread else None,
        "References": f"<{thread}>" if thread else None,
        "Date": date or "Mon, 3 Mar 2025 10:00:00 +0000",
    }
    if subject is not None:
        headers["Subject"] = subject
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    data = corpus(prefix)
    if prefix in FINDINGS:     # a C file turned executable: an error for executable-source-file
        data, n = _C_FILE_INDEX.subn(rb"\1old mode 100644\nnew mode 100755\n\2\n", data, count=1)
        if not n:
            data, n = _NEW_C_FILE.subn(rb"\1new file mode 100755\n", data, count=1)
        assert n == 1
    return rewrite(data, headers)


def cover_letter(n: int) -> bytes:
    return (f"From: Dev {n} <dev{n}@example.org>\nTo: {LIST}\nSubject: [PATCH v2 0/2] pwm: two things\n"
            f"Date: Mon, 3 Mar 2025 10:00:00 +0000\nMessage-ID: <p{n}@example.org>\n\n"
            "This series does two things.\n\nDev\n").encode()


def now_date(offset: float = 0.0) -> str:
    return email.utils.formatdate(time.time() + offset)


# --- a public-inbox v2 archive -------------------------------------------------------------------


class Inbox:
    """`ROOT/git/N.git`, each commit on master adding one message as the file `m`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, epoch: int = 0) -> Path:
        path = self.root / "git" / f"{epoch}.git"
        if not path.exists():
            subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
        return path

    def add(self, *messages: bytes, epoch: int = 0) -> None:
        gitdir = self.git(epoch)
        tip = subprocess.run(["git", f"--git-dir={gitdir}", "rev-parse", "--verify", "--quiet", "refs/heads/master"],
                             capture_output=True, text=True).stdout.strip()
        stream = b""
        for i, m in enumerate(messages):
            stream += b"commit refs/heads/master\ncommitter A U Thor <a@example.org> 1700000000 +0000\ndata 1\nm\n"
            if i == 0 and tip:
                stream += f"from {tip}\n".encode()
            stream += f"M 100644 inline m\ndata {len(m)}\n".encode() + m + b"\n"
        subprocess.run(["git", f"--git-dir={gitdir}", "fast-import", "--quiet"], input=stream, check=True)


# --- a loopback SMTP server ------------------------------------------------------------------------


class Mail(NamedTuple):
    sender: str
    rcpt: list[str]
    msg: email.message.EmailMessage


class Sink:
    """An aiosmtpd handler keeping what it accepts; `responses` queues answers to DATA."""

    def __init__(self) -> None:
        self.received: list[Mail] = []
        self.responses: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if self.responses:
            answer = self.responses.pop(0)
            if not answer.startswith("250"):
                return answer
        data = envelope.original_content or envelope.content
        self.received.append(Mail(envelope.mail_from, list(envelope.rcpt_tos),
                                  email.message_from_bytes(data, policy=email.policy.default)))
        return "250 OK"

    def raw(self, mail: Mail) -> bytes:
        return mail.msg.as_bytes()

    def in_reply_to(self) -> list[str]:
        return sorted(m.msg["In-Reply-To"] for m in self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


# --- configurations and runs ----------------------------------------------------------------------


def write_config(tmp_path: Path, *, port: int | None = None, mode: str = "live", recipients: str = "list",
                 source: str | None = None, outbox: bool = False, lists: str = "", top: str = "",
                 review: str = "") -> Path:
    source = source or f'{{ type = "public-inbox", path = "{tmp_path / "inbox"}" }}'
    text = f'state = "{tmp_path / "state.sqlite"}"\npoll-interval = 1\n{top}\n'
    if outbox:
        text += f'outbox = "{tmp_path / "outbox"}"\n'
    text += f'\n[reply]\nfrom = "{BOT}"\ncontact = "admin@review.example"\n'
    if port is not None:
        text += f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 10\n'
    text += (f'\n[[lists]]\nname = "linux-pwm"\naddress = "{LIST}"\nmode = "{mode}"\nrecipients = "{recipients}"\n'
             f'source = {source}\n{lists}\n')
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES + review)
    path = tmp_path / "watch.toml"
    path.write_text(text.replace("\n\n[reply]", f'\nreview-config = "{rules}"\n\n[reply]', 1))
    return path


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def watch(config: Path, *, backfill: bool = False, clock=None, environ=None) -> tuple[int, str]:
    log = io.StringIO()
    service = Service(load_watch_config(config), now=clock or time.time, environ=environ or {}, log=log)
    try:
        status = service.run(once=True, backfill=backfill)
    finally:
        service.close()
    return status, log.getvalue()


def replies(tmp_path: Path) -> dict[str, str]:
    state = State(tmp_path / "state.sqlite")
    try:
        return {r[0]: r[1] for r in state.db.execute("SELECT message_id, state FROM replies")}
    finally:
        state.close()


@pytest.fixture
def inbox(tmp_path):
    return Inbox(tmp_path / "inbox")


# --- scenarios -------------------------------------------------------------------------------------


def test_first_run_starts_from_now_then_picks_up_new_commits(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2))
    config = write_config(tmp_path, port=smtp.port)
    status, log = watch(config)
    assert status == 0 and "starting from now" in log
    assert smtp.received == [] and replies(tmp_path) == {}

    inbox.add(patch(FINDINGS[2], 3), patch(CLEAN, 4))
    watch(config)
    assert smtp.in_reply_to() == ["<p3@example.org>"]
    watch(config)
    assert len(smtp.received) == 1


def test_backfill_replies_once_to_each_patch_with_something_to_say(tmp_path, inbox, smtp):
    inbox.add(
        patch(FINDINGS[0], 1, thread="p0@example.org"),
        patch(FINDINGS[1], 2),
        patch(CLEAN, 3),
        patch(CLEAN, 4, Message_ID="<p4@example.org>", From="Dev 4 <dev4@example.org>"),
        patch(FINDINGS[2], 5, subject="Re: [PATCH v7 2/3] pwm: sophgo: add driver"),
        cover_letter(6),
        patch(FINDINGS[3], 7, Auto_Submitted="auto-generated"),
        b"From: Someone <s@example.org>\nSubject: no diff here\nMessage-ID: <p8@example.org>\n\nHello.\n",
    )
    config = write_config(tmp_path, port=smtp.port)
    status, _ = watch(config, backfill=True)
    assert status == 0
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>"]
    for mail in smtp.received:
        msg = mail.msg
        n = msg["In-Reply-To"][2]
        assert msg["To"] == f"Dev {n} <dev{n}@example.org>"
        assert msg["Cc"] == LIST                                  # recipients = "list": the author and the list
        assert sorted(mail.rcpt) == sorted([f"dev{n}@example.org", LIST])
        assert mail.sender == "bot@review.example"
        assert msg["Subject"].startswith("Re: [PATCH")
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Message-ID"].startswith("<reviewbot.") and msg["Message-ID"].endswith("@review.example>")
        assert msg.get_content_type() == "text/plain"
    assert smtp.received[0].msg["References"] in ("<p0@example.org> <p1@example.org>", "<p2@example.org>")

    watch(config, backfill=True)                                  # a second run sends nothing new
    assert len(smtp.received) == 2

    out = run_cli("status", "--config", str(config))
    assert out.status == 0
    assert ("messages seen: 8 (reviewed 4, skipped 4: auto-submitted 1, cover letter 1, no diff 1, reply 1; "
            "own 0; errors 0)") in out.out
    assert "reviews: 4 (2 with findings, 2 findings)" in out.out and "replies: sent 2\n" in out.out


@pytest.mark.parametrize("threshold, replied", [("warning", []), ("note", ["<p1@example.org>"])])
def test_nothing_at_or_above_the_threshold_no_reply(tmp_path, inbox, smtp, threshold, replied):
    inbox.add(patch(FINDINGS[0], 1), patch(CLEAN, 2))
    config = write_config(tmp_path, port=smtp.port, lists=f'threshold = "{threshold}"',
                          review='[severity]\nexecutable-source-file = "note"\n')
    watch(config, backfill=True)
    assert smtp.in_reply_to() == replied
    assert run_cli("status", "--config", str(config)).out.count("reviews: 2 (1 with findings, 1 findings)") == 1


def test_recipients_author_only(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1))
    watch(write_config(tmp_path, port=smtp.port, recipients="author"), backfill=True)
    [mail] = smtp.received
    assert mail.rcpt == ["dev1@example.org"] and mail.msg["Cc"] is None


def test_muted_list_reviews_and_records_but_sends_nothing(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2), patch(CLEAN, 3))
    config = write_config(tmp_path, port=smtp.port, mode="muted")
    watch(config, backfill=True)
    assert smtp.received == []
    assert replies(tmp_path) == {"p1@example.org": "muted", "p2@example.org": "muted"}
    out = run_cli("status", "--config", str(config)).out
    assert "reviews: 3 (2 with findings" in out and "replies: muted 2" in out


def test_own_mail_is_recorded_not_reviewed(tmp_path, inbox, smtp):
    own = patch(FINDINGS[0], 1, author=BOT)
    by_id = patch(FINDINGS[1], 2, Message_ID="<reviewbot.0123456789abcdef0123456789abcdef@review.example>")
    inbox.add(own, by_id)
    watch(write_config(tmp_path, port=smtp.port), backfill=True)
    assert smtp.received == []
    state = State(tmp_path / "state.sqlite")
    assert {r[0] for r in state.db.execute("SELECT status FROM messages")} == {"own"}
    state.close()


def test_embargo_holds_the_reply_until_it_is_due(tmp_path, inbox, smtp):
    clock = Clock()
    inbox.add(patch(FINDINGS[0], 1, date=email.utils.formatdate(clock.t - 3600)))
    config = write_config(tmp_path, port=smtp.port, lists="embargo-hours = 2")
    watch(config, backfill=True, clock=clock)
    assert smtp.received == [] and replies(tmp_path) == {"p1@example.org": "due"}
    clock.t += 3000                                               # 1h50 after posting
    watch(config, clock=clock)
    assert smtp.received == []
    clock.t += 700                                                # 2h+ after posting
    watch(config, clock=clock)
    assert smtp.in_reply_to() == ["<p1@example.org>"]
    assert email.utils.parsedate_to_datetime(smtp.received[0].msg["Date"]).timestamp() == pytest.approx(clock.t, abs=2)


def test_cap_per_thread(tmp_path, inbox, smtp):
    inbox.add(*(patch(FINDINGS[i], i + 1, thread="p0@example.org") for i in range(3)), patch(FINDINGS[3], 4))
    watch(write_config(tmp_path, port=smtp.port, lists="max-replies-per-thread = 2"), backfill=True)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>", "<p4@example.org>"]
    assert replies(tmp_path)["p3@example.org"] == "capped"


def test_cap_per_hour_defers_to_a_later_poll(tmp_path, inbox, smtp):
    clock = Clock()
    inbox.add(*(patch(FINDINGS[i], i + 1) for i in range(3)))
    config = write_config(tmp_path, port=smtp.port, lists="max-replies-per-hour = 2")
    watch(config, backfill=True, clock=clock)
    assert len(smtp.received) == 2
    clock.t += 1800
    watch(config, clock=clock)
    assert len(smtp.received) == 2
    clock.t += 1801
    watch(config, clock=clock)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>", "<p3@example.org>"]


def test_opt_out(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2))
    watch(write_config(tmp_path, port=smtp.port, lists='opt-out = ["DEV1@example.org"]'), backfill=True)
    assert smtp.in_reply_to() == ["<p2@example.org>"]
    assert replies(tmp_path)["p1@example.org"] == "opted-out"


def test_outbox_for_approval_then_outbox_send(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2), patch(FINDINGS[2], 3))
    config = write_config(tmp_path, port=smtp.port, outbox=True)
    watch(config, backfill=True)
    assert smtp.received == []
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    listed = run_cli("outbox", "list", "--config", str(config))
    assert listed.status == 0 and len(listed.out.splitlines()) == 3
    ids = [line.split()[0] for line in listed.out.splitlines()]
    assert {f"{i}.eml" for i in ids} == {f.name for f in files}

    drop = next(line.split()[0] for line in listed.out.splitlines() if "p3" in line or "sophgo" in line)
    assert run_cli("outbox", "drop", drop, "--config", str(config)).status == 0
    edited = next(f for f in (tmp_path / "outbox").glob("*.eml"))
    edited.write_bytes(edited.read_bytes().replace(b"This is an automated review", b"Approved. This is an automated review"))

    sent = run_cli("outbox", "send", "--config", str(config))
    assert sent.status == 0, sent.out + sent.err
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>"]
    assert sum(b"Approved." in m.msg.as_bytes() for m in smtp.received) == 1     # the edit is what was sent
    assert sorted(p.name for p in (tmp_path / "outbox" / "sent").iterdir()) == sorted(
        f.name for f in files if f.name != f"{drop}.eml")
    assert run_cli("outbox", "send", "--config", str(config)).status == 0
    assert len(smtp.received) == 2
    assert run_cli("outbox", "list", "--config", str(config)).out == "the outbox is empty\n"
    assert sorted(replies(tmp_path).values()) == ["dropped", "sent", "sent"]
    watch(config)
    assert len(smtp.received) == 2


def test_transient_failure_retries_with_backoff(tmp_path, inbox, smtp):
    clock = Clock()
    inbox.add(patch(FINDINGS[0], 1))
    smtp.responses = ["451 4.3.0 try again later"]
    config = write_config(tmp_path, port=smtp.port)
    status, log = watch(config, backfill=True, clock=clock)
    assert status == 1 and "temporary failure" in log
    assert smtp.received == [] and replies(tmp_path) == {"p1@example.org": "due"}
    watch(config, clock=clock)                                   # still backing off
    assert smtp.received == []
    clock.t += 61
    assert watch(config, clock=clock)[0] == 0
    assert smtp.in_reply_to() == ["<p1@example.org>"]


def test_connection_refused_is_temporary(tmp_path, inbox, smtp):
    clock = Clock()
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2))
    status, log = watch(write_config(tmp_path, port=free_port()), backfill=True, clock=clock)
    assert status == 1 and "connecting to 127.0.0.1" in log
    assert set(replies(tmp_path).values()) == {"due"}
    clock.t += 3600
    watch(write_config(tmp_path, port=smtp.port), clock=clock)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>"]


def test_permanent_failure_is_recorded_and_shown(tmp_path, inbox, smtp):
    clock = Clock()
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2))
    smtp.responses = ["550 5.7.1 content rejected"]
    config = write_config(tmp_path, port=smtp.port)
    watch(config, backfill=True, clock=clock)
    assert len(smtp.received) == 1
    assert sorted(replies(tmp_path).values()) == ["failed", "sent"]
    out = run_cli("status", "--config", str(config)).out
    assert "replies: sent 1, failed 1" in out
    assert "550 5.7.1 content rejected" in out and "last errors:" in out
    clock.t += 86400
    watch(config, clock=clock)
    assert len(smtp.received) == 1


def test_login_with_password_from_the_environment(tmp_path, inbox):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        inbox.add(patch(FINDINGS[0], 1))
        config = write_config(tmp_path, port=controller.port)
        config.write_text(config.read_text().replace('security = "none"',
                                                      'security = "none"\nuser = "bot"\npassword-env = "BOT_PW"'))
        watch(config, backfill=True, environ={"BOT_PW": "s3cret"})
    finally:
        controller.stop()
    assert seen == [(b"bot", b"s3cret")] and len(sink.received) == 1


def test_a_rewritten_archive_sends_nothing_twice(tmp_path, inbox, smtp):
    inbox.add(patch(FINDINGS[0], 1), patch(FINDINGS[1], 2))
    config = write_config(tmp_path, port=smtp.port)
    watch(config, backfill=True)
    assert len(smtp.received) == 2
    # history rewritten: the first message removed, the rest re-committed, one new one added
    import shutil

    shutil.rmtree(inbox.root / "git" / "0.git")
    subprocess.run(["git", "init", "--quiet", "--bare", str(inbox.root / "git" / "0.git")], check=True)
    inbox.add(patch(FINDINGS[1], 2), patch(FINDINGS[2], 3))
    watch(config)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>", "<p3@example.org>"]


def test_new_epoch_and_fetch_from_a_remote(tmp_path, smtp):
    upstream = Inbox(tmp_path / "upstream")
    upstream.add(patch(FINDINGS[0], 1))
    local = tmp_path / "inbox" / "git"
    local.mkdir(parents=True)
    subprocess.run(["git", "clone", "--quiet", "--mirror", str(upstream.git(0)), str(local / "0.git")], check=True)
    remote = str(tmp_path / "upstream" / "git" / "{epoch}.git")
    source = f'{{ type = "public-inbox", path = "{tmp_path / "inbox"}", remote = "{remote}" }}'
    config = write_config(tmp_path, port=smtp.port, source=source)
    watch(config)                                                 # from now
    upstream.add(patch(FINDINGS[1], 2))
    upstream.add(patch(FINDINGS[2], 3), epoch=1)                  # the archive rolled over to a new epoch
    status, log = watch(config)
    assert status == 0, log
    assert (local / "1.git").is_dir()
    assert smtp.in_reply_to() == ["<p2@example.org>", "<p3@example.org>"]


def test_maildir_source(tmp_path, smtp):
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1.old:2,S").write_bytes(patch(FINDINGS[0], 1))
    config = write_config(tmp_path, port=smtp.port, source=f'{{ type = "maildir", path = "{maildir}" }}')
    watch(config)
    assert smtp.received == []
    (maildir / "tmp" / "2.new").write_bytes(patch(FINDINGS[1], 2))
    (maildir / "tmp" / "2.new").rename(maildir / "new" / "2.new")
    (maildir / "new" / "3.new").write_bytes(patch(CLEAN, 3))
    watch(config)
    (maildir / "new" / "2.new").rename(maildir / "cur" / "2.new:2,S")   # an MUA read it: still one reply
    watch(config)
    assert smtp.in_reply_to() == ["<p2@example.org>"]


def test_growing_mbox_source(tmp_path, smtp):
    mbox = tmp_path / "list.mbox"

    def entry(data: bytes) -> bytes:
        return b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + data.rstrip(b"\n") + b"\n\n"

    mbox.write_bytes(entry(patch(FINDINGS[0], 1)))
    config = write_config(tmp_path, port=smtp.port, source=f'{{ type = "mbox", path = "{mbox}" }}')
    watch(config, backfill=True)
    assert smtp.in_reply_to() == ["<p1@example.org>"]
    second = entry(patch(FINDINGS[1], 2))
    with open(mbox, "ab") as f:
        f.write(entry(patch(CLEAN, 3)) + second[:-300])           # a message still being written
    watch(config)
    assert len(smtp.received) == 1
    with open(mbox, "ab") as f:
        f.write(second[-300:])
    watch(config)
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p2@example.org>"]


def test_lore_search_source(tmp_path, smtp):
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    queries = []
    served = {"mails": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            queries.append(self.path)
            if not served["mails"]:
                self.send_response(404)
                self.end_headers()
                return
            body = gzip.compress(b"".join(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + m + b"\n"
                                          for m in served["mails"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        config = write_config(tmp_path, port=smtp.port,
                              source=f'{{ type = "lore", list = "linux-pwm", url = "{url}" }}')
        watch(config)                                             # from now: no search yet
        assert queries == []
        watch(config)                                             # nothing new: 404
        assert len(queries) == 1 and queries[0].startswith("/linux-pwm/?") and "rt%3A" in queries[0]
        assert "x=m" in queries[0]
        served["mails"] = [patch(FINDINGS[0], 1), patch(CLEAN, 2)]
        watch(config)
        served["mails"].append(patch(FINDINGS[1], 2 + 1))          # the overlap repeats the first ones
        watch(config)
    finally:
        server.shutdown()
    assert smtp.in_reply_to() == ["<p1@example.org>", "<p3@example.org>"]


# --- the configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    (("poll-interval = 1", "poll-interval = 1\ncolour = 3"), "colour: unknown key"),
    (('mode = "live"', 'mode = "loud"'), 'lists[0].mode: expected "muted" or "live"'),
    (('security = "none"', 'security = "ssl"'), "smtp.security: expected"),
    (('security = "none"', 'security = "none"\npassword = "x"'), "smtp.password: unknown key"),
    (('security = "none"', 'security = "none"\nuser = "bot"'), "smtp.user: needs password-env or password-file"),
    (('recipients = "list"', 'recipients = "list"\nembargo-hours = "soon"'), "lists[0].embargo-hours: expected"),
    (('type = "public-inbox"', 'type = "nntp"'), "lists[0].source.type: expected"),
    (('recipients = "list"', 'recipients = "list"\nmax-replies-per-hour = 0'), "max-replies-per-hour: expected"),
])
def test_config_errors_are_one_line_and_exit_2(tmp_path, change, message):
    config = write_config(tmp_path, port=25)
    config.write_text(config.read_text().replace(*change, 1))
    out = run_cli("watch", "--config", str(config), "--once")
    assert out.status == 2 and out.out == ""
    assert len(out.err.splitlines()) == 1 and message in out.err, out.err


def test_a_live_list_needs_a_way_to_deliver(tmp_path):
    out = run_cli("watch", "--config", str(write_config(tmp_path)), "--once")
    assert out.status == 2 and "a live list needs [smtp] or outbox" in out.err


def test_the_readme_example_configuration_is_valid():
    import re
    import tomllib

    from conftest import ROOT
    from reviewbot.watch.config import parse_watch_config

    section = (ROOT / "README.md").read_text().split("## The watching service", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```toml\n(.*?)\n```", section, re.S).group(1)
    config = parse_watch_config(tomllib.loads(block), str(ROOT / "watch.toml"))
    [lst] = config.lists
    assert (lst.mode, lst.recipients, lst.embargo_hours, lst.source.type) == ("muted", "list", 24, "public-inbox")
    assert config.smtp.security == "starttls" and config.smtp.password_env == "REVIEWBOT_SMTP_PASSWORD"


def test_redate_and_backoff():
    from reviewbot.watch.policy import backoff
    from reviewbot.watch.service import redate

    data = b"From: a@b\nDate: Mon, 1 Jan 2024 00:00:00 -0000\nSubject: x\n\nDate: in the body\n"
    out = redate(data, 1_790_000_000)
    assert out.split(b"\n")[1] == b"Date: " + email.utils.formatdate(1_790_000_000).encode()
    assert out.endswith(b"\n\nDate: in the body\n")
    assert [backoff(n) for n in (1, 2, 3)] == [60, 120, 240] and backoff(30) == 6 * 3600
