"""Hand-worked examples for the funds-in-place rules (evalkit.investment)."""

import math

import pandas as pd
import pytest

from evalkit import investment as inv
from evalkit.config import Targets


def _rows(zone, project, year, months, amount):
    return [
        {
            "project_id": project,
            "zone_id": zone,
            "month": pd.Timestamp(year=year, month=m, day=1),
            "funds_wan_yuan": float(amount),
        }
        for m in months
    ]


@pytest.fixture
def funds():
    rows = []
    # 绥化经开区: 100/month in 2025, 150/month in 2026 → Jan–Oct 1500 vs 1000 = +50 %.
    rows += _rows("suihua_etdz", "E1", 2025, range(1, 13), 100)
    rows += _rows("suihua_etdz", "E1", 2026, range(1, 11), 150)
    # 肇东: nothing in 2025 (dataset starts 2025-01, so the base is zero, not missing);
    # 200 in March 2026 and a zero row for October (the zone reported October).
    rows += _rows("zhaodong", "Z1", 2026, [3], 200)
    rows += _rows("zhaodong", "Z1", 2026, [10], 0)
    # 青冈: late — only January–September 2026 reported; 110/month vs 100/month.
    rows += _rows("qinggang", "Q1", 2025, range(1, 13), 100)
    rows += _rows("qinggang", "Q1", 2026, range(1, 10), 110)
    return pd.DataFrame(rows)


def test_attainment_year_to_date_zero_base_and_late_zone(funds):
    att = inv.attainment(funds, 2026, "2026-10-31", Targets())
    assert list(att.columns) == inv.ATTAINMENT_COLUMNS
    assert list(att["zone_id"]) == ["suihua_etdz", "zhaodong", "qinggang"]
    e, z, q = (att.iloc[i] for i in range(3))
    # 累计同比: Jan–Oct vs Jan–Oct.
    assert e["through_month"] == 10
    assert e["funds_wan_yuan"] == 1500 and e["base_wan_yuan"] == 1000
    assert e["yoy_growth"] == pytest.approx(0.5)
    assert e["growth_defined"] and e["met"] is True
    # Zero base: undefined, never inf.
    assert z["funds_wan_yuan"] == 200 and z["base_wan_yuan"] == 0
    assert math.isnan(z["yoy_growth"]) and not z["growth_defined"] and z["met"] is None
    # Late zone: compared like for like over Jan–Sep, not treated as zero for October.
    assert q["through_month"] == 9
    assert q["funds_wan_yuan"] == 990 and q["base_wan_yuan"] == 900
    assert q["yoy_growth"] == pytest.approx(0.1) and q["met"] is False
    assert inv.late_zones(att, 2026, "2026-10-31") == ["qinggang"]


def test_attainment_finished_year_uses_twelve_months(funds):
    extra = pd.DataFrame(
        _rows("suihua_etdz", "E1", 2026, [11, 12], 150)
        + _rows("qinggang", "Q1", 2026, range(10, 13), 110)
        + _rows("zhaodong", "Z1", 2026, [12], 0)
    )
    att = inv.attainment(pd.concat([funds, extra]), 2026, "2027-03-31", Targets())
    e = att.set_index("zone_id").loc["suihua_etdz"]
    assert e["through_month"] == 12
    assert e["funds_wan_yuan"] == 1800 and e["base_wan_yuan"] == 1200
    assert att.set_index("zone_id").loc["qinggang", "yoy_growth"] == pytest.approx(0.1)
    assert inv.late_zones(att, 2026, "2027-03-31") == []
    text = "\n".join(inv.narrative(att, Targets()))
    assert "绥化经开区片区2026年全年到位资金1,800万元，同比增长50.0%" in text


def test_attainment_ignores_months_after_as_of(funds):
    later = pd.DataFrame(_rows("suihua_etdz", "E1", 2026, [11, 12], 10_000))
    att = inv.attainment(pd.concat([funds, later]), 2026, "2026-10-31", Targets())
    assert att.iloc[0]["funds_wan_yuan"] == 1500


def test_base_missing_when_data_start_after_base_year(funds):
    only_2026 = funds[funds["month"].dt.year == 2026]
    att = inv.attainment(only_2026, 2026, "2026-10-31", Targets())
    assert att["base_wan_yuan"].isna().all()
    assert not att["growth_defined"].any()
    assert att["met"].isna().all()
    table = inv.attainment_table(att, 2026, "2026-10-31", Targets())
    assert set(table["同比增长"]) == {inv.UNDEFINED_MISSING}


def test_partial_first_year_is_not_scored(funds):
    att = inv.attainment(funds, 2026, "2026-10-31", Targets(first_year=2026))
    assert att.iloc[0]["yoy_growth"] == pytest.approx(0.5)
    assert att["met"].isna().all()


def test_zone_override_target(funds):
    t = Targets(zone_overrides={"qinggang": {"funds_growth": 0.05}})
    att = inv.attainment(funds, 2026, "2026-10-31", t).set_index("zone_id")
    assert att.loc["qinggang", "target_growth"] == 0.05
    assert att.loc["qinggang", "met"] is True


def test_attainment_table_never_shows_nan_or_inf(funds):
    att = inv.attainment(funds, 2026, "2026-10-31", Targets())
    table = inv.attainment_table(att, 2026, "2026-10-31", Targets())
    text = table.to_string()
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert list(table["同比增长"]) == ["+50.0%", inv.UNDEFINED_ZERO, "+10.0%"]
    assert list(table["是否达标"]) == ["达标", "不评判", "未达标"]
    assert "迟报" in table["报送情况"].iloc[2]
    assert list(table["统计期"]) == ["1—10月", "1—10月", "1—9月"]


def test_growth_rate_rules():
    assert inv.growth_rate(125.0, 100.0) == (pytest.approx(0.25), True)
    g, ok = inv.growth_rate(10.0, 0.0)
    assert math.isnan(g) and not ok
    g, ok = inv.growth_rate(10.0, float("nan"))
    assert math.isnan(g) and not ok
    assert inv.format_growth(-0.0512, True) == "-5.1%"
    assert inv.format_growth(float("nan"), False, 0.0) == inv.UNDEFINED_ZERO


def test_as_of_before_year_is_an_error(funds):
    with pytest.raises(ValueError, match="as-of date is before"):
        inv.attainment(funds, 2027, "2026-10-31", Targets())


def test_concentration_measures_hand_worked():
    m = inv.concentration_measures([20, 50, 30])
    assert m["n"] == 3
    assert m["top1_share"] == pytest.approx(0.5)
    assert m["top3_share"] == pytest.approx(1.0)
    assert m["hhi"] == pytest.approx(2500 + 900 + 400)
    m = inv.concentration_measures([10, 40, 0, 30, 20])
    assert m["n"] == 4
    assert m["top3_share"] == pytest.approx(0.9)
    assert m["hhi"] == pytest.approx(1600 + 900 + 400 + 100)
    assert inv.concentration_measures([0, 0])["n"] == 0


def test_concentration_growth_without_top_project():
    rows = (
        _rows("suihua_etdz", "A", 2025, [1], 100)
        + _rows("suihua_etdz", "B", 2025, [1], 100)
        + _rows("suihua_etdz", "A", 2026, [1], 400)
        + _rows("suihua_etdz", "B", 2026, [1], 110)
    )
    funds = pd.DataFrame(rows)
    att = inv.attainment(funds, 2026, "2026-01-31", Targets())
    projects = pd.DataFrame({"project_id": ["A", "B"], "name": ["大项目", "小项目"]})
    conc = inv.concentration(funds, projects, att).set_index("zone_id")
    e = conc.loc["suihua_etdz"]
    assert att.iloc[0]["yoy_growth"] == pytest.approx(510 / 200 - 1)
    assert e["top1_project_id"] == "A" and e["top1_name"] == "大项目"
    assert e["top1_share"] == pytest.approx(400 / 510)
    assert e["growth_ex_top1"] == pytest.approx(0.10)
    # Increase 510 - 200 = 310, of which project A brought 400 - 100 = 300.
    assert e["top1_increase_share"] == pytest.approx(300 / 310)
    text = "\n".join(inv.narrative(att, Targets(), conc=conc.reset_index()))
    assert "剔除最大项目后同比增速为+10.0%" in text
    assert "该项目贡献了同比增量的96.8%，增长主要依赖单个大项目" in text
    assert "若无该项目，将达不到增长目标" in text


def test_origin_and_size_classes():
    assert inv.origin_group("harbin", None) == "省内·哈尔滨"
    assert inv.origin_group("daqing", "") == "省内·大庆"
    assert inv.origin_group("foreign", " 俄罗斯 ") == "境外·俄罗斯"
    assert inv.origin_group("foreign", None) == "境外·未注明"
    assert inv.size_class(4_999.99) == "5000万元以下"
    assert inv.size_class(5_000) == "5000万—1亿元"
    assert inv.size_class(10_000) == "1亿—10亿元"
    assert inv.size_class(100_000) == "10亿元及以上"


def test_breakdown_by_origin():
    rows = (
        _rows("zhaodong", "P1", 2025, [1], 100)
        + _rows("zhaodong", "P1", 2026, [1], 150)
        + _rows("zhaodong", "P2", 2026, [1], 50)
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
    att = inv.attainment(funds, 2026, "2026-01-31", Targets())
    bd = inv.breakdown(funds, projects, att, "origin")
    bd = bd[bd["zone_id"] == "zhaodong"].set_index("category")
    assert list(bd.index) == ["省内·哈尔滨", "境外·俄罗斯"]
    assert bd.loc["省内·哈尔滨", "yoy_growth"] == pytest.approx(0.5)
    assert bd.loc["省内·哈尔滨", "share"] == pytest.approx(0.75)
    assert not bd.loc["境外·俄罗斯", "growth_defined"]
    table = inv.breakdown_table(bd.reset_index(), "投资方来源")
    assert inv.UNDEFINED_ZERO in set(table["同比增长"])


def _projects():
    return pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "zone_id": ["qinggang", "qinggang", "qinggang", "zhaodong"],
            "name": ["甲", "乙", "丙", "丁"],
            "signed": pd.to_datetime(["2025-01-01", "2025-03-01", "2026-01-01", "2026-09-01"]),
            "construction_started": pd.to_datetime(["2025-01-31", "2025-04-10", None, None]),
            # B's production date is after the as-of date: not known yet.
            "in_production": pd.to_datetime(["2025-07-30", "2026-12-01", None, None]),
        }
    )


def test_landing_funnel_medians_and_as_of():
    f = inv.landing_funnel(_projects(), "2026-10-31")
    q25 = f[(f["zone_id"] == "qinggang") & (f["signed_year"] == 2025)].iloc[0]
    assert (q25["signed"], q25["started"], q25["producing"]) == (2, 2, 1)
    assert q25["median_days_to_start"] == pytest.approx((30 + 40) / 2)
    assert q25["median_days_to_production"] == pytest.approx(180)
    q26 = f[(f["zone_id"] == "qinggang") & (f["signed_year"] == 2026)].iloc[0]
    assert q26["started"] == 0 and math.isnan(q26["median_days_to_start"])


def test_stalled_projects_threshold():
    s = inv.stalled_projects(_projects(), "2026-10-31", inv.LandingConfig(180, 500))
    # C: signed 2026-01-01, 303 days without construction; D only 60 days.
    # B: under construction since 2025-04-10, 569 days > 500.
    assert list(s["project_id"]) == ["B", "C"]
    assert list(s["days"]) == [569, 303]
    s2 = inv.stalled_projects(_projects(), "2026-10-31", inv.LandingConfig(400, 600))
    assert s2.empty


def test_landing_config_yaml(tmp_path):
    (tmp_path / "config").mkdir()
    assert inv.load_landing_config(tmp_path) == inv.LandingConfig()
    (tmp_path / "config" / "investment.yaml").write_text(
        "landing:\n  stall_days_signed: 90\n", encoding="utf-8"
    )
    assert inv.load_landing_config(tmp_path).stall_days_signed == 90
    (tmp_path / "config" / "investment.yaml").write_text(
        "landing:\n  stall_days_signed: -1\n", encoding="utf-8"
    )
    with pytest.raises(inv.ConfigError, match="stall_days_signed"):
        inv.load_landing_config(tmp_path)


def test_narrative_and_summary(funds):
    att = inv.attainment(funds, 2026, "2026-10-31", Targets())
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
    s = inv.narrative(att, Targets(), late=["qinggang"], projections=proj)
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
    part = inv.summary_part(att)["zones"]
    assert part["suihua_etdz"]["funds_yoy_growth"] == pytest.approx(0.5)
    assert part["suihua_etdz"]["targets_met"] == {"funds_growth": True}
    assert part["zhaodong"]["funds_yoy_growth"] is None
    assert part["zhaodong"]["targets_met"] == {"funds_growth": None}
    assert part["qinggang"]["funds_in_place_wan_yuan"] == 990


def test_backtest_sentence_flags_low_coverage():
    summary = pd.DataFrame(
        {
            "model": ["ratio", "ets"],
            "n": [60, 0],
            "mape": [0.109, float("nan")],
            "median_ape": [0.08, float("nan")],
            "coverage80": [0.6667, float("nan")],
            "coverage95": [0.90, float("nan")],
        }
    )
    s = inv.backtest_sentence(summary, "ratio", [2024, 2025])
    assert "2024、2025年的60次回测" in s
    assert "平均绝对百分比误差为10.9%" in s and "80%预测区间实际覆盖66.7%" in s
    assert "预测区间可能偏窄" in s
    ok = summary.assign(coverage80=[0.8, 0.0], coverage95=[0.95, 0.0])
    assert "偏窄" not in inv.backtest_sentence(ok, "ratio", [2025])
    assert "未能回测" in inv.backtest_sentence(summary, "ets", [2025])
