"""Flagged data handled by rule: headlines recomputed without values flagged as likely errors.

The rule (方法说明, also in ``docs/methodology.md``):

1. A monthly value is *flagged* when the STL anomaly screen flags it
   (:mod:`.anomaly`, source ``stl``) or when it fails intake's spike rule on the
   curated data (more than ``schema.SPIKE_RATIO`` times both neighbouring months, or
   under 1/``SPIKE_RATIO`` of both; source ``spike``, the data-quality page's
   warning).
2. The submitted value stays the official figure: every table and headline shows it.
3. A *sensitivity figure* is computed with each flagged value replaced by the screen's
   fitted value (STL trend + seasonal of the final refit), or, for a spike in a series
   too short to decompose, the mean of its two neighbouring months.
4. When the official and the sensitivity figure differ in direction (sign of the
   change, or a change defined in one and not the other) or in target verdict, the
   finding *depends on flagged data*: the page states both figures and names the
   flagged months where the finding is stated, and summary.json carries both.

:func:`headline_checks` applies it to each zone's January-to-month headline changes;
:func:`trade_total` to the zones' combined foreign trade (the home page's headline),
compared on the same zones and the same months in both years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...schema import SPIKE_RATIO, ZONE_ORDER, spike_masks
from .anomaly import anomalies_in_window
from .indicators import change, change_flag, clip_as_of, indicator_panel, month_start
from .settings import FOREIGN_TRADE, LogisticsConfig

#: The headline indicators each zone's sentence and the summary lead with.
HEADLINE_INDICATORS = (FOREIGN_TRADE, "russia_trade_value", "train_departures")
#: Columns of :func:`flagged_values`.
FLAGGED_COLUMNS = ["zone_id", "indicator", "month", "value", "replacement", "source"]
#: Columns of :func:`headline_checks`.
CHECK_COLUMNS = [
    "zone_id",
    "indicator",
    "ytd",
    "ytd_change",
    "ytd_flag",
    "ytd_alt",
    "ytd_change_alt",
    "ytd_flag_alt",
    "flagged_months",
    "depends",
]


def spike_months(data: pd.DataFrame, ratio: float = SPIKE_RATIO) -> pd.DataFrame:
    """Return (zone_id, indicator, month, value, neighbours' mean) of values failing the spike rule.

    The intake's rule (:func:`evalkit.core.schema.spike_masks`) on the curated values: a positive
    value over *ratio* times both neighbouring submitted months, or under 1/*ratio*
    of both. Months are consecutive submitted months of one (zone, indicator).
    """
    cols = ["zone_id", "indicator", "month", "value", "neighbours"]
    if data.empty:
        return pd.DataFrame(columns=cols)
    d = data[["zone_id", "indicator", "month", "value"]].copy()
    d["month"] = pd.to_datetime(d["month"])
    d = d.sort_values(["zone_id", "indicator", "month"], kind="stable")
    g = d.groupby(["zone_id", "indicator"], sort=False)["value"]
    prev, nxt, v = g.shift(1), g.shift(-1), d["value"]
    up, down = spike_masks(v, prev, nxt, ratio)
    hit = up | down
    out = d.loc[hit].assign(neighbours=((prev + nxt) / 2)[hit])
    return out[cols].reset_index(drop=True)


def flagged_values(
    data: pd.DataFrame, as_of, all_anomalies: pd.DataFrame, components: pd.DataFrame
) -> pd.DataFrame:
    """Return every flagged monthly value up to *as_of* with its replacement (:data:`FLAGGED_COLUMNS`).

    *all_anomalies* are the STL screen's flags (any year), *components* the STL
    components (``trend`` + ``seasonal`` is the fitted value). A month flagged by both
    sources is listed once with source ``stl+spike``. Sorted by zone, indicator, month.
    """
    rows: dict[tuple, dict] = {}
    fitted = {}
    if not components.empty:
        c = components
        fitted = dict(
            zip(
                zip(c["zone_id"], c["indicator"], pd.DatetimeIndex(c["month"]), strict=True),
                (c["trend"] + c["seasonal"]).astype(float),
                strict=True,
            )
        )
    for r in all_anomalies.itertuples(index=False):
        k = (r.zone_id, r.indicator, pd.Timestamp(r.month))
        rows[k] = {"value": float(r.value), "replacement": float(r.trend + r.seasonal)}
        rows[k]["source"] = "stl"
    for r in spike_months(clip_as_of(data, as_of)).itertuples(index=False):
        k = (r.zone_id, r.indicator, pd.Timestamp(r.month))
        if k in rows:
            rows[k]["source"] = "stl+spike"
            continue
        rep = fitted.get(k, float(r.neighbours))
        rows[k] = {"value": float(r.value), "replacement": float(rep), "source": "spike"}
    out = pd.DataFrame(
        [{"zone_id": z, "indicator": i, "month": m, **v} for (z, i, m), v in rows.items()],
        columns=FLAGGED_COLUMNS,
    )
    if out.empty:
        return out.astype({"month": "datetime64[ns]", "value": float, "replacement": float})
    out = out.assign(_z=out["zone_id"].map(ZONE_ORDER))
    out = out.sort_values(["_z", "indicator", "month"]).drop(columns="_z")
    return out.reset_index(drop=True)


def replace_flagged(data: pd.DataFrame, flagged: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``logistics_monthly`` rows *data* with each flagged value replaced."""
    out = data.copy()
    if flagged.empty:
        return out
    key = pd.MultiIndex.from_arrays(
        [out["zone_id"], out["indicator"], pd.to_datetime(out["month"])]
    )
    rep = pd.Series(
        flagged["replacement"].to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [flagged["zone_id"], flagged["indicator"], pd.DatetimeIndex(flagged["month"])]
        ),
    )
    new = rep.reindex(key).to_numpy()
    out["value"] = np.where(np.isnan(new), out["value"].astype(float), new)
    return out


def sensitivity_panel(
    data: pd.DataFrame, flagged: pd.DataFrame, year: int, as_of, config: LogisticsConfig
) -> pd.DataFrame:
    """Return the headline indicators' panel (``indicator_panel``) with flagged values replaced."""
    return indicator_panel(
        replace_flagged(data, flagged), year, as_of, config, indicators=list(HEADLINE_INDICATORS)
    )


def _sign(value: float, flag: str) -> int | None:
    """Return the direction of a change (+1 / 0 / −1), None when it is not given as a number."""
    if flag not in ("ok", "small_base") or value is None or np.isnan(value):
        return None
    return int(np.sign(value))


def direction_differs(official: float, flag: str, alt: float, alt_flag: str) -> bool:
    """Return True when two changes differ in sign, or one is defined and the other not.

    A change on a small base counts as defined (it is shown, with a warning).
    """
    return _sign(official, flag) != _sign(alt, alt_flag)


def _flag_names(flagged: pd.DataFrame, zone_id: str, indicator: str, month) -> list[str]:
    """Return ``YYYY-MM indicator`` of flagged values in the zone's January-to-*month* windows."""
    sel = anomalies_in_window(flagged, zone_id, indicator, month)
    return [
        f"{pd.Timestamp(m):%Y-%m} {i}" for m, i in zip(sel["month"], sel["indicator"], strict=True)
    ]


def headline_checks(
    panel: pd.DataFrame, alt: pd.DataFrame, flagged: pd.DataFrame, month
) -> pd.DataFrame:
    """Return per zone × headline indicator the official and sensitivity January-to-month change.

    *panel* is the official panel, *alt* :func:`sensitivity_panel`; columns
    :data:`CHECK_COLUMNS` (``flagged_months``: ``YYYY-MM indicator`` inside this or last
    year's window; ``depends``: :func:`direction_differs` or a target verdict that
    differs). Zones in configuration order.
    """
    m = month_start(month)
    key = ["zone_id", "indicator"]
    a = panel[(panel["month"] == m) & panel["indicator"].isin(HEADLINE_INDICATORS)]
    b = alt[alt["month"] == m].set_index(key)
    rows = []
    for r in a.itertuples(index=False):
        s = b.loc[(r.zone_id, r.indicator)]
        met = (r.attainment >= 1) if not np.isnan(r.attainment) else None
        met_alt = (s["attainment"] >= 1) if not np.isnan(s["attainment"]) else None
        names = _flag_names(flagged, r.zone_id, r.indicator, m)
        depends = bool(names) and (
            direction_differs(r.ytd_change, r.ytd_flag, s["ytd_change"], s["ytd_flag"])
            or met != met_alt
        )
        rows.append(
            {
                "zone_id": r.zone_id,
                "indicator": r.indicator,
                "ytd": float(r.ytd),
                "ytd_change": float(r.ytd_change),
                "ytd_flag": r.ytd_flag,
                "ytd_alt": float(s["ytd"]),
                "ytd_change_alt": float(s["ytd_change"]),
                "ytd_flag_alt": str(s["ytd_flag"]),
                "flagged_months": names,
                "depends": depends,
            }
        )
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


@dataclass(frozen=True)
class TradeTotal:
    """The zones' combined January-to-month foreign trade (import + export), 万元.

    Compared on the same zones and the same months in both years: ``zones`` are the
    zones with every month from January to ``month`` submitted in both years;
    ``excluded`` lists ``[zone_id, months reported this year, last year complete]`` of
    the others (named on the page). ``total`` / ``base`` (this year / last
    year, official), ``growth`` and ``flag`` (:func:`~.indicators.change_flag`, small
    base below ``threshold`` 万元); ``*_alt`` the same with flagged values replaced
    (sensitivity); ``flagged_months`` ``zone_id YYYY-MM indicator`` inside the windows;
    ``depends`` True when the direction differs (:func:`direction_differs`).
    Missing numbers are None (JSON).
    """

    month: str
    zones: list[str] = field(default_factory=list)
    excluded: list[list] = field(default_factory=list)
    threshold: float | None = None
    total: float | None = None
    base: float | None = None
    growth: float | None = None
    flag: str = "missing"
    total_alt: float | None = None
    base_alt: float | None = None
    growth_alt: float | None = None
    flag_alt: str = "missing"
    flagged_months: list[str] = field(default_factory=list)
    depends: bool = False


def _num(x) -> float | None:
    """Return *x* as a float, None when missing."""
    return None if x is None or not np.isfinite(x) else float(x)


def trade_total(
    panel: pd.DataFrame,
    alt: pd.DataFrame,
    flagged: pd.DataFrame,
    month,
    threshold: float | None = None,
) -> TradeTotal:
    """Return the zones' combined foreign trade, official and with flagged values replaced.

    Only zones whose January-to-*month* foreign trade is complete in both years enter
    (``ytd`` and ``ytd_base`` of the panel), so both years add the same zones over the
    same months; a zone missing a year or a month is excluded and listed. The growth
    of the totals follows :func:`~.indicators.change_flag` with *threshold* (万元).
    """
    m = month_start(month)
    sel = panel[(panel["month"] == m) & (panel["indicator"] == FOREIGN_TRADE)]
    sel = sel.assign(_o=sel["zone_id"].map(ZONE_ORDER)).sort_values("_o")
    ok = sel["ytd"].notna() & sel["ytd_base"].notna()
    zones = list(sel.loc[ok, "zone_id"])
    excluded = [
        [r.zone_id, int(r.ytd_months), bool(np.isfinite(r.ytd_base))]
        for r in sel.loc[~ok].itertuples(index=False)
    ]
    if not zones:
        return TradeTotal(month=f"{m:%Y-%m}", excluded=excluded, threshold=threshold)
    a = alt[(alt["month"] == m) & (alt["indicator"] == FOREIGN_TRADE)].set_index("zone_id")
    total, base = float(sel.loc[ok, "ytd"].sum()), float(sel.loc[ok, "ytd_base"].sum())
    total_alt = float(a.loc[zones, "ytd"].sum())
    base_alt = float(a.loc[zones, "ytd_base"].sum())
    flag, flag_alt = (
        change_flag(total, base, threshold),
        change_flag(total_alt, base_alt, threshold),
    )
    growth = change(total, base) if flag in ("ok", "small_base") else None
    growth_alt = change(total_alt, base_alt) if flag_alt in ("ok", "small_base") else None
    names = [f"{z} {n}" for z in zones for n in _flag_names(flagged, z, FOREIGN_TRADE, m)]
    nan = float("nan")
    differs = direction_differs(
        nan if growth is None else growth, flag, nan if growth_alt is None else growth_alt, flag_alt
    )
    return TradeTotal(
        month=f"{m:%Y-%m}",
        zones=zones,
        excluded=excluded,
        threshold=threshold,
        total=total,
        base=base,
        growth=_num(growth),
        flag=flag,
        total_alt=total_alt,
        base_alt=base_alt,
        growth_alt=_num(growth_alt),
        flag_alt=flag_alt,
        flagged_months=names,
        depends=bool(names) and differs,
    )


__all__ = [
    "FLAGGED_COLUMNS",
    "HEADLINE_INDICATORS",
    "TradeTotal",
    "flagged_values",
    "headline_checks",
    "replace_flagged",
    "sensitivity_panel",
    "spike_months",
    "trade_total",
]
