"""Plausibility bounds of the curated tables: data only, no pandas.

The intake's checks (:mod:`.plausibility`) apply them; the data-dictionary page
(:mod:`.dictionary`) prints them for the clerks who fill the templates.
"""

from __future__ import annotations

from .. import schema

#: table → columns that must be > 0 (the impact evaluation takes their logarithm).
POSITIVE_COLUMNS: dict[str, tuple[str, ...]] = {"county_panel": tuple(schema.COUNTY_INDICATORS)}

#: (table, column) → (low, high) in the curated unit; outside warns as implausible.
PLAUSIBLE_RANGE: dict[tuple[str, str], tuple[float, float]] = {
    ("projects", "contracted_wan_yuan"): (1.0, 1e7),  # 1 万元 … 1000 亿元 per project
    ("funds_monthly", "funds_wan_yuan"): (0.0, 1e7),
}
