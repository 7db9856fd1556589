"""Scoring: indicator scores (0–100), dimension and composite scores, competition ranks.

Rules (targets pro-rated for flows, min–max normalization, re-weighting of missing
values, ranking on two decimals): see :mod:`evalkit.topics.composite`.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from ...config import Targets
from .indicators import FLOW_AGGS, Indicator, IndicatorConfig
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


def minmax_scores(values: pd.Series, direction: int) -> pd.Series:
    """Min–max normalize *values* to 0–100 (reversed for direction −); NaN stays NaN.

    When all present values are equal the indicator separates nobody: all score 100.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    lo, hi = v.min(), v.max()
    if pd.isna(lo):
        return v
    if hi == lo:
        return v.where(v.isna(), 100.0)
    s = (v - lo) / (hi - lo) if direction > 0 else (hi - v) / (hi - lo)
    return 100.0 * s


def score_indicators(
    values: pd.DataFrame,
    config: IndicatorConfig,
    targets: Targets | None = None,
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """Add ``dimension``, ``target``, ``method`` (target / minmax) and ``score`` (0–100) to *values*."""
    parts = []
    for ind in config.indicators:
        part = values[values["indicator"] == ind.id].copy()
        part["dimension"] = ind.dimension
        if ind.target is not None:
            part["target"] = [
                resolve_target(ind, z, int(y), as_of, targets)
                for z, y in zip(part["zone_id"], part["year"], strict=True)
            ]
            part["method"] = "target"
            part["score"] = [
                target_score(v, t, ind.direction)
                for v, t in zip(part["value"], part["target"], strict=True)
            ]
        else:
            part["target"] = math.nan
            part["method"] = "minmax"
            part["score"] = minmax_scores(part["value"], ind.direction)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["target"] = out["target"].astype(float)
    out["score"] = out["score"].astype(float)
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
