"""Compute the executive summary's hard-target figures once per year: ``run(year, as_of, data_dir)``.

The summary page (index) also reads the stored composite result (scores, ranks,
sensitivity); this result holds what it adds: the year's attainment of the three
hard targets (reform items replicated / original, growth of funds in place).

Later: read the stored ``reforms`` and ``investment`` results instead of calling
``evalkit.reforms.attainment`` / ``evalkit.investment.attainment`` here (then
``USES = ("reforms", "investment")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import store
from ...config import load_targets
from ...core.period import ReportPeriod, to_timestamp
from ..investment.funds import attainment as funds_attainment
from ..reforms.compute import attainment as reforms_attainment

#: Curated tables read.
READS: tuple[str, ...] = ("funds_monthly", "reform_items")
#: Configuration files read.
CONFIG: tuple[str, ...] = ("targets.yaml", "zones.yaml")
#: Other topics' stored results loaded (none yet: see the module docstring).
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryResult:
    """The hard targets of one report year.

    ``reform_attainment``: :func:`evalkit.reforms.attainment` of *year* as of *as_of*
    (one row per zone: counts, targets, ``met_*`` True/False/None); ``invest_attainment``:
    :func:`evalkit.investment.attainment` (year-to-date growth of funds in place,
    ``met`` True/False/None). ``partial``: the plan's partial first year (baseline, not
    scored); ``in_progress``: the year is not complete at *as_of*.
    """

    year: int
    as_of: str
    first_year: int
    partial: bool
    in_progress: bool
    reform_attainment: pd.DataFrame
    invest_attainment: pd.DataFrame


def run(year: int, as_of: str, data_dir: str | Path = "data") -> SummaryResult:
    """Return the year's hard-target attainment (FileNotFoundError for a missing curated table)."""
    targets = load_targets(data_dir)
    items = store.read_table("reform_items", data_dir)
    funds = store.read_table("funds_monthly", data_dir)
    return SummaryResult(
        year=int(year),
        as_of=str(as_of),
        first_year=targets.first_year,
        partial=targets.is_partial_year(int(year)),
        in_progress=ReportPeriod(int(year), to_timestamp(as_of)).in_progress,
        reform_attainment=reforms_attainment(items, int(year), as_of, targets),
        invest_attainment=funds_attainment(funds, int(year), as_of, targets),
    )
