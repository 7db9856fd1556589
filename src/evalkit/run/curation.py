"""The pipeline's curation step: the raw dataset curated again only when something changed.

:func:`run_intake` is step 3 of :mod:`evalkit.run.pipeline`; it is here so the
pipeline module holds the run itself. The decision is content hashes of the raw
files, of the curated files and of the code (:func:`intake_state`), recorded in
``build/intake-state.json`` after each curation.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths
from ..core.curation_state import file_hashes, read_state, write_state
from ..core.curation_state import intake_state as _intake_state
from . import manifest as mf
from .execute import say
from .parameters import PipelineError


def default_dataset(data: Path) -> Path:
    """Return the raw dataset curated when none is given: ``<data dir>/raw/demo``."""
    return paths.raw_dir(Path(data)) / "demo"


# --- Intake ----------------------------------------------------------------------


def run_intake(dataset: Path, data: Path, out=say, code_sha: str | None = None) -> bool:
    """Curate *dataset* into *data* with :func:`evalkit.intake.run` when it changed.

    Returns True when intake ran. Without the raw dataset, the curated tables
    already present are used as they are; with the raw files, the curated files and
    the code as at the last curation (``build/intake-state.json``), nothing runs.
    Raises :class:`PipelineError` naming the first errors when intake fails.
    """
    if not Path(dataset).exists():
        out(
            f"· 未找到原始数据 {mf.display_path(dataset)}，直接使用已整理数据 / "
            f"raw dataset missing: using curated data as is"
        )
        return False
    state = intake_state(Path(dataset), Path(data), code_sha)
    if read_state() == state:
        out("· 原始数据与已整理数据均无变化，跳过整理 / raw data unchanged: curation up to date")
        return False
    out(f"· 整理原始数据 curating {mf.display_path(dataset)} …")
    done = curate_in_child(Path(dataset), Path(data))
    if done["status"]:
        where = done["report_path"]
        raise PipelineError(
            f"原始数据校验失败（{done['errors']} 个错误），已整理数据未改动；详见 "
            f"{mf.display_path(where) if where else 'python -m evalkit validate'} / "
            f"intake failed ({done['errors']} errors); curated data unchanged\n"
            + "\n".join(done["first_errors"])
        )
    out(
        f"  已整理 curated: {done['errors']} 个行级错误已隔离 row errors quarantined, "
        f"{done['warnings']} 个警告 warnings"
    )
    if done["note"]:
        out(done["note"])
    # Intake never writes into the raw dataset: only the curated hashes changed.
    state["curated"] = file_hashes(paths.curated_dir(data))
    write_state(state)
    return True


def _curate(dataset: str, data: str) -> dict:
    """Run :func:`evalkit.intake.run` (in the curation process); return what the run says.

    Plain values only come back (status, counts, the first five errors as lines, the
    intake report's path, the quarantine note): the accepted tables and the findings
    stay in the child and are gone with it, and the run's process never imports intake.
    """
    from .. import intake
    from ..intake.quality import quarantine_note

    result = intake.run(Path(dataset), Path(data))
    errors = result.errors
    first = [
        "  - "
        + " ".join(
            str(x)
            for x in (f.file, f.sheet, f"row {f.row}" if f.row else "", f.column, f.message)
            if x
        )
        for f in errors[:5]
    ]
    return {
        "status": result.status,
        "errors": len(errors),
        "warnings": len(result.findings) - len(errors),
        "first_errors": first,
        "report_path": result.report_path,
        "note": quarantine_note(Path(data)) if result.findings and not result.status else None,
    }


def curate_in_child(dataset: Path, data: Path) -> dict:
    """Curate *dataset* into *data* in a child process; return :func:`_curate`'s answer.

    Intake holds every submitted row in memory (1.8 GB at its peak for 2.2 million
    monthly fund rows, see ``bench/bench_intake.py``), and a Python process keeps most of
    what it freed: curated in the run's own process, 0.8 GB of it stayed for the
    whole run, beside the notebooks' kernels. A child (a fresh interpreter, killed
    with the run) returns it all when it exits.

    Raises:
        PipelineError: the child died without an answer (killed, or out of memory).
    """
    from .child import call_in_child

    return call_in_child(_curate, str(dataset), str(data), step=("整理原始数据", "curation"))


def intake_state(dataset: Path, data: Path, code_sha: str | None = None) -> dict:
    """Return the content hashes deciding whether curation must run again.

    The raw files, the evalkit code (*code_sha*, default this code's) and the curated
    files themselves: a curated table changed by anything else (``demo
    --curated-only``) is curated again (:func:`evalkit.core.curation_state.intake_state`).
    """
    return _intake_state(Path(dataset), Path(data), code_sha or mf.source_sha256())
