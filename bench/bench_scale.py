"""Province scale through the whole pipeline (issue 19): intake, report and site, and at 1/10.

A pilot zone of 40 sub-zones (its own ``zones.yaml``: three clusters and a host county
each, ten comparison counties) with ten years of submissions, 2016-01 … 2025-12:
~100 000 projects, ~2 million monthly fund rows (a GBK CSV, as a Chinese-locale Excel
exports it), ~20 000 reform items, logistics (40 × 120 × 13 rows), quarterly services,
annual clusters and the county panel (with a known effect for the host counties from
2024). About 0.1 % of the fund and project rows are invalid, so quarantine is exercised.
The 1/10 size has the same zones and years and a tenth of the projects, fund rows and
reform items.

Each size is one ``python -m evalkit report --year 2025`` in a scratch project (all
``EVALKIT_*`` folders point there; nothing of the project is written): curation, every
notebook, the site. Printed, with the goals beside them: wall and CPU seconds (the run
and all its children: workers, kernels) per stage, from the time each progress line
arrived, and the peak memory of the whole process tree (sampled every 0.1 s, the sum of
the RSS of every process of the run) and of its largest single process.

Usage: ``.venv/bin/python bench/bench_scale.py [--scale 1.0] [--jobs 2] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from evalkit.core import numerics

ROOT = Path(__file__).resolve().parents[1]
N_ZONES = 40
N_COMPARISON = 10
YEARS = 10
FIRST_YEAR = 2016
REPORT_YEAR = FIRST_YEAR + YEARS - 1
PROJECTS = 100_000
FUNDS_MONTHS = 20  # months of funds per project → ~2 million rows
REFORMS = 20_000
GOALS = {"seconds": 300.0, "peak_mb": 2048.0, "growth": 10.0}


def zones_config(n: int = N_ZONES) -> dict:
    """Return a ``zones.yaml`` document for a pilot zone of *n* sub-zones."""
    zones = [
        {
            "id": f"z{i:02d}",
            "name": f"测试{i:02d}片区",
            "aliases": [f"测试{i:02d}"],
            "host_county": f"host{i:02d}",
            "clusters": {
                f"z{i:02d}_{k}": f"集群{i:02d}{c}" for k, c in zip("abc", "甲乙丙", strict=True)
            },
        }
        for i in range(1, n + 1)
    ]
    counties = {f"host{i:02d}": f"测试{i:02d}县" for i in range(1, n + 1)}
    counties |= {f"cmp{i:02d}": f"对照{i:02d}县" for i in range(1, N_COMPARISON + 1)}
    return {
        "pilot_zone": {
            "name": "省级基准先导区（基准测试）",
            "short_name": "基准先导区",
            "city": "基准市",
        },
        "zones": zones,
        "counties": counties,
        "impact": {"comparison_counties": [f"cmp{i:02d}" for i in range(1, N_COMPARISON + 1)]},
    }


def make_project(root: Path) -> dict[str, str]:
    """Write the scratch project's configuration and return the environment of its runs."""
    data = root / "data"
    shutil.copytree(ROOT / "data" / "config", data / "config")
    (data / "config" / "zones.yaml").write_text(
        yaml.safe_dump(zones_config(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALKIT_")}
    env.update(
        EVALKIT_DATA_DIR=str(data),
        EVALKIT_REPORTS_DIR=str(root / "reports"),
        EVALKIT_SITE_DIR=str(root / "_site"),
        EVALKIT_BUILD_DIR=str(root / "build"),
        PYTHONHASHSEED="0",
    )
    env.update(numerics.pinned_env(env))  # as the report's own processes (floor included)
    return env


def generate(folder: Path, scale: float, seed: int = 20241) -> dict[str, int]:
    """Write the raw submissions (scaled by *scale*) into *folder*; return row counts.

    Runs in a process whose ``EVALKIT_DATA_DIR`` is the scratch project: the schema's
    zones, clusters and counties are the 40-zone pilot's.
    """
    import numpy as np
    import openpyxl
    import pandas as pd

    from evalkit import schema

    rng = np.random.default_rng(seed)
    zones = list(schema.ZONES)
    assert len(zones) == N_ZONES, "run with EVALKIT_DATA_DIR set to the scratch project"
    folder.mkdir(parents=True, exist_ok=True)
    months = pd.date_range(f"{FIRST_YEAR}-01-01", periods=12 * YEARS, freq="MS")
    zone_labels = np.array([schema.ZONES[z] for z in zones], dtype=object)
    zone_clusters = [np.array(list(schema.CLUSTERS[z].values()), dtype=object) for z in zones]
    origins = np.array(list(schema.INVESTOR_ORIGINS.values()), dtype=object)

    n_p = int(PROJECTS * scale)
    zone_of = rng.integers(0, len(zones), n_p)
    pick = rng.integers(0, 3, n_p)
    cluster = np.array([zone_clusters[z][k] for z, k in zip(zone_of, pick, strict=True)])
    start = rng.integers(0, len(months) - FUNDS_MONTHS, n_p)
    signed = months[start] + pd.to_timedelta(rng.integers(0, 28, n_p), unit="D")
    pid = np.char.add("P", np.arange(n_p).astype(str))
    started = signed + pd.Timedelta(days=60)
    producing = signed + pd.Timedelta(days=400)
    projects = pd.DataFrame(
        {
            "项目编号": pid,
            "片区": zone_labels[zone_of],
            "项目名称": np.char.add("项目", np.arange(n_p).astype(str)),
            "产业集群": cluster,
            "投资方来源": origins[rng.integers(0, len(origins), n_p)],
            "来源省份或国家": "",
            "签约金额（万元）": np.round(rng.uniform(5000, 50000, n_p), 1),
            "签约日期": signed.strftime("%Y-%m-%d"),
            "开工日期": started.strftime("%Y年%m月%d日"),
            "投产日期": np.where(producing <= months[-1], producing.strftime("%Y-%m-%d"), ""),
        }
    )
    bad = rng.choice(n_p, max(1, n_p // 1000), replace=False)
    projects.loc[bad, "片区"] = "不存在片区"
    projects.to_csv(folder / "projects.csv", index=False)

    rep = np.repeat(np.arange(n_p), FUNDS_MONTHS)
    offs = np.tile(np.arange(FUNDS_MONTHS), n_p)
    # Funds grow over the years (so growth rates are ordinary numbers), with noise.
    trend = 1.0 + 0.08 * (start[rep] + offs) / 12
    funds = pd.DataFrame(
        {
            "项目编号": pid[rep],
            "片区": zone_labels[zone_of][rep],
            "月份": months[start[rep] + offs].strftime("%Y-%m"),
            "当月到位资金（万元）": np.round(trend * rng.uniform(100, 200, len(rep)), 2),
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
            "来源经验名称或编号": np.where(
                kinds, np.char.add("E", (np.arange(n_r) % 500).astype(str)), ""
            ),
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
    grid = pd.MultiIndex.from_product([zones, months, ind]).to_frame(index=False)
    seasonal = 1 + 0.1 * np.sin(grid[1].dt.month.to_numpy() / 12 * 2 * np.pi)
    logistics = pd.DataFrame(
        {
            "片区": grid[0].map(schema.ZONES),
            "月份": grid[1].dt.strftime("%Y-%m"),
            "指标": grid[2].map(lambda k: schema.LOGISTICS_INDICATORS[k][0]),
            "数值": np.round(seasonal * rng.uniform(50, 60, len(grid)), 1),
        }
    )
    logistics.to_csv(folder / "logistics_monthly.csv", index=False)

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(schema.GOV_SERVICES_QUARTERLY.title)
    ws.append([c.header for c in schema.GOV_SERVICES_QUARTERLY.columns])
    for z in zones:
        for q in months[::3]:
            for label, _unit in schema.GOV_SERVICE_INDICATORS.values():
                ws.append([schema.ZONES[z], q.to_pydatetime(), label, float(rng.uniform(40, 60))])
    ws = wb.create_sheet(schema.INDUSTRY_ANNUAL.title)
    ws.append([c.header for c in schema.INDUSTRY_ANNUAL.columns])
    for z in zones:
        for y in range(2019, REPORT_YEAR + 1):
            for c in schema.CLUSTERS[z].values():
                grow = 1.1 ** (y - 2019)
                ws.append([schema.ZONES[z], y, c, round(grow * 1e5, 1), 10, 2, 1])
    ws = wb.create_sheet(schema.COUNTY_PANEL.title)
    ws.append([c.header for c in schema.COUNTY_PANEL.columns])
    hosts = {z.host_county for z in schema.PILOT_ZONE.zones}
    for cid, name in schema.COUNTIES.items():
        level = rng.uniform(0.5, 2.0)
        for y in range(FIRST_YEAR, REPORT_YEAR + 1):
            t = 1.05 ** (y - FIRST_YEAR) * level
            effect = 1.16 if cid in hosts and y >= 2024 else 1.0
            noise = rng.normal(1.0, 0.02, 5)
            base = np.array([2e6, 4e5, 2e4, 3e5, 8e5]) * t * noise
            base[1] *= effect  # domestic capital used (the demo's injected outcome)
            ws.append([name, y, *(round(float(v), 1) for v in base)])
    wb.save(folder / "small_tables.xlsx")
    (folder / "dataset.yaml").write_text(
        f"synthetic: true\nas_of: {REPORT_YEAR}-12-31\ndescription: province-scale benchmark\n",
        encoding="utf-8",
    )
    return {"projects": len(projects), "funds_monthly": len(funds), "reform_items": n_r}


#: Progress lines that end a stage (the first line of the run starts intake).
STAGES = (
    ("intake", "评估年度 year"),
    ("notebooks", "个已执行 executed"),
    ("site", "网站已发布 site published"),
)


def _kind(proc, root: int, stage: str = "") -> str:
    """Name what process *proc* of the run rooted at pid *root* is, in *stage* of the run.

    Curation and the editions both run in a spawned child (:mod:`evalkit.run.child`):
    the stage tells them apart (the editions are built at the end of the notebooks stage).
    """
    import psutil

    if proc.pid == root:
        return "the report's own process"
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        return "a process that has exited"
    if "spawn_main" in cmd:
        return "the curation child" if stage == "intake" else "the editions child"
    if "multiprocessing.forkserver" in cmd:
        return "a worker or their fork server"
    if "PR_SET_PDEATHSIG" in cmd or "ipykernel_launcher" in cmd:
        return "a kernel or its zygote"
    return Path(cmd.split(" ", 1)[0]).name or "?"


def _tree_rss(pid: int, stage: str = "") -> tuple[int, int, str]:
    """Return (summed RSS, largest RSS) in bytes of *pid* and its descendants, and what the largest is.

    ``(0, 0, "")`` once the run has exited.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0, ""
    sizes = []
    for p in procs:
        try:
            sizes.append((p.memory_info().rss, p))
        except psutil.Error:
            pass
    if not sizes:
        return 0, 0, ""
    largest, which = max(sizes, key=lambda x: x[0])
    return sum(s for s, _ in sizes), largest, _kind(which, pid, stage)


def run_report(root: Path, env: dict, jobs: int) -> dict:
    """Run the report of *root*; return wall/CPU per stage and peak memory."""
    cmd = [
        sys.executable,
        "-m",
        "evalkit",
        "report",
        "--year",
        str(REPORT_YEAR),
        "--jobs",
        str(jobs),
        "--dataset",
        str(root / "raw"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    peak = [0, 0]
    done = threading.Event()
    # What was running when each peak was reached: the stage and the notebooks started
    # and not yet done (from the progress lines read below: where the run was, not
    # which process peaked), and for the largest process what that process is.
    now = {"stage": STAGES[0][0], "running": set()}
    at_peak = {"tree": "", "process": ""}

    def sample() -> None:
        while not done.is_set():
            total, largest, which = _tree_rss(proc.pid, now["stage"])
            what = f"{now['stage']} [{', '.join(sorted(now['running']))}]"
            if total > peak[0]:
                peak[0], at_peak["tree"] = total, what
            if largest > peak[1]:
                peak[1], at_peak["process"] = largest, f"{which}; {what}"
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    marks, lines = {}, []
    for line in proc.stdout:
        lines.append(line)
        for i, (stage, marker) in enumerate(STAGES):
            if marker in line and stage not in marks:
                marks[stage] = time.perf_counter() - t0
                now["stage"] = STAGES[i + 1][0] if i + 1 < len(STAGES) else "finishing"
        started = re.search(r"▶ (\S+) 开始执行 started", line)
        finished = re.search(r"✓ (\S+) 完成 done", line)
        if started:
            now["running"] = now["running"] | {started.group(1)}
        elif finished:
            now["running"] = now["running"] - {finished.group(1)}
    proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{''.join(lines)[-5000:]}")
    notebooks = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r"✓ (\S+) 完成 done \(([\d.]+) s\)", "".join(lines))
    }
    return {
        "notebooks": notebooks,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "marks": marks,
        "peak_tree_mb": peak[0] / 2**20,
        "peak_process_mb": peak[1] / 2**20,
        "at_peak": at_peak,
        "log": "".join(lines),
    }


def bench(scale: float, root: Path, jobs: int) -> dict:
    """Make a project at *scale* under *root*, run its report, return the figures."""
    env = make_project(root)
    gen = subprocess.run(
        [sys.executable, __file__, "--generate", str(root / "raw"), str(scale)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = gen.stdout.strip().splitlines()[-1]
    figures = run_report(root, env, jobs)
    return figures | {"rows": rows}


def show(name: str, r: dict, log: bool) -> None:
    """Print one size's figures: wall/CPU per stage, peak memory, notebooks slowest first."""
    if log:
        print(r["log"])
    m, previous, parts = r["marks"], 0.0, []
    for stage, _ in STAGES:
        if stage in m:
            parts.append(f"{stage} {m[stage] - previous:.1f} s")
            previous = m[stage]
    print(
        f"{name:>9} ({r['rows']}): {r['wall']:6.1f} s wall, {r['cpu']:6.1f} s CPU "
        f"[{' · '.join(parts)}] · peak memory {r['peak_tree_mb']:6.0f} MB all processes, "
        f"{r['peak_process_mb']:6.0f} MB largest process"
    )
    print(
        f"           at the peaks, stage [notebooks running]: all processes "
        f"{r['at_peak']['tree']}; largest process: {r['at_peak']['process']}"
    )
    slowest = sorted(r["notebooks"].items(), key=lambda kv: -kv[1])
    print("           notebooks, slowest first: " + ", ".join(f"{n} {s:.0f} s" for n, s in slowest))
    sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="keep the scratch projects here")
    ap.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--log", action="store_true", help="print each run's progress lines")
    args = ap.parse_args()
    if args.generate:
        print(generate(Path(args.generate[0]), float(args.generate[1])))
        return 0
    root = args.keep or Path(tempfile.mkdtemp(prefix="evalkit-bench-scale-"))
    print(
        f"province scale: {N_ZONES} sub-zones × {YEARS} years, report {REPORT_YEAR}, "
        f"jobs {args.jobs}",
        flush=True,
    )
    try:
        small = bench(args.scale / 10, root / "tenth", args.jobs)
        show("1/10 size", small, args.log)
        full = bench(args.scale, root / "full", args.jobs)
        show("full size", full, args.log)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"full size: {full['wall']:.1f} s wall (goal ≤ {GOALS['seconds']:.0f} s) · "
        f"peak {full['peak_tree_mb']:.0f} MB (goal ≤ {GOALS['peak_mb']:.0f} MB)"
    )
    print(
        f"growth full / tenth: wall {full['wall'] / small['wall']:.1f}×, "
        f"CPU {full['cpu'] / small['cpu']:.1f}×, memory {full['peak_tree_mb'] / small['peak_tree_mb']:.1f}× "
        f"(goal: ≤ {GOALS['growth']:.0f}×, no faster than linear)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
