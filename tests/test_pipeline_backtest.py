"""Backtest the committed reports: regenerated tables and summary match the committed ones.

``make test`` runs nbval on ``reports/*/*.ipynb`` first, with ``EVALKIT_REPORTS_DIR``
pointing at ``build/nbval/reports``, so the re-executed notebooks write their
``tables/*.csv`` and summary parts there. This test compares them with the
committed files (numbers within a relative tolerance, everything else exactly).
Run alone, it re-executes the committed notebooks itself (as nbval does).
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit import paths, pipeline

COMMITTED = paths.ROOT / "reports"
RTOL, ATOL = 1e-9, 1e-9


def committed_years() -> list[int]:
    if not COMMITTED.is_dir():
        return []
    return sorted(
        int(d.name)
        for d in COMMITTED.iterdir()
        if d.name.isdigit() and any(d.glob("*.ipynb")) and (d / "summary.json").exists()
    )


def _execute_committed(year: int, out_root: Path) -> None:
    """Re-execute the committed notebooks of *year* in place of nbval (outputs discarded)."""
    import nbformat
    from nbclient import NotebookClient

    env_before = os.environ.get("EVALKIT_REPORTS_DIR")
    os.environ["EVALKIT_REPORTS_DIR"] = str(out_root)
    try:
        for nb_path in sorted((COMMITTED / str(year)).glob("*.ipynb")):
            nb = nbformat.read(nb_path, as_version=4)
            NotebookClient(
                nb, timeout=1800, resources={"metadata": {"path": str(nb_path.parent)}}
            ).execute()
    finally:
        if env_before is None:
            os.environ.pop("EVALKIT_REPORTS_DIR", None)
        else:
            os.environ["EVALKIT_REPORTS_DIR"] = env_before


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory, request) -> Path:
    """The folder of regenerated outputs: nbval's (``make test``) or a fresh re-execution.

    Under ``make test`` nbval re-executes the committed notebooks in the same session
    (``--nbval``), possibly on the other worker, and ``nbval_fork`` marks each one done:
    this waits until it has finished them. (Without that plugin nothing writes the
    marks: the outputs found are used if complete, as after a separate nbval run.)
    """
    env = os.environ.get("EVALKIT_REPORTS_DIR")
    if env and Path(env).resolve() != COMMITTED.resolve():
        root = Path(env)
        config = request.config
        if config.getoption("nbval", default=False) and config.pluginmanager.has_plugin(
            "nbval_fork"
        ):
            from nbval_fork import wait_for_notebooks

            wait_for_notebooks(sorted(COMMITTED.glob("*/*.ipynb")))
        if all((root / str(y) / "summary.parts").is_dir() for y in committed_years()):
            return root
    root = tmp_path_factory.mktemp("regenerated")
    for year in committed_years():
        _execute_committed(year, root)
    return root


#: A number as the tables write it (ASCII digits only: "６.５" or " 1" is text).
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _numbers_with_blanks(column: pd.Series) -> bool:
    """Return True when every cell of *column* (as text) is blank or a :data:`NUMBER`."""
    cells = [c for c in column.astype(str) if c != ""]
    return bool(cells) and all(NUMBER.fullmatch(c) for c in cells)


def assert_close(a, b, where: str) -> None:
    """Compare JSON-like values: numbers within tolerance, everything else exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), f"{where}: keys differ {sorted(set(a) ^ set(b))}"
        for k in a:
            assert_close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{where}[{i}]")
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        assert a == b, f"{where}: {a!r} != {b!r}"
    elif isinstance(a, int | float) and isinstance(b, int | float):
        assert math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


pytestmark = pytest.mark.skipif(
    not committed_years(), reason="no committed reports yet (reports/<year>/ with summary.json)"
)


@pytest.mark.parametrize("year", committed_years() or [0])
def test_regenerated_tables_match_committed(regenerated, year):
    committed = sorted(p.name for p in (COMMITTED / str(year) / "tables").glob("*.csv"))
    fresh = sorted(p.name for p in (regenerated / str(year) / "tables").glob("*.csv"))
    assert committed, f"reports/{year}/tables has no CSV"
    assert fresh == committed
    for name in committed:
        a = pd.read_csv(
            COMMITTED / str(year) / "tables" / name, encoding="utf-8-sig", keep_default_na=False
        )
        b = pd.read_csv(
            regenerated / str(year) / "tables" / name, encoding="utf-8-sig", keep_default_na=False
        )
        assert list(a.columns) == list(b.columns), name
        assert a.shape == b.shape, name
        for col in a.columns:
            x, y = a[col], b[col]
            if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
                pd.testing.assert_series_equal(
                    x.astype(float), y.astype(float), rtol=RTOL, atol=ATOL, obj=f"{name}:{col}"
                )
            elif _numbers_with_blanks(x) and _numbers_with_blanks(y):
                # Read as text only because of its blanks: blanks exactly, numbers within
                # tolerance. Any other text column (raw submitted values such as "６.５"
                # among them) is compared exactly.
                for i, (u, v) in enumerate(zip(x.astype(str), y.astype(str), strict=True)):
                    if u and v:
                        assert math.isclose(float(u), float(v), rel_tol=RTOL, abs_tol=ATOL), (
                            f"{name}:{col}[{i}]: {u} != {v}"
                        )
                    else:
                        assert u == v, f"{name}:{col}[{i}]: {u!r} != {v!r}"
            else:
                assert x.astype(str).tolist() == y.astype(str).tolist(), f"{name}:{col}"


@pytest.mark.parametrize("year", committed_years() or [0])
def test_regenerated_summary_matches_committed(regenerated, year):
    committed = json.loads((COMMITTED / str(year) / "summary.json").read_text(encoding="utf-8"))
    merged = pipeline.merge_summary(
        regenerated / str(year), year, committed["as_of"], committed.get("synthetic_data")
    )
    assert_close(merged, committed, f"summary {year}")
