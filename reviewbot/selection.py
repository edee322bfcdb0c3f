"""Which rules run: defaults, --select, --ignore; unknown ids are errors."""

from __future__ import annotations

from reviewbot.engine import Rule, registry
from reviewbot.errors import InputError


def _ids(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def select_rules(select: str | None = None, ignore: str | None = None,
                 rules: tuple[Rule, ...] | None = None) -> tuple[Rule, ...]:
    """The rules to run.  `select` replaces the default set (preview rules only run when
    selected by name); `ignore` removes from it.  Both take comma-separated ids."""
    rules = rules if rules is not None else registry()
    known = {r.id: r for r in rules}
    chosen, dropped = _ids(select), _ids(ignore)
    unknown = [x for x in chosen + dropped if x not in known and x != "ALL"]
    if unknown:
        raise InputError(f"unknown rule id {', '.join(unknown)} (see `reviewbot rules`)")
    if chosen and "ALL" not in chosen:
        active = [known[x] for x in chosen]
    else:
        active = [r for r in rules if not r.meta.preview]
    return tuple(r for r in active if r.id not in dropped)
