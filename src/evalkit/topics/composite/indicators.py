"""The indicator system (``data/config/indicators.yaml``): validated configuration objects.

:func:`load_indicators` reads and validates the file; every error is a bilingual
:class:`~evalkit.config.ConfigError` naming the position in the document. Each
indicator's value comes from a curated table through a closed vocabulary of
aggregations (:data:`AGGREGATIONS`; nothing from the configuration is ever
evaluated as code). Rules: see :mod:`evalkit.topics.composite`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ...config import TARGET_KEYS, ConfigError, config_path, read_yaml
from ...schema import TABLES

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
    "reforms.median_lag_days": ("reform_items", "median_days"),
}
FORMULA_KEYS = ("agg", "column", "where", "numerator", "distinct", "date", "start", "if_no_rows")
#: Keys every indicator must give (plus ``formula`` unless it has ``computed_by``).
INDICATOR_REQUIRED = ("id", "name", "table", "direction", "unit", "weight")
INDICATOR_KEYS = (*INDICATOR_REQUIRED, "formula", "target", "reference", "computed_by")
#: Keys of an indicator's fixed reference range (``reference``); ``source`` is shown on the page.
REFERENCE_KEYS = ("worst", "best", "source")
#: Default score under which a dimension counts as weak in a zone (``weak_below``).
WEAK_BELOW = 60.0

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
class Reference:
    """A fixed reference range: the value scoring 0 (*worst*) and the value scoring 100 (*best*).

    For a "−" indicator *best* is below *worst*. For a flow (count or sum) both are
    annual amounts, pro-rated to the share of the year a window covers. *source* says
    where the numbers come from (shown on the page).
    """

    worst: float
    best: float
    source: str


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
    reference: Reference | None = None


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
    weak_below: float = WEAK_BELOW

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
    """Validate one ``formula`` mapping (closed vocabulary, columns of *table*).

    Over 80 lines on purpose: every rule of the closed formula vocabulary is checked in
    this one place, in the order the errors are documented.
    """
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


def _target(raw, where: str) -> float | str | None:
    """Validate an indicator's ``target``: a number or a key of ``targets.yaml`` (or absent)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if raw not in TARGET_KEYS:
            raise _err(
                where,
                f"未知目标键 {raw!r}",
                f"unknown target key; use a number or one of {list(TARGET_KEYS)}",
            )
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _err(where, "目标应为数字或目标键", "target must be a number")
    return float(raw)


def _reference(raw, direction: int, where: str) -> Reference | None:
    """Validate an indicator's fixed ``reference`` range (or absent).

    ``worst`` and ``best`` are finite numbers, ordered by *direction* (best above worst
    for "+", below for "−"); ``source`` is a non-empty text.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _err(where, "参照范围应为映射（worst, best, source）", "reference must be a mapping")
    unknown = sorted(set(raw) - set(REFERENCE_KEYS))
    missing = [k for k in REFERENCE_KEYS if raw.get(k) is None]
    if unknown or missing:
        raise _err(
            where,
            f"参照范围应且只应含 {list(REFERENCE_KEYS)}",
            f"reference needs exactly {list(REFERENCE_KEYS)}; unknown {unknown}, missing {missing}",
        )
    ends = {}
    for key in ("worst", "best"):
        v = raw[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise _err(f"{where}.{key}", "应为数字", f"{key} must be a number, got {v!r}")
        ends[key] = float(v)
    if (ends["best"] - ends["worst"]) * direction <= 0:
        raise _err(
            where,
            "正向指标 best 应大于 worst，逆向指标 best 应小于 worst",
            'best must exceed worst for "+" and be below it for "-"',
        )
    source = str(raw["source"]).strip()
    if not source:
        raise _err(f"{where}.source", "应注明参照范围的来源", "source must not be empty")
    return Reference(ends["worst"], ends["best"], source)


def _computed_formula(iraw: dict, table: str, where: str) -> Formula:
    """Return the formula of an indicator with ``computed_by`` (validated against *table*)."""
    computed_by = iraw["computed_by"]
    if computed_by not in COMPUTED_BY:
        raise _err(
            f"{where}.computed_by",
            f"未知计算来源 {computed_by!r}",
            f"unknown computed_by; allowed: {list(COMPUTED_BY)}",
        )
    if COMPUTED_BY[computed_by][0] != table:
        raise _err(
            f"{where}.computed_by",
            f"{computed_by} 读取 {COMPUTED_BY[computed_by][0]}，与 table 不符",
            f"{computed_by} reads {COMPUTED_BY[computed_by][0]!r}, not {table!r}",
        )
    if iraw.get("formula") is not None:
        raise _err(
            f"{where}.formula",
            "computed_by 与 formula 只能二选一",
            "give either computed_by or formula, not both",
        )
    return Formula(agg=COMPUTED_BY[computed_by][1], date=PERIOD_COLUMNS[table])


def _indicator(iraw, did: str, where: str, seen: set[str]) -> Indicator:
    """Validate one indicator mapping of dimension *did*; add its id to *seen*."""
    if not isinstance(iraw, dict):
        raise _err(where, "指标应为映射", "indicator must be a mapping")
    required = INDICATOR_REQUIRED
    if "computed_by" not in iraw:
        required += ("formula",)
    for key in required:
        if key not in iraw or iraw[key] is None:
            raise _err(where, f"指标缺少 {key}", f"indicator missing {key!r}")
    iid = str(iraw["id"])
    where = f"{where} ({iid})"
    unknown = sorted(set(iraw) - set(INDICATOR_KEYS))
    if unknown:
        raise _err(where, f"指标中有未知键 {unknown}", f"unknown indicator keys {unknown}")
    if iid in seen:
        raise _err(where, "指标编号重复", f"duplicate indicator id {iid!r}")
    seen.add(iid)
    table = iraw["table"]
    if table not in TABLES:
        raise _err(
            f"{where}.table",
            f"未知数据表 {table!r}",
            f"unknown curated table {table!r}; known: {sorted(TABLES)}",
        )
    if table not in ZONE_TABLES:
        raise _err(f"{where}.table", "该表不按片区报送", f"table {table!r} has no zone_id")
    direction = iraw["direction"]
    if direction not in DIRECTIONS:
        raise _err(
            f"{where}.direction",
            f'方向应为 "+" 或 "-"，实为 {direction!r}',
            'direction must be "+" or "-"',
        )
    target = _target(iraw.get("target"), f"{where}.target")
    reference = _reference(iraw.get("reference"), DIRECTIONS[direction], f"{where}.reference")
    if (target is None) == (reference is None):
        raise _err(
            where,
            "每项指标须有目标（target）或固定参照范围（reference），二者只取其一",
            "give a target or a fixed reference range, exactly one: scores never depend on "
            "the other zones or years",
        )
    if iraw.get("computed_by") is not None:
        formula = _computed_formula(iraw, table, where)
    else:
        formula = _formula(iraw["formula"], table, f"{where}.formula")
    return Indicator(
        id=iid,
        name=str(iraw["name"]),
        dimension=did,
        table=table,
        formula=formula,
        direction=DIRECTIONS[direction],
        unit=str(iraw["unit"]),
        weight=_weight(iraw["weight"], f"{where}.weight"),
        target=target,
        computed_by=iraw.get("computed_by"),
        reference=reference,
    )


def _dimension(draw, where: str, seen_dims: set[str], seen_inds: set[str]) -> Dimension:
    """Validate one dimension mapping and its indicators (weights summing to one)."""
    if not isinstance(draw, dict):
        raise _err(where, "维度应为映射", "dimension must be a mapping")
    for key in ("id", "name", "weight", "indicators"):
        if key not in draw or draw[key] is None:
            raise _err(where, f"维度缺少 {key}", f"dimension missing {key!r}")
    did = str(draw["id"])
    where = f"{where} ({did})"
    if did in seen_dims:
        raise _err(where, "维度编号重复", f"duplicate dimension id {did!r}")
    seen_dims.add(did)
    dweight = _weight(draw["weight"], f"{where}.weight")
    if not isinstance(draw["indicators"], list) or not draw["indicators"]:
        raise _err(f"{where}.indicators", "指标列表为空", "empty list of indicators")
    inds = [
        _indicator(iraw, did, f"{where}.indicators[{ii}]", seen_inds)
        for ii, iraw in enumerate(draw["indicators"])
    ]
    _check_sum([i.weight for i in inds], f"{where}.indicators", "维度内指标")
    return Dimension(did, str(draw["name"]), dweight, tuple(inds))


def parse_indicators(doc, source: str = "indicators.yaml") -> IndicatorConfig:
    """Validate a parsed indicator document (a dict as read from YAML) and return the config.

    Every error is a :class:`~evalkit.config.ConfigError` naming *source* and the
    position in the document (``dimensions[1].indicators[0].direction``).
    """
    if not isinstance(doc, dict):
        raise _err(source, "顶层应为映射", "top level must be a mapping")
    weak = doc.get("weak_below", WEAK_BELOW)
    if isinstance(weak, bool) or not isinstance(weak, int | float) or not 0 < weak <= 100:
        raise _err(f"{source}: weak_below", "应为 0—100 的分数", "must be a score in (0, 100]")
    dims_raw = doc.get("dimensions")
    if not isinstance(dims_raw, list) or not dims_raw:
        raise _err(f"{source}: dimensions", "缺少维度列表", "missing or empty list 'dimensions'")
    seen_dims: set[str] = set()
    seen_inds: set[str] = set()
    dims = [
        _dimension(draw, f"{source}: dimensions[{di}]", seen_dims, seen_inds)
        for di, draw in enumerate(dims_raw)
    ]
    _check_sum([d.weight for d in dims], f"{source}: dimensions", "维度")
    return IndicatorConfig(tuple(dims), source, float(weak))


def load_indicators(data_dir: str | Path | None = None) -> IndicatorConfig:
    """Read and validate ``config/indicators.yaml`` under *data_dir* (root-relative ok)."""
    path = config_path("indicators.yaml", data_dir)
    doc = read_yaml(path, missing="缺少指标配置文件 / indicators file missing")
    return parse_indicators(doc, source=path.name)
