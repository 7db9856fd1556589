"""Annual comprehensive evaluation (年度综合评估, plan §四(一)): indicators, scores, weights, ranks.

The indicator system lives in ``data/config/indicators.yaml`` and is validated by
:func:`load_indicators`. Each indicator's yearly value per zone is computed from a
curated table with a small, closed vocabulary of aggregations (:data:`AGGREGATIONS`;
nothing from the configuration is ever evaluated as code).

Rules (each one is stated on the comprehensive-evaluation page too):

* **Same-period windows.** A year's value covers 1 January to the report's as-of day
  and month in that year (``2025-01-01 … 2025-10-31`` in a report as of
  2026-10-31), so a year in progress is compared with the same months of earlier
  years (同期口径, like 累计同比). A monthly / quarterly row counts when its whole
  period has ended by the window end. Annual tables (``year`` column) have no
  sub-year detail: a year's row counts for that year if it has been submitted.
* **Scoring (0–100).** An indicator with a target scores ``100 × value / target``
  capped to [0, 100] (direction "−": ``100 × target / value``); a target for a flow
  (count or sum) is pro-rated to the share of the year the window covers. An
  indicator without a target is min–max normalized over the three zones × the plan
  years in the report: ``100 × (x − min) / (max − min)`` (reversed for "−"); if all
  values are equal every zone-year scores 100 (the indicator does not separate them).
* **Missing values.** A value that could not be computed (not submitted, or
  undefined such as growth on a zero base) is *missing*, never zero: the dimension
  score re-weights the indicators present (``Σ wᵢsᵢ / Σ wᵢ`` over present ones) and
  the composite does the same over dimensions; ``coverage`` records the share of
  configured weight that was actually observed.
* **Ranks.** Scores are rounded to two decimals, then ranked highest first with
  competition ranking (ties share the better rank: 1, 1, 3).
* **Entropy weights** (熵权法) are computed from the indicator scores pooled over
  zones × years: ``pᵢⱼ = sᵢⱼ / Σᵢ sᵢⱼ``, ``eⱼ = −Σᵢ pᵢⱼ ln pᵢⱼ / ln n`` (0 ln 0 = 0),
  ``wⱼ = (1 − eⱼ) / Σₖ (1 − eₖ)`` (equal weights if no indicator varies).
* **Sensitivity.** Weights are drawn from Dirichlet distributions centred on the
  configured ones (concentration κ at each level) with a fixed seed; the ranking
  is called robust when the configured leader ranks first in at least 90 % of draws.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import paths
from .config import TARGET_KEYS, ConfigError, Targets
from .schema import TABLES, ZONES

#: Aggregations the ``formula`` of an indicator may name (the whole vocabulary).
AGGREGATIONS: dict[str, str] = {
    "count": "行数（可按列去重） / number of rows (optionally distinct values)",
    "sum": "合计 / sum of a numeric column",
    "mean": "平均 / mean of a numeric column",
    "median": "中位数 / median of a numeric column",
    "min": "最小值 / minimum",
    "max": "最大值 / maximum",
    "last": "期末值（窗口内最后一期） / value of the latest period in the window",
    "yoy_growth": "同期同比增长率 / growth of the sum over the same window of the previous year",
    "share": "占比（numerator / where） / share of rows meeting an extra condition",
    "median_days": "天数中位数（start → date） / median days from start to date",
}
VALUE_AGGS = ("sum", "mean", "median", "min", "max", "last", "yoy_growth")
#: Flow aggregations: their targets are pro-rated to the part of the year a window covers.
FLOW_AGGS = ("count", "sum")
#: Indicators whose value is the hard-target figure of another evaluation module, so the
#: comprehensive page and the special-topic pages never disagree (name → (table, agg kind)).
COMPUTED_BY: dict[str, tuple[str, str]] = {
    "reforms.replicated": ("reform_items", "count"),
    "reforms.original": ("reform_items", "count"),
    "investment.funds_wan_yuan": ("funds_monthly", "sum"),
    "investment.yoy_growth": ("funds_monthly", "yoy_growth"),
}
FORMULA_KEYS = ("agg", "column", "where", "numerator", "distinct", "date", "start", "if_no_rows")

#: Default column that places a row of each curated table in a year.
PERIOD_COLUMNS: dict[str, str] = {
    "reform_items": "effective",
    "projects": "signed",
    "funds_monthly": "month",
    "logistics_monthly": "month",
    "gov_services_quarterly": "quarter",
    "industry_annual": "year",
    "county_panel": "year",
}
#: Tables whose rows carry a zone id (the county panel is per county, not per zone).
ZONE_TABLES = tuple(t for t in TABLES if "zone_id" in TABLES[t].column_names)

DIRECTIONS = {"+": 1, "-": -1, "positive": 1, "negative": -1, "正向": 1, "逆向": -1}
WEIGHT_TOLERANCE = 1e-6
ROBUST_SHARE = 0.9
DEFAULT_SEED = 20240909  # the plan's issue date: fixed, so every run draws the same weights


# --- Configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """How one indicator's yearly value is computed from its table (see :data:`AGGREGATIONS`)."""

    agg: str
    column: str | None = None
    where: tuple[tuple[str, tuple], ...] = ()
    numerator: tuple[tuple[str, tuple], ...] = ()
    distinct: str | None = None
    date: str | None = None
    start: str | None = None
    if_no_rows: str = "missing"


@dataclass(frozen=True)
class Indicator:
    """A level-2 indicator: where its value comes from and how it is scored."""

    id: str
    name: str
    dimension: str
    table: str
    formula: Formula
    direction: int
    unit: str
    weight: float
    target: float | str | None = None
    computed_by: str | None = None


@dataclass(frozen=True)
class Dimension:
    """A level-1 dimension with its weight and indicators."""

    id: str
    name: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class IndicatorConfig:
    """The validated indicator system."""

    dimensions: tuple[Dimension, ...]
    source: str = "indicators.yaml"
    _by_id: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Return every indicator in configuration order."""
        return tuple(i for d in self.dimensions for i in d.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator called *indicator_id*; KeyError with a clear message if unknown."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(
            f"未知指标 unknown indicator {indicator_id!r}; known: {[i.id for i in self.indicators]}"
        )

    def dimension(self, dimension_id: str) -> Dimension:
        """Return the dimension called *dimension_id*."""
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(f"未知维度 unknown dimension {dimension_id!r}")

    @property
    def tables(self) -> list[str]:
        """Return the curated tables the indicators read, sorted."""
        return sorted({i.table for i in self.indicators})


def _err(where: str, zh: str, en: str) -> ConfigError:
    """Build a bilingual :class:`ConfigError` located at *where*."""
    return ConfigError(f"{where}: {zh} / {en}")


def _weight(value, where: str) -> float:
    """Return *value* as a positive weight or raise naming *where*."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err(where, "权重应为数字", f"weight must be a number, got {value!r}")
    if value <= 0:
        raise _err(where, "权重应大于 0", f"weight must be > 0, got {value!r}")
    return float(value)


def _conditions(raw, table: str, where: str) -> tuple[tuple[str, tuple], ...]:
    """Validate a ``where`` / ``numerator`` mapping against the table's columns and enums."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise _err(where, "应为 列: 值 的映射", "must be a mapping column: value(s)")
    spec = TABLES[table]
    out = []
    for col in sorted(raw):
        if col not in spec.column_names:
            raise _err(
                f"{where}.{col}",
                f"数据表 {table} 中没有此列",
                f"unknown column {col!r} of table {table!r}",
            )
        values = raw[col] if isinstance(raw[col], list) else [raw[col]]
        if not values:
            raise _err(f"{where}.{col}", "取值列表为空", "empty list of values")
        enum = spec.column(col).enum
        for v in values:
            if enum is not None and v not in enum:
                raise _err(
                    f"{where}.{col}",
                    f"未知取值（未知指标或类别）{v!r}",
                    f"unknown value {v!r} of {table}.{col}; allowed: {sorted(enum)}",
                )
        out.append((col, tuple(values)))
    return tuple(out)


def _formula(raw, table: str, where: str) -> Formula:
    """Validate one ``formula`` mapping (closed vocabulary, columns of *table*)."""
    if not isinstance(raw, dict):
        raise _err(where, "公式应为映射（agg: …）", "formula must be a mapping with an 'agg' key")
    unknown = sorted(set(raw) - set(FORMULA_KEYS))
    if unknown:
        raise _err(where, f"公式中有未知键 {unknown}", f"unknown formula keys {unknown}")
    agg = raw.get("agg")
    if agg not in AGGREGATIONS:
        raise _err(
            f"{where}.agg",
            f"未知公式（聚合方式）{agg!r}",
            f"unknown formula aggregation {agg!r}; allowed: {list(AGGREGATIONS)}",
        )
    spec = TABLES[table]

    def numeric_column(key: str) -> str:
        col = raw.get(key)
        if col is None:
            raise _err(f"{where}.{key}", f"聚合 {agg} 需要 {key}", f"{agg} needs {key!r}")
        if col not in spec.column_names:
            raise _err(f"{where}.{key}", f"数据表 {table} 中没有列 {col!r}", "unknown column")
        if spec.column(col).dtype not in ("float", "int"):
            raise _err(f"{where}.{key}", f"列 {col!r} 不是数值列", "column is not numeric")
        return col

    def date_column(key: str, required: bool) -> str | None:
        col = raw.get(key)
        if col is None:
            if required:
                raise _err(f"{where}.{key}", f"聚合 {agg} 需要 {key}", f"{agg} needs {key!r}")
            return None
        if col not in spec.column_names:
            raise _err(f"{where}.{key}", f"数据表 {table} 中没有列 {col!r}", "unknown column")
        if spec.column(col).dtype not in ("date", "month") and not (
            key == "date" and col == "year"
        ):
            raise _err(f"{where}.{key}", f"列 {col!r} 不是日期列", "column is not a date")
        return col

    column = numeric_column("column") if agg in VALUE_AGGS else None
    if agg not in VALUE_AGGS and raw.get("column") is not None:
        raise _err(f"{where}.column", f"聚合 {agg} 不使用 column", f"{agg} takes no 'column'")
    date_col = date_column("date", required=False) or PERIOD_COLUMNS[table]
    start = date_column("start", required=agg == "median_days")
    distinct = raw.get("distinct")
    if distinct is not None:
        if agg != "count":
            raise _err(f"{where}.distinct", "只有 count 可去重", "only 'count' takes 'distinct'")
        if distinct not in spec.column_names:
            raise _err(
                f"{where}.distinct", f"数据表 {table} 中没有列 {distinct!r}", "unknown column"
            )
    numerator = _conditions(raw.get("numerator"), table, f"{where}.numerator")
    if agg == "share" and not numerator:
        raise _err(f"{where}.numerator", "占比需要 numerator 条件", "share needs 'numerator'")
    if agg != "share" and numerator:
        raise _err(f"{where}.numerator", "只有 share 使用 numerator", "only 'share' takes it")
    default_empty = "zero" if agg == "count" else "missing"
    if_no_rows = raw.get("if_no_rows", default_empty)
    if if_no_rows not in ("zero", "missing"):
        raise _err(
            f"{where}.if_no_rows",
            "应为 zero 或 missing",
            f"must be zero or missing: {if_no_rows!r}",
        )
    if if_no_rows == "zero" and agg not in FLOW_AGGS:
        raise _err(
            f"{where}.if_no_rows",
            f"{agg} 无数据时无法定义为零",
            f"'{agg}' of no rows is undefined, cannot be zero",
        )
    return Formula(
        agg=agg,
        column=column,
        where=_conditions(raw.get("where"), table, f"{where}.where"),
        numerator=numerator,
        distinct=distinct,
        date=date_col,
        start=start,
        if_no_rows=if_no_rows,
    )


def _check_sum(weights: list[float], where: str, level: str) -> None:
    """Raise unless *weights* sum to one (within :data:`WEIGHT_TOLERANCE`)."""
    total = sum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise _err(
            where,
            f"{level}权重之和应为 1，实为 {total:.6g}",
            f"{level and 'level'} weights must sum to 1, got {total:.6g}",
        )


def parse_indicators(doc, source: str = "indicators.yaml") -> IndicatorConfig:
    """Validate a parsed indicator document (a dict as read from YAML) and return the config.

    Every error is a :class:`~evalkit.config.ConfigError` naming *source* and the
    position in the document (``dimensions[1].indicators[0].direction``).
    """
    if not isinstance(doc, dict):
        raise _err(source, "顶层应为映射", "top level must be a mapping")
    dims_raw = doc.get("dimensions")
    if not isinstance(dims_raw, list) or not dims_raw:
        raise _err(f"{source}: dimensions", "缺少维度列表", "missing or empty list 'dimensions'")
    dims: list[Dimension] = []
    seen_dims: set[str] = set()
    seen_inds: set[str] = set()
    for di, draw in enumerate(dims_raw):
        dwhere = f"{source}: dimensions[{di}]"
        if not isinstance(draw, dict):
            raise _err(dwhere, "维度应为映射", "dimension must be a mapping")
        for key in ("id", "name", "weight", "indicators"):
            if key not in draw or draw[key] is None:
                raise _err(dwhere, f"维度缺少 {key}", f"dimension missing {key!r}")
        did = str(draw["id"])
        dwhere = f"{source}: dimensions[{di}] ({did})"
        if did in seen_dims:
            raise _err(dwhere, "维度编号重复", f"duplicate dimension id {did!r}")
        seen_dims.add(did)
        dweight = _weight(draw["weight"], f"{dwhere}.weight")
        if not isinstance(draw["indicators"], list) or not draw["indicators"]:
            raise _err(f"{dwhere}.indicators", "指标列表为空", "empty list of indicators")
        inds: list[Indicator] = []
        for ii, iraw in enumerate(draw["indicators"]):
            iwhere = f"{dwhere}.indicators[{ii}]"
            if not isinstance(iraw, dict):
                raise _err(iwhere, "指标应为映射", "indicator must be a mapping")
            required = ("id", "name", "table", "direction", "unit", "weight")
            if "computed_by" not in iraw:
                required += ("formula",)
            for key in required:
                if key not in iraw or iraw[key] is None:
                    raise _err(iwhere, f"指标缺少 {key}", f"indicator missing {key!r}")
            iid = str(iraw["id"])
            iwhere = f"{dwhere}.indicators[{ii}] ({iid})"
            unknown = sorted(
                set(iraw)
                - {"id", "name", "table", "formula", "direction", "unit", "weight", "target"}
                - {"computed_by"}
            )
            if unknown:
                raise _err(iwhere, f"指标中有未知键 {unknown}", f"unknown indicator keys {unknown}")
            if iid in seen_inds:
                raise _err(iwhere, "指标编号重复", f"duplicate indicator id {iid!r}")
            seen_inds.add(iid)
            table = iraw["table"]
            if table not in TABLES:
                raise _err(
                    f"{iwhere}.table",
                    f"未知数据表 {table!r}",
                    f"unknown curated table {table!r}; known: {sorted(TABLES)}",
                )
            if table not in ZONE_TABLES:
                raise _err(f"{iwhere}.table", "该表不按片区报送", f"table {table!r} has no zone_id")
            direction = iraw["direction"]
            if direction not in DIRECTIONS:
                raise _err(
                    f"{iwhere}.direction",
                    f'方向应为 "+" 或 "-"，实为 {direction!r}',
                    'direction must be "+" or "-"',
                )
            target = iraw.get("target")
            if target is not None:
                if isinstance(target, str):
                    if target not in TARGET_KEYS:
                        raise _err(
                            f"{iwhere}.target",
                            f"未知目标键 {target!r}",
                            f"unknown target key; use a number or one of {list(TARGET_KEYS)}",
                        )
                elif isinstance(target, bool) or not isinstance(target, int | float):
                    raise _err(
                        f"{iwhere}.target", "目标应为数字或目标键", "target must be a number"
                    )
                else:
                    target = float(target)
            computed_by = iraw.get("computed_by")
            if computed_by is not None:
                if computed_by not in COMPUTED_BY:
                    raise _err(
                        f"{iwhere}.computed_by",
                        f"未知计算来源 {computed_by!r}",
                        f"unknown computed_by; allowed: {list(COMPUTED_BY)}",
                    )
                if COMPUTED_BY[computed_by][0] != table:
                    raise _err(
                        f"{iwhere}.computed_by",
                        f"{computed_by} 读取 {COMPUTED_BY[computed_by][0]}，与 table 不符",
                        f"{computed_by} reads {COMPUTED_BY[computed_by][0]!r}, not {table!r}",
                    )
                if iraw.get("formula") is not None:
                    raise _err(
                        f"{iwhere}.formula",
                        "computed_by 与 formula 只能二选一",
                        "give either computed_by or formula, not both",
                    )
                formula = Formula(agg=COMPUTED_BY[computed_by][1], date=PERIOD_COLUMNS[table])
            else:
                formula = _formula(iraw["formula"], table, f"{iwhere}.formula")
            inds.append(
                Indicator(
                    id=iid,
                    name=str(iraw["name"]),
                    dimension=did,
                    table=table,
                    formula=formula,
                    direction=DIRECTIONS[direction],
                    unit=str(iraw["unit"]),
                    weight=_weight(iraw["weight"], f"{iwhere}.weight"),
                    target=target,
                    computed_by=computed_by,
                )
            )
        _check_sum([i.weight for i in inds], f"{dwhere}.indicators", "维度内指标")
        dims.append(Dimension(did, str(draw["name"]), dweight, tuple(inds)))
    _check_sum([d.weight for d in dims], f"{source}: dimensions", "维度")
    return IndicatorConfig(tuple(dims), source)


def load_indicators(data_dir: str | Path | None = None) -> IndicatorConfig:
    """Read and validate ``config/indicators.yaml`` under *data_dir* (root-relative ok)."""
    data = paths.resolve(data_dir) if data_dir is not None else paths.data_dir()
    path = paths.config_dir(data) / "indicators.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: 缺少指标配置文件 / indicators file missing") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML 格式错误 / invalid YAML: {exc}") from exc
    return parse_indicators(doc, source=path.name)


# --- Indicator values ------------------------------------------------------------------


def window_end(year: int, as_of: str | date) -> date:
    """Return the last day of *year*'s same-period window for a report *as_of* a date."""
    a = pd.Timestamp(as_of).date()
    day = min(a.day, calendar.monthrange(year, a.month)[1])
    return date(year, a.month, day)


def year_fraction(year: int, as_of: str | date) -> float:
    """Return the share of *year* its window covers (1.0 for a window ending 31 December)."""
    end = window_end(year, as_of)
    days = 366 if calendar.isleap(year) else 365
    return ((end - date(year, 1, 1)).days + 1) / days


def _period_end(table: str, column: str, values: pd.Series) -> pd.Series:
    """Return the last day of the period each row's *column* stands for (NaT if unknown)."""
    dtype = TABLES[table].column(column).dtype if column in TABLES[table].column_names else "date"
    if dtype == "int":  # annual tables: placed by their year, see module docstring
        return pd.to_datetime(values.astype("Int64").astype("string") + "-01-01", errors="coerce")
    ts = pd.to_datetime(values, errors="coerce")
    if dtype == "month":
        months = 3 if table == "gov_services_quarterly" and column == "quarter" else 1
        return ts + pd.offsets.MonthBegin(months) - pd.Timedelta(days=1)
    return ts


def _in_window(table: str, formula: Formula, df: pd.DataFrame, year: int, as_of) -> pd.Series:
    """Return a boolean mask: rows of *df* that fall in *year*'s window."""
    col = formula.date or PERIOD_COLUMNS[table]
    if TABLES[table].column(col).dtype == "int":
        return df[col].astype("Int64").eq(year).fillna(False).astype(bool)
    end = _period_end(table, col, df[col])
    lo, hi = pd.Timestamp(date(year, 1, 1)), pd.Timestamp(window_end(year, as_of))
    return ((end >= lo) & (end <= hi)).fillna(False).astype(bool)


def _match(df: pd.DataFrame, conditions) -> pd.Series:
    """Return a mask of rows meeting every (column, values) condition."""
    mask = pd.Series(True, index=df.index)
    for col, values in conditions:
        mask &= df[col].isin(list(values)).fillna(False).astype(bool)
    return mask


def _aggregate(formula: Formula, rows: pd.DataFrame, table: str) -> float:
    """Aggregate one zone-year's rows (already filtered) to a value; NaN if undefined."""
    agg = formula.agg
    if agg == "count":
        if formula.distinct is None:
            return float(len(rows))
        key = rows[formula.distinct]
        # Rows without a key cannot be duplicates of anything: each counts once.
        return float(key.dropna().nunique() + key.isna().sum())
    if rows.empty:
        return 0.0 if formula.if_no_rows == "zero" else math.nan
    if agg == "share":
        return float(_match(rows, formula.numerator).sum()) / len(rows)
    if agg == "median_days":
        start = pd.to_datetime(rows[formula.start], errors="coerce")
        end = pd.to_datetime(rows[formula.date], errors="coerce")
        days = (end - start).dt.days.dropna()
        return float(days.median()) if len(days) else math.nan
    values = pd.to_numeric(rows[formula.column], errors="coerce")
    if agg == "last":
        col = formula.date or PERIOD_COLUMNS[table]
        period = _period_end(table, col, rows[col])
        latest = period == period.max()
        return float(values[latest].sum(min_count=1))
    values = values.dropna()
    if values.empty:
        return math.nan
    return float(getattr(values, agg)())


def indicator_value(
    indicator: Indicator, df: pd.DataFrame, zone_id: str, year: int, as_of: str | date
) -> float:
    """Return *indicator*'s value for one zone and year from its table *df* (NaN if missing)."""
    f = indicator.formula
    rows = df[df["zone_id"].eq(zone_id).fillna(False).astype(bool)]
    rows = rows[_match(rows, f.where)] if f.where else rows
    if f.agg == "yoy_growth":
        this = rows[_in_window(indicator.table, f, rows, year, as_of)]
        base = rows[_in_window(indicator.table, f, rows, year - 1, as_of)]
        now = pd.to_numeric(this[f.column], errors="coerce").sum(min_count=1)
        before = pd.to_numeric(base[f.column], errors="coerce").sum(min_count=1)
        if pd.isna(now) and not this.empty:
            return math.nan
        now = 0.0 if pd.isna(now) else float(now)
        if pd.isna(before) or before <= 0:
            return math.nan  # growth on a zero or missing base is undefined, never infinite
        return now / float(before) - 1.0
    rows = rows[_in_window(indicator.table, f, rows, year, as_of)]
    return _aggregate(f, rows, indicator.table)


def computed_values(
    computed_by: str,
    df: pd.DataFrame,
    year: int,
    as_of: str | date,
    targets: Targets | None = None,
) -> dict[str, float]:
    """Return zone → value of a :data:`COMPUTED_BY` figure for *year*'s same-period window.

    Calls the owning module's ``attainment`` as of the window end, so the values are
    exactly those of the special-topic page (its counting / 累计同比 rules).
    """
    module, column = computed_by.split(".")
    end = window_end(int(year), as_of).isoformat()
    t = targets or Targets()
    if module == "reforms":
        from . import reforms

        att = reforms.attainment(df, int(year), end, t)
    else:
        from . import investment

        att = investment.attainment(df, int(year), end, t)
    out = {}
    for z, v in zip(att["zone_id"], att[column], strict=True):
        out[str(z)] = math.nan if v is None or pd.isna(v) else float(v)
    return out


def indicator_values(
    config: IndicatorConfig,
    tables: Mapping[str, pd.DataFrame],
    years: list[int],
    as_of: str | date,
    zones: list[str] | None = None,
    targets: Targets | None = None,
) -> pd.DataFrame:
    """Compute every indicator for every zone and year: long frame ``zone_id, year, indicator, value``.

    *tables* maps curated table names to frames (as read by :func:`evalkit.store.read_table`).
    Indicators with ``computed_by`` take their value from the owning module.
    """
    zones = list(zones or ZONES)
    rows = []
    for ind in config.indicators:
        if ind.table not in tables:
            raise KeyError(f"缺少数据表 missing table {ind.table!r} for indicator {ind.id!r}")
        df = tables[ind.table]
        for year in years:
            if ind.computed_by:
                got = computed_values(ind.computed_by, df, year, as_of, targets)
                rows += [(z, int(year), ind.id, got.get(z, math.nan)) for z in zones]
                continue
            for z in zones:
                rows.append((z, int(year), ind.id, indicator_value(ind, df, z, year, as_of)))
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])


# --- Scoring ---------------------------------------------------------------------------


def resolve_target(
    indicator: Indicator, zone_id: str, year: int, as_of, targets: Targets | None
) -> float | None:
    """Return the target *indicator* is scored against for one zone-year, pro-rated for flows."""
    t = indicator.target
    if t is None:
        return None
    if isinstance(t, str):
        value = float((targets or Targets()).for_zone(zone_id, t))
    else:
        value = float(t)
    if indicator.formula.agg in FLOW_AGGS and as_of is not None:
        value *= year_fraction(year, as_of)
    return value


def target_score(value: float, target: float, direction: int) -> float:
    """Score *value* against *target* on 0–100 (100 = target reached; NaN if value missing)."""
    if value is None or pd.isna(value):
        return math.nan
    if direction > 0:
        if target <= 0:
            return 100.0 if value >= target else 0.0
        return float(np.clip(100.0 * value / target, 0.0, 100.0))
    if value <= target:
        return 100.0
    return float(np.clip(100.0 * target / value, 0.0, 100.0)) if value > 0 else 0.0


def minmax_scores(values: pd.Series, direction: int) -> pd.Series:
    """Min–max normalize *values* to 0–100 (reversed for direction −); NaN stays NaN.

    When all present values are equal the indicator separates nobody: all score 100.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    lo, hi = v.min(), v.max()
    if pd.isna(lo):
        return v
    if hi == lo:
        return v.where(v.isna(), 100.0)
    s = (v - lo) / (hi - lo) if direction > 0 else (hi - v) / (hi - lo)
    return 100.0 * s


def score_indicators(
    values: pd.DataFrame,
    config: IndicatorConfig,
    targets: Targets | None = None,
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """Add ``dimension``, ``target``, ``method`` (target / minmax) and ``score`` (0–100) to *values*."""
    parts = []
    for ind in config.indicators:
        part = values[values["indicator"] == ind.id].copy()
        part["dimension"] = ind.dimension
        if ind.target is not None:
            part["target"] = [
                resolve_target(ind, z, int(y), as_of, targets)
                for z, y in zip(part["zone_id"], part["year"], strict=True)
            ]
            part["method"] = "target"
            part["score"] = [
                target_score(v, t, ind.direction)
                for v, t in zip(part["value"], part["target"], strict=True)
            ]
        else:
            part["target"] = math.nan
            part["method"] = "minmax"
            part["score"] = minmax_scores(part["value"], ind.direction)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["target"] = out["target"].astype(float)
    out["score"] = out["score"].astype(float)
    return out


def _reweighted(scores: pd.Series, weights: pd.Series) -> tuple[float, float]:
    """Return (weighted mean over present scores, share of weight present)."""
    present = scores.notna()
    covered = float(weights[present].sum())
    if covered <= 0:
        return math.nan, 0.0
    return float((scores[present] * weights[present]).sum() / covered), covered / float(
        weights.sum()
    )


def dimension_scores(scored: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return ``zone_id, year, dimension, score, coverage`` (re-weighting missing indicators)."""
    w = {i.id: i.weight for i in config.indicators}
    rows = []
    for (z, y, d), g in scored.groupby(["zone_id", "year", "dimension"], sort=True):
        s, cov = _reweighted(
            g["score"].reset_index(drop=True), g["indicator"].map(w).reset_index(drop=True)
        )
        rows.append((z, int(y), d, s, cov))
    return pd.DataFrame(rows, columns=["zone_id", "year", "dimension", "score", "coverage"])


def rank_scores(scores: pd.Series, decimals: int = 2) -> pd.Series:
    """Rank *scores* highest first; ties (equal after rounding) share the better rank (1, 1, 3)."""
    return scores.round(decimals).rank(ascending=False, method="min").astype("Int64")


def composite_scores(dims: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return ``zone_id, year, score, coverage, rank`` from dimension scores (per-year ranks)."""
    w = {d.id: d.weight for d in config.dimensions}
    rows = []
    for (z, y), g in dims.groupby(["zone_id", "year"], sort=True):
        weights = g["dimension"].map(w).reset_index(drop=True)
        s, _ = _reweighted(g["score"].reset_index(drop=True), weights)
        coverage = float((g["coverage"].reset_index(drop=True) * weights).sum() / weights.sum())
        rows.append((z, int(y), s, coverage))
    out = pd.DataFrame(rows, columns=["zone_id", "year", "score", "coverage"])
    out["rank"] = out.groupby("year")["score"].transform(rank_scores).astype("Int64")
    return out


def evaluate(
    config: IndicatorConfig,
    tables: Mapping[str, pd.DataFrame],
    years: list[int],
    as_of: str | date,
    targets: Targets | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the whole evaluation: ``values``/``scored``, ``dimensions``, ``composite``, ``entropy``."""
    values = indicator_values(config, tables, years, as_of, targets=targets)
    scored = score_indicators(values, config, targets, as_of)
    dims = dimension_scores(scored, config)
    comp = composite_scores(dims, config)
    weights = entropy_weights(score_matrix(scored))
    ent = entropy_composite(scored, weights)
    return {
        "scored": scored,
        "dimensions": dims,
        "composite": comp,
        "entropy": ent,
        "entropy_weights": weights,
    }


# --- Entropy weights -------------------------------------------------------------------


def score_matrix(scored: pd.DataFrame) -> pd.DataFrame:
    """Pivot indicator scores to samples (zone, year) × indicators, indicator order kept."""
    order = list(dict.fromkeys(scored["indicator"]))
    m = scored.pivot_table(
        index=["zone_id", "year"],
        columns="indicator",
        values="score",
        dropna=False,
        aggfunc="first",
    )
    return m.reindex(columns=order)


def entropy_weights(matrix: pd.DataFrame) -> pd.Series:
    """Return entropy weights (熵权法) of the columns of *matrix* (non-negative scores).

    For column j over its n present samples: ``p = x / Σx``, ``e = −Σ p ln p / ln n``
    with 0 ln 0 = 0, divergence ``d = 1 − e``; weights ``d / Σd``. A column with
    fewer than two samples or all values equal carries no information (d = 0). If no
    column carries information the weights are equal.
    """
    d = {}
    for col in matrix.columns:
        x = pd.to_numeric(matrix[col], errors="coerce").dropna().to_numpy(dtype=float)
        n, total = len(x), x.sum() if len(x) else 0.0
        if n < 2 or total <= 0 or x.max() == x.min():
            d[col] = 0.0  # exactly zero: rounding would otherwise leave ~1e-16 weight
            continue
        p = x / total
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        d[col] = max(0.0, 1.0 + plogp.sum() / math.log(n))
    div = pd.Series(d, dtype=float)
    if div.sum() <= 0:
        return pd.Series(1.0 / len(div), index=div.index)
    return div / div.sum()


def entropy_composite(scored: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Return ``zone_id, year, score, rank`` with flat entropy *weights* (missing re-weighted)."""
    rows = []
    for (z, y), g in scored.groupby(["zone_id", "year"], sort=True):
        s, _ = _reweighted(
            g["score"].reset_index(drop=True), g["indicator"].map(weights).reset_index(drop=True)
        )
        rows.append((z, int(y), s))
    out = pd.DataFrame(rows, columns=["zone_id", "year", "score"])
    out["rank"] = out.groupby("year")["score"].transform(rank_scores).astype("Int64")
    return out


# --- Sensitivity -----------------------------------------------------------------------


def sensitivity(
    scored: pd.DataFrame,
    config: IndicatorConfig,
    year: int,
    *,
    draws: int = 2000,
    concentration: float = 50.0,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Re-score *year* under random weights; per zone P(rank first) and score spread.

    Dimension weights are drawn from ``Dirichlet(κ·W)`` and each dimension's
    indicator weights from ``Dirichlet(κ·w)`` (κ = *concentration*; larger κ keeps
    draws closer to the configured weights), with a seeded generator. Missing
    indicators are re-weighted as in :func:`dimension_scores`. Returns ``zone_id,
    p_first, mean, p05, p50, p95`` sorted by zone order of :data:`ZONES`.
    """
    rng = np.random.default_rng(seed)
    sub = scored[scored["year"] == year]
    zones = [z for z in ZONES if z in set(sub["zone_id"])]
    dim_scores = []
    for dim in config.dimensions:
        ids = [i.id for i in dim.indicators]
        s = (
            sub[sub["dimension"] == dim.id]
            .pivot_table(index="zone_id", columns="indicator", values="score", dropna=False)
            .reindex(index=zones, columns=ids)
            .to_numpy(dtype=float)
        )
        w = rng.dirichlet(concentration * np.array([i.weight for i in dim.indicators]), draws)
        present = ~np.isnan(s)
        num = np.where(present, s, 0.0) @ w.T  # zones × draws
        den = present.astype(float) @ w.T
        with np.errstate(invalid="ignore", divide="ignore"):
            dim_scores.append(np.where(den > 0, num / den, np.nan))
    dim_w = rng.dirichlet(concentration * np.array([d.weight for d in config.dimensions]), draws)
    stack = np.stack(dim_scores, axis=2)  # zones × draws × dims
    present = ~np.isnan(stack)
    num = (np.where(present, stack, 0.0) * dim_w[None, :, :]).sum(axis=2)
    den = (present * dim_w[None, :, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        comp = np.where(den > 0, num / den, np.nan)  # zones × draws
    best = np.nanmax(np.round(comp, 2), axis=0)
    first = np.round(comp, 2) == best[None, :]
    return pd.DataFrame(
        {
            "zone_id": zones,
            "p_first": first.mean(axis=1),
            "mean": np.nanmean(comp, axis=1),
            "p05": np.nanpercentile(comp, 5, axis=1),
            "p50": np.nanpercentile(comp, 50, axis=1),
            "p95": np.nanpercentile(comp, 95, axis=1),
        }
    )


def is_robust(sens: pd.DataFrame, leader: str, threshold: float = ROBUST_SHARE) -> bool:
    """Return True when *leader* ranks first in at least *threshold* of the weight draws."""
    row = sens[sens["zone_id"] == leader]
    return bool(len(row)) and float(row["p_first"].iloc[0]) >= threshold
