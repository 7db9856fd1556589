"""Tests for evalkit.topics.impact.compute: the report's choices, run() and its stored form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from result_checks import assert_same_result

from evalkit.topics.impact import compute
from evalkit.topics.impact.did import DidResult, ImpactError

PANEL_YEARS = list(range(2019, 2026))


def test_headline_years_per_report():
    p24 = compute.headline_years(2024, PANEL_YEARS)
    assert p24["pre"] == [2019, 2020, 2021, 2022, 2023]
    assert p24["post"] == [2024] and p24["partial_post"] and p24["dropped"] == []
    p25 = compute.headline_years(2025, PANEL_YEARS)
    assert p25["post"] == [2025] and p25["dropped"] == [2024] and not p25["partial_post"]
    p26 = compute.headline_years(2026, PANEL_YEARS)
    assert p26["post"] == [2025] and p26["last_panel_year"] == 2025


def test_log_of_non_positive_value_names_row_and_column():
    df = pd.DataFrame({"county_id": ["anda", "hailun"], "year": [2019, 2019], "gdp": [5.0, 0.0]})
    with pytest.raises(ImpactError, match=r"第 1 行.*hailun.*gdp"):
        compute.with_log(df, "gdp")


def test_group_trends_are_geometric_means_indexed_to_the_reference_year():
    panel = pd.DataFrame(
        {
            "county_id": ["a", "a", "b", "b", "c", "c"],
            "year": [2023, 2024] * 3,
            "group": [1, 1, 1, 1, 0, 0],
            "x": [100.0, 110.0, 400.0, 440.0, 50.0, 60.0],
        }
    )
    t = compute.group_trends(panel, "x", ref=2023)
    # Pilot geometric mean 200 → 220 (index 110); comparison 50 → 60 (index 120).
    assert t["year"].tolist() == [2023, 2024]
    assert t["pilot"].tolist() == pytest.approx([100.0, 110.0])
    assert t["comparison"].tolist() == pytest.approx([100.0, 120.0])


# --- The demo county panel's injected effect ------------------------------------------------------


def _headline(county: pd.DataFrame, year: int, outcome: str, **kw) -> DidResult:
    from evalkit import schema

    panel = compute.prepare_panel(county, year, schema.PILOT_HOST_COUNTIES)
    plan = compute.headline_years(year, panel["year"].unique())
    return compute.headline_estimate(panel, outcome, plan, **kw)


def test_demo_report_estimate_is_consistent_with_the_injected_effect():
    from evalkit import demo

    county = demo.generate()["county_panel"]
    for year in (2024, 2025, 2026):
        res = _headline(county, year, demo.INJECTED_EFFECT_OUTCOME, bootstrap_reps=1999)
        assert res.boot_ci_low < demo.INJECTED_EFFECT_LOG < res.boot_ci_high, (year, res)
        assert res.p_wild_bootstrap < 0.05


def test_demo_generator_effect_is_recovered_on_average():
    # Over many draws of the demo county generator the headline estimate averages to
    # the injected 0.15 on the treated outcome and to 0 on an outcome without effect.
    from evalkit import demo

    est, gdp = [], []
    for seed in range(40):
        county = demo.county_panel(np.random.default_rng(seed), 2025)
        est.append(
            _headline(
                county, 2025, "domestic_capital_used", bootstrap_reps=9, bootstrap_ci=False
            ).estimate
        )
        gdp.append(_headline(county, 2025, "gdp", bootstrap_reps=9, bootstrap_ci=False).estimate)
    assert np.mean(est) == pytest.approx(
        demo.INJECTED_EFFECT_LOG, abs=3 * np.std(est) / math.sqrt(40)
    )
    assert np.mean(gdp) == pytest.approx(0.0, abs=3 * np.std(gdp) / math.sqrt(40))


# --- run(): the recipe, its result and the stored form ---------------------------------------------


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    """A data folder whose curated store holds the demo county panel and metadata."""
    from evalkit import demo

    data = tmp_path_factory.mktemp("impact-data")
    demo.write_curated({"county_panel": demo.generate()["county_panel"]}, demo.metadata(), data)
    return data


@pytest.fixture(scope="module")
def result(demo_data):
    return compute.run(2026, "2026-10-31", demo_data)


def test_comparison_counties_are_the_other_configured_counties():
    from evalkit import schema

    comparison = compute.comparison_counties()
    assert comparison == [c for c in schema.COUNTIES if c not in schema.PILOT_HOST_COUNTIES]
    assert set(comparison).isdisjoint(schema.PILOT_HOST_COUNTIES)
    assert set(comparison) | set(schema.PILOT_HOST_COUNTIES) == set(schema.COUNTIES)


def test_comparison_counties_follow_a_declared_list(monkeypatch):
    from evalkit import schema

    monkeypatch.setattr(schema, "COMPARISON_COUNTIES", ("anda", "hailun"), raising=False)
    assert compute.comparison_counties() == ["anda", "hailun"]


def test_run_follows_the_recipe(result, demo_data):
    from evalkit import schema, store

    county = store.read_table("county_panel", demo_data)
    panel = compute.prepare_panel(county, 2026, schema.PILOT_HOST_COUNTIES)
    plan = compute.headline_years(2026, panel["year"].unique())
    assert result.plan == plan and plan["post"] == [2025] and plan["dropped"] == [2024]
    assert result.year == 2026 and result.as_of == "2026-10-31"
    assert result.outcome == compute.HEADLINE_OUTCOME == "domestic_capital_used"
    assert result.outcome_label == "实际利用内资"
    assert result.host_counties == list(schema.PILOT_HOST_COUNTIES)
    assert result.comparison_counties == compute.comparison_counties()
    assert result.synthetic is True
    direct = compute.headline_estimate(panel, compute.HEADLINE_OUTCOME, plan)
    assert result.headline == direct
    assert result.headline.n_clusters == len(schema.COUNTIES)
    assert result.headline.n_treated_clusters == len(schema.PILOT_HOST_COUNTIES)
    pd.testing.assert_frame_equal(
        result.robustness,
        compute.robustness(panel, compute.HEADLINE_OUTCOME, plan, county_names=schema.COUNTIES),
    )
    pd.testing.assert_frame_equal(
        result.trends, compute.group_trends(panel, compute.HEADLINE_OUTCOME)
    )
    es = result.event_study
    assert es.ref == compute.REFERENCE_YEAR and es.pretrend_df == (4, 9)
    assert es.table["period"].tolist() == list(range(2019, 2026))
    assert result.outcomes["outcome"].tolist() == list(schema.COUNTY_INDICATORS)
    # The headline row of the outcomes table is the headline estimate (no bootstrap CI there).
    row = result.outcomes.set_index("outcome").loc[compute.HEADLINE_OUTCOME]
    assert row["estimate"] == result.headline.estimate
    assert row["p_wild_bootstrap"] == result.headline.p_wild_bootstrap


def test_run_rejects_an_as_of_date_before_the_year(demo_data):
    with pytest.raises(ValueError, match="as-of date is before the report year"):
        compute.run(2026, "2025-12-31", demo_data)


def _assert_same_result(a, b):
    # EventStudy is a nested result: its table, ref, pretrend figures and clusters compared too.
    assert_same_result(a, b, check_exact=True, check_types=True)


def test_result_is_stored_and_read_back_equal(result, tmp_path):
    from evalkit import results

    folder = results.save(result, tmp_path / "impact")
    back = results.read(folder)
    assert isinstance(back, compute.ImpactResult)
    _assert_same_result(result, back)


def test_results_load_computes_stores_and_serves_the_same_result(
    result, demo_data, tmp_path, monkeypatch
):
    from evalkit import results

    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    first = results.load("impact", 2026, "2026-10-31", demo_data)
    assert (results.results_dir(2026) / "impact" / results.VALUES_FILE).exists()
    _assert_same_result(result, first)
    _assert_same_result(first, results.load("impact", 2026, "2026-10-31", demo_data))
