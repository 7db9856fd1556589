"""Hand-built reform ledgers shared by the reform topic tests (imported as ``reforms_ledgers``).

Every expected number in the tests is worked out by hand from these rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from evalkit.config import Targets

# Small targets keep the hand counts short: 2 replicated and 1 original per year.
SMALL = Targets(reforms_replicated=2, reforms_original=1, first_year=2024, last_year=2026)
NaT = None


def ledger(rows: list[tuple]) -> pd.DataFrame:
    """Build a reform_items frame from (item_id, zone, kind, experience, adopted, effective, status)."""
    cols = ["item_id", "zone_id", "kind", "source_experience", "adopted", "effective", "status"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("adopted", "effective"):
        df[c] = pd.to_datetime(df[c])
    df["title"] = "事项 " + df["item_id"]
    df["source"] = df["kind"].map({"replicated": "harbin_area", "original": "own"})
    df["domain"] = "trade"
    df["evidence"] = "绥政发〔2025〕1号"
    df["originality"] = df["kind"].map({"original": "provincial_first"})
    df["source_published"] = pd.NaT
    return df


# Ledger A. qinggang has no items at all.
A = ledger(
    [
        # suihua_etdz
        ("E1", "suihua_etdz", "replicated", "X", "2025-01-10", "2025-03-01", "in_effect"),
        # same experience as E1 (trailing blank): a duplicate, E1 took effect first
        ("E2", "suihua_etdz", "replicated", "X ", "2025-02-01", "2025-06-01", "in_effect"),
        # spans the year end: adopted 2024, in effect 2025 → counts in 2025
        ("E3", "suihua_etdz", "replicated", "Y", "2024-11-15", "2025-02-10", "in_effect"),
        ("E4", "suihua_etdz", "replicated", "Z", "2024-10-01", "2024-12-01", "in_effect"),
        # repeats E4's experience a year later → duplicate across years, never counts
        ("E5", "suihua_etdz", "replicated", "Z", "2025-03-01", "2025-04-01", "in_effect"),
        ("E6", "suihua_etdz", "original", None, "2025-01-01", "2025-05-01", "in_effect"),
        ("E7", "suihua_etdz", "replicated", "W", "2025-06-01", NaT, "in_progress"),
        # in effect only after the 2025 as-of date → pipeline in the 2025 report
        ("E8", "suihua_etdz", "replicated", "V", "2025-11-01", "2026-01-15", "in_effect"),
        # adopted after 2025-12-31 → ignored in 2025, pipeline in 2026
        ("E9", "suihua_etdz", "replicated", "U", "2026-01-05", NaT, "in_progress"),
        # zhaodong: same experience text as E1 but another zone → counts
        ("Z1", "zhaodong", "replicated", "X", "2025-01-01", "2025-02-01", "in_effect"),
        ("Z2", "zhaodong", "replicated", "A", "2025-01-01", "2025-07-01", "in_effect"),
        ("Z3", "zhaodong", "original", None, "2025-01-01", "2025-08-01", "in_effect"),
        # no source experience: cannot be matched, both count
        ("Z4", "zhaodong", "replicated", None, "2025-01-01", "2025-09-01", "in_effect"),
        ("Z5", "zhaodong", "replicated", None, "2025-01-01", "2025-09-02", "in_effect"),
    ]
)


def by_zone(att: pd.DataFrame) -> dict:
    return att.set_index("zone_id").to_dict("index")


PACE = ledger(
    [
        ("Q24a", "qinggang", "replicated", "a", "2024-01-01", "2024-02-01", "in_effect"),
        ("Q24b", "qinggang", "replicated", "b", "2024-01-01", "2024-05-01", "in_effect"),
        ("Q25a", "qinggang", "replicated", "c", "2025-01-01", "2025-01-15", "in_effect"),
        ("Q25b", "qinggang", "replicated", "d", "2025-01-01", "2025-03-01", "in_effect"),
        ("Q25c", "qinggang", "replicated", "e", "2025-01-01", "2025-03-31", "in_effect"),
        ("Q25d", "qinggang", "replicated", "f", "2025-01-01", "2025-04-01", "in_effect"),
        ("Q25e", "qinggang", "replicated", "g", "2025-01-01", "2025-11-01", "in_effect"),
        ("Q26a", "qinggang", "replicated", "h", "2026-01-01", "2026-01-10", "in_effect"),
        ("Q26b", "qinggang", "replicated", "i", "2026-01-01", "2026-03-31", "in_effect"),
        ("Q26c", "qinggang", "replicated", "j", "2026-01-01", "2026-04-01", "in_effect"),
    ]
)


def lag_ledger() -> pd.DataFrame:
    led = ledger(
        [
            ("L1", "suihua_etdz", "replicated", "a", "2025-01-11", "2025-03-01", "in_effect"),
            ("L2", "suihua_etdz", "replicated", "b", "2025-01-21", "2025-03-01", "in_effect"),
            ("L3", "suihua_etdz", "replicated", "c", "2025-02-10", None, "in_progress"),
            ("L4", "suihua_etdz", "replicated", "d", "2025-04-11", "2025-06-01", "in_effect"),
            ("L5", "suihua_etdz", "replicated", "a", "2025-05-01", "2025-06-01", "in_effect"),
            ("L6", "suihua_etdz", "original", None, "2025-05-01", "2025-06-01", "in_effect"),
            ("L7", "suihua_etdz", "replicated", "e", "2025-05-01", "2025-06-01", "in_effect"),
            ("L8", "suihua_etdz", "replicated", "f", "2026-02-01", None, "in_progress"),
            ("M1", "suihua_etdz", "replicated", "g", "2024-01-06", "2024-03-01", "in_effect"),
            ("M2", "suihua_etdz", "replicated", "h", "2024-01-08", "2024-03-01", "in_effect"),
            ("M3", "suihua_etdz", "replicated", "i", "2024-01-31", "2024-03-01", "in_effect"),
        ]
    )
    published = {
        "L1": "2025-01-01",  # 10 days
        "L2": "2025-01-01",  # 20 days
        "L3": "2025-01-01",  # 40 days (pipeline items count: the adoption happened)
        "L4": "2025-01-01",  # 100 days
        "L5": "2025-01-01",  # duplicate of L1 → left out
        "L6": "2025-01-01",  # original → left out
        # L7: no publication date → left out
        "L8": "2026-01-01",  # adopted after the as-of date → left out
        "M1": "2024-01-01",  # 5 days
        "M2": "2024-01-01",  # 7 days
        "M3": "2024-01-01",  # 30 days
    }
    led["source_published"] = pd.to_datetime(led["item_id"].map(published))
    return led


def hand_att(year, partial, rows):
    """rows: (zone, rep, orig, met_rep, met_orig, pipeline) with targets 20 / 3."""
    return pd.DataFrame(
        [
            {
                "zone_id": z,
                "year": year,
                "replicated": r,
                "original": o,
                "target_replicated": 20,
                "target_original": 3,
                "met_replicated": mr,
                "met_original": mo,
                "gap_replicated": max(20 - r, 0),
                "gap_original": max(3 - o, 0),
                "partial_year": partial,
                "in_progress": p,
            }
            for z, r, o, mr, mo, p in rows
        ]
    )


# Targets file matching SMALL (2 replicated, 1 original a year; plan 2024–2026).
TARGETS_YAML = """
plan:
  issued: 2024-09-09
  first_year: 2024
  last_year: 2026
targets:
  reforms_replicated: 2
  reforms_original: 1
  funds_growth: 0.25
"""


def data_ledger() -> pd.DataFrame:
    """Ledger A plus PACE (qinggang's items 2024–2026): the curated table of write_data_dir."""
    return pd.concat([A, PACE], ignore_index=True)


def write_data_dir(data: Path) -> Path:
    """Write a data folder: curated reform_items (:func:`data_ledger`), synthetic meta, SMALL targets."""
    (data / "curated").mkdir(parents=True)
    (data / "config").mkdir()
    data_ledger().to_parquet(data / "curated" / "reform_items.parquet")
    (data / "curated" / "_meta.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    (data / "config" / "targets.yaml").write_text(TARGETS_YAML, encoding="utf-8")
    return data
