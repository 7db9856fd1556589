"""CONTRIBUTING.md "What to touch" (b): add an indicator, done once exactly as the list says.

In a scratch copy of the data folder, one indicator is added to ``config/indicators.yaml``
(step 1: under its dimension, with table, unit, direction, weight and ``formula.agg``
beside it, the dimension's other weights rebalanced to sum to 1). It reads a series the
zones already submit (exports in ``logistics_monthly``), so step 2 does not apply; a new
series is covered by ``tests/unit/topics/logistics/test_logistics_compute.py``
(``test_a_new_contract_indicator_must_declare_its_aggregation``). The composite topic is
then run on that folder and must score the indicator with the value computed here,
independently, from the curated table. Leaving out a step fails: without ``formula.agg``
or without rebalancing the weights, ``indicators.yaml`` is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalkit import paths
from evalkit.core.schema import ZONES
from evalkit.topics.composite import compute
from evalkit.topics.composite.indicators import ConfigError, load_indicators

YEAR, AS_OF = 2026, "2026-10-31"
DIMENSION = "trade_logistics"
NEW = {
    "id": "export_trade",
    "name": "出口额",
    "table": "logistics_monthly",
    "formula": {"agg": "sum", "column": "value", "where": {"indicator": "export_value"}},
    "direction": "+",
    "unit": "万元",
    "weight": 0.1,
    "reference": {"worst": 0, "best": 100000, "source": "test: 10 亿元 a year scores 100"},
}
#: The dimension's weights after adding NEW: foreign trade gives up the 0.1 it takes.
REBALANCED = {"foreign_trade": 0.2}


@pytest.fixture
def data(tmp_path) -> Path:
    """A scratch data folder: the project's configuration and curated tables."""
    root = paths.ROOT / "data"
    if not (root / "curated" / "_meta.json").exists():
        pytest.skip("no curated data: run `make data/curated/_meta.json` first")
    out = tmp_path / "data"
    shutil.copytree(root / "config", out / "config")
    shutil.copytree(root / "curated", out / "curated")
    return out


def add_indicator(data: Path, indicator: dict, rebalance: dict[str, float]) -> None:
    """Step 1 of the list: the indicator under its dimension in ``indicators.yaml``."""
    path = data / "config" / "indicators.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    dim = next(d for d in doc["dimensions"] if d["id"] == DIMENSION)
    for ind in dim["indicators"]:
        ind["weight"] = rebalance.get(ind["id"], ind["weight"])
    dim["indicators"].append(dict(indicator))
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def expected_exports(data: Path, year: int, as_of: str) -> pd.Series:
    """Exports per zone from January to *as_of*'s month of *year*, summed from the curated rows."""
    df = pd.read_parquet(data / "curated" / "logistics_monthly.parquet")
    month = pd.to_datetime(df["month"])
    last = pd.Timestamp(as_of)
    keep = (
        (df["indicator"] == "export_value")
        & (month.dt.year == year)
        & (month.dt.month <= last.month)
    )
    return df[keep].groupby("zone_id")["value"].sum()


def test_added_indicator_is_scored_with_its_value(data):
    add_indicator(data, NEW, REBALANCED)
    config = load_indicators(data)
    dim = next(d for d in config.dimensions if d.id == DIMENSION)
    weights = {i.id: i.weight for i in dim.indicators}
    assert weights[NEW["id"]] == pytest.approx(0.1)
    assert sum(weights.values()) == pytest.approx(1.0)

    result = compute.run(YEAR, AS_OF, data_dir=data)
    rows = result.scored[
        (result.scored["indicator"] == NEW["id"]) & (result.scored["year"] == YEAR)
    ]
    assert set(rows["zone_id"]) == set(ZONES)
    assert set(rows["dimension"]) == {DIMENSION}
    want = expected_exports(data, YEAR, AS_OF)
    assert want.gt(0).all() and len(want) == len(ZONES)
    got = rows.set_index("zone_id")["value"]
    pd.testing.assert_series_equal(
        got.sort_index().astype(float), want.sort_index().astype(float), check_names=False
    )
    assert rows["score"].notna().all() and rows["score"].between(0, 100).all()
    # The biggest exporter scores highest on a "+" indicator.
    assert rows.set_index("zone_id")["score"].idxmax() == want.idxmax()
    # It enters the entropy weights and the dimension score (every zone still covered).
    assert NEW["id"] in result.entropy_weights.index
    dims = result.dimensions
    assert dims[(dims["year"] == YEAR) & (dims["dimension"] == DIMENSION)]["score"].notna().all()


def test_indicator_without_its_aggregation_is_refused(data):
    bare = {k: v for k, v in NEW.items() if k != "formula"}
    add_indicator(data, bare, REBALANCED)
    with pytest.raises(ConfigError):
        load_indicators(data)


def test_indicator_without_rebalanced_weights_is_refused(data):
    add_indicator(data, NEW, {})
    with pytest.raises(ConfigError, match="sum to 1"):
        load_indicators(data)
