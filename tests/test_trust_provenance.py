"""Provenance helpers: which raw files a page used, and a footer that renders as text."""

from __future__ import annotations

import json

from evalkit import provenance


def _curated(tmp_path, intake_tables):
    cur = tmp_path / "curated"
    cur.mkdir()
    files = {"a.xlsx": "a" * 64, "b.csv": "b" * 64, "dataset.yaml": "d" * 64, "<x>.xlsx": "e" * 64}
    (cur / "_meta.json").write_text(json.dumps({"dataset": "demo", "files": files}), "utf-8")
    if intake_tables is not None:
        (cur / "_intake.json").write_text(json.dumps({"tables": intake_tables}), "utf-8")
    return tmp_path


def test_raw_inputs_follow_the_tables_read(tmp_path):
    data = _curated(
        tmp_path,
        [
            {"table": "projects", "file": "a.xlsx", "rows_read": 5},
            {"table": "reform_items", "file": "a.xlsx", "rows_read": 3},
            {"table": "logistics_monthly", "file": "b.csv", "rows_read": 9},
            {"table": "county_panel", "file": "<x>.xlsx", "rows_read": 0},
        ],
    )
    assert provenance.raw_inputs(["projects"], data) == {
        "raw/demo/a.xlsx": "a" * 64,
        "raw/demo/dataset.yaml": "d" * 64,
    }
    assert set(provenance.raw_inputs(["logistics_monthly", "projects"], data)) == {
        "raw/demo/a.xlsx",
        "raw/demo/b.csv",
        "raw/demo/dataset.yaml",
    }
    # The data-quality page reads the intake report, which covers every submitted file.
    assert len(provenance.raw_inputs(["_intake"], data)) == 4
    # A file that gave no rows is not an input of any page, but the dataset lists it.
    assert "raw/demo/<x>.xlsx" not in provenance.raw_inputs(None, data)
    assert "raw/demo/<x>.xlsx" in provenance.raw_inputs(None, data, every_file=True)


def test_raw_inputs_without_intake_record(tmp_path):
    assert len(provenance.raw_inputs(["projects"], _curated(tmp_path, None))) == 4
    assert provenance.raw_inputs(["projects"], tmp_path / "nowhere") == {}


def test_footer_escapes_names_and_shows_every_fact():
    block = provenance.footer_block(
        "2026-10-31",
        {
            "raw/demo/<img src=x onerror=alert(1)>.xlsx": "f" * 64,
            "data/curated/p.parquet": "0" * 64,
        },
        commit="1234567890abcdef" * 2 + "12345678",
        renderer="smalldocs",
        renderer_version="0.5.4",
        dirty=True,
    )
    assert block.startswith("```{=html}\n") and block.rstrip().endswith("```")
    assert "<img src=x" not in block and "&lt;img src=x onerror=alert(1)&gt;.xlsx" in block
    assert "数据截至 as of 2026-10-31" in block and "evalkit " in block
    assert "git 1234567890ab" in block and "uncommitted" in block
    assert "renderer smalldocs 0.5.4" in block
    assert "ffffffffffff" in block and "f" * 13 not in block  # short hashes only
    # No line of the raw block can close the fence early.
    assert all(not line.startswith("```") for line in block.splitlines()[1:-1])
    assert provenance.page_has_provenance(block)


def test_site_footer_uses_raw_and_curated_inputs():
    entry = {
        "inputs_sha256": {"data/curated/p.parquet": "1" * 64},
        "raw_inputs_sha256": {"raw/demo/a.xlsx": "2" * 64},
    }
    inputs = provenance.page_inputs(entry)
    assert list(inputs) == ["data/curated/p.parquet", "raw/demo/a.xlsx"]
    md = provenance.footer_block("2026-10-31", inputs, commit=None, renderer="quarto")
    assert "111111111111" in md and "222222222222" in md and "未知 unknown" in md
