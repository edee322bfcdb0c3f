"""The package as a user gets it: a non-editable install into a fresh venv reviews the seed.

A missing dependency or package-data file (rules, queries, data, templates) fails here.
"""

from __future__ import annotations

import json
import subprocess
import venv

from conftest import ROOT, SEED_ARCHIVE, require_shared


def test_non_editable_install_reviews_the_seed(tmp_path):
    require_shared()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          str(ROOT)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-2000:]
    site = subprocess.run([str(python), "-c", "import reviewbot, reviewbot.rules, reviewbot.templates, os;"
                           "print(os.path.dirname(reviewbot.__file__))"], capture_output=True, text=True, cwd=tmp_path)
    assert site.returncode == 0, site.stderr
    installed = site.stdout.strip()
    assert installed.startswith(str(env_dir)), f"imported from {installed}, not the venv"
    run = subprocess.run([str(env_dir / "bin" / "reviewbot"), "check", "--format", "json", str(SEED_ARCHIVE)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    findings = json.loads(run.stdout)["patches"][0]["findings"]
    assert sorted((f["rule"], f["line"] or 0) for f in findings) == [
        ("blank-line-noise", 3306), ("executable-source-file", 0), ("missing-blank-after-declarations", 3506),
        ("unbalanced-braces", 3510), ("unchecked-null-return", 3508)]
    explain = subprocess.run([str(env_dir / "bin" / "reviewbot"), "explain", "unchecked-null-return"],
                             capture_output=True, text=True, cwd=tmp_path)
    assert "## What it does" in explain.stdout


def test_package_declares_python_311_and_the_named_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    names = {d.split(">")[0].split("=")[0].strip() for d in project["dependencies"]}
    assert names == {"unidiff", "tree-sitter", "tree-sitter-c", "requests", "jinja2", "codespell"}
    assert project["scripts"] == {"reviewbot": "reviewbot.cli:main"}
