"""Time the report pipeline: cold run, warm (no-change) run, parallel vs sequential papermill.

Runs on the real templates (``notebooks/``) and a private copy of ``data/`` (the cold
run curates the raw demo dataset), writing only to a scratch folder.

    python bench/bench_pipeline.py [--year 2026] [--jobs N]

Prints: cold time (every notebook executed, site rendered), warm time (nothing
changed: nothing executed), and the ratio of the parallel execution phase to a
plain sequential ``papermill.execute_notebook`` loop over the same notebooks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", default="2026")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    root = Path(__file__).resolve().parents[1]
    # A private copy of the data (raw demo + config; curation runs in the cold run).
    shutil.copytree(root / "data", scratch / "data", ignore=shutil.ignore_patterns("curated"))
    os.environ.update(
        EVALKIT_DATA_DIR=str(scratch / "data"),
        EVALKIT_REPORTS_DIR=str(scratch / "reports"),
        EVALKIT_SITE_DIR=str(scratch / "_site"),
        EVALKIT_BUILD_DIR=str(scratch / "build"),
    )
    from evalkit import manifest, paths, pipeline

    year = pipeline.validate_year(args.year)
    quiet = lambda s: None  # noqa: E731
    try:
        code_before = manifest.source_sha256()
        t0 = time.perf_counter()
        dataset = scratch / "data" / "raw" / "demo"
        cold = pipeline.run_report(year, jobs=args.jobs, force=True, dataset=dataset, out=quiet)
        cold_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        warm = pipeline.run_report(year, jobs=args.jobs, dataset=dataset, out=quiet)
        warm_s = time.perf_counter() - t0
        code_changed = manifest.source_sha256() != code_before

        import papermill as pm

        params = {
            "year": year,
            "as_of": cold.as_of,
            "data_dir": pipeline.notebook_data_param(paths.data_dir()),
        }
        seq_out = scratch / "sequential"
        os.environ["EVALKIT_REPORTS_DIR"] = str(seq_out / "reports")
        (seq_out / "reports" / str(year)).mkdir(parents=True)
        t0 = time.perf_counter()
        for template in pipeline.templates():
            pm.execute_notebook(
                str(template),
                str(seq_out / template.name),
                parameters=params,
                progress_bar=False,
                cwd=str(seq_out / "reports" / str(year)),
            )
        seq_s = time.perf_counter() - t0
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    n = len(cold.executed)
    print(f"notebooks: {n} in {paths.notebooks_dir().name}/ · jobs: {args.jobs} · year {year}")
    print(f"cold run (all executed + site rendered): {cold_s:8.1f} s")
    print(
        f"warm run (no change):                    {warm_s:8.1f} s "
        f"({len(warm.executed)} executed, {len(warm.up_to_date)} up to date)"
    )
    if code_changed:
        print("  note: src/evalkit changed during the bench (edits in the working tree), so the")
        print("        warm run re-executed; rerun the bench on a quiet tree for the warm time")
    print(f"parallel execution phase:                {cold.execute_seconds:8.1f} s")
    print(f"sequential papermill loop:               {seq_s:8.1f} s")
    print(f"parallel / sequential ratio:             {cold.execute_seconds / seq_s:8.2f}")
    print(f"warm / cold ratio:                       {warm_s / cold_s:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
