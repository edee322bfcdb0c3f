"""action.yml and the example workflows: well-formed, and written the way GitHub asks."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOWS = {p.name: yaml.safe_load(p.read_text()) for p in (ROOT / "examples" / "workflows").glob("*.yml")}


def test_composite_action_runs_reviewbot_github_from_its_own_checkout():
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    assert all(step.get("shell") for step in steps if "run" in step), "every run step needs a shell"
    scripts = "\n".join(step["run"] for step in steps if "run" in step)
    assert '"$ACTION_PATH"' in scripts and "reviewbot\" github" in scripts


def test_inputs_reach_the_scripts_through_env_only():
    for step in ACTION["runs"]["steps"]:
        assert not re.search(r"\$\{\{\s*inputs\.", step.get("run", "")), step["name"]
    assert set(ACTION["inputs"]) >= {"mode", "fail-on", "token"}


def test_mode_input_names_only_modes_the_command_knows():
    from reviewbot.pullrequest import MODES

    for mode in ACTION["inputs"]["mode"]["default"].split(","):
        assert mode in MODES


def test_fork_safe_workflow_pair():
    pr = WORKFLOWS["reviewbot.yml"]
    post = WORKFLOWS["reviewbot-post.yml"]
    assert list(pr[True]) == ["pull_request"]   # yaml reads the key `on` as True
    assert pr["permissions"] == {"contents": "read"}
    modes = [s["with"]["mode"] for s in pr["jobs"]["review"]["steps"] if "with" in s and "mode" in s["with"]]
    assert modes == ["annotations,sarif"]
    assert list(post[True]) == ["workflow_run"]
    assert post["permissions"]["pull-requests"] == "write" and post["permissions"]["checks"] == "write"
