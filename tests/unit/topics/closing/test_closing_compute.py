"""Closing review: run() per year, stored and read back, and the page functions reading it.

Runs on the curated demo data (``data/curated``, built by ``make data/curated/_meta.json``).
"""

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from result_checks import assert_same_result

from evalkit import investment, reforms, results, store
from evalkit.config import load_targets
from evalkit.present import verdict as vd
from evalkit.schema import ZONES, zone_name
from evalkit.topics.closing import compute, present

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


def test_run_holds_each_plan_year_as_of_its_end(stored):
    clo = stored[0]
    targets = load_targets("data")
    assert clo.closing and clo.in_progress
    items = store.read_table("reform_items", "data")
    funds = store.read_table("funds_monthly", "data")
    years = list(range(targets.first_year, targets.last_year + 1))
    reform = present.by_year(clo.reform_attainment)
    invest = present.by_year(clo.invest_attainment)
    assert sorted(reform) == sorted(invest) == years
    assert clo.assessed_years == years[1:]  # the partial first year is not assessed
    for y in years:
        end = AS_OF if y == clo.year else f"{y}-12-31"
        pd.testing.assert_frame_equal(reform[y], reforms.attainment(items, y, end, targets))
        pd.testing.assert_frame_equal(invest[y], investment.attainment(funds, y, end, targets))
    pd.testing.assert_frame_equal(
        clo.reform_cumulative, reforms.cumulative(items, clo.year, AS_OF, targets)
    )
    assert sorted(clo.verdicts["year"].unique()) == years


def test_run_before_the_last_year_holds_no_figures():
    targets = load_targets("data")
    clo = compute.run(targets.first_year, f"{targets.first_year}-12-31", "data")
    assert not clo.closing
    assert clo.reform_attainment.empty and clo.funds_cumulative.empty
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
    assert sentences[1].startswith("招商引资到位资金 2025—2026 年累计增长（两个考核年度")
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


def _stacked(growth_by_year, months=None):
    zones = list(ZONES)
    rows = []
    for y, growth in growth_by_year.items():
        for z, g in zip(zones, growth, strict=True):
            rows.append(
                {
                    "zone_id": z,
                    "year": y,
                    "through_month": (months or {}).get(y, 12),
                    "yoy_growth": float("nan") if g is None else g,
                    "growth_defined": g is not None,
                    "target_growth": 0.25,
                    "met": None if g is None else g >= 0.25,
                }
            )
    out = pd.DataFrame(rows)
    out["met"] = out["met"].astype(object)
    return out


def test_chained_growth_is_over_the_assessed_years_only():
    """Issue #18 item 7: the review compounded 25 % over 2024–2026 (2024 is a baseline year).

    Before: ``chained_growth(stacked, targets)`` chained all three years — growth
    1.1 × 1.2 × 1.5 − 1 = 0.98 against 1.25³ − 1 = 0.953 (met). After: the assessed
    years 2025–2026 — 1.2 × 1.5 − 1 = 0.80 against 1.25² − 1 = 0.5625.
    """
    zones = list(ZONES)
    stacked = _stacked({2024: [0.10, 0.30, None], 2025: [0.20, 0.30, 0.5], 2026: [0.5, 0.3, None]})
    targets = load_targets("data")
    years = compute.assessed_years(2026, targets)
    assert years == [2025, 2026]
    out = compute.chained_growth(stacked, targets, years).set_index("zone_id")
    assert out.loc[zones[0], "growth"] == pytest.approx(0.80)
    assert out.loc[zones[0], "target"] == pytest.approx(0.5625)
    assert out.loc[zones[0], "met_so_far"] is True
    assert out.loc[zones[1], "growth"] == pytest.approx(1.3**2 - 1)
    assert out.loc[zones[2], "met_so_far"] is None and not out.loc[zones[2], "defined"]


def test_cumulative_growth_uses_the_yearly_pages_windows(stored):
    """Issue #18 item 7: 2025 was compounded on January–October (+26.9 % for ETDZ)
    next to "✓ 达标（+31.0%）" on its full year; now the full year, as the 2025 page."""
    clo = stored[1]
    targets = load_targets("data")
    table = present.funds_cumulative_table(clo, targets).set_index("片区")
    status = present.status_table(clo, targets)
    funds_rows = status[status["硬性目标"] == "到位资金同比增长"].set_index("片区")
    invest = present.by_year(clo.invest_attainment)
    for z in ZONES:
        name = zone_name(z)
        g2025 = invest[2025].set_index("zone_id").loc[z, "yoy_growth"]
        assert table.loc[name, "2025年增速"].startswith(present._growth_words(g2025, True))
        assert table.loc[name, "2025年增速"].endswith("（全年）")
        assert present._growth_text(g2025, True) in funds_rows.loc[name, "2025年"]
        g2026 = invest[2026].set_index("zone_id").loc[z, "yoy_growth"]
        c = clo.funds_cumulative.set_index("zone_id").loc[z]
        assert c["growth"] == pytest.approx((1 + g2025) * (1 + g2026) - 1)
        assert c["target"] == pytest.approx(1.25**2 - 1)


def test_closing_review_is_provisional_while_the_year_runs(stored):
    """Issue #18 item 1: with data to 31 October the review said "未完成"/"已达到"/"未达到"/
    "× 尚未达标" as if final. After: 预计…/进行中 with the as-of date; a count already
    reached is 已达标."""
    clo = stored[1]
    targets = load_targets("data")
    status = present.status_table(clo, targets)
    running = status["2026年（截至10月31日）"]
    assert not running.str.contains("未达标|尚未达标").any()
    assert running.str.contains("截至10月31日").all()
    funds = present.funds_cumulative_table(clo, targets)
    assert not funds["判定"].str.contains("已达到|未达到").any()
    assert set(clo.funds_cumulative["status"]) <= {"likely", "at_risk", "unlikely", "in_progress"}
    assert clo.funds_cumulative["provisional"].all()
    cum = present.cumulative_reforms_table(clo)
    done = [c for c in cum.columns if c.endswith("是否完成三年目标")]
    assert not cum[done].isin(["未完成"]).any().any()
    sentences = " ".join(present.targets_sentences(clo, targets))
    assert (
        "2026 年截至 10 月 31 日：" in sentences and "未达标" not in sentences.split("2026 年")[-1]
    )


def test_complete_last_year_gives_final_cumulative_verdicts():
    targets = load_targets("data")
    stacked = _stacked({2025: [0.3, 0.2, 0.25], 2026: [0.3, 0.2, 0.25]})
    chained = compute.chained_growth(stacked, targets, [2025, 2026])
    period = compute.ReportPeriod.of(2026, "2026-12-31")
    out = compute.cumulative_verdicts(chained, period, vd.VerdictRules()).set_index("zone_id")
    zones = list(ZONES)
    assert list(out.loc[zones, "status"]) == ["met", "not_met", "met"]
    assert not out["provisional"].any()
    # the same growth with the year in progress is never final
    running = compute.cumulative_verdicts(
        compute.chained_growth(
            _stacked({2025: [0.3] * 3, 2026: [0.3] * 3}, {2026: 10}), targets, [2025, 2026]
        ),
        compute.ReportPeriod.of(2026, "2026-10-31"),
        vd.VerdictRules(),
        {zones[0]: 0.9, zones[1]: 0.5},
    ).set_index("zone_id")
    assert list(running.loc[zones, "status"]) == ["likely", "at_risk", "in_progress"]
    assert running["provisional"].all()
