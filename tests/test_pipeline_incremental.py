"""Change one input of each kind: exactly the pages that read it run again (issue 19).

Each case copies the session's demo report project (every template already
executed on the demo data), changes one input and runs the report again; the
set of executed notebooks is written out by hand below. A no-change run
executes nothing, publishes nothing and renders nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from pipeline_factory import copy_project

from evalkit import pipeline
from evalkit.run import registry as reg

YEAR, AS_OF = 2026, "2026-10-31"
LOGISTICS_CSV = "qinggang_物流与贸易指标（月度）.csv"
#: The pages reading the six tables of the composite index (summary, composite, closing review).
COMPOSITE_PAGES = {"closing_review", "comprehensive", "index"}

pytestmark = pytest.mark.slow


def _county_panel_value(root: Path) -> None:
    """One GDP figure in the county panel workbook (read only by the impact page)."""
    book = root / "raw" / "county_panel.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["县（市、区）面板（年度）"]
    assert ws.cell(row=1, column=3).value == "地区生产总值（万元）"
    ws.cell(row=2, column=3).value = float(ws.cell(row=2, column=3).value) + 1.0
    wb.save(book)


def _county_panel_curated(root: Path) -> None:
    """The same kind of change made straight in the curated table (no raw dataset)."""
    path = root / "data" / "curated" / "county_panel.parquet"
    df = pd.read_parquet(path)
    num = df.select_dtypes("number").columns[-1]
    df.loc[df.index[0], num] = df.loc[df.index[0], num] + 1
    df.to_parquet(path)


def _logistics_value(root: Path) -> None:
    """One monthly figure in a logistics CSV submission (GBK, as exported by Excel)."""
    path = root / "raw" / LOGISTICS_CSV
    lines = path.read_bytes().decode("gbk").splitlines(keepends=True)
    zone, month, indicator, value = lines[2].rstrip("\r\n").split(",")
    lines[2] = f"{zone},{month},{indicator},{float(value) + 1.0}\r\n"
    path.write_bytes("".join(lines).encode("gbk"))


def _logistics_comment(root: Path) -> None:
    path = root / "data" / "config" / "logistics.yaml"
    path.write_text(path.read_text("utf-8") + "\n# 注释 a comment changes no value\n", "utf-8")


def _logistics_setting(root: Path) -> None:
    path = root / "data" / "config" / "logistics.yaml"
    text = path.read_text("utf-8")
    assert "false_flag_rate: 0.01 " in text
    path.write_text(text.replace("false_flag_rate: 0.01 ", "false_flag_rate: 0.02 "), "utf-8")


def _targets_value(root: Path) -> None:
    path = root / "data" / "config" / "targets.yaml"
    text = path.read_text("utf-8")
    assert "reforms_original: 3 " in text
    path.write_text(text.replace("reforms_original: 3 ", "reforms_original: 4 "), "utf-8")


def _template(root: Path) -> None:
    path = root / "notebooks" / "impact.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("附注：模板改动 / a template edit."))
    nbformat.write(nb, path)


#: (case, change, raw dataset used, the notebooks that must run — exactly these)
CASES = [
    ("county panel value (raw workbook)", _county_panel_value, True, {"impact"}),
    ("county panel value (curated table)", _county_panel_curated, False, {"impact"}),
    ("logistics value (raw CSV)", _logistics_value, True, COMPOSITE_PAGES | {"logistics"}),
    ("comment in logistics.yaml", _logistics_comment, True, set()),
    ("value in logistics.yaml", _logistics_setting, True, {"logistics", "index"}),
    (
        "value in targets.yaml",
        _targets_value,
        True,
        COMPOSITE_PAGES | {"investment", "logistics", "reforms"},
    ),
    ("template notebook", _template, True, {"impact"}),
]


def _changed_run(root: Path, change, raw: bool, *, dry_run: bool) -> pipeline.RunResult:
    change(root)
    return pipeline.run_report(
        YEAR,
        AS_OF,
        jobs=2,
        dataset=root / ("raw" if raw else "no-raw-dataset"),
        render=False,
        dry_run=dry_run,
        out=lambda s: None,
    )


@pytest.mark.parametrize("case, change, raw, expected", CASES, ids=[c[0] for c in CASES])
def test_one_changed_input_runs_exactly_its_readers(
    demo_report, tmp_path, scratch_project, case, change, raw, expected
):
    """The set the run decides to execute (``--dry-run``: decided, not executed).

    That the decided set is the executed set is checked by executing two of the cases
    below (and by every other pipeline test).
    """
    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    published = _snapshot(root / "reports")
    res = _changed_run(root, change, raw, dry_run=True)
    assert set(res.would_run) == expected, case
    all_pages = {p.stem for p in (root / "notebooks").glob("*.ipynb")}
    assert set(res.up_to_date) == all_pages - expected
    assert res.executed == [] and not res.reports_published
    assert _snapshot(root / "reports") == published  # a dry run publishes nothing
    # The registry says the same: the pages whose declared inputs include the change.
    registry = reg.load(root / "data")
    if change in (_county_panel_value, _county_panel_curated, _logistics_value):
        table = "logistics_monthly" if change is _logistics_value else "county_panel"
        readers = {p.notebook for p in registry.pages if table in reg.page_inputs(p, registry)[0]}
        assert readers == expected
    elif change in (_logistics_setting, _targets_value):
        name = "targets.yaml" if change is _targets_value else "logistics.yaml"
        readers = {p.notebook for p in registry.pages if name in reg.page_inputs(p, registry)[1]}
        assert readers == expected


#: Cases also executed for real: the raw-workbook change (curation, then one page) and a
#: configuration value (two pages).
EXECUTED = [c for c in CASES if c[1] in (_county_panel_value, _logistics_setting)]


@pytest.mark.parametrize("case, change, raw, expected", EXECUTED, ids=[c[0] for c in EXECUTED])
def test_a_run_executes_exactly_what_its_dry_run_listed(
    demo_report, tmp_path, scratch_project, case, change, raw, expected
):
    planned = scratch_project(copy_project(demo_report, tmp_path / "planned"))
    would_run = set(_changed_run(planned, change, raw, dry_run=True).would_run)
    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    res = _changed_run(root, change, raw, dry_run=False)
    assert set(res.executed) == would_run == expected, case
    assert res.reports_published


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_no_change_run_executes_publishes_and_renders_nothing(
    demo_report, tmp_path, scratch_project
):
    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    quiet = lambda s: None  # noqa: E731
    # The copy's site was recorded under the original folder: the first run renders it again.
    first = pipeline.run_report(YEAR, AS_OF, jobs=2, dataset=root / "raw", out=quiet)
    assert first.executed == [] and first.site_rendered and not first.reports_published
    reports, site = _snapshot(root / "reports"), _snapshot(root / "_site")
    lines: list[str] = []
    again = pipeline.run_report(YEAR, AS_OF, jobs=2, dataset=root / "raw", out=lines.append)
    assert again.executed == [] and len(again.up_to_date) == len(reports_pages(root))
    assert not again.reports_published and not again.site_rendered
    assert "0 个已执行 executed, 8 个无变化 up to date" in lines
    assert _snapshot(root / "reports") == reports  # not even rewritten (same mtimes)
    assert _snapshot(root / "_site") == site
    assert not (root / "build" / "site-src").exists()
    # A site input alone (the page registry's menu titles) re-renders the site, runs nothing.
    pages = root / "data" / "config" / "pages.yaml"
    pages.write_text(
        pages.read_text("utf-8").replace("title: 年度综合评估", "title: 年度综合评估（改）")
    )
    third = pipeline.run_report(YEAR, AS_OF, jobs=2, dataset=root / "raw", out=quiet)
    assert third.executed == [] and third.site_rendered and not third.reports_published
    html = (root / "_site" / "index.html").read_text("utf-8")
    assert "年度综合评估（改）" in html
    summary = json.loads((root / "reports" / str(YEAR) / "summary.json").read_text("utf-8"))
    assert summary["as_of"] == AS_OF


def reports_pages(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "reports" / str(YEAR)).glob("*.ipynb"))


def test_dry_run_on_the_command_line_lists_and_leaves_everything(
    demo_report, tmp_path, scratch_project, capsys
):
    from evalkit import cli

    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    _targets_value(root)
    reports = _snapshot(root / "reports")
    argv = ["report", "--year", str(YEAR), "--as-of", AS_OF, "--dataset", str(root / "raw")]
    assert cli.main([*argv, "--dry-run"]) == 0
    shown = capsys.readouterr().out
    pages = "、".join(sorted(COMPOSITE_PAGES | {"investment", "logistics", "reforms"}))
    assert f"将执行 would run 6/8: {pages}" in shown
    assert "executing" not in shown and "site published" not in shown
    assert _snapshot(root / "reports") == reports


def test_a_bad_editions_setting_stops_the_run_before_any_notebook(
    demo_report, tmp_path, scratch_project, capsys
):
    from evalkit import cli

    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    config = root / "data" / "config" / "editions.yaml"
    config.write_text(
        config.read_text("utf-8").replace("max_table_rows: 100", "max_table_rows: 0"), "utf-8"
    )
    reports = _snapshot(root / "reports")
    argv = ["report", "--year", str(YEAR), "--as-of", AS_OF, "--dataset", str(root / "raw")]
    assert cli.main([*argv, "--force"]) == 2
    shown = capsys.readouterr()
    assert shown.err.startswith(f"错误 error: {config}: max_table_rows 须为不小于 1 的整数")
    assert "Traceback" not in shown.err and "executing" not in shown.out
    assert _snapshot(root / "reports") == reports


def test_a_staging_copy_that_fails_leaves_no_staging_and_the_published_year_as_it_was(
    demo_report, tmp_path, scratch_project, monkeypatch
):
    import errno
    import shutil

    root = scratch_project(copy_project(demo_report, tmp_path / "project"))
    _logistics_setting(root)  # one stale page: the run copies the published year to stage it
    published = _snapshot(root / "reports")
    real_copytree = shutil.copytree

    def copy_then_fail(src, dst, *args, **kwargs):
        real_copytree(src, dst, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copytree", copy_then_fail)
    with pytest.raises(OSError, match="No space left"):
        pipeline.run_report(
            YEAR, AS_OF, jobs=2, dataset=root / "no-raw-dataset", render=False, out=lambda s: None
        )
    assert not (root / "reports" / ".staging").exists()
    assert _snapshot(root / "reports") == published
