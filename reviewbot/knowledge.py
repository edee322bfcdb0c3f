"""Facts about kernel functions that rules rely on, read once from package data."""

from __future__ import annotations

import functools
import re
from importlib import resources
from types import MappingProxyType
from typing import Mapping, NamedTuple

# Share of call sites that must check a function's result before a missing check
# is worth an error: below it, callers often know the result cannot be NULL.
CONFIDENT_SHARE = 0.90
_ALLOCATES = re.compile(r"alloc|dup|create|printf|vmap|ioremap|iomap|memremap|skb_clone|skb_copy|^krealloc")


class ReturnFact(NamedTuple):
    function: str
    returns: str               # "null", "err_ptr" or "never_null"
    checked: float | None      # share of call sites that NULL-test the result
    sites: int | None
    evidence: str

    @property
    def failure(self) -> str:
        """How the function fails, for messages."""
        if self.function == "bsearch":
            return "when nothing matches"
        if _ALLOCATES.search(self.function):
            return "when the allocation fails"
        return "when nothing is found"


class Knowledge(NamedTuple):
    facts: Mapping[str, ReturnFact]

    def may_return_null(self, function: str, threshold: float = CONFIDENT_SHARE) -> ReturnFact | None:
        """The fact for a function that returns NULL and whose callers check it."""
        fact = self.facts.get(function)
        if fact is None or fact.returns != "null" or (fact.checked or 0) < threshold:
            return None
        return fact


def parse_facts(text: str) -> dict[str, ReturnFact]:
    facts = {}
    header = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        row = dict(zip(header, cols + [""] * (len(header) - len(cols))))
        facts[row["function"]] = ReturnFact(
            row["function"], row["returns"],
            float(row["checked"]) if row["checked"] else None,
            int(row["sites"]) if row["sites"] else None,
            row["evidence"],
        )
    return facts


@functools.cache
def builtin() -> Knowledge:
    text = resources.files("reviewbot.rules").joinpath("data/null_returning.tsv").read_text()
    return Knowledge(MappingProxyType(parse_facts(text)))
