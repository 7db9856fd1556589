"""Compute the closing review's hard-target figures once per year: ``run(year, as_of, data_dir)``.

The review is given in the report of the plan's last year only; for any other year
the result carries the plan's span and empty frames. The page also reads the stored
composite result (dimension and composite scores of every plan year).

Later: read the stored ``reforms`` and ``investment`` results (per plan year and per
same-period window) instead of calling ``evalkit.reforms`` / ``evalkit.investment``
here (then ``USES = ("reforms", "investment")``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import store
from ...config import Targets, load_targets
from ...core.period import ReportPeriod, to_timestamp
from ...schema import ZONES
from ..composite.values import window_end
from ..investment.funds import attainment as funds_attainment
from ..reforms.compute import attainment as reforms_attainment
from ..reforms.compute import cumulative as reforms_cumulative

#: Curated tables read.
READS: tuple[str, ...] = ("funds_monthly", "reform_items")
#: Configuration files read.
CONFIG: tuple[str, ...] = ("targets.yaml", "zones.yaml")
#: Other topics' stored results loaded (none yet: see the module docstring).
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClosingResult:
    """The closing review of report *year* (figures only when ``closing``: the plan's last year).

    Long frames, one row per zone × plan year (``year`` column):
    ``reform_attainment`` / ``invest_attainment``: each plan year's attainment as of
    its 31 December (as of *as_of* for the report year); ``funds_same_period``: growth
    of funds in place over each plan year's same-period window (1 January to *as_of*'s
    day and month). ``reform_cumulative``: :func:`evalkit.reforms.cumulative` (one row
    per zone). ``funds_cumulative``: :func:`chained_growth` of ``funds_same_period``
    (one row per zone). Frames are empty when ``closing`` is False.
    """

    year: int
    as_of: str
    first_year: int
    last_year: int
    closing: bool
    in_progress: bool
    reform_attainment: pd.DataFrame
    invest_attainment: pd.DataFrame
    funds_same_period: pd.DataFrame
    reform_cumulative: pd.DataFrame
    funds_cumulative: pd.DataFrame


def plan_years(year: int, targets: Targets) -> range:
    """Return the plan years up to report *year* (the plan's first year … *year*)."""
    return range(targets.first_year, int(year) + 1)


def year_end_attainment(attainment, df: pd.DataFrame, year: int, as_of: str, targets: Targets):
    """Return *attainment* of every plan year as of its 31 December (*as_of* for *year*), stacked.

    *attainment* is ``evalkit.reforms.attainment`` or ``evalkit.investment.attainment``;
    the frames (each with a ``year`` column) are concatenated in year order.
    """
    frames = [
        attainment(df, y, as_of if y == year else f"{y}-12-31", targets)
        for y in plan_years(year, targets)
    ]
    return pd.concat(frames, ignore_index=True)


def same_period_funds(funds: pd.DataFrame, year: int, as_of: str, targets: Targets):
    """Return funds-in-place attainment of every plan year over its same-period window, stacked.

    Each year's window ends on *as_of*'s day and month in that year, so every year's
    growth compares the same months (like for like, 累计同比).
    """
    frames = [
        funds_attainment(funds, y, window_end(y, as_of).isoformat(), targets)
        for y in plan_years(year, targets)
    ]
    return pd.concat(frames, ignore_index=True)


def chained_growth(same_period: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Return per zone the growth of funds in place chained over the plan years and its target.

    *same_period* is the stacked :func:`evalkit.investment.attainment` of each plan year
    over the same months (``year, zone_id, yoy_growth, growth_defined``), so each year's
    growth is like for like. Columns: ``zone_id``; ``growth`` = ``Π(1 + gᵧ) − 1``
    (a share; NaN when any year's growth is undefined); ``defined``; ``target`` = the
    yearly ``funds_growth`` target compounded over the same years; ``met`` (True/False,
    None when undefined). Zones in :data:`evalkit.schema.ZONES` order.
    """
    years = sorted(same_period["year"].unique())
    by_year = {y: same_period[same_period["year"] == y].set_index("zone_id") for y in years}
    rows = []
    for z in ZONES:
        factor, ok, need = 1.0, True, 1.0
        for y in years:
            a = by_year[y].loc[z]
            need *= 1 + float(targets.for_zone(z, "funds_growth"))
            if bool(a["growth_defined"]) and pd.notna(a["yoy_growth"]):
                factor *= 1 + float(a["yoy_growth"])
            else:
                ok = False
        met = bool(factor >= need - 1e-12) if ok else None
        rows.append((z, factor - 1 if ok else math.nan, ok, need - 1, met))
    out = pd.DataFrame(rows, columns=["zone_id", "growth", "defined", "target", "met"])
    out["met"] = out["met"].astype(object)
    return out


def before_closing(year: int, as_of: str, targets: Targets) -> ClosingResult:
    """Return the result of a report other than the plan's last year: the span, no figures."""
    empty = pd.DataFrame()
    return ClosingResult(
        year=year,
        as_of=as_of,
        first_year=targets.first_year,
        last_year=targets.last_year,
        closing=False,
        in_progress=ReportPeriod(int(year), to_timestamp(as_of)).in_progress,
        reform_attainment=empty,
        invest_attainment=empty,
        funds_same_period=empty,
        reform_cumulative=empty,
        funds_cumulative=empty,
    )


def run(year: int, as_of: str, data_dir: str | Path = "data") -> ClosingResult:
    """Return the closing review's figures (FileNotFoundError for a missing curated table)."""
    year, as_of = int(year), str(as_of)
    targets = load_targets(data_dir)
    if year != targets.last_year:
        return before_closing(year, as_of, targets)
    items = store.read_table("reform_items", data_dir)
    funds = store.read_table("funds_monthly", data_dir)
    same_period = same_period_funds(funds, year, as_of, targets)
    return ClosingResult(
        year=year,
        as_of=as_of,
        first_year=targets.first_year,
        last_year=targets.last_year,
        closing=True,
        in_progress=ReportPeriod(int(year), to_timestamp(as_of)).in_progress,
        reform_attainment=year_end_attainment(reforms_attainment, items, year, as_of, targets),
        invest_attainment=year_end_attainment(funds_attainment, funds, year, as_of, targets),
        funds_same_period=same_period,
        reform_cumulative=reforms_cumulative(items, year, as_of, targets),
        funds_cumulative=chained_growth(same_period, targets),
    )
