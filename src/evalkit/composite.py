"""Annual comprehensive evaluation (年度综合评估, plan §四(一)): indicators, scores, weights, ranks.

The indicator system lives in ``data/config/indicators.yaml`` and is validated by
:func:`load_indicators`. Each indicator's yearly value per zone is computed from a
curated table with a small, closed vocabulary of aggregations (:data:`AGGREGATIONS`;
nothing from the configuration is ever evaluated as code).

The hard-target figures (reform items replicated / original, funds in place and
their growth) are not recomputed here: indicators with ``computed_by`` take them
from :func:`evalkit.reforms.attainment` and :func:`evalkit.investment.attainment`
for each year's window, so this page and the special-topic pages never disagree.

Rules (each one is stated on the comprehensive-evaluation page too):

* **Same-period windows.** A year's value covers 1 January to the report's as-of day
  and month in that year (``2025-01-01 … 2025-10-31`` in a report as of
  2026-10-31), so a year in progress is compared with the same months of earlier
  years (同期口径, like 累计同比). A monthly / quarterly row counts when its whole
  period has ended by the window end. Annual tables (``year`` column) have no
  sub-year detail: a year's row counts for that year if it has been submitted.
* **Scoring (0–100).** An indicator with a target scores ``100 × value / target``
  capped to [0, 100] (direction "−": ``100 × target / value``); a target for a flow
  (count or sum) is pro-rated to the share of the year the window covers — in the
  plan's partial first year, to the share after the plan was issued. An
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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .config import TARGET_KEYS, ConfigError, Targets, config_path, read_yaml
from .schema import TABLES, ZONE_ORDER, ZONES, zone_name

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
#: Keys every indicator must give (plus ``formula`` unless it has ``computed_by``).
INDICATOR_REQUIRED = ("id", "name", "table", "direction", "unit", "weight")
INDICATOR_KEYS = (*INDICATOR_REQUIRED, "formula", "target", "computed_by")

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
            required = INDICATOR_REQUIRED
            if "computed_by" not in iraw:
                required += ("formula",)
            for key in required:
                if key not in iraw or iraw[key] is None:
                    raise _err(iwhere, f"指标缺少 {key}", f"indicator missing {key!r}")
            iid = str(iraw["id"])
            iwhere = f"{dwhere}.indicators[{ii}] ({iid})"
            unknown = sorted(set(iraw) - set(INDICATOR_KEYS))
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
    path = config_path("indicators.yaml", data_dir)
    doc = read_yaml(path, missing="缺少指标配置文件 / indicators file missing")
    return parse_indicators(doc, source=path.name)


# --- Indicator values ------------------------------------------------------------------


def window_end(year: int, as_of: str | date) -> date:
    """Return the last day of *year*'s same-period window for a report *as_of* a date."""
    a = pd.Timestamp(as_of).date()
    day = min(a.day, calendar.monthrange(year, a.month)[1])
    return date(year, a.month, day)


def year_fraction(year: int, as_of: str | date, start: date | None = None) -> float:
    """Return the share of *year* its window covers (1.0 for a window ending 31 December).

    With *start* (the plan's issue date in its first year) only the days from
    *start* on count: the plan's targets did not apply before it was issued.
    """
    end = window_end(year, as_of)
    begin = max(date(year, 1, 1), start) if start is not None else date(year, 1, 1)
    days = 366 if calendar.isleap(year) else 365
    return max((end - begin).days + 1, 0) / days


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
    target = indicator.target
    if target is None:
        return None
    t = targets or Targets()
    value = float(t.for_zone(zone_id, target) if isinstance(target, str) else target)
    if indicator.formula.agg in FLOW_AGGS and as_of is not None:
        start = t.plan_issued if t.is_partial_year(year) else None
        value *= year_fraction(year, as_of, start)
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
    """Run the whole evaluation.

    Returns ``scored``, ``dimensions``, ``composite``, ``entropy`` and ``entropy_weights``.
    """
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


# --- Page tables (Chinese headers first) ----------------------------------------------------

DIRECTION_WORDS = {1: "正向（越大越好）", -1: "逆向（越小越好）"}
METHOD_WORDS = {"target": "对标目标", "minmax": "极差标准化（三片区×各年）"}
MISSING_WORD = "缺失（维度内按其余指标重新分配权重）"


def _num(x, nd: int = 1) -> str:
    """Format a number with *nd* decimals; missing as an em dash."""
    if x is None or pd.isna(x):
        return "—"
    return f"{float(x):,.{nd}f}"


def _signed(x, nd: int = 1) -> str:
    """Format a change with its sign (``+3.2``); missing as an em dash."""
    if x is None or pd.isna(x):
        return "—"
    return f"{float(x):+,.{nd}f}"


def _pct(x, nd: int = 1) -> str:
    """Format a share as a percentage (``45.0%``)."""
    if x is None or pd.isna(x):
        return "—"
    return f"{100 * float(x):.{nd}f}%"


def _zone_order(zones) -> list[str]:
    """Return *zones* in :data:`ZONES` order (stable page order)."""
    present = set(zones)
    return [z for z in ZONES if z in present]


def dimension_table(
    dims: pd.DataFrame, comp: pd.DataFrame, config: IndicatorConfig, year: int
) -> pd.DataFrame:
    """Return one row per zone for *year*: dimension scores, composite score, rank, coverage."""
    d = dims[dims["year"] == year].set_index(["zone_id", "dimension"])["score"]
    c = comp[comp["year"] == year].set_index("zone_id")
    rows = []
    for z in _zone_order(c.index):
        row = {"片区": zone_name(z)}
        for dim in config.dimensions:
            row[f"{dim.name}（分）"] = round(float(d.get((z, dim.id), math.nan)), 2)
        row["综合得分（分）"] = round(float(c.loc[z, "score"]), 2)
        row["排名"] = c.loc[z, "rank"]
        row["数据覆盖率"] = _pct(c.loc[z, "coverage"])
        rows.append(row)
    return pd.DataFrame(rows)


def indicator_table(scored: pd.DataFrame, config: IndicatorConfig, year: int) -> pd.DataFrame:
    """Return every indicator × zone for *year*: value, target, score, method, missing note."""
    s = scored[scored["year"] == year].set_index(["indicator", "zone_id"])
    rows = []
    for dim in config.dimensions:
        for ind in dim.indicators:
            for z in _zone_order(s.loc[ind.id].index):
                r = s.loc[(ind.id, z)]
                rows.append(
                    {
                        "维度": dim.name,
                        "指标": ind.name,
                        "片区": zone_name(z),
                        "单位": ind.unit,
                        "方向": DIRECTION_WORDS[ind.direction],
                        "评分方法": METHOD_WORDS[r["method"]],
                        "数值": round(float(r["value"]), 4) if pd.notna(r["value"]) else math.nan,
                        "目标（按时间进度）": round(float(r["target"]), 4)
                        if pd.notna(r["target"])
                        else math.nan,
                        "得分（分）": round(float(r["score"]), 2)
                        if pd.notna(r["score"])
                        else math.nan,
                        "说明": MISSING_WORD if pd.isna(r["value"]) else "",
                    }
                )
    return pd.DataFrame(rows)


def weights_table(config: IndicatorConfig, entropy: pd.Series) -> pd.DataFrame:
    """Return configured weights (per level and overall) beside the entropy weights."""
    rows = []
    for dim in config.dimensions:
        for ind in dim.indicators:
            rows.append(
                {
                    "维度": dim.name,
                    "指标": ind.name,
                    "维度权重": round(dim.weight, 4),
                    "维度内权重": round(ind.weight, 4),
                    "配置综合权重": round(dim.weight * ind.weight, 4),
                    "熵权": round(float(entropy.get(ind.id, math.nan)), 4),
                }
            )
    return pd.DataFrame(rows)


def ranking_table(comp: pd.DataFrame, ent: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return *year*'s scores and ranks under the configured and the entropy weights."""
    c = comp[comp["year"] == year].set_index("zone_id")
    e = ent[ent["year"] == year].set_index("zone_id")
    return pd.DataFrame(
        [
            {
                "片区": zone_name(z),
                "配置权重·综合得分（分）": round(float(c.loc[z, "score"]), 2),
                "配置权重·排名": c.loc[z, "rank"],
                "熵权法·综合得分（分）": round(float(e.loc[z, "score"]), 2),
                "熵权法·排名": e.loc[z, "rank"],
            }
            for z in _zone_order(c.index)
        ]
    )


def sensitivity_table(sens: pd.DataFrame) -> pd.DataFrame:
    """Return the sensitivity result with Chinese headers."""
    return pd.DataFrame(
        {
            "片区": [zone_name(z) for z in sens["zone_id"]],
            "排名第一的概率": [_pct(p) for p in sens["p_first"]],
            "得分均值（分）": sens["mean"].round(2).to_numpy(),
            "得分5%分位（分）": sens["p05"].round(2).to_numpy(),
            "得分中位数（分）": sens["p50"].round(2).to_numpy(),
            "得分95%分位（分）": sens["p95"].round(2).to_numpy(),
        }
    )


def trend_table(dims: pd.DataFrame, comp: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return every zone × year: dimension scores, composite, rank (this report's basis)."""
    rows = []
    for y in sorted(comp["year"].unique()):
        t = dimension_table(dims, comp, config, int(y))
        t.insert(1, "年度", int(y))
        rows.append(t)
    out = pd.concat(rows, ignore_index=True)
    order = {zone_name(z): i for i, z in enumerate(ZONES)}
    return out.sort_values(["片区", "年度"], key=lambda s: s.map(order) if s.name == "片区" else s)


def summary_part(comp: pd.DataFrame, year: int) -> dict:
    """Return the ``composite`` summary part: per zone ``composite_score`` and ``rank``."""
    c = comp[comp["year"] == year]
    return {
        "zones": {
            r.zone_id: {
                "composite_score": None if pd.isna(r.score) else round(float(r.score), 2),
                "rank": None if pd.isna(r.rank) else int(r.rank),
            }
            for r in c.itertuples(index=False)
        }
    }


# --- Narrative (Chinese, built from the numbers) ---------------------------------------------


def _ordered(comp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return *year*'s composite rows sorted by rank, then zone order."""
    c = comp[comp["year"] == year].copy()
    c["_o"] = c["zone_id"].map(ZONE_ORDER)
    return c.sort_values(["rank", "_o"], na_position="last")


def _leaders(comp: pd.DataFrame, year: int) -> list[str]:
    """Return the zones ranked first in *year* (more than one when tied), in zone order."""
    c = _ordered(comp, year)
    return list(c[c["rank"] == c["rank"].min()]["zone_id"])


def ranking_sentence(comp: pd.DataFrame, year: int) -> str:
    """Return the sentence naming the ranking and scores of *year* (ties stated as ties)."""
    c = _ordered(comp, year)
    parts = []
    for rank, g in c.groupby("rank", sort=True):
        names = "、".join(
            f"{zone_name(z)}（{_num(s)} 分）" for z, s in zip(g["zone_id"], g["score"], strict=True)
        )
        tie = "并列" if len(g) > 1 else ""
        parts.append(f"{tie}第 {int(rank)} 名 {names}")
    return f"{year} 年综合评估：" + "；".join(parts) + "。"


def change_sentence(comp: pd.DataFrame, year: int) -> str | None:
    """Return the sentence on score and rank changes from the previous year (None if no prior year)."""
    prev = comp[comp["year"] == year - 1].set_index("zone_id")
    if prev.empty:
        return None
    cur = comp[comp["year"] == year].set_index("zone_id")
    parts = []
    for z in _zone_order(cur.index):
        d = cur.loc[z, "score"] - prev.loc[z, "score"] if z in prev.index else math.nan
        if pd.isna(d):
            parts.append(f"{zone_name(z)}无法比较")
            continue
        move = int(prev.loc[z, "rank"]) - int(cur.loc[z, "rank"])
        rank_word = (
            "排名不变" if move == 0 else (f"上升 {move} 位" if move > 0 else f"下降 {-move} 位")
        )
        verb = "提高" if d > 0 else ("下降" if d < 0 else "持平")
        amount = f" {abs(d):.1f} 分" if d != 0 else ""
        parts.append(f"{zone_name(z)}{verb}{amount}，{rank_word}")
    return f"与 {year - 1} 年同期相比：" + "；".join(parts) + "。"


def entropy_sentence(comp: pd.DataFrame, ent: pd.DataFrame, year: int) -> str:
    """Return whether the entropy-weight ranking agrees with the configured one."""
    c = comp[comp["year"] == year].set_index("zone_id")["rank"]
    e = ent[ent["year"] == year].set_index("zone_id")["rank"]
    zones = _zone_order(c.index)
    if all(c[z] == e[z] for z in zones):
        return "熵权法（按数据离散程度客观赋权）得出的排名与配置权重下的排名完全一致。"
    diffs = "；".join(
        f"{zone_name(z)}配置权重第 {int(c[z])} 名、熵权法第 {int(e[z])} 名"
        for z in zones
        if c[z] != e[z]
    )
    return f"熵权法（按数据离散程度客观赋权）得出的排名与配置权重不同：{diffs}。名次取决于权重选择，应结合各维度得分解读。"


def sensitivity_sentence(
    sens: pd.DataFrame,
    comp: pd.DataFrame,
    year: int,
    *,
    draws: int,
    concentration: float,
    threshold: float = ROBUST_SHARE,
) -> str:
    """Return the plain statement of how robust the first place is to the weights."""
    leaders = _leaders(comp, year)
    p = sens.set_index("zone_id")["p_first"]
    head = (
        f"权重敏感性：以配置权重为中心按 Dirichlet 分布（集中度 κ={concentration:g}，固定随机种子）"
        f"随机抽取 {draws} 组权重重新计算，"
    )
    if len(leaders) > 1:
        names = "、".join(zone_name(z) for z in leaders)
        return head + f"配置权重下 {names} 并列第一，排名不稳健：第一名取决于权重。"
    lead = leaders[0]
    others = "；".join(
        f"{zone_name(z)} {_pct(p[z])}" for z in _zone_order(p.index) if z != lead and p[z] > 0
    )
    if p[lead] >= threshold:
        tail = f"排名稳健（判定标准：第一名在至少 {threshold:.0%} 的抽样中保持第一）。"
    else:
        tail = (
            f"排名不稳健：第一名在不足 {threshold:.0%} 的抽样中保持第一，"
            "名次差距小于权重选择带来的不确定性，不宜据此排定先后。"
        )
    extra = f"（其他片区排名第一的概率：{others}）" if others else ""
    return head + f"{zone_name(lead)}在 {_pct(p[lead])} 的抽样中排名第一{extra}，" + tail


def missing_sentences(scored: pd.DataFrame, config: IndicatorConfig, year: int) -> list[str]:
    """Return one sentence per zone naming the indicators missing in *year* (none: empty list)."""
    s = scored[(scored["year"] == year) & scored["value"].isna()]
    out = []
    for z in _zone_order(s["zone_id"]):
        names = "、".join(config.indicator(i).name for i in s[s["zone_id"] == z]["indicator"])
        out.append(
            f"{zone_name(z)} {year} 年缺少以下指标的数据（未报送或无法计算），"
            f"已在所属维度内按其余指标重新分配权重，未按零分处理：{names}。"
        )
    return out


# --- Executive summary (the year's home page) -------------------------------------------------

#: Traffic-light words: a symbol and the verdict in text, never colour alone. The symbols are
#: in the CJK fonts Chinese systems have (emoji lights need an emoji font and show as boxes).
LIGHT_MET = "✓ 达标"
LIGHT_NOT_MET = "× 未达标"
LIGHT_NOT_YET = "× 尚未达标（年度进行中）"
LIGHT_BASELINE = "○ 基线年（不考核）"
LIGHT_UNDEFINED = "○ 无法判定（基期为零或无数据）"


def light(met, *, partial: bool, in_progress: bool = False) -> str:
    """Return the traffic-light text for one hard target (met True/False/None)."""
    if partial:
        return LIGHT_BASELINE
    if _is_none(met):
        return LIGHT_UNDEFINED
    if bool(met):
        return LIGHT_MET
    return LIGHT_NOT_YET if in_progress else LIGHT_NOT_MET


def _is_true(v) -> bool:
    """Return True only for a real True verdict (None / NaN / NA are not verdicts)."""
    return not _is_none(v) and bool(v)


def _is_none(v) -> bool:
    """Return True when *v* carries no verdict (None / NaN / NA)."""
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _growth_words(g, defined) -> str:
    """Return growth for a table cell in words (``增长 12.3%`` / ``下降 4.0%``).

    Table cells never start with + or −: a spreadsheet would read them as formulas
    (the CSV writer would then prefix a quote).
    """
    if not bool(defined) or g is None or pd.isna(g):
        return "增速无法计算"
    return f"{'增长' if g >= 0 else '下降'} {abs(100 * float(g)):.1f}%"


def _growth_text(g, defined) -> str:
    """Return growth as ``+12.3%`` or the words for undefined growth."""
    if not bool(defined) or g is None or pd.isna(g):
        return "增速无法计算"
    return f"{100 * float(g):+.1f}%"


def traffic_lights(
    reform_att: pd.DataFrame,
    invest_att: pd.DataFrame,
    *,
    partial: bool,
    in_progress: bool,
) -> pd.DataFrame:
    """Return one row per zone with the three hard targets as text traffic lights and figures.

    *reform_att* / *invest_att* are the frames returned by :func:`evalkit.reforms.attainment`
    and :func:`evalkit.investment.attainment`.
    """
    r = reform_att.set_index("zone_id")
    i = invest_att.set_index("zone_id")
    rows = []
    for z in _zone_order(r.index):
        rr, ii = r.loc[z], i.loc[z]
        rows.append(
            {
                "片区": zone_name(z),
                "复制推广经验": light(
                    rr["met_replicated"], partial=partial, in_progress=in_progress
                ),
                "复制推广（条）/目标": f"{int(rr['replicated'])} / {int(rr['target_replicated'])}",
                "自主创新经验": light(rr["met_original"], partial=partial, in_progress=in_progress),
                "自主创新（条）/目标": f"{int(rr['original'])} / {int(rr['target_original'])}",
                "到位资金同比增长": light(ii["met"], partial=partial, in_progress=in_progress),
                "同比增速（目标）": f"{_growth_words(ii['yoy_growth'], ii['growth_defined'])}"
                f"（目标 {100 * float(ii['target_growth']):.0f}%）",
            }
        )
    return pd.DataFrame(rows)


def headline_table(comp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return per zone: composite score and rank of *year* with the change from the year before."""
    cur = comp[comp["year"] == year].set_index("zone_id")
    prev = comp[comp["year"] == year - 1].set_index("zone_id")
    rows = []
    for z in _zone_order(cur.index):
        score, rank = cur.loc[z, "score"], cur.loc[z, "rank"]
        if z in prev.index and pd.notna(prev.loc[z, "score"]):
            d = float(score) - float(prev.loc[z, "score"])
            move = int(prev.loc[z, "rank"]) - int(rank)
            change = (
                "持平" if round(d, 1) == 0 else f"{'提高' if d > 0 else '下降'} {abs(d):.1f} 分"
            )
            rank_change = (
                "持平" if move == 0 else (f"上升 {move} 位" if move > 0 else f"下降 {-move} 位")
            )
        else:
            change, rank_change = "—（无上年可比数据）", "—（无上年可比数据）"
        rows.append(
            {
                "片区": zone_name(z),
                "综合得分（分）": round(float(score), 2),
                "排名": rank,
                "较上年同期得分变化": change,
                "较上年同期排名变化": rank_change,
            }
        )
    return pd.DataFrame(rows)


def _names(zones) -> str:
    """Join zone names with 、 in :data:`ZONES` order."""
    return "、".join(zone_name(z) for z in _zone_order(zones))


def reform_finding(
    reform_att: pd.DataFrame,
    year: int,
    *,
    partial: bool,
    in_progress: bool,
    as_of: str | date | None = None,
) -> str:
    """Return the key finding on the two reform targets."""
    r = reform_att.set_index("zone_id")
    zones = _zone_order(r.index)
    counts = "、".join(
        f"{zone_name(z)} {int(r.loc[z, 'replicated'])} 条/{int(r.loc[z, 'original'])} 条"
        for z in zones
    )
    if partial:
        return f"{year} 年为行动计划实施首年（基线年，不按全年目标考核）：复制推广/自主创新经验分别为 {counts}。"
    both = [
        z
        for z in zones
        if _is_true(r.loc[z, "met_replicated"]) and _is_true(r.loc[z, "met_original"])
    ]
    missing = [z for z in zones if z not in both]
    end = pd.Timestamp(as_of) if as_of is not None else None
    when = f"截至 {end.month} 月 {end.day} 日" if in_progress and end is not None else "全年"
    text = f"改革目标（每年复制推广≥{int(r['target_replicated'].iloc[0])} 条、自主创新≥{int(r['target_original'].iloc[0])} 条）：{when}复制推广/自主创新经验分别为 {counts}；"
    if len(both) == len(zones):
        return text + "三个片区两项目标均已达到。"
    word = "尚未同时达到两项全年目标（年度进行中）" if in_progress else "未同时达到两项目标"
    if not both:
        return text + f"三个片区均{word}。"
    return text + f"{_names(both)}两项均已达到，{_names(missing)}{word}。"


def funds_finding(invest_att: pd.DataFrame, year: int, *, partial: bool, in_progress: bool) -> str:
    """Return the key finding on the funds-in-place growth target."""
    i = invest_att.set_index("zone_id")
    zones = _zone_order(i.index)
    growth = "、".join(
        f"{zone_name(z)} {_growth_text(i.loc[z, 'yoy_growth'], i.loc[z, 'growth_defined'])}"
        for z in zones
    )
    basis = "累计同比" if in_progress else "全年同比"
    target = f"{100 * float(i['target_growth'].iloc[0]):.0f}%"
    if partial:
        return f"{year} 年为基线年（不考核）：招商引资到位资金{basis}增速为 {growth}。"
    met = [z for z in zones if _is_true(i.loc[z, "met"])]
    undefined = [z for z in zones if _is_none(i.loc[z, "met"])]
    text = f"招商引资到位资金增长目标（同比≥{target}）：{basis}增速为 {growth}；"
    if len(met) == len(zones):
        return text + "三个片区均已达标。"
    parts = [f"{_names(met)}达标" if met else "尚无片区达标"]
    if undefined:
        parts.append(f"{_names(undefined)}无法判定")
    return text + "，".join(parts) + "。"


def trade_finding(
    scored: pd.DataFrame,
    dims: pd.DataFrame,
    year: int,
    dimension: str = "trade_logistics",
    total_indicator: str = "foreign_trade",
    label: str = "进出口额",
    as_of: str | date | None = None,
) -> str:
    """Return the key finding on trade and logistics: total and change, best-scoring zone."""
    s = scored[scored["indicator"] == total_indicator].groupby("year")["value"].sum(min_count=1)
    d = dims[(dims["year"] == year) & (dims["dimension"] == dimension)]
    d = d.assign(_o=d["zone_id"].map(ZONE_ORDER)).sort_values(
        ["score", "_o"], ascending=[False, True]
    )
    period = ""
    if as_of is not None:
        end = window_end(year, as_of)
        period = "" if (end.month, end.day) == (12, 31) else f" 1—{end.month} 月"
    text = f"{year} 年{period}三个片区{label}合计 {_num(s.get(year), 0)} 万元"
    if (year - 1) in s.index and pd.notna(s.get(year - 1)) and s[year - 1] > 0:
        g = 100 * (s[year] / s[year - 1] - 1)
        text += f"，较上年同期{'增长' if g >= 0 else '下降'} {abs(g):.1f}%"
    best = d.iloc[0]
    return (
        text
        + f"；贸易与物流维度得分最高的是{zone_name(best['zone_id'])}（{_num(best['score'])} 分）。"
    )


def weakest_finding(
    dims: pd.DataFrame, comp: pd.DataFrame, config: IndicatorConfig, year: int
) -> str:
    """Return the finding on the largest change (or, without a prior year, the weakest dimension)."""
    cur = comp[comp["year"] == year].set_index("zone_id")["score"]
    prev = comp[comp["year"] == year - 1].set_index("zone_id")["score"]
    if len(prev):
        delta = (cur - prev).dropna()
        delta = delta.reindex(_zone_order(delta.index))
        up, down = delta.idxmax(), delta.idxmin()
        if delta[up] > 0:
            text = f"与上年同期相比，综合得分提高最多的是{zone_name(up)}（{_signed(delta[up])} 分）"
        else:
            text = f"与上年同期相比，没有片区综合得分提高（变化最好的是{zone_name(up)}，{_signed(delta[up])} 分）"
        if delta[down] < 0 and down != up:
            text += f"，下降最多的是{zone_name(down)}（{_signed(delta[down])} 分）"
        elif down != up:
            text += f"，提高最少的是{zone_name(down)}（{_signed(delta[down])} 分）"
        text += "。"
    else:
        text = ""
    d = dims[dims["year"] == year].groupby("dimension")["score"].mean()
    d = d.reindex([x.id for x in config.dimensions]).dropna()
    weak = d.idxmin()
    return (
        text
        + f"{year} 年三片区平均得分最低的维度是{config.dimension(weak).name}（平均 {_num(d[weak])} 分），是共同短板。"
    )


def composite_finding(
    comp: pd.DataFrame, sens: pd.DataFrame, year: int, threshold: float = ROBUST_SHARE
) -> str:
    """Return the key finding on the composite ranking and its robustness."""
    leaders = _leaders(comp, year)
    text = ranking_sentence(comp, year).rstrip("。")
    if len(leaders) > 1:
        return text + "；第一名并列，排名不稳健。"
    p = float(sens.set_index("zone_id")["p_first"][leaders[0]])
    verdict = "排名稳健" if p >= threshold else "排名不稳健，名次取决于权重选择"
    return text + f"；权重随机扰动下{zone_name(leaders[0])}保持第一的概率为 {_pct(p)}，{verdict}。"


def findings_markdown(findings: list[tuple[str, str]]) -> str:
    """Return numbered Markdown findings, each with a relative link to its supporting page."""
    lines = [
        f"{k}. {text} [详见：{label}]({href})"
        for k, (text, (label, href)) in enumerate(
            ((t, (PAGE_LABELS.get(h, h), h)) for t, h in findings), start=1
        )
    ]
    return "\n".join(lines)


#: Pages findings link to (relative links between pages of one year).
PAGE_LABELS = {
    "comprehensive.html": "年度综合评估",
    "reforms.html": "改革试点经验复制推广与自主创新专项评估",
    "investment.html": "招商引资专项评估",
    "logistics.html": "物流与贸易专项评估",
    "impact.html": "政策效应评估",
}


# --- Three-year closing review (the plan's last year) -------------------------------------------


def _in_progress(year: int, as_of: str | date) -> bool:
    """Return True when *as_of* falls in *year* before 31 December (the year is still running)."""
    end = pd.Timestamp(as_of)
    return end.year == year and (end.month, end.day) != (12, 31)


def year_label(year: int, as_of: str | date) -> str:
    """Return ``2026年`` or, for a year in progress, ``2026年（截至10月31日）``."""
    if _in_progress(year, as_of):
        end = pd.Timestamp(as_of)
        return f"{year}年（截至{end.month}月{end.day}日）"
    return f"{year}年"


def closing_status(
    reform_atts: Mapping[int, pd.DataFrame],
    invest_atts: Mapping[int, pd.DataFrame],
    targets: Targets,
    as_of: str | date,
) -> pd.DataFrame:
    """Return zone × hard target rows with each plan year's traffic light and figure.

    *reform_atts* / *invest_atts* map each plan year to that year's attainment frame,
    computed as of the year's end (or *as_of* for the year in progress).
    """
    years = sorted(reform_atts)
    reform_by = {y: reform_atts[y].set_index("zone_id") for y in years}
    invest_by = {y: invest_atts[y].set_index("zone_id") for y in years}
    rows = []
    for z in ZONES:
        for key, label in (
            ("replicated", "复制推广经验（条）"),
            ("original", "自主创新经验（条）"),
            ("funds", "到位资金同比增长"),
        ):
            row = {"片区": zone_name(z), "硬性目标": label}
            for y in years:
                running = _in_progress(y, as_of)
                partial = targets.is_partial_year(y)
                if key == "funds":
                    a = invest_by[y].loc[z]
                    figure = _growth_text(a["yoy_growth"], a["growth_defined"])
                    verdict = light(a["met"], partial=partial, in_progress=running)
                else:
                    a = reform_by[y].loc[z]
                    figure = f"{int(a[key])} 条"
                    verdict = light(a[f"met_{key}"], partial=partial, in_progress=running)
                row[year_label(y, as_of)] = f"{verdict}（{figure}）"
            rows.append(row)
    return pd.DataFrame(rows)


def funds_cumulative(invest_atts: Mapping[int, pd.DataFrame], targets: Targets) -> pd.DataFrame:
    """Return chained growth of funds in place over the plan years against the compounded target.

    *invest_atts* maps each plan year to :func:`evalkit.investment.attainment` over the
    same months (the report's window), so each year's growth is like for like; the
    cumulative growth is ``Π(1 + gᵧ) − 1`` and the target compounds the yearly target.
    Undefined growth in any year makes the cumulative figure undefined (said in words).
    """
    years = sorted(invest_atts)
    invest_by = {y: invest_atts[y].set_index("zone_id") for y in years}
    rows = []
    for z in ZONES:
        row = {"片区": zone_name(z)}
        factor, ok, need = 1.0, True, 1.0
        for y in years:
            a = invest_by[y].loc[z]
            row[f"{y}年同期增速"] = _growth_words(a["yoy_growth"], a["growth_defined"])
            need *= 1 + float(targets.for_zone(z, "funds_growth"))
            if bool(a["growth_defined"]) and pd.notna(a["yoy_growth"]):
                factor *= 1 + float(a["yoy_growth"])
            else:
                ok = False
        row["累计增长"] = _pct(factor - 1) if ok else "无法计算（某年增速无法计算）"
        row["按年度增长目标复合应达"] = _pct(need - 1)
        row["是否达到"] = ("已达到" if factor >= need - 1e-12 else "未达到") if ok else "无法判定"
        rows.append(row)
    return pd.DataFrame(rows)


def dimension_change(
    dims: pd.DataFrame, config: IndicatorConfig, first: int, last: int
) -> pd.DataFrame:
    """Return zone × dimension scores in *first* year and the latest year with data, and the change.

    The latest year is *last* unless the dimension has no score then (annual data not
    yet submitted in a year in progress): then the most recent earlier year, named in
    the ``对比年度`` column.
    """
    d = dims.set_index(["zone_id", "year", "dimension"])["score"]
    rows = []
    for z in ZONES:
        for dim in config.dimensions:
            a = d.get((z, first, dim.id), math.nan)
            latest, b = last, math.nan
            for y in range(last, first, -1):
                b = d.get((z, y, dim.id), math.nan)
                if pd.notna(b):
                    latest = y
                    break
            rows.append(
                {
                    "片区": zone_name(z),
                    "维度": dim.name,
                    f"{first}年得分（分）": round(float(a), 2) if pd.notna(a) else math.nan,
                    "对比年度": latest if pd.notna(b) else math.nan,
                    "对比年度得分（分）": round(float(b), 2) if pd.notna(b) else math.nan,
                    "变化（分）": round(float(b - a), 2)
                    if pd.notna(a) and pd.notna(b)
                    else math.nan,
                }
            )
    out = pd.DataFrame(rows)
    out["对比年度"] = out["对比年度"].astype("Int64")
    return out


#: A change of less than this many points counts as unchanged in the closing review.
UNCHANGED_POINTS = 1.0


def change_sentences(change: pd.DataFrame, first: int, last: int) -> list[str]:
    """Return per zone: which dimensions improved, which did not, which cannot be compared."""
    out = []
    delta_col = "变化（分）"

    def label(r) -> str:
        note = "" if r["对比年度"] == last else f"，至 {int(r['对比年度'])} 年"
        return f"{r['维度']}（{_signed(r[delta_col])}{note}）"

    for zone in dict.fromkeys(change["片区"]):
        g = change[change["片区"] == zone]
        up = [label(r) for _, r in g.iterrows() if r[delta_col] >= UNCHANGED_POINTS]
        down = [label(r) for _, r in g.iterrows() if r[delta_col] <= -UNCHANGED_POINTS]
        flat = [r["维度"] for _, r in g.iterrows() if abs(r[delta_col]) < UNCHANGED_POINTS]
        na = [r["维度"] for _, r in g.iterrows() if pd.isna(r[delta_col])]
        parts = []
        parts.append(f"提高的维度：{'、'.join(up)}" if up else "没有维度明显提高")
        parts.append(f"下降的维度：{'、'.join(down)}" if down else "没有维度下降")
        if flat:
            parts.append(f"基本持平（变化不足 {UNCHANGED_POINTS:g} 分）：{'、'.join(flat)}")
        if na:
            parts.append(f"无法比较（缺少数据）：{'、'.join(na)}")
        out.append(f"{zone}（{first}→{last} 年同期）：" + "；".join(parts) + "。")
    return out


def cumulative_sentence(cum: pd.DataFrame, closed: bool) -> str:
    """Return the sentence on three-year cumulative reform counts (``reforms.cumulative`` frame)."""
    parts = []
    for r in cum.itertuples(index=False):
        parts.append(
            f"{zone_name(r.zone_id)}复制推广 {int(r.cum_replicated)}/{int(r.target_replicated)} 条、"
            f"自主创新 {int(r.cum_original)}/{int(r.target_original)} 条"
        )
    done = [
        r.zone_id
        for r in cum.itertuples(index=False)
        if _is_true(r.met_replicated) and _is_true(r.met_original)
    ]
    when = "三年累计" if closed else "截至目前三年累计"
    text = f"{when}（累计/三年目标）：" + "；".join(parts) + "。"
    if len(done) == len(cum):
        return text + "三个片区均已完成三年改革目标。"
    rest = [z for z in cum["zone_id"] if z not in done]
    head = f"{_names(done)}已完成两项三年目标；" if done else ""
    tail = "尚未完成" if not closed else "未完成"
    return text + head + f"{_names(rest)}{tail}。"


def funds_cumulative_sentence(table: pd.DataFrame, years: int) -> str:
    """Return the sentence on cumulative growth of funds in place against the compounded target."""
    parts = [f"{r['片区']} {r['累计增长']}（{r['是否达到']}）" for _, r in table.iterrows()]
    need = "、".join(dict.fromkeys(table["按年度增长目标复合应达"]))
    return (
        f"招商引资到位资金 {years} 年累计增长（各年同期增速连乘）："
        + "；".join(parts)
        + f"。按年度增长目标复合计算，{years} 年应累计增长 {need}。"
    )


def lights_legend(year: int, as_of: str | date, *, partial: bool, in_progress: bool) -> str:
    """Return the legend and period note under the traffic-light table."""
    text = (
        f"图例：{LIGHT_MET}；{LIGHT_NOT_MET}；{LIGHT_BASELINE}；{LIGHT_UNDEFINED}。"
        "颜色之外均有文字说明。"
    )
    if partial:
        text += (
            f"{year} 年为行动计划实施首年（计划于当年 9 月印发），只作基线展示，不按全年目标考核。"
        )
    elif in_progress:
        end = pd.Timestamp(as_of)
        text += (
            f"{year} 年尚在进行中（数据截至 {end.month} 月 {end.day} 日）：改革事项为年内累计条数，"
            "“尚未达标”表示截至目前尚未达到全年目标；到位资金增速为累计同比。"
        )
    return text


def _window_words(year: int, as_of: str | date) -> str:
    """Return ``全年`` or ``1 月 1 日至 M 月 D 日``: the span of *year*'s same-period window."""
    end = window_end(year, as_of)
    return (
        "全年" if (end.month, end.day) == (12, 31) else f"1 月 1 日至 {end.month} 月 {end.day} 日"
    )


def headline_note(year: int, as_of: str | date, first_year: int | None = None) -> str:
    """Return the note under the composite headline table (basis of the change column)."""
    if first_year is not None and year <= first_year:
        return (
            "综合得分由五个维度的指标加权得出（方法见[年度综合评估](comprehensive.html)）；"
            f"{year} 年是行动计划实施首年，也是首个评估年度，没有上年可比得分。"
        )
    window = _window_words(year, as_of)
    return (
        f"综合得分由五个维度的指标加权得出（方法见[年度综合评估](comprehensive.html)）；"
        f"“较上年同期”按同一口径比较 {year} 年与 {year - 1} 年的{window}。"
    )


def closing_intro(year: int, as_of: str | date, first_year: int, last_year: int) -> str:
    """Return the opening paragraph of the closing review (a short note before the last year)."""
    if year < last_year:
        return (
            f"三年总结评估在行动计划收官之年（{last_year} 年）的报告中给出：届时对照计划目标，"
            f"汇总 {first_year}—{last_year} 年的累计完成情况，说明哪些方面改善了、哪些没有。"
            f"{year} 年的评估结果见[年度评估摘要](index.html)和[年度综合评估](comprehensive.html)。"
        )
    if year > last_year:
        return (
            f"行动计划的实施期为 {first_year}—{last_year} 年，三年总结评估见 {last_year} 年的报告。"
        )
    end = pd.Timestamp(as_of)
    status = (
        f"{last_year} 年尚未结束（数据截至 {end.year} 年 {end.month} 月 {end.day} 日），"
        f"{last_year} 年的数字为截至该日的累计，结论在年底前仍可能变化。"
        if (end.month, end.day) != (12, 31)
        else f"{last_year} 年数据已全部报送。"
    )
    return (
        f"{last_year} 年是行动计划的收官之年。本节对照计划的三项硬性目标，汇总 {first_year}—{last_year} 年的累计完成情况，"
        f"并比较各维度得分的变化，说明哪些方面改善了、哪些没有。{status}"
    )


def closing_method_note(year: int, as_of: str | date) -> str:
    """Return the note on how the closing review compares years."""
    window = _window_words(year, as_of)
    return (
        f"说明：各维度和综合得分按年度综合评估的方法计算，各年统一取{window}（同期口径），"
        f"变化不足 {UNCHANGED_POINTS:g} 分视为基本持平；年度产业数据在年度进行中尚未报送，相应维度无法比较。"
        "图中各点数值见下载文件 closing_composite_trend.csv。"
    )


def for_page(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* with missing values as "—" so no page (HTML or text) shows NaN."""
    out = df.astype(object)
    return out.where(df.notna(), "—")


def method_notes(
    config: IndicatorConfig,
    year: int,
    as_of: str | date,
    first_year: int,
    draws: int,
    concentration: float,
) -> list[str]:
    """Return the page's statement of method (Chinese), with this report's windows and settings."""
    end = window_end(year, as_of)
    dims = "、".join(f"{d.name}（{d.weight:g}）" for d in config.dimensions)
    span = f"{year} 年" if year <= first_year else f"{first_year}—{year} 年"
    window = (
        "全年"
        if (end.month, end.day) == (12, 31)
        else f"各年 1 月 1 日至 {end.month} 月 {end.day} 日（同期口径，与累计同比一致）"
    )
    return [
        f"**指标体系**：{len(config.dimensions)} 个维度、{len(config.indicators)} 项指标，"
        f"维度及权重为 {dims}；参照自贸试验区制度创新指数的分维度做法，结合本行动计划的目标与各片区报送的数据设定，"
        "配置文件为 `data/config/indicators.yaml`。",
        f"**统计口径**：每年的指标值统计 {window}；月度、季度数据只计入截至该日已结束的期间；"
        "年度产业数据按年报送，年度进行中尚无数据时视为缺失。复制推广、自主创新条数和到位资金及其增速直接取自对应专项评估的计算结果，两处口径一致。",
        "**评分（0—100 分）**：有目标的指标按“实际值÷目标值×100”计分，达到目标即满分（逆向指标按“目标值÷实际值”），"
        "条数、金额类目标在年度进行中按时间进度折算，行动计划实施首年按计划印发后的天数折算；"
        f"无目标的指标在三个片区×{span}的全部数值中做极差标准化"
        "（最小值 0 分、最大值 100 分，逆向指标反之；全部相同则均为 100 分）。",
        "**缺失数据**：未报送或无法计算（如基期为零的增速）的指标记为缺失，绝不按零分处理；"
        "维度得分在该维度现有指标间按权重重新分配，综合得分同理；“数据覆盖率”为实际参与计分的权重占比。",
        "**排名**：得分保留两位小数后从高到低排名，得分相同的片区并列（如 1、1、3）。",
        "**熵权法**：以各指标得分在三个片区×各年度样本中的离散程度客观赋权（熵值越小、权重越大），与配置权重的结果并列展示。",
        f"**权重敏感性**：以配置权重为中心，按 Dirichlet 分布（集中度 κ={concentration:g}）随机抽取 {draws} 组维度及指标权重，"
        f"固定随机种子（{DEFAULT_SEED}），统计各片区排名第一的概率和得分区间；"
        f"第一名在至少 {ROBUST_SHARE:.0%} 的抽样中保持第一才称“排名稳健”。",
        "**历年得分**：本页各年度得分均按本报告的口径（同期窗口、同一标准化范围）重新计算，因而与往年报告中的数值可能不同；"
        "“较上年变化”均为同口径比较。各片区面积与体量不同，绝对量指标（金额、条数）有利于体量大的片区，解读时请结合各维度得分。",
    ]


def closing_targets_sentences(
    reform_atts: Mapping[int, pd.DataFrame],
    invest_atts: Mapping[int, pd.DataFrame],
    targets: Targets,
    as_of: str | date,
) -> list[str]:
    """Return per zone which hard targets were met and which were not in the scored plan years.

    The partial first year is a baseline and left out; a year in progress is
    reported separately as "to date".
    """
    end = pd.Timestamp(as_of)
    names = {"replicated": "复制推广", "original": "自主创新", "funds": "到位资金增长"}
    years = [y for y in sorted(reform_atts) if not targets.is_partial_year(y)]
    reform_by = {y: reform_atts[y].set_index("zone_id") for y in years}
    invest_by = {y: invest_atts[y].set_index("zone_id") for y in years}
    out = []
    for z in ZONES:
        parts = []
        for y in years:
            r = reform_by[y].loc[z]
            i = invest_by[y].loc[z]
            verdicts = {
                "replicated": r["met_replicated"],
                "original": r["met_original"],
                "funds": i["met"],
            }
            met = [names[k] for k, v in verdicts.items() if _is_true(v)]
            undecided = [names[k] for k, v in verdicts.items() if _is_none(v)]
            missed = [names[k] for k in verdicts if names[k] not in met + undecided]
            running = _in_progress(y, as_of)
            label = f"{y} 年截至 {end.month} 月 {end.day} 日" if running else f"{y} 年"
            text = f"{label}达标 {len(met)} 项" + (f"（{'、'.join(met)}）" if met else "")
            if missed:
                text += f"，{'尚未达标' if running else '未达标'} {len(missed)} 项（{'、'.join(missed)}）"
            if undecided:
                text += f"，无法判定 {len(undecided)} 项（{'、'.join(undecided)}）"
            parts.append(text)
        if parts:
            out.append(f"{zone_name(z)}：" + "；".join(parts) + "。")
    return out
