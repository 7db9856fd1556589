"""The header block of a submitted table: which row is the header, which column is which, units.

A header may span several rows (merged cells, a group header over sub-headers, a
unit such as ``（亿元）`` in a lower row) and titles or a ``单位：元`` line may sit
above it. :func:`match_header` finds the last row of the header block and maps each
column to a contract column with the unit factor that converts its values to the
contract unit (money: 万元). Units are read from the column's own header cells
first, then from a unit line anywhere in the header block; a money column whose
header has no unit at all is read in the template unit and reported
(:func:`unit_findings`), never silently guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import schema
from .normalize import fold, key

#: How many rows from the top may hold titles and the header.
HEADER_SEARCH_ROWS = 10

#: A unit in brackets (after :func:`key`, so full-width brackets are ASCII): ``(亿元)``.
_BRACKET_UNIT = re.compile(r"\((?:单位[:：]?)?([^()]{1,8})\)")
#: A unit line: ``单位：元``, ``金额单位:万元``.
_UNIT_LINE = re.compile(r"单位[:：]?(亿元|万元|元)")
_MONEY = {"亿元": "亿元", "万元": "万元", "元": "元", "亿": "亿元", "万": "万元"}


@dataclass(frozen=True)
class HeaderHit:
    """One recognised header cell: contract column, unit factor, submitted text, unit stated."""

    name: str
    factor: float
    text: str
    unit: str | None


def _labels(table: schema.Table) -> dict[str, schema.Column]:
    """Return unit-free header key → column (label, column id and template header)."""
    out: dict[str, schema.Column] = {}
    for col in table.columns:
        for text in (col.name, col.label, col.header):
            out.setdefault(_strip_units(key(text))[0], col)
    return out


def _strip_units(text: str) -> tuple[str, list[str]]:
    """Return *text* (a key) without bracketed units, and the units found."""
    units = _BRACKET_UNIT.findall(text)
    return _BRACKET_UNIT.sub("", text), units


def _resolve(parts: list[str], labels: dict[str, schema.Column]) -> HeaderHit | None:
    """Resolve a column's header texts (top → bottom, the cell last) to a contract column.

    Tried: the cell alone, then the cell joined with the texts above it in either order
    (a group header "到位资金（万元）" over "当月" gives "当月到位资金" in 万元).
    """
    cell = parts[-1]
    above = [p for p in parts[:-1] if p != cell]
    candidates = [[cell]]
    for k in range(1, len(above) + 1):
        near = above[-k:]
        candidates += [near + [cell], [cell] + near[::-1]]
    for combo in candidates:
        stripped = [_strip_units(key(p)) for p in combo]
        label = "".join(s for s, _ in stripped)
        units = [u for _, us in stripped for u in us]
        col = labels.get(label)
        if col is None or not label:
            continue
        factor, unit = 1.0, None
        if units:
            unit = units[-1]
            if col.unit == "万元":
                if unit not in _MONEY:
                    continue  # "签约金额（吨）" is not the money column
                factor = schema.MONEY_UNITS[_MONEY[unit]]
        text = "".join(str(p).strip() for p in combo) if len(combo) > 1 else str(cell).strip()
        return HeaderHit(col.name, factor, text, unit)
    return None


def _column_parts(rows: list[list], r: int, c: int) -> list[str]:
    """Return the non-empty texts of column *c* from the top down to row *r* (deduplicated)."""
    out: list[str] = []
    for up in range(r + 1):
        v = rows[up][c] if c < len(rows[up]) else None
        if v is None or not fold(v):
            continue
        text = str(v)
        if not out or key(out[-1]) != key(text):
            out.append(text)
    return out


def match_header(rows: list[list], table: schema.Table) -> tuple[int, dict[int, HeaderHit]]:
    """Find the header row among *rows*; return (row index, column index → :class:`HeaderHit`).

    The row matching most columns wins; on a tie the lower row wins, so a two-row
    header whose lower row only adds units (or repeats merged labels) ends the block.
    Returns ``(-1, {})`` when no row matches any column.
    """
    labels = _labels(table)
    best_row, best = -1, {}
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        found: dict[int, HeaderHit] = {}
        for c, cell in enumerate(rows[r]):
            if cell is None or not fold(cell):
                continue
            parts = _column_parts(rows, r, c)
            if not parts or key(parts[-1]) != key(cell):
                parts.append(str(cell))
            hit = _resolve(parts, labels)
            if hit is not None:
                found[c] = hit
        if found and len(found) >= len(best):
            best_row, best = r, found
    return best_row, best


def unit_lines(rows: list[list], h: int, mapped: set[int]) -> list[str]:
    """Return the money units stated by ``单位：…`` text in the header block (rows ≤ *h*).

    Cells of the header row that are recognised headers (*mapped*) are not unit lines.
    """
    found: list[str] = []
    for r in range(min(h + 1, len(rows))):
        for c, v in enumerate(rows[r]):
            if v is None or (r == h and c in mapped):
                continue
            for unit in _UNIT_LINE.findall(key(v)):
                if unit not in found:
                    found.append(unit)
    return found
