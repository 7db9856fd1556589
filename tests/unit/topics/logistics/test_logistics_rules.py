"""Tests of the logistics and trade evaluation rules on hand-built series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import median_abs_deviation

from evalkit.config import ConfigError
from evalkit.schema import LOGISTICS_INDICATORS, ZONES
from evalkit.topics.logistics import anomaly as A
from evalkit.topics.logistics import corridor as C
from evalkit.topics.logistics import indicators as I
from evalkit.topics.logistics import narrative as N
from evalkit.topics.logistics import present as P
from evalkit.topics.logistics import settings as S

#: The project's declared indicator rules (data/config/logistics.yaml): flows summed,
#: cold-chain capacity and delivery coverage latest month (coverage in points),
#: clearance hours averaged and lower-is-better.
PROJECT = S.load_config("data")


def rules_config(**kw) -> S.LogisticsConfig:
    """Settings with the project's aggregation rules and the given thresholds/targets."""
    return S.LogisticsConfig(
        aggregation=PROJECT.aggregation,
        point_change=PROJECT.point_change,
        lower_is_better=PROJECT.lower_is_better,
        **kw,
    )


#: An ``indicators`` section declaring every indicator as a flow (for parse tests).
ALL_SUM = {i: {"aggregation": "sum"} for i in S.all_indicators()}


def long_frame(rows):
    """Build a logistics_monthly-shaped frame from (zone, 'YYYY-MM', indicator, value) tuples."""
    df = pd.DataFrame(rows, columns=["zone_id", "month", "indicator", "value"])
    df["month"] = pd.to_datetime(df["month"] + "-01")
    df["value"] = df["value"].astype(float)
    return df


def monthly(zone, indicator, start, values):
    """Rows of one series from *start* ('YYYY-MM'); None values are left out (not submitted)."""
    months = pd.date_range(start + "-01", periods=len(values), freq="MS")
    return [
        (zone, m.strftime("%Y-%m"), indicator, v)
        for m, v in zip(months, values, strict=True)
        if v is not None
    ]


def row(panel, zone, indicator, month):
    sel = panel[
        (panel["zone_id"] == zone)
        & (panel["indicator"] == indicator)
        & (panel["month"] == pd.Timestamp(month + "-01"))
    ]
    assert len(sel) == 1
    return sel.iloc[0]


# --- year-on-year, cumulative, small base ---------------------------------------------

# 2025: Jan..Apr, 2026: Jan..Apr with February 2026 not submitted.
EXPORTS_2025 = [100.0, 80.0, 120.0, 50.0]
EXPORTS_2026 = [130.0, None, 150.0, 40.0]


@pytest.fixture
def panel():
    rows = monthly("zhaodong", "export_value", "2025-01", EXPORTS_2025 + [60.0] * 8)
    rows += monthly("zhaodong", "export_value", "2026-01", EXPORTS_2026)
    # Zero in the base period (January 2025), then positive.
    rows += monthly("zhaodong", "train_departures", "2025-01", [0, 2, 2, 2] + [2] * 8)
    rows += monthly("zhaodong", "train_departures", "2026-01", [3, 4, 1, 2])
    # Shares: a coverage rate is a stock, never summed; change in percentage points.
    rows += monthly("zhaodong", "village_delivery_share", "2025-01", [80, 81, 82, 83] + [84] * 8)
    rows += monthly("zhaodong", "village_delivery_share", "2026-01", [90, 91, 92, 93.5])
    # Hours are averaged over months.
    rows += monthly("zhaodong", "clearance_hours", "2025-01", [40, 30, 20, 30] + [30] * 8)
    rows += monthly("zhaodong", "clearance_hours", "2026-01", [20, 10, 30, 20])
    config = rules_config(
        small_base={"export_value": 90.0, "train_departures": 5.0},
        targets={"export_value": {"default": 1000.0, "zhaodong": 500.0}},
    )
    return I.indicator_panel(
        long_frame(rows),
        2026,
        "2026-04-30",
        config,
        zones=["zhaodong", "qinggang"],
        indicators=[
            "export_value",
            "train_departures",
            "village_delivery_share",
            "clearance_hours",
        ],
    )


def test_year_on_year_growth_against_hand_arithmetic(panel):
    r = row(panel, "zhaodong", "export_value", "2026-03")
    assert r["value"] == 150.0 and r["base"] == 120.0
    assert r["yoy"] == pytest.approx(150 / 120 - 1)
    assert r["yoy_flag"] == "ok"


def test_missing_month_stays_missing_and_blocks_cumulative(panel):
    feb = row(panel, "zhaodong", "export_value", "2026-02")
    assert not feb["submitted"] and math.isnan(feb["value"])
    assert feb["yoy_flag"] == "missing" and math.isnan(feb["yoy"])
    mar = row(panel, "zhaodong", "export_value", "2026-03")
    # January–March is incomplete: shown as missing, never as the smaller sum 130 + 150.
    assert math.isnan(mar["ytd"]) and mar["ytd_months"] == 2
    assert mar["ytd_flag"] == "missing"
    assert math.isnan(mar["attainment"])


def test_cumulative_change_of_a_flow_is_sum_over_sum(panel):
    jan = row(panel, "zhaodong", "export_value", "2026-01")
    assert jan["ytd"] == 130.0 and jan["ytd_base"] == 100.0
    assert jan["ytd_change"] == pytest.approx(0.30)
    assert jan["attainment"] == pytest.approx(130 / 500)  # zone override beats default
    trains = row(panel, "zhaodong", "train_departures", "2026-04")
    assert trains["ytd"] == 3 + 4 + 1 + 2
    assert trains["ytd_base"] == 0 + 2 + 2 + 2
    assert trains["ytd_change"] == pytest.approx(10 / 6 - 1)


def test_small_base_is_flagged_but_still_computed(panel):
    apr = row(panel, "zhaodong", "export_value", "2026-04")
    assert apr["base"] == 50.0 and apr["yoy_flag"] == "small_base"
    assert apr["yoy"] == pytest.approx(40 / 50 - 1)
    cell = N.change_cell(apr["yoy"], apr["yoy_flag"], apr["points"])
    assert cell.startswith("⚠") and "基数较小" in cell and "-20.0%" in cell
    jan = row(panel, "zhaodong", "export_value", "2026-01")
    assert jan["yoy_flag"] == "ok"  # base 100 ≥ threshold 90


def test_zero_base_has_no_growth_rate(panel):
    jan = row(panel, "zhaodong", "train_departures", "2026-01")
    assert jan["base"] == 0.0 and jan["yoy_flag"] == "zero_base"
    assert math.isnan(jan["yoy"])
    assert "基数为零" in N.change_cell(jan["yoy"], jan["yoy_flag"], jan["points"])
    feb = row(panel, "zhaodong", "train_departures", "2026-02")
    # Cumulative base Jan–Feb 2025 = 0 + 2 = 2 < 5: small base, still computed.
    assert feb["ytd_flag"] == "small_base"
    assert feb["ytd_change"] == pytest.approx((3 + 4) / 2 - 1)


def test_shares_take_latest_month_and_change_in_points(panel):
    r = row(panel, "zhaodong", "village_delivery_share", "2026-04")
    assert r["ytd"] == 93.5  # latest month, not 90 + 91 + 92 + 93.5
    assert r["ytd_change"] == pytest.approx(93.5 - 83)
    assert r["yoy"] == pytest.approx(10.5)
    assert r["points"] and N.fmt_change(r["yoy"], r["points"]) == "+10.5 个百分点"


def test_hours_are_averaged_not_summed(panel):
    r = row(panel, "zhaodong", "clearance_hours", "2026-04")
    assert r["ytd"] == pytest.approx((20 + 10 + 30 + 20) / 4)
    assert r["ytd_base"] == pytest.approx((40 + 30 + 20 + 30) / 4)
    assert r["ytd_change"] == pytest.approx(20 / 30 - 1)


def test_zone_without_submissions_is_on_the_panel_as_missing(panel):
    q = panel[panel["zone_id"] == "qinggang"]
    assert len(q) == 4 * 4  # four indicators × January–April
    assert not q["submitted"].any()
    shown = P.latest_panel_display(panel, "qinggang", "2026-04-30")
    assert list(shown["当月"]) == [S.MISSING_TEXT] * 4
    assert "0" not in set(shown["当月"])
    table = P.missing_table(panel)
    q_rows = table[table["片区"] == ZONES["qinggang"]]
    assert set(q_rows["未报送月份"]) == {"全年未报送"}
    z_rows = table[(table["片区"] == ZONES["zhaodong"]) & (table["指标"] == "出口额")]
    assert list(z_rows["未报送月份"]) == ["2 月"]


def test_narrative_names_indicators_with_missing_months(panel):
    latest = panel[(panel["zone_id"] == "zhaodong") & (panel["month"] == "2026-04-01")]
    text = N.zone_narrative("zhaodong", latest, n_screened=4)
    assert "1 项指标有月份未报送（出口额）" in text
    assert "各月均已报送" not in text and "本年度未报送" not in text


def test_panel_covers_every_contract_indicator_and_foreign_trade():
    df = long_frame(
        monthly("suihua_etdz", "import_value", "2025-01", [10.0] * 14)
        + monthly("suihua_etdz", "export_value", "2025-01", [5.0] * 13 + [None])
    )
    p = I.indicator_panel(df, 2026, "2026-02-28", rules_config())
    assert set(p["indicator"]) == set(LOGISTICS_INDICATORS) | {S.FOREIGN_TRADE}
    assert set(p["zone_id"]) == set(ZONES)
    jan = row(p, "suihua_etdz", S.FOREIGN_TRADE, "2026-01")
    assert jan["value"] == 15.0 and jan["ytd_change"] == pytest.approx(0.0)
    # February export missing: foreign trade (import + export) is missing, not import alone.
    feb = row(p, "suihua_etdz", S.FOREIGN_TRADE, "2026-02")
    assert not feb["submitted"]


def test_months_after_as_of_are_ignored():
    df = long_frame(monthly("zhaodong", "export_value", "2026-01", [1.0, 2.0, 3.0]))
    p = I.indicator_panel(
        df, 2026, "2026-02-15", rules_config(), zones=["zhaodong"], indicators=["export_value"]
    )
    assert list(p["month"].dt.month) == [1, 2]
    assert row(p, "zhaodong", "export_value", "2026-02")["ytd"] == 3.0


def test_attainment_lower_is_better_for_hours():
    assert PROJECT.lower_better("clearance_hours") and not PROJECT.lower_better("export_value")
    assert I.attainment(20.0, 10.0, lower_is_better=True) == pytest.approx(0.5)
    assert I.attainment(50.0, 100.0) == pytest.approx(0.5)
    assert math.isnan(I.attainment(50.0, None))


# --- decomposition and anomalies --------------------------------------------------------


def seasonal_series(n, *, seed=1, start="2022-01"):
    """Trend + yearly sine + small seeded noise, as a monthly Series."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    y = 1000 + 5 * t + 150 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 10, n)
    return pd.Series(y, index=pd.date_range(start + "-01", periods=n, freq="MS"))


def test_robust_z_matches_scipy_normal_mad():
    x = np.array([1.0, 2.0, 2.5, 3.0, 100.0, 2.2, 1.8])
    expected = (x - np.median(x)) / median_abs_deviation(x, scale="normal")
    np.testing.assert_allclose(A.robust_z(x), expected)
    # A floor larger than the MAD scale takes over.
    np.testing.assert_allclose(A.robust_z(x, floor=50.0), (x - np.median(x)) / 50.0)


def test_clean_seasonal_series_has_no_anomalies():
    dec = A.decompose(seasonal_series(46))
    assert dec.ok and dec.screened
    assert not dec.frame["anomaly"].any()
    assert A.anomalies_of(dec).empty


def test_noise_free_series_has_no_anomalies():
    # Exact fit: residuals are rounding noise; the relative scale floor keeps them quiet.
    t = np.arange(48)
    y = 1000 + 5 * t + 150 * np.sin(2 * np.pi * t / 12)
    s = pd.Series(y, index=pd.date_range("2022-01-01", periods=48, freq="MS"))
    assert not A.decompose(s).frame["anomaly"].any()


def test_planted_spike_is_found_and_reported_unsmoothed():
    s = seasonal_series(46)
    spike_month = pd.Timestamp("2025-07-01")
    s[spike_month] += 400.0
    dec = A.decompose(s, zone_id="qinggang", indicator="freight_road", config=PROJECT)
    found = A.anomalies_of(dec)
    assert list(found["month"]) == [spike_month]
    r = found.iloc[0]
    assert r["zone_id"] == "qinggang" and r["indicator"] == "freight_road"
    assert r["value"] == s[spike_month]  # the submitted value, not a smoothed one
    assert r["z"] > 3.5
    # The trend is not bent by the spike: close to the spike-free trend.
    clean = A.decompose(seasonal_series(46))
    assert abs(dec.frame.loc[spike_month, "trend"] - clean.frame.loc[spike_month, "trend"]) < 20


def test_dip_is_found_too_and_missing_month_is_interpolated_not_flagged():
    s = seasonal_series(40, seed=2)
    s[pd.Timestamp("2024-03-01")] -= 300.0
    s = s.drop(pd.Timestamp("2023-05-01"))
    dec = A.decompose(s)
    assert dec.ok and dec.filled == 1
    assert dec.frame.loc[pd.Timestamp("2023-05-01"), "interpolated"]
    assert not dec.frame.loc[pd.Timestamp("2023-05-01"), "anomaly"]
    found = A.anomalies_of(dec)
    assert list(found["month"]) == [pd.Timestamp("2024-03-01")]
    assert found.iloc[0]["z"] < -3.5
    assert "插补" in dec.reason


def test_series_shorter_than_two_years_is_not_decomposed():
    dec = A.decompose(
        seasonal_series(23), zone_id="zhaodong", indicator="export_value", config=PROJECT
    )
    assert not dec.ok and "历史不足" in dec.reason and "23" in dec.reason
    assert A.anomalies_of(dec).empty
    status = P.decomposition_status([dec])
    assert status.iloc[0]["季节分解"].startswith("历史不足")


def test_two_year_series_is_decomposed_but_not_screened():
    s = seasonal_series(24)
    s.iloc[5] += 400.0
    dec = A.decompose(s)
    assert dec.ok and not dec.screened
    assert not dec.frame["anomaly"].any()
    assert "未做异常筛查" in dec.reason


def test_stock_with_a_step_is_decomposed_but_not_screened():
    # Cold-chain capacity: linear growth, then a new warehouse adds 9 % in one month.
    y = 240000 + 300 * np.arange(46)
    y[41:] += 22000
    s = pd.Series(y.astype(float), index=pd.date_range("2023-01-01", periods=46, freq="MS"))
    dec = A.decompose(s, indicator="cold_chain_capacity", config=PROJECT)
    assert dec.ok and not dec.screened and "存量指标" in dec.reason
    assert A.anomalies_of(dec).empty
    # The same shape as a flow is screened (and the step shows up there).
    assert A.decompose(s, indicator="freight_rail", config=PROJECT).screened


def test_too_many_gaps_are_not_decomposed():
    s = seasonal_series(36).iloc[::2]  # every other month missing
    dec = A.decompose(s)
    assert not dec.ok and "缺报月份过多" in dec.reason


def test_find_anomalies_limits_to_report_months_and_uses_as_of():
    s = seasonal_series(46)  # 2022-01 … 2025-10
    s[pd.Timestamp("2024-02-01")] += 400.0
    s[pd.Timestamp("2025-06-01")] += 400.0
    rows = [("zhaodong", m.strftime("%Y-%m"), "freight_rail", v) for m, v in s.items()]
    df = long_frame(rows)
    decs = A.decompose_all(
        df, "2025-10-31", PROJECT, zones=["zhaodong"], indicators=["freight_rail"]
    )
    months = I.report_months(2025, "2025-10-31")
    found = A.find_anomalies(decs, months=months)
    assert list(found["month"]) == [pd.Timestamp("2025-06-01")]
    # Data after the as-of date is not used: with as_of 2024-12 the 2025 spike is unseen.
    decs24 = A.decompose_all(
        df, "2024-12-31", PROJECT, zones=["zhaodong"], indicators=["freight_rail"]
    )
    assert decs24[0].frame.index.max() == pd.Timestamp("2024-12-01")


# --- corridor, narrative, configuration -------------------------------------------------


def test_corridor_shares_of_reported_total():
    rows = monthly("suihua_etdz", "russia_trade_value", "2026-01", [30.0, 10.0])
    rows += monthly("zhaodong", "russia_trade_value", "2026-01", [70.0, None])
    rows += monthly("qinggang", "train_departures", "2026-01", [1.0, 3.0])
    c = C.corridor_table(long_frame(rows), 2026, "2026-02-28")
    jan = c[(c["indicator"] == "russia_trade_value") & (c["month"] == "2026-01-01")]
    shares = dict(zip(jan["zone_id"], jan["share"], strict=True))
    assert shares["suihua_etdz"] == pytest.approx(0.3) and shares["zhaodong"] == pytest.approx(0.7)
    assert math.isnan(shares["qinggang"])
    ytd = C.corridor_shares_ytd(c)
    r = ytd[ytd["indicator"] == "russia_trade_value"].set_index("zone_id")
    assert r.loc["suihua_etdz", "ytd"] == 40.0
    assert math.isnan(r.loc["zhaodong", "ytd"])  # missed February: no partial total
    assert r.loc["suihua_etdz", "share"] == pytest.approx(1.0)
    text = N.corridor_narrative(ytd, 2026, "2026-02-28")
    assert "肇东片区" in text and "未计入合计" in text
    assert "（占 100.0%）" in text


def test_zone_narrative_from_numbers():
    rows = monthly("zhaodong", "import_value", "2025-01", [50.0, 50.0] + [50.0] * 10 + [60, 60])
    rows += monthly("zhaodong", "export_value", "2025-01", [50.0, 50.0] + [50.0] * 10 + [90, 90])
    rows += monthly("zhaodong", "russia_trade_value", "2025-01", [5.0] * 12 + [9.0, 9.0])
    df = long_frame(rows)
    config = rules_config(small_base={"russia_trade_value": 100.0})
    p = I.indicator_panel(df, 2026, "2026-02-28", config)
    latest = p[(p["zone_id"] == "zhaodong") & (p["month"] == "2026-02-01")]
    text = N.zone_narrative("zhaodong", latest, n_anomalies=2, n_not_decomposed=1)
    # Foreign trade Jan–Feb 2026 = 300 vs 200 in 2025: +50.0 %.
    assert "外贸进出口额累计 300 万元，同比增长 50.0%" in text
    # Russia trade grew 80 % on a base of 10 < 100: no headline, a caveat instead.
    assert "+80.0%" in text and "仅供参考" in text and "增长 80.0%" not in text
    assert "中欧（中俄）班列开行未报送" in text
    assert "2 个月份" in text and "1 项指标" in text
    assert "各月均已报送" not in text  # trains not submitted
    unscreened = N.zone_narrative("zhaodong", latest, n_screened=0)
    assert "未做异常筛查" in unscreened and "未发现异常" not in unscreened
    empty = N.zone_narrative(
        "qinggang", p[(p["zone_id"] == "qinggang") & (p["month"] == "2026-02-01")]
    )
    assert "未报送" in empty and "未按零计" in empty


def test_narrative_warns_when_an_anomaly_drives_the_cumulative_change():
    rows = monthly("zhaodong", "import_value", "2025-01", [50.0] * 14)
    rows += monthly("zhaodong", "export_value", "2025-01", [50.0] * 14)
    p = I.indicator_panel(long_frame(rows), 2026, "2026-02-28", rules_config())
    latest = p[(p["zone_id"] == "zhaodong") & (p["month"] == "2026-02-01")]
    planted = pd.DataFrame(
        {
            "zone_id": ["zhaodong", "zhaodong", "qinggang"],
            "indicator": ["export_value", "export_value", "export_value"],
            # Feb 2025 is in last year's Jan–Feb window; Jun 2025 and other zones are not.
            "month": pd.to_datetime(["2025-02-01", "2025-06-01", "2025-02-01"]),
            "value": [1.0, 1.0, 1.0],
            "trend": [0.0] * 3,
            "seasonal": [0.0] * 3,
            "resid": [1.0] * 3,
            "z": [9.0] * 3,
        }
    )
    hits = A.anomalies_in_window(planted, "zhaodong", S.FOREIGN_TRADE, "2026-02-28")
    assert list(hits["month"]) == [pd.Timestamp("2025-02-01")]
    text = N.zone_narrative("zhaodong", latest, anomalies=planted)
    assert "2025 年 2 月出口额被判为异常月份" in text and "6 月" not in text
    assert "待核实" not in N.zone_narrative("zhaodong", latest)


def test_anomaly_note_distinguishes_none_found_from_not_screened():
    assert "未做异常筛查" in N.anomaly_note(0, 0, 2024, "2024-12-31", 3.5)
    none = N.anomaly_note(0, 30, 2026, "2026-10-31", 3.5)
    assert "已筛查 30 个序列" in none and "1—10 月未发现异常月份" in none
    assert "共 2 个异常月份" in N.anomaly_note(2, 30, 2026, "2026-10-31", 3.5)


def test_summary_part_has_headlines_per_zone():
    rows = monthly("zhaodong", "import_value", "2025-01", [50.0] * 14)
    rows += monthly("zhaodong", "export_value", "2025-01", [50.0] * 12 + [75.0, 75.0])
    p = I.indicator_panel(long_frame(rows), 2026, "2026-02-28", rules_config())
    part = P.summary_part(p, pd.DataFrame(columns=A.ANOMALY_COLUMNS), "2026-02-28")
    z = part["zones"]["zhaodong"]["logistics"]
    assert z["foreign_trade_ytd"] == 250.0
    assert z["foreign_trade_ytd_growth"] == pytest.approx(0.25)
    assert set(part["zones"]) == set(ZONES)
    assert part["zones"]["qinggang"]["logistics"]["foreign_trade_ytd_growth"] is None


def test_parse_config_validates_and_names_the_key():
    cfg = S.parse_config(
        {
            "indicators": ALL_SUM,
            "small_base": {"export_value": 500},
            "anomaly": {"false_flag_rate": 0.02, "min_months": 30},
            "targets": {"train_departures": {"default": 12, "zhaodong": 20}},
        }
    )
    assert cfg.threshold("export_value") == 500.0 and cfg.threshold("clearance_hours") is None
    assert cfg.false_flag_rate == 0.02 and cfg.min_anomaly_months == 30
    assert cfg.target("train_departures", "zhaodong") == 20.0
    assert cfg.target("train_departures", "qinggang") == 12.0
    assert cfg.target("export_value", "qinggang") is None
    with pytest.raises(ConfigError, match="small_base.export_value"):
        S.parse_config({"small_base": {"export_value": -1}})
    with pytest.raises(ConfigError, match="unknown indicator"):
        S.parse_config({"targets": {"exports": 3}})
    with pytest.raises(ConfigError, match="unknown zone"):
        S.parse_config({"targets": {"export_value": {"harbin": 3}}})
    with pytest.raises(ConfigError, match="min_months"):
        S.parse_config({"decomposition": {"min_months": 12}})


def test_load_config_reads_the_project_file():
    cfg = S.load_config("data")
    assert 0 < cfg.false_flag_rate < 1 and cfg.anomaly_z is None
    for ind in cfg.small_base:
        assert ind in LOGISTICS_INDICATORS or ind == S.FOREIGN_TRADE
