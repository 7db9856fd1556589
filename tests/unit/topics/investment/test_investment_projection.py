"""Projection of annual funds in place: hand-worked point, no look-ahead, interval coverage."""

import numpy as np
import pandas as pd
import pytest

from evalkit.topics.investment import projection as P

SEASON = np.array([3, 4, 6, 8, 9, 10, 10, 9, 8, 7, 6, 12], float) * 100


def _series(values, start="2023-01-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def test_ratio_point_is_ytd_growth_applied_to_rest_of_previous_year():
    # Every month grows exactly 20 % a year: no residual spread, so the projection is exact.
    values = np.concatenate([SEASON, SEASON * 1.2, SEASON * 1.44, SEASON[:7] * 1.728])
    r = P.project(_series(values), 2026, 7, "ratio", target_total=SEASON.sum() * 1.44 * 1.25)
    expected = SEASON.sum() * 1.728
    assert r["point"] == pytest.approx(expected, rel=1e-9)
    assert r["lo95"] == pytest.approx(expected, rel=1e-9)
    assert r["hi95"] == pytest.approx(expected, rel=1e-9)
    assert r["p_target"] == 0.0  # +20 % < +25 %


def test_models_return_none_without_enough_history():
    short = _series(SEASON[:10], start="2026-01-01")
    assert P.project(short, 2026, 10, "ratio") is None  # no previous year
    s = _series(np.concatenate([SEASON, SEASON[:6]]), start="2025-01-01")
    assert P.project(s, 2026, 6, "ets") is None  # fewer than 24 months
    with pytest.raises(KeyError):
        P.project(s, 2026, 6, "prophet")


@pytest.mark.parametrize("model", ["ratio", "ets"])
def test_projection_uses_no_data_after_origin(model):
    rng = np.random.default_rng(3)
    values = np.concatenate([SEASON * f for f in (1.0, 1.1, 1.3, 1.5)]) * rng.lognormal(0, 0.2, 48)
    s = _series(values)
    a = P.project(s, 2026, 8, model, target_total=9000.0, seed=5)
    assert a is not None  # else `a == b` below would hold trivially (None == None)
    s2 = s.copy()
    s2.iloc[-4:] *= 100  # September–December 2026 changed: must not matter from an August origin
    b = P.project(s2, 2026, 8, model, target_total=9000.0, seed=5)
    assert a == b


def _simulate(rng, years=4):
    """Seasonal log random walk with a random yearly drift: the ratio model's own assumptions."""
    logs = [np.log(SEASON) + rng.normal(0, 0.4, 12)]
    for _ in range(1, years):
        logs.append(logs[-1] + rng.normal(0.2, 0.3) + rng.normal(0, 0.4, 12))
    return _series(np.exp(np.concatenate(logs)))


def test_ratio_intervals_cover_true_total_at_stated_rate():
    rng = np.random.default_rng(20261031)
    n, hit80, hit95 = 400, 0, 0
    for i in range(n):
        s = _simulate(rng)
        origin = int(rng.integers(1, 12))
        actual = s[s.index.year == 2026].sum()
        r = P.project(s, 2026, origin, "ratio", n_sims=1000, seed=i)
        hit80 += r["lo80"] <= actual <= r["hi80"]
        hit95 += r["lo95"] <= actual <= r["hi95"]
    # Binomial s.d. at n = 400: 2.0 points at 80 %, 1.1 points at 95 %; allow about 3 s.d.
    assert 0.74 <= hit80 / n <= 0.86
    assert 0.915 <= hit95 / n <= 0.985


def test_backtest_scores_each_origin_and_chooses_by_error():
    rng = np.random.default_rng(7)
    s = _simulate(rng)
    monthly = pd.DataFrame(
        {"zone_id": "qinggang", "month": s.index, "funds_wan_yuan": s.to_numpy()}
    )
    bt = P.backtest(monthly, [2025, 2026], n_sims=500)
    ratio = bt[bt["model"] == "ratio"]
    assert sorted(ratio["origin_month"].unique()) == list(range(1, 12))
    assert set(ratio["year"]) == {2025, 2026}
    row = ratio.iloc[0]
    assert row["ape"] == pytest.approx(abs(row["point"] / row["actual"] - 1))
    assert row["actual"] == pytest.approx(s[s.index.year == row["year"]].sum())
    summary = P.backtest_summary(bt)
    assert list(summary["model"]) == list(P.MODELS)
    chosen = P.choose_model(summary)
    assert summary.set_index("model").loc[chosen, "mape"] == summary["mape"].min()
    empty = P.backtest_summary(bt.iloc[0:0])
    assert P.choose_model(empty) == "ratio"


def test_project_year_targets_previous_full_year_and_skips_finished_zones():
    from evalkit.config import Targets
    from evalkit.topics.investment import funds as F
    from evalkit.topics.investment import present

    values = np.concatenate([SEASON, SEASON * 1.2, SEASON * 1.44, SEASON[:7] * 1.728])
    idx = pd.date_range("2023-01-01", periods=len(values), freq="MS")
    rows = [
        {"project_id": "P", "zone_id": "zhaodong", "month": m, "funds_wan_yuan": v}
        for m, v in zip(idx, values, strict=True)
    ]
    funds = pd.DataFrame(rows)
    att = F.attainment(funds, 2026, "2026-07-31", Targets())
    monthly = F.complete_monthly(funds, "2026-07-31")
    pj = P.project_year(monthly, att, models=("ratio",), n_sims=200)
    assert list(pj["zone_id"]) == ["zhaodong"]  # the other zones reported nothing
    row = pj.iloc[0]
    assert row["prev_total_wan_yuan"] == pytest.approx(SEASON.sum() * 1.44)
    assert row["target_total_wan_yuan"] == pytest.approx(SEASON.sum() * 1.44 * 1.25)
    assert row["point"] == pytest.approx(SEASON.sum() * 1.728)
    assert row["p_target"] == 0.0
    table = present.projection_table(pj, "ratio")
    assert table["全年预测值（万元）"].iloc[0] == round(SEASON.sum() * 1.728)
    assert table["选用模型"].iloc[0] == "是"
    # A finished year has nothing to project.
    att_full = F.attainment(funds, 2025, "2025-12-31", Targets())
    assert P.project_year(monthly, att_full, models=("ratio",), n_sims=200).empty
