"""Steps in a child process: the editions built there, errors and deaths come back."""

from __future__ import annotations

import os

import editions_factory as ef
import pytest

from evalkit import editions
from evalkit.core.digest import sha256_file
from evalkit.editions import EditionError
from evalkit.run import child
from evalkit.run.parameters import PipelineError


def test_the_editions_built_in_a_child_are_published_with_their_digests(tmp_path):
    folder = ef.make_year(tmp_path)
    key = editions.inputs_key(folder)
    entry = child.build_editions_in_child(folder, key=key)
    assert entry["key"] == key
    assert sorted(entry["sha256"]) == ["report-2026.docx", "report-2026.pdf"]
    for name, digest in entry["sha256"].items():
        assert sha256_file(folder / name) == digest


def _child_pid(*args) -> int:
    return os.getpid()


def _die(report_dir: str, data, key: str) -> dict:
    """Stands in for the child's work: the process ends without an answer."""
    os._exit(3)


def _fail(report_dir: str, data, key: str) -> dict:
    raise EditionError("pandoc failed: 故意的错误 deliberate")


def test_the_call_runs_in_another_process():
    assert child.call_in_child(_child_pid, step=("测试", "test")) != os.getpid()


def test_an_engine_error_in_the_child_comes_back_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(child, "_build_editions", _fail)
    with pytest.raises(EditionError, match="故意的错误 deliberate"):
        child.build_editions_in_child(tmp_path, key="k")


def test_a_child_dying_without_an_answer_is_a_pipeline_error(tmp_path, monkeypatch):
    monkeypatch.setattr(child, "_build_editions", _die)
    with pytest.raises(PipelineError, match="the editions process died") as e:
        child.build_editions_in_child(tmp_path, key="k")
    assert "生成正式文本的进程意外退出" in str(e.value)
