"""One verdict vocabulary (issue #18 item 1): final only for a complete year, else provisional."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evalkit.config import Targets
from evalkit.core.errors import ConfigError
from evalkit.core.period import ReportPeriod
from evalkit.present import verdict as vd
from evalkit.schema import ZONES
from evalkit.topics.investment import funds

RULES = vd.VerdictRules(likely=0.8, unlikely=0.2)
RUNNING = ReportPeriod.of(2026, "2026-10-31")
DONE = ReportPeriod.of(2025, "2025-12-31")


def monthly(zone: str, amounts: dict[tuple[int, int], float]) -> pd.DataFrame:
    """A funds_monthly frame of one zone (other zones report zero) from (year, month) → 万元."""
    rows = []
    for (y, m), v in amounts.items():
        rows.append(
            {
                "zone_id": zone,
                "project_id": "P1",
                "month": pd.Timestamp(y, m, 1),
                "funds_wan_yuan": v,
            }
        )
        for other in ZONES:
            if other != zone:
                rows.append(
                    {
                        "zone_id": other,
                        "project_id": "P2",
                        "month": pd.Timestamp(y, m, 1),
                        "funds_wan_yuan": 1.0,
                    }
                )
    return pd.DataFrame(rows)


def test_year_to_date_growth_over_target_is_not_a_final_verdict():
    """+25 % for January–October of a year in progress (Qinggang 2024: +25.7 % Jan–Oct, +21.2 % in the year)."""
    z = list(ZONES)[0]
    amounts = {(2025, m): 10.0 for m in range(1, 13)}
    amounts |= {(2026, m): 12.5 for m in range(1, 11)}  # Jan–Oct +25 %
    att = funds.attainment(monthly(z, amounts), 2026, "2026-10-31", Targets())
    row = att.set_index("zone_id").loc[z]
    # before: the year-to-date comparison was the verdict (met True → "✓ 达标", targets_met true)
    assert row["met"] is True and row["yoy_growth"] == pytest.approx(0.25)
    v = vd.funds_verdicts(att, RUNNING, partial=False, rules=RULES)[z]
    assert (v.status, v.provisional, v.met) == ("in_progress", True, None)
    assert v.text() == "◇ 进行中（截至10月31日）"
    # with the projection's probability of reaching the full-year target
    for p, status, word in [
        (0.918, "likely", "预计达标"),
        (0.5, "at_risk", "存在风险"),
        (0.1, "unlikely", "预计难以达标"),
    ]:
        v = vd.funds_verdicts(att, RUNNING, partial=False, rules=RULES, probabilities={z: p})[z]
        assert (v.status, v.word, v.provisional, v.met) == (status, word, True, None)
        assert "截至10月31日" in v.text()
    assert (
        vd.funds_verdicts(att, RUNNING, partial=False, rules=RULES, probabilities={z: 0.918})[
            z
        ].text(probability=True)
        == "◎ 预计达标（截至10月31日，达标概率 92%）"
    )


def test_thresholds_are_inclusive_at_likely_and_exclusive_at_unlikely():
    assert vd.probability_status(0.8, RULES) == "likely"
    assert vd.probability_status(0.7999, RULES) == "at_risk"
    assert vd.probability_status(0.2, RULES) == "at_risk"
    assert vd.probability_status(0.1999, RULES) == "unlikely"


def test_complete_year_is_final_and_a_late_zone_is_not():
    v = vd.growth_verdict(True, DONE, partial=False, rules=RULES)
    assert (v.status, v.provisional, v.met, v.text()) == ("met", False, True, "✓ 达标")
    v = vd.growth_verdict(False, DONE, partial=False, rules=RULES)
    assert (v.status, v.met, v.text()) == ("not_met", False, "× 未达标")
    # a zone that has not reported December: no final verdict even after the year ends
    v = vd.growth_verdict(False, DONE, partial=False, rules=RULES, covers_year=False)
    assert (v.status, v.provisional, v.met) == ("in_progress", True, None)
    assert vd.growth_verdict(None, DONE, partial=False, rules=RULES).status == "undefined"
    assert vd.growth_verdict(True, DONE, partial=True, rules=RULES).status == "baseline"


def test_counts_reached_early_are_met_and_shortfalls_in_progress_are_not_failures():
    v = vd.count_verdict(3, 3, RUNNING, partial=False)
    assert (v.status, v.provisional, v.met) == ("met", False, True)  # counts never fall
    assert v.text() == "✓ 已达标（截至10月31日）"
    v = vd.count_verdict(19, 20, RUNNING, partial=False)
    assert (v.status, v.provisional, v.met) == ("in_progress", True, None)
    assert "未达标" not in v.text()
    v = vd.count_verdict(19, 20, DONE, partial=False)
    assert (v.status, v.met, v.text()) == ("not_met", False, "× 未达标")
    assert vd.count_verdict(25, 20, DONE, partial=False).text() == "✓ 达标"


def test_summary_entry_and_targets_met_follow_the_verdict():
    v = vd.growth_verdict(True, RUNNING, partial=False, rules=RULES, probability=0.918)
    assert v.summary() == {
        "status": "likely",
        "provisional": True,
        "as_of": "2026-10-31",
        "verdict": "预计达标",
        "p_reach_target": 0.918,
    }
    assert v.met is None


def test_reach_probabilities_take_the_chosen_model():
    pj = pd.DataFrame(
        {
            "zone_id": ["a", "a", "b"],
            "model": ["ratio", "ets", "ratio"],
            "p_target": [0.9, 0.1, math.nan],
        }
    )
    assert vd.reach_probabilities(pj, "ratio") == {"a": 0.9}
    assert vd.reach_probabilities(pd.DataFrame(), "ratio") == {}


def test_rules_come_from_targets_yaml(tmp_path):
    assert vd.load_rules("data") == vd.VerdictRules(likely=0.8, unlikely=0.2)
    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "targets.yaml").write_text("verdict: {likely: 0.9, unlikely: 0.1}\n", encoding="utf-8")
    assert vd.load_rules(tmp_path) == vd.VerdictRules(likely=0.9, unlikely=0.1)
    (cfg / "targets.yaml").write_text("targets: {}\n", encoding="utf-8")
    assert vd.load_rules(tmp_path) == vd.VerdictRules()
    for bad in (
        "verdict: {likely: 0.1, unlikely: 0.9}",
        "verdict: {likely: 2}",
        "verdict: {maybe: 0.5}",
    ):
        (cfg / "targets.yaml").write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            vd.load_rules(tmp_path)


def test_legend_names_the_thresholds_only_for_a_year_in_progress():
    text = vd.legend(in_progress=True, rules=RULES)
    assert "P ≥ 80%" in text and "P < 20%" in text and "◇ 进行中" in text
    assert "预计" not in vd.legend(in_progress=False, rules=RULES)


def test_a_table_with_a_dated_caption_may_leave_the_date_out_of_each_cell():
    v = vd.Verdict(status="likely", provisional=True, as_of="2026-10-31", probability=0.96)
    assert v.text(probability=True) == "◎ 预计达标（截至10月31日，达标概率 96%）"
    assert v.text(probability=True, dated=False) == "◎ 预计达标（达标概率 96%）"
    assert vd.Verdict("in_progress", True, "2026-10-31").text(dated=False) == "◇ 进行中"
