"""trailing-statement's helpers beyond its fixtures."""

from __future__ import annotations

import re

from reviewbot.rules.trailing_statement import KEYWORD_TEXT, _keyword_rows

PLAIN = re.compile(r"\b(?:if|else|for|while|case|default)\b")


def test_keyword_rows_are_the_rows_a_search_of_each_finds():
    rows = ["\tif (x) y();", "", "} else {", "iffy = 1;", "\tfor(;;)", "x_if = while_;", "case 1: default:",
            "ifelse", "é if", "if", "\twhile (a)", "  /* for */", "ḟor x", "elsewhere else",
            "x\r", "if\r", "a\x0cif", "b\u2028while", "\x85case", "\x0b", "if if if", "\tfoo(); /* if */ else"]
    for lo in range(len(rows)):
        for hi in range(lo, len(rows) + 1):
            expected = [r for r in range(lo, hi) if PLAIN.search(rows[r])]
            assert list(_keyword_rows(rows, lo, hi)) == expected, (lo, hi)


def test_keyword_pattern_finds_what_the_plain_one_finds():
    words = ["if", "else", "for", "while", "case", "default", "i", "f", "fi", "elsee", "xfor", "_while", "case_",
             "ifdef", "défault", "éif", "if1", "1if", "", " ", "(", "\\", "\n", "ḟ", "w", "hile"]
    for a in words:
        for b in words:
            for sep in ("", " ", "(", "\n"):
                text = a + sep + b
                assert [m.span() for m in KEYWORD_TEXT.finditer(text)] == \
                    [m.span() for m in PLAIN.finditer(text)], text
