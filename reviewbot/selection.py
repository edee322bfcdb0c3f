"""Which rules run, with which severity and options: defaults, the config, then the command line.

Rule ids are kebab-case (`long-line`); checkpatch type names are upper case
(`LONG_LINE`).  `--ignore` and `--types` take either, as b4 and editors pass
checkpatch's own flags: a type name filters findings by their checkpatch type.
An unknown rule id is an error; an unknown type name is not (checkpatch has
types reviewbot does not map, such as UNKNOWN_COMMIT_ID).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from reviewbot.config import Config
from reviewbot.engine import Rule, registry
from reviewbot.errors import InputError

_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Selection(NamedTuple):
    rules: tuple[Rule, ...]
    ignore_types: frozenset[str] = frozenset()   # checkpatch types whose findings are dropped
    only_types: frozenset[str] = frozenset()     # when set, only findings of these types are kept


def _ids(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _split(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(rule ids, checkpatch type names)."""
    types = [t for t in tokens if _TYPE_NAME.match(t) and t != "ALL"]
    return [t for t in tokens if t not in types], types


def select_rules(select: str | None = None, ignore: str | None = None,
                 rules: tuple[Rule, ...] | None = None) -> tuple[Rule, ...]:
    """The rules to run for `--select`/`--ignore` alone (no config, no type names)."""
    return choose(select, ignore, rules=rules).rules


def choose(select: str | None = None, ignore: str | None = None, extend_select: str | None = None,
           types: str | None = None, config: Config = Config(),
           rules: tuple[Rule, ...] | None = None) -> Selection:
    """The rules to run and the checkpatch-type filters.

    `select` (command line, else the config's) replaces the default set: preview
    rules run only when selected or extend-selected by name.  `ignore` removes
    from it (the config's and the command line's together).  Severity overrides
    and rule options from the config are applied to the chosen rules.
    """
    rules = rules if rules is not None else registry()
    known = {r.id: r for r in rules}
    chosen, chosen_types = _split(_ids(select))
    dropped, ignore_types = _split(_ids(ignore))
    extended, extend_types = _split(_ids(extend_select))
    only_types = [t for t in _ids(types)]
    bad_types = [t for t in only_types if not _TYPE_NAME.match(t)]
    if bad_types:
        raise InputError(f"--types takes checkpatch type names such as LONG_LINE, not {', '.join(bad_types)}")
    if chosen_types or extend_types:
        raise InputError(f"--select takes rule ids, not checkpatch types ({', '.join(chosen_types + extend_types)}); "
                         "use --types for those")
    unknown = [x for x in chosen + dropped + extended if x not in known and x != "ALL"]
    if unknown:
        raise InputError(f"unknown rule id {', '.join(unknown)} (see `reviewbot rules`)")

    base = chosen or list(config.select or ())
    if base and "ALL" not in base:
        active = [known[x] for x in base if x in known]
    else:
        active = [r for r in rules if not r.meta.preview]
    for rid in (*config.extend_select, *extended):
        if rid in known and known[rid] not in active:
            active.append(known[rid])
    dropped_all = set(dropped) | set(config.ignore)
    out = []
    for r in active:
        if r.id in dropped_all:
            continue
        if r.id in config.severity:
            r = r._replace(meta=r.meta._replace(severity=config.severity[r.id]))
        if r.id in config.rule_options:
            r = r._replace(options=config.rule_options[r.id])
        out.append(r)
    if only_types:
        # Rules that cannot produce a wanted type need not run at all.
        out = [r for r in out if set(r.meta.checkpatch) & set(only_types)]
    return Selection(tuple(sorted(out, key=lambda r: r.id)), frozenset(ignore_types), frozenset(only_types))
