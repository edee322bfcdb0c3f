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


def _declares_plain(node):
    from reviewbot.csyntax import DECLARATOR_WRAPPERS

    child, parent = node, node.parent
    while parent is not None and parent.type in DECLARATOR_WRAPPERS:
        if parent.child_by_field_name("declarator") != child:
            return False
        child, parent = parent, parent.parent
    return parent is not None and parent.type in ("declaration", "parameter_declaration")


def _assigns_plain(node):
    from reviewbot.csyntax import outer_expression
    from reviewbot.rules.dereference_before_check import _assigning_call

    if _declares_plain(node):
        return True
    expr = outer_expression(node)
    parent = expr.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == expr:
        return True
    if parent.type == "update_expression":
        return True
    if parent.type == "pointer_expression" and parent.child_by_field_name("operator").type == "&":
        return True
    if parent.type == "argument_list" and parent.parent is not None and _assigning_call(parent.parent):
        return True
    return False


def test_assigns_and_declares_answer_as_first_written():
    from reviewbot.csyntax import parse, walk
    from reviewbot.csyntax import declares
    from reviewbot.rules.dereference_before_check import assigns

    src = """int f(struct s *p, int n)
{
\tstruct s *q = p, **r = &p, *a[2] = { p };
\tint (*fn)(int) = g;
\tp = q->next; p++; --n; *r = p; (p) = (struct s *)q;
\tswap(p, q); list_for_each_entry(p, &h, node) { n += p->x; }
\tfoo(&p, p->y, a[n]);
\treturn p ? p->z : n;
}
"""
    rng = random.Random(6)
    sources = [src] + ["".join(c for c in src if rng.random() > 0.04) for _ in range(300)]
    for text in sources:
        for node in walk(parse(text.encode()).root_node, ("identifier",)):
            assert declares(node) == _declares_plain(node), text
            assert assigns(node) == _assigns_plain(node), text
