"""Chinese wording of the logistics page: number formats and sentences built from the result.

Every sentence is built from computed numbers (never a hand-typed figure); zone
names come from the configuration (``schema.zone_name``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from ...present.format import fmt_change, fmt_fixed, fmt_level, fmt_percent
from ...present.text import zh_count
from ...schema import zone_name
from .anomaly import anomalies_in_window
from .corridor import CORRIDOR_INDICATORS
from .indicators import month_start, report_months
from .settings import FOREIGN_TRADE, MISSING_TEXT, indicator_label, indicator_unit

#: Flags of a change (year-on-year or cumulative), with their Chinese wording.
CHANGE_FLAGS = {
    "ok": "",
    "small_base": "基数较小，增速仅供参考",
    "zero_base": "上年基数为零，增速无定义",
    "no_base": "上年同期未报送或不完整",
    "missing": "本期未报送或不完整",
}

#: Who flagged a value (the ``source`` of the result's ``flagged`` rows), in words.
FLAG_SOURCES = {
    "stl": "异常筛查判为异常",
    "spike": "数据质量检查判为突增或突降",
    "stl+spike": "数据质量检查与异常筛查均判为异常",
}

#: The indicators the zone sentences and the summary lead with (summary key of each).
HEADLINES = (
    (FOREIGN_TRADE, "foreign_trade"),
    ("russia_trade_value", "russia_trade"),
    ("train_departures", "train_departures"),
)


#: A level with its unit (:func:`evalkit.present.format.fmt_level`); missing as ``未报送``.
fmt_number = partial(fmt_level, missing=MISSING_TEXT)


def change_cell(value: float, flag: str, points: bool = False) -> str:
    """Return a change as shown in a table: the number, or a warning marker instead of a headline."""
    if flag == "small_base":
        return f"⚠ {fmt_change(value, points)}（基数较小）"
    if flag == "ok":
        return fmt_change(value, points)
    return "—（" + CHANGE_FLAGS[flag] + "）"


def anomaly_note(
    n_anomalies: int, n_screened: int, year: int, month, threshold, *, rate: float | None = None
) -> str:
    """Return the sentence above the anomaly table: how many flagged, or why none could be.

    *threshold* is a number or its words (``|Z| > 4.14``); *rate* the stated chance that
    a clean series gets a false flag (the threshold's error rate), stated when given.
    """
    m = month_start(month)
    if n_screened == 0:
        return (
            f"{int(year)} 年没有满足异常筛查条件的序列（流量指标需至少三年历史，存量指标不筛查），"
            "本年度未做异常筛查。"
        )
    z = threshold if isinstance(threshold, str) else f"|Z| > {threshold:g}"
    why = ""
    if rate is not None:
        why = (
            f"；阈值按每个序列检验的月数设定，无异常的序列被误判出异常月份的概率约为 "
            f"{fmt_percent(rate, 0)}，{n_screened} 个序列合计预计误报约 "
            f"{fmt_fixed(rate * n_screened, 1, grouping=False)} 个"
        )
    if n_anomalies == 0:
        return (
            f"已筛查 {n_screened} 个序列，{int(year)} 年 1—{m.month} 月未发现异常月份"
            f"（阈值 {z}{why}）。"
        )
    return (
        f"已筛查 {n_screened} 个序列，{int(year)} 年 1—{m.month} 月共 {n_anomalies} 个异常月份"
        f"（阈值 {z}{why}），列于下表，请对照报送材料核实。"
    )


def period_note(year: int, as_of, *, partial: bool = False) -> str:
    """Return the sentence stating the period covered (and the plan's partial first year)."""
    months = report_months(year, as_of)
    last = months[-1]
    text = (
        f"统计期：{int(year)} 年 1—{last.month} 月（数据截至 {month_start(as_of):%Y-%m} 月），"
        f"同比与上年同月比较，累计同比与上年 1—{last.month} 月比较。"
    )
    if last.month < 12:
        text += "年度尚未结束，累计数为年内进度，不代表全年。"
    if partial:
        text += (
            f"{int(year)} 年为行动计划实施首年（计划于当年 9 月印发），"
            "本页按全年数据列示，作为后续年度比较的基期。"
        )
    return text


def _headline_change(value: float, flag: str, points: bool, what: str) -> str:
    """Return the clause on a change for the narrative (warning wording for small bases)."""
    if flag == "ok":
        word = "增长" if value >= 0 else "下降"
        if points:
            points_text = fmt_fixed(abs(value), 1, grouping=False, suffix=" 个百分点")
            return f"，{what}{'提高' if value >= 0 else '降低'} {points_text}"
        return f"，{what}{word} {fmt_percent(abs(value))}"
    if flag == "small_base":
        return f"，{what}变化为 {fmt_change(value, points)}，但上年基数较小，该增速仅供参考"
    if flag == "zero_base":
        return f"，上年同期为零，{what}增速无定义"
    if flag == "no_base":
        return f"，上年同期数据未报送或不完整，无法计算{what}"
    return ""


def _anomaly_caveat(anomalies, zone_id: str, indicator: str, month, check=None) -> str:
    """Return the clause warning that flagged months lie inside a cumulative comparison.

    *anomalies* are the flagged months (the STL screen's, or the result's ``flagged``
    values with their ``replacement``); *check* the zone's ``headline_checks`` row of
    *indicator* (None: no sensitivity figure is stated).
    """
    sel = anomalies_in_window(anomalies, zone_id, indicator, month)
    if sel.empty:
        return ""
    if check is None or "replacement" not in sel:
        names = "、".join(
            f"{pd.Timestamp(r.month).year} 年 {pd.Timestamp(r.month).month} 月{indicator_label(r.indicator)}"
            for r in sel.itertuples(index=False)
        )
        return f"（比较期内 {names}被判为异常月份，该变化须待核实后再作解读）"
    return (
        "（" + flagged_clause(sel, check.ytd_change_alt, check.ytd_flag_alt, check.depends) + "）"
    )


def flagged_names(sel: pd.DataFrame, zone: bool = False) -> str:
    """Return the flagged values named with submitted and fitted value: ``2025 年 6 月出口额（报送 …，拟合值 …）``.

    *sel* holds rows of the result's ``flagged`` frame; *zone* prefixes the zone's name.
    """
    return "、".join(
        (f"{zone_name(r.zone_id)} " if zone else " ")
        + f"{pd.Timestamp(r.month).year} 年 {pd.Timestamp(r.month).month} 月"
        + f"{indicator_label(r.indicator)}（报送 {fmt_number(r.value, indicator_unit(r.indicator))}"
        + f"，{FLAG_SOURCES.get(r.source, r.source)}，季节分解拟合值 "
        + f"{fmt_fixed(r.replacement, 1)} {indicator_unit(r.indicator)}）"
        for r in sel.itertuples(index=False)
    )


def flagged_clause(sel: pd.DataFrame, alt: float, alt_flag: str, depends: bool, zone=False) -> str:
    """Return the sentence part stating a change recomputed without flagged values.

    *sel*: the flagged values inside the comparison (result's ``flagged`` rows);
    *alt* / *alt_flag*: the change with them replaced by their fitted values;
    *depends*: the direction differs from the official figure (the flagged-data rule).
    """
    if alt_flag in ("ok", "small_base") and not np.isnan(alt):
        word = "增长" if alt >= 0 else "下降"
        redo = f"{word} {fmt_percent(abs(alt))}"
    else:
        redo = "无法计算增速"
    text = f"比较期内{flagged_names(sel, zone)}可能有误，按规则以拟合值作敏感性测算：{redo}"
    if depends:
        return text + "，增减方向取决于该数值，须核实后再下结论"
    return text + "，增减方向不变，但幅度须核实后再作解读"


def _headline_clauses(rows: dict, zone_id: str, month, anomalies, checks=None) -> list[str]:
    """Return the clauses on the headline indicators (year-to-date level and change)."""
    parts = []
    for ind, _key in HEADLINES:
        r = rows.get(ind)
        if r is None:
            continue
        label, unit = indicator_label(ind), indicator_unit(ind)
        if np.isnan(r.ytd):
            if r.ytd_months == 0:
                parts.append(f"{label}{MISSING_TEXT}")
            else:
                parts.append(f"{label}仅报送 {r.ytd_months} 个月，累计数不完整，未作比较")
            continue
        parts.append(
            f"{label}累计 {fmt_number(r.ytd, unit)}"
            + _headline_change(r.ytd_change, r.ytd_flag, bool(getattr(r, "points", False)), "同比")
            + _anomaly_caveat(anomalies, zone_id, ind, month, (checks or {}).get(ind))
        )
    return parts


def zone_narrative(
    zone_id: str,
    latest: pd.DataFrame,
    *,
    n_anomalies: int = 0,
    n_not_decomposed: int = 0,
    n_screened: int | None = None,
    anomalies: pd.DataFrame | None = None,
    checks: pd.DataFrame | None = None,
) -> str:
    """Return Chinese sentences on one zone from its as-of-month panel rows.

    *latest* holds the panel rows (from ``indicators.indicator_panel``) of *zone_id* for
    the as-of month. Covers foreign trade (import + export), trade with Russia and
    train departures year-to-date, indicators not submitted, anomalies and series
    too short to decompose. *n_screened* is the number of the zone's series screened
    for anomalies (None: not stated); with none, the text says no screening took
    place rather than that nothing was found. *anomalies* (all flagged months, any year) lets a
    headline change say when an anomalous month in this year's or last year's
    January-to-month window drives it; with *anomalies* the result's ``flagged`` values
    and *checks* its ``headline_checks``, the clause also gives the change recomputed
    with them replaced (the flagged-data rule, :mod:`.flagged`).
    """
    rows = {r.indicator: r for r in latest.itertuples(index=False) if r.zone_id == zone_id}
    by_ind = (
        {}
        if checks is None
        else {r.indicator: r for r in checks.itertuples(index=False) if r.zone_id == zone_id}
    )
    name = zone_name(zone_id)
    if not rows:
        return f"{name}：本期无物流与贸易指标数据。"
    month = next(iter(rows.values())).month
    period = f"{month.year} 年 1—{month.month} 月" if month.month > 1 else f"{month.year} 年 1 月"
    parts = _headline_clauses(rows, zone_id, month, anomalies, by_ind)
    text = f"{name} {period}：" + "；".join(parts) + "。" if parts else f"{name} {period}："
    missing = [
        indicator_label(i) for i, r in rows.items() if i != FOREIGN_TRADE and r.ytd_months == 0
    ]
    partial = [
        indicator_label(i)
        for i, r in rows.items()
        if i != FOREIGN_TRADE and 0 < r.ytd_months < month.month
    ]
    if missing:
        text += f"本年度未报送 {len(missing)} 项指标（{'、'.join(missing)}），页面显示为“未报送”，未按零计。"
    if partial:
        text += f"{len(partial)} 项指标有月份未报送（{'、'.join(partial)}），缺报月份不按零计。"
    if not missing and not partial:
        text += "各项指标本年度各月均已报送。"
    if n_screened == 0:
        text += "本片区没有满足异常筛查条件的序列（历史不足三年、存量指标或未报送），未做异常筛查。"
    elif n_anomalies:
        text += f"季节分解后有 {n_anomalies} 个月份的数值异常，已列出供核对报送材料。"
    else:
        text += "季节分解后本年度未发现异常月份。"
    if n_not_decomposed:
        text += f"另有 {n_not_decomposed} 项指标历史不足或缺报过多，未作季节分解。"
    return text


def corridor_narrative(shares: pd.DataFrame, year: int, month) -> str:
    """Return Chinese sentences on the corridor: each zone's share of trade with Russia and trains."""
    m = month_start(month)
    sentences = []
    for ind in CORRIDOR_INDICATORS:
        g = shares[shares["indicator"] == ind]
        label, unit = indicator_label(ind), indicator_unit(ind)
        known = g.dropna(subset=["ytd"])
        if known.empty:
            sentences.append(f"{label}：各片区均未完整报送，无法计算份额。")
            continue
        total = float(known["ytd"].sum())
        pieces = [
            f"{zone_name(r.zone_id)} {fmt_number(r.ytd, unit)}"
            + ("" if np.isnan(r.share) else f"（占 {fmt_percent(r.share)}）")
            for r in known.itertuples(index=False)
        ]
        s = f"{int(year)} 年 1—{m.month} 月{label}合计 {fmt_number(total, unit)}：" + "，".join(
            pieces
        )
        absent = [zone_name(z) for z in g.loc[g["ytd"].isna(), "zone_id"]]
        if absent:
            s += f"；{'、'.join(absent)}缺报月份，未计入合计"
        sentences.append(s + "。")
    return "".join(sentences)


def _flagged_rows(flagged: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Return the rows of *flagged* named ``zone_id YYYY-MM indicator`` in *names*."""
    if flagged is None or flagged.empty or not names:
        return flagged.iloc[0:0] if flagged is not None else pd.DataFrame()
    keys = flagged["zone_id"] + " " + pd.DatetimeIndex(flagged["month"]).strftime("%Y-%m")
    keys = keys + " " + flagged["indicator"]
    return flagged[keys.isin(names)]


def trade_total_sentence(trade, flagged: pd.DataFrame, year: int, label: str = "进出口额") -> str:
    """Return the sentence on the zones' combined foreign trade (:class:`~.flagged.TradeTotal`).

    States the total and its change on the same zones and months in both years, names
    zones left out (incomplete months in either year), words a small base, and, when
    flagged values lie in the windows, gives the change with them replaced (saying
    whether its direction depends on them). No final full stop.
    """
    m = month_start(trade.month + "-01")
    period = "" if m.month == 12 else f" 1—{m.month} 月"
    if not trade.zones:
        return f"{int(year)} 年{period}没有片区两年均完整报送{label}，无法比较合计"
    n = len(trade.zones)
    text = f"{int(year)} 年{period}{_zones_word(n)}{label}合计 {fmt_fixed(trade.total, 0)} 万元"
    if trade.excluded:
        left = "、".join(
            zone_name(z) + (f"本年仅报送 {k} 个月" if k < m.month else "上年同期报送不完整")
            for z, k, _complete_last in trade.excluded
        )
        text += f"（按两年均完整报送 1—{m.month} 月的{_zones_word(n)}比较；{left}，未计入）"
    g = trade.growth
    if trade.flag == "ok":
        text += f"，较上年同期{'增长' if g >= 0 else '下降'} {fmt_percent(abs(g))}"
    elif trade.flag == "small_base":
        base = fmt_fixed(trade.threshold, 0)
        text += f"，较上年同期变化 {fmt_change(g)}，但上年基数低于 {base} 万元，该增速仅供参考"
    elif trade.flag == "zero_base":
        text += "，上年同期为零，增速无定义"
    sel = _flagged_rows(flagged, list(trade.flagged_months))
    if not sel.empty:
        alt = float("nan") if trade.growth_alt is None else trade.growth_alt
        text += "；" + flagged_clause(sel, alt, trade.flag_alt, trade.depends, zone=True)
    return text


def _zones_word(n: int) -> str:
    """Return ``三个片区`` for *n* zones."""
    return f"{zh_count(n)}个片区"
