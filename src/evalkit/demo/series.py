"""Demo series: monthly logistics, quarterly government services, annual industry and county panel."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..core import schema
from .scenario import DEFAULT as _SUIHUA
from .scenario import Scenario
from .world import (
    COUNTY_FIRST_YEAR,
    FIRST_MONTH,
    INDUSTRY_FIRST_YEAR,
    INJECTED_EFFECT_FIRST_YEAR,
    INJECTED_EFFECT_LOG,
    INJECTED_EFFECT_OUTCOME,
    WORLD_END,
    _add_months,
    _months,
    month_end,
    parse_month,
)

# --- Logistics ---------------------------------------------------------------------------

_SEASONS: dict[str, tuple[float, ...]] = {
    "trade": (0.7, 0.6, 0.9, 1.0, 1.0, 1.05, 1.05, 1.05, 1.1, 1.15, 1.15, 1.25),
    "rail": (0.9, 0.7, 0.9, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.3, 1.35, 1.3),
    "road": (0.6, 0.55, 0.85, 1.05, 1.1, 1.1, 1.05, 1.05, 1.1, 1.25, 1.2, 1.1),
    "express": (0.85, 0.6, 0.95, 0.95, 1.0, 1.05, 0.95, 0.95, 1.0, 1.05, 1.45, 1.2),
    "flat": (1.0,) * 12,
}
#: Per indicator: (kind, seasonal profile, noise sd, rounding decimals).
_LOGISTICS_SPEC: dict[str, tuple[str, str, float, int]] = {
    "import_value": ("flow", "trade", 0.2, 1),
    "export_value": ("flow", "trade", 0.18, 1),
    "russia_trade_value": ("russia", "trade", 0.0, 1),
    "freight_rail": ("flow", "rail", 0.1, 0),
    "freight_road": ("flow", "road", 0.08, 0),
    "freight_air": ("flow", "express", 0.25, 1),
    "freight_multimodal": ("flow", "rail", 0.15, 0),
    "train_departures": ("count", "rail", 0.0, 0),
    "bonded_throughput": ("flow", "trade", 0.15, 0),
    "cold_chain_capacity": ("stock", "flat", 0.0, 0),
    "express_parcels": ("flow", "express", 0.06, 1),
    "village_delivery_share": ("share", "flat", 0.0, 1),
    "clearance_hours": ("hours", "flat", 0.05, 1),
}
# --- Government services, industry, county panel ----------------------------------------

#: Per outcome: common yearly log growth, 2020 common shock, other-year shock sd, noise sd.
_COUNTY_DYNAMICS: dict[str, tuple[float, float, float, float]] = {
    "gdp": (0.045, -0.06, 0.015, 0.015),
    "fixed_asset_investment": (0.02, -0.15, 0.05, 0.08),
    "foreign_trade": (0.06, -0.10, 0.05, 0.12),
    "domestic_capital_used": (0.06, -0.18, 0.04, 0.04),
    "retail_sales": (0.04, -0.12, 0.02, 0.02),
}
#: Sd of county-specific deviations from the common trend (small: parallel in expectation).
COUNTY_TREND_SD = 0.004


# --- Logistics ---------------------------------------------------------------------------------


def _logistics(rng: np.random.Generator, sc: Scenario) -> pd.DataFrame:
    """Generate monthly logistics and trade indicators (long format) for the whole world."""
    months = _months(FIRST_MONTH, WORLD_END)
    t = np.arange(len(months))
    month_idx = np.array([m.month - 1 for m in months])
    rows: list[dict] = []
    for zone, spec in sc.zones.items():
        values: dict[str, np.ndarray] = {}
        for ind, (kind, season_key, sd, _) in _LOGISTICS_SPEC.items():
            a, b = spec["logistics"][ind]
            season = np.array(_SEASONS[season_key])[month_idx]
            if kind == "flow":
                v = a * (1 + b) ** (t / 12) * season * np.exp(rng.normal(0, sd, len(t)))
            elif kind == "count":
                v = rng.poisson(a * (1 + b) ** (t / 12) * season).astype(float)
            elif kind == "stock":
                steps = (rng.random(len(t)) < 0.1) * rng.uniform(0.02, 0.1, len(t)) * a
                v = a + np.cumsum(steps) + a * b * t / 12 * 0.3
            elif kind == "share":
                v = 100 - (100 - a) * np.exp(-t / 18) + rng.normal(0, 0.4, len(t))
                v = np.minimum(np.maximum.accumulate(v), 100.0)
            elif kind == "hours":
                v = b + (a - b) * np.exp(-t / 20) * np.exp(rng.normal(0, sd, len(t)))
            else:  # russia: a share of import + export, computed below
                v = np.clip(a + rng.normal(0, 0.05, len(t)), 0.15, 0.85)
            values[ind] = v
        values["russia_trade_value"] = values["russia_trade_value"] * (
            values["import_value"] + values["export_value"]
        )
        for ind, (_, _, _, digits) in _LOGISTICS_SPEC.items():
            if (zone, ind) in sc.logistics_never_submitted:
                continue
            v = np.round(values[ind], digits)
            start = sc.logistics_series_start.get((zone, ind))
            start = parse_month(start) if start is not None else None
            zero_until = sc.logistics_zero_until.get((zone, ind))
            zero_until = parse_month(zero_until) if zero_until is not None else None
            for k, m in enumerate(months):
                if start is not None and m < start:
                    continue
                key = m.strftime("%Y-%m")
                if (zone, ind, key) in sc.logistics_missing:
                    continue
                value = float(v[k])
                if zero_until is not None and m <= zero_until:
                    value = 0.0
                for z, i2, mon, factor in sc.logistics_anomalies:
                    if (z, i2, mon) == (zone, ind, key):
                        value = round(value * factor, digits)
                rows.append({"zone_id": zone, "month": m, "indicator": ind, "value": value})
    return pd.DataFrame(rows)


# --- Government services, industry, county panel ------------------------------------------------


def _gov_services(rng: np.random.Generator, as_of: date, sc: Scenario) -> pd.DataFrame:
    """Generate quarterly government-service indicators for quarters complete by *as_of*."""
    quarters = [m for m in _months(FIRST_MONTH, WORLD_END) if m.month in (1, 4, 7, 10)]
    rows = []
    for zone, spec in sc.zones.items():
        items, bundled, online, days = spec["gov_start"]
        for q in quarters:
            after_plan = q >= date(2024, 10, 1)
            items += int(rng.integers(5, 25)) + (int(rng.integers(10, 40)) if after_plan else 0)
            bundled += int(rng.integers(0, 2)) + (int(rng.integers(1, 4)) if after_plan else 0)
            online = min(99.5, online + rng.uniform(0.2, 1.2) * (100 - online) / 10)
            days = max(3.0, days * rng.uniform(0.9, 0.99))
            if month_end(_add_months(q, 2)) > as_of:
                continue
            for ind, v in (
                ("one_window_items", items),
                ("one_thing_services", bundled),
                ("online_rate", round(online, 1)),
                ("approval_days", round(days, 1)),
            ):
                rows.append({"zone_id": zone, "quarter": q, "indicator": ind, "value": float(v)})
    return pd.DataFrame(rows)


def _industry(rng: np.random.Generator, last_year: int, sc: Scenario) -> pd.DataFrame:
    """Generate annual industry-cluster figures, 2023 to *last_year*."""
    rows = []
    for zone, spec in sc.zones.items():
        for cluster, (output, above, leading, brands) in spec["industry_2023"].items():
            for year in range(INDUSTRY_FIRST_YEAR, 2026):
                if year > INDUSTRY_FIRST_YEAR:
                    output *= 1 + rng.normal(0.07, 0.05)
                    above = max(0, above + int(rng.integers(-1, 4)))
                    leading = leading + int(rng.random() < 0.3)
                    brands = brands + int(rng.integers(0, 3))
                if year > last_year:
                    continue
                rows.append(
                    {
                        "zone_id": zone,
                        "year": year,
                        "cluster": cluster,
                        "output_wan_yuan": round(float(output), 0),
                        "enterprises_above_size": above,
                        "leading_firms": leading,
                        "brands_gi": brands,
                    }
                )
    return pd.DataFrame(rows)


def county_panel(
    rng: np.random.Generator, last_year: int = 2025, scenario: Scenario | None = None
) -> pd.DataFrame:
    """Generate the county panel, 2019 to *last_year*, with the injected effect.

    log y = county level + (common trend + small county deviation) × (year − 2019)
    + common year shock (2020 dip) + noise, plus :data:`INJECTED_EFFECT_LOG` on
    :data:`INJECTED_EFFECT_OUTCOME` for the scenario's pilot host counties (default
    scenario: :data:`evalkit.schema.PILOT_HOST_COUNTIES`) from
    :data:`INJECTED_EFFECT_FIRST_YEAR`. Values are in 万元, rounded to 1 decimal.
    """
    sc = scenario or _SUIHUA
    years = np.arange(COUNTY_FIRST_YEAR, last_year + 1)
    outcomes = list(schema.COUNTY_INDICATORS)
    shocks = {}
    for k in outcomes:
        g, dip, shock_sd, _ = _COUNTY_DYNAMICS[k]
        s = rng.normal(0, shock_sd, len(years))
        s[0] = 0.0
        s[years == 2020] = dip
        shocks[k] = g * (years - COUNTY_FIRST_YEAR) + s
    rows = []
    for c, base in sc.counties_2019.items():
        treated = c in sc.pilot.host_counties
        logs = {}
        for j, k in enumerate(outcomes):
            noise_sd = _COUNTY_DYNAMICS[k][3]
            dev = rng.normal(0, COUNTY_TREND_SD)
            y = (
                np.log(base[j])
                + shocks[k]
                + dev * (years - COUNTY_FIRST_YEAR)
                + rng.normal(0, noise_sd, len(years))
            )
            if treated and k == INJECTED_EFFECT_OUTCOME:
                y = y + INJECTED_EFFECT_LOG * (years >= INJECTED_EFFECT_FIRST_YEAR)
            logs[k] = y
        for t, year in enumerate(years):
            rows.append(
                {"county_id": c, "year": int(year)}
                | {k: round(float(np.exp(logs[k][t])), 1) for k in outcomes}
            )
    return pd.DataFrame(rows)
