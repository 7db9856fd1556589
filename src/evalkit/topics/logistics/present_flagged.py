"""The logistics page's section on flagged values (the flagged-data rule of :mod:`.flagged`).

Reads a stored :class:`~evalkit.topics.logistics.compute.LogisticsResult`; nothing is
recomputed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from ... import report
from ...schema import zone_name
from .narrative import FLAG_SOURCES, trade_total_sentence
from .settings import indicator_label, indicator_unit

#: The rule as stated on the page (method: ``flagged`` module docstring, docs/methodology.md).
RULE_TEXT = (
    "被数据质量检查（某月数值超过前后两个月的 10 倍或不到其十分之一）或季节分解异常筛查"
    "判为可能有误的月份，按以下规则处理：报送值仍是正式数字，页面表格和标题均按报送值；"
    "同时以该月的季节分解拟合值（趋势 + 季节项）代替报送值，重算受影响的累计同比作为敏感性数字。"
    "两者增减方向不同时，结论处同时给出两个数字并点明该月份，须待核实后再下结论。"
)


def flagged_display(flagged: pd.DataFrame) -> pd.DataFrame:
    """Return the flagged values with Chinese headers: zone, indicator, month, submitted, fitted, source."""
    cols = ["片区", "指标", "月份", "报送值", "拟合值（敏感性测算用）", "单位", "判定来源"]
    if flagged.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {
            "片区": flagged["zone_id"].map(zone_name),
            "指标": flagged["indicator"].map(indicator_label),
            "月份": pd.DatetimeIndex(flagged["month"]).strftime("%Y-%m"),
            "报送值": flagged["value"].astype(float),
            "拟合值（敏感性测算用）": flagged["replacement"].astype(float).round(1),
            "单位": flagged["indicator"].map(indicator_unit),
            "判定来源": flagged["source"].map(FLAG_SOURCES),
        },
        columns=cols,
    )


def threshold_words(status: pd.DataFrame) -> str:
    """Return the |z| threshold(s) the screened series used: ``|Z| > 4.14`` or a range."""
    z = status.loc[status["screened"].astype(bool), "z_threshold"].astype(float)
    z = z[np.isfinite(z)]
    if z.empty:
        return "—"
    lo, hi = round(float(z.min()), 2), round(float(z.max()), 2)
    return f"|Z| > {lo:.2f}" if lo == hi else f"|Z| > {lo:.2f}—{hi:.2f}"


def show_flagged(res) -> None:
    """Display the rule, the flagged values inside any window shown, their download and the trade total."""
    display(Markdown(RULE_TEXT))
    shown = flagged_display(res.flagged)
    if shown.empty:
        display(Markdown("截至本期没有被判为可能有误的月份。"))
    else:
        report.show_table(shown, caption="被判为可能有误的月份（报送值为正式数字）")
    display(report.save_table(shown, "logistics_flagged", res.year))
    display(Markdown(trade_total_sentence(res.trade, res.flagged, res.year) + "。"))
