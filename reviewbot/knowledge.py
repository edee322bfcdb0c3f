"""Facts about kernel functions that rules rely on, read from package data when first asked.

The built-in knowledge (`builtin()`) is `rules/data/kernel-6.12.tsv`: what
`reviewbot learn` mined from the Linux 6.12 source (see `reviewbot/learn.py`),
merged with the hand-gathered facts of `rules/data/null_returning.tsv`
(`shared/data/null_returning_functions.md`) for the functions the mining does not
know.  Every row cites the kernel source it comes from.  The file is parsed on the
first look-up, so a review whose rules never ask pays nothing.

`ReturnFact.returns` says how a function fails:

* `"null"`: it may return NULL, and never an ERR_PTR: `IS_ERR()` of its result is
  always false.  (A NULL-returning function whose callers use `IS_ERR()` at one
  site in five is recorded as `null_or_err_ptr`: the source has an error path the
  mining could not see.)
* `"err_ptr"`: it returns an ERR_PTR on failure, never NULL: a NULL test misses
  the failure.
* `"null_or_err_ptr"`: it may return either (`IS_ERR_OR_NULL()` territory, or a
  `!CONFIG_...` stub that returns NULL next to a real function returning
  ERR_PTRs); neither mistake can be claimed.
* `"never_null"`: documented never to fail.

So `.returns == "null"` and `.returns == "err_ptr"` keep their old meaning
("only this kind of failure"); ask `.may_be_null` / `.may_be_err_ptr` for "can it".

How callers treat the result, over the call sites `x = f(...)` of the tree:
A function only defined `static` in .c files names them in `file`
(`applies_to(path)`): a patch to another file calling a function of that name
calls something else.  `checked` / `err_checked` are the shares that test `x` for NULL / with `IS_ERR()`
within 7 lines, of `sites`; `derefs` counts the sites that dereference `x` later in
the function and `deref_checked` the share of those that test it first.  A low
share means callers often know the result cannot be NULL in context (rb_next,
strsep, of_device_get_match_data): rules should leave those alone.
"""

from __future__ import annotations

import bisect
import functools
import re
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple

# Share of call sites that must check a function's result before a missing check
# is worth an error: below it, callers often know the result cannot be NULL.
CONFIDENT_SHARE = 0.90
# Fewer call sites than this say nothing about a convention.
MIN_SITES = 3
BUILTIN = "data/kernel-6.12.tsv"
_MAPS = re.compile(r"ioremap|iomap|memremap|vmap|kmap")
_ALLOCATES = re.compile(r"alloc|dup|create|printf|skb_clone|skb_copy|^krealloc|_new$|^new_")
_LOOKUPS = re.compile(r"find|lookup|search|match|get|first|last|next|prev|load|peek|^str|^mem|chr|_by_|entry")
_RETURNS = frozenset({"null", "err_ptr", "null_or_err_ptr", "never_null"})


class ReturnFact(NamedTuple):
    function: str
    returns: str                        # "null", "err_ptr", "null_or_err_ptr" or "never_null"
    checked: float | None               # share of call sites that NULL-test the result within 7 lines
    sites: int | None                   # call sites `x = f(...)` in the tree
    evidence: str
    err_checked: float | None = None    # share of call sites that test the result with IS_ERR()
    derefs: int | None = None           # call sites that dereference the result later
    deref_checked: float | None = None  # share of those that test it before the dereference
    file: str = ""                      # a function only defined `static`: the .c file(s) it is in

    def applies_to(self, path: str | None) -> bool:
        """Is this the function a call in `path` reaches?  A static function of another file
        that happens to have the same name is not."""
        if not self.file or path is None:
            return not self.file
        return any(path == f or path.endswith("/" + f) for f in self.file.split(","))

    @property
    def may_be_null(self) -> bool:
        return self.returns in ("null", "null_or_err_ptr")

    @property
    def may_be_err_ptr(self) -> bool:
        return self.returns in ("err_ptr", "null_or_err_ptr")

    @property
    def checked_before_deref(self) -> float | None:
        """The share of callers that test the result before they dereference it (the
        convention for a dereference); the overall test share where too few dereference."""
        if self.derefs is not None and self.derefs >= MIN_SITES * 2 and self.deref_checked is not None:
            return self.deref_checked
        return self.checked

    @property
    def failure(self) -> str:
        """How the function fails, for messages."""
        if self.function == "bsearch":
            return "when nothing matches"
        if _MAPS.search(self.function):
            return "when the mapping fails"
        if _ALLOCATES.search(self.function):
            return "when the allocation fails"
        if _LOOKUPS.search(self.function):
            return "when nothing is found"
        return "on failure"


class _LazyFacts(Mapping):
    """A read-only mapping over a knowledge TSV, read on first use.  The rows are kept as
    sorted lines and found by bisection; a row is parsed into a `ReturnFact` only when it is
    asked for (a review asks about a few dozen functions of the thousands listed), so no
    Python loop runs over the whole file."""

    __slots__ = ("_load", "_lines", "_header", "_parsed", "_names")

    def __init__(self, load: Callable[[], str]) -> None:
        self._load = load
        self._lines: list[str] | None = None
        self._header: list[str] = []
        self._parsed: dict[str, ReturnFact | None] = {}
        self._names: list[str] | None = None

    def _rows(self) -> list[str]:
        if self._lines is None:
            lines = self._load().split("\n")
            start = 0
            while start < len(lines) and (not lines[start] or lines[start][0] == "#"):
                start += 1
            self._header = lines[start].split("\t") if start < len(lines) else []
            rows = lines[start + 1:]
            rows.sort()     # a no-op on the shipped file, which is written sorted
            self._lines = rows
        return self._lines

    def _find(self, name: str) -> ReturnFact | None:
        try:
            return self._parsed[name]
        except KeyError:
            pass
        rows = self._rows()
        key = name + "\t"
        i = bisect.bisect_left(rows, key)
        fact = _row(self._header, rows[i].split("\t")) if i < len(rows) and rows[i].startswith(key) else None
        self._parsed[name] = fact
        return fact

    def __getitem__(self, name: str) -> ReturnFact:
        fact = self._find(name)
        if fact is None:
            raise KeyError(name)
        return fact

    def get(self, name, default=None):
        fact = self._find(name)
        return default if fact is None else fact

    def __contains__(self, name) -> bool:
        return self._find(name) is not None

    def _all_names(self) -> list[str]:
        if self._names is None:
            self._names = [line.partition("\t")[0] for line in self._rows() if line.strip()]
        return self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_names())

    def __len__(self) -> int:
        return len(self._all_names())

    @property
    def loaded(self) -> bool:
        return self._lines is not None


class Knowledge(NamedTuple):
    facts: Mapping[str, ReturnFact]

    def may_return_null(self, function: str, threshold: float = CONFIDENT_SHARE) -> ReturnFact | None:
        """The fact for a function that may return NULL and whose callers check the result
        (all call sites, or those that dereference it) at `threshold` or more."""
        fact = self.facts.get(function)
        if fact is None or not fact.may_be_null or not confident(fact, threshold):
            return None
        return fact


def confident(fact: ReturnFact, threshold: float = CONFIDENT_SHARE) -> bool:
    """Do callers follow the convention of checking this function's result?"""
    if fact.sites is not None and fact.sites < MIN_SITES and fact.sites != 0:
        return False
    shares = (fact.checked, fact.checked_before_deref)
    return any(s is not None and s >= threshold for s in shares)


def _float(s: str) -> float | None:
    return float(s) if s else None


def _int(s: str) -> int | None:
    return int(s) if s else None


def _row(header: list[str], cols: list[str]) -> ReturnFact:
    row = dict(zip(header, cols))
    returns = row.get("returns", "")
    if returns not in _RETURNS:
        raise ValueError(f"{row.get('function')}: unknown `returns` value {returns!r}")
    return ReturnFact(
        row["function"], returns, _float(row.get("checked", "")), _int(row.get("sites", "")),
        row.get("evidence", ""), _float(row.get("err_checked", "")), _int(row.get("derefs", "")),
        _float(row.get("deref_checked", "")), row.get("file", ""),
    )


def parse_facts(text: str) -> dict[str, ReturnFact]:
    """Rows of a knowledge TSV (`#` comments, a header naming the columns) by function name."""
    facts = {}
    header = None
    for line in text.splitlines():
        if not line or line[0] == "#" or not line.strip():
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        facts[cols[0]] = _row(header, cols)
    return facts


def read_data(name: str) -> str:
    return resources.files("reviewbot.rules").joinpath(name).read_text()


def from_file(path: str) -> Knowledge:
    """The knowledge of a `reviewbot learn` database; an `InputError` when it cannot be one."""
    from reviewbot.errors import InputError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"knowledge file {path}: {getattr(e, 'strerror', None) or e}") from None
    header = next((line for line in text.splitlines() if line.strip() and line[0] != "#"), "")
    columns = header.split("\t")
    if columns[:1] != ["function"] or "returns" not in columns:
        raise InputError(f"knowledge file {path}: not a knowledge database (the first row must name the "
                         "columns: function, returns, ...; `reviewbot learn -o FILE` writes one)")
    facts = _LazyFacts(lambda: text)
    try:
        for name in facts:   # every row is checked now, not in the middle of a review
            facts[name]
    except (ValueError, IndexError, KeyError) as e:
        raise InputError(f"knowledge file {path}: bad row: {e}") from None
    return Knowledge(facts)


@functools.cache
def builtin() -> Knowledge:
    """The shipped knowledge; the file is read and parsed on the first look-up."""
    return Knowledge(_LazyFacts(lambda: read_data(BUILTIN)))
