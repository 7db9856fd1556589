"""What a report notebook uses to show and publish its results.

- :func:`save_table` writes ``reports/<year>/tables/<name>.csv`` (UTF-8 with BOM,
  spreadsheet-formula-safe, deterministic) and returns a download link;
- :func:`show_table` renders a DataFrame as HTML with every string escaped;
- :func:`save_summary_part` records this notebook's headline figures; the pipeline
  merges the parts into ``reports/<year>/summary.json``.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .core.safety import FORMULA_PREFIXES, neutralize_cell, neutralize_frame  # noqa: F401


# Formula safety is shared with the intake (quarantine, feedback workbooks).
def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write *data* beside *path* and rename into place, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def table_csv_bytes(df: pd.DataFrame) -> bytes:
    """Serialize *df* as formula-safe UTF-8-with-BOM CSV, numbers at full precision.

    Floats are written as Python's shortest round-trip form (``300980.11``,
    ``1820460.0``), so a download reads back to exactly the value the page and the
    XLSX show — never rounded to six digits or put in exponent form.

    Lines end in CRLF (RFC 4180): the CSV writer then quotes any field holding a
    carriage return, which a bare LF terminator would leave unquoted and let a
    submitted CR split one row into two.
    """
    safe = neutralize_frame(df)
    text = safe.to_csv(index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


#: Timestamp written into every XLSX (document properties and ZIP entries) so that
#: the same table always gives the same bytes.
XLSX_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _xlsx_value(value):
    """Return *value* as an XLSX cell value: numbers numeric, text neutralized, missing empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return neutralize_cell(str(value))


def table_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    """Serialize *df* as a formula-safe, deterministic XLSX workbook.

    Text cells (and headers) are neutralized like the CSV and stored as explicit
    string cells, so no cell is ever a formula; numbers stay numeric. Document
    properties and ZIP entry times are fixed (:data:`XLSX_FIXED_TIME`).
    """
    import datetime as dt
    import io
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", "_", sheet)[:31] or "data"
    rows = [[neutralize_cell(str(c)) for c in df.columns]]
    rows += [[_xlsx_value(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    for r, rec in enumerate(rows, start=1):
        for c, value in enumerate(rec, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    fixed = dt.datetime(*XLSX_FIXED_TIME)
    wb.properties.creator = "evalkit"
    wb.properties.created = fixed
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and every ZIP entry: fix both.
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def save_table(df: pd.DataFrame, name: str, year: int, *, label: str | None = None):
    """Write *df* to ``reports/<year>/tables/<name>.csv`` and ``.xlsx``; return download links.

    Both files are formula-safe (see :func:`neutralize_cell`) and byte-for-byte
    deterministic. The returned object displays as HTML links (relative to the
    report page) in the notebook and as plain text elsewhere.
    """
    from IPython.display import HTML

    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"table name must be letters, digits, - or _: {name!r}")
    folder = paths.tables_dir(year)
    _atomic_write_bytes(folder / f"{name}.csv", table_csv_bytes(df))
    _atomic_write_bytes(folder / f"{name}.xlsx", table_xlsx_bytes(df, sheet=name))
    text = html.escape(label or f"下载数据 {name}.csv")
    return HTML(
        f'<p class="evalkit-download"><a href="tables/{name}.csv" download>{text}</a>'
        f' · <a href="tables/{name}.xlsx" download>Excel（{html.escape(name)}.xlsx）</a></p>'
    )


def _format_cell(value) -> str:
    """Format one value for an HTML table: missing as an em dash, floats compactly."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        return f"{value:,.2f}"
    return str(value)


def table_html(df: pd.DataFrame, *, caption: str | None = None, max_rows: int | None = None) -> str:
    """Return *df* as an HTML table; every header and cell is HTML-escaped text."""
    rows = df if max_rows is None else df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_format_cell(v))}</td>" for v in rec) + "</tr>"
        for rec in rows.itertuples(index=False, name=None)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = f"<p>（仅显示前 {max_rows} 行，共 {len(df)} 行；完整数据见下载文件）</p>"
    return (
        f'<table class="table table-sm evalkit-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{more}"
    )


def show_table(df: pd.DataFrame, *, caption: str | None = None, max_rows: int | None = None):
    """Display *df* as an escaped HTML table (plain-text repr for nbval and terminals)."""
    from IPython.display import display

    display(_EscapedTable(df, caption, max_rows))


class _EscapedTable:
    """Rich-display wrapper: HTML for pages, a fixed-width text table for nbval."""

    def __init__(self, df: pd.DataFrame, caption: str | None, max_rows: int | None):
        self.df, self.caption, self.max_rows = df, caption, max_rows

    def _repr_html_(self) -> str:
        return table_html(self.df, caption=self.caption, max_rows=self.max_rows)

    def __repr__(self) -> str:
        with pd.option_context(
            "display.max_rows", None, "display.max_columns", None, "display.width", 200
        ):
            return (self.caption + "\n" if self.caption else "") + self.df.to_string(index=False)


def md_escape(text: str) -> str:
    """Escape *text* for Markdown and HTML so submitted strings show literally."""
    escaped = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~])", r"\\\1", escaped)


def _jsonable(value):
    """Convert numpy / pandas scalars to plain JSON values; NaN and inf become None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else round(f, 6)
    if value is pd.NA or value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value


def save_summary_part(year: int, part: str, data: dict) -> Path:
    """Write this notebook's headline figures to ``reports/<year>/summary.parts/<part>.json``.

    *data* is merged into ``summary.json`` by the pipeline; its ``zones`` mapping
    (zone id → fields) is merged per zone, other keys at the top level.
    """
    path = paths.report_dir(year) / "summary.parts" / f"{part}.json"
    text = json.dumps(_jsonable(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _atomic_write_bytes(path, text.encode("utf-8"))
    return path


SYNTHETIC_BANNER = (
    "演示数据：本页所有数字均由 evalkit 的合成数据生成器产生，不代表任何片区的真实情况。"
    " / Demo data: every figure on this page comes from evalkit's synthetic data generator."
)


def page_header(year: int, as_of: str, data_dir: str = "data"):
    """Display the page banner: report year, as-of date and, for demo data, the synthetic label."""
    from IPython.display import HTML

    from .store import read_meta

    meta = read_meta(data_dir)
    parts = [f"<p><strong>评估年度 {int(year)}</strong> · 数据截至 {html.escape(str(as_of))}</p>"]
    if meta.get("synthetic", False):
        parts.append(
            f'<div class="callout callout-warning evalkit-synthetic"><p>{SYNTHETIC_BANNER}</p></div>'
        )
    return HTML("\n".join(parts))
