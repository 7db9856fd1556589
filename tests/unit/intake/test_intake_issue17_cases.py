"""Issue #17: the eleven real-world spreadsheet cases, each with the value or finding asserted.

Every case builds the input the issue describes (values as observed), runs the intake
and asserts the curated number / date, or the finding with file, sheet, Excel row,
column and cell.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from intake_factory import AS_OF, valid_rows, write_dataset, write_workbook

from evalkit import schema
from evalkit.intake import run
from evalkit.intake.normalize import parse_date, parse_month

T = pd.Timestamp


def _yaml(folder):
    (folder / "dataset.yaml").write_text(
        f"synthetic: true\nas_of: {AS_OF}\ndescription: t\n", encoding="utf-8"
    )


def _run(folder, tmp_path):
    return run(folder, tmp_path / "data", write=False)


def _only(result, code):
    found = [f for f in result.findings if f.code == code]
    assert found, f"no {code} finding among {[f.code for f in result.findings]}"
    return found


def _sheet_rows(ws, header_rows, table, rows):
    """Append *rows* of *table* under already written header rows (data start after them)."""
    for r in rows:
        ws.append([r.get(c.name) for c in table.columns])


def _dataset_with(tmp_path, build_sheet, table_name):
    """A valid dataset whose *table_name* sheet is replaced by *build_sheet(ws, rows)*."""
    folder = tmp_path / "raw"
    rows = valid_rows()
    mine = rows.pop(table_name)
    write_workbook(folder / "submission.xlsx", rows)
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb.create_sheet(schema.TABLES[table_name].title)
    build_sheet(ws, mine)
    wb.save(folder / "submission.xlsx")
    _yaml(folder)
    return folder


# --- case 1: percent-formatted cells ------------------------------------------------


def test_case01_percent_formatted_cells_read_as_shown(tmp_path):
    def logistics(ws, rows):
        t = schema.LOGISTICS_MONTHLY
        ws.append([c.header for c in t.columns])
        for r in rows:
            ws.append([r.get(c.name) for c in t.columns])
        # 快递进村覆盖率 of 2025-01 typed as 80.6% (stored 0.806), the next month plain 81.9
        for row in ws.iter_rows(min_row=2):
            if row[2].value == "快递进村覆盖率" and row[1].value == "2025-01":
                row[3].value, row[3].number_format = 0.806, "0.0%"
            elif row[2].value == "快递进村覆盖率" and row[1].value == "2025-02":
                row[3].value = 81.9

    folder = _dataset_with(tmp_path, logistics, "logistics_monthly")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb["政务服务指标（季度）"]
    ws["D2"].value, ws["D2"].number_format = 0.95, "0%"  # 网上可办率 95%
    wb.save(folder / "submission.xlsx")
    res = _run(folder, tmp_path)
    lg = res.tables["logistics_monthly"]
    share = lg.loc[lg["indicator"] == "village_delivery_share"].set_index(["zone_id", "month"])
    assert share.loc[("zhaodong", T("2025-01-01")), "value"] == pytest.approx(80.6)
    assert share.loc[("zhaodong", T("2025-02-01")), "value"] == pytest.approx(81.9)
    gov = res.tables["gov_services_quarterly"]
    online = gov.loc[(gov["zone_id"] == "zhaodong") & (gov["quarter"] == T("2025-01-01"))]
    assert online["value"].tolist() == [pytest.approx(95.0)]


def test_case01_percent_only_for_percentage_indicators_and_fractions_warn(tmp_path):
    rows = valid_rows()
    rows["logistics_monthly"][0]["value"] = "12%"  # 铁路货运量 (吨) as a percentage
    rows["logistics_monthly"][3]["value"] = 0.965  # 快递进村覆盖率: 0.965 or 96.5 %?
    rows["projects"][0]["contracted_wan_yuan"] = "50%"
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    bad = {(f.sheet, f.row, f.cell) for f in _only(res, "percent_not_allowed")}
    assert bad == {("物流与贸易指标（月度）", 2, "D2"), ("招商引资项目台账", 2, "G2")}
    (frac,) = _only(res, "rate_as_fraction")
    assert (frac.row, frac.cell, frac.severity) == (5, "D5", "warning")
    assert "96.5" in frac.message


# --- case 2: unit written above the table -------------------------------------------


def test_case02_unit_line_above_bare_amount_header(tmp_path):
    def projects(ws, rows):
        t = schema.PROJECTS
        ws.append(["单位：元"])
        ws.append([c.label for c in t.columns])  # bare 签约金额
        for r in rows:
            ws.append([r.get(c.name) for c in t.columns])
        ws["G3"] = 50_000_000  # 50,000,000 元

    res = _run(_dataset_with(tmp_path, projects, "projects"), tmp_path)
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "contracted_wan_yuan"] == pytest.approx(5000.0)  # 万元
    assert p.loc["ZH-P2", "contracted_wan_yuan"] == pytest.approx(40000 / 1e4)
    assert not [f for f in res.findings if f.code == "header_without_unit"]


def test_case02_bare_amount_header_without_any_unit_is_a_finding(tmp_path):
    hdr = [c.label for c in schema.PROJECTS.columns]
    folder = tmp_path / "raw"
    write_workbook(folder / "submission.xlsx", valid_rows(), headers={"projects": hdr})
    _yaml(folder)
    (f,) = _only(_run(folder, tmp_path), "header_without_unit")
    assert (f.file, f.sheet, f.row, f.cell, f.column) == (
        "submission.xlsx",
        "招商引资项目台账",
        1,
        "G1",
        "签约金额",
    )
    assert "万元" in f.message


def test_case02_conflicting_unit_lines_are_an_error(tmp_path):
    def projects(ws, rows):
        ws.append(["单位：元", None, "单位：万元"])
        ws.append([c.label for c in schema.PROJECTS.columns])
        for r in rows:
            ws.append([r.get(c.name) for c in schema.PROJECTS.columns])

    res = _run(_dataset_with(tmp_path, projects, "projects"), tmp_path)
    (f,) = _only(res, "ambiguous_unit")
    assert f.structural and f.cell == "G2" and res.status == 2


# --- case 3: two-row header with the unit in the lower row ---------------------------


def _two_row_header(unit):
    def projects(ws, rows):
        t = schema.PROJECTS
        ws.append([c.label for c in t.columns])
        ws.append([f"（{unit}）" if c.name == "contracted_wan_yuan" else None for c in t.columns])
        for i, c in enumerate(t.columns, start=1):
            if c.name != "contracted_wan_yuan":
                ws.merge_cells(start_row=1, start_column=i, end_row=2, end_column=i)
        for r in rows:
            ws.append([r.get(c.name) for c in t.columns])
        ws["G3"] = 2.2  # 2.2 亿元 = 22000 万元

    return projects


def test_case03_unit_in_lower_header_row_yi(tmp_path):
    res = _run(_dataset_with(tmp_path, _two_row_header("亿元"), "projects"), tmp_path)
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "contracted_wan_yuan"] == pytest.approx(22000.0)
    assert p.loc["ZH-P2", "contracted_wan_yuan"] == pytest.approx(40000 * 1e4)
    assert len(p) == 4


def test_case03_unit_in_lower_header_row_wan_is_not_data(tmp_path):
    res = _run(_dataset_with(tmp_path, _two_row_header("万元"), "projects"), tmp_path)
    assert not [f for f in res.findings if f.code == "bad_date"]
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "contracted_wan_yuan"] == pytest.approx(2.2)
    assert len(p) == 4 and res.quarantine.empty


# --- case 4: merged header for width; group header over sub-headers -----------------


def test_case04_header_merged_across_two_columns(tmp_path):
    def projects(ws, rows):
        t = schema.PROJECTS
        hdr = [c.header for c in t.columns]
        ws.append(hdr[:3] + [None] + hdr[3:])  # 项目名称 widened over C:D
        ws.merge_cells("C1:D1")
        for r in rows:
            v = [r.get(c.name) for c in t.columns]
            ws.append(v[:3] + [None] + v[3:])

    res = _run(_dataset_with(tmp_path, projects, "projects"), tmp_path)
    assert res.status == 0
    assert not [f for f in res.findings if f.code == "duplicate_column"]
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "name"] == "项目1" and p.loc["ZH-P1", "contracted_wan_yuan"] == 20000


def test_case04_group_header_over_sub_headers(tmp_path):
    def funds(ws, rows):
        ws.append(["项目编号", "片区", "月份", "到位资金（万元）", None])
        ws.append([None, None, None, "当月", "累计"])
        for col in "ABC":
            ws.merge_cells(f"{col}1:{col}2")
        ws.merge_cells("D1:E1")
        total: dict[str, float] = {}
        for r in rows:
            total[r["project_id"]] = total.get(r["project_id"], 0) + r["funds_wan_yuan"]
            ws.append(
                [
                    r["project_id"],
                    r["zone_id"],
                    r["month"],
                    r["funds_wan_yuan"],
                    total[r["project_id"]],
                ]
            )

    res = _run(_dataset_with(tmp_path, funds, "funds_monthly"), tmp_path)
    assert res.status == 0
    f = res.tables["funds_monthly"]
    assert len(f) == 24 and f["funds_wan_yuan"].sum() == pytest.approx(
        4 * sum(500 + 10 * i for i in range(6))
    )


# --- case 5: date-times from CSV exports ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026/3/15 0:00", T("2026-03-15")),
        ("2026/4/2 14:30", T("2026-04-02")),
        ("2026-04-02 14:30:05", T("2026-04-02")),
        ("2026.4.2 9:05", T("2026-04-02")),
        ("2026年4月2日 14:30", T("2026-04-02")),
        ("2026-04-02T14:30:00", T("2026-04-02")),
        ("2026/4/2\u00a014:30", T("2026-04-02")),
    ],
)
def test_case05_date_times_parse(raw, expected):
    assert parse_date(raw) == (expected, None)


def test_case05_date_times_in_a_csv_end_to_end(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    lines = [
        "片区,月份,指标,数值",
        "肇东,2025/1/1 0:00,公路货运量,5",
        "肇东,2025/2/1 14:30,公路货运量,6",
    ]
    (folder / "物流与贸易指标（月度）.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _run(folder, tmp_path)
    road = res.tables["logistics_monthly"].query("indicator == 'freight_road'")
    assert sorted(road["month"]) == [T("2025-01-01"), T("2025-02-01")]
    assert not [f for f in res.findings if f.code == "bad_date"]


def test_case05_numbers_in_date_columns_only_as_plausible_serials(tmp_path):
    assert parse_date(45538) == (T("2024-09-03"), None)
    assert parse_date(2024) == (None, "bad_serial")  # never a silent 1905 date
    assert parse_date(367) == (None, "bad_serial")
    assert parse_month("2026年1-9月") == (None, "period_label")
    rows = valid_rows()
    rows["projects"][0]["signed"] = 2024
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    (f,) = _only(res, "bad_serial")
    assert (f.sheet, f.row, f.cell, f.column) == ("招商引资项目台账", 2, "H2", "签约日期")


# --- case 6: invisible characters -----------------------------------------------------


def test_case06_invisible_characters_in_headers_and_values(tmp_path):
    rows = valid_rows()
    rows["projects"][0]["zone_id"] = "肇东\u200b片区"
    rows["projects"][1]["zone_id"] = "\ufeff肇东片区"
    rows["reform_items"][0]["zone_id"] = "肇东\u00a0片区"
    rows["reform_items"][1]["zone_id"] = "肇东\u3000片区"
    rows["logistics_monthly"][0]["zone_id"] = "大庆\u200b片区"  # not a zone: shown visibly
    hdr = [c.header for c in schema.PROJECTS.columns]
    hdr[1] = "片\u200b区"
    folder = tmp_path / "raw"
    write_workbook(folder / "submission.xlsx", rows, headers={"projects": hdr})
    _yaml(folder)
    res = _run(folder, tmp_path)
    assert res.status == 0 and not res.structural
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "zone_id"] == "zhaodong" and p.loc["ZH-P2", "zone_id"] == "zhaodong"
    r = res.tables["reform_items"].set_index("item_id")
    assert r.loc["ZH-R1", "zone_id"] == "zhaodong" and r.loc["ZH-R2", "zone_id"] == "zhaodong"
    (f,) = _only(res, "bad_enum")
    assert f.row == 2 and f.cell == "A2" and "<U+200B>" in f.message and "<U+200B>" in f.value


# --- case 7: a CSV with one extra field far down ---------------------------------------


@pytest.mark.parametrize("line", [6, 20])
def test_case07_ragged_csv_row_anywhere(tmp_path, line):
    folder = write_dataset(tmp_path / "raw")
    lines = ["片区,月份,指标,数值"] + [f"肇东,2024-{m:02d},公路货运量,{m}" for m in range(1, 13)]
    lines += [f"肇东,2023-{m:02d},公路货运量,{m}" for m in range(1, 13)]
    lines[line - 1] += ",多余"
    (folder / "物流与贸易指标（月度）.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = _run(folder, tmp_path)
    assert res.status == 0
    road = res.tables["logistics_monthly"].query("indicator == 'freight_road'")
    assert len(road) == 24
    (f,) = _only(res, "unlabelled_data")
    assert f.file == "物流与贸易指标（月度）.csv" and f.cell == "E1" and "E" in f.message


def test_case07_semicolon_csv_is_sniffed(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    text = "片区;月份;指标;数值\n肇东;2024-01;公路货运量;1\n青冈;2024-01;公路货运量;2\n"
    (folder / "物流与贸易指标（月度）.csv").write_text(text, encoding="utf-8")
    res = _run(folder, tmp_path)
    assert res.status == 0
    assert len(res.tables["logistics_monthly"].query("indicator == 'freight_road'")) == 2


# --- case 8: row numbers after a quoted line break -------------------------------------


def test_case08_row_numbers_after_quoted_line_break(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    text = (
        '片区,月份,指标,数值\r\n肇东,2024-01,"公路\r\n货运量",1\r\n肇东,2024-02,公路货运量,1\r\n'
        "肇东,2024-03,公路货运量,abc\r\n"
    )
    (folder / "物流与贸易指标（月度）.csv").write_bytes(text.encode("utf-8"))
    res = _run(folder, tmp_path)
    bad = {f.code: f for f in res.findings if f.file.endswith(".csv") and f.severity == "error"}
    # As a spreadsheet shows the file: header row 1, the two-line cell is row 2, "abc" is row 4.
    assert bad["bad_number"].row == 4 and bad["bad_number"].cell == "D4"
    q = res.quarantine.loc[res.quarantine["file"].str.endswith(".csv")]
    assert q["row"].tolist() == [4]


# --- case 9: a copy of a sheet beside the original -------------------------------------


def test_case09_sheet_copy_is_not_data(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    copy = wb.copy_worksheet(wb["招商引资项目台账"])
    copy.title = "招商引资项目台账 (2)"
    copy["C2"] = "改过的名称"
    hidden = wb.copy_worksheet(wb["改革事项台账"])
    hidden.title = "改革事项台账"[:3] + "旧"
    hidden.sheet_state = "hidden"
    wb.save(folder / "submission.xlsx")
    res = _run(folder, tmp_path)
    assert res.status == 0
    assert len(res.tables["projects"]) == 4 and res.quarantine.empty
    (f,) = _only(res, "sheet_copy")
    assert (f.file, f.sheet, f.severity) == ("submission.xlsx", "招商引资项目台账 (2)", "warning")
    assert "招商引资项目台账" in f.message
    (h,) = _only(res, "hidden_sheet")
    assert h.sheet == "改革事旧"


def test_case09_duplicate_across_files_names_the_other_sheet(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    rows = {"projects": [dict(valid_rows()["projects"][0], name="另一个名称")]}
    write_workbook(folder / "second.xlsx", rows)
    res = _run(folder, tmp_path)
    dups = _only(res, "duplicate_key")
    mine = next(f for f in dups if f.file == "submission.xlsx")
    assert mine.row == 2 and "second.xlsx" in mine.message and "招商引资项目台账" in mine.message


# --- case 10: a county value of 0 ------------------------------------------------------


def test_case10_zero_in_a_logged_county_outcome(tmp_path):
    rows = valid_rows()
    rows["county_panel"] = [dict(rows["county_panel"][0], year=y) for y in range(2000, 2040)]
    rows["county_panel"][34]["gdp"] = 0  # the 35th data row: Excel row 36
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    (f,) = _only(res, "not_positive")
    assert (f.file, f.sheet, f.row, f.cell, f.column, f.severity) == (
        "submission.xlsx",
        "县（市、区）面板（年度）",
        36,
        "C36",
        "地区生产总值（万元）",
        "error",
    )
    cp = res.tables["county_panel"]
    assert len(cp) == 39 and (cp["gdp"] > 0).all()


# --- case 11: one amount in 亿元 under a 万元 header ----------------------------------


def test_case11_amount_in_yi_under_wan_header(tmp_path):
    rows = valid_rows()
    series = [753.1, 0.16507, 1650.7, 900.0, 1200.0, 800.0]
    for r in rows["funds_monthly"]:
        if r["project_id"] == "ZH-P1":
            r["funds_wan_yuan"] = series[int(r["month"][-2:]) - 1]
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    (f,) = _only(res, "unit_error")
    assert (f.sheet, f.row, f.cell, f.column) == (
        "招商引资到位资金（月度）",
        3,
        "D3",
        "当月到位资金（万元）",
    )
    assert "0.16507万元" in f.message and "万元" in f.message.split("（")[1]
    assert not [x for x in res.findings if x.code in ("spike", "spike_down") and x.row in (2, 3, 4)]


def test_case11_spikes_are_checked_downward_too(tmp_path):
    rows = valid_rows()
    series = [800.0, 30.0, 900.0, 850.0, 820.0, 870.0]
    for r in rows["funds_monthly"]:
        if r["project_id"] == "ZH-P1":
            r["funds_wan_yuan"] = series[int(r["month"][-2:]) - 1]
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    (f,) = _only(res, "spike_down")
    assert f.row == 3 and "30万元" in f.message and "800万元" in f.message


# --- kinds beyond the cases ------------------------------------------------------------


def test_password_protected_and_renamed_xls_say_so(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    (folder / "locked.xlsx").write_bytes(cfb + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64)
    (folder / "old.xlsx").write_bytes(cfb + b"Workbook".ljust(64, b"\x00"))
    res = _run(folder, tmp_path)
    codes = {f.file: f.code for f in res.structural}
    assert codes == {"locked.xlsx": "encrypted_file", "old.xlsx": "xls_renamed"}
    assert "密码" in next(f for f in res.findings if f.file == "locked.xlsx").message


def test_wrong_ledger_sheet_name_gives_one_root_cause(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    wb["招商引资项目台账"].title = "项目台账"
    wb.save(folder / "submission.xlsx")
    res = _run(folder, tmp_path)
    assert [f.code for f in res.structural] == ["unknown_sheet"]
    assert not [f for f in res.findings if f.code == "unknown_reference"]
    (s,) = _only(res, "reference_table_missing")
    assert s.sheet == "招商引资到位资金（月度）" and "24" in s.message


def test_merged_numbers_are_never_copied_down(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb["招商引资到位资金（月度）"]
    ws.merge_cells("D2:D3")  # 500 merged over two months of ZH-P1
    ws.merge_cells("B2:B7")  # the zone label merged down: filled
    wb.save(folder / "submission.xlsx")
    res = _run(folder, tmp_path)
    (f,) = _only(res, "merged_number")
    assert (f.row, f.cell) == (3, "D3")
    funds = res.tables["funds_monthly"]
    assert len(funds) == 23 and funds["zone_id"].eq("zhaodong").sum() == 11


def test_workbook_without_data_sheets_gets_a_finding(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.save(folder / "notes.xlsx")
    res = _run(folder, tmp_path)
    (f,) = _only(res, "file_without_data")
    assert f.file == "notes.xlsx"


def test_scaled_number_format_is_not_guessed(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb["招商引资项目台账"]
    ws["G2"].value, ws["G2"].number_format = 200_000_000, '0.00,,"亿"'
    ws["G3"].value, ws["G3"].number_format = 40000, '#,##0"万元"'
    wb.save(folder / "submission.xlsx")
    res = _run(folder, tmp_path)
    (f,) = _only(res, "scaled_format")
    assert (f.row, f.cell) == (2, "G2")
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P2", "contracted_wan_yuan"] == 40000


def test_signed_date_as_date_cell_unchanged(tmp_path):
    res = _run(write_dataset(tmp_path / "raw"), tmp_path)
    assert res.status == 0 and not res.errors
    p = res.tables["projects"].set_index("project_id")
    assert p.loc["ZH-P1", "signed"] == T(dt.date(2024, 11, 5))


def test_allowed_clusters_shown_are_the_zones_own(tmp_path):
    rows = valid_rows()
    rows["projects"][0]["cluster"] = "不存在的产业"
    res = _run(write_dataset(tmp_path / "raw", rows), tmp_path)
    (f,) = _only(res, "bad_enum")
    own = "、".join(schema.CLUSTERS["zhaodong"].values())
    assert (f.row, f.cell) == (2, "D2") and own in f.fix
    other = next(iter(schema.CLUSTERS["qinggang"].values()))
    assert other not in schema.CLUSTERS["zhaodong"].values() and other not in f.fix


def test_workbook_with_zero_worksheets_is_an_error(tmp_path):
    import re
    import zipfile

    folder = write_dataset(tmp_path / "raw")
    openpyxl.Workbook().save(tmp_path / "blank.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "blank.xlsx") as zin,
        zipfile.ZipFile(folder / "empty.xlsx", "w") as zout,
    ):
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            if not name.startswith("xl/worksheets/"):
                zout.writestr(name, data)
    res = _run(folder, tmp_path)
    (f,) = _only(res, "no_worksheets")
    assert f.file == "empty.xlsx" and f.structural and res.status == 2
