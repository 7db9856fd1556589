"""Reform page: tables, narrative, the item search widget and charts from a :class:`ReformsResult`.

Everything here reads a result of :func:`evalkit.topics.reforms.compute.run` (as
stored by :func:`evalkit.results.load`) and the schema's labels; nothing is
recomputed from the ledger. Page tables carry Chinese headers; their CSV copies are
written by ``evalkit.report.save_table``. Charts return a matplotlib figure built
with :func:`evalkit.figures.new_figure` (show it with :func:`evalkit.figures.show`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ... import figures
from ...core.period import ReportPeriod, date_zh, to_timestamp
from ...present.format import fmt_compact
from ...schema import (
    ORIGINALITY,
    POLICY_DOMAINS,
    REFORM_KINDS,
    REFORM_SOURCES,
    REFORM_STATUSES,
    ZONES,
    zone_name,
)
from .compute import KINDS, ReformsResult

# --- Counting rule, summary part and breakdowns ------------------------------------------


def counting_rule(plan) -> str:
    """Return the counting rule in Chinese, with the plan dates taken from *plan*.

    *plan* is a :class:`evalkit.config.Targets` or a :class:`ReformsResult` (anything
    with ``first_year`` and ``plan_issued``, a date or ``YYYY-MM-DD``).
    """
    first, issued = plan.first_year, plan.plan_issued
    return (
        "计数规则：事项计入其“落地见效日期”所在年度（状态为已落地见效，且落地见效日期不晚于数据截至日），"
        "与启动年度无关；截至日已启动但尚未落地见效的事项列为“推进中”，单独展示，不计入；"
        "同一片区重复复制同一来源经验（名称或编号相同）的，只计最先落地见效的一条，其余列为重复事项，跨年度亦然；"
        "截至日之后才启动的事项不计。"
        f"{first} 年为行动计划实施首年（计划于 {date_zh(issued)}印发），按全年统计，"
        "作为基线展示，不按全年目标考核。"
    )


def summary_part(att: pd.DataFrame) -> dict:
    """Return the ``"reforms"`` summary part built from an :func:`attainment` frame.

    The counts only: the verdicts (``targets``, ``targets_met``) are written by the
    index page from :mod:`evalkit.present.verdict` (final only for a complete year).
    """
    zones = {}
    for rec in att.to_dict("records"):
        zones[rec["zone_id"]] = {
            "reforms_replicated": int(rec["replicated"]),
            "reforms_original": int(rec["original"]),
        }
    return {"zones": zones}


CATEGORY_LABELS = {
    "source": dict(REFORM_SOURCES),
    "domain": dict(POLICY_DOMAINS),
    "originality": {**ORIGINALITY, "unrated": "未评级"},
}


def breakdown_table(long: pd.DataFrame, by: str) -> pd.DataFrame:
    """Pivot a :func:`breakdown` frame for the page: one row per zone, Chinese headers."""
    labels = CATEGORY_LABELS[by]
    cats = list(dict.fromkeys(long["category"]))
    wide = long.pivot(index="zone_id", columns="category", values="count").reindex(
        index=list(ZONES), columns=cats
    )
    wide.columns = [f"{labels.get(c, c)}（条）" for c in cats]
    wide["合计（条）"] = wide.sum(axis=1)
    wide.insert(0, "片区", [zone_name(z) for z in wide.index])
    return wide.reset_index(drop=True)


def breakdown_tables(res: ReformsResult) -> dict[str, pd.DataFrame]:
    """Return ``{"source", "domain", "originality"}`` → :func:`breakdown_table` of *res*, in page order."""
    return {
        "source": breakdown_table(res.by_source, "source"),
        "domain": breakdown_table(res.by_domain, "domain"),
        "originality": breakdown_table(res.by_originality, "originality"),
    }


# --- Page tables --------------------------------------------------------------------


def met_label(met, *, in_progress: bool = False) -> str:
    """Return the Chinese verdict for a ``met_*`` value (None → baseline, not scored)."""
    if met is None or (isinstance(met, float) and np.isnan(met)):
        return "基线年，不考核"
    if in_progress:
        return "已达标" if met else "尚未达标（年度进行中）"
    return "达标" if met else "未达标"


def attainment_table(att: pd.DataFrame, *, in_progress: bool = False) -> pd.DataFrame:
    """Return the attainment frame with Chinese headers and verdict words for the page/CSV."""
    out = pd.DataFrame(
        {
            "片区": [zone_name(z) for z in att["zone_id"]],
            "年度": att["year"].to_numpy(),
            "复制推广（条）": att["replicated"].to_numpy(),
            "复制推广目标（条）": att["target_replicated"].to_numpy(),
            "复制推广是否达标": [
                met_label(m, in_progress=in_progress) for m in att["met_replicated"]
            ],
            "复制推广差额（条）": att["gap_replicated"].to_numpy(),
            "自主创新（条）": att["original"].to_numpy(),
            "自主创新目标（条）": att["target_original"].to_numpy(),
            "自主创新是否达标": [
                met_label(m, in_progress=in_progress) for m in att["met_original"]
            ],
            "自主创新差额（条）": att["gap_original"].to_numpy(),
            "推进中（条，未计入）": att["in_progress"].to_numpy(),
        }
    )
    if bool(att["partial_year"].any()):
        # A baseline year is not scored: a "gap" would read as a shortfall.
        out = out.drop(columns=["复制推广差额（条）", "自主创新差额（条）"])
    return out


def _same_day_years(p: pd.DataFrame) -> list[int]:
    """Return the earlier years compared in a :func:`pace` frame (its ``same_day_<y>`` columns)."""
    return sorted(int(c.removeprefix("same_day_")) for c in p.columns if c.startswith("same_day_"))


def pace_table(p: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`pace` frame with Chinese headers for the page and CSV."""
    out = pd.DataFrame(
        {
            "片区": [zone_name(z) for z in p["zone_id"]],
            "类型": [REFORM_KINDS[k] for k in p["kind"]],
            "本年截至目前（条）": p["to_date"].to_numpy(),
            "全年目标（条）": p["target"].to_numpy(),
            "尚需（条）": p["needed"].to_numpy(),
            "剩余月数（月）": p["remaining_months"].to_numpy(),
            "剩余每月需（条/月）": p["needed_per_month"].round(2).to_numpy(),
        }
    )
    for y in _same_day_years(p):
        out[f"{y}年同期（条）"] = p[f"same_day_{y}"].to_numpy()
        out[f"{y}年全年（条）"] = p[f"full_year_{y}"].to_numpy()
    return out


def lag_table(dist: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`lag_distribution` frame with Chinese headers (days, one decimal)."""
    out = pd.DataFrame({"片区": [zone_name(z) for z in dist["zone_id"]], "事项数（条）": dist["n"]})
    for col, label in (
        ("min", "最短（天）"),
        ("q1", "下四分位（天）"),
        ("median", "中位数（天）"),
        ("q3", "上四分位（天）"),
        ("max", "最长（天）"),
        ("mean", "平均（天）"),
    ):
        out[label] = dist[col].astype(float).round(1).to_numpy()
    return out


def lag_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`lag_trend` frame as one row per zone: median days and count per year."""
    years = sorted(trend["year"].unique())
    out = pd.DataFrame({"片区": [zone_name(z) for z in ZONES]})
    t = trend.set_index(["zone_id", "year"])
    for y in years:
        out[f"{y}年中位数（天）"] = [round(float(t.loc[(z, y), "median"]), 1) for z in ZONES]
        out[f"{y}年事项数（条）"] = [int(t.loc[(z, y), "n"]) for z in ZONES]
    return out


def cumulative_table(cum: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Return a :func:`cumulative` frame with Chinese headers, one row per zone."""
    out = pd.DataFrame({"片区": [zone_name(z) for z in cum["zone_id"]]})
    for kind in KINDS:
        word = REFORM_KINDS[kind]
        for y in range(first_year, last_year + 1):
            if f"{kind}_{y}" in cum.columns:
                out[f"{word}{y}年（条）"] = cum[f"{kind}_{y}"].to_numpy()
        out[f"{word}累计（条）"] = cum[f"cum_{kind}"].to_numpy()
        out[f"{word}三年目标（条）"] = cum[f"target_{kind}"].to_numpy()
        out[f"{word}距三年目标（条）"] = cum[f"gap_{kind}"].to_numpy()
        out[f"{word}是否完成三年目标"] = ["已完成" if m else "未完成" for m in cum[f"met_{kind}"]]
    return out


ITEM_COLUMNS = {
    "item_id": "事项编号",
    "zone": "片区",
    "kind": "类型",
    "title": "事项名称",
    "source": "经验来源",
    "source_experience": "来源经验名称或编号",
    "domain": "政策领域",
    "originality": "原创性评级",
    "source_published": "来源经验发布日期",
    "adopted": "复制（创新）启动日期",
    "effective": "落地见效日期",
    "status": "状态",
    "evidence": "佐证材料（文号或链接）",
    "duplicate_of": "与之重复的计入事项",
}


def item_table(rows: pd.DataFrame, as_of: str | date | None = None) -> pd.DataFrame:
    """Return ledger rows (from :func:`items_in`) with Chinese headers and labels.

    Dates are ``YYYY-MM-DD`` text, missing values "—"; submitted text is kept as
    is (``show_table`` escapes it, ``save_table`` makes it formula-safe). With
    *as_of*, an item that took effect only after that date is shown with the
    status it had then (in progress), its later effective date kept.
    """
    labels = {
        "kind": REFORM_KINDS,
        "source": REFORM_SOURCES,
        "domain": POLICY_DOMAINS,
        "originality": ORIGINALITY,
        "status": REFORM_STATUSES,
    }
    out = {}
    for col, header in ITEM_COLUMNS.items():
        if col == "zone":
            out[header] = [zone_name(z) for z in rows["zone_id"]]
            continue
        if col not in rows.columns:
            values = pd.Series(pd.NA, index=rows.index, dtype=object)
        else:
            values = rows[col].astype(object)
        if col in labels:
            values = values.map(lambda v, m=labels[col]: m.get(v, v) if isinstance(v, str) else v)
        if col in ("source_published", "adopted", "effective"):
            values = values.map(
                lambda v: (
                    v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) and not pd.isna(v) else v
                )
            )
        out[header] = [
            (
                "—"
                if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
                else v
            )
            for v in values
        ]
    table = pd.DataFrame(out, columns=list(ITEM_COLUMNS.values()))
    if as_of is not None and len(rows):
        later = (rows["effective"] > to_timestamp(as_of)).fillna(False).to_numpy(dtype=bool)
        table.loc[later, ITEM_COLUMNS["status"]] = "截至日推进中（其后落地见效）"
    return table


_SEARCH_JS = (
    "var q=this.value.trim().toLowerCase();"
    "this.closest('.evalkit-searchable').querySelectorAll('tbody tr').forEach(function(r){"
    "r.classList.toggle('evalkit-filtered-out',r.textContent.toLowerCase().indexOf(q)<0);});"
)


class SearchableTable:
    """Display table with a filter box: Markdown for pages, fixed-width text for nbval.

    The table is :func:`evalkit.report.table_output` (a numbered pipe table, every cell
    escaped) inside a ``.evalkit-searchable`` div; the box is evalkit's own HTML in a
    ``{=html}`` raw block (no submitted text in it). Typing in the box hides the rows
    that do not contain the text (any column: class ``evalkit-filtered-out``); the
    site's script (``site-scripts.html``) shows a long list 20 rows a page.
    """

    def __init__(self, df: pd.DataFrame, caption: str | None = None, label: str | None = None):
        from ...report import table_output

        self.df, self.caption = df, caption
        self._table = table_output(df, caption=caption, label=label)

    def _repr_markdown_(self) -> str:
        from ...present.markdown import raw_html_block

        box = raw_html_block(
            '<p><label>检索 / search：<input type="search" class="evalkit-search" '
            f'placeholder="输入编号、名称、文号等" oninput="{_SEARCH_JS}"></label></p>'
        )
        # Four colons: any ::: div inside the table Markdown cannot close this one.
        return f":::: {{.evalkit-searchable}}\n{box}\n{self._table.text}\n::::\n"

    def __repr__(self) -> str:
        return self._table.plain


# --- Narrative ---------------------------------------------------------------------


def _attainment_sentences(att: pd.DataFrame, as_of, running: bool) -> list[str]:
    """Sentences on the yearly targets: the baseline year, or the verdict per zone."""
    year = int(att["year"].iloc[0])
    if bool(att["partial_year"].iloc[0]):
        parts = [
            f"{zone_name(r.zone_id)}复制推广 {fmt_compact(r.replicated)} 条、自主创新 {fmt_compact(r.original)} 条"
            for r in att.itertuples()
        ]
        return [
            f"{year} 年是行动计划实施首年（计划于年内印发，非完整年度），作为基线展示、不按全年目标考核："
            + "；".join(parts)
            + "。"
        ]
    both = [r for r in att.itertuples() if r.met_replicated and r.met_original]
    lead = f"截至 {date_zh(as_of)}，{year} 年" if running else f"{year} 年"
    verb = "已同时达到" if running else "同时完成"
    out = [f"{lead}，{len(att)} 个片区中有 {len(both)} 个{verb}复制推广和自主创新两项年度目标。"]
    for r in att.itertuples():
        clauses = []
        for kind, word in (("replicated", "复制推广"), ("original", "自主创新")):
            n, t = getattr(r, kind), getattr(r, f"target_{kind}")
            gap, met = getattr(r, f"gap_{kind}"), getattr(r, f"met_{kind}")
            if met:
                verdict = "已达标" if running else "达标"
            else:
                verdict = (
                    f"尚差 {fmt_compact(gap)} 条"
                    if running
                    else f"未达标，差 {fmt_compact(gap)} 条"
                )
            clauses.append(f"{word} {fmt_compact(n)} 条（目标 {fmt_compact(t)} 条，{verdict}）")
        out.append(f"{zone_name(r.zone_id)}：" + "，".join(clauses) + "。")
    return out


def _pace_sentences(pace_df: pd.DataFrame) -> list[str]:
    """Sentences on the replicated items still needed this year, per zone, with last year's same day."""
    prev = _same_day_years(pace_df)
    out = []
    for r in pace_df[pace_df["kind"].eq("replicated")].itertuples():
        s = f"{zone_name(r.zone_id)}本年已落地复制推广 {fmt_compact(r.to_date)} 条"
        if r.needed > 0 and r.remaining_months > 0:
            s += (
                f"，完成全年目标还需 {fmt_compact(r.needed)} 条，"
                f"余下约 {fmt_compact(round(r.remaining_months, 1))} 个月平均每月需 {fmt_compact(round(r.needed_per_month, 1))} 条"
            )
        elif r.needed > 0:
            s += f"，距全年目标尚差 {fmt_compact(r.needed)} 条"
        else:
            s += "，已达到全年目标"
        if prev:
            last = prev[-1]
            s += f"；{last} 年同期为 {fmt_compact(getattr(r, f'same_day_{last}'))} 条"
        out.append(s + "。")
    return out


def _not_counted_sentences(att: pd.DataFrame, duplicates: dict[str, int] | None) -> list[str]:
    """Sentences on items in progress (not counted) and on duplicates counted once."""
    out = []
    pipeline = int(att["in_progress"].sum())
    if pipeline:
        per = "、".join(
            f"{zone_name(r.zone_id)} {fmt_compact(r.in_progress)} 条"
            for r in att.itertuples()
            if r.in_progress
        )
        out.append(
            f"另有 {fmt_compact(pipeline)} 条事项截至数据截至日仍在推进中，未计入（{per}）。"
        )
    if duplicates and sum(duplicates.values()):
        per = "、".join(f"{zone_name(z)} {fmt_compact(n)} 条" for z, n in duplicates.items() if n)
        out.append(
            f"本年度有 {fmt_compact(sum(duplicates.values()))} 条复制推广事项重复复制了本片区已计入的同一经验，只计一次（{per}）。"
        )
    return out


def _lag_sentence(lag: pd.DataFrame) -> str:
    """Return the sentence on the median adoption lag per zone (zones without items left out)."""
    parts = [
        f"{zone_name(r.zone_id)} {fmt_compact(r.median)} 天（{fmt_compact(r.n)} 条）"
        for r in lag.itertuples()
        if r.n
    ]
    return (
        "本年启动的复制推广事项，从来源经验发布到复制启动的天数中位数：" + "，".join(parts) + "。"
    )


def _cumulative_sentence(cum: pd.DataFrame, year: int, as_of, plan_years: tuple[int, int]) -> str:
    """Return the sentence on plan-period cumulative counts against the plan-period targets."""
    first, last = plan_years
    span = f"{first} 年" if min(year, last) == first else f"{first}—{min(year, last)} 年"
    head = (
        f"行动计划期（{first}—{last} 年）累计（截至 {date_zh(as_of)}）："
        if year >= last
        else f"{span}累计（三年目标期 {first}—{last} 年）："
    )
    parts = []
    for r in cum.itertuples():
        parts.append(
            f"{zone_name(r.zone_id)}复制推广 {fmt_compact(r.cum_replicated)} 条（三年目标 {fmt_compact(r.target_replicated)} 条"
            + ("，已完成" if r.met_replicated else f"，差 {fmt_compact(r.gap_replicated)} 条")
            + f"）、自主创新 {fmt_compact(r.cum_original)} 条（三年目标 {fmt_compact(r.target_original)} 条"
            + ("，已完成" if r.met_original else f"，差 {fmt_compact(r.gap_original)} 条")
            + "）"
        )
    return head + "；".join(parts) + "。"


def narrative(
    att: pd.DataFrame,
    as_of: str | date,
    *,
    pace_df: pd.DataFrame | None = None,
    duplicates: dict[str, int] | None = None,
    cum: pd.DataFrame | None = None,
    lag: pd.DataFrame | None = None,
    plan_years: tuple[int, int] | None = None,
) -> list[str]:
    """Return Chinese sentences describing the computed numbers (no hand-typed figures).

    *att* is an :func:`attainment` frame; the optional frames add the year-in-progress
    pace (:func:`pace`), duplicates per zone (:func:`duplicate_counts`), the
    plan-period view (:func:`cumulative`, with *plan_years* = (first, last)) and
    the lag distribution (:func:`lag_distribution`). Only zone names from the
    schema and numbers are interpolated, so the text needs no escaping.
    """
    year = int(att["year"].iloc[0])
    running = ReportPeriod.of(year, as_of).in_progress
    out = _attainment_sentences(att, as_of, running)
    if running and pace_df is not None and len(pace_df):
        out += _pace_sentences(pace_df)
    out += _not_counted_sentences(att, duplicates)
    if lag is not None and len(lag) and int(lag["n"].sum()):
        out.append(_lag_sentence(lag))
    if cum is not None and plan_years is not None:
        out.append(_cumulative_sentence(cum, year, as_of, plan_years))
    return out


def page_narrative(res: ReformsResult) -> list[str]:
    """Return the page's Chinese sentences for *res* (:func:`narrative` with every section)."""
    return narrative(
        res.attainment,
        res.as_of,
        pace_df=res.pace,
        duplicates={str(z): int(n) for z, n in res.duplicates.items()},
        cum=res.cumulative,
        lag=res.lag_distribution,
        plan_years=(res.first_year, res.last_year),
    )


# --- Charts ------------------------------------------------------------------------------


def _style(i: int) -> dict:
    """Return colour and hatch of series *i* (cycling through the house palette)."""
    return {
        "color": figures.PALETTE[i % len(figures.PALETTE)],
        "hatch": figures.HATCHES[i % len(figures.HATCHES)],
    }


def _target_marks(ax, x, values, label: str) -> None:
    """Draw black horizontal target marks at *values* over bar positions *x*."""
    ax.scatter(x, values, marker="_", s=900, color="black", zorder=3, label=label)


def attainment_chart(res: ReformsResult):
    """Return the figure of counted items (bars) against the yearly target (marks), one panel per kind.

    Units: items. The title says "baseline, not scored" for the plan's partial first year.
    """
    att = res.attainment
    baseline = "（基线年，不考核）" if res.partial_year else ""
    fig, axes = figures.new_figure(
        f"{res.year} 年各片区复制推广与自主创新事项与年度目标{baseline}",
        "条",
        synthetic=res.synthetic,
        ncols=2,
        figsize=(9, 4.5),
    )
    x = np.arange(len(att))
    for i, (ax, kind) in enumerate(zip(axes, KINDS, strict=True)):
        ax.bar(x, att[kind], label="计入条数", **_style(i))
        _target_marks(ax, x, att[f"target_{kind}"], "年度目标")
        ax.set_xticks(x, [zone_name(z) for z in att["zone_id"]])
        ax.set_title(REFORM_KINDS[kind])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return fig


def source_chart(res: ReformsResult):
    """Return the horizontal stacked bars of counted replicated items per zone and source (items)."""
    table = breakdown_table(res.by_source, "source")
    fig, ax = figures.new_figure(
        f"{res.year} 年计入的复制推广事项：按经验来源", "条", synthetic=res.synthetic
    )
    cats = [c for c in table.columns if c not in ("片区", "合计（条）")]
    left = np.zeros(len(table))
    for i, c in enumerate(cats):
        vals = table[c].to_numpy(dtype=float)
        ax.barh(table["片区"], vals, left=left, label=c.removesuffix("（条）"), **_style(i))
        left += vals
    ax.set_ylabel("")
    ax.set_xlabel("单位：条")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    return fig


def lag_trend_chart(res: ReformsResult):
    """Return the lines of the median adoption lag (days) per zone and adoption year."""
    trend = res.lag_trend
    fig, ax = figures.new_figure("复制时效中位数（按启动年度）", "天", synthetic=res.synthetic)
    for i, z in enumerate(ZONES):
        t = trend[trend["zone_id"] == z]
        marker = figures.MARKERS[i % len(figures.MARKERS)]
        ax.plot(t["year"], t["median"], marker=marker, label=zone_name(z))
    ax.set_xticks(sorted(trend["year"].unique()))
    ax.legend()
    return fig


def cumulative_chart(res: ReformsResult):
    """Return the plan-period cumulative counts (bars stacked by year) against the period target."""
    cum = res.cumulative
    fig, axes = figures.new_figure(
        "行动计划期累计事项与三年目标", "条", synthetic=res.synthetic, ncols=2, figsize=(9, 4.5)
    )
    x = np.arange(len(cum))
    for ax, kind in zip(axes, KINDS, strict=True):
        bottom = np.zeros(len(cum))
        year_cols = [c for c in cum.columns if c.startswith(f"{kind}_")]
        for i, c in enumerate(year_cols):
            vals = cum[c].to_numpy(dtype=float)
            ax.bar(x, vals, bottom=bottom, label=f"{c.split('_')[-1]} 年", **_style(i))
            bottom += vals
        _target_marks(ax, x, cum[f"target_{kind}"], "三年目标")
        ax.set_xticks(x, [zone_name(z) for z in cum["zone_id"]])
        ax.set_title(REFORM_KINDS[kind])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    return fig


def key_points(res: ReformsResult) -> list[str]:
    """Return the page's "要点": the overview and one line per zone (at most five sentences)."""
    return page_narrative(res)[: min(5, 1 + len(ZONES))]
