"""Projection of a zone's annual funds in place from its monthly series (预测，非实际值).

Two models suited to short, seasonal, lumpy monthly series are compared:

- ``ratio`` — 同比比率法（季节朴素）: each remaining month equals the same month of
  the previous year times the year-to-date growth factor. In logs the monthly
  year-on-year ratios ``d_t = log x_t - log x_{t-12}`` are modelled as
  ``d_t = mu_year + e_t`` with ``e_t ~ N(0, sigma^2)``; ``mu`` and ``sigma`` come
  from an OLS with one dummy per year (statsmodels), and the predictive
  distribution integrates over the estimation uncertainty of both (``sigma^2``
  drawn from its scaled inverse chi-square, then ``mu`` from its normal).
- ``ets`` — ETS(A,N,A) on ``log(1 + x)`` (statsmodels ``ETSModel``): additive
  error, no trend, additive 12-month seasonality; remaining months are simulated
  from the fitted state-space model (parameter uncertainty is not included, which
  the backtest makes visible).

Both return simulated annual totals (observed year-to-date plus simulated
remaining months), from which the median, 80 % / 95 % intervals and the
probability of reaching the growth target follow. :func:`backtest` projects every
past complete December from every earlier month of that year, using only data
up to that month, and reports the error and interval coverage.

For the report year, :func:`backtest_years` picks the complete years to backtest,
:func:`backtest_by` summarises the backtest error per zone and
:func:`project_year` projects each zone's year in progress from its own latest
reported month. The models' own intervals are then recalibrated from the backtest
errors at the same origin (:mod:`.calibration`), which is what the page shows.
"""

from __future__ import annotations

import warnings
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from evalkit.core.period import ReportPeriod
from evalkit.schema import ZONES

from ._blas import single_threaded_blas

#: Model id → Chinese label (every label says it is a projection).
MODELS: dict[str, str] = {
    "ratio": "同比比率法（季节朴素）",
    "ets": "指数平滑 ETS(A,N,A)（对数）",
}

#: Minimum months of history (up to the projection origin) the ETS model needs:
#: two full seasonal cycles.
ETS_MIN_MONTHS = 24

#: Number of simulated paths per projection; seeded, so results are reproducible.
N_SIMS = 4000


def _month_index(series: pd.Series) -> pd.Series:
    """Return *series* sorted by its month-start DatetimeIndex with float values.

    A series that already is one (float, month starts, ascending: every call of the
    backtest after its first) is returned as it is, not rebuilt.
    """
    idx = series.index
    if (
        series.dtype == np.float64
        and isinstance(idx, pd.DatetimeIndex)
        and idx.tz is None
        and idx.is_monotonic_increasing
        and bool((idx.day == 1).all())
        and idx.equals(idx.normalize())
    ):
        return series
    s = series.astype(float).copy()
    s.index = pd.DatetimeIndex(s.index).to_period("M").to_timestamp()
    return s.sort_index()


def _history_to(history: pd.Series, year: int, origin_month: int) -> pd.Series:
    """Return :func:`_month_index` of *history* up to *origin_month* of *year* (no look-ahead)."""
    s = _month_index(history)
    return s[s.index <= pd.Timestamp(year=year, month=origin_month, day=1)]


def _summarize(totals: np.ndarray, threshold: float | None) -> dict:
    """Return median, 80 % and 95 % interval and P(total >= threshold) of simulated *totals*."""
    q = np.quantile(totals, [0.5, 0.1, 0.9, 0.025, 0.975])
    p = float(np.mean(totals >= threshold)) if threshold is not None else float("nan")
    return {
        "point": float(q[0]),
        "lo80": float(q[1]),
        "hi80": float(q[2]),
        "lo95": float(q[3]),
        "hi95": float(q[4]),
        "p_target": p,
    }


def simulate_ratio(
    history: pd.Series, year: int, origin_month: int, *, n_sims: int = N_SIMS, seed: int = 0
) -> np.ndarray | None:
    """Simulate annual totals for *year* with the year-on-year ratio model; None if not estimable.

    *history* is the zone's monthly funds (万元) indexed by month start; only months up
    to *origin_month* of *year* are used. Needs the previous year's twelve months and
    at least two residual degrees of freedom in the log-ratio regression.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: ~0.4 s of imports

    s = _history_to(history, year, origin_month)
    prev = {m: s.get(pd.Timestamp(year=year - 1, month=m, day=1), np.nan) for m in range(1, 13)}
    if any(np.isnan(v) for v in prev.values()):
        return None
    lagged = s.shift(12, freq="MS").reindex(s.index)
    ok = (s > 0) & (lagged > 0)
    d = np.log(s[ok]) - np.log(lagged[ok])
    years = d.index.year
    if (years == year).sum() == 0:
        return None
    dummies = pd.get_dummies(pd.Series(years, index=d.index), dtype=float)
    fit = OLS(d.to_numpy(), dummies.to_numpy()).fit()
    df = int(fit.df_resid)
    if df < 2:
        return None
    j = list(dummies.columns).index(year)
    mu_hat, sigma2_hat = float(fit.params[j]), float(fit.scale)
    n_cur = int((years == year).sum())
    rng = np.random.default_rng(seed)
    # Predictive draws under a flat prior: sigma^2 | data ~ scaled inv-chi2, mu | sigma^2 ~ normal.
    sigma2 = sigma2_hat * df / rng.chisquare(df, size=n_sims)
    mu = mu_hat + rng.standard_normal(n_sims) * np.sqrt(sigma2 / n_cur)
    ytd = float(s[s.index.year == year].sum())
    rest_months = range(origin_month + 1, 13)
    base = np.array([prev[m] for m in rest_months])
    if base.size == 0:
        return np.full(n_sims, ytd)
    e = rng.standard_normal((n_sims, base.size)) * np.sqrt(sigma2)[:, None]
    rest = (base[None, :] * np.exp(mu[:, None] + e)).sum(axis=1)
    return ytd + rest


def simulate_ets(
    history: pd.Series, year: int, origin_month: int, *, n_sims: int = N_SIMS, seed: int = 0
) -> np.ndarray | None:
    """Simulate annual totals for *year* with ETS(A,N,A) on log(1 + funds); None if too short.

    Uses the months of *history* up to *origin_month* of *year* (at least
    :data:`ETS_MIN_MONTHS`), fits by maximum likelihood and simulates the remaining
    months from the end of the sample.
    """
    s = _history_to(history, year, origin_month)
    if len(s) < ETS_MIN_MONTHS or s.isna().any():
        return None
    ytd = float(s[s.index.year == year].sum())
    steps = 12 - origin_month
    if steps == 0:
        return np.full(n_sims, ytd)
    y = np.log1p(np.clip(s.to_numpy(), 0, None))
    with warnings.catch_warnings(), single_threaded_blas():
        # Short series: the optimizer often warns about convergence / bounds; the
        # backtest, not the warning, is how the model's quality is judged.
        warnings.simplefilter("ignore")
        res = _ets_model_class()(y, error="add", seasonal="add", seasonal_periods=12).fit(
            disp=False
        )
        paths = res.simulate(
            steps, anchor="end", repetitions=n_sims, rng=np.random.default_rng(seed)
        )
    paths = np.asarray(paths).reshape(steps, n_sims)
    rest = np.clip(np.expm1(paths), 0, None).sum(axis=0)
    return ytd + rest


@cache
def _ets_model_class() -> type:
    """Return statsmodels' ``ETSModel`` whose fit skips the parameter covariance matrix.

    ``ETSResults.__init__`` computes the covariance of the estimated parameters
    (a complex-step Hessian of the likelihood: about a quarter of a fit's time) for
    standard errors. The projection uses only the fitted parameters, states and
    residual scale (``simulate``), never standard errors, so the matrix is left NaN.
    Fit, parameters and simulated paths are exactly those of ``ETSModel``
    (``tests/unit/topics/investment/test_investment_projection_speed.py``).
    """
    from statsmodels.tsa.exponential_smoothing.ets import (
        ETSModel,
        ETSResults,
        ETSResultsWrapper,
    )

    class _ETSResultsNoCov(ETSResults):
        @property
        def cov_params_approx(self) -> np.ndarray:
            k = len(self.params)
            return np.full((k, k), np.nan)

    class _ETSModelNoCov(ETSModel):
        @property
        def _res_classes(self) -> dict:
            return {"fit": (_ETSResultsNoCov, ETSResultsWrapper)}

    return _ETSModelNoCov


SIMULATORS = {"ratio": simulate_ratio, "ets": simulate_ets}


def project(
    history: pd.Series,
    year: int,
    origin_month: int,
    model: str,
    *,
    target_total: float | None = None,
    n_sims: int = N_SIMS,
    seed: int = 0,
) -> dict | None:
    """Project *year*'s total from *history* up to *origin_month* with *model*.

    Returns ``point`` (median), ``lo80``/``hi80``, ``lo95``/``hi95`` and
    ``p_target`` = P(total >= *target_total*), or None when the model cannot be
    estimated on the available history.
    """
    if model not in SIMULATORS:
        raise KeyError(f"未知预测模型 unknown projection model: {model!r}")
    if not 1 <= origin_month <= 12:
        raise ValueError(f"origin_month must be 1..12, got {origin_month}")
    totals = SIMULATORS[model](history, year, origin_month, n_sims=n_sims, seed=seed)
    if totals is None:
        return None
    return _summarize(totals, target_total)


@single_threaded_blas()
def backtest(
    monthly: pd.DataFrame,
    years: list[int],
    *,
    models: tuple[str, ...] = tuple(MODELS),
    n_sims: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Project each past December total of *years* from each month 1–11 and score it.

    *monthly* has columns ``zone_id, month, funds_wan_yuan`` (zone totals, complete
    months). Returns one row per zone, model, year and origin month with the actual
    total, the projection, its intervals, the absolute percentage error and whether
    the 80 % / 95 % intervals covered the actual total. Rows where a model is not
    estimable are left out.
    """
    rows = []
    for zone_id, g in monthly.groupby("zone_id", sort=False):
        s = g.set_index("month")["funds_wan_yuan"]
        s = _month_index(s)
        for year in years:
            cur = s[s.index.year == year]
            if len(cur) != 12:
                continue
            actual = float(cur.sum())
            for model in models:
                for m in range(1, 12):
                    r = project(s, year, m, model, n_sims=n_sims, seed=seed)
                    if r is None:
                        continue
                    rows.append(
                        {
                            "zone_id": zone_id,
                            "model": model,
                            "year": year,
                            "origin_month": m,
                            "actual": actual,
                            "point": r["point"],
                            "lo80": r["lo80"],
                            "hi80": r["hi80"],
                            "lo95": r["lo95"],
                            "hi95": r["hi95"],
                            "ape": abs(r["point"] / actual - 1) if actual > 0 else np.nan,
                            "in80": r["lo80"] <= actual <= r["hi80"],
                            "in95": r["lo95"] <= actual <= r["hi95"],
                        }
                    )
    cols = [
        "zone_id",
        "model",
        "year",
        "origin_month",
        "actual",
        "point",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "ape",
        "in80",
        "in95",
    ]
    return pd.DataFrame(rows, columns=cols)


def _zone_years(g: pd.DataFrame) -> int:
    """Return the number of distinct (zone, year) pairs in backtest rows *g*."""
    return int(len(g[["zone_id", "year"]].drop_duplicates())) if len(g) else 0


def backtest_summary(bt: pd.DataFrame) -> pd.DataFrame:
    """Return per model: zone-years and projections backtested, MAPE and median APE.

    Interval coverage is not pooled here: the projections of one zone-year from
    successive origins are not independent, so coverage is reported per origin
    in zone-years (:func:`.calibration.coverage_by_origin`).
    """
    out = []
    for model in MODELS:
        g = bt[bt["model"] == model]
        out.append(
            {
                "model": model,
                "zone_years": _zone_years(g),
                "n": len(g),
                "mape": float(g["ape"].mean()) if len(g) else np.nan,
                "median_ape": float(g["ape"].median()) if len(g) else np.nan,
            }
        )
    return pd.DataFrame(out)


def choose_model(summary: pd.DataFrame) -> str:
    """Return the model with the lowest backtest MAPE (``ratio`` when none was backtested).

    Ties go to the simpler ``ratio`` model (listed first in :data:`MODELS`).
    """
    ok = summary[summary["n"] > 0]
    if ok.empty:
        return "ratio"
    return str(ok.sort_values("mape", kind="stable").iloc[0]["model"])


# --- The report year: which years to backtest, year-end projections per zone ----------


def backtest_years(monthly: pd.DataFrame, year: int, as_of: str | date) -> list[int]:
    """Return the complete years up to *year* (as of *as_of*) that have a full previous year.

    A year is complete when all twelve months are on or before the as-of month.
    """
    if monthly.empty:
        return []
    first = int(monthly["month"].min().year)
    last_complete = year if ReportPeriod.of(year, as_of).through_month == 12 else year - 1
    return list(range(first + 1, last_complete + 1))


@single_threaded_blas()
def project_year(
    monthly: pd.DataFrame,
    att: pd.DataFrame,
    *,
    models: tuple[str, ...] | None = None,
    n_sims: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Return year-end projections (预测) per zone and model for a year in progress.

    Each zone is projected from its own latest reported month (``through_month``).
    ``target_total`` is (1 + target growth) × the previous year's twelve-month total;
    ``p_target`` the simulated probability of reaching it. Zones whose year is
    complete or not reported, and models not estimable on the history, are left out.
    """
    models = models or tuple(MODELS)
    year = int(att["year"].iloc[0])
    kw = {"n_sims": n_sims} if n_sims else {}
    rows = []
    for r in att.itertuples(index=False):
        if not 1 <= r.through_month < 12:
            continue
        g = monthly[monthly["zone_id"] == r.zone_id]
        s = g.set_index("month")["funds_wan_yuan"]
        prev = s[s.index.year == year - 1]
        prev_total = float(prev.sum()) if len(prev) == 12 else float("nan")
        target_total = (1 + r.target_growth) * prev_total if prev_total > 0 else None
        for model in models:
            res = project(
                s, year, r.through_month, model, target_total=target_total, seed=seed, **kw
            )
            if res is None:
                continue
            rows.append(
                {
                    "zone_id": r.zone_id,
                    "model": model,
                    "through_month": r.through_month,
                    "ytd_wan_yuan": r.funds_wan_yuan,
                    "prev_total_wan_yuan": prev_total,
                    "target_total_wan_yuan": np.nan if target_total is None else target_total,
                    **res,
                }
            )
    cols = [
        "zone_id",
        "model",
        "through_month",
        "ytd_wan_yuan",
        "prev_total_wan_yuan",
        "target_total_wan_yuan",
        "point",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "p_target",
    ]
    return pd.DataFrame(rows, columns=cols)


def backtest_by(bt: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return backtest error and its direction per model and *by* (``zone_id`` or ``origin_month``).

    Columns ``model, <by>, zone_years, n, mape, n_over, n_under``: ``n_over`` counts
    projections below the actual total (actual over the projection), ``n_under``
    those above it. Coverage is not pooled over origins (see
    :func:`.calibration.coverage_by_origin`).
    """
    cols = ["model", by, "zone_years", "n", "mape", "n_over", "n_under"]
    if bt.empty:
        return pd.DataFrame(columns=cols)
    keys = list(ZONES) if by == "zone_id" else sorted(bt[by].unique())
    rows = []
    for model in MODELS:
        for k in keys:
            g = bt[(bt["model"] == model) & (bt[by] == k)]
            if g.empty:
                continue
            rows.append(
                {
                    "model": model,
                    by: k,
                    "zone_years": _zone_years(g),
                    "n": len(g),
                    "mape": float(g["ape"].mean()),
                    "n_over": int((g["actual"] > g["point"]).sum()),
                    "n_under": int((g["actual"] < g["point"]).sum()),
                }
            )
    return pd.DataFrame(rows, columns=cols)
