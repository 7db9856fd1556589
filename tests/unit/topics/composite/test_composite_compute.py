"""The composite topic's run(): computed once per year, stored, read back unchanged.

Runs on the curated demo data (``data/curated``, built by ``make data/curated/_meta.json``).
"""

import pandas as pd
import pytest
from result_checks import assert_same_result

import evalkit.composite
from evalkit import results
from evalkit.config import load_targets
from evalkit.schema import TABLES, ZONES
from evalkit.topics.composite import compute, indicators, present, scoring, weights

YEAR, AS_OF = 2025, "2025-12-31"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Return (result of run(), result loaded through evalkit.results, reports folder)."""
    reports = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_REPORTS_DIR", str(reports))
        fresh = compute.run(YEAR, AS_OF, "data")
        loaded = results.load("composite", YEAR, AS_OF, "data")
        again = results.load("composite", YEAR, AS_OF, "data")
    return fresh, loaded, again, reports


def assert_results_equal(a, b):
    """Assert two CompositeResults hold equal frames and values, field by field."""
    assert_same_result(a, b, ignore_index=True)


def test_run_is_stored_and_read_back_equal(stored):
    fresh, loaded, again, reports = stored
    assert isinstance(loaded, compute.CompositeResult)
    assert (reports / str(YEAR) / "results" / "composite" / "values.json").exists()
    assert_results_equal(fresh, loaded)
    assert_results_equal(loaded, again)  # second load: served from the stored folder


def test_run_covers_every_plan_year_zone_and_indicator(stored):
    fresh = stored[0]
    targets = load_targets("data")
    assert fresh.years == list(range(targets.first_year, YEAR + 1))
    config = indicators.load_indicators("data")
    assert len(fresh.scored) == len(fresh.years) * len(ZONES) * len(config.indicators)
    assert sorted(fresh.composite["zone_id"].unique()) == sorted(ZONES)
    assert list(fresh.sensitivity["zone_id"]) == list(ZONES)
    assert fresh.draws == weights.DRAWS and fresh.concentration == weights.CONCENTRATION
    assert fresh.entropy_weights.sum() == pytest.approx(1.0)


def test_run_equals_the_evaluate_recipe(stored):
    """run() is evaluate() + the year's sensitivity, nothing else."""
    fresh = stored[0]
    config = indicators.load_indicators("data")
    tables = compute.read_tables(config, "data")
    direct = compute.evaluate(config, tables, fresh.years, AS_OF, load_targets("data"))
    pd.testing.assert_frame_equal(direct["composite"], fresh.composite)
    pd.testing.assert_frame_equal(direct["scored"], fresh.scored)
    sens = weights.sensitivity(direct["scored"], config, YEAR, draws=fresh.draws)
    pd.testing.assert_frame_equal(sens, fresh.sensitivity)


def test_declared_reads_cover_the_configured_indicators():
    config = indicators.load_indicators("data")
    assert set(config.tables) <= set(compute.READS)
    assert set(compute.READS) <= set(TABLES)
    assert compute.CONFIG == ("indicators.yaml", "targets.yaml", "zones.yaml")
    assert compute.USES == ()


def test_read_tables_refuses_an_undeclared_table(monkeypatch):
    config = indicators.load_indicators("data")
    monkeypatch.setattr(compute, "READS", ("reform_items",))
    with pytest.raises(ValueError, match="not declared in READS"):
        compute.read_tables(config, "data")


def test_compatibility_module_re_exports_the_moved_names():
    assert evalkit.composite.evaluate is compute.evaluate
    assert evalkit.composite.score_indicators is scoring.score_indicators
    assert evalkit.composite.dimension_table is present.dimension_table
    assert evalkit.composite.load_indicators is indicators.load_indicators
    assert evalkit.composite.sensitivity is weights.sensitivity
