"""Read curated tables: the only way notebooks reach data.

Curated tables are Parquet files written by :mod:`evalkit.curate` after
validation; a notebook never reads raw submissions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import paths
from .schema import TABLES, check_zones


def table_path(name: str, data_dir: str | Path | None = None) -> Path:
    """Return the Parquet path of curated table *name* under *data_dir* (root-relative ok)."""
    if name not in TABLES:
        raise KeyError(f"未知数据表 unknown curated table: {name!r}; known: {sorted(TABLES)}")
    data = paths.data_dir(data_dir)
    return paths.curated_dir(data) / f"{name}.parquet"


def read_table(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read curated table *name*; raise FileNotFoundError with a hint if curation has not run.

    Raises :class:`~evalkit.core.errors.ConfigError` if *data_dir* has its own
    ``config/zones.yaml`` and it differs from the zones this process loaded
    (:func:`evalkit.core.schema.check_zones`): its tables would be evaluated with the
    wrong zones.
    """
    path = table_path(name, data_dir)
    check_zones(data_dir)
    if not path.exists():
        raise FileNotFoundError(
            f"缺少已整理数据 {path}（请先运行 `python -m evalkit validate`）/ "
            f"curated table missing: run `python -m evalkit validate` first"
        )
    return pd.read_parquet(path)


def read_meta(data_dir: str | Path | None = None) -> dict:
    """Return the curated dataset's metadata (``curated/_meta.json``), ``{}`` if absent.

    Curation copies it from the raw dataset's ``dataset.yaml``; it carries at least
    ``synthetic`` (bool) and ``as_of`` (YYYY-MM-DD, last month the data cover).
    """
    import json

    data = paths.data_dir(data_dir)
    path = paths.curated_dir(data) / "_meta.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
