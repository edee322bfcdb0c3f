"""The service's own configuration file (TOML) -> a frozen `WatchConfig`.

Every key is checked as `reviewbot/config.py` checks `.reviewbot.toml`: an unknown key or
a value of the wrong type is an `InputError` (one line, exit status 2) naming the file and
the key.  Relative paths are relative to the file.

    state = "state.sqlite"             # SQLite, created on first run
    poll-interval = 300                # seconds between polls (without --once)
    outbox = "outbox/"                 # replies wait here for a person (`reviewbot outbox`)
    review-config = ".reviewbot.toml"  # rules and their options (default: none)

    [reply]
    from = "reviewbot <reviewbot@example.org>"
    signature = "reviewbot"
    contact = "bot-admin@example.org"

    [smtp]
    host = "smtp.example.org"
    port = 587
    security = "starttls"              # starttls | tls | none
    user = "reviewbot"
    password-env = "REVIEWBOT_SMTP_PASSWORD"   # or password-file = "/etc/reviewbot/smtp"

    [[lists]]
    name = "linux-pwm"
    address = "linux-pwm@vger.kernel.org"
    mode = "live"                      # muted (the default): review and record, never send
    recipients = "list"                # author | list | all
    threshold = "warning"              # reply only for findings at or above this
    embargo-hours = 24
    max-replies-per-hour = 20
    max-replies-per-thread = 5
    opt-out = ["someone@example.org"]
    confirm-hours = 6
    source = { type = "public-inbox", path = "/srv/lore/linux-pwm", remote = "https://lore.kernel.org/linux-pwm" }
"""

from __future__ import annotations

import email.utils
from pathlib import Path
from typing import Mapping, NamedTuple

from reviewbot.deliver.smtp import DEFAULT_PORTS, SECURITY, SmtpSettings
from reviewbot.errors import InputError
from reviewbot.findings import Severity
from reviewbot.reply import RECIPIENT_MODES

KEYS = ("state", "poll-interval", "outbox", "review-config", "tree", "reply", "smtp", "lists")
REPLY_KEYS = ("from", "signature", "contact", "templates")
SMTP_KEYS = ("host", "port", "security", "user", "password-env", "password-file", "timeout")
LIST_KEYS = ("name", "address", "source", "mode", "recipients", "threshold", "embargo-hours",
             "max-replies-per-hour", "max-replies-per-thread", "opt-out", "confirm-hours")
SOURCE_KEYS = {"public-inbox": ("type", "path", "remote"), "maildir": ("type", "path"), "mbox": ("type", "path"),
               "lore": ("type", "list", "url")}
MODES = ("muted", "live")
DEFAULT_LORE = "https://lore.kernel.org"


class SourceSettings(NamedTuple):
    type: str                     # public-inbox | maildir | mbox | lore
    path: str | None = None       # the archive directory (holding git/0.git ...), maildir or mbox file
    remote: str | None = None     # public-inbox: fetch epoch N from remote + "/N" (or "{epoch}" in it)
    list: str | None = None       # lore: the list's name there
    url: str = DEFAULT_LORE       # lore: the base URL


class ListSettings(NamedTuple):
    name: str
    source: SourceSettings
    address: str | None = None
    mode: str = "muted"
    recipients: str = "author"
    threshold: Severity = Severity.WARNING
    embargo_hours: float = 0.0
    max_per_hour: int = 20
    max_per_thread: int = 5
    opt_out: frozenset[str] = frozenset()
    confirm_hours: float = 6.0

    @property
    def live(self) -> bool:
        return self.mode == "live"


class Identity(NamedTuple):
    sender: str = "reviewbot <reviewbot@localhost>"
    signature: str = "reviewbot"
    contact: str | None = None
    templates: str | None = None

    @property
    def address(self) -> str:
        return email.utils.parseaddr(self.sender)[1].lower()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


class WatchConfig(NamedTuple):
    source: str
    state: str
    lists: tuple[ListSettings, ...]
    poll_interval: float = 300.0
    outbox: str | None = None
    smtp: SmtpSettings | None = None
    identity: Identity = Identity()
    review_config: str | None = None
    tree: str | None = None

    def list_named(self, name: str) -> ListSettings | None:
        return next((x for x in self.lists if x.name == name), None)


def load_watch_config(path: Path) -> WatchConfig:
    import tomllib

    if not path.is_file():
        raise InputError(f"--config {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the configuration ({e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid TOML ({e})") from None
    return parse_watch_config(data, str(path))


def parse_watch_config(data: Mapping, source: str) -> WatchConfig:
    base = Path(source).parent

    def fail(key: str, problem: str) -> InputError:
        return InputError(f"{source}: {key}: {problem}")

    def known(table: Mapping, keys, where: str) -> None:
        for k in table:
            if k not in keys:
                raise fail(f"{where}{k}", f"unknown key (known: {', '.join(keys)})")

    def text(table: Mapping, key: str, where: str, default=None, required: bool = False):
        if key not in table:
            if required:
                raise fail(f"{where}{key}", "missing")
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{where}{key}", "expected a non-empty string")
        return value

    def path(table: Mapping, key: str, where: str, required: bool = False) -> str | None:
        value = text(table, key, where, required=required)
        return None if value is None else str(base / Path(value).expanduser())

    def number(table: Mapping, key: str, where: str, default, integer: bool = False, minimum: float = 0):
        if key not in table:
            return default
        value = table[key]
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
            raise fail(f"{where}{key}", f"expected a{' whole' if integer else ''} number >= {minimum}")
        return value

    def choice(table: Mapping, key: str, where: str, choices, default):
        value = table.get(key, default)
        if value not in choices:
            raise fail(f"{where}{key}", "expected " + " or ".join(f'"{c}"' for c in choices))
        return value

    def table_at(value, key: str) -> Mapping:
        if not isinstance(value, Mapping):
            raise fail(key, "expected a table")
        return value

    if not isinstance(data, Mapping):
        raise fail("(top)", "expected a table")
    known(data, KEYS, "")
    state = path(data, "state", "", required=True)
    poll = number(data, "poll-interval", "", 300.0, minimum=1)
    outbox = path(data, "outbox", "")
    review_config = path(data, "review-config", "")
    tree = path(data, "tree", "")

    reply = table_at(data.get("reply", {}), "reply")
    known(reply, REPLY_KEYS, "reply.")
    identity = Identity(
        sender=text(reply, "from", "reply.", Identity._field_defaults["sender"]),
        signature=text(reply, "signature", "reply.", Identity._field_defaults["signature"]),
        contact=text(reply, "contact", "reply."),
        templates=path(reply, "templates", "reply."),
    )
    if "@" not in identity.address:
        raise fail("reply.from", "expected a mail address (\"name <user@domain>\")")

    smtp = None
    if "smtp" in data:
        t = table_at(data["smtp"], "smtp")
        known(t, SMTP_KEYS, "smtp.")
        security = choice(t, "security", "smtp.", SECURITY, "starttls")
        port = number(t, "port", "smtp.", DEFAULT_PORTS[security], integer=True, minimum=1)
        if port > 65535:
            raise fail("smtp.port", "expected a whole number from 1 to 65535")
        if "password-env" in t and "password-file" in t:
            raise fail("smtp.password-file", "give password-env or password-file, not both")
        user = text(t, "user", "smtp.")
        if user and "password-env" not in t and "password-file" not in t:
            raise fail("smtp.user", "needs password-env or password-file (a password is never given in the file "
                                    "or on the command line)")
        smtp = SmtpSettings(text(t, "host", "smtp.", required=True), port, security, user,
                            text(t, "password-env", "smtp."), path(t, "password-file", "smtp."),
                            float(number(t, "timeout", "smtp.", 60.0, minimum=1)))

    raw_lists = data.get("lists", [])
    if not isinstance(raw_lists, list) or not raw_lists or not all(isinstance(x, Mapping) for x in raw_lists):
        raise fail("lists", "expected one or more [[lists]] tables")
    lists, names = [], set()
    for i, t in enumerate(raw_lists):
        where = f"lists[{i}]."
        known(t, LIST_KEYS, where)
        name = text(t, "name", where, required=True)
        if name in names:
            raise fail(f"{where}name", f"another list is also named {name!r}")
        names.add(name)
        if "source" not in t:
            raise fail(f"{where}source", "missing")
        src = table_at(t["source"], f"{where}source")
        stype = choice(src, "type", f"{where}source.", tuple(SOURCE_KEYS), None)
        known(src, SOURCE_KEYS[stype], f"{where}source.")
        if stype == "lore":
            url = text(src, "url", f"{where}source.", DEFAULT_LORE)
            if not url.startswith(("http://", "https://")):
                raise fail(f"{where}source.url", "expected an http:// or https:// URL")
            settings = SourceSettings(stype, list=text(src, "list", f"{where}source.", name), url=url.rstrip("/"))
        else:
            settings = SourceSettings(stype, path(src, "path", f"{where}source.", required=True),
                                      text(src, "remote", f"{where}source."))
        address = text(t, "address", where)
        if address is not None and "@" not in address:
            raise fail(f"{where}address", "expected the list's mail address")
        recipients = choice(t, "recipients", where, RECIPIENT_MODES, "author")
        if recipients == "list" and address is None:
            raise fail(f"{where}address", "needed for recipients = \"list\"")
        threshold = choice(t, "threshold", where, ("error", "warning", "note"), "warning")
        opt_out = t.get("opt-out", [])
        if not isinstance(opt_out, list) or not all(isinstance(x, str) and "@" in x for x in opt_out):
            raise fail(f"{where}opt-out", "expected a list of mail addresses")
        mode = choice(t, "mode", where, MODES, "muted")
        lists.append(ListSettings(
            name, settings, address, mode, recipients, Severity.parse(threshold),
            float(number(t, "embargo-hours", where, 0.0)),
            number(t, "max-replies-per-hour", where, 20, integer=True, minimum=1),
            number(t, "max-replies-per-thread", where, 5, integer=True, minimum=1),
            frozenset(email.utils.parseaddr(x)[1].lower() for x in opt_out),
            float(number(t, "confirm-hours", where, 6.0)),
        ))
    if any(x.live for x in lists) and smtp is None and outbox is None:
        raise fail("smtp", "a live list needs [smtp] or outbox to deliver its replies")
    return WatchConfig(source, state, tuple(lists), float(poll), outbox, smtp, identity, review_config, tree)
