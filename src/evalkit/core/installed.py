"""Versions of installed software, remembered between runs while nothing was installed.

A no-change report run needs the versions of numpy (:mod:`evalkit.core.numerics`),
smalldocs (the site's renderer, in the manifest) and the editions' engines (pandoc,
Typst, python-docx and the font packages, in the editions' key). Reading them costs
about 0.05 s there (importing :mod:`importlib.metadata` and pypandoc, running
``pandoc --version``): a quarter of such a run. So they are kept in
``build/installed.json`` (:func:`evalkit.core.paths.build_dir`) with what they depend on:

- the interpreter (``sys.executable``, ``sys.version``) and, for each folder on
  ``sys.path`` other than the working directory, its modification time in ns:
  installing, upgrading or removing a distribution adds or removes its
  ``*.dist-info`` folder there, which changes that time;
- per value, the size and modification time of the files it depends on (the pandoc
  binary).

A value is read anew when any of that differs, or the file is missing, unreadable or
not this layout. The file is written only into an existing build folder (a command
refused before it ran, such as ``report --year "2026; rm -rf ."``, creates nothing);
failing to write it is not an error (the value is returned all the same); it is
written whole (temporary file, then rename), so two runs at once never leave half a file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import paths

FILE_NAME = "installed.json"


def cache_path() -> Path:
    """Return the file the versions are kept in: ``<build dir>/installed.json``."""
    return paths.build_dir() / FILE_NAME


def _mtime_ns(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def environment() -> list:
    """Return the fingerprint of the installed software (see the module docstring).

    A list (JSON-ready): interpreter path and version, then ``[folder, mtime_ns]`` for
    each existing ``sys.path`` folder except the working directory, in ``sys.path`` order.
    """
    cwd = os.getcwd()
    folders = []
    for entry in sys.path:
        if not entry or os.path.abspath(entry) == cwd or not os.path.isdir(entry):
            continue
        folders.append([entry, _mtime_ns(entry)])
    return [sys.executable, sys.version, folders]


def _files_state(files) -> dict[str, list]:
    state = {}
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            state[str(f)] = None
        else:
            state[str(f)] = [st.st_size, st.st_mtime_ns]
    return state


def _read(path: Path, env: list) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("environment") != env:
        return {}
    values = data.get("values")
    return values if isinstance(values, dict) else {}


def _write(path: Path, env: list, values: dict) -> None:
    if not path.parent.is_dir():
        return  # never creates the build folder (a refused command leaves no trace)
    import tempfile  # 3 ms to import: only when a value was read anew

    text = json.dumps({"environment": env, "values": values}, ensure_ascii=False, indent=1)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".installed-", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full build folder: the value is read again next time


def _read_distribution_version(name: str) -> str | None:
    from importlib import metadata  # 0.02 s to import: only when not remembered

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def distribution_version(name: str) -> str | None:
    """Return the installed version of distribution *name* (None when not installed).

    Read with :mod:`importlib.metadata`, remembered under *name* (:func:`remembered`).
    """
    return remembered(name, lambda: _read_distribution_version(name), kind=(str, type(None)))


def remembered(
    name: str, read: Callable[[], object], *, files=(), kind: type | tuple = object
) -> object:
    """Return the value *name*, from ``build/installed.json`` when still valid, else ``read()``.

    *read* returns a JSON-ready value. *files*: the files it depends on; their size and
    modification time, taken before *read* runs, are kept beside it. A kept value that
    is not an instance of *kind* (a hand-edited file) is read anew. *read*'s exceptions
    propagate (nothing is stored then).
    """
    path = cache_path()
    env = environment()
    values = _read(path, env)
    kept = values.get(name)
    state = _files_state(files)
    if (
        isinstance(kept, dict)
        and "value" in kept
        and isinstance(kept["value"], kind)
        and kept.get("files") == state
    ):
        return kept["value"]
    value = read()
    values[name] = {"value": value, "files": state}
    _write(path, env, values)
    return value
