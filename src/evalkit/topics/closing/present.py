"""Closing-review page: yearly hard targets, three-year cumulative figures, changes, trend chart.

Built from a stored :class:`~.compute.ClosingResult` and the stored composite result;
nothing is recomputed. Counts of zones are worded from the configuration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import pandas as pd

from ...config import Targets
from ...core.period import ReportPeriod, to_timestamp
from ...present import charts
from ...present import verdict as vd
from ...present.format import fmt_fixed, fmt_percent
from ...present.text import zh_count
from ...schema import ZONES, zone_name
from ..composite.indicators import IndicatorConfig
from ..composite.text import (
    _growth_text,
    _growth_words,
    _is_true,
    _names,
    _window_words,
    zones_word,
)
from ..reforms.present import cumulative_table as reforms_cumulative_table
from ..summary.compute import verdict_frame
from ..summary.present import verdict_map
from .compute import chained_growth, cumulative_verdicts

# --- Three-year closing review (the plan's last year) -------------------------------------------


def _in_progress(year: int, as_of: str | date) -> bool:
    """Return True when *as_of* falls in *year* before 31 December (the year is still running)."""
    ts = to_timestamp(as_of)
    return ts.year == int(year) and ReportPeriod.of(year, ts).in_progress


def year_label(year: int, as_of: str | date) -> str:
    """Return ``2026年`` or, for a year in progress, ``2026年（截至10月31日）``.

    A year before *as_of*'s year is complete; its label is :attr:`ReportPeriod.label`.
    """
    ts = to_timestamp(as_of)
    if ts.year < int(year):
        return f"{year}年"
    return ReportPeriod.of(year, ts).label


def _year_verdicts(reform_atts, invest_atts, targets: Targets, as_of) -> dict:
    """Return (zone, target, year) → Verdict of every plan year, without a projection."""
    out = {}
    for y in sorted(reform_atts):
        period = ReportPeriod.of(y, as_of if _in_progress(y, as_of) else f"{y}-12-31")
        frame = verdict_frame(
            reform_atts[y],
            invest_atts[y],
            period,
            partial=targets.is_partial_year(y),
            rules=vd.VerdictRules(),
        )
        out.update({(z, k, y): v for (z, k), v in verdict_map(frame).items()})
    return out


def _stored_verdicts(verdicts: pd.DataFrame) -> dict:
    """Return (zone, target, year) → Verdict of a stored, stacked verdict frame."""
    out = {}
    for y, g in verdicts.groupby("year", sort=True):
        out.update({(z, k, int(y)): v for (z, k), v in verdict_map(g).items()})
    return out


def _window(month: int) -> str:
    return "1月" if month == 1 else f"1—{month}月"


def closing_status(
    reform_atts: Mapping[int, pd.DataFrame],
    invest_atts: Mapping[int, pd.DataFrame],
    targets: Targets,
    as_of: str | date,
    verdicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return zone × hard target rows with each plan year's verdict and figure.

    *reform_atts* / *invest_atts* map each plan year to that year's attainment frame,
    computed as of the year's end (or *as_of* for the year in progress): the yearly
    pages' windows. *verdicts* is the stored stacked verdict frame
    (:func:`evalkit.topics.closing.compute.plan_verdicts`, with the projection's
    probability); without it the verdicts are computed without a projection. A year
    in progress is provisional (预计…/进行中, with the as-of date), never 未达标.
    """
    years = sorted(reform_atts)
    v = (
        _stored_verdicts(verdicts)
        if verdicts is not None
        else _year_verdicts(reform_atts, invest_atts, targets, as_of)
    )
    reform_by = {y: reform_atts[y].set_index("zone_id") for y in years}
    invest_by = {y: invest_atts[y].set_index("zone_id") for y in years}
    rows = []
    for z in ZONES:
        for key, target, label in (
            ("replicated", "reforms_replicated", "复制推广经验（条）"),
            ("original", "reforms_original", "自主创新经验（条）"),
            ("funds", "funds_growth", "到位资金同比增长"),
        ):
            row = {"片区": zone_name(z), "硬性目标": label}
            for y in years:
                if key == "funds":
                    a = invest_by[y].loc[z]
                    figure = _growth_text(a["yoy_growth"], a["growth_defined"])
                    month = int(a.get("through_month", 12))
                    if 0 < month < 12:
                        figure += f"，{_window(month)}累计"
                else:
                    figure = f"{int(reform_by[y].loc[z, key])} 条"
                verdict = v[(z, target, y)]
                row[year_label(y, as_of)] = verdict.text(probability=True, figure=figure)
            rows.append(row)
    return pd.DataFrame(rows)


def funds_cumulative(
    invest_atts: Mapping[int, pd.DataFrame],
    targets: Targets,
    chained: pd.DataFrame | None = None,
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """Return the page table of chained growth of funds in place against the compounded target.

    *invest_atts* maps each **assessed** plan year to :func:`evalkit.investment.attainment`
    on the yearly pages' window (full year; year to date for the year in progress);
    *chained* is :func:`evalkit.topics.closing.compute.cumulative_verdicts` of them
    (the stored ``funds_cumulative``; computed without a projection from
    *invest_atts* and *as_of* when not given). Undefined growth in any year makes the
    cumulative figure undefined (said in words).
    """
    years = sorted(invest_atts)
    if chained is None:
        stacked = pd.concat([invest_atts[y].assign(year=y) for y in years], ignore_index=True)
        last = years[-1]
        period = ReportPeriod.of(last, as_of if as_of is not None else f"{last}-12-31")
        chained = cumulative_verdicts(
            chained_growth(stacked, targets, years), period, vd.VerdictRules()
        )
    invest_by = {y: invest_atts[y].set_index("zone_id") for y in years}
    total = chained.set_index("zone_id")
    rows = []
    for z in ZONES:
        row = {"片区": zone_name(z)}
        for y in years:
            a = invest_by[y].loc[z]
            month = int(a.get("through_month", 12))
            window = "全年" if month == 12 else f"{_window(month)}累计"
            row[f"{y}年增速"] = f"{_growth_words(a['yoy_growth'], a['growth_defined'])}（{window}）"
        c = total.loc[z]
        ok = bool(c["defined"])
        row["累计增长"] = fmt_percent(c["growth"]) if ok else "无法计算（某年增速无法计算）"
        row["按年度增长目标复合应达"] = fmt_percent(c["target"], 2)  # 1.25² − 1 = 56.25 % exactly
        verdict = vd.Verdict(
            str(c["status"]),
            bool(c["provisional"]),
            str(c["as_of"]),
            None if pd.isna(c["probability"]) else float(c["probability"]),
        )
        row["判定"] = verdict.text(probability=True)
        rows.append(row)
    return pd.DataFrame(rows)


def dimension_change(
    dims: pd.DataFrame, config: IndicatorConfig, first: int, last: int
) -> pd.DataFrame:
    """Return zone × dimension scores in *first* year and the latest year with data, and the change.

    The latest year is *last* unless the dimension has no score then (annual data not
    yet submitted in a year in progress): then the most recent earlier year, named in
    the ``对比年度`` column.
    """
    d = dims.set_index(["zone_id", "year", "dimension"])["score"]
    rows = []
    for z in ZONES:
        for dim in config.dimensions:
            a = d.get((z, first, dim.id), math.nan)
            latest, b = last, math.nan
            for y in range(last, first, -1):
                b = d.get((z, y, dim.id), math.nan)
                if pd.notna(b):
                    latest = y
                    break
            rows.append(
                {
                    "片区": zone_name(z),
                    "维度": dim.name,
                    f"{first}年得分（分）": round(float(a), 2) if pd.notna(a) else math.nan,
                    "对比年度": latest if pd.notna(b) else math.nan,
                    "对比年度得分（分）": round(float(b), 2) if pd.notna(b) else math.nan,
                    "变化（分）": round(float(b - a), 2)
                    if pd.notna(a) and pd.notna(b)
                    else math.nan,
                }
            )
    out = pd.DataFrame(rows)
    out["对比年度"] = out["对比年度"].astype("Int64")
    return out


#: A change of less than this many points counts as unchanged in the closing review.
UNCHANGED_POINTS = 1.0


def change_sentences(change: pd.DataFrame, first: int, last: int) -> list[str]:
    """Return per zone: which dimensions improved, which did not, which cannot be compared."""
    out = []
    delta_col = "变化（分）"

    def label(r) -> str:
        note = "" if r["对比年度"] == last else f"，至 {int(r['对比年度'])} 年"
        return f"{r['维度']}（{fmt_fixed(r[delta_col], signed=True)}{note}）"

    for zone in dict.fromkeys(change["片区"]):
        g = change[change["片区"] == zone]
        up = [label(r) for _, r in g.iterrows() if r[delta_col] >= UNCHANGED_POINTS]
        down = [label(r) for _, r in g.iterrows() if r[delta_col] <= -UNCHANGED_POINTS]
        flat = [r["维度"] for _, r in g.iterrows() if abs(r[delta_col]) < UNCHANGED_POINTS]
        na = [r["维度"] for _, r in g.iterrows() if pd.isna(r[delta_col])]
        parts = []
        parts.append(f"提高的维度：{'、'.join(up)}" if up else "没有维度明显提高")
        parts.append(f"下降的维度：{'、'.join(down)}" if down else "没有维度下降")
        if flat:
            parts.append(f"基本持平（变化不足 {UNCHANGED_POINTS:g} 分）：{'、'.join(flat)}")
        if na:
            parts.append(f"无法比较（缺少数据）：{'、'.join(na)}")
        out.append(f"{zone}（{first}→{last} 年同期）：" + "；".join(parts) + "。")
    return out


def cumulative_sentence(cum: pd.DataFrame, closed: bool) -> str:
    """Return the sentence on three-year cumulative reform counts (``reforms.cumulative`` frame)."""
    parts = []
    for r in cum.itertuples(index=False):
        parts.append(
            f"{zone_name(r.zone_id)}复制推广 {int(r.cum_replicated)}/{int(r.target_replicated)} 条、"
            f"自主创新 {int(r.cum_original)}/{int(r.target_original)} 条"
        )
    done = [
        r.zone_id
        for r in cum.itertuples(index=False)
        if _is_true(r.met_replicated) and _is_true(r.met_original)
    ]
    when = "三年累计" if closed else "截至目前三年累计"
    text = f"{when}（累计/三年目标）：" + "；".join(parts) + "。"
    if len(done) == len(cum):
        return text + f"{zones_word()}均已完成三年改革目标。"
    rest = [z for z in cum["zone_id"] if z not in done]
    head = f"{_names(done)}已完成两项三年目标；" if done else ""
    tail = "尚未完成" if not closed else "未完成"
    return text + head + f"{_names(rest)}{tail}。"


def _plain(cell: str) -> str:
    """Return a verdict cell for a sentence: ``◎ 预计达标（截至10月31日，…）`` → ``预计达标，截至10月31日，…``."""
    text = cell.split(" ", 1)[-1]
    return text.replace("（", "，").replace("）", "")


def funds_cumulative_sentence(table: pd.DataFrame, years: list[int], first_year: int) -> str:
    """Return the sentence on cumulative growth of funds in place against the compounded target.

    *years* are the assessed plan years chained (the partial *first_year* is a baseline).
    """
    parts = [f"{r['片区']} {r['累计增长']}（{_plain(r['判定'])}）" for _, r in table.iterrows()]
    need = "、".join(dict.fromkeys(table["按年度增长目标复合应达"]))
    span = f"{years[0]}—{years[-1]}" if len(years) > 1 else f"{years[0]}"
    return (
        f"招商引资到位资金 {span} 年累计增长（{zh_count(len(years))}个考核年度的同比增速连乘，"
        "口径与各年度页面相同：已结束的年度取全年增速，进行中的年度取截至数据截至日的累计同比，"
        f"迟报片区按其已报送月份同口径比较；{first_year} 年为基线年，不考核，不计入）："
        + "；".join(parts)
        + f"。按年度增长目标复合计算，{zh_count(len(years))}个考核年度应累计增长 {need}。"
    )


def closing_intro(year: int, as_of: str | date, first_year: int, last_year: int) -> str:
    """Return the opening paragraph of the closing review (a short note before the last year)."""
    if year < last_year:
        return (
            f"三年总结评估在行动计划收官之年（{last_year} 年）的报告中给出：届时对照计划目标，"
            f"汇总 {first_year}—{last_year} 年的累计完成情况，说明哪些方面改善了、哪些没有。"
            f"{year} 年的评估结果见[年度评估摘要](index.html)和[年度综合评估](comprehensive.html)。"
        )
    if year > last_year:
        return (
            f"行动计划的实施期为 {first_year}—{last_year} 年，三年总结评估见 {last_year} 年的报告。"
        )
    end = pd.Timestamp(as_of)
    status = (
        f"{last_year} 年尚未结束（数据截至 {end.year} 年 {end.month} 月 {end.day} 日），"
        f"{last_year} 年的数字为截至该日的累计，结论在年底前仍可能变化。"
        if (end.month, end.day) != (12, 31)
        else f"{last_year} 年数据已全部报送。"
    )
    return (
        f"{last_year} 年是行动计划的收官之年。本节对照计划的三项硬性目标，汇总 {first_year}—{last_year} 年的累计完成情况，"
        f"并比较各维度得分的变化，说明哪些方面改善了、哪些没有。{status}"
    )


def closing_method_note(year: int, as_of: str | date) -> str:
    """Return the note on how the closing review compares years."""
    window = _window_words(year, as_of)
    return (
        f"说明：各维度和综合得分按年度综合评估的方法计算，各年统一取{window}（同期口径），"
        f"变化不足 {UNCHANGED_POINTS:g} 分视为基本持平；年度产业数据在年度进行中尚未报送，相应维度无法比较。"
        f"图中各点数值可在网站本页下载（closing_composite_trend_{year}.csv）。"
    )


def closing_targets_sentences(
    reform_atts: Mapping[int, pd.DataFrame],
    invest_atts: Mapping[int, pd.DataFrame],
    targets: Targets,
    as_of: str | date,
    verdicts: pd.DataFrame | None = None,
) -> list[str]:
    """Return per zone the verdicts on the hard targets in the assessed plan years.

    The partial first year is a baseline and left out; a year in progress gives its
    provisional verdicts (已达标 / 进行中 / 预计… with the as-of date), never 未达标.
    *verdicts* as in :func:`closing_status`.
    """
    names = {
        "reforms_replicated": "复制推广",
        "reforms_original": "自主创新",
        "funds_growth": "到位资金增长",
    }
    years = [y for y in sorted(reform_atts) if not targets.is_partial_year(y)]
    v = (
        _stored_verdicts(verdicts)
        if verdicts is not None
        else _year_verdicts(reform_atts, invest_atts, targets, as_of)
    )
    out = []
    for z in ZONES:
        parts = []
        for y in years:
            groups: dict[str, list[str]] = {}
            for key, name in names.items():
                verdict = v[(z, key, y)]
                if verdict.probability is not None:
                    name += f"，{vd.probability_words(verdict.probability)}"
                groups.setdefault(verdict.word.split("（")[0], []).append(name)
            running = _in_progress(y, as_of)
            end = to_timestamp(as_of)
            label = f"{y} 年截至 {end.month} 月 {end.day} 日：" if running else f"{y} 年："
            said = "，".join(f"{word} {len(n)} 项（{'、'.join(n)}）" for word, n in groups.items())
            parts.append(f"{label}{said}")
        if parts:
            out.append(f"{zone_name(z)}：" + "；".join(parts) + "。")
    return out


# --- From the stored results (what the page calls) ---------------------------------------


def by_year(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """Split a long attainment frame (``year`` column) into plan year → that year's frame."""
    return {int(y): g.reset_index(drop=True) for y, g in frame.groupby("year", sort=True)}


def status_table(clo, targets: Targets) -> pd.DataFrame:
    """Return :func:`closing_status` of a :class:`~.compute.ClosingResult` *clo* (its stored verdicts)."""
    return closing_status(
        by_year(clo.reform_attainment),
        by_year(clo.invest_attainment),
        targets,
        clo.as_of,
        clo.verdicts,
    )


def targets_sentences(clo, targets: Targets) -> list[str]:
    """Return :func:`closing_targets_sentences` of *clo* (its stored verdicts)."""
    return closing_targets_sentences(
        by_year(clo.reform_attainment),
        by_year(clo.invest_attainment),
        targets,
        clo.as_of,
        clo.verdicts,
    )


def cumulative_reforms_table(clo) -> pd.DataFrame:
    """Return the reform items' three-year cumulative table (:func:`evalkit.reforms.cumulative_table`).

    While the last year is in progress a target not yet reached reads 进行中 with the
    as-of date, not 未完成 (counts never fall: 已完成 is final).
    """
    table = reforms_cumulative_table(clo.reform_cumulative, clo.first_year, clo.last_year)
    if clo.in_progress:
        end = pd.Timestamp(clo.as_of)
        running = f"进行中（截至{end.month}月{end.day}日）"
        for col in [c for c in table.columns if c.endswith("是否完成三年目标")]:
            table[col] = table[col].replace({"未完成": running})
    return table


def funds_cumulative_table(clo, targets: Targets) -> pd.DataFrame:
    """Return :func:`funds_cumulative` over *clo*'s assessed years, on the yearly pages' windows."""
    invest = by_year(clo.invest_attainment)
    assessed = {y: invest[y] for y in clo.assessed_years}
    return funds_cumulative(assessed, targets, clo.funds_cumulative, clo.as_of)


def cumulative_sentences(clo, funds_table: pd.DataFrame) -> list[str]:
    """Return the sentences on cumulative reform counts and cumulative growth of funds."""
    return [
        cumulative_sentence(clo.reform_cumulative, not clo.in_progress),
        funds_cumulative_sentence(funds_table, list(clo.assessed_years), clo.first_year),
    ]


def composite_trend(comp: pd.DataFrame) -> pd.DataFrame:
    """Return the composite score and rank of every zone and plan year with Chinese headers.

    *comp* is the stored composite frame: scores over the same-period windows (the
    basis of the year-to-year comparison), labelled as such so they are not taken for
    the score each year's own page publishes (its whole year).
    """
    trend = comp.assign(片区=[zone_name(z) for z in comp["zone_id"]])
    score, rank = "同期口径综合得分（分）", "同期口径排名"
    trend = trend[["片区", "year", "score", "rank"]].rename(
        columns={"year": "年度", "score": score, "rank": rank}
    )
    trend[score] = trend[score].round(2)
    return trend


def composite_trend_chart(comp: pd.DataFrame, years: list[int], *, synthetic: bool = False):
    """Return ``(fig, ax)``: one line per zone of composite scores (0–100) over *years*.

    *comp* is the composite frame (``zone_id, year, score``) of the stored composite
    result; colours and markers follow the configured zone order.
    """
    fig, ax = charts.zone_lines(
        comp,
        title=f"各片区综合得分（{years[0]}—{years[-1]} 年同期）",
        unit="分",
        value="score",
        month_col="year",
        monthly=False,
        markersize=None,
        synthetic=synthetic,
    )
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(0, 100)
    return fig, ax


def key_points(clo, targets: Targets) -> list[str]:
    """Return the page's "要点": the three-year target sentences (at most five)."""
    return targets_sentences(clo, targets)[:5]
