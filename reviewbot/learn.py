"""`reviewbot learn`: mine a kernel tree for what functions return on failure.

For every function that returns a pointer, the source says whether it can
return NULL and whether it can return an `ERR_PTR()`:

* in its body: `return NULL;` (or `return 0;`, `return c ? x : NULL;`),
  `return ERR_PTR(...)` / `ERR_CAST()` / `IOMEM_ERR_PTR()`, or a variable that
  was set to one of those (`found = NULL; ... return found;`, the list search;
  not when the NULL is overwritten on every path, nor when the variable is only
  returned under `if (p)`);
* through a wrapper, to a fixed point: `return g(...)`, or `p = g(...); ...
  return p;` with no NULL test of `p` after the call (kmemdup's
  `if (p) memcpy(...); return p;` hands the NULL on, `if (p) { ...; return p; }`
  does not), and macros whose body is one call (`#define kmalloc(...)
  alloc_hooks(kmalloc_noprof(...))`) or a conditional with a NULL arm; an error
  pointer is passed on unless it is filtered out (`if (p && !IS_ERR(p))`);
* in its kernel-doc: a sentence about what it returns that says `NULL` /
  `%NULL` (not "non-NULL", "never NULL", nor a parameter's "may be NULL") or
  `ERR_PTR` / "error pointer".

A `static inline` stub in a header whose whole body is one constant `return` (the
`#else` branch of a config option) counts only for names that have no other
definition.  A function defined only `static` in .c files records those files
(`file`): another file's call of that name reaches another function.

Then every call site of the form `x = f(...)` (or `T *x = f(...)`, or a field,
`st->info = f(...)`; not a `for (...)` head, which is iteration) in the tree is
read, as `shared/data/null_returning_functions.md` did by hand:

* `sites`, and the shares of them whose result is tested for NULL (`checked`) or
  with `IS_ERR()` (`err_checked`) within the next 7 lines;
* `derefs`, the sites whose result is dereferenced (`x->f`, `*x`, `x[i]`) later in
  the function before it is reassigned, and `deref_checked`, the share of those
  where a test comes first.  This is the convention a rule about an unchecked
  dereference should follow: `platform_get_resource()` is often passed straight
  to `devm_ioremap_resource()`, which checks it, but callers that read
  `res->start` test it first.

Callers also correct the source analysis: a NULL-returning function whose callers
use `IS_ERR()` (or an ERR_PTR one whose callers test for NULL) at two sites and
one in five is recorded as `null_or_err_ptr`.

The mining is text-based (kernel coding style: a function's `{` and `}` at the
start of a line), after comments and strings are blanked; Linux 6.12 (55,000
files, 1.3 GB) takes about 130 CPU seconds, a little over a minute with two
processes.  `tools/`, `scripts/`, `samples/`, `Documentation/` and `usr/` are
user-space or not code, and boot, decompressor and sanitizer code redefines kernel
functions its own way: they are skipped.

The result is a TSV (see `write_tsv`) that `reviewbot.knowledge` reads.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, NamedTuple

SKIP_TOP = frozenset({"tools", "scripts", "samples", "Documentation", "usr", ".git", "LICENSES"})
# Code that runs outside the kernel proper and redefines kernel functions its own way
# (decompressors' kmalloc() is malloc(), KASAN's memcpy() returns NULL after a report).
SKIP_PATHS = re.compile(r"^arch/[^/]+/boot/|^arch/[^/]+/purgatory/|^arch/x86/realmode/|^lib/decompress"
                        r"|^drivers/firmware/efi/libstub/|^mm/kasan/|^mm/kmsan/|^kernel/kcsan/|/vdso")
WINDOW_LINES = 7
COLUMNS = ("function", "returns", "checked", "sites", "err_checked", "derefs", "deref_checked", "file",
           "evidence")
# A NULL-returning function whose callers test IS_ERR() at this share of sites (at two sites at
# least) has an error path the text analysis missed (an ops pointer, a macro), and an
# ERR_PTR-returning one whose callers test for NULL a NULL path: either is recorded as
# null_or_err_ptr, so that no rule claims the other test is wrong.
OTHER_CONVENTION = 0.20

# --- blanking comments and strings -------------------------------------------------------

_MASK = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def _blank(m: re.Match) -> str:
    s = m.group()
    if s[0] == "/":
        if "\n" not in s:
            return " " * len(s)
        return "\n".join(" " * len(part) for part in s.split("\n"))
    return s[0] + " " * (len(s) - 2) + s[-1]


def mask(source: str) -> str:
    """The source with comments and string contents replaced by spaces (same offsets)."""
    return _MASK.sub(_blank, source)


# --- function definitions ------------------------------------------------------------------

_ATTRS = re.compile(
    r"\b(?:__attribute__|__printf|__scanf|__alloc_size|__realloc_size|__acquires|__releases|__must_hold"
    r"|__cond_acquires|__cond_releases|__section|__aligned|__diagnose_as|__assume_aligned|__no_sanitize_address"
    r"|__counted_by|__nocfi|__no_kcsan|__noclone|__used|__maybe_unused|__weak|__visible|noinline|__noinline"
    r"|__init|__exit|__cold|__ref|notrace|__always_inline|__must_check|__malloc|asmlinkage)\b"
    r"(?:\s*\((?:[^()]|\([^()]*\))*\))?")
_SIGNATURE = re.compile(r"^([^()=;{}#]*?)\b([A-Za-z_]\w*)\s*\((.*)\)[\s\w]*$", re.S)
_ONE_LINER = re.compile(
    r"^static\s+(?:inline|__always_inline)\b([^;{}()#=]*?)\b([A-Za-z_]\w*)\s*\(([^;{}]*?)\)\s*\{([^{}\n]*)\}",
    re.M)
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)[ \t]*((?:[^\n\\]|\\\n|\\.)*)", re.M)

_RET_NULL = re.compile(r"\breturn\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?\(?\s*(?:NULL|0)\s*\)?\s*;")
_RET_TERNARY_NULL = re.compile(r"\breturn\b[^;]*(?:\?\s*\(?NULL\)?\s*:|:\s*\(?NULL\)?\s*;)")
_ERR_CALL = r"(?:ERR_PTR|ERR_CAST|IOMEM_ERR_PTR|ERR_PTR_PCPU)"
_RET_ERR = re.compile(r"\breturn\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?\(?\s*" + _ERR_CALL + r"\s*\(")
_RET_TERNARY_ERR = re.compile(r"\breturn\b[^;]*[?:]\s*\(?" + _ERR_CALL + r"\s*\(")
_RET_CALL = re.compile(r"\breturn\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?\(?\s*([A-Za-z_]\w*)\s*\(")
_RET_VAR = re.compile(r"\breturn\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?\(?\s*([A-Za-z_]\w*)\s*\)?\s*;")
TRANSPARENT = frozenset({"alloc_hooks", "alloc_hooks_tag", "no_free_ptr", "unlikely", "likely"})
NOT_FUNCTIONS = frozenset({
    "sizeof", "if", "while", "for", "switch", "return", "ERR_PTR", "ERR_CAST", "IOMEM_ERR_PTR", "ERR_PTR_PCPU",
    "PTR_ERR", "container_of", "container_of_const", "list_entry", "READ_ONCE", "rcu_dereference",
    "rcu_dereference_protected", "rcu_dereference_raw", "typeof", "__builtin_expect", "NULL", "defined",
    "offsetof", "ARRAY_SIZE", "min", "max", "min_t", "max_t", "clamp", "BIT", "cpu_to_le32", "le32_to_cpu",
})
_KDOC_OPEN = "/**"


class Definition(NamedTuple):
    name: str
    where: str               # path:line
    static: bool
    stub: bool               # a header `static inline` whose whole body is one return
    null: str | None         # direct evidence of a NULL return
    err: str | None          # direct evidence of an ERR_PTR return
    calls: tuple[str, ...]   # `return g(...)`
    null_vars: tuple[str, ...]   # `p = g(); ... return p;` with p never tested for NULL
    err_vars: tuple[str, ...]    # `p = g(); ... return p;` passing an error pointer on


class Stats(NamedTuple):
    sites: int
    null7: int
    err7: int
    derefs: int
    deref_checked: int


def _signature_start(code: str, brace: int) -> int:
    """Where the declaration ending at a line-initial `{` begins: after the last line that is
    blank, a preprocessor line, or ends a statement or block (at most 12 lines back)."""
    pos = brace
    for _ in range(12):
        if pos <= 0:
            return 0
        prev = code.rfind("\n", 0, pos - 1)
        line = code[prev + 1:pos - 1]
        stripped = line.strip()
        if not stripped or stripped[-1] in ";}" or stripped[0] == "#" or stripped.endswith("*/"):
            return pos
        pos = prev + 1
    return pos


def _parse_signature(sig: str) -> tuple[str, bool, bool] | None:
    """(name, returns a pointer, static) for a function definition's head, else None."""
    cleaned = _ATTRS.sub(" ", sig)
    m = _SIGNATURE.match(cleaned.strip())
    if m is None:
        return None
    prefix, name = m.group(1), m.group(2)
    if not prefix.strip() or name in NOT_FUNCTIONS:
        return None
    pointer = "*" in prefix
    return name, pointer, bool(re.search(r"\bstatic\b", prefix))


_KDOC_LINE = re.compile(r"^\s*(?:/\*\*|\*/|\*)?[ \t]?", re.M)
_KDOC_SECTION = re.compile(r"\n\s*(?=(?:@\w+|[A-Z][A-Za-z ]{1,20}):)")
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z%@(])")
_NULL_WORD = re.compile(r"%?\bNULL\b(?!-)")
_NEGATED = re.compile(r"(?i)(?:\bnon|\bnot|\bnever|\bno|!|\bcannot|\bcan't|\bwon't|\bisn't)[\s-]*"
                      r"(?:be\s+|a\s+|an?\s+)?%?$")
_KDOC_ERR = re.compile(r"ERR_PTR|IS_ERR|ERR_CAST|PTR_ERR|error[ -]pointer|error[ -]encoded pointer"
                       r"|error-valued pointer")
_RETURNS_WORD = re.compile(r"(?i)\breturn")


def kdoc_says(comment: str) -> tuple[str | None, str | None]:
    """(the sentence saying it returns NULL, the one saying it returns an ERR_PTR) in a kernel-doc."""
    if "NULL" not in comment and "ERR" not in comment and "rror" not in comment:
        return None, None
    body = _KDOC_LINE.sub("", comment)
    null = err = None
    for section in _KDOC_SECTION.split("\n" + body):
        section = " ".join(section.split())
        is_return = bool(re.match(r"(?i)returns?\s*:|return value\s*:", section))
        if section.startswith("@"):
            continue   # a parameter's description: "@p: may be NULL" is about the argument
        for sentence in _SENTENCE.split(section):
            if not (is_return or _RETURNS_WORD.search(sentence)):
                continue
            if null is None:
                for m in _NULL_WORD.finditer(sentence):
                    if not _NEGATED.search(sentence[max(0, m.start() - 16):m.start()]):
                        null = sentence
                        break
            if err is None and _KDOC_ERR.search(sentence):
                err = sentence
    return null, err


def _short(sentence: str, limit: int = 90) -> str:
    sentence = sentence.replace("\t", " ").replace('"', "'")
    return sentence if len(sentence) <= limit else sentence[:limit - 3] + "..."


_var_cache: dict[str, tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]] = {}


def _var_patterns(var: str):
    pats = _var_cache.get(var)
    if pats is None:
        v = re.escape(var)
        assign = re.compile(r"(?<![\w>.])" + v + r"\s*=\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?(?:(NULL)\b|("
                            + _ERR_CALL + r")\s*\(|(?:alloc_hooks\()?([A-Za-z_]\w*)\s*\()")
        null_test = re.compile(r"!\s*" + v + r"\b(?!\s*(?:->|\.|\[))|\b" + v + r"\s*==\s*NULL\b|\bNULL\s*==\s*"
                               + v + r"\b|IS_ERR_OR_NULL\(\s*" + v + r"\s*\)")
        err_test = re.compile(r"IS_ERR(?:_OR_NULL)?\(\s*" + v + r"\s*\)")
        err_pass = re.compile(r"(?<![!\w])IS_ERR\(\s*" + v + r"\s*\)\s*\)\s*(?:\{\s*)?return\s+(?:ERR_CAST\()?\s*"
                              + v + r"\b")
        any_assign = re.compile(r"(?<![\w>.])" + v + r"\s*=(?!=)\s*(NULL\b)?")
        pats = (assign, null_test, err_test, err_pass, any_assign)
        if len(_var_cache) > 4096:
            _var_cache.clear()
        _var_cache[var] = pats
    return pats


def _returned_vars(body: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...], str | None]:
    """What `return p;` passes on: (NULL evidence, calls p may hold unchecked, calls whose
    error p passes on, ERR_PTR evidence)."""
    null = err = None
    null_calls: list[str] = []
    err_calls: list[str] = []
    returns: dict[str, list[int]] = {}
    for m in _RET_VAR.finditer(body):
        returns.setdefault(m.group(1), []).append(m.start())
    for var, where in returns.items():
        if var in ("NULL", "0") or var.isupper():
            continue
        assign, null_test, err_test, err_pass, any_assign = _var_patterns(var)
        found = list(assign.finditer(body))
        if not found:
            continue
        err_tested = err_test.search(body) is not None
        # An unconditional assignment after the declaration makes the initial NULL dead.
        unconditional = [m for m in any_assign.finditer(body) if _unconditional(body, m.start())]
        for m in found:
            if m.group(1):
                if any(u.start() > m.start() and not u.group(1) for u in unconditional) \
                        or all(_guarded(body, var, pos) for pos in where):
                    continue   # dead: overwritten on every path, or returned only when set
                null = null or f"returns `{var}`, set to NULL"
            elif m.group(2):
                err = err or f"returns `{var}`, set to {m.group(2)}()"
            else:
                fn = m.group(3)
                if fn in NOT_FUNCTIONS:
                    continue
                if not _handled(body, var, m.end(), null_test):
                    null_calls.append(fn)
                if not err_tested or err_pass.search(body):
                    err_calls.append(fn)
    return null, tuple(null_calls), tuple(err_calls), err


def _handled(body: str, var: str, after: int, null_test: re.Pattern) -> bool:
    """Is the NULL a call may have stored in `var` dealt with after the call: a NULL test
    (`if (!p) return ...`), or right after it `if (p) { ...; return p; }`?  (`if (p)
    memcpy(...);` and then `return p;` hands the NULL on.)"""
    end = body.find(";", after)
    if end < 0:
        return False
    window_end = end
    for _ in range(6):
        nxt = body.find("\n", window_end + 1)
        if nxt < 0:
            break
        window_end = nxt
    if null_test.search(body, end + 1):
        return True   # `if (!p)` later on: the failure is handled (or turned into an error)
    window = body[end + 1:window_end]
    m = re.search(r"\bif\s*\(\s*(?:likely\(\s*)?" + re.escape(var) + r"\s*\)?\s*\)\s*(\{)?", window)
    if m is None:
        return False
    rest = body[end + 1 + m.end():]
    block = rest[:_block_end(rest)] if m.group(1) else rest[:rest.find(";") + 1]
    return re.search(r"\breturn\s+" + re.escape(var) + r"\s*;", block) is not None


def _block_end(text: str) -> int:
    """Where the block whose `{` was just read ends."""
    depth = 1
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _guarded(body: str, var: str, pos: int) -> bool:
    """Is the `return var;` at `pos` in the block of an `if (var)`?"""
    head = body[max(0, pos - 300):pos]
    guard = r"\bif\s*\(\s*(?:likely\(\s*)?" + re.escape(var) + r"\s*\)?\s*\)\s*(?:\{[^{}]*)?$"
    return re.search(guard, head) is not None


_UNCONDITIONAL_BLOCK = re.compile(r"^\t*(?:scoped_guard\s*\(.*\)\s*)?\{?\s*$")


def _unconditional(body: str, pos: int) -> bool:
    """Is the statement at `pos` run whenever the function gets there: one tab deep, or in
    blocks that always run (`scoped_guard(...) {`, a bare `{`)?"""
    start = body.rfind("\n", 0, pos) + 1
    depth = pos - start
    if body[start:pos].strip(" \t") or depth < 1:
        return False
    while depth > 1:
        # the nearest line above that is less deep opens the block
        end = start - 1
        while end > 0:
            begin = body.rfind("\n", 0, end) + 1
            line = body[begin:end]
            tabs = len(line) - len(line.lstrip("\t"))
            if line.strip() and not line.lstrip().startswith("#") and tabs < depth:
                if not _UNCONDITIONAL_BLOCK.match(line):
                    return False
                depth, start = tabs, begin
                break
            end = begin - 1
        else:
            return False
    return True


def _analyse_body(name: str, where: str, static: bool, stub: bool, body: str) -> Definition:
    null = err = None
    m = _RET_NULL.search(body) or _RET_TERNARY_NULL.search(body)
    if m:
        null = "body: `return NULL`" if "NULL" in m.group() else "body: `return 0`"
        if "?" in m.group():
            null = "body: `return ... ? ... : NULL`"
    m = _RET_ERR.search(body) or _RET_TERNARY_ERR.search(body)
    if m:
        err = "body: `return ERR_PTR()`"
    calls = []
    for m in _RET_CALL.finditer(body):
        fn = m.group(1)
        if fn in TRANSPARENT:
            inner = re.match(r"\s*([A-Za-z_]\w*)\s*\(", body[m.end():])
            fn = inner.group(1) if inner else fn
        if fn not in NOT_FUNCTIONS and fn != name:
            calls.append(fn)
    var_null, null_vars, err_vars, var_err = _returned_vars(body)
    null = null or (f"body: {var_null}" if var_null else None)
    err = err or (f"body: {var_err}" if var_err else None)
    return Definition(name, where, static, stub, null, err, tuple(dict.fromkeys(calls)),
                      tuple(dict.fromkeys(null_vars)), tuple(dict.fromkeys(err_vars)))


def _macro(name: str, where: str, body: str) -> Definition | None:
    """A function-like macro that is one call (an alias) or a conditional with a NULL arm."""
    body = body.replace("\\\n", " ").strip()
    if not body:
        return None
    null = "macro: `... ? ... : NULL`" if re.search(r"[?:]\s*\(?NULL\)?\s*[:);]|:\s*\(?NULL\)?\s*$", body) else None
    err = "macro: `ERR_PTR()`" if re.search(r"[?:]\s*\(?" + _ERR_CALL + r"\s*\(", body) else None
    calls = ()
    inner = body
    while inner.startswith("(") and _balanced_call(inner, 0):
        inner = inner[1:-1].strip()
    m = _MACRO_CALL.match(inner)
    if m and _balanced_call(inner, m.end() - 1):
        fn = m.group(1)
        if fn in TRANSPARENT:
            m2 = re.match(r"\s*([A-Za-z_]\w*)\s*\(", inner[m.end():])
            fn = m2.group(1) if m2 else fn
        if fn not in NOT_FUNCTIONS and fn != name:
            calls = (fn,)
    if not (null or err or calls):
        return None
    return Definition(name, where, False, False, null, err, calls, (), ())


_MACRO_CALL = re.compile(r"(?:\((?:[^()]|\([^()]*\))*\)\s*)?([A-Za-z_]\w*)\s*\(")


def _balanced_call(text: str, open_paren: int) -> bool:
    """Does the parenthesis at `open_paren` close at the end of `text`?"""
    depth = 0
    for i in range(open_paren, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[i + 1:].strip() == ""
    return False


# --- call sites -----------------------------------------------------------------------------

_SITE = re.compile(r"(?<![=!<>+\-*/%&|^])=(?!=)\s*(?:\(\s*[\w\s]+\**\s*\)\s*)?(?:alloc_hooks\(\s*)?([A-Za-z_]\w*)\s*\(")
_COND_PREFIX = re.compile(r"^\s*(?:\}\s*)?(?:else\s+)?(?:if|while)\s*\([\s(!]*"
                          r"(?:(?:unlikely|likely|IS_ERR_OR_NULL|IS_ERR|WARN_ON|WARN_ON_ONCE)\s*\([\s(!]*)*$")
_FOR_PREFIX = re.compile(r"^\s*for\s*\(")
_TEST_CALLS_BEFORE = re.compile(
    r"(?:\b(IS_ERR_OR_NULL|IS_ERR|PTR_ERR_OR_ZERO|IS_ERR_VALUE|ZERO_OR_NULL_PTR)|NOT_(ERR_OR_)?NULL\([^()]*,)"
    r"\s*\(?\s*$")
_TRUTH_BEFORE = re.compile(r"(?:!|&&|\|\||\b(?:if|while|WARN_ON|WARN_ON_ONCE|BUG_ON|unlikely|likely)\s*\()\s*\(*\s*$")
_NULL_CMP_BEFORE = re.compile(r"\bNULL\s*[!=]=\s*$")
_NULL_CMP_AFTER = re.compile(r"^\s*(?:[!=]=\s*NULL\b|&&|\|\||\?)")
_SIZEOF_BEFORE = re.compile(r"\b(?:sizeof|typeof|__typeof__|offsetof)\s*\(?\s*\*?\s*$")


def _occurrence_kind(text: str, start: int, end: int) -> str:
    """How the pointer occurring at text[start:end] is used: deref, null, err, both, assign, address,
    escape or other."""
    a = text[end:end + 24].lstrip()
    before = text[max(0, start - 40):start].rstrip()
    last = before[-1:] or ";"
    if a.startswith("->") or a.startswith("["):
        if last == "&" and a[0] == "[" and not before.endswith("&&"):
            return "other"   # `&p[i]`: pointer arithmetic
        if last in "(*" and _SIZEOF_BEFORE.search(before):
            return "other"
        return "deref"
    if a.startswith("=") and not a.startswith("=="):
        return "assign"
    if last == "&" and not before.endswith("&&"):
        return "address"
    if last == "*":
        prev = before[:-1].rstrip()
        if not prev or prev[-1] in "(=,;{}!&|?:+-" or prev.endswith("return"):
            return "other" if _SIZEOF_BEFORE.search(before) else "deref"
    if last in "(," and (m := _TEST_CALLS_BEFORE.search(before)):
        call = m.group(1) or ("IS_ERR_OR_NULL" if m.group(2) else "NULL")
        if call == "IS_ERR_OR_NULL":
            return "both"
        return "null" if call in ("ZERO_OR_NULL_PTR", "NULL") else "err"
    if a.startswith("==") or a.startswith("!=") or a.startswith("&&") or a.startswith("||") or a.startswith("?"):
        if a[0] not in "=!" or _NULL_CMP_AFTER.match(a):
            return "null"
    if last == "=" and _NULL_CMP_BEFORE.search(before):
        return "null"
    if last in "!&|(" and (a.startswith(")") or a.startswith("&&") or a.startswith("||")) \
            and _TRUTH_BEFORE.search(before):
        return "null"
    if last == ";" and a.startswith(";"):
        return "null"     # `for (p = first(); p; p = next(p))`
    if before.endswith("return"):
        return "escape"
    return "other"


def _site_outcome(body: str, var: str, stmt_end: int) -> tuple[bool, bool, int]:
    """(NULL-tested within 7 lines, IS_ERR-tested within 7 lines, deref outcome: 0 no deref,
    1 deref after a test, 2 deref first)."""
    window_end = stmt_end
    for _ in range(WINDOW_LINES):
        nxt = body.find("\n", window_end + 1)
        if nxt < 0:
            window_end = len(body)
            break
        window_end = nxt
    limit = min(len(body), stmt_end + 6000)
    null7 = err7 = tested = False
    deref = 0
    n = len(var)
    pos = stmt_end
    while True:
        i = body.find(var, pos, limit)
        if i < 0:
            break
        pos = e = i + n
        c = body[i - 1]
        if c.isalnum() or c in "_.>":
            continue
        if e < limit and (body[e].isalnum() or body[e] == "_"):
            continue
        in_window = i < window_end
        if deref and not in_window:
            break
        kind = _occurrence_kind(body, i, e)
        if kind in ("null", "err", "both"):
            if in_window:
                null7 = null7 or kind != "err"
                err7 = err7 or kind != "null"
            tested = True
        elif kind == "deref":
            if deref == 0:
                deref = 1 if tested else 2
            if not in_window:
                break
        elif kind in ("assign", "address", "escape"):
            break
    return null7, err7, deref


def _var_before(body: str, eq: int) -> tuple[int, str]:
    """The variable or field (`p`, `st->info`, `tab[i]`) assigned by the `=` at `eq`."""
    k = eq - 1
    while k >= 0 and body[k] in " \t":
        k -= 1
    end = k + 1
    while k >= 0:
        c = body[k]
        if c.isalnum() or c == "_" or c == ".":
            k -= 1
        elif c == ">" and k > 0 and body[k - 1] == "-":
            k -= 2
        elif c == "]":
            j = body.rfind("[", max(0, k - 40), k)
            if j < 0 or "\n" in body[j:k]:
                break
            k = j - 1
        else:
            break
    start = k + 1
    var = body[start:end]
    if not var or not (var[0].isalpha() or var[0] == "_") or var.endswith((".", "-")):
        return start, ""
    return start, var


def _call_sites(body: str, stats: dict[str, list[int]]) -> None:
    for m in _SITE.finditer(body):
        fn = m.group(1)
        if fn in NOT_FUNCTIONS:
            continue
        start, var = _var_before(body, m.start())
        if not var:
            continue
        before = body[start - 1]
        if before == "*":
            k = start - 2
            while k >= 0 and body[k] in " \t":
                k -= 1
            if k < 0 or not (body[k].isalnum() or body[k] in "_*"):
                continue   # `*p = f()`: a store through p, not a pointer result
        elif before not in " \t\n(;{,":
            continue
        if " " in var or "\t" in var or "\n" in var:
            var = "".join(var.split())
        line_start = body.rfind("\n", 0, start) + 1
        prefix = body[line_start:start]
        if "for" in prefix and _FOR_PREFIX.match(prefix):
            continue   # `for (n = rb_first(r); n; n = rb_next(n))`: iteration, not a call site
        s = stats.get(fn)
        if s is None:
            s = stats[fn] = [0, 0, 0, 0, 0]
        s[0] += 1
        if "(" in prefix and _COND_PREFIX.match(prefix):
            if "IS_ERR" in prefix:
                s[2] += 1
                if "OR_NULL" in prefix:
                    s[1] += 1
            else:
                s[1] += 1
            continue
        stmt_end = body.find(";", m.end())
        if stmt_end < 0:
            continue
        null7, err7, deref = _site_outcome(body, var, stmt_end)
        s[1] += null7
        s[2] += err7
        if deref:
            s[3] += 1
            s[4] += deref == 1


# --- one file -------------------------------------------------------------------------------


# The whole body of a `!CONFIG_...` stub: one constant return.
_STUB = re.compile(r"\{\s*return\s*(?:\([\w\s]+\**\s*\)\s*)?\(?\s*"
                   r"(?:NULL|0|(?:ERR_PTR|ERR_CAST|IOMEM_ERR_PTR)\s*\([^;]*\))"
                   r"\s*\)?\s*;\s*\}\s*$")


class FileScan(NamedTuple):
    definitions: list[Definition]
    stats: dict[str, list[int]]


def scan_source(path: str, source: str, stats: dict[str, list[int]] | None = None) -> FileScan:
    """Definitions and call-site statistics of one file (its path relative to the tree)."""
    stats = {} if stats is None else stats
    defs: list[Definition] = []
    code = mask(source)
    header = path.endswith(".h")
    line = 1
    last = 0
    brace = -1
    while True:
        brace = code.find("\n{", brace + 1)
        if brace < 0:
            break
        brace += 1
        eol = code.find("\n", brace)
        first = code[brace:eol if eol >= 0 else len(code)].rstrip()
        if first.endswith("}") and first.count("{") == first.count("}"):
            body = first   # `{ return NULL; }` on the line after the declaration
        else:
            close = code.find("\n}", brace)
            if close < 0:
                break
            body = code[brace:close + 2]
        sig_start = _signature_start(code, brace)
        parsed = _parse_signature(code[sig_start:brace])
        if parsed is None:
            continue
        name, pointer, static = parsed
        _call_sites(body, stats)
        if not pointer:
            continue
        line += code.count("\n", last, sig_start)
        last = sig_start
        where = f"{path}:{line}"
        stub = header and static and _STUB.match(body) is not None
        d = _analyse_body(name, where, static, stub, body)
        null, err = d.null, d.err
        comment = _kdoc_before(source, sig_start)
        if comment:
            kn, ke = kdoc_says(comment)
            if kn and not null:
                null = f'kdoc: "{_short(kn)}"'
            if ke and not err:
                err = f'kdoc: "{_short(ke)}"'
        defs.append(d._replace(null=null, err=err))   # without evidence too: a real definition beats a stub
    if header:
        for m in _ONE_LINER.finditer(code):
            prefix, name, body = m.group(1), m.group(2), m.group(4)
            if "*" not in prefix or name in NOT_FUNCTIONS or code[m.start(4) - 2] == "\n":
                continue   # not a pointer, or a `{` at the start of a line, read above
            where = f"{path}:{code.count(chr(10), 0, m.start()) + 1}"
            body = "{" + body + "}"
            d = _analyse_body(name, where, True, _STUB.match(body) is not None, body)
            _call_sites(body, stats)
            defs.append(d)
    if "#" in code:
        for m in _DEFINE.finditer(code):
            name, body = m.group(1), m.group(3)
            where = f"{path}:{code.count(chr(10), 0, m.start()) + 1}"
            d = _macro(name, where, body)
            comment = _kdoc_before(source, m.start())
            if comment:
                kn, ke = kdoc_says(comment)
                if kn or ke:
                    d = d or Definition(name, where, False, False, None, None, (), (), ())
                    if kn and not d.null:
                        d = d._replace(null=f'kdoc: "{_short(kn)}"')
                    if ke and not d.err:
                        d = d._replace(err=f'kdoc: "{_short(ke)}"')
            if d is not None:
                defs.append(d)
    return FileScan(defs, stats)


def _kdoc_before(source: str, pos: int) -> str | None:
    end = source.rfind("*/", max(0, pos - 4000), pos)
    if end < 0 or source[end + 2:pos].strip():
        return None
    start = source.rfind("/*", max(0, end - 6000), end)
    if start < 0 or not source.startswith(_KDOC_OPEN, start):
        return None
    return source[start:end + 2]


_FUNCTION_MACRO = re.compile(rb"#[ \t]*define[ \t]+\w+\(")


def _scan_chunk(args: tuple[str, list[str]]) -> tuple[list[Definition], dict[str, list[int]], int]:
    root, paths = args
    defs: list[Definition] = []
    stats: dict[str, list[int]] = {}
    size = 0
    for rel in paths:
        try:
            with open(os.path.join(root, rel), "rb") as f:
                data = f.read()
        except OSError:
            continue
        size += len(data)
        if b"return" not in data and not _FUNCTION_MACRO.search(data):
            continue   # register headers: nothing returns anything
        defs += scan_source(rel, data.decode("latin-1"), stats).definitions
    return defs, stats, size


# --- the tree -------------------------------------------------------------------------------


def source_files(tree: Path) -> list[str]:
    """The .c and .h files of a kernel tree, relative to it, sorted (user-space parts skipped)."""
    out = []
    root = str(tree)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in SKIP_TOP]
            rel_dir = ""
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith((".c", ".h")):
                rel = os.path.join(rel_dir, name) if rel_dir else name
                if not SKIP_PATHS.search(rel):
                    out.append(rel)
    return sorted(out)


class Mined(NamedTuple):
    definitions: dict[str, list[Definition]]
    stats: dict[str, Stats]
    files: int
    bytes: int
    seconds: float


def mine(tree: Path, jobs: int = 2) -> Mined:
    """Read every source file of the tree: definitions and call-site statistics."""
    t0 = time.monotonic()
    files = source_files(tree)
    # Chunks of similar size (dealt big files first), so that the workers finish together.
    sized = sorted(files, key=lambda p: -_size(tree, p))
    chunks: list[list[str]] = [[] for _ in range(max(1, len(files) // 150))]
    for i, p in enumerate(sized):
        chunks[i % len(chunks)].append(p)
    work = [(str(tree), c) for c in chunks]
    definitions: dict[str, list[Definition]] = defaultdict(list)
    totals: dict[str, list[int]] = {}
    size = 0
    if jobs > 1 and len(chunks) > 1:
        import multiprocessing

        ctx = multiprocessing.get_context("fork") if sys.platform != "win32" else multiprocessing
        with ctx.Pool(jobs) as pool:
            results: Iterable = pool.imap_unordered(_scan_chunk, work)
            size = _collect(results, definitions, totals)
    else:
        size = _collect(map(_scan_chunk, work), definitions, totals)
    stats = {k: Stats(*v) for k, v in totals.items()}
    return Mined(dict(definitions), stats, len(files), size, time.monotonic() - t0)


def _size(tree: Path, rel: str) -> int:
    try:
        return os.path.getsize(os.path.join(tree, rel))
    except OSError:
        return 0


def _collect(results, definitions, totals) -> int:
    size = 0
    for defs, stats, chunk_size in results:
        size += chunk_size
        for d in defs:
            definitions[d.name].append(d)
        for k, v in stats.items():
            t = totals.get(k)
            if t is None:
                totals[k] = v
            else:
                for j in range(5):
                    t[j] += v[j]
    return size


# --- to a fixed point -------------------------------------------------------------------------


class Learned(NamedTuple):
    function: str
    returns: str              # null, err_ptr, null_or_err_ptr
    checked: float | None     # share of sites NULL-tested within 7 lines
    sites: int
    err_checked: float | None
    derefs: int
    deref_checked: float | None
    file: str                 # for functions only defined `static` in .c files: those files
    evidence: str


def _where(d: Definition) -> tuple[str, int]:
    path, _, line = d.where.rpartition(":")
    return path, int(line)


def _considered(defs: list[Definition]) -> list[Definition]:
    real = [d for d in defs if not d.stub]
    return real or defs


def resolve(mined: Mined) -> dict[str, Learned]:
    """What each function returns, through wrappers to a fixed point, with its callers' habits."""
    # Sorted, so that the evidence cited does not depend on the order the workers finished in.
    defs = {name: _considered(sorted(mined.definitions[name], key=_where)) for name in sorted(mined.definitions)}
    null: dict[str, str] = {}
    err: dict[str, str] = {}
    for name, ds in defs.items():
        for d in ds:
            if d.null and name not in null:
                null[name] = f"{d.null} ({d.where})"
            if d.err and name not in err:
                err[name] = f"{d.err} ({d.where})"
    # Reverse edges: g -> functions that pass g's result on.
    null_users: dict[str, list[tuple[str, str]]] = defaultdict(list)
    err_users: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, ds in defs.items():
        for d in ds:
            for g in d.calls:
                null_users[g].append((name, d.where))
                err_users[g].append((name, d.where))
            for g in d.null_vars:
                null_users[g].append((name, d.where))
            for g in d.err_vars:
                err_users[g].append((name, d.where))
    for known, users in ((null, null_users), (err, err_users)):
        work = sorted(known, reverse=True)
        while work:
            g = work.pop()
            for name, where in users.get(g, ()):
                if name not in known:
                    known[name] = f"chain: {g} ({where})"
                    work.append(name)
    out = {}
    for name in set(null) | set(err):
        s = mined.stats.get(name, Stats(0, 0, 0, 0, 0))
        checked = round(s.null7 / s.sites, 2) if s.sites else None
        err_checked = round(s.err7 / s.sites, 2) if s.sites else None
        deref_checked = round(s.deref_checked / s.derefs, 2) if s.derefs else None
        if name in null and name in err:
            returns, evidence = "null_or_err_ptr", f"{null[name]}; {err[name]}"
        elif name in null:
            returns, evidence = "null", null[name]
            if s.err7 >= 2 and (err_checked or 0) >= OTHER_CONVENTION:
                returns = "null_or_err_ptr"
                evidence += f"; callers: IS_ERR() at {s.err7} of {s.sites} sites"
        else:
            returns, evidence = "err_ptr", err[name]
            if s.null7 >= 2 and (checked or 0) >= OTHER_CONVENTION:
                returns = "null_or_err_ptr"
                evidence += f"; callers: NULL test at {s.null7} of {s.sites} sites"
        ds = defs.get(name, ())
        files = ""
        if ds and all(d.static and d.where.split(":")[0].endswith(".c") for d in ds):
            files = ",".join(sorted({d.where.split(":")[0] for d in ds}))
        out[name] = Learned(name, returns, checked, s.sites, err_checked, s.derefs, deref_checked, files,
                            evidence)
    return out


# --- output -----------------------------------------------------------------------------------


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.2f}"
    return str(x)


def write_tsv(facts: Iterable[Learned], out, header: str = "") -> None:
    """The knowledge TSV: comment lines, a header row, one function a line, sorted by name."""
    for line in header.splitlines():
        out.write(f"# {line}\n" if line else "#\n")
    out.write("\t".join(COLUMNS) + "\n")
    for f in sorted(facts, key=lambda f: f.function):
        out.write("\t".join(_fmt(getattr(f, c)) for c in COLUMNS) + "\n")


def describe(tree: Path, mined: Mined, min_sites: int = 0, merge: str | None = None) -> str:
    command = f"reviewbot learn --tree {tree.name}"
    command += f" --min-sites {min_sites}" if min_sites else ""
    command += f" --merge {merge}" if merge else ""
    return (f"Mined by `{command}` from {mined.files} files ({mined.bytes / 1e6:.0f} MB).\n"
            "returns: null (may return NULL, never an ERR_PTR), err_ptr (ERR_PTR on failure, never NULL),\n"
            "null_or_err_ptr (both), never_null.  checked / err_checked: share of the `sites` call sites\n"
            "`x = f(...)` that test x for NULL / with IS_ERR() within 7 lines.  derefs: sites whose result\n"
            "is dereferenced later in the function; deref_checked: the share of those tested first.")


def learn(tree: Path, jobs: int = 2) -> tuple[Mined, dict[str, Learned]]:
    mined = mine(tree, jobs)
    return mined, resolve(mined)


def shipped(facts: dict[str, Learned], hand: dict | None = None, min_sites: int = 0) -> list[Learned]:
    """The rows to ship: mined functions with at least `min_sites` call sites, then the hand
    facts (`knowledge.parse_facts` of a TSV) for the other functions."""
    rows = [f for f in facts.values() if f.sites >= min_sites]
    kept = {f.function for f in rows}
    for name, h in (hand or {}).items():
        if name not in kept:
            rows.append(Learned(name, h.returns, h.checked, h.sites, h.err_checked, h.derefs, h.deref_checked,
                                "", f"hand: {h.evidence}"))
    return rows


def counts(facts: dict[str, Learned]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for f in facts.values():
        out[f.returns] += 1
    return dict(out)



def run(tree: Path, output: str | None, stdout, stderr, jobs: int = 2, min_sites: int = 0,
        merge: str | None = None) -> int:
    """`reviewbot learn`: mine, resolve, write the TSV; a summary line on stderr."""
    from reviewbot.errors import InputError
    from reviewbot.knowledge import parse_facts

    hand = parse_facts(Path(merge).read_text()) if merge else None
    mined, facts = learn(tree, jobs)
    if not mined.files:
        raise InputError(f"--tree {tree}: no .c or .h files")
    rows = shipped(facts, hand, min_sites)
    header = describe(tree, mined, min_sites, merge)
    if min_sites:
        header += f"\nFunctions with fewer than {min_sites} call sites are left out."
    if merge:
        header += f"\nThe other functions of {merge} are added (evidence `hand: ...`)."
    if output and output != "-":
        with open(output, "w", encoding="utf-8") as out:
            write_tsv(rows, out, header)
    else:
        write_tsv(rows, stdout, header)
    n = counts(facts)
    stderr.write(f"reviewbot: learned {len(facts)} functions from {mined.files} files in {mined.seconds:.0f} s "
                 f"(NULL: {n.get('null', 0)}, ERR_PTR: {n.get('err_ptr', 0)}, both: {n.get('null_or_err_ptr', 0)}); "
                 f"wrote {len(rows)} to {output if output and output != '-' else 'standard output'}\n")
    return 0
