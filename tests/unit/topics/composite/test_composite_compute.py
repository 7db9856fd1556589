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
    assert compute.CONFIG == (
        "composite_revisions.yaml",
        "indicators.yaml",
        "targets.yaml",
        "zones.yaml",
    )
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


def test_published_scores_of_past_years_equal_their_own_reports(stored):
    """A later report shows each past year's score exactly as that year's report published it.

    Before: the 2026 page's 2024 row (58.66 / 54.95 / 14.45) differed from the 2024 page
    (90.25 / 74.50 / 18.70) because min–max pooled every loaded year.
    """
    fresh = stored[0]  # the 2025 report
    later = compute.run(2026, "2026-10-31", "data")
    for res in (fresh, later):
        for y in res.years[:-1]:
            own = compute.run(y, f"{y}-12-31", "data").composite
            own = own[own["year"] == y][["zone_id", "year", "score", "coverage", "rank"]]
            pub = res.published[res.published["year"] == y]
            pd.testing.assert_frame_equal(
                pub.reset_index(drop=True), own.reset_index(drop=True), check_exact=True
            )
    # The report year's published score is its composite score.
    cur = later.composite[later.composite["year"] == 2026]
    pub = later.published[later.published["year"] == 2026]
    assert cur["score"].tolist() == pub["score"].tolist()


def test_adoption_lag_has_one_definition_on_both_pages():
    """The comprehensive page's median adoption lag is the reforms page's (before: 202.5 vs 200)."""
    from evalkit.topics.reforms import compute as reforms

    res = compute.run(2026, "2026-10-31", "data")
    s = res.scored
    lag = s[(s["indicator"] == "adoption_lag_days") & (s["year"] == 2026)]
    page = reforms.run(2026, "2026-10-31", "data").lag_distribution
    assert (
        lag.set_index("zone_id")["value"].to_dict() == page.set_index("zone_id")["median"].to_dict()
    )
    assert lag.set_index("zone_id").loc["suihua_etdz", "value"] == 200.0


def test_revisions_are_shown_beside_the_current_method():
    res = compute.run(2024, "2024-12-31", "data")
    table = present.revision_table(res).set_index("片区")
    assert table.loc["绥化经开区片区", "原方法已发布得分（分）"] == 90.25
    now = res.published.set_index("zone_id").loc["suihua_etdz", "score"]
    assert table.loc["绥化经开区片区", "现方法得分（分）"] == round(float(now), 2)
    assert "原方法" in present.revision_notes(res)[0]
