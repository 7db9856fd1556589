"""Scoring: indicator scores (0–100), dimension and composite scores, competition ranks.

Rules (targets and fixed reference ranges pro-rated for flows, re-weighting of missing
values, ranking on two decimals): see :mod:`evalkit.topics.composite`. Every score of a
zone-year is a function of that zone-year's value and the configuration only: it does
not depend on the other zones or on which years are evaluated.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from ...config import Targets
from ...schema import TABLES
from .indicators import FLOW_AGGS, PERIOD_COLUMNS, Indicator, IndicatorConfig, Reference
from .values import year_fraction

# --- Scoring ---------------------------------------------------------------------------


def resolve_target(
    indicator: Indicator, zone_id: str, year: int, as_of, targets: Targets | None
) -> float | None:
    """Return the target *indicator* is scored against for one zone-year, pro-rated for flows."""
    target = indicator.target
    if target is None:
        return None
    t = targets or Targets()
    value = float(t.for_zone(zone_id, target) if isinstance(target, str) else target)
    if indicator.formula.agg in FLOW_AGGS and as_of is not None:
        start = t.plan_issued if t.is_partial_year(year) else None
        value *= year_fraction(year, as_of, start)
    return value


def target_score(value: float, target: float, direction: int) -> float:
    """Score *value* against *target* on 0–100 (100 = target reached; NaN if value missing)."""
    if value is None or pd.isna(value):
        return math.nan
    if direction > 0:
        if target <= 0:
            return 100.0 if value >= target else 0.0
        return float(np.clip(100.0 * value / target, 0.0, 100.0))
    if value <= target:
        return 100.0
    return float(np.clip(100.0 * target / value, 0.0, 100.0)) if value > 0 else 0.0


def resolve_reference(
    reference: Reference, indicator: Indicator, year: int, as_of
) -> tuple[float, float]:
    """Return *indicator*'s ``(worst, best)`` for one year, pro-rated for flows.

    A flow's (count / sum of a monthly, quarterly or dated table) reference is an annual
    amount: both ends are multiplied by the share of the calendar year the window covers
    (the value counts every day of the window, so the plan's issue date plays no part
    here, unlike targets). Annual tables (placed by a ``year`` column) report whole
    years and are not pro-rated.
    """
    f = 1.0
    col = indicator.formula.date or PERIOD_COLUMNS[indicator.table]
    annual = TABLES[indicator.table].column(col).dtype == "int"
    if indicator.formula.agg in FLOW_AGGS and as_of is not None and not annual:
        f = year_fraction(year, as_of)
    return reference.worst * f, reference.best * f


def reference_score(value: float, worst: float, best: float) -> float:
    """Score *value* on 0–100 against a fixed range: *worst* → 0, *best* → 100, linear, clipped.

    Works for both directions (for a "−" indicator *best* < *worst*); NaN if *value* is missing.
    Source of the method: min–max scaling with fixed bounds from the configuration
    instead of the observed extremes (normalisation step of the OECD/JRC *Handbook on
    Constructing Composite Indicators*, 2008: fixed bounds keep scores comparable over
    time), so a score never depends on the other zones or years.
    """
    if value is None or pd.isna(value):
        return math.nan
    return float(np.clip(100.0 * (float(value) - worst) / (best - worst), 0.0, 100.0))


def score_indicators(
    values: pd.DataFrame,
    config: IndicatorConfig,
    targets: Targets | None = None,
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """Add ``dimension``, ``target``, ``worst``, ``method`` and ``score`` (0–100) to *values*.

    ``method`` is ``target`` (the plan's target, :func:`target_score`; ``target`` holds
    it pro-rated, ``worst`` is NaN) or ``reference`` (a fixed range from the
    configuration, :func:`reference_score`; ``target`` holds the pro-rated best value,
    ``worst`` the pro-rated worst). Each row is scored on its own: no pooling over zones
    or years.
    """
    parts = []
    for ind in config.indicators:
        part = values[values["indicator"] == ind.id].copy()
        part["dimension"] = ind.dimension
        if ind.target is not None:
            part["target"] = [
                resolve_target(ind, z, int(y), as_of, targets)
                for z, y in zip(part["zone_id"], part["year"], strict=True)
            ]
            part["worst"] = math.nan
            part["method"] = "target"
            part["score"] = [
                target_score(v, t, ind.direction)
                for v, t in zip(part["value"], part["target"], strict=True)
            ]
        else:
            ends = [resolve_reference(ind.reference, ind, int(y), as_of) for y in part["year"]]
            part["target"] = [b for _, b in ends]
            part["worst"] = [w for w, _ in ends]
            part["method"] = "reference"
            part["score"] = [
                reference_score(v, w, b) for v, (w, b) in zip(part["value"], ends, strict=True)
            ]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for col in ("target", "worst", "score"):
        out[col] = out[col].astype(float)
    return out


def _reweighted(scores: pd.Series, weights: pd.Series) -> tuple[float, float]:
    """Return (weighted mean over present scores, share of weight present)."""
    present = scores.notna()
    covered = float(weights[present].sum())
    if covered <= 0:
        return math.nan, 0.0
    return float((scores[present] * weights[present]).sum() / covered), covered / float(
        weights.sum()
    )


def dimension_scores(scored: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return ``zone_id, year, dimension, score, coverage`` (re-weighting missing indicators)."""
    w = {i.id: i.weight for i in config.indicators}
    rows = []
    for (z, y, d), g in scored.groupby(["zone_id", "year", "dimension"], sort=True):
        s, cov = _reweighted(
            g["score"].reset_index(drop=True), g["indicator"].map(w).reset_index(drop=True)
        )
        rows.append((z, int(y), d, s, cov))
    return pd.DataFrame(rows, columns=["zone_id", "year", "dimension", "score", "coverage"])


def rank_scores(scores: pd.Series, decimals: int = 2) -> pd.Series:
    """Rank *scores* highest first; ties (equal after rounding) share the better rank (1, 1, 3)."""
    return scores.round(decimals).rank(ascending=False, method="min").astype("Int64")


def composite_scores(dims: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return ``zone_id, year, score, coverage, rank`` from dimension scores (per-year ranks)."""
    w = {d.id: d.weight for d in config.dimensions}
    rows = []
    for (z, y), g in dims.groupby(["zone_id", "year"], sort=True):
        weights = g["dimension"].map(w).reset_index(drop=True)
        s, _ = _reweighted(g["score"].reset_index(drop=True), weights)
        coverage = float((g["coverage"].reset_index(drop=True) * weights).sum() / weights.sum())
        rows.append((z, int(y), s, coverage))
    out = pd.DataFrame(rows, columns=["zone_id", "year", "score", "coverage"])
    out["rank"] = out.groupby("year")["score"].transform(rank_scores).astype("Int64")
    return out
