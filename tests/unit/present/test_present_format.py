"""The one number formatter: separators, decimals by unit, missing and zero."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.present.format import (
    MISSING,
    digits_for,
    fmt_change,
    fmt_compact,
    fmt_count,
    fmt_fixed,
    fmt_growth,
    fmt_level,
    fmt_money,
    fmt_number,
    fmt_p_value,
    fmt_percent,
    fmt_points,
    fmt_share,
    for_page,
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


# --- Styles kept for pages whose display predates the rules above -------------------------

FIXED_STYLES = (fmt_fixed, fmt_percent, fmt_change, fmt_level, fmt_compact, fmt_p_value)


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, pd.NA])
def test_fixed_styles_show_missing_as_em_dash_or_the_given_text(value):
    for f in FIXED_STYLES:
        assert f(value) == MISSING
        assert f(value, missing="未报送") == "未报送"


def test_fixed_styles_refuse_non_numbers():
    for f in FIXED_STYLES:
        with pytest.raises(TypeError):
            f("0.5")
        with pytest.raises(TypeError):
            f(True)


def test_fixed_keeps_decimals_and_sign_as_the_format_spec():
    assert fmt_fixed(1234.5678, 3) == "1,234.568"
    assert fmt_fixed(0) == "0.0"
    assert fmt_fixed(0.0, 3) == "0.000"
    assert fmt_fixed(-0.01) == "-0.0"  # unlike fmt_number: the sign of a tiny value stays
    assert fmt_fixed(2.5, 0) == "2"  # round-half-even, as f"{2.5:.0f}"
    assert fmt_fixed(3.2, signed=True) == "+3.2"
    assert fmt_fixed(0.0, signed=True) == "+0.0"
    assert fmt_fixed(12345.6, grouping=False) == "12345.6"
    assert fmt_fixed(0.25, percent=True) == "25.0%"
    assert fmt_fixed(1.5, suffix=" 分") == "1.5 分"
    assert fmt_fixed(np.float64(-7.25), 2, signed=True) == "-7.25"
    assert fmt_fixed(np.int64(12), 0) == "12"


@pytest.mark.parametrize("x", [0.0, 0.1234, -0.5, 0.0004, -0.0004, 12.3456, 0.83, 0.995])
def test_fixed_equals_the_old_private_format_specs(x):
    # the five topics formatted with these specs before; the pages must not change
    assert fmt_fixed(x, 3) == f"{float(x):,.3f}"  # impact fmt_num
    assert fmt_fixed(x, 1, signed=True) == f"{float(x):+,.1f}"  # composite _signed
    assert fmt_percent(x) == f"{100 * float(x):.1f}%"  # composite _pct, investment fmt_share
    assert fmt_percent(x, signed=True) == f"{x * 100:+.1f}%"  # investment format_growth
    assert fmt_percent(x, 0) == f"{x * 100:.0f}%"  # investment prob_words
    assert fmt_change(x) == f"{x * 100:+.1f}%"  # logistics fmt_change
    assert fmt_change(x, True) == f"{x:+.1f} 个百分点"


def test_percent_has_no_separators_and_zero_keeps_decimals():
    assert fmt_percent(12.5) == "1250.0%"
    assert fmt_percent(0) == "0.0%"
    assert fmt_percent(-0.0004) == "-0.0%"
    assert fmt_percent(0.8, 0) == "80%"
    assert fmt_percent(0.123, signed=True) == "+12.3%"


def test_change_in_percent_or_points():
    assert fmt_change(0.123) == "+12.3%"
    assert fmt_change(-0.08) == "-8.0%"
    assert fmt_change(0) == "+0.0%"
    assert fmt_change(1.5, points=True) == "+1.5 个百分点"
    assert fmt_change(-2, True) == "-2.0 个百分点"


def test_level_decimals_depend_on_size_and_unit():
    assert fmt_level(12345.6, "吨") == "12,346 吨"
    assert fmt_level(150.25, "万元") == "150 万元"
    assert fmt_level(56.25, "万元") == "56.2 万元"  # below 100 and not whole: one decimal
    assert fmt_level(56.0, "列") == "56 列"  # whole: no decimals
    assert fmt_level(1234.56, "小时") == "1,234.6 小时"  # hours always one decimal
    assert fmt_level(88, "%") == "88.0%"  # % attached, always one decimal
    assert fmt_level(0, "%") == "0.0%"
    assert fmt_level(0, "吨") == "0 吨"
    assert fmt_level(7.5) == "7.5"  # no unit: no trailing space
    assert fmt_level(7.5, None) == "7.5"


def test_compact_drops_decimals_only_for_whole_values():
    assert fmt_compact(12) == "12"
    assert fmt_compact(12.0) == "12"
    assert fmt_compact(np.int64(3)) == "3"
    assert fmt_compact(2.9999999999) == "3"  # within 1e-9 of whole
    assert fmt_compact(12.25) == "12.2"
    assert fmt_compact(2.96) == "3.0"  # not whole: one decimal even when it rounds to whole
    assert fmt_compact(1234) == "1,234"
    assert fmt_compact(0.0) == "0"
    assert fmt_compact(12.345, 2) == "12.35"


def test_p_value_floor():
    assert fmt_p_value(0.0004) == "<0.001"
    assert fmt_p_value(0.001) == "0.001"
    assert fmt_p_value(0.04567) == "0.046"
    assert fmt_p_value(1.0) == "1.000"


def test_for_page_shows_missing_cells_as_em_dash_and_keeps_values():
    df = pd.DataFrame({"a": [1.5, np.nan], "b": [None, "x"], "c": pd.array([pd.NA, 2], "Int64")})
    out = for_page(df)
    assert out.shape == df.shape
    assert list(out["a"]) == [1.5, MISSING]
    assert list(out["b"]) == [MISSING, "x"]
    assert list(out["c"]) == [MISSING, 2]
    assert all(pd.api.types.is_object_dtype(dt) for dt in out.dtypes)


def test_topic_names_are_the_shared_formatters():
    # old public names stay importable, and are the shared functions (no private copies)
    from evalkit import composite, logistics
    from evalkit.present import format as shared
    from evalkit.topics.composite import text
    from evalkit.topics.logistics import narrative

    assert text.for_page is composite.for_page is shared.for_page
    assert narrative.fmt_change is logistics.fmt_change is shared.fmt_change
    assert narrative.fmt_number.func is shared.fmt_level
    assert logistics.fmt_number(None) == "未报送"
    assert logistics.fmt_number(1234.5, "吨") == shared.fmt_level(1234.5, "吨") == "1,234 吨"
