"""Run manifest: content hashes that decide which notebooks must run again, and provenance.

``reports/<year>/manifest.json`` records, per notebook, the SHA-256 of its
template, of every input file it reads (``inputs_sha256``: the curated tables and
configuration files its registry entry names, and the curated ``_meta.json``), of
the evalkit source code and of the parameters. The notebook's *key* hashes what
the page actually reads (``content_sha256``): each curated table's bytes, each
configuration file's parsed value (a comment changes nothing) and ``_meta.json``
without its list of raw-file hashes (which changes whenever any raw file does).
A notebook whose key is unchanged is up to date. Timestamps and durations are
recorded under ``run`` only and never enter a key, so determinism comparisons
drop that block.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import __version__, paths
from ..core.digest import (  # noqa: F401  (re-exported: the manifest's hashes)
    META_PROVENANCE_FIELDS,
    meta_view_sha256,
    sha256_file,
    sha256_text,
    source_sha256,
)

MANIFEST_NAME = "manifest.json"
#: The official editions (.docx/.pdf) of the year: ``{"key", "sha256": {file: digest},
#: "engines"}``, written by :func:`evalkit.editions.update` (issue #15).
EDITIONS_KEY = "editions"
#: Keys of the manifest that change on every run and are excluded from comparisons.
VOLATILE_KEYS = ("run",)
#: Provenance of the run that last published the reports: the checkout's commit and the
#: renderer of that machine. They say how the published reports were made, not what they
#: are made from (the code itself is in every key), so a run that executes nothing and
#: reads the same inputs leaves the manifest as it is (a fresh clone stays clean).
RUN_PROVENANCE_KEYS = ("git_commit", "git_dirty", "renderer", "renderer_version")


def params_sha256(params: dict) -> str:
    """Return the SHA-256 of the notebook parameters in canonical JSON form."""
    return sha256_text(json.dumps(params, sort_keys=True, ensure_ascii=False))


def display_path(path: Path, base: Path | None = None) -> str:
    """Return *path* relative to the project root (else to *base*); never an absolute path."""
    resolved = Path(path).resolve()
    for anchor in (paths.ROOT, base):
        if anchor is None:
            continue
        try:
            return resolved.relative_to(Path(anchor).resolve()).as_posix()
        except ValueError:
            continue
    return Path(path).name


def input_files(reads: list[str] | None, data: Path, config: list[str] | None = None) -> list[Path]:
    """Return the files a notebook reading curated tables *reads* depends on, sorted.

    Always included: the curated ``_meta.json`` (demo-data label, as-of date).
    ``reads=None`` (no declaration) means every curated file. A name that is not a
    Parquet table matches any ``curated/<name>.*`` file or ``curated/<name>/``
    folder (for example the intake report ``_intake``). *config* names the
    configuration files read (those that exist are listed); ``None`` means every
    ``*.yaml`` of the configuration folder.
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
    folder = paths.config_dir(data)
    if config is None:
        if folder.is_dir():
            files.update(p for p in folder.rglob("*.y*ml") if p.is_file())
    else:
        files.update(folder / name for name in config if (folder / name).is_file())
    return sorted(files)


def yaml_value_sha256(path: Path) -> str:
    """Return the SHA-256 of a YAML file's parsed value (canonical JSON): comments do not count.

    A file that is not valid YAML is hashed by its bytes (the page then fails
    loudly when it runs); a missing file hashes as ``"missing"``.
    """
    import yaml

    from ..core.yamlio import safe_load

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return sha256_text("missing")
    try:
        value = safe_load(text)
    except yaml.YAMLError:
        return sha256_text(text)
    return sha256_text(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


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
    *,
    config: list[str] | None = None,
    uses: list[str] | None = None,
) -> dict:
    """Return the manifest entry of one notebook; ``key`` decides whether it must run again.

    *reads* / *config* / *uses*: the curated tables, configuration files and topic
    results the page reads (from the page registry; ``None`` = every file of that
    kind). *file_hashes* caches hashes across notebooks of one run. The key covers
    ``content_sha256`` (what the page reads, see the module docstring), the
    template, the code and the parameters; ``inputs_sha256`` (file bytes) is
    provenance only.
    """
    base = Path(data).parent
    curated = paths.curated_dir(data)
    folder = paths.config_dir(data)
    inputs, content = {}, {}
    for f in input_files(reads, data, config):
        name = display_path(f, base)
        if f not in file_hashes:
            file_hashes[f] = sha256_file(f)
        inputs[name] = file_hashes[f]
        if f == curated / "_meta.json":
            content[name] = _cached(file_hashes, ("meta", f), meta_view_sha256)
        elif f.parent == folder and f.suffix in (".yaml", ".yml"):
            content[name] = _cached(file_hashes, ("yaml", f), yaml_value_sha256)
        else:
            content[name] = inputs[name]
    for name in config or ():
        if not (folder / name).is_file():  # declared but absent: its appearance is a change
            content[display_path(folder / name, base)] = sha256_text("missing")
    entry = {
        "template": display_path(template),
        "template_sha256": sha256_file(template),
        "reads": reads,
        "config": config,
        "uses": uses,
        "inputs_sha256": dict(sorted(inputs.items())),
        "content_sha256": dict(sorted(content.items())),
        "code_sha256": code_sha,
        "params_sha256": params_sha256(params),
    }
    entry["key"] = entry_key(entry)
    return entry


#: Fields of a notebook entry that are provenance only (file bytes), never part of its key.
PROVENANCE_FIELDS = ("inputs_sha256", "raw_inputs_sha256", "key")


def entry_key(entry: dict) -> str:
    """Return the key of a notebook entry: the hash of all but its :data:`PROVENANCE_FIELDS`."""
    return sha256_text(
        json.dumps({k: v for k, v in entry.items() if k not in PROVENANCE_FIELDS}, sort_keys=True)
    )


def _cached(cache: dict, key: tuple, fn) -> str:
    """Return ``fn(key[1])``, computed once per *cache* (one run)."""
    if key not in cache:
        cache[key] = fn(key[1])
    return cache[key]


def read_meta(data: Path) -> dict:
    """Return the curated ``_meta.json`` of *data*, ``{}`` if absent.

    The same as :func:`evalkit.core.store.read_meta`, without importing the store
    (and pandas): a no-change run reads the metadata and nothing else of the store.
    """
    path = paths.curated_dir(data) / "_meta.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


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


def content_view(manifest: dict) -> dict:
    """Return *manifest* without timestamps and :data:`RUN_PROVENANCE_KEYS`.

    Two manifests with the same content view describe reports made from the same
    templates, inputs, code and parameters: a run that executes nothing republishes
    nothing when its view equals the published one.
    """
    return {k: v for k, v in stable_view(manifest).items() if k not in RUN_PROVENANCE_KEYS}


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
