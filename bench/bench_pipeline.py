"""Time the report pipeline against its goals (issue 19), from one run with interleaved repeats.

Runs on the real templates (``notebooks/``) and private copies of ``data/`` (config and
the raw demo dataset; the first run curates it), writing only to a scratch folder:

    python bench/bench_pipeline.py [--year 2026] [--jobs 2] [--repeats 3] [--compare-src DIR]

Prints, each with its goal beside it:

- the changed-input sets: one input of each kind changed, the notebooks that ran
  (must be exactly the pages reading it);
- warm / cold: a no-change run (``python -m evalkit report``) against a cold forced
  run (``--force``, curation up to date), wall time of whole processes;
- cold report against the single-process floor: one kernel running every
  notebook's code in turn (built here from the templates; its tables must be
  byte-identical to the report's), wall and CPU (the process and all its
  children: workers and kernels); the floor is timed twice, as a plain kernel
  and with the thread settings the report gives its kernels (one thread per
  numerical library, :func:`evalkit.run.execute.kernel_threads_env`), and the
  verdict is against the cheaper of the two;
- the same against the floor plus the site made once in one process (timed alone
  and added): the floor that produces what the cold run produces. A forced run
  re-executes every page; the editions are copied from the published year when
  their inputs key still matches, which the bench counts in the cold runs' output;
  their build is timed alone and printed beside (what a run whose pages changed
  adds).

Each repeat runs the measured commands in a rotated order, so a busy machine
slows all of them alike; medians are printed. ``--compare-src DIR`` adds the
same cold and warm runs with ``PYTHONPATH=DIR`` (e.g. an extracted older
``src/``), interleaved too: the before/after speed comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evalkit.core import numerics

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the changed-input cases are the tests' cases

GOALS = {"warm": 0.02, "floor_wall": 1.1, "floor_cpu": 1.3}


def project(root: Path, src: str | None = None) -> dict[str, str]:
    """Make a scratch project under *root*; return the environment for its runs."""
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("curated", "raw"))
    shutil.copytree(ROOT / "data" / "raw" / "demo", root / "raw")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALKIT_")}
    env.update(
        EVALKIT_DATA_DIR=str(root / "data"),
        EVALKIT_NOTEBOOKS_DIR=str(root / "notebooks"),
        EVALKIT_REPORTS_DIR=str(root / "reports"),
        EVALKIT_SITE_DIR=str(root / "_site"),
        EVALKIT_BUILD_DIR=str(root / "build"),
        PYTHONHASHSEED="0",
    )
    env.update(numerics.pinned_env(env))  # as the report's own processes (floor included)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def timed(cmd: list[str], env: dict, said: list[str] | None = None) -> tuple[float, float]:
    """Run *cmd*; return (wall s, CPU s of it and every child it waited for). Fails loudly.

    *said*: the command's standard output is appended to it.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if said is not None:
        said.append(proc.stdout)
    return wall, cpu


def floor_notebook(year: int, as_of: str, data: Path, out: Path) -> Path:
    """Write one notebook running every template's code in turn (parameters first); return it.

    *data* is passed as the pipeline passes it (:func:`evalkit.pipeline.notebook_data_param`).
    """
    import nbformat

    from evalkit import pipeline

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for template in pipeline.templates():
        src = nbformat.read(template, as_version=4)
        nb.cells.append(
            nbformat.v4.new_code_cell(
                f"year = {year}\nas_of = {as_of!r}\n"
                f"data_dir = {pipeline.notebook_data_param(data)!r}"
            )
        )
        for cell in src.cells:
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            nb.cells.append(nbformat.v4.new_code_cell(cell.source))
    path = out / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def fresh_floor(folder: Path) -> None:
    """Empty the floor's report folder before each floor run (not timed).

    The floor computes every topic result as the cold forced report does (which
    stages into an empty folder): left from the previous repeat, the stored
    results in ``results/`` would let the floor skip all topic computations.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


FLOOR_RUN = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=1800, resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


#: The site, rendered once in one process from the published reports into a scratch
#: site folder: added to the floor, the floor that makes what a cold forced run makes.
#: argv: none (the folders come from the environment).
SITE_RUN = """
from evalkit.run import site
site.build_site(out=lambda s: None)
"""

#: The year's two editions, built anew from a copy of the published year as the
#: pipeline builds them (in a child process): what a run whose pages changed adds.
#: argv: year, the published reports folder, scratch.
EDITIONS_RUN = """
import shutil, sys
from pathlib import Path
from evalkit import editions
from evalkit.run.child import build_editions_in_child
year, reports, scratch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
copy = scratch / year
shutil.rmtree(copy, ignore_errors=True)
shutil.copytree(reports / year, copy)
for old in [*copy.glob("*.docx"), *copy.glob("*.pdf")]:
    old.unlink()
assert editions.update(copy, {}, build_new=True, build_with=build_editions_in_child, out=lambda s: None)
"""

#: What a forced run prints when it copies the published editions (evalkit.editions.update).
EDITIONS_REUSED = "editions up to date: published files reused"


def report_cmd(year: int, jobs: int, root: Path, *extra: str) -> list[str]:
    """Return the ``python -m evalkit report`` command of the scratch project *root*."""
    return [
        sys.executable,
        "-m",
        "evalkit",
        "report",
        "--year",
        str(year),
        "--jobs",
        str(jobs),
        "--dataset",
        str(root / "raw"),
        *extra,
    ]


def tables(folder: Path) -> dict[str, bytes]:
    """Return ``{name: bytes}`` of the CSV tables in *folder*."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def changed_input_sets(base: Path, year: int, jobs: int, as_of: str) -> list[tuple]:
    """Run the test suite's one-change cases on copies of *base*; return (case, ran, expected)."""
    import test_pipeline_incremental as cases
    from pipeline_factory import copy_project, project_env

    from evalkit import manifest as mf
    from evalkit import pipeline

    # The code the base project's reports were made with, so an edit of src/ while
    # the bench runs does not count as a changed input.
    man = mf.read_manifest(base / "reports" / str(year))
    code = next(iter(man["notebooks"].values()))["code_sha256"]
    real_code, mf.source_sha256 = mf.source_sha256, lambda: code
    rows = []
    for case, change, raw, expected in cases.CASES:
        root = copy_project(base, Path(tempfile.mkdtemp(prefix="evalkit-bench-case-")))
        saved = dict(os.environ)
        os.environ.update(project_env(root))
        try:
            change(root)
            res = pipeline.run_report(
                year,
                as_of,
                jobs=jobs,
                dataset=root / ("raw" if raw else "no-raw-dataset"),
                render=False,
                out=lambda s: None,
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)
            shutil.rmtree(root, ignore_errors=True)
        rows.append((case, set(res.executed), set(expected)))
    mf.source_sha256 = real_code
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compare-src", default=None, help="older src/ to compare (PYTHONPATH)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    year, jobs = args.year, args.jobs
    variants = {"new": project(scratch / "new")}
    if args.compare_src:
        variants["old"] = project(scratch / "old", str(Path(args.compare_src).resolve()))
    try:
        first = {}
        for name, env in variants.items():  # curates the raw data, executes everything
            first[name] = timed(report_cmd(year, jobs, scratch / name), env)
        new = scratch / "new"
        as_of = json.loads((new / "reports" / str(year) / "summary.json").read_text())["as_of"]
        floor_nb = floor_notebook(year, as_of, new / "data", scratch)
        floor_dir = scratch / "floor-reports"
        floor_env = dict(variants["new"], EVALKIT_REPORTS_DIR=str(floor_dir))
        floor_cmd = [sys.executable, "-c", FLOOR_RUN, str(floor_nb), str(floor_dir / str(year))]
        outputs_dir = scratch / "floor-outputs"
        outputs_env = dict(
            variants["new"],
            EVALKIT_SITE_DIR=str(outputs_dir / "_site"),
            EVALKIT_BUILD_DIR=str(outputs_dir / "build"),
        )
        site_cmd = [sys.executable, "-c", SITE_RUN]
        editions_cmd = [
            sys.executable,
            "-c",
            EDITIONS_RUN,
            str(year),
            str(new / "reports"),
            str(outputs_dir / "editions"),
        ]
        from evalkit.run.execute import kernel_threads_env

        floor1_env = dict(floor_env, **kernel_threads_env({}))
        runs: dict[str, list[tuple[float, float]]] = {}
        said: dict[str, list[str]] = {}
        steps = [
            ("floor", floor_cmd, floor_env),
            ("floor, one thread", floor_cmd, floor1_env),
            ("site", site_cmd, outputs_env),
            ("editions", editions_cmd, outputs_env),
        ]
        for name, env in variants.items():
            steps.append((f"cold {name}", report_cmd(year, jobs, scratch / name, "--force"), env))
            steps.append((f"warm {name}", report_cmd(year, jobs, scratch / name), env))
        for r in range(args.repeats):
            # Rotated order; a warm run always finds nothing to do (a forced cold run
            # republishes the same reports and records the site it rendered).
            order = steps[r % len(steps) :] + steps[: r % len(steps)]
            for label, cmd, env in order:
                if label.startswith("floor"):
                    fresh_floor(floor_dir / str(year))
                runs.setdefault(label, []).append(timed(cmd, env, said.setdefault(label, [])))
        identical = tables(floor_dir / str(year) / "tables") == tables(
            new / "reports" / str(year) / "tables"
        )
        n_tables = len(tables(new / "reports" / str(year) / "tables"))
        sets = changed_input_sets(new, year, jobs, as_of)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    def med(label: str, i: int) -> float:
        return statistics.median(x[i] for x in runs[label])

    print(f"year {year} · jobs {jobs} · {args.repeats} interleaved repeats (medians) · {scratch}")
    print("changed-input sets (goal: exactly the pages that read the input):")
    for case, ran, expected in sets:
        verdict = "OK" if ran == expected else f"MISMATCH (expected {sorted(expected)})"
        print(f"  {case:<38} ran {len(ran)}/8 {sorted(ran)}  {verdict}")
    for label in ("floor", "floor, one thread"):
        kind = "a plain kernel" if label == "floor" else "as the report sets its kernels"
        print(f"{label} ({kind}): wall {med(label, 0):.1f} s, CPU {med(label, 1):.1f} s")
    # The verdicts are against the cheaper floor (CPU), whichever it is.
    floor = min(("floor", "floor, one thread"), key=lambda label: med(label, 1))
    fw, fc = med(floor, 0), med(floor, 1)
    for name in variants:
        cold_w, warm_w = med(f"cold {name}", 0), med(f"warm {name}", 0)
        print(
            f"[{name}] first run (curation + all notebooks + site): {first[name][0]:7.1f} s wall, "
            f"{first[name][1]:7.1f} s CPU"
        )
        print(
            f"[{name}] warm / cold: {warm_w:.2f} s / {cold_w:.1f} s = {warm_w / cold_w:.1%} "
            f"(goal ≤ {GOALS['warm']:.0%})  · warm CPU {med(f'warm {name}', 1):.2f} s"
        )
        cw, cc = cold_w, med(f"cold {name}", 1)
        print(
            f"[{name}] cold forced report vs single-process floor ({floor}): wall "
            f"{cw:.1f} / {fw:.1f} s = {cw / fw:.2f}× (goal ≤ {GOALS['floor_wall']}×) · CPU "
            f"{cc:.1f} / {fc:.1f} s = {cc / fc:.2f}× (goal ≤ {GOALS['floor_cpu']}×)"
        )
        # The floor above runs the notebooks' code only; the report also renders the
        # site. The same floor plus the site, made once in one process:
        ow, oc = fw + med("site", 0), fc + med("site", 1)
        print(
            f"[{name}] cold forced report vs floor + the same site "
            f"(site alone {med('site', 0):.1f} s wall, {med('site', 1):.1f} s CPU): "
            f"wall {cw:.1f} / {ow:.1f} s = {cw / ow:.2f}× (goal ≤ {GOALS['floor_wall']}×) · "
            f"CPU {cc:.1f} / {oc:.1f} s = {cc / oc:.2f}× (goal ≤ {GOALS['floor_cpu']}×)"
        )
        reused = sum(EDITIONS_REUSED in text for text in said[f"cold {name}"])
        print(
            f"[{name}] editions in the cold runs: published pair copied in {reused} of "
            f"{len(said[f'cold {name}'])} (their key unchanged); built alone they take "
            f"{med('editions', 0):.1f} s wall, {med('editions', 1):.1f} s CPU "
            "(added by a run whose pages changed)"
        )
    if "old" in variants:
        for kind in ("cold", "warm"):
            o, n = med(f"{kind} old", 0), med(f"{kind} new", 0)
            oc, nc = med(f"{kind} old", 1), med(f"{kind} new", 1)
            print(
                f"new / old {kind}: wall {n:.2f} / {o:.2f} s = {n / o:.2f}× · "
                f"CPU {nc:.2f} / {oc:.2f} s = {nc / oc:.2f}× (goal: no loss, ≤ 1.0×)"
            )
    print(
        f"floor tables byte-identical to the report's: {'yes' if identical else 'NO'} "
        f"({n_tables} CSV files)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
