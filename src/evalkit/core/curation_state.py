"""The record of the last curation: the raw, curated and code hashes it was made from.

``build/intake-state.json`` holds :func:`intake_state` as of the last curation into the
pipeline's data folder, written by the pipeline's curation step
(:func:`evalkit.run.curation.run_intake`) and by ``evalkit validate``
(:func:`record_curation`); the pipeline curates again only when the state it computes
now differs. In ``core`` because both the run layer and the intake CLI write it.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import paths
from .digest import sha256_file, source_sha256

STATE_FILE = "intake-state.json"


def file_hashes(folder: Path) -> dict[str, str]:
    """Return ``{path relative to folder: SHA-256}`` of every file under *folder*, sorted."""
    return {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


def intake_state(dataset: Path, data: Path, code_sha: str) -> dict:
    """Return the content hashes deciding whether curation must run again.

    The raw files of *dataset*, the evalkit code (*code_sha*) and the curated files
    of *data* themselves: a curated table changed by anything else is curated again.
    """
    return {
        "raw": file_hashes(Path(dataset)),
        "curated": file_hashes(paths.curated_dir(Path(data))),
        "code_sha256": code_sha,
    }


def read_state() -> dict | None:
    """Return the recorded state, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((paths.build_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_state(state: dict) -> None:
    """Record *state* (:func:`intake_state`) in ``build/intake-state.json``."""
    path = paths.build_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, sort_keys=True))


def record_curation(dataset: Path, data: Path) -> None:
    """Record that *data*'s curated tables are *dataset* curated by this code.

    ``evalkit validate`` calls it after it has curated into the pipeline's data folder,
    so the next ``evalkit report`` finds the curation up to date instead of curating the
    same files again. Call it only right after a curation of *dataset* into *data*
    succeeded and wrote its tables.
    """
    write_state(intake_state(Path(dataset), Path(data), source_sha256()))
