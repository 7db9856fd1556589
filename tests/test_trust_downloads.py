"""Safe downloads: the CSV and XLSX behind every table are formula-safe and deterministic.

Each export is read back with independent readers (pandas' CSV parser, openpyxl,
pandas' ``read_excel``) and checked cell by cell: hostile text neutralized,
numbers (negative ones included) still numeric, harmless text untouched.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from trust_factory import HOSTILE

from evalkit import report

DANGEROUS = [
    '=HYPERLINK("http://127.0.0.1:9/","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


#: Submitted text → what a spreadsheet must receive (written out by hand, not computed).
NAMES = [
    *((d, "'" + d) for d in DANGEROUS),
    ("-", "-"),
    ("—", "—"),
    ("-3.5", "-3.5"),
    ("-3.5 万元", "'-3.5 万元"),
    ("绥化经开区", "绥化经开区"),
    (HOSTILE[0], HOSTILE[0]),
    (HOSTILE[5], "'" + HOSTILE[5]),
]


def _frame() -> pd.DataFrame:
    names = [n for n, _ in NAMES]
    n = len(names)
    return pd.DataFrame(
        {
            "名称": names,
            "金额（万元）": np.linspace(-500.25, 250.5, n),
            "件数": np.arange(-3, n - 3, dtype="int64"),
            "缺失": [np.nan] * (n - 1) + [1.0],
            "日期": pd.to_datetime(["2026-10-31"] * n),
        }
    )


def test_neutralize_cell_rules():
    for s in DANGEROUS:
        assert report.neutralize_cell(s) == "'" + s
    for s in ("-", "+", "—", "-3.5", "+12", "1e-3", "-15.6%", "+34.0%", "-1,234.5", "绥化", ""):
        assert report.neutralize_cell(s) == s
    for s in ("-3.5 万元", "-15.6%x", "-1,2345", "+-1", "-%", "--1", "-1+1", "-1e5+cmd|x"):
        assert report.neutralize_cell(s) == "'" + s, s
    assert report.neutralize_cell(-3.5) == -3.5 and report.neutralize_cell(-2) == -2


def test_xlsx_cells_neutralized_numbers_numeric():
    df = _frame()
    data = report.table_xlsx_bytes(df, sheet="t")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=False))
    assert [c.value for c in rows[0]] == list(df.columns)
    for i, rec in enumerate(rows[1:]):
        name, amount, count, missing, date = rec
        # No cell of the workbook is a formula, whatever its text.
        assert all(c.data_type != "f" for c in rec)
        assert name.value == NAMES[i][1] and name.data_type == "s"
        assert amount.data_type == "n" and amount.value == pytest.approx(df["金额（万元）"][i])
        assert count.data_type == "n" and count.value == df["件数"][i]
        assert missing.value is None or missing.value == 1.0
        assert date.is_date and date.value.date().isoformat() == "2026-10-31"
    # A negative number stays a negative number.
    assert rows[1][1].value < 0 and rows[1][2].value == -3


def test_xlsx_read_by_pandas_matches_frame():
    df = _frame()
    back = pd.read_excel(io.BytesIO(report.table_xlsx_bytes(df)), engine="openpyxl")
    assert back["金额（万元）"].dtype.kind == "f" and back["件数"].dtype.kind == "i"
    np.testing.assert_allclose(back["金额（万元）"], df["金额（万元）"])
    assert back["件数"].tolist() == df["件数"].tolist()
    assert back["名称"].tolist() == [e for _, e in NAMES]


def test_csv_read_back_neutralized_and_numeric():
    df = _frame()
    back = pd.read_csv(io.BytesIO(report.table_csv_bytes(df)), encoding="utf-8-sig")
    assert back["金额（万元）"].dtype.kind == "f" and (back["金额（万元）"] < 0).any()
    assert back["件数"].dtype.kind == "i" and back["件数"].min() == -3
    # Every row survives (a submitted CR must not split a row) and text arrives neutralized.
    assert back["名称"].tolist() == [e for _, e in NAMES]


def test_xlsx_bytes_deterministic_and_fixed_times():
    df = _frame()
    a = report.table_xlsx_bytes(df, sheet="t")
    b = report.table_xlsx_bytes(df.copy(), sheet="t")
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {report.XLSX_FIXED_TIME}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_save_table_writes_csv_and_xlsx(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path))
    link = report.save_table(_frame(), "hostile_demo", 2026)
    folder = tmp_path / "2026" / "tables"
    # File names carry the year: every year's download is told apart once saved.
    csv, xlsx = folder / "hostile_demo_2026.csv", folder / "hostile_demo_2026.xlsx"
    assert csv.exists() and xlsx.exists()
    md = link._repr_markdown_()
    assert f"](tables/{csv.name}){{" in md and f"](tables/{xlsx.name}){{" in md
    assert not hasattr(link, "_repr_html_")  # Markdown only: no HTML output on the page
    wb = openpyxl.load_workbook(xlsx)
    assert wb.active.title == "hostile_demo"
    assert wb.sheetnames == ["hostile_demo", report.NOTES_SHEET]
    assert not list(tmp_path.rglob(".*.tmp"))
