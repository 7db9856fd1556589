"""Compute the logistics and trade evaluation (物流与贸易专项评估) once per year.

:func:`run` reads ``logistics_monthly`` and ``logistics.yaml`` / ``targets.yaml`` and
returns a :class:`LogisticsResult`; the page (``notebooks/logistics.ipynb``) shows it
through :mod:`evalkit.topics.logistics.present` without recomputing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import store
from ...config import load_targets
from ...core.period import ReportPeriod
from .anomaly import components_frame, decompose_all, find_anomalies, status_frame
from .corridor import corridor_shares_ytd, corridor_table
from .flagged import TradeTotal, flagged_values, headline_checks, sensitivity_panel, trade_total
from .indicators import indicator_panel
from .settings import FOREIGN_TRADE, LogisticsConfig, load_config

#: Curated tables this topic reads (names of ``evalkit.schema.TABLES``).
READS: tuple[str, ...] = ("logistics_monthly",)
#: Configuration files this topic reads.
CONFIG: tuple[str, ...] = ("logistics.yaml", "targets.yaml")
#: Other topics' results this topic loads.
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogisticsResult:
    """Everything the logistics page shows, for report *year* at *as_of*.

    - ``months``: the report window's month starts (``YYYY-MM-DD``), January … as-of month;
    - ``partial_year``: the plan's first year (issued mid-year); ``synthetic``: demo data;
    - ``config``: the settings that produced the result (aggregation rules, thresholds);
    - ``panel``: zone × indicator × month measures (see ``indicators.indicator_panel``);
    - ``decompositions``: one row per (zone, contract indicator) series: decomposed or why not,
      months of history, interpolated months, screened (``anomaly.STATUS_COLUMNS``);
    - ``components``: the STL components of decomposed series, long (``anomaly.COMPONENT_COLUMNS``);
    - ``anomalies``: flagged months inside the report window; ``all_anomalies``: any year;
    - ``corridor``: monthly trade with Russia and trains per zone with shares;
      ``corridor_ytd``: each zone's January-to-month total and share;
    - ``flagged``: values flagged as likely errors (STL screen or spike rule) with the
      replacement used for the sensitivity figures (``flagged.FLAGGED_COLUMNS``);
    - ``headline_checks``: per zone × headline indicator the official and the
      sensitivity January-to-month change and whether the direction depends on
      flagged values (``flagged.CHECK_COLUMNS``);
    - ``trade``: the zones' combined foreign trade on the same zones and months in both
      years, official and sensitivity (:class:`~.flagged.TradeTotal`).
    """

    year: int
    as_of: str
    months: list[str]
    partial_year: bool
    synthetic: bool
    config: LogisticsConfig
    panel: pd.DataFrame
    decompositions: pd.DataFrame
    components: pd.DataFrame
    anomalies: pd.DataFrame
    all_anomalies: pd.DataFrame
    corridor: pd.DataFrame
    corridor_ytd: pd.DataFrame
    flagged: pd.DataFrame
    headline_checks: pd.DataFrame
    trade: TradeTotal

    @property
    def period(self) -> ReportPeriod:
        """The report period (year, as-of date, year-to-date window)."""
        return ReportPeriod.of(self.year, self.as_of)

    @property
    def month_index(self) -> pd.DatetimeIndex:
        """The report window's months as a DatetimeIndex (``freq="MS"``)."""
        return pd.DatetimeIndex(pd.to_datetime(self.months), freq="MS")

    @property
    def last_month(self) -> pd.Timestamp:
        """The as-of month (first day) inside the report year."""
        return self.month_index[-1]


def run(year: int, as_of: str, data_dir: str | Path = "data") -> LogisticsResult:
    """Compute the logistics evaluation of *year* with data up to *as_of*.

    Recipe: read the monthly indicators and settings → panel of levels, year-on-year
    and January-to-month changes → STL decomposition and anomaly screen of every
    series (data up to the as-of month only) → corridor shares → flagged values and
    the headlines recomputed with them replaced (:mod:`.flagged`, the flagged-data
    rule) → the zones' combined foreign trade on a common basis. Raises
    FileNotFoundError for a missing curated table, ConfigError for invalid settings
    (e.g. an indicator without a declared aggregation), ValueError when *as_of*
    precedes *year*.
    """
    period = ReportPeriod.of(year, as_of)
    months = period.months()
    data = store.read_table("logistics_monthly", data_dir)
    config = load_config(data_dir)
    decs = decompose_all(data, as_of, config)
    corridor = corridor_table(data, year, as_of)
    panel = indicator_panel(data, year, as_of, config)
    components, all_anomalies = components_frame(decs), find_anomalies(decs)
    flagged = flagged_values(data, as_of, all_anomalies, components)
    alt = sensitivity_panel(data, flagged, year, as_of, config)
    last = months[-1]
    return LogisticsResult(
        year=int(year),
        as_of=str(as_of),
        months=[m.strftime("%Y-%m-%d") for m in months],
        partial_year=load_targets(data_dir).is_partial_year(int(year)),
        synthetic=bool(store.read_meta(data_dir).get("synthetic", False)),
        config=config,
        panel=panel,
        decompositions=status_frame(decs),
        components=components,
        anomalies=find_anomalies(decs, months=months),
        all_anomalies=all_anomalies,
        corridor=corridor,
        corridor_ytd=corridor_shares_ytd(corridor),
        flagged=flagged,
        headline_checks=headline_checks(panel, alt, flagged, last),
        trade=trade_total(panel, alt, flagged, last, config.threshold(FOREIGN_TRADE)),
    )
