"""Downloads carry every digit (issue #18 item 8: ``%.6g`` turned 300,980.11 into 300980)."""

import io

import pandas as pd

from evalkit import report


def test_csv_keeps_full_precision_and_no_exponent_form():
    values = [300980.11, 1820460.0, 0.1 + 0.2, 1234567.891234]
    text = report.table_csv_bytes(pd.DataFrame({"x": values})).decode("utf-8-sig")
    assert "300980.11" in text and "1820460.0" in text
    assert "e+" not in text.lower()
    back = pd.read_csv(io.StringIO(text))["x"].tolist()
    assert back == values  # exactly, not approximately


def _workbook(df, **kw):
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(report.table_xlsx_bytes(df, **kw)))


def test_xlsx_data_sheet_is_for_people_and_stays_machine_readable():
    """Issue 16: widths, frozen header, number formats; one header row, then the rows."""
    df = pd.DataFrame(
        {
            "片区": ["绥化经开区片区", "肇东片区"],
            "年度": [2026, 2026],
            "项目数": [1234, 5],
            "到位资金（万元）": [241042.5, 230560.0],
        }
    )
    wb = _workbook(df, sheet="investment", notes=report.download_notes("investment", 2026))
    ws = wb.worksheets[0]
    assert wb.active is ws and ws.title == "investment"
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert [c.value for c in ws[1]] == list(df.columns)
    assert ws["B2"].number_format == "0"  # a year is never shown as 2,026
    assert ws["C2"].number_format == report.XLSX_INT_FORMAT
    assert ws["D2"].number_format == report.XLSX_FLOAT_FORMAT and ws["D2"].value == 241042.5
    # Seven CJK characters count double: the zone column is wide enough for its names.
    assert ws.column_dimensions["A"].width >= 14 + 2
    assert all(ws.column_dimensions[c].width >= 8 for c in "ABCD")
    back = pd.read_excel(io.BytesIO(report.table_xlsx_bytes(df)), engine="openpyxl")
    pd.testing.assert_frame_equal(back, df)


def test_xlsx_notes_sheet_has_title_source_year_and_synthetic_note(tmp_path):
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "_meta.json").write_text('{"synthetic": true}', "utf-8")
    notes = report.download_notes("investment_attainment", 2026, tmp_path)
    wb = _workbook(pd.DataFrame({"x": [1]}), sheet="investment_attainment", notes=notes)
    assert wb.sheetnames == ["investment_attainment", report.NOTES_SHEET]
    ws = wb[report.NOTES_SHEET]
    assert ws["A1"].font.bold and "investment_attainment" in ws["A1"].value
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["年度 year"] == "2026" and rows["数据来源 source"] == report.DOWNLOAD_SOURCE
    assert "合成数据" in rows["合成数据 synthetic data"]
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)
    (curated / "_meta.json").write_text('{"synthetic": false}', "utf-8")
    assert "合成数据 synthetic data" not in report.download_notes("t", 2026, tmp_path)
