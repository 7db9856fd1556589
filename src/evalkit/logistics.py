"""Special-topic evaluation: logistics and trade indicators (物流与贸易专项评估).

Pure functions behind ``notebooks/logistics.ipynb``:

- :func:`indicator_panel` — per zone, indicator and month of the report year: level,
  year-on-year change, January-to-month cumulative level and change, attainment of
  an optional annual target, with small-base and missing-data flags;
- :func:`decompose` / :func:`decompose_all` — STL seasonal decomposition of every
  monthly series with at least two full years of history;
- :func:`robust_z` / :func:`find_anomalies` — months whose STL residual is extreme on
  a median/MAD scale, listed (never smoothed away);
- :func:`corridor_table` — trade with Russia and train departures, each zone's share;
- :func:`zone_narrative` / :func:`corridor_narrative` — Chinese sentences built
  from the computed numbers.

A (zone, month, indicator) row absent from ``logistics_monthly`` means *not
submitted* (未报送): it stays missing everywhere and is never read as zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ConfigError, config_path, read_yaml
from .schema import LOGISTICS_INDICATORS, ZONE_ORDER, ZONES, zone_name

#: How months combine into a January-to-month (year-to-date) figure. Flows add up;
#: stocks and coverage shares take the latest month; hours are averaged. Shares and
#: hours are never summed over months.
AGGREGATION: dict[str, str] = {
    "import_value": "sum",
    "export_value": "sum",
    "russia_trade_value": "sum",
    "freight_rail": "sum",
    "freight_road": "sum",
    "freight_air": "sum",
    "freight_multimodal": "sum",
    "train_departures": "sum",
    "bonded_throughput": "sum",
    "cold_chain_capacity": "last",
    "express_parcels": "sum",
    "village_delivery_share": "last",
    "clearance_hours": "mean",
}
AGGREGATION_LABELS = {"sum": "月度累加", "last": "取最新月", "mean": "月度平均"}

#: Indicators whose change is reported in percentage points rather than as a growth rate.
POINT_CHANGE: frozenset[str] = frozenset({"village_delivery_share"})
#: Indicators where a smaller value is better (attainment = target / actual).
LOWER_IS_BETTER: frozenset[str] = frozenset({"clearance_hours"})

#: Derived indicator shown in the narrative and summary: import + export.
FOREIGN_TRADE = "foreign_trade"
FOREIGN_TRADE_LABEL = "外贸进出口额"

MISSING_TEXT = "未报送"

#: Flags of a change (year-on-year or cumulative), with their Chinese wording.
CHANGE_FLAGS = {
    "ok": "",
    "small_base": "基数较小，增速仅供参考",
    "zero_base": "上年基数为零，增速无定义",
    "no_base": "上年同期未报送或不完整",
    "missing": "本期未报送或不完整",
}


# --- Configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class LogisticsConfig:
    """Settings of the logistics evaluation (``config/logistics.yaml``, all optional).

    ``small_base`` maps indicator → threshold in the indicator's unit: a growth rate
    whose base (last year's same month, or last year's January-to-month figure) is
    below it is shown with a warning marker, not as a headline. ``targets`` maps
    indicator → zone id (or ``"default"``) → annual target.

    Decomposition needs ``min_months`` of history (≥ 24) with at most
    ``max_fill_share`` of them missing; anomaly screening needs
    ``min_anomaly_months`` and flags |robust z| > ``anomaly_z``, the scale being at
    least ``min_rel_scale`` × the series' median level.
    """

    small_base: dict[str, float] = field(default_factory=dict)
    anomaly_z: float = 3.5
    min_months: int = 24
    min_anomaly_months: int = 36
    max_fill_share: float = 0.1
    min_rel_scale: float = 0.005
    targets: dict[str, dict[str, float]] = field(default_factory=dict)

    def target(self, indicator: str, zone_id: str) -> float | None:
        """Return the annual target of *indicator* for *zone_id*, or None if not configured."""
        per = self.targets.get(indicator, {})
        value = per.get(zone_id, per.get("default"))
        return None if value is None else float(value)

    def threshold(self, indicator: str) -> float | None:
        """Return the small-base threshold of *indicator*, or None if the rule does not apply."""
        value = self.small_base.get(indicator)
        return None if value is None else float(value)


def _positive(value, where: str, *, allow_zero: bool = True) -> float:
    """Return *value* as a float ≥ 0 (> 0 unless *allow_zero*) or raise ConfigError naming *where*."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{where}: 应为数字 / must be a number, got {value!r}")
    if value < 0 or (not allow_zero and value == 0):
        raise ConfigError(f"{where}: 应为正数 / must be positive, got {value!r}")
    return float(value)


def parse_config(doc: dict | None, where: str = "logistics.yaml") -> LogisticsConfig:
    """Validate a parsed ``logistics.yaml`` document and return a :class:`LogisticsConfig`."""
    doc = doc or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: 顶层应为映射 / top level must be a mapping")
    known = {"small_base", "anomaly", "decomposition", "targets"}
    unknown = set(doc) - known
    if unknown:
        raise ConfigError(f"{where}: 未知键 / unknown keys {sorted(unknown)}")
    small: dict[str, float] = {}
    for ind, value in (doc.get("small_base") or {}).items():
        if ind not in LOGISTICS_INDICATORS and ind != FOREIGN_TRADE:
            raise ConfigError(f"{where}: small_base 中指标未知 / unknown indicator {ind!r}")
        small[ind] = _positive(value, f"{where}: small_base.{ind}")
    anomaly = doc.get("anomaly") or {}
    decomp = doc.get("decomposition") or {}
    kw: dict = {}
    if "z_threshold" in anomaly:
        kw["anomaly_z"] = _positive(
            anomaly["z_threshold"], f"{where}: anomaly.z_threshold", allow_zero=False
        )
    if "min_months" in anomaly:
        months = anomaly["min_months"]
        if isinstance(months, bool) or not isinstance(months, int) or months < 24:
            raise ConfigError(
                f"{where}: anomaly.min_months 应为 ≥ 24 的整数 / "
                f"must be an integer ≥ 24, got {months!r}"
            )
        kw["min_anomaly_months"] = months
    if "min_relative_scale" in anomaly:
        kw["min_rel_scale"] = _positive(
            anomaly["min_relative_scale"], f"{where}: anomaly.min_relative_scale"
        )
    if "min_months" in decomp:
        months = decomp["min_months"]
        if isinstance(months, bool) or not isinstance(months, int) or months < 24:
            raise ConfigError(
                f"{where}: decomposition.min_months 应为 ≥ 24 的整数（两个完整年度）/ "
                f"must be an integer ≥ 24 (two full years), got {months!r}"
            )
        kw["min_months"] = months
    if "max_fill_share" in decomp:
        share = _positive(decomp["max_fill_share"], f"{where}: decomposition.max_fill_share")
        if share >= 1:
            raise ConfigError(f"{where}: decomposition.max_fill_share 应小于 1 / must be < 1")
        kw["max_fill_share"] = share
    targets: dict[str, dict[str, float]] = {}
    for ind, per in (doc.get("targets") or {}).items():
        if ind not in LOGISTICS_INDICATORS and ind != FOREIGN_TRADE:
            raise ConfigError(f"{where}: targets 中指标未知 / unknown indicator {ind!r}")
        if not isinstance(per, dict):
            per = {"default": per}
        for zone in per:
            if zone != "default" and zone not in ZONES:
                raise ConfigError(f"{where}: targets.{ind} 中片区未知 / unknown zone {zone!r}")
        targets[ind] = {
            z: _positive(v, f"{where}: targets.{ind}.{z}", allow_zero=False) for z, v in per.items()
        }
    return LogisticsConfig(small_base=small, targets=targets, **kw)


def load_config(data_dir: str | Path | None = None) -> LogisticsConfig:
    """Read ``config/logistics.yaml`` under *data_dir*; defaults if the file is absent."""
    path = config_path("logistics.yaml", data_dir)
    if not path.exists():
        return LogisticsConfig()
    doc = read_yaml(path)
    return parse_config(doc, str(path.name))


# --- Series helpers ------------------------------------------------------------------


def month_start(value) -> pd.Timestamp:
    """Return the first day of the month containing *value* (date, string or Timestamp)."""
    ts = pd.Timestamp(value)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def series_of(df: pd.DataFrame, zone_id: str, indicator: str) -> pd.Series:
    """Return the submitted monthly values of one (zone, indicator) as a Series by month.

    Months not submitted are simply absent (callers reindex; absent stays NaN).
    """
    if df.empty:
        return pd.Series(dtype=float)
    sel = df[(df["zone_id"] == zone_id) & (df["indicator"] == indicator)]
    s = pd.Series(
        sel["value"].astype(float).to_numpy(),
        index=pd.DatetimeIndex(sel["month"]).to_period("M").to_timestamp(),
    )
    return s.groupby(level=0).last().sort_index()


def foreign_trade_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return rows of the derived indicator import + export, only where both were submitted."""
    cols = ["zone_id", "month", "indicator", "value"]
    parts = df[df["indicator"].isin(["import_value", "export_value"])]
    if parts.empty:
        return pd.DataFrame(columns=cols)
    wide = parts.pivot_table(
        index=["zone_id", "month"], columns="indicator", values="value", aggfunc="last"
    )
    if not {"import_value", "export_value"} <= set(wide.columns):
        return pd.DataFrame(columns=cols)
    wide = wide.dropna(subset=["import_value", "export_value"])
    out = (wide["import_value"] + wide["export_value"]).rename("value").reset_index()
    out["indicator"] = FOREIGN_TRADE
    return out[cols]


def _change(value: float, base: float, indicator: str) -> float:
    """Return the change from *base* to *value*: points for shares, else a growth rate."""
    if indicator in POINT_CHANGE:
        return value - base
    return value / base - 1.0


def _flag(value: float, base: float, indicator: str, threshold: float | None) -> str:
    """Classify a change: missing value or base, zero base, small base, or ok."""
    if value is None or np.isnan(value):
        return "missing"
    if base is None or np.isnan(base):
        return "no_base"
    if indicator not in POINT_CHANGE and base == 0:
        return "zero_base"
    if threshold is not None and indicator not in POINT_CHANGE and base < threshold:
        return "small_base"
    return "ok"


def _ytd(s: pd.Series, month: pd.Timestamp, how: str) -> tuple[float, int]:
    """Return (January-to-*month* figure, months reported) of monthly series *s*.

    The figure is NaN unless every month from January to *month* was reported
    (``last`` needs only *month* itself): an incomplete year-to-date total would
    understate the level, so it is shown as missing rather than as a smaller number.
    """
    months = pd.date_range(pd.Timestamp(year=month.year, month=1, day=1), month, freq="MS")
    vals = s.reindex(months)
    reported = int(vals.notna().sum())
    if how == "last":
        v = vals.iloc[-1]
        return (float(v) if pd.notna(v) else float("nan")), reported
    if reported < len(months):
        return float("nan"), reported
    return (float(vals.sum()) if how == "sum" else float(vals.mean())), reported


def attainment(ytd: float, target: float | None, indicator: str) -> float:
    """Return attainment of an annual *target*: actual / target (target / actual if lower is better).

    For flows the year-to-date total is compared with the full-year target, so
    before December it measures progress. NaN when no target or no value.
    """
    if target is None or ytd is None or np.isnan(ytd):
        return float("nan")
    if indicator in LOWER_IS_BETTER:
        return float("nan") if ytd == 0 else target / ytd
    return ytd / target


def series_measures(
    s: pd.Series,
    indicator: str,
    months: pd.DatetimeIndex,
    *,
    threshold: float | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """Return level, year-on-year and January-to-month measures of *s* for each of *months*.

    *s* holds the submitted values by month (first day); months absent from *s* are
    not submitted. Columns: ``value``, ``base`` (same month a year earlier),
    ``yoy``, ``yoy_flag``, ``ytd``, ``ytd_months``, ``ytd_base``, ``ytd_change``,
    ``ytd_flag``, ``target``, ``attainment``.
    """
    how = AGGREGATION.get(indicator, "sum")
    rows = []
    for m in months:
        value = s.get(m, np.nan)
        prev = m - pd.DateOffset(years=1)
        base = s.get(prev, np.nan)
        yflag = _flag(value, base, indicator, threshold)
        yoy = _change(value, base, indicator) if yflag in ("ok", "small_base") else np.nan
        ytd, n = _ytd(s, m, how)
        ytd_base, _ = _ytd(s, prev, how)
        cflag = _flag(ytd, ytd_base, indicator, threshold)
        change = _change(ytd, ytd_base, indicator) if cflag in ("ok", "small_base") else np.nan
        rows.append(
            {
                "month": m,
                "value": float(value),
                "base": float(base),
                "yoy": float(yoy),
                "yoy_flag": yflag,
                "ytd": ytd,
                "ytd_months": n,
                "ytd_base": ytd_base,
                "ytd_change": float(change),
                "ytd_flag": cflag,
                "target": np.nan if target is None else float(target),
                "attainment": attainment(ytd, target, indicator),
            }
        )
    return pd.DataFrame(rows)


def report_months(year: int, as_of) -> pd.DatetimeIndex:
    """Return the months of report *year* up to the as-of date (January … as-of month)."""
    end = month_start(as_of)
    last = min(end, pd.Timestamp(year=int(year), month=12, day=1))
    return pd.date_range(pd.Timestamp(year=int(year), month=1, day=1), last, freq="MS")


def clip_as_of(df: pd.DataFrame, as_of) -> pd.DataFrame:
    """Return the rows of *df* whose month is not after the as-of month."""
    return df[pd.to_datetime(df["month"]) <= month_start(as_of)].copy()


def indicator_panel(
    df: pd.DataFrame,
    year: int,
    as_of,
    config: LogisticsConfig | None = None,
    *,
    zones: list[str] | None = None,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """Return the full panel: every zone × indicator × month of the report year to the as-of month.

    Every combination appears, submitted or not (``submitted`` False, ``value``
    NaN), so a zone that did not submit an indicator is still on the page.
    Indicators default to ``schema.LOGISTICS_INDICATORS`` plus the derived
    ``foreign_trade`` (import + export).
    """
    config = config or LogisticsConfig()
    zones = list(ZONES) if zones is None else zones
    indicators = [*LOGISTICS_INDICATORS, FOREIGN_TRADE] if indicators is None else list(indicators)
    data = clip_as_of(df, as_of)
    if FOREIGN_TRADE in indicators:
        data = pd.concat([data, foreign_trade_frame(data)], ignore_index=True)
    months = report_months(year, as_of)
    frames = []
    for zone in zones:
        for ind in indicators:
            s = series_of(data, zone, ind)
            m = series_measures(
                s,
                ind,
                months,
                threshold=config.threshold(ind),
                target=config.target(ind, zone),
            )
            m.insert(0, "indicator", ind)
            m.insert(0, "zone_id", zone)
            m["submitted"] = m["value"].notna()
            frames.append(m)
    return pd.concat(frames, ignore_index=True)


def indicator_label(indicator: str) -> str:
    """Return the Chinese name of *indicator* (including the derived foreign-trade total)."""
    if indicator == FOREIGN_TRADE:
        return FOREIGN_TRADE_LABEL
    return LOGISTICS_INDICATORS.get(indicator, (indicator, ""))[0]


def indicator_unit(indicator: str) -> str:
    """Return the unit of *indicator*."""
    if indicator == FOREIGN_TRADE:
        return "万元"
    return LOGISTICS_INDICATORS.get(indicator, ("", ""))[1]


# --- Seasonal decomposition and anomalies -------------------------------------------


#: STL seasonal smoother window (odd, in years) with a locally constant fit: with two
#: to five years of history the seasonal pattern is estimated from all years alike,
#: so one month's spike is not absorbed into that calendar month's seasonal value.
SEASONAL_WINDOW = 35
#: Refits per flagged month while its value is replaced by the fitted one.
_REFITS = 10


@dataclass(frozen=True)
class Decomposition:
    """STL result of one series, or the reason it was not decomposed.

    ``frame`` (None when not decomposed) is indexed by month and has columns
    ``observed`` (NaN where not submitted), ``filled`` (interpolated where not
    submitted), ``trend``, ``seasonal``, ``resid`` (observed − trend − seasonal),
    ``z`` (robust z-score of the residual), ``interpolated`` and ``anomaly`` (bool).
    ``screened`` says whether the series was long enough to screen for anomalies.
    """

    zone_id: str
    indicator: str
    frame: pd.DataFrame | None
    reason: str
    months: int
    filled: int
    screened: bool = False

    @property
    def ok(self) -> bool:
        """Return True when the series was decomposed."""
        return self.frame is not None


def robust_z(values, *, floor: float = 0.0, mask=None) -> np.ndarray:
    """Return robust z-scores (x − median) / (1.4826 · MAD) of *values*.

    1.4826 · MAD estimates the standard deviation of normal data while ignoring
    outliers. Median and MAD come from the entries where *mask* is True (all
    non-NaN entries by default) and the scores are returned for every entry. The
    scale is at least *floor*, so a near-perfect fit (MAD ≈ 0) does not turn
    rounding noise into anomalies. NaNs stay NaN.
    """
    x = np.asarray(values, dtype=float)
    ok = ~np.isnan(x) if mask is None else (np.asarray(mask, dtype=bool) & ~np.isnan(x))
    if not ok.any():
        return np.full_like(x, np.nan)
    med = np.median(x[ok])
    mad = 1.482602218505602 * np.median(np.abs(x[ok] - med))
    scale = max(mad, floor)
    if scale == 0:
        # Every residual used equals the median: nothing is extreme.
        return np.where(np.isnan(x), np.nan, np.where(x == med, 0.0, np.inf * np.sign(x - med)))
    return (x - med) / scale


def _stl(y: np.ndarray):
    """Fit STL (period 12, locally constant seasonal smoother) to monthly values *y*."""
    from statsmodels.tsa.seasonal import STL

    return STL(y, period=12, seasonal=SEASONAL_WINDOW, seasonal_deg=0, robust=False).fit()


def decompose(
    s: pd.Series,
    *,
    zone_id: str = "",
    indicator: str = "",
    config: LogisticsConfig | None = None,
) -> Decomposition:
    """STL-decompose monthly series *s* and screen its residuals for anomalies.

    Needs at least ``config.min_months`` (≥ 24, two full years) months from the first
    to the last submitted month. A few months missing inside that span (at most
    ``max_fill_share`` of it) are linearly interpolated for the decomposition only;
    they are marked and never flagged.

    Anomaly screening (series of at least ``min_anomaly_months``): the month with
    the largest |robust z| of its residual is flagged if above ``anomaly_z``; its
    value is then replaced by the fitted trend + seasonal and STL refitted, so the
    spike neither bends the trend nor leaks into the same calendar month of other
    years; repeat (at most a tenth of the months). Stock indicators (aggregated by
    ``last``) are not screened: they change in steps. The submitted values are kept
    and reported; the replacement only shapes the trend. With only two years, a
    spike in one year cannot be told from a dip in the other, hence the default
    of 36 months for screening.
    """
    config = config or LogisticsConfig()
    s = s.dropna().sort_index()
    if s.empty:
        return Decomposition(zone_id, indicator, None, MISSING_TEXT, 0, 0)
    idx = pd.date_range(s.index.min(), s.index.max(), freq="MS")
    full = s.reindex(idx)
    n, gaps = len(idx), int(full.isna().sum())
    if n < config.min_months:
        return Decomposition(
            zone_id,
            indicator,
            None,
            f"历史不足：仅 {n} 个月，少于 {config.min_months} 个月（两个完整年度）",
            n,
            gaps,
        )
    if gaps > config.max_fill_share * n:
        return Decomposition(
            zone_id, indicator, None, f"缺报月份过多：{n} 个月中缺 {gaps} 个月", n, gaps
        )
    observed = full.to_numpy(dtype=float)
    filled = full.interpolate(method="linear").to_numpy(dtype=float)
    interpolated = np.isnan(observed)
    floor = config.min_rel_scale * float(np.nanmedian(np.abs(observed)))
    # Stocks (capacity, coverage) move in steps when a warehouse opens or villages are
    # added; STL reads a step as a run of odd months on either side of it, so stocks
    # are shown with their trend but not screened month by month.
    stock = AGGREGATION.get(indicator) == "last"
    screened = n >= config.min_anomaly_months and not stock
    y = filled.copy()
    flagged = np.zeros(n, dtype=bool)
    res = _stl(y)
    while screened and flagged.sum() < max(1, n // 10):
        clean = ~interpolated & ~flagged
        resid = filled - np.asarray(res.trend) - np.asarray(res.seasonal)
        z = np.where(clean, robust_z(resid, floor=floor, mask=clean), 0.0)
        k = int(np.argmax(np.abs(z)))
        if not abs(z[k]) > config.anomaly_z:
            break
        flagged[k] = True
        for _ in range(_REFITS):
            y[flagged] = (np.asarray(res.trend) + np.asarray(res.seasonal))[flagged]
            res = _stl(y)
    trend, seasonal = np.asarray(res.trend, dtype=float), np.asarray(res.seasonal, dtype=float)
    resid = filled - trend - seasonal
    clean = ~interpolated & ~flagged
    z = robust_z(resid, floor=floor, mask=clean)
    z[interpolated] = np.nan
    frame = pd.DataFrame(
        {
            "observed": observed,
            "filled": filled,
            "trend": trend,
            "seasonal": seasonal,
            "resid": np.where(interpolated, np.nan, resid),
            "z": z,
            "interpolated": interpolated,
            "anomaly": flagged,
        },
        index=idx,
    )
    reason = "已分解" if gaps == 0 else f"已分解（{gaps} 个缺报月份仅为分解作线性插补）"
    if stock:
        reason += "；存量指标按阶梯变化，不做单月异常筛查"
    elif not screened:
        reason += f"；历史不足 {config.min_anomaly_months} 个月，未做异常筛查"
    return Decomposition(zone_id, indicator, frame, reason, n, gaps, screened)


ANOMALY_COLUMNS = ["zone_id", "indicator", "month", "value", "trend", "seasonal", "resid", "z"]


def anomalies_of(dec: Decomposition) -> pd.DataFrame:
    """Return the months of *dec* flagged as anomalies, with value, trend, residual and z."""
    if not dec.ok or not dec.frame["anomaly"].any():
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    f = dec.frame[dec.frame["anomaly"]]
    return pd.DataFrame(
        {
            "zone_id": dec.zone_id,
            "indicator": dec.indicator,
            "month": f.index,
            "value": f["observed"].to_numpy(),
            "trend": f["trend"].to_numpy(),
            "seasonal": f["seasonal"].to_numpy(),
            "resid": f["resid"].to_numpy(),
            "z": f["z"].to_numpy(),
        }
    )


def decompose_all(
    df: pd.DataFrame,
    as_of,
    config: LogisticsConfig | None = None,
    *,
    zones: list[str] | None = None,
    indicators: list[str] | None = None,
) -> list[Decomposition]:
    """Decompose every (zone, indicator) series using data up to the as-of month only."""
    data = clip_as_of(df, as_of)
    zones = list(ZONES) if zones is None else zones
    indicators = list(LOGISTICS_INDICATORS) if indicators is None else indicators
    return [
        decompose(series_of(data, z, i), zone_id=z, indicator=i, config=config)
        for z in zones
        for i in indicators
    ]


def find_anomalies(
    decs: list[Decomposition],
    *,
    months: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """Return anomalies of all decompositions, optionally only within *months*, sorted."""
    parts = [anomalies_of(d) for d in decs if d.ok]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    if months is not None:
        out = out[out["month"].isin(months)]
    iorder = {k: i for i, k in enumerate(LOGISTICS_INDICATORS)}
    out = out.assign(_z=out["zone_id"].map(ZONE_ORDER), _i=out["indicator"].map(iorder))
    return out.sort_values(["_z", "_i", "month"]).drop(columns=["_z", "_i"]).reset_index(drop=True)


def decomposition_status(decs: list[Decomposition]) -> pd.DataFrame:
    """Return one row per series: zone, indicator, months of history, filled months, result."""
    return pd.DataFrame(
        {
            "片区": [zone_name(d.zone_id) for d in decs],
            "指标": [indicator_label(d.indicator) for d in decs],
            "历史月数": [d.months for d in decs],
            "插补月数": [d.filled for d in decs],
            "季节分解": [d.reason for d in decs],
        }
    )


def trend_table(decs: list[Decomposition]) -> pd.DataFrame:
    """Return the raw and STL-trend values behind the trend figures (long format)."""
    rows = []
    for d in decs:
        if not d.ok:
            continue
        f = d.frame
        rows.append(
            pd.DataFrame(
                {
                    "片区": zone_name(d.zone_id),
                    "指标": indicator_label(d.indicator),
                    "单位": indicator_unit(d.indicator),
                    "月份": f.index.strftime("%Y-%m"),
                    "报送值": f["observed"].to_numpy(),
                    "趋势": f["trend"].to_numpy(),
                    "季节项": f["seasonal"].to_numpy(),
                    "残差": f["resid"].to_numpy(),
                    "插补": np.where(f["interpolated"], "是", ""),
                }
            )
        )
    cols = ["片区", "指标", "单位", "月份", "报送值", "趋势", "季节项", "残差", "插补"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


# --- Corridor view -------------------------------------------------------------------

CORRIDOR_INDICATORS = ("russia_trade_value", "train_departures")


def corridor_table(
    df: pd.DataFrame, year: int, as_of, zones: list[str] | None = None
) -> pd.DataFrame:
    """Return monthly corridor values per zone with each zone's share of the reported total.

    Covers trade with Russia and train departures for every month of the report
    year. Shares are of the total of zones that reported that month; a zone that
    did not report has value and share NaN and ``submitted`` False.
    """
    zones = list(ZONES) if zones is None else zones
    data = clip_as_of(df, as_of)
    months = report_months(year, as_of)
    rows = []
    for ind in CORRIDOR_INDICATORS:
        series = {z: series_of(data, z, ind) for z in zones}
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
    shares are of the total of zones with complete months.
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


# --- Formatting and narrative ---------------------------------------------------------


def fmt_number(value: float, unit: str = "") -> str:
    """Format a level with thousands separators and unit; missing as ``未报送``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING_TEXT
    whole = float(value).is_integer()
    digits = 1 if unit in ("%", "小时") or (abs(value) < 100 and not whole) else 0
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip() if unit not in ("%",) else f"{text}%"


def fmt_change(value: float, indicator: str) -> str:
    """Format a change with sign: percentage points for shares, else percent; ``—`` if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if indicator in POINT_CHANGE:
        return f"{value:+.1f} 个百分点"
    return f"{value * 100:+.1f}%"


def change_cell(value: float, flag: str, indicator: str) -> str:
    """Return a change as shown in a table: the number, or a warning marker instead of a headline."""
    if flag == "small_base":
        return f"⚠ {fmt_change(value, indicator)}（基数较小）"
    if flag == "ok":
        return fmt_change(value, indicator)
    return "—（" + CHANGE_FLAGS[flag] + "）"


def latest_panel_display(panel: pd.DataFrame, zone_id: str, month) -> pd.DataFrame:
    """Return the as-of month's panel of one zone as a Chinese-headed table of display strings."""
    m = month_start(month)
    rows = panel[(panel["zone_id"] == zone_id) & (panel["month"] == m)]
    out = []
    for r in rows.itertuples(index=False):
        unit = indicator_unit(r.indicator)
        how = AGGREGATION.get(r.indicator, "sum")
        ytd_text = fmt_number(r.ytd, unit)
        if np.isnan(r.ytd) and r.ytd_months > 0:
            ytd_text = f"不完整（报送 {r.ytd_months}/{m.month} 个月）"
        att = "未设定目标"
        if not np.isnan(r.target):
            att = "—" if np.isnan(r.attainment) else f"{r.attainment * 100:.1f}%"
        out.append(
            {
                "指标": indicator_label(r.indicator),
                "单位": unit,
                "当月": fmt_number(r.value, unit),
                "同比": change_cell(r.yoy, r.yoy_flag, r.indicator),
                "1月至当月": ytd_text,
                "累计口径": AGGREGATION_LABELS[how],
                "累计同比": change_cell(r.ytd_change, r.ytd_flag, r.indicator),
                "目标完成": att,
            }
        )
    return pd.DataFrame(out)


def panel_csv(panel: pd.DataFrame) -> pd.DataFrame:
    """Return the full monthly panel with Chinese headers, numbers kept numeric, flags in words."""
    status = np.where(panel["submitted"], "已报送", MISSING_TEXT)
    return pd.DataFrame(
        {
            "片区": panel["zone_id"].map(zone_name),
            "指标": panel["indicator"].map(indicator_label),
            "单位": panel["indicator"].map(indicator_unit),
            "月份": panel["month"].dt.strftime("%Y-%m"),
            "报送状态": status,
            "当月值": panel["value"],
            "上年同月值": panel["base"],
            "同比": panel["yoy"],
            "同比提示": panel["yoy_flag"].map(CHANGE_FLAGS),
            "1月至当月": panel["ytd"],
            "1月至当月报送月数": panel["ytd_months"],
            "上年1月至同月": panel["ytd_base"],
            "累计同比": panel["ytd_change"],
            "累计同比提示": panel["ytd_flag"].map(CHANGE_FLAGS),
            "年度目标": panel["target"],
            "目标完成率": panel["attainment"],
        }
    )


def missing_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (zone, indicator) with months not submitted in the report year."""
    rows = []
    base = panel[panel["indicator"] != FOREIGN_TRADE]
    for (z, ind), g in base.groupby(["zone_id", "indicator"], sort=False):
        miss = g.loc[~g["submitted"], "month"]
        if miss.empty:
            continue
        what = (
            "全年未报送"
            if len(miss) == len(g)
            else "、".join(f"{m.month} 月" for m in miss.sort_values())
        )
        rows.append(
            {
                "片区": zone_name(z),
                "指标": indicator_label(ind),
                "未报送月数": len(miss),
                "未报送月份": what,
            }
        )
    return pd.DataFrame(rows, columns=["片区", "指标", "未报送月数", "未报送月份"])


def anomalies_display(anomalies: pd.DataFrame) -> pd.DataFrame:
    """Return anomalies with Chinese headers (zone, indicator, month, value, trend, z)."""
    if anomalies.empty:
        return pd.DataFrame(
            columns=[
                "片区",
                "指标",
                "月份",
                "报送值",
                "单位",
                "趋势值",
                "季节项",
                "残差",
                "稳健Z值",
            ]
        )
    return pd.DataFrame(
        {
            "片区": anomalies["zone_id"].map(zone_name),
            "指标": anomalies["indicator"].map(indicator_label),
            "月份": pd.DatetimeIndex(anomalies["month"]).strftime("%Y-%m"),
            "报送值": anomalies["value"].astype(float).round(2),
            "单位": anomalies["indicator"].map(indicator_unit),
            "趋势值": anomalies["trend"].astype(float).round(2),
            "季节项": anomalies["seasonal"].astype(float).round(2),
            "残差": anomalies["resid"].astype(float).round(2),
            # ±inf (every other residual identical) shows as missing, never as "inf".
            "稳健Z值": anomalies["z"].astype(float).replace([np.inf, -np.inf], np.nan).round(2),
        }
    )


def corridor_csv(corridor: pd.DataFrame) -> pd.DataFrame:
    """Return the monthly corridor table with Chinese headers (the data behind the corridor figure)."""
    return pd.DataFrame(
        {
            "指标": corridor["indicator"].map(indicator_label),
            "单位": corridor["indicator"].map(indicator_unit),
            "月份": pd.DatetimeIndex(corridor["month"]).strftime("%Y-%m"),
            "片区": corridor["zone_id"].map(zone_name),
            "报送状态": np.where(corridor["submitted"], "已报送", MISSING_TEXT),
            "当月值": corridor["value"],
            "已报送片区合计": corridor["total_reported"],
            "报送片区数": corridor["zones_reported"],
            "占已报送合计份额": corridor["share"],
        }
    )


def corridor_shares_display(shares: pd.DataFrame) -> pd.DataFrame:
    """Return year-to-date corridor totals and shares per zone as Chinese-headed display strings."""
    rows = []
    for r in shares.itertuples(index=False):
        unit = indicator_unit(r.indicator)
        rows.append(
            {
                "指标": indicator_label(r.indicator),
                "片区": zone_name(r.zone_id),
                "1月至当月累计": fmt_number(r.ytd, unit)
                if not np.isnan(r.ytd)
                else "缺报月份，不计累计",
                "份额": "—" if np.isnan(r.share) else f"{r.share * 100:.1f}%",
            }
        )
    return pd.DataFrame(rows, columns=["指标", "片区", "1月至当月累计", "份额"])


def corridor_shares_csv(shares: pd.DataFrame) -> pd.DataFrame:
    """Return year-to-date corridor totals and shares with Chinese headers, numbers numeric."""
    return pd.DataFrame(
        {
            "指标": shares["indicator"].map(indicator_label),
            "单位": shares["indicator"].map(indicator_unit),
            "片区": shares["zone_id"].map(zone_name),
            "1月至当月累计": shares["ytd"],
            "份额": shares["share"],
        }
    )


def rules_table(config: LogisticsConfig) -> pd.DataFrame:
    """Return per indicator: unit, how months combine, how change is expressed, small-base threshold."""
    rows = []
    for ind in [*LOGISTICS_INDICATORS, FOREIGN_TRADE]:
        how = AGGREGATION.get(ind, "sum")
        threshold = config.threshold(ind)
        rows.append(
            {
                "指标": indicator_label(ind),
                "单位": indicator_unit(ind),
                "累计口径": AGGREGATION_LABELS[how]
                + ("（进口额 + 出口额，两者均报送的月份）" if ind == FOREIGN_TRADE else ""),
                "变化表示": "百分点差" if ind in POINT_CHANGE else "增长率",
                "小基数阈值": "不适用"
                if ind in POINT_CHANGE or threshold is None
                else f"{threshold:,g} {indicator_unit(ind)}",
                "较低为好": "是" if ind in LOWER_IS_BETTER else "",
            }
        )
    return pd.DataFrame(rows)


def anomaly_note(n_anomalies: int, n_screened: int, year: int, month, threshold: float) -> str:
    """Return the sentence above the anomaly table: how many flagged, or why none could be."""
    m = month_start(month)
    if n_screened == 0:
        return (
            f"{int(year)} 年没有满足异常筛查条件的序列（流量指标需至少三年历史，存量指标不筛查），"
            "本年度未做异常筛查。"
        )
    if n_anomalies == 0:
        return (
            f"已筛查 {n_screened} 个序列，{int(year)} 年 1—{m.month} 月未发现异常月份"
            f"（阈值 |Z| > {threshold:g}）。"
        )
    return (
        f"已筛查 {n_screened} 个序列，{int(year)} 年 1—{m.month} 月共 {n_anomalies} 个异常月份"
        f"（阈值 |Z| > {threshold:g}），列于下表，请对照报送材料核实。"
    )


def period_note(year: int, as_of, *, partial: bool = False) -> str:
    """Return the sentence stating the period covered (and the plan's partial first year)."""
    months = report_months(year, as_of)
    last = months[-1]
    text = (
        f"统计期：{int(year)} 年 1—{last.month} 月（数据截至 {month_start(as_of):%Y-%m} 月），"
        f"同比与上年同月比较，累计同比与上年 1—{last.month} 月比较。"
    )
    if last.month < 12:
        text += "年度尚未结束，累计数为年内进度，不代表全年。"
    if partial:
        text += (
            f"{int(year)} 年为行动计划实施首年（计划于当年 9 月印发），"
            "本页按全年数据列示，作为后续年度比较的基期。"
        )
    return text


def _headline_change(value: float, flag: str, indicator: str, what: str) -> str:
    """Return the clause on a change for the narrative (warning wording for small bases)."""
    if flag == "ok":
        word = "增长" if value >= 0 else "下降"
        if indicator in POINT_CHANGE:
            return f"，{what}{'提高' if value >= 0 else '降低'} {abs(value):.1f} 个百分点"
        return f"，{what}{word} {abs(value) * 100:.1f}%"
    if flag == "small_base":
        return f"，{what}变化为 {fmt_change(value, indicator)}，但上年基数较小，该增速仅供参考"
    if flag == "zero_base":
        return f"，上年同期为零，{what}增速无定义"
    if flag == "no_base":
        return f"，上年同期数据未报送或不完整，无法计算{what}"
    return ""


def anomalies_in_window(
    anomalies: pd.DataFrame | None, zone_id: str, indicator: str, month
) -> pd.DataFrame:
    """Return anomalies of *zone_id* behind *indicator* in January–*month* of this or last year.

    The derived foreign-trade total is driven by its import and export parts.
    """
    if anomalies is None or anomalies.empty:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    m = month_start(month)
    parts = ["import_value", "export_value"] if indicator == FOREIGN_TRADE else [indicator]
    months = pd.DatetimeIndex(anomalies["month"])
    in_window = (months.month <= m.month) & months.year.isin([m.year, m.year - 1])
    sel = anomalies[
        (anomalies["zone_id"] == zone_id) & anomalies["indicator"].isin(parts) & in_window
    ]
    return sel.sort_values("month")


def _anomaly_caveat(anomalies, zone_id: str, indicator: str, month) -> str:
    """Return the clause warning that anomalous months lie inside a cumulative comparison."""
    sel = anomalies_in_window(anomalies, zone_id, indicator, month)
    if sel.empty:
        return ""
    names = "、".join(
        f"{pd.Timestamp(r.month).year} 年 {pd.Timestamp(r.month).month} 月{indicator_label(r.indicator)}"
        for r in sel.itertuples(index=False)
    )
    return f"（比较期内 {names}被判为异常月份，该变化须待核实后再作解读）"


def zone_narrative(
    zone_id: str,
    latest: pd.DataFrame,
    *,
    n_anomalies: int = 0,
    n_not_decomposed: int = 0,
    n_screened: int | None = None,
    anomalies: pd.DataFrame | None = None,
) -> str:
    """Return Chinese sentences on one zone from its as-of-month panel rows.

    *latest* holds the panel rows (from :func:`indicator_panel`) of *zone_id* for
    the as-of month. Covers foreign trade (import + export), trade with Russia and
    train departures year-to-date, indicators not submitted, anomalies and series
    too short to decompose. *n_screened* is the number of the zone's series screened
    for anomalies (None: not stated); with none, the text says no screening took
    place rather than that nothing was found. *anomalies* (all flagged months, any year) lets a
    headline change say when an anomalous month in this year's or last year's
    January-to-month window drives it.
    """
    rows = {r.indicator: r for r in latest.itertuples(index=False) if r.zone_id == zone_id}
    name = zone_name(zone_id)
    parts = []
    if not rows:
        return f"{name}：本期无物流与贸易指标数据。"
    month = next(iter(rows.values())).month
    period = f"{month.year} 年 1—{month.month} 月" if month.month > 1 else f"{month.year} 年 1 月"
    for ind in (FOREIGN_TRADE, "russia_trade_value", "train_departures"):
        r = rows.get(ind)
        if r is None:
            continue
        label, unit = indicator_label(ind), indicator_unit(ind)
        if np.isnan(r.ytd):
            if r.ytd_months == 0:
                parts.append(f"{label}{MISSING_TEXT}")
            else:
                parts.append(f"{label}仅报送 {r.ytd_months} 个月，累计数不完整，未作比较")
            continue
        parts.append(
            f"{label}累计 {fmt_number(r.ytd, unit)}"
            + _headline_change(r.ytd_change, r.ytd_flag, ind, "同比")
            + _anomaly_caveat(anomalies, zone_id, ind, month)
        )
    text = f"{name} {period}：" + "；".join(parts) + "。" if parts else f"{name} {period}："
    missing = [
        indicator_label(i) for i, r in rows.items() if i != FOREIGN_TRADE and r.ytd_months == 0
    ]
    partial = [
        indicator_label(i)
        for i, r in rows.items()
        if i != FOREIGN_TRADE and 0 < r.ytd_months < month.month
    ]
    if missing:
        text += f"本年度未报送 {len(missing)} 项指标（{'、'.join(missing)}），页面显示为“未报送”，未按零计。"
    if partial:
        text += f"{len(partial)} 项指标有月份未报送（{'、'.join(partial)}），缺报月份不按零计。"
    if not missing and not partial:
        text += "各项指标本年度各月均已报送。"
    if n_screened == 0:
        text += "本片区没有满足异常筛查条件的序列（历史不足三年、存量指标或未报送），未做异常筛查。"
    elif n_anomalies:
        text += f"季节分解后有 {n_anomalies} 个月份的数值异常，已列出供核对报送材料。"
    else:
        text += "季节分解后本年度未发现异常月份。"
    if n_not_decomposed:
        text += f"另有 {n_not_decomposed} 项指标历史不足或缺报过多，未作季节分解。"
    return text


def corridor_narrative(shares: pd.DataFrame, year: int, month) -> str:
    """Return Chinese sentences on the corridor: each zone's share of trade with Russia and trains."""
    m = month_start(month)
    sentences = []
    for ind in CORRIDOR_INDICATORS:
        g = shares[shares["indicator"] == ind]
        label, unit = indicator_label(ind), indicator_unit(ind)
        known = g.dropna(subset=["ytd"])
        if known.empty:
            sentences.append(f"{label}：各片区均未完整报送，无法计算份额。")
            continue
        total = float(known["ytd"].sum())
        pieces = [
            f"{zone_name(r.zone_id)} {fmt_number(r.ytd, unit)}"
            + ("" if np.isnan(r.share) else f"（占 {r.share * 100:.1f}%）")
            for r in known.itertuples(index=False)
        ]
        s = f"{int(year)} 年 1—{m.month} 月{label}合计 {fmt_number(total, unit)}：" + "，".join(
            pieces
        )
        absent = [zone_name(z) for z in g.loc[g["ytd"].isna(), "zone_id"]]
        if absent:
            s += f"；{'、'.join(absent)}缺报月份，未计入合计"
        sentences.append(s + "。")
    return "".join(sentences)


def summary_part(
    panel: pd.DataFrame,
    anomalies: pd.DataFrame,
    month,
    all_anomalies: pd.DataFrame | None = None,
) -> dict:
    """Return the ``logistics`` summary part: headline values per zone at the as-of month.

    *anomalies* are this report year's flagged months (counted per zone);
    *all_anomalies* (any year) name the anomalous months inside each headline's
    January-to-month comparison, so a consumer can tell a growth driven by them.
    """
    m = month_start(month)
    zones = {}
    for z in ZONES:
        rows = panel[(panel["zone_id"] == z) & (panel["month"] == m)].set_index("indicator")
        entry = {}
        for ind, key in (
            (FOREIGN_TRADE, "foreign_trade"),
            ("russia_trade_value", "russia_trade"),
            ("train_departures", "train_departures"),
        ):
            if ind not in rows.index:
                continue
            r = rows.loc[ind]
            entry[f"{key}_ytd"] = r["ytd"]
            entry[f"{key}_ytd_growth"] = r["ytd_change"] if r["ytd_flag"] == "ok" else None
            entry[f"{key}_ytd_flag"] = r["ytd_flag"]
            hits = anomalies_in_window(all_anomalies, z, ind, m)
            entry[f"{key}_ytd_anomaly_months"] = [
                f"{pd.Timestamp(t):%Y-%m} {i}"
                for t, i in zip(hits["month"], hits["indicator"], strict=True)
            ]
        base = panel[(panel["zone_id"] == z) & (panel["indicator"] != FOREIGN_TRADE)]
        entry["indicators_not_submitted"] = int(
            (base.groupby("indicator")["submitted"].sum() == 0).sum()
        )
        entry["anomalies"] = int((anomalies["zone_id"] == z).sum()) if not anomalies.empty else 0
        entry["as_of_month"] = m.strftime("%Y-%m")
        # Nested under "logistics" so the per-zone merge cannot collide with other parts.
        zones[z] = {"logistics": entry}
    return {"zones": zones}
