"""Sentences of the impact page (Markdown), built from the numbers they are given.

Number formats (:func:`fmt_num`, :func:`fmt_p`, :func:`pct`), the headline
:func:`narrative`, the period and zero-value notes, the partly treated year and
anticipation (:func:`event_timing_note`) and the inference rules. County names and
counts come from ``evalkit.schema``. :mod:`evalkit.topics.impact.present`
re-exports every public name here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import schema
from ...present import glossary
from ...present.format import fmt_fixed, fmt_p_value
from ...present.markdown import md_escape
from ...present.text import zh_count, zh_list
from .compute import (
    DESIGNATION_MONTH,
    FIRST_TREATED_YEAR,
    LEAVE_OUT_HOST,
    PLACEBO_YEAR,
    comparison_counties,
    year_span,
)
from .did import FEW_TREATED_CLUSTERS, MIN_CLUSTERS, DidResult, EventStudy

#: Marks a p-value whose inference carries a warning (few treated clusters) on the page.
FEW_TREATED_MARK = "†"


def county_names(ids: Sequence[str]) -> list[str]:
    """Return the Chinese names of county *ids* (``schema.COUNTIES``; an unknown id as is)."""
    return [schema.COUNTIES.get(c, c) for c in ids]


def _groups(hosts: Sequence[str] | None, comparison: Sequence[str] | None) -> tuple[list, list]:
    """Return (host ids, comparison ids), defaulting to the configured counties."""
    hosts = list(schema.PILOT_HOST_COUNTIES if hosts is None else hosts)
    comparison = list(comparison_counties() if comparison is None else comparison)
    return hosts, comparison


# --- Number formats ---------------------------------------------------------------------------


def fmt_num(value: float, digits: int = 3) -> str:
    """Format a number for a page; NaN / inf become ``"—"``."""
    return fmt_fixed(value, digits)


def fmt_p(value: float) -> str:
    """Format a p-value (three decimals; ``"<0.001"`` below that; ``"—"`` if missing)."""
    return fmt_p_value(value)


def pct(log_effect: float) -> float:
    """Return the percentage change implied by a log-point effect: ``100 (e^b − 1)``."""
    return 100 * math.expm1(log_effect) if math.isfinite(log_effect) else math.nan


def _host_loo_sentence(rows: pd.DataFrame, alpha: float) -> str:
    """Return the sentence on the leave-one-pilot-county-out rows (numbers from *rows*)."""
    lo, hi = rows["estimate"].min(), rows["estimate"].max()
    text = f"逐一剔除一个试点县后估计值在 {fmt_num(lo)} ～ {fmt_num(hi)} 之间"
    ps = rows[np.isfinite(rows["p_wild_bootstrap"].astype(float))]
    if len(ps):
        above = int((ps["p_wild_bootstrap"] >= alpha).sum())
        named = [
            f"{md_escape(spec.removeprefix(LEAVE_OUT_HOST))} {fmt_p(p)}"
            for spec, p in zip(ps["spec"], ps["p_wild_bootstrap"], strict=True)
        ]
        text += f"，wild bootstrap p 值分别为{'、'.join(named)}"
        text += f"（{above} 个不低于 0.05）" if above else "（均低于 0.05）"
    if (rows["inference"] != "ok").any():
        left = int(rows["n_treated_clusters"].min())
        text += f"，但剔除后只剩 {left} 个试点县，这些 p 值偏保守、只作参考"
    return text


def narrative(
    res: DidResult,
    plan: dict,
    *,
    report_year: int,
    outcome_label: str,
    pretrend_p: float,
    placebo: dict | None = None,
    loo_range: tuple[float, float] | None = None,
    hosts: Sequence[str] | None = None,
    comparison: Sequence[str] | None = None,
    host_loo: pd.DataFrame | None = None,
    log_excluded: Sequence[str] = (),
) -> str:
    """Return the page's plain-Chinese explanation (Markdown) built from the numbers.

    *placebo* is the placebo row of :func:`~evalkit.topics.impact.compute.robustness`
    (``estimate``, ``p_wild_bootstrap``); *loo_range* the (min, max) of the
    leave-one-comparison-county-out estimates; *host_loo* the leave-one-pilot-county-out
    rows (``spec``, ``estimate``, ``p_wild_bootstrap``, ``n_treated_clusters``,
    ``inference``); *log_excluded* the ids of counties left out of the log
    specification; *hosts* / *comparison* the county ids of the two groups
    (default: the configured pilot host and comparison counties). Every figure
    comes from the arguments; labels are escaped. Longer than most functions: it is
    the page's four paragraphs of fixed wording, kept together so they read in order.
    """
    hosts, comparison = _groups(hosts, comparison)
    host_text = f"{zh_count(len(hosts))}个试点所在县（{md_escape(zh_list(county_names(hosts)))}）"
    others = f"其余{zh_count(len(comparison))}个县"
    label = md_escape(outcome_label)
    pre, post = year_span(plan["pre"]), year_span(plan["post"])
    est_pct = pct(res.estimate)
    lo_pct, hi_pct = pct(res.boot_ci_low), pct(res.boot_ci_high)
    direction = "高" if res.estimate >= 0 else "低"
    parts = []
    parts.append(
        f"**估计结果。** 以 {pre} 年为处理前、{post} 年为处理后，{host_text}"
        f"的{label}，比按{others}同期变化推算的水平{direction}约 "
        f"{fmt_num(abs(est_pct), 1)}%（对数差异 {fmt_num(res.estimate)}）。"
        + (
            f"{glossary.explained('wild_bootstrap', 'wild bootstrap')} 给出的 95% 区间为 "
            f"{fmt_num(lo_pct, 1)}% ～ {fmt_num(hi_pct, 1)}%，"
            f"p 值 {fmt_p(res.p_wild_bootstrap)}；"
            + (
                "在 5% 水平上可以排除“没有效应”。"
                if res.p_wild_bootstrap < res.alpha
                else "在 5% 水平上不能排除“没有效应”。"
            )
            if res.inference != "withheld"
            else "不报告区间和 p 值："
        )
        + md_escape(res.inference_note)
    )
    years_note = []
    if plan["partial_post"]:
        years_note.append(
            f"{report_year} 年报告只有一个设立后的年份（2024 年），而先导区 2024 年 9 月才设立，"
            "该年大部分时间尚未受政策影响，若政策效应逐步显现，这一估计可能低于完整年份的效应，只能作初步参考。"
        )
    elif plan["dropped"]:
        years_note.append(
            "2024 年只有 9 月以后受政策影响（部分处理年），基准估计不使用 2024 年；"
            "把 2024 年也计为处理后的结果列在稳健性表中。"
        )
    last = plan["last_panel_year"]
    if last is not None and last < report_year:
        years_note.append(
            f"县级年度面板目前只到 {last} 年，{report_year} 年的数据尚未形成，"
            f"本期报告的估计仍以 {last} 年为最后一个年份。"
        )
    if years_note:
        parts.append("**使用哪些年份。** " + "".join(years_note))
    if log_excluded:
        parts.append("**哪些县。** " + log_exclusion_note(log_excluded, outcome_label))
    parts.append(
        f"**它依赖什么假设。** 这一比较假定：如果没有先导区，试点县与{others}的"
        f"{label}会按相同的趋势变化（平行趋势）。逐年估计给出检验："
        f"设立前各年差异联合为零的检验 p 值为 {fmt_p(pretrend_p)}"
        + (
            "，没有发现设立前就已分化的迹象（但检验功效有限，不能证明趋势一定平行）。"
            if math.isfinite(pretrend_p) and pretrend_p >= 0.05
            else "，设立前已有分化迹象，结果需谨慎解读。"
            if math.isfinite(pretrend_p)
            else "（处理前年份不足，无法检验）。"
        )
    )
    robust = []
    if placebo is not None:
        robust.append(
            f"假定 {PLACEBO_YEAR} 年就已“设立”的安慰剂检验估计为 {fmt_num(placebo['estimate'])}"
            f"（p 值 {fmt_p(placebo['p_wild_bootstrap'])}）"
        )
    if loo_range is not None:
        robust.append(
            f"逐一剔除一个对照县后估计值在 {fmt_num(loo_range[0])} ～ {fmt_num(loo_range[1])} 之间"
        )
    if host_loo is not None and len(host_loo):
        robust.append(_host_loo_sentence(host_loo, res.alpha))
    parts.append(
        f"**为什么不确定。** 比较单位只有 {res.n_clusters} 个县，其中试点县 "
        f"{res.n_treated_clusters} 个；同一县各年的波动彼此相关，只能按县计算误差，"
        "县数这么少时常规标准误会低估不确定性，所以主结论采用 "
        # Explained here only when the estimate paragraph gave no interval (withheld).
        + (
            "wild cluster bootstrap"
            if res.inference != "withheld"
            else glossary.explained("wild_bootstrap", "wild cluster bootstrap")
        )
        + f" 给出的 p 值和区间（重抽样 {res.bootstrap_reps} 次，固定随机种子），"
        f"随机权重为 {glossary.explained('webb')}。"
        + ("；".join(robust) + "。" if robust else "")
        + "这是相关证据而非精确计量：其他同期政策或冲击若只作用于试点县，也会混入估计值。"
    )
    return "\n\n".join(parts)


def log_exclusion_note(excluded: Sequence[str], outcome_label: str) -> str:
    """Return the sentence naming the counties left out of the log specification ("" if none).

    The rule (:func:`~evalkit.topics.impact.compute.log_sample`): a county with a
    value ≤ 0 is left out of every log specification of that outcome; the level
    specification keeps it.
    """
    if not excluded:
        return ""
    names = md_escape(zh_list(county_names(excluded)))
    return (
        f"{names}的{md_escape(outcome_label)}有 0 或负值，无法取对数：按本页规则，该县不参与"
        "这一指标的对数估计（各年一并剔除，主要估计、逐年对比和走势图使用相同的县），"
        "只保留在水平值设定中。不用 log(1+x) 之类的变换，是因为有 0 值时它们给出的"
        "“百分比”效应随计量单位而变（Chen & Roth 2024）。"
    )


def period_note(report_year: int, plan: dict) -> str:
    """Return one sentence saying which years this page compares (Markdown)."""
    pre, post = year_span(plan["pre"]), year_span(plan["post"])
    text = f"本页比较 {pre} 年（设立前）与 {post} 年（设立后）。"
    if plan["partial_post"]:
        text += "2024 年为先导区设立当年（9 月设立），只有部分时间受政策影响。"
    elif plan["dropped"]:
        text += "2024 年为设立当年（9 月设立），属部分处理年，基准估计不使用。"
    last = plan["last_panel_year"]
    if last is not None and last < report_year:
        text += f"县级年度数据目前只到 {last} 年。"
    return text


# --- The page, from a stored result -------------------------------------------------------------


def _compare_word(partial: float, full: float) -> str:
    """Return how the partly treated year's coefficient compares with the full years' mean."""
    if partial >= full:
        return "不小于"
    if full > 0 and partial >= 0.75 * full:
        return "接近"
    return "小于"


def event_timing_note(es: EventStudy, plan: dict) -> str:
    """Return the paragraph on the partly treated year and anticipation (Markdown).

    Built from the event-study coefficients: the coefficient of
    :data:`FIRST_TREATED_YEAR` (designation in month :data:`DESIGNATION_MONTH`, so
    only part of that year is treated) against the mean of the later, fully
    treated years; and the pre-designation coefficients, which would sit below
    zero if anticipation had already raised the reference year. Returns "" when
    the event study has no coefficient for the partly treated year.
    """
    t = es.table.set_index("period")
    if FIRST_TREATED_YEAR not in t.index or not math.isfinite(
        t.loc[FIRST_TREATED_YEAR, "estimate"]
    ):
        return ""
    y0, c0 = FIRST_TREATED_YEAR, float(t.loc[FIRST_TREATED_YEAR, "estimate"])
    months = 12 - DESIGNATION_MONTH + 1
    full = t[(t.index > y0) & t["estimate"].notna()]["estimate"]
    pre = t[(t.index < es.ref) & t["estimate"].notna()]["estimate"]
    text = (
        f"**部分处理年与预期效应。** 先导区 {y0} 年 {DESIGNATION_MONTH} 月才设立，{y0} 年只有约 "
        f"{months} 个月受政策影响，该年试点县与对照县的差异（相对 {es.ref} 年）为 {fmt_num(c0)}。"
    )
    if len(full):
        mean_full = float(full.mean())
        years = year_span([int(y) for y in full.index])
        text += (
            f"这{_compare_word(c0, mean_full)}完整处理年 {years} 年的"
            f"{'平均值 ' if len(full) > 1 else ' '}{fmt_num(mean_full)}。"
        )
        if c0 >= 0.75 * mean_full and mean_full > 0:
            text += (
                "若效应随受政策影响的时间逐步累积，部分处理年的差异应明显更小；它并不更小，可能是因为"
                "（1）预期效应：设立前后企业和地方已提前行动；（2）同期只作用于试点县的其他政策或冲击；"
                "（3）效应在设立时一次显现、之后不再扩大。逐年数据无法区分这几种情况，"
                f"所以 {y0} 年的差异不能全部归于先导区设立，基准估计也不使用 {y0} 年。"
            )
    else:
        text += (
            "尚无完整处理年可作比较：若政策效应逐步显现，这一差异会低估完整年份的效应；"
            "若存在预期效应或同期其他冲击，它又可能混入与设立无关的变化。"
        )
    if len(pre):
        text += (
            f"设立前各年（{year_span([int(y) for y in pre.index])}）相对 {es.ref} 年的差异在 "
            f"{fmt_num(float(pre.min()))} ～ {fmt_num(float(pre.max()))} 之间；"
            f"若预期效应在 {es.ref} 年就已推高试点县，这些差异应普遍为负，"
            f"{'而它们没有普遍为负' if (pre < 0).sum() <= len(pre) / 2 else '它们多数为负，需留意'}。"
        )
    return text


def inference_rules_note() -> str:
    """Return the method bullet on too few counties and zero values (Markdown), from the constants."""
    return (
        f"- 县数过少时的规则：县数少于 {MIN_CLUSTERS} 个，或试点县（或对照县）只有 1 个时，"
        "不报告标准误、区间和 p 值，只给估计值；试点县（或对照县）少于 "
        f"{FEW_TREATED_CLUSTERS} 个时照常计算，但标注 {FEW_TREATED_MARK} 并说明 wild bootstrap "
        "偏保守（依据：Cameron, Gelbach & Miller 2008；MacKinnon & Webb 2017、2018）。\n"
        "- 0 或负值：某县某指标有 0 或负值时，该县不参与这一指标的对数估计（各年一并剔除），"
        "页面点名；水平值设定保留该县（依据：Chen & Roth 2024）。"
    )
