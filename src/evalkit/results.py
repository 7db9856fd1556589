"""Stored topic results: each evaluation is computed once per year and read by its pages.

A topic lives in ``evalkit.topics.<topic>``; its ``compute`` module has a pure
``run(year, as_of, data_dir) -> <Topic>Result`` (a frozen dataclass) that reads the
curated tables and configuration it needs and returns every number its pages show.
Presenting (tables, charts, narrative) reads that result and never recomputes it.

:func:`load` returns the stored result when its inputs key still matches and
otherwise computes it with ``run`` and stores it (atomically, so parallel kernels
never see half a result; one kernel computes, a parallel one loading the same result
waits for it). Layout under ``reports/<year>/results/<topic>/``:

- ``<field>.parquet`` for every ``pandas.DataFrame`` / ``pandas.Series`` field;
- ``<field>/`` for a nested dataclass field (same layout, recursively);
- ``values.json``: every other field (JSON: numbers, strings, bools, ``null``,
  lists and dicts of those), plus ``_class`` (``module:QualName`` of the result)
  and ``_key`` (SHA-256 of the inputs, see :func:`inputs_key`).

Because the folder lives in the year's report folder (``EVALKIT_REPORTS_DIR``), the
pipeline's staging copy, nbval's scratch copy and the published reports each hold
their own results, and nbval re-computes them from the curated data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .core import publish
from .core.digest import meta_view_sha256, sha256_file, sha256_text, source_sha256
from .topics.declarations import topic_closure, topic_declarations

#: Folder name of stored results inside ``reports/<year>/``.
RESULTS_DIRNAME = "results"
#: File holding a result's non-tabular fields.
VALUES_FILE = "values.json"


def results_dir(year: int) -> Path:
    """Return ``reports/<year>/results`` (follows ``EVALKIT_REPORTS_DIR``)."""
    return paths.report_dir(year) / RESULTS_DIRNAME


def declared_inputs(topic: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(curated tables, config files)`` *topic* reads, sorted, following its USES.

    Read by :func:`topic_closure` from ``READS`` / ``CONFIG`` / ``USES`` of
    ``evalkit/topics/<topic>/compute.py`` (and of every topic it uses, transitively).
    Raises ValueError naming a topic that has no compute module: its stored result
    could not be invalidated correctly.
    """
    if topic_declarations(topic) is None:
        raise ValueError(f"evalkit.topics.{topic}.compute declares no READS / CONFIG / USES")
    closure = topic_closure([topic])
    return closure["reads"], closure["config"]


def _file_digest(path: Path) -> str:
    """Return the SHA-256 of *path*'s bytes, or of the word ``missing`` when it is absent."""
    return sha256_file(path) if path.is_file() else sha256_text("missing")


def inputs_key(topic: str, year: int, as_of: str, data_dir: str | Path | None = None) -> str:
    """Return the SHA-256 (hex) of everything a topic result depends on.

    That is: the topic, year and as-of date; the curated tables and configuration
    files the topic declares (:func:`declared_inputs`); the curated ``_meta.json``
    (demo-data label, as-of date; not its raw-file hashes); and every ``evalkit``
    source file. Any change to one of them makes :func:`load` recompute; a change
    to anything else (another topic's table) does not.
    """
    data = paths.data_dir(data_dir)
    tables, config = declared_inputs(topic)
    h = hashlib.sha256(f"{topic}\0{int(year)}\0{as_of}\0".encode())
    curated = paths.curated_dir(data)
    for name in tables:
        h.update(f"table:{name}\0{_file_digest(curated / f'{name}.parquet')}\0".encode())
    h.update(f"meta\0{meta_view_sha256(curated / '_meta.json')}\0".encode())
    for name in config:
        h.update(f"config:{name}\0{_file_digest(paths.config_dir(data) / name)}\0".encode())
    h.update(f"code\0{source_sha256()}".encode())
    return h.hexdigest()


def _jsonable(value):
    """Return *value* with numpy scalars and tuples turned into plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def save(result, folder: Path, key: str = "") -> Path:
    """Write dataclass *result* into *folder* (replaced atomically); return *folder*.

    Raises TypeError when *result* is not a dataclass instance or a field is
    neither tabular, a dataclass nor JSON-serialisable.
    """
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        raise TypeError(f"not a dataclass result: {type(result).__name__}")
    folder = Path(folder)
    if key and stored_key(folder) == key:
        # Another kernel of the run (pages load the same topic in parallel) stored this
        # very result meanwhile: keep it, never replace a folder others may be reading.
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _write(result, tmp, key)
    try:
        # An atomic exchange: *folder* never disappears under a concurrent reader
        # (which would silently get a field's default for a file it cannot find).
        publish.swap_dir(tmp, folder)
    except OSError:
        # Another process stored the same result first: keep theirs.
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _write(result, folder: Path, key: str) -> None:
    """Write the fields of *result* into a new *folder* (see the module docstring)."""
    folder.mkdir(parents=True)
    cls = type(result)
    values: dict = {"_class": f"{cls.__module__}:{cls.__qualname__}", "_key": key}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, pd.Series):
            value.to_frame(name=value.name if value.name is not None else f.name).to_parquet(
                folder / f"{f.name}.series.parquet"
            )
        elif isinstance(value, pd.DataFrame):
            value.to_parquet(folder / f"{f.name}.parquet")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            _write(value, folder / f.name, "")
        else:
            values[f.name] = _jsonable(value)
    # Insertion order kept: a dict of zones stays in the plan's order when read back.
    text = json.dumps(values, ensure_ascii=False, indent=1)
    (folder / VALUES_FILE).write_text(text + "\n", encoding="utf-8")


def read(folder: Path):
    """Read a result written by :func:`save` from *folder* and return the dataclass."""
    folder = Path(folder)
    values = json.loads((folder / VALUES_FILE).read_text(encoding="utf-8"))
    module, qualname = values.pop("_class").split(":")
    values.pop("_key", None)
    cls = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if (folder / f"{f.name}.parquet").exists():
            kwargs[f.name] = pd.read_parquet(folder / f"{f.name}.parquet")
        elif (folder / f"{f.name}.series.parquet").exists():
            frame = pd.read_parquet(folder / f"{f.name}.series.parquet")
            series = frame.iloc[:, 0]
            kwargs[f.name] = series.rename(None) if series.name == f.name else series
        elif (folder / f.name / VALUES_FILE).exists():
            kwargs[f.name] = read(folder / f.name)
        elif f.name in values:
            kwargs[f.name] = values[f.name]
        elif f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        else:
            raise ValueError(f"stored result {folder} lacks field {f.name!r} of {cls.__name__}")
    return cls(**kwargs)


def stored_key(folder: Path) -> str | None:
    """Return the inputs key a stored result was computed from, or None if there is none."""
    try:
        values = json.loads((Path(folder) / VALUES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return values.get("_key")


def compute(topic: str, year: int, as_of: str, data_dir: str | Path = "data"):
    """Run ``evalkit.topics.<topic>.compute.run(year, as_of, data_dir)`` and return its result."""
    module = importlib.import_module(f"evalkit.topics.{topic}.compute")
    return module.run(year=int(year), as_of=str(as_of), data_dir=data_dir)


def load(topic: str, year: int, as_of: str, data_dir: str | Path = "data"):
    """Return *topic*'s result for *year* at *as_of*: stored if current, else computed and stored.

    Raises whatever the topic's ``run`` raises (e.g. FileNotFoundError for a missing
    curated table); a stored result is never returned when any input changed.
    """
    folder = results_dir(year) / topic
    key = inputs_key(topic, year, as_of, data_dir)
    if stored_key(folder) == key:
        return read(folder)
    # Two pages that load one topic run in parallel kernels (the index page and the
    # investment page both need the investment result): the first computes and stores
    # it, the second waits and reads what was stored instead of computing it again.
    with _computing(folder):
        if stored_key(folder) != key:
            save(compute(topic, year, as_of, data_dir), folder, key)
    # Always hand back the stored form, so a fresh and a cached run show identical values.
    return read(folder)


def _computing(folder: Path):
    """Return an exclusive lock for computing the result stored in *folder* (``filelock``, as the run lock).

    The lock file lives in the build folder (``build/locks/``, named by a hash of
    *folder*'s path), never among the reports; the operating system releases it
    when the holder exits, even if it crashes. Used as a context manager; waits
    as long as the holder computes.
    """
    from filelock import FileLock

    locks = paths.build_dir() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(locks / f"result-{name}.lock"))
