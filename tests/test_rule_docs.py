"""Each rule's docstring is its documentation (STYLE.md item 6); these tests hold it to that.

Every rule has the sections `## What it does`, `## Why is this bad?`, `## Example`,
`## Use instead` and `## References`.  *Example* and *Use instead* each hold a fenced
block saying what it is: ```c (the content of a new C file), ```diff (a diff) or
```patch (a whole mail).  The example must make the rule fire and the fix must not.
`reviewbot explain RULE` prints the docstring and `reviewbot rules` lists every rule.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_cli
from reviewbot.engine import DOC_SECTIONS, registry, section

RULES = registry()
IDS = [r.id for r in RULES]
KINDS = ("c", "diff", "patch")
FENCE = re.compile(r"^```[ \t]*(\S*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_block(doc: str, name: str) -> tuple[str, str] | None:
    """(kind, text) of the first fenced block in a section, or None when it has none."""
    m = FENCE.search(section(doc, name) + "\n")
    return (m.group(1), m.group(2)) if m else None


def doc_problems(doc: str) -> list[str]:
    """What is wrong with a docstring's shape (not its examples' behaviour)."""
    problems = []
    headings = [line[3:].strip() for line in doc.splitlines() if line.startswith("## ")]
    for name in DOC_SECTIONS:
        if name not in headings:
            problems.append(f"no `## {name}` section")
        elif not section(doc, name).strip():
            problems.append(f"`## {name}` is empty")
    present = [h for h in headings if h in DOC_SECTIONS]
    if present != [h for h in DOC_SECTIONS if h in present]:
        problems.append(f"sections out of order: {present}")
    for name in ("Example", "Use instead"):
        block = fenced_block(doc, name)
        if block is None:
            problems.append(f"`## {name}` has no fenced code block")
        elif block[0] not in KINDS:
            problems.append(f"`## {name}`'s block says ```{block[0]}; it must say one of {', '.join(KINDS)}")
        elif not block[1].strip():
            problems.append(f"`## {name}`'s block is empty")
    return problems


def as_input(kind: str, text: str) -> bytes:
    """What `reviewbot check` reads for a block: a mail adding a file for ```c, else the text itself."""
    if kind != "c":
        return text.encode()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return (
        "From: Doc Example <doc@example.org>\n"
        "Subject: [PATCH] example: add example.c\n"
        "Message-ID: <example@reviewbot.example>\n"
        "\n"
        "Add the example.\n"
        "\n"
        "Signed-off-by: Doc Example <doc@example.org>\n"
        "---\n"
        "diff --git a/example.c b/example.c\n"
        "new file mode 100644\n"
        "index 0000000..1111111\n"
        "--- /dev/null\n"
        "+++ b/example.c\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    ).encode()


def findings(rule_id: str, data: bytes) -> list[dict]:
    run = run_cli("check", "--no-tree", "--select", rule_id, "--fail-on", "note", "--format", "json", "-",
                  stdin=data)
    assert run.err == "" and run.status in (0, 1), (run.status, run.err)
    return [f for p in json.loads(run.out)["patches"] for f in p["findings"] if f["rule"] == rule_id]


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_docstring_has_every_section_and_fenced_examples(rule):
    assert doc_problems(rule.doc) == []


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_example_triggers_the_rule(rule):
    block = fenced_block(rule.doc, "Example")
    assert block is not None and block[0] in KINDS, "the Example is not a fenced c/diff/patch block"
    assert findings(rule.id, as_input(*block)), f"{rule.id}: its Example does not trigger it"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_use_instead_does_not_trigger_the_rule(rule):
    block = fenced_block(rule.doc, "Use instead")
    assert block is not None and block[0] in KINDS, "the Use instead is not a fenced c/diff/patch block"
    assert findings(rule.id, as_input(*block)) == [], f"{rule.id}: its Use instead triggers it"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_explain_prints_the_docstring(rule):
    run = run_cli("explain", rule.id)
    assert run.status == 0 and run.err == ""
    assert rule.doc.strip() in run.out
    assert run.out.startswith(f"# {rule.id}\n")


def test_explain_rejects_an_unknown_rule():
    run = run_cli("explain", "no-such-rule")
    assert run.status == 2 and "no-such-rule" in run.err and run.out == ""


def test_rules_lists_every_rule():
    run = run_cli("rules")
    assert run.status == 0 and run.err == ""
    listed = [line.split()[0] for line in run.out.splitlines() if line.strip()]
    assert sorted(listed) == sorted(IDS)
    for rule in RULES:
        line = next(x for x in run.out.splitlines() if x.split()[0] == rule.id)
        assert rule.summary in line


def test_rules_json_lists_every_rule():
    run = run_cli("rules", "--format", "json")
    assert run.status == 0
    assert [r["id"] for r in json.loads(run.out)] == IDS


# The checks above must be able to fail: a docstring without fences, sections or a
# known block kind is caught.

GOOD = """
## What it does

Flags things.

## Why is this bad?

Because.

## Example

```c
int f(void);
```

## Use instead

```diff
diff --git a/a.c b/a.c
```

## References

- somewhere
"""


def test_doc_problems_accepts_a_well_formed_docstring():
    assert doc_problems(GOOD) == []
    assert fenced_block(GOOD, "Example") == ("c", "int f(void);\n")


@pytest.mark.parametrize("broken, complaint", [
    (GOOD.replace("## References\n\n- somewhere\n", ""), "no `## References` section"),
    (GOOD.replace("Because.", ""), "`## Why is this bad?` is empty"),
    (GOOD.replace("```c\nint f(void);\n```", "    int f(void);"), "`## Example` has no fenced code block"),
    (GOOD.replace("```c", "```"), "it must say one of c, diff, patch"),
    (GOOD.replace("```diff", "```python"), "it must say one of c, diff, patch"),
    (GOOD.replace("## Example", "## Examples"), "no `## Example` section"),
])
def test_doc_problems_catches(broken, complaint):
    assert any(complaint in p for p in doc_problems(broken)), doc_problems(broken)


def test_doc_problems_catches_sections_out_of_order():
    swapped = GOOD.replace("## What it does\n\nFlags things.\n\n## Why is this bad?\n\nBecause.\n",
                           "## Why is this bad?\n\nBecause.\n\n## What it does\n\nFlags things.\n")
    assert any("out of order" in p for p in doc_problems(swapped))
