"""Every rule against its fixtures: what must fire fires, and nothing else does.

Fixtures live in `tests/fixtures/rules/<rule-id>/` in two forms (semgrep-style
inline expectations, STYLE.md item 7):

* `*.c` / `*.h`: the content of a new file.  The file is wrapped as a mail whose
  patch adds it (every line added) and only that rule runs.  A comment alone on
  a line, `/* ruleid: <rule-id> */` or `// ruleid: <rule-id>`, says the rule must
  report the next line that is not a marker; `/* ok: <rule-id> */` says it must
  not.  The reported lines must be exactly the `ruleid:` lines.
* `*.patch` / `*.mbox` / `*.eml`: a whole mail.  Each header
  `X-Reviewbot-Expect: <rule-id> <where>` names one finding that must be
  reported, where `<where>` is a new-file line number, `file` (a file-level
  finding) or `mail` (a mail-level one), optionally prefixed by `<path>:`.  The
  findings must be exactly those; no such header means the rule stays silent.
* `*.txt`: a web archive's copy of a patch (no RFC 822 headers).  Leading
  `X-Reviewbot-Expect:` lines, as above, are removed before it is reviewed.

A rule without a fixture that fires, or without one that stays silent, fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from reviewbot.engine import registry
from reviewbot.ruleapi import Scope

RULE_FIXTURES = FIXTURES / "rules"
C_SUFFIXES = (".c", ".h")
MAIL_SUFFIXES = (".patch", ".mbox", ".eml")
ARCHIVE_SUFFIXES = (".txt",)
SUFFIXES = C_SUFFIXES + MAIL_SUFFIXES + ARCHIVE_SUFFIXES

MARKER = re.compile(r"^\s*(?:/\*\s*(ruleid|ok):\s*(\S+?)\s*\*/|//\s*(ruleid|ok):\s*(\S+))\s*$")
EXPECT = re.compile(r"^X-Reviewbot-Expect:[ \t]*(\S+)[ \t]+(\S+)[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Fixture:
    rule: str
    path: Path
    data: bytes                 # what is reviewed
    expected: frozenset         # {(path or None, where)}: where is a line number, "file" or "mail"
    silenced: frozenset = frozenset()   # lines marked `ok:` (C fixtures)
    with_paths: bool = False    # compare paths too (some expectation names one)

    @property
    def fires(self) -> bool:
        return bool(self.expected)


class FixtureError(ValueError):
    """A fixture that cannot mean what its author wanted (a typo in a marker, ...)."""


# --- building the input --------------------------------------------------------------


def wrap_new_file(name: str, content: str) -> bytes:
    """A `git format-patch` mail whose patch adds `name` with `content` (every line added)."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    head = (
        "From: Fixture Author <author@example.org>\n"
        "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
        "Subject: [PATCH] test: add a file\n"
        "Message-ID: <fixture@reviewbot.example>\n"
        "\n"
        "Add a file.\n"
        "\n"
        "Signed-off-by: Fixture Author <author@example.org>\n"
        "---\n"
        f"diff --git a/{name} b/{name}\n"
        "new file mode 100644\n"
        "index 0000000..1111111\n"
        "--- /dev/null\n"
        f"+++ b/{name}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n"
    )
    return (head + "".join(f"+{line}\n" for line in lines)).encode()


def parse_markers(rule_id: str, content: str) -> tuple[frozenset, frozenset]:
    """(lines that must be reported, lines that must not) of a C fixture, 1-based."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()   # the end of the last line, not a line
    fire, silent = set(), set()
    pending: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        m = MARKER.match(line)
        if m:
            kind, rid = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            if rid != rule_id:
                raise FixtureError(f"line {number}: marker for {rid!r} in the fixtures of {rule_id!r}")
            pending.append((kind, number))
            continue
        if "ruleid:" in line or re.search(r"\bok:\s*[a-z]+-[a-z-]+", line):
            raise FixtureError(f"line {number}: a marker must be a comment alone on its line: {line.strip()!r}")
        for kind, _ in pending:
            (fire if kind == "ruleid" else silent).add(number)
        pending = []
    if pending:
        raise FixtureError(f"line {pending[0][1]}: marker with no line after it")
    if fire & silent:
        raise FixtureError(f"lines marked both ruleid and ok: {sorted(fire & silent)}")
    return frozenset(fire), frozenset(silent)


def _where(text: str) -> tuple[str | None, object]:
    path, _, where = text.rpartition(":")
    if where not in ("file", "mail"):
        if not where.isdigit():
            raise FixtureError(f"expected a line number, `file` or `mail`, not {text!r}")
        where = int(where)
    return path or None, where


def parse_expectations(rule_id: str, header_lines: list[str]) -> tuple[frozenset, bool]:
    found = set()
    for line in header_lines:
        m = EXPECT.match(line.rstrip("\r\n"))
        if not m:
            if line.lower().startswith("x-reviewbot-expect:"):
                raise FixtureError(f"malformed expectation {line.strip()!r}")
            continue
        if m.group(1) != rule_id:
            raise FixtureError(f"expectation for {m.group(1)!r} in the fixtures of {rule_id!r}")
        found.add(_where(m.group(2)))
    return frozenset(found), any(p is not None for p, _ in found)


def load(path: Path) -> Fixture:
    rule_id = path.parent.name
    if path.suffix in C_SUFFIXES:
        content = path.read_text()
        fire, silent = parse_markers(rule_id, content)
        return Fixture(rule_id, path, wrap_new_file(path.name, content),
                       frozenset((None, n) for n in fire), frozenset(silent))
    data = path.read_bytes()
    lines = data.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    if path.suffix in ARCHIVE_SUFFIXES:
        k = 0
        while k < len(lines) and lines[k].lower().startswith("x-reviewbot-expect:"):
            k += 1
        expected, with_paths = parse_expectations(rule_id, lines[:k])
        while k < len(lines) and not lines[k].strip():
            k += 1
        return Fixture(rule_id, path, "".join(lines[k:]).encode("utf-8", "surrogateescape"), expected,
                       with_paths=with_paths)
    header = []
    for k, line in enumerate(lines):
        if k == 0 and line.startswith("From "):
            continue   # the mbox separator
        if not line.strip():
            break
        header.append(line)
    expected, with_paths = parse_expectations(rule_id, header)
    return Fixture(rule_id, path, data, expected, with_paths=with_paths)


# --- running ---------------------------------------------------------------------------


def review(rule_id: str, data: bytes) -> list[dict]:
    """Run one rule on one input through the CLI (`--format json`); its findings."""
    run = run_cli("check", "--no-tree", "--select", rule_id, "--fail-on", "note", "--format", "json", "-",
                  stdin=data)
    assert run.err == "", run.err
    assert run.status in (0, 1), (run.status, run.out)
    doc = json.loads(run.out)
    findings = [f for p in doc["patches"] for f in p["findings"]]
    assert {f["rule"] for f in findings} <= {rule_id}
    assert run.status == (1 if findings else 0), "the exit status must say whether something was found"
    return findings


def reported(fixture: Fixture, findings: list[dict]) -> set:
    scope = {r.id: r.meta.scope for r in registry()}[fixture.rule]
    out = set()
    for f in findings:
        where = f["line"] if f["line"] is not None else ("mail" if scope is Scope.MAIL else "file")
        out.add((f["path"] if fixture.with_paths else None, where))
    return out


def mismatch(fixture: Fixture, got: set) -> str | None:
    """Why the findings do not match the fixture's expectations, or None when they do."""
    problems = []
    missed = fixture.expected - got
    extra = got - fixture.expected
    if missed:
        problems.append(f"not reported, but marked `ruleid:`/expected: {sorted(missed, key=str)}")
    if extra:
        marked_ok = {w for _, w in extra} & fixture.silenced
        problems.append(f"reported, but not expected: {sorted(extra, key=str)}"
                        + (f" (lines {sorted(marked_ok)} are marked `ok:`)" if marked_ok else ""))
    return "; ".join(problems) or None


def fixture_files() -> list[Path]:
    return sorted(p for p in RULE_FIXTURES.glob("*/*") if p.is_file())


ALL = fixture_files()


@pytest.mark.parametrize("path", ALL, ids=[f"{p.parent.name}/{p.name}" for p in ALL])
def test_fixture(path: Path):
    fixture = load(path)
    findings = review(fixture.rule, fixture.data)
    problem = mismatch(fixture, reported(fixture, findings))
    assert problem is None, f"{path.relative_to(RULE_FIXTURES)}: {problem}\n" + "\n".join(
        f"  {f['path']}:{f['line']}: {f['message']}" for f in findings)


# --- the fixture set itself --------------------------------------------------------------


@pytest.mark.parametrize("rule", [r.id for r in registry()])
def test_rule_has_firing_and_silent_fixtures(rule: str):
    fixtures = [load(p) for p in sorted((RULE_FIXTURES / rule).glob("*")) if p.suffix in SUFFIXES]
    assert any(f.fires for f in fixtures), f"{rule}: no fixture that must fire"
    assert any(not f.fires for f in fixtures), f"{rule}: no fixture that must stay silent"


def test_fixture_folders_are_rules_and_files_are_fixtures():
    ids = {r.id for r in registry()}
    for folder in RULE_FIXTURES.iterdir():
        assert folder.is_dir() and folder.name in ids, f"{folder.name}: not a rule id"
    strays = [p for p in ALL if p.suffix not in SUFFIXES]
    assert not strays, f"files the harness would ignore: {strays}"


def test_markers_name_the_next_line():
    content = "int a;\n/* ruleid: some-rule */\n// ok: some-rule\nint b;\n/* ok: some-rule */\nint c;\n"
    with pytest.raises(FixtureError):
        parse_markers("some-rule", content)   # `int b;` both fires and must not
    fire, silent = parse_markers("some-rule", "int a;\n/* ruleid: some-rule */\n\nint b;\n// ok: some-rule\nint c;\n")
    assert (fire, silent) == ({3}, {6})


def test_markers_that_cannot_mean_anything_are_errors():
    with pytest.raises(FixtureError):
        parse_markers("some-rule", "/* ruleid: other-rule */\nint a;\n")
    with pytest.raises(FixtureError):
        parse_markers("some-rule", "int a;\n/* ruleid: some-rule */\n")
    with pytest.raises(FixtureError):
        parse_markers("some-rule", "int a; /* ruleid: some-rule */\n")


def test_expectations_are_parsed_from_the_headers():
    expected, with_paths = parse_expectations("r", ["X-Reviewbot-Expect: r 12\n", "x-reviewbot-expect: r file\n",
                                                    "X-Reviewbot-Expect: r a/b.c:mail\n", "Subject: x\n"])
    assert expected == {(None, 12), (None, "file"), ("a/b.c", "mail")} and with_paths
    with pytest.raises(FixtureError):
        parse_expectations("r", ["X-Reviewbot-Expect: r line-twelve\n"])
    with pytest.raises(FixtureError):
        parse_expectations("r", ["X-Reviewbot-Expect: other 12\n"])


def test_mismatch_reports_missing_and_extra_findings():
    fixture = Fixture("r", Path("x.c"), b"", frozenset({(None, 3)}), frozenset({5}))
    assert mismatch(fixture, {(None, 3)}) is None
    assert "not reported" in mismatch(fixture, set())
    assert "marked `ok:`" in mismatch(fixture, {(None, 3), (None, 5)})
    assert "not expected" in mismatch(fixture, {(None, 3), (None, "file")})


def test_wrapped_file_adds_every_line():
    data = wrap_new_file("x.c", "int a;\n\nint b; \n")
    text = data.decode()
    assert "@@ -0,0 +1,3 @@\n+int a;\n+\n+int b; \n" in text and text.endswith("+int b; \n")
