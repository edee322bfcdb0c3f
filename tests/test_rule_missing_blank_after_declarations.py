"""missing-blank-after-declarations' helpers against the plain code they stand for."""

from __future__ import annotations

import random

from reviewbot.diff import DiffLine, Hunk
from reviewbot.rules.missing_blank_after_declarations import CLOSING, _after_definitions, _glued, _old_index
from reviewbot.ruleapi import Report


def _after_definitions_plain(hunk, device_tree):
    """_after_definitions as first written: every line looked at, the grouping always worked out."""
    if not any(x.text[:1] == "}" for x in hunk.lines):
        return
    before = [x.text for x in hunk.lines if x.kind != "+"]
    grouped = any(CLOSING.match(before[i - 1]) and _glued(before, i, device_tree) for i in range(1, len(before)))
    image = hunk.post_image
    texts = [x.text for x in image]
    for j in range(1, len(image)):
        x, following = image[j - 1], image[j]
        if not CLOSING.match(x.text) or not _glued(texts, j, device_tree):
            continue
        old = grouped
        if following.kind == "+":
            if x.kind == " ":
                k = _old_index(hunk, x)
                old = old or (k + 1 < len(before) and _glued(before, k + 1, device_tree))
            at = following
        elif x.kind == "+":
            k = _old_index(hunk, following)
            old = old or (k > 0 and bool(CLOSING.match(before[k - 1])))
            at = x
        else:
            continue
        what = "top-level node" if device_tree else "definition"
        yield Report(f"missing a blank line after the end of a {what}", line=at.new,
                     hint=f"add an empty line after the `{x.text.strip()}`", preexisting=old)


def _hunk(rng, texts):
    lines, old, new = [], 1, 1
    for k in range(rng.randrange(1, 12)):
        kind = rng.choice("  +-")
        text = rng.choice(texts)
        lines.append(DiffLine(kind, text, old if kind != "+" else None, new if kind != "-" else None, k))
        old += kind != "+"
        new += kind != "-"
    return Hunk(1, old - 1, 1, new - 1, "", tuple(lines), 0)


def test_after_definitions_reports_what_the_plain_loop_reports():
    texts = ["}", "};", "} ", "}\t", "} else {", "", "\tx = 1;", "int f(void)", "static int b;", "EXPORT_SYMBOL(f);",
             "/* note", " * more */", "#endif", "static const struct r t[] = {", "node {", "\tb = 2;", "};x"]
    rng = random.Random(9)
    reported = grouped = 0
    for _ in range(6000):
        hunk = _hunk(rng, texts)
        for device_tree in (False, True):
            got = list(_after_definitions(hunk, device_tree))
            assert got == list(_after_definitions_plain(hunk, device_tree)), hunk
            reported += len(got)
            grouped += sum(bool(r.preexisting) for r in got)
    assert reported and grouped
