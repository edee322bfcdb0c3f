"""spelling's helpers beyond its fixtures: its quick ways give what the plain ones give."""

from __future__ import annotations

import random

import pytest

from reviewbot.diff import DiffLine, FileChange, Hunk
from reviewbot.rules import spelling
from reviewbot.rules.spelling import (
    _CANDIDATE, _IGNORE_TAG, _LETTERS, _any_typo, _diff_vocabulary, _dictionary, _excluded_lines, _file_typos,
    _prose, _split, _starts_in_comment, _typos, _words, corrections,
)


def _plain_corrections(word: str) -> tuple[str, ...]:
    """corrections by a binary search over the whole dictionary, line by line."""
    data = _dictionary()
    target = word.encode("utf-8") + b"->"
    lo, hi = 1, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b"\n", start)
        if data[start:end].lower() < target:
            lo = end + 1
        else:
            hi = start
    line = data[lo:data.find(b"\n", lo)]
    if not line.lower().startswith(target):
        return ()
    return spelling._parse(line[len(target):])


def test_corrections_finds_what_a_binary_search_finds():
    data = _dictionary()
    if len(data) < 1000:
        pytest.skip("codespell's dictionary is not installed")
    keys = [line.split(b"->", 1)[0].decode("utf-8").lower() for line in data.split(b"\n") if b"->" in line]
    rng = random.Random(5)
    words = set(keys[::7] + keys[:50] + keys[-50:])
    for key in rng.sample(keys, 3000):
        words.update((key[:-1], key + "s", key[1:], key[:3], key + "-", key[:-1] + "~", key.upper().lower() + "é"))
    words.update(("", "a", "zzzzzzzz", "0", "~", "-", "é", "ß", "\u2028", "recieve", "teh", "comand", "the"))
    words.update("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
                 for _ in range(3000))
    for word in sorted(words):
        assert corrections.__wrapped__(word) == _plain_corrections(word), word


# --- comments and strings of C files -------------------------------------------------------


def _plain_file_typos(fc):
    """_file_typos as it reads every line of every window, collecting the code as it goes."""
    found = []
    code: list[str] = []
    for hunk in fc.hunks:
        image = hunk.post_image
        in_comment = _starts_in_comment([x.text for x in image])
        for x in image:
            text = x.text
            if not in_comment and not ("/" in text or '"' in text):
                if x.kind == "+":
                    code.append(text)
                continue
            if x.kind != "+":
                if in_comment or "/*" in text:
                    in_comment = _split(text, in_comment)[2]
                continue
            pieces, code_pieces, in_comment = _split(text, in_comment)
            code.extend(code_pieces)
            typos = [(word, fixes) for piece, is_string in pieces
                     for word, fixes in _typos(piece if is_string else _prose(piece), escapes=is_string)]
            if typos and not _IGNORE_TAG.search(text) and text.strip() not in _excluded_lines():
                found.extend((x, word, fixes) for word, fixes in typos)
    if not found:
        return []
    old = " ".join(x.text for h in fc.hunks for x in h.lines if x.kind != "+")
    known = set(_LETTERS.findall(" ".join(code) + " " + old))
    return [(x, w, f) for x, w, f in found if w not in known]


LINES = [
    "", " ", "\t", "int recieve;", "\trecieve = 1;", "/* teh comand */", "/* the command */", "/*", " */", "*/",
    " * recieve the comand", " * plain words here", " * ends here */ x = 1;", "x = y / z;", "a = b */ c;",
    '\tpr_err("could not recieve\\n");', '\tpr_err("fine text %s\\n", s);', 'p = "/* not a comment";',
    "q = '\"'; /* recieve */", "r = '/'; // teh end", "// comand: the thing", "// codespell:ignore recieve",
    "/* recieve */ /* comand", "x /* a */ y /* teh */", '"unterminated recieve', "'\\'' /* comand */",
    '"esc \\"quoted\\" recieve"', "/* https://example.org/recieve */", "/* foo@recieve.org */",
    "/* `recieve` 'comand' \"teh\" */", "\\nrecieve", '"\\nrecieve"', "#define X /* teh */ 1",
    "s = \"a\" \"recieve\";", "/**/", "/*/", "//", "/* */ */ /*", "\t * Recieve", "comand();",
    "/* Teh Comand */", "é /* recieve é */", "x\r", "/* recieve\r", '"comand"\r', " *\x0c recieve",
]


def _file(rng: random.Random) -> FileChange:
    hunks = []
    old = new = 1
    for _ in range(rng.randint(1, 3)):
        lines = []
        start_old, start_new = old, new
        for _ in range(rng.randint(1, 10)):
            kind = rng.choice("+++ -")
            text = rng.choice(LINES)
            if kind == "-":
                lines.append(DiffLine("-", text, old, None, 0))
                old += 1
            elif kind == "+":
                lines.append(DiffLine("+", text, None, new, 0))
                new += 1
            else:
                lines.append(DiffLine(" ", text, old, new, 0))
                old += 1
                new += 1
        hunks.append(Hunk(start_old, old - start_old, start_new, new - start_new, "", tuple(lines), 0))
        old += rng.randint(0, 5)
        new += rng.randint(0, 5)
    return FileChange("a.c", "a.c", "modified", None, None, False, tuple(hunks), 0)


def test_file_typos_finds_what_the_plain_walk_finds():
    rng = random.Random(7)
    fired = 0
    for _ in range(4000):
        fc = _file(rng)
        expected = _plain_file_typos(fc)
        assert _file_typos(fc) == expected, fc
        fired += bool(expected)
    if len(_dictionary()) > 1000:
        assert fired > 500   # the shapes do reach the reports


# --- one search for many texts ---------------------------------------------------------------

_PIECES = ["recieve", "teh", "Teh", "comand", "the", "word", " ", "\n", "\r", ".", "-", ">", "*", "/", "'", "’",
           "_", "@", "(", "=", "é", "x", "9", ".x", "-x", "\\", "%", "\t", ":", "[", "~"]


def test_any_typo_says_what_each_text_says():
    rng = random.Random(11)
    hits = 0
    for _ in range(20000):
        texts = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(0, 4))]
        words = [w for text in texts for w in _CANDIDATE.findall(text)]
        assert _CANDIDATE.findall("\n".join(texts)) == words, texts
        expected = any(_typos(text) for text in texts)
        assert _any_typo([_words(text) for text in texts]) == expected, texts
        hits += expected
    if len(_dictionary()) > 1000:
        assert hits > 1000


def test_words_of_the_diff_vocabulary_are_in_its_lowered_lines():
    """_commit_typos asks _diff_vocabulary only of a word that is in the diff's lines, lowered."""
    rng = random.Random(13)
    for _ in range(2000):
        files = [_file(rng)]
        if rng.random() < 0.5:
            files.append(files[0]._replace(old_path="a.txt", new_path="a.txt"))
        text = "\n".join([x.text for fc in files for h in fc.hunks for x in h.lines]).lower()
        assert all(w in text for w in _diff_vocabulary(files))
