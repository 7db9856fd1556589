"""The impact page: tables, narrative and charts built from a stored :class:`ImpactResult`.

Nothing here estimates anything: every number comes from
:func:`evalkit.topics.impact.compute.run` (through :func:`evalkit.results.load`).
County names and counts in the Chinese text come from ``evalkit.schema`` (the
host counties and the comparison counties), so another configuration reads right.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ... import schema
from ...present.text import zh_count, zh_list
from .compute import (
    DESIGNATION_MONTH,
    FIRST_TREATED_YEAR,
    HEADLINE_OUTCOME,
    LEAVE_OUT_COMPARISON,
    LEAVE_OUT_HOST,
    PLACEBO_YEAR,
    REFERENCE_YEAR,
    ImpactResult,
    comparison_counties,
    year_span,
)
from .did import FEW_TREATED_CLUSTERS, MIN_CLUSTERS, DidResult, EventStudy

#: Robustness rows whose ``spec`` starts with these are the placebo and the leave-one-out rows.
PLACEBO_PREFIX = "安慰剂"
LEAVE_ONE_OUT_PREFIX = LEAVE_OUT_COMPARISON


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
    if value is None or not math.isfinite(float(value)):
        return "—"
    return f"{float(value):,.{digits}f}"


def fmt_p(value: float) -> str:
    """Format a p-value (three decimals; ``"<0.001"`` below that; ``"—"`` if missing)."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def pct(log_effect: float) -> float:
    """Return the percentage change implied by a log-point effect: ``100 (e^b − 1)``."""
    return 100 * math.expm1(log_effect) if math.isfinite(log_effect) else math.nan


ROBUSTNESS_HEADERS = {
    "spec": "设定",
    "years": "比较年份（处理前 对 处理后）",
    "unit": "单位",
    "estimate": "估计值",
    "se": "聚类稳健标准误",
    "boot_ci_low": "95% 区间下限（wild bootstrap）",
    "boot_ci_high": "95% 区间上限（wild bootstrap）",
    "p_wild_bootstrap": "wild bootstrap p 值",
    "ci_low": "95% 区间下限（t 分布，参考）",
    "ci_high": "95% 区间上限（t 分布，参考）",
    "n_clusters": "县数",
    "n_treated_clusters": "试点县数",
    "inference": "推断状态",
}

#: Marks a p-value whose inference carries a warning (few treated clusters) on the page.
FEW_TREATED_MARK = "†"


def robustness_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Return the robustness table with Chinese headers (numbers kept numeric)."""
    return table.rename(columns=ROBUSTNESS_HEADERS)


def _interval(lo: float, hi: float, digits: int = 3) -> str:
    """Return ``"lo ～ hi"`` formatted, or ``"—"`` when either end is missing."""
    if not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
        return "—"
    return f"{fmt_num(lo, digits)} ～ {fmt_num(hi, digits)}"


def _marked_p(p: float, inference: str) -> str:
    """Return the formatted p-value, marked with :data:`FEW_TREATED_MARK` when warned."""
    return fmt_p(p) + (FEW_TREATED_MARK if inference == "few_treated" else "")


def robustness_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return the robustness table formatted for the page (strings, "—" for missing).

    The interval shown is the wild-bootstrap one, beside the wild-bootstrap p-value
    it inverts; a p-value with too few pilot (or comparison) counties for reliable
    inference is marked :data:`FEW_TREATED_MARK` (explained by :func:`robustness_note`).
    """
    # Log rows show three decimals; money-level rows one.
    digits = [3 if u == "对数" else 1 for u in table["unit"]]
    inference = table["inference"] if "inference" in table else ["ok"] * len(table)
    return pd.DataFrame(
        {
            "设定": table["spec"],
            "比较年份": table["years"],
            "单位": table["unit"],
            "估计值": [fmt_num(v, d) for v, d in zip(table["estimate"], digits, strict=True)],
            "标准误": [fmt_num(v, d) for v, d in zip(table["se"], digits, strict=True)],
            "95% 区间（wild bootstrap）": [
                _interval(lo, hi, d)
                for lo, hi, d in zip(
                    table["boot_ci_low"], table["boot_ci_high"], digits, strict=True
                )
            ],
            "wild bootstrap p 值": [
                _marked_p(v, i) for v, i in zip(table["p_wild_bootstrap"], inference, strict=True)
            ],
            "县数": table["n_clusters"].astype(int).astype(str),
            "试点县数": table["n_treated_clusters"].astype(int).astype(str),
        }
    )


def robustness_note(table: pd.DataFrame) -> str:
    """Return the note under the robustness table (Markdown): interval method and warnings.

    Says that intervals invert the wild-bootstrap test (so an interval excludes 0
    exactly when p < 0.05) and, when some rows are marked, why (their counts).
    """
    text = (
        "表中区间由 wild bootstrap 检验反推（与 p 值用同一组重抽样），两者结论一致："
        "p 值不低于 0.05 时区间包含 0，区间不含 0 时 p 值低于 0.05；t 分布区间只作参考，列在下载表中。"
    )
    warned = table[table["inference"] == "few_treated"] if "inference" in table else table[:0]
    if len(warned):
        low = int(warned["n_treated_clusters"].min())
        text += (
            f"标 {FEW_TREATED_MARK} 的 {len(warned)} 行只有 {low} 个试点县：试点县这么少时 wild "
            "bootstrap 偏保守（p 值偏大、区间偏宽，MacKinnon & Webb 2017、2018），只作参考。"
        )
    return text


EVENT_HEADERS = {
    "period": "年份",
    "estimate": "相对 2023 年的差异（对数）",
    "se": "聚类稳健标准误",
    "ci_low": "95% 区间下限",
    "ci_high": "95% 区间上限",
}


def event_csv(es: EventStudy) -> pd.DataFrame:
    """Return the event-study coefficients with Chinese headers (numbers kept numeric)."""
    return es.table.rename(columns={**EVENT_HEADERS, "estimate": f"相对 {es.ref} 年的差异（对数）"})


def event_display(es: EventStudy) -> pd.DataFrame:
    """Return the event-study table formatted for the page."""
    t = es.table
    return pd.DataFrame(
        {
            "年份": t["period"].astype(int).astype(str),
            f"相对 {es.ref} 年的差异（对数）": [
                "0（参照年）" if k == es.ref else fmt_num(v)
                for k, v in zip(t["period"], t["estimate"], strict=True)
            ],
            "标准误": [fmt_num(v) for v in t["se"]],
            "95% 区间": [
                "—" if not math.isfinite(lo) else f"{fmt_num(lo)} ～ {fmt_num(hi)}"
                for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )


def plot_event_study(es: EventStudy, *, outcome_label: str, synthetic: bool = False):
    """Draw the event-study coefficients with 95% intervals; return the figure."""
    from ... import figures

    fig, ax = figures.new_figure(
        f"试点县与对照县{outcome_label}差异的逐年变化（相对 {es.ref} 年）",
        "对数差异（≈ 百分比 / 100）",
        source="资料来源：县（市、区）年度面板，evalkit 估计；竖线为 95% 区间（县级聚类稳健）",
        synthetic=synthetic,
    )
    t = es.table
    est = t["estimate"].to_numpy(dtype=float)
    lo = t["ci_low"].to_numpy(dtype=float)
    hi = t["ci_high"].to_numpy(dtype=float)
    x = t["period"].to_numpy(dtype=int)
    ok = np.isfinite(lo)
    ax.errorbar(
        x[ok],
        est[ok],
        yerr=[est[ok] - lo[ok], hi[ok] - est[ok]],
        fmt="o",
        color=figures.PALETTE[0],
        capsize=4,
        label="估计值及 95% 区间",
    )
    ax.plot(x[~ok], est[~ok], "s", color=figures.PALETTE[1], label=f"参照年（{es.ref}，定为 0）")
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.axvline(FIRST_TREATED_YEAR - 0.5, color="#555555", linestyle="--", linewidth=0.8)
    ax.text(FIRST_TREATED_YEAR - 0.45, ax.get_ylim()[1], "2024 年 9 月设立", va="top", fontsize=9)
    ax.set_xticks(x)
    ax.set_xlabel("年份")
    ax.legend(loc="best")
    return fig


def headline_table(res: DidResult, plan: dict) -> pd.DataFrame:
    """Return the headline estimate as a one-row table with Chinese headers (numeric).

    Each interval sits beside the p-value of the same test (wild bootstrap, then t).
    """
    return pd.DataFrame(
        [
            {
                "处理前年份": year_span(plan["pre"]),
                "处理后年份": year_span(plan["post"]),
                "估计值（对数）": res.estimate,
                "约合百分比变化（%）": pct(res.estimate),
                "聚类稳健标准误": res.se,
                "95% 区间下限（wild bootstrap）": res.boot_ci_low,
                "95% 区间上限（wild bootstrap）": res.boot_ci_high,
                "wild bootstrap p 值": res.p_wild_bootstrap,
                "95% 区间下限（t 分布）": res.ci_low,
                "95% 区间上限（t 分布）": res.ci_high,
                "常规 t 检验 p 值": res.p_analytic,
                "县数": res.n_clusters,
                "试点县数": res.n_treated_clusters,
                "观测数": res.n_obs,
                "bootstrap 次数": res.bootstrap_reps,
            }
        ]
    )


def headline_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`headline_table` as label/value rows formatted for the page."""
    row = table.iloc[0]
    out = []
    for col in table.columns:
        v = row[col]
        if col.endswith("p 值"):
            s = fmt_p(v)
        elif col in ("县数", "试点县数", "观测数", "bootstrap 次数"):
            s = str(int(v))
        elif col == "约合百分比变化（%）":
            s = fmt_num(v, 1)
        elif isinstance(v, str):
            s = v
        else:
            s = fmt_num(v)
        out.append({"项目": col, "数值": s})
    return pd.DataFrame(out)


def summary_part(res: DidResult, plan: dict, outcome: str = HEADLINE_OUTCOME) -> dict:
    """Return the ``impact`` block for ``summary.json``.

    ``years`` are the post-designation years the headline uses (``pre_years`` the
    comparison years); the interval is the wild-bootstrap one, consistent with
    ``p_wild_bootstrap``; the estimate is in log points.
    """
    return {
        "impact": {
            "outcome": outcome,
            "scale": "log",
            "years": list(plan["post"]),
            "pre_years": list(plan["pre"]),
            "partial_year": bool(plan["partial_post"]),
            "estimate": res.estimate,
            "ci_low": res.boot_ci_low,
            "ci_high": res.boot_ci_high,
            "ci_method": "wild_cluster_bootstrap_inversion",
            "p_wild_bootstrap": res.p_wild_bootstrap,
        }
    }


def _host_loo_sentence(rows: pd.DataFrame, alpha: float) -> str:
    """Return the sentence on the leave-one-pilot-county-out rows (numbers from *rows*)."""
    lo, hi = rows["estimate"].min(), rows["estimate"].max()
    text = f"逐一剔除一个试点县后估计值在 {fmt_num(lo)} ～ {fmt_num(hi)} 之间"
    ps = rows[np.isfinite(rows["p_wild_bootstrap"].astype(float))]
    if len(ps):
        above = int((ps["p_wild_bootstrap"] >= alpha).sum())
        named = [
            f"{html.escape(spec.removeprefix(LEAVE_OUT_HOST))} {fmt_p(p)}"
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
    host_text = f"{zh_count(len(hosts))}个试点所在县（{html.escape(zh_list(county_names(hosts)))}）"
    others = f"其余{zh_count(len(comparison))}个县"
    label = html.escape(outcome_label)
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
            f"wild bootstrap 95% 区间为 {fmt_num(lo_pct, 1)}% ～ {fmt_num(hi_pct, 1)}%，"
            f"p 值 {fmt_p(res.p_wild_bootstrap)}；"
            + (
                "在 5% 水平上可以排除“没有效应”。"
                if res.p_wild_bootstrap < res.alpha
                else "在 5% 水平上不能排除“没有效应”。"
            )
            if res.inference != "withheld"
            else "不报告区间和 p 值："
        )
        + html.escape(res.inference_note)
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
        "县数这么少时常规标准误会低估不确定性，所以主结论采用 wild cluster bootstrap"
        f"（Webb 权重，{res.bootstrap_reps} 次，固定随机种子）给出的 p 值和区间。"
        + ("；".join(robust) + "。" if robust else "")
        + "这是相关证据而非精确计量：其他同期政策或冲击若只作用于试点县，也会混入估计值。"
    )
    return "\n\n".join(parts)


OUTCOME_HEADERS = {
    "outcome": "指标代码",
    "label": "指标",
    "estimate": "估计值（对数）",
    # The inference columns are headed as in the robustness table.
    **{
        k: ROBUSTNESS_HEADERS[k]
        for k in ("se", "boot_ci_low", "boot_ci_high", "p_wild_bootstrap", "ci_low", "ci_high")
    },
    "n_clusters": ROBUSTNESS_HEADERS["n_clusters"],
    "inference": ROBUSTNESS_HEADERS["inference"],
    "excluded": "未纳入对数估计的县（代码）",
}


def outcomes_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`~evalkit.topics.impact.compute.outcomes_table` with Chinese headers (numbers kept numeric)."""
    return table.rename(columns=OUTCOME_HEADERS)


def outcomes_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`~evalkit.topics.impact.compute.outcomes_table` formatted for the page (Chinese headers).

    The interval is the wild-bootstrap one beside its p-value. When some outcome
    left counties out of its log specification (zero or negative values), a last
    column names them.
    """
    inference = table["inference"] if "inference" in table else ["ok"] * len(table)
    out = pd.DataFrame(
        {
            "指标": table["label"],
            "估计值（对数）": [fmt_num(v) for v in table["estimate"]],
            "约合百分比（%）": [fmt_num(pct(v), 1) for v in table["estimate"]],
            "95% 区间（wild bootstrap）": [
                _interval(lo, hi)
                for lo, hi in zip(table["boot_ci_low"], table["boot_ci_high"], strict=True)
            ],
            "wild bootstrap p 值": [
                _marked_p(v, i) for v, i in zip(table["p_wild_bootstrap"], inference, strict=True)
            ],
        }
    )
    if "excluded" in table and (table["excluded"] != "").any():
        out["未纳入对数估计的县（有 0 或负值）"] = [
            zh_list(county_names(e.split(","))) if e else "—" for e in table["excluded"]
        ]
    return out


def log_exclusion_note(excluded: Sequence[str], outcome_label: str) -> str:
    """Return the sentence naming the counties left out of the log specification ("" if none).

    The rule (:func:`~evalkit.topics.impact.compute.log_sample`): a county with a
    value ≤ 0 is left out of every log specification of that outcome; the level
    specification keeps it.
    """
    if not excluded:
        return ""
    names = html.escape(zh_list(county_names(excluded)))
    return (
        f"{names}的{html.escape(outcome_label)}有 0 或负值，无法取对数：按本页规则，该县不参与"
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


def intro(res: ImpactResult) -> str:
    """Return the page's opening paragraph (Markdown): who is compared with whom, on what.

    Counts of zones and counties and the host counties' names come from
    ``schema.ZONES`` and the result's county lists.
    """
    hosts = zh_list(county_names(res.host_counties))
    return (
        "完成了多少项任务，说明发生了什么；先导区的设立本身带来了多少变化，需要一个比较对象。"
        f"本页把先导区{zh_count(len(schema.ZONES))}个片区所在的县（市、区）——{hosts}——"
        f"与绥化市其余{zh_count(len(res.comparison_counties))}个县（市）比较，"
        f"看 {FIRST_TREATED_YEAR} 年 9 月先导区设立前后，两组县之间的差距有没有变化（双重差分法）。"
        f"主要指标是**{html.escape(res.outcome_label)}**，其他县域指标作为对照一并列出。"
    )


def placebo_row(robust: pd.DataFrame) -> dict | None:
    """Return the placebo row of a robustness table as a dict, or None if it has none."""
    rows = robust[robust["spec"].str.startswith(PLACEBO_PREFIX)]
    return rows.iloc[0].to_dict() if len(rows) else None


def leave_one_out_range(robust: pd.DataFrame) -> tuple[float, float] | None:
    """Return (min, max) of the leave-one-out estimates of a robustness table, or None."""
    rows = robust[robust["spec"].str.startswith(LEAVE_ONE_OUT_PREFIX)]
    return (rows["estimate"].min(), rows["estimate"].max()) if len(rows) else None


def host_leave_out_rows(robust: pd.DataFrame) -> pd.DataFrame:
    """Return the leave-one-pilot-county-out rows of a robustness table (possibly empty)."""
    return robust[robust["spec"].str.startswith(LEAVE_OUT_HOST)]


def narrative_of(res: ImpactResult) -> str:
    """Return :func:`narrative` for a stored result (placebo and leave-one-out from its table)."""
    return narrative(
        res.headline,
        res.plan,
        report_year=res.year,
        outcome_label=res.outcome_label,
        pretrend_p=res.event_study.pretrend_p,
        placebo=placebo_row(res.robustness),
        loo_range=leave_one_out_range(res.robustness),
        hosts=res.host_counties,
        comparison=res.comparison_counties,
        host_loo=host_leave_out_rows(res.robustness),
        log_excluded=res.log_excluded.get(res.outcome, []),
    )


def headline_caption(res: ImpactResult) -> str:
    """Caption of the headline table."""
    return f"先导区设立对{res.outcome_label}的影响（双重差分估计）"


def pretrend_note(es: EventStudy) -> str:
    """Return the sentence reporting the pre-trend F test (Markdown); counts from *es*."""
    return (
        f"设立前各年差异联合为零的检验（F 检验，自由度 {es.pretrend_df[0]} 和 {es.pretrend_df[1]}）："
        f"F = {fmt_num(es.pretrend_f, 2)}，p 值 {fmt_p(es.pretrend_p)}。"
        f"每一年的估计都只有{zh_count(es.n_clusters)}个县的信息，单年区间较宽。"
    )


TRENDS_HEADERS = {"year": "年份", "pilot": "试点县指数", "comparison": "对照县指数"}


def trends_csv(trends: pd.DataFrame) -> pd.DataFrame:
    """Return the group trends (:func:`~evalkit.topics.impact.compute.group_trends`) with Chinese headers."""
    return trends.rename(columns=TRENDS_HEADERS)


def plot_group_trends(res: ImpactResult):
    """Draw the pilot and comparison counties' indexed geometric means; return the figure.

    One line per group (``res.trends``: year, pilot, comparison; reference year = 100)
    and a dotted line before the first treated year. Legend names the host counties
    and counts the comparison counties from the result.
    """
    from ... import figures

    trends = res.trends
    fig, ax = figures.new_figure(
        f"试点县与对照县{res.outcome_label}（几何平均，{REFERENCE_YEAR} 年 = 100）",
        "指数",
        source="资料来源：县（市、区）年度面板，evalkit 整理",
        synthetic=res.synthetic,
    )
    hosts = zh_list(county_names(res.host_counties))
    ax.plot(trends["year"], trends["pilot"], marker="o", label=f"试点县（{hosts}）")
    ax.plot(
        trends["year"],
        trends["comparison"],
        marker="s",
        linestyle="--",
        label=f"其余{zh_count(len(res.comparison_counties))}县",
    )
    ax.axvline(FIRST_TREATED_YEAR - 0.5, color="#555555", linestyle=":", linewidth=0.8)
    ax.set_xticks(trends["year"])
    ax.legend()
    return fig


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
