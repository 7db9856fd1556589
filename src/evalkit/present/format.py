"""The one number formatter for pages, tables and narrative.

Rules (the same on every page):

- missing (``None``, NaN, ±inf, ``pd.NA``) → ``"—"`` (:data:`MISSING`);
- an exact zero → ``"0"`` (``"0%"`` for shares and growth), never ``"0.0"`` or ``"-0"``;
- thousands separators always (``12,345.6``);
- decimals by unit (:data:`UNIT_DIGITS`): money in 万元 one decimal, 亿元 two, counts
  (:data:`COUNT_UNITS`: 项, 个, 家, 列 …) whole numbers, tonnes whole numbers,
  percentages, hours and days one decimal; any other unit one decimal;
- shares and growth are fractions (0.123) shown as percent with one decimal
  (``12.3%``; growth signed, ``+12.3%``); changes in percentage points with
  :func:`fmt_points`;
- a value that rounds to zero never shows a minus sign (``0.0``, not ``-0.0``).

Wrappers name the common cases: :func:`fmt_money`, :func:`fmt_count`,
:func:`fmt_share`, :func:`fmt_growth`, :func:`fmt_points`; all go through
:func:`fmt_number`.
"""

from __future__ import annotations

import math
import numbers

import pandas as pd

#: Shown for a missing value.
MISSING = "—"

#: Units whose values are counted: shown as whole numbers.
COUNT_UNITS: frozenset[str] = frozenset(
    {"项", "个", "条", "家", "列", "件", "人", "次", "户", "宗", "座", "处", "县", "片区"}
)

#: Decimals per unit (counts: see :data:`COUNT_UNITS`; any other unit: :data:`DEFAULT_DIGITS`).
UNIT_DIGITS: dict[str, int] = {
    "万元": 1,
    "亿元": 2,
    "元": 0,
    "吨": 0,
    "万吨": 1,
    "万件": 1,
    "%": 1,
    "小时": 1,
    "天": 1,
}
DEFAULT_DIGITS = 1


def is_missing(value) -> bool:
    """Return True for ``None``, ``pd.NA``/``NaT``, NaN and ±inf (what prints as ``"—"``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return not math.isfinite(float(value))
    return False


def digits_for(unit: str | None) -> int:
    """Return the number of decimals for *unit* (0 for counts, see :data:`UNIT_DIGITS`)."""
    if unit in COUNT_UNITS:
        return 0
    return UNIT_DIGITS.get(unit or "", DEFAULT_DIGITS)


def _plain(x: float, digits: int, signed: bool) -> str:
    """Format finite *x*; zero as ``0``; no minus (and no plus) on a value rounding to zero."""
    if x == 0:
        return "0"
    text = f"{x:{'+' if signed else ''},.{digits}f}"
    if float(f"{x:.{digits}f}") == 0:  # rounds to zero: drop any sign
        text = text.lstrip("+-")
    return text


def fmt_number(
    value,
    unit: str | None = None,
    *,
    digits: int | None = None,
    signed: bool = False,
    with_unit: bool = False,
) -> str:
    """Return *value* (a level in *unit*) as page text.

    *digits* overrides the unit's decimals; *signed* puts ``+`` before positive
    values (changes); *with_unit* appends the unit (``12,345.6 万元``; ``%`` is
    attached: ``88.5%``). Missing values give :data:`MISSING` without a unit.
    Raises TypeError for a non-numeric value.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"fmt_number expects a number, got {value!r}")
    text = _plain(float(value), digits_for(unit) if digits is None else int(digits), signed)
    if with_unit and unit:
        return f"{text}%" if unit == "%" else f"{text} {unit}"
    return text


def fmt_money(value, unit: str = "万元", *, with_unit: bool = False) -> str:
    """Return money in *unit* (default 万元, one decimal): ``12,345.6``."""
    return fmt_number(value, unit, with_unit=with_unit)


def fmt_count(value, unit: str | None = None, *, with_unit: bool = False) -> str:
    """Return a count as a whole number with separators: ``1,234`` (``1,234 项`` with unit)."""
    return fmt_number(value, unit, digits=0, with_unit=with_unit)


def fmt_share(value, digits: int = 1) -> str:
    """Return the fraction *value* as a percentage: ``0.123`` → ``12.3%``; zero → ``0%``."""
    if is_missing(value):
        return MISSING
    return fmt_number(100 * float(value), digits=digits) + "%"


def fmt_growth(value, digits: int = 1) -> str:
    """Return the growth rate *value* (a fraction) signed: ``0.123`` → ``+12.3%``; zero → ``0%``."""
    if is_missing(value):
        return MISSING
    return fmt_number(100 * float(value), digits=digits, signed=True) + "%"


def fmt_points(value, digits: int = 1) -> str:
    """Return a change of a percentage in points, signed: ``1.25`` → ``+1.3 个百分点``."""
    if is_missing(value):
        return MISSING
    return fmt_number(float(value), digits=digits, signed=True) + " 个百分点"
