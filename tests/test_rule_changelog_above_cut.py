"""changelog-above-cut's helpers beyond its fixtures."""

from __future__ import annotations

import itertools
import re

from reviewbot.rules.changelog_above_cut import _HINTS

PLAIN = re.compile(r"(?im)^ {0,2}(?:[-*]\s*)?\[?(?:v\d|rfc|change|revision|version|history)")


def test_hints_after_a_newline_are_the_plain_line_start_search():
    parts = ["v2", "V3", "rfc", "Changes", " ", "  ", "   ", "-", "*", "[", "\n", "\r", "\t", "x", "history",
             "version", "revisions", "v", "é", "\u2028", ""]
    for n in range(1, 5):
        for combo in itertools.product(parts, repeat=n):
            text = "".join(combo)
            assert (_HINTS.search("\n" + text) is not None) == (PLAIN.search(text) is not None), repr(text)
