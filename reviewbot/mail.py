"""One message's bytes -> a `Message`: headers, MIME, charsets, and where the diff is.

Three shapes are understood: an RFC 822 mail (what `git format-patch` and b4
write, or what a list delivered), a web archive's text copy (subject on the first
line, `From:` and `Date:` lines, whitespace collapsed), and a bare diff, possibly
with a description above it.

Every line handed on carries its line in the input file: for a quoted-printable body the line
where the decoded line starts (soft line breaks join input lines), for a base64 body the line it
has in the decoded message (headers, blank line, decoded body), as checkpatch counts behind b4.
"""

from __future__ import annotations

import codecs
import email.errors
import email.parser
import quopri
import re
from functools import lru_cache
from email.header import decode_header, make_header
from email.message import Message as EmailMessage
from typing import NamedTuple

from reviewbot.ingest import RawMessage
from reviewbot.model import Message, Trailer
from reviewbot.repair import repair_diff
from reviewbot.subject import parse_subject

_HEADER_LINE = re.compile(r"^([!-9;-~]+):")
# What the stdlib's feedparser takes for a header line (or a continuation): the first other
# line ends the headers (a blank one is dropped, anything else is the first body line).
# The header lines at the start of the data, line by line: "From ", a field name and its colon,
# or a continuation (a search for the first line that is none of these tries every byte).
# (possessive: no backtracking can find another end, as a name stops only at a character that is no name's)
_HEADER_LINES = re.compile(rb"(?:(?:[\041-\071\073-\176]*+:|[\t ]|From )[^\n]*+(?:\n|\Z))*+")
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):", re.MULTILINE)
_LEADING_BLANK_LINES = re.compile(rb"\A(?:[ \t]*\r?\n)+")
_KNOWN_HEADERS = frozenset(
    "from subject date message-id return-path received to cc delivered-to mime-version content-type "
    "in-reply-to references x-mailer sender reply-to".split()
)
_FOLD = re.compile(r"[ \t]*\r?\n[ \t]+")   # what _unfold replaces with a space (tests hold it to this)
_NEWLINE = re.compile(r"\s*\r?\n\s*")
_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]):\s+(\S.*)$")
_TRAILER_NAMES = frozenset(
    "fixes link closes cc bug buglink change-id message-id reviewbot-ignore".split()
)
# The header fields parse_message reads, besides MIME's Content-* (the rest is not parsed).
_USED_HEADERS = frozenset(
    b"from subject date message-id reply-to in-reply-to references to cc auto-submitted mime-version".split()
)
# A field _used_header_lines keeps, with its continuation lines, in the lowercased header block
# after a newline put before it: from the newline before its name up to the newline ending it.
_USED_FIELD = re.compile(
    rb"\n(?:" + b"|".join(map(re.escape, sorted(_USED_HEADERS))) + rb"|content-[^:\n]*):[^\n]*(?:\n[\t ][^\n]*)*+")
_ENVELOPE = re.compile(rb"\n[^\n]*(?:\n[\t ][^\n]*)*+")
_PATCH_TYPES = ("text/x-patch", "text/x-diff", "text/x-csrc", "text/x-chdr", "application/x-patch")
_PARSER = email.parser.BytesParser()   # compat32, the default: the fastest, and enough
_MAX_MISSES = 8
_DIFF_START_CHARS = frozenset("dI-")   # what a line _is_diff_start for begins with


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


def _split_lines(text: str) -> list[str]:
    """The lines of a decoded text, without their newlines.

    CR LF is the transport's when it ends most lines that are not diff lines (the
    message, `diff --git`, `@@`, blank lines): then one CR goes from every line
    ending in CR LF.  Otherwise a CR before a newline belongs to the line (a file
    with DOS line endings, sent quoted-printable as `=0D`) and is kept.
    """
    if "\r" not in text:
        return text.split("\n")
    lines = text.split("\n")
    outside = [x for x in lines[:-1] if not x.startswith(("+", "-", " "))] or lines[:-1]
    if 2 * sum(x.endswith("\r") for x in outside) > len(outside):
        return text.replace("\r\n", "\n").split("\n")
    return lines


def _raw_headers(msg: EmailMessage) -> dict[str, str]:
    """The first value of each header as it was in the mail (undecoded bytes kept as surrogate escapes)."""
    found: dict[str, str] = {}
    for key, value in msg.raw_items():
        found.setdefault(key.lower(), value if isinstance(value, str) else str(value))
    return found


def _header(headers: dict[str, str], name: str) -> str | None:
    value = headers.get(name.lower())
    return None if value is None else _decode_header(value)


def _decode_header(value: str) -> str:
    if value.isascii() and "\n" not in value and "=?" not in value:
        return value.strip()   # (what _decoded_header comes to for plain ASCII on one line)
    return _decoded_header(value)


@lru_cache(maxsize=256)   # (a pure function; the same names recur in a series' Cc)
def _decoded_header(value: str) -> str:
    # Raw 8-bit bytes in a header (many mailers send UTF-8 names unencoded): UTF-8, else latin-1.
    raw = value.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\n" in text:
        text = _unfold(text)
    if "=?" in text and text.isascii():   # RFC 2047 words (decode_header mangles non-ASCII text around them)
        try:
            text = str(make_header(decode_header(text)))
        except (UnicodeError, LookupError, ValueError, email.errors.HeaderParseError):
            pass
    return (_NEWLINE.sub(" ", text) if "\n" in text else text).strip()


def _unfold(text: str) -> str:
    """_FOLD.sub(" ", text): each line end (after an optional CR) followed by blanks becomes one
    space with the blanks on both sides of it.  (The regex, which may begin with blanks, is
    tried at every character; a header has a few line ends and many blanks.)"""
    pieces = text.split("\n")
    out = [pieces[0]]   # the last item is still open: blanks before the next line end go with it
    for piece in pieces[1:]:
        if piece[:1] in (" ", "\t"):
            last = out[-1]
            out[-1] = (last[:-1] if last.endswith("\r") else last).rstrip(" \t")
            out.append(" ")
            out.append(piece.lstrip(" \t"))
        else:
            out[-1] += "\n" + piece
    return "".join(out)


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    m = re.search(r"<([^<>\s]+)>", value)
    return m.group(1) if m else value.strip() or None


def _addresses(value: str | None) -> tuple[str, ...]:
    """The addresses of a To/Cc header, split at the commas outside quotes before decoding (an
    encoded-word may hold a comma: `=?utf-8?q?Doe=2C_John?= <j@x>` is one address).

    A plain ASCII value is unfolded once, whole (a fold is only blanks and a line end: it
    never holds a comma or a quote, so the pieces are those of the folded value, unfolded),
    and only its pieces with an encoded word are decoded; _decoded_addresses is the general
    way, and a test holds the two to the same result."""
    if not value:
        return ()
    if value.isascii():
        text = _unfold(value) if "\n" in value else value
        if "\n" not in text:
            pieces = [_decode_header(p) if "=?" in p else p.strip() for p in _split_outside_quotes(text)]
            return tuple([a for a in pieces if a])
    return _decoded_addresses(value)


def _decoded_addresses(value: str) -> tuple[str, ...]:
    """_addresses(value), each piece decoded on its own."""
    return tuple(a for a in (_decode_address(p) for p in _split_outside_quotes(value)) if a)


def _decode_address(piece: str) -> str:
    """_decode_header(piece), which only strips plain ASCII (no encoded word, not folded)."""
    if piece.isascii() and "=?" not in piece and "\n" not in piece:
        return piece.strip()
    return _decode_header(piece)


def _split_outside_quotes(value: str) -> list[str]:
    """`value` split at each comma followed by an even number of double quotes (outside quotes):
    the commas of every other stretch between quotes, counted from the last."""
    if '"' not in value:
        return value.split(",")
    stretches = value.split('"')
    parity = (len(stretches) - 1) % 2   # the stretches with an even number of quotes after them
    pieces = [""]
    for k, stretch in enumerate(stretches):
        if k:
            pieces[-1] += '"'
        if k % 2 == parity:
            first, *rest = stretch.split(",")
            pieces[-1] += first
            pieces += rest
        else:
            pieces[-1] += stretch
    return pieces


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
        if line[:1] in _DIFF_START_CHARS and _is_diff_start(lines, i):
            return i
    return None


def _header_end(data: bytes) -> int:
    """Offset of the first line that is not a header line (or len(data)), as the stdlib parser reads it."""
    return _HEADER_LINES.match(data).end()


def _body_start(data: bytes, end: int | None = None) -> int:
    """0-based line where the body begins: after the header lines (ending at `end`) and the blank line ending them."""
    if end is None:
        end = _header_end(data)
    count = data.count(b"\n", 0, end)
    if end == len(data):
        return count + (1 if data and not data.endswith(b"\n") else 0)
    return count + 1 if data[end:end + 1] in (b"\r", b"\n") else count


def _kind(data: bytes, header_end: int | None = None) -> str:
    """"mail", "archive" or "diff", from the first lines (header lines end at `header_end`)."""
    if data[:1] not in (b" ", b"\t"):   # a continuation line cannot come first
        block = data[:_header_end(data) if header_end is None else header_end]
        if any(m.group(1).lower().decode("latin-1") in _KNOWN_HEADERS for m in _HEADER_NAME.finditer(block)):
            return "mail"
    head = data[:8192].decode("latin-1").lstrip("\r\n").splitlines()
    if head and not _is_diff_start(head, 0) and any(line.startswith("From: ") for line in head[1:12]):
        return "archive"
    return "diff"


def _parse_mail(data: bytes, end: int) -> EmailMessage:
    """The stdlib's parse of a mail (headers end at `end`), without the work it would waste.

    Only the header fields this module reads go to the feed parser (a lore mail has
    dozens of Received and X- lines), and the body of a part that is not multipart/* or
    message/* is set as the payload it would have made, the whole rest of the input,
    instead of being fed to it line by line.  A header block the feed parser might
    read otherwise (a bare CR, a `From ` line past the first, no blank line after it)
    goes to it whole.
    """
    sep = 1 if data[end:end + 1] == b"\n" else 2 if data[end:end + 2] == b"\r\n" else 0
    head = _used_header_lines(data[:end]) if sep else None
    if head is None:
        return _PARSER.parsebytes(data)
    msg = _header_message(head)
    if msg is None:
        msg = _PARSER.parsebytes(head + data[end:end + sep])
    if msg.get_content_maintype() in ("multipart", "message"):
        return _PARSER.parsebytes(head + data[end:])
    msg.set_payload(data[end + sep:].decode("ascii", "surrogateescape"))
    return msg


def _header_message(head: bytes) -> EmailMessage | None:
    """What `_PARSER.parsebytes(head + b"\\n")` makes of the lines _used_header_lines kept (each
    ends in a newline, a `From ` line can only be the first, no bare CR, every other line a
    field with a name or a continuation): the feed parser's header loop without its line
    reader.  The payload is left empty (the caller sets it, or parses again).  None for a
    continuation line after a `From ` line (the feed parser notes a defect): parse that."""
    msg = EmailMessage()   # compat32
    fields = msg._headers
    name: str | None = None   # the field being read, and its value's lines
    value: list[str] = []
    for line in head.decode("ascii", "surrogateescape").split("\n")[:-1]:
        if line[:1] in (" ", "\t"):
            if name is None:
                return None
            value.append(line)
            continue
        if name is not None:
            # compat32's header_source_parse of the field's lines (each ending in a newline)
            fields.append((name, "\n".join(value).rstrip("\r\n")))
        if line.startswith("From "):
            msg.set_unixfrom(line[:-1] if line.endswith("\r") else line)
            name = None
            continue
        name, first = line.split(":", 1)
        value = [first.lstrip(" \t")]
    if name is not None:
        fields.append((name, "\n".join(value).rstrip("\r\n")))
    msg.set_payload("")
    return msg


def _used_header_lines(block: bytes) -> bytes | None:
    """The lines of the header fields parse_message and MIME read, or None when dropping
    the others could change how the feed parser reads what is left.

    Every line of a header block (_header_end) is a field (a name and its colon), a
    continuation (going with its field) or a `From ` line: the fields are found in the
    lowercased block by _USED_FIELD, which sre looks for only at line ends."""
    if (b"\r" in block and b"\r" in block.replace(b"\r\n", b"")) or b"\nFrom " in block:
        return None   # a misplaced envelope line: the feed parser may read it as the body
    lowered = b"\n" + block.lower()   # lowered[k + 1] is block[k] (ASCII letters lowercased)
    # (a match from lowered's s to e, from the newline before the field to the one ending it, is block[s:e])
    kept = [block[m.start():m.end()] for m in _USED_FIELD.finditer(lowered)]
    if block.startswith(b"From "):   # the envelope line (lowercased, it is no field name)
        kept.insert(0, block[:_ENVELOPE.match(lowered).end()])
    return b"".join(kept)


class _Part(NamedTuple):
    ctype: str
    lines: list[str]        # the decoded text, one line each
    rows: list[int] | range   # 0-based line of the raw message each line is on
    attachment: bool        # sent as an attachment (a patch type, a .patch/.diff name, or disposition)


def _qp_rows(raw: bytes, start: int, count: int) -> list[int]:
    """Rows of the decoded lines of a quoted-printable body (a soft break `=` joins raw lines)."""
    rows = [start]
    raw_lines = raw.split(b"\n")
    for i, line in enumerate(raw_lines):
        last = i == len(raw_lines) - 1
        piece = quopri.decodestring(line if last else line + b"\n").replace(b"\r\n", b"\n").replace(b"\r", b"")
        for p in range(len(piece)):
            if piece[p:p + 1] == b"\n":
                rows.append(start + i + (1 if p == len(piece) - 1 else 0))
    if len(rows) != count:   # not how the decoder read it: fall back to one row a line
        return [start + k for k in range(count)]
    return rows


# The Content-Type values read without the stdlib's parameter parser: a type and a lone charset.
_PLAIN_CONTENT_TYPE = re.compile(r"\s*[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+\s*(?:;\s*charset=(\"?)([A-Za-z0-9._:-]+)\1\s*)?")
_DECODING_CTES = frozenset(("quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"))


_CONTENT_HEADERS = ("content-type", "content-disposition", "content-transfer-encoding")


def _content_headers(part: EmailMessage) -> tuple:
    """part.get() of Content-Type, Content-Disposition and Content-Transfer-Encoding (None when
    absent), from one pass over the fields: the first of each name, as it is when it is ASCII
    (compat32 hands on a value without surrogate escapes as it is), else what get() makes of it."""
    found = {}
    for name, value in part._headers:
        name = name.lower()
        if name in _CONTENT_HEADERS and name not in found:
            found[name] = value if isinstance(value, str) and value.isascii() else part.get(name)
    return tuple([found.get(name) for name in _CONTENT_HEADERS])


def _content_fields(part: EmailMessage, ctype, disposition) -> tuple[str, str | None, str | None]:
    """(part.get_content_type(), part.get_filename(), part.get_content_charset()), given the part's
    Content-Type and Content-Disposition (part.get(): None when absent).

    An ASCII Content-Type of a type and at most a lowercase `charset` parameter (quoted or
    not), and no `name` in it or in Content-Disposition (so no file name parameter), is
    read here; anything else by the stdlib's parameter parser.  A test holds the two to the
    same result."""
    if ((ctype is None or isinstance(ctype, str) and ctype.isascii())
            and (disposition is None or isinstance(disposition, str) and "name" not in disposition.lower())):
        if ctype is None:
            return part.get_default_type(), None, None
        m = _PLAIN_CONTENT_TYPE.fullmatch(ctype)
        if m:
            main = ctype.partition(";")[0].strip().lower()
            return main, None, m.group(2).lower() if m.group(2) else None
    return part.get_content_type(), part.get_filename(), part.get_content_charset()


def _unencoded_payload(part: EmailMessage, cte) -> bytes | None:
    """part.get_payload(decode=True) of a part that is not multipart when its transfer encoding
    (`cte`, the Content-Transfer-Encoding value) changes nothing (7bit, 8bit, none): the body's
    bytes, as the parser read them (ASCII, the other bytes as surrogate escapes); None otherwise."""
    payload = part._payload   # (get_payload() would decode the escapes with the charset first)
    if not isinstance(cte, str) or cte.lower() in _DECODING_CTES or not isinstance(payload, str):
        return None
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:   # other characters: the stdlib's fallback encoding
        return None


def _text_parts(msg: EmailMessage, data: bytes, body_row: int) -> list[_Part]:
    """Every part that can hold a message or a patch, decoded, with the raw line of each line."""
    parts = []
    cursor, cursor_row = 0, 0   # where the search for the next part starts, and its line
    misses = 0
    multipart = msg.is_multipart()
    if multipart:   # (only the parts of a multipart message are searched for)
        raw_text = data.decode("latin-1")
        for _ in range(body_row):
            cursor = raw_text.find("\n", cursor) + 1
            cursor_row += 1
    for part in msg.walk() if multipart else (msg,):
        if multipart and part.is_multipart():
            continue
        content_type, disposition, cte = _content_headers(part)
        ctype, filename, charset = _content_fields(part, content_type, disposition)
        filename = (filename or "").lower()
        if not (ctype == "text/plain" or ctype in _PATCH_TYPES
                or (filename.endswith((".patch", ".diff")) and not ctype.startswith(("image/", "audio/", "video/")))):
            continue
        cte = "" if cte is None else cte
        payload = _unencoded_payload(part, cte)
        raw_bytes = b""
        if payload is None or multipart or str(cte).strip().lower() == "quoted-printable":
            raw_payload = part.get_payload()
            raw_bytes = raw_payload.encode("utf-8", "surrogateescape") if isinstance(raw_payload, str) else b""
        if payload is None:
            try:
                payload = part.get_payload(decode=True)
            except Exception:  # a broken transfer encoding: take the raw text
                payload = None
            if payload is None:
                payload = raw_bytes
        text = _decode(payload, charset)
        lines = _split_lines(text)
        # Where the part's body is in the raw message.
        start = body_row
        if multipart:
            # (a search that fails reads to the end: after a few, stop searching, so that a mail
            # of thousands of parts stays linear)
            snippet = raw_bytes[:200].decode("latin-1") if misses < _MAX_MISSES else ""
            pos = raw_text.find(snippet, cursor) if snippet else -1
            misses += bool(snippet) and pos < 0
            if pos >= 0:
                cursor_row += raw_text.count("\n", cursor, pos)
                start = cursor_row
                cursor_row += snippet.count("\n")
                cursor = pos + len(snippet)
            else:
                start = cursor_row
        if str(cte).strip().lower() == "quoted-printable":
            rows = _qp_rows(raw_bytes, start, len(lines))
        else:   # 7bit/8bit line for line; base64: the line in the decoded message
            rows = range(start, start + len(lines))
        if len(lines) > 1 and lines[-1] == "":   # the newline ending the last line starts no line
            lines, rows = lines[:-1], rows[:-1]
        disposition = str("" if disposition is None else disposition).split(";")[0].strip().lower()
        attachment = (ctype != "text/plain" or disposition == "attachment"
                      or filename.endswith((".patch", ".diff")))
        parts.append(_Part(ctype, lines, rows, attachment))
    return parts


def _split_body(lines: list[str], diff_start: int | None):
    """(commit lines, notes lines, diff start) of a body whose diff starts at diff_start (_find_diff)."""
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


def _trailers(lines: list[str], rows: list[int]) -> tuple[Trailer, ...]:
    found = []
    for k, line in enumerate(lines):
        if ":" not in line:   # (no trailer then)
            continue
        m = _TRAILER.match(line.strip())
        if m and (m.group(1).lower().endswith("-by") or m.group(1).lower() in _TRAILER_NAMES):
            found.append(Trailer(m.group(1), m.group(2).strip(), rows[k]))
    return tuple(found)


def parse_message(raw: RawMessage) -> Message:
    data = raw.data
    # A byte-order mark and blank lines before the first header are not part of the message;
    # `base` is the input line the remaining data starts on.
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lead = _LEADING_BLANK_LINES.match(data)
    base = raw.origin.start_line
    if lead:
        base += lead.group(0).count(b"\n")
        data = data[lead.end():]
    header_end = _header_end(data)
    kind = _kind(data, header_end)
    fields: dict = {}
    if kind == "mail":
        msg = _parse_mail(data, header_end)
        headers = _raw_headers(msg)
        subject = _header(headers, "Subject") or ""
        sender = _header(headers, "From") or ""
        fields.update(
            message_id=_msgid(_header(headers, "Message-ID")),
            author=sender,
            sender=sender,
            reply_to=_header(headers, "Reply-To"),
            date=_header(headers, "Date"),
            in_reply_to=_msgid(_header(headers, "In-Reply-To")),
            references=tuple(re.findall(r"<([^<>\s]+)>", _header(headers, "References") or "")),
            to=_addresses(headers.get("to")),
            cc=_addresses(headers.get("cc")),
            auto_submitted=_header(headers, "Auto-Submitted"),
        )
        parts = _text_parts(msg, data, _body_start(data, header_end))
        patch_part = diff_start = None
        for k, part in enumerate(parts):
            diff_start = _find_diff(part.lines)
            if diff_start is not None:
                patch_part = k
                break
        if not parts:
            lines, rows = [], []
        elif patch_part is None or patch_part == 0 or not parts[patch_part].attachment:
            chosen = parts[patch_part or 0]   # (where its diff starts is known: none for the first without one)
            lines, rows = chosen.lines, chosen.rows
        else:
            # The patch is an attachment: the message is the first text part, the diff the attachment.
            text, att = parts[0], parts[patch_part]
            lines = text.lines + ["---"] + att.lines
            rows = [*text.rows, att.rows[0], *att.rows]
            diff_start = _find_diff(lines)
        line_of = range(base + rows.start, base + rows.stop) if type(rows) is range else [base + r for r in rows]
    else:
        lines = _split_lines(_decode(data, None))
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
        line_of = range(base, base + len(lines))
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

    if kind != "mail":
        diff_start = _find_diff(lines)
    commit_lines, notes_lines, diff_start = _split_body(lines, diff_start)
    in_body, first = _in_body_headers(commit_lines, 0)
    if in_body.get("from"):
        fields["author"] = in_body["from"]
    body_subject = in_body.get("subject")
    if body_subject and not subject:
        subject, body_subject = body_subject, None
    while first < len(commit_lines) and not commit_lines[first].strip():
        first += 1
    commit_lines = commit_lines[first:]
    while commit_lines and not commit_lines[-1].strip():
        commit_lines.pop()
    commit_rows = line_of[first:first + len(commit_lines)]
    commit_line = line_of[first] if first < len(line_of) else base
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

    # The mail's Subject stays the subject (a reply quotes it; its prefix says which patch of which
    # series this is); an in-body `Subject:` is what `git am` makes the commit's title.
    prefix, title = parse_subject(subject)
    if body_subject:
        title = parse_subject(body_subject)[1]
    return Message(
        origin=raw.origin,
        kind=kind,
        subject=subject,
        title=title,
        prefix=prefix,
        commit=raw.commit,
        commit_message="\n".join(commit_lines),
        commit_message_line=commit_line,
        commit_message_rows=tuple(commit_rows),
        notes="\n".join(notes_lines).strip("\n"),
        trailers=_trailers(commit_lines, commit_rows),
        diff_lines=diff_lines,
        diff_mail_lines=diff_mail_lines,
        repairs=repairs,
        repaired_hunks=repaired_hunks,
        **fields,
    )
