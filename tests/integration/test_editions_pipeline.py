"""The report run builds the year's editions and lists them in its manifest (issue #15)."""

from __future__ import annotations

import json

import pytest
from pipeline_factory import copy_project

from evalkit import editions, pipeline
from evalkit.core.digest import sha256_file

YEAR, AS_OF = 2026, "2026-10-31"

pytestmark = pytest.mark.slow


def test_report_run_publishes_editions_with_their_sha256(demo_report, scratch_project):
    scratch_project(demo_report)  # the code hash the run recorded (pinned)
    year_dir = demo_report / "reports" / str(YEAR)
    entry = json.loads((year_dir / "manifest.json").read_text("utf-8"))["editions"]
    assert sorted(entry["sha256"]) == [f"report-{YEAR}.docx", f"report-{YEAR}.pdf"]
    for name, digest in entry["sha256"].items():
        assert sha256_file(year_dir / name) == digest
    assert entry["key"] == editions.inputs_key(year_dir, demo_report / "data")


def test_changed_edition_input_rebuilds_only_the_editions(demo_report, tmp_path, scratch_project):
    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    year_dir = root / "reports" / str(YEAR)
    old = json.loads((year_dir / "manifest.json").read_text("utf-8"))
    cfg = root / "data" / "config" / "editions.yaml"
    cfg.write_text(
        cfg.read_text("utf-8").replace("评估工作组", "评估工作组（测试）"), encoding="utf-8"
    )
    lines: list[str] = []
    res = pipeline.run_report(YEAR, AS_OF, jobs=2, dataset=root / "raw", out=lines.append)
    assert res.executed == [] and res.reports_published
    assert "生成正式文本 building the editions (.docx, .pdf) …" in lines
    man = json.loads((year_dir / "manifest.json").read_text("utf-8"))
    assert man["editions"]["key"] != old["editions"]["key"]
    assert man["notebooks"] == old["notebooks"]
    for name, digest in man["editions"]["sha256"].items():
        assert sha256_file(year_dir / name) == digest
    again: list[str] = []
    pipeline.run_report(YEAR, AS_OF, jobs=2, dataset=root / "raw", out=again.append)
    assert any("reports are current: nothing to run or publish" in line for line in again)
