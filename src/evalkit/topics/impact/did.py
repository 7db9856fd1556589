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
    interval inverts the same test with the same draws (Roodman et al. 2019):
    it is the set of ``beta0`` the bootstrap test does not reject at ``alpha``
    (:meth:`_Bootstrap.confint`).

Too few clusters (:func:`inference_check`)
    Cluster-robust inference needs enough clusters *and* enough treated and
    untreated clusters. The rules, applied by :func:`did` before any p-value is
    reported:

    - fewer than :data:`MIN_CLUSTERS` (5) clusters: inference withheld (standard
      error, intervals and p-values NaN, the estimate kept, the reason in
      ``inference_note``). Five is the smallest number of clusters for which
      Cameron, Gelbach & Miller (2008, *REStat* 90(3)) simulate (their smallest
      design) and find the wild cluster bootstrap-t close to its nominal size; Webb (2023,
      *Canadian J. Econ.* 56(3)) shows two-point weights cannot give point-identified
      p-values below about 11 clusters (hence the six-point weights used here).
    - one treated (or one untreated) cluster: inference withheld. MacKinnon &
      Webb (2017, *J. Applied Econometrics* 32(2), "Wild bootstrap inference for
      wildly different cluster sizes") show that with one treated cluster the
      cluster-robust t-test over-rejects severely and the restricted wild cluster
      bootstrap almost never rejects; no p-value computed here is then meaningful
      (Conley & Taber 2011 style methods would be needed).
    - fewer than :data:`FEW_TREATED_CLUSTERS` (3) treated (or untreated)
      clusters: reported with a warning (``inference = "few_treated"``): MacKinnon &
      Webb (2017; 2018, *Econometrics J.* 21(2), "The wild bootstrap for few
      (treated) clusters") show the restricted bootstrap under-rejects (p-values
      too large) when treated clusters are very few. The unit test
      ``test_bootstrap_size_by_number_of_treated_clusters`` checks this on the
      county design (ten clusters): rejection of a true null at 5 % is far
      below 5 % with two treated clusters and near 5 % with three.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

from .bootstrap import WEBB_WEIGHTS as WEBB_WEIGHTS
from .bootstrap import _Bootstrap, webb_weights
from .errors import ImpactError as ImpactError

#: Default number of bootstrap replications (p-values are multiples of 1/9999).
DEFAULT_REPS = 9999
DEFAULT_SEED = 20240909  # the plan's issue date: fixed so pages are reproducible

#: Fewer clusters than this: inference withheld (see the module docstring).
MIN_CLUSTERS = 5
#: Fewer treated (or untreated) clusters than this: inference withheld.
MIN_TREATED_CLUSTERS = 2
#: Fewer treated (or untreated) clusters than this: inference reported with a warning.
FEW_TREATED_CLUSTERS = 3


@dataclass(frozen=True)
class DidResult:
    """A difference-in-differences estimate with clustered and bootstrap inference.

    ``se``, ``ci_low``/``ci_high`` and ``p_analytic`` use the fixest-default
    cluster-robust variance and a t distribution with ``n_clusters - 1`` degrees
    of freedom; ``p_wild_bootstrap`` and ``boot_ci_low``/``boot_ci_high`` come
    from the restricted wild cluster bootstrap (Webb weights) and are the ones
    to report when clusters are few. ``df_k`` is the parameter count ``K`` used
    in the ``(N-1)/(N-K)`` factor. ``inference`` is ``"ok"``, ``"few_treated"``
    (reported with a warning) or ``"withheld"`` (every inference field NaN), with
    the reason in ``inference_note`` (Chinese; see :func:`inference_check`).
    ``n_untreated_clusters`` counts the clusters never treated.
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
    n_untreated_clusters: int = -1
    inference: str = "ok"
    inference_note: str = ""

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


def inference_check(n_clusters: int, n_treated: int, n_untreated: int) -> tuple[str, str]:
    """Return ``(status, note)`` for inference with these cluster counts.

    *status* is ``"withheld"`` (fewer than :data:`MIN_CLUSTERS` clusters, or fewer
    than :data:`MIN_TREATED_CLUSTERS` treated or untreated clusters),
    ``"few_treated"`` (fewer than :data:`FEW_TREATED_CLUSTERS` treated or untreated
    clusters) or ``"ok"``; *note* says why in Chinese (empty when ``"ok"``).
    Sources of the thresholds: the module docstring.
    """
    fewest = min(n_treated, n_untreated)
    side = "处理组" if n_treated <= n_untreated else "对照组"
    if n_clusters < MIN_CLUSTERS:
        return "withheld", (
            f"只有 {n_clusters} 个聚类（少于 {MIN_CLUSTERS} 个），聚类稳健标准误和 wild bootstrap "
            "都不可靠，不报告标准误、区间和 p 值。"
        )
    if fewest < MIN_TREATED_CLUSTERS:
        return "withheld", (
            f"{side}只有 {fewest} 个聚类，聚类稳健 t 检验会严重过度拒绝、wild bootstrap 几乎从不拒绝"
            "（MacKinnon & Webb 2017），不报告标准误、区间和 p 值。"
        )
    if fewest < FEW_TREATED_CLUSTERS:
        return "few_treated", (
            f"{side}只有 {fewest} 个聚类：处理组（或对照组）聚类很少时 wild bootstrap 偏保守"
            "（p 值偏大、区间偏宽，MacKinnon & Webb 2017、2018），结果仅供参考。"
        )
    return "ok", ""


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
    allow_few_clusters: bool = False,
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
    bootstrap interval (same draws). Rows with a missing value are dropped.

    Too few clusters: with fewer than :data:`MIN_CLUSTERS` clusters or a single
    treated (or untreated) cluster the estimate is returned but every inference
    field is NaN and ``inference == "withheld"``; with fewer than
    :data:`FEW_TREATED_CLUSTERS` treated (or untreated) clusters ``inference ==
    "few_treated"``. ``inference_note`` says why (sources in the module docstring).
    A numerically exact fit (standard error below 1e-9 of the estimate's scale) is
    withheld too.
    *allow_few_clusters* computes the withheld numbers anyway (``inference`` stays
    ``"withheld"``): only to reproduce reference software output, never for a page.
    Raises :class:`ImpactError` when the panel cannot identify the effect.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    p = _prepare(df, outcome, unit, time, [treated], cluster)
    params, vcov = _ols_cluster(p)
    est, se = float(params[0]), float(math.sqrt(vcov[0, 0]))
    treated_clusters = len(np.unique(p.cluster[p.x[:, 0] != 0]))
    untreated = p.n_clusters - treated_clusters
    status, note = inference_check(p.n_clusters, treated_clusters, untreated)
    if status != "withheld" and not se > 1e-9 * max(abs(est), float(np.std(p.y)), 1e-300):
        status, note = "withheld", "模型几乎完全拟合，无法估计误差，不报告标准误、区间和 p 值。"
    common = dict(
        estimate=est,
        n_obs=len(p.y),
        n_clusters=p.n_clusters,
        n_treated_clusters=treated_clusters,
        n_untreated_clusters=untreated,
        df_k=p.df_k,
        alpha=alpha,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
        inference=status,
        inference_note=note,
    )
    if status == "withheld" and not allow_few_clusters:
        nan = math.nan
        withheld = ["se", "t", "ci_low", "ci_high", "p_analytic", "p_wild_bootstrap"]
        withheld += ["boot_ci_low", "boot_ci_high"]
        return DidResult(**dict.fromkeys(withheld, nan), **common)
    df_t = p.n_clusters - 1
    crit = float(stats.t.ppf(1 - alpha / 2, df_t))
    t = est / se if se > 0 else math.nan
    boot = _Bootstrap(p, webb_weights(p.n_clusters, bootstrap_reps, seed))
    pb = boot.pvalue(0.0)
    lo, hi = boot.confint(alpha, se) if bootstrap_ci else (math.nan, math.nan)
    return DidResult(
        se=se,
        t=t,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        p_analytic=float(2 * stats.t.sf(abs(t), df_t)),
        p_wild_bootstrap=pb,
        boot_ci_low=lo,
        boot_ci_high=hi,
        **common,
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
    n_treated_clusters: int = -1
    inference: str = "ok"
    inference_note: str = ""

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
    allow_few_clusters: bool = False,
) -> EventStudy:
    """Estimate period-by-period effects relative to period *ref*.

    *group* is the 0/1 "ever treated" indicator. The model is ``outcome ~
    sum_{k != ref} group × 1[time == k] + unit FE + time FE``; standard errors
    as in :func:`did`. The pre-trend test is a Wald test that every coefficient
    before *ref* is zero, using the clustered covariance, reported as
    ``F = W / q`` against F(q, G-1) (fixest's ``wald()`` convention).
    Cluster counts are checked as in :func:`did` (:func:`inference_check` on the
    ever-treated clusters): when inference is withheld the standard errors,
    intervals and the pre-trend test are NaN (unless *allow_few_clusters*, as in
    :func:`did`).
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
    ever = data.loc[data[[outcome, unit, time]].notna().all(axis=1), group].astype(float) != 0
    clusters = data.loc[ever.index, cluster or unit]
    n_treated = int(clusters[ever].nunique())
    status, note = inference_check(p.n_clusters, n_treated, p.n_clusters - n_treated)
    withheld = status == "withheld" and not allow_few_clusters
    if withheld:
        vcov = np.full_like(vcov, np.nan)
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
    if pre and not withheld:
        b = params[pre]
        v = vcov[np.ix_(pre, pre)]
        w = float(b @ np.linalg.pinv(v) @ b)
        q = len(pre)
        f = w / q
        pval = float(stats.f.sf(f, q, df_t))
    else:
        f, q, pval = math.nan, 0, math.nan
    return EventStudy(table, ref, f, (q, df_t), pval, p.n_clusters, n_treated, status, note)
