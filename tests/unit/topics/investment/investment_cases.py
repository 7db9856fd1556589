"""Shared hand-worked cases of the investment tests (funds rows, project ledger)."""

import pandas as pd


def funds_rows(zone, project, year, months, amount):
    """Return funds_monthly rows: *amount* 万元 for each of *months* of *year*."""
    return [
        {
            "project_id": project,
            "zone_id": zone,
            "month": pd.Timestamp(year=year, month=m, day=1),
            "funds_wan_yuan": float(amount),
        }
        for m in months
    ]


def funds_frame():
    """Three zones, hand-worked (see the comments)."""
    rows = []
    # 绥化经开区: 100/month in 2025, 150/month in 2026 → Jan–Oct 1500 vs 1000 = +50 %.
    rows += funds_rows("suihua_etdz", "E1", 2025, range(1, 13), 100)
    rows += funds_rows("suihua_etdz", "E1", 2026, range(1, 11), 150)
    # 肇东: nothing in 2025 (dataset starts 2025-01, so the base is zero, not missing);
    # 200 in March 2026 and a zero row for October (the zone reported October).
    rows += funds_rows("zhaodong", "Z1", 2026, [3], 200)
    rows += funds_rows("zhaodong", "Z1", 2026, [10], 0)
    # 青冈: late — only January–September 2026 reported; 110/month vs 100/month.
    rows += funds_rows("qinggang", "Q1", 2025, range(1, 13), 100)
    rows += funds_rows("qinggang", "Q1", 2026, range(1, 10), 110)
    return pd.DataFrame(rows)


def projects_frame():
    """Four projects at different stages (landing funnel and stall cases)."""
    return pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "zone_id": ["qinggang", "qinggang", "qinggang", "zhaodong"],
            "name": ["甲", "乙", "丙", "丁"],
            "signed": pd.to_datetime(["2025-01-01", "2025-03-01", "2026-01-01", "2026-09-01"]),
            "construction_started": pd.to_datetime(["2025-01-31", "2025-04-10", None, None]),
            # B's production date is after the as-of date: not known yet.
            "in_production": pd.to_datetime(["2025-07-30", "2026-12-01", None, None]),
        }
    )


def write_dataset(root, *, synthetic=True):
    """Write a small curated dataset under *root* (a data folder) and return *root*.

    Every configured zone gets two projects and seasonal monthly funds from
    January 2024 to October 2026 (the last zone only through September: a late
    zone). Zones, clusters and origins come from the schema, never spelled out here.
    """
    import json
    from pathlib import Path

    import numpy as np

    from evalkit.schema import ALL_CLUSTERS, INVESTOR_ORIGINS, ZONES

    root = Path(root)
    (root / "curated").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "config" / "targets.yaml").write_text(
        "plan:\n  issued: 2024-09-09\n  first_year: 2024\n  last_year: 2026\n"
        "targets:\n  funds_growth: 0.25\n",
        encoding="utf-8",
    )
    (root / "config" / "investment.yaml").write_text(
        "landing:\n  stall_days_signed: 120\n  stall_days_construction: 400\n"
        "growth:\n  min_base_wan_yuan: 50\n",
        encoding="utf-8",
    )
    (root / "curated" / "_meta.json").write_text(
        json.dumps({"synthetic": synthetic, "as_of": "2026-10-31"}), encoding="utf-8"
    )
    rng = np.random.default_rng(7)
    season = np.array([3, 4, 6, 8, 9, 10, 10, 9, 8, 7, 6, 12], float) * 10
    clusters, origins = list(ALL_CLUSTERS), [o for o in INVESTOR_ORIGINS if o != "foreign"]
    zones = list(ZONES)
    projects, funds = [], []
    for i, zone_id in enumerate(zones):
        for k in range(2):
            pid = f"P{i}{k}"
            projects.append(
                {
                    "project_id": pid,
                    "zone_id": zone_id,
                    "name": f"项目{i}{k}",
                    "cluster": clusters[(i + k) % len(clusters)],
                    "origin": "foreign" if k else origins[i % len(origins)],
                    "origin_detail": "俄罗斯" if k else None,
                    "contracted_wan_yuan": 4_000.0 + 50_000.0 * k,
                    "signed": pd.Timestamp(2024, 1 + i, 1),
                    "construction_started": pd.Timestamp(2024, 3 + i, 1) if k == 0 else pd.NaT,
                    "in_production": pd.NaT,
                }
            )
            last = pd.Timestamp(2026, 9 if i == len(zones) - 1 else 10, 1)
            for month in pd.date_range("2024-01-01", last, freq="MS"):
                grow = (1.0 + 0.1 * (i + 1)) ** (month.year - 2024)
                value = season[month.month - 1] * grow * (1 + k) * rng.uniform(0.8, 1.2)
                funds.append(
                    {"project_id": pid, "zone_id": zone_id, "month": month, "funds_wan_yuan": value}
                )
    pd.DataFrame(projects).to_parquet(root / "curated" / "projects.parquet")
    pd.DataFrame(funds).to_parquet(root / "curated" / "funds_monthly.parquet")
    return root
