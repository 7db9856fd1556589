"""Compute the closing review's hard-target figures once per year: ``run(year, as_of, data_dir)``.

The review is given in the report of the plan's last year only; for any other year
the result carries the plan's span and empty frames. The page also reads the stored
composite result (dimension and composite scores of every plan year).

Later: read the stored ``reforms`` and ``investment`` results (per plan year and per
same-period window) instead of calling ``evalkit.reforms`` / ``evalkit.investment``
here (then ``USES = ("reforms", "investment")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import investment, reforms, store
from ...config import Targets, load_targets
from ..composite.values import window_end

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
    per zone). Frames are empty when ``closing`` is False.
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


def year_end_as_of(y: int, year: int, as_of: str) -> str:
    """Return the as-of date of plan year *y* in a report of *year*: 31 December, *as_of* for *year*."""
    return as_of if y == year else f"{y}-12-31"


def yearly_attainment(attainment, df: pd.DataFrame, years, as_of_of, targets: Targets):
    """Return *attainment(df, y, as_of_of(y), targets)* for every year, stacked (``year`` column)."""
    return pd.concat([attainment(df, y, as_of_of(y), targets) for y in years], ignore_index=True)


def run(year: int, as_of: str, data_dir: str | Path = "data") -> ClosingResult:
    """Return the closing review's figures (FileNotFoundError for a missing curated table)."""
    year, as_of = int(year), str(as_of)
    targets = load_targets(data_dir)
    closing = year == targets.last_year
    frames = {k: pd.DataFrame() for k in ("reform", "invest", "same", "cum")}
    if closing:
        items = store.read_table("reform_items", data_dir)
        funds = store.read_table("funds_monthly", data_dir)
        years = range(targets.first_year, year + 1)
        frames = {
            "reform": yearly_attainment(
                reforms.attainment, items, years, lambda y: year_end_as_of(y, year, as_of), targets
            ),
            "invest": yearly_attainment(
                investment.attainment,
                funds,
                years,
                lambda y: year_end_as_of(y, year, as_of),
                targets,
            ),
            "same": yearly_attainment(
                investment.attainment,
                funds,
                years,
                lambda y: window_end(y, as_of).isoformat(),
                targets,
            ),
            "cum": reforms.cumulative(items, year, as_of, targets),
        }
    return ClosingResult(
        year=year,
        as_of=as_of,
        first_year=targets.first_year,
        last_year=targets.last_year,
        closing=closing,
        in_progress=reforms.year_in_progress(year, as_of),
        reform_attainment=frames["reform"],
        invest_attainment=frames["invest"],
        funds_same_period=frames["same"],
        reform_cumulative=frames["cum"],
    )
