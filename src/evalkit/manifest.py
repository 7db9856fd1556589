"""Run manifest: content hashes that decide which notebooks must run again, and provenance.

``reports/<year>/manifest.json`` records, per notebook, the SHA-256 of its
template, of every input file it reads (curated tables named in the notebook
metadata ``evalkit.reads``, the curated ``_meta.json`` and the configuration), of
the evalkit source code and of the parameters. A notebook whose *key* (the hash
of all of these) is unchanged is up to date. Timestamps are recorded under
``run`` only and never enter a key, so determinism comparisons drop that block.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__, paths

MANIFEST_NAME = "manifest.json"
#: Keys of the manifest that change on every run and are excluded from comparisons.
VOLATILE_KEYS = ("run",)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at *path*."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    """Return the hex SHA-256 of *text* encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_sha256() -> str:
    """Return one SHA-256 over every ``src/evalkit/**/*.py`` file (path and content, sorted)."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*.py")):
        if "__pycache__" in f.parts:
            continue
        h.update(f.relative_to(pkg).as_posix().encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def params_sha256(params: dict) -> str:
    """Return the SHA-256 of the notebook parameters in canonical JSON form."""
    return sha256_text(json.dumps(params, sort_keys=True, ensure_ascii=False))


def display_path(path: Path, base: Path | None = None) -> str:
    """Return *path* relative to the project root (else to *base*); never an absolute path."""
    for anchor in (paths.ROOT, base):
        if anchor is None:
            continue
        try:
            return Path(path).resolve().relative_to(Path(anchor).resolve()).as_posix()
        except ValueError:
            continue
    return Path(path).name


def input_files(reads: list[str] | None, data: Path) -> list[Path]:
    """Return the files a notebook reading curated tables *reads* depends on, sorted.

    Always included: the curated ``_meta.json`` (demo-data label, as-of date) and the
    configuration YAML files. ``reads=None`` (no metadata) means every curated file.
    A name that is not a Parquet table matches any ``curated/<name>.*`` file or
    ``curated/<name>/`` folder (for example the intake report ``_intake``).
    """
    curated = paths.curated_dir(data)
    files: set[Path] = set()
    if reads is None:
        files.update(p for p in curated.rglob("*") if p.is_file())
    else:
        for name in reads:
            files.update(p for p in curated.glob(f"{name}.*") if p.is_file())
            if (curated / name).is_dir():
                files.update(p for p in (curated / name).rglob("*") if p.is_file())
    meta = curated / "_meta.json"
    if meta.exists():
        files.add(meta)
    config = paths.config_dir(data)
    if config.is_dir():
        files.update(p for p in config.rglob("*.y*ml") if p.is_file())
    return sorted(files)


def notebook_reads(nb: dict) -> list[str] | None:
    """Return the curated tables a template declares in ``metadata.evalkit.reads`` (None if absent)."""
    reads = (nb.get("metadata") or {}).get("evalkit", {}).get("reads")
    return None if reads is None else [str(r) for r in reads]


def notebook_entry(
    template: Path,
    reads: list[str] | None,
    data: Path,
    params: dict,
    code_sha: str,
    file_hashes: dict[Path, str],
) -> dict:
    """Return the manifest entry of one notebook; ``key`` decides whether it must run again.

    *file_hashes* caches input-file hashes across notebooks of one run.
    """
    inputs = {}
    for f in input_files(reads, data):
        if f not in file_hashes:
            file_hashes[f] = sha256_file(f)
        inputs[display_path(f, Path(data).parent)] = file_hashes[f]
    entry = {
        "template": display_path(template),
        "template_sha256": sha256_file(template),
        "reads": reads,
        "inputs_sha256": dict(sorted(inputs.items())),
        "code_sha256": code_sha,
        "params_sha256": params_sha256(params),
    }
    entry["key"] = sha256_text(json.dumps(entry, sort_keys=True))
    return entry


def read_manifest(report_dir: Path) -> dict:
    """Return the manifest of a year's reports, ``{}`` if there is none or it is unreadable."""
    path = Path(report_dir) / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def manifest_json(manifest: dict) -> str:
    """Serialize *manifest* deterministically (sorted keys, UTF-8, trailing newline)."""
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def stable_view(manifest: dict) -> dict:
    """Return *manifest* without the run timestamps, for determinism comparisons."""
    return {k: v for k, v in manifest.items() if k not in VOLATILE_KEYS}


def base_manifest(year: int, params: dict, renderer: str | None) -> dict:
    """Return the run-level fields of a manifest (version, parameters, renderer).

    ``git_commit`` is left ``None`` here: :func:`evalkit.provenance.annotate_manifest`
    records it with ``git_dirty`` from one look at the checkout.
    """
    return {
        "year": int(year),
        "parameters": params,
        "evalkit_version": __version__,
        "git_commit": None,
        "renderer": renderer,
    }
