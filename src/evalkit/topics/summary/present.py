"""Executive-summary page: traffic lights, headline scores and key findings.

Built from a stored :class:`~.compute.SummaryResult` (hard-target attainment of the
year) and the stored :class:`~evalkit.topics.composite.compute.CompositeResult`;
nothing is recomputed. Counts of zones are worded from the configuration.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from ...core.period import ReportPeriod
from ...present import verdict as vd
from ...present.format import fmt_fixed, fmt_percent
from ...present.text import zh_count
from ...schema import ZONE_ORDER, ZONES, zone_name  # noqa: F401 (ZONES: kept for other pages)
from ..composite.compare import weak_dimensions
from ..composite.indicators import IndicatorConfig
from ..composite.present import _leaders, basis_words, ranking_sentence
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
from .compute import verdict_frame

# --- Executive summary (the year's home page) -------------------------------------------------

#: Traffic-light words (compatibility), kept here by name: they and :func:`light` live in
#: :mod:`evalkit.present.verdict`, which the editions read without pandas.
LIGHT_MET = vd.LIGHT_MET
LIGHT_NOT_MET = vd.LIGHT_NOT_MET
LIGHT_NOT_YET = vd.LIGHT_NOT_YET
LIGHT_BASELINE = vd.LIGHT_BASELINE
LIGHT_UNDEFINED = vd.LIGHT_UNDEFINED
light = vd.light


def verdict_of(row) -> vd.Verdict:
    """Return the :class:`~evalkit.present.verdict.Verdict` of one row of a stored verdict frame."""
    p = row["probability"]
    return vd.Verdict(
        str(row["status"]),
        bool(row["provisional"]),
        str(row["as_of"]),
        None if _is_none(p) else float(p),
        bool(row["early"]),
    )


def verdict_map(verdicts: pd.DataFrame) -> dict[tuple[str, str], vd.Verdict]:
    """Return (zone id, target key) → :class:`Verdict` of a stored verdict frame."""
    return {(r["zone_id"], r["target"]): verdict_of(r) for r in verdicts.to_dict("records")}


def _verdicts(reform_att, invest_att, *, partial, in_progress, as_of, rules=None):
    """Return :func:`verdict_map` computed with the verdict module (no projection).

    A year in progress needs *as_of*; a complete year without one is judged as of
    31 December of the frames' ``year`` (any complete year when they have none).
    """
    year = int(reform_att["year"].iloc[0]) if "year" in reform_att else None
    if as_of is None:
        if in_progress:
            raise ValueError(
                "a year in progress needs its as-of date / 年度进行中须给出数据截至日期"
            )
        year = year if year is not None else 2000
        as_of = f"{year}-12-31"
    period = ReportPeriod.of(year if year is not None else pd.Timestamp(as_of).year, as_of)
    frame = verdict_frame(
        reform_att, invest_att, period, partial=partial, rules=rules or vd.VerdictRules()
    )
    return verdict_map(frame)


def _funds_figure(ii, provisional_window: bool) -> str:
    """Return ``增长 34.0%（1—10月累计；全年目标 25%）`` or ``增长 31.0%（目标 25%）``."""
    growth = _growth_words(ii["yoy_growth"], ii["growth_defined"])
    target = fmt_percent(float(ii["target_growth"]), 0)
    if not provisional_window:
        return f"{growth}（目标 {target}）"
    month = int(ii["through_month"])
    window = "1月" if month == 1 else f"1—{month}月"
    return f"{growth}（{window}累计；全年目标 {target}）"


def traffic_lights(
    reform_att: pd.DataFrame,
    invest_att: pd.DataFrame,
    *,
    partial: bool,
    in_progress: bool,
    as_of: str | date | None = None,
    verdicts: dict | None = None,
) -> pd.DataFrame:
    """Return one row per zone with the three hard targets: verdict text and figures (page table).

    *reform_att* / *invest_att* are the frames returned by :func:`evalkit.reforms.attainment`
    and :func:`evalkit.investment.attainment`; *verdicts* is :func:`verdict_map` of the
    stored verdicts (computed without a projection when not given; a year in progress
    then needs *as_of*). A provisional funds verdict gives the probability and the
    as-of date; the growth figure names its window.
    """
    v = verdicts or _verdicts(
        reform_att, invest_att, partial=partial, in_progress=in_progress, as_of=as_of
    )
    r = reform_att.set_index("zone_id")
    i = invest_att.set_index("zone_id")
    rows = []
    for z in _zone_order(r.index):
        rr, ii = r.loc[z], i.loc[z]
        funds = v[(z, "funds_growth")]
        rows.append(
            {
                "片区": zone_name(z),
                "复制推广经验": v[(z, "reforms_replicated")].text(dated=False),
                "复制推广（条）/目标": f"{int(rr['replicated'])} / {int(rr['target_replicated'])}",
                "自主创新经验": v[(z, "reforms_original")].text(dated=False),
                "自主创新（条）/目标": f"{int(rr['original'])} / {int(rr['target_original'])}",
                "到位资金同比增长": funds.text(probability=True, dated=False),
                "同比增速（目标）": _funds_figure(ii, funds.provisional),
            }
        )
    return pd.DataFrame(rows)


def targets_download(summ) -> pd.DataFrame:
    """Return the download of the hard targets (``summary_targets.csv``): numbers numeric, text labelled.

    Per zone: counts and targets (条), growth and target (%, full precision, empty
    when undefined), the months compared, the projection's probability of reaching
    the funds target (empty when none), and per target the verdict in words
    (``…判定（文字）``), its machine ``status`` (``…判定代码``) and whether it is
    provisional (``…是否暂定``).
    """
    v = verdict_map(summ.verdicts)
    r = summ.reform_attainment.set_index("zone_id")
    i = summ.invest_attainment.set_index("zone_id")
    rows = []
    for z in _zone_order(r.index):
        rr, ii = r.loc[z], i.loc[z]
        row = {"片区": zone_name(z), "片区代码": z}
        for key, word in (("replicated", "复制推广"), ("original", "自主创新")):
            verdict = v[(z, f"reforms_{key}")]
            row[f"{word}（条）"] = int(rr[key])
            row[f"{word}目标（条）"] = int(rr[f"target_{key}"])
            row[f"{word}判定（文字）"] = verdict.text()
            row[f"{word}判定代码"] = verdict.status
            row[f"{word}是否暂定"] = verdict.provisional
        funds = v[(z, "funds_growth")]
        defined = bool(ii["growth_defined"]) and not _is_none(ii["yoy_growth"])
        row["到位资金统计截至月份"] = int(ii["through_month"])
        row["到位资金同比增长（%）"] = 100 * float(ii["yoy_growth"]) if defined else math.nan
        row["到位资金增长目标（%）"] = 100 * float(ii["target_growth"])
        row["全年达标概率（预测）"] = (
            math.nan if funds.probability is None else float(funds.probability)
        )
        row["到位资金判定（文字）"] = funds.text(probability=True)
        row["到位资金判定代码"] = funds.status
        row["到位资金是否暂定"] = funds.provisional
        rows.append(row)
    return pd.DataFrame(rows)


def summary_part(summ) -> dict:
    """Return the index page's ``summary.json`` part: per zone and target the verdict.

    ``zones.<zone>.targets.<target>`` = :meth:`Verdict.summary` (``status``,
    ``provisional``, ``as_of``, ``verdict``, and ``p_reach_target`` for a projected
    verdict); ``zones.<zone>.targets_met.<target>`` = :attr:`Verdict.met` — True /
    False only when final, null while provisional (a year-to-date figure is never
    reported as if final), for the baseline year and when undefined.
    """
    zones: dict = {}
    for (z, key), verdict in verdict_map(summ.verdicts).items():
        zone = zones.setdefault(z, {"targets": {}, "targets_met": {}})
        zone["targets"][key] = verdict.summary()
        zone["targets_met"][key] = verdict.met
    return {"zones": zones}


def headline_table(comp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return per zone: composite score and rank of *year* with the change from the year before.

    The change columns read the same-basis columns of the stored composite frame
    (:func:`evalkit.topics.composite.compare.with_changes`: both years on the indicators
    the zone has in both), never the difference of two scores on different bases.
    """
    cur = comp[comp["year"] == year].set_index("zone_id")
    rows = []
    for z in _zone_order(cur.index):
        score, rank = cur.loc[z, "score"], cur.loc[z, "rank"]
        d = cur.loc[z, "change"] if "change" in cur.columns else float("nan")
        if pd.notna(d):
            move = int(cur.loc[z, "basis_prev_rank"]) - int(cur.loc[z, "basis_rank"])
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
                "较上年同期得分变化（同一口径）": change,
                "较上年同期排名变化（同一口径）": rank_change,
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


def funds_finding(
    invest_att: pd.DataFrame,
    year: int,
    *,
    partial: bool,
    in_progress: bool,
    verdicts: dict | None = None,
    as_of: str | date | None = None,
) -> str:
    """Return the key finding on the funds-in-place growth target.

    A complete year states the final verdicts; a year in progress states the
    year-to-date growth (累计同比) and the provisional verdicts from the projection
    (*verdicts*: :func:`verdict_map`; without them only 进行中), never 达标 / 未达标.
    """
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
    if in_progress:
        return _funds_in_progress(i, zones, growth, target, verdicts, as_of)
    met = [z for z in zones if _is_true(i.loc[z, "met"])]
    undefined = [z for z in zones if _is_none(i.loc[z, "met"])]
    text = f"招商引资到位资金增长目标（同比≥{target}）：{basis}增速为 {growth}；"
    if len(met) == len(zones):
        return text + f"{zones_word()}均已达标。"
    parts = [f"{_names(met)}达标" if met else "尚无片区达标"]
    if undefined:
        parts.append(f"{_names(undefined)}无法判定")
    return text + "，".join(parts) + "。"


def _funds_in_progress(i, zones, growth, target, verdicts, as_of) -> str:
    """Return :func:`funds_finding` for a year in progress (provisional verdicts, as-of date)."""
    v = verdicts or {}
    when = ""
    if as_of is not None:
        end = pd.Timestamp(as_of)
        when = f"截至 {end.month} 月 {end.day} 日"
    text = f"招商引资到位资金增长目标（全年同比≥{target}）：{when}累计同比增速为 {growth}；"
    groups: dict[str, list[str]] = {}
    for z in zones:
        verdict = v.get((z, "funds_growth"))
        if verdict is None:
            groups.setdefault("进行中", []).append(zone_name(z))
            continue
        name = zone_name(z)
        if verdict.probability is not None:
            name += f"（{vd.probability_words(verdict.probability)}）"
        groups.setdefault(verdict.word, []).append(name)
    said = "，".join(f"{'、'.join(names)}{word}" for word, names in groups.items())
    return text + f"按全年预测，{said}。累计增速只是年内进度，全年是否达标待全年数据报送后确定。"


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
    """Return the finding on the largest change (same basis) and on weak dimensions.

    Changes are the same-basis ``change`` column of *comp*. A dimension is called a
    common weakness (共同短板) only when it is below ``config.weak_below`` in a majority
    of zones (:func:`evalkit.topics.composite.compare.weak_dimensions`); otherwise the
    lowest zone-dimension is named with its zone.
    """
    cur = comp[comp["year"] == year].set_index("zone_id")
    text = ""
    if "change" in cur.columns and cur["change"].notna().any():
        delta = cur["change"].dropna()
        delta = delta.reindex(_zone_order(delta.index))
        up, down = delta.idxmax(), delta.idxmin()
        head = "与上年同期按同一口径相比"
        if delta[up] > 0:
            text = f"{head}，综合得分提高最多的是{zone_name(up)}（{fmt_fixed(delta[up], signed=True)} 分）"
        else:
            text = f"{head}，没有片区综合得分提高（变化最好的是{zone_name(up)}，{fmt_fixed(delta[up], signed=True)} 分）"
        if delta[down] < 0 and down != up:
            text += f"，下降最多的是{zone_name(down)}（{fmt_fixed(delta[down], signed=True)} 分）"
        elif down != up:
            text += f"，提高最少的是{zone_name(down)}（{fmt_fixed(delta[down], signed=True)} 分）"
        text += "。"
    return text + weak_sentence(dims, config, year)


def weak_sentence(dims: pd.DataFrame, config: IndicatorConfig, year: int) -> str:
    """Return the sentence on common weaknesses of *year* (majority of zones below the threshold)."""
    weak = weak_dimensions(dims, config, year)
    limit = fmt_fixed(config.weak_below, 0)
    common = weak[weak["common"]]
    if len(common):
        parts = "；".join(
            f"{config.dimension(r.dimension).name}（{r.n_weak}/{r.n_zones} 个片区低于 {limit} 分：{_names(r.weak_zones)}）"
            for r in common.itertuples(index=False)
        )
        return f"{year} 年的共同短板（多数片区低于 {limit} 分的维度）：{parts}。"
    low = weak.sort_values("lowest_score").iloc[0]
    return (
        f"{year} 年没有多数片区共同低于 {limit} 分的维度，因而没有共同短板；"
        f"得分最低的是{zone_name(low['lowest_zone'])}的{config.dimension(low['dimension']).name}"
        f"（{fmt_fixed(low['lowest_score'])} 分）。"
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


def lights_legend(
    year: int,
    as_of: str | date,
    *,
    partial: bool,
    in_progress: bool,
    rules: vd.VerdictRules | None = None,
) -> str:
    """Return the legend and period note under the traffic-light table (:func:`evalkit.present.verdict.legend`)."""
    text = vd.legend(in_progress=in_progress and not partial, rules=rules or vd.VerdictRules())
    if partial:
        text += (
            f"{year} 年为行动计划实施首年（计划于当年 9 月印发），只作基线展示，不按全年目标考核。"
        )
    elif in_progress:
        end = pd.Timestamp(as_of)
        text += (
            f"{year} 年尚在进行中（数据截至 {end.month} 月 {end.day} 日）：到位资金增速为累计同比，"
            "只是年内进度，不作全年达标判定。"
        )
    return text


def headline_note(
    year: int,
    as_of: str | date,
    first_year: int | None = None,
    *,
    dimensions: int = 5,
    basis: str = "",
) -> str:
    """Return the note under the composite headline table (basis of the change column).

    *dimensions* is the number of configured dimensions (``len(config.dimensions)``);
    *basis* the statement of the comparison basis
    (:func:`evalkit.topics.composite.present.basis_words`).
    """
    basis_text = (
        f"综合得分由{zh_count(dimensions)}个维度的指标加权得出"
        "（方法见[年度综合评估](comprehensive.html)）；"
    )
    if first_year is not None and year <= first_year:
        return basis_text + f"{year} 年是行动计划实施首年，也是首个评估年度，没有上年可比得分。"
    window = _window_words(year, as_of)
    return (
        basis_text
        + f"“较上年同期”按同一口径比较 {year} 年与 {year - 1} 年的{window}。"
        + (basis + ("" if basis.endswith("。") else "。") if basis else "")
    )


# --- From the stored results (what the page calls) ---------------------------------------


def lights_table(summ) -> pd.DataFrame:
    """Return :func:`traffic_lights` of a :class:`~.compute.SummaryResult` *summ* (its stored verdicts)."""
    return traffic_lights(
        summ.reform_attainment,
        summ.invest_attainment,
        partial=summ.partial,
        in_progress=summ.in_progress,
        as_of=summ.as_of,
        verdicts=verdict_map(summ.verdicts),
    )


def lights_caption(summ) -> str:
    """Return the targets table's caption; while the year runs it states the as-of date once.

    The table's verdict cells leave the date out (:func:`traffic_lights`), so the first
    screen stays short; a provisional verdict is still dated, here.
    """
    caption = f"{summ.year} 年各片区三项硬性目标完成情况"
    if summ.in_progress:
        ts = pd.Timestamp(summ.as_of)
        caption += f"（判定截至{ts.month}月{ts.day}日，年内判定为预计或进行中）"
    return caption


def rules_of(summ) -> vd.VerdictRules:
    """Return the verdict thresholds *summ* was judged with."""
    return vd.VerdictRules(likely=float(summ.likely), unlikely=float(summ.unlikely))


def legend(summ) -> str:
    """Return :func:`lights_legend` for *summ*."""
    return lights_legend(
        summ.year,
        summ.as_of,
        partial=summ.partial,
        in_progress=summ.in_progress,
        rules=rules_of(summ),
    )


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
        (
            funds_finding(
                summ.invest_attainment,
                year,
                verdicts=verdict_map(summ.verdicts),
                as_of=summ.as_of,
                **kw,
            ),
            "investment.html",
        ),
        (
            trade_finding(res.scored, res.dimensions, year, as_of=summ.as_of, logistics=logistics),
            "logistics.html",
        ),
        (weakest_finding(res.dimensions, res.composite, config, year), "comprehensive.html"),
    ]


def note(summ, config: IndicatorConfig, res=None) -> str:
    """Return :func:`headline_note` for *summ* with the configured number of dimensions.

    With the stored composite result *res*, the note also states the comparison basis
    (which indicators were left out because they have data in one year only).
    """
    basis = ""
    if res is not None:
        cur = res.composite[res.composite["year"] == summ.year].set_index("zone_id")
        if "dropped" in cur.columns and cur["change"].notna().any():
            basis = basis_words(cur, config)
    return headline_note(
        summ.year, summ.as_of, summ.first_year, dimensions=len(config.dimensions), basis=basis
    )
