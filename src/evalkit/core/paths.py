"""The one place that knows where things live.

Every path is built from the package location (``src/evalkit`` → project root),
never from the working directory, and each can be overridden by an environment
variable so tests and CI can point the pipeline at scratch copies.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Project root: three levels above ``src/evalkit/core``.
ROOT = Path(os.environ.get("EVALKIT_ROOT", Path(__file__).resolve().parents[3])).resolve()


def _env_path(var: str, default: Path) -> Path:
    """Return the path in environment variable *var*, else *default* (both resolved)."""
    value = os.environ.get(var)
    return Path(value).resolve() if value else default.resolve()


def resolve(path: str | os.PathLike) -> Path:
    """Resolve *path* against the project root unless it is absolute.

    Notebook parameters carry paths relative to the root (``"data"``), so an
    executed report re-runs identically from any clone location.
    """
    p = Path(path)
    return p if p.is_absolute() else (ROOT / p).resolve()


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Return the data folder (``EVALKIT_DATA_DIR``, default ``<root>/data``).

    A given *path* overrides both (resolved against the root, see :func:`resolve`):
    this is how every ``data_dir=None`` argument of the library is interpreted.
    """
    if path is not None:
        return resolve(path)
    return _env_path("EVALKIT_DATA_DIR", ROOT / "data")


def raw_dir(data: Path | None = None) -> Path:
    """Return the folder of raw, immutable submissions (the snapshot stage)."""
    return (data or data_dir()) / "raw"


def curated_dir(data: Path | None = None) -> Path:
    """Return the folder of validated, normalized tables (the garden stage)."""
    return (data or data_dir()) / "curated"


def config_dir(data: Path | None = None) -> Path:
    """Return the folder of targets and indicator configuration (YAML)."""
    return (data or data_dir()) / "config"


def notebooks_dir() -> Path:
    """Return the folder of template notebooks (``EVALKIT_NOTEBOOKS_DIR``)."""
    return _env_path("EVALKIT_NOTEBOOKS_DIR", ROOT / "notebooks")


def reports_dir() -> Path:
    """Return the folder of executed reports (``EVALKIT_REPORTS_DIR``)."""
    return _env_path("EVALKIT_REPORTS_DIR", ROOT / "reports")


def report_dir(year: int) -> Path:
    """Return the folder of one year's executed reports, ``reports/<year>``."""
    return reports_dir() / str(int(year))


def tables_dir(year: int) -> Path:
    """Return the folder of one year's downloadable tables, ``reports/<year>/tables``."""
    return report_dir(year) / "tables"


def site_dir() -> Path:
    """Return the published website folder (``EVALKIT_SITE_DIR``, default ``<root>/_site``)."""
    return _env_path("EVALKIT_SITE_DIR", ROOT / "_site")


def build_dir() -> Path:
    """Return the scratch folder for staging (``EVALKIT_BUILD_DIR``, default ``<root>/build``)."""
    return _env_path("EVALKIT_BUILD_DIR", ROOT / "build")
