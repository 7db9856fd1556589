"""A small curated data folder for the logistics topic (``run`` / ``present`` tests).

Zones come from the configuration (``schema.ZONES``): the first zone submits a long
rail-freight series with one planted spike plus trade and corridor figures; the
second submits the corridor indicators with one month missing; any further zone
submits nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import paths
from evalkit.schema import ZONES

YEAR = 2025
AS_OF = "2025-06-30"
#: The planted spike in the first zone's rail freight (inside the report window).
SPIKE = pd.Timestamp("2025-03-01")


def _rows(zone: str, indicator: str, months, values) -> list[dict]:
    return [
        {"zone_id": zone, "month": m, "indicator": indicator, "value": float(v)}
        for m, v in zip(months, values, strict=True)
    ]


def logistics_frame() -> pd.DataFrame:
    """Return the ``logistics_monthly`` rows described in the module docstring."""
    first, second = list(ZONES)[:2]
    long = pd.date_range("2022-01-01", "2025-06-01", freq="MS")
    t = np.arange(len(long))
    rng = np.random.default_rng(7)
    rail = 1000 + 5 * t + 150 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 10, len(t))
    rail[list(long).index(SPIKE)] += 400.0
    rows = _rows(first, "freight_rail", long, rail)
    two_years = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
    rows += _rows(first, "import_value", two_years, [100.0 + i for i in range(len(two_years))])
    rows += _rows(first, "export_value", two_years, [50.0 + i for i in range(len(two_years))])
    year = pd.date_range("2025-01-01", "2025-06-01", freq="MS")
    rows += _rows(first, "russia_trade_value", year, [30, 40, 50, 60, 70, 80])
    rows += _rows(first, "train_departures", year, [2, 3, 2, 4, 3, 5])
    rows += _rows(second, "russia_trade_value", year, [10, 20, 30, 40, 50, 60])
    kept = [m for m in year if m.month != 4]  # April not submitted
    rows += _rows(second, "train_departures", kept, [1, 1, 2, 2, 3])
    df = pd.DataFrame(rows)
    df["month"] = pd.to_datetime(df["month"])
    return df


def build_data(root: Path) -> Path:
    """Write a data folder (project configuration + curated logistics table) under *root*."""
    data = Path(root) / "data"
    shutil.copytree(paths.ROOT / "data" / "config", data / "config")
    curated = data / "curated"
    curated.mkdir(parents=True)
    logistics_frame().to_parquet(curated / "logistics_monthly.parquet")
    meta = {"synthetic": True, "as_of": AS_OF}
    (curated / "_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return data
