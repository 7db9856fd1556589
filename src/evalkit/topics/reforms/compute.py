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

:func:`run` is the recipe: it reads the ledger and the targets once and returns a
:class:`ReformsResult` with every number the page shows; all other functions are
pure (no I/O). :mod:`evalkit.topics.reforms.present` turns the (stored) result
into page tables, narrative and charts; ``notebooks/reforms.ipynb`` only calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ... import store
from ...config import Targets, load_targets
from ...core.period import ReportPeriod, to_timestamp
from ...schema import ORIGINALITY, POLICY_DOMAINS, REFORM_SOURCES, ZONE_ORDER, ZONES

#: Curated tables :func:`run` reads (names of :data:`evalkit.schema.TABLES`).
READS: tuple[str, ...] = ("reform_items",)
#: Configuration files :func:`run` reads (targets; zones through :mod:`evalkit.schema`).
CONFIG: tuple[str, ...] = ("targets.yaml", "zones.yaml")
#: Other topics' results :func:`run` loads.
USES: tuple[str, ...] = ()

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
    period = ReportPeriod.of(year, as_of)
    now = count_as_of(items, year, period.as_of).set_index("zone_id")
    months = period.remaining_months()
    earlier = range(targets.first_year, int(year))
    history = {
        y: (
            count_as_of(items, y, period.same_day(y)).set_index("zone_id"),
            count_as_of(items, y, ReportPeriod.of(y, period.as_of).end).set_index("zone_id"),
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


# --- The result and the recipe -----------------------------------------------------------


@dataclass(frozen=True)
class ReformsResult:
    """Everything the reform page shows for one report year, computed once and stored.

    Scalars: ``year``; ``as_of`` (``YYYY-MM-DD``); ``in_progress`` (the year is not
    complete at the as-of date); ``partial_year`` (the plan's first year, a baseline
    not scored); ``first_year`` / ``last_year`` (the plan period); ``plan_issued``
    (``YYYY-MM-DD``); ``synthetic`` (demo data).

    Series: ``duplicates`` (zone id → replicated duplicates that took effect in the
    year, every zone in :data:`ZONES` order; a Series so the order survives storage).

    Frames: ``attainment`` (:func:`attainment`); ``pace`` (:func:`pace`, None for a
    complete year); ``by_source`` / ``by_domain`` / ``by_originality``
    (:func:`breakdown`, long format); ``lag_distribution`` and ``lag_trend``
    (days, :func:`lag_distribution` / :func:`lag_trend`); ``cumulative``
    (:func:`cumulative`); ``counted_items`` / ``duplicate_items`` / ``pipeline_items``
    (ledger rows from :func:`items_in`, with the :func:`classify_items` columns).
    """

    year: int
    as_of: str
    in_progress: bool
    partial_year: bool
    first_year: int
    last_year: int
    plan_issued: str
    synthetic: bool
    duplicates: pd.Series
    attainment: pd.DataFrame
    pace: pd.DataFrame | None
    by_source: pd.DataFrame
    by_domain: pd.DataFrame
    by_originality: pd.DataFrame
    lag_distribution: pd.DataFrame
    lag_trend: pd.DataFrame
    cumulative: pd.DataFrame
    counted_items: pd.DataFrame
    duplicate_items: pd.DataFrame
    pipeline_items: pd.DataFrame


def read_inputs(data_dir: str | Path = "data") -> tuple[pd.DataFrame, Targets, bool]:
    """Return the curated ledger (:data:`READS`), the targets and the synthetic-data flag.

    Raises FileNotFoundError when curation has not run, ``ConfigError`` for a bad
    ``targets.yaml``.
    """
    items = store.read_table("reform_items", data_dir)
    synthetic = bool(store.read_meta(data_dir).get("synthetic", False))
    return items, load_targets(data_dir), synthetic


def run(year: int, as_of: str, data_dir: str | Path = "data") -> ReformsResult:
    """Evaluate the reform targets of *year* with the ledger as known on *as_of*.

    A recipe of the pure steps above, one call per page section. Raises ValueError
    when *as_of* precedes *year* (see :meth:`ReportPeriod.of`) or the ledger is
    inconsistent (:func:`classify_items`).
    """
    period = ReportPeriod.of(year, as_of)
    items, targets, synthetic = read_inputs(data_dir)
    classified = classify_items(items, period.as_of)
    lags = adoption_lags(items, period.as_of)
    return ReformsResult(
        year=period.year,
        as_of=period.as_of.date().isoformat(),
        in_progress=period.in_progress,
        partial_year=targets.is_partial_year(period.year),
        first_year=targets.first_year,
        last_year=targets.last_year,
        plan_issued=to_timestamp(targets.plan_issued).date().isoformat(),
        synthetic=synthetic,
        duplicates=pd.Series(duplicate_counts(classified, period.year), dtype="int64"),
        attainment=attainment(items, period.year, period.as_of, targets),
        pace=pace(items, period.year, period.as_of, targets) if period.in_progress else None,
        by_source=breakdown(items, period.year, period.as_of, "source"),
        by_domain=breakdown(items, period.year, period.as_of, "domain"),
        by_originality=breakdown(items, period.year, period.as_of, "originality"),
        lag_distribution=lag_distribution(lags, period.year),
        lag_trend=lag_trend(lags, targets.first_year, period.year),
        cumulative=cumulative(items, period.year, period.as_of, targets),
        counted_items=items_in(classified, period.year, "counted"),
        duplicate_items=items_in(classified, period.year, "duplicate"),
        pipeline_items=items_in(classified, None, "pipeline"),
    )
