"""The impact estimate for one report year: which counties and years, and every number the page shows.

:func:`run` is the recipe: read the county panel, cut it at the report year and mark
the pilot host counties (:func:`prepare_panel`), choose the years
(:func:`headline_years`), estimate the headline effect (:func:`headline_estimate`),
the robustness rows (:func:`robustness`), the other county outcomes
(:func:`outcomes_table`), the event study (:func:`event_study_of`) and the two
groups' trends (:func:`group_trends`). The estimators are in
:mod:`evalkit.topics.impact.did`; tables, narrative and charts in
:mod:`evalkit.topics.impact.present`.

The pilot host counties are ``evalkit.schema.PILOT_HOST_COUNTIES``; the comparison
counties are the city's other county-level units (:func:`comparison_counties`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ... import schema, store
from ...core.period import ReportPeriod
from .did import DEFAULT_REPS, DEFAULT_SEED, DidResult, EventStudy, ImpactError, did, event_study

#: Curated tables, configuration files and other topics' results :func:`run` reads.
READS: tuple[str, ...] = ("county_panel",)
CONFIG: tuple[str, ...] = ("zones.yaml",)
USES: tuple[str, ...] = ()


def comparison_counties() -> list[str]:
    """Return the ids of the comparison counties: the city's counties not hosting a pilot zone.

    ``evalkit.schema.COMPARISON_COUNTIES`` when the configuration declares it, else
    every county of ``schema.COUNTIES`` (in its order) not in ``PILOT_HOST_COUNTIES``.
    """
    declared = getattr(schema, "COMPARISON_COUNTIES", None)
    if declared is not None:
        return list(declared)
    return [c for c in schema.COUNTIES if c not in schema.PILOT_HOST_COUNTIES]


# --- The report's choices ---------------------------------------------------------------

#: Headline outcome and the plan's dates.
HEADLINE_OUTCOME = "domestic_capital_used"
FIRST_TREATED_YEAR = 2024  # designation in September 2024: a partial treatment year
DESIGNATION_MONTH = 9  # the month of FIRST_TREATED_YEAR the pilot zone was designated
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


def log_sample(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """Return (*df* with ``log_<column>``, ids of the counties excluded) for a log specification.

    The documented rule for zero or negative values in a logged outcome: a county
    with any value ≤ 0 of *column* (in the rows of *df*, i.e. the panel cut at the
    report year) is left out of **every** log specification of that outcome (all
    its years, so the panel stays balanced and the headline, event study, trends
    and robustness rows use the same counties); the page names it. The level
    specification keeps every county. Why not ``log(1 + x)`` or ``asinh(x)``:
    with zeros their "percentage" effects depend on the unit the outcome is
    measured in and can take any value (Chen & Roth 2024, "Logs with zeros? Some
    problems and solutions", *QJE* 139(2)); an excluded county is a stated,
    checkable change of sample, an arbitrary transformation is not. Missing
    values stay missing (the estimators drop those rows). Ids are in the order of
    ``county_id`` in *df*.
    """
    values = df[column].astype(float)
    bad = df.loc[values <= 0, "county_id"]
    excluded = list(dict.fromkeys(bad))
    out = df[~df["county_id"].isin(excluded)].copy()
    out[f"log_{column}"] = np.log(out[column].astype(float))
    return out, excluded


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
    output; *kwargs* go to :func:`did`. Counties with a value ≤ 0 are left out
    (:func:`log_sample`).
    """
    logged, _ = log_sample(panel, outcome)
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
        "boot_ci_low": res.boot_ci_low,
        "boot_ci_high": res.boot_ci_high,
        "p_wild_bootstrap": res.p_wild_bootstrap,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "n_clusters": res.n_clusters,
        "n_treated_clusters": res.n_treated_clusters,
        "inference": res.inference,
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
    only; leave-one-out over each comparison county (``剔除对照县：…``) and over
    each pilot host county (``剔除试点县：…``). Every row has its own wild
    bootstrap p-value and the bootstrap interval inverting the same test (same
    seed and draws), the t-distribution interval for reference, its cluster
    counts and :attr:`DidResult.inference`. Log rows leave out the counties of
    :func:`log_sample`; the level row keeps every county.
    """
    logged, _ = log_sample(panel, outcome)
    log_col = f"log_{outcome}"
    pre, post = plan["pre"], plan["post"]
    span = f"{year_span(pre)} 对 {year_span(post)}"
    fit = dict(bootstrap_reps=reps, seed=seed)
    rows = []
    base = sample_for(logged, pre, post)
    rows.append(_row("基准：对数，双向固定效应", span, county_did(base, log_col, **fit), "对数"))
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
    level = sample_for(panel, pre, post)
    rows.append(_row("水平值（非对数）", span, county_did(level, outcome, **fit), money_unit))
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
    for prefix, group in ((LEAVE_OUT_COMPARISON, 0), (LEAVE_OUT_HOST, 1)):
        for county in sorted(base.loc[base["group"] == group, "county_id"].unique()):
            sub = base[base["county_id"] != county]
            label = f"{prefix}{county_names.get(county, county)}"
            rows.append(_row(label, span, county_did(sub, log_col, **fit), "对数"))
    return pd.DataFrame(rows)


#: Robustness-row labels of the two leave-one-out families (the county name follows).
LEAVE_OUT_COMPARISON = "剔除对照县："
LEAVE_OUT_HOST = "剔除试点县："


# --- Trends and other outcomes ----------------------------------------------------------------


def group_trends(panel: pd.DataFrame, outcome: str, *, ref: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Return the geometric-mean *outcome* of pilot and comparison counties, *ref* year = 100.

    One row per year: ``year``, ``pilot`` and ``comparison`` indices. Parallel
    lines before the designation are what the parallel-trends assumption needs.
    Counties with a value ≤ 0 are left out (:func:`log_sample`).
    """
    logged, _ = log_sample(panel, outcome)
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

    Columns: ``outcome``, ``label``, ``estimate``, ``se``, ``boot_ci_low``,
    ``boot_ci_high`` (wild bootstrap, inverting the same test as
    ``p_wild_bootstrap``), ``p_wild_bootstrap``, ``ci_low``, ``ci_high`` (t
    distribution, for reference), ``n_clusters``, ``inference`` and ``excluded``
    (comma-joined ids of the counties :func:`log_sample` left out, ``""`` if none).
    An outcome the panel cannot identify (e.g. every pilot county excluded) gets
    NaN numbers and ``inference = "unidentified"`` rather than failing the page.
    """
    nums = ["estimate", "se", "boot_ci_low", "boot_ci_high", "p_wild_bootstrap"]
    nums += ["ci_low", "ci_high"]
    rows = []
    for key, (label, _unit) in indicators.items():
        _, excluded = log_sample(panel, key)
        row = {"outcome": key, "label": label}
        try:
            res = headline_estimate(panel, key, plan, bootstrap_reps=reps, seed=seed)
            row |= {k: getattr(res, k) for k in nums}
            row |= {"n_clusters": res.n_clusters, "inference": res.inference}
        except ImpactError:
            row |= dict.fromkeys(nums, math.nan) | {"n_clusters": 0, "inference": "unidentified"}
        rows.append(row | {"excluded": ",".join(excluded)})
    cols = ["outcome", "label", *nums, "n_clusters", "inference", "excluded"]
    return pd.DataFrame(rows)[cols]


# --- The result and the recipe ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ImpactResult:
    """Everything the impact page shows for one report year (stored by :mod:`evalkit.results`).

    ``plan`` is :func:`headline_years` output; ``headline`` the DiD of log
    ``outcome`` on those years; ``event_study`` the yearly coefficients relative to
    :data:`REFERENCE_YEAR`; ``robustness`` (:func:`robustness`), ``outcomes``
    (:func:`outcomes_table`) and ``trends`` (:func:`group_trends`) are tables.
    ``host_counties`` / ``comparison_counties`` are county ids (``schema.COUNTIES``
    keys); ``synthetic`` says the curated data are the demo dataset.
    ``log_excluded`` maps the headline outcome to the ids of the counties left out
    of its log specifications (:func:`log_sample`; empty list if none).
    """

    year: int
    as_of: str
    outcome: str
    outcome_label: str
    host_counties: list[str]
    comparison_counties: list[str]
    plan: dict
    headline: DidResult
    event_study: EventStudy
    robustness: pd.DataFrame
    outcomes: pd.DataFrame
    trends: pd.DataFrame
    synthetic: bool = False
    log_excluded: dict = field(default_factory=dict)


def event_study_of(panel: pd.DataFrame, outcome: str, *, ref: int = REFERENCE_YEAR) -> EventStudy:
    """Return the event study of log *outcome* on :func:`prepare_panel` output (all years).

    Counties with a value ≤ 0 are left out (:func:`log_sample`).
    """
    logged, _ = log_sample(panel, outcome)
    return event_study(logged, f"log_{outcome}", "county_id", "year", "group", ref=ref)


def run(year: int, as_of: str, data_dir="data") -> ImpactResult:
    """Compute the impact page of report *year* with data as of *as_of* (``YYYY-MM-DD``).

    Reads the curated ``county_panel`` (FileNotFoundError if curation has not run);
    raises :class:`ImpactError` when the panel cannot identify the effect and
    ValueError when *as_of* precedes *year*. Bootstrap: :data:`DEFAULT_REPS`
    replications, seed :data:`DEFAULT_SEED`.
    """
    period = ReportPeriod.of(year, as_of)
    county = store.read_table("county_panel", data_dir)
    hosts = tuple(schema.PILOT_HOST_COUNTIES)
    outcome = HEADLINE_OUTCOME
    panel = prepare_panel(county, period.year, hosts)
    plan = headline_years(period.year, panel["year"].unique())
    return ImpactResult(
        year=period.year,
        as_of=period.as_of.date().isoformat(),
        outcome=outcome,
        outcome_label=schema.COUNTY_INDICATORS[outcome][0],
        host_counties=list(hosts),
        comparison_counties=comparison_counties(),
        plan=plan,
        headline=headline_estimate(panel, outcome, plan),
        event_study=event_study_of(panel, outcome),
        robustness=robustness(panel, outcome, plan, county_names=schema.COUNTIES),
        outcomes=outcomes_table(panel, plan, schema.COUNTY_INDICATORS),
        trends=group_trends(panel, outcome),
        synthetic=bool(store.read_meta(data_dir).get("synthetic", False)),
        log_excluded={outcome: log_sample(panel, outcome)[1]},
    )
