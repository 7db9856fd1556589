"""Flagged data handled by rule, and the zones' trade total on a common basis (issue #18).

Minimal inputs: a spike that reverses a cumulative change, two zones growing +10 %
with a third missing a year or a month, a small base.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evalkit.topics.logistics import anomaly as A
from evalkit.topics.logistics import flagged as F
from evalkit.topics.logistics import indicators as I
from evalkit.topics.logistics import narrative as N
from evalkit.topics.logistics import present as P
from evalkit.topics.logistics import present_flagged as PF
from evalkit.topics.logistics import settings as S
from evalkit.topics.summary import present as SP

PROJECT = S.load_config("data")
CONFIG = S.LogisticsConfig(aggregation=PROJECT.aggregation, small_base={S.FOREIGN_TRADE: 1000.0})
ZONES3 = ["suihua_etdz", "zhaodong", "qinggang"]


def frame(rows) -> pd.DataFrame:
    """A logistics_monthly frame from (zone, 'YYYY-MM', indicator, value)."""
    df = pd.DataFrame(rows, columns=["zone_id", "month", "indicator", "value"])
    df["month"] = pd.to_datetime(df["month"] + "-01")
    df["value"] = df["value"].astype(float)
    return df


def trade_rows(zone, year, exports, imports=None):
    """Monthly export (and import, default 0) rows of *zone* from January of *year*."""
    imports = imports or [0.0] * len(exports)
    rows = []
    for k, (e, i) in enumerate(zip(exports, imports, strict=True)):
        m = f"{year}-{k + 1:02d}"
        rows += [(zone, m, "export_value", e), (zone, m, "import_value", i)]
    return rows


def evaluate(data, year, as_of, zones=None):
    """The logistics recipe's flagged-data steps on *data* (no STL: series are short)."""
    zones = zones or ZONES3
    kw = {"zones": zones, "indicators": [S.FOREIGN_TRADE]}
    panel = I.indicator_panel(data, year, as_of, CONFIG, **kw)
    flagged = F.flagged_values(
        data, as_of, pd.DataFrame(columns=A.ANOMALY_COLUMNS), A.components_frame([])
    )
    alt = I.indicator_panel(F.replace_flagged(data, flagged), year, as_of, CONFIG, **kw)
    last = I.month_start(as_of)
    checks = F.headline_checks(panel, alt, flagged, last)
    trade = F.trade_total(panel, alt, flagged, last, CONFIG.threshold(S.FOREIGN_TRADE))
    return SimpleNamespace(panel=panel, flagged=flagged, checks=checks, trade=trade)


def spike_data():
    """One zone, Jan–Mar: 2025 February exports 12 000 (neighbours 1 000), 2026 +10 %."""
    rows = trade_rows("suihua_etdz", 2025, [1000.0, 12000.0, 1000.0])
    rows += trade_rows("suihua_etdz", 2026, [1100.0, 1100.0, 1100.0])
    return frame(rows)


def test_spike_rule_matches_intake_and_replaces_by_the_neighbours_mean():
    data = spike_data()
    spikes = F.spike_months(data)
    assert list(spikes["month"]) == [pd.Timestamp("2025-02-01")]
    res = evaluate(data, 2026, "2026-03-31", zones=["suihua_etdz"])
    f = res.flagged.iloc[0]
    assert (f["value"], f["replacement"], f["source"]) == (12000.0, 1000.0, "spike")
    # The submitted value stays in the data; only the sensitivity copy is replaced.
    assert data["value"].max() == 12000.0
    assert F.replace_flagged(data, res.flagged)["value"].max() == 1100.0


def test_stl_flag_is_replaced_by_the_fitted_value():
    s = pd.Series(
        1000 + 150 * np.sin(2 * np.pi * np.arange(46) / 12),
        index=pd.date_range("2022-01-01", periods=46, freq="MS"),
    )
    s.iloc[30] = 15000.0
    data = frame([("zhaodong", f"{m:%Y-%m}", "export_value", v) for m, v in s.items()])
    dec = A.decompose(s, zone_id="zhaodong", indicator="export_value", config=PROJECT)
    flagged = F.flagged_values(data, "2025-10-31", A.anomalies_of(dec), A.components_frame([dec]))
    r = flagged.iloc[0]
    fitted = dec.frame["trend"].iloc[30] + dec.frame["seasonal"].iloc[30]
    assert r["source"] == "stl+spike" and r["replacement"] == pytest.approx(fitted)
    assert abs(r["replacement"] - 1000 - 150 * np.sin(2 * np.pi * 30 / 12)) < 50


def test_direction_that_depends_on_a_flagged_month_is_stated_with_both_figures():
    # Before (#18): the page said only "下降 …%" (official −76.4 %), no warning.
    res = evaluate(spike_data(), 2026, "2026-03-31", zones=["suihua_etdz"])
    c = res.checks.iloc[0]
    assert c["ytd_change"] == pytest.approx(3300 / 14000 - 1)  # −76.4 %, official
    assert c["ytd_change_alt"] == pytest.approx(0.10)  # +10 % with Feb 2025 replaced
    assert c["depends"] and c["flagged_months"] == ["2025-02 export_value"]
    t = res.trade
    assert t.growth == pytest.approx(3300 / 14000 - 1) and t.growth_alt == pytest.approx(0.10)
    assert t.depends and t.flagged_months == ["suihua_etdz 2025-02 export_value"]
    text = N.trade_total_sentence(t, res.flagged, 2026)
    assert "下降 76.4%" in text and "增长 10.0%" in text
    assert "2025 年 2 月出口额（报送 12,000 万元" in text
    assert "增减方向取决于该数值" in text
    # The home page states it where the finding is stated.
    dims = pd.DataFrame(
        {"year": [2026], "dimension": ["trade_logistics"], "zone_id": ["zhaodong"], "score": [1.0]}
    )
    logistics = SimpleNamespace(trade=t, flagged=res.flagged)
    finding = SP.trade_finding(pd.DataFrame(), dims, 2026, logistics=logistics)
    assert "下降 76.4%" in finding and "增长 10.0%" in finding and "2025 年 2 月" in finding


def test_same_direction_still_gives_the_sensitivity_figure():
    rows = trade_rows("suihua_etdz", 2025, [1000.0, 12000.0, 1000.0])
    rows += trade_rows("suihua_etdz", 2026, [1100.0, 20000.0, 1100.0])
    res = evaluate(frame(rows), 2026, "2026-03-31", zones=["suihua_etdz"])
    # 2026 February is a spike too: both replaced; +58.6 % official, +10.0 % replaced.
    assert res.trade.growth == pytest.approx(22200 / 14000 - 1)
    assert res.trade.growth_alt == pytest.approx(3300 / 3000 - 1)
    assert not res.trade.depends
    assert "增减方向不变" in N.trade_total_sentence(res.trade, res.flagged, 2026)


def test_summary_part_carries_both_figures_and_the_flagged_month():
    res = evaluate(spike_data(), 2026, "2026-03-31", zones=["suihua_etdz"])
    part = P.summary_part(
        res.panel,
        pd.DataFrame(columns=A.ANOMALY_COLUMNS),
        "2026-03-31",
        res.flagged,
        res.checks,
        res.trade,
    )
    z = part["zones"]["suihua_etdz"]["logistics"]
    assert z["foreign_trade_ytd_growth"] == pytest.approx(3300 / 14000 - 1)
    assert z["foreign_trade_ytd_growth_flagged_replaced"] == pytest.approx(0.10)
    assert z["foreign_trade_ytd_depends_on_flagged"] is True
    assert z["foreign_trade_ytd_anomaly_months"] == ["2025-02 export_value"]
    trade = part["trade"]
    assert trade["depends_on_flagged"] is True
    assert trade["flagged_months"] == ["suihua_etdz 2025-02 export_value"]
    assert trade["foreign_trade_ytd_growth_flagged_replaced"] == pytest.approx(0.10)


def test_two_zones_growing_ten_percent_with_a_third_missing_a_year():
    # Before (#18): every zone's values summed per year → 3 000 → 2 200, "下降 26.7%".
    rows = []
    for z in ("suihua_etdz", "zhaodong"):
        rows += trade_rows(z, 2025, [500.0, 500.0]) + trade_rows(z, 2026, [550.0, 550.0])
    rows += trade_rows("qinggang", 2025, [500.0, 500.0])  # nothing in 2026
    res = evaluate(frame(rows), 2026, "2026-02-28")
    t = res.trade
    assert t.zones == ["suihua_etdz", "zhaodong"]
    assert t.excluded == [["qinggang", 0, True]]
    assert (t.total, t.base) == (2200.0, 2000.0) and t.growth == pytest.approx(0.10)
    text = N.trade_total_sentence(t, res.flagged, 2026)
    assert "两个片区进出口额合计 2,200 万元" in text and "增长 10.0%" in text
    assert "青冈片区本年仅报送 0 个月，未计入" in text
    old = pd.DataFrame(
        {
            "indicator": "foreign_trade",
            "year": [2025, 2025, 2025, 2026, 2026],
            "value": [1000.0, 1000.0, 1000.0, 1100.0, 1100.0],
        }
    )
    assert "下降 26.7%" in SP._trade_total_from_scores(old, 2026, "foreign_trade", "进出口额", None)


def test_a_zone_reporting_nine_months_is_not_compared_with_ten():
    rows = []
    for z in ("suihua_etdz", "zhaodong"):
        rows += trade_rows(z, 2025, [100.0] * 10) + trade_rows(z, 2026, [110.0] * 10)
    rows += trade_rows("qinggang", 2025, [100.0] * 10) + trade_rows("qinggang", 2026, [110.0] * 9)
    res = evaluate(frame(rows), 2026, "2026-10-31")
    t = res.trade
    assert t.zones == ["suihua_etdz", "zhaodong"] and t.growth == pytest.approx(0.10)
    text = N.trade_total_sentence(t, res.flagged, 2026)
    assert "按两年均完整报送 1—10 月的两个片区比较" in text
    assert "青冈片区本年仅报送 9 个月" in text


def test_small_base_of_the_total_is_worded_not_a_headline():
    rows = trade_rows("zhaodong", 2025, [0.5, 0.5]) + trade_rows("zhaodong", 2026, [2500.0] * 2)
    res = evaluate(frame(rows), 2026, "2026-02-28", zones=["zhaodong"])
    assert res.trade.flag == "small_base"
    text = N.trade_total_sentence(res.trade, res.flagged, 2026)
    assert "上年基数低于 1,000 万元，该增速仅供参考" in text
    assert P.trade_summary(res.trade)["foreign_trade_ytd_growth"] is None


def test_flagged_table_and_thresholds_for_the_page():
    res = evaluate(spike_data(), 2026, "2026-03-31", zones=["suihua_etdz"])
    t = PF.flagged_display(res.flagged)
    assert list(t.iloc[0][["月份", "报送值", "拟合值（敏感性测算用）"]]) == [
        "2025-02",
        12000.0,
        1000.0,
    ]
    status = pd.DataFrame({"screened": [True, True, False], "z_threshold": [4.14, 4.25, np.nan]})
    assert PF.threshold_words(status) == "|Z| > 4.14—4.25"
    assert PF.flagged_display(res.flagged.iloc[0:0]).empty
