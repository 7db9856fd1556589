"""Projection intervals calibrated from backtest errors at the same origin (issue #18, item 5)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit import demo
from evalkit.topics.investment import calibration as C
from evalkit.topics.investment import funds as F
from evalkit.topics.investment import present
from evalkit.topics.investment import projection as P


def _bt(errors: dict[tuple[str, int], list[float]], origins=(9, 10, 11), model="ratio"):
    """Backtest rows: per (zone, year) one log error per origin; point 100, actual 100·e^err.

    The model's own interval is point ± 1 % (too narrow, like the old ones).
    """
    rows = []
    for (zone, year), errs in errors.items():
        for origin, e in zip(origins, errs, strict=True):
            actual = 100.0 * np.exp(e)
            rows.append(
                {
                    "zone_id": zone,
                    "model": model,
                    "year": year,
                    "origin_month": origin,
                    "actual": actual,
                    "point": 100.0,
                    "lo80": 99.0,
                    "hi80": 101.0,
                    "lo95": 98.0,
                    "hi95": 102.0,
                    "ape": abs(100.0 / actual - 1),
                    "in80": 99.0 <= actual <= 101.0,
                    "in95": 98.0 <= actual <= 102.0,
                }
            )
    return pd.DataFrame(rows)


def test_coverage_counts_zone_years_per_origin_not_pooled_projections():
    # Minimal input: one zone-year (2024) whose 10 projections all miss high, one whose
    # 10 all fall inside. Before: backtest_summary pooled them into one line,
    # coverage80 = 10/20 = 50 % "of 20 backtests". After: per origin, 1 of 2 zone-years.
    origins = tuple(range(1, 11))
    bt = _bt(
        {("suihua_etdz", 2024): [0.2] * 10, ("suihua_etdz", 2025): [0.0] * 10}, origins=origins
    )
    summary = P.backtest_summary(bt).set_index("model")
    assert "coverage80" not in summary.columns  # the pooled line is gone
    assert summary.loc["ratio", "zone_years"] == 2 and summary.loc["ratio", "n"] == 20
    cov = C.coverage_by_origin(C.loo_calibrate(bt, min_errors=1))
    ratio = cov[cov["model"] == "ratio"]
    assert list(ratio["origin_month"]) == list(origins)
    assert (ratio["zone_years"] == 2).all() and (ratio["model_hit80"] == 1).all()
    by_zone = P.backtest_by(bt, "zone_id").iloc[0]
    assert (by_zone["zone_years"], by_zone["n_over"], by_zone["n_under"]) == (2, 10, 0)


def test_calibrated_interval_is_t_with_n_df_on_root_mean_square_error():
    errors = [0.1, -0.1, 0.1, -0.1, 0.1]
    scale, n = C.error_scale(errors, min_errors=5)
    assert (scale, n) == (pytest.approx(0.1), 5)
    b = C.calibrated_bounds(1000.0, scale, n)
    t80, t95 = stats.t.ppf(0.9, 5), stats.t.ppf(0.975, 5)  # 1.476, 2.571
    assert b["hi80"] == pytest.approx(1000 * np.exp(t80 * 0.1))
    assert b["lo95"] == pytest.approx(1000 * np.exp(-t95 * 0.1))
    # The probability of the target comes from the same distribution as the interval.
    assert C.calibrated_p(1000.0, scale, n, b["hi80"]) == pytest.approx(0.10)
    assert C.calibrated_p(1000.0, scale, n, b["lo95"]) == pytest.approx(0.975)
    assert C.calibrated_p(1000.0, scale, n, 1000.0) == pytest.approx(0.5)
    assert np.isnan(C.calibrated_p(1000.0, scale, n, float("nan")))
    assert C.error_scale(errors[:4], min_errors=5) is None  # below the documented minimum


def test_leave_one_zone_year_out_never_uses_own_error():
    # Five quiet zone-years and one wild one: the wild one's interval is calibrated only
    # from the five others, so it must miss; the others' intervals include its error.
    errs = {("qinggang", y): [0.01] for y in (2020, 2021, 2022, 2023, 2024)}
    errs[("zhaodong", 2024)] = [0.5]
    cal = C.loo_calibrate(_bt(errs, origins=(10,)), min_errors=5).set_index(["zone_id", "year"])
    wild = cal.loc[("zhaodong", 2024)]
    assert wild["cal_n"] == 5 and wild["cal_scale"] == pytest.approx(0.01)
    assert not wild["cal_in80"] and not wild["cal_in95"]
    quiet = cal.loc[("qinggang", 2020)]
    assert quiet["cal_scale"] == pytest.approx(np.sqrt((4 * 0.01**2 + 0.5**2) / 5))


def test_fallback_keeps_model_interval_when_too_few_errors():
    bt = _bt({("qinggang", y): [0.05] for y in (2023, 2024, 2025, 2026)}, origins=(10,))
    cal = C.loo_calibrate(bt, min_errors=5)
    assert (cal["cal_n"] == 0).all() and cal["cal_in80"].isna().all()
    pj = pd.DataFrame(
        {
            "zone_id": ["qinggang"],
            "model": ["ratio"],
            "through_month": [10],
            "ytd_wan_yuan": [80.0],
            "prev_total_wan_yuan": [100.0],
            "target_total_wan_yuan": [125.0],
            "point": [110.0],
            "lo80": [108.0],
            "hi80": [112.0],
            "lo95": [107.0],
            "hi95": [113.0],
            "p_target": [0.0],
        }
    )
    out = C.calibrate_projections(pj, bt, min_errors=5).iloc[0]
    assert not out["calibrated"] and out["lo80"] == 108.0 and out["p_target"] == 0.0
    table = present.projection_table(C.calibrate_projections(pj, bt, 5), "ratio")
    assert table["区间依据"].iloc[0] == "模型自身区间（未校准）"
    assert table["达到目标的概率（预测）"].iloc[0] == "0.0%（未校准）"
    # With a fifth error the same projection is calibrated: wider interval, p from the t law.
    bt5 = _bt({("qinggang", y): [0.05] for y in (2022, 2023, 2024, 2025, 2026)}, origins=(10,))
    out5 = C.calibrate_projections(pj, bt5, min_errors=5).iloc[0]
    assert out5["calibrated"] and out5["cal_n"] == 5
    assert out5["hi80"] == pytest.approx(110 * np.exp(stats.t.ppf(0.9, 5) * 0.05))
    assert out5["p_target"] == pytest.approx(stats.t.sf(np.log(125 / 110) / 0.05, 5))
    assert out5["model_hi80"] == 112.0


def test_demo_history_coverage_at_origins_9_to_11_is_near_nominal():
    # The demo history backtested as the 2026 report does (complete years 2024–2025,
    # 3 zones → 6 zone-years per origin), ratio model, leave-one-zone-year-out.
    # Figures (seeded): model's own 80 % interval 4/6, 5/6, 4/6 at origins 9, 10, 11
    # (13/18 = 72 %, the figure); calibrated 80 % 5/6, 5/6, 4/6 (14/18 = 78 %),
    # calibrated 95 % 6/6 at each origin (18/18).
    funds = demo.generate()["funds_monthly"]
    monthly = F.complete_monthly(funds, "2026-10-31")
    bt = P.backtest(monthly, P.backtest_years(monthly, 2026, "2026-10-31"), models=("ratio",))
    cov = C.coverage_by_origin(C.loo_calibrate(bt)).set_index("origin_month").loc[[9, 10, 11]]
    assert (cov["zone_years"] == 6).all() and (cov["cal_zone_years"] == 6).all()
    assert list(cov["model_hit80"]) == [4, 5, 4]
    assert list(cov["cal_hit80"]) == [5, 5, 4]
    assert list(cov["cal_hit95"]) == [6, 6, 6]
    # Near nominal: with 18 zone-year checks, 80 % ± 2 binomial s.d. is 61–99 %.
    assert 0.61 <= cov["cal_hit80"].sum() / 18 <= 0.99
    assert cov["cal_hit95"].sum() / 18 >= 0.85


def test_comparison_model_is_shown_with_its_coverage_and_not_relied_on(investment_result):
    # Before: the ETS row said "0.3%" beside the chosen model's "45.6%" with no comment.
    res = investment_result
    cov = pd.DataFrame(
        {
            "model": ["ratio"] * 3 + ["ets"] * 3,
            "origin_month": [9, 10, 11] * 2,
            "zone_years": [6] * 3 + [3] * 3,
            "mape": 0.05,
            "model_hit80": [4, 5, 4, 0, 2, 1],
            "model_hit95": 6,
            "cal_zone_years": [6] * 3 + [0] * 3,
            "cal_hit80": [5, 5, 4, 0, 0, 0],
            "cal_hit95": [6, 6, 6, 0, 0, 0],
        }
    )
    pj = pd.DataFrame(
        {
            "zone_id": ["zhaodong", "zhaodong"],
            "model": ["ratio", "ets"],
            "p_target": [0.443, 0.003],
            "calibrated": [True, False],
        }
    )
    res = dataclasses.replace(res, chosen_model="ratio", backtest_by_origin=cov, projections=pj)
    s = present.comparison_sentence(res)
    assert "只有3个片区年度可回测" in s
    assert "分别覆盖0/3、2/3、1/3个片区年度" in s and "无法按回测误差校准" in s
    assert "肇东片区0.3%，选用模型44.3%）不作为判断依据" in s
    assert present.coverage_notes(res)[-1] == s
    table = present.coverage_table(cov, 5)
    assert table["校准后80%区间覆盖（留一片区年度）"].iloc[3] == "未校准（其他片区年度不足5个）"
    assert table["模型自身80%区间覆盖（片区年度）"].iloc[0] == "4/6（66.7%）"
