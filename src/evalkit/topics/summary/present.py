"""Executive-summary page: traffic lights, headline scores and key findings.

Built from a stored :class:`~.compute.SummaryResult` (hard-target attainment of the
year) and the stored :class:`~evalkit.topics.composite.compute.CompositeResult`;
nothing is recomputed. Counts of zones are worded from the configuration.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ...present.format import fmt_fixed, fmt_percent
from ...present.text import zh_count
from ...schema import ZONE_ORDER, ZONES, zone_name
from ..composite.indicators import IndicatorConfig
from ..composite.present import _leaders, ranking_sentence
from ..composite.text import (
    _growth_text,
    _growth_words,
    _is_none,
    _is_true,
    _names,
    _window_words,
    _zone_order,
    zones_word,
)
from ..composite.values import window_end
from ..composite.weights import ROBUST_SHARE
from ..logistics.narrative import trade_total_sentence

# --- Executive summary (the year's home page) -------------------------------------------------

#: Traffic-light words: a symbol and the verdict in text, never colour alone. The symbols are
#: in the CJK fonts Chinese systems have (emoji lights need an emoji font and show as boxes).
LIGHT_MET = "✓ 达标"
LIGHT_NOT_MET = "× 未达标"
LIGHT_NOT_YET = "× 尚未达标（年度进行中）"
LIGHT_BASELINE = "○ 基线年（不考核）"
LIGHT_UNDEFINED = "○ 无法判定（基期为零或无数据）"


def light(met, *, partial: bool, in_progress: bool = False) -> str:
    """Return the traffic-light text for one hard target (met True/False/None)."""
    if partial:
        return LIGHT_BASELINE
    if _is_none(met):
        return LIGHT_UNDEFINED
    if bool(met):
        return LIGHT_MET
    return LIGHT_NOT_YET if in_progress else LIGHT_NOT_MET


def traffic_lights(
    reform_att: pd.DataFrame,
    invest_att: pd.DataFrame,
    *,
    partial: bool,
    in_progress: bool,
) -> pd.DataFrame:
    """Return one row per zone with the three hard targets as text traffic lights and figures.

    *reform_att* / *invest_att* are the frames returned by :func:`evalkit.reforms.attainment`
    and :func:`evalkit.investment.attainment`.
    """
    r = reform_att.set_index("zone_id")
    i = invest_att.set_index("zone_id")
    rows = []
    for z in _zone_order(r.index):
        rr, ii = r.loc[z], i.loc[z]
        rows.append(
            {
                "片区": zone_name(z),
                "复制推广经验": light(
                    rr["met_replicated"], partial=partial, in_progress=in_progress
                ),
                "复制推广（条）/目标": f"{int(rr['replicated'])} / {int(rr['target_replicated'])}",
                "自主创新经验": light(rr["met_original"], partial=partial, in_progress=in_progress),
                "自主创新（条）/目标": f"{int(rr['original'])} / {int(rr['target_original'])}",
                "到位资金同比增长": light(ii["met"], partial=partial, in_progress=in_progress),
                "同比增速（目标）": f"{_growth_words(ii['yoy_growth'], ii['growth_defined'])}"
                f"（目标 {fmt_percent(float(ii['target_growth']), 0)}）",
            }
        )
    return pd.DataFrame(rows)


def headline_table(comp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return per zone: composite score and rank of *year* with the change from the year before."""
    cur = comp[comp["year"] == year].set_index("zone_id")
    prev = comp[comp["year"] == year - 1].set_index("zone_id")
    rows = []
    for z in _zone_order(cur.index):
        score, rank = cur.loc[z, "score"], cur.loc[z, "rank"]
        if z in prev.index and pd.notna(prev.loc[z, "score"]):
            d = float(score) - float(prev.loc[z, "score"])
            move = int(prev.loc[z, "rank"]) - int(rank)
            change = (
                "持平"
                if round(d, 1) == 0
                else f"{'提高' if d > 0 else '下降'} {fmt_fixed(abs(d), grouping=False)} 分"
            )
            rank_change = (
                "持平" if move == 0 else (f"上升 {move} 位" if move > 0 else f"下降 {-move} 位")
            )
        else:
            change, rank_change = "—（无上年可比数据）", "—（无上年可比数据）"
        rows.append(
            {
                "片区": zone_name(z),
                "综合得分（分）": round(float(score), 2),
                "排名": rank,
                "较上年同期得分变化": change,
                "较上年同期排名变化": rank_change,
            }
        )
    return pd.DataFrame(rows)


def reform_finding(
    reform_att: pd.DataFrame,
    year: int,
    *,
    partial: bool,
    in_progress: bool,
    as_of: str | date | None = None,
) -> str:
    """Return the key finding on the two reform targets."""
    r = reform_att.set_index("zone_id")
    zones = _zone_order(r.index)
    counts = "、".join(
        f"{zone_name(z)} {int(r.loc[z, 'replicated'])} 条/{int(r.loc[z, 'original'])} 条"
        for z in zones
    )
    if partial:
        return f"{year} 年为行动计划实施首年（基线年，不按全年目标考核）：复制推广/自主创新经验分别为 {counts}。"
    both = [
        z
        for z in zones
        if _is_true(r.loc[z, "met_replicated"]) and _is_true(r.loc[z, "met_original"])
    ]
    missing = [z for z in zones if z not in both]
    end = pd.Timestamp(as_of) if as_of is not None else None
    when = f"截至 {end.month} 月 {end.day} 日" if in_progress and end is not None else "全年"
    text = f"改革目标（每年复制推广≥{int(r['target_replicated'].iloc[0])} 条、自主创新≥{int(r['target_original'].iloc[0])} 条）：{when}复制推广/自主创新经验分别为 {counts}；"
    if len(both) == len(zones):
        return text + f"{zones_word()}两项目标均已达到。"
    word = "尚未同时达到两项全年目标（年度进行中）" if in_progress else "未同时达到两项目标"
    if not both:
        return text + f"{zones_word()}均{word}。"
    return text + f"{_names(both)}两项均已达到，{_names(missing)}{word}。"


def funds_finding(invest_att: pd.DataFrame, year: int, *, partial: bool, in_progress: bool) -> str:
    """Return the key finding on the funds-in-place growth target."""
    i = invest_att.set_index("zone_id")
    zones = _zone_order(i.index)
    growth = "、".join(
        f"{zone_name(z)} {_growth_text(i.loc[z, 'yoy_growth'], i.loc[z, 'growth_defined'])}"
        for z in zones
    )
    basis = "累计同比" if in_progress else "全年同比"
    target = fmt_percent(float(i["target_growth"].iloc[0]), 0)
    if partial:
        return f"{year} 年为基线年（不考核）：招商引资到位资金{basis}增速为 {growth}。"
    met = [z for z in zones if _is_true(i.loc[z, "met"])]
    undefined = [z for z in zones if _is_none(i.loc[z, "met"])]
    text = f"招商引资到位资金增长目标（同比≥{target}）：{basis}增速为 {growth}；"
    if len(met) == len(zones):
        return text + f"{zones_word()}均已达标。"
    parts = [f"{_names(met)}达标" if met else "尚无片区达标"]
    if undefined:
        parts.append(f"{_names(undefined)}无法判定")
    return text + "，".join(parts) + "。"


def trade_finding(
    scored: pd.DataFrame,
    dims: pd.DataFrame,
    year: int,
    dimension: str = "trade_logistics",
    total_indicator: str = "foreign_trade",
    label: str = "进出口额",
    as_of: str | date | None = None,
    logistics=None,
) -> str:
    """Return the key finding on trade and logistics: total and change, best-scoring zone.

    With *logistics* (the stored logistics result) the total and its change come from
    its ``trade`` (:class:`~evalkit.topics.logistics.flagged.TradeTotal`): the same zones
    and months in both years, a small base worded, and — when values flagged as likely
    errors lie in the windows — the change with them replaced and whether its direction
    depends on them (:func:`~evalkit.topics.logistics.narrative.trade_total_sentence`).
    Without it (older callers), the composite's yearly values of *total_indicator*.
    """
    d = dims[(dims["year"] == year) & (dims["dimension"] == dimension)]
    d = d.assign(_o=d["zone_id"].map(ZONE_ORDER)).sort_values(
        ["score", "_o"], ascending=[False, True]
    )
    if logistics is not None:
        text = trade_total_sentence(logistics.trade, logistics.flagged, year, label)
    else:
        text = _trade_total_from_scores(scored, year, total_indicator, label, as_of)
    best = d.iloc[0]
    return (
        text
        + f"；贸易与物流维度得分最高的是{zone_name(best['zone_id'])}（{fmt_fixed(best['score'])} 分）。"
    )


def _trade_total_from_scores(scored, year, total_indicator, label, as_of) -> str:
    """Return the total sentence from the composite's values (every zone, as before #18)."""
    s = scored[scored["indicator"] == total_indicator].groupby("year")["value"].sum(min_count=1)
    period = ""
    if as_of is not None:
        end = window_end(year, as_of)
        period = "" if (end.month, end.day) == (12, 31) else f" 1—{end.month} 月"
    text = f"{year} 年{period}{zones_word()}{label}合计 {fmt_fixed(s.get(year), 0)} 万元"
    if (year - 1) in s.index and pd.notna(s.get(year - 1)) and s[year - 1] > 0:
        g = 100 * (s[year] / s[year - 1] - 1)
        text += f"，较上年同期{'增长' if g >= 0 else '下降'} {fmt_fixed(abs(g), grouping=False)}%"
    return text


def weakest_finding(
    dims: pd.DataFrame, comp: pd.DataFrame, config: IndicatorConfig, year: int
) -> str:
    """Return the finding on the largest change (or, without a prior year, the weakest dimension)."""
    cur = comp[comp["year"] == year].set_index("zone_id")["score"]
    prev = comp[comp["year"] == year - 1].set_index("zone_id")["score"]
    if len(prev):
        delta = (cur - prev).dropna()
        delta = delta.reindex(_zone_order(delta.index))
        up, down = delta.idxmax(), delta.idxmin()
        if delta[up] > 0:
            text = f"与上年同期相比，综合得分提高最多的是{zone_name(up)}（{fmt_fixed(delta[up], signed=True)} 分）"
        else:
            text = f"与上年同期相比，没有片区综合得分提高（变化最好的是{zone_name(up)}，{fmt_fixed(delta[up], signed=True)} 分）"
        if delta[down] < 0 and down != up:
            text += f"，下降最多的是{zone_name(down)}（{fmt_fixed(delta[down], signed=True)} 分）"
        elif down != up:
            text += f"，提高最少的是{zone_name(down)}（{fmt_fixed(delta[down], signed=True)} 分）"
        text += "。"
    else:
        text = ""
    d = dims[dims["year"] == year].groupby("dimension")["score"].mean()
    d = d.reindex([x.id for x in config.dimensions]).dropna()
    weak = d.idxmin()
    return (
        text
        + f"{year} 年{zh_count(len(ZONES))}片区平均得分最低的维度是{config.dimension(weak).name}（平均 {fmt_fixed(d[weak])} 分），是共同短板。"
    )


def composite_finding(
    comp: pd.DataFrame, sens: pd.DataFrame, year: int, threshold: float = ROBUST_SHARE
) -> str:
    """Return the key finding on the composite ranking and its robustness."""
    leaders = _leaders(comp, year)
    text = ranking_sentence(comp, year).rstrip("。")
    if len(leaders) > 1:
        return text + "；第一名并列，排名不稳健。"
    p = float(sens.set_index("zone_id")["p_first"][leaders[0]])
    verdict = "排名稳健" if p >= threshold else "排名不稳健，名次取决于权重选择"
    return (
        text
        + f"；权重随机扰动下{zone_name(leaders[0])}保持第一的概率为 {fmt_percent(p)}，{verdict}。"
    )


def findings_markdown(findings: list[tuple[str, str]]) -> str:
    """Return numbered Markdown findings, each with a relative link to its supporting page."""
    lines = [
        f"{k}. {text} [详见：{label}]({href})"
        for k, (text, (label, href)) in enumerate(
            ((t, (PAGE_LABELS.get(h, h), h)) for t, h in findings), start=1
        )
    ]
    return "\n".join(lines)


#: Pages findings link to (relative links between pages of one year).
PAGE_LABELS = {
    "comprehensive.html": "年度综合评估",
    "reforms.html": "改革试点经验复制推广与自主创新专项评估",
    "investment.html": "招商引资专项评估",
    "logistics.html": "物流与贸易专项评估",
    "impact.html": "政策效应评估",
}


def lights_legend(year: int, as_of: str | date, *, partial: bool, in_progress: bool) -> str:
    """Return the legend and period note under the traffic-light table."""
    text = (
        f"图例：{LIGHT_MET}；{LIGHT_NOT_MET}；{LIGHT_BASELINE}；{LIGHT_UNDEFINED}。"
        "颜色之外均有文字说明。"
    )
    if partial:
        text += (
            f"{year} 年为行动计划实施首年（计划于当年 9 月印发），只作基线展示，不按全年目标考核。"
        )
    elif in_progress:
        end = pd.Timestamp(as_of)
        text += (
            f"{year} 年尚在进行中（数据截至 {end.month} 月 {end.day} 日）：改革事项为年内累计条数，"
            "“尚未达标”表示截至目前尚未达到全年目标；到位资金增速为累计同比。"
        )
    return text


def headline_note(
    year: int, as_of: str | date, first_year: int | None = None, *, dimensions: int = 5
) -> str:
    """Return the note under the composite headline table (basis of the change column).

    *dimensions* is the number of configured dimensions (``len(config.dimensions)``).
    """
    basis = (
        f"综合得分由{zh_count(dimensions)}个维度的指标加权得出"
        "（方法见[年度综合评估](comprehensive.html)）；"
    )
    if first_year is not None and year <= first_year:
        return basis + f"{year} 年是行动计划实施首年，也是首个评估年度，没有上年可比得分。"
    window = _window_words(year, as_of)
    return basis + f"“较上年同期”按同一口径比较 {year} 年与 {year - 1} 年的{window}。"


# --- From the stored results (what the page calls) ---------------------------------------


def lights_table(summ) -> pd.DataFrame:
    """Return :func:`traffic_lights` of a :class:`~.compute.SummaryResult` *summ*."""
    return traffic_lights(
        summ.reform_attainment,
        summ.invest_attainment,
        partial=summ.partial,
        in_progress=summ.in_progress,
    )


def legend(summ) -> str:
    """Return :func:`lights_legend` for *summ*."""
    return lights_legend(summ.year, summ.as_of, partial=summ.partial, in_progress=summ.in_progress)


def findings(summ, res, config: IndicatorConfig, logistics=None) -> list[tuple[str, str]]:
    """Return the key findings as ``(sentence, page)`` pairs, in page order.

    *summ* is the stored summary result, *res* the stored composite result of the same
    year, *logistics* the stored logistics result (the trade finding on a common basis,
    with flagged values handled by rule; None: the composite's values as before);
    pass the list to :func:`findings_markdown`.
    """
    year, kw = summ.year, {"partial": summ.partial, "in_progress": summ.in_progress}
    return [
        (composite_finding(res.composite, res.sensitivity, year), "comprehensive.html"),
        (reform_finding(summ.reform_attainment, year, as_of=summ.as_of, **kw), "reforms.html"),
        (funds_finding(summ.invest_attainment, year, **kw), "investment.html"),
        (
            trade_finding(res.scored, res.dimensions, year, as_of=summ.as_of, logistics=logistics),
            "logistics.html",
        ),
        (weakest_finding(res.dimensions, res.composite, config, year), "comprehensive.html"),
    ]


def note(summ, config: IndicatorConfig) -> str:
    """Return :func:`headline_note` for *summ* with the configured number of dimensions."""
    return headline_note(summ.year, summ.as_of, summ.first_year, dimensions=len(config.dimensions))
