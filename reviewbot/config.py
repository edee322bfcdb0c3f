"""`.reviewbot.toml` or `[tool.reviewbot]` in `pyproject.toml` -> a frozen `Config`.

Looked up from the working directory upward; the first directory holding either
file wins (`.reviewbot.toml` before `pyproject.toml`, and a `pyproject.toml`
counts only when it has a `[tool.reviewbot]` table).  Every key is checked: an
unknown key, an unknown rule id, an unknown rule option or a value of the wrong
type is an `InputError` (exit status 2) naming the file and the key.

    select = ["unchecked-null-return", "long-line"]   # replaces the default rules
    ignore = ["spelling"]                             # dropped from them
    extend-select = ["missing-unlock-on-error-path"]  # added to them (preview rules)
    fail-on = "error"
    show-preexisting = false

    [severity]
    long-line = "note"

    [per-path-ignores]
    "drivers/staging/*" = ["long-line", "spelling"]

    [rules.long-line]
    max-line-length = 80

    [rules.unchecked-null-return]
    extra-functions = ["my_lookup"]

    knowledge = "kernel-knowledge.tsv"     # `reviewbot learn -o FILE`, instead of the built-in one

    [reply]                                # how review replies are addressed (reviewbot reply)
    from = "reviewbot <reviewbot@example.org>"
    recipients = "list"                    # author | list | all
    lists = ["bpf@vger.kernel.org"]
    signature = "reviewbot, on behalf of the BPF maintainers"
    contact = "bpf-bot@example.org"
    templates = "templates/"               # a directory with your own reply.txt.j2
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, NamedTuple

from reviewbot.errors import InputError
from reviewbot.findings import Severity

CONFIG_NAME = ".reviewbot.toml"
PYPROJECT = "pyproject.toml"
KEYS = ("select", "ignore", "extend-select", "fail-on", "show-preexisting", "severity", "per-path-ignores", "rules",
        "reply", "knowledge")
REPLY_KEYS = {"from": "sender", "recipients": "recipients", "lists": "lists", "signature": "signature",
              "contact": "contact", "templates": "templates"}
EMPTY: Mapping = MappingProxyType({})


class Config(NamedTuple):
    source: str | None = None                          # the file it came from; None: no file
    select: tuple[str, ...] | None = None              # None: the default rules
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: str | None = None
    show_preexisting: bool = False
    severity: Mapping[str, Severity] = EMPTY
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (glob, rule ids)
    rule_options: Mapping[str, Mapping[str, object]] = EMPTY          # rule id -> option -> value
    reply: Mapping[str, object] = EMPTY                               # [reply]: ReplySettings fields
    knowledge: str | None = None   # a `reviewbot learn` database used instead of the built-in one

    def ignored_at(self, rule_id: str, path: str | None) -> bool:
        """Does a per-path ignore silence this rule for this file?"""
        if path is None:
            return False
        name = path.rsplit("/", 1)[-1]
        return any(rule_id in ids and (fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(name, glob))
                   for glob, ids in self.per_path_ignores)


def find_config(start: Path) -> Path | None:
    """The nearest `.reviewbot.toml`, or `pyproject.toml` with `[tool.reviewbot]`, from `start` up."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        candidate = directory / PYPROJECT
        if candidate.is_file():
            try:
                if b"[tool.reviewbot" in candidate.read_bytes():
                    return candidate
            except OSError:
                continue
    return None


def load_config(path: Path, rules: Iterable) -> Config:
    """Read and check one config file against the rules that exist (`engine.Rule`s)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the configuration ({e.strerror or e})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid TOML ({e})") from None
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("reviewbot", {})
        where = "[tool.reviewbot]"
    else:
        where = ""
    return parse_config(data, str(path), rules, where)


def parse_config(data: Mapping, source: str, rules: Iterable, where: str = "") -> Config:
    """A `Config` from parsed TOML; every problem is an `InputError` naming `source` and the key."""
    by_id = {r.id: r for r in rules}

    def fail(key: str, problem: str) -> InputError:
        table = f"{where} " if where else ""
        return InputError(f"{source}: {table}{key}: {problem}")

    def rule_ids(key: str, value, allow_all: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise fail(key, "expected a list of rule ids")
        unknown = [x for x in value if x not in by_id and not (allow_all and x == "ALL")]
        if unknown:
            raise fail(key, f"unknown rule id {', '.join(unknown)} (see `reviewbot rules`)")
        return tuple(value)

    if not isinstance(data, Mapping):
        raise fail("tool.reviewbot", "expected a table")
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise fail(unknown[0], f"unknown key (known: {', '.join(KEYS)})")

    select = rule_ids("select", data["select"], allow_all=True) if "select" in data else None
    ignore = rule_ids("ignore", data.get("ignore", []))
    extend = rule_ids("extend-select", data.get("extend-select", []))

    fail_on = data.get("fail-on")
    if fail_on is not None:
        if not isinstance(fail_on, str) or fail_on not in ("error", "warning", "note"):
            raise fail("fail-on", "expected \"error\", \"warning\" or \"note\"")
    show = data.get("show-preexisting", False)
    if not isinstance(show, bool):
        raise fail("show-preexisting", "expected true or false")

    severity = {}
    table = data.get("severity", {})
    if not isinstance(table, Mapping):
        raise fail("severity", "expected a table of rule id = \"error\" | \"warning\" | \"note\"")
    for rid, level in table.items():
        if rid not in by_id:
            raise fail(f"severity.{rid}", "unknown rule id (see `reviewbot rules`)")
        try:
            severity[rid] = Severity.parse(level) if isinstance(level, str) else Severity.parse("?")
        except ValueError:
            raise fail(f"severity.{rid}", "expected \"error\", \"warning\" or \"note\"") from None

    per_path = []
    table = data.get("per-path-ignores", {})
    if not isinstance(table, Mapping):
        raise fail("per-path-ignores", "expected a table of glob = [rule ids]")
    for glob, ids in table.items():
        per_path.append((glob, rule_ids(f"per-path-ignores.\"{glob}\"", ids)))

    options: dict[str, Mapping[str, object]] = {}
    table = data.get("rules", {})
    if not isinstance(table, Mapping):
        raise fail("rules", "expected tables [rules.<rule-id>]")
    for rid, settings in table.items():
        if rid not in by_id:
            raise fail(f"rules.{rid}", "unknown rule id (see `reviewbot rules`)")
        if not isinstance(settings, Mapping):
            raise fail(f"rules.{rid}", "expected a table of options")
        declared = by_id[rid].meta.options
        for name, value in settings.items():
            if name not in declared:
                known = ", ".join(declared) or "none"
                raise fail(f"rules.{rid}.{name}", f"unknown option (this rule's options: {known})")
            problem = _type_problem(declared[name], value)
            if problem:
                raise fail(f"rules.{rid}.{name}", problem)
        options[rid] = MappingProxyType({**declared, **settings})

    reply = {}
    table = data.get("reply", {})
    if not isinstance(table, Mapping):
        raise fail("reply", "expected a table")
    for key, value in table.items():
        if key not in REPLY_KEYS:
            raise fail(f"reply.{key}", f"unknown key (known: {', '.join(REPLY_KEYS)})")
        if key == "lists":
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise fail("reply.lists", "expected a list of addresses")
            value = tuple(value)
        elif not isinstance(value, str):
            raise fail(f"reply.{key}", "expected a string")
        if key == "recipients" and value not in ("author", "list", "all"):
            raise fail("reply.recipients", "expected \"author\", \"list\" or \"all\"")
        if key == "templates":
            value = str((Path(source).parent / value)) if source and not Path(value).is_absolute() else value
        reply[REPLY_KEYS[key]] = value

    knowledge = data.get("knowledge")
    if knowledge is not None:
        if not isinstance(knowledge, str) or not knowledge:
            raise fail("knowledge", "expected the path of a knowledge file (`reviewbot learn -o FILE`)")
        if source and not Path(knowledge).is_absolute():
            knowledge = str(Path(source).parent / knowledge)

    return Config(source, select, ignore, extend, fail_on, show, MappingProxyType(severity),
                  tuple(per_path), MappingProxyType(options), MappingProxyType(reply), knowledge)


def _type_problem(default: object, value: object) -> str | None:
    """Why `value` cannot replace an option whose default is `default`, or None."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return "expected a positive integer"
        return None
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return "expected a list of strings"
        return None
    if isinstance(default, str):
        return None if isinstance(value, str) else "expected a string"
    return None
