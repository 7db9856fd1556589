"""Blank submission templates generated from the schema (``python -m evalkit templates``).

One workbook per table plus one with every table (``全部数据表.xlsx``). Each has
the instruction sheet ``说明``, the data sheet named ``Table.title`` with the
Chinese headers (unit in brackets), drop-down lists for every enumeration (the
lists live on a hidden ``_lists`` sheet), date formats on date columns, and a
``示例`` sheet with an example row laid out exactly like the data sheet. Readers
skip ``说明``, ``示例`` and ``_lists``, so a filled-in template reads back as is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .. import paths, schema

#: Rows with drop-downs and formats prepared below the header.
TEMPLATE_ROWS = 2000

#: One example row per table, written as a zone office would type it (labels, not ids).
EXAMPLES: dict[str, dict[str, object]] = {
    "reform_items": {
        "item_id": "ZD-2025-001",
        "zone_id": "肇东片区",
        "title": "企业开办“一网通办”",
        "kind": "复制推广",
        "source": "哈尔滨片区",
        "source_experience": "哈尔滨片区制度创新成果第3批第5项",
        "domain": "政府职能转变",
        "source_published": dt.date(2024, 3, 15),
        "adopted": dt.date(2025, 2, 1),
        "effective": dt.date(2025, 6, 30),
        "status": "已落地见效",
        "evidence": "肇政办发〔2025〕12号",
        "originality": None,
    },
    "projects": {
        "project_id": "ZD-P-0001",
        "zone_id": "肇东片区",
        "name": "玉米深加工扩建项目",
        "cluster": "绿色农产品加工",
        "origin": "外省",
        "origin_detail": "山东省",
        "contracted_wan_yuan": 50000,
        "signed": dt.date(2025, 3, 18),
        "construction_started": dt.date(2025, 5, 6),
        "in_production": None,
    },
    "funds_monthly": {
        "project_id": "ZD-P-0001",
        "zone_id": "肇东片区",
        "month": "2025-06",
        "funds_wan_yuan": 3200,
    },
    "logistics_monthly": {
        "zone_id": "肇东片区",
        "month": "2025-06",
        "indicator": "铁路货运量",
        "value": 15200,
    },
    "gov_services_quarterly": {
        "zone_id": "肇东片区",
        "quarter": "2025Q2",
        "indicator": "网上可办率",
        "value": 96.5,
    },
    "industry_annual": {
        "zone_id": "肇东片区",
        "year": 2025,
        "cluster": "生物医药",
        "output_wan_yuan": 182000,
        "enterprises_above_size": 14,
        "leading_firms": 3,
        "brands_gi": 2,
    },
    "county_panel": {
        "county_id": "肇东市",
        "year": 2025,
        "gdp": 2350000,
        "fixed_asset_investment": 410000,
        "foreign_trade": 52000,
        "domestic_capital_used": 380000,
        "retail_sales": 920000,
    },
}

#: Units of count columns, shown in the template header (the reader accepts them).
COUNT_UNITS = {"enterprises_above_size": "家", "leading_firms": "家", "brands_gi": "个"}
#: Fields identifying who submitted, on the instruction sheet (not read as data).
SUBMITTER_FIELDS = ("填报单位", "填报人", "联系电话", "报送日期")
_INDICATORS = {
    "logistics_monthly": schema.LOGISTICS_INDICATORS,
    "gov_services_quarterly": schema.GOV_SERVICE_INDICATORS,
}

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_OPTIONAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_TYPE_ZH = {
    "str": "文字",
    "float": "数字",
    "int": "整数",
    "date": "日期（如 2025-03-18 或 2025年3月18日）",
    "month": "月份（如 2025-06 或 2025年6月）",
    "bool": "是/否",
}


def template_header(col: schema.Column) -> str:
    """Return the header a template shows for *col*.

    The contract header, with count units added (家, 个) and the quarter column as
    plain "季度" (its values are written 2025Q2); the reader accepts all of them.
    """
    if col.name == "quarter":
        return "季度"
    if col.name in COUNT_UNITS:
        return f"{col.label}（{COUNT_UNITS[col.name]}）"
    return col.header


def indicator_units(table_name: str) -> str:
    """Return "指标：单位" for every indicator of a long-format table ("" for other tables)."""
    found = _INDICATORS.get(table_name, {})
    return "；".join(f"{name}：{unit}" for name, unit in found.values())


def column_hint(col: schema.Column, table_name: str = "") -> str:
    """Return the instruction text for one column (type, unit, required, allowed values)."""
    kind = "季度（如 2025Q2 或 2025年第二季度）" if col.name == "quarter" else _TYPE_ZH[col.dtype]
    parts = [kind, "必填" if col.required else "选填"]
    if col.name == "value" and table_name in _INDICATORS:
        parts.append(
            "单位随指标而定（" + indicator_units(table_name) + "）；"
            "百分比指标填 0–100 的数，如 96.5 表示 96.5%，不要填 0.965"
        )
    if col.name in COUNT_UNITS:
        parts.append(f"单位：{COUNT_UNITS[col.name]}")
    if table_name == "funds_monthly" and col.name == "project_id":
        parts.append("须为招商引资项目台账中已登记的项目编号（格式如 ZD-P-0001），否则该行不入库")
    if table_name == "projects" and col.name == "project_id":
        parts.append("每个项目唯一，格式如 ZD-P-0001（片区缩写-P-序号）；到位资金表按此编号填报")
    if col.unit:
        parts.append(
            f"单位：{col.unit}"
            + ("（也可在表头写 元 或 亿元，自动换算）" if col.unit == "万元" else "")
        )
    if col.enum:
        parts.append("从下拉列表选择")
    if col.description:
        parts.append(col.description)
    return "；".join(parts)


def _instructions(ws, tables: list[schema.Table]) -> None:
    """Fill the 说明 sheet: how to fill in, then one line per column."""
    lines = [
        ("填报说明 / How to fill in", ""),
        ("1", "每张数据表一个工作表，工作表名称和表头请勿修改（单位写在表头括号内）。"),
        ("2", "每行一条记录；有下拉列表的列请从列表中选择（填写编号或中文名称均可）。"),
        (
            "3",
            "日期可写作 2025-03-18、2025/3/18、2025.3.18 或 2025年3月18日；月份写作 2025-06 或 2025年6月。",
        ),
        ("4", "金额单位为万元；如表头写“（亿元）”或“（元）”，系统会自动换算为万元。"),
        ("5", "“示例”工作表给出一行填写样例，不会被读入；请在数据表中填写。"),
        ("6", "提交后系统逐行检查：有错误的行会连同原因放入隔离清单，其余行正常入库。"),
        ("7", "百分比指标填 0–100 的数（96.5 表示 96.5%）；各指标单位见下方“数值”列说明。"),
        ("8", "只读入名称与模板完全一致、未隐藏的工作表；请勿复制工作表（副本不会读入）。"),
        ("", ""),
        *((f, "") for f in SUBMITTER_FIELDS),
        ("", ""),
    ]
    for r, (a, b) in enumerate(lines, start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b).alignment = Alignment(wrap_text=True, vertical="top")
        if a in SUBMITTER_FIELDS:
            ws.cell(r, 1).font = Font(bold=True)
            ws.cell(r, 2).fill = _OPTIONAL_FILL
    ws.cell(1, 1).font = Font(bold=True, size=13)
    r = len(lines) + 1
    for table in tables:
        ws.cell(r, 1, f"{table.title}（{table.name}）").font = Font(bold=True)
        r += 1
        for col in table.columns:
            ws.cell(r, 1, template_header(col))
            ws.cell(r, 2, column_hint(col, table.name)).alignment = Alignment(wrap_text=True)
            if col.enum:
                ws.cell(r, 3, "、".join(col.enum.values())).alignment = Alignment(wrap_text=True)
            r += 1
        r += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 60
    _print_setup(ws, repeat_header=False)


def _print_setup(ws, *, repeat_header: bool) -> None:
    """A4 landscape, fit to one page wide, header row repeated on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if repeat_header:
        ws.print_title_rows = "1:1"


def _header(ws, table: schema.Table) -> None:
    """Write the header row with fills, comments and column widths."""
    for c, col in enumerate(table.columns, start=1):
        text = template_header(col)
        cell = ws.cell(1, c, text)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL if col.required else _OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(column_hint(col, table.name), "evalkit")
        comment.width, comment.height = 360, 160
        cell.comment = comment
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(40, 2.2 * len(text)))
    ws.freeze_panes = "A2"
    _print_setup(ws, repeat_header=True)


def choices(col: schema.Column, zone: str | None = None) -> tuple[str, ...]:
    """Return the drop-down labels of *col*; in a zone's template its own zone and clusters."""
    if zone is not None and col.name == "zone_id":
        return (schema.ZONES[zone],)
    if zone is not None and col.name == "cluster":
        return tuple(schema.CLUSTERS[zone].values())
    return tuple(col.enum.values())


def _lists_sheet(wb: Workbook, zone: str | None = None) -> dict[tuple[str, ...], str]:
    """Create the hidden ``_lists`` sheet; return drop-down labels → range formula."""
    ws = wb.create_sheet("_lists")
    ws.sheet_state = "hidden"
    ranges: dict[tuple[str, ...], str] = {}
    c = 0
    for table in schema.TABLES.values():
        for col in table.columns:
            if not col.enum:
                continue
            labels = choices(col, zone)
            if labels in ranges:
                continue
            c += 1
            letter = get_column_letter(c)
            ws.cell(1, c, col.name)
            for r, label in enumerate(labels, start=2):
                ws.cell(r, c, label)
            ranges[labels] = f"{quote_sheetname('_lists')}!${letter}$2:${letter}${len(labels) + 1}"
    return ranges


def _data_sheet(
    wb: Workbook, table: schema.Table, ranges: dict, title: str, example: bool, zone=None
) -> None:
    """Add a data (or example) sheet: header, drop-downs, formats, optionally the example row."""
    ws = wb.create_sheet(title)
    _header(ws, table)
    last = TEMPLATE_ROWS + 1
    for c, col in enumerate(table.columns, start=1):
        letter = get_column_letter(c)
        if col.enum:
            dv = DataValidation(type="list", formula1=ranges[choices(col, zone)], allow_blank=True)
            dv.error = "请从下拉列表中选择 / pick a value from the list"
            dv.errorTitle = col.label
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
        if col.dtype == "date":
            for r in range(2, 3 if example else last + 1):
                ws.cell(r, c).number_format = "yyyy-mm-dd"
    if example:
        for c, col in enumerate(table.columns, start=1):
            value = EXAMPLES[table.name].get(col.name)
            if (
                zone is not None
                and col.name in ("zone_id", "cluster")
                and table.name != "county_panel"
            ):
                value = choices(col, zone)[0]
            ws.cell(2, c, value)


def build_workbook(tables: list[schema.Table], zone: str | None = None) -> Workbook:
    """Return a template workbook for *tables* (说明, data sheets, 示例 sheets, hidden lists).

    With *zone* (a zone id) the zone and cluster drop-downs offer only that zone and
    its own industry clusters.
    """
    wb = Workbook()
    wb.active.title = "说明"
    _instructions(wb.active, tables)
    ranges = _lists_sheet(wb, zone)
    for table in tables:
        _data_sheet(wb, table, ranges, table.title, example=False, zone=zone)
    for table in tables:
        name = f"示例-{table.title}"[:31]
        _data_sheet(wb, table, ranges, name, example=True, zone=zone)
    # Keep the hidden list sheet last so the data sheets come first in Excel.
    wb.move_sheet("_lists", offset=len(wb.sheetnames))
    return wb


def write_templates(out_dir: str | Path | None = None) -> list[Path]:
    """Write the templates to *out_dir*; return the paths.

    One workbook per table and one with all tables (drop-downs offer every zone and
    cluster), then per zone ``<zone name>/全部数据表.xlsx`` whose drop-downs offer
    only that zone and its own clusters.
    """
    out = paths.resolve(out_dir) if out_dir is not None else paths.build_dir() / "templates"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    everything = list(schema.TABLES.values())
    for name, tables in [("全部数据表", everything)] + [(t.title, [t]) for t in everything]:
        path = out / f"{name}.xlsx"
        build_workbook(tables).save(path)
        written.append(path)
    zone_tables = [t for t in everything if "zone_id" in t.column_names]
    for zone, zone_name in schema.ZONES.items():
        folder = out / zone_name
        folder.mkdir(exist_ok=True)
        path = folder / "全部数据表.xlsx"
        build_workbook(zone_tables, zone).save(path)
        written.append(path)
    return written
