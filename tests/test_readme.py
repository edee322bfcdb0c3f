"""The README's promises: its test command is what CI runs, and its seed command is real."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_readme_gives_an_install_and_a_test_command():
    install, test = _commands()
    assert "pip install ." in install and "reviewbot check ../shared/seed/" in install
    assert "pip install '.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    test = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_b4_config_lines_are_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for key in ("b4.prep-perpatch-check-cmd", "b4.am-perpatch-check-cmd"):
        assert f'git config --add {key} "reviewbot check --format checkpatch -"' in readme
