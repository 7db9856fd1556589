"""The international corridor: trade with Russia and train departures, each zone's share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import ZONES
from .indicators import clip_as_of, report_months, series_lookup

#: The corridor's indicators (trade with Russia, China–Europe/China–Russia trains).
CORRIDOR_INDICATORS = ("russia_trade_value", "train_departures")


def corridor_table(
    df: pd.DataFrame, year: int, as_of, zones: list[str] | None = None
) -> pd.DataFrame:
    """Return monthly corridor values per zone with each zone's share of the reported total.

    Covers trade with Russia and train departures for every month of the report
    year. Shares are of the total of zones that reported that month; a zone that
    did not report has value and share NaN and ``submitted`` False. Columns:
    ``indicator``, ``month``, ``zone_id``, ``value``, ``submitted``,
    ``total_reported``, ``zones_reported``, ``share``.
    """
    zones = list(ZONES) if zones is None else zones
    data = clip_as_of(df, as_of)
    months = report_months(year, as_of)
    rows = []
    lookup = series_lookup(data)
    for ind in CORRIDOR_INDICATORS:
        series = {z: lookup(z, ind) for z in zones}
        for m in months:
            vals = {z: series[z].get(m, np.nan) for z in zones}
            reported = [v for v in vals.values() if not np.isnan(v)]
            total = float(sum(reported)) if reported else np.nan
            for z in zones:
                v = float(vals[z])
                share = v / total if reported and total > 0 and not np.isnan(v) else np.nan
                rows.append(
                    {
                        "indicator": ind,
                        "month": m,
                        "zone_id": z,
                        "value": v,
                        "submitted": not np.isnan(v),
                        "total_reported": total,
                        "zones_reported": len(reported),
                        "share": share,
                    }
                )
    return pd.DataFrame(rows)


def corridor_shares_ytd(corridor: pd.DataFrame) -> pd.DataFrame:
    """Return each zone's January-to-month total and share, per corridor indicator.

    A zone's total is NaN when it missed any month (its share then is NaN too);
    shares are of the total of zones with complete months. Columns: ``indicator``,
    ``zone_id``, ``ytd``, ``share``.
    """
    rows = []
    for ind, g in corridor.groupby("indicator", sort=False):
        n_months = g["month"].nunique()
        totals = {}
        for z, gz in g.groupby("zone_id", sort=False):
            complete = int(gz["submitted"].sum()) == n_months
            totals[z] = float(gz["value"].sum()) if complete else np.nan
        known = [v for v in totals.values() if not np.isnan(v)]
        grand = float(sum(known)) if known else np.nan
        for z, v in totals.items():
            rows.append(
                {
                    "indicator": ind,
                    "zone_id": z,
                    "ytd": v,
                    "share": v / grand if known and grand > 0 and not np.isnan(v) else np.nan,
                }
            )
    return pd.DataFrame(rows)
