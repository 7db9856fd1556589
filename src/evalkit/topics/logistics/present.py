"""Present a stored :class:`~evalkit.topics.logistics.compute.LogisticsResult`: tables, charts, text.

Functions named ``*_display`` / ``*_csv`` / ``*_table`` return Chinese-headed frames;
``*_figure`` return matplotlib figures; ``show_*`` put one section of the page on screen
(tables via ``evalkit.report.show_table``, downloads via ``save_table``, figures via
``evalkit.figures.show``). Nothing here recomputes the evaluation.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from ... import figures, report
from ...present.format import fmt_percent
from ...present.text import zh_sentences
from ...schema import ZONES, zone_name
from .anomaly import Decomposition, anomalies_in_window, components_frame, status_frame
from .compute import LogisticsResult
from .corridor import CORRIDOR_INDICATORS
from .indicators import month_start
from .narrative import (
    CHANGE_FLAGS,
    HEADLINES,
    anomaly_note,
    change_cell,
    corridor_narrative,
    fmt_number,
    period_note,
    trade_total_sentence,
    zone_narrative,
)
from .present_flagged import show_flagged, threshold_words  # noqa: F401 (page section)
from .settings import (
    AGGREGATION_LABELS,
    FOREIGN_TRADE,
    MISSING_TEXT,
    LogisticsConfig,
    all_indicators,
    indicator_label,
    indicator_unit,
)

# --- Tables ---------------------------------------------------------------------------


def latest_panel_display(panel: pd.DataFrame, zone_id: str, month) -> pd.DataFrame:
    """Return the as-of month's panel of one zone as a Chinese-headed table of display strings."""
    m = month_start(month)
    rows = panel[(panel["zone_id"] == zone_id) & (panel["month"] == m)]
    out = []
    for r in rows.itertuples(index=False):
        unit = indicator_unit(r.indicator)
        ytd_text = fmt_number(r.ytd, unit)
        if np.isnan(r.ytd) and r.ytd_months > 0:
            ytd_text = f"不完整（报送 {r.ytd_months}/{m.month} 个月）"
        att = "未设定目标"
        if not np.isnan(r.target):
            att = fmt_percent(r.attainment)
        out.append(
            {
                "指标": indicator_label(r.indicator),
                "单位": unit,
                "当月": fmt_number(r.value, unit),
                "同比": change_cell(r.yoy, r.yoy_flag, bool(r.points)),
                "1月至当月": ytd_text,
                "累计口径": AGGREGATION_LABELS[r.aggregation],
                "累计同比": change_cell(r.ytd_change, r.ytd_flag, bool(r.points)),
                "目标完成": att,
            }
        )
    return pd.DataFrame(out)


def panel_csv(panel: pd.DataFrame) -> pd.DataFrame:
    """Return the full monthly panel with Chinese headers, numbers kept numeric, flags in words."""
    status = np.where(panel["submitted"], "已报送", MISSING_TEXT)
    return pd.DataFrame(
        {
            "片区": panel["zone_id"].map(zone_name),
            "指标": panel["indicator"].map(indicator_label),
            "单位": panel["indicator"].map(indicator_unit),
            "月份": panel["month"].dt.strftime("%Y-%m"),
            "报送状态": status,
            "当月值": panel["value"],
            "上年同月值": panel["base"],
            "同比": panel["yoy"],
            "同比提示": panel["yoy_flag"].map(CHANGE_FLAGS),
            "1月至当月": panel["ytd"],
            "1月至当月报送月数": panel["ytd_months"],
            "上年1月至同月": panel["ytd_base"],
            "累计同比": panel["ytd_change"],
            "累计同比提示": panel["ytd_flag"].map(CHANGE_FLAGS),
            "年度目标": panel["target"],
            "目标完成率": panel["attainment"],
        }
    )


def missing_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (zone, indicator) with months not submitted in the report year."""
    rows = []
    base = panel[panel["indicator"] != FOREIGN_TRADE]
    for (z, ind), g in base.groupby(["zone_id", "indicator"], sort=False):
        miss = g.loc[~g["submitted"], "month"]
        if miss.empty:
            continue
        what = (
            "全年未报送"
            if len(miss) == len(g)
            else "、".join(f"{m.month} 月" for m in miss.sort_values())
        )
        rows.append(
            {
                "片区": zone_name(z),
                "指标": indicator_label(ind),
                "未报送月数": len(miss),
                "未报送月份": what,
            }
        )
    return pd.DataFrame(rows, columns=["片区", "指标", "未报送月数", "未报送月份"])


def decomposition_status(status: pd.DataFrame | list[Decomposition]) -> pd.DataFrame:
    """Return one row per series: zone, indicator, months of history, filled months, result.

    *status* is the result's ``decompositions`` frame (or a list of decompositions).
    """
    if isinstance(status, list):
        status = status_frame(status)
    return pd.DataFrame(
        {
            "片区": [zone_name(z) for z in status["zone_id"]],
            "指标": [indicator_label(i) for i in status["indicator"]],
            "历史月数": [int(v) for v in status["months"]],
            "插补月数": [int(v) for v in status["filled"]],
            "季节分解": list(status["reason"]),
        }
    )


def trend_table(components: pd.DataFrame | list[Decomposition]) -> pd.DataFrame:
    """Return the raw and STL-trend values behind the trend figures (long format).

    *components* is the result's ``components`` frame (or a list of decompositions).
    """
    if isinstance(components, list):
        components = components_frame(components)
    cols = ["片区", "指标", "单位", "月份", "报送值", "趋势", "季节项", "残差", "插补"]
    if components.empty:
        return pd.DataFrame(columns=cols)
    c = components
    return pd.DataFrame(
        {
            "片区": c["zone_id"].map(zone_name),
            "指标": c["indicator"].map(indicator_label),
            "单位": c["indicator"].map(indicator_unit),
            "月份": pd.DatetimeIndex(c["month"]).strftime("%Y-%m"),
            "报送值": c["observed"].to_numpy(),
            "趋势": c["trend"].to_numpy(),
            "季节项": c["seasonal"].to_numpy(),
            "残差": c["resid"].to_numpy(),
            "插补": np.where(c["interpolated"], "是", ""),
        },
        columns=cols,
    )


def anomalies_display(anomalies: pd.DataFrame) -> pd.DataFrame:
    """Return anomalies with Chinese headers (zone, indicator, month, value, trend, z)."""
    cols = ["片区", "指标", "月份", "报送值", "单位", "趋势值", "季节项", "残差", "稳健Z值"]
    if anomalies.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {
            "片区": anomalies["zone_id"].map(zone_name),
            "指标": anomalies["indicator"].map(indicator_label),
            "月份": pd.DatetimeIndex(anomalies["month"]).strftime("%Y-%m"),
            "报送值": anomalies["value"].astype(float).round(2),
            "单位": anomalies["indicator"].map(indicator_unit),
            "趋势值": anomalies["trend"].astype(float).round(2),
            "季节项": anomalies["seasonal"].astype(float).round(2),
            "残差": anomalies["resid"].astype(float).round(2),
            # ±inf (every other residual identical) shows as missing, never as "inf".
            "稳健Z值": anomalies["z"].astype(float).replace([np.inf, -np.inf], np.nan).round(2),
        }
    )


def corridor_csv(corridor: pd.DataFrame) -> pd.DataFrame:
    """Return the monthly corridor table with Chinese headers (the data behind the corridor figure)."""
    return pd.DataFrame(
        {
            "指标": corridor["indicator"].map(indicator_label),
            "单位": corridor["indicator"].map(indicator_unit),
            "月份": pd.DatetimeIndex(corridor["month"]).strftime("%Y-%m"),
            "片区": corridor["zone_id"].map(zone_name),
            "报送状态": np.where(corridor["submitted"], "已报送", MISSING_TEXT),
            "当月值": corridor["value"],
            "已报送片区合计": corridor["total_reported"],
            "报送片区数": corridor["zones_reported"],
            "占已报送合计份额": corridor["share"],
        }
    )


def corridor_shares_display(shares: pd.DataFrame) -> pd.DataFrame:
    """Return year-to-date corridor totals and shares per zone as Chinese-headed display strings."""
    rows = []
    for r in shares.itertuples(index=False):
        unit = indicator_unit(r.indicator)
        rows.append(
            {
                "指标": indicator_label(r.indicator),
                "片区": zone_name(r.zone_id),
                "1月至当月累计": fmt_number(r.ytd, unit)
                if not np.isnan(r.ytd)
                else "缺报月份，不计累计",
                "份额": fmt_percent(r.share),
            }
        )
    return pd.DataFrame(rows, columns=["指标", "片区", "1月至当月累计", "份额"])


def corridor_shares_csv(shares: pd.DataFrame) -> pd.DataFrame:
    """Return year-to-date corridor totals and shares with Chinese headers, numbers numeric."""
    return pd.DataFrame(
        {
            "指标": shares["indicator"].map(indicator_label),
            "单位": shares["indicator"].map(indicator_unit),
            "片区": shares["zone_id"].map(zone_name),
            "1月至当月累计": shares["ytd"],
            "份额": shares["share"],
        }
    )


def rules_table(config: LogisticsConfig) -> pd.DataFrame:
    """Return per indicator: unit, how months combine, how change is expressed, small-base threshold.

    Raises ConfigError for an indicator without a declared aggregation.
    """
    rows = []
    for ind in all_indicators():
        threshold = config.threshold(ind)
        points = config.points(ind)
        rows.append(
            {
                "指标": indicator_label(ind),
                "单位": indicator_unit(ind),
                "累计口径": AGGREGATION_LABELS[config.how(ind)]
                + ("（进口额 + 出口额，两者均报送的月份）" if ind == FOREIGN_TRADE else ""),
                "变化表示": "百分点差" if points else "增长率",
                "小基数阈值": "不适用"
                if points or threshold is None
                else f"{threshold:,g} {indicator_unit(ind)}",
                "较低为好": "是" if config.lower_better(ind) else "",
            }
        )
    return pd.DataFrame(rows)


def summary_part(
    panel: pd.DataFrame,
    anomalies: pd.DataFrame,
    month,
    all_anomalies: pd.DataFrame | None = None,
    checks: pd.DataFrame | None = None,
    trade=None,
) -> dict:
    """Return the ``logistics`` summary part: headline values per zone at the as-of month.

    *anomalies* are this report year's flagged months (counted per zone);
    *all_anomalies* (any year; or the result's ``flagged`` values) name the flagged
    months inside each headline's January-to-month comparison, so a consumer can tell a
    growth driven by them. With *checks* (``headline_checks``) each headline also gets
    ``*_ytd_growth_flagged_replaced`` (the sensitivity figure) and
    ``*_ytd_depends_on_flagged``; with *trade* (:class:`~.flagged.TradeTotal`) the part
    has a top-level ``trade`` entry (the zones' combined foreign trade).
    """
    m = month_start(month)
    zones = {}
    for z in ZONES:
        rows = panel[(panel["zone_id"] == z) & (panel["month"] == m)].set_index("indicator")
        entry = {}
        for ind, key in HEADLINES:
            if ind not in rows.index:
                continue
            r = rows.loc[ind]
            entry[f"{key}_ytd"] = r["ytd"]
            entry[f"{key}_ytd_growth"] = r["ytd_change"] if r["ytd_flag"] == "ok" else None
            entry[f"{key}_ytd_flag"] = r["ytd_flag"]
            hits = anomalies_in_window(all_anomalies, z, ind, m)
            entry[f"{key}_ytd_anomaly_months"] = [
                f"{pd.Timestamp(t):%Y-%m} {i}"
                for t, i in zip(hits["month"], hits["indicator"], strict=True)
            ]
            if checks is not None:
                c = checks[(checks["zone_id"] == z) & (checks["indicator"] == ind)].iloc[0]
                ok = c["ytd_flag_alt"] == "ok"
                entry[f"{key}_ytd_growth_flagged_replaced"] = c["ytd_change_alt"] if ok else None
                entry[f"{key}_ytd_depends_on_flagged"] = bool(c["depends"])
        base = panel[(panel["zone_id"] == z) & (panel["indicator"] != FOREIGN_TRADE)]
        entry["indicators_not_submitted"] = int(
            (base.groupby("indicator")["submitted"].sum() == 0).sum()
        )
        entry["anomalies"] = int((anomalies["zone_id"] == z).sum()) if not anomalies.empty else 0
        entry["as_of_month"] = m.strftime("%Y-%m")
        # Nested under "logistics" so the per-zone merge cannot collide with other parts.
        zones[z] = {"logistics": entry}
    out = {"zones": zones}
    if trade is not None:
        out["trade"] = trade_summary(trade)
    return out


def trade_summary(trade) -> dict:
    """Return the ``trade`` summary entry of a :class:`~.flagged.TradeTotal` (JSON types).

    ``growth`` is the official figure (None unless its flag is ``ok``);
    ``growth_flagged_replaced`` the sensitivity figure with flagged values replaced;
    ``depends_on_flagged`` True when their directions differ; ``flagged_months``
    ``zone_id YYYY-MM indicator``.
    """
    return {
        "as_of_month": trade.month,
        "zones_compared": list(trade.zones),
        "zones_excluded": [z for z, *_ in trade.excluded],
        "foreign_trade_ytd_total": trade.total,
        "foreign_trade_ytd_base": trade.base,
        "foreign_trade_ytd_growth": trade.growth if trade.flag == "ok" else None,
        "foreign_trade_ytd_flag": trade.flag,
        "foreign_trade_ytd_growth_flagged_replaced": (
            trade.growth_alt if trade.flag_alt == "ok" else None
        ),
        "flagged_months": list(trade.flagged_months),
        "depends_on_flagged": bool(trade.depends),
    }


def summary(res: LogisticsResult) -> dict:
    """Return the page's summary part (see :func:`summary_part`) from a stored result."""
    return summary_part(
        res.panel, res.anomalies, res.last_month, res.flagged, res.headline_checks, res.trade
    )


# --- Figures --------------------------------------------------------------------------


def _series_frames(res: LogisticsResult, zone_id: str) -> list[tuple[str, pd.DataFrame]]:
    """Return (indicator, components by month) of *zone_id*'s decomposed series, schema order."""
    st = res.decompositions
    inds = st.loc[(st["zone_id"] == zone_id) & st["ok"].astype(bool), "indicator"]
    comp = res.components
    out = []
    for ind in inds:
        f = comp[(comp["zone_id"] == zone_id) & (comp["indicator"] == ind)]
        out.append((ind, f.set_index(pd.DatetimeIndex(f["month"]))))
    return out


def trend_figure(res: LogisticsResult, zone_id: str, ncols: int = 2):
    """Return small multiples of submitted values, STL trend and anomalies of one zone, or None.

    One panel per decomposed series (solid: submitted, dashed: trend, red ×: anomaly);
    None when the zone has no decomposed series. The numbers are in ``trend_table``.
    """
    series = _series_frames(res, zone_id)
    if not series:
        return None
    last = res.last_month
    nrows = -(-len(series) // ncols)
    fig, axes = figures.new_figure(
        f"{zone_name(zone_id)}：报送值与趋势（截至{last.year}年{last.month}月）",
        synthetic=res.synthetic,
        nrows=nrows,
        ncols=ncols,
        # As wide as the page's text column, so its 9-point text shows at 11 px or more.
        figsize=(7.6, 2.3 * nrows + 0.8),
    )
    for ax, (ind, f) in zip(axes.flat, series, strict=False):
        ax.plot(f.index, f["observed"], color=figures.PALETTE[0], lw=1, label="报送值")
        ax.plot(f.index, f["trend"], color=figures.PALETTE[1], lw=1.5, ls="--", label="趋势")
        hit = f[f["anomaly"].astype(bool)]
        ax.plot(hit.index, hit["observed"], "x", color="#c00000", ms=8, mew=2, label="异常月份")
        ax.set_title(f"{indicator_label(ind)}（{indicator_unit(ind)}）", fontsize=10)
        ax.tick_params(labelsize=9)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for ax in list(axes.flat)[len(series) :]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel("")
    axes.flat[0].legend(fontsize=9)
    return fig


def corridor_figure(res: LogisticsResult):
    """Return the corridor figure: monthly trade with Russia and trains, stacked by zone.

    A zone that did not report a month adds nothing to that month's bar (the corridor
    table says 未报送). The numbers are in ``corridor_csv``.
    """
    months = res.month_index
    fig, axes = figures.new_figure(
        f"{res.year}年各片区对俄进出口额与班列开行（逐月）",
        synthetic=res.synthetic,
        nrows=1,
        ncols=len(CORRIDOR_INDICATORS),
        figsize=(12, 4.5),
    )
    x = np.arange(len(months))
    for ax, ind in zip(axes, CORRIDOR_INDICATORS, strict=True):
        g = res.corridor[res.corridor["indicator"] == ind]
        bottom = np.zeros(len(months))
        for i, zone in enumerate(ZONES):
            sel = g[g["zone_id"] == zone].set_index("month")["value"]
            v = sel.reindex(months).fillna(0).to_numpy()
            ax.bar(
                x,
                v,
                bottom=bottom,
                color=figures.PALETTE[i % len(figures.PALETTE)],
                hatch=figures.HATCHES[i % len(figures.HATCHES)],
                label=zone_name(zone),
            )
            bottom += v
        ax.set_xticks(x, [f"{m.month}月" for m in months], fontsize=8)
        ax.set_title(f"{indicator_label(ind)}（{indicator_unit(ind)}）", fontsize=10)
    axes[0].set_ylabel("")
    axes[0].legend(fontsize=8)
    return fig


# --- Page sections --------------------------------------------------------------------


def show_period(res: LogisticsResult) -> None:
    """Display the sentence on the period covered."""
    display(Markdown(period_note(res.year, res.as_of, partial=res.partial_year)))


def show_panel(res: LogisticsResult) -> None:
    """Display each zone's as-of-month panel and the panel downloads (latest month, monthly)."""
    last = res.last_month
    for zone in ZONES:
        report.show_table(
            latest_panel_display(res.panel, zone, last),
            caption=f"{zone_name(zone)} · {last.year}年{last.month}月",
        )
    latest = panel_csv(res.panel[res.panel["month"] == last])
    for frame, name, what in (
        (latest, "logistics_panel_latest", "截至月份指标面板"),
        (panel_csv(res.panel), "logistics_panel_monthly", "逐月指标面板"),
    ):
        display(report.save_table(frame, name, res.year, label=f"下载{what} {name}_{res.year}.csv"))


def show_missing(res: LogisticsResult) -> None:
    """Display the indicators and months not submitted (or that all were), with the download."""
    missing = missing_table(res.panel)
    if missing.empty:
        display(Markdown(f"{res.year} 年各片区各项指标均按月报送。"))
    else:
        report.show_table(missing, caption=f"{res.year}年未报送的指标与月份")
    display(report.save_table(missing, "logistics_missing", res.year))


def show_decomposition(res: LogisticsResult) -> None:
    """Display the series not (fully) decomposed and the status and trend downloads."""
    status = decomposition_status(res.decompositions)
    report.show_table(
        status[status["季节分解"] != "已分解"],
        caption="未分解或有说明的序列（其余序列均已完整分解）",
    )
    display(report.save_table(status, "logistics_decomposition_status", res.year))
    trend = trend_table(res.components)
    label = f"下载报送值与趋势 logistics_trend_{res.year}.csv"
    display(report.save_table(trend, "logistics_trend", res.year, label=label))


def show_trends(res: LogisticsResult) -> None:
    """Display each zone's trend figure, or a line saying it has no decomposable series."""
    for zone in ZONES:
        fig = trend_figure(res, zone)
        if fig is None:
            display(Markdown(f"{zone_name(zone)}：没有可分解的序列。"))
        else:
            figures.show(fig, f"logistics_trend_{zone}", res.year)


def show_anomalies(res: LogisticsResult) -> None:
    """Display the anomaly note, the report year's anomalous months and their download."""
    shown = anomalies_display(res.anomalies)
    n_screened = int(res.decompositions["screened"].astype(bool).sum())
    z = threshold_words(res.decompositions)
    rate = res.config.false_flag_rate
    display(Markdown(anomaly_note(len(shown), n_screened, res.year, res.last_month, z, rate=rate)))
    if not shown.empty:
        report.show_table(shown, caption=f"{res.year}年异常月份（阈值 {z}）")
    display(report.save_table(shown, "logistics_anomalies", res.year))


def show_corridor(res: LogisticsResult) -> None:
    """Display the corridor figure and its monthly table download."""
    figures.show(corridor_figure(res), "logistics_corridor", res.year)
    display(report.save_table(corridor_csv(res.corridor), "logistics_corridor_monthly", res.year))


def show_corridor_shares(res: LogisticsResult) -> None:
    """Display the year-to-date corridor shares table, its download and the corridor sentences."""
    caption = f"{res.year}年1—{res.last_month.month}月对俄贸易与班列：各片区累计与份额"
    report.show_table(corridor_shares_display(res.corridor_ytd), caption=caption)
    csv = corridor_shares_csv(res.corridor_ytd)
    display(report.save_table(csv, "logistics_corridor_shares", res.year))
    display(Markdown(corridor_narrative(res.corridor_ytd, res.year, res.last_month)))


def zone_notes(res: LogisticsResult) -> list[str]:
    """Return one paragraph per zone (configuration order) from the stored result."""
    st = res.decompositions
    counts = res.anomalies["zone_id"].value_counts() if not res.anomalies.empty else {}
    last = res.last_month
    notes = []
    for zone in ZONES:
        mine = st[st["zone_id"] == zone]
        notes.append(
            zone_narrative(
                zone,
                res.panel[(res.panel["zone_id"] == zone) & (res.panel["month"] == last)],
                n_anomalies=int(counts.get(zone, 0)),
                n_not_decomposed=int((~mine["ok"].astype(bool) & (mine["months"] > 0)).sum()),
                n_screened=int(mine["screened"].astype(bool).sum()),
                anomalies=res.flagged,
                checks=res.headline_checks,
            )
        )
    return notes


def show_zone_notes(res: LogisticsResult) -> None:
    """Display the per-zone paragraphs."""
    for text in zone_notes(res):
        display(Markdown(text))


def show_rules(res: LogisticsResult) -> None:
    """Display how each indicator's months combine and its small-base threshold, with the download."""
    rules = rules_table(res.config)
    report.show_table(rules, caption="各指标的累计口径与小基数阈值")
    display(report.save_table(rules, "logistics_rules", res.year))


def key_points(res: LogisticsResult) -> list[str]:
    """Return the page's "要点": combined trade, the corridor, each zone's first sentence (≤ 5)."""
    points = zh_sentences(trade_total_sentence(res.trade, res.flagged, res.year))[:1]
    points += zh_sentences(corridor_narrative(res.corridor_ytd, res.year, res.last_month))[:1]
    points += [zh_sentences(note)[0] for note in zone_notes(res) if zh_sentences(note)]
    return points[:5]
