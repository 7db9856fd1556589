"""Comprehensive-evaluation page: tables, narrative and charts built from a stored result.

Everything here reads a :class:`~.compute.CompositeResult` (or its frames) and the
indicator configuration; nothing is recomputed. Table headers are Chinese; missing
values stay NaN in the frames (CSV) and show as "—" on the page (:func:`for_page`).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from ...config import Targets
from ...present import glossary
from ...present.format import fmt_fixed, fmt_percent
from ...present.markdown import md_escape
from ...present.text import zh_count, zh_sentences
from ...schema import ZONE_ORDER, ZONES, zone_name
from .indicators import IndicatorConfig
from .text import _zone_order, for_page  # noqa: F401 (pages use for_page)
from .values import window_end
from .weights import DEFAULT_SEED, ROBUST_SHARE

# --- Page tables (Chinese headers first) ----------------------------------------------------

DIRECTION_WORDS = {1: "正向（越大越好）", -1: "逆向（越小越好）"}
METHOD_WORDS = {
    "target": "对标计划目标",
    "reference": "对照固定参照范围",
}
MISSING_WORD = "缺失（维度内按其余指标重新分配权重）"


def dimension_table(
    dims: pd.DataFrame, comp: pd.DataFrame, config: IndicatorConfig, year: int
) -> pd.DataFrame:
    """Return one row per zone for *year*: dimension scores, composite score, rank, coverage."""
    d = dims[dims["year"] == year].set_index(["zone_id", "dimension"])["score"]
    c = comp[comp["year"] == year].set_index("zone_id")
    rows = []
    for z in _zone_order(c.index):
        row = {"片区": zone_name(z)}
        for dim in config.dimensions:
            row[f"{dim.name}（分）"] = round(float(d.get((z, dim.id), math.nan)), 2)
        row["综合得分（分）"] = round(float(c.loc[z, "score"]), 2)
        row["排名"] = c.loc[z, "rank"]
        row["数据覆盖率"] = fmt_percent(c.loc[z, "coverage"])
        rows.append(row)
    return pd.DataFrame(rows)


def indicator_table(scored: pd.DataFrame, config: IndicatorConfig, year: int) -> pd.DataFrame:
    """Return every indicator × zone for *year*: value, target, score, method, missing note."""
    s = scored[scored["year"] == year].set_index(["indicator", "zone_id"])
    rows = []
    for dim in config.dimensions:
        for ind in dim.indicators:
            for z in _zone_order(s.loc[ind.id].index):
                r = s.loc[(ind.id, z)]
                rows.append(
                    {
                        "维度": dim.name,
                        "指标": ind.name,
                        "片区": zone_name(z),
                        "单位": ind.unit,
                        "方向": DIRECTION_WORDS[ind.direction],
                        "评分方法": METHOD_WORDS[r["method"]],
                        "数值": round(float(r["value"]), 4) if pd.notna(r["value"]) else math.nan,
                        "零分值（按时间进度）": round(float(r["worst"]), 4)
                        if pd.notna(r["worst"])
                        else math.nan,
                        "目标或满分值（按时间进度）": round(float(r["target"]), 4)
                        if pd.notna(r["target"])
                        else math.nan,
                        "得分（分）": round(float(r["score"]), 2)
                        if pd.notna(r["score"])
                        else math.nan,
                        "说明": MISSING_WORD if pd.isna(r["value"]) else "",
                    }
                )
    return pd.DataFrame(rows)


def weights_table(config: IndicatorConfig, entropy: pd.Series) -> pd.DataFrame:
    """Return configured weights (per level and overall) beside the entropy weights."""
    rows = []
    for dim in config.dimensions:
        for ind in dim.indicators:
            rows.append(
                {
                    "维度": dim.name,
                    "指标": ind.name,
                    "维度权重": round(dim.weight, 4),
                    "维度内权重": round(ind.weight, 4),
                    "配置综合权重": round(dim.weight * ind.weight, 4),
                    "熵权": round(float(entropy.get(ind.id, math.nan)), 4),
                }
            )
    return pd.DataFrame(rows)


def reference_table(config: IndicatorConfig, targets: Targets | None = None) -> pd.DataFrame:
    """Return what each indicator is scored against: the plan's target or a fixed range and its source.

    Columns 维度, 指标, 单位, 方向, 计分依据, 零分值, 满分值或目标, 来源 (numbers in the
    indicator's unit; a target named by a key of ``targets.yaml`` shows that key's
    plan-wide value from *targets*; zone overrides are in the indicator table).
    """
    t = targets or Targets()
    rows = []
    for dim in config.dimensions:
        for ind in dim.indicators:
            ref = ind.reference
            if ref is None:
                goal = ind.target
                goal = float(getattr(t, goal)) if isinstance(goal, str) else float(goal)
            rows.append(
                {
                    "维度": dim.name,
                    "指标": ind.name,
                    "单位": ind.unit,
                    "方向": DIRECTION_WORDS[ind.direction],
                    "计分依据": METHOD_WORDS["reference" if ref else "target"],
                    "零分值": ref.worst if ref else 0.0,
                    "满分值或目标": ref.best if ref else goal,
                    "来源": ref.source if ref else "行动计划的年度硬性目标（targets.yaml）",
                }
            )
    return pd.DataFrame(rows)


def entropy_notes(res, config: IndicatorConfig) -> list[str]:
    """Return the note on the entropy weights of *res.year*: the guard and what it excluded."""
    d = res.entropy_detail
    d = d[(d["year"] == res.year) & (d["reason"] != "")]
    head = (
        f"熵权按 {res.year} 年{zh_count(len(ZONES))}个片区的指标得分计算（不混合其他年度，"
        "因此往年报告中的熵权结果不会因新年度加入而改变）。以下情形不赋予数据驱动的权重（熵权为 0）："
        "少于两个片区有得分、各片区得分相同、或只有一个片区得分大于零——后一种情形熵值为 0，"
        "熵权法会给它最大权重，而它只说明一个片区领先。"
        f"片区只有{zh_count(len(ZONES))}个，熵权对个别片区得分为 0 的指标十分敏感，"
        "因此熵权法只作对照，综合得分与排名以配置权重为准。"
    )
    if d.empty:
        return [head + f"{res.year} 年没有指标因此被排除。"]
    items = "；".join(
        f"{config.indicator(i).name}（{r}）"
        for i, r in zip(d["indicator"], d["reason"], strict=True)
    )
    return [head + f"{res.year} 年被排除的指标：{items}。"]


def revision_table(res) -> pd.DataFrame:
    """Return *res.year*'s scores published under earlier methods beside the current method's.

    One row per earlier method and zone: 片区, 方法, 原发布得分, 原排名, 现方法得分, 现排名
    (the current figures are ``res.published`` of *res.year*). Empty when no earlier
    method published *res.year*.
    """
    rev = res.revisions[res.revisions["year"] == res.year]
    now = res.published[res.published["year"] == res.year].set_index("zone_id")
    rows = []
    for method, g in rev.groupby("method", sort=False):
        g = g.set_index("zone_id")
        for z in _zone_order(g.index):
            rows.append(
                {
                    "片区": zone_name(z),
                    "原方法": method,
                    "原方法已发布得分（分）": round(float(g.loc[z, "score"]), 2),
                    "原方法排名": int(g.loc[z, "rank"]),
                    "现方法得分（分）": round(float(now.loc[z, "score"]), 2)
                    if z in now.index
                    else math.nan,
                    "现方法排名": now.loc[z, "rank"] if z in now.index else pd.NA,
                }
            )
    return pd.DataFrame(rows)


def revision_notes(res) -> list[str]:
    """Return why the method changed, one sentence per earlier method that published *res.year*.

    Only records of the configured zones count (a record copied to another pilot says nothing).
    """
    rev = res.revisions
    rev = rev[(rev["year"] == res.year) & rev["zone_id"].isin(list(ZONES))]
    out = []
    for method, g in rev.groupby("method", sort=False):
        when = g["replaced"].iloc[0]
        out.append(
            f"**方法修订**：本年度得分曾按“{md_escape(method)}”发布"
            + (f"，该方法已于 {md_escape(str(when))} 停用" if when else "")
            + f"。{md_escape(g['why'].iloc[0])}上表并列原方法已发布的得分与现方法的得分，二者不可直接相减比较。"
        )
    return out


def ranking_table(comp: pd.DataFrame, ent: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return *year*'s scores and ranks under the configured and the entropy weights."""
    c = comp[comp["year"] == year].set_index("zone_id")
    e = ent[ent["year"] == year].set_index("zone_id")
    return pd.DataFrame(
        [
            {
                "片区": zone_name(z),
                "配置权重·综合得分（分）": round(float(c.loc[z, "score"]), 2),
                "配置权重·排名": c.loc[z, "rank"],
                "熵权法·综合得分（分）": round(float(e.loc[z, "score"]), 2),
                "熵权法·排名": e.loc[z, "rank"],
            }
            for z in _zone_order(c.index)
        ]
    )


def sensitivity_table(sens: pd.DataFrame) -> pd.DataFrame:
    """Return the sensitivity result with Chinese headers."""
    return pd.DataFrame(
        {
            "片区": [zone_name(z) for z in sens["zone_id"]],
            "排名第一的概率": [fmt_percent(p) for p in sens["p_first"]],
            "得分均值（分）": sens["mean"].round(2).to_numpy(),
            "得分5%分位（分）": sens["p05"].round(2).to_numpy(),
            "得分中位数（分）": sens["p50"].round(2).to_numpy(),
            "得分95%分位（分）": sens["p95"].round(2).to_numpy(),
        }
    )


def trend_table(
    dims: pd.DataFrame,
    comp: pd.DataFrame,
    config: IndicatorConfig,
    published: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return every zone × year: dimension scores, composite and rank over the same-period windows.

    With *published* (``CompositeResult.published``) two columns come first after the
    year: the score and rank that year's own page publishes (its whole year for a
    completed year), so the same-period figures are never mistaken for a second
    published score.
    """
    pub = None if published is None else published.set_index(["zone_id", "year"])
    rows = []
    for y in sorted(comp["year"].unique()):
        t = dimension_table(dims, comp, config, int(y))
        t.insert(1, "年度", int(y))
        if pub is not None:
            zones = _zone_order(comp[comp["year"] == y]["zone_id"])
            t.insert(
                2,
                "该年度报告发布的综合得分（分）",
                [round(float(pub.loc[(z, y), "score"]), 2) for z in zones],
            )
            t.insert(3, "该年度报告发布的排名", [pub.loc[(z, y), "rank"] for z in zones])
        rows.append(t)
    out = pd.concat(rows, ignore_index=True)
    out = out.rename(columns={"综合得分（分）": "同期口径综合得分（分）", "排名": "同期口径排名"})
    order = {zone_name(z): i for i, z in enumerate(ZONES)}
    return out.sort_values(["片区", "年度"], key=lambda s: s.map(order) if s.name == "片区" else s)


def trend_note(res) -> str:
    """Return the note under :func:`trend_table`: which columns are published, which same-period."""
    end = window_end(res.year, res.as_of)
    window = (
        "全年"
        if (end.month, end.day) == (12, 31)
        else f"各年 1 月 1 日至 {end.month} 月 {end.day} 日"
    )
    return (
        "“该年度报告发布的”两列是各年度报告页面公布的综合得分与排名（已结束年度按全年计算），"
        f"不随新年度加入而改变；各维度得分和“同期口径”两列按{window}计算，只用于年度之间的比较。"
    )


def summary_part(comp: pd.DataFrame, year: int) -> dict:
    """Return the ``composite`` summary part: per zone ``composite_score`` and ``rank``."""
    c = comp[comp["year"] == year]
    return {
        "zones": {
            r.zone_id: {
                "composite_score": None if pd.isna(r.score) else round(float(r.score), 2),
                "rank": None if pd.isna(r.rank) else int(r.rank),
            }
            for r in c.itertuples(index=False)
        }
    }


# --- Narrative (Chinese, built from the numbers) ---------------------------------------------


def _ordered(comp: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return *year*'s composite rows sorted by rank, then zone order."""
    c = comp[comp["year"] == year].copy()
    c["_o"] = c["zone_id"].map(ZONE_ORDER)
    return c.sort_values(["rank", "_o"], na_position="last")


def _leaders(comp: pd.DataFrame, year: int) -> list[str]:
    """Return the zones ranked first in *year* (more than one when tied), in zone order."""
    c = _ordered(comp, year)
    return list(c[c["rank"] == c["rank"].min()]["zone_id"])


def ranking_sentence(comp: pd.DataFrame, year: int) -> str:
    """Return the sentence naming the ranking and scores of *year* (ties stated as ties)."""
    c = _ordered(comp, year)
    parts = []
    for rank, g in c.groupby("rank", sort=True):
        names = "、".join(
            f"{zone_name(z)}（{fmt_fixed(s)} 分）"
            for z, s in zip(g["zone_id"], g["score"], strict=True)
        )
        tie = "并列" if len(g) > 1 else ""
        parts.append(f"{tie}第 {int(rank)} 名 {names}")
    return f"{year} 年综合评估：" + "；".join(parts) + "。"


def change_sentence(
    comp: pd.DataFrame, year: int, config: IndicatorConfig | None = None
) -> str | None:
    """Return the sentence on score and rank changes from the previous year on the same basis.

    Reads the same-basis columns of the composite frame (:func:`~.compare.with_changes`):
    each zone's two years scored on the indicators it has in both; the indicators left
    out are named (with *config*, by their Chinese names). None if there is no prior year.
    """
    if not (comp["year"] == year - 1).any():
        return None
    cur = comp[comp["year"] == year].set_index("zone_id")
    parts = []
    for z in _zone_order(cur.index):
        d = cur.loc[z, "change"]
        if pd.isna(d):
            parts.append(f"{zone_name(z)}无法比较")
            continue
        move = int(cur.loc[z, "basis_prev_rank"]) - int(cur.loc[z, "basis_rank"])
        rank_word = (
            "排名不变" if move == 0 else (f"上升 {move} 位" if move > 0 else f"下降 {-move} 位")
        )
        verb = "提高" if round(d, 2) > 0 else ("下降" if round(d, 2) < 0 else "持平")
        amount = f" {fmt_fixed(abs(d), grouping=False)} 分" if round(d, 2) != 0 else ""
        parts.append(f"{zone_name(z)}{verb}{amount}，{rank_word}")
    return (
        f"与 {year - 1} 年同期按同一口径相比：" + "；".join(parts) + "。" + basis_words(cur, config)
    )


def basis_words(cur: pd.DataFrame, config: IndicatorConfig | None = None) -> str:
    """Return the statement of the comparison basis: which indicators were left out, per zone.

    *cur* is the report year's composite rows indexed by zone (``dropped`` column).
    """

    def names(ids: str) -> str:
        if config is None:
            return ids
        return "、".join(config.indicator(i).name for i in ids.split("、"))

    dropped = {z: cur.loc[z, "dropped"] for z in _zone_order(cur.index) if cur.loc[z, "dropped"]}
    head = "同一口径指两年都使用各片区两年均有数据的同一组维度和指标，按同样的权重计算"
    if not dropped:
        return head + "；两年的指标完全相同，没有指标被排除。"
    if len(set(dropped.values())) == 1 and len(dropped) == len(cur):
        return (
            head
            + f"；只有一年有数据、因而不参与比较的指标：{names(next(iter(dropped.values())))}。"
        )
    per = "；".join(f"{zone_name(z)}：{names(v)}" for z, v in dropped.items())
    return head + f"；只有一年有数据、因而不参与比较的指标——{per}。"


def entropy_sentence(comp: pd.DataFrame, ent: pd.DataFrame, year: int) -> str:
    """Return whether the entropy-weight ranking agrees with the configured one."""
    c = comp[comp["year"] == year].set_index("zone_id")["rank"]
    e = ent[ent["year"] == year].set_index("zone_id")["rank"]
    zones = _zone_order(c.index)
    if all(c[z] == e[z] for z in zones):
        return "熵权法（按数据离散程度客观赋权）得出的排名与配置权重下的排名完全一致。"
    diffs = "；".join(
        f"{zone_name(z)}配置权重第 {int(c[z])} 名、熵权法第 {int(e[z])} 名"
        for z in zones
        if c[z] != e[z]
    )
    return f"熵权法（按数据离散程度客观赋权）得出的排名与配置权重不同：{diffs}。名次取决于权重选择，应结合各维度得分解读。"


def sensitivity_sentence(
    sens: pd.DataFrame,
    comp: pd.DataFrame,
    year: int,
    *,
    draws: int,
    concentration: float,
    threshold: float = ROBUST_SHARE,
) -> str:
    """Return the plain statement of how robust the first place is to the weights."""
    leaders = _leaders(comp, year)
    p = sens.set_index("zone_id")["p_first"]
    head = (
        f"权重敏感性：以配置权重为中心按 {glossary.explained('dirichlet', 'Dirichlet 分布')}"
        f"随机抽取 {draws} 组权重（集中度 κ={concentration:g}，固定随机种子）重新计算，"
    )
    if len(leaders) > 1:
        names = "、".join(zone_name(z) for z in leaders)
        return head + f"配置权重下 {names} 并列第一，排名不稳健：第一名取决于权重。"
    lead = leaders[0]
    others = "；".join(
        f"{zone_name(z)} {fmt_percent(p[z])}"
        for z in _zone_order(p.index)
        if z != lead and p[z] > 0
    )
    if p[lead] >= threshold:
        tail = f"排名稳健（判定标准：第一名在至少 {fmt_percent(threshold, 0)} 的抽样中保持第一）。"
    else:
        tail = (
            f"排名不稳健：第一名在不足 {fmt_percent(threshold, 0)} 的抽样中保持第一，"
            "名次差距小于权重选择带来的不确定性，不宜据此排定先后。"
        )
    extra = f"（其他片区排名第一的概率：{others}）" if others else ""
    return head + f"{zone_name(lead)}在 {fmt_percent(p[lead])} 的抽样中排名第一{extra}，" + tail


def missing_sentences(scored: pd.DataFrame, config: IndicatorConfig, year: int) -> list[str]:
    """Return one sentence per zone naming the indicators missing in *year* (none: empty list)."""
    s = scored[(scored["year"] == year) & scored["value"].isna()]
    out = []
    for z in _zone_order(s["zone_id"]):
        names = "、".join(config.indicator(i).name for i in s[s["zone_id"] == z]["indicator"])
        out.append(
            f"{zone_name(z)} {year} 年缺少以下指标的数据（未报送或无法计算），"
            f"已在所属维度内按其余指标重新分配权重，未按零分处理：{names}。"
        )
    return out


def method_notes(
    config: IndicatorConfig,
    year: int,
    as_of: str | date,
    first_year: int,
    draws: int,
    concentration: float,
) -> list[str]:
    """Return the page's statement of method (Chinese), with this report's windows and settings."""
    end = window_end(year, as_of)
    dims = "、".join(f"{d.name}（{d.weight:g}）" for d in config.dimensions)
    zones = f"{zh_count(len(ZONES))}个片区"
    window = (
        "全年"
        if (end.month, end.day) == (12, 31)
        else f"各年 1 月 1 日至 {end.month} 月 {end.day} 日（同期口径，与累计同比一致）"
    )
    return [
        f"**指标体系**：{len(config.dimensions)} 个维度、{len(config.indicators)} 项指标，"
        f"维度及权重为 {dims}；参照自贸试验区制度创新指数的分维度做法，结合本行动计划的目标与各片区报送的数据设定，"
        "配置文件为 `data/config/indicators.yaml`。",
        f"**统计口径**：每年的指标值统计 {window}；月度、季度数据只计入截至该日已结束的期间；"
        "年度产业数据按年报送，年度进行中尚无数据时视为缺失。复制推广、自主创新条数和到位资金及其增速直接取自对应专项评估的计算结果，两处口径一致。",
        "**评分（0—100 分）**：有计划目标的指标按“实际值÷目标值×100”计分，达到目标即满分，"
        "条数、金额类目标在年度进行中按时间进度折算，行动计划实施首年按计划印发后的天数折算；"
        "没有计划目标的指标对照配置文件中固定的参照范围计分：达到“满分值”为 100 分，"
        "不好于“零分值”为 0 分，其间按直线折算（逆向指标的满分值小于零分值），"
        "条数、金额类的参照值按一年的时间进度折算；各指标的参照值及其来源见第二节的表。"
        "因此一个片区某年的得分只取决于它当年的数据，不受其他片区和报告所含年度的影响。",
        "**缺失数据**：未报送或无法计算（如基期为零的增速）的指标记为缺失，绝不按零分处理；"
        "维度得分在该维度现有指标间按权重重新分配，综合得分同理；“数据覆盖率”为实际参与计分的权重占比。",
        "**排名**：得分保留两位小数后从高到低排名，得分相同的片区并列（如 1、1、3）。",
        f"**熵权法**：以当年{zones}各指标得分的离散程度客观赋权（熵值越小、权重越大），与配置权重的结果并列展示，只作对照；"
        "少于两个片区有得分、各片区得分相同或只有一个片区得分大于零的指标不赋予熵权（见第三节说明）。",
        f"**权重敏感性**：以配置权重为中心，按 {glossary.explained('dirichlet', 'Dirichlet 分布')}"
        f"随机抽取 {draws} 组维度及指标权重（集中度 κ={concentration:g}），"
        f"固定随机种子（{DEFAULT_SEED}），统计各片区排名第一的概率和得分区间；"
        f"第一名在至少 {fmt_percent(ROBUST_SHARE, 0)} 的抽样中保持第一才称“排名稳健”。",
        "**历年得分**：每年的得分只由该年数据计算，已发布的往年得分不会因新年度加入而改变；"
        f"第五节并列各年度报告发布的得分（已结束年度为全年）与本报告的同期口径得分（{window}），后者仅用于年度间比较。"
        "“较上年变化”按同一口径计算：两年都只使用该片区两年均有数据的维度和指标，并在正文中列出被排除的指标。"
        "各片区面积与体量不同，绝对量指标（金额、条数）有利于体量大的片区，解读时请结合各维度得分。",
    ]


# --- From the stored result (what the page calls) ----------------------------------------


def page_method_notes(res, config: IndicatorConfig) -> list[str]:
    """Return :func:`method_notes` for a :class:`~.compute.CompositeResult` *res*."""
    return method_notes(config, res.year, res.as_of, res.years[0], res.draws, res.concentration)


def score_sentences(res, config: IndicatorConfig) -> list[str]:
    """Return the sentences under the score table: ranking, change on last year, missing data."""
    out = [ranking_sentence(res.composite, res.year)]
    change = change_sentence(res.composite, res.year, config)
    if change:
        out.append(change)
    return out + missing_sentences(res.scored, config, res.year)


# --- Charts ---------------------------------------------------------------------------------


def dimension_bars(res, config: IndicatorConfig):
    """Return ``(fig, ax)``: grouped bars of *res.year*'s dimension scores (0–100) per zone.

    One group per configured dimension, one bar per zone (palette colour and hatch by
    zone order); a missing score draws no bar (NaN), which :func:`evalkit.figures.show`
    labels 无数据 (a score of 0 is labelled 0). The values are those of :func:`dimension_table`.
    """
    from ... import figures  # matplotlib: only for drawing (not for tables or text)

    year = res.year
    fig, ax = figures.new_figure(
        f"{year} 年各片区维度得分", "分", synthetic=res.synthetic, figsize=(9, 4.5)
    )
    zones = _zone_order(res.composite["zone_id"])
    x = np.arange(len(config.dimensions))
    width = 0.8 / len(zones)
    dims = res.dimensions
    d_year = dims[dims["year"] == year].set_index(["zone_id", "dimension"])["score"]
    for k, z in enumerate(zones):
        heights = [d_year.get((z, d.id), np.nan) for d in config.dimensions]
        ax.bar(
            x + (k - (len(zones) - 1) / 2) * width,
            heights,  # a missing score draws no bar; figures.show labels it 无数据, a 0 as 0
            width,
            label=zone_name(z),
            color=figures.PALETTE[k % len(figures.PALETTE)],
            hatch=figures.HATCHES[k % len(figures.HATCHES)],
            edgecolor="white",
        )
    ax.set_xticks(x, [d.name for d in config.dimensions])
    ax.set_ylim(0, 105)
    ax.legend(ncols=len(zones), loc="upper center", bbox_to_anchor=(0.5, -0.08))
    return fig, ax


def sensitivity_ranges(res):
    """Return ``(fig, ax)``: per zone the 5 %–95 % range of composite scores under weight draws.

    One horizontal band per zone of ``res.sensitivity`` (its row order), with a
    black marker at the score under the configured weights; x axis 0–100 points.
    """
    from ... import figures  # matplotlib: only for drawing (not for tables or text)

    year = res.year
    fig, ax = figures.new_figure(
        f"{year} 年综合得分的权重敏感性（5%—95% 分位区间）", "分", synthetic=res.synthetic
    )
    comp = res.composite
    base = comp[comp["year"] == year].set_index("zone_id")["score"]
    sens = res.sensitivity
    for k, r in enumerate(sens.itertuples(index=False)):
        ax.plot(
            [r.p05, r.p95],
            [k, k],
            color=figures.PALETTE[k % len(figures.PALETTE)],
            linewidth=6,
            alpha=0.6,
        )
        ax.plot(
            [base[r.zone_id]],
            [k],
            marker=figures.MARKERS[k % len(figures.MARKERS)],
            color="black",
            linestyle="none",
        )
    ax.set_yticks(range(len(sens)), [zone_name(z) for z in sens["zone_id"]])
    ax.set_ylabel("")
    ax.set_xlabel("综合得分（分）；黑点为配置权重下的得分")
    ax.set_xlim(0, 100)
    return fig, ax


def key_points(res, config: IndicatorConfig) -> list[str]:
    """Return the page's "要点": ranking, change on last year (same basis), robustness."""
    robust = sensitivity_sentence(
        res.sensitivity,
        res.composite,
        res.year,
        draws=res.draws,
        concentration=res.concentration,
    )
    change = change_sentence(res.composite, res.year, config)
    firsts = [ranking_sentence(res.composite, res.year), *([change] if change else [])]
    return [*firsts, *zh_sentences(robust)[:2]][:5]
