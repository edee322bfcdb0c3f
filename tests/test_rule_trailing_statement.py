"""trailing-statement's helpers beyond its fixtures."""

from __future__ import annotations

import re

from reviewbot.rules.trailing_statement import KEYWORD, KEYWORD_TEXT, KEYWORD_WORDS, _keywords

PLAIN = re.compile(r"\b(?:if|else|for|while|case|default)\b")


def test_keywords_are_what_a_search_of_each_row_finds():
    """_keywords: the byte spans a bytes search finds in each row a text search finds a keyword in."""
    rows = ["\tif (x) y();", "", "} else {", "iffy = 1;", "\tfor(;;)", "x_if = while_;", "case 1: default:",
            "ifelse", "é if", "if", "\twhile (a)", "  /* for */", "ḟor x", "elsewhere else",
            "x\r", "if\r", "a\x0cif", "b\u2028while", "\x85case", "\x0b", "if if if", "\tfoo(); /* if */ else",
            "éif", "éif if", "ß = 1; if (ß) else", "\ud800 if", "if\ud800", "x = 'é'; for (;;) while"]
    for lo in range(len(rows)):
        for hi in range(lo, len(rows) + 1):
            expected = [(r, m.start(), m.end(), m.group().decode()) for r in range(lo, hi)
                        if PLAIN.search(rows[r]) for m in KEYWORD.finditer(rows[r].encode("utf-8", "replace"))]
            assert list(_keywords(rows, lo, hi)) == expected, (lo, hi)


def test_keyword_pattern_finds_what_the_plain_one_finds():
    words = ["if", "else", "for", "while", "case", "default", "i", "f", "fi", "elsee", "xfor", "_while", "case_",
             "ifdef", "défault", "éif", "if1", "1if", "", " ", "(", "\\", "\n", "ḟ", "w", "hile"]
    for a in words:
        for b in words:
            for sep in ("", " ", "(", "\n"):
                text = a + sep + b
                expected = [m.span() for m in PLAIN.finditer(text)]
                assert [m.span() for m in KEYWORD_TEXT.finditer(text)] == expected, text
                assert sorted(m.span() for _, p in KEYWORD_WORDS for m in p.finditer(text)) == expected, text
