"""Projection intervals calibrated from backtest errors at the same forecast origin (预测区间校准).

Why. The models' own simulated intervals do not hold what they say on the
evaluation's history: pooled over all origins the ratio model's 80 % interval
covered 80 % of 60 backtests, but those are only six independent zone-years (the
errors of one zone-year at successive origins point the same way), and at origins
9–11 — the ones an October report uses — it covered 13 of 18. The ETS model's
intervals leave out parameter uncertainty and covered 30 %.

Method (unit = one zone-year; origin = the last known month):

- **Errors.** For each backtest projection the log error is
  ``e = log(actual / point)`` (undefined, and left out, when either is not
  positive). Errors are grouped by model and origin month and pooled across zones
  and years — never across origins, so each zone-year counts once per origin.
- **Interval.** With ``n >= min_errors`` errors at origin ``k`` (default
  :data:`MIN_ERRORS`), the year-end total projected from origin ``k`` is
  ``point × exp(s × T)`` with ``s = sqrt(mean(e_i²))`` (root mean square, centred
  on zero so the model's median stays the point) and ``T`` Student-t with ``n``
  degrees of freedom. If the errors are independent ``N(0, σ²)``, ``e_new / s`` is
  exactly ``t_n`` distributed, so ``point × exp(±t_{n,0.90} s)`` (80 %) and
  ``point × exp(±t_{n,0.975} s)`` (95 %) have their nominal coverage for any ``n``
  (the usual prediction interval from past forecast errors, e.g. Hyndman &
  Athanasopoulos, *Forecasting: Principles and Practice*, §5.5, with the variance
  estimated about zero).
- **Probability of the target.** ``P(total >= target) = 1 - F_{t_n}(log(target /
  point) / s)``: the same distribution as the interval, so the two never disagree.
- **Fallback.** With fewer than ``min_errors`` errors at that origin (e.g. the first
  backtest year, or ETS, which needs 24 months of history) the model's own
  simulated interval and probability are kept and flagged ``calibrated`` False;
  the page says they are not calibrated and shows their backtest coverage.
- **Backtest of the calibration.** Each backtest projection gets the interval
  calibrated from the errors of the *other* zone-years at the same origin
  (leave-one-zone-year-out), so a zone-year's own error never calibrates its own
  interval; :func:`coverage_by_origin` counts covered zone-years per origin.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy import stats

from .projection import MODELS

#: Fewest errors (zone-years at one origin) from which an interval is calibrated.
MIN_ERRORS = 5

#: Interval levels: column suffix → nominal coverage.
LEVELS: dict[str, float] = {"80": 0.80, "95": 0.95}

_BOUNDS = ["lo80", "hi80", "lo95", "hi95"]


def log_errors(bt: pd.DataFrame) -> pd.Series:
    """Return ``log(actual / point)`` per backtest row; NaN where either is not positive."""
    a, p = bt["actual"].astype(float), bt["point"].astype(float)
    ok = (a > 0) & (p > 0)
    out = pd.Series(np.nan, index=bt.index, dtype=float)
    out[ok] = np.log(a[ok] / p[ok])
    return out


def error_scale(errors, min_errors: int = MIN_ERRORS) -> tuple[float, int] | None:
    """Return ``(s, n)``: root mean square of the finite *errors* and their number; None if n < *min_errors*."""
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    if e.size < max(int(min_errors), 1):
        return None
    return float(np.sqrt(np.mean(e**2))), int(e.size)


@cache
def _t_quantile(q: float, n: int) -> float:
    """Return ``stats.t.ppf(q, n)`` (remembered: the backtest asks for a few (q, n) thousands of times)."""
    return float(stats.t.ppf(q, n))


def calibrated_bounds(point: float, scale: float, n: int) -> dict[str, float]:
    """Return ``lo80, hi80, lo95, hi95`` = ``point × exp(± t_{n, (1+level)/2} × scale)``."""
    out = {}
    for key, level in LEVELS.items():
        w = _t_quantile(0.5 + level / 2, n) * scale
        out[f"lo{key}"] = point * float(np.exp(-w))
        out[f"hi{key}"] = point * float(np.exp(w))
    return out


def calibrated_p(point: float, scale: float, n: int, target: float | None) -> float:
    """Return ``P(total >= target)`` under ``total = point × exp(scale × t_n)``; NaN without a target."""
    if target is None or not np.isfinite(target) or target <= 0 or point <= 0:
        return float("nan")
    if scale == 0:
        return float(point >= target)
    return float(stats.t.sf(np.log(target / point) / scale, n))


def loo_calibrate(bt: pd.DataFrame, min_errors: int = MIN_ERRORS) -> pd.DataFrame:
    """Return *bt* (:func:`.projection.backtest`) with leave-one-zone-year-out calibrated intervals.

    Added columns: ``log_error``; ``cal_n`` (errors used, 0 when not calibrated),
    ``cal_scale``, ``cal_lo80`` … ``cal_hi95`` (NaN when not calibrated) and
    ``cal_in80`` / ``cal_in95`` (nullable booleans, missing when not calibrated).
    The interval of a row is calibrated from the same model's errors at the same
    origin month in every *other* zone-year.
    """
    out = bt.copy()
    out["log_error"] = log_errors(bt)
    cal = {c: np.full(len(out), np.nan) for c in ["cal_scale", *[f"cal_{b}" for b in _BOUNDS]]}
    n_used = np.zeros(len(out), dtype=int)
    zone, year = out["zone_id"].to_numpy(), out["year"].to_numpy()
    err, point = out["log_error"].to_numpy(dtype=float), out["point"].to_numpy()
    for rows in out.groupby(["model", "origin_month"], sort=False).indices.values():
        # Row positions of one (model, origin) in frame order; "others" keeps that order,
        # so each error scale sums the same errors in the same order as row by row.
        z, y, e = zone[rows], year[rows], err[rows]
        for k, i in enumerate(rows):
            sc = error_scale(e[(z != z[k]) | (y != y[k])], min_errors)
            if sc is None:
                continue
            cal["cal_scale"][i], n_used[i] = sc
            for b, v in calibrated_bounds(float(point[i]), *sc).items():
                cal[f"cal_{b}"][i] = v
    out["cal_n"] = n_used
    for c, v in cal.items():
        out[c] = v
    for key in LEVELS:
        inside = (out[f"cal_lo{key}"] <= out["actual"]) & (out["actual"] <= out[f"cal_hi{key}"])
        out[f"cal_in{key}"] = inside.astype("boolean").where(out["cal_n"] > 0, pd.NA)
    return out


def coverage_by_origin(bt_cal: pd.DataFrame) -> pd.DataFrame:
    """Return per model and origin month the backtest error and interval coverage in zone-years.

    Columns: ``model, origin_month, zone_years`` (zone-years backtested at that
    origin — each counts once), ``mape``, ``model_hit80`` / ``model_hit95``
    (zone-years inside the model's own interval), ``cal_zone_years`` (zone-years
    with a leave-one-out calibrated interval), ``cal_hit80`` / ``cal_hit95``.
    Shares are ``hits / zone_years`` (model) and ``hits / cal_zone_years``
    (calibrated); they are left to the page.
    """
    cols = [
        "model",
        "origin_month",
        "zone_years",
        "mape",
        "model_hit80",
        "model_hit95",
        "cal_zone_years",
        "cal_hit80",
        "cal_hit95",
    ]
    rows = []
    for model in MODELS:
        g = bt_cal[bt_cal["model"] == model]
        for origin in sorted(g["origin_month"].unique()):
            h = g[g["origin_month"] == origin]
            cal = h[h["cal_n"] > 0]
            rows.append(
                {
                    "model": model,
                    "origin_month": int(origin),
                    "zone_years": int(len(h[["zone_id", "year"]].drop_duplicates())),
                    "mape": float(h["ape"].mean()),
                    "model_hit80": int(h["in80"].sum()),
                    "model_hit95": int(h["in95"].sum()),
                    "cal_zone_years": int(len(cal)),
                    "cal_hit80": int(cal["cal_in80"].astype(bool).sum()),
                    "cal_hit95": int(cal["cal_in95"].astype(bool).sum()),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def calibrate_projections(
    pj: pd.DataFrame, bt: pd.DataFrame, min_errors: int = MIN_ERRORS
) -> pd.DataFrame:
    """Return *pj* (:func:`.projection.project_year`) with intervals calibrated from backtest *bt*.

    Uses every backtest error of the same model at the projection's origin
    (``through_month``). Where calibrated, ``lo80`` … ``hi95`` and ``p_target``
    are the calibrated ones; the model's own are kept as ``model_lo80`` …
    ``model_p_target``. Added: ``calibrated`` (bool), ``cal_n`` (errors used, 0 if
    not calibrated) and ``cal_scale`` (NaN if not calibrated).
    """
    out = pj.copy()
    for c in [*_BOUNDS, "p_target"]:
        out[f"model_{c}"] = out[c]
    out["calibrated"] = False
    out["cal_n"] = 0
    out["cal_scale"] = np.nan
    errors = bt.assign(log_error=log_errors(bt)) if len(bt) else bt.assign(log_error=[])
    for idx, r in out.iterrows():
        e = errors.loc[
            (errors["model"] == r["model"]) & (errors["origin_month"] == r["through_month"]),
            "log_error",
        ]
        sc = error_scale(e, min_errors)
        if sc is None or not r["point"] > 0:
            continue
        for b, v in calibrated_bounds(float(r["point"]), *sc).items():
            out.at[idx, b] = v
        target = r["target_total_wan_yuan"]
        out.at[idx, "p_target"] = calibrated_p(float(r["point"]), *sc, target)
        out.at[idx, "calibrated"] = True
        out.at[idx, "cal_scale"], out.at[idx, "cal_n"] = sc
    out["calibrated"] = out["calibrated"].astype(bool)
    out["cal_n"] = out["cal_n"].astype(int)
    return out
