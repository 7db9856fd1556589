"""Issue 16 in the pipeline: revisions recorded, pages only in their years, newcomer messages.

Reuses the scratch project of ``tests/test_pipeline.py`` (two small notebooks on a
tiny curated store); runs without rendering the site.
"""

# ruff: noqa: F811  (the fixtures imported from test_pipeline are test arguments here)
from __future__ import annotations

import json
import shutil

import nbformat
import pandas as pd
from test_pipeline import NB_A, NB_B, YEAR, _run, fixed_code_hash, project  # noqa: F401

from evalkit.core import paths
from evalkit.run import manifest as mf


def _manifest(root) -> dict:
    return mf.read_manifest(root / "reports" / str(YEAR))


def test_regenerating_a_year_with_other_figures_records_a_revision(project):
    nbformat.write(NB_A, project / "notebooks" / "a.ipynb")
    (project / "notebooks" / "b.ipynb").unlink()
    _run(project, render=False)
    assert "revisions" not in _manifest(project)
    _, log = _run(project, render=False)
    assert "已是最新" in log and "current" in log  # nothing ran: the reports are current
    # A corrected submission for the same as-of date: the published figure changes.
    pd.DataFrame(
        {"item_id": ["R1", "R2", "R3"], "title": ["复制经验一", "复制经验二", "复制经验三"]}
    ).to_parquet(project / "data" / "curated" / "reform_items.parquet")
    _run(project, render=False)
    revisions = _manifest(project)["revisions"]
    assert len(revisions) == 1
    assert revisions[0]["changed"] == ["zones.zhaodong.reforms_replicated"]
    assert (
        revisions[0]["as_of"]
        == json.loads((project / "reports" / str(YEAR) / "summary.json").read_text("utf-8"))[
            "as_of"
        ]
    )
    # Unchanged again: the record stays, nothing is re-published.
    before = (project / "reports" / str(YEAR) / "manifest.json").read_bytes()
    _run(project, render=False)
    assert (project / "reports" / str(YEAR) / "manifest.json").read_bytes() == before


def test_a_page_before_its_first_year_neither_runs_nor_stays_published(project):
    config = project / "data" / "config"
    config.mkdir()
    # A data folder with its own config/ brings its own zones (README, "Another pilot zone").
    shutil.copy2(paths.ROOT / "data" / "config" / "zones.yaml", config / "zones.yaml")
    pages = {
        "pages": [
            {"notebook": "a", "title": "甲", "order": 1},
            {"notebook": "b", "title": "乙", "order": 2, "first_year": YEAR},
        ],
        "summary": {"zone_fields": [], "targets_met": []},
    }
    (config / "pages.yaml").write_text(json.dumps(pages, ensure_ascii=False), "utf-8")
    res, _ = _run(project, render=False)
    assert sorted(res.executed) == ["a", "b"]
    pages["pages"][1]["first_year"] = YEAR + 1
    (config / "pages.yaml").write_text(json.dumps(pages, ensure_ascii=False), "utf-8")
    res, _ = _run(project, render=False)
    year = project / "reports" / str(YEAR)
    assert not (year / "b.ipynb").exists() and (year / "a.ipynb").exists()
    assert sorted(_manifest(project)["notebooks"]) == ["a"]
