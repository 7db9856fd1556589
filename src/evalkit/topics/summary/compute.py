"""Compute the executive summary's hard-target figures once per year: ``run(year, as_of, data_dir)``.

The summary page (index) also reads the stored composite result (scores, ranks,
sensitivity); this result holds what it adds: the year's attainment of the three
hard targets (reform items replicated / original, growth of funds in place) and the
verdict on each (:mod:`evalkit.present.verdict`, the one rule every page uses). The
funds figures and the probability of reaching the full-year target come from the
stored ``investment`` result.

Later: read the stored ``reforms`` result instead of calling
``evalkit.reforms.attainment`` here (then ``USES = ("investment", "reforms")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import results, store
from ...config import load_targets
from ...core.period import ReportPeriod
from ...present import verdict as vd
from ..reforms.compute import attainment as reforms_attainment

#: Curated tables read.
READS: tuple[str, ...] = ("reform_items",)
#: Configuration files read.
CONFIG: tuple[str, ...] = ("targets.yaml", "zones.yaml")
#: Other topics' stored results loaded.
USES: tuple[str, ...] = ("investment",)

#: Target keys (``targets.yaml`` / ``summary.json``) in page order.
TARGET_KEYS = ("reforms_replicated", "reforms_original", "funds_growth")

VERDICT_COLUMNS = ["zone_id", "target", "status", "provisional", "as_of", "probability", "early"]


@dataclass(frozen=True)
class SummaryResult:
    """The hard targets of one report year.

    ``reform_attainment``: :func:`evalkit.reforms.attainment` of *year* as of *as_of*
    (one row per zone: counts, targets, ``met_*`` True/False/None); ``invest_attainment``:
    the stored investment result's attainment (year-to-date growth of funds in place,
    ``met`` True/False/None over the window shown). ``verdicts``: one row per zone ×
    target (:data:`TARGET_KEYS`) — :data:`VERDICT_COLUMNS`, built by
    :func:`verdict_frame`. ``likely`` / ``unlikely``: the verdict thresholds used.
    ``partial``: the plan's partial first year (baseline, not scored);
    ``in_progress``: the year is not complete at *as_of*.
    """

    year: int
    as_of: str
    first_year: int
    partial: bool
    in_progress: bool
    reform_attainment: pd.DataFrame
    invest_attainment: pd.DataFrame
    verdicts: pd.DataFrame
    likely: float
    unlikely: float


def verdict_frame(
    reform_att: pd.DataFrame,
    invest_att: pd.DataFrame,
    period: ReportPeriod,
    *,
    partial: bool,
    rules: vd.VerdictRules,
    probabilities: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Return one row per zone × target with the verdict of :mod:`evalkit.present.verdict`.

    Columns :data:`VERDICT_COLUMNS` (``probability`` NaN where none; ``early`` True for
    a count reached before the year ends). Zones in *reform_att*'s order.
    """
    reforms = vd.reform_verdicts(reform_att, period, partial=partial)
    funds = vd.funds_verdicts(
        invest_att, period, partial=partial, rules=rules, probabilities=probabilities
    )
    rows = []
    for z in reform_att["zone_id"]:
        for key, v in (
            ("reforms_replicated", reforms[(z, "replicated")]),
            ("reforms_original", reforms[(z, "original")]),
            ("funds_growth", funds[z]),
        ):
            p = float("nan") if v.probability is None else v.probability
            rows.append((z, key, v.status, v.provisional, v.as_of, p, v.reached_early))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def run(year: int, as_of: str, data_dir: str | Path = "data") -> SummaryResult:
    """Return the year's hard-target attainment and verdicts.

    Loads the stored ``investment`` result (computing it when not current).
    FileNotFoundError for a missing curated table, ConfigError for a malformed
    ``targets.yaml``.
    """
    year = int(year)
    targets = load_targets(data_dir)
    rules = vd.load_rules(data_dir)
    period = ReportPeriod.of(year, as_of)
    items = store.read_table("reform_items", data_dir)
    inv = results.load("investment", year, str(as_of), data_dir)
    partial = targets.is_partial_year(year)
    reform_att = reforms_attainment(items, year, as_of, targets)
    return SummaryResult(
        year=year,
        as_of=str(as_of),
        first_year=targets.first_year,
        partial=partial,
        in_progress=period.in_progress,
        reform_attainment=reform_att,
        invest_attainment=inv.attainment,
        verdicts=verdict_frame(
            reform_att,
            inv.attainment,
            period,
            partial=partial,
            rules=rules,
            probabilities=vd.reach_probabilities(inv.projections, inv.chosen_model),
        ),
        likely=rules.likely,
        unlikely=rules.unlikely,
    )
