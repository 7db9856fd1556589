"""The intake run end to end: store contents, atomic replacement, command-line exit codes."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from intake_factory import AS_OF, tree_digest, valid_rows, write_dataset

from evalkit import schema
from evalkit.cli import main
from evalkit.intake import read_intake, run


def _with_bad_rows(tmp_path):
    rows = valid_rows()
    rows["projects"][1]["contracted_wan_yuan"] = "#REF!"  # quarantines ZH-P2 and its 6 fund rows
    rows["logistics_monthly"][0]["zone_id"] = "大庆"
    return write_dataset(tmp_path / "raw", rows)


def test_store_contents(tmp_path):
    folder = _with_bad_rows(tmp_path)
    result = run(folder, tmp_path / "data")
    assert result.status == 0 and result.written
    cur = tmp_path / "data" / "curated"
    assert sorted(p.name for p in cur.iterdir()) == sorted(
        [f"{t}.parquet" for t in schema.TABLES] + ["_meta.json", "_intake.json", "_quarantine.csv"]
    )
    meta = json.loads((cur / "_meta.json").read_text("utf-8"))
    assert meta["synthetic"] is True and meta["as_of"] == AS_OF and meta["dataset"] == "raw"
    for name in ("submission.xlsx", "dataset.yaml"):
        assert meta["files"][name] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    q = (cur / "_quarantine.csv").read_bytes()
    assert q.startswith(b"\xef\xbb\xbf")
    qdf = pd.read_csv(cur / "_quarantine.csv", encoding="utf-8-sig")
    assert sorted(qdf["row"].tolist()) == [2, 3, 8, 9, 10, 11, 12, 13]
    assert qdf.loc[qdf["row"] == 3, "reasons"].str.contains("#REF!").all()
    report = read_intake(tmp_path / "data")
    t = report["totals"]
    assert t["rows_read"] == t["rows_accepted"] + t["rows_quarantined"] == 64
    assert t["rows_quarantined"] == 8
    for rec in report["tables"]:
        assert rec["rows_read"] == rec["rows_accepted"] + rec["rows_quarantined"]
    p = pd.read_parquet(cur / "projects.parquet")
    assert "ZH-P2" not in set(p["project_id"]) and len(p) == 3
    assert list(p.columns) == schema.PROJECTS.column_names


def test_failed_run_leaves_store_untouched(tmp_path):
    good = write_dataset(tmp_path / "good")
    assert run(good, tmp_path / "data").written
    before = tree_digest(tmp_path / "data" / "curated")
    bad = write_dataset(tmp_path / "bad")
    (bad / "notes.xls").write_bytes(b"\x00")
    result = run(bad, tmp_path / "data")
    assert result.status == 2 and not result.written
    assert tree_digest(tmp_path / "data" / "curated") == before


def test_write_failure_midway_keeps_previous_store(tmp_path, monkeypatch):
    good = write_dataset(tmp_path / "good")
    assert run(good, tmp_path / "data").written
    before = tree_digest(tmp_path / "data" / "curated")
    calls = {"n": 0}
    original = pd.DataFrame.to_parquet

    def flaky(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return original(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)
    with pytest.raises(OSError):
        run(_with_bad_rows(tmp_path), tmp_path / "data")
    assert tree_digest(tmp_path / "data" / "curated") == before
    assert [p.name for p in (tmp_path / "data").iterdir() if p.name.startswith(".curated.")] == [
        ".curated.lock"
    ]


def test_cli_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    folder = _with_bad_rows(tmp_path)
    data = str(tmp_path / "data")
    assert main(["validate", "--dataset", str(folder), "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "隔离 quarantined" in out and "#REF!" in out and "第3行" in out
    assert main(["validate", "--dataset", str(folder), "--data-dir", data, "--strict"]) == 2
    (folder / "extra.csv").write_bytes(b"")
    assert main(["validate", "--dataset", str(folder), "--data-dir", data]) == 2
    out = capsys.readouterr().out
    assert "结构性错误" in out and "文件为空" in out


def test_missing_dataset_folder_is_a_finding_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    assert main(["validate", "--dataset", str(tmp_path / "nope"), "--data-dir", str(tmp_path)]) == 2
    assert "no .xlsx or .csv files" in capsys.readouterr().out


def test_templates_command(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "全部数据表.xlsx").exists()


def test_quality_tables_and_code_names(tmp_path):
    from evalkit.intake import quality
    from evalkit.intake.findings import MESSAGES

    assert set(quality.CODE_NAMES) == set(MESSAGES)
    folder = _with_bad_rows(tmp_path)
    run(folder, tmp_path / "data")
    report = read_intake(tmp_path / "data")
    counts = quality.table_counts(report)
    assert counts["读入行数"].sum() == counts["入库行数"].sum() + counts["隔离行数"].sum() == 64
    errors = quality.findings_frame(report, "error")
    # #REF! on ZH-P2, its six fund rows (unknown project), and the 大庆 logistics row.
    assert set(errors["级别"]) == {"错误"} and len(errors) == 1 + 6 + 1
    by_code = quality.findings_by_code(report)
    assert by_code.set_index("问题类型").loc[quality.CODE_NAMES["excel_error"], "条数"] == 1
    # Readers see the contract's Chinese names, never internal table names or codes.
    assert list(by_code.columns) == ["级别", "问题类型", "条数"]
    assert set(counts["数据表"]) == {t.title for t in schema.TABLES.values()}
    text = quality.quality_narrative(report)
    assert "读入 64 行" in text and "56 行通过校验入库" in text and "8 行因存在错误被隔离" in text
    assert quality.summary_part(report)["data_quality"]["rows_quarantined"] == 8


def test_completeness_expects_only_ended_periods(tmp_path):
    """As of 2025-06-30 the second quarter has ended (expected); as of 2025-06-29 June has not."""
    rows = valid_rows()
    rows["gov_services_quarterly"] = [
        r
        for r in rows["gov_services_quarterly"]
        if not (r["zone_id"] == "青冈" and r["quarter"] == "2025Q2")
    ]
    folder = write_dataset(tmp_path / "raw", rows)
    result = run(folder, tmp_path / "data", write=False)
    gaps = [f for f in result.warnings if f.code == "missing_periods"]
    assert [(f.table, f.message.split(" / ")[0]) for f in gaps] == [
        ("gov_services_quarterly", "青冈片区 缺少 2025-04 的数据（截至 2025-06-30）")
    ]
    (folder / "dataset.yaml").write_text("as_of: 2025-06-29\n", "utf-8")
    result = run(folder, tmp_path / "data", write=False)
    assert not [f for f in result.warnings if f.code == "missing_periods"]
    # As of May, the June rows lie after the as-of date: reported as warnings, kept.
    (folder / "dataset.yaml").write_text("as_of: 2025-05-31\n", "utf-8")
    result = run(folder, tmp_path / "data", write=False)
    late = [f for f in result.warnings if f.code == "after_as_of" and f.table == "funds_monthly"]
    assert len(late) == 4 and {f.value for f in late} == {"2025-06"}
    assert len(result.tables["funds_monthly"]) == 24


def test_demo_raw_dataset_curates_with_quarantine(tmp_path, monkeypatch):
    """The committed demo submission: no structural errors, its invalid rows quarantined."""
    from evalkit import paths

    demo = paths.ROOT / "data" / "raw" / "demo"
    if not (demo / "dataset.yaml").exists():
        pytest.skip("demo raw files not generated")
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    before = tree_digest(demo)
    result = run(demo, tmp_path / "data")
    assert result.status == 0 and result.written and not result.structural
    t = result.counts[["rows_read", "rows_accepted", "rows_quarantined"]].sum()
    assert t["rows_read"] == t["rows_accepted"] + t["rows_quarantined"]
    assert t["rows_quarantined"] > 0
    assert result.meta["synthetic"] is True
    assert tree_digest(demo) == before
