"""Compute the comprehensive evaluation once per report year: ``run(year, as_of, data_dir)``.

The result (:class:`CompositeResult`) is stored by :func:`evalkit.results.load` and read
by the executive summary (index), the comprehensive page and the closing review, so
:func:`evaluate` runs once per year instead of once per page.

Funds in place and their growth (and the reform counts) enter through the indicators
with ``computed_by``: :func:`~.values.computed_values` still calls
``evalkit.reforms.attainment`` / ``evalkit.investment.attainment`` per year window.
Once those topics store their results per window, read them here instead
(``USES`` would then name them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ... import store
from ...config import Targets, load_targets
from .compare import with_changes
from .indicators import IndicatorConfig, load_indicators
from .revisions import load_revisions
from .scoring import composite_scores, dimension_scores, score_indicators
from .values import indicator_values
from .weights import (
    CONCENTRATION,
    DRAWS,
    entropy_by_year,
    entropy_composite,
    sensitivity,
)

#: Curated tables the configured indicators read (``IndicatorConfig.tables`` must be a subset).
READS: tuple[str, ...] = (
    "funds_monthly",
    "gov_services_quarterly",
    "industry_annual",
    "logistics_monthly",
    "projects",
    "reform_items",
)
#: Configuration files read.
CONFIG: tuple[str, ...] = (
    "composite_revisions.yaml",
    "indicators.yaml",
    "targets.yaml",
    "zones.yaml",
)
#: Other topics' stored results loaded (none yet: see the module docstring).
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompositeResult:
    """The comprehensive evaluation of one report year (every plan year up to it, same windows).

    Frames (long, one row per zone × year [× dimension / indicator]):
    ``scored`` (``zone_id, year, indicator, value, dimension, target, method, score``),
    ``dimensions`` (``zone_id, year, dimension, score, coverage``),
    ``composite`` (``zone_id, year, score, coverage, rank`` over the same-period
    windows, plus each year's change on the year before on the same basis:
    ``basis_prev_score, basis_score, change, basis_prev_rank, basis_rank, dropped``, see
    :mod:`~.compare`), ``published`` (``zone_id, year, score, coverage, rank``: each
    year scored on its own report's window — the whole year for a year before the
    report year — i.e. the score that year's page publishes), ``entropy``
    (``zone_id, year, score, rank`` under each year's entropy weights),
    ``entropy_weights`` (report year: indicator id → weight), ``entropy_detail``
    (``year, indicator, weight, reason``: the guard's reason for a zero weight),
    ``revisions`` (scores published under earlier methods for these years, see
    :mod:`~.revisions`) and ``sensitivity`` (report year only: ``zone_id, p_first,
    mean, p05, p50, p95``, see :func:`~.weights.sensitivity`). Scores are 0–100;
    ``draws`` / ``concentration`` are the sensitivity settings; ``synthetic`` says
    whether the curated data are the synthetic demo (for figure source notes).
    """

    year: int
    as_of: str
    years: list
    scored: pd.DataFrame
    dimensions: pd.DataFrame
    composite: pd.DataFrame
    published: pd.DataFrame
    entropy: pd.DataFrame
    entropy_weights: pd.Series
    entropy_detail: pd.DataFrame
    revisions: pd.DataFrame
    sensitivity: pd.DataFrame
    draws: int
    concentration: float
    synthetic: bool


def evaluate(
    config: IndicatorConfig,
    tables: Mapping[str, pd.DataFrame],
    years: list[int],
    as_of: str | date,
    targets: Targets | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the whole evaluation of *years* over windows ending on *as_of*'s day and month.

    Returns ``scored``, ``dimensions``, ``composite`` (with same-basis changes),
    ``entropy``, ``entropy_detail`` (each year's entropy weights and guard reasons) and
    ``entropy_weights`` (the last year's, indicator → weight). Every year is scored from
    its own values only, so the result for a year does not depend on the other years.
    """
    values = indicator_values(config, tables, years, as_of, targets=targets)
    scored = score_indicators(values, config, targets, as_of)
    dims = dimension_scores(scored, config)
    comp = with_changes(composite_scores(dims, config), scored, config)
    detail = entropy_by_year(scored)
    last = detail[detail["year"] == max(years)]
    return {
        "scored": scored,
        "dimensions": dims,
        "composite": comp,
        "entropy": entropy_composite(scored, detail),
        "entropy_detail": detail,
        "entropy_weights": pd.Series(last["weight"].to_numpy(), index=last["indicator"].tolist()),
    }


def published_scores(
    config: IndicatorConfig,
    tables: Mapping[str, pd.DataFrame],
    year: int,
    as_of: str | date,
    targets: Targets,
) -> pd.DataFrame:
    """Return ``zone_id, year, score, coverage, rank`` of every plan year as its own page shows it.

    A year before *year* is evaluated alone over its whole year (its report is as of
    31 December); *year* itself over its window ending *as_of*. Because each year is
    scored from its own values only, these are the scores each year's page published.
    """
    frames = []
    for y in plan_years(year, targets):
        end = as_of if y == int(year) else f"{y}-12-31"
        values = indicator_values(config, tables, [y], end, targets=targets)
        dims = dimension_scores(score_indicators(values, config, targets, end), config)
        frames.append(composite_scores(dims, config))
    return pd.concat(frames, ignore_index=True)


def plan_years(year: int, targets: Targets) -> list[int]:
    """Return the years evaluated in a report of *year*: the plan's first year up to *year*."""
    return list(range(targets.first_year, int(year) + 1))


def read_tables(config: IndicatorConfig, data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read the curated tables the indicators need; ValueError if one is not in :data:`READS`."""
    extra = sorted(set(config.tables) - set(READS))
    if extra:
        raise ValueError(f"indicators read tables not declared in READS: {extra}")
    return {name: store.read_table(name, data_dir) for name in config.tables}


def run(year: int, as_of: str, data_dir: str | Path = "data") -> CompositeResult:
    """Evaluate every plan year up to *year* (windows ending at *as_of*'s day) and the sensitivity.

    Raises ConfigError for an invalid ``indicators.yaml`` / ``targets.yaml`` and
    FileNotFoundError for a missing curated table.
    """
    config = load_indicators(data_dir)
    targets = load_targets(data_dir)
    years = plan_years(year, targets)
    tables = read_tables(config, data_dir)
    result = evaluate(config, tables, years, as_of, targets)
    revisions = load_revisions(data_dir)
    sens = sensitivity(
        result["scored"], config, int(year), draws=DRAWS, concentration=CONCENTRATION
    )
    return CompositeResult(
        year=int(year),
        as_of=str(as_of),
        years=years,
        scored=result["scored"],
        dimensions=result["dimensions"],
        composite=result["composite"],
        published=published_scores(config, tables, int(year), as_of, targets),
        entropy=result["entropy"],
        entropy_weights=result["entropy_weights"],
        entropy_detail=result["entropy_detail"],
        revisions=revisions[revisions["year"].isin(years)].reset_index(drop=True),
        sensitivity=sens,
        draws=DRAWS,
        concentration=CONCENTRATION,
        synthetic=bool(store.read_meta(data_dir).get("synthetic", False)),
    )
