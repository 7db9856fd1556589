"""Counting rules, pace, lag and narrative of the reform evaluation on hand-built ledgers.

Every expected number below is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit import reforms
from evalkit.config import Targets
from evalkit.schema import ZONES

# Small targets keep the hand counts short: 2 replicated and 1 original per year.
SMALL = Targets(reforms_replicated=2, reforms_original=1, first_year=2024, last_year=2026)
NaT = None


def ledger(rows: list[tuple]) -> pd.DataFrame:
    """Build a reform_items frame from (item_id, zone, kind, experience, adopted, effective, status)."""
    cols = ["item_id", "zone_id", "kind", "source_experience", "adopted", "effective", "status"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("adopted", "effective"):
        df[c] = pd.to_datetime(df[c])
    df["title"] = "事项 " + df["item_id"]
    df["source"] = df["kind"].map({"replicated": "harbin_area", "original": "own"})
    df["domain"] = "trade"
    df["evidence"] = "绥政发〔2025〕1号"
    df["originality"] = df["kind"].map({"original": "provincial_first"})
    df["source_published"] = pd.NaT
    return df


# Ledger A. qinggang has no items at all.
A = ledger(
    [
        # suihua_etdz
        ("E1", "suihua_etdz", "replicated", "X", "2025-01-10", "2025-03-01", "in_effect"),
        # same experience as E1 (trailing blank): a duplicate, E1 took effect first
        ("E2", "suihua_etdz", "replicated", "X ", "2025-02-01", "2025-06-01", "in_effect"),
        # spans the year end: adopted 2024, in effect 2025 → counts in 2025
        ("E3", "suihua_etdz", "replicated", "Y", "2024-11-15", "2025-02-10", "in_effect"),
        ("E4", "suihua_etdz", "replicated", "Z", "2024-10-01", "2024-12-01", "in_effect"),
        # repeats E4's experience a year later → duplicate across years, never counts
        ("E5", "suihua_etdz", "replicated", "Z", "2025-03-01", "2025-04-01", "in_effect"),
        ("E6", "suihua_etdz", "original", None, "2025-01-01", "2025-05-01", "in_effect"),
        ("E7", "suihua_etdz", "replicated", "W", "2025-06-01", NaT, "in_progress"),
        # in effect only after the 2025 as-of date → pipeline in the 2025 report
        ("E8", "suihua_etdz", "replicated", "V", "2025-11-01", "2026-01-15", "in_effect"),
        # adopted after 2025-12-31 → ignored in 2025, pipeline in 2026
        ("E9", "suihua_etdz", "replicated", "U", "2026-01-05", NaT, "in_progress"),
        # zhaodong: same experience text as E1 but another zone → counts
        ("Z1", "zhaodong", "replicated", "X", "2025-01-01", "2025-02-01", "in_effect"),
        ("Z2", "zhaodong", "replicated", "A", "2025-01-01", "2025-07-01", "in_effect"),
        ("Z3", "zhaodong", "original", None, "2025-01-01", "2025-08-01", "in_effect"),
        # no source experience: cannot be matched, both count
        ("Z4", "zhaodong", "replicated", None, "2025-01-01", "2025-09-01", "in_effect"),
        ("Z5", "zhaodong", "replicated", None, "2025-01-01", "2025-09-02", "in_effect"),
    ]
)


def by_zone(att: pd.DataFrame) -> dict:
    return att.set_index("zone_id").to_dict("index")


def test_attainment_columns_and_zone_order():
    att = reforms.attainment(A, 2025, "2025-12-31", SMALL)
    assert list(att.columns) == reforms.ATTAINMENT_COLUMNS
    assert list(att["zone_id"]) == list(ZONES)


def test_attainment_2025_hand_counts():
    z = by_zone(reforms.attainment(A, 2025, "2025-12-31", SMALL))
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
    z = by_zone(reforms.attainment(A, 2024, "2024-12-31", SMALL))
    # 2024: only E4 took effect; E3 (adopted 2024-11-15, effective 2025) is the pipeline
    assert (z["suihua_etdz"]["replicated"], z["suihua_etdz"]["in_progress"]) == (1, 1)
    assert z["zhaodong"]["replicated"] == 0  # zhaodong adopted everything in 2025
    for zone in ZONES:
        assert z[zone]["met_replicated"] is None and z[zone]["met_original"] is None
        assert z[zone]["partial_year"]
    # gap is still max(target − count, 0): 2 − 1 = 1
    assert z["suihua_etdz"]["gap_replicated"] == 1


def test_attainment_year_in_progress_2026():
    z = by_zone(reforms.attainment(A, 2026, "2026-10-31", SMALL))
    # 2026: E8 (effective 2026-01-15) only; E7 and E9 still in progress
    assert (z["suihua_etdz"]["replicated"], z["suihua_etdz"]["in_progress"]) == (1, 2)
    assert z["suihua_etdz"]["met_replicated"] is False
    assert z["suihua_etdz"]["gap_replicated"] == 1


def test_effective_after_as_of_is_pipeline_not_count():
    # Same ledger, as of the day before E1 takes effect (2025-02-28): E3 (2025-02-10) counts,
    # E1 (2025-03-01) is pipeline, so E2 — the duplicate of E1 — is pipeline too, not a duplicate.
    c = reforms.classify_items(A, "2025-02-28").set_index("item_id")
    assert c.loc["E3", "count_status"] == "counted"
    assert c.loc["E1", "count_status"] == "pipeline"
    assert c.loc["E2", "count_status"] == "pipeline"
    z = by_zone(reforms.attainment(A, 2025, "2025-02-28", SMALL))
    assert z["suihua_etdz"]["replicated"] == 1
    # pipeline as of 2025-02-28: E1, E2 (adopted 02-01) and the original E6 (adopted 01-01,
    # effective 05-01); E5 is adopted 03-01, later → 3
    assert z["suihua_etdz"]["in_progress"] == 3


def test_duplicates_are_listed_with_the_item_they_repeat():
    c = reforms.classify_items(A, "2025-12-31")
    dups = reforms.items_in(c, 2025, "duplicate")
    assert list(dups["item_id"]) == ["E5", "E2"]  # sorted by effective date: E5 04-01, E2 06-01
    assert dict(zip(dups["item_id"], dups["duplicate_of"], strict=True)) == {"E2": "E1", "E5": "E4"}
    assert reforms.duplicate_counts(c, 2025) == {"suihua_etdz": 2, "zhaodong": 0, "qinggang": 0}
    counted = reforms.items_in(c, 2025, "counted")
    assert set(counted["item_id"]) == {"E1", "E3", "E6", "Z1", "Z2", "Z3", "Z4", "Z5"}
    pipeline = reforms.items_in(c, None, "pipeline")
    assert set(pipeline["item_id"]) == {"E7", "E8"}


def test_duplicate_tie_broken_by_adoption_date():
    led = ledger(
        [
            ("B", "qinggang", "replicated", "S", "2025-02-01", "2025-05-01", "in_effect"),
            ("A", "qinggang", "replicated", "S", "2025-01-01", "2025-05-01", "in_effect"),
        ]
    )
    c = reforms.classify_items(led, "2025-12-31").set_index("item_id")
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
    c = reforms.classify_items(led, "2025-12-31").set_index("item_id")
    assert c.loc["P2", "count_status"] == "pipeline"
    assert c.loc["P2", "duplicate_of"] == "P1"


def test_in_effect_without_effective_date_is_an_error_naming_the_item():
    led = ledger([("BAD-7", "zhaodong", "original", None, "2025-01-01", None, "in_effect")])
    with pytest.raises(ValueError, match="BAD-7") as err:
        reforms.classify_items(led, "2025-12-31")
    assert "effective" in str(err.value) and "落地见效日期" in str(err.value)


def test_zone_override_target():
    t = Targets(
        reforms_replicated=2,
        reforms_original=1,
        zone_overrides={"qinggang": {"reforms_replicated": 5}},
    )
    z = by_zone(reforms.attainment(A, 2025, "2025-12-31", t))
    assert (z["qinggang"]["target_replicated"], z["qinggang"]["gap_replicated"]) == (5, 5)
    assert z["zhaodong"]["target_replicated"] == 2


def test_summary_part_matches_attainment():
    att = reforms.attainment(A, 2025, "2025-12-31", SMALL)
    part = reforms.summary_part(att)
    assert list(part["zones"]) == list(ZONES)
    assert part["zones"]["zhaodong"] == {
        "reforms_replicated": 4,
        "reforms_original": 1,
        "targets_met": {"reforms_replicated": True, "reforms_original": True},
    }
    assert part["zones"]["qinggang"]["targets_met"] == {
        "reforms_replicated": False,
        "reforms_original": False,
    }
    base = reforms.summary_part(reforms.attainment(A, 2024, "2024-12-31", SMALL))
    assert base["zones"]["suihua_etdz"]["targets_met"]["reforms_replicated"] is None


# --- Pace ------------------------------------------------------------------------

PACE = ledger(
    [
        ("Q24a", "qinggang", "replicated", "a", "2024-01-01", "2024-02-01", "in_effect"),
        ("Q24b", "qinggang", "replicated", "b", "2024-01-01", "2024-05-01", "in_effect"),
        ("Q25a", "qinggang", "replicated", "c", "2025-01-01", "2025-01-15", "in_effect"),
        ("Q25b", "qinggang", "replicated", "d", "2025-01-01", "2025-03-01", "in_effect"),
        ("Q25c", "qinggang", "replicated", "e", "2025-01-01", "2025-03-31", "in_effect"),
        ("Q25d", "qinggang", "replicated", "f", "2025-01-01", "2025-04-01", "in_effect"),
        ("Q25e", "qinggang", "replicated", "g", "2025-01-01", "2025-11-01", "in_effect"),
        ("Q26a", "qinggang", "replicated", "h", "2026-01-01", "2026-01-10", "in_effect"),
        ("Q26b", "qinggang", "replicated", "i", "2026-01-01", "2026-03-31", "in_effect"),
        ("Q26c", "qinggang", "replicated", "j", "2026-01-01", "2026-04-01", "in_effect"),
    ]
)


def test_remaining_months():
    # 2026-10-31 → 30 (Nov) + 31 (Dec) = 61 days; 365/12 days a month
    assert reforms.remaining_months(2026, "2026-10-31") == pytest.approx(61 / (365 / 12))
    assert reforms.remaining_months(2026, "2026-12-31") == 0
    assert reforms.remaining_months(2025, "2026-10-31") == 0
    assert reforms.year_in_progress(2026, "2026-10-31")
    assert not reforms.year_in_progress(2025, "2025-12-31")


def test_same_day_handles_29_february():
    assert reforms.same_day("2028-02-29", 2027) == pd.Timestamp("2027-02-28")
    assert reforms.same_day("2026-10-31", 2024) == pd.Timestamp("2024-10-31")


def test_pace_hand_counts():
    p = reforms.pace(PACE, 2026, "2026-03-31", Targets())  # default targets 20 / 3
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
    p = reforms.pace(PACE, 2025, "2025-12-31", Targets())
    row = p[(p["zone_id"] == "qinggang") & (p["kind"] == "replicated")].iloc[0]
    assert row["to_date"] == 5 and row["remaining_months"] == 0
    assert math.isnan(row["needed_per_month"])
    assert "same_day_2025" not in p.columns and "same_day_2024" in p.columns


# --- Adoption lag ---------------------------------------------------------------------


def lag_ledger() -> pd.DataFrame:
    led = ledger(
        [
            ("L1", "suihua_etdz", "replicated", "a", "2025-01-11", "2025-03-01", "in_effect"),
            ("L2", "suihua_etdz", "replicated", "b", "2025-01-21", "2025-03-01", "in_effect"),
            ("L3", "suihua_etdz", "replicated", "c", "2025-02-10", None, "in_progress"),
            ("L4", "suihua_etdz", "replicated", "d", "2025-04-11", "2025-06-01", "in_effect"),
            ("L5", "suihua_etdz", "replicated", "a", "2025-05-01", "2025-06-01", "in_effect"),
            ("L6", "suihua_etdz", "original", None, "2025-05-01", "2025-06-01", "in_effect"),
            ("L7", "suihua_etdz", "replicated", "e", "2025-05-01", "2025-06-01", "in_effect"),
            ("L8", "suihua_etdz", "replicated", "f", "2026-02-01", None, "in_progress"),
            ("M1", "suihua_etdz", "replicated", "g", "2024-01-06", "2024-03-01", "in_effect"),
            ("M2", "suihua_etdz", "replicated", "h", "2024-01-08", "2024-03-01", "in_effect"),
            ("M3", "suihua_etdz", "replicated", "i", "2024-01-31", "2024-03-01", "in_effect"),
        ]
    )
    published = {
        "L1": "2025-01-01",  # 10 days
        "L2": "2025-01-01",  # 20 days
        "L3": "2025-01-01",  # 40 days (pipeline items count: the adoption happened)
        "L4": "2025-01-01",  # 100 days
        "L5": "2025-01-01",  # duplicate of L1 → left out
        "L6": "2025-01-01",  # original → left out
        # L7: no publication date → left out
        "L8": "2026-01-01",  # adopted after the as-of date → left out
        "M1": "2024-01-01",  # 5 days
        "M2": "2024-01-01",  # 7 days
        "M3": "2024-01-01",  # 30 days
    }
    led["source_published"] = pd.to_datetime(led["item_id"].map(published))
    return led


def test_adoption_lags_selection_and_days():
    lags = reforms.adoption_lags(lag_ledger(), "2025-12-31")
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
    lags = reforms.adoption_lags(lag_ledger(), "2025-12-31")
    d = reforms.lag_distribution(lags, 2025).set_index("zone_id")
    e = d.loc["suihua_etdz"]
    # values 10, 20, 40, 100: q1 at position 0.75 → 10 + 0.75·10 = 17.5; median (20+40)/2 = 30;
    # q3 at position 2.25 → 40 + 0.25·60 = 55; mean 170/4 = 42.5
    assert e["n"] == 4
    assert (e["min"], e["q1"], e["median"], e["q3"], e["max"]) == (10, 17.5, 30, 55, 100)
    assert e["mean"] == pytest.approx(42.5)
    assert d.loc["qinggang", "n"] == 0 and math.isnan(d.loc["qinggang", "median"])


def test_lag_trend_medians_per_year():
    lags = reforms.adoption_lags(lag_ledger(), "2025-12-31")
    t = reforms.lag_trend(lags, 2024, 2025)
    assert len(t) == 3 * 2  # every zone × year
    e = t[t["zone_id"] == "suihua_etdz"].set_index("year")
    assert (e.loc[2024, "n"], e.loc[2024, "median"]) == (3, 7)  # 5, 7, 30
    assert (e.loc[2025, "n"], e.loc[2025, "median"]) == (4, 30)


# --- Breakdowns and three-year view ---------------------------------------------------


def test_breakdown_by_source_and_originality():
    led = A.copy()
    led.loc[led["item_id"] == "E3", "source"] = "state_council_batch"
    led.loc[led["item_id"] == "Z3", "originality"] = None
    src = reforms.breakdown(led, 2025, "2025-12-31", "source")
    # 3 zones × 5 non-"own" sources, zeros included
    assert len(src) == 3 * 5
    got = src.set_index(["zone_id", "category"])["count"]
    assert got[("suihua_etdz", "harbin_area")] == 1  # E1
    assert got[("suihua_etdz", "state_council_batch")] == 1  # E3
    assert got[("zhaodong", "harbin_area")] == 4
    assert got[("qinggang", "harbin_area")] == 0
    ori = reforms.breakdown(led, 2025, "2025-12-31", "originality").set_index(
        ["zone_id", "category"]
    )["count"]
    assert ori[("suihua_etdz", "provincial_first")] == 1  # E6
    assert ori[("zhaodong", "unrated")] == 1  # Z3 without rating
    table = reforms.breakdown_table(reforms.breakdown(led, 2025, "2025-12-31", "domain"), "domain")
    assert list(table["片区"]) == ["绥化经开区片区", "肇东片区", "青冈片区"]
    assert list(table["合计（条）"]) == [3, 5, 0]  # etdz E1 E3 E6; zhaodong Z1–Z5


def test_cumulative_three_years():
    cum = reforms.cumulative(A, 2026, "2026-10-31", SMALL).set_index("zone_id")
    e = cum.loc["suihua_etdz"]
    # replicated: 2024 E4, 2025 E1 E3, 2026 E8 → 1 + 2 + 1 = 4 of 3 × 2 = 6
    assert (e["replicated_2024"], e["replicated_2025"], e["replicated_2026"]) == (1, 2, 1)
    assert (e["cum_replicated"], e["target_replicated"], e["gap_replicated"]) == (4, 6, 2)
    assert (e["cum_original"], e["target_original"], e["gap_original"]) == (1, 3, 2)
    assert not e["met_replicated"] and not e["period_closed"]
    # the 2025 report shows 2024–2025 only, still against the three-year targets
    c25 = reforms.cumulative(A, 2025, "2025-12-31", SMALL)
    assert "replicated_2026" not in c25.columns
    assert c25.set_index("zone_id").loc["zhaodong", "cum_replicated"] == 4


# --- Page tables and narrative ------------------------------------------------------------


def test_attainment_table_words():
    att = reforms.attainment(A, 2025, "2025-12-31", SMALL)
    t = reforms.attainment_table(att)
    assert list(t["复制推广是否达标"]) == ["达标", "达标", "未达标"]
    base = reforms.attainment_table(reforms.attainment(A, 2024, "2024-12-31", SMALL))
    assert set(base["复制推广是否达标"]) == {"基线年，不考核"}
    assert "复制推广差额（条）" not in base.columns


def test_item_table_has_no_missing_markers():
    c = reforms.classify_items(A, "2025-12-31")
    t = reforms.item_table(reforms.items_in(c, 2025, "counted"))
    text = t.to_string()
    assert "nan" not in text.lower() and "NaT" not in text and "<NA>" not in text
    assert t.loc[t["事项编号"] == "E3", "落地见效日期"].item() == "2025-02-10"
    assert t.loc[t["事项编号"] == "E6", "来源经验名称或编号"].item() == "—"


def hand_att(year, partial, rows):
    """rows: (zone, rep, orig, met_rep, met_orig, pipeline) with targets 20 / 3."""
    return pd.DataFrame(
        [
            {
                "zone_id": z,
                "year": year,
                "replicated": r,
                "original": o,
                "target_replicated": 20,
                "target_original": 3,
                "met_replicated": mr,
                "met_original": mo,
                "gap_replicated": max(20 - r, 0),
                "gap_original": max(3 - o, 0),
                "partial_year": partial,
                "in_progress": p,
            }
            for z, r, o, mr, mo, p in rows
        ]
    )


def test_narrative_full_year():
    att = hand_att(
        2025,
        False,
        [
            ("suihua_etdz", 22, 4, True, True, 0),
            ("zhaodong", 18, 3, False, True, 2),
            ("qinggang", 20, 1, True, False, 1),
        ],
    )
    text = reforms.narrative(att, "2025-12-31", duplicates={"suihua_etdz": 1, "zhaodong": 0})
    assert text[0] == "2025 年，3 个片区中有 1 个同时完成复制推广和自主创新两项年度目标。"
    assert (
        "肇东片区：复制推广 18 条（目标 20 条，未达标，差 2 条），自主创新 3 条（目标 3 条，达标）。"
        in text
    )
    assert any("另有 3 条事项" in s and "肇东片区 2 条、青冈片区 1 条" in s for s in text)
    assert any(s.startswith("本年度有 1 条复制推广事项重复") for s in text)


def test_narrative_partial_year_is_baseline_without_verdicts():
    att = hand_att(2024, True, [(z, 5, 1, None, None, 0) for z in ZONES])
    text = reforms.narrative(att, "2024-12-31")
    assert len(text) == 1
    assert "基线" in text[0] and "绥化经开区片区复制推广 5 条、自主创新 1 条" in text[0]
    assert "未达标" not in text[0] and "达标" not in text[0].replace("目标", "")
    cum = reforms.cumulative(PACE, 2024, "2024-12-31", Targets())
    with_cum = reforms.narrative(att, "2024-12-31", cum=cum, plan_years=(2024, 2026))
    # qinggang 2024 in PACE: Q24a, Q24b = 2 of 3 × 20 = 60
    assert with_cum[1].startswith("2024 年累计（三年目标期 2024—2026 年）：")
    assert "青冈片区复制推广 2 条（三年目标 60 条，差 58 条）" in with_cum[1]


def test_narrative_year_in_progress_uses_pace_and_plan_period():
    att = hand_att(
        2026,
        False,
        [
            ("suihua_etdz", 16, 3, False, True, 4),
            ("zhaodong", 21, 1, True, False, 0),
            ("qinggang", 0, 0, False, False, 0),
        ],
    )
    p = reforms.pace(PACE, 2026, "2026-10-31", Targets())
    cum = reforms.cumulative(PACE, 2026, "2026-10-31", Targets())
    text = reforms.narrative(att, "2026-10-31", pace_df=p, cum=cum, plan_years=(2024, 2026))
    assert text[0].startswith("截至 2026年10月31日，2026 年，3 个片区中有 0 个已同时达到")
    assert (
        "绥化经开区片区：复制推广 16 条（目标 20 条，尚差 4 条），自主创新 3 条（目标 3 条，已达标）。"
        in text
    )
    # qinggang in PACE: 2026 by 10-31 = Q26a, Q26b, Q26c = 3; needs 17 in 61/(365/12) ≈ 2.0 months
    # → 17 / 2.0055 ≈ 8.5 a month; 2025 by 10-31: Q25a–d = 4
    assert (
        "青冈片区本年已落地复制推广 3 条，完成全年目标还需 17 条，余下约 2 个月平均每月需 8.5 条；"
        "2025 年同期为 4 条。"
    ) in text
    # three-year view closes the plan: qinggang 2 + 5 + 3 = 10 of 60
    closing = [s for s in text if s.startswith("行动计划期（2024—2026 年）累计")]
    assert len(closing) == 1 and "青冈片区复制推广 10 条（三年目标 60 条，差 50 条）" in closing[0]


def test_item_table_shows_status_as_of_the_report_date():
    c = reforms.classify_items(A, "2025-12-31")
    t = reforms.item_table(reforms.items_in(c, None, "pipeline"), "2025-12-31").set_index(
        "事项编号"
    )
    # E8 is in effect in the ledger (2026-01-15) but was still in progress on 2025-12-31
    assert t.loc["E8", "状态"] == "截至日推进中（其后落地见效）"
    assert t.loc["E8", "落地见效日期"] == "2026-01-15"
    assert t.loc["E7", "状态"] == "推进中"


def test_searchable_table_escapes_submitted_text():
    df = pd.DataFrame(
        {"事项名称": ['<script>alert("x")</script>'], "佐证材料": ["=cmd|' /C calc'!A0"]}
    )
    html_text = reforms.SearchableTable(df, caption="清单")._repr_html_()
    assert "<script>alert" not in html_text and "&lt;script&gt;" in html_text
    assert 'class="evalkit-search"' in html_text
    assert repr(reforms.SearchableTable(df, caption="清单")).startswith("清单\n")
