"""Tests for evalkit.topics.impact.present: page tables, narrative, charts."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from evalkit.topics.impact import compute, present
from evalkit.topics.impact.did import DidResult, EventStudy

PANEL_YEARS = list(range(2019, 2026))


def _result(**kw):
    base = dict(
        estimate=0.14,
        se=0.03,
        t=4.6,
        ci_low=0.07,
        ci_high=0.21,
        p_analytic=0.001,
        p_wild_bootstrap=0.02,
        boot_ci_low=0.05,
        boot_ci_high=0.25,
        n_obs=60,
        n_clusters=10,
        n_treated_clusters=3,
        df_k=7,
        alpha=0.05,
        bootstrap_reps=9999,
        seed=1,
    )
    base.update(kw)
    return DidResult(**base)


def test_narrative_states_years_and_uncertainty():
    plan = compute.headline_years(2026, PANEL_YEARS)
    text = present.narrative(
        _result(),
        plan,
        report_year=2026,
        outcome_label="实际利用内资",
        pretrend_p=0.4,
        placebo={"estimate": 0.01, "p_wild_bootstrap": 0.7},
        loo_range=(0.12, 0.16),
    )
    assert "以 2019–2023 年为处理前、2025 年为处理后" in text
    assert "高约 15.0%" in text  # exp(0.14) - 1 = 15.03%
    assert "5.1% ～ 28.4%" in text  # exp(0.05)-1, exp(0.25)-1
    assert "可以排除“没有效应”" in text
    assert "面板目前只到 2025 年" in text
    assert "基准估计不使用 2024 年" in text
    assert "平行趋势" in text and "0.400" in text
    assert "10 个县" in text and "试点县 3 个" in text
    assert "0.120 ～ 0.160" in text


def test_narrative_for_2024_flags_the_partial_year_and_null_result():
    plan = compute.headline_years(2024, PANEL_YEARS)
    text = present.narrative(
        _result(estimate=-0.02, p_wild_bootstrap=0.6, boot_ci_low=-0.2, boot_ci_high=0.1),
        plan,
        report_year=2024,
        outcome_label="实际利用内资",
        pretrend_p=0.01,
    )
    assert "只有一个设立后的年份（2024 年）" in text
    assert "低约 2.0%" in text
    assert "不能排除“没有效应”" in text
    assert "设立前已有分化迹象" in text
    assert "面板目前只到" not in text


def test_summary_part_shape():
    plan = compute.headline_years(2025, PANEL_YEARS)
    part = present.summary_part(_result(), plan)
    block = part["impact"]
    assert {"outcome", "years", "estimate", "ci_low", "ci_high", "p_wild_bootstrap"} <= set(block)
    assert block["years"] == [2025] and block["outcome"] == "domestic_capital_used"
    assert (block["ci_low"], block["ci_high"]) == (0.05, 0.25)


def test_display_tables_have_no_nan_text():
    es = EventStudy(
        pd.DataFrame(
            {
                "period": [2022, 2023, 2024],
                "estimate": [0.01, 0.0, 0.1],
                "se": [0.02, math.nan, 0.03],
                "ci_low": [-0.03, math.nan, 0.04],
                "ci_high": [0.05, math.nan, 0.16],
            }
        ),
        2023,
        0.5,
        (1, 9),
        0.5,
        10,
    )
    shown = present.event_display(es).to_string()
    assert "nan" not in shown.lower() and "0（参照年）" in shown and "—" in shown


def test_period_note_per_report_year():
    assert present.period_note(2024, compute.headline_years(2024, PANEL_YEARS)) == (
        "本页比较 2019–2023 年（设立前）与 2024 年（设立后）。"
        "2024 年为先导区设立当年（9 月设立），只有部分时间受政策影响。"
    )
    assert "基准估计不使用" in present.period_note(2025, compute.headline_years(2025, PANEL_YEARS))
    assert "县级年度数据目前只到 2025 年" in present.period_note(
        2026, compute.headline_years(2026, PANEL_YEARS)
    )


# --- County names and counts follow the configuration ----------------------------------------------

#: The page's opening paragraph as the notebook wrote it by hand before the redesign.
# The page's intro for today's configuration; the method is explained where it first appears
# with the glossary's sentence (issue #16).
INTRO = (
    "完成了多少项任务，说明发生了什么；先导区的设立本身带来了多少变化，需要一个比较对象。"
    "本页把先导区三个片区所在的县（市、区）——北林区、肇东市、青冈县——与绥化市其余七个县（市）比较，"
    "看 2024 年 9 月先导区设立前后，两组县之间的差距有没有变化，即双重差分法（估计政策效应的方法："
    "比较先导区所在县区与其他县区在先导区设立前后的变化之差，扣除两组共同受到的影响）。"
    "主要指标是**实际利用内资**，其他县域指标作为对照一并列出。"
)


def _narrative(**kw):
    return present.narrative(
        _result(),
        compute.headline_years(2026, PANEL_YEARS),
        report_year=2026,
        outcome_label="实际利用内资",
        pretrend_p=0.4,
        **kw,
    )


def test_narrative_names_the_configured_counties():
    text = _narrative()
    assert "三个试点所在县（北林区、肇东市、青冈县）的实际利用内资，比按其余七个县同期变化" in text
    assert "试点县与其余七个县的实际利用内资会按相同的趋势变化" in text


def test_narrative_follows_other_counties():
    text = _narrative(hosts=["beilin", "zhaodong", "qinggang", "anda"], comparison=["hailun"] * 5)
    assert "四个试点所在县（北林区、肇东市、青冈县、安达市）" in text
    assert "其余五个县" in text and "七" not in text and "三个" not in text


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from evalkit import demo

    data = tmp_path_factory.mktemp("impact-present-data")
    demo.write_curated({"county_panel": demo.generate()["county_panel"]}, demo.metadata(), data)
    return compute.run(2026, "2026-10-31", data)


def test_intro_is_the_text_for_todays_configuration(result):
    assert present.intro(result) == INTRO


def test_intro_counts_zones_and_counties(result, monkeypatch):
    from evalkit import schema

    four = dict(schema.ZONES, extra_zone="第四片区")
    monkeypatch.setattr(schema, "ZONES", four)
    other = dataclasses.replace(
        result, host_counties=["beilin", "anda"], comparison_counties=["hailun", "lanxi"]
    )
    text = present.intro(other)
    assert "先导区四个片区所在的县（市、区）——北林区、安达市——与绥化市其余两个县（市）比较" in text


def test_narrative_of_a_result_uses_its_robustness_rows(result):
    robust = result.robustness
    placebo = robust[robust["spec"].str.startswith("安慰剂")].iloc[0]
    loo = robust[robust["spec"].str.startswith("剔除对照县")]["estimate"]
    assert len(loo) == len(result.comparison_counties)
    expected = present.narrative(
        result.headline,
        result.plan,
        report_year=2026,
        outcome_label=result.outcome_label,
        pretrend_p=result.event_study.pretrend_p,
        placebo=placebo.to_dict(),
        loo_range=(loo.min(), loo.max()),
        host_loo=present.host_leave_out_rows(robust),
    )
    assert present.narrative_of(result) == expected
    assert f"{present.fmt_num(loo.min())} ～ {present.fmt_num(loo.max())}" in expected


def test_pretrend_note_counts_the_counties():
    es = EventStudy(pd.DataFrame(), 2023, 1.234, (4, 9), 0.3012, 10)
    assert present.pretrend_note(es) == (
        "设立前各年差异联合为零的检验（F 检验，自由度 4 和 9）：F = 1.23，p 值 0.301。"
        "每一年的估计都只有十个县的信息，单年区间较宽。"
    )
    assert "十二个县" in present.pretrend_note(
        EventStudy(pd.DataFrame(), 2023, 1, (4, 11), 0.3, 12)
    )


def test_trends_csv_headers(result):
    out = present.trends_csv(result.trends)
    assert out.columns.tolist() == ["年份", "试点县指数", "对照县指数"]
    assert out["年份"].tolist() == result.trends["year"].tolist()


# --- Charts ------------------------------------------------------------------------------------------


def test_plot_group_trends_draws_both_groups(result):
    import matplotlib.pyplot as plt

    fig = present.plot_group_trends(result)
    try:
        ax = fig.axes[0]
        pilot, comparison = ax.get_lines()[:2]
        assert pilot.get_xdata().tolist() == result.trends["year"].tolist()
        assert pilot.get_ydata().tolist() == result.trends["pilot"].tolist()
        assert comparison.get_ydata().tolist() == result.trends["comparison"].tolist()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["试点县（北林区、肇东市、青冈县）", "其余七县"]
        assert "实际利用内资（几何平均，2023 年 = 100）" in fig._suptitle.get_text()
        # The reference year is 100 for both groups; the designation line sits before 2024.
        ref = result.trends.set_index("year").loc[2023]
        assert ref["pilot"] == pytest.approx(100) and ref["comparison"] == pytest.approx(100)
        assert ax.get_lines()[2].get_xdata()[0] == 2023.5
        assert any("演示数据" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)


def test_plot_event_study_draws_intervals_and_the_reference_year(result):
    import matplotlib.pyplot as plt

    es = result.event_study
    fig = present.plot_event_study(es, outcome_label=result.outcome_label, synthetic=False)
    try:
        ax = fig.axes[0]
        t = es.table
        bars = ax.containers[0]
        x, y = bars.lines[0].get_data()
        shown = t[t["period"] != es.ref]
        assert list(x) == shown["period"].tolist()
        assert list(y) == pytest.approx(shown["estimate"].tolist())
        segments = bars.lines[2][0].get_segments()
        assert [s[0][1] for s in segments] == pytest.approx(shown["ci_low"].tolist())
        assert [s[1][1] for s in segments] == pytest.approx(shown["ci_high"].tolist())
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sorted(labels) == sorted(["估计值及 95% 区间", "参照年（2023，定为 0）"])
        (ref,) = [line for line in ax.get_lines() if line.get_label().startswith("参照年")]
        assert ref.get_xdata().tolist() == [es.ref] and ref.get_ydata().tolist() == [0.0]
        assert ax.get_xticks().tolist() == t["period"].tolist()
        assert not any("演示数据" in txt.get_text() for txt in fig.texts)
    finally:
        plt.close(fig)
