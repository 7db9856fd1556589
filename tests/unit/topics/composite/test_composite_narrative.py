"""Page tables and Chinese sentences of the comprehensive evaluation, summary and closing review."""

import math

import pandas as pd
import pytest

from evalkit.config import Targets
from evalkit.topics.closing import present as clpresent
from evalkit.topics.composite import compare as ccompare
from evalkit.topics.composite import indicators as cind
from evalkit.topics.composite import present as cpresent
from evalkit.topics.composite import scoring as cscore
from evalkit.topics.composite import text as ctext
from evalkit.topics.composite import values as cval
from evalkit.topics.summary import present as spresent


def comp_frame(rows):
    """Rows of (zone, year, score) → composite frame with per-year ranks, like composite_scores."""
    df = pd.DataFrame(rows, columns=["zone_id", "year", "score"])
    df["coverage"] = 1.0
    df["rank"] = df.groupby("year")["score"].transform(cscore.rank_scores).astype("Int64")
    return df


def reform_att(rep, orig, met_rep, met_orig, target=(20, 3)):
    zones = ["suihua_etdz", "zhaodong", "qinggang"]
    return pd.DataFrame(
        {
            "zone_id": zones,
            "replicated": rep,
            "original": orig,
            "target_replicated": [target[0]] * 3,
            "target_original": [target[1]] * 3,
            "met_replicated": pd.Series(met_rep, dtype=object),
            "met_original": pd.Series(met_orig, dtype=object),
        }
    )


def invest_att(growth, met):
    zones = ["suihua_etdz", "zhaodong", "qinggang"]
    return pd.DataFrame(
        {
            "zone_id": zones,
            "yoy_growth": growth,
            "growth_defined": [not math.isnan(g) for g in growth],
            "target_growth": [0.25] * 3,
            "met": pd.Series(met, dtype=object),
        }
    )


def test_ranking_sentence_states_ties():
    comp = comp_frame(
        [("suihua_etdz", 2025, 80.0), ("zhaodong", 2025, 80.0), ("qinggang", 2025, 60.0)]
    )
    assert cpresent.ranking_sentence(comp, 2025) == (
        "2025 年综合评估：并列第 1 名 绥化经开区片区（80.0 分）、肇东片区（80.0 分）；"
        "第 3 名 青冈片区（60.0 分）。"
    )


def one_indicator_comp(rows):
    """Rows of (zone, year, score) → composite frame with same-basis changes (one indicator 0–100)."""
    config = cind.parse_indicators(
        {
            "dimensions": [
                {
                    "id": "d",
                    "name": "d",
                    "weight": 1,
                    "indicators": [
                        {
                            "id": "a",
                            "name": "甲",
                            "table": "logistics_monthly",
                            "formula": {"agg": "mean", "column": "value"},
                            "direction": "+",
                            "unit": "分",
                            "weight": 1,
                            "reference": {"worst": 0, "best": 100, "source": "test"},
                        }
                    ],
                }
            ]
        }
    )
    vals = pd.DataFrame(
        [(z, y, "a", v) for z, y, v in rows], columns=["zone_id", "year", "indicator", "value"]
    )
    scored = cscore.score_indicators(vals, config)
    comp = cscore.composite_scores(cscore.dimension_scores(scored, config), config)
    return ccompare.with_changes(comp, scored, config), config


def test_change_sentence_and_headline_table():
    comp, config = one_indicator_comp(
        [
            ("suihua_etdz", 2024, 70.0),
            ("zhaodong", 2024, 60.0),
            ("qinggang", 2024, 50.0),
            ("suihua_etdz", 2025, 65.0),  # −5, rank 1 → 2
            ("zhaodong", 2025, 72.5),  # +12.5, rank 2 → 1
            ("qinggang", 2025, 50.0),  # unchanged
        ]
    )
    assert cpresent.change_sentence(comp, 2025, config) == (
        "与 2024 年同期按同一口径相比：绥化经开区片区下降 5.0 分，下降 1 位；肇东片区提高 12.5 分，上升 1 位；"
        "青冈片区持平，排名不变。同一口径指两年都使用各片区两年均有数据的同一组维度和指标，按同样的权重计算；"
        "两年的指标完全相同，没有指标被排除。"
    )
    assert cpresent.change_sentence(comp, 2024) is None
    head = spresent.headline_table(comp, 2025).set_index("片区")
    col, rank_col = "较上年同期得分变化（同一口径）", "较上年同期排名变化（同一口径）"
    assert head.loc["肇东片区", col] == "提高 12.5 分"
    assert head.loc["绥化经开区片区", col] == "下降 5.0 分"
    assert head.loc["青冈片区", col] == "持平"
    assert head.loc["肇东片区", rank_col] == "上升 1 位"
    assert head.loc["绥化经开区片区", rank_col] == "下降 1 位"
    assert head.loc["青冈片区", rank_col] == "持平"
    first = spresent.headline_table(comp, 2024)
    assert set(first[col]) == {"—（无上年可比数据）"}


def test_summary_part():
    comp = comp_frame(
        [("suihua_etdz", 2025, 80.123), ("zhaodong", 2025, 90.0), ("qinggang", 2025, 10.0)]
    )
    assert cpresent.summary_part(comp, 2025) == {
        "zones": {
            "suihua_etdz": {"composite_score": 80.12, "rank": 2},
            "zhaodong": {"composite_score": 90.0, "rank": 1},
            "qinggang": {"composite_score": 10.0, "rank": 3},
        }
    }


def test_sensitivity_sentence_robust_and_not():
    comp = comp_frame(
        [("suihua_etdz", 2025, 80.0), ("zhaodong", 2025, 79.0), ("qinggang", 2025, 10.0)]
    )
    sens = pd.DataFrame(
        {"zone_id": ["suihua_etdz", "zhaodong", "qinggang"], "p_first": [0.55, 0.45, 0.0]}
    )
    text = cpresent.sensitivity_sentence(sens, comp, 2025, draws=2000, concentration=50)
    assert (
        "绥化经开区片区在 55.0% 的抽样中排名第一（其他片区排名第一的概率：肇东片区 45.0%）" in text
    )
    assert "排名不稳健" in text
    sens2 = sens.assign(p_first=[0.97, 0.03, 0.0])
    text2 = cpresent.sensitivity_sentence(sens2, comp, 2025, draws=2000, concentration=50)
    assert "排名稳健" in text2 and "不稳健" not in text2
    tie = comp_frame(
        [("suihua_etdz", 2025, 80.0), ("zhaodong", 2025, 80.0), ("qinggang", 2025, 1.0)]
    )
    assert "并列第一，排名不稳健" in cpresent.sensitivity_sentence(
        sens, tie, 2025, draws=10, concentration=5
    )


def test_entropy_sentence():
    comp = comp_frame(
        [("suihua_etdz", 2025, 80.0), ("zhaodong", 2025, 70.0), ("qinggang", 2025, 10.0)]
    )
    same = comp_frame(
        [("suihua_etdz", 2025, 60.0), ("zhaodong", 2025, 50.0), ("qinggang", 2025, 1.0)]
    )
    assert "完全一致" in cpresent.entropy_sentence(comp, same, 2025)
    swapped = comp_frame(
        [("suihua_etdz", 2025, 50.0), ("zhaodong", 2025, 60.0), ("qinggang", 2025, 1.0)]
    )
    text = cpresent.entropy_sentence(comp, swapped, 2025)
    assert "绥化经开区片区配置权重第 1 名、熵权法第 2 名" in text
    assert "肇东片区配置权重第 2 名、熵权法第 1 名" in text and "青冈片区" not in text


def test_traffic_lights_words_not_colour_alone():
    assert spresent.light(True, partial=False) == "✓ 达标"
    assert spresent.light(False, partial=False) == "× 未达标"
    assert spresent.light(False, partial=False, in_progress=True) == "◇ 进行中"  # never 未达标
    assert spresent.light(None, partial=False) == "○ 无法判定（基期为零或无数据）"
    assert spresent.light(True, partial=True) == "○ 基线年（不考核）"
    lights = spresent.traffic_lights(
        reform_att([23, 21, 17], [4, 2, 3], [True, True, False], [True, False, True]),
        invest_att([0.31, math.nan, 0.1], [True, None, False]),
        partial=False,
        in_progress=False,
    ).set_index("片区")
    assert lights.loc["青冈片区", "复制推广经验"] == "× 未达标"
    assert lights.loc["青冈片区", "复制推广（条）/目标"] == "17 / 20"
    assert lights.loc["肇东片区", "到位资金同比增长"] == "○ 无法判定（基期为零或无数据）"
    assert lights.loc["肇东片区", "同比增速（目标）"] == "增速无法计算（目标 25%）"
    assert lights.loc["绥化经开区片区", "同比增速（目标）"] == "增长 31.0%（目标 25%）"


def test_reform_and_funds_findings():
    att = reform_att([23, 21, 17], [4, 2, 3], [True, True, False], [True, False, True])
    text = spresent.reform_finding(att, 2025, partial=False, in_progress=False)
    assert "绥化经开区片区 23 条/4 条、肇东片区 21 条/2 条、青冈片区 17 条/3 条" in text
    assert text.endswith("绥化经开区片区两项均已达到，肇东片区、青冈片区未同时达到两项目标。")
    none = reform_att([5, 4, 3], [0, 1, 0], [False] * 3, [False] * 3)
    text = spresent.reform_finding(none, 2026, partial=False, in_progress=True, as_of="2026-10-31")
    assert "截至 10 月 31 日" in text
    assert text.endswith("三个片区均尚未同时达到两项全年目标（年度进行中）。")
    base = spresent.reform_finding(none, 2024, partial=True, in_progress=False)
    assert base.startswith("2024 年为行动计划实施首年（基线年，不按全年目标考核）")
    funds = invest_att([0.31, math.nan, 0.1], [True, None, False])
    text = spresent.funds_finding(funds, 2025, partial=False, in_progress=False)
    assert "全年同比增速为 绥化经开区片区 +31.0%、肇东片区 增速无法计算、青冈片区 +10.0%" in text
    assert text.endswith("绥化经开区片区达标，肇东片区无法判定。")
    assert "累计同比" in spresent.funds_finding(funds, 2026, partial=False, in_progress=True)


def test_findings_markdown_links_relative_pages():
    md = spresent.findings_markdown([("甲。", "reforms.html"), ("乙。", "comprehensive.html")])
    assert md.splitlines() == [
        "1. 甲。 [详见：改革试点经验复制推广与自主创新专项评估](reforms.html)",
        "2. 乙。 [详见：年度综合评估](comprehensive.html)",
    ]


def test_missing_sentences_name_the_indicators():
    cfg = cind.load_indicators("data")
    scored = pd.DataFrame(
        {
            "zone_id": ["qinggang", "qinggang", "zhaodong"],
            "year": [2025, 2025, 2025],
            "indicator": ["train_departures", "online_rate", "online_rate"],
            "value": [math.nan, 90.0, 95.0],
        }
    )
    assert cpresent.missing_sentences(scored, cfg, 2025) == [
        "青冈片区 2025 年缺少以下指标的数据（未报送或无法计算），已在所属维度内按其余指标重新分配权重，"
        "未按零分处理：中欧（中俄）班列开行。"
    ]


def test_for_page_never_shows_nan():
    df = pd.DataFrame({"a": [1.5, math.nan], "b": pd.array([1, None], dtype="Int64")})
    page = ctext.for_page(df)
    assert page["a"].tolist() == [1.5, "—"] and page["b"].tolist()[1] == "—"


# --- closing review -----------------------------------------------------------------------


def test_funds_cumulative_chains_yearly_growth():
    # the assessed years only (2024, the plan's partial first year, is not assessed: #18)
    atts = {
        2025: invest_att([0.20, 0.30, math.nan], [False, True, None]),
        2026: invest_att([0.50, 0.30, 0.5], [True, True, True]),
    }
    t = clpresent.funds_cumulative(atts, Targets(), as_of="2026-12-31").set_index("片区")
    # 1.2 × 1.5 − 1 = 80.0 %; target 1.25² − 1 = 56.25 %
    assert t.loc["绥化经开区片区", "累计增长"] == "80.0%"
    assert t.loc["绥化经开区片区", "按年度增长目标复合应达"] == "56.25%"
    assert t.loc["绥化经开区片区", "判定"] == "✓ 达标"
    # 1.3² − 1 = 69.0 %
    assert t.loc["肇东片区", "累计增长"] == "69.0%"
    assert t.loc["青冈片区", "判定"] == "○ 无法判定（基期为零或无数据）"
    assert t.loc["青冈片区", "2025年增速"] == "增速无法计算（全年）"
    assert t.loc["绥化经开区片区", "2026年增速"] == "增长 50.0%（全年）"


def test_dimension_change_uses_latest_year_with_data_and_sentences():
    cfg = cind.load_indicators("data")
    rows = []
    for z in ["suihua_etdz", "zhaodong", "qinggang"]:
        for dim in cfg.dimensions:
            for y, v in ((2024, 50.0), (2025, 60.0), (2026, 40.0)):
                if dim.id == "industrial_clusters" and y == 2026:
                    v = math.nan  # annual data not yet submitted
                if dim.id == "government_services":
                    v = 50.5 if y == 2026 else 50.0
                rows.append((z, y, dim.id, v, 1.0))
    dims = pd.DataFrame(rows, columns=["zone_id", "year", "dimension", "score", "coverage"])
    ch = clpresent.dimension_change(dims, cfg, 2024, 2026)
    r = ch[(ch["片区"] == "肇东片区") & (ch["维度"] == "产业集群")].iloc[0]
    assert r["对比年度"] == 2025 and r["变化（分）"] == 10.0
    s = clpresent.change_sentences(ch, 2024, 2026)[1]
    assert s.startswith("肇东片区（2024→2026 年同期）：提高的维度：产业集群（+10.0，至 2025 年）")
    assert "下降的维度：制度创新（-10.0）、投资促进（-10.0）、贸易与物流（-10.0）" in s
    assert "基本持平（变化不足 1 分）：政府服务" in s


def test_closing_intro_before_during_after():
    assert "收官之年（2026 年）的报告中给出" in clpresent.closing_intro(
        2025, "2025-12-31", 2024, 2026
    )
    during = clpresent.closing_intro(2026, "2026-10-31", 2024, 2026)
    assert "2026 年尚未结束（数据截至 2026 年 10 月 31 日）" in during
    assert "2026 年数据已全部报送" in clpresent.closing_intro(2026, "2026-12-31", 2024, 2026)
    assert "见 2026 年的报告" in clpresent.closing_intro(2027, "2027-12-31", 2024, 2026)


def test_cumulative_sentence():
    cum = pd.DataFrame(
        {
            "zone_id": ["suihua_etdz", "zhaodong", "qinggang"],
            "cum_replicated": [61, 41, 33],
            "target_replicated": [60] * 3,
            "cum_original": [9, 5, 9],
            "target_original": [9] * 3,
            "met_replicated": [True, False, False],
            "met_original": [True, False, True],
        }
    )
    text = clpresent.cumulative_sentence(cum, closed=True)
    assert text.startswith(
        "三年累计（累计/三年目标）：绥化经开区片区复制推广 61/60 条、自主创新 9/9 条；"
    )
    assert text.endswith("绥化经开区片区已完成两项三年目标；肇东片区、青冈片区未完成。")
    assert clpresent.cumulative_sentence(cum, closed=False).endswith("肇东片区、青冈片区尚未完成。")


def test_year_fraction_and_window_end_leap_day():
    assert cval.window_end(2025, "2024-02-29").isoformat() == "2025-02-28"
    assert cval.year_fraction(2025, "2025-12-31") == 1.0
    assert cval.year_fraction(
        2024, "2024-12-31", start=pd.Timestamp("2024-09-09").date()
    ) == pytest.approx(114 / 366)


def test_year_label_and_verdicts_without_a_value():
    assert clpresent.year_label(2026, "2026-10-31") == "2026年（截至10月31日）"
    assert clpresent.year_label(2026, "2026-12-31") == "2026年"  # the whole year is in
    assert clpresent.year_label(2025, "2026-10-31") == "2025年"  # an earlier, finished year
    # NaN is truthy in Python, but a NaN verdict is no verdict: neither met nor missed.
    assert ctext._is_true(math.nan) is False and ctext._is_none(math.nan)
    assert ctext._is_true(pd.NA) is False and ctext._is_true(None) is False and ctext._is_true(True)


def test_growth_words_in_table_cells_never_start_with_a_sign():
    assert ctext._growth_words(-0.129, True) == "下降 12.9%"
    assert ctext._growth_words(0.0, True) == "增长 0.0%"
    assert ctext._growth_words(math.nan, False) == "增速无法计算"


def test_closing_targets_sentences():
    reform_atts = {
        2024: reform_att([5, 4, 3], [0, 1, 0], [None] * 3, [None] * 3),
        2025: reform_att([23, 21, 17], [4, 2, 3], [True, True, False], [True, False, True]),
        2026: reform_att([19, 14, 11], [3, 2, 1], [False] * 3, [True, False, False]),
    }
    invest_atts = {
        2024: invest_att([0.1, 0.1, 0.1], [None] * 3),
        2025: invest_att([0.31, math.nan, 0.3], [True, None, True]),
        2026: invest_att([0.34, 0.2, -0.1], [True, False, False]),
    }
    out = clpresent.closing_targets_sentences(reform_atts, invest_atts, Targets(), "2026-10-31")
    # 2026 is in progress: no final verdict on year-to-date growth (#18), counts reached are 已达标
    assert out[0] == (
        "绥化经开区片区：2025 年：达标 3 项（复制推广、自主创新、到位资金增长）；"
        "2026 年截至 10 月 31 日：进行中 2 项（复制推广、到位资金增长），已达标 1 项（自主创新）。"
    )
    assert out[1] == (
        "肇东片区：2025 年：达标 1 项（复制推广），未达标 1 项（自主创新），无法判定 1 项（到位资金增长）；"
        "2026 年截至 10 月 31 日：进行中 3 项（复制推广、自主创新、到位资金增长）。"
    )
