"""The indicator panel: level, year-on-year and January-to-month measures per zone and month.

A (zone, month, indicator) row absent from ``logistics_monthly`` means *not
submitted* (未报送): it stays missing everywhere and is never read as zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.period import ReportPeriod
from ...schema import ZONES
from .settings import FOREIGN_TRADE, FOREIGN_TRADE_PARTS, LogisticsConfig, all_indicators


def month_start(value) -> pd.Timestamp:
    """Return the first day of the month containing *value* (date, string or Timestamp)."""
    ts = pd.Timestamp(value)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def report_months(year: int, as_of) -> pd.DatetimeIndex:
    """Return the months of report *year* up to the as-of date (January … as-of month).

    Same as ``ReportPeriod.of(year, as_of).months()`` (kept for older callers).
    """
    return ReportPeriod.of(year, as_of).months()


def clip_as_of(df: pd.DataFrame, as_of) -> pd.DataFrame:
    """Return the rows of *df* whose month is not after the as-of month."""
    return df[pd.to_datetime(df["month"]) <= month_start(as_of)].copy()


def series_of(df: pd.DataFrame, zone_id: str, indicator: str) -> pd.Series:
    """Return the submitted monthly values of one (zone, indicator) as a Series by month.

    Months not submitted are simply absent (callers reindex; absent stays NaN).
    """
    if df.empty:
        return pd.Series(dtype=float)
    sel = df[(df["zone_id"] == zone_id) & (df["indicator"] == indicator)]
    s = pd.Series(
        sel["value"].astype(float).to_numpy(),
        index=pd.DatetimeIndex(sel["month"]).to_period("M").to_timestamp(),
    )
    return s.groupby(level=0).last().sort_index()


def series_lookup(df: pd.DataFrame):
    """Return ``lookup(zone_id, indicator)`` giving exactly :func:`series_of` of *df* for that pair.

    *df* is scanned once and grouped by (zone, indicator) instead of filtered once
    per pair, which grew with zones² (each filter reads every zone's rows). A pair
    with no rows gets :func:`series_of` itself (the same empty series).
    """
    if df.empty:
        return lambda zone_id, indicator: series_of(df, zone_id, indicator)
    values = df["value"].astype(float).to_numpy()
    months = pd.DatetimeIndex(df["month"]).to_period("M").to_timestamp()
    groups = df.groupby(["zone_id", "indicator"], sort=False).indices
    cache: dict[tuple[str, str], pd.Series] = {}

    def lookup(zone_id: str, indicator: str) -> pd.Series:
        key = (zone_id, indicator)
        if key not in cache:
            rows = groups.get(key)
            if rows is None:
                cache[key] = series_of(df, zone_id, indicator)
            else:
                s = pd.Series(values[rows], index=months[rows])
                cache[key] = s.groupby(level=0).last().sort_index()
        return cache[key].copy()

    return lookup


def foreign_trade_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return rows of the derived indicator import + export, only where both were submitted."""
    cols = ["zone_id", "month", "indicator", "value"]
    parts = df[df["indicator"].isin(FOREIGN_TRADE_PARTS)]
    if parts.empty:
        return pd.DataFrame(columns=cols)
    wide = parts.pivot_table(
        index=["zone_id", "month"], columns="indicator", values="value", aggfunc="last"
    )
    if not set(FOREIGN_TRADE_PARTS) <= set(wide.columns):
        return pd.DataFrame(columns=cols)
    wide = wide.dropna(subset=list(FOREIGN_TRADE_PARTS))
    first, second = FOREIGN_TRADE_PARTS
    out = (wide[first] + wide[second]).rename("value").reset_index()
    out["indicator"] = FOREIGN_TRADE
    return out[cols]


def change(value: float, base: float, points: bool = False) -> float:
    """Return the change from *base* to *value*: a difference when *points*, else a growth rate."""
    if points:
        return value - base
    return value / base - 1.0


def change_flag(value: float, base: float, threshold: float | None, points: bool = False) -> str:
    """Classify a change: ``missing`` value, ``no_base``, ``zero_base``, ``small_base`` or ``ok``.

    Zero and small bases only matter for growth rates (not for point changes).
    """
    if value is None or np.isnan(value):
        return "missing"
    if base is None or np.isnan(base):
        return "no_base"
    if not points and base == 0:
        return "zero_base"
    if threshold is not None and not points and base < threshold:
        return "small_base"
    return "ok"


def ytd_value(s: pd.Series, month: pd.Timestamp, how: str) -> tuple[float, int]:
    """Return (January-to-*month* figure, months reported) of monthly series *s*.

    *how* is ``sum``, ``mean`` or ``last``. The figure is NaN unless every month from
    January to *month* was reported (``last`` needs only *month* itself): an incomplete
    year-to-date total would understate the level, so it is shown as missing rather
    than as a smaller number.
    """
    months = pd.date_range(pd.Timestamp(year=month.year, month=1, day=1), month, freq="MS")
    return _ytd_of_array(s.reindex(months).to_numpy(dtype=float), how)


def ytd_values(s: pd.Series, months: pd.DatetimeIndex, how: str) -> dict:
    """Return ``{month: ytd_value(s, month, how)}`` for each of *months* and the year before.

    Same figures as :func:`ytd_value` month by month, but *s* is reindexed once to
    the months from the January a year before the first of *months* to the last,
    and each January-to-month window is a slice of it (the same values in the same
    order, so the same sums).
    """
    if len(months) == 0:
        return {}
    first, last = months.min(), months.max()
    start = pd.Timestamp(year=first.year - 1, month=1, day=1)
    window = s.reindex(pd.date_range(start, last, freq="MS"))
    pos = {m: i for i, m in enumerate(window.index)}
    values = window.to_numpy(dtype=float)
    out = {}
    for m in months:
        for month in (m, m - pd.DateOffset(years=1)):
            jan = pd.Timestamp(year=month.year, month=1, day=1)
            if month in out:
                continue
            if month in pos and jan in pos:
                out[month] = _ytd_of_array(values[pos[jan] : pos[month] + 1], how)
            else:  # not a month start: the direct computation
                out[month] = ytd_value(s, month, how)
    return out


def _ytd_of_array(vals: np.ndarray, how: str) -> tuple[float, int]:
    """Return :func:`ytd_value` from *vals*, the monthly values of January … the month (NaN: not reported)."""
    reported = int(np.count_nonzero(~np.isnan(vals)))
    if how == "last":
        return float(vals[-1]), reported
    if reported < len(vals):
        return float("nan"), reported
    return (float(vals.sum()) if how == "sum" else float(vals.mean())), reported


def attainment(ytd: float, target: float | None, lower_is_better: bool = False) -> float:
    """Return attainment of an annual *target*: actual / target (target / actual if lower is better).

    For flows the year-to-date total is compared with the full-year target, so
    before December it measures progress. NaN when no target or no value.
    """
    if target is None or ytd is None or np.isnan(ytd):
        return float("nan")
    if lower_is_better:
        return float("nan") if ytd == 0 else target / ytd
    return ytd / target


def series_measures(
    s: pd.Series,
    months: pd.DatetimeIndex,
    *,
    how: str,
    points: bool = False,
    lower_is_better: bool = False,
    threshold: float | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """Return level, year-on-year and January-to-month measures of *s* for each of *months*.

    *s* holds the submitted values by month (first day); months absent from *s* are
    not submitted. *how* (``sum``/``last``/``mean``) combines months; there is no
    default. Columns: ``month``, ``value``, ``base`` (same month a year earlier),
    ``yoy``, ``yoy_flag``, ``ytd``, ``ytd_months``, ``ytd_base``, ``ytd_change``,
    ``ytd_flag``, ``target``, ``attainment``.
    """
    rows = []
    ytd_of = ytd_values(s, months, how)
    for m in months:
        value = s.get(m, np.nan)
        prev = m - pd.DateOffset(years=1)
        base = s.get(prev, np.nan)
        yflag = change_flag(value, base, threshold, points)
        yoy = change(value, base, points) if yflag in ("ok", "small_base") else np.nan
        ytd, n = ytd_of[m]
        ytd_base, _ = ytd_of[prev]
        cflag = change_flag(ytd, ytd_base, threshold, points)
        ytd_change = change(ytd, ytd_base, points) if cflag in ("ok", "small_base") else np.nan
        rows.append(
            {
                "month": m,
                "value": float(value),
                "base": float(base),
                "yoy": float(yoy),
                "yoy_flag": yflag,
                "ytd": ytd,
                "ytd_months": n,
                "ytd_base": ytd_base,
                "ytd_change": float(ytd_change),
                "ytd_flag": cflag,
                "target": np.nan if target is None else float(target),
                "attainment": attainment(ytd, target, lower_is_better),
            }
        )
    return pd.DataFrame(rows)


def indicator_panel(
    df: pd.DataFrame,
    year: int,
    as_of,
    config: LogisticsConfig,
    *,
    zones: list[str] | None = None,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """Return the full panel: every zone × indicator × month of the report year to the as-of month.

    Every combination appears, submitted or not (``submitted`` False, ``value``
    NaN), so a zone that did not submit an indicator is still on the page.
    Indicators default to ``schema.LOGISTICS_INDICATORS`` plus the derived
    ``foreign_trade`` (import + export). Columns: ``zone_id``, ``indicator`` and those
    of :func:`series_measures`, then ``submitted``, ``aggregation`` (how months combine)
    and ``points`` (change in percentage points). Raises ConfigError for an
    indicator whose aggregation *config* does not declare.
    """
    zones = list(ZONES) if zones is None else zones
    indicators = all_indicators() if indicators is None else list(indicators)
    data = clip_as_of(df, as_of)
    if FOREIGN_TRADE in indicators:
        data = pd.concat([data, foreign_trade_frame(data)], ignore_index=True)
    months = report_months(year, as_of)
    series = series_lookup(data)
    frames = []
    for zone in zones:
        for ind in indicators:
            m = series_measures(
                series(zone, ind),
                months,
                how=config.how(ind),
                points=config.points(ind),
                lower_is_better=config.lower_better(ind),
                threshold=config.threshold(ind),
                target=config.target(ind, zone),
            )
            m.insert(0, "indicator", ind)
            m.insert(0, "zone_id", zone)
            m["submitted"] = m["value"].notna()
            m["aggregation"] = config.how(ind)
            m["points"] = config.points(ind)
            frames.append(m)
    return pd.concat(frames, ignore_index=True)
