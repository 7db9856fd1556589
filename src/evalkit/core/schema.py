"""The data contract: the single source of truth for readers, validation, templates and docs.

Each :class:`Table` names a curated table (``data/curated/<name>.parquet``), its
columns with Chinese header, unit, type, enumeration and whether it is required.
Money is stored in 万元 (``wan_yuan``) everywhere; months are the first day of the
month (``datetime64``); dates are ``datetime64`` at day precision.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from .zones import PilotZone, load_zones, zones_path

# --- Zones and counties (plan §二): from config/zones.yaml -----------------------------
# Loaded once at import from :func:`evalkit.core.zones.zones_path` — ``<data dir>/config/zones.yaml``
# (``EVALKIT_DATA_DIR``), else the project's ``data/config/zones.yaml``. A missing or malformed
# file raises :class:`evalkit.core.errors.ConfigError` here, before anything is computed.

#: The configured pilot zone (name, sub-zones, counties, comparison counties).
PILOT_ZONE: PilotZone = load_zones(zones_path())

#: Sub-zone id → official Chinese name (short form used on pages), in the plan's order.
ZONES: dict[str, str] = PILOT_ZONE.zone_names

#: Zone id → position in the plan's order (for sorting tables by zone).
ZONE_ORDER: dict[str, int] = PILOT_ZONE.zone_order

#: Aliases seen in submissions → zone id (normalization maps these; exact match after trimming).
ZONE_ALIASES: dict[str, str] = PILOT_ZONE.zone_aliases

#: County-level unit id → Chinese name (the impact panel).
COUNTIES: dict[str, str] = PILOT_ZONE.counties
#: Counties hosting the sub-zones, in zone order.
PILOT_HOST_COUNTIES: tuple[str, ...] = PILOT_ZONE.host_counties
#: Counties the host counties are compared with in the impact estimate.
COMPARISON_COUNTIES: tuple[str, ...] = PILOT_ZONE.comparison_counties

#: Plan §二(二): lead industry clusters per zone (cluster id → Chinese name).
CLUSTERS: dict[str, dict[str, str]] = PILOT_ZONE.clusters
ALL_CLUSTERS: dict[str, str] = PILOT_ZONE.all_clusters

# --- Enumerations ------------------------------------------------------------------

REFORM_KINDS = {"replicated": "复制推广", "original": "自主创新"}
REFORM_SOURCES = {
    "harbin_area": "哈尔滨片区",
    "heihe_area": "黑河片区",
    "suifenhe_area": "绥芬河片区",
    "state_council_batch": "国务院复制推广批次",
    "other_province_ftz": "外省自贸试验区",
    "own": "本片区自主创新",
}
POLICY_DOMAINS = {
    "investment": "投资自由化便利化",
    "trade": "贸易便利化",
    "finance": "金融改革创新",
    "government": "政府职能转变",
    "rule_of_law": "法治环境",
    "industry": "产业发展",
    "other": "其他",
}
REFORM_STATUSES = {"in_progress": "推进中", "in_effect": "已落地见效"}
ORIGINALITY = {
    "national_first": "全国首创",
    "provincial_first": "全省首创",
    "systemic_integration": "系统集成",
}
INVESTOR_ORIGINS = {
    "harbin": "省内·哈尔滨",
    "daqing": "省内·大庆",
    "heilongjiang_other": "省内·其他",
    "other_province": "外省",
    "foreign": "境外",
}

#: Logistics and trade indicators, monthly per zone (id → (Chinese name, unit)).
LOGISTICS_INDICATORS: dict[str, tuple[str, str]] = {
    "import_value": ("进口额", "万元"),
    "export_value": ("出口额", "万元"),
    "russia_trade_value": ("对俄进出口额", "万元"),
    "freight_rail": ("铁路货运量", "吨"),
    "freight_road": ("公路货运量", "吨"),
    "freight_air": ("航空货运量", "吨"),
    "freight_multimodal": ("多式联运“一单制”货运量", "吨"),
    "train_departures": ("中欧（中俄）班列开行", "列"),
    "bonded_throughput": ("保税仓库吞吐量", "吨"),
    "cold_chain_capacity": ("冷链仓储能力", "吨"),
    "express_parcels": ("快递业务量", "万件"),
    "village_delivery_share": ("快递进村覆盖率", "%"),
    "clearance_hours": ("整体通关时间", "小时"),
}

#: Government-service indicators, quarterly per zone.
GOV_SERVICE_INDICATORS: dict[str, tuple[str, str]] = {
    "one_window_items": ("一窗通办事项", "项"),
    "one_thing_services": ("“一件事”集成服务", "项"),
    "online_rate": ("网上可办率", "%"),
    "approval_days": ("平均审批时长", "天"),
}

#: County panel outcomes, annual per county (impact estimates).
COUNTY_INDICATORS: dict[str, tuple[str, str]] = {
    "gdp": ("地区生产总值", "万元"),
    "fixed_asset_investment": ("固定资产投资", "万元"),
    "foreign_trade": ("外贸进出口总额", "万元"),
    "domestic_capital_used": ("实际利用内资", "万元"),
    "retail_sales": ("社会消费品零售总额", "万元"),
}


# --- Tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a curated table.

    ``dtype`` is one of ``str``, ``float``, ``int``, ``date``, ``month``, ``bool``;
    ``enum`` (if set) is the allowed-values mapping id → Chinese label.
    ``unit`` is the canonical unit values are stored in (money: 万元).
    """

    name: str
    label: str
    dtype: str
    required: bool = True
    unit: str | None = None
    enum: dict[str, str] | None = None
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def header(self) -> str:
        """Return the Chinese header used in templates and submissions, unit in brackets."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass(frozen=True)
class Table:
    """A curated table: name, Chinese title, key columns and columns."""

    name: str
    title: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        """Return the column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called *name* (KeyError if absent)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ZONE_COL = Column("zone_id", "片区", "str", enum=ZONES, description="片区标识 / sub-zone id")

REFORM_ITEMS = Table(
    "reform_items",
    "改革事项台账",
    key=("item_id",),
    description="One row per reform item a zone adopts (replicated or original).",
    columns=(
        Column("item_id", "事项编号", "str", description="唯一编号 / unique item id"),
        ZONE_COL,
        Column("title", "事项名称", "str"),
        Column("kind", "类型", "str", enum=REFORM_KINDS),
        Column("source", "经验来源", "str", enum=REFORM_SOURCES),
        Column(
            "source_experience",
            "来源经验名称或编号",
            "str",
            required=False,
            description="复制推广事项所复制的经验；同一片区重复复制同一经验只计一次",
        ),
        Column("domain", "政策领域", "str", enum=POLICY_DOMAINS),
        Column(
            "source_published",
            "来源经验发布日期",
            "date",
            required=False,
            description="复制推广事项必填 / required for replicated items",
        ),
        Column("adopted", "复制（创新）启动日期", "date"),
        Column(
            "effective",
            "落地见效日期",
            "date",
            required=False,
            description="状态为已落地见效时必填；事项计入其落地见效的年份",
        ),
        Column("status", "状态", "str", enum=REFORM_STATUSES),
        Column("evidence", "佐证材料（文号或链接）", "str"),
        Column(
            "originality",
            "原创性评级",
            "str",
            required=False,
            enum=ORIGINALITY,
            description="自主创新事项必填 / required for original items",
        ),
    ),
)

PROJECTS = Table(
    "projects",
    "招商引资项目台账",
    key=("project_id",),
    columns=(
        Column("project_id", "项目编号", "str"),
        ZONE_COL,
        Column("name", "项目名称", "str"),
        Column("cluster", "产业集群", "str", enum=ALL_CLUSTERS),
        Column("origin", "投资方来源", "str", enum=INVESTOR_ORIGINS),
        Column("origin_detail", "来源省份或国家", "str", required=False),
        Column("contracted_wan_yuan", "签约金额", "float", unit="万元", minimum=0),
        Column("signed", "签约日期", "date"),
        Column("construction_started", "开工日期", "date", required=False),
        Column("in_production", "投产日期", "date", required=False),
    ),
)

FUNDS_MONTHLY = Table(
    "funds_monthly",
    "招商引资到位资金（月度）",
    key=("project_id", "month"),
    columns=(
        Column("project_id", "项目编号", "str"),
        ZONE_COL,
        Column("month", "月份", "month"),
        Column("funds_wan_yuan", "当月到位资金", "float", unit="万元", minimum=0),
    ),
)

LOGISTICS_MONTHLY = Table(
    "logistics_monthly",
    "物流与贸易指标（月度）",
    key=("zone_id", "month", "indicator"),
    description="Long format: a missing (zone, month, indicator) row means not submitted, never zero.",
    columns=(
        ZONE_COL,
        Column("month", "月份", "month"),
        Column("indicator", "指标", "str", enum={k: v[0] for k, v in LOGISTICS_INDICATORS.items()}),
        Column("value", "数值", "float", minimum=0),
    ),
)

GOV_SERVICES_QUARTERLY = Table(
    "gov_services_quarterly",
    "政务服务指标（季度）",
    key=("zone_id", "quarter", "indicator"),
    columns=(
        ZONE_COL,
        Column("quarter", "季度（季度首月）", "month"),
        Column(
            "indicator", "指标", "str", enum={k: v[0] for k, v in GOV_SERVICE_INDICATORS.items()}
        ),
        Column("value", "数值", "float", minimum=0),
    ),
)

INDUSTRY_ANNUAL = Table(
    "industry_annual",
    "产业集群（年度）",
    key=("zone_id", "year", "cluster"),
    columns=(
        ZONE_COL,
        Column("year", "年份", "int", minimum=2019, maximum=2100),
        Column("cluster", "产业集群", "str", enum=ALL_CLUSTERS),
        Column("output_wan_yuan", "产值", "float", unit="万元", minimum=0),
        Column("enterprises_above_size", "规上企业数", "int", minimum=0),
        Column("leading_firms", "龙头企业数", "int", minimum=0),
        Column("brands_gi", "品牌及地理标志数", "int", minimum=0),
    ),
)

COUNTY_PANEL = Table(
    "county_panel",
    "县（市、区）面板（年度）",
    key=("county_id", "year"),
    columns=(
        Column("county_id", "县（市、区）", "str", enum=COUNTIES),
        Column("year", "年份", "int", minimum=2000, maximum=2100),
        *(
            Column(k, label, "float", unit=unit, minimum=0)
            for k, (label, unit) in COUNTY_INDICATORS.items()
        ),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        REFORM_ITEMS,
        PROJECTS,
        FUNDS_MONTHLY,
        LOGISTICS_MONTHLY,
        GOV_SERVICES_QUARTERLY,
        INDUSTRY_ANNUAL,
        COUNTY_PANEL,
    )
}


def check_zones(data_dir=None) -> None:
    """Raise ConfigError if *data_dir*'s own ``config/zones.yaml`` differs from the loaded zones.

    The zones are loaded once per process from ``EVALKIT_DATA_DIR`` (see
    :mod:`evalkit.core.zones`); reading another pilot zone's tables without pointing
    ``EVALKIT_DATA_DIR`` at its folder would evaluate them with the wrong zones. A data
    folder without its own ``zones.yaml`` is not checked. Called by
    :func:`evalkit.core.store.read_table` (cached per file and modification time).
    """
    from .paths import data_dir as _data_dir

    path = zones_path(_data_dir(data_dir))
    if path.is_file():
        _check_zones_file(path.resolve(), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _check_zones_file(path, _mtime: int) -> None:
    from .errors import ConfigError

    other = load_zones(path)
    if replace(other, source="") != replace(PILOT_ZONE, source=""):
        raise ConfigError(
            f"{path}: 与已加载的片区配置 {PILOT_ZONE.source} 不同，请将 EVALKIT_DATA_DIR 指向该数据目录 / "
            f"differs from the zones loaded at start-up ({PILOT_ZONE.source}): set EVALKIT_DATA_DIR "
            "to this data folder before starting Python"
        )


def zone_name(zone_id: str) -> str:
    """Return the Chinese name of *zone_id* (the id itself if unknown)."""
    return ZONES.get(zone_id, zone_id)


# --- Validation rules (read by evalkit.intake, the templates and the data dictionary) ---

#: Units a money header may carry → factor to the canonical 万元.
MONEY_UNITS: dict[str, float] = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}

#: Sheets that carry instructions or examples, not data (matched by prefix after trimming).
NON_DATA_SHEETS: tuple[str, ...] = ("说明", "示例", "_")


@dataclass(frozen=True)
class RequiredWhen:
    """*column* must be filled in when *when_column* takes one of *when_values*."""

    table: str
    column: str
    when_column: str
    when_values: tuple[str, ...]


@dataclass(frozen=True)
class AllowedWhen:
    """When *when_column* is in *when_values*, *column* must be one of *allowed* (else a finding)."""

    table: str
    column: str
    when_column: str
    when_values: tuple[str, ...]
    allowed: tuple[str, ...]
    severity: str = "warning"


@dataclass(frozen=True)
class TemporalOrder:
    """Within a row, date *earlier* must not be after date *later* (both when filled in)."""

    table: str
    earlier: str
    later: str


@dataclass(frozen=True)
class Reference:
    """*table.column* must name a row of *ref_table.ref_column*; *same* columns must agree."""

    table: str
    column: str
    ref_table: str
    ref_column: str
    same: tuple[str, ...] = ()


#: Per-kind requirements (plan: replicated items cite the source's publication date, …).
REQUIRED_WHEN: tuple[RequiredWhen, ...] = (
    RequiredWhen("reform_items", "source_published", "kind", ("replicated",)),
    RequiredWhen("reform_items", "originality", "kind", ("original",)),
    RequiredWhen("reform_items", "effective", "status", ("in_effect",)),
)

#: Cross-field consistency: an original item comes from the zone itself, a replicated one does not.
ALLOWED_WHEN: tuple[AllowedWhen, ...] = (
    AllowedWhen("reform_items", "source", "kind", ("original",), ("own",)),
    AllowedWhen(
        "reform_items",
        "source",
        "kind",
        ("replicated",),
        tuple(k for k in REFORM_SOURCES if k != "own"),
    ),
)

#: Temporal order within a row.
TEMPORAL_ORDER: tuple[TemporalOrder, ...] = (
    TemporalOrder("reform_items", "source_published", "adopted"),
    TemporalOrder("reform_items", "adopted", "effective"),
    TemporalOrder("projects", "signed", "construction_started"),
    TemporalOrder("projects", "construction_started", "in_production"),
    TemporalOrder("projects", "signed", "in_production"),
)

#: Referential integrity: funds in place refer to a known (accepted) project of the same zone.
REFERENCES: tuple[Reference, ...] = (
    Reference("funds_monthly", "project_id", "projects", "project_id", same=("zone_id",)),
)

#: Tables whose industry cluster must be one of the zone's lead industries (plan §二(二)).
ZONE_CLUSTER_TABLES: tuple[str, ...] = ("projects", "industry_annual")

#: Upper bounds per indicator in long-format tables (percentages).
INDICATOR_MAXIMUM: dict[str, float] = {"village_delivery_share": 100.0, "online_rate": 100.0}

#: Plausibility: cumulative funds in place above this multiple of the contracted amount warn.
FUNDS_OVER_CONTRACT_RATIO: float = 1.5

#: Plausibility: a value this many times both its neighbouring periods warns.
SPIKE_RATIO: float = 10.0


def spike_masks(value, prev, nxt, ratio: float = SPIKE_RATIO):
    """Return ``(up, down)``: the spike rule on aligned Series of values and their neighbours.

    ``up``: over *ratio* times both neighbouring periods; ``down``: positive and under
    1/*ratio* of both. Both neighbours must be positive (a missing one never flags).
    One rule for the intake's warnings and the logistics page's flagged values.
    """
    both = (prev > 0) & (nxt > 0)
    up = both & (value > ratio * prev) & (value > ratio * nxt)
    down = both & (value > 0) & (value * ratio < prev) & (value * ratio < nxt)
    return up, down


#: Series checked for spikes: table → columns identifying one series (sorted by the period column).
SPIKE_SERIES: dict[str, tuple[str, ...]] = {
    "logistics_monthly": ("zone_id", "indicator"),
    "gov_services_quarterly": ("zone_id", "indicator"),
    "funds_monthly": ("project_id",),
}

#: Completeness: table → (period column, months per period); every zone should report every
#: period from the table's first period up to the dataset's as-of date.
COMPLETENESS: dict[str, tuple[str, int]] = {
    "funds_monthly": ("month", 1),
    "logistics_monthly": ("month", 1),
    "gov_services_quarterly": ("quarter", 3),
}
