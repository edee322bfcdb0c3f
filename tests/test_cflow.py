"""reviewbot.cflow's helpers against the plain code they stand for."""

from __future__ import annotations

import random

from reviewbot.cflow import _assigning_call, assigns, occurrences_after
from reviewbot.csyntax import DECLARATOR_WRAPPERS, SPACE, declares, outer_expression, parse, squeeze, walk

SOURCE = """static int f(struct foo *foo, struct bar **b)
{
\tfoo->clk = devm_clk_get(dev, NULL);
\tif (!foo->clk || foo -> clk == NULL)
\t\treturn -ENODEV;
\tb[1] = debugfs_create_dir("x", NULL);
\tif (b[1] && b [1]->d) { *b = NULL; **b = 0; }
\t*b = ioremap(foo->a[2].b, 4);
\tif (*b) x(&foo->clk, (*b)->c, foo->clk->rate);
}
"""


def _walked(scope, var, after):
    """occurrences_after as first written: a walk over every child, tokens included."""
    name, found, stack = squeeze(var).encode(), [], [scope]
    while stack:
        n = stack.pop()
        if n.end_byte <= after:
            continue
        if n.type == var.type and n.start_byte >= after \
                and SPACE.sub("", n.text.decode("utf-8", "replace")).encode() == name:
            found.append(n)
            continue
        if n.type != "identifier":
            stack.extend(n.children)
    return sorted(found, key=lambda n: n.start_byte)


def test_occurrences_after_of_a_field_or_element_are_what_a_walk_over_every_child_finds():
    lines = SOURCE.split("\n")
    rng = random.Random(4)
    texts = ["\n".join(lines[a:b]) for a in range(len(lines)) for b in range(a + 1, len(lines) + 1)]
    texts += ["".join(c for c in t if rng.random() > 0.05) for t in texts for _ in range(2)]
    seen = 0
    for src in texts:
        root = parse(src.encode()).root_node
        for var in walk(root, ("field_expression", "subscript_expression", "pointer_expression")):
            for after in (0, var.end_byte, len(src) // 2):
                got = occurrences_after(root, var, after)
                assert [n.id for n in got] == [n.id for n in _walked(root, var, after)], src
                seen += bool(got)
    assert seen


def _declares_plain(node):
    child, parent = node, node.parent
    while parent is not None and parent.type in DECLARATOR_WRAPPERS:
        if parent.child_by_field_name("declarator") != child:
            return False
        child, parent = parent, parent.parent
    return parent is not None and parent.type in ("declaration", "parameter_declaration")


def _assigns_plain(node):
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
