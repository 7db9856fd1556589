"""Funds in place against the growth target, per zone (到位资金目标完成情况).

Rules (plan §三(一): funds in place grow ≥ 25 % year on year, per zone):

- **Year to date (累计同比).** For a year in progress, funds in place are summed from
  January to the as-of month and compared with the same months of the previous
  year; for a finished year (as-of date in a later year) all twelve months. The
  window comes from :class:`evalkit.core.period.ReportPeriod`.
- **Late submission.** A zone "has reported" a month when ``funds_monthly`` holds at
  least one row for it. Months with no rows *before* the zone's latest reported month
  are zero funds; months *after* it (up to the as-of month) are not yet reported.
  A zone that has not reported the as-of month is compared like for like over
  January to its latest reported month (``through_month`` < as-of month) and is
  flagged on the page — never silently counted as zero.
- **Base period.** The base (same months of the previous year) is missing (NaN) when
  the dataset starts after January of the previous year; otherwise months without
  rows count as zero. Growth is undefined (``growth_defined`` False, ``yoy_growth``
  NaN, ``met`` None) when the base is zero or missing; pages show
  "无法计算（基期为零）" / "无法计算（基期无数据）", never inf or NaN.
- **Plan's first year.** The plan was issued in September of its first year
  (``Targets.is_partial_year``): that year is shown as a baseline and not scored
  (``met`` None), following ``data/config/targets.yaml``.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from evalkit.config import Targets
from evalkit.core.period import ReportPeriod, to_timestamp
from evalkit.schema import ZONES

ATTAINMENT_COLUMNS = [
    "zone_id",
    "year",
    "through_month",
    "funds_wan_yuan",
    "base_wan_yuan",
    "yoy_growth",
    "growth_defined",
    "target_growth",
    "met",
]


def zone_monthly(funds: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return zone totals per reported month up to the as-of month: ``zone_id, month, funds_wan_yuan``.

    Only months that have at least one row appear (a missing month is not a zero
    here; :func:`complete_monthly` applies the zero / not-reported rule).
    """
    d = to_timestamp(as_of)
    last = pd.Timestamp(year=d.year, month=d.month, day=1)
    f = funds[pd.to_datetime(funds["month"]) <= last]
    out = (
        f.assign(month=pd.to_datetime(f["month"]).dt.to_period("M").dt.to_timestamp())
        .groupby(["zone_id", "month"], sort=True, as_index=False)["funds_wan_yuan"]
        .sum()
    )
    return out


def complete_monthly(funds: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return each zone's monthly totals from the dataset's first month to its last reported month.

    Months without rows inside that span are zero funds (see the module rules);
    months after the zone's latest reported month are left out (not yet reported).
    Zones in :data:`schema.ZONES` order, months ascending.
    """
    zm = zone_monthly(funds, as_of)
    if zm.empty:
        return zm
    start = zm["month"].min()
    parts = []
    for zone_id in ZONES:
        g = zm[zm["zone_id"] == zone_id]
        if g.empty:
            continue
        idx = pd.date_range(start, g["month"].max(), freq="MS")
        s = g.set_index("month")["funds_wan_yuan"].reindex(idx, fill_value=0.0)
        parts.append(
            pd.DataFrame({"zone_id": zone_id, "month": idx, "funds_wan_yuan": s.to_numpy()})
        )
    return pd.concat(parts, ignore_index=True)


def reported_through(funds: pd.DataFrame, year: int, as_of: str | date) -> dict[str, int]:
    """Return zone id → latest month of *year* (≤ the as-of month) with any funds row; 0 if none."""
    last = ReportPeriod.of(year, as_of).through_month
    m = pd.to_datetime(funds["month"])
    sel = funds[(m.dt.year == year) & (m.dt.month <= last)]
    got = sel.assign(_m=pd.to_datetime(sel["month"]).dt.month).groupby("zone_id")["_m"].max()
    return {z: int(got.get(z, 0)) for z in ZONES}


def _window_sums(funds: pd.DataFrame, windows: list[tuple[str, int, int]], data_start) -> list:
    """Return the zone's funds in January..*through* of *year* for each ``(zone_id, year, through)``.

    NaN when *through* is 0 or the data start after January of that year. The month
    column is parsed once and each zone's rows are found once (one grouping), instead
    of parsing and filtering every row per zone and year (which grew with zones ×
    rows). Each sum adds the zone's rows of the window in frame order, as a boolean
    filter of the whole frame would (the test's row-by-row definition), so the totals
    are the same to the last bit.
    """
    m = pd.to_datetime(funds["month"])
    years, months = m.dt.year.to_numpy(), m.dt.month.to_numpy()
    values = funds["funds_wan_yuan"]
    rows = funds.groupby("zone_id", sort=False).indices
    out = []
    for zone_id, year, through in windows:
        if through <= 0 or data_start is None:
            out.append(float("nan"))
            continue
        if data_start > pd.Timestamp(year=year, month=1, day=1):
            out.append(float("nan"))
            continue
        pos = rows.get(zone_id, np.empty(0, dtype=np.intp))
        pos = pos[(years[pos] == year) & (months[pos] <= through)]
        out.append(float(values.iloc[pos].sum()))
    return out


def growth_rate(current: float, base: float) -> tuple[float, bool]:
    """Return ``(growth, defined)``: ``current / base - 1``, or ``(nan, False)`` if base is 0/missing."""
    if current is None or base is None:
        return float("nan"), False
    if not (math.isfinite(current) and math.isfinite(base)) or base <= 0:
        return float("nan"), False
    return current / base - 1.0, True


def attainment(funds: pd.DataFrame, year: int, as_of: str | date, targets: Targets) -> pd.DataFrame:
    """Return funds-in-place attainment per zone (``schema.ZONES`` order).

    Columns: ``zone_id, year, through_month, funds_wan_yuan, base_wan_yuan,
    yoy_growth, growth_defined, target_growth, met``. Year to date (累计同比) for a
    year in progress; a late zone's ``through_month`` is its latest reported month
    and both years are summed over January..``through_month``. ``met`` is None when
    growth is undefined or in the plan's partial first year. See the module
    docstring for the rules.
    """
    through = reported_through(funds, year, as_of)
    data_start = pd.to_datetime(funds["month"]).min() if len(funds) else None
    windows = [(z, y, through[z]) for z in ZONES for y in (year, year - 1)]
    sums = iter(_window_sums(funds, windows, data_start))
    rows = []
    for zone_id in ZONES:
        t = through[zone_id]
        cur, base = next(sums), next(sums)
        g, ok = growth_rate(cur, base)
        target = float(targets.for_zone(zone_id, "funds_growth"))
        met = None
        if ok and not targets.is_partial_year(year):
            met = bool(g >= target - 1e-12)
        rows.append(
            {
                "zone_id": zone_id,
                "year": int(year),
                "through_month": int(t),
                "funds_wan_yuan": cur,
                "base_wan_yuan": base,
                "yoy_growth": g if ok else float("nan"),
                "growth_defined": bool(ok),
                "target_growth": target,
                "met": met,
            }
        )
    out = pd.DataFrame(rows, columns=ATTAINMENT_COLUMNS)
    out["met"] = out["met"].astype(object)
    return out


def late_zones(att: pd.DataFrame, year: int, as_of: str | date) -> list[str]:
    """Return zone ids whose latest reported month is before the as-of month (late submissions)."""
    last = ReportPeriod.of(year, as_of).through_month
    return [z for z, t in zip(att["zone_id"], att["through_month"], strict=True) if t < last]


def ytd_by_project(funds: pd.DataFrame, year: int, through: dict[str, int]) -> pd.DataFrame:
    """Return ``zone_id, project_id, funds_wan_yuan`` summed over each zone's Jan..through window."""
    m = pd.to_datetime(funds["month"])
    lim = funds["zone_id"].map(through).fillna(0)
    sel = funds[(m.dt.year == year) & (m.dt.month <= lim)]
    return sel.groupby(["zone_id", "project_id"], as_index=False, sort=True)["funds_wan_yuan"].sum()


def ytd_by_project_both(
    funds: pd.DataFrame, att: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return :func:`ytd_by_project` for *att*'s year and the base year, same windows as *att*."""
    year = int(att["year"].iloc[0])
    through = dict(zip(att["zone_id"], att["through_month"], strict=True))
    return ytd_by_project(funds, year, through), ytd_by_project(funds, year - 1, through)
