"""Breakdowns, concentration and landing speed (evalkit.topics.investment.structure)."""

import math

import pandas as pd
import pytest
from investment_cases import funds_rows, projects_frame

from evalkit.config import ConfigError, Targets
from evalkit.topics.investment import funds as F
from evalkit.topics.investment import present
from evalkit.topics.investment import structure as S
from evalkit.topics.investment import wording as W


def test_concentration_measures_hand_worked():
    m = S.concentration_measures([20, 50, 30])
    assert m["n"] == 3
    assert m["top1_share"] == pytest.approx(0.5)
    assert m["top3_share"] == pytest.approx(1.0)
    assert m["hhi"] == pytest.approx(2500 + 900 + 400)
    m = S.concentration_measures([10, 40, 0, 30, 20])
    assert m["n"] == 4
    assert m["top3_share"] == pytest.approx(0.9)
    assert m["hhi"] == pytest.approx(1600 + 900 + 400 + 100)
    assert S.concentration_measures([0, 0])["n"] == 0


def test_concentration_growth_without_top_project():
    rows = (
        funds_rows("suihua_etdz", "A", 2025, [1], 100)
        + funds_rows("suihua_etdz", "B", 2025, [1], 100)
        + funds_rows("suihua_etdz", "A", 2026, [1], 400)
        + funds_rows("suihua_etdz", "B", 2026, [1], 110)
    )
    funds = pd.DataFrame(rows)
    att = F.attainment(funds, 2026, "2026-01-31", Targets())
    projects = pd.DataFrame({"project_id": ["A", "B"], "name": ["大项目", "小项目"]})
    conc = S.concentration(funds, projects, att).set_index("zone_id")
    e = conc.loc["suihua_etdz"]
    assert att.iloc[0]["yoy_growth"] == pytest.approx(510 / 200 - 1)
    assert e["top1_project_id"] == "A" and e["top1_name"] == "大项目"
    assert e["top1_share"] == pytest.approx(400 / 510)
    assert e["growth_ex_top1"] == pytest.approx(0.10)
    # Increase 510 - 200 = 310, of which project A brought 400 - 100 = 300.
    assert e["top1_increase_share"] == pytest.approx(300 / 310)
    text = "\n".join(present.narrative(att, conc=conc.reset_index()))
    assert "剔除最大项目后同比增速为+10.0%" in text
    assert "该项目贡献了同比增量的96.8%，增长主要依赖单个大项目" in text
    assert "若无该项目，将达不到增长目标" in text


def test_origin_and_size_classes():
    assert S.origin_group("harbin", None) == "省内·哈尔滨"
    assert S.origin_group("daqing", "") == "省内·大庆"
    assert S.origin_group("foreign", " 俄罗斯 ") == "境外·俄罗斯"
    assert S.origin_group("foreign", None) == "境外·未注明"
    assert S.size_class(4_999.99) == "5000万元以下"
    assert S.size_class(5_000) == "5000万—1亿元"
    assert S.size_class(10_000) == "1亿—10亿元"
    assert S.size_class(100_000) == "10亿元及以上"


def test_breakdown_by_origin():
    rows = (
        funds_rows("zhaodong", "P1", 2025, [1], 100)
        + funds_rows("zhaodong", "P1", 2026, [1], 150)
        + funds_rows("zhaodong", "P2", 2026, [1], 50)
    )
    funds = pd.DataFrame(rows)
    projects = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "zone_id": ["zhaodong", "zhaodong"],
            "origin": ["harbin", "foreign"],
            "origin_detail": [None, "俄罗斯"],
        }
    )
    att = F.attainment(funds, 2026, "2026-01-31", Targets())
    bd = S.breakdown(funds, projects, att, "origin")
    bd = bd[bd["zone_id"] == "zhaodong"].set_index("category")
    assert list(bd.index) == ["省内·哈尔滨", "境外·俄罗斯"]
    assert bd.loc["省内·哈尔滨", "yoy_growth"] == pytest.approx(0.5)
    assert bd.loc["省内·哈尔滨", "share"] == pytest.approx(0.75)
    assert not bd.loc["境外·俄罗斯", "growth_defined"]
    table = present.breakdown_table(bd.reset_index(), "投资方来源")
    assert W.UNDEFINED_ZERO in set(table["同比增长"])


def test_landing_funnel_medians_and_as_of():
    f = S.landing_funnel(projects_frame(), "2026-10-31")
    q25 = f[(f["zone_id"] == "qinggang") & (f["signed_year"] == 2025)].iloc[0]
    assert (q25["signed"], q25["started"], q25["producing"]) == (2, 2, 1)
    assert q25["median_days_to_start"] == pytest.approx((30 + 40) / 2)
    assert q25["median_days_to_production"] == pytest.approx(180)
    q26 = f[(f["zone_id"] == "qinggang") & (f["signed_year"] == 2026)].iloc[0]
    assert q26["started"] == 0 and math.isnan(q26["median_days_to_start"])


def test_stalled_projects_threshold():
    s = S.stalled_projects(projects_frame(), "2026-10-31", S.LandingConfig(180, 500))
    # C: signed 2026-01-01, 303 days without construction; D only 60 days.
    # B: under construction since 2025-04-10, 569 days > 500.
    assert list(s["project_id"]) == ["B", "C"]
    assert list(s["days"]) == [569, 303]
    s2 = S.stalled_projects(projects_frame(), "2026-10-31", S.LandingConfig(400, 600))
    assert s2.empty


def test_landing_config_yaml(tmp_path):
    (tmp_path / "config").mkdir()
    assert S.load_landing_config(tmp_path) == S.LandingConfig()
    (tmp_path / "config" / "investment.yaml").write_text(
        "landing:\n  stall_days_signed: 90\n", encoding="utf-8"
    )
    assert S.load_landing_config(tmp_path).stall_days_signed == 90
    (tmp_path / "config" / "investment.yaml").write_text(
        "landing:\n  stall_days_signed: -1\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="stall_days_signed"):
        S.load_landing_config(tmp_path)
