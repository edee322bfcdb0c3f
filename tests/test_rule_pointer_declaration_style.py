"""pointer-declaration-style's helpers beyond its fixtures."""

from __future__ import annotations

import itertools

from reviewbot.rules.pointer_declaration_style import SUSPECT_STAR, _suspect


def _any_suspect(text: str) -> bool:
    line = text.encode("utf-8", "replace")
    return any(_suspect(line, col) for col in range(len(line)) if line[col:col + 1] == b"*")


def test_suspect_star_pattern_finds_a_row_with_a_star_suspect_looks_at():
    parts = ["*", " ", "\t", "a", "_", "0", "(", ")", "é", "\ud800", "\n", "/", "**", "  ", "\t*", "x*", ",", ""]
    for n in range(1, 5):
        for combo in itertools.product(parts, repeat=n):
            text = "".join(combo)
            assert (SUSPECT_STAR.search(text) is not None) == _any_suspect(text), repr(text)
    for text in ("char *p;", "char* p;", "char * p;", "(u8*)x", " * comment", "\t * comment", "a * b", "**pp",
                 "int *a, *b;", "void * __iomem *base", "x = *y;", "*p = 1;", "é* p", "*", "* *p", "  *  *p"):
        assert (SUSPECT_STAR.search(text) is not None) == _any_suspect(text), repr(text)
