"""Raw demo submissions: what each zone's office would send (deliberately messy, deterministic)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths, schema
from .scenario import DEFAULT as _SUIHUA
from .scenario import Scenario
from .world import SEED, parse_month

# --- Raw submissions (what the zones would send) -------------------------------------------

#: Raw dataset folder name under ``data/raw``.
RAW_DATASET = "demo"
#: Fixed timestamp for workbook properties and zip entries: re-running the generator
#: reproduces the files byte for byte, so git stays clean.
RAW_TIMESTAMP = (2026, 11, 1, 0, 0, 0)

#: The default scenario's raw-file habits and deliberate errors (see :class:`Scenario`),
#: kept under their old names for tests and the intake's corpus.
RAW_STYLE: dict[str, dict] = {
    z: dict(v["raw"], zones=tuple(v["raw"]["zones"])) for z, v in _SUIHUA.zones.items()
}
#: (zone, table) → date style overriding the zone's.
RAW_DATE_OVERRIDES = _SUIHUA.date_overrides
#: (zone, table, column) written in 亿元 with the header saying so.
RAW_YI_YUAN = _SUIHUA.yi_yuan
#: (zone, table) exported as a GBK-encoded CSV instead of a workbook sheet.
RAW_GBK_CSV = _SUIHUA.gbk_csv
#: What the raw files do that a tidy file would not (all of it valid: intake must cope).
RAW_MESSINESS = _SUIHUA.raw_messiness
#: Invalid rows deliberately placed in the raw files; intake must quarantine each (and only
#: these). ``code`` is the intake finding code expected for the row.
INVALID_ROWS: tuple[dict[str, str], ...] = _SUIHUA.invalid_rows

_CN_Q = "一二三四"
_FULLWIDTH = str.maketrans(
    "0123456789,-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "０１２３４５６７８９，－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)


def _fmt_date(value, style: str, kind: str):
    """Return a date cell in the submitter's *style* (``kind`` is date, month or quarter)."""
    if value is None or pd.isna(value):
        return None
    t = pd.Timestamp(value)
    y, m, d = t.year, t.month, t.day
    if style == "excel":
        return t.to_pydatetime()
    if kind == "quarter":
        q = (m - 1) // 3 + 1
        return f"{y}年第{_CN_Q[q - 1]}季度" if style == "cnq" else f"{y}Q{q}"
    if kind == "month":
        return {"cn": f"{y}年{m}月", "dash": f"{y}-{m:02d}", "slash": f"{y}/{m}"}.get(
            style, f"{y}-{m:02d}"
        )
    return {
        "cn": f"{y}年{m}月{d}日",
        "dot": f"{y}.{m:02d}.{d:02d}",
        "slash": f"{y}/{m}/{d}",
    }.get(style, t.strftime("%Y-%m-%d"))


def _labels(col: schema.Column, sc: Scenario) -> dict[str, str]:
    """Return the id → Chinese label mapping of enumerated column *col* in scenario *sc*."""
    if col.name == "cluster":
        return sc.pilot.all_clusters
    if col.name == "county_id":
        return sc.pilot.counties
    if col.name == "zone_id":
        return sc.pilot.zone_names
    return col.enum or {}


def _every(style: dict, key: str, i: int) -> bool:
    """Return True if row *i* gets habit *key* of *style* (``[n, k]``: i % n == k)."""
    rule = style.get(key)
    return bool(rule) and i % rule[0] == rule[1]


def _raw_rows(
    df: pd.DataFrame, table: schema.Table, zone: str | None, sc: Scenario
) -> tuple[list, list[list]]:
    """Return (headers, rows of cell values) for one table as *zone*'s office would fill it in.

    The zone's habits are its scenario ``raw`` settings: zone spellings, date styles,
    amounts in 亿元, and which rows get full-width or thousands-separated text numbers.
    """
    style = sc.zones[zone]["raw"] if zone is not None else {}
    yi_yuan = sc.yi_yuan
    date_style = sc.date_overrides.get((zone, table.name), style.get("date", "excel"))
    headers = []
    for col in table.columns:
        header = col.header
        if (zone, table.name, col.name) in yi_yuan:
            header = f"{col.label}（亿元）"
        headers.append(header)
    rows = []
    for i, rec in enumerate(df.itertuples(index=False)):
        row = []
        for col, value in zip(table.columns, rec, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                row.append(None)
                continue
            if col.name == "zone_id":
                zones = style.get("zones", (sc.pilot.zone_names[value],))
                cell = zones[i % len(zones)]
                row.append(f"{cell} " if i % 11 == 5 else cell)
            elif col.enum is not None:
                label = _labels(col, sc)[value]
                row.append(f" {label}" if i % 13 == 7 else label)
            elif col.dtype in ("date", "month"):
                kind = "quarter" if col.name == "quarter" else col.dtype
                fmt = date_style if kind == "date" else style.get(kind, "excel")
                row.append(_fmt_date(value, fmt, kind))
            elif col.dtype == "float":
                v = float(value)
                if (zone, table.name, col.name) in yi_yuan:
                    v = v / 1e4
                if col.unit == "万元" and _every(style, "money_fullwidth_every", i):
                    row.append(f"{v:,.1f}".translate(_FULLWIDTH))
                elif col.unit == "万元" and _every(style, "money_thousands_every", i):
                    row.append(f"{v:,.1f}")
                else:
                    row.append(v)
            elif col.dtype == "int":
                row.append(int(value))
            elif col.name.endswith("_id") and _every(style, "id_fullwidth_every", i):
                row.append(str(value).translate(_FULLWIDTH))
            else:
                text = str(value)
                row.append(f"  {text} " if i % 7 == 3 else text)
        rows.append(row)
    return headers, rows


def _invalid_rows(
    zone: str, table: schema.Table, df: pd.DataFrame, rows: list[list], sc: Scenario
) -> list[list]:
    """Insert this zone's invalid rows of *table* (scenario ``invalid_rows``) into *rows* (a copy)."""
    rows = [list(r) for r in rows]
    names = table.column_names
    style = sc.zones[zone]["raw"]
    fmt = style["date"]

    def at(position: int, row: list) -> None:
        rows.insert(min(position, len(rows)), row)

    for spec in sc.invalid_rows:
        if spec["file"] != f"{zone}.xlsx" or spec["table"] != table.name:
            continue
        key = spec["key"]
        if spec["code"] == "bad_enum":  # a project of an unknown zone
            row = list(rows[3])
            row[names.index("project_id")] = key
            row[names.index("zone_id")] = "绥化高新区"
            at(17, row)
        elif spec["code"] == "unknown_reference":
            row = list(rows[0])
            row[names.index("project_id")] = key
            row[names.index("month")] = _fmt_date(date(2025, 5, 1), style["month"], "month")
            row[names.index("funds_wan_yuan")] = 1200.0
            at(40, row)
        elif spec["code"] == "below_minimum":
            row = list(rows[0])
            row[names.index("project_id")] = key
            row[names.index("month")] = _fmt_date(date(2025, 3, 1), style["month"], "month")
            row[names.index("funds_wan_yuan")] = -350.0
            at(60, row)
        elif spec["code"] == "duplicate_row":
            i = int(np.flatnonzero(df["item_id"].to_numpy() == key)[0])
            at(i + 1, list(rows[i]))
        elif spec["code"] == "excel_error":
            zone_s, month, indicator = key.split("/")
            row = [style["zones"][0], _fmt_date(parse_month(month), style["month"], "month")]
            row += [table.column("indicator").enum[indicator], "#REF!"]
            pos = df.index[(df["month"] < pd.Timestamp(parse_month(month)))].size
            at(pos, row)
        elif spec["code"] == "temporal_order":
            row = list(rows[2])
            row[names.index("project_id")] = key
            row[names.index("name")] = "年产5万吨饲料加工项目"
            row[names.index("cluster")] = sc.pilot.all_clusters["livestock_processing"]
            row[names.index("signed")] = _fmt_date(date(2025, 5, 10), fmt, "date")
            row[names.index("construction_started")] = None
            row[names.index("in_production")] = _fmt_date(date(2024, 12, 1), fmt, "date")
            at(12, row)
        elif spec["code"] == "bad_date":
            rep = df.index[df["kind"] == "replicated"][4]
            row = list(rows[rep])
            row[names.index("item_id")] = key
            row[names.index("adopted")] = "2025年13月5日"
            at(len(rows) - 3, row)
        else:  # pragma: no cover - every INVALID_ROWS code is handled above
            raise ValueError(spec["code"])
    return rows


def _xlsx_bytes(wb) -> bytes:
    """Save *wb* and return reproducible bytes: fixed zip entry times and core-property dates."""
    import io
    import re
    import zipfile

    wb.properties.creator = "evalkit.demo"
    wb.properties.lastModifiedBy = "evalkit.demo"
    buf = io.BytesIO()
    wb.save(buf)
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*RAW_TIMESTAMP)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)",
                        rf"\g<1>{stamp}\g<2>",
                        text,
                    )
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=RAW_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _readme_sheet(wb, title: str, meta: dict, lines: list[str]) -> None:
    """Add the first sheet, 说明, saying plainly that the data are synthetic."""
    ws = wb.active
    ws.title = "说明"
    ws.append([title])
    ws.append(
        ["【合成数据】本工作簿中的所有数字均为 evalkit.demo 生成的合成演示数据，并非真实统计数据。"]
    )
    ws.append(
        ["[Synthetic] Every number in this workbook is synthetic demo data, not real statistics."]
    )
    ws.append([f"截至日期 as of：{meta['as_of']}；随机种子 seed：{meta.get('seed', SEED)}"])
    for line in lines:
        ws.append([line])
    ws.column_dimensions["A"].width = 110


def _data_sheet(wb, table: schema.Table, headers: list, rows: list[list], title_row: str | None):
    """Add one data sheet named by the table's Chinese title."""
    ws = wb.create_sheet(table.title)
    if title_row:
        ws.append([title_row])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append(row)
    first = 3 if title_row else 2
    formats = {"date": "yyyy-mm-dd", "month": "yyyy-mm"}
    for j, col in enumerate(table.columns, start=1):
        if col.dtype in formats:
            for (cell,) in ws.iter_rows(min_row=first, min_col=j, max_col=j):
                if hasattr(cell.value, "year"):
                    cell.number_format = formats[col.dtype]
    ws.freeze_panes = ws.cell(row=first, column=1)
    return ws


def _csv_bytes(headers: list, rows: list[list], encoding: str = "gbk") -> bytes:
    """Return a CSV export (CRLF line ends, as Excel writes them) in *encoding*."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def _dataset_yaml(meta: dict) -> str:
    """Return ``dataset.yaml`` for the raw demo dataset (fixed text, stable bytes)."""
    return (
        "# 合成演示数据（非真实统计数据）/ Synthetic demo data, not real statistics.\n"
        "# Written by `python -m evalkit demo`; regenerate rather than edit.\n"
        f"name: {meta.get('dataset', RAW_DATASET)}\n"
        "synthetic: true\n"
        f"as_of: {meta['as_of']}\n"
        f"seed: {int(meta.get('seed', SEED))}\n"
        "generator: evalkit.demo\n"
        f"description: >-\n  {meta['description']}\n"
    )


def raw_files(
    frames: dict[str, pd.DataFrame], meta: dict, scenario: Scenario | None = None
) -> dict[str, bytes]:
    """Return the raw demo submissions as file name → bytes (deterministic).

    One workbook per zone (``<zone_id>.xlsx``: a 说明 sheet, then one sheet per table
    named by :attr:`Table.title` with Chinese headers), the county panel as its own
    workbook, one table as a GBK CSV (:data:`RAW_GBK_CSV`), and ``dataset.yaml``.
    The files are deliberately messy (:data:`RAW_MESSINESS`) and carry the invalid
    rows listed in :data:`INVALID_ROWS`.
    """
    import openpyxl

    sc = scenario or _SUIHUA
    out: dict[str, bytes] = {"dataset.yaml": _dataset_yaml(meta).encode("utf-8")}
    as_of = pd.Timestamp(meta["as_of"])
    for zone, zone_label in sc.pilot.zone_names.items():
        wb = openpyxl.Workbook()
        lines = [f"片区 zone：{zone_label}（{zone}）", *sc.raw_messiness]
        _readme_sheet(wb, f"{zone_label} 报送数据（合成演示数据）", meta, lines)
        for name, table in schema.TABLES.items():
            if "zone_id" not in table.column_names:
                continue
            df = frames[name]
            df = df[df["zone_id"] == zone].reset_index(drop=True)
            headers, rows = _raw_rows(df, table, zone, sc)
            rows = _invalid_rows(zone, table, df, rows, sc)
            if (zone, name) in sc.gbk_csv:
                out[f"{zone}_{table.title}.csv"] = _csv_bytes(headers, rows)
                continue
            title = None
            if sc.zones[zone]["raw"].get("title_row"):
                title = f"{zone_label}{table.title}（截至{as_of.year}年{as_of.month}月）"
            _data_sheet(wb, table, headers, rows, title)
        out[f"{zone}.xlsx"] = _xlsx_bytes(wb)
    wb = openpyxl.Workbook()
    _readme_sheet(wb, f"{sc.pilot.city}县（市、区）面板数据（合成演示数据）", meta, [])
    headers, rows = _raw_rows(frames["county_panel"], schema.COUNTY_PANEL, None, sc)
    _data_sheet(wb, schema.COUNTY_PANEL, headers, rows, None)
    out["county_panel.xlsx"] = _xlsx_bytes(wb)
    return dict(sorted(out.items()))


def write_raw(
    frames: dict[str, pd.DataFrame],
    meta: dict,
    data_dir: str | Path | None = None,
    scenario: Scenario | None = None,
) -> list[Path]:
    """Write the raw submissions to ``<data_dir>/raw/<dataset>/`` (``demo``), replacing the folder.

    The new folder is built beside the old one and swapped in with
    :func:`evalkit.core.publish.swap_dir`, so a reader never sees a mix of old and new
    files (and stale files from an older layout disappear). Returns the written paths.
    """
    import shutil

    from ..core import publish

    parent = paths.raw_dir(paths.data_dir(data_dir))
    parent.mkdir(parents=True, exist_ok=True)
    sc = scenario or _SUIHUA
    dest = parent / sc.name
    publish.recover(dest)
    tmp = parent / f".{sc.name}.new-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for name, blob in raw_files(frames, meta, sc).items():
            (tmp / name).write_bytes(blob)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish.swap_dir(tmp, dest)
    return sorted(dest.iterdir())
