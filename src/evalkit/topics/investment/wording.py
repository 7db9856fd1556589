"""Number and period wording of the investment pages (growth, shares, windows, probabilities).

Amounts are 万元, rates and shares fractions; an undefined growth rate is worded
("无法计算（基期为零）" / "无法计算（基期无数据）"), never shown as NaN or inf.

Small-base rule (小基数规则): a growth rate whose base (same months of the previous
year) is positive but below ``min_base`` 万元 (``growth.min_base_wan_yuan`` in
``data/config/investment.yaml``) is shown as "基数过小（上年同期 X 万元）" with the
amount, not as a percentage: on a base of 0.5 万元, 5 000 万元 would read
"+999900.0%", a number that says nothing about the zone.
"""

from __future__ import annotations

import math

import pandas as pd

from ...present.format import fmt_fixed, fmt_percent

UNDEFINED_ZERO = "无法计算（基期为零）"
UNDEFINED_MISSING = "无法计算（基期无数据）"
NOT_REPORTED = "未报送"
SMALL_BASE = "基数过小"


def is_small_base(base: float | None, min_base: float | None) -> bool:
    """Return True when *base* is positive but below *min_base* 万元 (no rule when *min_base* is None)."""
    if min_base is None or base is None or not math.isfinite(float(base)):
        return False
    return 0 < float(base) < float(min_base)


def format_growth(
    growth: float, defined: bool, base: float | None = None, min_base: float | None = None
) -> str:
    """Return growth as ``+12.3%``, the undefined wording, or the small-base wording.

    *min_base* (万元) applies the module's small-base rule: a defined growth on a
    base below it reads "基数过小（上年同期 0.5 万元）". Never NaN / inf.
    """
    if not defined or growth is None or not math.isfinite(growth):
        if base is None or (isinstance(base, float) and math.isnan(base)):
            return UNDEFINED_MISSING
        return UNDEFINED_ZERO
    if is_small_base(base, min_base):
        return f"{SMALL_BASE}（上年同期 {fmt_fixed(float(base), 1)} 万元）"
    return fmt_percent(growth, 1, signed=True)


def format_met(met) -> str:
    """Return 达标 / 未达标 / the reason it is not judged."""
    if met is None or (isinstance(met, float) and math.isnan(met)):
        return "不评判"
    return "达标" if bool(met) else "未达标"


def window_label(through_month: int) -> str:
    """Return the Chinese period label: ``1—10月``, ``全年`` for 12, ``未报送`` for 0."""
    if through_month <= 0:
        return NOT_REPORTED
    if through_month == 12:
        return "全年（1—12月）"
    return "1月" if through_month == 1 else f"1—{through_month}月"


def round_or_nan(x, nd: int = 2):
    """Round a number for display, keeping NaN (shown as "—")."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    return round(float(x), nd)


def fmt_share(s: float) -> str:
    """Return a share as ``12.3%`` or "—"."""
    return fmt_percent(s, 1)


def pct(x: float) -> str:
    """Return a rate as ``12.3%`` with sign only when negative."""
    return fmt_percent(x, 1)


def prob_words(p: float) -> str:
    """Return a probability in words: ``约为83%``, ``不足1%``, ``超过99%`` or ``无法计算``."""
    if p is None or not math.isfinite(p):
        return "无法计算（上年全年无数据）"
    if p < 0.005:
        return "不足1%"
    if p > 0.995:
        return "超过99%"
    return "约为" + fmt_percent(p, 0)


def whole(s: pd.Series) -> pd.Series:
    """Return *s* rounded to whole numbers as a nullable integer column (missing stays missing)."""
    return s.round(0).astype("Int64")


def growth_cells(growth, defined, base, min_base: float | None = None) -> list[str]:
    """Return :func:`format_growth` of each (growth, defined, base) triple of three columns."""
    return [
        format_growth(g, ok, b, min_base) for g, ok, b in zip(growth, defined, base, strict=True)
    ]
