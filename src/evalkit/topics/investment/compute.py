"""Investment special topic (招商引资专项评估), computed once per report year.

:func:`run` reads the curated ``funds_monthly`` and ``projects`` tables and the
configuration, and returns an :class:`InvestmentResult` holding every number the
investment page shows: attainment of the funds-growth target per zone (rules in
:mod:`.funds`), the monthly series, the backtest and year-end projection of
:mod:`.projection`, breakdowns, concentration, the landing funnel and stalled
projects (:mod:`.structure`). The page (:mod:`.present`) only formats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit import store
from evalkit.config import load_targets
from evalkit.core.period import ReportPeriod

from . import calibration, projection, structure
from . import funds as funds_rules
from .structure import LandingConfig

#: Curated tables (``evalkit.schema.TABLES``) the topic reads.
READS: tuple[str, ...] = ("funds_monthly", "projects")
#: Configuration files the topic reads (zone order and names come from zones.yaml via the schema).
CONFIG: tuple[str, ...] = ("targets.yaml", "investment.yaml", "zones.yaml")
#: Other topics' results the topic loads.
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvestmentResult:
    """Everything the investment page shows for one report year (amounts in 万元).

    Frames (columns documented by the function that makes them):
    ``attainment`` (:func:`.funds.attainment`, zone order), ``monthly``
    (:func:`.funds.complete_monthly`), ``backtest`` (:func:`.projection.backtest`),
    ``backtest_summary`` / ``backtest_by_zone`` / ``backtest_by_origin``
    (:func:`.projection.backtest_summary`, :func:`.projection.backtest_by`,
    :func:`.calibration.coverage_by_origin`); ``backtest`` carries the
    leave-one-zone-year-out calibrated intervals (:func:`.calibration.loo_calibrate`);
    ``projections`` (:func:`.projection.project_year`, every model, intervals and
    probability calibrated by :func:`.calibration.calibrate_projections`; 预测),
    ``by_cluster`` / ``by_origin`` / ``by_size`` (:func:`.structure.breakdown`),
    ``concentration``, ``funnel`` (:func:`.structure.landing_funnel`) and
    ``stalled`` (:func:`.structure.stalled_projects`).

    Scalars: ``last_month`` is the report year's last month covered at ``as_of``
    (``ReportPeriod.through_month``); ``partial_year`` marks the plan's first year
    (not judged) and ``plan_issued`` its issue date (ISO); ``late`` lists zones
    reported only through an earlier month; ``chosen_model`` is the projection
    model with the lowest backtest error; ``calibration_min_errors`` the fewest
    backtest errors at an origin from which intervals are calibrated;
    ``min_base_wan_yuan`` the small-base threshold of the growth tables
    (``growth.min_base_wan_yuan`` in investment.yaml); ``synthetic`` is True for demo data.
    """

    year: int
    as_of: str
    last_month: int
    partial_year: bool
    plan_issued: str
    synthetic: bool
    landing: LandingConfig
    min_base_wan_yuan: float
    calibration_min_errors: int
    attainment: pd.DataFrame
    late: list[str]
    monthly: pd.DataFrame
    backtest_years: list[int]
    backtest: pd.DataFrame
    backtest_summary: pd.DataFrame
    backtest_by_zone: pd.DataFrame
    backtest_by_origin: pd.DataFrame
    chosen_model: str
    projections: pd.DataFrame
    by_cluster: pd.DataFrame
    by_origin: pd.DataFrame
    by_size: pd.DataFrame
    concentration: pd.DataFrame
    funnel: pd.DataFrame
    stalled: pd.DataFrame

    def __post_init__(self) -> None:
        """Keep ``attainment.met`` an object column of True / False / None.

        Parquet stores it as a (nullable) boolean column and reads a column without
        None back as ``bool``; this keeps the fresh and the stored result identical.
        """
        met = self.attainment["met"]
        if met.dtype != object:
            object.__setattr__(self, "attainment", self.attainment.assign(met=met.astype(object)))


def run(year: int, as_of: str, data_dir: str | Path = "data") -> InvestmentResult:
    """Compute the investment topic for *year* with data up to *as_of* (``YYYY-MM-DD``).

    Reads ``funds_monthly`` and ``projects`` from the curated store under
    *data_dir* and ``targets.yaml`` / ``investment.yaml`` from its configuration.
    Raises FileNotFoundError for a missing curated table, ConfigError for a
    malformed configuration and ValueError when *as_of* precedes *year*.
    """
    period = ReportPeriod.of(year, as_of)
    funds = store.read_table("funds_monthly", data_dir)
    projects = store.read_table("projects", data_dir)
    targets = load_targets(data_dir)
    landing = structure.load_landing_config(data_dir)

    att = funds_rules.attainment(funds, year, as_of, targets)
    monthly = funds_rules.complete_monthly(funds, as_of)
    bt_years = projection.backtest_years(monthly, year, as_of)
    bt = projection.backtest(monthly, bt_years)
    bt_summary = projection.backtest_summary(bt)
    min_errors = calibration.MIN_ERRORS
    bt_cal = calibration.loo_calibrate(bt, min_errors)
    return InvestmentResult(
        year=int(year),
        as_of=str(as_of),
        last_month=period.through_month,
        partial_year=bool(targets.is_partial_year(year)),
        plan_issued=targets.plan_issued.isoformat(),
        synthetic=bool(store.read_meta(data_dir).get("synthetic", False)),
        landing=landing,
        min_base_wan_yuan=structure.load_min_base(data_dir),
        calibration_min_errors=min_errors,
        attainment=att,
        late=funds_rules.late_zones(att, year, as_of),
        monthly=monthly,
        backtest_years=bt_years,
        backtest=bt_cal,
        backtest_summary=bt_summary,
        backtest_by_zone=projection.backtest_by(bt, "zone_id"),
        backtest_by_origin=calibration.coverage_by_origin(bt_cal),
        chosen_model=projection.choose_model(bt_summary),
        projections=calibration.calibrate_projections(
            projection.project_year(monthly, att), bt, min_errors
        ),
        by_cluster=structure.breakdown(funds, projects, att, "cluster"),
        by_origin=structure.breakdown(funds, projects, att, "origin"),
        by_size=structure.breakdown(funds, projects, att, "size"),
        concentration=structure.concentration(funds, projects, att),
        funnel=structure.landing_funnel(projects, as_of),
        stalled=structure.stalled_projects(projects, as_of, landing),
    )
