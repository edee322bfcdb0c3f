"""reviewbot/config.py and the command line around it: the file is found, checked and obeyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SEED_MBOX, require_shared, run_cli
from reviewbot.config import find_config, parse_config
from reviewbot.engine import Rule, registry
from reviewbot.errors import InputError
from reviewbot.findings import Severity
from reviewbot.ruleapi import RuleMeta, Scope
from reviewbot.selection import choose

LONG = Rule(RuleMeta("x-long", Severity.WARNING, Scope.LINE, ("X_LONG",), options={"max": 100, "words": []}),
            lambda ctx: (), "", "m", {"max": 100, "words": []})
PREVIEW = Rule(RuleMeta("x-preview", Severity.NOTE, Scope.LINE, preview=True), lambda ctx: (), "", "m")
RULES = (LONG, PREVIEW)


def _seed_findings(*args: str, cwd: Path | None = None) -> list[dict]:
    require_shared()
    run = run_cli("check", "--no-tree", "--format", "json", *args, str(SEED_MBOX), cwd=cwd)
    assert run.status in (0, 1), run.err
    return [f for p in json.loads(run.out)["patches"] for f in p["findings"]]


# --- parsing (pure) ----------------------------------------------------------------------


def test_every_key_is_read():
    config = parse_config({
        "select": ["x-long"], "ignore": [], "extend-select": ["x-preview"], "fail-on": "error",
        "show-preexisting": True, "severity": {"x-long": "note"},
        "per-path-ignores": {"drivers/staging/*": ["x-long"]}, "rules": {"x-long": {"max": 80}},
    }, "cfg", RULES)
    assert config.select == ("x-long",)
    assert config.extend_select == ("x-preview",)
    assert config.fail_on == "error" and config.show_preexisting
    assert config.severity == {"x-long": Severity.NOTE}
    assert config.rule_options["x-long"] == {"max": 80, "words": []}
    assert config.ignored_at("x-long", "drivers/staging/foo/bar.c")
    assert not config.ignored_at("x-long", "drivers/net/bar.c")
    assert not config.ignored_at("x-preview", "drivers/staging/foo/bar.c")


@pytest.mark.parametrize("data, says", [
    ({"selct": ["x-long"]}, "selct: unknown key"),
    ({"select": ["x-lnog"]}, "unknown rule id x-lnog"),
    ({"ignore": "x-long"}, "expected a list of rule ids"),
    ({"severity": {"x-long": "fatal"}}, "severity.x-long"),
    ({"severity": {"nope": "note"}}, "severity.nope: unknown rule id"),
    ({"per-path-ignores": {"a/*": ["nope"]}}, "unknown rule id nope"),
    ({"rules": {"x-long": {"maximum": 80}}}, "rules.x-long.maximum: unknown option (this rule's options: max, words)"),
    ({"rules": {"x-long": {"max": "80"}}}, "rules.x-long.max: expected a positive integer"),
    ({"rules": {"x-long": {"words": "kmalloc"}}}, "expected a list of strings"),
    ({"rules": {"nope": {}}}, "rules.nope: unknown rule id"),
    ({"fail-on": "fatal"}, "fail-on"),
    ({"show-preexisting": "yes"}, "show-preexisting: expected true or false"),
])
def test_mistakes_are_errors_naming_file_and_key(data, says):
    with pytest.raises(InputError) as e:
        parse_config(data, "proj/.reviewbot.toml", RULES)
    assert str(e.value).startswith("proj/.reviewbot.toml: ")
    assert says in str(e.value)


def test_selection_applies_severity_options_and_extend_select():
    config = parse_config({"extend-select": ["x-preview"], "severity": {"x-long": "error"},
                           "rules": {"x-long": {"max": 72}}}, "cfg", RULES)
    chosen = choose(config=config, rules=RULES)
    by_id = {r.id: r for r in chosen.rules}
    assert set(by_id) == {"x-long", "x-preview"}
    assert by_id["x-long"].meta.severity is Severity.ERROR
    assert by_id["x-long"].options["max"] == 72
    assert choose(rules=RULES).rules == (LONG,)   # preview stays off without the config


def test_checkpatch_type_names_filter_rather_than_fail():
    chosen = choose(ignore="X_LONG,UNKNOWN_COMMIT_ID", rules=RULES)
    assert chosen.ignore_types == {"X_LONG", "UNKNOWN_COMMIT_ID"}
    assert choose(types="X_LONG", rules=RULES).rules == (LONG,)
    assert choose(types="BRACES", rules=RULES).rules == ()
    with pytest.raises(InputError):
        choose(ignore="x-lnog", rules=RULES)


# --- finding the file ---------------------------------------------------------------------


def test_found_from_the_working_directory_upward(tmp_path):
    (tmp_path / ".reviewbot.toml").write_text("ignore = []\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / ".reviewbot.toml"


def test_pyproject_counts_only_with_a_reviewbot_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.reviewbot]\nignore = []\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_nearest_file_wins_and_dot_reviewbot_before_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.reviewbot]\n")
    (tmp_path / ".reviewbot.toml").write_text("")
    assert find_config(tmp_path).name == ".reviewbot.toml"


# --- end to end through the CLI ---------------------------------------------------------


def test_config_in_working_directory_changes_severity_and_ignores(tmp_path):
    (tmp_path / ".reviewbot.toml").write_text(
        'ignore = ["blank-line-noise"]\n[severity]\nexecutable-source-file = "note"\n')
    found = _seed_findings(cwd=tmp_path)
    rules = {f["rule"]: f["severity"] for f in found}
    assert "blank-line-noise" not in rules
    assert rules["executable-source-file"] == "note"
    assert "blank-line-noise" in {f["rule"] for f in _seed_findings("--no-config", cwd=tmp_path)}


def test_pyproject_table_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.reviewbot]\nselect = ["unchecked-null-return"]\n')
    assert {f["rule"] for f in _seed_findings(cwd=tmp_path)} == {"unchecked-null-return"}


def test_per_path_ignores_silence_a_rule_under_a_directory(tmp_path):
    (tmp_path / ".reviewbot.toml").write_text('[per-path-ignores]\n"kernel/bpf/*" = ["unchecked-null-return"]\n')
    assert "unchecked-null-return" not in {f["rule"] for f in _seed_findings(cwd=tmp_path)}
    run = run_cli("check", "--no-tree", str(SEED_MBOX), cwd=tmp_path)
    assert "1 silenced by configuration" in run.out


def test_config_fail_on_sets_the_exit_status(tmp_path):
    require_shared()
    (tmp_path / ".reviewbot.toml").write_text('select = ["blank-line-noise"]\nfail-on = "error"\n')
    assert run_cli("check", "--no-tree", str(SEED_MBOX), cwd=tmp_path).status == 0
    assert run_cli("check", "--no-tree", "--fail-on", "warning", str(SEED_MBOX), cwd=tmp_path).status == 1


def test_a_bad_config_is_one_line_and_exit_2(tmp_path):
    require_shared()
    (tmp_path / ".reviewbot.toml").write_text('selct = ["x"]\n')
    run = run_cli("check", "--no-tree", str(SEED_MBOX), cwd=tmp_path)
    assert run.status == 2 and run.out == ""
    assert run.err.count("\n") == 1 and "selct: unknown key" in run.err and "Traceback" not in run.err


def test_invalid_toml_is_one_line_and_exit_2(tmp_path):
    require_shared()
    (tmp_path / ".reviewbot.toml").write_text('select = [\n')
    run = run_cli("check", "--no-tree", str(SEED_MBOX), cwd=tmp_path)
    assert run.status == 2 and "not valid TOML" in run.err and run.err.count("\n") == 1


def test_explicit_config_file_and_missing_one(tmp_path):
    require_shared()
    cfg = tmp_path / "review.toml"
    cfg.write_text('select = ["executable-source-file"]\n')
    assert {f["rule"] for f in _seed_findings("--config", str(cfg))} == {"executable-source-file"}
    run = run_cli("check", "--config", str(tmp_path / "nope.toml"), str(SEED_MBOX))
    assert run.status == 2 and "no such file" in run.err


def test_command_line_select_beats_the_config(tmp_path):
    (tmp_path / ".reviewbot.toml").write_text('select = ["executable-source-file"]\n')
    assert {f["rule"] for f in _seed_findings("--select", "unbalanced-braces", cwd=tmp_path)} == {"unbalanced-braces"}


def test_checkpatch_ignore_and_types_on_checkpatch_output():
    require_shared()
    out = run_cli("check", "--no-tree", "--format", "checkpatch", "--ignore", "EXECUTE_PERMISSIONS,UNKNOWN_COMMIT_ID",
                  str(SEED_MBOX)).out
    assert "EXECUTE_PERMISSIONS" not in out and "BRACES" in out
    out = run_cli("check", "--no-tree", "--format", "checkpatch", "--types", "BRACES", str(SEED_MBOX)).out
    assert [line.split(":")[3] for line in out.splitlines()] == ["BRACES", "BRACES"]   # the chain at its `if` and its `else`


def test_every_shipped_rule_option_default_passes_its_own_type_check():
    for r in registry():
        if r.meta.options:
            config = parse_config({"rules": {r.id: dict(r.meta.options)}}, "cfg", registry())
            assert config.rule_options[r.id] == r.meta.options
