"""Compute the closing review's hard-target figures once per year: ``run(year, as_of, data_dir)``.

The review is given in the report of the plan's last year only; for any other year
the result carries the plan's span and empty frames. The page also reads the stored
composite result (dimension and composite scores of every plan year).

Funds in place (rule, stated on the page): the cumulative growth chains each
**assessed** year's growth (the plan's partial first year is a baseline, 不考核, as
on every yearly page) over **the same windows as the yearly pages** — a complete
year's full-year growth, the report year's year-to-date growth (累计同比) — against
the yearly target compounded over the assessed years. While the report year is in
progress the cumulative verdict is provisional: the projection's probability of the
report year's full-year total reaching what the compounded target needs decides it
(:mod:`evalkit.present.verdict`). Verdicts of every plan year come from
:func:`evalkit.topics.summary.compute.verdict_frame`, the rule of every page.

Later: read the stored ``reforms`` result per plan year instead of calling
``evalkit.reforms`` here (then ``USES = ("investment", "reforms")``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import results, store
from ...config import Targets, load_targets
from ...core.period import ReportPeriod
from ...present import verdict as vd
from ...schema import ZONES
from ..investment.calibration import calibrated_p
from ..investment.funds import attainment as funds_attainment
from ..reforms.compute import attainment as reforms_attainment
from ..reforms.compute import cumulative as reforms_cumulative
from ..summary.compute import verdict_frame

#: Curated tables read.
READS: tuple[str, ...] = ("funds_monthly", "reform_items")
#: Configuration files read.
CONFIG: tuple[str, ...] = ("targets.yaml", "zones.yaml")
#: Other topics' stored results loaded (the report year's projection).
USES: tuple[str, ...] = ("investment",)


@dataclass(frozen=True)
class ClosingResult:
    """The closing review of report *year* (figures only when ``closing``: the plan's last year).

    Long frames, one row per zone × plan year (``year`` column):
    ``reform_attainment`` / ``invest_attainment``: each plan year's attainment as of
    its 31 December (as of *as_of* for the report year: the yearly pages' windows);
    ``verdicts``: :func:`evalkit.topics.summary.compute.verdict_frame` of each plan
    year (one row per zone × target × year). ``reform_cumulative``:
    :func:`evalkit.reforms.cumulative` (one row per zone). ``funds_cumulative``:
    :func:`chained_growth` over the assessed years with its verdict (one row per
    zone). ``assessed_years``: the plan years judged (the partial first year left
    out). Frames are empty when ``closing`` is False.
    """

    year: int
    as_of: str
    first_year: int
    last_year: int
    closing: bool
    in_progress: bool
    assessed_years: list[int]
    reform_attainment: pd.DataFrame
    invest_attainment: pd.DataFrame
    verdicts: pd.DataFrame
    reform_cumulative: pd.DataFrame
    funds_cumulative: pd.DataFrame


def plan_years(year: int, targets: Targets) -> range:
    """Return the plan years up to report *year* (the plan's first year … *year*)."""
    return range(targets.first_year, int(year) + 1)


def assessed_years(year: int, targets: Targets) -> list[int]:
    """Return the plan years up to *year* that are judged (the partial first year is a baseline)."""
    return [y for y in plan_years(year, targets) if not targets.is_partial_year(y)]


def year_end_attainment(attainment, df: pd.DataFrame, year: int, as_of: str, targets: Targets):
    """Return *attainment* of every plan year as of its 31 December (*as_of* for *year*), stacked.

    *attainment* is ``evalkit.reforms.attainment`` or ``evalkit.investment.attainment``;
    the frames (each with a ``year`` column) are concatenated in year order.
    """
    frames = [
        attainment(df, y, as_of if y == year else f"{y}-12-31", targets)
        for y in plan_years(year, targets)
    ]
    return pd.concat(frames, ignore_index=True)


def plan_verdicts(
    reform_att: pd.DataFrame,
    invest_att: pd.DataFrame,
    year: int,
    as_of: str,
    targets: Targets,
    rules: vd.VerdictRules,
    probabilities: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Return :func:`verdict_frame` of every plan year stacked (``year`` column).

    Each year is judged as of its 31 December, the report *year* as of *as_of* with
    the projection's *probabilities* (zone id → P of reaching the full-year target).
    """
    frames = []
    for y in sorted(reform_att["year"].unique()):
        y = int(y)
        period = ReportPeriod.of(y, as_of if y == int(year) else f"{y}-12-31")
        frames.append(
            verdict_frame(
                reform_att[reform_att["year"] == y].reset_index(drop=True),
                invest_att[invest_att["year"] == y].reset_index(drop=True),
                period,
                partial=targets.is_partial_year(y),
                rules=rules,
                probabilities=probabilities if y == int(year) else None,
            ).assign(year=y)
        )
    return pd.concat(frames, ignore_index=True)


def chained_growth(invest_att: pd.DataFrame, targets: Targets, years: list[int]) -> pd.DataFrame:
    """Return per zone the growth of funds in place chained over *years* and its compounded target.

    *invest_att* is the stacked :func:`evalkit.investment.attainment` of each plan
    year on the yearly pages' windows (``year, zone_id, through_month, yoy_growth,
    growth_defined``). Columns: ``zone_id``; ``growth`` = ``Π(1 + gᵧ) − 1`` over
    *years* (a share; NaN when any year's growth is undefined); ``defined``;
    ``target`` = ``Π(1 + targetᵧ) − 1``; ``met_so_far`` (growth ≥ target on the
    windows shown; None when undefined); ``last_through_month`` (the months of the
    last year in the chain; 12 when the frame has no ``through_month``). Zones in
    :data:`evalkit.schema.ZONES` order.
    """
    by_year = {y: invest_att[invest_att["year"] == y].set_index("zone_id") for y in years}
    rows = []
    for z in ZONES:
        factor, ok, need = 1.0, True, 1.0
        for y in years:
            a = by_year[y].loc[z]
            need *= 1 + float(targets.for_zone(z, "funds_growth"))
            if bool(a["growth_defined"]) and pd.notna(a["yoy_growth"]):
                factor *= 1 + float(a["yoy_growth"])
            else:
                ok = False
        met = bool(factor >= need - 1e-12) if ok else None
        last = int(by_year[years[-1]].loc[z].get("through_month", 12)) if years else 0
        rows.append((z, factor - 1 if ok else math.nan, ok, need - 1, met, last))
    cols = ["zone_id", "growth", "defined", "target", "met_so_far", "last_through_month"]
    out = pd.DataFrame(rows, columns=cols)
    out["met_so_far"] = out["met_so_far"].astype(object)
    return out


def cumulative_probabilities(
    chained: pd.DataFrame,
    invest_att: pd.DataFrame,
    years: list[int],
    projections: pd.DataFrame,
    model: str,
) -> dict[str, float]:
    """Return zone id → P(the cumulative target is reached once the last of *years* is complete).

    The last year's full-year total must reach ``prev × (1 + target) / Π(1 + gᵧ)``
    (``prev``: the previous year's total; gᵧ: full-year growth of the earlier assessed
    *years*; target: the compounded target of *chained*). P comes from the same
    calibrated distribution as the projection's own probability
    (:func:`evalkit.topics.investment.calibration.calibrated_p`); zones whose
    projection is not calibrated, or whose earlier growth is undefined, get none.
    """
    if not years or projections is None or projections.empty or "cal_scale" not in projections:
        return {}
    pj = projections[(projections["model"] == model) & projections["calibrated"].astype(bool)]
    att = invest_att.set_index(["zone_id", "year"])
    target = chained.set_index("zone_id")["target"]
    out = {}
    for r in pj.to_dict("records"):
        z = r["zone_id"]
        factor = 1.0
        for y in years[:-1]:
            a = att.loc[(z, y)]
            factor *= 1 + float(a["yoy_growth"]) if bool(a["growth_defined"]) else math.nan
        if not math.isfinite(factor) or factor <= 0:
            continue
        need = float(r["prev_total_wan_yuan"]) * (1 + float(target[z])) / factor
        p = calibrated_p(float(r["point"]), float(r["cal_scale"]), int(r["cal_n"]), need)
        if math.isfinite(p):
            out[z] = p
    return out


def cumulative_verdicts(
    chained: pd.DataFrame,
    period: ReportPeriod,
    rules: vd.VerdictRules,
    probabilities: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Return *chained* with the verdict on the cumulative target (:func:`evalkit.present.verdict.growth_verdict`).

    Added columns ``status``, ``provisional``, ``as_of``, ``probability`` (NaN when none).
    Final only when *period* is complete and the last year's window covers all months.
    """
    probs = probabilities or {}
    rows = []
    for r in chained.itertuples(index=False):
        v = vd.growth_verdict(
            r.met_so_far,
            period,
            partial=False,
            rules=rules,
            probability=probs.get(r.zone_id),
            covers_year=int(r.last_through_month) >= 12,
        )
        rows.append(
            (v.status, v.provisional, v.as_of, math.nan if v.probability is None else v.probability)
        )
    extra = pd.DataFrame(rows, columns=["status", "provisional", "as_of", "probability"])
    return pd.concat([chained.reset_index(drop=True), extra], axis=1)


def before_closing(year: int, as_of: str, targets: Targets) -> ClosingResult:
    """Return the result of a report other than the plan's last year: the span, no figures."""
    empty = pd.DataFrame()
    return ClosingResult(
        year=year,
        as_of=as_of,
        first_year=targets.first_year,
        last_year=targets.last_year,
        closing=False,
        in_progress=ReportPeriod.of(int(year), as_of).in_progress,
        assessed_years=assessed_years(year, targets),
        reform_attainment=empty,
        invest_attainment=empty,
        verdicts=empty,
        reform_cumulative=empty,
        funds_cumulative=empty,
    )


def run(year: int, as_of: str, data_dir: str | Path = "data") -> ClosingResult:
    """Return the closing review's figures (FileNotFoundError for a missing curated table).

    In the plan's last year, loads the stored ``investment`` result of *year* (the
    projection behind the provisional verdicts).
    """
    year, as_of = int(year), str(as_of)
    targets = load_targets(data_dir)
    if year != targets.last_year:
        return before_closing(year, as_of, targets)
    rules = vd.load_rules(data_dir)
    period = ReportPeriod.of(year, as_of)
    items = store.read_table("reform_items", data_dir)
    funds = store.read_table("funds_monthly", data_dir)
    inv = results.load("investment", year, as_of, data_dir)
    reform_att = year_end_attainment(reforms_attainment, items, year, as_of, targets)
    invest_att = year_end_attainment(funds_attainment, funds, year, as_of, targets)
    years = assessed_years(year, targets)
    chained = chained_growth(invest_att, targets, years)
    cum_p = cumulative_probabilities(chained, invest_att, years, inv.projections, inv.chosen_model)
    return ClosingResult(
        year=year,
        as_of=as_of,
        first_year=targets.first_year,
        last_year=targets.last_year,
        closing=True,
        in_progress=period.in_progress,
        assessed_years=years,
        reform_attainment=reform_att,
        invest_attainment=invest_att,
        verdicts=plan_verdicts(
            reform_att,
            invest_att,
            year,
            as_of,
            targets,
            rules,
            vd.reach_probabilities(inv.projections, inv.chosen_model),
        ),
        reform_cumulative=reforms_cumulative(items, year, as_of, targets),
        funds_cumulative=cumulative_verdicts(chained, period, rules, cum_p),
    )
