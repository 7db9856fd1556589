"""What a report notebook uses to show and publish its results.

- :func:`save_table` writes ``reports/<year>/tables/<name>.csv`` (UTF-8 with BOM,
  spreadsheet-formula-safe, deterministic) and returns a download link;
- :func:`show_table` shows a DataFrame as a numbered Markdown table, every string escaped
  (Quarto-native output: no ``text/html``, so Quarto adds no widget scripts to the page);
- :func:`save_summary_part` records this notebook's headline figures; the pipeline
  merges the parts into ``reports/<year>/summary.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .core.safety import FORMULA_PREFIXES, neutralize_cell, neutralize_frame  # noqa: F401
from .present import markdown
from .present.text import DEMO_NOTICE, synthetic_notice


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


#: Name of the XLSX sheet that says what the data sheet is (title, source, synthetic note).
NOTES_SHEET = "说明 notes"
#: Where every download's figures come from (the notes sheet's source line).
DOWNLOAD_SOURCE = (
    "各片区报送数据，经 evalkit 校验、整理与计算 / "
    "zone submissions, validated, curated and computed by evalkit"
)
#: Excel number formats of the data sheet: counts with separators, amounts with
#: separators and one to three decimals (the cell keeps every digit), years plain.
XLSX_INT_FORMAT = "#,##0"
XLSX_FLOAT_FORMAT = "#,##0.0##"
XLSX_YEAR_FORMAT = "0"
_YEAR_COLUMN = re.compile(r"year|年度|年份|^年$", re.I)


def _display_width(value) -> int:
    """Return the width of *value* in Excel character units (a CJK character counts two)."""
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0")
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _number_format(column: str, values: list) -> str | None:
    """Return the number format of a data-sheet column, None for text and dates."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    if all(isinstance(v, int) for v in numbers):
        if _YEAR_COLUMN.search(str(column)) and all(1900 <= v <= 2100 for v in numbers):
            return XLSX_YEAR_FORMAT
        return XLSX_INT_FORMAT
    return XLSX_FLOAT_FORMAT


def download_notes(name: str, year: int | None = None, data_dir=None) -> dict[str, str]:
    """Return the notes sheet of the download *name*: table, year, source, synthetic note.

    The synthetic-data note comes from the curated data's ``_meta.json``
    (``synthetic``) in *data_dir* (default: the configured data folder).
    """
    from . import __version__
    from .store import read_meta

    notes = {"表格 table": name}
    if year is not None:
        notes["年度 year"] = str(int(year))
    notes["数据来源 source"] = DOWNLOAD_SOURCE
    try:
        meta = read_meta(data_dir)
    except (OSError, ValueError):
        meta = {}
    # The page banner's wording (evalkit's generator named only for its demo data).
    notice = synthetic_notice(meta)
    if notice:
        notes["合成数据 synthetic data"] = notice.replace("本页", "本表")
    notes["生成 generated by"] = f"evalkit {__version__}"
    return notes


def table_xlsx_bytes(
    df: pd.DataFrame, sheet: str = "data", *, notes: dict[str, str] | None = None
) -> bytes:
    """Serialize *df* as a formula-safe, deterministic XLSX workbook for people and programs.

    Sheet 1 (*sheet*, the active one) stays machine-readable: one header row, then
    the rows, every number at full precision; for people it has a frozen, bold
    header, column widths fitted to the longest text (CJK counted double, at most
    60) and number formats (:data:`XLSX_INT_FORMAT`, :data:`XLSX_FLOAT_FORMAT`,
    plain years, ``yyyy-mm-dd`` dates). Sheet 2 (:data:`NOTES_SHEET`), when
    *notes* are given (e.g. :func:`download_notes`), holds a title row and one
    row per note (source, year, synthetic-data note).

    Text cells (and headers) are neutralized like the CSV and stored as explicit
    string cells, so no cell is ever a formula; numbers stay numeric. Document
    properties and ZIP entry times are fixed (:data:`XLSX_FIXED_TIME`).
    """
    import datetime as dt
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", "_", sheet)[:31] or "data"
    header = [neutralize_cell(str(c)) for c in df.columns]
    body = [[_xlsx_value(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    for r, rec in enumerate([header, *body], start=1):
        for c, value in enumerate(rec, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    for c, name in enumerate(header, start=1):
        ws.cell(row=1, column=c).font = Font(bold=True)
        values = [rec[c - 1] for rec in body]
        fmt = _number_format(name, values)
        if fmt:
            for r, value in enumerate(values, start=2):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.cell(row=r, column=c).number_format = fmt
        width = max([_display_width(name), *(_display_width(v) for v in values)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    if notes:
        _notes_sheet(wb, sheet, notes)
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


def _notes_sheet(wb, sheet: str, notes: dict[str, str]) -> None:
    """Add the :data:`NOTES_SHEET` sheet: a bold title row, then one ``key | text`` row per note."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(NOTES_SHEET)
    title = ws.cell(
        row=1, column=1, value=neutralize_cell(f"数据说明 / About the data sheet「{sheet}」")
    )
    title.data_type = "s"
    title.font = Font(bold=True, size=13)
    for r, (key, text) in enumerate(notes.items(), start=3):
        for c, value in ((1, key), (2, text)):
            cell = ws.cell(row=r, column=c, value=neutralize_cell(str(value)))
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 90


def save_table(df: pd.DataFrame, name: str, year: int, *, label: str | None = None):
    """Write *df* to ``reports/<year>/tables/<name>_<year>.csv`` and ``.xlsx``; return links.

    Both files are formula-safe (see :func:`neutralize_cell`) and byte-for-byte
    deterministic. The returned object displays as one Markdown line of links
    (relative to the report page); *label* is the CSV link's text.
    """
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"table name must be letters, digits, - or _: {name!r}")
    folder = paths.tables_dir(year)
    file = f"{name}_{int(year)}"  # file names carry the year (issue 16)
    _atomic_write_bytes(folder / f"{file}.csv", table_csv_bytes(df))
    notes = download_notes(name, year)
    _atomic_write_bytes(folder / f"{file}.xlsx", table_xlsx_bytes(df, sheet=name, notes=notes))
    text = markdown.download_links(
        f"tables/{file}.csv",
        f"tables/{file}.xlsx",
        label or f"下载数据 {file}.csv",
        f"Excel（{file}.xlsx）",
    )
    return MarkdownOutput(text, plain=f"{label or '下载数据 ' + file + '.csv'} · {file}.xlsx")


class MarkdownOutput:
    """A display object that is Markdown on pages and plain text in terminals and nbval."""

    def __init__(self, text: str, plain: str | None = None):
        self.text, self.plain = text, text if plain is None else plain

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.plain


#: Sequence number of the last automatic table label in this kernel (one page a kernel).
_table_count = 0


def next_table_label() -> str:
    """Return the next automatic ``tbl-<n>`` label of this page (tbl-1, tbl-2, …)."""
    global _table_count
    _table_count += 1
    return f"tbl-{_table_count}"


def table_output(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    max_rows: int | None = None,
    label: str | None = None,
) -> MarkdownOutput:
    """Return *df* as a display object: a numbered Markdown table, plain text for nbval.

    Pages get a captioned, labelled pipe table; nbval and terminals a fixed-width text
    table.

    With a caption the table gets *label* (or the page's next ``tbl-<n>``), so both
    renderers number it (表 1, 表 2, …). Every header and cell is escaped
    (:func:`evalkit.present.markdown.md_escape`).
    """
    if caption and label is None:
        label = next_table_label()
    text = markdown.markdown_table(df, caption=caption, label=label, max_rows=max_rows)
    with pd.option_context(
        "display.max_rows", None, "display.max_columns", None, "display.width", 200
    ):
        plain = (caption + "\n" if caption else "") + df.to_string(index=False)
    return MarkdownOutput(text, plain=plain)


def show_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    max_rows: int | None = None,
    label: str | None = None,
):
    """Display *df* as a numbered Markdown table (see :func:`table_output`)."""
    from IPython.display import display

    display(table_output(df, caption=caption, max_rows=max_rows, label=label))


md_escape = markdown.md_escape


def key_points(points: list[str], *, title: str = "要点 / Key points") -> MarkdownOutput:
    """Return the page's "要点" box: a Quarto callout listing 1–5 sentences.

    *points* are Markdown sentences written by evalkit (submitted text in them already
    escaped with :func:`md_escape`); the box opens a topic page so the reader meets
    the answer first. Raises ValueError for no sentence or more than five.
    """
    points = [p.strip() for p in points if p and p.strip()]
    if not 1 <= len(points) <= 5:
        raise ValueError(f"a key-points box holds 1 to 5 sentences, got {len(points)}")
    body = "\n".join(f"- {p}" for p in points)
    plain = title + "\n" + "\n".join(f"- {p}" for p in points)
    return MarkdownOutput(markdown.callout("tip", body, title=title), plain=plain)


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


#: The demo-data notice (kept under its old name; the wording lives in present.text).
SYNTHETIC_BANNER = DEMO_NOTICE


def page_header(year: int, as_of: str, data_dir: str = "data") -> MarkdownOutput:
    """Return the page banner: report year, as-of date and, for synthetic data, a warning callout."""
    from .store import read_meta

    meta = read_meta(data_dir)
    line = f"**评估年度 {int(year)}** · 数据截至 {markdown.md_escape(as_of)}\n"
    plain = f"评估年度 {int(year)} · 数据截至 {as_of}"
    notice = synthetic_notice(meta)
    if notice:
        # Untitled and minimal: the notice's own first words say what it is, and the
        # banner stays short so the page's answer is on the first screen.
        line += "\n" + markdown.callout("warning", markdown.md_escape(notice), minimal=True)
        plain += "\n" + notice
    # One div the Word/PDF editions drop (their cover carries the year, date and notice once).
    return MarkdownOutput(f":::: {{.{PAGE_HEADER_CLASS}}}\n{line}::::\n", plain=plain)


#: Class of the page banner's div (:func:`page_header`); the editions leave it out.
PAGE_HEADER_CLASS = "evalkit-page-header"
