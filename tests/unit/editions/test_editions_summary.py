import pytest

from evalkit.core.config import Targets
from evalkit.editions import summary as es
from evalkit.topics.summary import present as sp

TARGETS = Targets()  # 20 / 3 / 25 %, first year 2024


def _summary(year=2026, as_of="2026-10-31", zone=None, **extra):
    zone = zone or {"targets_met": {"reforms_replicated": True}}
    return {"year": year, "as_of": as_of, "zones": {"z": zone}, **extra}


@pytest.mark.parametrize(
    ("year", "as_of", "met", "words"),
    [
        (2025, "2025-12-31", True, sp.LIGHT_MET),
        (2025, "2025-12-31", False, sp.LIGHT_NOT_MET),
        (2026, "2026-10-31", False, sp.LIGHT_NOT_YET),
        (2026, "2026-10-31", None, sp.LIGHT_UNDEFINED),
        (2024, "2024-12-31", True, sp.LIGHT_BASELINE),
    ],
)
def test_verdict_from_targets_met(year, as_of, met, words):
    zone = {"targets_met": {"reforms_replicated": met}}
    s = _summary(year, as_of, zone)
    assert es.verdict_words(s, zone, "reforms_replicated", 2024) == words


def test_provisional_flag_overrides_the_as_of_date():
    zone = {"targets_met": {"funds_growth": False}, "provisional": False}
    s = _summary(2026, "2026-10-31", zone)
    assert es.verdict_words(s, zone, "funds_growth", 2024) == sp.LIGHT_NOT_MET
    s2 = _summary(2025, "2025-12-31", {"targets_met": {"funds_growth": False}}, provisional=True)
    assert es.verdict_words(s2, s2["zones"]["z"], "funds_growth", 2024) == sp.LIGHT_NOT_YET


def test_status_field_wins_when_present():
    zone = {"targets_met": {"funds_growth": True}, "status": {"funds_growth": "not_met"}}
    assert es.verdict_words(_summary(zone=zone), zone, "funds_growth", 2024) == sp.LIGHT_NOT_MET
    zone["status"] = {"funds_growth": "something-new"}  # unknown code: targets_met decides
    assert es.verdict_words(_summary(zone=zone), zone, "funds_growth", 2024) == sp.LIGHT_MET


def test_targets_table_rows_figures_and_zone_overrides():
    targets = Targets(zone_overrides={"b": {"reforms_replicated": 12}})
    summary = {
        "year": 2025,
        "as_of": "2025-12-31",
        "zones": {
            "b": {
                "reforms_replicated": 13,
                "reforms_original": 1,
                "funds_yoy_growth": -0.05,
                "targets_met": {
                    "reforms_replicated": True,
                    "reforms_original": False,
                    "funds_growth": False,
                },
            },
            "a": {"reforms_replicated": None, "targets_met": {}},
        },
    }
    table = es.targets_table(summary, {"a": "甲片区", "b": "乙片区<b>"}, targets)
    rows = [r for r in table.splitlines() if r.startswith("| ")]
    assert rows[2].startswith("| 甲片区 | — / 20 条 | ")  # plan order, missing as —
    assert "乙片区&lt;b&gt;" in rows[3]  # names escaped (the site's md_escape)
    assert f"13 / 12 条 | {sp.LIGHT_MET}" in rows[3]
    assert "1 / 3 条" in rows[3] and "\\-5\\.0%（目标 ≥25%）" in rows[3]
    assert table.endswith(": 2025 年各片区三项硬性目标完成情况 {#tbl-edition-targets}")


def test_composite_table_and_executive_summary_parts():
    summary = {
        "year": 2026,
        "as_of": "2026-10-31",
        "zones": {"a": {"composite_score": 85.914, "rank": 1, "targets_met": {}}},
    }
    text = es.executive_summary(summary, {"a": "甲"}, TARGETS, "1. 发现")
    assert "| 甲 | 85.91 | 1 |" in text
    assert "数据截至2026年10月31日" in text
    assert text.index("## 硬性目标完成情况") < text.index("## 综合得分与排名")
    assert text.endswith("## 主要发现\n\n1. 发现")
    assert "## 主要发现" not in es.executive_summary(summary, {"a": "甲"}, TARGETS, "")


def test_verdict_from_the_summarys_own_verdict_is_worded_as_on_the_site():
    """summary.json's targets.<t> (present.verdict) wins over targets_met (null while provisional)."""
    zone = {
        "targets_met": {"funds_growth": None, "reforms_original": None},
        "targets": {
            "funds_growth": {
                "status": "at_risk",
                "provisional": True,
                "as_of": "2026-10-31",
                "verdict": "存在风险",
                "p_reach_target": 0.4428,
            },
            "reforms_original": {
                "status": "met",
                "provisional": True,
                "as_of": "2026-10-31",
                "verdict": "已达标",
            },
        },
    }
    s = _summary(2026, "2026-10-31", zone)
    assert (
        es.verdict_words(s, zone, "funds_growth", 2024)
        == "△ 存在风险（截至10月31日，达标概率 44%）"
    )
    assert es.verdict_words(s, zone, "reforms_original", 2024) == "✓ 已达标（截至10月31日）"
