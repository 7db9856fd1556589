"""Scratch report projects for the run-layer tests: a curated demo store, a traced report run.

``trace_startup(folder)`` writes an IPython start-up file into a scratch
``IPYTHONDIR``: every kernel of a run started with ``IPYTHONDIR`` and
``EVALKIT_TRACE_DIR`` set then records, per page (``EVALKIT_PAGE``, set by the
pipeline for each notebook), the files it opens and the Parquet files it reads
(pandas reads Parquet through pyarrow, which Python's ``open`` audit event does
not see). :func:`traced_reads` turns the records into curated tables and
configuration files per page.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from evalkit import paths

DEMO_RAW = paths.ROOT / "data" / "raw" / "demo"

_STARTUP = """\
# evalkit tests: record the data and configuration files this kernel reads.
def _evalkit_trace():
    import os
    import sys

    out_dir = os.environ.get("EVALKIT_TRACE_DIR")
    if not out_dir:
        return
    page = os.environ.get("EVALKIT_PAGE", "unknown")
    target = os.path.join(out_dir, f"{page}.{os.getpid()}.txt")
    busy = [False]

    def record(name):
        busy[0] = True
        try:
            with open(target, "a", encoding="utf-8") as f:
                f.write(os.path.abspath(os.fsdecode(name)) + "\\n")
        finally:
            busy[0] = False

    def hook(event, args):
        if event == "open" and not busy[0] and not isinstance(args[0], int) and args[0]:
            try:
                record(args[0])
            except TypeError:
                pass

    sys.addaudithook(hook)
    import pandas as pd

    real = pd.read_parquet

    def read_parquet(path, *a, **kw):
        if isinstance(path, str | os.PathLike):
            record(path)
        return real(path, *a, **kw)

    pd.read_parquet = read_parquet


_evalkit_trace()
del _evalkit_trace
"""


def trace_startup(ipython_dir: Path) -> Path:
    """Write the tracing start-up file into *ipython_dir*; return *ipython_dir*."""
    startup = Path(ipython_dir) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-evalkit-trace.py").write_text(_STARTUP, encoding="utf-8")
    return Path(ipython_dir)


def traced_reads(trace_dir: Path, data: Path) -> dict[str, dict[str, set[str]]]:
    """Return ``{page: {"tables": {...}, "config": {...}}}`` read under *data* per page.

    A curated file ``curated/<name>.<ext>`` counts as table ``<name>`` (the intake
    report ``_intake.json`` as ``_intake``); ``_meta.json``, read by every page for
    its banner, is left out. Configuration files count by file name.
    """
    curated = (Path(data) / "curated").resolve()
    config = (Path(data) / "config").resolve()
    found: dict[str, dict[str, set[str]]] = {}
    for record in sorted(Path(trace_dir).glob("*.txt")):
        page = record.name.split(".")[0]
        got = found.setdefault(page, {"tables": set(), "config": set()})
        for line in record.read_text(encoding="utf-8").splitlines():
            p = Path(line)
            if p.parent == curated and p.name != "_meta.json":
                got["tables"].add(p.name.split(".")[0])
            elif p.parent == config:
                got["config"].add(p.name)
    return found


def copy_project(src: Path, dest: Path) -> Path:
    """Copy a scratch project (data, raw, notebooks, reports, build state) to *dest*.

    A scratch data folder lies outside the project root, so the notebooks got its
    absolute path as their ``data_dir`` parameter, which is part of every key. The
    copy's manifests are rewritten as if the reports had been run at *dest*
    (parameters and keys only), so a run there sees what changed, not the move.
    """
    from evalkit import manifest as mf
    from evalkit import pipeline

    for name in ("data", "raw", "notebooks", "reports", "_site"):
        if (src / name).exists():
            shutil.copytree(src / name, dest / name, symlinks=True)
    (dest / "build").mkdir(parents=True, exist_ok=True)
    for name in ("intake-state.json", "site-state.json"):
        if (src / "build" / name).exists():
            shutil.copy2(src / "build" / name, dest / "build" / name)
    for path in sorted((dest / "reports").glob("*/manifest.json")):
        man = json.loads(path.read_text(encoding="utf-8"))
        man["parameters"]["data_dir"] = pipeline.notebook_data_param(dest / "data")
        for entry in man["notebooks"].values():
            entry["params_sha256"] = mf.params_sha256(man["parameters"])
            entry["key"] = mf.entry_key(entry)
        path.write_text(mf.manifest_json(man), encoding="utf-8")
    return dest


def project_env(root: Path) -> dict[str, str]:
    """Return the ``EVALKIT_*`` variables pointing every folder of the pipeline under *root*."""
    return {
        "EVALKIT_DATA_DIR": str(root / "data"),
        "EVALKIT_NOTEBOOKS_DIR": str(root / "notebooks"),
        "EVALKIT_REPORTS_DIR": str(root / "reports"),
        "EVALKIT_SITE_DIR": str(root / "_site"),
        "EVALKIT_BUILD_DIR": str(root / "build"),
        "EVALKIT_LOCK_TIMEOUT": "1",
    }
