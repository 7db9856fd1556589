"""Compatibility: moved to :mod:`evalkit.topics.reforms` (``compute`` and ``present``).

Re-exports the names other modules, notebooks and tests still import
(``composite`` calls :func:`attainment`; ``index`` and ``closing_review`` call
:func:`year_in_progress`, :func:`attainment`, :func:`cumulative`,
:func:`cumulative_table`). The report-period helpers delegate to
:class:`evalkit.core.period.ReportPeriod`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .core.period import ReportPeriod, date_zh, to_timestamp
from .topics.reforms.compute import (
    ATTAINMENT_COLUMNS,
    KINDS,
    TARGET_KEY,
    ReformsResult,
    adoption_lags,
    attainment,
    breakdown,
    classify_items,
    count_as_of,
    cumulative,
    duplicate_counts,
    items_in,
    lag_distribution,
    lag_trend,
    pace,
    run,
)
from .topics.reforms.present import (
    CATEGORY_LABELS,
    ITEM_COLUMNS,
    SearchableTable,
    attainment_table,
    breakdown_table,
    counting_rule,
    cumulative_table,
    item_table,
    lag_table,
    lag_trend_table,
    met_label,
    narrative,
    pace_table,
    summary_part,
)

__all__ = [
    "ATTAINMENT_COLUMNS",
    "CATEGORY_LABELS",
    "ITEM_COLUMNS",
    "KINDS",
    "TARGET_KEY",
    "ReformsResult",
    "SearchableTable",
    "adoption_lags",
    "attainment",
    "attainment_table",
    "breakdown",
    "breakdown_table",
    "classify_items",
    "count_as_of",
    "counting_rule",
    "cumulative",
    "cumulative_table",
    "date_zh",
    "duplicate_counts",
    "item_table",
    "items_in",
    "lag_distribution",
    "lag_table",
    "lag_trend",
    "lag_trend_table",
    "met_label",
    "narrative",
    "pace",
    "pace_table",
    "remaining_months",
    "run",
    "same_day",
    "summary_part",
    "to_timestamp",
    "year_in_progress",
]


def same_day(as_of: str | date | pd.Timestamp, year: int) -> pd.Timestamp:
    """Return the as-of month and day in *year* (29 February becomes the 28th).

    Same as ``ReportPeriod.of(<as-of year>, as_of).same_day(year)``.
    """
    ts = to_timestamp(as_of)
    return ReportPeriod.of(ts.year, ts).same_day(int(year))


def year_in_progress(year: int, as_of: str | date | pd.Timestamp) -> bool:
    """Return True when *as_of* falls before the last day of *year* (``ReportPeriod.in_progress``)."""
    return ReportPeriod(int(year), to_timestamp(as_of)).in_progress


def remaining_months(year: int, as_of: str | date | pd.Timestamp) -> float:
    """Return the months left in *year* after *as_of* (``ReportPeriod.remaining_months``).

    ``2026-10-31`` leaves 61 days, i.e. 2.0 months; at or after year end it is 0.
    """
    return ReportPeriod(int(year), to_timestamp(as_of)).remaining_months()
