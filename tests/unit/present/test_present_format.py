"""The one number formatter: separators, decimals by unit, missing and zero."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.present.format import (
    MISSING,
    digits_for,
    fmt_count,
    fmt_growth,
    fmt_money,
    fmt_number,
    fmt_points,
    fmt_share,
    is_missing,
)


@pytest.mark.parametrize("value", [None, math.nan, np.nan, math.inf, -math.inf, pd.NA, pd.NaT])
def test_missing_is_an_em_dash_everywhere(value):
    assert is_missing(value)
    for f in (fmt_number, fmt_money, fmt_count, fmt_share, fmt_growth, fmt_points):
        assert f(value) == MISSING == "—"
    assert fmt_number(value, "万元", with_unit=True) == "—"


@pytest.mark.parametrize("zero", [0, 0.0, -0.0, np.float64(0), np.int64(0)])
def test_zero_is_zero(zero):
    assert not is_missing(zero)
    assert fmt_money(zero) == "0"
    assert fmt_count(zero) == "0"
    assert fmt_number(zero, "吨") == "0"
    assert fmt_share(zero) == "0%"
    assert fmt_growth(zero) == "0%"
    assert fmt_points(zero) == "0 个百分点"
    assert fmt_money(zero, with_unit=True) == "0 万元"


def test_money_in_wan_yuan_has_one_decimal_and_separators():
    assert fmt_money(1234567.891) == "1,234,567.9"
    assert fmt_money(12.34) == "12.3"
    assert fmt_money(-2500) == "-2,500.0"
    assert fmt_money(1234.5, with_unit=True) == "1,234.5 万元"
    assert fmt_money(23.456, "亿元") == "23.46"


def test_counts_are_whole_numbers():
    assert fmt_count(1234) == "1,234"
    assert fmt_count(20.0) == "20"
    assert fmt_count(12, "项", with_unit=True) == "12 项"
    assert fmt_number(7, "列") == "7"
    assert fmt_number(3.0, "家") == "3"
    assert digits_for("项") == 0


def test_decimals_follow_the_unit():
    assert fmt_number(12345.678, "吨") == "12,346"
    assert fmt_number(88.46, "%") == "88.5"
    assert fmt_number(88.46, "%", with_unit=True) == "88.5%"
    assert fmt_number(18.25, "小时", with_unit=True) == "18.2 小时"  # round-half-even of 18.25
    assert fmt_number(1.234, "万件") == "1.2"
    assert fmt_number(1.234) == "1.2"  # no unit: one decimal
    assert fmt_number(1.234, "某单位") == "1.2"  # unknown unit: one decimal
    assert fmt_number(0.1234, digits=3) == "0.123"


def test_shares_and_growth_are_percent_with_one_decimal():
    assert fmt_share(0.123) == "12.3%"
    assert fmt_share(1) == "100.0%"
    assert fmt_share(12.5) == "1,250.0%"
    assert fmt_growth(0.123) == "+12.3%"
    assert fmt_growth(-0.08) == "-8.0%"
    assert fmt_growth(0.25, digits=0) == "+25%"
    assert fmt_points(1.25) == "+1.2 个百分点"
    assert fmt_points(-3) == "-3.0 个百分点"


def test_values_rounding_to_zero_carry_no_sign():
    assert fmt_growth(-0.0001) == "0.0%"
    assert fmt_growth(0.0001) == "0.0%"
    assert fmt_money(-0.01) == "0.0"
    assert fmt_number(-0.4, "项") == "0"


def test_numpy_and_pandas_scalars():
    assert fmt_money(np.float32(1500.25)) == "1,500.2"
    assert fmt_count(np.int64(1_000_000)) == "1,000,000"
    assert fmt_share(pd.Series([0.5]).iloc[0]) == "50.0%"


def test_non_numbers_are_refused():
    with pytest.raises(TypeError):
        fmt_number("12")
    with pytest.raises(TypeError):
        fmt_number(True)
