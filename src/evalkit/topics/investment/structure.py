"""Where the funds come from: breakdowns, concentration and landing speed (到位资金结构与项目落地).

- **Breakdowns** split each zone's funds in place by industry cluster, investor
  origin (foreign investors by country) or project size class, over the same
  January..``through_month`` windows as :func:`.funds.attainment`.
- **Concentration** measures how much of a zone's funds come from its largest
  projects (top-1 / top-3 shares, Herfindahl–Hirschman index) and the growth
  without the largest project.
- **Landing speed** follows each project signed → construction started → in
  production as known at the as-of date; projects stuck in a stage longer than the
  days configured in ``data/config/investment.yaml`` (``landing:``) are stalled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.config import ConfigError, config_path, read_yaml
from evalkit.core.period import to_timestamp
from evalkit.schema import ALL_CLUSTERS, INVESTOR_ORIGINS, ZONE_ORDER, ZONES

from .funds import growth_rate, ytd_by_project_both

#: Project size classes by contracted amount (万元): (lower bound inclusive, label).
SIZE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "5000万元以下"),
    (5_000.0, "5000万—1亿元"),
    (10_000.0, "1亿—10亿元"),
    (100_000.0, "10亿元及以上"),
)

#: The breakdowns shown on the page: key → category header.
BREAKDOWNS: dict[str, str] = {
    "cluster": "产业集群",
    "origin": "投资方来源",
    "size": "项目规模（签约额）",
}


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
    cur, base = ytd_by_project_both(funds, att)
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
    cur, base = ytd_by_project_both(funds, att)
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


#: Small-base threshold (万元) when ``investment.yaml`` has no ``growth.min_base_wan_yuan``:
#: growth on a smaller positive base is shown as "基数过小" (:mod:`.wording`).
MIN_BASE_WAN_YUAN = 500.0


def load_min_base(data_dir: str | Path | None = None) -> float:
    """Return ``growth.min_base_wan_yuan`` of ``config/investment.yaml`` (万元); default if absent.

    Raises ConfigError when it is not a non-negative number or the section has unknown keys.
    """
    path = config_path("investment.yaml", data_dir)
    if not path.exists():
        return MIN_BASE_WAN_YUAN
    section = (read_yaml(path) or {}).get("growth") or {}
    unknown = set(section) - {"min_base_wan_yuan"}
    if unknown:
        raise ConfigError(f"{path}: growth 中有未知键 / unknown keys: {sorted(unknown)}")
    v = section.get("min_base_wan_yuan", MIN_BASE_WAN_YUAN)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        raise ConfigError(
            f"{path}: growth.min_base_wan_yuan 应为非负数（万元）/ must be a non-negative number, got {v!r}"
        )
    return float(v)


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
    d = to_timestamp(as_of)
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
    d = to_timestamp(as_of)
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
