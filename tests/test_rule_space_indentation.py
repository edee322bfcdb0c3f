"""space-indentation: a new file indented with spaces is said once per kind of fault, and each
finding names every line it covers (Report.also), so `--format checkpatch` lists them all."""

from __future__ import annotations

import itertools
import json

from conftest import FIXTURES, run_cli
from reviewbot.rules.space_indentation import SUSPECT
from test_rules import wrap_new_file

WHOLE_FILE = FIXTURES / "rules" / "space-indentation" / "fires_new_file_indented_with_spaces_once.c"


def _findings(data: bytes) -> list[dict]:
    run = run_cli("check", "--no-tree", "--select", "space-indentation", "--format", "json", "-", stdin=data)
    return [f for p in json.loads(run.out)["patches"] for f in p["findings"]]


def _expected(content: str) -> dict[str, list[int]]:
    """New-file lines by checkpatch type, judged the simple way: eight or more spaces first is
    CODE_INDENT, fewer is LEADING_SPACE (the fixture has no other kind, no comments, no markers
    but the rule's own)."""
    out: dict[str, list[int]] = {"CODE_INDENT": [], "LEADING_SPACE": []}
    for n, line in enumerate(content.split("\n"), start=1):
        spaces = len(line) - len(line.lstrip(" "))
        if spaces and line.strip() and not line.lstrip().startswith(("/*", "*")):
            out["CODE_INDENT" if spaces >= 8 else "LEADING_SPACE"].append(n)
    return out


def test_a_new_file_indented_with_spaces_names_every_line_once_per_type():
    content = WHOLE_FILE.read_text()
    found = _findings(wrap_new_file(WHOLE_FILE.name, content))
    by_type = {f["checkpatch_type"]: [f["line"]] + [a["line"] for a in f["also"]] for f in found}
    assert by_type == _expected(content)
    assert len(found) == 2   # one finding per kind, not one per line
    lines = [n for ns in by_type.values() for n in ns]
    assert len(lines) == len(set(lines))   # each line under one type only


def test_checkpatch_format_prints_one_line_per_place():
    content = WHOLE_FILE.read_text()
    run = run_cli("check", "--no-tree", "--select", "space-indentation", "--format", "checkpatch", "-",
                  stdin=wrap_new_file(WHOLE_FILE.name, content))
    expected = _expected(content)
    printed = run.out.splitlines()
    assert len(printed) == sum(len(v) for v in expected.values())
    assert sum(":LEADING_SPACE:" in x for x in printed) == len(expected["LEADING_SPACE"])


def test_code_without_a_slash_is_the_scan_of_it():
    """_code's fast path (no `/`, so no comment to take off) gives what the scan gives."""
    from reviewbot.rules.space_indentation import _code, _code_scan

    for text in ("int x;", "int x;  ", "s = \"a'b\";\t", "c = '\"';", "x = \"\\\"\" ;", "", " ", "a \\",
                 "int x; /* y */", "p = \"//\"; // c", "q = '/' ;", "r = \"/*\" /* z */ ;", "/* a */ b /* c"):
        assert _code(text) == _code_scan(text), text


def test_a_line_suspect_matches_starts_with_a_space_or_has_one_after_a_tab():
    """check asks SUSPECT only of such lines (and of those with a space before a tab)."""
    for n in range(1, 11):
        for combo in itertools.product(" \tx*", repeat=n):
            text = "".join(combo)
            if SUSPECT.match(text) is not None:
                assert text[:1] == " " or "\t " in text or " \t" in text, repr(text)
