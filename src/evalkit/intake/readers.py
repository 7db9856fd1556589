"""Read submissions: Excel workbooks (openpyxl) and CSV files (UTF-8, UTF-8 with BOM, GBK).

A workbook sheet is matched to a table by its name (``Table.title``; the table id
also works); a CSV file by its file name, else by its headers. The header row is
found among the first rows (titles, unit lines and multi-row or merged headers
are understood, see :mod:`.headers`); merged header cells give every column their
text, while in the data area only labels are filled down (a merged number is
never copied into several rows); number formats are read with the value (see
:mod:`.cells`); formulas are read as the value Excel last computed. Each readable table region becomes a :class:`Sheet` whose
frame holds the raw cell values under the schema's column names plus ``_row``,
the row number as a spreadsheet shows it (for CSV: the record number). Raw files are only
ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import schema
from .cells import MERGED_NUMBER, Marker, is_label, shown_value
from .findings import Finding, make
from .headers import HEADER_SEARCH_ROWS, match_header, unit_lines
from .normalize import FORMULA_WITHOUT_VALUE, fold, key

#: File types read as submissions; other spreadsheet formats are reported as unsupported.
DATA_SUFFIXES = (".xlsx", ".xlsm", ".csv")
UNSUPPORTED_SUFFIXES = (".xls", ".et", ".ods", ".numbers", ".wps")


@dataclass
class Sheet:
    """One table region read from a file: raw values under schema column names."""

    file: str
    sheet: str
    table: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    factors: dict[str, float] = field(default_factory=dict)
    #: True when required columns are missing: rows are counted and quarantined, not used.
    broken: bool = False
    #: column name → spreadsheet column letter of its data.
    letters: dict[str, str] = field(default_factory=dict)


def header_keys(table: schema.Table) -> dict[str, tuple[str, float]]:
    """Return header key → (column name, unit factor) for the template spellings of a header.

    Kept for callers that list accepted spellings; reading uses :func:`headers.match_header`,
    which also understands multi-row headers, group headers and unit lines.
    """
    out: dict[str, tuple[str, float]] = {}
    for col in table.columns:
        out[key(col.name)] = (col.name, 1.0)
        out[key(col.label)] = (col.name, 1.0)
        out[key(col.header)] = (col.name, 1.0)
        if col.unit == "万元":
            for unit, factor in schema.MONEY_UNITS.items():
                out[key(f"{col.label}（{unit}）")] = (col.name, factor)
    return out


_COPY = re.compile(r"^(?P<base>.+?)(?:\(\d+\)|-?副本\d*|-?复制\d*|_?copy\d*|\d+)$", re.IGNORECASE)


def table_for_name(name: str) -> schema.Table | None:
    """Return the table whose title or id equals *name* after normalization, else None."""
    k = key(name)
    for table in schema.TABLES.values():
        if k in (key(table.title), key(table.name)):
            return table
    return None


def copy_of(name: str) -> schema.Table | None:
    """Return the table *name* is a copy of (``招商引资项目台账 (2)``, ``…副本``), else None."""
    k = key(name)
    m = _COPY.match(k)
    if m:
        return table_for_name(m.group("base"))
    if k.startswith(("copyof", "副本")):
        return table_for_name(k.removeprefix("copyof").removeprefix("副本"))
    return None


def is_non_data_sheet(name: str) -> bool:
    """Return True for instruction, example and hidden list sheets (说明, 示例, _lists)."""
    return fold(name).startswith(schema.NON_DATA_SHEETS)


def _fill_merged(rows: list[list], merges: list[tuple[int, int, int, int]], h: int) -> None:
    """Fill merged ranges without inventing values.

    In the header block (rows ≤ *h*) every cell gets the top-left text; in the data
    area only labels (text, dates) are filled down; a merged number stays in its
    first cell and the others are marked (:data:`cells.MERGED_NUMBER`), never copied.
    """
    for r0, c0, r1, c1 in merges:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0, min(r1 + 1, len(rows))):
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                if r0 <= h or is_label(value):
                    row[c] = value
                elif value is not None and c == c0:
                    row[c] = Marker(MERGED_NUMBER, f"（合并单元格，数值 {value} 在第 {r0 + 1} 行）")


def _region(
    rows: list[list],
    file: str,
    sheet: str,
    table: schema.Table,
    findings: list[Finding],
    *,
    row_numbers: list[int] | None = None,
    merges: list[tuple[int, int, int, int]] = (),
) -> Sheet | None:
    """Turn a grid of cells into a :class:`Sheet` (None with findings when the header is wrong).

    Long because it is the one place the header block is interpreted: header row, duplicate
    and unknown columns, unlabelled data, missing columns, units, then the data frame.
    """
    where = {"table": table.name, "file": file, "sheet": sheet}
    top = [list(r) for r in rows[:HEADER_SEARCH_ROWS]]
    _fill_merged(top, merges, HEADER_SEARCH_ROWS)
    h, mapping = match_header(top, table)
    all_headers = "、".join(c.header for c in table.columns if c.required)
    if h < 0:
        findings.append(
            make("error", "no_header", **where, detail=HEADER_SEARCH_ROWS, allowed=all_headers)
        )
        return None
    _fill_merged(rows, merges, h)
    header_row = rows[h]
    excel_header_row = row_numbers[h] if row_numbers else h + 1
    # A header merged across columns for width: the extra columns repeat it, they are not data.
    widened = {
        c
        for r0, c0, r1, c1 in merges
        if r0 <= h <= r1
        for c in range(c0 + 1, c1 + 1)
        if c in mapping and c0 in mapping and mapping[c].name == mapping[c0].name
    }
    mapping = {c: hit for c, hit in mapping.items() if c not in widened}
    seen: dict[str, int] = {}
    for c, hit in sorted(mapping.items()):
        if hit.name in seen:
            findings.append(
                make(
                    "error",
                    "duplicate_column",
                    **where,
                    row=excel_header_row,
                    column=hit.text,
                    cell=f"{_letter(c)}{excel_header_row}",
                    detail=f"{hit.text}（{_letter(seen[hit.name])} 列与 {_letter(c)} 列）",
                )
            )
        seen.setdefault(hit.name, c)
    for c, cell in enumerate(header_row):
        if c not in mapping and c not in widened and cell is not None and fold(cell):
            if _is_unit_cell(cell):
                continue
            findings.append(
                make(
                    "warning",
                    "unknown_column",
                    **where,
                    row=excel_header_row,
                    column=str(cell).strip(),
                    cell=f"{_letter(c)}{excel_header_row}",
                    detail=str(cell).strip(),
                )
            )
    width = max((len(r) for r in rows[h + 1 :]), default=0)
    for c in range(width):
        labelled = c < len(header_row) and header_row[c] is not None and fold(header_row[c])
        if c in mapping or (labelled and c not in widened):
            continue
        if any(c < len(r) and not _blank(r[c]) for r in rows[h + 1 :]):
            findings.append(
                make(
                    "warning",
                    "unlabelled_data",
                    **where,
                    row=excel_header_row,
                    cell=f"{_letter(c)}{excel_header_row}",
                    detail=_letter(c),
                )
            )
    missing = [c.header for c in table.columns if c.required and c.name not in seen]
    if missing:
        findings.append(
            make(
                "error", "missing_columns", **where, row=excel_header_row, detail="、".join(missing)
            )
        )
    if any(f.code == "duplicate_column" and f.file == file and f.sheet == sheet for f in findings):
        return None
    factors = _unit_factors(
        table, mapping, seen, unit_lines(top, h, set(mapping)), findings, where, excel_header_row
    )
    data = rows[h + 1 :]
    numbers = row_numbers[h + 1 :] if row_numbers else list(range(h + 2, h + 2 + len(data)))
    cols = dict(seen)
    records = {name: [r[c] if c < len(r) else None for r in data] for name, c in cols.items()}
    frame = pd.DataFrame(records, dtype=object)
    for col in table.columns:
        if col.name not in frame:
            frame[col.name] = pd.Series([None] * len(frame), dtype=object)
    frame = frame[table.column_names]
    frame["_row"] = numbers
    # Blank rows (e.g. between blocks) are not data: they are neither read nor counted.
    blank = frame[table.column_names].map(_blank).all(axis=1)
    frame = frame.loc[~blank].reset_index(drop=True)
    headers = {name: mapping[c].text for name, c in cols.items()}
    letters = {name: _letter(c) for name, c in cols.items()}
    # Rows under wrong headers are still counted (and quarantined) so nothing is lost.
    return Sheet(
        file, sheet, table.name, frame, headers, factors, broken=bool(missing), letters=letters
    )


def _is_unit_cell(cell) -> bool:
    """Return True for a header-row cell that only states a unit (``单位：万元``)."""
    return bool(re.fullmatch(r"(金额)?单位[:：]?(亿元|万元|元)", key(cell)))


def _unit_factors(table, mapping, seen, lines, findings, where, header_row) -> dict[str, float]:
    """Return each column's unit factor; money headers without a unit use the unit line.

    No unit line and no unit in the header: the template unit (万元) is used and a
    warning says so. Two different unit lines: an error (the unit cannot be known).
    """
    factors = {name: mapping[c].factor for name, c in seen.items()}
    for name, c in seen.items():
        col = table.column(name)
        if col.unit != "万元" or mapping[c].unit is not None:
            continue
        if len(lines) > 1:
            findings.append(
                make(
                    "error",
                    "ambiguous_unit",
                    **where,
                    row=header_row,
                    column=mapping[c].text,
                    cell=f"{_letter(c)}{header_row}",
                    detail="、".join(lines),
                )
            )
        elif lines:
            factors[name] = schema.MONEY_UNITS[lines[0]]
        else:
            findings.append(
                make(
                    "warning",
                    "header_without_unit",
                    **where,
                    row=header_row,
                    column=mapping[c].text,
                    cell=f"{_letter(c)}{header_row}",
                    detail=col.unit,
                )
            )
    return factors


def _letter(c: int) -> str:
    """Return the spreadsheet column letter of 0-based column *c* (0 → A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)


def _blank(value) -> bool:
    """Return True for an empty cell (None, NaN or whitespace)."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


def _container_problem(path: Path) -> str | None:
    """Return ``encrypted_file`` or ``xls_renamed`` for an OLE file posing as .xlsx, else None."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head != _CFB:
            return None
        rest = fh.read(1 << 20)
    return "encrypted_file" if _ENCRYPTED in rest else "xls_renamed"


def read_workbook(path: Path, file: str) -> tuple[list[Sheet], list[Finding]]:
    """Read every data sheet of an .xlsx workbook.

    Only visible sheets whose name equals a table title (or id) are data; copies
    (``… (2)``), hidden sheets and unknown sheets each get a finding; a workbook
    without worksheets or without any data sheet gets one too.
    """
    import openpyxl

    problem = _container_problem(path)
    if problem:
        return [], [make("error", problem, file=file)]
    findings: list[Finding] = []
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        # A second, formula-preserving load only when some sheet has formulas.
        formulas = openpyxl.load_workbook(path, data_only=False) if _has_formulas(path) else None
    except Exception as exc:  # noqa: BLE001 - any failure to parse is the submitter's problem
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return [], [make("error", "unreadable_file", file=file, detail=detail)]
    if not wb.worksheets:
        return [], [make("error", "no_worksheets", file=file)]
    sheets: list[Sheet] = []
    titles = "、".join(t.title for t in schema.TABLES.values())
    try:
        for ws in wb.worksheets:
            if is_non_data_sheet(ws.title):
                continue
            table = table_for_name(ws.title)
            blank = ws.max_row <= 1 and ws.max_column <= 1 and ws.cell(1, 1).value is None
            if ws.sheet_state != "visible":
                if not blank:
                    findings.append(make("warning", "hidden_sheet", file=file, sheet=ws.title))
                continue
            if table is None:
                if blank:
                    continue  # an untouched blank sheet such as Excel's default "Sheet1"
                original = copy_of(ws.title)
                if original is not None:
                    findings.append(
                        make(
                            "warning",
                            "sheet_copy",
                            file=file,
                            sheet=ws.title,
                            detail=original.title,
                        )
                    )
                    continue
                findings.append(
                    make(
                        "error",
                        "unknown_sheet",
                        file=file,
                        sheet=ws.title,
                        detail=ws.title,
                        allowed=titles,
                    )
                )
                continue
            rows = [
                [shown_value(c.value, c.number_format) for c in r]
                for r in ws.iter_rows(min_row=1, min_col=1)
            ]
            merges = [
                (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                for m in ws.merged_cells.ranges
            ]
            if formulas is not None:
                _mark_uncached_formulas(formulas[ws.title], rows)
            region = _region(rows, file, ws.title, table, findings, merges=merges)
            if region is not None:
                sheets.append(region)
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()
    if not sheets and not any(f.file == file for f in findings):
        findings.append(make("warning", "file_without_data", file=file, allowed=titles))
    return sheets, findings


def _has_formulas(path: Path) -> bool:
    """Return True if any worksheet XML in the .xlsx holds a formula element (``<f>``)."""
    import zipfile

    pattern = re.compile(rb"<(?:\w+:)?f[ >/]")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with z.open(name) as fh:
                    if pattern.search(fh.read()):
                        return True
    return False


def _mark_uncached_formulas(ws_formulas, rows: list[list]) -> None:
    """Replace empty values of formula cells (no cached result) with a marker."""
    for r, row in enumerate(ws_formulas.iter_rows(min_row=1, min_col=1)):
        for c, cell in enumerate(row):
            if cell.data_type == "f" and r < len(rows) and c < len(rows[r]):
                if rows[r][c] is None:
                    rows[r][c] = FORMULA_WITHOUT_VALUE


def detect_encoding(head: bytes) -> str | None:
    """Return the codec to read a CSV with: utf-8-sig, else gb18030 (a superset of GBK), else None."""
    for codec in ("utf-8-sig", "gb18030"):
        try:
            codecs.decode(head, codec)
            return codec
        except UnicodeDecodeError:
            continue
    return None


def _dialect(sample: str) -> str:
    """Return the CSV delimiter: sniffed among ``, ; tab |``, else a comma."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_grid(text: str) -> tuple[list[list], list[int]]:
    """Split CSV *text* into rows of cells (None for empty) and their spreadsheet row numbers.

    Rows may have any number of fields (ragged rows anywhere are kept, not an error);
    a quoted line break stays inside its cell, so row numbers count records as a
    spreadsheet opening the file shows them (1 = the first line).
    """
    sample = "\n".join(text[:65536].splitlines()[:50])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(sample))
    rows = [[v if v != "" else None for v in rec] for rec in reader]
    return rows, list(range(1, len(rows) + 1))


def read_csv(path: Path, file: str) -> tuple[list[Sheet], list[Finding]]:
    """Read a CSV file (UTF-8, UTF-8 with BOM or GBK; any delimiter of ``, ; tab |``) as one table."""
    data = path.read_bytes()
    if not data.strip():
        return [], [make("error", "empty_file", file=file)]
    encoding = detect_encoding(data)
    if encoding is None:
        return [], [make("error", "bad_encoding", file=file)]
    try:
        rows, numbers = csv_grid(data.decode(encoding))
    except csv.Error as exc:
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return [], [make("error", "unreadable_file", file=file, detail=detail)]
    table = table_for_name(path.stem)
    if table is None:
        top = rows[:HEADER_SEARCH_ROWS]
        score, name = max((len(match_header(top, t)[1]), t.name) for t in schema.TABLES.values())
        if score < 2:
            allowed = "、".join(schema.TABLES)
            return [], [make("error", "unknown_table", file=file, allowed=allowed)]
        table = schema.TABLES[name]
    findings: list[Finding] = []
    region = _region(rows, file, "", table, findings, row_numbers=numbers)
    return ([region] if region else []), findings


def read_source(path: Path, file: str) -> tuple[list[Sheet], list[Finding]]:
    """Read one submitted file; never raises for bad content (problems become findings)."""
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            return [], [make("error", "empty_file", file=file)]
        if suffix in (".xlsx", ".xlsm"):
            return read_workbook(path, file)
        if suffix == ".csv":
            return read_csv(path, file)
    except OSError as exc:
        return [], [make("error", "unreadable_file", file=file, detail=str(exc)[:200])]
    return [], [make("error", "unsupported_file", file=file, detail=suffix)]


def discover(dataset_dir: Path) -> list[Path]:
    """Return the submission files under *dataset_dir*, sorted (Excel lock files skipped)."""
    out = []
    for p in sorted(dataset_dir.rglob("*")):
        if not p.is_file() or p.name.startswith(("~$", ".")):
            continue
        if p.suffix.lower() in DATA_SUFFIXES + UNSUPPORTED_SUFFIXES:
            out.append(p)
    return out
