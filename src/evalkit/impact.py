"""Impact estimate: difference-in-differences with few clusters (政策效应评估).

The three county-level units hosting the pilot zones (北林区, 肇东市, 青冈县) are
compared with Suihua's seven other county-level units before (2019–2023) and
after the September 2024 designation.

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

import html
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

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
    fit = sm.OLS(p.y, design).fit(
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


# --- The report's choices ---------------------------------------------------------------

#: Headline outcome and the plan's dates.
HEADLINE_OUTCOME = "domestic_capital_used"
FIRST_TREATED_YEAR = 2024  # designation in September 2024: a partial treatment year
REFERENCE_YEAR = 2023  # last full year before the designation
PLACEBO_YEAR = 2021  # fake adoption year inside 2019–2023


def headline_years(year: int, panel_years: list[int]) -> dict:
    """Decide which years the headline estimate uses for report *year*.

    The county panel is cut at the report year. The designation came in
    September 2024, so 2024 is only partly treated: when a full treated year
    exists (2025 onward) the headline compares it with 2019–2023 and leaves
    2024 out; the 2024 report has only 2024 and says it is partial. Returns
    ``{"pre": [...], "post": [...], "dropped": [...], "partial_post": bool,
    "last_panel_year": int}``.
    """
    years = sorted(int(y) for y in panel_years if int(y) <= int(year))
    pre = [y for y in years if y < FIRST_TREATED_YEAR]
    after = [y for y in years if y >= FIRST_TREATED_YEAR]
    full = [y for y in after if y > FIRST_TREATED_YEAR]
    post, dropped = (
        (full, [FIRST_TREATED_YEAR] if FIRST_TREATED_YEAR in after else []) if full else (after, [])
    )
    return {
        "pre": pre,
        "post": post,
        "dropped": dropped,
        "partial_post": not full and bool(after),
        "last_panel_year": years[-1] if years else None,
    }


def prepare_panel(panel: pd.DataFrame, year: int, hosts: tuple[str, ...]) -> pd.DataFrame:
    """Return the county panel cut at *year* with ``group`` (pilot host) and ``post`` columns.

    Adds ``log_<outcome>`` for every outcome column with only positive values.
    """
    out = panel[panel["year"] <= int(year)].copy()
    out["year"] = out["year"].astype(int)
    out["group"] = out["county_id"].isin(hosts).astype(int)
    out["post"] = (out["year"] >= FIRST_TREATED_YEAR).astype(int)
    return out.sort_values(["county_id", "year"], kind="stable").reset_index(drop=True)


def with_log(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return *df* with ``log_<column>``; raise :class:`ImpactError` on a value ≤ 0."""
    values = df[column].astype(float)
    bad = df.loc[values <= 0]
    if len(bad):
        first = bad.iloc[0]
        raise ImpactError(
            f"county_panel 第 {bad.index[0]} 行（{first.get('county_id')}, {first.get('year')}）"
            f"列 {column} 不为正，不能取对数 / row {bad.index[0]} column {column!r} must be "
            f"positive to take logs, got {first[column]!r}"
        )
    out = df.copy()
    out[f"log_{column}"] = np.log(values)
    return out


def sample_for(df: pd.DataFrame, pre: list[int], post: list[int]) -> pd.DataFrame:
    """Return the rows of *pre* and *post* years with ``treated = group × post-year``."""
    out = df[df["year"].isin(pre + post)].copy()
    out["treated"] = (out["group"].astype(bool) & out["year"].isin(post)).astype(int)
    return out


def county_did(sample: pd.DataFrame, column: str, **kwargs) -> DidResult:
    """Run :func:`did` of *column* on a :func:`sample_for` county sample.

    Units are ``county_id``, periods ``year``, the treatment ``treated``;
    *kwargs* go to :func:`did`.
    """
    return did(sample, column, "county_id", "year", "treated", **kwargs)


def headline_estimate(panel: pd.DataFrame, outcome: str, plan: dict, **kwargs) -> DidResult:
    """Return the headline DiD of log *outcome* on the years of *plan*.

    *panel* is :func:`prepare_panel` output and *plan* :func:`headline_years`
    output; *kwargs* go to :func:`did`.
    """
    logged = with_log(panel, outcome)
    return county_did(sample_for(logged, plan["pre"], plan["post"]), f"log_{outcome}", **kwargs)


# --- Robustness ------------------------------------------------------------------------


def _row(label: str, years: str, res: DidResult, unit: str) -> dict:
    """Return one robustness-table row (numeric; formatted later for the page)."""
    return {
        "spec": label,
        "years": years,
        "unit": unit,
        "estimate": res.estimate,
        "se": res.se,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "p_wild_bootstrap": res.p_wild_bootstrap,
        "n_clusters": res.n_clusters,
    }


def year_span(years: list[int]) -> str:
    """Return ``"2019–2023"`` for consecutive years, else a comma list; ``"—"`` if empty."""
    ys = sorted(years)
    if not ys:
        return "—"
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return "、".join(str(y) for y in ys)


def robustness(
    panel: pd.DataFrame,
    outcome: str,
    plan: dict,
    *,
    county_names: dict[str, str],
    money_unit: str = "万元",
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Return the robustness table for *outcome* (a column of :func:`prepare_panel` output).

    Rows: the headline (log outcome, years from *plan* = :func:`headline_years`);
    2024 counted as treated too (when the headline leaves it out); the level
    outcome; a placebo adoption in :data:`PLACEBO_YEAR` using pre-period years
    only; and leave-one-out over each comparison county. Every row has its own
    wild bootstrap p-value (same seed).
    """
    logged = with_log(panel, outcome)
    log_col = f"log_{outcome}"
    pre, post = plan["pre"], plan["post"]
    span = f"{year_span(pre)} 对 {year_span(post)}"
    fit = dict(bootstrap_reps=reps, seed=seed, bootstrap_ci=False)
    rows = []
    base = sample_for(logged, pre, post)
    rows.append(
        _row(
            "基准：对数，双向固定效应",
            span,
            county_did(base, log_col, **fit),
            "对数",
        )
    )
    if plan["dropped"]:
        post_all = sorted(post + plan["dropped"])
        rows.append(
            _row(
                "2024 年（部分处理年）也计为处理后",
                f"{year_span(pre)} 对 {year_span(post_all)}",
                county_did(sample_for(logged, pre, post_all), log_col, **fit),
                "对数",
            )
        )
    rows.append(
        _row(
            "水平值（非对数）",
            span,
            county_did(base, outcome, **fit),
            money_unit,
        )
    )
    placebo_pre = [y for y in pre if y < PLACEBO_YEAR]
    placebo_post = [y for y in pre if y >= PLACEBO_YEAR]
    if placebo_pre and placebo_post:
        fake = sample_for(logged, placebo_pre, placebo_post)
        rows.append(
            _row(
                f"安慰剂：假定 {PLACEBO_YEAR} 年起受处理（仅用处理前年份）",
                f"{year_span(placebo_pre)} 对 {year_span(placebo_post)}",
                county_did(fake, log_col, **fit),
                "对数",
            )
        )
    controls = sorted(base.loc[base["group"] == 0, "county_id"].unique())
    for county in controls:
        sub = base[base["county_id"] != county]
        rows.append(
            _row(
                f"剔除对照县：{county_names.get(county, county)}",
                span,
                county_did(sub, log_col, **fit),
                "对数",
            )
        )
    return pd.DataFrame(rows)


# --- Page tables, narrative, figure -----------------------------------------------------


def fmt_num(value: float, digits: int = 3) -> str:
    """Format a number for a page; NaN / inf become ``"—"``."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def fmt_p(value: float) -> str:
    """Format a p-value (three decimals; ``"<0.001"`` below that; ``"—"`` if missing)."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def pct(log_effect: float) -> float:
    """Return the percentage change implied by a log-point effect: ``100 (e^b − 1)``."""
    return 100 * math.expm1(log_effect) if math.isfinite(log_effect) else math.nan


ROBUSTNESS_HEADERS = {
    "spec": "设定",
    "years": "比较年份（处理前 对 处理后）",
    "unit": "单位",
    "estimate": "估计值",
    "se": "聚类稳健标准误",
    "ci_low": "95% 区间下限（t 分布）",
    "ci_high": "95% 区间上限（t 分布）",
    "p_wild_bootstrap": "wild bootstrap p 值",
    "n_clusters": "县数",
}


def robustness_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Return the robustness table with Chinese headers (numbers kept numeric)."""
    return table.rename(columns=ROBUSTNESS_HEADERS)


def robustness_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return the robustness table formatted for the page (strings, "—" for missing)."""
    # Log rows show three decimals; money-level rows one.
    digits = [3 if u == "对数" else 1 for u in table["unit"]]
    out = pd.DataFrame(
        {
            "设定": table["spec"],
            "比较年份": table["years"],
            "单位": table["unit"],
            "估计值": [fmt_num(v, d) for v, d in zip(table["estimate"], digits, strict=True)],
            "标准误": [fmt_num(v, d) for v, d in zip(table["se"], digits, strict=True)],
            "95% 区间（t 分布）": [
                f"{fmt_num(lo, d)} ～ {fmt_num(hi, d)}"
                for lo, hi, d in zip(table["ci_low"], table["ci_high"], digits, strict=True)
            ],
            "wild bootstrap p 值": [fmt_p(v) for v in table["p_wild_bootstrap"]],
            "县数": table["n_clusters"].astype(int).astype(str),
        }
    )
    return out


EVENT_HEADERS = {
    "period": "年份",
    "estimate": "相对 2023 年的差异（对数）",
    "se": "聚类稳健标准误",
    "ci_low": "95% 区间下限",
    "ci_high": "95% 区间上限",
}


def event_csv(es: EventStudy) -> pd.DataFrame:
    """Return the event-study coefficients with Chinese headers (numbers kept numeric)."""
    return es.table.rename(columns={**EVENT_HEADERS, "estimate": f"相对 {es.ref} 年的差异（对数）"})


def event_display(es: EventStudy) -> pd.DataFrame:
    """Return the event-study table formatted for the page."""
    t = es.table
    return pd.DataFrame(
        {
            "年份": t["period"].astype(int).astype(str),
            f"相对 {es.ref} 年的差异（对数）": [
                "0（参照年）" if k == es.ref else fmt_num(v)
                for k, v in zip(t["period"], t["estimate"], strict=True)
            ],
            "标准误": [fmt_num(v) for v in t["se"]],
            "95% 区间": [
                "—" if not math.isfinite(lo) else f"{fmt_num(lo)} ～ {fmt_num(hi)}"
                for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )


def plot_event_study(es: EventStudy, *, outcome_label: str, synthetic: bool = False):
    """Draw the event-study coefficients with 95% intervals; return the figure."""
    from . import figures

    fig, ax = figures.new_figure(
        f"试点县与对照县{outcome_label}差异的逐年变化（相对 {es.ref} 年）",
        "对数差异（≈ 百分比 / 100）",
        source="资料来源：县（市、区）年度面板，evalkit 估计；竖线为 95% 区间（县级聚类稳健）",
        synthetic=synthetic,
    )
    t = es.table
    est = t["estimate"].to_numpy(dtype=float)
    lo = t["ci_low"].to_numpy(dtype=float)
    hi = t["ci_high"].to_numpy(dtype=float)
    x = t["period"].to_numpy(dtype=int)
    ok = np.isfinite(lo)
    ax.errorbar(
        x[ok],
        est[ok],
        yerr=[est[ok] - lo[ok], hi[ok] - est[ok]],
        fmt="o",
        color=figures.PALETTE[0],
        capsize=4,
        label="估计值及 95% 区间",
    )
    ax.plot(x[~ok], est[~ok], "s", color=figures.PALETTE[1], label=f"参照年（{es.ref}，定为 0）")
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.axvline(FIRST_TREATED_YEAR - 0.5, color="#555555", linestyle="--", linewidth=0.8)
    ax.text(FIRST_TREATED_YEAR - 0.45, ax.get_ylim()[1], "2024 年 9 月设立", va="top", fontsize=9)
    ax.set_xticks(x)
    ax.set_xlabel("年份")
    ax.legend(loc="best")
    return fig


def headline_table(res: DidResult, plan: dict) -> pd.DataFrame:
    """Return the headline estimate as a one-row table with Chinese headers (numeric)."""
    return pd.DataFrame(
        [
            {
                "处理前年份": year_span(plan["pre"]),
                "处理后年份": year_span(plan["post"]),
                "估计值（对数）": res.estimate,
                "约合百分比变化（%）": pct(res.estimate),
                "聚类稳健标准误": res.se,
                "95% 区间下限（wild bootstrap）": res.boot_ci_low,
                "95% 区间上限（wild bootstrap）": res.boot_ci_high,
                "95% 区间下限（t 分布）": res.ci_low,
                "95% 区间上限（t 分布）": res.ci_high,
                "wild bootstrap p 值": res.p_wild_bootstrap,
                "常规 t 检验 p 值": res.p_analytic,
                "县数": res.n_clusters,
                "试点县数": res.n_treated_clusters,
                "观测数": res.n_obs,
                "bootstrap 次数": res.bootstrap_reps,
            }
        ]
    )


def headline_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`headline_table` as label/value rows formatted for the page."""
    row = table.iloc[0]
    out = []
    for col in table.columns:
        v = row[col]
        if col.endswith("p 值"):
            s = fmt_p(v)
        elif col in ("县数", "试点县数", "观测数", "bootstrap 次数"):
            s = str(int(v))
        elif col == "约合百分比变化（%）":
            s = fmt_num(v, 1)
        elif isinstance(v, str):
            s = v
        else:
            s = fmt_num(v)
        out.append({"项目": col, "数值": s})
    return pd.DataFrame(out)


def summary_part(res: DidResult, plan: dict, outcome: str = HEADLINE_OUTCOME) -> dict:
    """Return the ``impact`` block for ``summary.json``.

    ``years`` are the post-designation years the headline uses (``pre_years`` the
    comparison years); the interval is the wild-bootstrap one, consistent with
    ``p_wild_bootstrap``; the estimate is in log points.
    """
    return {
        "impact": {
            "outcome": outcome,
            "scale": "log",
            "years": list(plan["post"]),
            "pre_years": list(plan["pre"]),
            "partial_year": bool(plan["partial_post"]),
            "estimate": res.estimate,
            "ci_low": res.boot_ci_low,
            "ci_high": res.boot_ci_high,
            "ci_method": "wild_cluster_bootstrap_inversion",
            "p_wild_bootstrap": res.p_wild_bootstrap,
        }
    }


def narrative(
    res: DidResult,
    plan: dict,
    *,
    report_year: int,
    outcome_label: str,
    pretrend_p: float,
    placebo: dict | None = None,
    loo_range: tuple[float, float] | None = None,
) -> str:
    """Return the page's plain-Chinese explanation (Markdown) built from the numbers.

    *placebo* is the placebo row of :func:`robustness` (``estimate``,
    ``p_wild_bootstrap``); *loo_range* the (min, max) of the leave-one-out
    estimates. Every figure comes from the arguments; labels are escaped.
    """
    label = html.escape(outcome_label)
    pre, post = year_span(plan["pre"]), year_span(plan["post"])
    est_pct = pct(res.estimate)
    lo_pct, hi_pct = pct(res.boot_ci_low), pct(res.boot_ci_high)
    direction = "高" if res.estimate >= 0 else "低"
    parts = []
    parts.append(
        f"**估计结果。** 以 {pre} 年为处理前、{post} 年为处理后，三个试点所在县（北林区、肇东市、"
        f"青冈县）的{label}，比按其余七个县同期变化推算的水平{direction}约 "
        f"{fmt_num(abs(est_pct), 1)}%（对数差异 {fmt_num(res.estimate)}）。"
        f"wild bootstrap 95% 区间为 {fmt_num(lo_pct, 1)}% ～ {fmt_num(hi_pct, 1)}%，"
        f"p 值 {fmt_p(res.p_wild_bootstrap)}；"
        + (
            "在 5% 水平上可以排除“没有效应”。"
            if res.p_wild_bootstrap < res.alpha
            else "在 5% 水平上不能排除“没有效应”。"
        )
    )
    years_note = []
    if plan["partial_post"]:
        years_note.append(
            f"{report_year} 年报告只有一个设立后的年份（2024 年），而先导区 2024 年 9 月才设立，"
            "该年大部分时间尚未受政策影响，若政策效应逐步显现，这一估计可能低于完整年份的效应，只能作初步参考。"
        )
    elif plan["dropped"]:
        years_note.append(
            "2024 年只有 9 月以后受政策影响（部分处理年），基准估计不使用 2024 年；"
            "把 2024 年也计为处理后的结果列在稳健性表中。"
        )
    last = plan["last_panel_year"]
    if last is not None and last < report_year:
        years_note.append(
            f"县级年度面板目前只到 {last} 年，{report_year} 年的数据尚未形成，"
            f"本期报告的估计仍以 {last} 年为最后一个年份。"
        )
    if years_note:
        parts.append("**使用哪些年份。** " + "".join(years_note))
    parts.append(
        "**它依赖什么假设。** 这一比较假定：如果没有先导区，试点县与其余七个县的"
        f"{label}会按相同的趋势变化（平行趋势）。逐年估计给出检验："
        f"设立前各年差异联合为零的检验 p 值为 {fmt_p(pretrend_p)}"
        + (
            "，没有发现设立前就已分化的迹象（但检验功效有限，不能证明趋势一定平行）。"
            if math.isfinite(pretrend_p) and pretrend_p >= 0.05
            else "，设立前已有分化迹象，结果需谨慎解读。"
            if math.isfinite(pretrend_p)
            else "（处理前年份不足，无法检验）。"
        )
    )
    robust = []
    if placebo is not None:
        robust.append(
            f"假定 {PLACEBO_YEAR} 年就已“设立”的安慰剂检验估计为 {fmt_num(placebo['estimate'])}"
            f"（p 值 {fmt_p(placebo['p_wild_bootstrap'])}）"
        )
    if loo_range is not None:
        robust.append(
            f"逐一剔除一个对照县后估计值在 {fmt_num(loo_range[0])} ～ {fmt_num(loo_range[1])} 之间"
        )
    parts.append(
        f"**为什么不确定。** 比较单位只有 {res.n_clusters} 个县，其中试点县 "
        f"{res.n_treated_clusters} 个；同一县各年的波动彼此相关，只能按县计算误差，"
        "县数这么少时常规标准误会低估不确定性，所以主结论采用 wild cluster bootstrap"
        f"（Webb 权重，{res.bootstrap_reps} 次，固定随机种子）给出的 p 值和区间。"
        + ("；".join(robust) + "。" if robust else "")
        + "这是相关证据而非精确计量：其他同期政策或冲击若只作用于试点县，也会混入估计值。"
    )
    return "\n\n".join(parts)


def group_trends(panel: pd.DataFrame, outcome: str, *, ref: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Return the geometric-mean *outcome* of pilot and comparison counties, *ref* year = 100.

    One row per year: ``year``, ``pilot`` and ``comparison`` indices. Parallel
    lines before the designation are what the parallel-trends assumption needs.
    """
    logged = with_log(panel, outcome)
    means = logged.groupby(["year", "group"])[f"log_{outcome}"].mean().unstack("group").sort_index()
    if ref not in means.index:
        raise ImpactError(f"参照年 {ref} 不在数据中 / reference year not in data")
    index = 100 * np.exp(means - means.loc[ref])
    return pd.DataFrame(
        {
            "year": index.index.astype(int),
            "pilot": index.get(1, pd.Series(np.nan, index=index.index)).to_numpy(),
            "comparison": index.get(0, pd.Series(np.nan, index=index.index)).to_numpy(),
        }
    )


def outcomes_table(
    panel: pd.DataFrame,
    plan: dict,
    indicators: dict[str, tuple[str, str]],
    *,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Return the headline specification applied to every county outcome (log scale).

    Columns: ``outcome``, ``label``, ``estimate``, ``se``, ``ci_low``, ``ci_high``
    (t distribution), ``p_wild_bootstrap``. An outcome with a non-positive value
    is skipped with NaN numbers rather than failing the page.
    """
    rows = []
    for key, (label, _unit) in indicators.items():
        try:
            res = headline_estimate(
                panel, key, plan, bootstrap_reps=reps, seed=seed, bootstrap_ci=False
            )
            nums = (res.estimate, res.se, res.ci_low, res.ci_high, res.p_wild_bootstrap)
        except ImpactError:
            nums = (math.nan,) * 5
        rows.append(
            dict(
                zip(["estimate", "se", "ci_low", "ci_high", "p_wild_bootstrap"], nums, strict=True)
            )
            | {"outcome": key, "label": label}
        )
    return pd.DataFrame(rows)[
        ["outcome", "label", "estimate", "se", "ci_low", "ci_high", "p_wild_bootstrap"]
    ]


OUTCOME_HEADERS = {
    "outcome": "指标代码",
    "label": "指标",
    "estimate": "估计值（对数）",
    # The inference columns are headed as in the robustness table.
    **{k: ROBUSTNESS_HEADERS[k] for k in ("se", "ci_low", "ci_high", "p_wild_bootstrap")},
}


def outcomes_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`outcomes_table` with Chinese headers (numbers kept numeric)."""
    return table.rename(columns=OUTCOME_HEADERS)


def outcomes_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`outcomes_table` formatted for the page (Chinese headers)."""
    return pd.DataFrame(
        {
            "指标": table["label"],
            "估计值（对数）": [fmt_num(v) for v in table["estimate"]],
            "约合百分比（%）": [fmt_num(pct(v), 1) for v in table["estimate"]],
            "95% 区间（t 分布）": [
                f"{fmt_num(lo)} ～ {fmt_num(hi)}"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            "wild bootstrap p 值": [fmt_p(v) for v in table["p_wild_bootstrap"]],
        }
    )


def period_note(report_year: int, plan: dict) -> str:
    """Return one sentence saying which years this page compares (Markdown)."""
    pre, post = year_span(plan["pre"]), year_span(plan["post"])
    text = f"本页比较 {pre} 年（设立前）与 {post} 年（设立后）。"
    if plan["partial_post"]:
        text += "2024 年为先导区设立当年（9 月设立），只有部分时间受政策影响。"
    elif plan["dropped"]:
        text += "2024 年为设立当年（9 月设立），属部分处理年，基准估计不使用。"
    last = plan["last_panel_year"]
    if last is not None and last < report_year:
        text += f"县级年度数据目前只到 {last} 年。"
    return text
