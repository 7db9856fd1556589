"""The impact page: tables, narrative and charts built from a stored :class:`ImpactResult`.

Sentences live in :mod:`evalkit.topics.impact.narrative` (re-exported here).
Nothing here estimates anything: every number comes from
:func:`evalkit.topics.impact.compute.run` (through :func:`evalkit.results.load`).
County names and counts in the Chinese text come from ``evalkit.schema`` (the
host counties and the comparison counties), so another configuration reads right.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ... import schema
from ...present import glossary
from ...present.markdown import md_escape
from ...present.text import zh_count, zh_list, zh_sentences
from .compute import (
    FIRST_TREATED_YEAR,
    HEADLINE_OUTCOME,
    LEAVE_OUT_COMPARISON,
    LEAVE_OUT_HOST,
    REFERENCE_YEAR,
    ImpactResult,
    year_span,
)
from .did import DidResult, EventStudy
from .narrative import (
    FEW_TREATED_MARK,
    county_names,
    fmt_num,
    fmt_p,
    narrative,
    pct,
)

# Re-exported: notebooks, tests and evalkit.impact read these as present.<name>.
from .narrative import event_timing_note as event_timing_note
from .narrative import inference_rules_note as inference_rules_note
from .narrative import log_exclusion_note as log_exclusion_note
from .narrative import period_note as period_note

#: Robustness rows whose ``spec`` starts with these are the placebo and the leave-one-out rows.
PLACEBO_PREFIX = "安慰剂"
LEAVE_ONE_OUT_PREFIX = LEAVE_OUT_COMPARISON


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


def intro(res: ImpactResult) -> str:
    """Return the page's opening paragraph (Markdown): who is compared with whom, on what.

    Counts of zones and counties and the host counties' names come from
    ``schema.ZONES`` and the result's county lists.
    """
    hosts = zh_list(county_names(res.host_counties))
    return (
        "完成了多少项任务，说明发生了什么；先导区的设立本身带来了多少变化，需要一个比较对象。"
        f"本页把先导区{zh_count(len(schema.ZONES))}个片区所在的县（市、区）——{hosts}——"
        f"与{schema.PILOT_ZONE.city}其余{zh_count(len(res.comparison_counties))}个县（市）比较，"
        f"看 {FIRST_TREATED_YEAR} 年 9 月先导区设立前后，两组县之间的差距有没有变化，"
        f"即{glossary.explained('did', '双重差分法')}。"
        f"主要指标是**{md_escape(res.outcome_label)}**，其他县域指标作为对照一并列出。"
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


def key_points(res: ImpactResult) -> list[str]:
    """Return the page's "要点": the estimate's sentences and the pre-trend test's sentence."""
    paragraphs = narrative_of(res).split("\n\n")
    points = zh_sentences(paragraphs[0])[:3]
    tests = [s for p in paragraphs[1:] for s in zh_sentences(p) if "检验 p 值" in s]
    return points + tests[:1]
