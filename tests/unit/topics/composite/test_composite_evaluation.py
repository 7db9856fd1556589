"""Comprehensive evaluation: values, scoring, normalization, ranks, entropy weights, sensitivity.

Expected numbers are worked out by hand in the comments next to each assertion.
"""

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.config import Targets
from evalkit.topics.composite import compute as ccompute
from evalkit.topics.composite import indicators as cind
from evalkit.topics.composite import scoring as cscore
from evalkit.topics.composite import values as cval
from evalkit.topics.composite import weights as cweights

ZONES3 = ["suihua_etdz", "zhaodong", "qinggang"]


def make_config(dimensions):
    """Build a config from a compact spec: [(dim_id, weight, [(ind_id, weight, direction, target)])]."""
    doc = {"dimensions": []}
    for did, dw, inds in dimensions:
        doc["dimensions"].append(
            {
                "id": did,
                "name": did,
                "weight": dw,
                "indicators": [
                    {
                        "id": iid,
                        "name": iid,
                        "table": "logistics_monthly",
                        "formula": {"agg": "sum", "column": "value"},
                        "direction": direction,
                        "unit": "吨",
                        "weight": w,
                        **({"target": target} if target is not None else {}),
                        **({} if target is not None else {"reference": unit_range(direction)}),
                    }
                    for iid, w, direction, target in inds
                ],
            }
        )
    return cind.parse_indicators(doc, "test.yaml")


def unit_range(direction):
    """A fixed reference range 0–100 (so a value in [0, 100] scores itself; reversed for "-")."""
    if direction == "+":
        return {"worst": 0, "best": 100, "source": "test"}
    return {"worst": 100, "best": 0, "source": "test"}


def one_dimension(*indicators):
    """Parse a config of one dimension ``d`` holding *indicators* (mappings as in the YAML).

    An indicator without a target or reference gets :func:`unit_range`.
    """
    inds = [
        i if "target" in i or "reference" in i else {**i, "reference": unit_range(i["direction"])}
        for i in indicators
    ]
    return cind.parse_indicators(
        {"dimensions": [{"id": "d", "name": "d", "weight": 1, "indicators": inds}]}
    )


def values_frame(rows):
    """Rows of (zone, year, indicator, value) → long values frame."""
    return pd.DataFrame(rows, columns=["zone_id", "year", "indicator", "value"])


# --- normalization and target scoring ---------------------------------------------------


def test_reference_score_positive_negative_and_missing():
    # "+": worst 10 → 0, best 40 → 100, linear; clipped outside.
    assert cscore.reference_score(20.0, 10.0, 40.0) == pytest.approx(100 / 3)
    assert cscore.reference_score(50.0, 10.0, 40.0) == 100.0
    assert cscore.reference_score(5.0, 10.0, 40.0) == 0.0
    # "−": worst 40 → 0, best 10 → 100.
    assert cscore.reference_score(20.0, 40.0, 10.0) == pytest.approx(200 / 3)
    assert math.isnan(cscore.reference_score(math.nan, 10.0, 40.0))  # missing, never 0


def test_target_score_by_hand():
    assert cscore.target_score(15, 20, +1) == pytest.approx(75.0)  # 15 / 20
    assert cscore.target_score(26, 20, +1) == 100.0  # capped at the target
    assert cscore.target_score(-0.10, 0.25, +1) == 0.0  # negative growth floors at 0
    assert cscore.target_score(48, 24, -1) == pytest.approx(50.0)  # lower is better: 24 / 48
    assert cscore.target_score(12, 24, -1) == 100.0
    assert math.isnan(cscore.target_score(math.nan, 20, +1))


def test_flow_target_is_pro_rated_for_a_year_in_progress():
    cfg = cind.load_indicators("data")
    ind = cfg.indicator("reforms_replicated")
    # 1 Jan – 31 Oct 2026 is 304 of 365 days.
    assert cscore.resolve_target(ind, "zhaodong", 2026, "2026-10-31", Targets()) == pytest.approx(
        20 * 304 / 365
    )
    assert cscore.resolve_target(ind, "zhaodong", 2025, "2025-12-31", Targets()) == 20.0
    # Growth targets are rates: never pro-rated.
    growth = cfg.indicator("funds_growth")
    assert cscore.resolve_target(growth, "zhaodong", 2026, "2026-10-31", Targets()) == 0.25
    # The plan's first year counts only from the plan's issue date (2024-09-09):
    # 9 Sep – 31 Dec 2024 is 114 of 366 days; to 31 October, 53 days.
    assert cscore.resolve_target(ind, "zhaodong", 2024, "2024-12-31", Targets()) == pytest.approx(
        20 * 114 / 366
    )
    assert cscore.resolve_target(ind, "zhaodong", 2024, "2026-10-31", Targets()) == pytest.approx(
        20 * 53 / 366
    )
    # Per-zone overrides from targets.yaml are honoured.
    t = Targets(zone_overrides={"qinggang": {"reforms_replicated": 10}})
    assert cscore.resolve_target(ind, "qinggang", 2025, "2025-12-31", t) == 10.0


# --- ranks --------------------------------------------------------------------------------


def test_ties_share_the_better_rank():
    assert cscore.rank_scores(pd.Series([80.0, 80.0, 60.0])).tolist() == [1, 1, 3]
    # Equal after rounding to two decimals: a tie, not a 0.003-point win.
    assert cscore.rank_scores(pd.Series([70.004, 70.001, 90.0])).tolist() == [2, 2, 1]
    assert cscore.rank_scores(pd.Series([50.0, 60.0, 70.0])).tolist() == [3, 2, 1]


def test_composite_tie_in_full_pipeline():
    cfg = make_config([("d", 1.0, [("a", 0.5, "+", None), ("b", 0.5, "+", None)])])
    vals = values_frame(
        [
            ("suihua_etdz", 2025, "a", 0.0),  # a: 0     b: 100 → 50
            ("zhaodong", 2025, "a", 100.0),  # a: 100   b: 0   → 50
            ("qinggang", 2025, "a", 50.0),  # a: 50    b: 20  → 35
            ("suihua_etdz", 2025, "b", 100.0),
            ("zhaodong", 2025, "b", 0.0),
            ("qinggang", 2025, "b", 20.0),
        ]
    )
    comp = cscore.composite_scores(
        cscore.dimension_scores(cscore.score_indicators(vals, cfg), cfg), cfg
    )
    comp = comp.set_index("zone_id")
    assert comp.loc["suihua_etdz", "score"] == pytest.approx(50.0)
    assert comp.loc["zhaodong", "score"] == pytest.approx(50.0)
    assert comp.loc["qinggang", "score"] == pytest.approx(35.0)
    assert comp["rank"].to_dict() == {"qinggang": 3, "suihua_etdz": 1, "zhaodong": 1}


# --- missing indicator and dominance -------------------------------------------------------


def test_indicator_missing_for_one_zone_is_reweighted_not_zero():
    cfg = make_config(
        [
            ("d1", 0.5, [("a", 0.6, "+", None), ("b", 0.4, "+", None)]),
            ("d2", 0.5, [("c", 1.0, "+", None)]),
        ]
    )
    vals = values_frame(
        [
            ("suihua_etdz", 2025, "a", 0.0),  # a scores 0 (reference 0–100)
            ("zhaodong", 2025, "a", 100.0),  # a scores 100
            ("qinggang", 2025, "a", 50.0),  # a scores 50
            ("suihua_etdz", 2025, "b", 0.0),  # b scores 0
            ("zhaodong", 2025, "b", math.nan),  # b missing for zhaodong
            ("qinggang", 2025, "b", 100.0),  # b scores 100
            ("suihua_etdz", 2025, "c", 0.0),  # c scores 0
            ("zhaodong", 2025, "c", 100.0),  # c scores 100
            ("qinggang", 2025, "c", 50.0),  # c scores 50
        ]
    )
    scored = cscore.score_indicators(vals, cfg)
    dims = cscore.dimension_scores(scored, cfg).set_index(["zone_id", "dimension"])
    # zhaodong d1: only a present → 0.6·100 / 0.6 = 100 (treating b as 0 would give 60).
    assert dims.loc[("zhaodong", "d1"), "score"] == pytest.approx(100.0)
    assert dims.loc[("zhaodong", "d1"), "coverage"] == pytest.approx(0.6)
    # qinggang d1: 0.6·50 + 0.4·100 = 70, full coverage.
    assert dims.loc[("qinggang", "d1"), "score"] == pytest.approx(70.0)
    assert dims.loc[("qinggang", "d1"), "coverage"] == pytest.approx(1.0)
    comp = cscore.composite_scores(cscore.dimension_scores(scored, cfg), cfg).set_index("zone_id")
    # zhaodong: 0.5·100 + 0.5·100 = 100; coverage 0.5·0.6 + 0.5·1 = 0.8
    assert comp.loc["zhaodong", "score"] == pytest.approx(100.0)
    assert comp.loc["zhaodong", "coverage"] == pytest.approx(0.8)
    # qinggang: 0.5·70 + 0.5·50 = 60
    assert comp.loc["qinggang", "score"] == pytest.approx(60.0)


def test_whole_dimension_missing_reweights_dimensions():
    cfg = make_config([("d1", 0.7, [("a", 1.0, "+", None)]), ("d2", 0.3, [("b", 1.0, "+", None)])])
    vals = values_frame(
        [
            ("suihua_etdz", 2025, "a", 0.0),
            ("zhaodong", 2025, "a", 100.0),
            ("suihua_etdz", 2025, "b", math.nan),
            ("zhaodong", 2025, "b", 40.0),
        ]
    )
    dims = cscore.dimension_scores(cscore.score_indicators(vals, cfg), cfg)
    comp = cscore.composite_scores(dims, cfg).set_index("zone_id")
    # suihua_etdz: d1 = 0, d2 missing → 0.7·0 / 0.7 = 0, coverage 0.7
    assert comp.loc["suihua_etdz", "score"] == pytest.approx(0.0)
    assert comp.loc["suihua_etdz", "coverage"] == pytest.approx(0.7)
    # zhaodong: 0.7·100 + 0.3·40 = 82
    assert comp.loc["zhaodong", "score"] == pytest.approx(82.0)


def test_zone_far_ahead_on_one_indicator_is_bounded_by_its_weight():
    cfg = make_config([("d", 1.0, [("a", 0.25, "+", None), ("b", 0.75, "+", None)])])
    vals = values_frame(
        [
            ("suihua_etdz", 2025, "a", 10_000.0),  # a: 100 (capped: 100× the reference)
            ("zhaodong", 2025, "a", 10.0),  # a: 10
            ("qinggang", 2025, "a", 5.0),  # a: 5
            ("suihua_etdz", 2025, "b", 0.0),  # b: 0
            ("zhaodong", 2025, "b", 80.0),  # b: 80
            ("qinggang", 2025, "b", 100.0),  # b: 100
        ]
    )
    comp = cscore.composite_scores(
        cscore.dimension_scores(cscore.score_indicators(vals, cfg), cfg), cfg
    ).set_index("zone_id")
    # suihua_etdz: 0.25·100 + 0.75·0 = 25 — its lead counts for at most its weight.
    assert comp.loc["suihua_etdz", "score"] == pytest.approx(25.0)
    assert comp.loc["zhaodong", "score"] == pytest.approx(0.25 * 10 + 0.75 * 80)
    assert comp.loc["qinggang", "score"] == pytest.approx(0.25 * 5 + 75.0)
    assert comp["rank"].to_dict() == {"qinggang": 1, "suihua_etdz": 3, "zhaodong": 2}


def test_scores_do_not_pool_zones_or_years():
    cfg = make_config([("d", 1.0, [("a", 1.0, "+", None)])])
    vals = values_frame(
        [
            ("suihua_etdz", 2024, "a", 0.0),
            ("suihua_etdz", 2025, "a", 50.0),
            ("zhaodong", 2024, "a", 100.0),
            ("zhaodong", 2025, "a", 25.0),
        ]
    )
    s = cscore.score_indicators(vals, cfg).set_index(["zone_id", "year"])["score"]
    # Each value against the fixed 0–100 range, whatever the other rows hold.
    assert s.to_dict() == {
        ("suihua_etdz", 2024): 0.0,
        ("suihua_etdz", 2025): 50.0,
        ("zhaodong", 2024): 100.0,
        ("zhaodong", 2025): 25.0,
    }
    alone = cscore.score_indicators(vals.iloc[[1]], cfg)["score"].iloc[0]
    assert alone == s[("suihua_etdz", 2025)]


# --- indicator values from tables ----------------------------------------------------------


def ts(s):
    return pd.Timestamp(s)


def test_values_same_period_window_and_missing_rules():
    cfg = cind.load_indicators("data")
    log = pd.DataFrame(
        {
            "zone_id": ["zhaodong"] * 4 + ["qinggang"],
            "month": [
                ts("2025-01-01"),
                ts("2025-10-01"),
                ts("2025-11-01"),
                ts("2026-02-01"),
                ts("2025-03-01"),
            ],
            "indicator": ["russia_trade_value"] * 4 + ["import_value"],
            "value": [5.0, 7.0, 100.0, 3.0, 9.0],
        }
    )
    ind = cfg.indicator("russia_trade")
    # Report as of 2026-10-31: 2025 counts January–October only (5 + 7), not November.
    assert cval.indicator_value(ind, log, "zhaodong", 2025, "2026-10-31") == 12.0
    assert cval.indicator_value(ind, log, "zhaodong", 2025, "2025-12-31") == 112.0
    # No Russia-trade rows for qinggang: not submitted → missing, never zero.
    assert math.isnan(cval.indicator_value(ind, log, "qinggang", 2025, "2025-12-31"))


def test_count_distinct_source_experience_and_empty_count_is_zero():
    def count_ind(kind, distinct):
        formula = {
            "agg": "count",
            "where": {"kind": kind, "status": "in_effect"},
            "date": "effective",
        }
        if distinct:
            formula["distinct"] = "source_experience"
        return one_dimension(
            {
                "id": kind,
                "name": kind,
                "table": "reform_items",
                "formula": formula,
                "direction": "+",
                "unit": "条",
                "weight": 1,
            }
        ).indicators[0]

    items = pd.DataFrame(
        {
            "zone_id": ["zhaodong"] * 5,
            "kind": ["replicated"] * 4 + ["original"],
            "status": ["in_effect", "in_effect", "in_effect", "in_progress", "in_effect"],
            "source_experience": ["HRB-1", "HRB-1", None, "HRB-2", None],
            "effective": [
                ts("2025-03-01"),
                ts("2025-05-01"),
                ts("2025-06-01"),
                pd.NaT,
                ts("2024-12-31"),
            ],
        }
    )
    ind = count_ind("replicated", True)
    # HRB-1 twice counts once; the unnamed item counts once; in-progress item not counted.
    assert cval.indicator_value(ind, items, "zhaodong", 2025, "2025-12-31") == 2.0
    # A zone with no items at all has zero items (a ledger), not a missing value.
    assert cval.indicator_value(ind, items, "qinggang", 2025, "2025-12-31") == 0.0
    orig = count_ind("original", False)
    assert cval.indicator_value(orig, items, "zhaodong", 2024, "2024-12-31") == 1.0
    assert cval.indicator_value(orig, items, "zhaodong", 2025, "2025-12-31") == 0.0


def test_share_and_median_days():
    cfg = cind.load_indicators("data")
    items = pd.DataFrame(
        {
            "zone_id": ["qinggang"] * 4,
            "kind": ["original", "original", "original", "replicated"],
            "status": ["in_effect"] * 4,
            "originality": ["national_first", "systemic_integration", "provincial_first", None],
            "effective": [ts("2025-02-01")] * 4,
            "source_published": [pd.NaT, pd.NaT, pd.NaT, ts("2025-01-01")],
            "adopted": [ts("2025-01-10")] * 3 + [ts("2025-01-31")],
        }
    )
    share = cfg.indicator("original_first_share")
    assert cval.indicator_value(share, items, "qinggang", 2025, "2025-12-31") == pytest.approx(
        2 / 3
    )
    # No original items: the share is undefined → missing.
    assert math.isnan(cval.indicator_value(share, items, "zhaodong", 2025, "2025-12-31"))
    lag = one_dimension(
        {
            "id": "lag",
            "name": "lag",
            "table": "reform_items",
            "formula": {"agg": "median_days", "start": "source_published", "date": "adopted"},
            "direction": "-",
            "unit": "天",
            "weight": 1,
        }
    ).indicators[0]
    assert cval.indicator_value(lag, items, "qinggang", 2025, "2025-12-31") == 30.0


def test_yoy_growth_and_zero_base():
    funds = pd.DataFrame(
        {
            "project_id": ["p1", "p1", "p2", "p3"],
            "zone_id": ["zhaodong", "zhaodong", "zhaodong", "qinggang"],
            "month": [ts("2024-03-01"), ts("2025-03-01"), ts("2025-11-01"), ts("2025-05-01")],
            "funds_wan_yuan": [100.0, 150.0, 50.0, 80.0],
        }
    )
    g = one_dimension(
        {
            "id": "g",
            "name": "g",
            "table": "funds_monthly",
            "direction": "+",
            "unit": "比例",
            "weight": 1,
            "formula": {"agg": "yoy_growth", "column": "funds_wan_yuan"},
        }
    ).indicators[0]
    assert cval.indicator_value(g, funds, "zhaodong", 2025, "2025-12-31") == pytest.approx(1.0)
    # Same period Jan–Oct: 150 / 100 − 1
    assert cval.indicator_value(g, funds, "zhaodong", 2025, "2025-10-31") == pytest.approx(0.5)
    # qinggang had nothing in 2024: growth undefined, never infinite.
    assert math.isnan(cval.indicator_value(g, funds, "qinggang", 2025, "2025-12-31"))


def test_quarterly_last_and_annual_rules():
    cfg = cind.load_indicators("data")
    gov = pd.DataFrame(
        {
            "zone_id": ["zhaodong"] * 3,
            "quarter": [ts("2025-04-01"), ts("2025-07-01"), ts("2025-10-01")],
            "indicator": ["online_rate"] * 3,
            "value": [80.0, 85.0, 90.0],
        }
    )
    ind = cfg.indicator("online_rate")
    assert cval.indicator_value(ind, gov, "zhaodong", 2025, "2025-12-31") == 90.0
    # As of 31 October, Q4 has not ended: the latest complete quarter is Q3.
    assert cval.indicator_value(ind, gov, "zhaodong", 2025, "2025-10-31") == 85.0
    ind_a = pd.DataFrame(
        {
            "zone_id": ["zhaodong", "zhaodong"],
            "year": [2025, 2025],
            "cluster": ["biomedicine", "smart_industry"],
            "output_wan_yuan": [10.0, 20.0],
            "enterprises_above_size": [1, 2],
            "leading_firms": [0, 1],
            "brands_gi": [0, 0],
        }
    )
    out = cfg.indicator("cluster_output")
    assert cval.indicator_value(out, ind_a, "zhaodong", 2025, "2026-10-31") == 30.0
    assert math.isnan(cval.indicator_value(out, ind_a, "zhaodong", 2026, "2026-10-31"))


# --- entropy weights -----------------------------------------------------------------------


def test_entropy_weights_by_hand():
    m = pd.DataFrame(
        {"flat": [1.0, 1.0, 1.0], "two": [0.0, 50.0, 50.0], "three": [20.0, 30.0, 50.0]}
    )
    w = cweights.entropy_weights(m)
    # flat: p = 1/3 each, e = ln3/ln3 = 1, d = 0.
    # two: p = (0, ½, ½), e = (2·½·ln2)/ln3 = ln2/ln3, d = 1 − ln2/ln3.
    # three: p = (.2, .3, .5), e = −(.2 ln.2 + .3 ln.3 + .5 ln.5)/ln3.
    d_two = 1 - math.log(2) / math.log(3)
    d_three = 1 + (0.2 * math.log(0.2) + 0.3 * math.log(0.3) + 0.5 * math.log(0.5)) / math.log(3)
    assert w["flat"] == 0.0
    assert w["two"] == pytest.approx(d_two / (d_two + d_three))
    assert w["three"] == pytest.approx(d_three / (d_two + d_three))
    assert w["two"] == pytest.approx(0.8547, abs=1e-4)  # 0.36907 / (0.36907 + 0.06276)


def test_entropy_weights_agree_with_scipy_entropy():
    from scipy.stats import entropy

    rng = np.random.default_rng(1)
    m = pd.DataFrame(rng.uniform(0, 100, size=(9, 4)), columns=list("abcd"))
    d = np.array([1 - entropy(m[k] / m[k].sum()) / math.log(9) for k in m.columns])
    assert cweights.entropy_weights(m).to_numpy() == pytest.approx(d / d.sum())


def test_entropy_weights_ignore_missing_and_fall_back_to_equal():
    m = pd.DataFrame({"a": [10.0, math.nan, 30.0], "b": [5.0, 5.0, 5.0]})
    w = cweights.entropy_weights(m)
    # a over its two present samples: p = (¼, ¾), e = −(¼ ln¼ + ¾ ln¾)/ln2
    assert w["a"] == pytest.approx(1.0) and w["b"] == 0.0
    flat = cweights.entropy_weights(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}))
    assert flat.tolist() == [0.5, 0.5]


# --- sensitivity ---------------------------------------------------------------------------


def sens_setup(gap):
    cfg = make_config(
        [
            ("d1", 0.5, [("a", 0.5, "+", None), ("b", 0.5, "+", None)]),
            ("d2", 0.5, [("c", 1.0, "+", None)]),
        ]
    )
    rows = []
    for z, (a, b, cc) in {
        "suihua_etdz": (100.0, 0.0, 50.0 + gap),
        "zhaodong": (0.0, 100.0, 50.0),
        "qinggang": (0.0, 0.0, 0.0),
    }.items():
        rows += [(z, 2025, "a", a), (z, 2025, "b", b), (z, 2025, "c", cc)]
    return cfg, cscore.score_indicators(values_frame(rows), cfg)


def test_sensitivity_reproducible_with_seed():
    cfg, scored = sens_setup(gap=1.0)
    a = cweights.sensitivity(scored, cfg, 2025, draws=500, seed=7)
    b = cweights.sensitivity(scored, cfg, 2025, draws=500, seed=7)
    pd.testing.assert_frame_equal(a, b)
    other = cweights.sensitivity(scored, cfg, 2025, draws=500, seed=8)
    assert not np.allclose(a["p_first"], other["p_first"]) or not np.allclose(
        a["mean"], other["mean"]
    )


def test_sensitivity_flags_close_race_and_confirms_clear_lead():
    # Nearly equal zones: the leader under configured weights wins only part of the draws.
    cfg, scored = sens_setup(gap=1.0)
    sens = cweights.sensitivity(scored, cfg, 2025, draws=2000)
    p = sens.set_index("zone_id")["p_first"]
    assert 0.3 < p["suihua_etdz"] < 0.95 and p["zhaodong"] > 0.05 and p["qinggang"] == 0.0
    assert not cweights.is_robust(sens, "suihua_etdz")
    # A zone best on every indicator ranks first under any weights.
    cfg2 = make_config([("d", 1.0, [("a", 0.5, "+", None), ("b", 0.5, "+", None)])])
    scored2 = cscore.score_indicators(
        values_frame(
            [(z, 2025, i, v) for z, v in zip(ZONES3, [90.0, 50.0, 10.0], strict=True) for i in "ab"]
        ),
        cfg2,
    )
    sens2 = cweights.sensitivity(scored2, cfg2, 2025, draws=300)
    assert sens2.set_index("zone_id")["p_first"].to_dict() == {
        "suihua_etdz": 1.0,
        "zhaodong": 0.0,
        "qinggang": 0.0,
    }
    assert cweights.is_robust(sens2, "suihua_etdz")
    row = sens2.set_index("zone_id").loc["zhaodong"]
    assert row["p05"] == pytest.approx(50.0) and row["p95"] == pytest.approx(50.0)


# --- hard-target indicators come from the special-topic modules ------------------------------


def test_computed_by_uses_the_reform_counting_rules():
    cfg = cind.load_indicators("data")
    items = pd.DataFrame(
        {
            "item_id": ["a", "b", "c", "d"],
            "zone_id": ["zhaodong"] * 4,
            "title": ["t"] * 4,
            "kind": ["replicated", "replicated", "replicated", "original"],
            "source": ["harbin_area", "harbin_area", "heihe_area", "own"],
            "source_experience": ["HRB-1", "HRB-1", "HH-9", None],
            "domain": ["trade"] * 4,
            "source_published": [ts("2024-01-01")] * 3 + [pd.NaT],
            "adopted": [ts("2024-09-20"), ts("2025-01-05"), ts("2025-02-01"), ts("2025-03-01")],
            "effective": [ts("2024-10-01"), ts("2025-03-01"), ts("2025-11-15"), ts("2025-06-01")],
            "status": ["in_effect"] * 4,
            "evidence": ["doc"] * 4,
            "originality": [None, None, None, "provincial_first"],
        }
    )
    # Only the reform indicators: build a one-dimension config from the shipped entries.
    sub = one_dimension(
        {
            "id": "rep",
            "name": "rep",
            "table": "reform_items",
            "computed_by": "reforms.replicated",
            "direction": "+",
            "unit": "条",
            "weight": 0.5,
            "target": "reforms_replicated",
        },
        {
            "id": "org",
            "name": "org",
            "table": "reform_items",
            "computed_by": "reforms.original",
            "direction": "+",
            "unit": "条",
            "weight": 0.5,
        },
    )
    vals = cval.indicator_values(sub, {"reform_items": items}, [2024, 2025], "2025-12-31")
    v = vals.set_index(["zone_id", "year", "indicator"])["value"]
    # 2024: a.  2025: b repeats HRB-1 (counted in 2024) → not again; c counts (Nov).
    assert v[("zhaodong", 2024, "rep")] == 1.0
    assert v[("zhaodong", 2025, "rep")] == 1.0
    assert v[("zhaodong", 2025, "org")] == 1.0
    assert v[("qinggang", 2025, "rep")] == 0.0
    # Same-period window as of 31 October: c (15 November) is not yet in effect.
    oct_ = cval.indicator_values(sub, {"reform_items": items}, [2025], "2026-10-31")
    assert oct_.set_index(["zone_id", "indicator"])["value"][("zhaodong", "rep")] == 0.0
    assert cfg.indicator("reforms_replicated").computed_by == "reforms.replicated"


def test_computed_by_funds_growth_matches_investment_rules():
    sub = one_dimension(
        {
            "id": "g",
            "name": "g",
            "table": "funds_monthly",
            "computed_by": "investment.yoy_growth",
            "direction": "+",
            "unit": "比例",
            "weight": 1,
            "target": "funds_growth",
        }
    )
    funds = pd.DataFrame(
        {
            "project_id": ["p1", "p1", "p2", "p3"],
            "zone_id": ["zhaodong", "zhaodong", "zhaodong", "qinggang"],
            # The dataset starts in January 2024, so 2024 is a complete base year.
            "month": [ts("2024-01-01"), ts("2025-03-01"), ts("2025-11-01"), ts("2025-05-01")],
            "funds_wan_yuan": [100.0, 150.0, 50.0, 80.0],
        }
    )
    v = cval.indicator_values(sub, {"funds_monthly": funds}, [2025], "2025-12-31")
    v = v.set_index("zone_id")["value"]
    assert v["zhaodong"] == pytest.approx(1.0)  # (150 + 50) / 100 − 1
    assert math.isnan(v["qinggang"])  # zero base: undefined, missing
    assert math.isnan(v["suihua_etdz"])


def test_evaluate_end_to_end_zone_without_logistics_submissions():
    """Small tables for every source; qinggang submitted no logistics rows at all."""
    cfg = cind.load_indicators("data")
    zones = ZONES3
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    funds = pd.DataFrame(
        [
            (f"p-{z}", z, m, 100.0 + 10 * k + (m.year - 2024) * 50)
            for k, z in enumerate(zones)
            for m in months
        ],
        columns=["project_id", "zone_id", "month", "funds_wan_yuan"],
    )
    projects = pd.DataFrame(
        {
            "project_id": [f"p-{z}" for z in zones],
            "zone_id": zones,
            "signed": [ts("2025-02-01")] * 3,
            "construction_started": [ts("2025-03-01"), ts("2025-04-01"), ts("2025-05-01")],
        }
    )
    items = pd.DataFrame(
        {
            "item_id": [f"i{k}" for k in range(6)],
            "zone_id": zones * 2,
            "kind": ["replicated"] * 3 + ["original"] * 3,
            "source_experience": ["A", "B", "C", None, None, None],
            "source_published": [ts("2025-01-01")] * 3 + [pd.NaT] * 3,
            "adopted": [ts("2025-02-01")] * 6,
            "effective": [ts("2025-03-01")] * 6,
            "status": ["in_effect"] * 6,
            "originality": [None] * 3
            + ["national_first", "systemic_integration", "provincial_first"],
        }
    )
    log = pd.DataFrame(
        [
            (z, m, ind, 10.0 + k)
            for k, z in enumerate(zones[:2])
            for m in months
            for ind in [
                "import_value",
                "export_value",
                "russia_trade_value",
                "train_departures",
                "clearance_hours",
                "village_delivery_share",
            ]
        ],
        columns=["zone_id", "month", "indicator", "value"],
    )
    gov = pd.DataFrame(
        [
            (z, q, ind, 50.0 + k)
            for k, z in enumerate(zones)
            for q in pd.date_range("2024-01-01", "2025-10-01", freq="QS")
            for ind in ["one_window_items", "one_thing_services", "online_rate", "approval_days"]
        ],
        columns=["zone_id", "quarter", "indicator", "value"],
    )
    industry = pd.DataFrame(
        [
            (z, y, "biotech", 100.0 * (k + 1), k + 1, k, 1)
            for k, z in enumerate(zones)
            for y in (2024, 2025)
        ],
        columns=[
            "zone_id",
            "year",
            "cluster",
            "output_wan_yuan",
            "enterprises_above_size",
            "leading_firms",
            "brands_gi",
        ],
    )
    tables = {
        "funds_monthly": funds,
        "projects": projects,
        "reform_items": items,
        "logistics_monthly": log,
        "gov_services_quarterly": gov,
        "industry_annual": industry,
    }
    out = ccompute.evaluate(cfg, tables, [2024, 2025], "2025-12-31", Targets())
    dims = out["dimensions"].set_index(["zone_id", "year", "dimension"])["score"]
    assert math.isnan(dims[("qinggang", 2025, "trade_logistics")])
    comp = out["composite"].set_index(["zone_id", "year"])
    # The composite re-weights over the four dimensions present (weights 0.25, 0.25, 0.15, 0.15).
    present = {
        "institutional_innovation": 0.25,
        "investment_promotion": 0.25,
        "government_services": 0.15,
        "industrial_clusters": 0.15,
    }
    expected = sum(w * dims[("qinggang", 2025, d)] for d, w in present.items()) / 0.8
    assert comp.loc[("qinggang", 2025), "score"] == pytest.approx(expected)
    assert comp.loc[("qinggang", 2025), "coverage"] <= 0.8 + 1e-9
    # Hard-target values come from the reform module: one replicated item per zone in 2025.
    vals = out["scored"].set_index(["zone_id", "year", "indicator"])["value"]
    assert vals[("zhaodong", 2025, "reforms_replicated")] == 1.0
    assert vals[("zhaodong", 2024, "reforms_replicated")] == 0.0
    # Funds grew by 50·12 on a base of (100 + 10k)·12 for each zone.
    assert vals[("suihua_etdz", 2025, "funds_growth")] == pytest.approx(0.5)
    assert vals[("qinggang", 2025, "funds_growth")] == pytest.approx(50 / 120)
    assert sorted(out["composite"].query("year == 2025")["rank"].tolist()) == [1, 2, 3]
