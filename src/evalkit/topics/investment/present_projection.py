"""Investment page, section 2: year-end projections and their backtests (预测), from a stored result.

Reads an :class:`InvestmentResult` (or its frames) and formats it; nothing is
recomputed. Interval coverage is always stated per forecast origin and counted in
zone-years (one zone-year = one zone's complete year; its projections from
successive origins are not independent, so coverage is never pooled over origins).
Intervals and probabilities shown are the calibrated ones of
:mod:`.calibration` where the backtest had enough errors, else the model's own,
labelled 未校准. Every projected figure is labelled 预测.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit import figures
from evalkit.schema import zone_name

from .projection import ETS_MIN_MONTHS, MODELS
from .wording import fmt_share, pct, prob_words, whole

if TYPE_CHECKING:
    from .compute import InvestmentResult

#: Forecast origins (last known month) an October report relies on; coverage is stated for each.
KEY_ORIGINS: tuple[int, ...] = (9, 10, 11)


def _hits(k: int, n: int) -> str:
    """Return ``k/n（x%）`` covered zone-years, or "—" when none were backtested."""
    return "—" if n == 0 else f"{k}/{n}（{fmt_share(k / n)}）"


def _origin(m: int) -> str:
    return "1月" if m == 1 else f"1—{m}月"


def backtest_note(res: InvestmentResult) -> str:
    """Return the sentence naming the backtest years, the chosen model and how intervals are calibrated."""
    if not res.backtest_years:
        return "历史数据不足一个完整的上年，无法回测。"
    span = "、".join(str(y) for y in res.backtest_years)
    return (
        f"回测年度：{span}年；选用模型：{MODELS[res.chosen_model]}，即回测平均绝对百分比误差最小的模型。"
        f"回测次数为 0 的模型因历史数据不足（ETS 需至少 {ETS_MIN_MONTHS} 个月）无法回测。"
        "预测区间按同一预测起点的回测误差校准：同一起点、同一模型在各片区年度的对数误差"
        f"（实际/预测）不少于 {res.calibration_min_errors} 个时，区间和达标概率由这些误差的"
        "均方根和 t 分布给出；不足时沿用模型自身区间并标明“未校准”。"
    )


def projection_table(pj: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """Return the page / CSV frame of the (calibrated) projections; every value is labelled 预测.

    Projected amounts are shown in whole 万元: more digits would suggest a precision
    a simulation-based projection does not have. ``区间依据`` says whether the
    interval and probability are calibrated from backtest errors (and from how many
    zone-years) or the model's own (未校准); an uncalibrated probability carries
    "（未校准）".
    """
    cal = pj["calibrated"] if "calibrated" in pj else pd.Series(False, index=pj.index)
    n = pj["cal_n"] if "cal_n" in pj else pd.Series(0, index=pj.index)
    basis = [
        f"按回测误差校准（{int(k)}个片区年度）" if c else "模型自身区间（未校准）"
        for c, k in zip(cal, n, strict=True)
    ]
    prob = [
        fmt_share(p) if c or not np.isfinite(p) else f"{fmt_share(p)}（未校准）"
        for p, c in zip(pj["p_target"], cal, strict=True)
    ]
    return pd.DataFrame(
        {
            "片区": pj["zone_id"].map(zone_name),
            "预测模型": pj["model"].map(MODELS),
            "选用模型": ["是" if m == chosen else "否（对比）" for m in pj["model"]],
            "已报送至": pj["through_month"].map(lambda m: f"{m}月"),
            "实际累计（万元）": pj["ytd_wan_yuan"].round(2),
            "上年全年（万元）": whole(pj["prev_total_wan_yuan"]),
            "达标所需全年（万元）": whole(pj["target_total_wan_yuan"]),
            "全年预测值（万元）": whole(pj["point"]),
            "80%预测区间下限（万元）": whole(pj["lo80"]),
            "80%预测区间上限（万元）": whole(pj["hi80"]),
            "95%预测区间下限（万元）": whole(pj["lo95"]),
            "95%预测区间上限（万元）": whole(pj["hi95"]),
            "达到目标的概率（预测）": prob,
            "区间依据": basis,
        }
    )


def backtest_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`.projection.backtest_summary` or ``backtest_by``.

    Per model (and zone when given): zone-years and projections backtested, MAPE,
    and — per zone — how often the actual total was above / below the projection.
    No pooled coverage (see :func:`coverage_table`).
    """
    out = pd.DataFrame({"预测模型": summary["model"].map(MODELS)})
    if "zone_id" in summary:
        out.insert(0, "片区", summary["zone_id"].map(zone_name))
    out["回测片区年度数"] = summary["zone_years"].astype(int)
    out["回测次数（各起点合计）"] = summary["n"].astype(int)
    out["平均绝对百分比误差"] = [fmt_share(x) for x in summary["mape"]]
    if "median_ape" in summary:
        out["绝对百分比误差中位数"] = [fmt_share(x) for x in summary["median_ape"]]
    if "n_over" in summary:
        out["实际高于预测（次）"] = summary["n_over"].astype(int)
        out["实际低于预测（次）"] = summary["n_under"].astype(int)
    return out


def coverage_table(cov: pd.DataFrame, min_errors: int) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`.calibration.coverage_by_origin`: coverage in zone-years.

    Per model and origin: zone-years backtested, MAPE, zone-years inside the
    model's own 80 % / 95 % interval and inside the leave-one-zone-year-out
    calibrated interval (or why it is not calibrated: fewer than *min_errors*
    other zone-years at that origin).
    """
    no_cal = f"未校准（其他片区年度不足{min_errors}个）"
    return pd.DataFrame(
        {
            "预测模型": cov["model"].map(MODELS),
            "预测起点（已知月份）": cov["origin_month"].map(_origin),
            "回测片区年度数": cov["zone_years"].astype(int),
            "平均绝对百分比误差": [fmt_share(x) for x in cov["mape"]],
            "模型自身80%区间覆盖（片区年度）": [
                _hits(k, n) for k, n in zip(cov["model_hit80"], cov["zone_years"], strict=True)
            ],
            "模型自身95%区间覆盖（片区年度）": [
                _hits(k, n) for k, n in zip(cov["model_hit95"], cov["zone_years"], strict=True)
            ],
            "校准后80%区间覆盖（留一片区年度）": [
                _hits(k, n) if n else no_cal
                for k, n in zip(cov["cal_hit80"], cov["cal_zone_years"], strict=True)
            ],
            "校准后95%区间覆盖（留一片区年度）": [
                _hits(k, n) if n else no_cal
                for k, n in zip(cov["cal_hit95"], cov["cal_zone_years"], strict=True)
            ],
        }
    )


def backtest_detail_table(bt: pd.DataFrame) -> pd.DataFrame:
    """Return every backtest projection (one row per zone, model, year and origin month), Chinese headers.

    Beside the model's own interval, the leave-one-zone-year-out calibrated one
    (empty where not calibrated).
    """
    cols = {
        "year": "回测年度",
        "origin_month": "预测起点月份",
        "actual": "实际全年（万元）",
        "point": "全年预测值（万元）",
        "lo80": "80%下限（万元）",
        "hi80": "80%上限（万元）",
        "lo95": "95%下限（万元）",
        "hi95": "95%上限（万元）",
        "in80": "落入80%区间",
        "in95": "落入95%区间",
        "cal_lo80": "校准80%下限（万元）",
        "cal_hi80": "校准80%上限（万元）",
        "cal_lo95": "校准95%下限（万元）",
        "cal_hi95": "校准95%上限（万元）",
        "cal_in80": "落入校准80%区间",
        "cal_in95": "落入校准95%区间",
    }
    cols = {k: v for k, v in cols.items() if k in bt}
    out = bt.assign(片区=bt["zone_id"].map(zone_name), 预测模型=bt["model"].map(MODELS))
    return out[["片区", "预测模型", *cols]].rename(columns=cols).round(2)


def no_projection_note(year: int) -> str:
    """Return the note shown when no zone has a year in progress to project."""
    return f"{year}年全年数据已齐（或无可预测的片区），无需预测；上表回测结果供今后年度参考。"


def headline(res: InvestmentResult) -> dict[str, dict]:
    """Return zone id → the chosen model's projection.

    Keys ``point``, ``lo80`` … ``hi95``, ``p_target`` (calibrated where
    ``calibrated``), ``calibrated``, ``cal_n`` (zone-years calibrating it) and
    ``model_label``.
    """
    pj = res.projections
    out = {}
    for r in pj[pj["model"] == res.chosen_model].to_dict("records"):
        out[r["zone_id"]] = {
            **{k: r[k] for k in ("point", "lo80", "hi80", "lo95", "hi95", "p_target")},
            "calibrated": bool(r.get("calibrated", False)),
            "cal_n": int(r.get("cal_n", 0)),
            "model_label": MODELS[res.chosen_model],
        }
    return out


def projection_sentence(r, pr: dict) -> str:
    """Return the projection (预测) sentence for attainment row *r* and its projection dict *pr*."""
    basis = (
        f"，区间按{pr['cal_n']}个片区年度的回测误差校准"
        if pr.get("calibrated")
        else "，区间为模型自身区间、未经回测校准，仅供参考"
    )
    return (
        f"按{pr['model_label']}预测，{zone_name(r.zone_id)}全年到位资金预测值约{pr['point']:,.0f}万元"
        f"（80%预测区间{pr['lo80']:,.0f}—{pr['hi80']:,.0f}万元{basis}），"
        f"全年同比增长达到{pct(r.target_growth)}的概率{prob_words(pr['p_target'])}（预测）。"
    )


def _key_rows(cov: pd.DataFrame, model: str) -> pd.DataFrame:
    """Return *model*'s coverage rows at :data:`KEY_ORIGINS` that were backtested."""
    c = cov[(cov["model"] == model) & cov["origin_month"].isin(KEY_ORIGINS)]
    return c[c["zone_years"] > 0].sort_values("origin_month")


def _listing(c: pd.DataFrame, hits: str, n: str) -> str:
    return "、".join(f"{int(k)}/{int(m)}" for k, m in zip(c[hits], c[n], strict=True))


def backtest_sentence(
    cov: pd.DataFrame, summary: pd.DataFrame, chosen: str, years: list[int], min_errors: int
) -> str:
    """Return the sentence on the chosen model's backtest error and coverage at origins 9–11.

    *cov* is :func:`.calibration.coverage_by_origin`, *summary*
    :func:`.projection.backtest_summary`. Coverage is stated per origin in
    zone-years, for the calibrated intervals (leave-one-zone-year-out) and the
    model's own. When the calibrated 80 % / 95 % intervals cover fewer than 70 % /
    85 % of the zone-years at those origins, the sentence says the intervals are
    too narrow.
    """
    s = summary[summary["model"] == chosen]
    c = _key_rows(cov, chosen)
    if s.empty or int(s["n"].iloc[0]) == 0 or c.empty:
        return "历史数据不足，预测模型未能在9—11月起点回测，预测结果仅供参考。"
    r = s.iloc[0]
    span = "、".join(str(y) for y in years)
    origins = "、".join(_origin(m) for m in c["origin_month"])
    text = (
        f"{MODELS[chosen]}在{span}年共{int(r['zone_years'])}个片区年度的回测中（每个片区年度"
        f"从各起点各预测一次，共{int(r['n'])}次），全年合计的平均绝对百分比误差为{pct(r['mape'])}。"
        f"区间覆盖按片区年度计（同一片区年度在各起点的误差方向相近，不重复计数）：以{origins}为起点，"
        f"模型自身的80%区间分别覆盖{_listing(c, 'model_hit80', 'zone_years')}个片区年度"
    )
    cal = c[c["cal_zone_years"] > 0]
    if len(cal) < len(c):
        return text + (
            f"；回测片区年度不足{min_errors}个，区间未能按回测误差校准，达标概率仅供参考。"
        )
    text += (
        f"；按回测误差校准后（留一片区年度检验：每个片区年度的区间只用其他片区年度的误差校准），"
        f"80%区间分别覆盖{_listing(cal, 'cal_hit80', 'cal_zone_years')}个，"
        f"95%区间分别覆盖{_listing(cal, 'cal_hit95', 'cal_zone_years')}个"
    )
    n = cal["cal_zone_years"].sum()
    if cal["cal_hit80"].sum() / n < 0.70 or cal["cal_hit95"].sum() / n < 0.85:
        text += "，仍低于名义水平，预测区间可能偏窄，达标概率应审慎解读"
    return text + "。"


def comparison_sentence(res: InvestmentResult) -> str | None:
    """Return why each comparison model's intervals and probabilities are not relied on, or None.

    States its backtest zone-years and its own 80 % coverage at origins 9–11, whether
    it could be calibrated, and the zone where its probability of reaching the target
    differs most from the chosen model's.
    """
    parts = []
    pj = res.projections
    for model in MODELS:
        if model == res.chosen_model:
            continue
        c = _key_rows(res.backtest_by_origin, model)
        if c.empty:
            continue
        text = (
            f"对照模型{MODELS[model]}只有{int(c['zone_years'].max())}个片区年度可回测"
            f"（需至少{ETS_MIN_MONTHS}个月历史），以{'、'.join(_origin(m) for m in c['origin_month'])}"
            f"为起点其模型自身80%区间分别覆盖{_listing(c, 'model_hit80', 'zone_years')}个片区年度"
        )
        if (c["cal_zone_years"] == 0).any():
            text += (
                "，区间未计入参数不确定性而明显偏窄，且片区年度不足"
                f"{res.calibration_min_errors}个、无法按回测误差校准"
            )
        both = pj[pj["model"].isin([model, res.chosen_model])].pivot_table(
            index="zone_id", columns="model", values="p_target"
        )
        if {model, res.chosen_model} <= set(both.columns):
            gap = (both[model] - both[res.chosen_model]).abs().dropna()
            if len(gap):
                z = gap.idxmax()
                text += (
                    f"；其达标概率（如{zone_name(z)}{fmt_share(both.loc[z, model])}，"
                    f"选用模型{fmt_share(both.loc[z, res.chosen_model])}）不作为判断依据"
                )
        parts.append(text + "，仅作对照。")
    return "".join(parts) or None


def projection_chart(res: InvestmentResult):
    """Return the year-end projection chart (预测), or None when no zone is projected.

    Per projected zone: last year's actual total (bar), the chosen model's point
    projection with its 80 % (thick) and 95 % (thin) intervals (calibrated where
    the table says so), and the total the growth target needs (mark).
    """
    pj = res.projections
    sel = pj[pj["model"] == res.chosen_model].reset_index(drop=True)
    if sel.empty:
        return None
    fig, ax = figures.new_figure(
        f"{res.year}年全年到位资金预测（预测值）与达标所需", "万元", synthetic=res.synthetic
    )
    x = np.arange(len(sel))
    ax.bar(
        x - 0.2,
        sel["prev_total_wan_yuan"],
        0.4,
        label=f"{res.year - 1}年全年（实际）",
        color=figures.PALETTE[2],
    )
    for lo, hi, style in (
        (
            "lo95",
            "hi95",
            {"fmt": "none", "ecolor": figures.PALETTE[5], "capsize": 4, "label": "95%预测区间"},
        ),
        (
            "lo80",
            "hi80",
            {
                "fmt": "o",
                "color": figures.PALETTE[0],
                "elinewidth": 4,
                "label": f"{res.year}年全年预测值与80%区间",
            },
        ),
    ):
        yerr = [sel["point"] - sel[lo], sel[hi] - sel["point"]]
        ax.errorbar(x + 0.2, sel["point"], yerr=yerr, **style)
    ax.scatter(
        x + 0.2,
        sel["target_total_wan_yuan"],
        marker="_",
        s=600,
        color=figures.PALETTE[1],
        label="达标所需全年",
        zorder=3,
    )
    ax.set_xticks(x, [zone_name(z) for z in sel["zone_id"]])
    ax.legend()
    return fig
