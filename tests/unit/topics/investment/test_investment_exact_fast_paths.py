"""The investment topic's one-pass helpers give the row-by-row results to the last bit."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.topics.investment import calibration as C
from evalkit.topics.investment import funds as F
from evalkit.topics.investment import projection as P


def _funds(seed: int = 4) -> pd.DataFrame:
    """Monthly fund rows of three zones, 2023-01 … 2025-08, shuffled, with uneven amounts."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2023-01-01", "2025-08-01", freq="MS")
    rows = [
        (z, f"{z}-{p}", m.strftime("%Y-%m-%d"), float(rng.lognormal(3, 2)))
        for z in ("suihua_etdz", "zhaodong", "anda")
        for p in range(4)
        for m in months
        if rng.random() > 0.2
    ]
    df = pd.DataFrame(rows, columns=["zone_id", "project_id", "month", "funds_wan_yuan"])
    return df.sample(frac=1.0, random_state=1).reset_index(drop=True)


def _window_sum(funds, zone_id, year, through, data_start) -> float:
    """The definition, one window at a time: a boolean filter of the whole frame, then a sum."""
    if through <= 0:
        return float("nan")
    if data_start is None or data_start > pd.Timestamp(year=year, month=1, day=1):
        return float("nan")
    m = pd.to_datetime(funds["month"])
    sel = (funds["zone_id"] == zone_id) & (m.dt.year == year) & (m.dt.month <= through)
    return float(funds.loc[sel, "funds_wan_yuan"].sum())


def test_window_sums_equal_window_sum_one_by_one():
    funds = _funds()
    start = pd.to_datetime(funds["month"]).min()
    windows = [
        (z, y, t)
        for z in ("suihua_etdz", "zhaodong", "anda", "no_such_zone")
        for y in (2023, 2024, 2025)
        for t in (0, 1, 7, 12)
    ]
    got = F._window_sums(funds, windows, start)
    for (z, y, t), value in zip(windows, got, strict=True):
        expected = _window_sum(funds, z, y, t, start)
        assert (np.isnan(value) and np.isnan(expected)) or value == expected, (z, y, t)
    assert any(v > 0 for v in got)


def test_window_sums_missing_when_data_start_later():
    funds = _funds()
    late = pd.Timestamp("2024-03-01")
    got = F._window_sums(funds, [("zhaodong", 2024, 6), ("zhaodong", 2025, 6)], late)
    assert np.isnan(got[0]) and got[1] == _window_sum(funds, "zhaodong", 2025, 6, late)
    assert np.isnan(F._window_sums(funds, [("zhaodong", 2025, 6)], None)[0])


def _loo_row_by_row(bt: pd.DataFrame, min_errors: int) -> dict[str, np.ndarray]:
    """The calibration's definition, row by row (the code before the one-pass version)."""
    out = bt.assign(log_error=C.log_errors(bt))
    scale, n_used = np.full(len(out), np.nan), np.zeros(len(out), dtype=int)
    bounds = {b: np.full(len(out), np.nan) for b in ["lo80", "hi80", "lo95", "hi95"]}
    pos = {k: i for i, k in enumerate(out.index)}
    for _, g in out.groupby(["model", "origin_month"], sort=False):
        for idx, row in g.iterrows():
            others = g[(g["zone_id"] != row["zone_id"]) | (g["year"] != row["year"])]
            sc = C.error_scale(others["log_error"], min_errors)
            if sc is None:
                continue
            i = pos[idx]
            scale[i], n_used[i] = sc
            for key, level in C.LEVELS.items():
                w = float(stats.t.ppf(0.5 + level / 2, sc[1])) * sc[0]
                bounds[f"lo{key}"][i] = float(row["point"]) * float(np.exp(-w))
                bounds[f"hi{key}"][i] = float(row["point"]) * float(np.exp(w))
    return {"cal_scale": scale, "cal_n": n_used} | {f"cal_{b}": v for b, v in bounds.items()}


@pytest.mark.parametrize("min_errors", [1, 5, 40])
def test_loo_calibrate_equals_the_row_by_row_definition(min_errors):
    rng = np.random.default_rng(9)
    rows = [
        {
            "zone_id": z,
            "model": model,
            "year": y,
            "origin_month": o,
            "actual": float(rng.lognormal(5, 0.3)),
            "point": float(rng.lognormal(5, 0.3)) if (z, y, o) != ("c", 2022, 3) else 0.0,
        }
        for model in ("ratio", "ets")
        for z in ("a", "b", "c", "d")
        for y in (2020, 2021, 2022)
        for o in (1, 3, 11)
    ]
    bt = pd.DataFrame(rows).sample(frac=1.0, random_state=2)
    bt.index = bt.index * 7 + 3  # not a RangeIndex: positions, not labels, must be used
    got = C.loo_calibrate(bt, min_errors)
    expected = _loo_row_by_row(bt, min_errors)
    for col, values in expected.items():
        assert np.array_equal(got[col].to_numpy(), values, equal_nan=True), col
    # 12 zone-years per (model, origin), one without an error: at most 11 others.
    assert (got["cal_n"] > 0).any() == (min_errors <= 11)


def test_t_quantile_is_scipy_t_ppf():
    for q, n in [(0.9, 5), (0.975, 5), (0.975, 143), (0.9, 1)]:
        assert C._t_quantile(q, n) == float(stats.t.ppf(q, n))


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="MS")),
        pd.Series([1, 2, 3], index=pd.date_range("2024-01-01", periods=3, freq="MS")),
        pd.Series([3.0, 1.0], index=pd.to_datetime(["2024-03-01", "2024-01-01"])),
        pd.Series([3.0, 1.0], index=pd.to_datetime(["2024-01-15", "2024-02-01"])),
        pd.Series([3.0, 1.0], index=pd.to_datetime(["2024-01-01 06:00:00", "2024-02-01 00:00:00"])),
        pd.Series(
            [3.0, 1.0], index=pd.to_datetime(["2024-01-01", "2024-02-01"]).tz_localize("UTC")
        ),
    ],
)
def test_month_index_fast_path_equals_the_rebuilt_series(series):
    s = series.astype(float).copy()  # the rebuilding path, as before the fast path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # to_period drops a time zone with a warning
        got = P._month_index(series)
        s.index = pd.DatetimeIndex(s.index).to_period("M").to_timestamp()
    expected = s.sort_index()
    pd.testing.assert_series_equal(got, expected, check_index_type=False, check_freq=False)
    assert got.index.equals(expected.index)
