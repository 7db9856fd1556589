"""Comparable scores (issue #18 items 3–4, #16 item 6): each test is the minimal input of one fault.

Before the fix (min–max normalization pooled over zones × years, entropy weights pooled
over years, change = difference of two composites on different bases) each of these
tests failed; the values the old code gave are in the comments.
"""

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.config import ConfigError
from evalkit.topics.composite import compare as ccompare
from evalkit.topics.composite import indicators as cind
from evalkit.topics.composite import revisions as crev
from evalkit.topics.composite import scoring as cscore
from evalkit.topics.composite import weights as cweights
from evalkit.topics.summary import present as spresent

ZONES3 = ["suihua_etdz", "zhaodong", "qinggang"]


def config_of(dimensions):
    """Parse [(dim_id, weight, [(ind_id, weight, (worst, best))])] into an indicator config."""
    return cind.parse_indicators(
        {
            "dimensions": [
                {
                    "id": did,
                    "name": f"维度{did}",
                    "weight": dw,
                    "indicators": [
                        {
                            "id": iid,
                            "name": f"指标{iid}",
                            "table": "logistics_monthly",
                            "formula": {"agg": "mean", "column": "value"},
                            "direction": "+" if best > worst else "-",
                            "unit": "项",
                            "weight": w,
                            "reference": {"worst": worst, "best": best, "source": "test"},
                        }
                        for iid, w, (worst, best) in inds
                    ],
                }
                for did, dw, inds in dimensions
            ]
        }
    )


def values(rows):
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])


def composite(vals, config):
    scored = cscore.score_indicators(vals, config)
    return cscore.composite_scores(cscore.dimension_scores(scored, config), config)


# --- normalization anchored to fixed references --------------------------------------------


def test_different_spreads_no_longer_map_to_the_same_scores():
    # Old: min–max gave 0 / 50 / 100 for 100/101/102 and 0 / 49.5 / 100 for 10/500/1000.
    cfg = config_of([("d", 1.0, [("a", 1.0, (0, 1000))])])
    narrow = cscore.score_indicators(
        values([(z, 2025, "a", v) for z, v in zip(ZONES3, [100, 101, 102], strict=True)]), cfg
    )["score"]
    wide = cscore.score_indicators(
        values([(z, 2025, "a", v) for z, v in zip(ZONES3, [10, 500, 1000], strict=True)]), cfg
    )["score"]
    assert narrow.tolist() == pytest.approx([10.0, 10.1, 10.2])
    assert wide.tolist() == pytest.approx([1.0, 50.0, 100.0])


def test_a_and_b_do_not_reverse_when_only_c_moves():
    # Old (min–max): A 50 vs B 25, then A 4.5 vs B 25 after C's x went from 50 to 1100.
    cfg = config_of([("d", 1.0, [("x", 0.5, (0, 1000)), ("y", 0.5, (0, 100))])])

    def scores(c_x):
        rows = [
            ("suihua_etdz", 2025, "x", 100.0),  # A
            ("zhaodong", 2025, "x", 0.0),  # B
            ("qinggang", 2025, "x", c_x),  # C
            ("suihua_etdz", 2025, "y", 0.0),
            ("zhaodong", 2025, "y", 50.0),
            ("qinggang", 2025, "y", 100.0),
        ]
        return composite(values(rows), cfg).set_index("zone_id")["score"]

    before, after = scores(50.0), scores(1100.0)
    # A: 0.5·10 + 0.5·0 = 5; B: 0.5·0 + 0.5·50 = 25 — whatever C does.
    assert before["suihua_etdz"] == after["suihua_etdz"] == pytest.approx(5.0)
    assert before["zhaodong"] == after["zhaodong"] == pytest.approx(25.0)


def test_loading_more_years_does_not_change_a_year():
    # Old: dropping 2024 from the range moved 2026 scores by 3.7–6.6 points.
    cfg = config_of(
        [
            ("d1", 0.6, [("a", 1.0, (0, 200))]),
            ("d2", 0.4, [("b", 0.5, (50, 10)), ("c", 0.5, (0, 100))]),
        ]
    )
    rng = np.random.default_rng(7)
    rows = [
        (z, y, i, float(rng.uniform(0, 150)))
        for z in ZONES3
        for y in (2024, 2025, 2026)
        for i in "abc"
    ]
    full = composite(values(rows), cfg)
    late = composite(values([r for r in rows if r[1] != 2024]), cfg)
    alone = composite(values([r for r in rows if r[1] == 2026]), cfg)
    got = [f[f["year"] == 2026].set_index("zone_id")["score"] for f in (full, late, alone)]
    pd.testing.assert_series_equal(got[0], got[1])
    pd.testing.assert_series_equal(got[0], got[2])


def test_a_zone_constant_over_years_keeps_its_own_score():
    # Old: Zhaodong's 21 trains every year was the minimum, so it scored 0 every year.
    cfg = config_of([("d", 1.0, [("trains", 1.0, (0, 60))])])
    rows = [("zhaodong", y, "trains", 21.0) for y in (2024, 2025, 2026)]
    rows += [("suihua_etdz", y, "trains", v) for y, v in ((2024, 33), (2025, 45), (2026, 40))]
    s = cscore.score_indicators(values(rows), cfg)
    z = s[s["zone_id"] == "zhaodong"]["score"]
    assert z.tolist() == pytest.approx([35.0, 35.0, 35.0])  # 21 / 60


def test_every_indicator_needs_a_target_or_a_fixed_reference():
    doc = {
        "dimensions": [
            {
                "id": "d",
                "name": "d",
                "weight": 1,
                "indicators": [
                    {
                        "id": "a",
                        "name": "a",
                        "table": "logistics_monthly",
                        "formula": {"agg": "mean", "column": "value"},
                        "direction": "+",
                        "unit": "项",
                        "weight": 1,
                    }
                ],
            }
        ]
    }
    with pytest.raises(ConfigError, match="exactly one"):
        cind.parse_indicators(doc)
    ind = doc["dimensions"][0]["indicators"][0]
    ind["reference"] = {"worst": 10, "best": 5, "source": "x"}  # wrong order for "+"
    with pytest.raises(ConfigError, match="best must exceed worst"):
        cind.parse_indicators(doc)
    ind["reference"] = {"worst": 0, "best": 5, "source": " "}
    with pytest.raises(ConfigError, match="source"):
        cind.parse_indicators(doc)
    ind["reference"] = {"worst": 0, "best": 5, "source": "plan"}
    ind["target"] = 5
    with pytest.raises(ConfigError, match="exactly one"):
        cind.parse_indicators(doc)


def test_flow_references_are_pro_rated_but_annual_tables_are_not():
    cfg = cind.load_indicators("data")
    trade = cfg.indicator("foreign_trade")  # monthly sums: 50,000 a year
    worst, best = cscore.resolve_reference(trade.reference, trade, 2026, "2026-10-31")
    assert worst == 0.0 and best == pytest.approx(50000 * 304 / 365)
    output = cfg.indicator("cluster_output")  # annual table: a whole year's value
    assert cscore.resolve_reference(output.reference, output, 2026, "2026-10-31") == (
        0.0,
        3_000_000.0,
    )


# --- entropy weights guarded ------------------------------------------------------------------


def test_single_non_zero_indicator_gets_no_entropy_weight():
    # Old: column a = [100, 0, 0] had entropy 0 and took ~99 % of the weight here.
    m = pd.DataFrame({"a": [100.0, 0.0, 0.0], "b": [50.0, 60.0, 70.0], "c": [40.0, 40.0, 40.0]})
    w = cweights.entropy_weights(m)
    assert w["a"] == 0.0 and w["c"] == 0.0 and w["b"] == pytest.approx(1.0)
    why = cweights.entropy_exclusions(m)
    assert why.to_dict() == {"a": cweights.GUARD_SINGLE, "c": cweights.GUARD_EQUAL}


def test_entropy_weights_of_a_year_ignore_other_years():
    cfg = config_of([("d", 1.0, [("a", 0.5, (0, 100)), ("b", 0.5, (0, 100))])])
    rows = [(z, 2025, "a", v) for z, v in zip(ZONES3, [10.0, 50.0, 90.0], strict=True)]
    rows += [(z, 2025, "b", v) for z, v in zip(ZONES3, [40.0, 45.0, 50.0], strict=True)]
    extra = [(z, 2024, i, 5.0 if z == "qinggang" else 95.0) for z in ZONES3 for i in "ab"]
    one = cweights.entropy_by_year(cscore.score_indicators(values(rows), cfg))
    both = cweights.entropy_by_year(cscore.score_indicators(values(rows + extra), cfg))
    pd.testing.assert_frame_equal(
        one.reset_index(drop=True), both[both["year"] == 2025].reset_index(drop=True)
    )


# --- change on last year on the same basis ---------------------------------------------------

#: Dimension scores of the committed 2026 report (composite_trend.csv, old method): 2025 has
#: five dimensions, 2026 four (产业集群 not submitted yet). Weights as indicators.yaml.
DIMS = [("i", 0.25), ("p", 0.25), ("t", 0.2), ("g", 0.15), ("c", 0.15)]
TREND = {
    "suihua_etdz": {2025: [84.35, 87.78, 83.95, 73.74, 95.51], 2026: [86.71, 83.95, 76.8, 100.0]},
    "zhaodong": {2025: [60.67, 43.46, 70.77, 54.02, 94.59], 2026: [74.07, 72.72, 78.62, 83.27]},
    "qinggang": {2025: [66.96, 55.27, 17.47, 36.85, 5.01], 2026: [68.42, 12.18, 29.78, 75.55]},
}


def test_change_on_last_year_uses_the_same_dimensions_in_both_years():
    cfg = config_of([(d, w, [(d, 1.0, (0, 100))]) for d, w in DIMS])
    rows = [
        (z, y, d, v)
        for z, by in TREND.items()
        for y, vs in by.items()
        for (d, _), v in zip(DIMS, [*vs, math.nan][:5], strict=True)
    ]
    scored = cscore.score_indicators(values(rows), cfg)
    comp = cscore.composite_scores(cscore.dimension_scores(scored, cfg), cfg)
    naive = comp.pivot(index="zone_id", columns="year", values="score")
    # The old "change": 2026 on four dimensions minus 2025 on five.
    old = (naive[2026] - naive[2025]).round(2).to_dict()
    assert old == {"qinggang": 3.71, "suihua_etdz": 0.7, "zhaodong": 13.89}
    same = ccompare.same_basis_change(scored, cfg, 2026).set_index("zone_id")
    assert same["change"].round(2).to_dict() == {
        "suihua_etdz": 2.52,
        "zhaodong": 19.56,
        "qinggang": -2.52,  # the sign flips
    }
    assert set(same["dropped"]) == {"c"}
    # The page states what was left out.
    with_change = ccompare.with_changes(comp, scored, cfg)
    cur = with_change[with_change["year"] == 2026].set_index("zone_id")
    from evalkit.topics.composite import present as cpresent

    assert "不参与比较的指标：指标c" in cpresent.basis_words(cur, cfg)
    head = spresent.headline_table(with_change, 2026).set_index("片区")
    assert head.loc["青冈片区", "较上年同期得分变化（同一口径）"] == "下降 2.5 分"


def test_an_indicator_missing_for_one_zone_in_one_year_is_left_out_for_that_zone_only():
    cfg = config_of([("d", 1.0, [("a", 0.5, (0, 100)), ("b", 0.5, (0, 100))])])
    rows = [(z, y, "a", 50.0) for z in ZONES3 for y in (2025, 2026)]
    rows += [
        (z, y, "b", 80.0) for z in ZONES3 for y in (2025, 2026) if (z, y) != ("zhaodong", 2025)
    ]
    rows += [("zhaodong", 2025, "b", math.nan)]
    scored = cscore.score_indicators(values(rows), cfg)
    same = ccompare.same_basis_change(scored, cfg, 2026).set_index("zone_id")
    assert same.loc["zhaodong", "dropped"] == "b" and same.loc["qinggang", "dropped"] == ""
    # zhaodong: a alone both years → 50 → 50; old difference: 65 − 50 = +15.
    assert same.loc["zhaodong", "change"] == pytest.approx(0.0)


# --- a common weakness must be common ------------------------------------------------------


def test_weakness_of_one_zone_is_not_called_common():
    cfg = config_of([(d, w, [(d, 1.0, (0, 100))]) for d, w in DIMS])
    # Old: "平均得分最低的维度是投资促进（平均 56.3 分），是共同短板" from one zone's 12.18.
    dims = pd.DataFrame(
        [
            (z, 2026, d, s, 1.0)
            for z, by in TREND.items()
            for (d, _), s in zip(DIMS[:4], by[2026], strict=True)
        ],
        columns=["zone_id", "year", "dimension", "score", "coverage"],
    )
    text = spresent.weak_sentence(dims, cfg, 2026)
    assert "没有多数片区共同低于 60 分的维度" in text and "共同短板：" not in text
    assert "得分最低的是青冈片区的维度p（12.2 分）" in text
    low = dims.assign(score=np.where(dims["dimension"] == "t", 30.0, dims["score"]))
    low.loc[(low["zone_id"] == "suihua_etdz") & (low["dimension"] == "t"), "score"] = 90.0
    text = spresent.weak_sentence(low, cfg, 2026)
    assert (
        "共同短板（多数片区低于 60 分的维度）：维度t（2/3 个片区低于 60 分：肇东片区、青冈片区）"
        in text
    )


# --- published scores and earlier methods ---------------------------------------------------


def test_revisions_record_parses_and_rejects_bad_rows():
    doc = {
        "revisions": [
            {
                "method": "旧方法",
                "replaced": "2026-11-30",
                "why": "因为。",
                "published": {2024: {"qinggang": [18.7, 3]}},
            }
        ]
    }
    got = crev.parse_revisions(doc)
    assert got[["zone_id", "year", "score", "rank"]].values.tolist() == [
        ["qinggang", 2024, 18.7, 3]
    ]
    doc["revisions"][0]["published"][2024]["qinggang"] = [180, 3]
    with pytest.raises(ConfigError):
        crev.parse_revisions(doc)
    assert crev.parse_revisions(None).empty
