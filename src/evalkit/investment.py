"""Compatibility: moved to :mod:`evalkit.topics.investment`.

The investment topic is now ``evalkit.topics.investment`` (``compute.run`` →
stored ``InvestmentResult``; ``present`` for the page). This module keeps the old
names importable for composite, the index / closing-review notebooks and older
code; the three wrappers below keep the old ``(year, as_of, targets)`` signatures.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .config import ConfigError, Targets
from .core.period import ReportPeriod, to_timestamp
from .topics.investment import present as _present
from .topics.investment.funds import (
    ATTAINMENT_COLUMNS,
    attainment,
    complete_monthly,
    growth_rate,
    late_zones,
    reported_through,
    zone_monthly,
)
from .topics.investment.present import attainment_summary as summary_part
from .topics.investment.present import (
    backtest_sentence,
    backtest_table,
    breakdown_table,
    concentration_table,
    funnel_table,
    projection_table,
    stalled_table,
)
from .topics.investment.projection import backtest_by, backtest_years, project_year
from .topics.investment.structure import (
    SIZE_CLASSES,
    LandingConfig,
    breakdown,
    concentration,
    concentration_measures,
    landing_funnel,
    load_landing_config,
    origin_group,
    size_class,
    stalled_projects,
)
from .topics.investment.wording import (
    NOT_REPORTED,
    UNDEFINED_MISSING,
    UNDEFINED_ZERO,
    format_growth,
    format_met,
    window_label,
)

__all__ = [
    "ATTAINMENT_COLUMNS",
    "NOT_REPORTED",
    "SIZE_CLASSES",
    "UNDEFINED_MISSING",
    "UNDEFINED_ZERO",
    "ConfigError",
    "LandingConfig",
    "as_of_date",
    "as_of_month",
    "attainment",
    "attainment_table",
    "backtest_by",
    "backtest_sentence",
    "backtest_table",
    "backtest_years",
    "breakdown",
    "breakdown_table",
    "complete_monthly",
    "concentration",
    "concentration_measures",
    "concentration_table",
    "format_growth",
    "format_met",
    "funnel_table",
    "growth_rate",
    "landing_funnel",
    "late_zones",
    "load_landing_config",
    "narrative",
    "origin_group",
    "period_note",
    "project_year",
    "projection_table",
    "reported_through",
    "size_class",
    "stalled_projects",
    "stalled_table",
    "summary_part",
    "window_label",
    "zone_monthly",
]


def as_of_date(as_of: str | date) -> pd.Timestamp:
    """Return *as_of* as a day-precision Timestamp (:func:`evalkit.core.period.to_timestamp`)."""
    return to_timestamp(as_of)


def as_of_month(year: int, as_of: str | date) -> int:
    """Return ``ReportPeriod.of(year, as_of).through_month``; ValueError if *as_of* precedes *year*."""
    return ReportPeriod.of(year, as_of).through_month


def attainment_table(att: pd.DataFrame, year: int, as_of: str | date, targets: Targets):
    """Return :func:`evalkit.topics.investment.present.attainment_table` for *year* at *as_of*."""
    return _present.attainment_table(att, as_of_month(year, as_of), targets.is_partial_year(year))


def narrative(att: pd.DataFrame, targets: Targets, **kwargs) -> list[str]:
    """Return :func:`evalkit.topics.investment.present.narrative` with the partial year from *targets*."""
    partial = bool(len(att)) and targets.is_partial_year(int(att["year"].iloc[0]))
    return _present.narrative(att, partial_year=partial, **kwargs)


def period_note(year: int, as_of: str | date) -> str:
    """Return :func:`evalkit.topics.investment.present.period_note` for *year* at *as_of*."""
    return _present.period_note(year, as_of_month(year, as_of))
