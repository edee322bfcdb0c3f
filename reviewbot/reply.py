"""A review as a reply on the list: headers, interleaved quoting, the body from a template.

Pure functions: `compose(review, settings, ruleset, now)` gives the bytes of one
RFC 822 message (single-part text/plain, UTF-8) and nothing is sent from here;
`deliver/` and `watch` do the I/O.  The layout follows INTERFACES.md, "Replying
on a kernel mailing list": an attribution line, the file header once per file,
each hunk header once, up to five lines quoted above each commented line, the
comment unquoted below it, `[ ... skip N lines ... ]` for gaps, nothing quoted
after the last comment, a signature after `-- `.  Patch content reaches the
template as data only, and header values are flattened to one line.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import textwrap
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from reviewbot.diff import FileChange, Hunk
from reviewbot.findings import Finding
from reviewbot.review import PatchReview

CONTEXT_ABOVE = 5
WIDTH = 72
TEMPLATE = "reply.txt.j2"
RECIPIENT_MODES = ("author", "list", "all")


class ReplySettings(NamedTuple):
    """How replies are addressed and signed (the `[reply]` table of the configuration)."""

    sender: str = "reviewbot <reviewbot@localhost>"
    recipients: str = "author"          # author | list | all
    lists: tuple[str, ...] = ()         # list addresses to keep in Cc in "list" mode
    signature: str = "reviewbot"
    contact: str | None = None          # where to report a false positive or opt out
    templates: str | None = None        # a directory whose reply.txt.j2 replaces the built-in one


class Block(NamedTuple):
    kind: str      # "quote" (lines of the patch, already prefixed with "> "), "comment", "skip"
    text: str


# --- identity ---------------------------------------------------------------------------


def ruleset_version(version: str, rules: Iterable) -> str:
    """The reviewbot version and a short hash of the rules, their severities and options:
    a reply is owed again only when this changes."""
    digest = hashlib.sha256()
    for r in sorted(rules, key=lambda r: r.id):
        digest.update(f"{r.id}:{r.meta.severity}:{sorted(r.options.items())}\n".encode())
    return f"{version}+{digest.hexdigest()[:10]}"


def reply_message_id(patch_message_id: str | None, ruleset: str, sender: str, fallback: str = "") -> str:
    """`<reviewbot.HASH@domain>`: a pure function of the patch's Message-ID and the ruleset, so a
    retry, a restart or a second machine produces the same ID and the list sees one reply."""
    key = f"{patch_message_id or fallback}\n{ruleset}".encode()
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<reviewbot.{hashlib.sha256(key).hexdigest()[:32]}@{domain}>"


def reply_id(review: PatchReview, settings: ReplySettings, ruleset: str) -> str:
    """The Message-ID of the reply to `review`'s patch (see `reply_message_id`)."""
    message = review.message
    return reply_message_id(message.message_id, ruleset, settings.sender, content_key(message))


def content_key(message) -> str:
    """What identifies a patch that has no Message-ID: its author, date, subject and diff,
    never where the file was read from (the same mail read from two paths is one patch)."""
    return "\n".join((message.author, message.date or "", message.subject, *message.diff_lines))


def one_line(value: str) -> str:
    """A header value on one line: CR, LF and other control characters become spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f]", " ", value)).strip()


def recipients(review: PatchReview, settings: ReplySettings) -> tuple[list[str], list[str]]:
    """(To, Cc) for the configured mode: the author alone; the author and the configured lists
    the patch went to; or everyone the patch went to (reply-all)."""
    message = review.message
    to = one_line(message.reply_to or message.sender or message.author)
    own = email.utils.parseaddr(settings.sender)[1].lower()
    seen = {email.utils.parseaddr(to)[1].lower(), own, ""}
    cc: list[str] = []
    if settings.recipients == "author":
        return [to], []
    wanted = {a.lower() for a in settings.lists}
    for address in (*message.to, *message.cc):
        addr = email.utils.parseaddr(address)[1].lower()
        if addr in seen or (settings.recipients == "list" and addr not in wanted):
            continue
        seen.add(addr)
        cc.append(one_line(address))
    return [to], cc


# --- the quoted body ------------------------------------------------------------------------


def wrap(text: str) -> str:
    """Prose at 72 columns, paragraph by paragraph; `code` spans are never split at hyphens."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), WIDTH, break_long_words=False,
                                     break_on_hyphens=False) for p in paragraphs)


def comment(findings: Sequence[Finding]) -> str:
    parts = []
    for f in findings:
        text = f.message[0].upper() + f.message[1:] if f.message else f.message
        if not text.endswith((".", "?", "!")):
            text += "."
        if f.hint:
            hint = f.hint[0].upper() + f.hint[1:]
            text += " " + hint + ("" if hint.endswith((".", "?", "!")) else ".")
        parts.append(wrap(f"{text} [{f.rule}]"))
    return "\n\n".join(parts)


def _quote(line: str) -> str:
    return ">" if line == "" else f"> {line}"


def _anchored(lines: Sequence[str], anchors: dict[int, list[Finding]], head: int = 0) -> list[Block]:
    """Quote `lines` with the comments of `anchors` (index -> findings) under their lines:
    the first `head` lines (a hunk header) always, up to five lines above each anchor, a
    skip marker for what is left out, nothing after the last."""
    blocks: list[Block] = []
    if head:
        blocks.append(Block("quote", "\n".join(_quote(x) for x in lines[:head])))
    cursor = head
    for index in sorted(anchors):
        start = max(cursor, index - CONTEXT_ABOVE)
        if start > cursor:
            blocks.append(Block("skip", f"> [ ... skip {start - cursor} line{'s' if start - cursor > 1 else ''} ... ]"))
        blocks.append(Block("quote", "\n".join(_quote(x) for x in lines[start:index + 1])))
        blocks.append(Block("comment", comment(anchors[index])))
        cursor = index + 1
    return blocks


def _mail_blocks(review: PatchReview, findings: list[Finding]) -> list[Block]:
    """The commit message, quoted down to the mail-level findings (the last line when they have none)."""
    message = review.message
    lines = message.commit_message.split("\n") if message.commit_message else []
    if not lines:
        return [Block("comment", comment(findings))]
    rows = message.commit_message_rows if len(message.commit_message_rows) == len(lines) else \
        tuple(message.commit_message_line + k for k in range(len(lines)))
    anchors: dict[int, list[Finding]] = {}
    for f in findings:
        k = rows.index(f.mail_line) if f.mail_line in rows else len(lines) - 1
        anchors.setdefault(k, []).append(f)
    return _anchored(lines, anchors)


def _file_header(review: PatchReview, fc: FileChange) -> list[str]:
    """The lines of the diff from `diff --git` to `+++`, as mailed."""
    message = review.message
    end = fc.hunks[0].mail_line if fc.hunks else None
    out = []
    for text, row in zip(message.diff_lines, message.diff_mail_lines):
        if row < fc.mail_line:
            continue
        if (end is not None and row >= end) or (out and text.startswith("diff --git ")):
            break
        out.append(text)
    return out or [f"diff --git a/{fc.old_path or fc.path} b/{fc.path}"]


def _hunk_lines(hunk: Hunk) -> list[str]:
    head = hunk.header + (f" {hunk.section}" if hunk.section else "")
    return [head] + [x.kind + x.text for x in hunk.lines]


def blocks(review: PatchReview) -> list[Block]:
    """The quoted patch and the comments, in the patch's order."""
    out: list[Block] = []
    mail = [f for f in review.findings if f.path is None or (f.line is None and not _file_of(review, f.path))]
    if mail:
        out += _mail_blocks(review, mail)
    for fc in review.files:
        mine = [f for f in review.findings if f.path == fc.path and f not in mail]
        if not mine:
            continue
        header = _file_header(review, fc)
        whole_file = [f for f in mine if f.line is None]
        out.append(Block("quote", "\n".join(_quote(x) for x in header)))
        if whole_file:
            out.append(Block("comment", comment(whole_file)))
        for hunk in fc.hunks:
            anchors: dict[int, list[Finding]] = {}
            lines = _hunk_lines(hunk)
            for f in mine:
                if f.line is None:
                    continue
                target = f.end_line or f.line
                for k, x in enumerate(hunk.lines):
                    if x.kind != "-" and x.new == target:
                        anchors.setdefault(k + 1, []).append(f)
                        break
            if anchors:
                out += _anchored(lines, anchors, head=1)
    return out


def _file_of(review: PatchReview, path: str) -> bool:
    return any(fc.path == path for fc in review.files)


def attribution(review: PatchReview) -> str:
    message = review.message
    name, addr = email.utils.parseaddr(message.sender or message.author)
    who = one_line(name or addr or "the author")
    return f"On {one_line(message.date)}, {who} wrote:" if message.date else f"{who} wrote:"


# --- the message ---------------------------------------------------------------------------


def _environment(settings: ReplySettings):
    import jinja2

    from importlib import resources

    def builtin(name: str):
        try:
            return resources.files("reviewbot.templates").joinpath(name).read_text(encoding="utf-8")
        except (FileNotFoundError, OSError):
            return None

    loaders = [jinja2.FunctionLoader(builtin)]
    if settings.templates:
        loaders.insert(0, jinja2.FileSystemLoader(settings.templates))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["wrap"] = wrap
    return env


def body(review: PatchReview, settings: ReplySettings, version: str) -> str:
    counts = {}
    for f in review.findings:
        counts[str(f.severity)] = counts.get(str(f.severity), 0) + 1
    summary = ", ".join(f"{n} {s}{'s' if n > 1 else ''}" for s, n in
                        ((s, counts.get(s, 0)) for s in ("error", "warning", "note")) if n)
    template = _environment(settings).get_template(TEMPLATE)
    text = template.render(
        attribution=attribution(review),
        blocks=blocks(review),
        summary=summary,
        count=len(review.findings),
        version=version,
        contact=settings.contact,
        signature=settings.signature,
        subject=review.message.subject,
    )
    return text if text.endswith("\n") else text + "\n"


def compose(review: PatchReview, settings: ReplySettings, ruleset: str, version: str, now: float) -> bytes:
    """One RFC 822 reply to the patch of `review` (call it only when there is something to say)."""
    from email.message import EmailMessage
    from email.policy import default

    message = review.message
    to, cc = recipients(review, settings)
    msg = EmailMessage(policy=default)
    msg["From"] = one_line(settings.sender)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    subject = one_line(message.subject) or "your patch"
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msg["Date"] = email.utils.formatdate(now, localtime=False)
    msg["Message-ID"] = reply_id(review, settings, ruleset)
    if message.message_id:
        msg["In-Reply-To"] = f"<{message.message_id}>"
        refs = [f"<{r}>" for r in message.references if r != message.message_id] + [f"<{message.message_id}>"]
        msg["References"] = " ".join(refs)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Reviewbot-Ruleset"] = ruleset
    text = body(review, settings, version)
    long_lines = any(len(line.encode("utf-8")) > 900 for line in text.split("\n"))
    msg.set_content(text, charset="utf-8", cte="quoted-printable" if long_lines else "8bit")
    return msg.as_bytes()


def outbox_name(message_id: str) -> str:
    """The file a reply is kept under in an outbox directory: the same for the same Message-ID."""
    return hashlib.sha256(message_id.encode()).hexdigest()[:24] + ".eml"


def write_outbox(directory: Path, messages: Iterable[tuple[str, bytes]]) -> list[tuple[Path, bool]]:
    """Write each (Message-ID, bytes) as a file (atomically); one already there is kept.
    Returns (path, written) per message."""
    import os

    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for message_id, data in messages:
        path = directory / outbox_name(message_id)
        if path.exists():
            out.append((path, False))
            continue
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        out.append((path, True))
    return out
