"""Counting rules, pace and lag of the reform evaluation on hand-built ledgers.

Every expected number below is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import math

import pytest
from reforms_ledgers import PACE, SMALL, A, by_zone, lag_ledger, ledger

from evalkit.config import Targets
from evalkit.schema import ZONES
from evalkit.topics.reforms import compute, present


def test_attainment_columns_and_zone_order():
    att = compute.attainment(A, 2025, "2025-12-31", SMALL)
    assert list(att.columns) == compute.ATTAINMENT_COLUMNS
    assert list(att["zone_id"]) == list(ZONES)


def test_attainment_2025_hand_counts():
    z = by_zone(compute.attainment(A, 2025, "2025-12-31", SMALL))
    # etdz replicated in 2025: E1, E3 (E2, E5 duplicates; E4 is 2024; E8 after as_of) = 2
    assert (z["suihua_etdz"]["replicated"], z["suihua_etdz"]["original"]) == (2, 1)
    assert z["suihua_etdz"]["met_replicated"] is True and z["suihua_etdz"]["met_original"] is True
    assert (z["suihua_etdz"]["gap_replicated"], z["suihua_etdz"]["gap_original"]) == (0, 0)
    # pipeline: E7 (in progress) and E8 (effective 2026-01-15 > as_of); E9 adopted later
    assert z["suihua_etdz"]["in_progress"] == 2
    # zhaodong: Z1, Z2, Z4, Z5 replicated = 4; Z3 original = 1
    assert (z["zhaodong"]["replicated"], z["zhaodong"]["original"]) == (4, 1)
    assert z["zhaodong"]["in_progress"] == 0
    # qinggang: no items → zeros, not met, gaps equal to the targets
    q = z["qinggang"]
    assert (q["replicated"], q["original"], q["in_progress"]) == (0, 0, 0)
    assert q["met_replicated"] is False and q["met_original"] is False
    assert (q["gap_replicated"], q["gap_original"]) == (2, 1)
    assert not any(z[k]["partial_year"] for k in z)


def test_attainment_partial_first_year_is_not_scored():
    z = by_zone(compute.attainment(A, 2024, "2024-12-31", SMALL))
    # 2024: only E4 took effect; E3 (adopted 2024-11-15, effective 2025) is the pipeline
    assert (z["suihua_etdz"]["replicated"], z["suihua_etdz"]["in_progress"]) == (1, 1)
    assert z["zhaodong"]["replicated"] == 0  # zhaodong adopted everything in 2025
    for zone in ZONES:
        assert z[zone]["met_replicated"] is None and z[zone]["met_original"] is None
        assert z[zone]["partial_year"]
    # gap is still max(target − count, 0): 2 − 1 = 1
    assert z["suihua_etdz"]["gap_replicated"] == 1


def test_attainment_year_in_progress_2026():
    z = by_zone(compute.attainment(A, 2026, "2026-10-31", SMALL))
    # 2026: E8 (effective 2026-01-15) only; E7 and E9 still in progress
    assert (z["suihua_etdz"]["replicated"], z["suihua_etdz"]["in_progress"]) == (1, 2)
    assert z["suihua_etdz"]["met_replicated"] is False
    assert z["suihua_etdz"]["gap_replicated"] == 1


def test_effective_after_as_of_is_pipeline_not_count():
    # Same ledger, as of the day before E1 takes effect (2025-02-28): E3 (2025-02-10) counts,
    # E1 (2025-03-01) is pipeline, so E2 — the duplicate of E1 — is pipeline too, not a duplicate.
    c = compute.classify_items(A, "2025-02-28").set_index("item_id")
    assert c.loc["E3", "count_status"] == "counted"
    assert c.loc["E1", "count_status"] == "pipeline"
    assert c.loc["E2", "count_status"] == "pipeline"
    z = by_zone(compute.attainment(A, 2025, "2025-02-28", SMALL))
    assert z["suihua_etdz"]["replicated"] == 1
    # pipeline as of 2025-02-28: E1, E2 (adopted 02-01) and the original E6 (adopted 01-01,
    # effective 05-01); E5 is adopted 03-01, later → 3
    assert z["suihua_etdz"]["in_progress"] == 3


def test_duplicates_are_listed_with_the_item_they_repeat():
    c = compute.classify_items(A, "2025-12-31")
    dups = compute.items_in(c, 2025, "duplicate")
    assert list(dups["item_id"]) == ["E5", "E2"]  # sorted by effective date: E5 04-01, E2 06-01
    assert dict(zip(dups["item_id"], dups["duplicate_of"], strict=True)) == {"E2": "E1", "E5": "E4"}
    assert compute.duplicate_counts(c, 2025) == {"suihua_etdz": 2, "zhaodong": 0, "qinggang": 0}
    counted = compute.items_in(c, 2025, "counted")
    assert set(counted["item_id"]) == {"E1", "E3", "E6", "Z1", "Z2", "Z3", "Z4", "Z5"}
    pipeline = compute.items_in(c, None, "pipeline")
    assert set(pipeline["item_id"]) == {"E7", "E8"}


def test_duplicate_tie_broken_by_adoption_date():
    led = ledger(
        [
            ("B", "qinggang", "replicated", "S", "2025-02-01", "2025-05-01", "in_effect"),
            ("A", "qinggang", "replicated", "S", "2025-01-01", "2025-05-01", "in_effect"),
        ]
    )
    c = compute.classify_items(led, "2025-12-31").set_index("item_id")
    # same effective day: A was adopted first so A counts and B repeats it
    assert c.loc["A", "count_status"] == "counted"
    assert (c.loc["B", "count_status"], c.loc["B", "duplicate_of"]) == ("duplicate", "A")


def test_pipeline_item_repeating_a_counted_experience_is_flagged():
    led = ledger(
        [
            ("P1", "zhaodong", "replicated", "K", "2025-01-01", "2025-02-01", "in_effect"),
            ("P2", "zhaodong", "replicated", "K", "2025-06-01", None, "in_progress"),
        ]
    )
    c = compute.classify_items(led, "2025-12-31").set_index("item_id")
    assert c.loc["P2", "count_status"] == "pipeline"
    assert c.loc["P2", "duplicate_of"] == "P1"


def test_in_effect_without_effective_date_is_an_error_naming_the_item():
    led = ledger([("BAD-7", "zhaodong", "original", None, "2025-01-01", None, "in_effect")])
    with pytest.raises(ValueError, match="BAD-7") as err:
        compute.classify_items(led, "2025-12-31")
    assert "effective" in str(err.value) and "落地见效日期" in str(err.value)


def test_zone_override_target():
    t = Targets(
        reforms_replicated=2,
        reforms_original=1,
        zone_overrides={"qinggang": {"reforms_replicated": 5}},
    )
    z = by_zone(compute.attainment(A, 2025, "2025-12-31", t))
    assert (z["qinggang"]["target_replicated"], z["qinggang"]["gap_replicated"]) == (5, 5)
    assert z["zhaodong"]["target_replicated"] == 2


# --- Pace ------------------------------------------------------------------------


def test_pace_hand_counts():
    p = compute.pace(PACE, 2026, "2026-03-31", Targets())  # default targets 20 / 3
    row = p[(p["zone_id"] == "qinggang") & (p["kind"] == "replicated")].iloc[0]
    # 2026 up to 03-31 inclusive: Q26a, Q26b = 2 (Q26c takes effect 04-01)
    assert row["to_date"] == 2
    assert (row["target"], row["needed"]) == (20, 18)
    # days left after 03-31: 30+31+30+31+31+30+31+30+31 = 275
    assert row["remaining_months"] == pytest.approx(round(275 / (365 / 12), 2))
    assert row["needed_per_month"] == pytest.approx(18 / (275 / (365 / 12)))
    # 2025 by 03-31: Q25a, Q25b, Q25c = 3 of 5 in the whole year; 2024 by 03-31: 1 of 2
    assert (row["same_day_2025"], row["full_year_2025"]) == (3, 5)
    assert (row["same_day_2024"], row["full_year_2024"]) == (1, 2)
    other = p[(p["zone_id"] == "zhaodong") & (p["kind"] == "original")].iloc[0]
    assert (other["to_date"], other["needed"], other["same_day_2025"]) == (0, 3, 0)


def test_pace_year_over_has_no_rate():
    p = compute.pace(PACE, 2025, "2025-12-31", Targets())
    row = p[(p["zone_id"] == "qinggang") & (p["kind"] == "replicated")].iloc[0]
    assert row["to_date"] == 5 and row["remaining_months"] == 0
    assert math.isnan(row["needed_per_month"])
    assert "same_day_2025" not in p.columns and "same_day_2024" in p.columns


# --- Adoption lag ---------------------------------------------------------------------


def test_adoption_lags_selection_and_days():
    lags = compute.adoption_lags(lag_ledger(), "2025-12-31")
    assert dict(zip(lags["item_id"], lags["lag_days"], strict=True)) == {
        "M1": 5,
        "M2": 7,
        "M3": 30,
        "L1": 10,
        "L2": 20,
        "L3": 40,
        "L4": 100,
    }


def test_lag_distribution_hand_quartiles():
    lags = compute.adoption_lags(lag_ledger(), "2025-12-31")
    d = compute.lag_distribution(lags, 2025).set_index("zone_id")
    e = d.loc["suihua_etdz"]
    # values 10, 20, 40, 100: q1 at position 0.75 → 10 + 0.75·10 = 17.5; median (20+40)/2 = 30;
    # q3 at position 2.25 → 40 + 0.25·60 = 55; mean 170/4 = 42.5
    assert e["n"] == 4
    assert (e["min"], e["q1"], e["median"], e["q3"], e["max"]) == (10, 17.5, 30, 55, 100)
    assert e["mean"] == pytest.approx(42.5)
    assert d.loc["qinggang", "n"] == 0 and math.isnan(d.loc["qinggang", "median"])


def test_lag_trend_medians_per_year():
    lags = compute.adoption_lags(lag_ledger(), "2025-12-31")
    t = compute.lag_trend(lags, 2024, 2025)
    assert len(t) == 3 * 2  # every zone × year
    e = t[t["zone_id"] == "suihua_etdz"].set_index("year")
    assert (e.loc[2024, "n"], e.loc[2024, "median"]) == (3, 7)  # 5, 7, 30
    assert (e.loc[2025, "n"], e.loc[2025, "median"]) == (4, 30)


# --- Breakdowns and three-year view ---------------------------------------------------


def test_breakdown_by_source_and_originality():
    led = A.copy()
    led.loc[led["item_id"] == "E3", "source"] = "state_council_batch"
    led.loc[led["item_id"] == "Z3", "originality"] = None
    src = compute.breakdown(led, 2025, "2025-12-31", "source")
    # 3 zones × 5 non-"own" sources, zeros included
    assert len(src) == 3 * 5
    got = src.set_index(["zone_id", "category"])["count"]
    assert got[("suihua_etdz", "harbin_area")] == 1  # E1
    assert got[("suihua_etdz", "state_council_batch")] == 1  # E3
    assert got[("zhaodong", "harbin_area")] == 4
    assert got[("qinggang", "harbin_area")] == 0
    ori = compute.breakdown(led, 2025, "2025-12-31", "originality").set_index(
        ["zone_id", "category"]
    )["count"]
    assert ori[("suihua_etdz", "provincial_first")] == 1  # E6
    assert ori[("zhaodong", "unrated")] == 1  # Z3 without rating
    table = present.breakdown_table(compute.breakdown(led, 2025, "2025-12-31", "domain"), "domain")
    assert list(table["片区"]) == ["绥化经开区片区", "肇东片区", "青冈片区"]
    assert list(table["合计（条）"]) == [3, 5, 0]  # etdz E1 E3 E6; zhaodong Z1–Z5


def test_cumulative_three_years():
    cum = compute.cumulative(A, 2026, "2026-10-31", SMALL).set_index("zone_id")
    e = cum.loc["suihua_etdz"]
    # replicated: 2024 E4, 2025 E1 E3, 2026 E8 → 1 + 2 + 1 = 4 of 3 × 2 = 6
    assert (e["replicated_2024"], e["replicated_2025"], e["replicated_2026"]) == (1, 2, 1)
    assert (e["cum_replicated"], e["target_replicated"], e["gap_replicated"]) == (4, 6, 2)
    assert (e["cum_original"], e["target_original"], e["gap_original"]) == (1, 3, 2)
    assert not e["met_replicated"] and not e["period_closed"]
    # the 2025 report shows 2024–2025 only, still against the three-year targets
    c25 = compute.cumulative(A, 2025, "2025-12-31", SMALL)
    assert "replicated_2026" not in c25.columns
    assert c25.set_index("zone_id").loc["zhaodong", "cum_replicated"] == 4
