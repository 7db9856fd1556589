"""Read submissions: Excel workbooks (openpyxl) and CSV files (UTF-8, UTF-8 with BOM, GBK).

A workbook sheet is matched to a table by its name (``Table.title``; the table id
also works); a CSV file by its file name, else by its headers. The header row is
found among the first rows (a title row or a two-row header above it is fine);
merged cells are filled with their top-left value; formulas are read as the value
Excel last computed. Each readable table region becomes a :class:`Sheet` whose
frame holds the raw cell values under the schema's column names plus ``_row``,
the row number as Excel (or a text editor, for CSV) shows it. Raw files are only
ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import schema
from .findings import Finding, make
from .normalize import FORMULA_WITHOUT_VALUE, fold, key

#: File types read as submissions; other spreadsheet formats are reported as unsupported.
DATA_SUFFIXES = (".xlsx", ".xlsm", ".csv")
UNSUPPORTED_SUFFIXES = (".xls", ".et", ".ods", ".numbers", ".wps")
#: How many rows from the top may hold titles and the header.
HEADER_SEARCH_ROWS = 10


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


def header_keys(table: schema.Table) -> dict[str, tuple[str, float]]:
    """Return header key → (column name, unit factor) for every accepted spelling of a header.

    Accepted: the template header (label and unit), the label alone, the column id,
    and for money columns the label with 元 / 万元 / 亿元 (converted to 万元).
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


def table_for_name(name: str) -> schema.Table | None:
    """Return the table whose title or id is *name* (sheet name or file stem), else None."""
    k = key(name)
    for table in schema.TABLES.values():
        if k in (key(table.title), key(table.name)):
            return table
    for table in schema.TABLES.values():
        if key(table.title) in k or key(table.name) in k:
            return table
    return None


def is_non_data_sheet(name: str) -> bool:
    """Return True for instruction, example and hidden list sheets (说明, 示例, _lists)."""
    return fold(name).startswith(schema.NON_DATA_SHEETS)


def _match_header(
    rows: list[list], keys: dict[str, tuple[str, float]]
) -> tuple[int, dict[int, tuple[str, float, str]]]:
    """Find the header row among *rows*; return (row index, col index → (name, factor, text)).

    For each candidate row a column's header may be the cell itself or, for two-row
    headers, the cell above joined with it. The row matching most columns wins.
    """
    best_row, best = -1, {}
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        found: dict[int, tuple[str, float, str]] = {}
        for c, cell in enumerate(rows[r]):
            if cell is None:
                continue
            candidates = [str(cell)]
            for up in range(r - 1, -1, -1):
                above = rows[up][c] if c < len(rows[up]) else None
                if above is not None:
                    candidates.append(f"{above}{candidates[-1]}")
            for text in candidates:
                hit = keys.get(key(text))
                if hit is not None:
                    found[c] = (hit[0], hit[1], str(cell).strip())
                    break
        if len(found) > len(best):
            best_row, best = r, found
    return best_row, best


def _region(
    rows: list[list],
    file: str,
    sheet: str,
    table: schema.Table,
    findings: list[Finding],
    *,
    row_numbers: list[int] | None = None,
) -> Sheet | None:
    """Turn a grid of cells into a :class:`Sheet` (None with findings when the header is wrong)."""
    keys = header_keys(table)
    where = {"table": table.name, "file": file, "sheet": sheet}
    h, mapping = _match_header(rows, keys)
    all_headers = "、".join(c.header for c in table.columns if c.required)
    if h < 0:
        findings.append(
            make("error", "no_header", **where, detail=HEADER_SEARCH_ROWS, allowed=all_headers)
        )
        return None
    header_row = rows[h]
    excel_header_row = row_numbers[h] if row_numbers else h + 1
    seen: dict[str, int] = {}
    for c, (name, _, text) in sorted(mapping.items()):
        if name in seen:
            findings.append(
                make("error", "duplicate_column", **where, row=excel_header_row, detail=text)
            )
        seen.setdefault(name, c)
    for c, cell in enumerate(header_row):
        if c not in mapping and cell is not None and fold(cell):
            findings.append(
                make(
                    "warning",
                    "unknown_column",
                    **where,
                    row=excel_header_row,
                    column=str(cell).strip(),
                    detail=str(cell).strip(),
                )
            )
    width = max((len(r) for r in rows[h + 1 :]), default=0)
    for c in range(width):
        labelled = c < len(header_row) and header_row[c] is not None and fold(header_row[c])
        if c in mapping or labelled:
            continue
        if any(c < len(r) and not _blank(r[c]) for r in rows[h + 1 :]):
            findings.append(
                make("warning", "unlabelled_data", **where, row=excel_header_row, detail=_letter(c))
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
    data = rows[h + 1 :]
    numbers = row_numbers[h + 1 :] if row_numbers else list(range(h + 2, h + 2 + len(data)))
    cols = {name: c for name, c in seen.items()}
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
    headers = {name: str(header_row[c]).strip() for name, c in cols.items()}
    factors = {name: mapping[c][1] for name, c in cols.items()}
    # Rows under wrong headers are still counted (and quarantined) so nothing is lost.
    return Sheet(file, sheet, table.name, frame, headers, factors, broken=bool(missing))


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


def read_workbook(path: Path, file: str) -> tuple[list[Sheet], list[Finding]]:
    """Read every data sheet of an .xlsx workbook."""
    import openpyxl

    findings: list[Finding] = []
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        # A second, formula-preserving load only when some sheet has formulas.
        formulas = openpyxl.load_workbook(path, data_only=False) if _has_formulas(path) else None
    except Exception as exc:  # noqa: BLE001 - any failure to parse is the submitter's problem
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return [], [make("error", "unreadable_file", file=file, detail=detail)]
    sheets: list[Sheet] = []
    titles = "、".join(t.title for t in schema.TABLES.values())
    try:
        for ws in wb.worksheets:
            if is_non_data_sheet(ws.title):
                continue
            table = table_for_name(ws.title)
            if table is None:
                if ws.max_row <= 1 and ws.max_column <= 1 and ws.cell(1, 1).value is None:
                    continue  # an untouched blank sheet such as Excel's default "Sheet1"
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
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            _fill_merged(ws, rows)
            if formulas is not None:
                _mark_uncached_formulas(formulas[ws.title], rows)
            region = _region(rows, file, ws.title, table, findings)
            if region is not None:
                sheets.append(region)
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()
    return sheets, findings


def _has_formulas(path: Path) -> bool:
    """Return True if any worksheet XML in the .xlsx holds a formula element (``<f>``)."""
    import re
    import zipfile

    pattern = re.compile(rb"<(?:\w+:)?f[ >/]")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with z.open(name) as fh:
                    if pattern.search(fh.read()):
                        return True
    return False


def _fill_merged(ws, rows: list[list]) -> None:
    """Give every cell of a merged range its top-left value (merged headers, merged zones)."""
    for rng in ws.merged_cells.ranges:
        value = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            row = rows[r]
            if len(row) < rng.max_col:
                row.extend([None] * (rng.max_col - len(row)))
            for c in range(rng.min_col - 1, rng.max_col):
                row[c] = value


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


def read_csv(path: Path, file: str) -> tuple[list[Sheet], list[Finding]]:
    """Read a CSV file (UTF-8, UTF-8 with BOM or GBK) as one table."""
    data = path.read_bytes()
    if not data.strip():
        return [], [make("error", "empty_file", file=file)]
    encoding = detect_encoding(data)
    if encoding is None:
        return [], [make("error", "bad_encoding", file=file)]
    try:
        # A title row above the header has fewer fields: size the grid from the widest top row.
        top_lines = (
            data[:65536].decode(encoding, errors="replace").splitlines()[: HEADER_SEARCH_ROWS + 1]
        )
        width = max(len(r) for r in csv.reader(top_lines)) if top_lines else 1
        grid = pd.read_csv(
            io.BytesIO(data),  # the bytes already read: the file is not read twice
            encoding=encoding,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return [], [make("error", "unreadable_file", file=file, detail=detail)]
    table = table_for_name(path.stem)
    top = [_cells(grid.iloc[r]) for r in range(min(len(grid), HEADER_SEARCH_ROWS))]
    if table is None:
        scored = [
            (len(_match_header(top, header_keys(t))[1]), t.name) for t in schema.TABLES.values()
        ]
        score, name = max(scored)
        if score < 2:
            allowed = "、".join(schema.TABLES)
            return [], [make("error", "unknown_table", file=file, allowed=allowed)]
        table = schema.TABLES[name]
    return _csv_region(grid, top, file, table)


def _cells(row: pd.Series) -> list:
    """Return a CSV row as a list with None for empty cells."""
    return [None if (isinstance(v, float) or v is None) else v for v in row.tolist()]


def _csv_region(
    grid: pd.DataFrame, top: list[list], file: str, table: schema.Table
) -> tuple[list[Sheet], list[Finding]]:
    """Map a CSV grid's columns to the table without touching rows one by one."""
    findings: list[Finding] = []
    h, mapping = _match_header(top, header_keys(table))
    if h < 0:
        region = _region(top, file, "", table, findings)
        return ([region] if region else []), findings
    # Reuse the workbook logic on the header rows only, then attach the data columns.
    head = _region(top[: h + 1], file, "", table, findings)
    if head is None:
        return [], findings
    by_name: dict[str, int] = {}
    for c, (name, _, _) in sorted(mapping.items()):
        by_name.setdefault(name, c)
    body = grid.iloc[h + 1 :]
    for c in range(grid.shape[1]):
        if c in mapping or (c < len(top[h]) and top[h][c] is not None):
            continue
        if body.iloc[:, c].notna().any():
            findings.append(
                make(
                    "warning",
                    "unlabelled_data",
                    table=table.name,
                    file=file,
                    row=h + 1,
                    detail=_letter(c),
                )
            )
    frame = pd.DataFrame(index=range(len(body)))
    for col in table.columns:
        if col.name in by_name:
            frame[col.name] = body.iloc[:, by_name[col.name]].reset_index(drop=True)
        else:
            frame[col.name] = pd.Series([None] * len(body), dtype=object)
    frame["_row"] = pd.RangeIndex(h + 2, h + 2 + len(body)).to_numpy()
    blank = body.isna().all(axis=1).to_numpy()
    frame = frame.loc[~blank].reset_index(drop=True)
    sheet = Sheet(file, "", table.name, frame, head.headers, head.factors, broken=head.broken)
    return [sheet], findings


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
