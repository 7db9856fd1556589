"""One verdict vocabulary for the hard targets, on every page and in ``summary.json``.

The rule (documented on the methodology page, thresholds in ``data/config/targets.yaml``):

- **Final** verdicts — 达标 (``met``) / 未达标 (``not_met``) — only for a complete year:
  the as-of date is on or after 31 December of the year
  (:attr:`evalkit.core.period.ReportPeriod.complete`) and, for funds in place, the
  zone's data cover all twelve months.
- **Funds in place, year in progress** (or a zone that has not reported December):
  the projection's probability *P* of reaching the full-year growth target decides —
  ``P ≥ likely`` 预计达标 (``likely``), ``P < unlikely`` 预计难以达标 (``unlikely``),
  otherwise 存在风险 (``at_risk``); always with the as-of date. Without a projection
  (no probability) the verdict is 进行中 (``in_progress``): year-to-date growth is
  never a verdict on a full-year target (Qinggang 2024 was +25.7 % for
  January–October but +21.2 % for the year).
- **Reform counts, year in progress**: counts never fall (an item counts once it has
  taken effect), so a count already at or over its target is 已达标 (``met``, final,
  not provisional); a count below target is 进行中 (``in_progress``, provisional),
  never 未达标 before the year ends.
- The plan's partial first year is 基线年（不考核） (``baseline``); growth on a zero or
  missing base with no projection is 无法判定 (``undefined``).

``summary.json`` carries per target ``status`` (the machine values above) and
``provisional``; ``targets_met`` is True / False only for a final verdict and null
otherwise (see :attr:`Verdict.met`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.asof import as_of_date
from ..core.config import config_path, read_yaml
from ..core.errors import ConfigError
from .format import is_pandas_na

if TYPE_CHECKING:  # annotations only: the editions word verdicts without pandas
    import pandas as pd

    from ..core.period import ReportPeriod

#: Machine values of ``status`` (summary.json) → (symbol, Chinese verdict). Symbols are in
#: the CJK fonts Chinese systems have; every verdict is also said in words.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "met": ("✓", "达标"),
    "not_met": ("×", "未达标"),
    "likely": ("◎", "预计达标"),
    "at_risk": ("△", "存在风险"),
    "unlikely": ("▽", "预计难以达标"),
    "in_progress": ("◇", "进行中"),
    "baseline": ("○", "基线年（不考核）"),
    "undefined": ("○", "无法判定（基期为零或无数据）"),
}

#: Statuses that are a judgement made before the year is complete.
PROVISIONAL = frozenset({"likely", "at_risk", "unlikely", "in_progress"})


@dataclass(frozen=True)
class VerdictRules:
    """Probability thresholds of the provisional funds verdict (``verdict`` in targets.yaml).

    ``likely``: P at or above it is 预计达标; ``unlikely``: P below it is 预计难以达标;
    in between 存在风险. ``0 ≤ unlikely ≤ likely ≤ 1``.
    """

    likely: float = 0.8
    unlikely: float = 0.2


def load_rules(data_dir: str | Path | None = None) -> VerdictRules:
    """Return the ``verdict`` thresholds of ``config/targets.yaml`` under *data_dir*.

    Missing keys take the defaults of :class:`VerdictRules`; a non-number, a value
    outside 0–1 or ``unlikely > likely`` is a :class:`ConfigError` naming the file.
    """
    path = config_path("targets.yaml", data_dir)
    doc = read_yaml(path) or {}
    raw = doc.get("verdict") if isinstance(doc, dict) else None
    if raw is None:
        return VerdictRules()
    if not isinstance(raw, dict) or set(raw) - {"likely", "unlikely"}:
        raise ConfigError(f"{path}: verdict 只能有 likely、unlikely / only likely, unlikely")
    values = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError(f"{path}: verdict.{key} 应为 0—1 的数 / must be in 0–1: {value!r}")
        values[key] = float(value)
    rules = VerdictRules(**values)
    if rules.unlikely > rules.likely:
        raise ConfigError(f"{path}: verdict.unlikely > verdict.likely")
    return rules


@dataclass(frozen=True)
class Verdict:
    """The verdict on one hard target of one zone in one report year.

    ``status``: a key of :data:`STATUS_WORDS`; ``provisional``: True while the year
    (or the zone's reporting) is incomplete and the verdict may still change;
    ``as_of``: ISO as-of date the verdict rests on; ``probability``: the projection's
    probability of reaching the target (provisional funds verdicts only, else None).
    """

    status: str
    provisional: bool
    as_of: str
    probability: float | None = None
    reached_early: bool = False

    @property
    def word(self) -> str:
        """The Chinese verdict: 达标 (已达标 for a count reached before the year ends), 预计达标, etc."""
        word = STATUS_WORDS[self.status][1]
        return "已达标" if self.reached_early else word

    @property
    def symbol(self) -> str:
        """The symbol shown before the verdict (never colour alone)."""
        return STATUS_WORDS[self.status][0]

    @property
    def met(self) -> bool | None:
        """True / False for a final verdict, None otherwise (the value of ``targets_met``)."""
        if self.provisional or self.status not in ("met", "not_met"):
            return None
        return self.status == "met"

    @property
    def as_of_words(self) -> str:
        """``截至10月31日`` (the as-of date in words)."""
        day = as_of_date(self.as_of)
        return f"截至{day.month}月{day.day}日"

    def text(
        self, *, probability: bool = False, figure: str | None = None, dated: bool = True
    ) -> str:
        """Return the cell text: ``✓ 达标``, ``◎ 预计达标（截至10月31日）``, ``✓ 已达标（截至10月31日）``.

        A provisional verdict and a count reached before the year ends always carry
        the as-of date; with *probability* a projected verdict also gives P; a
        *figure* (``+34.0%``, ``19 条``) comes first in the brackets. ``dated=False``
        leaves the date out, for a table whose caption states it once (the home page).
        """
        head = f"{self.symbol} {self.word}"
        notes = [figure] if figure else []
        if dated and (self.provisional or self.reached_early):
            notes.append(self.as_of_words)
        if probability and self.probability is not None:
            notes.append(probability_words(self.probability))
        return f"{head}（{'，'.join(notes)}）" if notes else head

    def summary(self) -> dict:
        """Return the ``summary.json`` entry: ``status``, ``provisional``, ``as_of``, ``verdict`` (+P)."""
        out = {
            "status": self.status,
            "provisional": self.provisional,
            "as_of": self.as_of,
            "verdict": self.word,
        }
        if self.probability is not None:
            out["p_reach_target"] = round(float(self.probability), 4)
        return out


def _percent(p: float) -> str:
    """Return a threshold or probability as ``80%`` (``不足1%`` / ``超过99%`` at the ends)."""
    if p < 0.005:
        return "不足1%"
    if p > 0.995:
        return "超过99%"
    return f"{p * 100:.0f}%"


def probability_words(p: float) -> str:
    """Return ``达标概率 96%`` / ``达标概率不足1%`` / ``达标概率超过99%`` (预测)."""
    words = _percent(p)
    return f"达标概率{'' if words[0] in '不超' else ' '}{words}"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or is_pandas_na(x)


#: Verdict words for callers holding only ``met`` (True / False / None): :func:`light`.
LIGHT_MET = "✓ 达标"
LIGHT_NOT_MET = "× 未达标"
LIGHT_NOT_YET = "◇ 进行中"
LIGHT_BASELINE = "○ 基线年（不考核）"
LIGHT_UNDEFINED = "○ 无法判定（基期为零或无数据）"


def light(met, *, partial: bool, in_progress: bool = False) -> str:
    """Return the verdict text for *met* (True/False/None) without a projection or as-of date.

    Compatibility for callers holding only ``met``: a shortfall in a year in progress
    is 进行中, never 未达标. Pages word stored verdicts with :class:`Verdict`.
    """
    if partial:
        return LIGHT_BASELINE
    if _missing(met):
        return LIGHT_UNDEFINED
    if bool(met):
        return LIGHT_MET
    return LIGHT_NOT_YET if in_progress else LIGHT_NOT_MET


def probability_status(p: float, rules: VerdictRules) -> str:
    """Return ``likely`` / ``at_risk`` / ``unlikely`` for probability *p* under *rules*."""
    if p >= rules.likely:
        return "likely"
    if p < rules.unlikely:
        return "unlikely"
    return "at_risk"


def growth_verdict(
    met,
    period: ReportPeriod,
    *,
    partial: bool,
    rules: VerdictRules,
    probability: float | None = None,
    covers_year: bool = True,
) -> Verdict:
    """Return the verdict on a growth target (funds in place).

    *met* is the attainment's ``met`` (True / False / None when growth is undefined)
    over the window shown; it is final only when *period* is complete and the zone's
    data *cover the year* (all twelve months). Otherwise the projection's
    *probability* of reaching the full-year target decides (:func:`probability_status`),
    or, without one, the verdict is ``in_progress`` (``undefined`` when growth is
    undefined too).
    """
    as_of = period.as_of.date().isoformat()
    if partial:
        return Verdict("baseline", False, as_of)
    if period.complete and covers_year:
        if _missing(met):
            return Verdict("undefined", False, as_of)
        return Verdict("met" if bool(met) else "not_met", False, as_of)
    if probability is not None and math.isfinite(float(probability)):
        p = float(probability)
        return Verdict(probability_status(p, rules), True, as_of, p)
    if _missing(met):
        return Verdict("undefined", False, as_of)
    return Verdict("in_progress", True, as_of)


def count_verdict(count, target, period: ReportPeriod, *, partial: bool) -> Verdict:
    """Return the verdict on a yearly count target (reform items replicated / original).

    Counts never fall: at or over *target* is ``met`` (final) even in a year in
    progress (worded 已达标 with the as-of date); below target it is ``not_met`` for a
    complete year and ``in_progress`` (provisional) before the year ends.
    """
    as_of = period.as_of.date().isoformat()
    if partial:
        return Verdict("baseline", False, as_of)
    if int(count) >= int(target):
        return Verdict("met", False, as_of, reached_early=period.in_progress)
    if period.complete:
        return Verdict("not_met", False, as_of)
    return Verdict("in_progress", True, as_of)


def reach_probabilities(projections: pd.DataFrame, model: str) -> dict[str, float]:
    """Return zone id → probability of reaching the target from *model*'s rows of *projections*.

    *projections* has ``zone_id, model, p_target`` (the investment topic's projections,
    calibrated where possible); zones with a missing probability are left out.
    """
    if projections is None or projections.empty:
        return {}
    rows = projections[projections["model"] == model]
    return {
        str(z): float(p)
        for z, p in zip(rows["zone_id"], rows["p_target"], strict=True)
        if not _missing(p) and math.isfinite(float(p))
    }


def funds_verdicts(
    att: pd.DataFrame,
    period: ReportPeriod,
    *,
    partial: bool,
    rules: VerdictRules,
    probabilities: Mapping[str, float] | None = None,
) -> dict[str, Verdict]:
    """Return zone id → :func:`growth_verdict` of a funds attainment frame.

    *att* has ``zone_id, through_month, met`` (``evalkit.investment.attainment``; a
    frame without ``through_month`` is taken to cover the whole year); *probabilities*
    maps zone id → P(full-year growth ≥ target) (:func:`reach_probabilities`).
    """
    probs = probabilities or {}
    return {
        str(r.zone_id): growth_verdict(
            r.met,
            period,
            partial=partial,
            rules=rules,
            probability=probs.get(str(r.zone_id)),
            covers_year=int(getattr(r, "through_month", 12)) >= 12,
        )
        for r in att.itertuples(index=False)
    }


def reform_verdicts(
    att: pd.DataFrame, period: ReportPeriod, *, partial: bool
) -> dict[tuple[str, str], Verdict]:
    """Return (zone id, ``replicated`` | ``original``) → :func:`count_verdict` of a reforms attainment frame."""
    out = {}
    for r in att.to_dict("records"):
        for kind in ("replicated", "original"):
            out[(str(r["zone_id"]), kind)] = count_verdict(
                r[kind], r[f"target_{kind}"], period, partial=partial
            )
    return out


def legend(*, in_progress: bool, rules: VerdictRules) -> str:
    """Return the legend of the verdict words (the provisional ones only for a year in progress)."""
    final = "；".join(f"{STATUS_WORDS[s][0]} {STATUS_WORDS[s][1]}" for s in ("met", "not_met"))
    text = f"图例：{final}（全年数据齐全后的最终结论）；○ 基线年（不考核）；○ {STATUS_WORDS['undefined'][1]}。"
    if in_progress:
        text += (
            f"年度进行中：改革事项为年内累计条数，已达到全年目标的记“✓ 已达标”（条数不会减少），"
            f"尚未达到的记“◇ 进行中”；到位资金按全年预测达到增长目标的概率 P 记"
            f"“◎ 预计达标”（P ≥ {_percent(rules.likely)}）、“▽ 预计难以达标”"
            f"（P < {_percent(rules.unlikely)}）或“△ 存在风险”（其余），均注明数据截至日期。"
        )
    return text + "颜色之外均有文字和符号说明。"
