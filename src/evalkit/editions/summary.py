"""The edition's executive summary, from ``reports/<year>/summary.json`` alone.

Two tables and the main findings:

* the three hard targets per zone (plan: ≥ 20 reform items replicated, ≥ 3 original,
  funds in place +25 % year on year) with the figure and the verdict in words, the same
  words as the site (:data:`evalkit.present.verdict.LIGHT_MET` …);
* composite score and rank per zone;
* the findings list of the summary page (its section under ``findings_heading``).

Verdict of one target: the summary's ``targets.<target>`` entry, worded as on the
site (:meth:`evalkit.present.verdict.Verdict.text`); for older summaries a per-target
``status`` in the zone's summary (``met``,
``not_met``, ``not_yet``, ``baseline``, ``undefined``) when present; else
``targets_met`` (True/False/None), "not yet met" while the year is in progress (the
zone's or the summary's ``provisional`` flag when present, else the as-of date before
31 December), "baseline" in the plan's first year (``targets.yaml`` ``plan.first_year``).
Targets are the zone's own (``zone_targets`` overrides) where configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.asof import date_zh, year_in_progress
from ..core.config import Targets
from ..present import verdict as vd
from ..present.format import MISSING, fmt_count, fmt_growth, fmt_number, fmt_percent
from ..present.markdown import md_escape

#: The three hard targets: summary field of the figure, ``targets_met`` key, heading.
TARGETS: tuple[tuple[str, str, str], ...] = (
    ("reforms_replicated", "reforms_replicated", "复制推广改革试点经验"),
    ("reforms_original", "reforms_original", "自主创新经验"),
    ("funds_yoy_growth", "funds_growth", "到位资金同比增长"),
)
STATUS_WORDS = {
    "met": vd.LIGHT_MET,
    "not_met": vd.LIGHT_NOT_MET,
    "not_yet": vd.LIGHT_NOT_YET,
    "baseline": vd.LIGHT_BASELINE,
    "undefined": vd.LIGHT_UNDEFINED,
}


@dataclass(frozen=True)
class Verdict:
    """One zone's result on one hard target: the figure as text and the verdict words."""

    zone_id: str
    target: str
    figure: str
    words: str


def _in_progress(summary: dict, zone: dict) -> bool:
    """Return True while the year's verdicts are provisional (see the module docstring)."""
    for flags in (zone, summary):
        if isinstance(flags.get("provisional"), bool):
            return flags["provisional"]
    return year_in_progress(int(summary["year"]), summary["as_of"])


def verdict_words(summary: dict, zone: dict, target: str, first_year: int | None) -> str:
    """Return the verdict words of *zone* (its summary fields) on *target* (a targets_met key).

    The summary's own verdict (``targets.<target>``: ``status``, ``provisional``,
    ``as_of``, ``p_reach_target``; :mod:`evalkit.present.verdict`) is worded exactly as
    on the site; older summaries fall back to ``status`` / ``targets_met``.
    """
    entry = (zone.get("targets") or {}).get(target)
    if isinstance(entry, dict) and entry.get("status") in vd.STATUS_WORDS:
        verdict = vd.Verdict(
            status=entry["status"],
            provisional=bool(entry.get("provisional")),
            as_of=str(entry.get("as_of") or summary["as_of"]),
            probability=entry.get("p_reach_target"),
            reached_early=entry.get("verdict") == "已达标",
        )
        return verdict.text(probability=True)
    status = zone.get("status")
    if isinstance(status, dict) and status.get(target) in STATUS_WORDS:
        return STATUS_WORDS[status[target]]
    met = (zone.get("targets_met") or {}).get(target)
    partial = first_year is not None and int(summary["year"]) == int(first_year)
    return vd.light(met, partial=partial, in_progress=_in_progress(summary, zone))


def _figure(zone: dict, field: str, goal: float) -> str:
    """Return the figure of *field* beside its target *goal*: ``19 / 20 条``, ``+34.0%（目标 ≥25%）``."""
    value = zone.get(field)
    if field == "funds_yoy_growth":
        text = fmt_growth(value) if value is not None else MISSING
        return f"{text}（目标 ≥{fmt_percent(float(goal), 0)}）"
    text = fmt_count(value) if value is not None else MISSING
    return f"{text} / {fmt_count(goal)} 条"


def verdicts(summary: dict, zone_order: list[str], targets: Targets) -> list[Verdict]:
    """Return every zone's verdict on each of the three targets, zones in *zone_order*.

    *targets*: the plan's targets (:func:`evalkit.core.config.load_targets`), per zone.
    """
    first_year = targets.first_year
    zones = summary.get("zones") or {}
    out = []
    for zone_id in [z for z in zone_order if z in zones]:
        zone = zones[zone_id]
        for field, target, _ in TARGETS:
            out.append(
                Verdict(
                    zone_id,
                    target,
                    _figure(zone, field, targets.for_zone(zone_id, target)),
                    verdict_words(summary, zone, target, first_year),
                )
            )
    return out


def _row(cells: list[str]) -> str:
    """Return one pipe-table row of already escaped *cells*."""
    return "| " + " | ".join(cells) + " |"


def targets_table(summary: dict, names: dict[str, str], targets: Targets) -> str:
    """Return the hard-targets table (pipe table + caption) of *summary*."""
    header = ["片区"]
    for _, _, title in TARGETS:
        header += [f"{title}", "判定"]
    lines = [_row(header), _row(["---"] * len(header))]
    by_zone: dict[str, list[Verdict]] = {}
    for v in verdicts(summary, list(names), targets):
        by_zone.setdefault(v.zone_id, []).append(v)
    for zone_id, vs in by_zone.items():
        cells = [md_escape(names[zone_id])]
        for v in vs:
            cells += [md_escape(v.figure), md_escape(v.words)]
        lines.append(_row(cells))
    year = int(summary["year"])
    lines += ["", f": {year} 年各片区三项硬性目标完成情况 {{#tbl-edition-targets}}"]
    return "\n".join(lines)


def composite_table(summary: dict, names: dict[str, str]) -> str:
    """Return the composite score and rank table of *summary* ("—" where not computed)."""
    zones = summary.get("zones") or {}
    lines = [_row(["片区", "综合得分（分）", "排名"]), _row(["---", "---:", "---:"])]
    for zone_id in [z for z in names if z in zones]:
        zone = zones[zone_id]
        score = zone.get("composite_score")
        rank = zone.get("rank")
        lines.append(
            _row(
                [
                    md_escape(names[zone_id]),
                    fmt_number(score, digits=2) if score is not None else MISSING,
                    fmt_count(rank) if rank is not None else MISSING,
                ]
            )
        )
    year = int(summary["year"])
    lines += ["", f": {year} 年综合得分（0—100 分）与排名 {{#tbl-edition-composite}}"]
    return "\n".join(lines)


def executive_summary(summary: dict, names: dict[str, str], targets: Targets, findings: str) -> str:
    """Return the executive summary's markdown (under a level-1 heading the caller writes).

    *names*: zone id → name in the plan's order; *targets*: the plan's targets;
    *findings*: the summary page's findings (markdown, may be empty).
    """
    year = int(summary["year"])
    as_of = summary.get("as_of")
    when = f"（数据截至{date_zh(as_of)}）" if as_of else ""
    parts = [
        f"本摘要概括 {year} 年度评估{when}的结论：三项硬性目标的完成情况、"
        "年度综合评估的得分与排名，以及由数据得出的主要发现。",
        "## 硬性目标完成情况",
        targets_table(summary, names, targets),
        "## 综合得分与排名",
        composite_table(summary, names),
    ]
    if findings.strip():
        parts += ["## 主要发现", findings.strip("\n")]
    return "\n\n".join(parts)
