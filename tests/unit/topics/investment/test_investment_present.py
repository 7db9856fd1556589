"""Page wording, narrative, summary part and charts (evalkit.topics.investment.present)."""

import pandas as pd
import pytest
from investment_cases import funds_frame

from evalkit.config import Targets
from evalkit.schema import ZONES, zone_name
from evalkit.topics.investment import funds as F
from evalkit.topics.investment import present


@pytest.fixture
def funds():
    return funds_frame()


def test_narrative_and_summary(funds):
    att = F.attainment(funds, 2026, "2026-10-31", Targets())
    proj = {
        "suihua_etdz": {
            "point": 1812.4,
            "lo80": 1700.0,
            "hi80": 1900.0,
            "p_target": 0.83,
            "model_label": "同比比率法",
        }
    }
    proj["zhaodong"] = {**proj["suihua_etdz"], "p_target": 0.001}
    s = present.narrative(att, late=["qinggang"], projections=proj)
    text = "\n".join(s)
    assert (
        "绥化经开区片区2026年1—10月累计到位资金1,500万元，同比增长50.0%，达到不低于25.0%的目标"
        in text
    )
    assert "肇东片区" in text and "上年同期到位资金为零，同比增速无法计算" in text
    assert "迟报：仅报送至9月" in text
    assert "预测值约1,812万元" in text and "概率约为83%（预测）" in text
    assert "概率不足1%（预测）" in text
    assert "nan" not in text.lower() and "inf" not in text.lower()
    part = present.attainment_summary(att)["zones"]
    assert part["suihua_etdz"]["funds_yoy_growth"] == pytest.approx(0.5)
    assert part["zhaodong"]["funds_yoy_growth"] is None
    assert all("targets_met" not in z for z in part.values())  # verdicts: index page
    assert part["qinggang"]["funds_in_place_wan_yuan"] == 990


def _coverage(hit80, hit95, cal_n=6):
    """A coverage_by_origin frame for the ratio model at origins 9–11 (6 zone-years each)."""
    return pd.DataFrame(
        {
            "model": "ratio",
            "origin_month": [9, 10, 11],
            "zone_years": 6,
            "mape": [0.06, 0.04, 0.05],
            "model_hit80": [4, 5, 4],
            "model_hit95": [6, 6, 6],
            "cal_zone_years": cal_n,
            "cal_hit80": hit80,
            "cal_hit95": hit95,
        }
    )


def test_backtest_sentence_states_coverage_per_origin_in_zone_years():
    # Before: one pooled line over 60 projections of 6 zone-years ("80%预测区间实际覆盖80.0%").
    # After: each origin 9–11 separately, counted in zone-years, model's own and calibrated.
    summary = pd.DataFrame(
        {
            "model": ["ratio", "ets"],
            "zone_years": [6, 0],
            "n": [60, 0],
            "mape": [0.109, float("nan")],
            "median_ape": [0.08, float("nan")],
        }
    )
    cov = _coverage([5, 5, 4], [6, 6, 6])
    s = present.backtest_sentence(cov, summary, "ratio", [2024, 2025], 5)
    assert "2024、2025年共6个片区年度的回测中" in s and "共60次" in s
    assert "平均绝对百分比误差为10.9%" in s
    assert "以1—9月、1—10月、1—11月为起点，模型自身的80%区间分别覆盖4/6、5/6、4/6个片区年度" in s
    assert "80%区间分别覆盖5/6、5/6、4/6个，95%区间分别覆盖6/6、6/6、6/6个" in s
    assert "留一片区年度" in s and "偏窄" not in s and "80.0%" not in s
    low = present.backtest_sentence(_coverage([3, 4, 3], [5, 5, 5]), summary, "ratio", [2025], 5)
    assert "仍低于名义水平，预测区间可能偏窄" in low
    uncal = present.backtest_sentence(
        _coverage([0, 0, 0], [0, 0, 0], 0), summary, "ratio", [2025], 5
    )
    assert "区间未能按回测误差校准" in uncal
    assert "未能" in present.backtest_sentence(cov, summary, "ets", [2025], 5)


# --- Result-level wording and the summary part --------------------------------------


def test_attainment_notes_partial_year_and_late(investment_result):
    import dataclasses

    res = investment_result
    late_name = zone_name(res.late[0])
    notes = present.attainment_notes(res)
    assert len(notes) == 1 and notes[0].startswith(f"**迟报提示**：{late_name}尚未报送")
    first = dataclasses.replace(res, partial_year=True, late=[])
    assert present.attainment_notes(first) == [
        "2026年为行动计划实施首年（2024年9月印发），按目标配置作为基期展示增速，不评判是否达标。"
    ]


def test_period_note_in_progress_and_complete():
    assert present.period_note(2026, 10).startswith(
        "2026年尚在进行中，按统计惯例采用累计同比：比较2026年1—10月"
    )
    assert present.period_note(2025, 12) == (
        "2025年全年数据已齐：比较2025年1—12月与2024年1—12月的到位资金合计。"
    )


def test_summary_part_adds_the_chosen_projection(investment_result):
    res = investment_result
    part = present.summary_part(res)
    assert set(part["zones"]) == set(res.attainment["zone_id"])
    chosen = res.projections[res.projections["model"] == res.chosen_model].set_index("zone_id")
    for zone_id, z in part["zones"].items():
        fp = z["funds_projection"]
        assert fp["model"] == res.chosen_model and fp["is_projection"] is True
        assert fp["projected_total_wan_yuan"] == round(float(chosen.loc[zone_id, "point"]))
        assert fp["p_reach_target"] == round(float(chosen.loc[zone_id, "p_target"]), 4)
    text = "\n".join(present.conclusions(res))
    assert "预测" in text and "回测" in text
    assert present.backtest_note(res).startswith("回测年度：2025年；选用模型：")


def test_stalled_note_states_configured_thresholds(investment_result):
    note = present.stalled_note(investment_result)
    assert "签约超过 120 天仍未开工" in note and "开工超过 400 天仍未投产" in note
    assert note.endswith(f"共 {len(investment_result.stalled)} 个。")


def test_backtest_detail_and_monthly_tables(investment_result):
    res = investment_result
    detail = present.backtest_detail_table(res.backtest)
    assert len(detail) == len(res.backtest)
    assert list(detail.columns[:4]) == ["片区", "预测模型", "回测年度", "预测起点月份"]
    assert set(detail["落入80%区间"]) <= {True, False}
    monthly = present.monthly_table(res.monthly)
    assert list(monthly.columns) == ["片区", "月份", "当月到位资金（万元）"]
    assert monthly["当月到位资金（万元）"].sum() == pytest.approx(
        res.monthly["funds_wan_yuan"].round(2).sum()
    )


# --- Charts ------------------------------------------------------------------------------


def _close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_funds_chart_bars_are_the_attainment_amounts(investment_result):
    res = investment_result
    att = res.attainment
    fig = present.funds_chart(res)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    n = len(att)
    assert heights[:n] == pytest.approx(list(att["base_wan_yuan"].fillna(0)))
    assert heights[n:] == pytest.approx(list(att["funds_wan_yuan"].fillna(0)))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    late = res.late[0]
    assert labels[-1] == f"{zone_name(late)}\n（1—9月）"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["上年同期", "2026年"]
    assert "演示数据" in "".join(t.get_text() for t in fig.texts)
    _close(fig)


def test_monthly_chart_one_line_per_zone(investment_result):
    res = investment_result
    fig = present.monthly_chart(res)
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == [zone_name(z) for z in ZONES]
    for zone_id, ln in zip(ZONES, lines, strict=True):
        g = res.monthly[res.monthly["zone_id"] == zone_id]
        assert list(ln.get_ydata()) == pytest.approx(list(g["funds_wan_yuan"]))
    _close(fig)


def test_projection_chart_marks_target_and_intervals(investment_result):
    import dataclasses

    res = investment_result
    fig = present.projection_chart(res)
    ax = fig.axes[0]
    sel = res.projections[res.projections["model"] == res.chosen_model]
    assert [p.get_height() for p in ax.patches] == pytest.approx(list(sel["prev_total_wan_yuan"]))
    marks = ax.collections[-1].get_offsets()
    assert list(marks[:, 1]) == pytest.approx(list(sel["target_total_wan_yuan"]))
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend == {
        "2025年全年（实际）",
        "95%预测区间",
        "2026年全年预测值与80%区间",
        "达标所需全年",
    }
    assert [t.get_text() for t in ax.get_xticklabels()] == [zone_name(z) for z in sel["zone_id"]]
    _close(fig)
    none = dataclasses.replace(res, projections=res.projections.iloc[0:0])
    assert present.projection_chart(none) is None
