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
from .indicators import IndicatorConfig, load_indicators
from .scoring import composite_scores, dimension_scores, score_indicators
from .values import indicator_values
from .weights import (
    CONCENTRATION,
    DRAWS,
    entropy_composite,
    entropy_weights,
    score_matrix,
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
CONFIG: tuple[str, ...] = ("indicators.yaml", "targets.yaml", "zones.yaml")
#: Other topics' stored results loaded (none yet: see the module docstring).
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompositeResult:
    """The comprehensive evaluation of one report year (every plan year up to it, same windows).

    Frames (long, one row per zone × year [× dimension / indicator]):
    ``scored`` (``zone_id, year, indicator, value, dimension, target, method, score``),
    ``dimensions`` (``zone_id, year, dimension, score, coverage``),
    ``composite`` (``zone_id, year, score, coverage, rank``), ``entropy``
    (``zone_id, year, score, rank`` under entropy weights), ``entropy_weights``
    (indicator id → weight) and ``sensitivity`` (report year only: ``zone_id,
    p_first, mean, p05, p50, p95``, see :func:`~.weights.sensitivity`). Scores are
    0–100; ``draws`` / ``concentration`` are the sensitivity settings; ``synthetic``
    says whether the curated data are the synthetic demo (for figure source notes).
    """

    year: int
    as_of: str
    years: list
    scored: pd.DataFrame
    dimensions: pd.DataFrame
    composite: pd.DataFrame
    entropy: pd.DataFrame
    entropy_weights: pd.Series
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
    """Run the whole evaluation.

    Returns ``scored``, ``dimensions``, ``composite``, ``entropy`` and ``entropy_weights``.
    """
    values = indicator_values(config, tables, years, as_of, targets=targets)
    scored = score_indicators(values, config, targets, as_of)
    dims = dimension_scores(scored, config)
    comp = composite_scores(dims, config)
    weights = entropy_weights(score_matrix(scored))
    ent = entropy_composite(scored, weights)
    return {
        "scored": scored,
        "dimensions": dims,
        "composite": comp,
        "entropy": ent,
        "entropy_weights": weights,
    }


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
    result = evaluate(config, read_tables(config, data_dir), years, as_of, targets)
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
        entropy=result["entropy"],
        entropy_weights=result["entropy_weights"],
        sensitivity=sens,
        draws=DRAWS,
        concentration=CONCENTRATION,
        synthetic=bool(store.read_meta(data_dir).get("synthetic", False)),
    )
