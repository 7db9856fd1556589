"""Closing review: run() per year, stored and read back, and the page functions reading it.

Runs on the curated demo data (``data/curated``, built by ``make data/curated/_meta.json``).
"""

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from result_checks import assert_same_result

from evalkit import investment, reforms, results, store
from evalkit.config import load_targets
from evalkit.schema import ZONES, zone_name
from evalkit.topics.closing import compute, present
from evalkit.topics.composite.values import window_end

AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Return (run() result, stored-and-read result) for the plan's last year."""
    reports = tmp_path_factory.mktemp("reports")
    year = load_targets("data").last_year
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_REPORTS_DIR", str(reports))
        fresh = compute.run(year, AS_OF, "data")
        loaded = results.load("closing", year, AS_OF, "data")
    return fresh, loaded


def test_run_is_stored_and_read_back_equal(stored):
    fresh, loaded = stored
    assert_same_result(fresh, loaded, check_dtype=False)


def test_run_holds_each_plan_year_as_of_its_end_and_same_period(stored):
    clo = stored[0]
    targets = load_targets("data")
    assert clo.closing and clo.in_progress
    items = store.read_table("reform_items", "data")
    funds = store.read_table("funds_monthly", "data")
    years = list(range(targets.first_year, targets.last_year + 1))
    reform = present.by_year(clo.reform_attainment)
    invest = present.by_year(clo.invest_attainment)
    same = present.by_year(clo.funds_same_period)
    assert sorted(reform) == sorted(invest) == sorted(same) == years
    for y in years:
        end = AS_OF if y == clo.year else f"{y}-12-31"
        pd.testing.assert_frame_equal(reform[y], reforms.attainment(items, y, end, targets))
        pd.testing.assert_frame_equal(invest[y], investment.attainment(funds, y, end, targets))
        window = window_end(y, AS_OF).isoformat()
        pd.testing.assert_frame_equal(same[y], investment.attainment(funds, y, window, targets))
    pd.testing.assert_frame_equal(
        clo.reform_cumulative, reforms.cumulative(items, clo.year, AS_OF, targets)
    )


def test_run_before_the_last_year_holds_no_figures():
    targets = load_targets("data")
    clo = compute.run(targets.first_year, f"{targets.first_year}-12-31", "data")
    assert not clo.closing
    assert clo.reform_attainment.empty and clo.funds_same_period.empty
    assert (clo.first_year, clo.last_year) == (targets.first_year, targets.last_year)


def test_page_tables_read_the_stored_result(stored):
    clo = stored[1]
    targets = load_targets("data")
    status = present.status_table(clo, targets)
    assert len(status) == 3 * len(ZONES)
    assert list(status.columns[2:]) == ["2024年", "2025年", "2026年（截至10月31日）"]
    funds = present.funds_cumulative_table(clo, targets)
    assert list(funds["片区"]) == [zone_name(z) for z in ZONES]
    sentences = present.cumulative_sentences(clo, funds)
    assert sentences[0].startswith("截至目前三年累计")
    assert sentences[1].startswith("招商引资到位资金 3 年累计增长")
    assert len(present.targets_sentences(clo, targets)) == len(ZONES)


def test_composite_trend_chart_draws_one_line_per_zone():
    comp = pd.DataFrame(
        [(z, y, 10.0 * k + (y - 2024)) for k, z in enumerate(ZONES) for y in (2024, 2025, 2026)],
        columns=["zone_id", "year", "score"],
    )
    fig, ax = present.composite_trend_chart(comp, [2024, 2025, 2026], synthetic=True)
    try:
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [zone_name(z) for z in ZONES]
        assert list(lines[1].get_ydata()) == [10.0, 11.0, 12.0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2024", "2025", "2026"]
        assert fig.get_suptitle() == "各片区综合得分（2024—2026 年同期）"
    finally:
        plt.close(fig)


def test_composite_trend_table_has_chinese_headers_and_rounded_scores():
    comp = pd.DataFrame(
        {"zone_id": [list(ZONES)[0]], "year": [2026], "score": [12.3456], "rank": [1]}
    )
    trend = present.composite_trend(comp)
    assert list(trend.columns) == ["片区", "年度", "同期口径综合得分（分）", "同期口径排名"]
    assert trend.iloc[0].tolist() == [zone_name(list(ZONES)[0]), 2026, 12.35, 1]


def test_chained_growth_multiplies_same_period_growth_and_compounds_the_target():
    zones = list(ZONES)
    rows = []
    for y, growth in (
        (2024, [0.10, 0.30, None]),
        (2025, [0.20, 0.30, 0.5]),
        (2026, [0.5, 0.3, 0.5]),
    ):
        for z, g in zip(zones, growth, strict=True):
            rows.append(
                {
                    "zone_id": z,
                    "year": y,
                    "yoy_growth": float("nan") if g is None else g,
                    "growth_defined": g is not None,
                }
            )
    out = compute.chained_growth(pd.DataFrame(rows), load_targets("data")).set_index("zone_id")
    # 1.1 × 1.2 × 1.5 − 1 = 0.98; the demo target 25 % a year: 1.25³ − 1 = 0.953125
    assert out.loc[zones[0], "growth"] == pytest.approx(0.98)
    assert out.loc[zones[0], "target"] == pytest.approx(0.953125)
    assert out.loc[zones[0], "met"] is True
    assert out.loc[zones[1], "growth"] == pytest.approx(1.3**3 - 1)
    assert out.loc[zones[2], "met"] is None and not out.loc[zones[2], "defined"]


def test_stored_cumulative_funds_are_the_chained_same_period_growth(stored):
    clo = stored[1]
    targets = load_targets("data")
    chained = compute.chained_growth(clo.funds_same_period, targets)
    pd.testing.assert_frame_equal(chained, clo.funds_cumulative, check_dtype=False)
    table = present.funds_cumulative_table(clo, targets)
    assert table.equals(present.funds_cumulative(present.by_year(clo.funds_same_period), targets))
