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


def test_a_row_without_parenthesis_or_if_has_no_assignment_to_look_up():
    """The row skip (no `(`, no `if`) gives up only rows whose every `=` the loop skips."""
    import random

    from reviewbot.rules.assignment_in_condition import ASSIGN_OP

    rng = random.Random(11)
    pieces = ["=", "==", "(", ")", "if", "i", "f", " ", "x", "+=", "é", "<=", "\udcff"]
    for _ in range(5000):
        row = "".join(rng.choice(pieces) for _ in range(rng.randrange(10)))
        line = row.encode("utf-8", "replace")
        every_skipped = all(line[:m.start()].count(b"(") <= line[:m.start()].count(b")") and b"if" not in line[:m.start()]
                            for m in ASSIGN_OP.finditer(line))
        if "=" not in row or ("(" not in row and "if" not in row):
            assert every_skipped, row
