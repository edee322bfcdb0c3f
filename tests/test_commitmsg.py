"""reviewbot/commitmsg.py: the first looks its helpers take before a regex are only shortcuts."""

from __future__ import annotations

import itertools
import re

from reviewbot.commitmsg import _HINTS, _LOG_START, _LOG_WORDS, _OUTPUT, is_tag

PLAIN = re.compile(r"(?im)^ {0,2}(?:[-*]\s*)?\[?(?:v\d|rfc|change|revision|version|history)")


def test_prose_lines_first_looks_are_necessary():
    """prose_lines asks _LOG_START only of lines starting with a space, `[`, `#` or one of
    _LOG_WORDS, and is_tag and _OUTPUT only of lines with a colon or starting with `*** `."""
    parts = ["", " ", "\t", "\x0b", "\u2003", "[", "#", "1", "a", "A", "WARNING", "BUG", "kernel BUG at", "Oops",
             ":", ": ", "/", ".c", ".", "-", "*** ", "*", "make", "[2]", "Fixes", "-by", "x", "(y)", "<", ">",
             "ff", " 12.5]", "<ffffffff>]"]
    for n in range(1, 4):
        for combo in itertools.product(parts, repeat=n):
            line = "".join(combo)
            if not line.strip():
                continue
            if _LOG_START.match(line):
                assert line[0].isspace() or line[0] in "[#" or line.startswith(_LOG_WORDS), repr(line)
            if is_tag(line) or _OUTPUT.match(line):
                assert ":" in line or line.startswith("*** "), repr(line)


def test_hints_after_a_newline_are_the_plain_line_start_search():
    """changelog_line's first look (_HINTS after a newline) finds what (?m)^ would."""
    parts = ["v2", "V3", "rfc", "Changes", " ", "  ", "   ", "-", "*", "[", "\n", "\r", "\t", "x", "history",
             "version", "revisions", "v", "é", "\u2028", ""]
    for n in range(1, 5):
        for combo in itertools.product(parts, repeat=n):
            text = "".join(combo)
            assert (_HINTS.search("\n" + text) is not None) == (PLAIN.search(text) is not None), repr(text)
