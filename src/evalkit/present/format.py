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

Styles for pages whose committed display predates these rules (each topic formats
through this module; none keeps a private copy):

- :func:`fmt_fixed` — a fixed number of decimals exactly as Python's format spec
  (zero keeps its decimals, ``0.000``; a value rounding to zero keeps its sign,
  ``-0.0%``); optional sign, separators, percent (fraction × 100) and suffix.
  Statistical estimates (impact: three decimals), composite scores and shares,
  investment growth and shares;
- :func:`fmt_percent` — a fraction as percent in the fixed style (``12.3%``,
  ``0.0%``, no separators); shares, rates and growth;
- :func:`fmt_change` — a signed change with one decimal: percent of a fraction
  (``+12.3%``) or percentage points (``+1.5 个百分点``); logistics tables;
- :func:`fmt_level` — an indicator level with its unit: whole numbers from 100 up,
  one decimal below 100 unless whole, always one decimal for ``%`` and ``小时``
  (:data:`LEVEL_DECIMAL_UNITS`); logistics;
- :func:`fmt_compact` — whole values without decimals, others with one
  (``12`` / ``12.5``); counts and days in the reforms narrative;
- :func:`fmt_p_value` — a p-value with three decimals, ``<0.001`` below that;
- :func:`for_page` — a table with every missing cell shown as :data:`MISSING`.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the editions format values without pandas
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


def is_pandas_na(value) -> bool:
    """Return True for pandas' ``NA`` and ``NaT``.

    pandas is not imported for this: a value can only be one of them once pandas is
    (``sys.modules``), so the editions, which never hold a pandas value, never load it.
    """
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def is_missing(value) -> bool:
    """Return True for ``None``, ``pd.NA``/``NaT``, NaN and ±inf (what prints as ``"—"``)."""
    if value is None or is_pandas_na(value):
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


#: Units whose levels always show one decimal in :func:`fmt_level`.
LEVEL_DECIMAL_UNITS: frozenset[str] = frozenset({"%", "小时"})

#: Below this a p-value shows as ``<0.001`` (:func:`fmt_p_value`).
P_VALUE_FLOOR = 0.001


def _finite(value, name: str) -> float:
    """Return *value* as float; raise TypeError for a non-numeric value (bools included)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"{name} expects a number, got {value!r}")
    return float(value)


def fmt_fixed(
    value,
    digits: int = 1,
    *,
    signed: bool = False,
    grouping: bool = True,
    percent: bool = False,
    suffix: str = "",
    missing: str = MISSING,
) -> str:
    """Return *value* with exactly *digits* decimals, as Python's format spec writes it.

    Unlike :func:`fmt_number`, zero keeps its decimals (``0.0``) and a value that
    rounds to zero keeps its sign (``-0.0``): the style of statistical tables and of
    columns with fixed decimals. *signed* writes ``+`` before non-negative values;
    *grouping* puts thousands separators; *percent* shows the fraction *value* × 100
    followed by ``%``; *suffix* is appended after that (e.g. ``" 个百分点"``).
    Missing values (:func:`is_missing`) give *missing*. Raises TypeError for a
    non-numeric value.
    """
    if is_missing(value):
        return missing
    x = _finite(value, "fmt_fixed")
    if percent:
        x = x * 100
    spec = f"{'+' if signed else ''}{',' if grouping else ''}.{int(digits)}f"
    return f"{x:{spec}}" + ("%" if percent else "") + suffix


def fmt_percent(value, digits: int = 1, *, signed: bool = False, missing: str = MISSING) -> str:
    """Return the fraction *value* as a percent with fixed *digits*: ``0.123`` → ``12.3%``.

    The fixed style (:func:`fmt_fixed`) without separators: zero shows as ``0.0%``
    and *signed* gives ``+12.3%``. Shares, rates and growth on the investment,
    logistics, composite, summary and closing pages; missing gives *missing*.
    """
    return fmt_fixed(value, digits, signed=signed, grouping=False, percent=True, missing=missing)


def fmt_change(value, points: bool = False, *, missing: str = MISSING) -> str:
    """Return a change signed with one decimal, as percent or percentage points.

    A fraction shows as percent (``0.123`` → ``+12.3%``); with *points* the value is
    in percentage points (``1.5`` → ``+1.5 个百分点``). No separators; zero shows as ``+0.0%``; missing gives *missing*.
    """
    if points:
        return fmt_fixed(value, 1, signed=True, grouping=False, suffix=" 个百分点", missing=missing)
    return fmt_percent(value, 1, signed=True, missing=missing)


def fmt_level(value, unit: str | None = "", *, missing: str = MISSING) -> str:
    """Return an indicator level with its unit: ``12,345 吨``, ``56.5 小时``, ``88.0%``.

    Decimals: one for units in :data:`LEVEL_DECIMAL_UNITS`; otherwise none from 100
    up or for whole values, one below 100. Thousands separators always; ``%`` is
    attached, any other unit follows a space; no unit, no trailing space. Missing
    values give *missing* (logistics shows ``未报送``). Raises TypeError for a
    non-numeric value.
    """
    if is_missing(value):
        return missing
    x = _finite(value, "fmt_level")
    unit = unit or ""
    decimal = unit in LEVEL_DECIMAL_UNITS or (abs(x) < 100 and not x.is_integer())
    text = f"{x:,.{1 if decimal else 0}f}"
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def fmt_compact(value, digits: int = 1, *, missing: str = MISSING) -> str:
    """Return a whole value without decimals and any other with *digits*: ``12`` / ``12.5``.

    For counts and numbers of days in running text. Thousands separators always;
    a value within 1e-9 of a whole number counts as whole (``3``, never ``3.0``).
    Missing values give *missing*. Raises TypeError for a non-numeric value.
    """
    if is_missing(value):
        return missing
    x = _finite(value, "fmt_compact")
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.{int(digits)}f}"


def fmt_p_value(value, *, missing: str = MISSING) -> str:
    """Return a p-value with three decimals; below :data:`P_VALUE_FLOOR` ``<0.001``."""
    if is_missing(value):
        return missing
    x = _finite(value, "fmt_p_value")
    return "<0.001" if x < P_VALUE_FLOOR else f"{x:.3f}"


def for_page(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* (any shape) as object cells with every missing value shown as :data:`MISSING`.

    No page (HTML or text) then shows NaN / None / NA.
    """
    out = df.astype(object)
    return out.where(df.notna(), MISSING)
