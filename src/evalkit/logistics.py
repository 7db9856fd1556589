"""Compatibility: moved to :mod:`evalkit.topics.logistics`.

The logistics and trade evaluation now lives in ``evalkit.topics.logistics``
(``compute.run`` → stored ``LogisticsResult``; ``present`` for the page). The names
below keep older imports working. The former ``AGGREGATION`` dict is gone on purpose:
each indicator's aggregation is declared in ``data/config/logistics.yaml``
(``LogisticsConfig.how``), and an undeclared one is a ConfigError, never a silent sum.
"""

from __future__ import annotations

from .topics.logistics.anomaly import (
    ANOMALY_COLUMNS,
    SEASONAL_WINDOW,
    Decomposition,
    anomalies_in_window,
    anomalies_of,
    decompose,
    decompose_all,
    find_anomalies,
    robust_z,
)
from .topics.logistics.corridor import CORRIDOR_INDICATORS, corridor_shares_ytd, corridor_table
from .topics.logistics.indicators import (
    attainment,
    clip_as_of,
    foreign_trade_frame,
    indicator_panel,
    month_start,
    report_months,
    series_measures,
    series_of,
)
from .topics.logistics.narrative import (
    CHANGE_FLAGS,
    anomaly_note,
    change_cell,
    corridor_narrative,
    fmt_change,
    fmt_number,
    period_note,
    zone_narrative,
)
from .topics.logistics.present import (
    anomalies_display,
    corridor_csv,
    corridor_shares_csv,
    corridor_shares_display,
    decomposition_status,
    latest_panel_display,
    missing_table,
    panel_csv,
    rules_table,
    summary_part,
    trend_table,
)
from .topics.logistics.settings import (
    AGGREGATION_LABELS,
    FOREIGN_TRADE,
    FOREIGN_TRADE_LABEL,
    MISSING_TEXT,
    LogisticsConfig,
    indicator_label,
    indicator_unit,
    load_config,
    parse_config,
)

__all__ = [
    "AGGREGATION_LABELS",
    "ANOMALY_COLUMNS",
    "CHANGE_FLAGS",
    "CORRIDOR_INDICATORS",
    "FOREIGN_TRADE",
    "FOREIGN_TRADE_LABEL",
    "MISSING_TEXT",
    "SEASONAL_WINDOW",
    "Decomposition",
    "LogisticsConfig",
    "anomalies_display",
    "anomalies_in_window",
    "anomalies_of",
    "anomaly_note",
    "attainment",
    "change_cell",
    "clip_as_of",
    "corridor_csv",
    "corridor_narrative",
    "corridor_shares_csv",
    "corridor_shares_display",
    "corridor_shares_ytd",
    "corridor_table",
    "decompose",
    "decompose_all",
    "decomposition_status",
    "find_anomalies",
    "fmt_change",
    "fmt_number",
    "foreign_trade_frame",
    "indicator_label",
    "indicator_panel",
    "indicator_unit",
    "latest_panel_display",
    "load_config",
    "missing_table",
    "month_start",
    "panel_csv",
    "parse_config",
    "period_note",
    "report_months",
    "robust_z",
    "rules_table",
    "series_measures",
    "series_of",
    "summary_part",
    "trend_table",
    "zone_narrative",
]
