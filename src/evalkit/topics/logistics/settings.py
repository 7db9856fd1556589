"""Logistics settings and indicator definitions (``data/config/logistics.yaml``).

Every indicator of the data contract (``schema.LOGISTICS_INDICATORS``) and the derived
foreign-trade total must declare, in the ``indicators`` section of ``logistics.yaml``,
how its months combine into a January-to-month figure (``aggregation``: ``sum``,
``last`` or ``mean``), and may declare ``change: points`` (shares: change in
percentage points) and ``lower_is_better: true`` (attainment = target / actual).
An indicator without a declared aggregation is a :class:`~evalkit.config.ConfigError`
naming it: nothing is summed by default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ...config import ConfigError, config_path, read_yaml
from ...schema import LOGISTICS_INDICATORS, ZONES

#: Derived indicator shown in the narrative and summary: import + export.
FOREIGN_TRADE = "foreign_trade"
FOREIGN_TRADE_LABEL = "外贸进出口额"
#: The contract indicators the derived foreign-trade total adds up.
FOREIGN_TRADE_PARTS = ("import_value", "export_value")

#: Ways months combine into a January-to-month figure, with their Chinese wording.
AGGREGATION_LABELS = {"sum": "月度累加", "last": "取最新月", "mean": "月度平均"}
#: Ways a change is expressed.
CHANGE_KINDS = ("growth", "points")

MISSING_TEXT = "未报送"


def all_indicators() -> list[str]:
    """Return the contract indicators (schema order) followed by the derived foreign-trade total."""
    return [*LOGISTICS_INDICATORS, FOREIGN_TRADE]


def indicator_label(indicator: str) -> str:
    """Return the Chinese name of *indicator* (including the derived foreign-trade total)."""
    if indicator == FOREIGN_TRADE:
        return FOREIGN_TRADE_LABEL
    return LOGISTICS_INDICATORS.get(indicator, (indicator, ""))[0]


def indicator_unit(indicator: str) -> str:
    """Return the unit of *indicator* (the foreign-trade total is in 万元 like its parts)."""
    if indicator == FOREIGN_TRADE:
        return LOGISTICS_INDICATORS.get(FOREIGN_TRADE_PARTS[0], ("", "万元"))[1]
    return LOGISTICS_INDICATORS.get(indicator, ("", ""))[1]


@dataclass(frozen=True)
class LogisticsConfig:
    """Settings of the logistics evaluation (``config/logistics.yaml``).

    ``aggregation`` maps indicator → ``sum`` / ``last`` / ``mean`` (required for every
    indicator a computation touches, see :meth:`how`); ``point_change`` lists the
    indicators whose change is in percentage points; ``lower_is_better`` those where a
    smaller value is better. ``small_base`` maps indicator → threshold in the
    indicator's unit: a growth rate whose base (last year's same month, or last year's
    January-to-month figure) is below it is shown with a warning marker, not as a
    headline. ``targets`` maps indicator → zone id (or ``"default"``) → annual target.

    Decomposition needs ``min_months`` of history (≥ 24) with at most
    ``max_fill_share`` of them missing; anomaly screening needs
    ``min_anomaly_months`` and flags |robust z| above :meth:`z_threshold` of the number
    of months tested, the scale being at least ``min_rel_scale`` × the series' median
    level. ``false_flag_rate`` is the stated chance that a clean series (no anomaly)
    gets at least one false flag; ``anomaly_z`` (None by default) fixes the threshold
    instead, for calibration runs only.

    All fields are JSON types, so the settings are stored with the result they produced.
    """

    small_base: dict[str, float] = field(default_factory=dict)
    false_flag_rate: float = 0.01
    anomaly_z: float | None = None
    min_months: int = 24
    min_anomaly_months: int = 36
    max_fill_share: float = 0.1
    min_rel_scale: float = 0.005
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    aggregation: dict[str, str] = field(default_factory=dict)
    point_change: list[str] = field(default_factory=list)
    lower_is_better: list[str] = field(default_factory=list)

    def target(self, indicator: str, zone_id: str) -> float | None:
        """Return the annual target of *indicator* for *zone_id*, or None if not configured."""
        per = self.targets.get(indicator, {})
        value = per.get(zone_id, per.get("default"))
        return None if value is None else float(value)

    def threshold(self, indicator: str) -> float | None:
        """Return the small-base threshold of *indicator*, or None if the rule does not apply."""
        value = self.small_base.get(indicator)
        return None if value is None else float(value)

    def z_threshold(self, tests: int) -> float:
        """Return the |robust z| above which a month of a series with *tests* months is flagged.

        Bonferroni over the months of one series, each a two-sided test at level
        ``false_flag_rate / tests``, with Student's t on ``tests − 12`` degrees of freedom
        (the twelve seasonal levels are estimated, and the MAD scale from the same
        residuals) instead of the normal: z = t⁻¹(1 − rate / (2·tests); tests − 12).
        A clean series is then flagged at least once with probability about
        ``false_flag_rate`` (1 % at 46 months → |z| > 4.14; the normal quantile, 3.70,
        gave about 5 % in simulation). Checked by simulation in
        ``tests/unit/topics/logistics/test_logistics_anomaly_rate.py``. ``anomaly_z``,
        when set, replaces the rule. ValueError when *tests* ≤ 12.
        """
        if self.anomaly_z is not None:
            return float(self.anomaly_z)
        if tests <= 12:
            raise ValueError(f"tests must be > 12 (one seasonal cycle), got {tests}")
        from scipy.stats import t

        return float(t.isf(self.false_flag_rate / (2 * int(tests)), int(tests) - 12))

    def how(self, indicator: str) -> str:
        """Return how months of *indicator* combine (``sum`` / ``last`` / ``mean``).

        Raises ConfigError naming the indicator when no aggregation is declared:
        a share or a stock summed over months would be a wrong number.
        """
        try:
            return self.aggregation[indicator]
        except KeyError:
            raise ConfigError(
                f"logistics.yaml: indicators.{indicator}.aggregation 未声明 / no aggregation "
                f"declared for indicator {indicator!r} (sum, last or mean)"
            ) from None

    def points(self, indicator: str) -> bool:
        """Return True when the change of *indicator* is in percentage points (shares)."""
        return indicator in self.point_change

    def lower_better(self, indicator: str) -> bool:
        """Return True when a smaller value of *indicator* is better (e.g. clearance hours)."""
        return indicator in self.lower_is_better

    def is_stock(self, indicator: str) -> bool:
        """Return True for a stock (aggregated by ``last``): it changes in steps."""
        return self.how(indicator) == "last"


def _positive(value, where: str, *, allow_zero: bool = True) -> float:
    """Return *value* as a float ≥ 0 (> 0 unless *allow_zero*) or raise ConfigError naming *where*."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{where}: 应为数字 / must be a number, got {value!r}")
    if value < 0 or (not allow_zero and value == 0):
        raise ConfigError(f"{where}: 应为正数 / must be positive, got {value!r}")
    return float(value)


def _months(value, where: str, hint: str) -> int:
    """Return *value* as an integer ≥ 24 or raise ConfigError naming *where*."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 24:
        raise ConfigError(
            f"{where} 应为 ≥ 24 的整数{hint} / must be an integer ≥ 24, got {value!r}"
        )
    return value


def parse_indicators(doc, where: str = "logistics.yaml") -> dict:
    """Validate the ``indicators`` section; return ``aggregation``/``point_change``/``lower_is_better``.

    Every contract indicator and the derived foreign-trade total must be declared with
    an ``aggregation``; an unknown indicator, aggregation, ``change`` kind or key is a
    ConfigError naming it.
    """
    doc = doc or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: indicators 应为映射 / must be a mapping")
    aggregation: dict[str, str] = {}
    points: list[str] = []
    lower: list[str] = []
    for ind, spec in doc.items():
        at = f"{where}: indicators.{ind}"
        if ind not in LOGISTICS_INDICATORS and ind != FOREIGN_TRADE:
            raise ConfigError(f"{at}: 指标未知 / unknown indicator {ind!r}")
        if not isinstance(spec, dict):
            raise ConfigError(f"{at}: 应为映射 / must be a mapping with 'aggregation'")
        unknown = set(spec) - {"aggregation", "change", "lower_is_better"}
        if unknown:
            raise ConfigError(f"{at}: 未知键 / unknown keys {sorted(unknown)}")
        how = spec.get("aggregation")
        if how not in AGGREGATION_LABELS:
            raise ConfigError(
                f"{at}.aggregation: 应为 {'、'.join(AGGREGATION_LABELS)} 之一 / "
                f"must be one of {list(AGGREGATION_LABELS)}, got {how!r}"
            )
        aggregation[ind] = how
        change = spec.get("change", "growth")
        if change not in CHANGE_KINDS:
            raise ConfigError(f"{at}.change: 应为 growth 或 points / got {change!r}")
        if change == "points":
            points.append(ind)
        flag = spec.get("lower_is_better", False)
        if not isinstance(flag, bool):
            raise ConfigError(f"{at}.lower_is_better: 应为 true/false / got {flag!r}")
        if flag:
            lower.append(ind)
    undeclared = [i for i in all_indicators() if i not in aggregation]
    if undeclared:
        raise ConfigError(
            f"{where}: indicators 中未声明累计口径 / no aggregation declared for "
            f"{undeclared} (add e.g. `{undeclared[0]}: {{aggregation: sum}}`)"
        )
    return {"aggregation": aggregation, "point_change": points, "lower_is_better": lower}


def parse_config(doc: dict | None, where: str = "logistics.yaml") -> LogisticsConfig:
    """Validate a parsed ``logistics.yaml`` document and return a :class:`LogisticsConfig`.

    Raises ConfigError naming the key for an unknown key, indicator or zone, a value
    out of range, or an indicator without a declared aggregation.
    """
    doc = doc or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: 顶层应为映射 / top level must be a mapping")
    known = {"indicators", "small_base", "anomaly", "decomposition", "targets"}
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
    unknown = set(anomaly) - {"false_flag_rate", "min_months", "min_relative_scale"}
    if unknown:
        raise ConfigError(f"{where}: anomaly 中未知键 / unknown keys {sorted(unknown)}")
    if "false_flag_rate" in anomaly:
        rate = _positive(
            anomaly["false_flag_rate"], f"{where}: anomaly.false_flag_rate", allow_zero=False
        )
        if rate >= 1:
            raise ConfigError(f"{where}: anomaly.false_flag_rate 应小于 1 / must be < 1")
        kw["false_flag_rate"] = rate
    if "min_months" in anomaly:
        kw["min_anomaly_months"] = _months(
            anomaly["min_months"], f"{where}: anomaly.min_months", ""
        )
    if "min_relative_scale" in anomaly:
        kw["min_rel_scale"] = _positive(
            anomaly["min_relative_scale"], f"{where}: anomaly.min_relative_scale"
        )
    if "min_months" in decomp:
        kw["min_months"] = _months(
            decomp["min_months"], f"{where}: decomposition.min_months", "（两个完整年度）"
        )
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
    rules = parse_indicators(doc.get("indicators"), where)
    return LogisticsConfig(small_base=small, targets=targets, **rules, **kw)


def load_config(data_dir: str | Path | None = None) -> LogisticsConfig:
    """Read ``config/logistics.yaml`` under *data_dir*.

    The file is required: it declares how each indicator's months combine. A missing
    or malformed file, or an invalid setting, is a ConfigError naming the file/key.
    """
    path = config_path("logistics.yaml", data_dir)
    return parse_config(read_yaml(path), str(path.name))
