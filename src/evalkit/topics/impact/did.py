"""Difference-in-differences estimators with few clusters (the numerics of 政策效应评估).

Generic estimators on a long panel (one row per unit and period); the report's
choices (which counties, which years) live in :mod:`evalkit.topics.impact.compute`.

Estimation (:func:`did`, :func:`event_study`)
    Two-way fixed effects (unit + time dummies) by statsmodels OLS. Standard
    errors are clustered by unit (CRV1) with the small-sample correction R's
    fixest applies by default, ``ssc(adj = TRUE, fixef.K = "nested",
    cluster.adj = TRUE, t.df = "min")``::

        V = G/(G-1) * (N-1)/(N-K) * V_sandwich,   t-distribution with G-1 df

    where fixest counts in ``K`` the regressors plus the fixed-effect parameters
    *not nested* in the clusters: it starts from ``K = k + sum(FE sizes) -
    (#FE - 1)`` and, for every FE nested in the clusters (the unit FE when
    clustering by unit), removes ``size - 1`` (each nested FE keeps one
    parameter; if every FE is nested, ``K = k + 1``). For the two-way DiD
    clustered by unit, ``K = k + T`` (T = number of periods). fixest 0.13
    renamed these arguments (``K.adj``, ``K.fixef = "nonnested"``, ``G.adj``)
    with the same default; pyfixest calls it ``k_fixef="nonnested"``. statsmodels' own
    correction counts every dummy, which gives larger standard errors than
    fixest. It equals Stata's ``xtreg, fe vce(cluster)`` correction when the unit
    FE is nested in the clusters. The tests check this module against pyfixest (a
    port of fixest's defaults) to four significant digits, against published Stata
    output for the castle-doctrine panel, and against textbook results at the
    precision the books print.

Inference with ten clusters (:func:`wild_cluster_bootstrap`)
    Cluster-robust t-tests over-reject with few clusters, so the headline
    p-value is a restricted (null imposed) wild cluster bootstrap-t ("WCR11")
    with Webb six-point weights drawn per cluster from a seeded
    ``numpy.random.default_rng`` (Cameron, Gelbach & Miller 2008; Webb 2023;
    MacKinnon & Webb 2017). It is vectorized numpy; the weights are drawn
    exactly as the ``wildboottest`` package draws them, so with the same seed
    the tests reproduce that package's p-values. The bootstrap confidence
    interval inverts the same test (Roodman et al. 2019).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

#: Webb (2023) six-point weights, in the order ``wildboottest`` samples them.
WEBB_WEIGHTS = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)

#: Default number of bootstrap replications (p-values are multiples of 1/9999).
DEFAULT_REPS = 9999
DEFAULT_SEED = 20240909  # the plan's issue date: fixed so pages are reproducible


class ImpactError(ValueError):
    """The panel handed to an estimator cannot identify the effect."""


@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences estimate with clustered and bootstrap inference.

    ``se``, ``ci_low``/``ci_high`` and ``p_analytic`` use the fixest-default
    cluster-robust variance and a t distribution with ``n_clusters - 1`` degrees
    of freedom; ``p_wild_bootstrap`` and ``boot_ci_low``/``boot_ci_high`` come
    from the restricted wild cluster bootstrap (Webb weights) and are the ones
    to report when clusters are few. ``df_k`` is the parameter count ``K`` used
    in the ``(N-1)/(N-K)`` factor.
    """

    estimate: float
    se: float
    t: float
    ci_low: float
    ci_high: float
    p_analytic: float
    p_wild_bootstrap: float
    boot_ci_low: float
    boot_ci_high: float
    n_obs: int
    n_clusters: int
    n_treated_clusters: int
    df_k: int
    alpha: float
    bootstrap_reps: int
    seed: int

    def as_dict(self) -> dict:
        """Return the fields as a plain dict."""
        return asdict(self)


# --- Design matrices -------------------------------------------------------------------


def _codes(values: pd.Series) -> tuple[np.ndarray, list]:
    """Return integer codes of *values* in sorted-label order, and the labels."""
    labels = sorted(pd.unique(values))
    index = {v: i for i, v in enumerate(labels)}
    return np.array([index[v] for v in values], dtype=np.int64), labels


def _fe_dummies(unit_codes: np.ndarray, time_codes: np.ndarray) -> np.ndarray:
    """Return intercept + unit dummies + time dummies (first level of each dropped)."""
    n = len(unit_codes)
    nu, nt = unit_codes.max() + 1, time_codes.max() + 1
    u = np.zeros((n, nu))
    u[np.arange(n), unit_codes] = 1.0
    t = np.zeros((n, nt))
    t[np.arange(n), time_codes] = 1.0
    return np.column_stack([np.ones(n), u[:, 1:], t[:, 1:]])


def _is_nested(fe_codes: np.ndarray, cluster_codes: np.ndarray) -> bool:
    """Return True if every level of the fixed effect lies inside one cluster."""
    pairs = pd.DataFrame({"fe": fe_codes, "cl": cluster_codes}).drop_duplicates()
    return bool(pairs["fe"].is_unique)


def fixest_k(n_coef: int, fe_sizes: list[int], nested: list[bool]) -> int:
    """Return fixest's ``K`` for ``ssc(fixef.K = "nested")`` (default, not exact).

    *n_coef* regressors besides the fixed effects; *fe_sizes* the number of levels
    of each fixed effect; *nested* whether each is nested in the clusters.
    Mirrors ``vcov.fixest``: ``K = n_coef + sum(sizes) - (n_fe - 1)``, minus
    ``size - 1`` per nested FE, or ``n_coef + 1`` when every FE is nested.
    """
    n_fe = len(fe_sizes)
    k = n_coef + sum(fe_sizes) - (n_fe - 1)
    if n_fe and all(nested):
        k = k - (sum(fe_sizes) - (n_fe - 1)) + 1
    else:
        k -= sum(size - 1 for size, is_n in zip(fe_sizes, nested, strict=True) if is_n)
    return max(k, n_coef + 1)


@dataclass
class _Panel:
    """Arrays of one estimation sample (rows with a missing value dropped)."""

    y: np.ndarray
    x: np.ndarray  # regressors of interest (n × k)
    z: np.ndarray  # intercept + fixed-effect dummies
    cluster: np.ndarray  # 0..G-1, sorted-label order
    n_clusters: int
    ssc: float
    df_k: int


def _prepare(
    df: pd.DataFrame, outcome: str, unit: str, time: str, regressors: list[str], cluster: str | None
) -> _Panel:
    """Validate *df* and build the arrays the estimators share."""
    cluster = cluster or unit
    cols = list(dict.fromkeys([outcome, unit, time, cluster, *regressors]))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ImpactError(f"缺少列 missing column(s): {missing}")
    data = df[cols].dropna()
    y = data[outcome].to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ImpactError(f"列 {outcome!r} 含非有限值 / column {outcome!r} has inf values")
    ucodes, units = _codes(data[unit])
    tcodes, times = _codes(data[time])
    ccodes, clusters = _codes(data[cluster])
    if len(units) < 2 or len(times) < 2:
        raise ImpactError("至少需要两个单位和两个时期 / need at least two units and two periods")
    x = data[regressors].to_numpy(dtype=float)
    n, g = len(y), len(clusters)
    if g < 2:
        raise ImpactError("至少需要两个聚类 / need at least two clusters")
    k = fixest_k(
        len(regressors),
        [len(units), len(times)],
        [_is_nested(ucodes, ccodes), _is_nested(tcodes, ccodes)],
    )
    ssc = (n - 1) / (n - k) * g / (g - 1)
    return _Panel(y, x, _fe_dummies(ucodes, tcodes), ccodes, g, ssc, k)


def _ols_cluster(p: _Panel) -> tuple[np.ndarray, np.ndarray]:
    """Fit y on [x, FE dummies] by statsmodels OLS; return (coefs of x, fixest-scaled vcov)."""
    design = np.column_stack([p.x, p.z])
    k = p.x.shape[1]
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ImpactError(
            "处理变量与固定效应共线，无法识别 / treatment is collinear with the fixed effects"
        )
    fit = OLS(p.y, design).fit(
        cov_type="cluster", cov_kwds={"groups": p.cluster, "use_correction": False}
    )
    params = np.asarray(fit.params)[:k]
    vcov = np.asarray(fit.cov_params())[:k, :k] * p.ssc
    return params, vcov


# --- Wild cluster bootstrap ------------------------------------------------------------


def webb_weights(n_clusters: int, reps: int, seed: int) -> np.ndarray:
    """Return a ``(n_clusters, reps)`` matrix of Webb weights from ``default_rng(seed)``.

    Drawn exactly as ``wildboottest`` draws them (one ``rng.choice`` of
    ``n_clusters * reps`` values, reshaped cluster-major), so the same seed gives
    the same bootstrap samples in both.
    """
    rng = np.random.default_rng(seed)
    return rng.choice(WEBB_WEIGHTS, size=n_clusters * reps).reshape(n_clusters, reps)


class _Bootstrap:
    """Restricted wild cluster bootstrap-t for one coefficient (column 0 of ``x``).

    Works on the Frisch–Waugh–Lovell residualized model: every other regressor
    and the fixed effects are partialled out once; each bootstrap sample costs
    one ``n × reps`` projection.
    """

    def __init__(self, p: _Panel, weights: np.ndarray):
        others = np.column_stack([p.x[:, 1:], p.z])
        q, r = np.linalg.qr(others)
        keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(np.diag(r)).max())
        self.q = q[:, keep]  # orthonormal basis of the nuisance columns
        self.d = self._resid(p.x[:, 0])  # residualized regressor of interest
        self.y = self._resid(p.y)
        self.dd = float(self.d @ self.d)
        if self.dd <= 1e-12 * max(1.0, float(p.x[:, 0] @ p.x[:, 0])):
            raise ImpactError("处理变量被固定效应吸收 / treatment absorbed by fixed effects")
        # Cluster-membership matrix: cluster sums become one matrix product.
        self.members = (p.cluster[None, :] == np.arange(p.n_clusters)[:, None]).astype(float)
        self.ssc = p.ssc
        self.v_obs = weights[p.cluster, :]  # per-observation weights, n × reps
        self.beta = float(self.d @ self.y) / self.dd
        self.se = self._se(self.y - self.beta * self.d)

    def _resid(self, a: np.ndarray) -> np.ndarray:
        """Return *a* minus its projection on the nuisance columns."""
        return a - self.q @ (self.q.T @ a)

    def _cluster_sum(self, a: np.ndarray) -> np.ndarray:
        """Sum the rows of *a* (n or n × reps) within clusters."""
        return self.members @ a

    def _se(self, u: np.ndarray) -> np.ndarray:
        """Return the fixest-scaled CRV1 standard error(s) for residuals *u* (n or n × reps)."""
        scores = self._cluster_sum(self.d.reshape((-1,) + (1,) * (u.ndim - 1)) * u)
        return np.sqrt(self.ssc * (scores**2).sum(axis=0)) / self.dd

    def pvalue(self, beta0: float = 0.0) -> float:
        """Return the symmetric bootstrap p-value of H0: beta = beta0.

        ``P(|t*| > |t|)`` over the replications (the definition ``wildboottest``
        and ``fwildclusterboot`` use).
        """
        t_obs = (self.beta - beta0) / self.se
        u_r = self.y - beta0 * self.d  # residuals of the restricted model
        e = u_r[:, None] * self.v_obs
        e = self._resid(e)
        b_star = (self.d @ e) / self.dd  # bootstrap estimate minus beta0
        u_star = e - self.d[:, None] * b_star
        t_star = b_star / self._se(u_star)
        return float(np.mean(np.abs(t_obs) < np.abs(t_star)))

    def confint(self, alpha: float, se_guess: float) -> tuple[float, float]:
        """Invert the bootstrap test: the beta0 values with p-value above *alpha*.

        Bisection on each side of the estimate; bounds are found to 1e-6 of the
        standard error. Returns NaN for a side the search cannot bracket.
        """
        tol = 1e-6 * se_guess

        def bound(direction: int) -> float:
            inside = self.beta
            step = se_guess
            outside = self.beta + direction * step
            for _ in range(60):
                if self.pvalue(outside) <= alpha:
                    break
                inside, step = outside, step * 2
                outside = self.beta + direction * step
            else:
                return math.nan
            while abs(outside - inside) > tol:
                mid = (inside + outside) / 2
                if self.pvalue(mid) > alpha:
                    inside = mid
                else:
                    outside = mid
            return (inside + outside) / 2

        return bound(-1), bound(+1)


def wild_cluster_bootstrap(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    *,
    cluster: str | None = None,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
    beta0: float = 0.0,
) -> float:
    """Return the restricted wild cluster bootstrap p-value of ``treated`` = *beta0*.

    Two-way fixed-effects model as in :func:`did`; Webb weights per cluster
    (default cluster: *unit*), *reps* replications from ``default_rng(seed)``.
    """
    p = _prepare(df, outcome, unit, time, [treated], cluster)
    return _Bootstrap(p, webb_weights(p.n_clusters, reps, seed)).pvalue(beta0)


# --- Estimators ------------------------------------------------------------------------


def did(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    *,
    cluster: str | None = None,
    alpha: float = 0.05,
    bootstrap_reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
    bootstrap_ci: bool = True,
) -> DidResult:
    """Estimate a two-way fixed-effects difference-in-differences.

    *df* is long (one row per unit and period); *treated* is the 0/1 indicator
    "this unit is treated in this period". The model is ``outcome ~ treated +
    unit FE + time FE`` (statsmodels OLS on dummies). Standard errors are
    clustered by *cluster* (default: *unit*) with fixest's default small-sample
    correction (see the module docstring), the confidence interval uses a t
    distribution with G-1 degrees of freedom, and the wild cluster bootstrap
    (restricted, Webb weights, ``bootstrap_reps`` replications seeded by
    *seed*) gives ``p_wild_bootstrap`` and, if *bootstrap_ci*, the inverted
    bootstrap interval. Rows with a missing value are dropped.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    p = _prepare(df, outcome, unit, time, [treated], cluster)
    params, vcov = _ols_cluster(p)
    est, se = float(params[0]), float(math.sqrt(vcov[0, 0]))
    df_t = p.n_clusters - 1
    crit = float(stats.t.ppf(1 - alpha / 2, df_t))
    t = est / se if se > 0 else math.nan
    boot = _Bootstrap(p, webb_weights(p.n_clusters, bootstrap_reps, seed))
    pb = boot.pvalue(0.0)
    lo, hi = boot.confint(alpha, se) if bootstrap_ci else (math.nan, math.nan)
    treated_clusters = len(np.unique(p.cluster[p.x[:, 0] != 0]))
    return DidResult(
        estimate=est,
        se=se,
        t=t,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        p_analytic=float(2 * stats.t.sf(abs(t), df_t)),
        p_wild_bootstrap=pb,
        boot_ci_low=lo,
        boot_ci_high=hi,
        n_obs=len(p.y),
        n_clusters=p.n_clusters,
        n_treated_clusters=treated_clusters,
        df_k=p.df_k,
        alpha=alpha,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
    )


@dataclass(frozen=True)
class EventStudy:
    """Event-study coefficients (one per period but the reference) and a pre-trend test."""

    table: pd.DataFrame  # period, estimate, se, ci_low, ci_high (reference row = 0)
    ref: int
    pretrend_f: float
    pretrend_df: tuple[int, int]
    pretrend_p: float
    n_clusters: int

    def __post_init__(self):
        # A stored result reads the degrees of freedom back as a JSON list: keep a tuple.
        object.__setattr__(self, "pretrend_df", tuple(int(v) for v in self.pretrend_df))


def event_study(
    df: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    *,
    ref: int,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> EventStudy:
    """Estimate period-by-period effects relative to period *ref*.

    *group* is the 0/1 "ever treated" indicator. The model is ``outcome ~
    sum_{k != ref} group × 1[time == k] + unit FE + time FE``; standard errors
    as in :func:`did`. The pre-trend test is a Wald test that every coefficient
    before *ref* is zero, using the clustered covariance, reported as
    ``F = W / q`` against F(q, G-1) (fixest's ``wald()`` convention).
    """
    data = df.copy()
    periods = sorted(int(v) for v in pd.unique(data[time].dropna()))
    if ref not in periods:
        raise ImpactError(f"参照期 {ref} 不在数据中 / reference period not in data")
    names = []
    for k in periods:
        if k == ref:
            continue
        name = f"_ev_{k}"
        data[name] = (data[group].astype(float) * (data[time] == k)).astype(float)
        names.append(name)
    p = _prepare(data, outcome, unit, time, names, cluster)
    params, vcov = _ols_cluster(p)
    df_t = p.n_clusters - 1
    crit = float(stats.t.ppf(1 - alpha / 2, df_t))
    se = np.sqrt(np.diag(vcov))
    rows = []
    it = iter(range(len(names)))
    for k in periods:
        if k == ref:
            rows.append((k, 0.0, math.nan, math.nan, math.nan))
            continue
        i = next(it)
        rows.append((k, params[i], se[i], params[i] - crit * se[i], params[i] + crit * se[i]))
    table = pd.DataFrame(rows, columns=["period", "estimate", "se", "ci_low", "ci_high"])
    pre = [i for i, k in enumerate(k for k in periods if k != ref) if k < ref]
    if pre:
        b = params[pre]
        v = vcov[np.ix_(pre, pre)]
        w = float(b @ np.linalg.pinv(v) @ b)
        q = len(pre)
        f = w / q
        pval = float(stats.f.sf(f, q, df_t))
    else:
        f, q, pval = math.nan, 0, math.nan
    return EventStudy(table, ref, f, (q, df_t), pval, p.n_clusters)
