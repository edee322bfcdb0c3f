"""Rules that say one thing once for many places name the other places (`also`).

`multiple-blank-lines` gives a new file full of doubled blank lines one finding;
`unbalanced-braces` gives a chain one finding.  Both list the other lines, so
`--format checkpatch` prints one line per place, as checkpatch.pl does.
"""

from __future__ import annotations

import json

from conftest import run_cli
from test_rules import wrap_new_file


def _findings(rule_id: str, data: bytes) -> list[dict]:
    run = run_cli("check", "--no-tree", "--select", rule_id, "--format", "json", "-", stdin=data)
    assert run.err == ""
    return [f for p in json.loads(run.out)["patches"] for f in p["findings"]]


def test_a_new_file_with_many_doubled_blank_lines_lists_every_place():
    parts = [f"static int f{k}(void)\n{{\n\treturn {k};\n}}\n\n\n" for k in range(6)]
    content = "// SPDX-License-Identifier: GPL-2.0\n" + "".join(parts) + "int g;\n"
    (finding,) = _findings("multiple-blank-lines", wrap_new_file("foo.c", content))
    assert finding["message"].startswith("6 places in this new file")
    # each function is 6 lines long: the second blank line of each pair
    lines = [finding["line"]] + [a["line"] for a in finding["also"]]
    assert lines == [7 + 6 * k for k in range(6)]


def test_a_chain_names_its_if_and_each_else_between_braced_and_unbraced_arms():
    content = ("// SPDX-License-Identifier: GPL-2.0\n"
               "int f(struct foo *pc)\n"
               "{\n"
               "\tif (!foo_on(pc))\n"                 # 4: the unbraced arm, where it is reported
               "\t\tfoo_release(pc);\n"
               "\telse {\n"                           # 6: `else {`, where checkpatch reports it
               "\t\tfoo_get(pc);\n"
               "\t\tfoo_keep(pc);\n"
               "\t}\n"
               "\tif (pc->a) {\n"                     # 10: the chain's `if` (checkpatch: "braces {} should be used on all arms")
               "\t\tfoo_a(pc);\n"
               "\t\tfoo_b(pc);\n"
               "\t} else if (pc->b)\n"                # 13: reported here, the only `else` between the two kinds
               "\t\tfoo_c(pc);\n"
               "\telse\n"                             # 15: unbraced next to unbraced: not a place
               "\t\tfoo_d(pc);\n"
               "\treturn 0;\n"
               "}\n")
    findings = _findings("unbalanced-braces", wrap_new_file("foo.c", content))
    places = {f["line"]: [a["line"] for a in f["also"]] for f in findings}
    assert places == {4: [6], 13: [10]}


def test_checkpatch_format_prints_each_place():
    content = ("// SPDX-License-Identifier: GPL-2.0\n"
               "int f(int a)\n{\n\tif (a)\n\t\tg();\n\telse {\n\t\th();\n\t\ti();\n\t}\n\treturn 0;\n}\n")
    run = run_cli("check", "--no-tree", "--select", "unbalanced-braces", "--format", "checkpatch", "-",
                  stdin=wrap_new_file("foo.c", content))
    assert [line.split(":")[1] for line in run.out.splitlines()] == ["4", "6"]
