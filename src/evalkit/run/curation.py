"""The pipeline's curation step: the raw dataset curated again only when something changed.

:func:`run_intake` is step 3 of :mod:`evalkit.run.pipeline`; it is here so the
pipeline module holds the run itself. The decision is content hashes of the raw
files, of the curated files and of the code (:func:`intake_state`), recorded in
``build/intake-state.json`` after each curation.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import paths
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
    state_path = paths.build_dir() / "intake-state.json"
    state = intake_state(Path(dataset), Path(data), code_sha)
    try:
        previous = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    if previous == state:
        out("· 原始数据与已整理数据均无变化，跳过整理 / raw data unchanged: curation up to date")
        return False
    out(f"· 整理原始数据 curating {mf.display_path(dataset)} …")
    from .. import intake  # imported only when curation runs: it needs pandas

    result = intake.run(Path(dataset), Path(data))
    findings, errors = result.findings, result.errors
    if result.status:
        where = result.report_path
        first = "\n".join(
            "  - "
            + " ".join(
                str(x)
                for x in (f.file, f.sheet, f"row {f.row}" if f.row else "", f.column, f.message)
                if x
            )
            for f in errors[:5]
        )
        raise PipelineError(
            f"原始数据校验失败（{len(errors)} 个错误），已整理数据未改动；详见 "
            f"{mf.display_path(where) if where else 'python -m evalkit validate'} / "
            f"intake failed ({len(errors)} errors); curated data unchanged\n{first}"
        )
    out(
        f"  已整理 curated: {len(errors)} 个行级错误已隔离 row errors quarantined, "
        f"{len(findings) - len(errors)} 个警告 warnings"
    )
    if findings:
        from ..intake.quality import quarantine_note

        out(quarantine_note(data))
    # Intake never writes into the raw dataset: only the curated hashes changed.
    state["curated"] = _file_hashes(paths.curated_dir(data))
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state, sort_keys=True))
    return True


def intake_state(dataset: Path, data: Path, code_sha: str | None = None) -> dict:
    """Return the content hashes deciding whether curation must run again.

    The raw files, the evalkit code and the curated files themselves: a curated
    table changed by anything else (``demo --curated-only``) is curated again.
    """
    return {
        "raw": _file_hashes(Path(dataset)),
        "curated": _file_hashes(paths.curated_dir(data)),
        "code_sha256": code_sha or mf.source_sha256(),
    }


def _file_hashes(folder: Path) -> dict[str, str]:
    """Return ``{path relative to folder: SHA-256}`` of every file under *folder*, sorted."""
    return {
        p.relative_to(folder).as_posix(): mf.sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
