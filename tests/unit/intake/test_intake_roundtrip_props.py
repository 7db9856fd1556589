"""Issue #17: round-trip property tests (Hypothesis).

Any valid record written into a template with any supported cell format — money in
元 / 万元 / 亿元 headers, a unit line in a title row, a unit in a lower header row,
thousands separators, cell units, percentages under a percent format, dates as
date cells, serials or text (with a time of day), group headers over sub-headers —
curates to the same values.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_factory import AS_OF, valid_rows, write_workbook

from evalkit import schema
from evalkit.intake import run

SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
EPOCH = dt.date(1899, 12, 30)

amounts = st.decimals(min_value="1", max_value="900000", places=2).map(float)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2025, 1, 31))
money_layouts = st.sampled_from(["header_wan", "header_yuan", "header_yi", "unit_line", "lower"])
cell_styles = st.sampled_from(["number", "thousands", "own_unit"])
date_styles = st.sampled_from(["cell", "serial", "slash", "zh", "datetime_text", "iso"])


def _money_cell(wan: float, layout: str, style: str):
    """Return what a clerk types for *wan* 万元 under *layout* in *style*."""
    unit = {"header_yuan": "元", "unit_line": "元", "header_yi": "亿元"}.get(layout, "万元")
    value = wan * schema.MONEY_UNITS["万元"] / schema.MONEY_UNITS[unit]
    value = round(value, 8)
    if style == "number":
        return value
    if style == "thousands":
        return f"{value:,.8f}".rstrip("0").rstrip(".")
    return f"{wan:.2f}万元"  # a cell unit overrides the header's


def _date_cell(d: dt.date, style: str):
    return {
        "cell": d,
        "serial": (d - EPOCH).days,
        "slash": f"{d.year}/{d.month}/{d.day}",
        "zh": f"{d.year}年{d.month}月{d.day}日",
        "datetime_text": f"{d.year}/{d.month}/{d.day} 0:00",
        "iso": d.isoformat(),
    }[style]


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="intake-prop-"))


def _write(folder: Path, rows: dict) -> None:
    write_workbook(folder / "submission.xlsx", rows)
    (folder / "dataset.yaml").write_text(
        f"synthetic: true\nas_of: {AS_OF}\ndescription: t\n", encoding="utf-8"
    )


def _relayout_projects(path: Path, layout: str) -> None:
    """Rewrite the projects sheet header for *layout* (data cells stay where they are)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["招商引资项目台账"]
    g = ws["G1"]
    if layout == "header_yuan":
        g.value = "签约金额（元）"
    elif layout == "header_yi":
        g.value = "签约金额（亿元）"
    elif layout == "unit_line":
        ws.insert_rows(1)
        ws["A1"] = "招商引资项目台账（单位：元）"
        ws["G2"] = "签约金额"
    elif layout == "lower":
        ws.insert_rows(2)
        ws["G1"], ws["G2"] = "签约金额", "（万元）"
        for c in range(1, ws.max_column + 1):
            if c != 7:
                ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
    wb.save(path)


@SETTINGS
@given(
    wan=st.lists(amounts, min_size=4, max_size=4),
    layout=money_layouts,
    style=cell_styles,
    signed=st.lists(dates, min_size=4, max_size=4),
    date_style=date_styles,
)
def test_projects_round_trip(wan, layout, style, signed, date_style):
    rows = valid_rows()
    for r, w, d in zip(rows["projects"], wan, signed, strict=True):
        r["contracted_wan_yuan"] = _money_cell(w, layout, style)
        r["signed"] = _date_cell(d, date_style)
        r["construction_started"] = r["in_production"] = None
    folder = _folder()
    _write(folder, rows)
    _relayout_projects(folder / "submission.xlsx", layout)
    res = run(folder, folder / "data", write=False)
    assert res.status == 0, [(f.code, f.message) for f in res.errors]
    assert res.quarantine.empty, res.quarantine.to_dict("records")
    p = res.tables["projects"].set_index("project_id").loc[["ZH-P1", "ZH-P2", "QI-P1", "QI-P2"]]
    assert p["contracted_wan_yuan"].tolist() == pytest.approx(wan, rel=1e-9)
    assert p["signed"].tolist() == [pd.Timestamp(d) for d in signed]


rates = st.decimals(min_value="0.1", max_value="100", places=1).map(float)


@SETTINGS
@given(
    values=st.lists(rates, min_size=6, max_size=6),
    as_percent=st.lists(st.booleans(), min_size=6, max_size=6),
    month_style=st.sampled_from(["text", "slash_time", "zh", "cell"]),
)
def test_percent_indicator_round_trip(values, as_percent, month_style):
    rows = valid_rows()
    share = [r for r in rows["logistics_monthly"] if r["indicator"] == "快递进村覆盖率"][:6]
    for r, v in zip(share, values, strict=True):
        r["value"] = v
        m = pd.Timestamp(r["month"] + "-01")
        r["month"] = {
            "text": r["month"],
            "slash_time": f"{m.year}/{m.month}/1 0:00",
            "zh": f"{m.year}年{m.month}月",
            "cell": m.date(),
        }[month_style]
    folder = _folder()
    _write(folder, rows)
    wb = openpyxl.load_workbook(folder / "submission.xlsx")
    ws = wb["物流与贸易指标（月度）"]
    k = 0
    for row in ws.iter_rows(min_row=2):
        if row[2].value == "快递进村覆盖率" and k < 6:
            if as_percent[k]:
                row[3].value, row[3].number_format = values[k] / 100, "0.0%"
            k += 1
    wb.save(folder / "submission.xlsx")
    res = run(folder, folder / "data", write=False)
    assert res.status == 0 and res.quarantine.empty
    lg = res.tables["logistics_monthly"]
    got = lg.loc[lg["indicator"] == "village_delivery_share"].sort_values(["zone_id", "month"])
    zh = got.loc[got["zone_id"] == "zhaodong", "value"].tolist()
    assert zh == pytest.approx(values, rel=1e-9)
    fractions = [f for f in res.findings if f.code == "rate_as_fraction"]
    assert len(fractions) == sum(
        1 for v, pct in zip(values, as_percent, strict=True) if v <= 1 and not pct
    )


@SETTINGS
@given(funds=st.lists(amounts, min_size=24, max_size=24), grouped=st.booleans())
def test_funds_group_header_round_trip(funds, grouped):
    rows = valid_rows()
    for r, v in zip(rows["funds_monthly"], funds, strict=True):
        r["funds_wan_yuan"] = v
    folder = _folder()
    _write(folder, rows)
    if grouped:
        wb = openpyxl.load_workbook(folder / "submission.xlsx")
        ws = wb["招商引资到位资金（月度）"]
        ws.insert_rows(1)
        ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "项目编号", "片区", "月份", "到位资金（万元）"
        ws["A2"] = ws["B2"] = ws["C2"] = None
        ws["D2"] = "当月"
        for col in "ABC":
            ws.merge_cells(f"{col}1:{col}2")
        wb.save(folder / "submission.xlsx")
    res = run(folder, folder / "data", write=False)
    assert res.status == 0 and res.quarantine.empty
    f = res.tables["funds_monthly"]
    expected = pd.DataFrame(rows["funds_monthly"])
    assert sorted(f["funds_wan_yuan"].tolist()) == pytest.approx(sorted(expected["funds_wan_yuan"]))
