"""Special-topic evaluation of investment attraction and funds in place (招商引资专项评估).

Rules (plan §三(一): funds in place grow ≥ 25 % year on year, per zone):

- **Year to date (累计同比).** For a year in progress, funds in place are summed from
  January to the as-of month and compared with the same months of the previous
  year; for a finished year (as-of date in a later year) all twelve months.
- **Late submission.** A zone "has reported" a month when ``funds_monthly`` holds at
  least one row for it. Months with no rows *before* the zone's latest reported month
  are zero funds; months *after* it (up to the as-of month) are not yet reported.
  A zone that has not reported the as-of month is compared like for like over
  January to its latest reported month (``through_month`` < as-of month) and is
  flagged on the page — never silently counted as zero.
- **Base period.** The base (same months of the previous year) is missing (NaN) when
  the dataset starts after January of the previous year; otherwise months without
  rows count as zero. Growth is undefined (``growth_defined`` False, ``yoy_growth``
  NaN, ``met`` None) when the base is zero or missing; pages show
  "无法计算（基期为零）" / "无法计算（基期无数据）", never inf or NaN.
- **Plan's first year.** The plan was issued in September of its first year
  (``Targets.is_partial_year``): that year is shown as a baseline and not scored
  (``met`` None), following ``data/config/targets.yaml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import projection
from .config import ConfigError, Targets, config_path, read_yaml
from .schema import ALL_CLUSTERS, INVESTOR_ORIGINS, ZONE_ORDER, ZONES, zone_name

ATTAINMENT_COLUMNS = [
    "zone_id",
    "year",
    "through_month",
    "funds_wan_yuan",
    "base_wan_yuan",
    "yoy_growth",
    "growth_defined",
    "target_growth",
    "met",
]

UNDEFINED_ZERO = "无法计算（基期为零）"
UNDEFINED_MISSING = "无法计算（基期无数据）"
NOT_REPORTED = "未报送"

#: Project size classes by contracted amount (万元): (lower bound inclusive, label).
SIZE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "5000万元以下"),
    (5_000.0, "5000万—1亿元"),
    (10_000.0, "1亿—10亿元"),
    (100_000.0, "10亿元及以上"),
)


# --- Dates and windows ----------------------------------------------------------------


def as_of_date(as_of: str | date) -> pd.Timestamp:
    """Return *as_of* (``YYYY-MM-DD`` or a date) as a day-precision Timestamp."""
    return pd.Timestamp(as_of).normalize()


def as_of_month(year: int, as_of: str | date) -> int:
    """Return the last month of *year* covered at *as_of* (12 when *as_of* is in a later year).

    Raises ValueError when *as_of* is before the start of *year*.
    """
    d = as_of_date(as_of)
    if d.year < year:
        raise ValueError(
            f"数据截至日期 {d.date()} 早于评估年度 {year} / as-of date is before the report year"
        )
    return 12 if d.year > year else int(d.month)


def zone_monthly(funds: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return zone totals per reported month up to the as-of month: ``zone_id, month, funds_wan_yuan``.

    Only months that have at least one row appear (a missing month is not a zero
    here; :func:`complete_monthly` applies the zero / not-reported rule).
    """
    d = as_of_date(as_of)
    last = pd.Timestamp(year=d.year, month=d.month, day=1)
    f = funds[pd.to_datetime(funds["month"]) <= last]
    out = (
        f.assign(month=pd.to_datetime(f["month"]).dt.to_period("M").dt.to_timestamp())
        .groupby(["zone_id", "month"], sort=True, as_index=False)["funds_wan_yuan"]
        .sum()
    )
    return out


def complete_monthly(funds: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return each zone's monthly totals from the dataset's first month to its last reported month.

    Months without rows inside that span are zero funds (see the module rules);
    months after the zone's latest reported month are left out (not yet reported).
    Zones in :data:`schema.ZONES` order, months ascending.
    """
    zm = zone_monthly(funds, as_of)
    if zm.empty:
        return zm
    start = zm["month"].min()
    parts = []
    for zone_id in ZONES:
        g = zm[zm["zone_id"] == zone_id]
        if g.empty:
            continue
        idx = pd.date_range(start, g["month"].max(), freq="MS")
        s = g.set_index("month")["funds_wan_yuan"].reindex(idx, fill_value=0.0)
        parts.append(
            pd.DataFrame({"zone_id": zone_id, "month": idx, "funds_wan_yuan": s.to_numpy()})
        )
    return pd.concat(parts, ignore_index=True)


def reported_through(funds: pd.DataFrame, year: int, as_of: str | date) -> dict[str, int]:
    """Return zone id → latest month of *year* (≤ the as-of month) with any funds row; 0 if none."""
    last = as_of_month(year, as_of)
    m = pd.to_datetime(funds["month"])
    sel = funds[(m.dt.year == year) & (m.dt.month <= last)]
    got = sel.assign(_m=pd.to_datetime(sel["month"]).dt.month).groupby("zone_id")["_m"].max()
    return {z: int(got.get(z, 0)) for z in ZONES}


def _window_sum(
    funds: pd.DataFrame, zone_id: str, year: int, through: int, data_start: pd.Timestamp | None
) -> float:
    """Return the zone's funds in January..*through* of *year*; NaN if the data start later."""
    if through <= 0:
        return float("nan")
    if data_start is None or data_start > pd.Timestamp(year=year, month=1, day=1):
        return float("nan")
    m = pd.to_datetime(funds["month"])
    sel = (funds["zone_id"] == zone_id) & (m.dt.year == year) & (m.dt.month <= through)
    return float(funds.loc[sel, "funds_wan_yuan"].sum())


# --- Growth ---------------------------------------------------------------------------


def growth_rate(current: float, base: float) -> tuple[float, bool]:
    """Return ``(growth, defined)``: ``current / base - 1``, or ``(nan, False)`` if base is 0/missing."""
    if current is None or base is None:
        return float("nan"), False
    if not (math.isfinite(current) and math.isfinite(base)) or base <= 0:
        return float("nan"), False
    return current / base - 1.0, True


def format_growth(growth: float, defined: bool, base: float | None = None) -> str:
    """Return growth as ``+12.3%`` or the explicit undefined wording (never NaN / inf)."""
    if not defined or growth is None or not math.isfinite(growth):
        if base is None or (isinstance(base, float) and math.isnan(base)):
            return UNDEFINED_MISSING
        return UNDEFINED_ZERO
    return f"{growth * 100:+.1f}%"


def format_met(met) -> str:
    """Return 达标 / 未达标 / the reason it is not judged."""
    if met is None or (isinstance(met, float) and math.isnan(met)):
        return "不评判"
    return "达标" if bool(met) else "未达标"


def attainment(funds: pd.DataFrame, year: int, as_of: str | date, targets: Targets) -> pd.DataFrame:
    """Return funds-in-place attainment per zone (``schema.ZONES`` order).

    Columns: ``zone_id, year, through_month, funds_wan_yuan, base_wan_yuan,
    yoy_growth, growth_defined, target_growth, met``. Year to date (累计同比) for a
    year in progress; a late zone's ``through_month`` is its latest reported month
    and both years are summed over January..``through_month``. ``met`` is None when
    growth is undefined or in the plan's partial first year. See the module
    docstring for the rules.
    """
    through = reported_through(funds, year, as_of)
    data_start = pd.to_datetime(funds["month"]).min() if len(funds) else None
    rows = []
    for zone_id in ZONES:
        t = through[zone_id]
        cur = _window_sum(funds, zone_id, year, t, data_start)
        base = _window_sum(funds, zone_id, year - 1, t, data_start)
        g, ok = growth_rate(cur, base)
        target = float(targets.for_zone(zone_id, "funds_growth"))
        met = None
        if ok and not targets.is_partial_year(year):
            met = bool(g >= target - 1e-12)
        rows.append(
            {
                "zone_id": zone_id,
                "year": int(year),
                "through_month": int(t),
                "funds_wan_yuan": cur,
                "base_wan_yuan": base,
                "yoy_growth": g if ok else float("nan"),
                "growth_defined": bool(ok),
                "target_growth": target,
                "met": met,
            }
        )
    out = pd.DataFrame(rows, columns=ATTAINMENT_COLUMNS)
    out["met"] = out["met"].astype(object)
    return out


def late_zones(att: pd.DataFrame, year: int, as_of: str | date) -> list[str]:
    """Return zone ids whose latest reported month is before the as-of month (late submissions)."""
    last = as_of_month(year, as_of)
    return [z for z, t in zip(att["zone_id"], att["through_month"], strict=True) if t < last]


def window_label(through_month: int) -> str:
    """Return the Chinese period label: ``1—10月``, ``全年`` for 12, ``未报送`` for 0."""
    if through_month <= 0:
        return NOT_REPORTED
    if through_month == 12:
        return "全年（1—12月）"
    return "1月" if through_month == 1 else f"1—{through_month}月"


def attainment_table(att: pd.DataFrame, year: int, as_of: str | date, targets: Targets):
    """Return the page / CSV frame of :func:`attainment` with Chinese headers and explicit wording."""
    last = as_of_month(year, as_of)
    rows = []
    for r in att.itertuples(index=False):
        late = r.through_month < last
        status = "按时报送"
        if r.through_month == 0:
            status = f"{year}年尚无报送数据"
        elif late:
            status = f"迟报：截至 {last} 月仅报送至 {r.through_month} 月，按 {window_label(r.through_month)} 同口径比较"
        if targets.is_partial_year(year):
            judged = "首年基期，不评判"
        else:
            judged = format_met(r.met)
        rows.append(
            {
                "片区": zone_name(r.zone_id),
                "统计期": window_label(r.through_month),
                "到位资金（万元）": _round(r.funds_wan_yuan),
                "上年同期（万元）": _round(r.base_wan_yuan),
                "同比增长": format_growth(r.yoy_growth, r.growth_defined, r.base_wan_yuan),
                "目标增速": f"≥{r.target_growth * 100:.0f}%",
                "是否达标": judged,
                "报送情况": status,
            }
        )
    return pd.DataFrame(rows)


def _round(x, nd: int = 2):
    """Round a number for display, keeping NaN (shown as "—")."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    return round(float(x), nd)


# --- Breakdowns -----------------------------------------------------------------------


def origin_group(origin: str, detail: str | None) -> str:
    """Return the investor-origin group label; foreign investors are split by country."""
    if origin == "foreign":
        country = str(detail).strip() if isinstance(detail, str) and detail.strip() else "未注明"
        return f"境外·{country}"
    return INVESTOR_ORIGINS.get(origin, str(origin))


def size_class(contracted_wan_yuan: float) -> str:
    """Return the size-class label of a project's contracted amount (万元)."""
    if contracted_wan_yuan is None or not math.isfinite(float(contracted_wan_yuan)):
        return "金额未知"
    label = SIZE_CLASSES[0][1]
    for lower, name in SIZE_CLASSES:
        if float(contracted_wan_yuan) >= lower:
            label = name
    return label


def _category_order(by: str) -> list[str]:
    """Return the display order of the categories of breakdown *by*."""
    if by == "cluster":
        return list(ALL_CLUSTERS.values())
    if by == "origin":
        return [v for k, v in INVESTOR_ORIGINS.items() if k != "foreign"]
    return [name for _, name in SIZE_CLASSES]


def _categorize(projects: pd.DataFrame, by: str) -> pd.Series:
    """Return project id → category label for breakdown *by* (cluster, origin or size)."""
    p = projects.set_index("project_id")
    if by == "cluster":
        return p["cluster"].map(lambda c: ALL_CLUSTERS.get(c, str(c)))
    if by == "origin":
        detail = p["origin_detail"] if "origin_detail" in p else pd.Series(None, index=p.index)
        return pd.Series(
            [origin_group(o, d) for o, d in zip(p["origin"], detail, strict=True)], index=p.index
        )
    if by == "size":
        return p["contracted_wan_yuan"].map(size_class)
    raise KeyError(f"unknown breakdown {by!r}")


def _ytd_by_project(funds: pd.DataFrame, year: int, through: dict[str, int]) -> pd.DataFrame:
    """Return ``zone_id, project_id, funds_wan_yuan`` summed over each zone's Jan..through window."""
    m = pd.to_datetime(funds["month"])
    lim = funds["zone_id"].map(through).fillna(0)
    sel = funds[(m.dt.year == year) & (m.dt.month <= lim)]
    return sel.groupby(["zone_id", "project_id"], as_index=False, sort=True)["funds_wan_yuan"].sum()


def _ytd_by_project_both(
    funds: pd.DataFrame, att: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return :func:`_ytd_by_project` for *att*'s year and the base year, same windows as *att*."""
    year = int(att["year"].iloc[0])
    through = dict(zip(att["zone_id"], att["through_month"], strict=True))
    return _ytd_by_project(funds, year, through), _ytd_by_project(funds, year - 1, through)


def breakdown(
    funds: pd.DataFrame,
    projects: pd.DataFrame,
    att: pd.DataFrame,
    by: str,
) -> pd.DataFrame:
    """Return funds in place per zone and category (*by*: ``cluster``, ``origin`` or ``size``).

    Uses the same January..``through_month`` window as *att* for the year and the
    base year. Columns ``zone_id, category, funds_wan_yuan, base_wan_yuan,
    yoy_growth, growth_defined, share`` (share of the zone's funds this year).
    """
    cats = _categorize(projects, by)
    cur, base = _ytd_by_project_both(funds, att)
    order = _category_order(by)
    rows = []
    for zone_id in ZONES:
        c = cur[cur["zone_id"] == zone_id]
        b = base[base["zone_id"] == zone_id]
        csum = c.groupby(c["project_id"].map(cats).fillna("台账未登记"))["funds_wan_yuan"].sum()
        bsum = b.groupby(b["project_id"].map(cats).fillna("台账未登记"))["funds_wan_yuan"].sum()
        present = set(csum.index) | set(bsum.index)
        known = [k for k in order if k in present]
        extra = sorted(present - set(order))
        total = float(csum.sum())
        for cat in known + extra:
            fc, fb = float(csum.get(cat, 0.0)), float(bsum.get(cat, 0.0))
            g, ok = growth_rate(fc, fb)
            rows.append(
                {
                    "zone_id": zone_id,
                    "category": cat,
                    "funds_wan_yuan": fc,
                    "base_wan_yuan": fb,
                    "yoy_growth": g,
                    "growth_defined": ok,
                    "share": fc / total if total > 0 else float("nan"),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "zone_id",
            "category",
            "funds_wan_yuan",
            "base_wan_yuan",
            "yoy_growth",
            "growth_defined",
            "share",
        ],
    )


def breakdown_table(bd: pd.DataFrame, label: str) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`breakdown` with Chinese headers (*label*: category header)."""
    return pd.DataFrame(
        {
            "片区": bd["zone_id"].map(zone_name),
            label: bd["category"],
            "到位资金（万元）": bd["funds_wan_yuan"].round(2),
            "上年同期（万元）": bd["base_wan_yuan"].round(2),
            "同比增长": _growth_cells(bd["yoy_growth"], bd["growth_defined"], bd["base_wan_yuan"]),
            "占片区比重": [_fmt_share(s) for s in bd["share"]],
        }
    )


def _growth_cells(growth, defined, base) -> list[str]:
    """Return :func:`format_growth` of each (growth, defined, base) triple of three columns."""
    return [format_growth(g, ok, b) for g, ok, b in zip(growth, defined, base, strict=True)]


def _fmt_share(s: float) -> str:
    """Return a share as ``12.3%`` or "—"."""
    return "—" if s is None or not math.isfinite(s) else f"{s * 100:.1f}%"


# --- Concentration --------------------------------------------------------------------


def concentration_measures(amounts) -> dict:
    """Return ``n``, ``top1_share``, ``top3_share`` and ``hhi`` (0–10 000) of positive *amounts*.

    HHI is the sum of squared percentage shares (10 000 = a single project).
    Shares are NaN when the total is zero.
    """
    a = np.sort(np.asarray([x for x in amounts if x > 0], dtype=float))[::-1]
    total = a.sum()
    if a.size == 0 or total <= 0:
        nan = float("nan")
        return {"n": 0, "top1_share": nan, "top3_share": nan, "hhi": nan}
    s = a / total
    return {
        "n": int(a.size),
        "top1_share": float(s[0]),
        "top3_share": float(s[:3].sum()),
        "hhi": float(((s * 100) ** 2).sum()),
    }


def concentration(
    funds: pd.DataFrame, projects: pd.DataFrame | None, att: pd.DataFrame
) -> pd.DataFrame:
    """Return per zone the concentration of this year's funds and growth without the top project.

    Columns ``zone_id, n_projects, top1_project_id, top1_name, top1_share,
    top3_share, hhi, growth_ex_top1, growth_ex_top1_defined, base_ex_top1,
    top1_increase_share``: growth excluding the largest project compares the zone's
    funds minus that project in both periods; ``top1_increase_share`` is that
    project's share of the year-on-year increase (NaN when funds did not increase).
    """
    cur, base = _ytd_by_project_both(funds, att)
    names = {}
    if projects is not None and len(projects):
        names = dict(zip(projects["project_id"], projects["name"], strict=True))
    rows = []
    for r in att.itertuples(index=False):
        c = cur[cur["zone_id"] == r.zone_id].sort_values(
            ["funds_wan_yuan", "project_id"], ascending=[False, True], kind="stable"
        )
        meas = concentration_measures(c["funds_wan_yuan"])
        top = str(c["project_id"].iloc[0]) if meas["n"] else None
        g, ok, base_ex = float("nan"), False, float("nan")
        top_inc_share = float("nan")
        if top is not None:
            b = base[base["zone_id"] == r.zone_id]
            cur_ex = float(c.loc[c["project_id"] != top, "funds_wan_yuan"].sum())
            base_ex = r.base_wan_yuan - float(b.loc[b["project_id"] == top, "funds_wan_yuan"].sum())
            g, ok = growth_rate(cur_ex, base_ex)
            increase = float(c["funds_wan_yuan"].sum()) - r.base_wan_yuan
            top_increase = float(c["funds_wan_yuan"].iloc[0]) - (r.base_wan_yuan - base_ex)
            if math.isfinite(increase) and increase > 0:
                top_inc_share = top_increase / increase
        rows.append(
            {
                "zone_id": r.zone_id,
                "n_projects": meas["n"],
                "top1_project_id": top,
                "top1_name": names.get(top) if top is not None else None,
                "top1_share": meas["top1_share"],
                "top3_share": meas["top3_share"],
                "hhi": meas["hhi"],
                "growth_ex_top1": g,
                "growth_ex_top1_defined": ok,
                "base_ex_top1": base_ex,
                "top1_increase_share": top_inc_share,
            }
        )
    return pd.DataFrame(rows)


def concentration_table(conc: pd.DataFrame, att: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`concentration` with Chinese headers."""
    growth = dict(
        zip(
            att["zone_id"],
            _growth_cells(att["yoy_growth"], att["growth_defined"], att["base_wan_yuan"]),
            strict=True,
        )
    )
    return pd.DataFrame(
        {
            "片区": conc["zone_id"].map(zone_name),
            "有到位资金的项目数": conc["n_projects"],
            "最大项目": [
                "—" if pid is None else f"{name or ''}（{pid}）".lstrip()
                for pid, name in zip(conc["top1_project_id"], conc["top1_name"], strict=True)
            ],
            "最大项目占比": [_fmt_share(s) for s in conc["top1_share"]],
            "前三项目占比": [_fmt_share(s) for s in conc["top3_share"]],
            "赫芬达尔指数（HHI）": conc["hhi"].round(0),
            "同比增长": conc["zone_id"].map(growth),
            "剔除最大项目后同比增长": _growth_cells(
                conc["growth_ex_top1"], conc["growth_ex_top1_defined"], conc["base_ex_top1"]
            ),
        }
    )


# --- Landing speed --------------------------------------------------------------------


@dataclass(frozen=True)
class LandingConfig:
    """Days in a stage after which a project counts as stalled (项目推进滞缓)."""

    stall_days_signed: int = 180
    stall_days_construction: int = 730


def load_landing_config(data_dir: str | Path | None = None) -> LandingConfig:
    """Read ``config/investment.yaml`` (``landing:`` section) under *data_dir*; defaults if absent."""
    path = config_path("investment.yaml", data_dir)
    if not path.exists():
        return LandingConfig()
    doc = read_yaml(path) or {}
    section = doc.get("landing") or {}
    kw = {}
    for key in ("stall_days_signed", "stall_days_construction"):
        if key in section:
            v = section[key]
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ConfigError(
                    f"{path}: landing.{key} 应为正整数（天）/ must be a positive whole number of days, got {v!r}"
                )
            kw[key] = v
    unknown = set(section) - {"stall_days_signed", "stall_days_construction"}
    if unknown:
        raise ConfigError(f"{path}: landing 中有未知键 / unknown keys: {sorted(unknown)}")
    return LandingConfig(**kw)


def _known_by(projects: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return projects signed by *as_of* with stage dates after *as_of* blanked (not yet known)."""
    d = as_of_date(as_of)
    p = projects.copy()
    for col in ("signed", "construction_started", "in_production"):
        p[col] = pd.to_datetime(p[col]) if col in p else pd.NaT
        p.loc[p[col] > d, col] = pd.NaT
    return p[p["signed"].notna()].reset_index(drop=True)


def landing_funnel(projects: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return the signed → construction → production funnel per zone and signing year.

    Counts stages reached by *as_of* and the median days signed → construction
    started and construction started → in production (NaN when no project reached
    the stage). Columns ``zone_id, signed_year, signed, started, producing,
    median_days_to_start, median_days_to_production``.
    """
    p = _known_by(projects, as_of)
    p["signed_year"] = p["signed"].dt.year
    p["d_start"] = (p["construction_started"] - p["signed"]).dt.days
    p["d_prod"] = (p["in_production"] - p["construction_started"]).dt.days
    rows = []
    for zone_id in ZONES:
        z = p[p["zone_id"] == zone_id]
        for yr in sorted(z["signed_year"].unique()):
            g = z[z["signed_year"] == yr]
            ds, dp = g["d_start"].dropna(), g["d_prod"].dropna()
            rows.append(
                {
                    "zone_id": zone_id,
                    "signed_year": int(yr),
                    "signed": len(g),
                    "started": int(g["construction_started"].notna().sum()),
                    "producing": int(g["in_production"].notna().sum()),
                    "median_days_to_start": float(ds.median()) if len(ds) else float("nan"),
                    "median_days_to_production": float(dp.median()) if len(dp) else float("nan"),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "zone_id",
            "signed_year",
            "signed",
            "started",
            "producing",
            "median_days_to_start",
            "median_days_to_production",
        ],
    )


def stalled_projects(
    projects: pd.DataFrame, as_of: str | date, config: LandingConfig | None = None
) -> pd.DataFrame:
    """Return projects stuck in a stage longer than the configured days at *as_of*.

    Signed but not started for more than ``stall_days_signed`` days, or started but
    not in production for more than ``stall_days_construction`` days. Columns
    ``zone_id, project_id, name, stage, since, days``; zone order, then longest first.
    """
    cfg = config or LandingConfig()
    d = as_of_date(as_of)
    p = _known_by(projects, as_of)
    not_started = p["construction_started"].isna()
    building = p["construction_started"].notna() & p["in_production"].isna()
    a = p[not_started].assign(stage="已签约未开工", since=lambda x: x["signed"])
    b = p[building].assign(stage="已开工未投产", since=lambda x: x["construction_started"])
    a = a[(d - a["since"]).dt.days > cfg.stall_days_signed]
    b = b[(d - b["since"]).dt.days > cfg.stall_days_construction]
    out = pd.concat([a, b], ignore_index=True)
    out["days"] = (d - out["since"]).dt.days.astype(int)
    out["_z"] = out["zone_id"].map(ZONE_ORDER)
    out = out.sort_values(
        ["_z", "days", "project_id"], ascending=[True, False, True], kind="stable"
    )
    return out[["zone_id", "project_id", "name", "stage", "since", "days"]].reset_index(drop=True)


# --- Narrative and summary ------------------------------------------------------------


def _pct(x: float) -> str:
    """Return a rate as ``12.3%`` with sign only when negative."""
    return f"{x * 100:.1f}%"


def _prob(p: float) -> str:
    """Return a probability in words: ``约为83%``, ``不足1%``, ``超过99%`` or ``无法计算``."""
    if p is None or not math.isfinite(p):
        return "无法计算（上年全年无数据）"
    if p < 0.005:
        return "不足1%"
    if p > 0.995:
        return "超过99%"
    return f"约为{p * 100:.0f}%"


def narrative(
    att: pd.DataFrame,
    targets: Targets,
    *,
    late: list[str] | None = None,
    projections: dict[str, dict] | None = None,
    conc: pd.DataFrame | None = None,
    stalled_counts: dict[str, int] | None = None,
    landing: LandingConfig | None = None,
) -> list[str]:
    """Return Chinese sentences describing the computed numbers, one or more per zone.

    *projections* maps zone id → a projection dict (``point``, ``lo80``, ``hi80``,
    ``p_target``, ``model_label``); every projected figure is called 预测.
    Zone names come from the schema, numbers from the inputs: no hand-typed figures.
    """
    late = late or []
    out = []
    for r in att.itertuples(index=False):
        name = zone_name(r.zone_id)
        if r.through_month == 0:
            out.append(f"{name}{r.year}年尚未报送到位资金数据，无法评价。")
            continue
        period = "全年" if r.through_month == 12 else f"{window_label(r.through_month)}累计"
        s = f"{name}{r.year}年{period}到位资金{r.funds_wan_yuan:,.0f}万元"
        if r.growth_defined:
            verb = "增长" if r.yoy_growth >= 0 else "下降"
            s += f"，同比{verb}{_pct(abs(r.yoy_growth))}"
            if targets.is_partial_year(r.year):
                s += f"（{r.year}年为行动计划实施首年，作为基期展示，不评判是否达标）"
            elif r.met:
                s += f"，达到不低于{_pct(r.target_growth)}的目标"
            else:
                s += f"，未达到不低于{_pct(r.target_growth)}的目标"
        elif math.isnan(r.base_wan_yuan):
            s += "，上年同期无数据，同比增速无法计算"
        else:
            s += "，上年同期到位资金为零，同比增速无法计算"
        if r.zone_id in late:
            s += f"（迟报：仅报送至{r.through_month}月，按同口径比较）"
        out.append(s + "。")
        if projections and r.zone_id in projections and projections[r.zone_id] is not None:
            pr = projections[r.zone_id]
            out.append(
                f"按{pr['model_label']}预测，{name}全年到位资金预测值约{pr['point']:,.0f}万元"
                f"（80%预测区间{pr['lo80']:,.0f}—{pr['hi80']:,.0f}万元），"
                f"全年同比增长达到{_pct(r.target_growth)}的概率{_prob(pr['p_target'])}（预测）。"
            )
        if conc is not None:
            c = conc[conc["zone_id"] == r.zone_id]
            if len(c) and c["n_projects"].iloc[0] > 0:
                c0 = c.iloc[0]
                s2 = f"{name}最大单个项目占到位资金的{_pct(c0['top1_share'])}，前三个项目占{_pct(c0['top3_share'])}"
                if c0["growth_ex_top1_defined"] and r.growth_defined:
                    s2 += f"；剔除最大项目后同比增速为{c0['growth_ex_top1'] * 100:+.1f}%"
                    inc = c0["top1_increase_share"]
                    if math.isfinite(inc) and inc >= 1.0:
                        s2 += (
                            "，同比增量全部来自该项目（其余项目合计持平或下降），增长依赖单个大项目"
                        )
                    elif math.isfinite(inc) and inc > 0.5:
                        s2 += f"，该项目贡献了同比增量的{_pct(inc)}，增长主要依赖单个大项目"
                    if r.yoy_growth >= r.target_growth > c0["growth_ex_top1"]:
                        s2 += "；若无该项目，将达不到增长目标"
                out.append(s2 + "。")
        if stalled_counts is not None:
            k = int(stalled_counts.get(r.zone_id, 0))
            cfg = landing or LandingConfig()
            if k:
                out.append(
                    f"{name}有{k}个项目推进滞缓（签约超过{cfg.stall_days_signed}天未开工"
                    f"或开工超过{cfg.stall_days_construction}天未投产），名单见第五部分。"
                )
    return out


def backtest_sentence(summary: pd.DataFrame, chosen: str, years: list[int]) -> str:
    """Return a Chinese sentence on the chosen model's backtest error and interval coverage.

    Coverage more than 10 points below the nominal 80 % / 95 % is called out: the
    projection intervals are then too narrow and should be read with caution.
    """
    s = summary[summary["model"] == chosen]
    if s.empty or int(s["n"].iloc[0]) == 0:
        return "历史数据不足，预测模型未能回测，预测结果仅供参考。"
    r = s.iloc[0]
    span = "、".join(str(y) for y in years)
    text = (
        f"{projection.MODELS[chosen]}在{span}年的{int(r['n'])}次回测中，全年合计的平均绝对百分比误差为"
        f"{_pct(r['mape'])}，80%预测区间实际覆盖{_pct(r['coverage80'])}，"
        f"95%预测区间实际覆盖{_pct(r['coverage95'])}"
    )
    if r["coverage80"] < 0.70 or r["coverage95"] < 0.85:
        text += "，低于名义水平，预测区间可能偏窄，达标概率应审慎解读"
    return text + "。"


def summary_part(att: pd.DataFrame) -> dict:
    """Return the ``investment`` summary part: per zone funds, growth (None if undefined), met."""
    zones = {}
    for r in att.itertuples(index=False):
        zones[r.zone_id] = {
            "funds_in_place_wan_yuan": None
            if math.isnan(r.funds_wan_yuan)
            else round(float(r.funds_wan_yuan), 2),
            "funds_yoy_growth": round(float(r.yoy_growth), 6) if r.growth_defined else None,
            "funds_through_month": int(r.through_month),
            "targets_met": {"funds_growth": None if r.met is None else bool(r.met)},
        }
    return {"zones": zones}


# --- Page glue: period wording, projections and backtest for the report year ------------


def period_note(year: int, as_of: str | date) -> str:
    """Return the sentence stating which months are compared (累计同比 for a year in progress)."""
    last = as_of_month(year, as_of)
    if last == 12:
        return f"{year}年全年数据已齐：比较{year}年1—12月与{year - 1}年1—12月的到位资金合计。"
    return (
        f"{year}年尚在进行中，按统计惯例采用累计同比：比较{year}年{window_label(last)}"
        f"累计到位资金与{year - 1}年同期（{window_label(last)}）累计到位资金。"
        "未报送截至月份数据的片区（迟报）按其已报送月份同口径比较，并在表中标明。"
    )


def backtest_years(monthly: pd.DataFrame, year: int, as_of: str | date) -> list[int]:
    """Return the complete years up to *year* (as of *as_of*) that have a full previous year.

    A year is complete when all twelve months are on or before the as-of month.
    """
    if monthly.empty:
        return []
    first = int(monthly["month"].min().year)
    last_complete = year if as_of_month(year, as_of) == 12 else year - 1
    return list(range(first + 1, last_complete + 1))


def project_year(
    monthly: pd.DataFrame,
    att: pd.DataFrame,
    *,
    models: tuple[str, ...] | None = None,
    n_sims: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Return year-end projections (预测) per zone and model for a year in progress.

    Each zone is projected from its own latest reported month (``through_month``).
    ``target_total`` is (1 + target growth) × the previous year's twelve-month total;
    ``p_target`` the simulated probability of reaching it. Zones whose year is
    complete or not reported, and models not estimable on the history, are left out.
    """
    models = models or tuple(projection.MODELS)
    year = int(att["year"].iloc[0])
    kw = {"n_sims": n_sims} if n_sims else {}
    rows = []
    for r in att.itertuples(index=False):
        if not 1 <= r.through_month < 12:
            continue
        g = monthly[monthly["zone_id"] == r.zone_id]
        s = g.set_index("month")["funds_wan_yuan"]
        prev = s[s.index.year == year - 1]
        prev_total = float(prev.sum()) if len(prev) == 12 else float("nan")
        target_total = (1 + r.target_growth) * prev_total if prev_total > 0 else None
        for model in models:
            res = projection.project(
                s, year, r.through_month, model, target_total=target_total, seed=seed, **kw
            )
            if res is None:
                continue
            rows.append(
                {
                    "zone_id": r.zone_id,
                    "model": model,
                    "through_month": r.through_month,
                    "ytd_wan_yuan": r.funds_wan_yuan,
                    "prev_total_wan_yuan": prev_total,
                    "target_total_wan_yuan": np.nan if target_total is None else target_total,
                    **res,
                }
            )
    cols = [
        "zone_id",
        "model",
        "through_month",
        "ytd_wan_yuan",
        "prev_total_wan_yuan",
        "target_total_wan_yuan",
        "point",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
        "p_target",
    ]
    return pd.DataFrame(rows, columns=cols)


def _whole(s: pd.Series) -> pd.Series:
    """Return *s* rounded to whole numbers as a nullable integer column (missing stays missing)."""
    return s.round(0).astype("Int64")


def projection_table(pj: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`project_year`; every value is labelled 预测.

    Projected amounts are shown in whole 万元: more digits would suggest a precision
    a simulation-based projection does not have.
    """
    return pd.DataFrame(
        {
            "片区": pj["zone_id"].map(zone_name),
            "预测模型": pj["model"].map(projection.MODELS),
            "选用模型": ["是" if m == chosen else "否（对比）" for m in pj["model"]],
            "已报送至": pj["through_month"].map(lambda m: f"{m}月"),
            "实际累计（万元）": pj["ytd_wan_yuan"].round(2),
            "上年全年（万元）": _whole(pj["prev_total_wan_yuan"]),
            "达标所需全年（万元）": _whole(pj["target_total_wan_yuan"]),
            "全年预测值（万元）": _whole(pj["point"]),
            "80%预测区间下限（万元）": _whole(pj["lo80"]),
            "80%预测区间上限（万元）": _whole(pj["hi80"]),
            "95%预测区间下限（万元）": _whole(pj["lo95"]),
            "95%预测区间上限（万元）": _whole(pj["hi95"]),
            "达到目标的概率（预测）": [_fmt_share(p) for p in pj["p_target"]],
        }
    )


def backtest_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of a backtest summary (per model, optionally per zone/month)."""
    out = pd.DataFrame({"预测模型": summary["model"].map(projection.MODELS)})
    if "zone_id" in summary:
        out.insert(0, "片区", summary["zone_id"].map(zone_name))
    if "origin_month" in summary:
        out["预测起点（已知月份）"] = summary["origin_month"].map(lambda m: f"1—{m}月")
    out["回测次数"] = summary["n"].astype(int)
    out["平均绝对百分比误差"] = [_fmt_share(x) for x in summary["mape"]]
    out["80%区间覆盖率"] = [_fmt_share(x) for x in summary["coverage80"]]
    out["95%区间覆盖率"] = [_fmt_share(x) for x in summary["coverage95"]]
    return out


def backtest_by(bt: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return backtest error and coverage per model and *by* (``zone_id`` or ``origin_month``)."""
    if bt.empty:
        return pd.DataFrame(columns=["model", by, "n", "mape", "coverage80", "coverage95"])
    keys = list(ZONES) if by == "zone_id" else sorted(bt[by].unique())
    rows = []
    for model in projection.MODELS:
        for k in keys:
            g = bt[(bt["model"] == model) & (bt[by] == k)]
            if g.empty:
                continue
            rows.append(
                {
                    "model": model,
                    by: k,
                    "n": len(g),
                    "mape": float(g["ape"].mean()),
                    "coverage80": float(g["in80"].mean()),
                    "coverage95": float(g["in95"].mean()),
                }
            )
    return pd.DataFrame(rows)


def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`landing_funnel` with Chinese headers."""

    def days(x):
        return "—" if x is None or not math.isfinite(x) else f"{x:.0f}"

    return pd.DataFrame(
        {
            "片区": funnel["zone_id"].map(zone_name),
            "签约年份": funnel["signed_year"].astype(int),
            "签约项目（个）": funnel["signed"].astype(int),
            "已开工（个）": funnel["started"].astype(int),
            "已投产（个）": funnel["producing"].astype(int),
            "开工率": [
                _fmt_share(s / n if n else float("nan"))
                for s, n in zip(funnel["started"], funnel["signed"], strict=True)
            ],
            "投产率": [
                _fmt_share(p / n if n else float("nan"))
                for p, n in zip(funnel["producing"], funnel["signed"], strict=True)
            ],
            "签约至开工中位天数": funnel["median_days_to_start"].map(days),
            "开工至投产中位天数": funnel["median_days_to_production"].map(days),
        }
    )


def stalled_table(stalled: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`stalled_projects` with Chinese headers."""
    return pd.DataFrame(
        {
            "片区": stalled["zone_id"].map(zone_name),
            "项目编号": stalled["project_id"].astype(str),
            "项目名称": stalled["name"].astype(str),
            "所处阶段": stalled["stage"],
            "进入该阶段日期": pd.to_datetime(stalled["since"]).dt.strftime("%Y-%m-%d"),
            "停留天数": stalled["days"].astype(int),
        }
    )
