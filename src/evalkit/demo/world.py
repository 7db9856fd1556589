"""The demo world: reform ledger, project ledger and funds in place, per scenario zone.

Every function draws from the generator it is given and reads the zone settings from the
:class:`~evalkit.demo.scenario.Scenario`; the world runs to :data:`WORLD_END` and is censored
at the as-of date by :func:`evalkit.demo.generate`.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .pools import (
    _FIRM,
    _ORIGIN_DETAIL,
    _ORIGIN_P,
    _SOURCE_LABEL,
    ORIGINAL_POOL,
    ORIGINALITY_P,
    REPLICABLE,
)
from .scenario import Scenario

#: Default seed (the plan's issue date) and default as-of month.
SEED = 20240909
END_MONTH = "2026-10"

#: The demo world spans these months; *end_month* censors it.
FIRST_MONTH = date(2023, 1, 1)
WORLD_END = date(2026, 12, 1)
#: Reform items only exist from the plan's issue date.
PLAN_ISSUED = date(2024, 9, 9)
COUNTY_FIRST_YEAR = 2019
INDUSTRY_FIRST_YEAR = 2023

#: Injected policy effect in the county panel: log-points added to this outcome for
#: the pilot host counties from this year on (multiplies the level by exp(0.15)).
INJECTED_EFFECT_LOG = 0.15
INJECTED_EFFECT_OUTCOME = "domestic_capital_used"
INJECTED_EFFECT_FIRST_YEAR = 2024

#: Per zone and effective year, how many replicated items were adopted in December of
#: the previous year and took effect in January (year-end spanning).
REFORM_SPANNING: dict[int, int] = {2025: 1, 2026: 1}

#: The month up to which 2026 growth is calibrated (the default as-of month).
FUNDS_2026_CALIBRATION_MONTH = 10
#: Relative monthly funds in place, January–December: slow winter, strong Q2–Q3, December rush.
FUNDS_SEASON = (0.45, 0.5, 0.8, 0.95, 1.1, 1.25, 1.2, 1.15, 1.05, 0.95, 0.9, 1.7)


# --- Small date helpers -------------------------------------------------------------------


def parse_month(text: str) -> date:
    """Return the first day of month *text* (``YYYY-MM``); ValueError if malformed."""
    try:
        year, month = (int(p) for p in str(text).split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"月份格式应为 YYYY-MM / month must be YYYY-MM, got {text!r}") from exc


def month_end(d: date) -> date:
    """Return the last day of the month containing *d*."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, n: int) -> date:
    """Return the first day of the month *n* months after *d*'s month."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _months(start: date, end: date) -> list[date]:
    """Return the first days of the months from *start* to *end*, inclusive."""
    out, d = [], date(start.year, start.month, 1)
    while d <= end:
        out.append(d)
        d = _add_months(d, 1)
    return out


def _day(rng: np.random.Generator, lo: date, hi: date) -> date:
    """Return a uniformly drawn day in [*lo*, *hi*]."""
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _month_of(d: date) -> date:
    """Return the first day of *d*'s month."""
    return date(d.year, d.month, 1)


# --- Reform items ------------------------------------------------------------------------

#: Relative weight of an item taking effect in each month: year-end rush, summer push.
_REFORM_MONTH_W = (0.6, 0.5, 0.9, 1.0, 1.0, 1.3, 1.1, 0.9, 1.0, 1.0, 1.2, 2.0)


def _effective_day(rng: np.random.Generator, lo: date, hi: date) -> date:
    """Draw a day in [*lo*, *hi*], months weighted by :data:`_REFORM_MONTH_W`."""
    months = _months(lo, hi)
    w = np.array([_REFORM_MONTH_W[m.month - 1] for m in months])
    m = months[int(rng.choice(len(months), p=w / w.sum()))]
    return _day(rng, max(lo, m), min(hi, month_end(m)))


def _reform_items(rng: np.random.Generator, sc: Scenario) -> pd.DataFrame:
    """Generate the reform ledger of the whole demo world (uncensored).

    Longer than 80 lines on purpose: one seeded pass over zones and years; splitting it would
    change the order of the random draws, and with it the committed demo data (kept byte-
    identical).
    """
    rows: list[dict] = []
    originals = [ORIGINAL_POOL[i] for i in rng.permutation(len(ORIGINAL_POOL))]
    windows = {
        2024: (date(2024, 9, 16), date(2024, 12, 31)),
        2025: (date(2025, 1, 1), date(2025, 12, 31)),
        2026: (date(2026, 1, 1), date(2026, 10, 31)),
        "late": (date(2026, 11, 1), date(2026, 12, 31)),
    }
    for zone, spec in sc.zones.items():
        pool = [REPLICABLE[i] for i in rng.permutation(len(REPLICABLE))]

        def replicated(adopted: date, effective: date | None, zone=zone, pool=pool) -> dict:
            code, domain, name = pool.pop()
            source, label = _SOURCE_LABEL[code]
            lag = 21 + int(min(rng.gamma(2.0, 100.0), 540))
            return {
                "zone_id": zone,
                "title": name,
                "kind": "replicated",
                "source": source,
                "source_experience": f"{label}·{name}",
                "domain": domain,
                "source_published": adopted - timedelta(days=lag),
                "adopted": adopted,
                "effective": effective,
                "originality": None,
            }

        def original(
            adopted: date, effective: date | None, zone=zone, rating: str | None = None
        ) -> dict:
            domain, name = originals.pop()
            keys = list(ORIGINALITY_P)
            drawn = keys[int(rng.choice(len(keys), p=list(ORIGINALITY_P.values())))]
            rating = rating or drawn
            return {
                "zone_id": zone,
                "title": name,
                "kind": "original",
                "source": "own",
                "source_experience": None,
                "domain": domain,
                "source_published": None,
                "adopted": adopted,
                "effective": effective,
                "originality": rating,
            }

        def dates(lo: date, hi: date) -> tuple[date, date]:
            effective = _effective_day(rng, lo, hi)
            adopted = effective - timedelta(days=int(rng.integers(7, 110)))
            floor = PLAN_ISSUED + timedelta(days=int(rng.integers(0, 6)))
            return min(max(adopted, floor), effective), effective

        zone_rows: list[dict] = []
        plan = {int(y): tuple(v) for y, v in spec["reforms_in_effect"].items()}
        for year, (n_rep, n_orig) in plan.items():
            lo, hi = windows[year]
            year_rows = []
            for i in range(n_rep):
                if i < REFORM_SPANNING.get(year, 0):
                    adopted = _day(rng, date(year - 1, 12, 2), date(year - 1, 12, 28))
                    effective = _day(rng, date(year, 1, 3), date(year, 1, 26))
                else:
                    adopted, effective = dates(lo, hi)
                year_rows.append(replicated(adopted, effective))
            for i in range(n_orig):
                forced = (
                    "national_first" if (zone, year) == sc.national_first_at and i == 0 else None
                )
                year_rows.append(original(*dates(lo, hi), rating=forced))
            for _ in range(sc.reform_duplicates.get((zone, year), 0)):
                reps = [r for r in year_rows if r["kind"] == "replicated"]
                first = reps[int(rng.integers(0, len(reps)))]
                effective = _day(rng, first["effective"], hi)
                adopted = max(
                    first["adopted"], effective - timedelta(days=int(rng.integers(7, 60)))
                )
                dup = dict(first, adopted=adopted, effective=effective)
                year_rows.append(dup)
            zone_rows += year_rows
        n_rep, n_orig = spec["reforms_late_2026"]
        lo, hi = windows["late"]
        for k in range(n_rep + n_orig):
            adopted = _day(rng, date(2026, 8, 1), date(2026, 10, 31))
            effective = _day(rng, lo, hi)
            zone_rows.append(
                replicated(adopted, effective) if k < n_rep else original(adopted, effective)
            )
        n_rep, n_orig = spec["reforms_stalled"]
        for k in range(n_rep + n_orig):
            adopted = _day(rng, date(2025, 3, 1), date(2026, 9, 30))
            zone_rows.append(replicated(adopted, None) if k < n_rep else original(adopted, None))

        # Ids and document numbers follow adoption order within the zone and year.
        zone_rows.sort(key=lambda r: (r["adopted"], r["kind"], r["title"]))
        seq: dict[int, int] = {}
        doc: dict[int, int] = {}
        for r in zone_rows:
            y = r["adopted"].year
            seq[y] = seq.get(y, 0) + 1
            doc[y] = doc.get(y, int(rng.integers(1, 4))) + int(rng.integers(1, 4))
            r["item_id"] = f"{spec['item_prefix']}-{y}-{seq[y]:03d}"
            r["evidence"] = f"{spec['doc_prefix']}〔{y}〕{doc[y]}号"
        rows += zone_rows
    return pd.DataFrame(rows)


def _censor_reforms(df: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Show the reform ledger as of *as_of*: later adoptions absent, later effects in progress."""
    out = df[df["adopted"] <= as_of].copy()
    later = out["effective"].map(lambda d: d is None or pd.isna(d) or d > as_of)
    out.loc[later, "effective"] = None
    out["status"] = np.where(later, "in_progress", "in_effect")
    return out


# --- Projects and funds in place -----------------------------------------------------------


def _projects_and_funds(
    rng: np.random.Generator, sc: Scenario
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate project ledgers and monthly funds in place for the whole demo world.

    Longer than 80 lines on purpose: one seeded pass (projects, then their monthly funds);
    splitting it would change the order of the random draws, and with it the committed demo data
    (kept byte-identical).
    """
    months = _months(FIRST_MONTH, WORLD_END)
    origins = list(_ORIGIN_P)
    projects: list[dict] = []
    funds: list[dict] = []
    sign_years = (2021, 2022, 2023, 2024, 2025, 2026)
    sign_year_p = np.array([0.12, 0.15, 0.18, 0.2, 0.22, 0.13])
    big_spec = sc.big_project or {}
    for zone, spec in sc.zones.items():
        clusters = list(sc.pilot.clusters[zone])
        cw = np.linspace(2.0, 1.0, len(clusters))
        zone_projects: list[dict] = []
        for _ in range(spec["projects"]):
            year = sign_years[int(rng.choice(len(sign_years), p=sign_year_p))]
            hi = date(2026, 10, 31) if year == 2026 else date(year, 12, 31)
            signed = _day(rng, date(year, 1, 5), hi)
            cluster = clusters[int(rng.choice(len(clusters), p=cw / cw.sum()))]
            origin = origins[int(rng.choice(len(origins), p=list(_ORIGIN_P.values())))]
            detail = _ORIGIN_DETAIL[origin][int(rng.integers(0, len(_ORIGIN_DETAIL[origin])))]
            cap_hi = spec["project_cap"]
            amount = float(np.clip(np.exp(rng.normal(np.log(16_000), 0.95)), 2_000, cap_hi))
            step = 500 if amount >= 10_000 else 100
            amount = round(amount / step) * step
            names = sc.project_names[cluster]
            template = names[int(rng.integers(0, len(names)))]
            name = _FIRM[int(rng.integers(0, len(_FIRM)))] + template.format(
                n=int(rng.choice([2, 3, 5, 10, 20, 30]))
            )
            stall_month = None
            if signed < date(2025, 6, 1) and rng.random() < 0.08:
                stall_month = min(
                    _add_months(_month_of(signed), int(rng.integers(2, 8))), date(2025, 9, 1)
                )
            construction = signed + timedelta(days=int(rng.integers(20, 200)))
            production = construction + timedelta(days=int(rng.integers(220, 700)))
            if stall_month is not None:
                production = None
                if rng.random() < 0.5 or construction > month_end(stall_month):
                    construction = None
            zone_projects.append(
                {
                    "zone_id": zone,
                    "name": name,
                    "cluster": cluster,
                    "origin": origin,
                    "origin_detail": detail,
                    "contracted_wan_yuan": float(amount),
                    "signed": signed,
                    "construction_started": construction,
                    "in_production": production,
                    "_stall": stall_month,
                }
            )
        zone_projects.sort(key=lambda p: (p["signed"], p["name"]))
        big = None
        if big_spec.get("zone") == zone:
            big = {k: v for k, v in big_spec.items() if k not in ("funds", "zone")} | {
                "zone_id": zone,
                "in_production": None,
                "_stall": None,
            }
            zone_projects.append(big)
            zone_projects.sort(key=lambda p: (p["signed"], p["name"]))
        for i, p in enumerate(zone_projects, start=1):
            p["project_id"] = f"{spec['project_prefix']}{i:04d}"

        # Monthly totals: calibrated annual totals x seasonality x noise, renormalized per year.
        target = _funds_targets(rng, spec, months)
        # Capacity: what each project can still bring in within the window.
        n = len(zone_projects)
        rem = np.zeros(n)
        first = np.zeros(n, dtype=int)
        last = np.zeros(n, dtype=int)
        index = {m: k for k, m in enumerate(months)}
        for i, p in enumerate(zone_projects):
            if p is big:
                continue
            cap = p["contracted_wan_yuan"] * rng.uniform(0.7, 1.0)
            before = max(0, (FIRST_MONTH.year - p["signed"].year) * 12 + 1 - p["signed"].month)
            spent = min(0.75, before / 36 * rng.uniform(0.5, 1.0))
            rem[i] = cap * (1 - spent)
            first[i] = index.get(max(_month_of(p["signed"]), FIRST_MONTH), len(months))
            end = p["_stall"]
            if end is None and p["in_production"] is not None:
                end = _add_months(_month_of(p["in_production"]), 6)
            last[i] = index.get(min(end or WORLD_END, WORLD_END), -1)
            if end is not None and end < FIRST_MONTH:
                last[i] = -1
        for k, m in enumerate(months):
            active = np.flatnonzero((first <= k) & (last >= k) & (rem > 1.0))
            if len(active) == 0:
                raise RuntimeError(f"demo calibration: no active project in {zone} {m}")
            size = max(2, int(round(len(active) * rng.uniform(0.3, 0.5))))
            chosen = rng.choice(active, size=min(size, len(active)), replace=False)
            w = rng.gamma(3.0, size=len(chosen)) * np.sqrt(rem[chosen])
            alloc = _allocate(target[k], chosen, w, rem, active)
            for i, amount in sorted(alloc.items()):
                rem[i] -= amount
                funds.append(
                    {
                        "project_id": zone_projects[i]["project_id"],
                        "zone_id": zone,
                        "month": m,
                        "funds_wan_yuan": amount,
                    }
                )
        if big is not None:
            for m, amount in big_spec["funds"].items():
                funds.append(
                    {
                        "project_id": big["project_id"],
                        "zone_id": zone,
                        "month": m,
                        "funds_wan_yuan": amount,
                    }
                )
        projects += zone_projects
    fdf = pd.DataFrame(funds)
    fdf["funds_wan_yuan"] = fdf["funds_wan_yuan"].round(1)
    fdf = fdf[fdf["funds_wan_yuan"] > 0]
    return pd.DataFrame(projects), fdf


def _allocate(
    total: float, chosen: np.ndarray, w: np.ndarray, rem: np.ndarray, active: np.ndarray
) -> dict[int, float]:
    """Split *total* over *chosen* projects by weight *w*, capped at their remaining capacity.

    Overflow goes to the other chosen projects, then to every active project; a
    shortfall is a calibration error of the generator (RuntimeError).
    """
    alloc: dict[int, float] = {}
    left = total
    pools = [(chosen, w), (active, np.sqrt(np.maximum(rem[active], 0)))]
    for ids, weights in pools:
        for _ in range(50):
            room = np.array([rem[i] - alloc.get(i, 0.0) for i in ids])
            ok = room > 1e-6
            if left <= 1e-6 or not ok.any():
                break
            share = np.where(ok, weights, 0.0)
            share = left * share / share.sum()
            give = np.minimum(share, room)
            for i, g in zip(ids, give, strict=True):
                if g > 0:
                    alloc[int(i)] = alloc.get(int(i), 0.0) + float(g)
            left -= float(give.sum())
    if left > 1e-3:
        raise RuntimeError(f"demo calibration: project capacity short by {left:.1f} 万元")
    return alloc


def _funds_targets(rng: np.random.Generator, spec: dict, months: list[date]) -> np.ndarray:
    """Return a zone's monthly funds in place (excluding the large project) for *months*.

    *spec* is the zone's scenario settings (``funds_annual``, ``funds_growth``).
    """
    season = np.array(FUNDS_SEASON)
    by_year: dict[int, np.ndarray] = {}
    for year in range(FIRST_MONTH.year, WORLD_END.year + 1):
        shape = season * np.exp(rng.normal(0.0, 0.2, 12))
        by_year[year] = shape / shape.sum()
    totals = {int(y): v for y, v in spec["funds_annual"].items()}
    growth = {int(y): v for y, v in spec["funds_growth"].items()}
    totals[2025] = totals[2024] * (1 + growth[2025])
    series = {y: by_year[y] * totals[y] for y in totals}
    # 2026: scale so January–October grows by exactly the scenario rate over 2025.
    cut = FUNDS_2026_CALIBRATION_MONTH
    ytd_2025 = series[2025][:cut].sum()
    shape = by_year[2026]
    scale = ytd_2025 * (1 + growth[2026]) / shape[:cut].sum()
    series[2026] = shape * scale
    return np.array([series[m.year][m.month - 1] for m in months])
