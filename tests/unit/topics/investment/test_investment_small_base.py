"""Small-base rule of every investment growth table (issue #18, item 7)."""

import dataclasses

import pandas as pd
import pytest

from evalkit.config import ConfigError
from evalkit.topics.investment import present
from evalkit.topics.investment import structure as S
from evalkit.topics.investment.funds import growth_rate
from evalkit.topics.investment.wording import format_growth


def test_growth_on_a_tiny_base_is_not_shown_as_a_percentage():
    g, ok = growth_rate(5000, 0.5)
    # Before (no rule): "+999900.0%". After: the small-base wording with the amount.
    assert format_growth(g, ok, 0.5) == "+999900.0%"
    assert format_growth(g, ok, 0.5, min_base=500) == "基数过小（上年同期 0.5 万元）"
    # At or above the threshold, and for undefined growth, nothing changes.
    assert format_growth(*growth_rate(600, 500), 500, min_base=500) == "+20.0%"
    assert format_growth(*growth_rate(600, 0), 0.0, min_base=500) == "无法计算（基期为零）"


def _bd(base):
    return pd.DataFrame(
        {
            "zone_id": ["qinggang"],
            "category": ["5000万元以下"],
            "funds_wan_yuan": [5000.0],
            "base_wan_yuan": [base],
            "yoy_growth": [growth_rate(5000.0, base)[0]],
            "growth_defined": [True],
            "share": [0.01],
        }
    )


def test_breakdown_and_concentration_tables_apply_the_rule():
    # The 2025 demo case: ETDZ "5000万元以下" 209.2 → 2811.8 read "+1244.1%".
    table = present.breakdown_table(_bd(0.5), "项目规模（签约额）")
    assert table["同比增长"].iloc[0] == "基数过小（上年同期 0.5 万元）"
    assert present.breakdown_table(_bd(0.5), "x", min_base=None)["同比增长"].iloc[0] == (
        "+999900.0%"
    )
    assert present.breakdown_table(_bd(1000.0), "x")["同比增长"].iloc[0] == "+400.0%"
    conc = pd.DataFrame(
        {
            "zone_id": ["qinggang"],
            "n_projects": [2],
            "top1_project_id": ["P"],
            "top1_name": ["项目"],
            "top1_share": [0.9],
            "top3_share": [1.0],
            "hhi": [8200.0],
            "growth_ex_top1": [growth_rate(500.0, 2.0)[0]],
            "growth_ex_top1_defined": [True],
            "base_ex_top1": [2.0],
            "top1_increase_share": [0.5],
        }
    )
    att = _bd(1000.0).assign(target_growth=0.25)
    t = present.concentration_table(conc, att)
    assert t["剔除最大项目后同比增长"].iloc[0] == "基数过小（上年同期 2.0 万元）"
    r = next(att.assign(through_month=10, year=2026, met=True).itertuples(index=False))
    s = present.concentration_sentence(r, conc.iloc[0], min_base=500)
    assert "剔除最大项目后上年同期仅2.0万元，基数过小" in s and "%" not in s.split("；")[1]


def test_threshold_comes_from_configuration(tmp_path, investment_result):
    (tmp_path / "config").mkdir()
    assert S.load_min_base(tmp_path) == S.MIN_BASE_WAN_YUAN == 500.0
    cfg = tmp_path / "config" / "investment.yaml"
    cfg.write_text("growth:\n  min_base_wan_yuan: 1000\n", encoding="utf-8")
    assert S.load_min_base(tmp_path) == 1000.0
    cfg.write_text("growth:\n  min_base_wan_yuan: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_base_wan_yuan"):
        S.load_min_base(tmp_path)
    cfg.write_text("growth:\n  min_base: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys"):
        S.load_min_base(tmp_path)
    # The stored result carries the configured threshold (50 in the test dataset) and the
    # page's breakdown tables use it.
    res = investment_result
    assert res.min_base_wan_yuan == 50.0
    res = dataclasses.replace(res, by_size=_bd(40.0), min_base_wan_yuan=50.0)
    sizes = dict((n, t) for n, _, t in present.breakdown_tables(res))["investment_by_size"]
    assert sizes["同比增长"].iloc[0] == "基数过小（上年同期 40.0 万元）"
