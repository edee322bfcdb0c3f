"""The textual early exits rules take before asking for the tree (`_nothing_to_find`) give up
only windows where the rule run without them reports nothing: each rule is run on cut and
damaged windows with random added rows, with and without its exit, and must say the same."""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace

import pytest

from reviewbot.csyntax import SyntaxView

SOURCE = """static int foo_probe(struct platform_device *pdev)
{
\tstruct foo *foo;
\tint ret;

\tfoo = kzalloc(sizeof(*foo), GFP_KERNEL);
\tif (!foo)
\t\treturn -ENOMEM;
\tmutex_lock(&foo->lock);
\tif (foo->ready) {
\t\tret = 0;
\t} else
\t\tret = start(foo);
\tif (ret) {
\t\tkfree(foo);
\t\treturn ret;
\t}
\tfor (i = 0; i < n; i++) {
\t\tfoo->a[i] = i;
\t}
\twhile (busy(foo)) {
\t\tcpu_relax();
\t}
\tif (x)
\t\tfor (;;)
\t\t\tbreak;
\telse if (y) {
\t\tdown(&foo->sem);
\t} else {
\t\tfoo->b = 1;
\t}
\tmutex_unlock(&foo->lock);
\tconsume_skb(skb);
\tskb->len = 0;
\treturn 0;
}
#define ERRS \\
\tC(A, -ENXIO, "x"),\t\\
\tC(B, -ENXIO, "y"),\t\t\\
"""

RULES = ["unbalanced_braces", "unnecessary_braces", "use_after_free", "missing_unlock_on_error_path"]


def _windows():
    lines = SOURCE.split("\n")
    rng = random.Random(1)
    texts = ["\n".join(lines[a:b]) for a in range(0, len(lines), 2) for b in range(a + 1, len(lines) + 1, 3)]
    texts += ["".join(c for c in t if rng.random() > 0.04) for t in texts[::2]]
    for text in texts:
        rows = text.split("\n")
        for _ in range(3):
            added = frozenset(100 + r for r in range(len(rows)) if rng.random() < 0.4)
            yield SyntaxView(rows, [100 + r for r in range(len(rows))], added)


@pytest.mark.parametrize("name", RULES)
def test_early_exit_gives_up_only_windows_without_reports(name, monkeypatch):
    module = importlib.import_module(f"reviewbot.rules.{name}")
    file = SimpleNamespace(path="drivers/foo/foo.c", status="modified")
    contexts = [SimpleNamespace(view=view, file=file, hunk=None, hunks=(), options={}, knowledge=None)
                for view in _windows()]
    fast = [[tuple(r) for r in module.check(ctx)] for ctx in contexts]
    assert any(module._nothing_to_find(ctx.view) for ctx in contexts)   # the exit is taken
    monkeypatch.setattr(module, "_nothing_to_find", lambda view: False)
    slow = [[tuple(r) for r in module.check(ctx)] for ctx in contexts]
    assert fast == slow
    assert any(slow)   # the windows do hold what the rule reports


def test_a_null_node_is_always_the_text_null():
    """unchecked-null-return runs its `return NULL` query only where the source has the text
    NULL or nullptr: in damaged code tree-sitter invents a missing identifier, never a NULL."""
    from reviewbot.csyntax import parse, walk

    rng = random.Random(2)
    tokens = ["return", "NULL", "nullptr", "[", "]", "->", "(", ")", ";", "{", "}", "p", "*", "=", "0", ",", "?", ":",
              "if", "else", "\n", "#if", "sizeof", "struct", "int"]
    shown = 0
    for k in range(3000):
        body = " ".join(rng.choice(tokens) for _ in range(rng.randrange(1, 14)))
        src = f"void *f(void)\n{{\n\t{body}\n}}\n" if k % 2 else body + "\n"
        root = parse(src.encode()).root_node
        for node in walk(root, ("null",)):
            assert node.text in (b"NULL", b"nullptr") and not any(c.is_missing for c in node.children), src
            shown += 1
    assert shown
