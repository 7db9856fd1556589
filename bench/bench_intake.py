"""Benchmark: intake + validation + curation at province scale, and at 1/10 of it.

Province scale: 40 zones, 10 years (2016-01 … 2025-12), ~100 000 projects, ~2 million
monthly fund rows, ~20 000 reform items, plus logistics (40 × 120 × 13 rows),
quarterly services, annual clusters and the county panel. The big tables are CSV
(the funds table in GBK, as exported by a Chinese-locale Excel), the small ones an
.xlsx workbook. About 0.1 % of rows are made invalid so quarantine is exercised.

Each scale runs in a fresh subprocess, which reports its wall time and peak RSS.
The 37 extra zones exist only inside this benchmark's processes (added to the
schema's zone and cluster tables at start-up).

Usage: ``.venv/bin/python bench/bench_intake.py [--scale 1.0] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import schema

N_ZONES = 40
YEARS = 10
PROJECTS = 100_000
FUNDS_MONTHS = 20  # months of funds per project → ~2 million rows
REFORMS = 20_000


def extend_zones() -> list[str]:
    """Add synthetic zones 4…40 to the schema (in this process only); return all zone ids."""
    for i in range(len(schema.ZONES), N_ZONES):
        zid = f"bench_{i:02d}"
        schema.ZONES[zid] = f"测试片区{i:02d}"
        schema.CLUSTERS[zid] = dict(schema.CLUSTERS["zhaodong"])
    return list(schema.ZONES)


def generate(folder: Path, scale: float, seed: int = 20241) -> dict[str, int]:
    """Write a province-scale dataset (scaled by *scale*) into *folder*; return row counts."""
    rng = np.random.default_rng(seed)
    zones = extend_zones()
    folder.mkdir(parents=True, exist_ok=True)
    months = pd.date_range("2016-01-01", periods=12 * YEARS, freq="MS")
    n_p = int(PROJECTS * scale)
    zone_of = rng.integers(0, len(zones), n_p)
    zone_labels = np.array([schema.ZONES[z] for z in zones], dtype=object)
    clusters = np.array(list(schema.CLUSTERS["zhaodong"].values()), dtype=object)
    origins = np.array(list(schema.INVESTOR_ORIGINS.values()), dtype=object)
    start = rng.integers(0, len(months) - FUNDS_MONTHS, n_p)
    signed = months[start] + pd.to_timedelta(rng.integers(0, 28, n_p), unit="D")
    pid = np.char.add("P", np.arange(n_p).astype(str).astype(object).astype(str))
    projects = pd.DataFrame(
        {
            "项目编号": pid,
            "片区": zone_labels[zone_of],
            "项目名称": np.char.add("项目", np.arange(n_p).astype(str)),
            "产业集群": clusters[rng.integers(0, len(clusters), n_p)],
            "投资方来源": origins[rng.integers(0, len(origins), n_p)],
            "来源省份或国家": "",
            "签约金额（万元）": np.round(rng.uniform(5000, 50000, n_p), 1),
            "签约日期": signed.strftime("%Y-%m-%d"),
            "开工日期": (signed + pd.Timedelta(days=60)).strftime("%Y年%m月%d日"),
            "投产日期": "",
        }
    )
    # ~0.1 % invalid: unknown zone names.
    bad = rng.choice(n_p, max(1, n_p // 1000), replace=False)
    projects.loc[bad, "片区"] = "不存在片区"
    projects.to_csv(folder / "projects.csv", index=False)

    rep = np.repeat(np.arange(n_p), FUNDS_MONTHS)
    offs = np.tile(np.arange(FUNDS_MONTHS), n_p)
    funds = pd.DataFrame(
        {
            "项目编号": pid[rep],
            "片区": zone_labels[zone_of][rep],
            "月份": months[start[rep] + offs].strftime("%Y-%m"),
            "当月到位资金（万元）": np.round(rng.uniform(100, 200, len(rep)), 2),
        }
    )
    bad = rng.choice(len(funds), max(1, len(funds) // 1000), replace=False)
    funds.loc[bad, "当月到位资金（万元）"] = -1.0
    funds.to_csv(folder / "funds_monthly.csv", index=False, encoding="gbk")

    n_r = int(REFORMS * scale)
    kinds = rng.random(n_r) < 0.85
    adopted = months[rng.integers(0, len(months) - 6, n_r)]
    reforms = pd.DataFrame(
        {
            "事项编号": np.char.add("R", np.arange(n_r).astype(str)),
            "片区": zone_labels[rng.integers(0, len(zones), n_r)],
            "事项名称": "改革事项",
            "类型": np.where(kinds, "复制推广", "自主创新"),
            "经验来源": np.where(kinds, "哈尔滨片区", "本片区自主创新"),
            "来源经验名称或编号": "",
            "政策领域": "贸易便利化",
            "来源经验发布日期": np.where(
                kinds, (adopted - pd.Timedelta(days=90)).strftime("%Y-%m-%d"), ""
            ),
            "复制（创新）启动日期": adopted.strftime("%Y.%m.%d"),
            "落地见效日期": (adopted + pd.Timedelta(days=120)).strftime("%Y-%m-%d"),
            "状态": "已落地见效",
            "佐证材料（文号或链接）": "文号",
            "原创性评级": np.where(kinds, "", "全省首创"),
        }
    )
    reforms.to_csv(folder / "reform_items.csv", index=False)

    ind = list(schema.LOGISTICS_INDICATORS)
    nz = max(3, int(N_ZONES * scale))
    grid = pd.MultiIndex.from_product([zones[:nz], months, ind]).to_frame(index=False)
    logistics = pd.DataFrame(
        {
            "片区": grid[0].map(schema.ZONES),
            "月份": grid[1].dt.strftime("%Y-%m"),
            "指标": grid[2].map(lambda k: schema.LOGISTICS_INDICATORS[k][0]),
            "数值": np.round(rng.uniform(50, 60, len(grid)), 1),
        }
    )
    logistics.to_csv(folder / "logistics_monthly.csv", index=False)

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet(schema.GOV_SERVICES_QUARTERLY.title)
    ws.append([c.header for c in schema.GOV_SERVICES_QUARTERLY.columns])
    quarters = months[::3]
    for z in zones[:nz]:
        for q in quarters:
            for label, _unit in schema.GOV_SERVICE_INDICATORS.values():
                ws.append([schema.ZONES[z], q.to_pydatetime(), label, 50.0])
    ws = wb.create_sheet(schema.COUNTY_PANEL.title)
    ws.append([c.header for c in schema.COUNTY_PANEL.columns])
    for cid in schema.COUNTIES.values():
        for y in range(2016, 2016 + YEARS):
            ws.append([cid, y, 2e6, 4e5, 2e4, 3e5, 8e5])
    wb.save(folder / "small_tables.xlsx")
    (folder / "dataset.yaml").write_text(
        "synthetic: true\nas_of: 2025-12-31\ndescription: benchmark\n", encoding="utf-8"
    )
    return {
        "projects": len(projects),
        "funds_monthly": len(funds),
        "reform_items": len(reforms),
        "logistics_monthly": len(logistics),
    }


def measure(folder: Path, data: Path) -> None:
    """Run the intake on *folder* into *data* and print wall time and peak RSS as JSON."""
    extend_zones()
    from evalkit.intake import run

    t0 = time.perf_counter()
    result = run(folder, data)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    totals = result.counts[["rows_read", "rows_accepted", "rows_quarantined"]].sum()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_mb": round(peak_mb),
                "status": result.status,
                "rows_read": int(totals["rows_read"]),
                "rows_accepted": int(totals["rows_accepted"]),
                "rows_quarantined": int(totals["rows_quarantined"]),
                "findings": len(result.findings),
            }
        )
    )


def bench(scale: float, root: Path) -> dict:
    """Generate at *scale* under *root*, run the intake in a subprocess, return its figures."""
    folder = root / f"raw_{scale:g}"
    rows = generate(folder, scale)
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(folder), str(root / f"data_{scale:g}")],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return figures | {"input_rows": rows}


def main() -> None:
    """Run both scales and print the figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="keep generated files here")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_intake_"))
    try:
        small = bench(args.scale / 10, root)
        full = bench(args.scale, root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    for name, r in (("1/10 scale", small), ("full scale", full)):
        print(
            f"{name:>10}: {r['seconds']:7.2f} s wall ({r['cpu_seconds']:.2f} s CPU, whole process)  "
            f"peak {r['peak_mb']:6d} MB  "
            f"rows read {r['rows_read']:,} = accepted {r['rows_accepted']:,} + "
            f"quarantined {r['rows_quarantined']:,}  findings {r['findings']:,}  status {r['status']}"
        )
    print(
        f"ratio full / tenth: time {full['seconds'] / small['seconds']:.1f}× wall, "
        f"{full['cpu_seconds'] / small['cpu_seconds']:.1f}× CPU "
        f"(linear would be 10×), memory {full['peak_mb'] / small['peak_mb']:.1f}×"
    )
    print("targets: < 30 s and < 2048 MB at full scale")


if __name__ == "__main__":
    main()
