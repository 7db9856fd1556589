"""Executive summary: run() stored once per year and the page functions reading it.

Runs on the curated demo data (``data/curated``, built by ``make data/curated/_meta.json``).
"""

import pandas as pd
import pytest
from result_checks import assert_same_result

from evalkit import investment, reforms, results, store
from evalkit.config import load_targets
from evalkit.present import verdict as vd
from evalkit.schema import TABLES, ZONES
from evalkit.topics.composite import indicators
from evalkit.topics.investment import present as ipresent
from evalkit.topics.summary import compute, present

YEAR, AS_OF = 2026, "2026-10-31"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Return (run() result, stored-and-read result, composite, investment results) for YEAR."""
    reports = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_REPORTS_DIR", str(reports))
        fresh = compute.run(YEAR, AS_OF, "data")
        loaded = results.load("summary", YEAR, AS_OF, "data")
        comp = results.load("composite", YEAR, AS_OF, "data")
        inv = results.load("investment", YEAR, AS_OF, "data")
        folder = reports / str(YEAR) / "results" / "summary"
        assert (folder / "values.json").exists()
    return fresh, loaded, comp, inv


def test_run_is_stored_and_read_back_equal(stored):
    fresh, loaded = stored[:2]
    # object verdict columns (True/False/None) come back as stored bools: same values
    assert_same_result(fresh, loaded, check_dtype=False)


def test_run_holds_the_special_topic_attainment(stored):
    fresh = stored[0]
    targets = load_targets("data")
    items = store.read_table("reform_items", "data")
    funds = store.read_table("funds_monthly", "data")
    pd.testing.assert_frame_equal(
        fresh.reform_attainment, reforms.attainment(items, YEAR, AS_OF, targets)
    )
    pd.testing.assert_frame_equal(
        fresh.invest_attainment, investment.attainment(funds, YEAR, AS_OF, targets)
    )
    assert fresh.in_progress is True and fresh.partial is False
    assert fresh.first_year == targets.first_year
    assert set(compute.READS) <= set(TABLES)


def test_page_functions_read_the_stored_results(stored):
    summ, comp = stored[1:3]
    config = indicators.load_indicators("data")
    lights = present.lights_table(summ)
    assert list(lights["片区"]) == [present.zone_name(z) for z in ZONES]
    pd.testing.assert_frame_equal(
        lights,
        present.traffic_lights(
            summ.reform_attainment,
            summ.invest_attainment,
            partial=False,
            in_progress=True,
            verdicts=present.verdict_map(summ.verdicts),
        ),
    )
    found = present.findings(summ, comp, config)
    assert [page for _, page in found] == [
        "comprehensive.html",
        "reforms.html",
        "investment.html",
        "logistics.html",
        "comprehensive.html",
    ]
    assert found[0][0] == present.composite_finding(comp.composite, comp.sensitivity, YEAR)
    assert present.legend(summ).startswith("图例：")
    assert "尚在进行中" in present.legend(summ)


def test_year_in_progress_has_no_final_funds_verdict_anywhere(stored):
    """Issue #18 item 1 on the demo data as of 2026-10-31 (January–October growth).

    Before: ETDZ "✓ 达标" (home) / ``targets_met.funds_growth`` true; Zhaodong "未达标"
    (investment page) but "× 尚未达标（年度进行中）" (home). After: provisional verdicts
    from the projection, the same text on both pages, ``targets_met`` null.
    """
    summ, inv = stored[1], stored[3]
    lights = present.lights_table(summ).set_index("片区")
    page = ipresent.attainment_table(
        inv.attainment,
        inv.last_month,
        inv.partial_year,
        inv.min_base_wan_yuan,
        verdicts=ipresent.funds_verdicts(inv, "data"),
    ).set_index("片区")
    assert "判定截至10月31日" in present.lights_caption(summ)
    part = present.summary_part(summ)["zones"]
    probs = vd.reach_probabilities(inv.projections, inv.chosen_model)
    for z in ZONES:
        name = present.zone_name(z)
        home = lights.loc[name, "到位资金同比增长"]
        # The same verdict; the home table states the as-of date once, in its caption.
        assert home == page.loc[name, "是否达标"].replace("截至10月31日，", "")
        assert "截至10月31日" in page.loc[name, "是否达标"]
        assert home.split("（")[0].split(" ", 1)[1] in {"预计达标", "存在风险", "预计难以达标"}
        entry = part[z]["targets"]["funds_growth"]
        assert entry["provisional"] is True and part[z]["targets_met"]["funds_growth"] is None
        assert entry["status"] == vd.probability_status(probs[z], present.rules_of(summ))
        assert entry["p_reach_target"] == pytest.approx(probs[z], abs=1e-4)
    # counts: already at target is final (已达标, true), below target is in progress (null)
    r = summ.reform_attainment.set_index("zone_id")
    for z in ZONES:
        for kind in ("replicated", "original"):
            met = part[z]["targets_met"][f"reforms_{kind}"]
            reached = int(r.loc[z, kind]) >= int(r.loc[z, f"target_{kind}"])
            assert met is (True if reached else None)
            assert part[z]["targets"][f"reforms_{kind}"]["status"] == (
                "met" if reached else "in_progress"
            )


def test_targets_download_is_numeric_with_labelled_text(stored):
    """Issue #18 item 8: summary_targets.csv held "19 / 20", "✓ 达标" and growth as text."""
    summ = stored[1]
    dl = present.targets_download(summ)
    numeric = [
        "复制推广（条）",
        "复制推广目标（条）",
        "自主创新（条）",
        "自主创新目标（条）",
        "到位资金统计截至月份",
        "到位资金同比增长（%）",
        "到位资金增长目标（%）",
        "全年达标概率（预测）",
    ]
    for col in numeric:
        assert pd.api.types.is_numeric_dtype(dl[col]), col
    i = summ.invest_attainment.set_index("zone_id")
    for row in dl.itertuples(index=False):
        assert row[dl.columns.get_loc("到位资金同比增长（%）")] == pytest.approx(
            100 * i.loc[row[1], "yoy_growth"]
        )
    assert set(dl["到位资金判定代码"]) <= set(vd.STATUS_WORDS)
    assert dl["到位资金是否暂定"].all()
    assert not any("/" in str(v) for v in dl[numeric].to_numpy().ravel())


def test_findings_say_the_configured_number_of_zones():
    att = pd.DataFrame(
        {
            "zone_id": list(ZONES),
            "replicated": [5] * len(ZONES),
            "original": [2] * len(ZONES),
            "target_replicated": [3] * len(ZONES),
            "target_original": [1] * len(ZONES),
            "met_replicated": [True] * len(ZONES),
            "met_original": [True] * len(ZONES),
        }
    )
    text = present.reform_finding(att, 2025, partial=False, in_progress=False)
    assert text.endswith(f"{present.zones_word()}两项目标均已达到。")
    assert present.zones_word() == "三个片区"  # the demo's configured zones


def test_headline_note_says_the_configured_number_of_dimensions(stored):
    summ = stored[1]
    config = indicators.load_indicators("data")
    assert present.note(summ, config) == present.headline_note(
        YEAR, AS_OF, summ.first_year, dimensions=len(config.dimensions)
    )
    assert present.headline_note(2025, "2025-12-31", 2024).startswith("综合得分由五个维度")
    four = present.headline_note(2025, "2025-12-31", 2024, dimensions=4)
    assert four.startswith("综合得分由四个维度") and four.endswith("2024 年的全年。")
