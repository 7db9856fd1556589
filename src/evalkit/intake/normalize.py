"""Normalization of submitted cell values: zones, enumerations, numbers with units, dates.

Every parser here takes one raw cell value and returns ``(value, problem)`` where
*problem* is ``None`` for a good value, ``"missing"`` for an empty cell, or a short
code naming what is wrong (``"bad_number"``, ``"bad_date"``, ``"excel_error"`` …).
:func:`map_series` applies a parser to a whole column by parsing each *distinct*
value once (months, zones and enumerations repeat a lot), so large tables need no
per-row Python loop; numeric columns take a fully vectorized fast path first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import schema
from .cells import Marker

#: Excel error values as openpyxl returns them (and as they appear in CSV exports).
EXCEL_ERRORS = frozenset(
    {"#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#GETTING_DATA", "#SPILL!"}
)

#: Cell texts that mean "nothing submitted".
EMPTY_MARKERS = frozenset(
    {"", "-", "--", "—", "——", "/", "NA", "N/A", "n/a", "null", "None", "nan"}
)

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER_UNIT = re.compile(r"^(?P<num>.*?)(?P<unit>亿元|万元|元|亿|万|%|年)$")
_YMD = re.compile(r"^(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?$")
#: A date with a time of day as CSV exports write it: ``2026/3/15 0:00``, ``2026-04-02T14:30:00``.
_YMD_TIME = re.compile(
    r"^(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?(?:T|\s+)"
    r"\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?(?:\s*(?:AM|PM|am|pm))?$"
)
#: A period label such as ``2026年1-9月`` or ``2026年1月至9月`` (a span, not one month).
_PERIOD = re.compile(r"^(\d{4})年?(\d{1,2})月?[-~—至到](\d{1,2})月?$")
#: Excel serial numbers accepted as dates: 2000-01-01 … 2099-12-31 (others are not dates).
SERIAL_MIN, SERIAL_MAX = 36526, 73415
#: Characters removed from keys and text: Unicode format characters (Cf: U+200B, U+FEFF, …).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_YM = re.compile(r"^(\d{4})[年\-/.](\d{1,2})月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_QUARTER = re.compile(r"^(\d{4})年?(?:第)?([1-4一二三四])季度?$|^(\d{4})-?[Qq]([1-4])$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}

Parsed = tuple[object, str | None]


class FormulaWithoutValue:
    """Marker for a formula cell that has no cached value (the file was never saved by Excel)."""

    def __repr__(self) -> str:
        return "=(公式未计算)"

    def __str__(self) -> str:
        return "=(公式未计算 formula not computed)"


FORMULA_WITHOUT_VALUE = FormulaWithoutValue()


def strip_invisible(text: str) -> str:
    """Remove Unicode format characters (category Cf, e.g. U+200B, U+FEFF) from *text*."""
    text = _INVISIBLE.sub("", text)
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def fold(value: object) -> str:
    """Return *value* as text: format characters removed, NFKC-folded, trimmed.

    NFKC turns full-width forms and non-breaking / full-width spaces into plain ones.
    """
    return unicodedata.normalize("NFKC", strip_invisible(str(value))).strip()


def reveal(text: str) -> str:
    """Return *text* with invisible and unusual space characters shown as ``<U+XXXX>``.

    Used in messages, so a rejected value never looks identical to an allowed one.
    """
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cf", "Cc", "Zl", "Zp") or (cat == "Zs" and ch != " "):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


def key(value: object) -> str:
    """Return the comparison key of a label or alias: NFKC-folded with all whitespace removed."""
    return _WS.sub("", fold(value))


def is_empty(value: object) -> bool:
    """Return True for None, NaN and the texts that mean "nothing submitted"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and fold(value) in EMPTY_MARKERS


def _common(value: object) -> Parsed | None:
    """Return the result for empty cells and Excel error values, else None (parse further)."""
    if value is FORMULA_WITHOUT_VALUE:
        return None, "formula_no_value"
    if isinstance(value, Marker):
        return None, value.problem
    if is_empty(value):
        return None, "missing"
    if isinstance(value, str) and fold(value).upper() in EXCEL_ERRORS:
        return None, "excel_error"
    return None


# --- text, identifiers, enumerations ----------------------------------------------


def parse_text(value: object) -> Parsed:
    """Parse free text: trimmed, internal runs of whitespace collapsed to one space."""
    if (hit := _common(value)) is not None:
        return hit
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as a number shows as 12.0 in pandas
    if isinstance(value, dt.datetime | dt.date):
        return None, "bad_text"
    return _WS.sub(" ", strip_invisible(str(value)).strip()), None


def parse_identifier(value: object) -> Parsed:
    """Parse an identifier: full-width folded, whitespace removed (``ＸＭ 001`` is ``XM001``)."""
    text, problem = parse_text(value)
    return (key(text), None) if problem is None else (None, problem)


def enum_lookup(enum: dict[str, str]) -> dict[str, str]:
    """Return key(id or Chinese label) → id for an enumeration (zone aliases included for zones)."""
    table = {key(k): k for k in enum}
    table.update({key(label): k for k, label in enum.items()})
    if enum is schema.ZONES:
        table.update({key(alias): zone for alias, zone in schema.ZONE_ALIASES.items()})
    return table


def enum_parser(enum: dict[str, str]) -> Callable[[object], Parsed]:
    """Return a parser mapping an id or Chinese label (or zone alias) to the enumeration id."""
    lookup = enum_lookup(enum)

    def parse(value: object) -> Parsed:
        if (hit := _common(value)) is not None:
            return hit
        found = lookup.get(key(value))
        return (found, None) if found is not None else (None, "bad_enum")

    return parse


def normalize_zone(value: object) -> str | None:
    """Return the zone id for a zone id, name or alias (``肇东市`` → ``zhaodong``), else None."""
    return enum_parser(schema.ZONES)(value)[0]


# --- numbers -----------------------------------------------------------------------


def number_parser(*, money: bool, integer: bool = False) -> Callable[[object], Parsed]:
    """Return a parser for numbers: full-width digits, thousands separators, a unit suffix.

    For money columns a cell may carry its own unit (``1.2亿元``, ``3,000万``, ``500元``),
    which overrides the header's; the value returned is in the header's unit scale of
    万元 (so the caller multiplies only values *without* a cell unit by the header factor).
    Returns ``(value, problem)`` with value a tuple ``(number, has_own_unit)``.
    """

    def parse(value: object) -> Parsed:
        if (hit := _common(value)) is not None:
            return hit
        if isinstance(value, bool) or isinstance(value, dt.datetime | dt.date):
            return None, "bad_number"
        if isinstance(value, int | float | np.integer | np.floating):
            number, own = float(value), False
        else:
            text = key(value)
            own = False
            scale = 1.0
            m = _NUMBER_UNIT.match(text)
            if m:
                unit = m.group("unit")
                if unit in ("亿元", "亿", "万元", "万", "元"):
                    if not money:
                        return None, "bad_number"
                    scale = schema.MONEY_UNITS[unit if unit.endswith("元") else unit + "元"]
                    own = True
                text = m.group("num")
            if _THOUSANDS.match(text):
                text = text.replace(",", "")
            try:
                number = float(text) * scale
            except ValueError:
                return None, "bad_number"
        if not math.isfinite(number):
            return None, "bad_number"
        if integer and not float(number).is_integer():
            return None, "not_integer"
        return (number, own), None

    return parse


# --- dates -------------------------------------------------------------------------


def _ymd(y: int, m: int, d: int) -> Parsed:
    """Return a Timestamp for y-m-d or the ``bad_date`` problem (e.g. 2024-02-30)."""
    try:
        return pd.Timestamp(dt.date(y, m, d)), None
    except ValueError:
        return None, "bad_date"


def _date_from_number(number: float) -> Parsed:
    """Interpret a number as yyyymmdd, yyyymm or an Excel serial date."""
    if not math.isfinite(number):
        return None, "bad_date"
    if not float(number).is_integer():
        # A fractional serial carries a time of day: keep the day.
        number = math.floor(number)
    n = int(number)
    if 19000101 <= n <= 21001231:
        return _ymd(n // 10000, n // 100 % 100, n % 100)
    if 190001 <= n <= 210012:
        return _ymd(n // 100, n % 100, 1)
    if SERIAL_MIN <= n <= SERIAL_MAX:
        return _EXCEL_EPOCH + pd.Timedelta(days=n), None
    return None, "bad_serial"


def parse_date(value: object) -> Parsed:
    """Parse a date: datetime cells, Excel serials, ``2024年9月3日``, ``2024.9.3``, ``2024/9``.

    The one parser for every date form an Excel or WPS export writes: separators
    ``- / . 年月日``, an optional time of day (``2026/3/15 0:00``, ``2026-04-02T14:30``,
    which is dropped), compact ``20240903`` / ``202409``, quarters (``2024Q3``,
    ``2024年第三季度``) and Excel serial numbers within 2000–2099
    (:data:`SERIAL_MIN`..:data:`SERIAL_MAX`). A month without a day (``2024年9月``)
    means the first of that month. Problems: ``bad_serial`` (a number that is not a
    plausible serial, e.g. 2024 typed into a date cell — never a silent 1905 date),
    ``period_label`` (``2026年1-9月``, a span), ``bad_date`` (anything else).
    """
    if (hit := _common(value)) is not None:
        return hit
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value).normalize(), None
    if isinstance(value, bool):
        return None, "bad_date"
    if isinstance(value, int | float | np.integer | np.floating):
        return _date_from_number(float(value))
    if m := _YMD_TIME.match(_WS.sub(" ", fold(value))):
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    text = key(value)
    if _PERIOD.match(text):
        return None, "period_label"
    if m := _YMD.match(text):
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _YM.match(text):
        return _ymd(int(m.group(1)), int(m.group(2)), 1)
    if m := _QUARTER.match(text):
        year = m.group(1) or m.group(3)
        q = m.group(2) or m.group(4)
        q = _CN_DIGITS.get(q, None) or int(q)
        return _ymd(int(year), 3 * (q - 1) + 1, 1)
    if m := _COMPACT.match(text):
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    try:
        return _date_from_number(float(text))
    except ValueError:
        return None, "bad_date"


def parse_month(value: object) -> Parsed:
    """Parse a month (any date form); the result is the first day of that month."""
    stamp, problem = parse_date(value)
    if problem is not None:
        return None, problem
    return stamp.replace(day=1), None


def parse_quarter(value: object) -> Parsed:
    """Parse a quarter (``2024Q3``, ``2024年第三季度`` or any month of it) → its first month."""
    stamp, problem = parse_month(value)
    if problem is not None:
        return None, problem
    return stamp.replace(month=3 * ((stamp.month - 1) // 3) + 1), None


def parse_bool(value: object) -> Parsed:
    """Parse 是/否, yes/no, true/false, 1/0."""
    if (hit := _common(value)) is not None:
        return hit
    text = key(value).lower()
    if text in {"是", "yes", "y", "true", "1", "1.0"}:
        return True, None
    if text in {"否", "no", "n", "false", "0", "0.0"}:
        return False, None
    return None, "bad_bool"


# --- whole columns -----------------------------------------------------------------


def map_series(
    series: pd.Series, parse: Callable[[object], Parsed], kind: str = "object"
) -> tuple[object, np.ndarray]:
    """Apply *parse* to each distinct value of *series*; return (values, problems).

    Distinct values are parsed once and broadcast back with the factorize codes, so
    cost grows with the number of distinct values, not rows. *kind* chooses the
    values' container: ``"object"`` (numpy objects), ``"str"`` (a pandas string
    array) or ``"datetime"`` (numpy ``datetime64[ns]``).
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = [parse(u) for u in uniques]
    codes = np.where(codes < 0, len(results), codes)
    problems = np.empty(len(results) + 1, dtype=object)
    problems[:-1] = [p for _, p in results]
    problems[-1] = "missing"
    parsed = [v for v, _ in results] + [None]
    if kind == "str":
        values = pd.array(parsed, dtype="str").take(codes)
    elif kind == "datetime":
        values = pd.to_datetime(pd.Series(parsed, dtype=object)).to_numpy("datetime64[ns]")[codes]
    else:
        values = np.empty(len(parsed), dtype=object)
        values[:] = parsed
        values = values[codes]
    return values, problems[codes]


_MARKERS = sorted(EMPTY_MARKERS - {""})
#: Text that needs no normalization: no leading/trailing/double spaces, no markers.
_PLAIN_TEXT = "[^\\s\u3000\u00a0]+( [^\\s\u3000\u00a0]+)*"
_PLAIN_ID = "[!-~]+"


def map_strings(series: pd.Series, parse: Callable[[object], Parsed], *, identifier: bool):
    """Parse a text column: values already in normal form skip the per-value parser.

    For CSV columns (pandas string dtype) the check is one vectorized regex; only
    the remaining values (spaces to trim, full-width forms, markers) are parsed.
    """
    if series.dtype == object or not len(series):
        return map_series(series, parse, "str")
    pattern = _PLAIN_ID if identifier else _PLAIN_TEXT
    plain = (
        series.str.fullmatch(pattern).fillna(False)
        & ~series.str.startswith("#").fillna(False)
        & ~series.isin(_MARKERS)
    ).to_numpy(dtype=bool)
    if plain.all():
        return series.array, np.full(len(series), None, dtype=object)
    rest = np.flatnonzero(~plain)
    values, probs = map_series(series.iloc[rest], parse, "str")
    out = series.array.copy()
    out[rest] = values
    problems = np.full(len(series), None, dtype=object)
    problems[rest] = probs
    return out, problems


def parse_numbers(series: pd.Series, *, money: bool, integer: bool, header_factor: float):
    """Parse a numeric column; return (float array, problems array).

    Plain numbers (the vast majority) go through :func:`pandas.to_numeric`; only the
    rest (units, separators, full-width digits, error values) are parsed one distinct
    value at a time. *header_factor* converts the header's unit to the canonical one.
    """
    n = len(series)
    out = np.full(n, np.nan)
    problems = np.full(n, None, dtype=object)
    if series.dtype == object:
        plain = series.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        fast = pd.to_numeric(series.where(plain), errors="coerce").to_numpy(dtype=float)
    else:
        fast = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(fast)
    out[ok] = fast[ok] * header_factor
    na = series.isna().to_numpy()
    problems[~ok & na] = "missing"
    rest = np.flatnonzero(~ok & ~na)
    if len(rest):
        values, probs = map_series(series.iloc[rest], number_parser(money=money, integer=integer))
        for j, (v, p) in enumerate(zip(values, probs, strict=True)):
            i = rest[j]
            if p is None:
                number, own = v
                out[i] = number if own else number * header_factor
            problems[i] = p
    if integer:
        bad = ok & ~np.isclose(out, np.round(out))
        problems[bad] = "not_integer"
        # Beyond 2**53 a float no longer holds every whole number: not a count anyone means.
        with np.errstate(invalid="ignore"):
            huge = np.abs(out) > 2**53
        problems[huge] = "bad_number"
        out[huge] = np.nan
    return out, problems
