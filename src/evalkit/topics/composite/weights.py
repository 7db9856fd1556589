"""Entropy weights (熵权法) and the sensitivity of the ranking to the weights.

Entropy weights: ``pᵢⱼ = sᵢⱼ / Σᵢ sᵢⱼ``, ``eⱼ = −Σᵢ pᵢⱼ ln pᵢⱼ / ln n``,
``wⱼ = (1 − eⱼ) / Σₖ (1 − eₖ)`` over one year's indicator scores of the zones (so a
year's entropy result does not change when another year is added). Guard: an indicator
gets no data-driven weight (weight 0, reason stated on the page) when fewer than two
zones have a score, when all scores are equal, or when only one score is above zero —
the entropy of a single non-zero value is 0, which would give that indicator the
largest possible weight although it only says that one zone is ahead.
Sensitivity: weights drawn from Dirichlet distributions centred on the configured
ones with a fixed seed; the ranking is robust when the leader stays first in at
least :data:`ROBUST_SHARE` of the draws.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...schema import ZONES
from .indicators import IndicatorConfig
from .scoring import _reweighted, rank_scores

ROBUST_SHARE = 0.9
DEFAULT_SEED = 20240909  # the plan's issue date: fixed, so every run draws the same weights
#: Weight draws and Dirichlet concentration κ of the published sensitivity analysis.
DRAWS = 2000
CONCENTRATION = 50.0


# --- Entropy weights -------------------------------------------------------------------


def score_matrix(scored: pd.DataFrame) -> pd.DataFrame:
    """Pivot indicator scores to samples (zone, year) × indicators, indicator order kept."""
    order = list(dict.fromkeys(scored["indicator"]))
    m = scored.pivot_table(
        index=["zone_id", "year"],
        columns="indicator",
        values="score",
        dropna=False,
        aggfunc="first",
    )
    return m.reindex(columns=order)


#: Reasons an indicator gets no entropy weight (see the module docstring).
GUARD_FEW = "少于两个片区有得分"
GUARD_EQUAL = "各片区得分相同，不区分片区"
GUARD_SINGLE = "只有一个片区得分大于零"


def entropy_guard(x: np.ndarray) -> str:
    """Return why a column of scores *x* (present values) gets no entropy weight, or ``""``."""
    if len(x) < 2:
        return GUARD_FEW
    if x.max() == x.min():
        return GUARD_EQUAL
    if (x > 0).sum() < 2:
        return GUARD_SINGLE
    return ""


def entropy_exclusions(matrix: pd.DataFrame) -> pd.Series:
    """Return indicator → reason for the columns of *matrix* :func:`entropy_guard` excludes."""
    out = {}
    for col in matrix.columns:
        x = pd.to_numeric(matrix[col], errors="coerce").dropna().to_numpy(dtype=float)
        reason = entropy_guard(x)
        if reason:
            out[col] = reason
    return pd.Series(out, dtype=object, name="reason")


def entropy_weights(matrix: pd.DataFrame) -> pd.Series:
    """Return entropy weights (熵权法) of the columns of *matrix* (non-negative scores).

    For column j over its n present samples: ``p = x / Σx``, ``e = −Σ p ln p / ln n``
    with 0 ln 0 = 0, divergence ``d = 1 − e``; weights ``d / Σd``. A column the guard
    excludes (:func:`entropy_guard`: fewer than two samples, all equal, or a single
    value above zero) gets d = 0. If no column is left the weights are equal.
    """
    d = {}
    for col in matrix.columns:
        x = pd.to_numeric(matrix[col], errors="coerce").dropna().to_numpy(dtype=float)
        if entropy_guard(x):
            d[col] = 0.0  # exactly zero: rounding would otherwise leave ~1e-16 weight
            continue
        n, total = len(x), x.sum()
        p = x / total
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        d[col] = max(0.0, 1.0 + plogp.sum() / math.log(n))
    div = pd.Series(d, dtype=float)
    if div.sum() <= 0:
        return pd.Series(1.0 / len(div), index=div.index)
    return div / div.sum()


def entropy_by_year(scored: pd.DataFrame) -> pd.DataFrame:
    """Return ``year, indicator, weight, reason``: each year's entropy weights over its zones.

    *reason* is the guard's reason for a weight of 0 (empty when the indicator is weighted).
    """
    rows = []
    for y in sorted(scored["year"].unique()):
        m = score_matrix(scored[scored["year"] == y])
        w = entropy_weights(m)
        why = entropy_exclusions(m)
        rows += [(int(y), i, float(w[i]), str(why.get(i, ""))) for i in m.columns]
    return pd.DataFrame(rows, columns=["year", "indicator", "weight", "reason"])


def entropy_composite(scored: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Return ``zone_id, year, score, rank`` with flat entropy weights (missing re-weighted).

    *weights* is :func:`entropy_by_year` (each year scored with its own weights).
    """
    w = weights.set_index(["year", "indicator"])["weight"]
    rows = []
    for (z, y), g in scored.groupby(["zone_id", "year"], sort=True):
        s, _ = _reweighted(
            g["score"].reset_index(drop=True),
            pd.Series([float(w.get((int(y), i), 0.0)) for i in g["indicator"]]),
        )
        rows.append((z, int(y), s))
    out = pd.DataFrame(rows, columns=["zone_id", "year", "score"])
    out["rank"] = out.groupby("year")["score"].transform(rank_scores).astype("Int64")
    return out


# --- Sensitivity -----------------------------------------------------------------------


def sensitivity(
    scored: pd.DataFrame,
    config: IndicatorConfig,
    year: int,
    *,
    draws: int = 2000,
    concentration: float = 50.0,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Re-score *year* under random weights; per zone P(rank first) and score spread.

    Dimension weights are drawn from ``Dirichlet(κ·W)`` and each dimension's
    indicator weights from ``Dirichlet(κ·w)`` (κ = *concentration*; larger κ keeps
    draws closer to the configured weights), with a seeded generator. Missing
    indicators are re-weighted as in :func:`dimension_scores`. Returns ``zone_id,
    p_first, mean, p05, p50, p95`` sorted by zone order of :data:`ZONES`.
    """
    rng = np.random.default_rng(seed)
    sub = scored[scored["year"] == year]
    zones = [z for z in ZONES if z in set(sub["zone_id"])]
    dim_scores = []
    for dim in config.dimensions:
        ids = [i.id for i in dim.indicators]
        s = (
            sub[sub["dimension"] == dim.id]
            .pivot_table(index="zone_id", columns="indicator", values="score", dropna=False)
            .reindex(index=zones, columns=ids)
            .to_numpy(dtype=float)
        )
        w = rng.dirichlet(concentration * np.array([i.weight for i in dim.indicators]), draws)
        present = ~np.isnan(s)
        num = np.where(present, s, 0.0) @ w.T  # zones × draws
        den = present.astype(float) @ w.T
        with np.errstate(invalid="ignore", divide="ignore"):
            dim_scores.append(np.where(den > 0, num / den, np.nan))
    dim_w = rng.dirichlet(concentration * np.array([d.weight for d in config.dimensions]), draws)
    stack = np.stack(dim_scores, axis=2)  # zones × draws × dims
    present = ~np.isnan(stack)
    num = (np.where(present, stack, 0.0) * dim_w[None, :, :]).sum(axis=2)
    den = (present * dim_w[None, :, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        comp = np.where(den > 0, num / den, np.nan)  # zones × draws
    best = np.nanmax(np.round(comp, 2), axis=0)
    first = np.round(comp, 2) == best[None, :]
    return pd.DataFrame(
        {
            "zone_id": zones,
            "p_first": first.mean(axis=1),
            "mean": np.nanmean(comp, axis=1),
            "p05": np.nanpercentile(comp, 5, axis=1),
            "p50": np.nanpercentile(comp, 50, axis=1),
            "p95": np.nanpercentile(comp, 95, axis=1),
        }
    )


def is_robust(sens: pd.DataFrame, leader: str, threshold: float = ROBUST_SHARE) -> bool:
    """Return True when *leader* ranks first in at least *threshold* of the weight draws."""
    row = sens[sens["zone_id"] == leader]
    return bool(len(row)) and float(row["p_first"].iloc[0]) >= threshold
