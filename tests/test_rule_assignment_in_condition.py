"""assignment-in-condition's helpers beyond its fixtures."""

from __future__ import annotations

import re

from reviewbot.rules.assignment_in_condition import MAYBE

PLAIN = re.compile(rb"\bif\s*\([^;{]*?(?<![=!<>])(?:<<|>>|[-+*/%&|^])?=(?!=)")


def test_quick_look_matches_what_the_plain_pattern_matches():
    heads = [b"if", b"xif", b"_if", b"1if", b"if1", b"(if", b" if", b"\nif", b"\xc3\xa9if", b"elif", b"i", b"f"]
    tails = [b" (x = f())", b"(x == 1)", b"(x <= 1) y = 2;", b"(x) { y = 1; }", b"(a |= b)", b"(a <<= 2)",
             b"(!x)", b"", b" (", b"(x >= y && (z = 1))", b"(ret = foo(a, b)) < 0)", b"\n(x\n= 1)"]
    for head in heads:
        for tail in tails:
            for before in (b"", b"a", b" ", b"\n"):
                text = before + head + tail
                assert [m.span() for m in MAYBE.finditer(text)] == [m.span() for m in PLAIN.finditer(text)], text
