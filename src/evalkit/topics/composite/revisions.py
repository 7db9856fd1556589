"""Composite scores published under earlier methods (``data/config/composite_revisions.yaml``).

A published year's score must not change silently: when the method changes, each
revision records the method it replaced and the scores the committed reports had
published under it; the page shows them beside the current method's figures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...config import ConfigError, config_path, read_yaml

FILE = "composite_revisions.yaml"
COLUMNS = ["method", "replaced", "why", "zone_id", "year", "score", "rank"]


def _bad(where: str, what: str) -> ConfigError:
    """Return a bilingual error naming the position in the revisions file."""
    return ConfigError(f"{FILE}: {where}: 格式错误 / {what}")


def parse_revisions(doc) -> pd.DataFrame:
    """Validate a parsed revisions document; return long rows :data:`COLUMNS`.

    ``published`` maps year → zone → ``[score, rank]`` (score 0–100, rank ≥ 1).
    An empty document gives an empty frame.
    """
    if doc is None:
        return pd.DataFrame(columns=COLUMNS)
    revs = doc.get("revisions") if isinstance(doc, dict) else None
    if not isinstance(revs, list):
        raise _bad("revisions", "expected a list of revisions")
    rows = []
    for k, rev in enumerate(revs):
        where = f"revisions[{k}]"
        if not isinstance(rev, dict) or not all(rev.get(key) for key in ("method", "published")):
            raise _bad(where, "each revision needs 'method' and 'published'")
        if not isinstance(rev["published"], dict):
            raise _bad(f"{where}.published", "expected year → zone → [score, rank]")
        for year, zones in rev["published"].items():
            if not isinstance(zones, dict):
                raise _bad(f"{where}.published.{year}", "expected zone → [score, rank]")
            for zone, pair in zones.items():
                ok = isinstance(pair, list) and len(pair) == 2
                if not ok or not 0 <= float(pair[0]) <= 100 or int(pair[1]) < 1:
                    raise _bad(f"{where}.published.{year}.{zone}", "expected [score 0–100, rank]")
                rows.append(
                    (
                        str(rev["method"]),
                        str(rev.get("replaced", "")),
                        str(rev.get("why", "")),
                        str(zone),
                        int(year),
                        float(pair[0]),
                        int(pair[1]),
                    )
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def load_revisions(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read :data:`FILE` under *data_dir* (absent file: no revisions, an empty frame)."""
    path = config_path(FILE, data_dir)
    if not path.is_file():
        return pd.DataFrame(columns=COLUMNS)
    return parse_revisions(read_yaml(path))
