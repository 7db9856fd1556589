"""Number and zone wording shared by the composite, summary and closing pages.

Numbers are formatted by :mod:`evalkit.present.format` (``for_page`` is kept here
as a name of :func:`evalkit.present.format.for_page`); missing numbers print as an
em dash; zone lists follow the configured zone order;
counts of zones are said from the configuration (:func:`zones_word`), never as a
hard-coded "三个片区".
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from ...present.format import fmt_percent, for_page
from ...present.text import zh_count
from ...schema import ZONES, zone_name
from .values import window_end


def zones_word(n: int | None = None) -> str:
    """Return the count of zones in words, e.g. ``三个片区`` (default: the configured zones)."""
    return f"{zh_count(len(ZONES) if n is None else n)}个片区"


def _zone_order(zones) -> list[str]:
    """Return *zones* in :data:`ZONES` order (stable page order)."""
    present = set(zones)
    return [z for z in ZONES if z in present]


def _names(zones) -> str:
    """Join zone names with 、 in :data:`ZONES` order."""
    return "、".join(zone_name(z) for z in _zone_order(zones))


def _is_true(v) -> bool:
    """Return True only for a real True verdict (None / NaN / NA are not verdicts)."""
    return not _is_none(v) and bool(v)


def _is_none(v) -> bool:
    """Return True when *v* carries no verdict (None / NaN / NA)."""
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _growth_words(g, defined) -> str:
    """Return growth for a table cell in words (``增长 12.3%`` / ``下降 4.0%``).

    Table cells never start with + or −: a spreadsheet would read them as formulas
    (the CSV writer would then prefix a quote).
    """
    if not bool(defined) or g is None or pd.isna(g):
        return "增速无法计算"
    return f"{'增长' if g >= 0 else '下降'} {fmt_percent(abs(float(g)))}"


def _growth_text(g, defined) -> str:
    """Return growth as ``+12.3%`` or the words for undefined growth."""
    if not bool(defined) or g is None or pd.isna(g):
        return "增速无法计算"
    return fmt_percent(float(g), signed=True)


def _window_words(year: int, as_of: str | date) -> str:
    """Return ``全年`` or ``1 月 1 日至 M 月 D 日``: the span of *year*'s same-period window."""
    end = window_end(year, as_of)
    return (
        "全年" if (end.month, end.day) == (12, 31) else f"1 月 1 日至 {end.month} 月 {end.day} 日"
    )


__all__ = ["for_page", "zones_word"]
