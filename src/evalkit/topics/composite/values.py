"""Indicator values: each indicator's yearly value per zone over same-period windows.

A year's window runs from 1 January to the report's as-of day and month in that
year (同期口径); see :mod:`evalkit.topics.composite` for the counting rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import pandas as pd

from ...config import Targets
from ...core.period import ReportPeriod, to_timestamp
from ...schema import TABLES, ZONES
from .indicators import PERIOD_COLUMNS, Formula, Indicator, IndicatorConfig

# --- Indicator values ------------------------------------------------------------------


def window_end(year: int, as_of: str | date) -> date:
    """Return the last day of *year*'s same-period window for a report *as_of* a date.

    That is *as_of*'s month and day in *year* (29 February → 28 February), as
    :meth:`evalkit.core.period.ReportPeriod.same_day` of the report's period.
    """
    ts = to_timestamp(as_of)
    return ReportPeriod.of(ts.year, ts).same_day(int(year)).date()


def year_fraction(year: int, as_of: str | date, start: date | None = None) -> float:
    """Return the share of *year* its window covers (1.0 for a window ending 31 December).

    With *start* (the plan's issue date in its first year) only the days from
    *start* on count: the plan's targets did not apply before it was issued
    (:meth:`evalkit.core.period.ReportPeriod.year_fraction` of *year*'s window).
    """
    return ReportPeriod.of(int(year), window_end(year, as_of)).year_fraction(start)


def _period_end(table: str, column: str, values: pd.Series) -> pd.Series:
    """Return the last day of the period each row's *column* stands for (NaT if unknown)."""
    dtype = TABLES[table].column(column).dtype if column in TABLES[table].column_names else "date"
    if dtype == "int":  # annual tables: placed by their year, see module docstring
        return pd.to_datetime(values.astype("Int64").astype("string") + "-01-01", errors="coerce")
    ts = pd.to_datetime(values, errors="coerce")
    if dtype == "month":
        months = 3 if table == "gov_services_quarterly" and column == "quarter" else 1
        return ts + pd.offsets.MonthBegin(months) - pd.Timedelta(days=1)
    return ts


def _in_window(table: str, formula: Formula, df: pd.DataFrame, year: int, as_of) -> pd.Series:
    """Return a boolean mask: rows of *df* that fall in *year*'s window."""
    col = formula.date or PERIOD_COLUMNS[table]
    if TABLES[table].column(col).dtype == "int":
        return df[col].astype("Int64").eq(year).fillna(False).astype(bool)
    end = _period_end(table, col, df[col])
    lo, hi = pd.Timestamp(date(year, 1, 1)), pd.Timestamp(window_end(year, as_of))
    return ((end >= lo) & (end <= hi)).fillna(False).astype(bool)


def _match(df: pd.DataFrame, conditions) -> pd.Series:
    """Return a mask of rows meeting every (column, values) condition."""
    mask = pd.Series(True, index=df.index)
    for col, values in conditions:
        mask &= df[col].isin(list(values)).fillna(False).astype(bool)
    return mask


def _aggregate(formula: Formula, rows: pd.DataFrame, table: str) -> float:
    """Aggregate one zone-year's rows (already filtered) to a value; NaN if undefined."""
    agg = formula.agg
    if agg == "count":
        if formula.distinct is None:
            return float(len(rows))
        key = rows[formula.distinct]
        # Rows without a key cannot be duplicates of anything: each counts once.
        return float(key.dropna().nunique() + key.isna().sum())
    if rows.empty:
        return 0.0 if formula.if_no_rows == "zero" else math.nan
    if agg == "share":
        return float(_match(rows, formula.numerator).sum()) / len(rows)
    if agg == "median_days":
        start = pd.to_datetime(rows[formula.start], errors="coerce")
        end = pd.to_datetime(rows[formula.date], errors="coerce")
        days = (end - start).dt.days.dropna()
        return float(days.median()) if len(days) else math.nan
    values = pd.to_numeric(rows[formula.column], errors="coerce")
    if agg == "last":
        col = formula.date or PERIOD_COLUMNS[table]
        period = _period_end(table, col, rows[col])
        latest = period == period.max()
        return float(values[latest].sum(min_count=1))
    values = values.dropna()
    if values.empty:
        return math.nan
    return float(getattr(values, agg)())


def indicator_value(
    indicator: Indicator, df: pd.DataFrame, zone_id: str, year: int, as_of: str | date
) -> float:
    """Return *indicator*'s value for one zone and year from its table *df* (NaN if missing)."""
    f = indicator.formula
    rows = df[df["zone_id"].eq(zone_id).fillna(False).astype(bool)]
    rows = rows[_match(rows, f.where)] if f.where else rows
    if f.agg == "yoy_growth":
        this = rows[_in_window(indicator.table, f, rows, year, as_of)]
        base = rows[_in_window(indicator.table, f, rows, year - 1, as_of)]
        now = pd.to_numeric(this[f.column], errors="coerce").sum(min_count=1)
        before = pd.to_numeric(base[f.column], errors="coerce").sum(min_count=1)
        if pd.isna(now) and not this.empty:
            return math.nan
        now = 0.0 if pd.isna(now) else float(now)
        if pd.isna(before) or before <= 0:
            return math.nan  # growth on a zero or missing base is undefined, never infinite
        return now / float(before) - 1.0
    rows = rows[_in_window(indicator.table, f, rows, year, as_of)]
    return _aggregate(f, rows, indicator.table)


def computed_values(
    computed_by: str,
    df: pd.DataFrame,
    year: int,
    as_of: str | date,
    targets: Targets | None = None,
) -> dict[str, float]:
    """Return zone → value of a :data:`COMPUTED_BY` figure for *year*'s same-period window.

    Calls the owning module's ``attainment`` as of the window end, so the values are
    exactly those of the special-topic page (its counting / 累计同比 rules).

    Later: once the ``reforms`` / ``investment`` topics store their attainment per
    same-period window, read those stored results here instead of calling
    ``evalkit.reforms.attainment`` / ``evalkit.investment.attainment`` (the funds
    growth is then computed once, in the investment topic, and
    :data:`evalkit.topics.composite.compute.USES` names both topics).
    """
    module, column = computed_by.split(".")
    end = window_end(int(year), as_of).isoformat()
    t = targets or Targets()
    if computed_by == "reforms.median_lag_days":
        return median_lag_days(df, int(year), end)
    if module == "reforms":
        from ..reforms.compute import attainment
    else:
        from ..investment.funds import attainment
    att = attainment(df, int(year), end, t)
    out = {}
    for z, v in zip(att["zone_id"], att[column], strict=True):
        out[str(z)] = math.nan if v is None or pd.isna(v) else float(v)
    return out


def median_lag_days(items: pd.DataFrame, year: int, end: str | date) -> dict[str, float]:
    """Return zone → median adoption lag (days) of items adopted in *year* up to *end*.

    The lag of each item is :func:`evalkit.topics.reforms.compute.adoption_lags` (the
    reforms page's definition: replicated items counted or in the pipeline, duplicates
    left out); the median is over the items adopted from 1 January of *year* to *end*,
    as the reforms page's lag table. A zone without such items is missing (NaN).
    """
    from ..reforms.compute import adoption_lags

    lags = adoption_lags(items, end)
    lags = lags[lags["adoption_year"] == int(year)]
    return {
        z: float(lags.loc[lags["zone_id"] == z, "lag_days"].median())
        if (lags["zone_id"] == z).any()
        else math.nan
        for z in ZONES
    }


def indicator_values(
    config: IndicatorConfig,
    tables: Mapping[str, pd.DataFrame],
    years: list[int],
    as_of: str | date,
    zones: list[str] | None = None,
    targets: Targets | None = None,
) -> pd.DataFrame:
    """Compute every indicator for every zone and year: long frame ``zone_id, year, indicator, value``.

    *tables* maps curated table names to frames (as read by :func:`evalkit.store.read_table`).
    Indicators with ``computed_by`` take their value from the owning module.
    """
    zones = list(zones or ZONES)
    rows = []
    for ind in config.indicators:
        if ind.table not in tables:
            raise KeyError(f"缺少数据表 missing table {ind.table!r} for indicator {ind.id!r}")
        df = tables[ind.table]
        for year in years:
            if ind.computed_by:
                got = computed_values(ind.computed_by, df, year, as_of, targets)
                rows += [(z, int(year), ind.id, got.get(z, math.nan)) for z in zones]
                continue
            for z in zones:
                rows.append((z, int(year), ind.id, indicator_value(ind, df, z, year, as_of)))
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])
