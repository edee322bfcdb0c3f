"""reviewbot.cflow's helpers against the plain code they stand for."""

from __future__ import annotations

import random

from reviewbot.cflow import occurrences_after
from reviewbot.csyntax import SPACE, parse, squeeze, walk

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
