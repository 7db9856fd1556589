"""Investment pages: tables, narrative and charts built from a stored :class:`InvestmentResult`.

Everything here reads a result of :func:`evalkit.topics.investment.compute.run`
(or its frames) and formats it; nothing is recomputed. Amounts are 万元, growth
rates and shares are fractions shown as percentages; undefined growth is worded
("无法计算（基期为零）"), never NaN or inf, and growth on a base below the
small-base threshold reads "基数过小" (:mod:`.wording`). Every projected figure is
labelled 预测. Section 2 (projections, backtests) lives in :mod:`.present_projection`
and is re-exported here.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evalkit import figures
from evalkit.core.period import ReportPeriod
from evalkit.present import verdict as vd
from evalkit.schema import ZONES, zone_name

from .present_projection import (  # noqa: F401  (section 2 of the page, re-exported)
    KEY_ORIGINS,
    backtest_detail_table,
    backtest_note,
    backtest_sentence,
    backtest_table,
    comparison_sentence,
    coverage_table,
    headline,
    no_projection_note,
    projection_chart,
    projection_sentence,
    projection_table,
)
from .structure import BREAKDOWNS, MIN_BASE_WAN_YUAN, LandingConfig
from .wording import (
    fmt_share,
    format_growth,
    format_met,
    growth_cells,
    is_small_base,
    pct,
    round_or_nan,
    window_label,
)

if TYPE_CHECKING:
    from .compute import InvestmentResult

# --- Period wording ---------------------------------------------------------------------


def period_note(year: int, last_month: int) -> str:
    """Return the sentence stating which months are compared (累计同比 for a year in progress).

    *last_month* is the last month of *year* covered at the as-of date
    (``ReportPeriod.through_month``; 12 for a complete year).
    """
    if last_month == 12:
        return f"{year}年全年数据已齐：比较{year}年1—12月与{year - 1}年1—12月的到位资金合计。"
    return (
        f"{year}年尚在进行中，按统计惯例采用累计同比：比较{year}年{window_label(last_month)}"
        f"累计到位资金与{year - 1}年同期（{window_label(last_month)}）累计到位资金。"
        "未报送截至月份数据的片区（迟报）按其已报送月份同口径比较，并在表中标明。"
    )


# --- Section 1: funds in place against the target ---------------------------------------


def funds_verdicts(res: InvestmentResult, data_dir: str = "data") -> dict[str, vd.Verdict]:
    """Return zone id → the verdict on the funds target (:func:`evalkit.present.verdict.funds_verdicts`).

    Final (达标 / 未达标) only for a complete year a zone reported in full; otherwise
    from the chosen model's probability of reaching the full-year target, with the
    thresholds of ``targets.yaml`` under *data_dir* — the same verdict as the home page.
    """
    return vd.funds_verdicts(
        res.attainment,
        ReportPeriod.of(res.year, res.as_of),
        partial=res.partial_year,
        rules=vd.load_rules(data_dir),
        probabilities=vd.reach_probabilities(res.projections, res.chosen_model),
    )


def attainment_table(
    att: pd.DataFrame,
    last_month: int,
    partial_year: bool,
    min_base: float | None = MIN_BASE_WAN_YUAN,
    *,
    verdicts: dict[str, vd.Verdict] | None = None,
) -> pd.DataFrame:
    """Return the page / CSV frame of an attainment frame with Chinese headers and explicit wording.

    *last_month* is the as-of month of the report year (a zone reported through an
    earlier month is late); *partial_year* marks the plan's first year (not judged);
    *min_base* (万元) is the small-base threshold of the growth column; *verdicts*
    (:func:`funds_verdicts`) word the ``是否达标`` column — without them the column
    reads ``met`` as final, which is right only for a complete year.
    """
    rows = []
    for r in att.itertuples(index=False):
        late = r.through_month < last_month
        status = "按时报送"
        if r.through_month == 0:
            status = f"{r.year}年尚无报送数据"
        elif late:
            status = f"迟报：截至 {last_month} 月仅报送至 {r.through_month} 月，按 {window_label(r.through_month)} 同口径比较"
        judged = "首年基期，不评判" if partial_year else format_met(r.met)
        if verdicts is not None and not partial_year:
            judged = verdicts[r.zone_id].text(probability=True)
        rows.append(
            {
                "片区": zone_name(r.zone_id),
                "统计期": window_label(r.through_month),
                "到位资金（万元）": round_or_nan(r.funds_wan_yuan),
                "上年同期（万元）": round_or_nan(r.base_wan_yuan),
                "同比增长": format_growth(
                    r.yoy_growth, r.growth_defined, r.base_wan_yuan, min_base
                ),
                "目标增速": f"≥{r.target_growth * 100:.0f}%",
                "是否达标": judged,
                "报送情况": status,
            }
        )
    return pd.DataFrame(rows)


def attainment_notes(res: InvestmentResult) -> list[str]:
    """Return the Markdown notes under the attainment table: plan's first year, late zones."""
    notes = []
    if res.partial_year:
        issued = date.fromisoformat(res.plan_issued)
        notes.append(
            f"{res.year}年为行动计划实施首年（{issued.year}年{issued.month}月印发），"
            "按目标配置作为基期展示增速，不评判是否达标。"
        )
    if res.late:
        names = "、".join(zone_name(z) for z in res.late)
        notes.append(
            f"**迟报提示**：{names}尚未报送截至月份的到位资金数据，"
            "表中按其已报送月份与上年同期同口径比较，未报送月份不按零计算。"
        )
    return notes


def monthly_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """Return the monthly funds per zone (the data of :func:`monthly_chart`) with Chinese headers."""
    out = monthly.assign(
        片区=monthly["zone_id"].map(zone_name), 月份=monthly["month"].dt.strftime("%Y-%m")
    )[["片区", "月份", "funds_wan_yuan"]].rename(columns={"funds_wan_yuan": "当月到位资金（万元）"})
    out["当月到位资金（万元）"] = out["当月到位资金（万元）"].round(2)
    return out


# --- Sections 3–5: structure, concentration, landing speed ------------------------------


def breakdown_tables(res: InvestmentResult) -> list[tuple[str, str, pd.DataFrame]]:
    """Return ``(name, category header, table)`` for each breakdown (cluster, origin, size)."""
    frames = {"cluster": res.by_cluster, "origin": res.by_origin, "size": res.by_size}
    return [
        (f"investment_by_{by}", label, breakdown_table(frames[by], label, res.min_base_wan_yuan))
        for by, label in BREAKDOWNS.items()
    ]


def breakdown_table(
    bd: pd.DataFrame, label: str, min_base: float | None = MIN_BASE_WAN_YUAN
) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`breakdown` with Chinese headers (*label*: category header).

    Growth on a base below *min_base* 万元 reads "基数过小（上年同期 X 万元）".
    """
    return pd.DataFrame(
        {
            "片区": bd["zone_id"].map(zone_name),
            label: bd["category"],
            "到位资金（万元）": bd["funds_wan_yuan"].round(2),
            "上年同期（万元）": bd["base_wan_yuan"].round(2),
            "同比增长": growth_cells(
                bd["yoy_growth"], bd["growth_defined"], bd["base_wan_yuan"], min_base
            ),
            "占片区比重": [fmt_share(s) for s in bd["share"]],
        }
    )


def concentration_table(
    conc: pd.DataFrame, att: pd.DataFrame, min_base: float | None = MIN_BASE_WAN_YUAN
) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`concentration` with Chinese headers.

    Growth on a base below *min_base* 万元 reads "基数过小（上年同期 X 万元）".
    """
    growth = dict(
        zip(
            att["zone_id"],
            growth_cells(att["yoy_growth"], att["growth_defined"], att["base_wan_yuan"], min_base),
            strict=True,
        )
    )
    return pd.DataFrame(
        {
            "片区": conc["zone_id"].map(zone_name),
            "有到位资金的项目数": conc["n_projects"],
            "最大项目": [
                "—" if pid is None else f"{name or ''}（{pid}）".lstrip()
                for pid, name in zip(conc["top1_project_id"], conc["top1_name"], strict=True)
            ],
            "最大项目占比": [fmt_share(s) for s in conc["top1_share"]],
            "前三项目占比": [fmt_share(s) for s in conc["top3_share"]],
            "赫芬达尔指数（HHI）": conc["hhi"].round(0),
            "同比增长": conc["zone_id"].map(growth),
            "剔除最大项目后同比增长": growth_cells(
                conc["growth_ex_top1"],
                conc["growth_ex_top1_defined"],
                conc["base_ex_top1"],
                min_base,
            ),
        }
    )


def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`landing_funnel` with Chinese headers."""

    def days(x):
        return "—" if x is None or not math.isfinite(x) else f"{x:.0f}"

    return pd.DataFrame(
        {
            "片区": funnel["zone_id"].map(zone_name),
            "签约年份": funnel["signed_year"].astype(int),
            "签约项目（个）": funnel["signed"].astype(int),
            "已开工（个）": funnel["started"].astype(int),
            "已投产（个）": funnel["producing"].astype(int),
            "开工率": [
                fmt_share(s / n if n else float("nan"))
                for s, n in zip(funnel["started"], funnel["signed"], strict=True)
            ],
            "投产率": [
                fmt_share(p / n if n else float("nan"))
                for p, n in zip(funnel["producing"], funnel["signed"], strict=True)
            ],
            "签约至开工中位天数": funnel["median_days_to_start"].map(days),
            "开工至投产中位天数": funnel["median_days_to_production"].map(days),
        }
    )


def stalled_table(stalled: pd.DataFrame) -> pd.DataFrame:
    """Return the page / CSV frame of :func:`stalled_projects` with Chinese headers."""
    return pd.DataFrame(
        {
            "片区": stalled["zone_id"].map(zone_name),
            "项目编号": stalled["project_id"].astype(str),
            "项目名称": stalled["name"].astype(str),
            "所处阶段": stalled["stage"],
            "进入该阶段日期": pd.to_datetime(stalled["since"]).dt.strftime("%Y-%m-%d"),
            "停留天数": stalled["days"].astype(int),
        }
    )


def stalled_note(res: InvestmentResult) -> str:
    """Return the sentence stating the stall thresholds (from configuration) and the count."""
    cfg = res.landing
    return (
        f"推进滞缓项目：截至{res.as_of}，签约超过 {cfg.stall_days_signed} 天仍未开工，"
        f"或开工超过 {cfg.stall_days_construction} 天仍未投产"
        f"（阈值可在 data/config/investment.yaml 中配置）。共 {len(res.stalled)} 个。"
    )


# --- Section 6: conclusions and the summary part ----------------------------------------


def attainment_sentence(
    r,
    *,
    partial_year: bool = False,
    late: bool = False,
    min_base: float | None = None,
    verdict: vd.Verdict | None = None,
) -> str:
    """Return the sentence on one attainment row *r* (funds, growth, target, late submission).

    A growth on a base below *min_base* 万元 is not given as a percentage (small-base rule).
    A provisional *verdict* (year in progress) is stated instead of 达到 / 未达到.
    """
    name = zone_name(r.zone_id)
    if r.through_month == 0:
        return f"{name}{r.year}年尚未报送到位资金数据，无法评价。"
    period = "全年" if r.through_month == 12 else f"{window_label(r.through_month)}累计"
    s = f"{name}{r.year}年{period}到位资金{r.funds_wan_yuan:,.0f}万元"
    if r.growth_defined:
        if is_small_base(r.base_wan_yuan, min_base):
            s += f"，上年同期仅{r.base_wan_yuan:,.1f}万元，基数过小，不以百分比表示增速"
        else:
            verb = "增长" if r.yoy_growth >= 0 else "下降"
            s += f"，同比{verb}{pct(abs(r.yoy_growth))}"
        if partial_year:
            s += f"（{r.year}年为行动计划实施首年，作为基期展示，不评判是否达标）"
        elif verdict is not None and verdict.provisional:
            s += (
                f"；累计增速只是年内进度，按全年预测判定为“{verdict.word}”"
                f"（{verdict.as_of_words}，全年目标不低于{pct(r.target_growth)}）"
            )
        elif r.met:
            s += f"，达到不低于{pct(r.target_growth)}的目标"
        else:
            s += f"，未达到不低于{pct(r.target_growth)}的目标"
    elif math.isnan(r.base_wan_yuan):
        s += "，上年同期无数据，同比增速无法计算"
    else:
        s += "，上年同期到位资金为零，同比增速无法计算"
    if late:
        s += f"（迟报：仅报送至{r.through_month}月，按同口径比较）"
    return s + "。"


def concentration_sentence(r, c0, min_base: float | None = None) -> str:
    """Return the concentration sentence for attainment row *r* and its concentration row *c0*.

    Growth without the largest project is not given when its base is below *min_base* 万元.
    """
    s = (
        f"{zone_name(r.zone_id)}最大单个项目占到位资金的{pct(c0['top1_share'])}，"
        f"前三个项目占{pct(c0['top3_share'])}"
    )
    if c0["growth_ex_top1_defined"] and is_small_base(c0["base_ex_top1"], min_base):
        s += f"；剔除最大项目后上年同期仅{c0['base_ex_top1']:,.1f}万元，基数过小，不计算增速"
    elif c0["growth_ex_top1_defined"] and r.growth_defined:
        s += f"；剔除最大项目后同比增速为{c0['growth_ex_top1'] * 100:+.1f}%"
        inc = c0["top1_increase_share"]
        if math.isfinite(inc) and inc >= 1.0:
            s += "，同比增量全部来自该项目（其余项目合计持平或下降），增长依赖单个大项目"
        elif math.isfinite(inc) and inc > 0.5:
            s += f"，该项目贡献了同比增量的{pct(inc)}，增长主要依赖单个大项目"
        if r.yoy_growth >= r.target_growth > c0["growth_ex_top1"]:
            s += "；若无该项目，将达不到增长目标"
    return s + "。"


def narrative(
    att: pd.DataFrame,
    *,
    partial_year: bool = False,
    late: list[str] | None = None,
    projections: dict[str, dict] | None = None,
    conc: pd.DataFrame | None = None,
    stalled_counts: dict[str, int] | None = None,
    landing: LandingConfig | None = None,
    min_base: float | None = None,
    verdicts: dict[str, vd.Verdict] | None = None,
) -> list[str]:
    """Return Chinese sentences describing the computed numbers, one or more per zone.

    Per zone: :func:`attainment_sentence`, then (if given) :func:`projection_sentence`,
    :func:`concentration_sentence` and the count of stalled projects; growth on a
    base below *min_base* 万元 is worded by the small-base rule (:func:`conclusions`
    passes the configured threshold; None applies no rule).
    *projections* maps zone id → a projection dict (``point``, ``lo80``, ``hi80``,
    ``p_target``, ``model_label``); every projected figure is called 预测.
    Zone names come from the schema, numbers from the inputs: no hand-typed figures.
    """
    late = late or []
    cfg = landing or LandingConfig()
    out = []
    for r in att.itertuples(index=False):
        out.append(
            attainment_sentence(
                r,
                partial_year=partial_year,
                late=r.zone_id in late,
                min_base=min_base,
                verdict=(verdicts or {}).get(r.zone_id),
            )
        )
        if r.through_month == 0:
            continue
        if projections and projections.get(r.zone_id) is not None:
            out.append(projection_sentence(r, projections[r.zone_id]))
        if conc is not None:
            c = conc[conc["zone_id"] == r.zone_id]
            if len(c) and c["n_projects"].iloc[0] > 0:
                out.append(concentration_sentence(r, c.iloc[0], min_base))
        k = int((stalled_counts or {}).get(r.zone_id, 0))
        if k:
            out.append(
                f"{zone_name(r.zone_id)}有{k}个项目推进滞缓（签约超过{cfg.stall_days_signed}天未开工"
                f"或开工超过{cfg.stall_days_construction}天未投产），名单见第五部分。"
            )
    return out


def conclusions(res: InvestmentResult, verdicts: dict[str, vd.Verdict] | None = None) -> list[str]:
    """Return the page's conclusions: :func:`narrative`, the backtest and comparison-model sentences.

    *verdicts* (:func:`funds_verdicts`) word the attainment sentences of a year in progress.
    """
    sentences = narrative(
        res.attainment,
        partial_year=res.partial_year,
        late=res.late,
        projections=headline(res),
        conc=res.concentration,
        stalled_counts=res.stalled["zone_id"].value_counts().to_dict(),
        landing=res.landing,
        min_base=res.min_base_wan_yuan,
        verdicts=verdicts,
    )
    if res.backtest_years:
        sentences += coverage_notes(res)
    return sentences


def coverage_notes(res: InvestmentResult) -> list[str]:
    """Return the backtest sentence (:func:`backtest_sentence`) and, if any, :func:`comparison_sentence`."""
    out = [
        backtest_sentence(
            res.backtest_by_origin,
            res.backtest_summary,
            res.chosen_model,
            res.backtest_years,
            res.calibration_min_errors,
        )
    ]
    comp = comparison_sentence(res)
    return out + ([comp] if comp else [])


def attainment_summary(att: pd.DataFrame) -> dict:
    """Return the ``investment`` summary part: per zone funds, growth (None if undefined), months.

    No verdict: ``targets`` / ``targets_met`` are written by the index page from
    :mod:`evalkit.present.verdict` (a year-to-date growth is never a final verdict).
    """
    zones = {}
    for r in att.itertuples(index=False):
        zones[r.zone_id] = {
            "funds_in_place_wan_yuan": None
            if math.isnan(r.funds_wan_yuan)
            else round(float(r.funds_wan_yuan), 2),
            "funds_yoy_growth": round(float(r.yoy_growth), 6) if r.growth_defined else None,
            "funds_through_month": int(r.through_month),
        }
    return {"zones": zones}


def summary_part(res: InvestmentResult) -> dict:
    """Return the ``investment`` summary part of the page (``summary.parts/investment.json``).

    That is :func:`attainment_summary` plus, per projected zone, the chosen model's
    ``funds_projection`` (whole 万元, ``is_projection`` True): the 80 % interval and
    ``p_reach_target`` are calibrated from backtest errors when
    ``interval_calibrated`` is True (``calibration_zone_years`` errors), else the
    model's own.
    """
    part = attainment_summary(res.attainment)
    for zone_id, h in headline(res).items():
        part["zones"][zone_id]["funds_projection"] = {
            "model": res.chosen_model,
            "projected_total_wan_yuan": round(h["point"]),
            "lo80": round(h["lo80"]),
            "hi80": round(h["hi80"]),
            "p_reach_target": round(h["p_target"], 4),
            "interval_calibrated": h["calibrated"],
            "calibration_zone_years": h["cal_n"],
            "is_projection": True,
        }
    return part


# --- Charts (house style of :mod:`evalkit.figures`; the notebook shows them) ------------


def funds_chart(res: InvestmentResult):
    """Return a bar chart of each zone's funds in place this year beside the same months last year.

    Bars in zone order; tick labels carry each zone's compared window (``1—10月``);
    a missing amount is drawn as zero height (the table says why). Returns the figure.
    """
    att = res.attainment
    fig, ax = figures.new_figure(
        f"{res.year}年各片区到位资金与上年同期", "万元", synthetic=res.synthetic
    )
    x = np.arange(len(att))
    ax.bar(x - 0.2, att["base_wan_yuan"].fillna(0), 0.4, label="上年同期", color=figures.PALETTE[2])
    ax.bar(
        x + 0.2,
        att["funds_wan_yuan"].fillna(0),
        0.4,
        label=f"{res.year}年",
        color=figures.PALETTE[0],
        hatch="//",
    )
    labels = [
        f"{zone_name(z)}\n（{window_label(t)}）"
        for z, t in zip(att["zone_id"], att["through_month"], strict=True)
    ]
    ax.set_xticks(x, labels)
    ax.legend()
    return fig


def monthly_chart(res: InvestmentResult):
    """Return a line chart of each zone's monthly funds in place (万元), one marker per zone."""
    monthly = res.monthly
    fig, ax = figures.new_figure("各片区月度到位资金", "万元", synthetic=res.synthetic)
    for i, zone_id in enumerate(ZONES):
        g = monthly[monthly["zone_id"] == zone_id]
        ax.plot(
            g["month"],
            g["funds_wan_yuan"],
            marker=figures.MARKERS[i % len(figures.MARKERS)],
            markersize=3,
            label=zone_name(zone_id),
        )
    ax.legend()
    return fig


def key_points(res: InvestmentResult, verdicts: dict[str, vd.Verdict] | None = None) -> list[str]:
    """Return the page's "要点": each zone's first conclusion (attainment), at most five."""
    sentences = conclusions(res, verdicts)
    points = [next((s for s in sentences if s.startswith(zone_name(z))), None) for z in ZONES]
    return [p for p in points if p][:5] or sentences[:5]
