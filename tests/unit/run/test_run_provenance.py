"""git_state: the commit a page was made from, and whether its inputs were uncommitted."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from evalkit import paths
from evalkit.run import provenance

pytestmark = pytest.mark.skipif(not shutil.which("git"), reason="git missing")


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A committed project: code, configuration and one year's reports."""
    for rel in ("src/evalkit/a.py", "data/config/targets.yaml", "reports/2026/manifest.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("v1\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "v1")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    monkeypatch.delenv("EVALKIT_REPORTS_DIR", raising=False)
    return tmp_path


def test_a_clean_checkout_is_not_dirty(checkout):
    commit, dirty = provenance.git_state()
    assert len(commit) == 40 and dirty is False


def test_new_reports_are_the_runs_output_not_uncommitted_inputs(checkout):
    # Re-running 2026, then 2025: the 2025 pages must not say "uncommitted changes".
    (checkout / "reports/2026/manifest.json").write_text("v2\n", encoding="utf-8")
    assert provenance.git_state()[1] is False


@pytest.mark.parametrize("rel", ["src/evalkit/a.py", "data/config/targets.yaml"])
def test_uncommitted_code_or_configuration_is_dirty(checkout, rel):
    (checkout / rel).write_text("v2\n", encoding="utf-8")
    assert provenance.git_state()[1] is True


def test_a_reports_folder_named_with_a_star_excludes_itself_only(checkout, monkeypatch):
    # The exclusion is literal: read as a pattern, a folder named "*" would hide every
    # change, uncommitted code included.
    star = checkout / "*"
    star.mkdir()
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(star))
    (checkout / "src/evalkit/a.py").write_text("v2\n", encoding="utf-8")
    assert provenance.git_state()[1] is True


def test_reports_kept_outside_the_project_leave_the_rule_as_it_is(checkout, monkeypatch, tmp_path):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path.parent / "elsewhere"))
    (checkout / "reports/2026/manifest.json").write_text("v2\n", encoding="utf-8")
    assert provenance.git_state()[1] is True
