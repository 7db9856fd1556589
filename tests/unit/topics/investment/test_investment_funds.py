"""Hand-worked examples for the funds-in-place rules (evalkit.topics.investment.funds)."""

import math

import pandas as pd
import pytest
from investment_cases import funds_frame, funds_rows

from evalkit.config import Targets
from evalkit.topics.investment import funds as F
from evalkit.topics.investment import present
from evalkit.topics.investment import wording as W


@pytest.fixture
def funds():
    return funds_frame()


def test_attainment_year_to_date_zero_base_and_late_zone(funds):
    att = F.attainment(funds, 2026, "2026-10-31", Targets())
    assert list(att.columns) == F.ATTAINMENT_COLUMNS
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
    assert F.late_zones(att, 2026, "2026-10-31") == ["qinggang"]


def test_attainment_finished_year_uses_twelve_months(funds):
    extra = pd.DataFrame(
        funds_rows("suihua_etdz", "E1", 2026, [11, 12], 150)
        + funds_rows("qinggang", "Q1", 2026, range(10, 13), 110)
        + funds_rows("zhaodong", "Z1", 2026, [12], 0)
    )
    att = F.attainment(pd.concat([funds, extra]), 2026, "2027-03-31", Targets())
    e = att.set_index("zone_id").loc["suihua_etdz"]
    assert e["through_month"] == 12
    assert e["funds_wan_yuan"] == 1800 and e["base_wan_yuan"] == 1200
    assert att.set_index("zone_id").loc["qinggang", "yoy_growth"] == pytest.approx(0.1)
    assert F.late_zones(att, 2026, "2027-03-31") == []
    text = "\n".join(present.narrative(att))
    assert "绥化经开区片区2026年全年到位资金1,800万元，同比增长50.0%" in text


def test_attainment_ignores_months_after_as_of(funds):
    later = pd.DataFrame(funds_rows("suihua_etdz", "E1", 2026, [11, 12], 10_000))
    att = F.attainment(pd.concat([funds, later]), 2026, "2026-10-31", Targets())
    assert att.iloc[0]["funds_wan_yuan"] == 1500


def test_base_missing_when_data_start_after_base_year(funds):
    only_2026 = funds[funds["month"].dt.year == 2026]
    att = F.attainment(only_2026, 2026, "2026-10-31", Targets())
    assert att["base_wan_yuan"].isna().all()
    assert not att["growth_defined"].any()
    assert att["met"].isna().all()
    table = present.attainment_table(att, 10, False)
    assert set(table["同比增长"]) == {W.UNDEFINED_MISSING}


def test_partial_first_year_is_not_scored(funds):
    att = F.attainment(funds, 2026, "2026-10-31", Targets(first_year=2026))
    assert att.iloc[0]["yoy_growth"] == pytest.approx(0.5)
    assert att["met"].isna().all()


def test_zone_override_target(funds):
    t = Targets(zone_overrides={"qinggang": {"funds_growth": 0.05}})
    att = F.attainment(funds, 2026, "2026-10-31", t).set_index("zone_id")
    assert att.loc["qinggang", "target_growth"] == 0.05
    assert att.loc["qinggang", "met"] is True


def test_attainment_table_never_shows_nan_or_inf(funds):
    att = F.attainment(funds, 2026, "2026-10-31", Targets())
    table = present.attainment_table(att, 10, False)
    text = table.to_string()
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert list(table["同比增长"]) == ["+50.0%", W.UNDEFINED_ZERO, "+10.0%"]
    assert list(table["是否达标"]) == ["达标", "不评判", "未达标"]
    assert "迟报" in table["报送情况"].iloc[2]
    assert list(table["统计期"]) == ["1—10月", "1—10月", "1—9月"]


def test_growth_rate_rules():
    assert F.growth_rate(125.0, 100.0) == (pytest.approx(0.25), True)
    g, ok = F.growth_rate(10.0, 0.0)
    assert math.isnan(g) and not ok
    g, ok = F.growth_rate(10.0, float("nan"))
    assert math.isnan(g) and not ok
    assert W.format_growth(-0.0512, True) == "-5.1%"
    assert W.format_growth(float("nan"), False, 0.0) == W.UNDEFINED_ZERO


def test_as_of_before_year_is_an_error(funds):
    with pytest.raises(ValueError, match="as-of date is before"):
        F.attainment(funds, 2027, "2026-10-31", Targets())
