"""trailing-statement's helpers beyond its fixtures."""

from __future__ import annotations

from reviewbot.rules.trailing_statement import KEYWORD_TEXT, _keyword_rows


def test_keyword_rows_are_the_rows_a_search_of_each_finds():
    rows = ["\tif (x) y();", "", "} else {", "iffy = 1;", "\tfor(;;)", "x_if = while_;", "case 1: default:",
            "ifelse", "é if", "if", "\twhile (a)", "  /* for */", "ḟor x", "elsewhere else"]
    for lo in range(len(rows)):
        for hi in range(lo, len(rows) + 1):
            expected = [r for r in range(lo, hi) if KEYWORD_TEXT.search(rows[r])]
            assert list(_keyword_rows(rows, lo, hi)) == expected, (lo, hi)
