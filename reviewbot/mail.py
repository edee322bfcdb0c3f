"""One message's bytes -> a `Message`: headers, MIME, charsets, and where the diff is.

Three shapes are understood: an RFC 822 mail (what `git format-patch` and b4
write, or what a list delivered), a web archive's text copy (subject on the first
line, `From:` and `Date:` lines, whitespace collapsed), and a bare diff, possibly
with a description above it.
"""

from __future__ import annotations

import codecs
import email.parser
import email.policy
import re
from email.header import decode_header, make_header
from email.message import Message as EmailMessage

from reviewbot.ingest import RawMessage
from reviewbot.model import Message, Trailer
from reviewbot.repair import repair_diff
from reviewbot.subject import parse_subject

_HEADER_LINE = re.compile(r"^([!-9;-~]+):")
_KNOWN_HEADERS = frozenset(
    "from subject date message-id return-path received to cc delivered-to mime-version content-type "
    "in-reply-to references x-mailer sender reply-to".split()
)
_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]):\s+(\S.*)$")
_TRAILER_NAMES = frozenset(
    "fixes link closes cc bug buglink change-id message-id reviewbot-ignore".split()
)
_PATCH_TYPES = ("text/x-patch", "text/x-diff", "text/x-csrc", "text/x-chdr", "application/x-patch")
_PARSER = email.parser.BytesParser(policy=email.policy.compat32)


def _decode(payload: bytes, charset: str | None) -> str:
    """Bytes in a declared (or guessed) charset; never fails."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            codecs.lookup(candidate)
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return payload.decode("latin-1")


def _header(msg: EmailMessage, name: str) -> str | None:
    value = msg.get(name)
    if value is None:
        return None
    text = str(value)
    try:
        text = str(make_header(decode_header(text)))
    except (UnicodeError, LookupError, ValueError, email.errors.HeaderParseError):
        pass
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"<([^<>\s]+)>", value)
    return m.group(1) if m else value.strip() or None


def _addresses(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(a.strip() for a in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", value) if a.strip())


def _is_diff_start(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line.startswith("diff --git ") or line.startswith("diff -"):
        return True
    if line.startswith("--- ") and i + 2 < len(lines) + 1 and i + 1 < len(lines):
        return lines[i + 1].startswith("+++ ") and (i + 2 >= len(lines) or lines[i + 2].startswith("@@"))
    if line.startswith("Index: ") and i + 1 < len(lines):
        return lines[i + 1].startswith("====")
    return False


def _find_diff(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line[:1] in "dI-" and _is_diff_start(lines, i):
            return i
    return None


def _kind(data: bytes) -> str:
    """"mail", "archive" or "diff", from the first lines."""
    head = data[:8192].decode("latin-1").lstrip("\ufeff\r\n").splitlines()
    block = []
    for line in head:
        if not line.strip():
            break
        block.append(line)
    if block and _HEADER_LINE.match(block[0]):
        names = set()
        valid = True
        for line in block:
            m = _HEADER_LINE.match(line)
            if m:
                names.add(m.group(1).lower())
            elif not line[:1].isspace():
                valid = False
                break
        if valid and names & _KNOWN_HEADERS:
            return "mail"
    if head and not _is_diff_start(head, 0) and any(line.startswith("From: ") for line in head[1:12]):
        return "archive"
    return "diff"


def _header_line_count(data: bytes) -> int:
    """Lines of the header block (so the first body line is this + 2)."""
    for sep in (b"\n\n", b"\r\n\r\n"):
        pos = data.find(sep)
        if pos >= 0:
            return data.count(b"\n", 0, pos) + 1
    return data.count(b"\n") + 1


def _text_parts(msg: EmailMessage) -> list[tuple[str, str]]:
    """(content type, decoded text) of every part that can hold a message or a patch."""
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if not (ctype == "text/plain" or ctype in _PATCH_TYPES
                or (filename.endswith((".patch", ".diff")) and not ctype.startswith(("image/", "audio/", "video/")))):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # a broken transfer encoding: take the raw text
            payload = None
        if payload is None:
            raw = part.get_payload()
            payload = raw.encode("latin-1", "replace") if isinstance(raw, str) else b""
        parts.append((ctype, _decode(payload, part.get_content_charset())))
    return parts


def _locate(raw_text: str, text_lines: list[str], fallback: int) -> int:
    """0-based line of the raw message where a decoded part's first line appears."""
    for line in text_lines:
        if line.strip():
            pos = raw_text.find(line[:80])
            return raw_text.count("\n", 0, pos) if pos >= 0 else fallback
    return fallback


def _split_body(lines: list[str]):
    """(commit lines, notes lines, diff start) of a body."""
    diff_start = _find_diff(lines)
    end = diff_start if diff_start is not None else len(lines)
    cut = next((i for i in range(end) if lines[i].rstrip() == "---"), None)
    if cut is None:
        return lines[:end], [], diff_start
    return lines[:cut], lines[cut + 1:end], diff_start


def _in_body_headers(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """git am's in-body `From:`/`Subject:`/`Date:` at the top of the body."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    found: dict[str, str] = {}
    j = i
    while j < len(lines):
        m = re.match(r"^(From|Subject|Date):\s*(.*)$", lines[j])
        if not m:
            break
        found[m.group(1).lower()] = m.group(2).strip()
        j += 1
    if found and (j == len(lines) or not lines[j].strip()):
        return found, j
    return {}, start


def _trailers(lines: list[str], first_line: int) -> tuple[Trailer, ...]:
    found = []
    for k, line in enumerate(lines):
        m = _TRAILER.match(line.strip())
        if m and (m.group(1).lower().endswith("-by") or m.group(1).lower() in _TRAILER_NAMES):
            found.append(Trailer(m.group(1), m.group(2).strip(), first_line + k))
    return tuple(found)


def parse_message(raw: RawMessage) -> Message:
    data = raw.data
    kind = _kind(data)
    fields: dict = {}
    if kind == "mail":
        msg = _PARSER.parsebytes(data)
        subject = _header(msg, "Subject") or ""
        fields.update(
            message_id=_msgid(_header(msg, "Message-ID")),
            author=_header(msg, "From") or "",
            date=_header(msg, "Date"),
            in_reply_to=_msgid(_header(msg, "In-Reply-To")),
            references=tuple(re.findall(r"<([^<>\s]+)>", _header(msg, "References") or "")),
            to=_addresses(_header(msg, "To")),
            cc=_addresses(_header(msg, "Cc")),
            auto_submitted=_header(msg, "Auto-Submitted"),
        )
        parts = _text_parts(msg)
        body_first = _header_line_count(data) + 1   # 0-based line of the first body line
        raw_text = data.decode("latin-1")
        texts = [(ctype, t.replace("\r\n", "\n").split("\n")) for ctype, t in parts]
        patch_part = next((k for k, (_, lines) in enumerate(texts) if _find_diff(lines) is not None), None)
        if patch_part is None:
            lines = texts[0][1] if texts else []
            offset = body_first
        elif patch_part == 0 or texts[patch_part][0] == "text/plain":
            lines = texts[patch_part][1]
            offset = body_first if patch_part == 0 and not msg.is_multipart() else _locate(raw_text, lines, body_first)
        else:
            # The patch is an attachment: the message is the first text part, the diff the attachment.
            message_lines = texts[0][1] if patch_part > 0 else []
            attachment = texts[patch_part][1]
            lines = message_lines + ["---"] + attachment
            offset = _locate(raw_text, message_lines, body_first) if message_lines else body_first
        line_of = [offset + k + raw.origin.start_line for k in range(len(lines))]
        if patch_part is not None and texts[patch_part][0] != "text/plain" and patch_part > 0:
            att_start = _locate(raw_text, texts[patch_part][1], body_first)
            n_msg = len(texts[0][1]) + 1
            line_of[n_msg:] = [att_start + k + raw.origin.start_line for k in range(len(lines) - n_msg)]
    else:
        text = _decode(data, None).lstrip("\ufeff").replace("\r\n", "\n")
        lines = text.split("\n")
        line_of = [raw.origin.start_line + k for k in range(len(lines))]
        subject = ""
        if kind == "archive":
            subject = lines[0].strip()
            k = 1
            while k < len(lines) and (not lines[k].strip() or re.match(r"^(From|Date|To|Cc|Subject): ", lines[k])):
                m = re.match(r"^(From|Date): (.*)$", lines[k])
                if m:
                    fields["author" if m.group(1) == "From" else "date"] = m.group(2).strip()
                k += 1
            lines, line_of = lines[k:], line_of[k:]
        fields.setdefault("author", "")

    commit_lines, notes_lines, diff_start = _split_body(lines)
    in_body, first = _in_body_headers(commit_lines, 0)
    if in_body.get("from"):
        fields["author"] = in_body["from"]
    if in_body.get("subject"):
        subject = in_body["subject"]
    while first < len(commit_lines) and not commit_lines[first].strip():
        first += 1
    commit_lines = commit_lines[first:]
    while commit_lines and not commit_lines[-1].strip():
        commit_lines.pop()
    commit_line = line_of[first] if first < len(line_of) else raw.origin.start_line
    if kind == "diff" and not subject:
        subject = commit_lines[0].strip() if commit_lines else ""

    diff_lines: tuple[str, ...] = ()
    diff_mail_lines: tuple[int, ...] = ()
    repairs: tuple = ()
    repaired_hunks: frozenset[int] = frozenset()
    if diff_start is not None:
        fixed = repair_diff(lines[diff_start:], line_of[diff_start:], archive=kind == "archive")
        diff_lines, diff_mail_lines = fixed.lines, fixed.mail_lines
        repairs, repaired_hunks = fixed.repairs, fixed.repaired_hunks

    prefix, title = parse_subject(subject)
    return Message(
        origin=raw.origin,
        kind=kind,
        subject=subject,
        title=title,
        prefix=prefix,
        commit=raw.commit,
        commit_message="\n".join(commit_lines),
        commit_message_line=commit_line,
        notes="\n".join(notes_lines).strip("\n"),
        trailers=_trailers(commit_lines, commit_line),
        diff_lines=diff_lines,
        diff_mail_lines=diff_mail_lines,
        repairs=repairs,
        repaired_hunks=repaired_hunks,
        **fields,
    )
