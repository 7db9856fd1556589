"""Special-topic evaluation: reform replication and original innovation (plan §三(一)).

The plan's first hard target: every zone, every year, replicates at least 20 FTZ
reform pilot experiences and creates at least 3 of its own (targets come from
``data/config/targets.yaml`` via :func:`evalkit.config.load_targets`).

Counting rule (stated on the page too)
--------------------------------------
The ledger (curated table ``reform_items``) is read *as of* a date, so a report
for an earlier year re-creates what was known then:

1. An item **counts in the calendar year it takes effect**: status ``in_effect``
   and ``effective`` on or before the as-of date. The year it was adopted does
   not matter, so an item adopted in November and in effect in February counts
   in the later year.
2. Items adopted on or before the as-of date that have not taken effect by then
   (status ``in_progress``, or an ``effective`` date after the as-of date) are the
   **pipeline**: shown separately, never counted.
3. **Duplicates**: replicated items of one zone with the same
   ``source_experience`` (exact text after trimming blanks) count **once** — the
   first to take effect (ties: earlier ``adopted``, then ``item_id``). The others
   are listed as duplicates, also across years. Replicated items without a
   ``source_experience`` cannot be matched and each count.
4. Items adopted after the as-of date are ignored.
5. The plan's first year (2024; the plan was issued in September) is a partial
   year: its counts are shown as the baseline and not scored (``met_*`` is None).
   The whole calendar year is counted.

All functions are pure (no I/O); the notebook ``notebooks/reforms.ipynb`` loads,
calls them, shows and saves.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .config import Targets
from .schema import (
    ORIGINALITY,
    POLICY_DOMAINS,
    REFORM_KINDS,
    REFORM_SOURCES,
    REFORM_STATUSES,
    ZONE_ORDER,
    ZONES,
    zone_name,
)

KINDS: tuple[str, str] = ("replicated", "original")
#: Target key in :class:`evalkit.config.Targets` for each item kind.
TARGET_KEY = {"replicated": "reforms_replicated", "original": "reforms_original"}

ATTAINMENT_COLUMNS = [
    "zone_id",
    "year",
    "replicated",
    "original",
    "target_replicated",
    "target_original",
    "met_replicated",
    "met_original",
    "gap_replicated",
    "gap_original",
    "partial_year",
    "in_progress",
]

_REQUIRED = ("item_id", "zone_id", "kind", "adopted", "effective", "status")


# --- Helpers ---------------------------------------------------------------------


def counting_rule(targets: Targets) -> str:
    """Return the counting rule in Chinese, with the plan dates taken from *targets*."""
    first, issued = targets.first_year, targets.plan_issued
    return (
        "计数规则：事项计入其“落地见效日期”所在年度（状态为已落地见效，且落地见效日期不晚于数据截至日），"
        "与启动年度无关；截至日已启动但尚未落地见效的事项列为“推进中”，单独展示，不计入；"
        "同一片区重复复制同一来源经验（名称或编号相同）的，只计最先落地见效的一条，其余列为重复事项，跨年度亦然；"
        "截至日之后才启动的事项不计。"
        f"{first} 年为行动计划实施首年（计划于 {date_zh(issued)}印发），按全年统计，"
        "作为基线展示，不按全年目标考核。"
    )


def to_timestamp(as_of: str | date | pd.Timestamp) -> pd.Timestamp:
    """Return *as_of* (``"YYYY-MM-DD"``, date or Timestamp) as a midnight Timestamp."""
    return pd.Timestamp(as_of).normalize()


def same_day(as_of: str | date | pd.Timestamp, year: int) -> pd.Timestamp:
    """Return the as-of month and day in *year* (29 February becomes the 28th)."""
    ts = to_timestamp(as_of)
    try:
        return ts.replace(year=int(year))
    except ValueError:
        return ts.replace(year=int(year), day=28)


def date_zh(d: str | date | pd.Timestamp) -> str:
    """Format a date the Chinese way, e.g. ``2026年10月31日``."""
    ts = to_timestamp(d)
    return f"{ts.year}年{ts.month}月{ts.day}日"


def year_in_progress(year: int, as_of: str | date | pd.Timestamp) -> bool:
    """Return True when *as_of* falls before the last day of *year*."""
    return to_timestamp(as_of) < pd.Timestamp(int(year), 12, 31)


def remaining_months(year: int, as_of: str | date | pd.Timestamp) -> float:
    """Return the months left in *year* after *as_of* (days left ÷ average month length).

    ``2026-10-31`` leaves 61 days, i.e. 2.0 months; at or after year end it is 0.
    """
    ts = to_timestamp(as_of)
    end = pd.Timestamp(int(year), 12, 31)
    days_in_year = 366 if pd.Timestamp(int(year), 1, 1).is_leap_year else 365
    left = max((end - ts).days, 0)
    return left / (days_in_year / 12)


def _check_columns(items: pd.DataFrame) -> None:
    """Raise a bilingual error naming the missing ledger columns."""
    missing = [c for c in _REQUIRED if c not in items.columns]
    if missing:
        raise KeyError(f"改革事项台账 reform_items 缺少列 / missing columns: {missing}")


# --- Classification and attainment ---------------------------------------------------


def classify_items(items: pd.DataFrame, as_of: str | date | pd.Timestamp) -> pd.DataFrame:
    """Classify every ledger row as of *as_of*; return a copy with three added columns.

    - ``count_status``: ``counted``, ``duplicate``, ``pipeline`` or ``after_as_of``
      (see the module docstring for the counting rule);
    - ``count_year``: the year the item took effect (counted and duplicate rows,
      else missing);
    - ``duplicate_of``: for a duplicate — or a pipeline item repeating an
      experience already counted — the ``item_id`` of the counted item.

    Raises ``ValueError`` naming the items whose status is in effect but whose
    effective date is missing.
    """
    _check_columns(items)
    ts = to_timestamp(as_of)
    df = items.copy().reset_index(drop=True)
    for col in ("adopted", "effective", "source_published"):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col])
    if "source_experience" not in df.columns:
        df["source_experience"] = pd.NA

    in_effect = df["status"].eq("in_effect")
    bad = df.loc[in_effect & df["effective"].isna(), "item_id"]
    if len(bad):
        raise ValueError(
            "改革事项台账 reform_items 列 effective（落地见效日期）：状态为已落地见效但日期缺失 / "
            f"status in_effect without an effective date, item_id: {sorted(map(str, bad))}"
        )
    took_effect = in_effect & (df["effective"] <= ts)
    adopted_by = df["adopted"] <= ts
    status = np.where(took_effect, "counted", np.where(adopted_by, "pipeline", "after_as_of"))
    df["count_status"] = pd.Series(status, index=df.index, dtype=object)
    df["count_year"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    df.loc[took_effect, "count_year"] = df.loc[took_effect, "effective"].dt.year.astype("Int64")
    df["duplicate_of"] = pd.Series(pd.NA, index=df.index, dtype=object)

    exp = df["source_experience"].astype(object).where(df["source_experience"].notna())
    exp = exp.map(lambda s: s.strip() if isinstance(s, str) else s)
    exp = exp.where(exp.map(lambda s: isinstance(s, str) and s != ""))
    matchable = df["kind"].eq("replicated") & exp.notna()
    key = df["zone_id"].astype(str) + "\x1f" + exp.fillna("").astype(str)

    eff = df[took_effect & matchable].assign(_key=key)
    eff = eff.sort_values(["effective", "adopted", "item_id"], kind="stable")
    first = eff.drop_duplicates("_key", keep="first").set_index("_key")["item_id"]
    dups = eff.index[eff.duplicated("_key", keep="first")]
    df.loc[dups, "count_status"] = "duplicate"
    df.loc[dups, "duplicate_of"] = key[dups].map(first).values
    pipe_rep = df.index[df["count_status"].eq("pipeline") & matchable & key.isin(first.index)]
    df.loc[pipe_rep, "duplicate_of"] = key[pipe_rep].map(first).values
    return df


def attainment(
    items: pd.DataFrame,
    year: int,
    as_of: str | date,
    targets: Targets,
) -> pd.DataFrame:
    """Return per-zone attainment of the yearly reform targets for *year*, as of *as_of*.

    One row per zone in :data:`evalkit.schema.ZONES` order (zones without items
    included with zero counts). Columns: ``zone_id, year, replicated, original,
    target_replicated, target_original, met_replicated, met_original,
    gap_replicated, gap_original, partial_year, in_progress``.

    Counting rule: an item counts in the year it takes effect (``effective`` on or
    before *as_of*); ``in_progress`` is the pipeline (adopted on or before *as_of*,
    not yet in effect then), shown separately; replicated duplicates (same zone and
    same ``source_experience``) count once, the first to take effect. ``met_*`` is
    True/False (for a year in progress: whether the target is already reached),
    None for the plan's partial first year (baseline, not scored);
    ``gap_* = max(target − count, 0)``.
    """
    c = classify_items(items, as_of)
    partial = targets.is_partial_year(int(year))
    counted = c[c["count_status"].eq("counted") & c["count_year"].eq(int(year))]
    rows = []
    for z in ZONES:
        row: dict = {"zone_id": z, "year": int(year)}
        zc = counted[counted["zone_id"].eq(z)]
        for kind in KINDS:
            n = int(zc["kind"].eq(kind).sum())
            target = int(targets.for_zone(z, TARGET_KEY[kind]))
            row[kind] = n
            row[f"target_{kind}"] = target
            row[f"met_{kind}"] = None if partial else bool(n >= target)
            row[f"gap_{kind}"] = max(target - n, 0)
        row["partial_year"] = partial
        row["in_progress"] = int((c["zone_id"].eq(z) & c["count_status"].eq("pipeline")).sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    # Keep None (not scored) distinct from False: object columns, not nullable booleans.
    for kind in KINDS:
        out[f"met_{kind}"] = out[f"met_{kind}"].astype(object)
    return out[ATTAINMENT_COLUMNS]


def summary_part(att: pd.DataFrame) -> dict:
    """Return the ``"reforms"`` summary part built from an :func:`attainment` frame."""
    zones = {}
    for rec in att.to_dict("records"):
        zones[rec["zone_id"]] = {
            "reforms_replicated": int(rec["replicated"]),
            "reforms_original": int(rec["original"]),
            "targets_met": {
                "reforms_replicated": rec["met_replicated"],
                "reforms_original": rec["met_original"],
            },
        }
    return {"zones": zones}


def items_in(classified: pd.DataFrame, year: int | None, status: str) -> pd.DataFrame:
    """Return rows of a :func:`classify_items` frame with *status* (and count year *year*).

    Pass ``year=None`` for statuses without a year (the pipeline). Rows are sorted
    by zone order, kind, effective / adopted date and item id.
    """
    sel = classified["count_status"].eq(status)
    if year is not None:
        sel &= classified["count_year"].eq(int(year))
    out = classified[sel].copy()
    out["_z"] = out["zone_id"].map(ZONE_ORDER)
    out["_k"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["_z", "_k", "effective", "adopted", "item_id"], kind="stable")
    return out.drop(columns=["_z", "_k"]).reset_index(drop=True)


def duplicate_counts(classified: pd.DataFrame, year: int) -> dict[str, int]:
    """Return zone id → number of duplicates that took effect in *year* (every zone)."""
    d = items_in(classified, year, "duplicate")
    return {z: int(d["zone_id"].eq(z).sum()) for z in ZONES}


# --- Year in progress ---------------------------------------------------------------


def count_as_of(items: pd.DataFrame, year: int, as_of: str | date | pd.Timestamp) -> pd.DataFrame:
    """Return counted items per zone and kind that took effect in *year* by *as_of*.

    Columns ``zone_id, replicated, original``, zones in :data:`ZONES` order.
    """
    c = classify_items(items, as_of)
    counted = c[c["count_status"].eq("counted") & c["count_year"].eq(int(year))]
    rows = [
        {
            "zone_id": z,
            **{k: int((counted["zone_id"].eq(z) & counted["kind"].eq(k)).sum()) for k in KINDS},
        }
        for z in ZONES
    ]
    return pd.DataFrame(rows, columns=["zone_id", *KINDS])


def pace(items: pd.DataFrame, year: int, as_of: str | date, targets: Targets) -> pd.DataFrame:
    """Return the year-in-progress pace, one row per zone and kind.

    Columns: ``zone_id, kind, to_date, target, needed, remaining_months,
    needed_per_month`` and, for every earlier year from the plan's first year,
    ``same_day_<y>`` (count that year by the same month and day) and
    ``full_year_<y>`` (that year's final count as known at *as_of*).
    ``needed_per_month`` is NaN when no time is left.
    """
    ts = to_timestamp(as_of)
    now = count_as_of(items, year, ts).set_index("zone_id")
    months = remaining_months(year, ts)
    earlier = range(targets.first_year, int(year))
    history = {
        y: (
            count_as_of(items, y, same_day(ts, y)).set_index("zone_id"),
            count_as_of(items, y, min(ts, pd.Timestamp(y, 12, 31))).set_index("zone_id"),
        )
        for y in earlier
    }
    rows = []
    for z in ZONES:
        for kind in KINDS:
            n = int(now.loc[z, kind])
            target = int(targets.for_zone(z, TARGET_KEY[kind]))
            needed = max(target - n, 0)
            row = {
                "zone_id": z,
                "kind": kind,
                "to_date": n,
                "target": target,
                "needed": needed,
                "remaining_months": round(months, 2),
                "needed_per_month": needed / months if months > 0 else float("nan"),
            }
            for y, (at_day, full) in history.items():
                row[f"same_day_{y}"] = int(at_day.loc[z, kind])
                row[f"full_year_{y}"] = int(full.loc[z, kind])
            rows.append(row)
    return pd.DataFrame(rows)


# --- Breakdowns -------------------------------------------------------------------

_BREAKDOWNS = {
    # by → (column, kinds included, categories in page order)
    "source": ("source", ("replicated",), [k for k in REFORM_SOURCES if k != "own"]),
    "domain": ("domain", KINDS, list(POLICY_DOMAINS)),
    "originality": ("originality", ("original",), [*ORIGINALITY, "unrated"]),
}

CATEGORY_LABELS = {
    "source": dict(REFORM_SOURCES),
    "domain": dict(POLICY_DOMAINS),
    "originality": {**ORIGINALITY, "unrated": "未评级"},
}


def breakdown(items: pd.DataFrame, year: int, as_of: str | date, by: str) -> pd.DataFrame:
    """Return counted items of *year* per zone and category, long format with zeros.

    *by* is ``"source"`` (replicated items; Harbin / Heihe / Suifenhe areas,
    nationwide batches, other provinces' FTZs), ``"domain"`` (all counted items) or
    ``"originality"`` (original items; a missing rating is ``unrated``). Columns
    ``zone_id, category, count``; every zone × category pair appears, in page
    order. Categories outside the enumeration are appended, sorted.
    """
    if by not in _BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; use one of {sorted(_BREAKDOWNS)}")
    col, kinds, cats = _BREAKDOWNS[by]
    c = classify_items(items, as_of)
    sel = c[c["count_status"].eq("counted") & c["count_year"].eq(int(year)) & c["kind"].isin(kinds)]
    if col in sel:
        values = sel[col].astype(object).where(sel[col].notna(), "unrated")
    else:
        values = pd.Series("unrated", index=sel.index, dtype=object)
    extra = sorted(set(values) - set(cats))
    cats = [*cats, *extra]
    rows = [
        {"zone_id": z, "category": cat, "count": int((sel["zone_id"].eq(z) & values.eq(cat)).sum())}
        for z in ZONES
        for cat in cats
    ]
    return pd.DataFrame(rows, columns=["zone_id", "category", "count"])


def breakdown_table(long: pd.DataFrame, by: str) -> pd.DataFrame:
    """Pivot a :func:`breakdown` frame for the page: one row per zone, Chinese headers."""
    labels = CATEGORY_LABELS[by]
    cats = list(dict.fromkeys(long["category"]))
    wide = long.pivot(index="zone_id", columns="category", values="count").reindex(
        index=list(ZONES), columns=cats
    )
    wide.columns = [f"{labels.get(c, c)}（条）" for c in cats]
    wide["合计（条）"] = wide.sum(axis=1)
    wide.insert(0, "片区", [zone_name(z) for z in wide.index])
    return wide.reset_index(drop=True)


# --- Adoption lag -------------------------------------------------------------------


def adoption_lags(items: pd.DataFrame, as_of: str | date) -> pd.DataFrame:
    """Return the adoption lag of each replicated item adopted on or before *as_of*.

    Lag = days from ``source_published`` to ``adopted``. Duplicates (and pipeline
    items repeating an experience already counted) are left out: they are not a
    new pick-up. Items without a publication date are left out. Columns:
    ``item_id, zone_id, adoption_year, lag_days``, sorted by zone, year, item id.
    """
    c = classify_items(items, as_of)
    if "source_published" not in c.columns:
        c["source_published"] = pd.NaT
    sel = (
        c["kind"].eq("replicated")
        & c["count_status"].isin(["counted", "pipeline"])
        & c["duplicate_of"].isna()
        & c["source_published"].notna()
    )
    s = c[sel]
    out = pd.DataFrame(
        {
            "item_id": s["item_id"].astype(str),
            "zone_id": s["zone_id"].astype(str),
            "adoption_year": s["adopted"].dt.year.astype(int),
            "lag_days": (s["adopted"] - s["source_published"]).dt.days.astype(int),
        }
    )
    out["_z"] = out["zone_id"].map(ZONE_ORDER)
    out = out.sort_values(["_z", "adoption_year", "item_id"], kind="stable")
    return out.drop(columns="_z").reset_index(drop=True)


def lag_distribution(lags: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return the lag distribution per zone for items adopted in *year*.

    Columns ``zone_id, n, min, q1, median, q3, max, mean`` (days; quartiles by
    linear interpolation between order statistics, as ``numpy.quantile``); a zone
    without items has ``n = 0`` and NaN statistics.
    """
    rows = []
    for z in ZONES:
        v = lags.loc[lags["zone_id"].eq(z) & lags["adoption_year"].eq(int(year)), "lag_days"]
        v = v.to_numpy(dtype=float)
        if len(v):
            q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
            stats = {
                "min": v.min(),
                "q1": q1,
                "median": med,
                "q3": q3,
                "max": v.max(),
                "mean": v.mean(),
            }
        else:
            stats = dict.fromkeys(["min", "q1", "median", "q3", "max", "mean"], float("nan"))
        rows.append({"zone_id": z, "n": len(v), **stats})
    return pd.DataFrame(rows, columns=["zone_id", "n", "min", "q1", "median", "q3", "max", "mean"])


def lag_trend(lags: pd.DataFrame, first_year: int, year: int) -> pd.DataFrame:
    """Return median lag and item count per zone and adoption year, *first_year*..*year*.

    Columns ``zone_id, year, n, median``; every zone × year appears (NaN median
    when a zone adopted nothing that year).
    """
    rows = []
    for z in ZONES:
        for y in range(int(first_year), int(year) + 1):
            v = lags.loc[lags["zone_id"].eq(z) & lags["adoption_year"].eq(y), "lag_days"]
            rows.append(
                {
                    "zone_id": z,
                    "year": y,
                    "n": len(v),
                    "median": float(v.median()) if len(v) else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["zone_id", "year", "n", "median"])


# --- Three-year view -----------------------------------------------------------------


def cumulative(items: pd.DataFrame, year: int, as_of: str | date, targets: Targets) -> pd.DataFrame:
    """Return the plan-period cumulative view per zone, as of *as_of*.

    One row per zone: ``zone_id``, counts ``replicated_<y>`` / ``original_<y>`` for
    every plan year up to *year* (later plan years are not yet reported and left
    out), ``cum_replicated`` / ``cum_original`` (their sums), ``target_replicated``
    / ``target_original`` (the sum of the yearly targets over all plan years,
    ``first_year``..``last_year``, the partial first year included), ``gap_*`` =
    max(target − cumulative, 0), ``met_*`` (cumulative ≥ three-year target) and
    ``period_closed`` (True once *as_of* reaches the plan's last day).
    """
    ts = to_timestamp(as_of)
    c = classify_items(items, ts)
    counted = c[c["count_status"].eq("counted")]
    years = list(range(targets.first_year, min(int(year), targets.last_year) + 1))
    plan_years = range(targets.first_year, targets.last_year + 1)
    closed = ts >= pd.Timestamp(targets.last_year, 12, 31)
    rows = []
    for z in ZONES:
        row: dict = {"zone_id": z}
        zc = counted[counted["zone_id"].eq(z)]
        for kind in KINDS:
            total = 0
            for y in years:
                n = int((zc["kind"].eq(kind) & zc["count_year"].eq(y)).sum())
                row[f"{kind}_{y}"] = n
                total += n
            target = int(sum(targets.for_zone(z, TARGET_KEY[kind]) for _ in plan_years))
            row[f"cum_{kind}"] = total
            row[f"target_{kind}"] = target
            row[f"gap_{kind}"] = max(target - total, 0)
            row[f"met_{kind}"] = bool(total >= target)
        row["period_closed"] = bool(closed)
        rows.append(row)
    return pd.DataFrame(rows)


# --- Page tables --------------------------------------------------------------------


def met_label(met, *, in_progress: bool = False) -> str:
    """Return the Chinese verdict for a ``met_*`` value (None → baseline, not scored)."""
    if met is None or (isinstance(met, float) and np.isnan(met)):
        return "基线年，不考核"
    if in_progress:
        return "已达标" if met else "尚未达标（年度进行中）"
    return "达标" if met else "未达标"


def attainment_table(att: pd.DataFrame, *, in_progress: bool = False) -> pd.DataFrame:
    """Return the attainment frame with Chinese headers and verdict words for the page/CSV."""
    out = pd.DataFrame(
        {
            "片区": [zone_name(z) for z in att["zone_id"]],
            "片区代码": att["zone_id"].astype(str).to_numpy(),
            "年度": att["year"].to_numpy(),
            "复制推广（条）": att["replicated"].to_numpy(),
            "复制推广目标（条）": att["target_replicated"].to_numpy(),
            "复制推广是否达标": [
                met_label(m, in_progress=in_progress) for m in att["met_replicated"]
            ],
            "复制推广差额（条）": att["gap_replicated"].to_numpy(),
            "自主创新（条）": att["original"].to_numpy(),
            "自主创新目标（条）": att["target_original"].to_numpy(),
            "自主创新是否达标": [
                met_label(m, in_progress=in_progress) for m in att["met_original"]
            ],
            "自主创新差额（条）": att["gap_original"].to_numpy(),
            "推进中（条，未计入）": att["in_progress"].to_numpy(),
        }
    )
    if bool(att["partial_year"].any()):
        # A baseline year is not scored: a "gap" would read as a shortfall.
        out = out.drop(columns=["复制推广差额（条）", "自主创新差额（条）"])
    return out


def _same_day_years(p: pd.DataFrame) -> list[int]:
    """Return the earlier years compared in a :func:`pace` frame (its ``same_day_<y>`` columns)."""
    return sorted(int(c.removeprefix("same_day_")) for c in p.columns if c.startswith("same_day_"))


def pace_table(p: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`pace` frame with Chinese headers for the page and CSV."""
    out = pd.DataFrame(
        {
            "片区": [zone_name(z) for z in p["zone_id"]],
            "类型": [REFORM_KINDS[k] for k in p["kind"]],
            "本年截至目前（条）": p["to_date"].to_numpy(),
            "全年目标（条）": p["target"].to_numpy(),
            "尚需（条）": p["needed"].to_numpy(),
            "剩余月数（月）": p["remaining_months"].to_numpy(),
            "剩余每月需（条/月）": p["needed_per_month"].round(2).to_numpy(),
        }
    )
    for y in _same_day_years(p):
        out[f"{y}年同期（条）"] = p[f"same_day_{y}"].to_numpy()
        out[f"{y}年全年（条）"] = p[f"full_year_{y}"].to_numpy()
    return out


def lag_table(dist: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`lag_distribution` frame with Chinese headers (days, one decimal)."""
    out = pd.DataFrame({"片区": [zone_name(z) for z in dist["zone_id"]], "事项数（条）": dist["n"]})
    for col, label in (
        ("min", "最短（天）"),
        ("q1", "下四分位（天）"),
        ("median", "中位数（天）"),
        ("q3", "上四分位（天）"),
        ("max", "最长（天）"),
        ("mean", "平均（天）"),
    ):
        out[label] = dist[col].astype(float).round(1).to_numpy()
    return out


def lag_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`lag_trend` frame as one row per zone: median days and count per year."""
    years = sorted(trend["year"].unique())
    out = pd.DataFrame({"片区": [zone_name(z) for z in ZONES]})
    t = trend.set_index(["zone_id", "year"])
    for y in years:
        out[f"{y}年中位数（天）"] = [round(float(t.loc[(z, y), "median"]), 1) for z in ZONES]
        out[f"{y}年事项数（条）"] = [int(t.loc[(z, y), "n"]) for z in ZONES]
    return out


def cumulative_table(cum: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Return a :func:`cumulative` frame with Chinese headers, one row per zone."""
    out = pd.DataFrame({"片区": [zone_name(z) for z in cum["zone_id"]]})
    for kind in KINDS:
        word = REFORM_KINDS[kind]
        for y in range(first_year, last_year + 1):
            if f"{kind}_{y}" in cum.columns:
                out[f"{word}{y}年（条）"] = cum[f"{kind}_{y}"].to_numpy()
        out[f"{word}累计（条）"] = cum[f"cum_{kind}"].to_numpy()
        out[f"{word}三年目标（条）"] = cum[f"target_{kind}"].to_numpy()
        out[f"{word}距三年目标（条）"] = cum[f"gap_{kind}"].to_numpy()
        out[f"{word}是否完成三年目标"] = ["已完成" if m else "未完成" for m in cum[f"met_{kind}"]]
    return out


ITEM_COLUMNS = {
    "item_id": "事项编号",
    "zone": "片区",
    "kind": "类型",
    "title": "事项名称",
    "source": "经验来源",
    "source_experience": "来源经验名称或编号",
    "domain": "政策领域",
    "originality": "原创性评级",
    "source_published": "来源经验发布日期",
    "adopted": "复制（创新）启动日期",
    "effective": "落地见效日期",
    "status": "状态",
    "evidence": "佐证材料（文号或链接）",
    "duplicate_of": "与之重复的计入事项",
}


def item_table(rows: pd.DataFrame, as_of: str | date | None = None) -> pd.DataFrame:
    """Return ledger rows (from :func:`items_in`) with Chinese headers and labels.

    Dates are ``YYYY-MM-DD`` text, missing values "—"; submitted text is kept as
    is (``show_table`` escapes it, ``save_table`` makes it formula-safe). With
    *as_of*, an item that took effect only after that date is shown with the
    status it had then (in progress), its later effective date kept.
    """
    labels = {
        "kind": REFORM_KINDS,
        "source": REFORM_SOURCES,
        "domain": POLICY_DOMAINS,
        "originality": ORIGINALITY,
        "status": REFORM_STATUSES,
    }
    out = {}
    for col, header in ITEM_COLUMNS.items():
        if col == "zone":
            out[header] = [zone_name(z) for z in rows["zone_id"]]
            continue
        if col not in rows.columns:
            values = pd.Series(pd.NA, index=rows.index, dtype=object)
        else:
            values = rows[col].astype(object)
        if col in labels:
            values = values.map(lambda v, m=labels[col]: m.get(v, v) if isinstance(v, str) else v)
        if col in ("source_published", "adopted", "effective"):
            values = values.map(
                lambda v: (
                    v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) and not pd.isna(v) else v
                )
            )
        out[header] = [
            (
                "—"
                if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
                else v
            )
            for v in values
        ]
    table = pd.DataFrame(out, columns=list(ITEM_COLUMNS.values()))
    if as_of is not None and len(rows):
        later = (rows["effective"] > to_timestamp(as_of)).fillna(False).to_numpy(dtype=bool)
        table.loc[later, ITEM_COLUMNS["status"]] = "截至日推进中（其后落地见效）"
    return table


_SEARCH_JS = (
    "var q=this.value.trim().toLowerCase();"
    "this.closest('.evalkit-searchable').querySelectorAll('tbody tr').forEach(function(r){"
    "r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});"
)


class SearchableTable:
    """Rich-display table with a filter box: escaped HTML for pages, fixed-width text for nbval.

    Typing in the box hides the rows that do not contain the text (any column);
    the table itself is :func:`evalkit.report.table_html`, so every cell is escaped.
    """

    def __init__(self, df: pd.DataFrame, caption: str | None = None):
        self.df, self.caption = df, caption

    def _repr_html_(self) -> str:
        from .report import table_html

        box = (
            '<p><label>检索 / search：<input type="search" class="evalkit-search" '
            f'placeholder="输入编号、名称、文号等" oninput="{_SEARCH_JS}"></label></p>'
        )
        return f'<div class="evalkit-searchable">{box}{table_html(self.df, caption=self.caption)}</div>'

    def __repr__(self) -> str:
        with pd.option_context(
            "display.max_rows", None, "display.max_columns", None, "display.width", 200
        ):
            return (self.caption + "\n" if self.caption else "") + self.df.to_string(index=False)


# --- Narrative ---------------------------------------------------------------------


def _n(x) -> str:
    """Format a count or a number of days for running text (one decimal at most)."""
    f = float(x)
    return str(int(round(f))) if abs(f - round(f)) < 1e-9 else f"{f:.1f}"


def narrative(
    att: pd.DataFrame,
    as_of: str | date,
    *,
    pace_df: pd.DataFrame | None = None,
    duplicates: dict[str, int] | None = None,
    cum: pd.DataFrame | None = None,
    lag: pd.DataFrame | None = None,
    plan_years: tuple[int, int] | None = None,
) -> list[str]:
    """Return Chinese sentences describing the computed numbers (no hand-typed figures).

    *att* is an :func:`attainment` frame; the optional frames add the year-in-progress
    pace (:func:`pace`), duplicates per zone (:func:`duplicate_counts`), the
    plan-period view (:func:`cumulative`, with *plan_years* = (first, last)) and
    the lag distribution (:func:`lag_distribution`). Only zone names from the
    schema and numbers are interpolated, so the text needs no escaping.
    """
    year = int(att["year"].iloc[0])
    partial = bool(att["partial_year"].iloc[0])
    running = year_in_progress(year, as_of)
    out: list[str] = []
    if partial:
        parts = [
            f"{zone_name(r.zone_id)}复制推广 {_n(r.replicated)} 条、自主创新 {_n(r.original)} 条"
            for r in att.itertuples()
        ]
        out.append(
            f"{year} 年是行动计划实施首年（计划于年内印发，非完整年度），作为基线展示、不按全年目标考核："
            + "；".join(parts)
            + "。"
        )
    else:
        both = [r for r in att.itertuples() if r.met_replicated and r.met_original]
        lead = f"截至 {date_zh(as_of)}，{year} 年" if running else f"{year} 年"
        verb = "已同时达到" if running else "同时完成"
        out.append(
            f"{lead}，{len(att)} 个片区中有 {len(both)} 个{verb}复制推广和自主创新两项年度目标。"
        )
        for r in att.itertuples():
            clauses = []
            for kind, word in (("replicated", "复制推广"), ("original", "自主创新")):
                n, t = getattr(r, kind), getattr(r, f"target_{kind}")
                gap, met = getattr(r, f"gap_{kind}"), getattr(r, f"met_{kind}")
                if met:
                    verdict = "已达标" if running else "达标"
                else:
                    verdict = f"尚差 {_n(gap)} 条" if running else f"未达标，差 {_n(gap)} 条"
                clauses.append(f"{word} {_n(n)} 条（目标 {_n(t)} 条，{verdict}）")
            out.append(f"{zone_name(r.zone_id)}：" + "，".join(clauses) + "。")
    if running and pace_df is not None and len(pace_df):
        prev = _same_day_years(pace_df)
        for r in pace_df[pace_df["kind"].eq("replicated")].itertuples():
            s = f"{zone_name(r.zone_id)}本年已落地复制推广 {_n(r.to_date)} 条"
            if r.needed > 0 and r.remaining_months > 0:
                s += (
                    f"，完成全年目标还需 {_n(r.needed)} 条，"
                    f"余下约 {_n(round(r.remaining_months, 1))} 个月平均每月需 {_n(round(r.needed_per_month, 1))} 条"
                )
            elif r.needed > 0:
                s += f"，距全年目标尚差 {_n(r.needed)} 条"
            else:
                s += "，已达到全年目标"
            if prev:
                last = prev[-1]
                s += f"；{last} 年同期为 {_n(getattr(r, f'same_day_{last}'))} 条"
            out.append(s + "。")
    pipeline = int(att["in_progress"].sum())
    if pipeline:
        per = "、".join(
            f"{zone_name(r.zone_id)} {_n(r.in_progress)} 条"
            for r in att.itertuples()
            if r.in_progress
        )
        out.append(f"另有 {_n(pipeline)} 条事项截至数据截至日仍在推进中，未计入（{per}）。")
    if duplicates and sum(duplicates.values()):
        per = "、".join(f"{zone_name(z)} {_n(n)} 条" for z, n in duplicates.items() if n)
        out.append(
            f"本年度有 {_n(sum(duplicates.values()))} 条复制推广事项重复复制了本片区已计入的同一经验，只计一次（{per}）。"
        )
    if lag is not None and len(lag) and int(lag["n"].sum()):
        parts = [
            f"{zone_name(r.zone_id)} {_n(r.median)} 天（{_n(r.n)} 条）"
            for r in lag.itertuples()
            if r.n
        ]
        out.append(
            "本年启动的复制推广事项，从来源经验发布到复制启动的天数中位数："
            + "，".join(parts)
            + "。"
        )
    if cum is not None and plan_years is not None:
        first, last = plan_years
        span = f"{first} 年" if min(year, last) == first else f"{first}—{min(year, last)} 年"
        closing = year >= last
        head = (
            f"行动计划期（{first}—{last} 年）累计（截至 {date_zh(as_of)}）："
            if closing
            else f"{span}累计（三年目标期 {first}—{last} 年）："
        )
        parts = []
        for r in cum.itertuples():
            s = (
                f"{zone_name(r.zone_id)}复制推广 {_n(r.cum_replicated)} 条（三年目标 {_n(r.target_replicated)} 条"
                + ("，已完成" if r.met_replicated else f"，差 {_n(r.gap_replicated)} 条")
                + f"）、自主创新 {_n(r.cum_original)} 条（三年目标 {_n(r.target_original)} 条"
                + ("，已完成" if r.met_original else f"，差 {_n(r.gap_original)} 条")
                + "）"
            )
            parts.append(s)
        out.append(head + "；".join(parts) + "。")
    return out
