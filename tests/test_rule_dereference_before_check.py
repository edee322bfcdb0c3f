"""dereference-before-check's helpers against the plain code they stand for."""

from __future__ import annotations

import random

from reviewbot.rules.dereference_before_check import WORD, is_word_of


def test_is_word_of_says_what_the_set_of_words_says():
    texts = ["", "p", "\tif (!p)\n\t\treturn;", "p->q = pp + p_ + _p + p2 + 2p;", "x = é_p + pé + p·q + p\u00b2;",
             "struct foo *foo = foo_get(foo);", "int café = caf + é;", "a$b p$ $p"]
    rng = random.Random(3)
    alphabet = "pq_é2$ (->;\n\t\u00b2"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(3000)]
    for text in texts:
        words = set(WORD.findall(text))
        for name in sorted(words) + ["p", "q", "p_", "_p", "pé", "é", "caf", "café", "p$", "$p", "", "p q", "2"]:
            assert is_word_of(name, text) == (name in words), (name, text)
