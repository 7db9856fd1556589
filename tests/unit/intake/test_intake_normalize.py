"""Normalization of cell values and the readers' handling of real-world workbook and CSV forms."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from intake_factory import valid_rows, write_dataset

from evalkit import schema
from evalkit.intake import run
from evalkit.intake.normalize import (
    enum_parser,
    normalize_zone,
    parse_date,
    parse_month,
    parse_numbers,
    parse_quarter,
)

T = pd.Timestamp


@pytest.mark.parametrize(
    "raw, zone",
    [
        ("肇东", "zhaodong"),
        ("肇东市", "zhaodong"),
        (" 肇东片区 ", "zhaodong"),
        ("肇 东 片 区", "zhaodong"),
        ("ｚｈａｏｄｏｎｇ", "zhaodong"),
        ("绥化经开区片区(含北林片区)", "suihua_etdz"),
        ("北林片区", "suihua_etdz"),
        ("青冈县\u3000", "qinggang"),
        ("哈尔滨", None),
    ],
)
def test_zone_aliases(raw, zone):
    assert normalize_zone(raw) == zone


def test_enumeration_label_or_id():
    parse = enum_parser(schema.REFORM_KINDS)
    assert parse("复制推广") == ("replicated", None)
    assert parse("original") == ("original", None)
    assert parse(" 自主创新 ") == ("original", None)
    assert parse("复制") == (None, "bad_enum")
    assert parse(None) == (None, "missing")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024年9月3日", T("2024-09-03")),
        ("2024年9月", T("2024-09-01")),
        ("2024.9.3", T("2024-09-03")),
        ("2024/09/03", T("2024-09-03")),
        ("２０２４－０９－０３", T("2024-09-03")),
        ("2024-09-03 00:00:00", T("2024-09-03")),
        ("20240903", T("2024-09-03")),
        (45538, T("2024-09-03")),  # Excel serial: 45538 days after 1899-12-30
        (45538.75, T("2024-09-03")),
        (dt.datetime(2024, 9, 3, 14, 30), T("2024-09-03")),
        (dt.date(2024, 9, 3), T("2024-09-03")),
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == (expected, None)


def test_excel_serial_matches_excel_epoch():
    # Independent check: Excel shows serial 1 as 1900-01-01 and serial 60 as the fictitious
    # 1900-02-29; from 61 on the 1899-12-30 epoch is exact. 45292 is 2024-01-01 in Excel.
    assert parse_date(45292)[0] == T("2024-01-01")


@pytest.mark.parametrize("raw", ["2024-13-01", "2024-02-30", "明年", "#REF!", True])
def test_bad_dates(raw):
    value, problem = parse_date(raw)
    assert value is None and problem in {"bad_date", "excel_error"}


def test_months_and_quarters():
    assert parse_month("2024年9月") == (T("2024-09-01"), None)
    assert parse_month("2024-09-17") == (T("2024-09-01"), None)
    assert parse_quarter("2025Q3") == (T("2025-07-01"), None)
    assert parse_quarter("2025年第三季度") == (T("2025-07-01"), None)
    assert parse_quarter("2025年第2季度") == (T("2025-04-01"), None)
    assert parse_quarter("2025-08") == (T("2025-07-01"), None)


def test_numbers_with_separators_full_width_and_units():
    s = pd.Series(
        ["1,234.5", "１２３", " 42 ", "1.2亿元", "3,000万", "500元", "12%", "1,23", "abc", None, 7],
        dtype=object,
    )
    values, problems = parse_numbers(s, money=True, integer=False, header_factor=1.0)
    expected = [1234.5, 123, 42, 12000, 3000, 0.05, 12, np.nan, np.nan, np.nan, 7]
    np.testing.assert_allclose(values, expected, equal_nan=True)
    assert list(problems) == [None] * 7 + ["bad_number", "bad_number", "missing", None]


def test_header_unit_converts_but_cell_unit_wins():
    s = pd.Series(["2.5", 3, "1亿元"], dtype=object)
    values, _ = parse_numbers(s, money=True, integer=False, header_factor=1e4)  # header in 亿元
    np.testing.assert_allclose(values, [25000, 30000, 10000])


def test_money_units_only_for_money():
    s = pd.Series(["3万"], dtype=object)
    _, problems = parse_numbers(s, money=False, integer=False, header_factor=1.0)
    assert problems[0] == "bad_number"


def test_money_header_in_yi_and_yuan_read_as_wan(tmp_path):
    """A ledger in 亿元 and a funds sheet in 元 both end up in 万元."""
    rows = valid_rows()
    for r in rows["projects"]:
        r["contracted_wan_yuan"] = r["contracted_wan_yuan"] / 1e4  # now in 亿元
    for r in rows["funds_monthly"]:
        r["funds_wan_yuan"] = r["funds_wan_yuan"] * 1e4  # now in 元
    headers = {
        "projects": [
            "签约金额（亿元）" if c.name == "contracted_wan_yuan" else c.header
            for c in schema.PROJECTS.columns
        ],
        "funds_monthly": [
            "当月到位资金（元）" if c.name == "funds_wan_yuan" else c.header
            for c in schema.FUNDS_MONTHLY.columns
        ],
    }
    from intake_factory import write_workbook

    folder = write_dataset(tmp_path / "raw")
    write_workbook(folder / "submission.xlsx", rows, headers=headers)
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors
    p = result.tables["projects"].set_index("project_id")["contracted_wan_yuan"]
    assert p["ZH-P1"] == pytest.approx(20000) and p["ZH-P2"] == pytest.approx(40000)
    f = result.tables["funds_monthly"]
    assert f["funds_wan_yuan"].iloc[0] == pytest.approx(500)


def _expected_projects():
    return sorted(r["project_id"] for r in valid_rows()["projects"])


def test_merged_title_and_two_row_header(tmp_path):
    """Title row merged across the sheet, then a two-row header with merged parents."""
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb[schema.PROJECTS.title]
    ws.insert_rows(1, 2)
    ws["A1"] = "招商引资项目台账（2025年上半年）"
    ws.merge_cells("A1:J1")
    # Row 2: parent headers; row 3 holds the real headers; dates grouped under 项目进度.
    ws["H2"] = "项目进度"
    ws.merge_cells("H2:J2")
    for c in "ABCDEFG":
        ws[f"{c}2"] = ws[f"{c}3"].value
        ws.merge_cells(f"{c}2:{c}3")
    wb.save(folder / "submission.xlsx")
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors, result.errors[:3]
    assert sorted(result.tables["projects"]["project_id"]) == _expected_projects()
    # The first data row is Excel row 4 now: break it and check the reported row.
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    wb[schema.PROJECTS.title]["G4"] = "#REF!"
    wb.save(folder / "submission.xlsx")
    result = run(folder, tmp_path / "data", write=False)
    [f] = [f for f in result.errors if f.code == "excel_error"]
    assert (f.row, f.column) == (4, "签约金额（万元）")


def test_merged_zone_cells_fill_down(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb[schema.FUNDS_MONTHLY.title]
    ws.merge_cells("B2:B7")  # one merged 片区 cell for ZH-P1's six months
    wb.save(folder / "submission.xlsx")
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors
    f = result.tables["funds_monthly"]
    assert (f.loc[f["project_id"] == "ZH-P1", "zone_id"] == "zhaodong").sum() == 6


def _csv_text(table: schema.Table, rows: list[dict]) -> str:
    df = pd.DataFrame([{c.header: r.get(c.name) for c in table.columns} for r in rows])
    return df.to_csv(index=False)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    rows = valid_rows()
    funds = rows.pop("funds_monthly")
    folder = write_dataset(tmp_path / "raw", rows)
    (folder / "到位资金.csv").write_bytes(_csv_text(schema.FUNDS_MONTHLY, funds).encode(encoding))
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors, result.errors[:3]
    f = result.tables["funds_monthly"]
    assert len(f) == len(funds)
    assert set(f["zone_id"]) == {"zhaodong", "qinggang"}
    bad = result.findings
    assert not [x for x in bad if x.file == "到位资金.csv"]


def test_csv_row_numbers_count_header_line(tmp_path):
    rows = valid_rows()
    funds = rows.pop("funds_monthly")
    funds[4]["month"] = "2025-13"
    folder = write_dataset(tmp_path / "raw", rows)
    (folder / "funds_monthly.csv").write_text(_csv_text(schema.FUNDS_MONTHLY, funds), "gbk")
    result = run(folder, tmp_path / "data", write=False)
    [f] = [f for f in result.errors if f.code == "bad_date"]
    assert (f.file, f.sheet, f.row, f.column) == ("funds_monthly.csv", "", 6, "月份")


def test_csv_identified_by_headers_when_name_is_unknown(tmp_path):
    rows = valid_rows()
    logistics = rows.pop("logistics_monthly")
    folder = write_dataset(tmp_path / "raw", rows)
    (folder / "export_0601.csv").write_text(_csv_text(schema.LOGISTICS_MONTHLY, logistics), "utf-8")
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors
    assert len(result.tables["logistics_monthly"]) == len(logistics)


def test_messy_but_valid_values(tmp_path):
    rows = valid_rows()
    p = rows["projects"][0]
    p.update(
        zone_id=" 肇东市 ",
        contracted_wan_yuan="２０,０００",
        signed="2024年11月5日",
        project_id="ＺＨ－Ｐ1",
    )
    rows["funds_monthly"][0].update(project_id=" ZH-P1 ", month="2025年1月")
    rows["projects"][1].update(signed=45601)  # Excel serial of 2024-11-05
    folder = write_dataset(tmp_path / "raw", rows)
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors, result.errors[:3]
    proj = result.tables["projects"].set_index("project_id")
    assert proj.loc["ZH-P1", "zone_id"] == "zhaodong"
    assert proj.loc["ZH-P1", "contracted_wan_yuan"] == 20000
    assert proj.loc["ZH-P1", "signed"] == T("2024-11-05")
    assert proj.loc["ZH-P2", "signed"] == T("2024-11-05")


def test_blank_rows_are_not_read(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb[schema.PROJECTS.title]
    ws.insert_rows(3)  # an empty row between the first and second project
    wb.save(folder / "submission.xlsx")
    result = run(folder, tmp_path / "data", write=False)
    c = result.counts.loc[result.counts["table"] == "projects"]
    assert c["rows_read"].sum() == 4 and not result.errors


def test_csv_cells_beyond_the_header_are_reported(tmp_path):
    rows = valid_rows()
    funds = rows.pop("funds_monthly")
    folder = write_dataset(tmp_path / "raw", rows)
    text = _csv_text(schema.FUNDS_MONTHLY, funds).splitlines()
    text[2] += ",已核实"  # a note typed right of the last column, on line 3
    (folder / "funds_monthly.csv").write_text("\n".join(text) + "\n", "utf-8")
    result = run(folder, tmp_path / "data", write=False)
    [w] = [f for f in result.warnings if f.code == "unlabelled_data"]
    assert (w.file, w.row) == ("funds_monthly.csv", 1) and "E" in w.message
    assert len(result.tables["funds_monthly"]) == len(funds)
