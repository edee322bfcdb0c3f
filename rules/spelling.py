"""
## What it does

Flags misspelt words in the commit message (its title and prose) and in the
comments and string literals a patch adds to C sources, using codespell's
dictionary of common misspellings (`codespell_lib/data/dictionary.txt`).
Only whole words written as prose are checked: identifiers (words with `_`,
digits or inner capitals), all-capital acronyms, words in quotes or
backticks, `@params`, `s/old/new/`, URLs and email addresses, format
specifiers, and quoted logs or tool output in the commit message are not.
Words of one to three letters are not checked (most are abbreviations:
`hda`, `afe`, `ser`), except `teh`, `hte` and `adn`, which are nothing else;
nor are a few kernel names codespell takes for typos (`filp`, `iput`,
`parm`, `emac`).  A word the patch also has in its code, or in lines it
removes (a patch fixing that very typo), is left alone, and so are lines
codespell's `linux-kernel.exclude` lists and `codespell:ignore` marks; a typo
the patch repeats in a comment or string still counts in the commit message.

## Why is this bad?

A typo in a comment or a message string stays in the tree for years and
makes `grep` miss it; in a commit title it lands in every shortlog.  Fixing
it before the patch is applied costs nothing; fixing it afterwards costs a
patch of its own.

## Example

```c
/* Wait for the firmware to acknowledge the comand. */
static int foo_wait(struct foo *foo)
{
	if (!foo->ready)
		pr_err("foo: device did not recieve the reset\\n");
	return 0;
}
```

## Use instead

```c
/* Wait for the firmware to acknowledge the command. */
static int foo_wait(struct foo *foo)
{
	if (!foo->ready)
		pr_err("foo: device did not receive the reset\\n");
	return 0;
}
```

## References

- codespell (https://github.com/codespell-project/codespell), whose
  dictionary this rule reads; `scripts/checkpatch.pl --codespell` uses the same one
- checkpatch.pl: TYPO_SPELLING ("'recieve' may be misspelled - perhaps 'receive'?")
"""

from __future__ import annotations

import bisect
import functools
import os
import re

from reviewbot.commitmsg import prose_lines
from reviewbot.ruleapi import Report, rule

_SOURCES = (".c", ".h")
# A prose word: a capital or small letter, then three or more small ones (shorter words are
# mostly abbreviations: hda, afe, ser; only three short typos that are nothing else are
# checked: teh, hte, adn), not part of an identifier, a path, a member access
# (`foo.bar`, `foo->bar`), a call, an @param, a hyphenated word, a format (`%srecieve`) or
# an escape.
_CANDIDATE = re.compile(
    r"(?<![\w\\%@#$&>:=/.~^|'’*-])(?:[A-Za-z][a-z]{3,}|[Tt]eh|[Hh]te|[Aa]dn)(?![\w(@/=\[{:'’]|[.-][\w>])"
)
_ESCAPE = re.compile(r"\\[abfnrtv]")
_LETTERS = re.compile(r"[A-Za-z]+")
_URI = re.compile(r"\b(?:https?|[ts]?ftp|file|git|smb)://\S+|\b[\w.%+-]+@[\w.-]+\b")
_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"|“[^”]*”|(?<!\w)'[^']*'(?!\w)")
_IGNORE_TAG = re.compile(r"codespell:ignore\b")
_SEGMENT = re.compile(r"/\*|\*/|//|\"|'")
# Kernel names used as plain words in comments and messages, which codespell takes for typos
# (codespell's own way to say so is an ignore list, `-L`): `struct file *filp`, iput(),
# module parameters ("parm"), the EMAC Ethernet controllers, and "bootup" (211 uses in the
# .c/.h files of Linux 6.12: kernel vocabulary, whatever codespell prefers).
_KERNEL_WORDS = frozenset(("filp", "iput", "parm", "parms", "emac", "bootup"))


# --- codespell's dictionary, read lazily -------------------------------------------------


# Words looked up, remembered: a series repeats its prose, and a long-running `reviewbot watch`
# must not grow without bound (a pass over the whole corpus looks up ~6,500 distinct words).
WORDS_KEPT = 1 << 16


@functools.cache
def _data_file(name: str) -> bytes:
    """The bytes of one of codespell's data files (empty when codespell is not installed).

    Located with find_spec, which does not import codespell_lib (that costs ~20 ms of
    argparse and friends, as importlib.resources.files("codespell_lib") would), and kept
    as bytes: decoding the 1.5 MB dictionary alone costs more than a small review.
    """
    import importlib.util

    spec = importlib.util.find_spec("codespell_lib")
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        path = os.path.join(folder, "data", name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    return b""


@functools.cache
def _dictionary() -> bytes:
    """dictionary.txt with a newline before its first and after its last line."""
    data = _data_file("dictionary.txt")
    return b"\n" + data + (b"" if data.endswith(b"\n") else b"\n")


@functools.cache
def _sorted() -> bool:
    """Are the dictionary's lines in case-insensitive order, as codespell keeps them?  (Checked
    on a sample of 256 lines; a dictionary that is not gets looked up through a dict.)"""
    data = _dictionary()
    keys = []
    for k in range(1, 257):
        start = data.rfind(b"\n", 0, len(data) * k // 257) + 1
        keys.append(data[start:data.find(b"\n", start)].lower())
    return keys == sorted(keys)


@functools.cache
def _search_index() -> tuple[bytes, list[bytes], list[int]] | None:
    """(the dictionary in lower case, the lines at or before every 1 KB of it in lower case, where
    they start with 1 and the end around them), or None for a dictionary that is not sorted."""
    if not _sorted():
        return None
    data = _dictionary()
    lowered = data.lower()   # (the same length: bytes.lower changes ASCII letters only)
    keys, starts = [], [1]
    for at in range(1024, len(data) - 1, 1024):
        start = lowered.rfind(b"\n", 0, at) + 1
        if start > starts[-1]:
            keys.append(lowered[start:lowered.find(b"\n", start)])
            starts.append(start)
    starts.append(len(data))
    return lowered, keys, starts


@functools.cache
def _table() -> dict[bytes, bytes]:
    """The whole dictionary as a dict: the slow way, for a dictionary that is not sorted."""
    return dict(line.lower().split(b"->", 1) for line in _dictionary().split(b"\n") if b"->" in line)


@functools.lru_cache(maxsize=WORDS_KEPT)
def corrections(word: str) -> tuple[str, ...]:
    """codespell's corrections for a lower-case word; () when it is not a known misspelling.

    The dictionary's lines are sorted case-insensitively, so a bisection of a sample of them
    and a search of the ~1 KB between two finds the word without building a 65,000-entry
    dict, which would cost more start-up time than the whole review of a small patch.
    """
    target = word.encode("utf-8") + b"->"
    index = _search_index()
    if index is None:
        found = _table().get(target[:-2])
        return _parse(found) if found is not None else ()
    lowered, keys, starts = index
    # The first line not below the word starts after the k-th key's line, and at the next key's
    # line at the latest: the first line between that starts with the word is its line, if any is.
    k = bisect.bisect_left(keys, target)
    at = lowered.find(b"\n" + target, starts[k] - 1, starts[k + 1] + len(target))
    if at < 0:
        return ()
    at += 1
    return _parse(_dictionary()[at + len(target):lowered.find(b"\n", at)])


def _parse(value: bytes) -> tuple[str, ...]:
    fixes = value.decode("utf-8").strip().lower()
    if "," in fixes:
        fixes = fixes.rsplit(",", 1)[0]   # `a, b,`: candidates; `a, reason`: codespell's reason
    return tuple(c.strip() for c in fixes.split(",") if c.strip())


@functools.cache
def _excluded_lines() -> frozenset[str]:
    """Kernel source lines codespell's linux-kernel.exclude marks as right as written."""
    text = _data_file("linux-kernel.exclude").decode("utf-8", "replace")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


# --- words -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=WORDS_KEPT)
def _typo(word: str) -> tuple[str, ...]:
    """The corrections of a word as written (in its case), or () when it is spelt right."""
    lowered = word.lower()
    if lowered in _KERNEL_WORDS:
        return ()
    fixes = corrections(lowered)
    if word[0].isupper():
        fixes = tuple(f[:1].upper() + f[1:] for f in fixes)
    return fixes


def _words(text: str, escapes: bool = False) -> str:
    """A piece of text with what holds no prose word blanked out (URLs, addresses, escapes)."""
    if "@" in text or "://" in text:
        text = _URI.sub(" ", text)
    if escapes and "\\" in text:
        text = _ESCAPE.sub(" ", text)   # `\nrecieve`: the escape, then the word
    return text


def _typos(text: str, escapes: bool = False):
    """(word, corrections) of each misspelt prose word in a piece of text."""
    return [(word, fixes) for word in _CANDIDATE.findall(_words(text, escapes)) if (fixes := _typo(word))]


def _any_typo(texts: list[str]) -> bool:
    """Whether any of the texts (each made by _words) has a misspelt prose word: one search of
    them joined by newlines.  A match cannot span a newline, and _CANDIDATE's lookarounds take
    a newline as they take the start or end of a text (no class of theirs holds it), so the
    words found are those of each text in turn (a test compares)."""
    return any(map(_typo, _CANDIDATE.findall("\n".join(texts))))


def _message(word: str, fixes: tuple[str, ...]) -> str:
    if len(fixes) == 1:
        return f"'{word}' may be misspelled; did you mean '{fixes[0]}'?"
    options = ", ".join(f"'{f}'" for f in fixes[:-1]) + f" or '{fixes[-1]}'"
    return f"'{word}' may be misspelled; did you mean {options}?"


def _prose(line: str) -> str:
    return _QUOTED.sub(" ", line) if ("'" in line or '"' in line or "`" in line or "“" in line) else line


# --- C comments and strings --------------------------------------------------------------------


def _starts_in_comment(texts: list[str]) -> bool:
    """Does a hunk window begin inside a block comment?  (A `*/` comes before any `/*`.)"""
    for text in texts:
        opening, closing = text.find("/*"), text.find("*/")
        if closing >= 0 and (opening < 0 or closing < opening):
            return True
        if opening >= 0:
            return False
    return False


def _split(text: str, in_comment: bool):
    """(comment and string pieces, code pieces, still in a comment) of one C line."""
    prose: list[tuple[str, bool]] = []   # (text, is a string literal)
    code: list[str] = []
    i, n = 0, len(text)
    if in_comment:
        j = text.find("*/")
        if j < 0:
            return [(text, False)], code, True
        prose.append((text[:j], False))
        i = j + 2
    while i < n:
        m = _SEGMENT.search(text, i)
        if m is None:
            code.append(text[i:])
            break
        code.append(text[i:m.start()])
        token = m.group()
        if token == "/*":
            j = text.find("*/", m.end())
            if j < 0:
                prose.append((text[m.end():], False))
                return prose, code, True
            prose.append((text[m.end():j], False))
            i = j + 2
        elif token == "//":
            prose.append((text[m.end():], False))
            break
        elif token == "*/":
            i = m.end()
        else:
            j = m.end()
            while j < n and text[j] != token:
                j += 2 if text[j] == "\\" else 1
            if token == '"':
                prose.append((text[m.end():j], True))
            i = j + 1
    return prose, code, False


def _file_typos(fc):
    """(diff line, word, corrections) for the added comments and strings of one C file."""
    pending = []   # (added line, its comment and string pieces)
    for hunk in fc.hunks:
        image = hunk.post_image
        texts = [x.text for x in image]
        joined = "\n".join(texts)
        if "/*" not in joined and "*/" not in joined:
            # No block comment begins, ends or goes on in the window: the prose is in the strings
            # and `//` comments of added lines (other lines would split into code alone).
            if '"' in joined or "//" in joined:
                for x in hunk.added:
                    text = x.text
                    if '"' in text or "//" in text:
                        pending.append((x, _split(text, False)[0]))
            continue
        for x, pieces, _ in _added_pieces(image, texts, plain=False):
            if pieces:
                pending.append((x, pieces))
    if not pending or not _any_typo([_words(piece if is_string else _prose(piece), is_string)
                                     for _, pieces in pending for piece, is_string in pieces]):
        return []   # (the usual case: no piece has a typo, found with one search)
    found = []
    for x, pieces in pending:
        typos = [(word, fixes) for piece, is_string in pieces
                 for word, fixes in _typos(piece if is_string else _prose(piece), escapes=is_string)]
        if typos and not _IGNORE_TAG.search(x.text) and x.text.strip() not in _excluded_lines():
            found.extend((x, word, fixes) for word, fixes in typos)
    if not found:
        return []
    old = " ".join(x.text for h in fc.hunks for x in h.lines if x.kind != "+")
    known = set(_LETTERS.findall(" ".join(_added_code(fc)) + " " + old))
    return [(x, w, f) for x, w, f in found if w not in known]


def _added_pieces(image, texts: list[str], plain: bool = True):
    """(added line, its comment and string pieces, its code pieces) of each line a window adds,
    the comment state carried through the lines it keeps; `plain=False` leaves out the lines
    with neither comment nor string (code alone)."""
    in_comment = _starts_in_comment(texts)
    for x in image:
        text = x.text
        if in_comment:
            if "*/" not in text:   # (what _split says of a line inside a comment)
                if x.kind == "+":
                    yield x, [(text, False)], ()
                continue
        elif not ("/" in text or '"' in text):
            if plain and x.kind == "+":
                yield x, (), (text,)   # plain code: no comment or string starts here
            continue
        if x.kind != "+":
            if in_comment or "/*" in text:
                in_comment = _split(text, in_comment)[2]
            continue
        pieces, code, in_comment = _split(text, in_comment)
        yield x, pieces, code


def _added_code(fc) -> list[str]:
    """The code pieces (outside comments and strings) of the lines one C file adds, in order:
    what _file_typos looks only at when it has found a typo."""
    return [piece for hunk in fc.hunks
            for _, _, code in _added_pieces(hunk.post_image, [x.text for x in hunk.post_image])
            for piece in code]


# --- the rule -----------------------------------------------------------------------------------


def _diff_vocabulary(files) -> frozenset[str]:
    """Lower-case words of the diff a commit message may use as they are: every word of the
    lines it removes (a patch fixing that very typo), and of the lines it keeps or adds,
    except the comments and strings of C files (a typo the patch repeats there is still one)."""
    words = set()
    for fc in files:
        source = fc.path.endswith(_SOURCES)
        for h in fc.hunks:
            in_comment = source and _starts_in_comment([x.text for x in h.post_image])
            for x in h.lines:
                text = x.text
                if source and x.kind != "-":
                    _, code, in_comment = _split(text, in_comment)
                    text = " ".join(code)
                words.update(w.lower() for w in _LETTERS.findall(text))
    return frozenset(words)


def _commit_typos(message, files):
    seen: dict[str, tuple[int | None, tuple[str, ...], str]] = {}
    lines = []
    if message.title and message.kind != "diff":
        lines.append((message.origin.start_line if message.kind == "archive" else None, message.title))
    lines.extend(prose_lines(message) if message.kind != "diff" else ())
    in_title = False   # inside a commit title quoted as ("...") and wrapped onto the next line
    prose = []   # (row, the prose of the line, made by _words)
    for row, line in lines:
        if _IGNORE_TAG.search(line):
            continue
        if in_title:
            j = line.find('")')
            if j < 0:
                continue
            line, in_title = line[j + 2:], False
        k = line.rfind('("')
        if k >= 0 and line.find('")', k) < 0:
            line, in_title = line[:k], True
        prose.append((row, _words(_prose(line))))
    if not _any_typo([text for _, text in prose]):
        return   # (the usual case, found with one search)
    for row, text in prose:
        for word in _CANDIDATE.findall(text):
            if fixes := _typo(word):
                seen.setdefault(word.lower(), (row, fixes, word))
    if not seen:
        return
    vocabulary = None
    diff_text = None   # every diff line, lowered: a word of _diff_vocabulary is in it (one line's letters)
    for lowered, (row, fixes, word) in seen.items():
        if diff_text is None:
            diff_text = "\n".join([x.text for fc in files for h in fc.hunks for x in h.lines]).lower()
        if lowered in diff_text:
            if vocabulary is None:
                vocabulary = _diff_vocabulary(files)
            if lowered in vocabulary:
                continue   # the patch's code has it, or it fixes this very typo
        yield row, word, fixes


@rule("spelling", severity="warning", scope="mail", checkpatch=("TYPO_SPELLING",))
def check(ctx):
    for row, word, fixes in _commit_typos(ctx.message, ctx.files):
        yield Report(_message(word, fixes), mail_line=row, hint="fix the spelling in the commit message")
    for fc in ctx.files:
        if fc.binary or fc.status == "deleted" or not fc.path.endswith(_SOURCES):
            continue
        by_line: dict = {}
        for x, word, fixes in _file_typos(fc):
            by_line.setdefault(x, []).append((word, fixes))
        for x, typos in by_line.items():
            text = " ".join(_message(w, f) for w, f in dict.fromkeys(typos))
            yield Report(text, line=x.new, path=fc.path, mail_line=x.mail_line,
                         hint="fix the spelling in the comment or string")
