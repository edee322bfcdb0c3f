"""long-line's helpers beyond its fixtures."""

from __future__ import annotations

import itertools

from reviewbot.rules.long_line import _over, _short


def test_short_is_not_over():
    for limit in (0, 1, 7, 8, 9, 16, 20):
        for n in range(0, 7):
            for combo in itertools.product(["\t", "x", "  ", "é", "xxxxxxx"], repeat=n):
                text = "".join(combo)
                assert _short(text, {"max-line-length": limit}) == (not _over(text, limit)), (repr(text), limit)
