"""The one-scan series lookup and the sliced year-to-date figures equal the per-series ones."""

import numpy as np
import pandas as pd
import pytest

from evalkit.topics.logistics.indicators import series_lookup, series_of, ytd_value, ytd_values


def _panel() -> pd.DataFrame:
    """Two zones × two indicators over 30 months, with gaps, a duplicate month, unsorted rows."""
    rng = np.random.default_rng(7)
    rows = []
    for zone in ("z1", "z2"):
        for ind in ("a", "b"):
            for k, month in enumerate(pd.date_range("2023-01-01", periods=30, freq="MS")):
                if (zone, ind) == ("z2", "b") and k % 7 == 3:
                    continue  # months not submitted
                rows.append((zone, month, ind, float(rng.uniform(1, 100))))
    df = pd.DataFrame(rows, columns=["zone_id", "month", "indicator", "value"])
    dup = df.iloc[[5]].assign(value=-1.0)  # resubmitted month: the last row wins
    df = pd.concat([df, dup], ignore_index=True)
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


@pytest.mark.parametrize(
    "zone, ind", [("z1", "a"), ("z1", "b"), ("z2", "a"), ("z2", "b"), ("z3", "a"), ("z1", "c")]
)
def test_lookup_equals_series_of(zone, ind):
    df = _panel()
    got, expected = series_lookup(df)(zone, ind), series_of(df, zone, ind)
    pd.testing.assert_series_equal(got, expected)
    assert got.index.equals(expected.index)


def test_lookup_of_an_empty_frame_equals_series_of():
    df = _panel().iloc[:0]
    pd.testing.assert_series_equal(series_lookup(df)("z1", "a"), series_of(df, "z1", "a"))


def test_lookup_hands_out_copies():
    lookup = series_lookup(_panel())
    s = lookup("z1", "a")
    s.iloc[0] = 1e9
    assert lookup("z1", "a").iloc[0] != 1e9


@pytest.mark.parametrize("how", ["sum", "mean", "last"])
def test_ytd_values_equal_ytd_value_month_by_month(how):
    s = series_of(_panel(), "z2", "b")  # has gaps
    months = pd.date_range("2025-01-01", "2025-06-01", freq="MS")
    got = ytd_values(s, months, how)
    for m in months:
        for month in (m, m - pd.DateOffset(years=1)):
            value, n = ytd_value(s, month, how)
            g_value, g_n = got[month]
            assert g_n == n
            assert (np.isnan(g_value) and np.isnan(value)) or g_value == value  # exact


def test_ytd_values_exact_on_sums_that_depend_on_order():
    # Values whose float sum depends on the order of addition: the same order is kept.
    idx = pd.date_range("2024-01-01", periods=24, freq="MS")
    s = pd.Series([1e16, 1.0, -1e16, 3.3, 0.1, 0.2] * 4, index=idx)
    months = pd.date_range("2025-01-01", "2025-12-01", freq="MS")
    got = ytd_values(s, months, "sum")
    for m in months:
        assert got[m] == ytd_value(s, m, "sum")
