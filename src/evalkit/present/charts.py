"""Tested chart functions in the house style of :mod:`evalkit.figures`.

Each function takes tidy data plus the caption pieces (title, unit, source note —
read from configuration or the topic's result by the caller) and returns a
Matplotlib figure made with :func:`evalkit.figures.new_figure`; show it with
:func:`evalkit.figures.show`. Zones are labelled by their Chinese names and ordered
as configured (:data:`evalkit.core.schema.ZONE_ORDER`); colours, markers and
hatches cycle through the house palette, so series stay apart in greyscale.

- :func:`zone_bars` — one value per zone (optionally several series side by side),
  with optional target marks;
- :func:`zone_lines` — one line per zone over months (or years);
- :func:`small_multiples` — one small panel per item (indicator, county …), same style.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import figures
from ..core import schema

#: Label of target marks in legends.
TARGET_LABEL = "目标"


def _zone_sorted(index) -> list:
    """Return zone ids in the configured order (unknown ids last, in given order)."""
    order = schema.ZONE_ORDER
    return sorted(index, key=lambda z: (order.get(z, len(order)), list(index).index(z)))


def _zone_label(zone_id: str, names: Mapping[str, str] | None) -> str:
    return (names or schema.ZONES).get(zone_id, zone_id)


def zone_bars(
    values: pd.Series | pd.DataFrame,
    *,
    title: str,
    unit: str | None = None,
    source: str | None = None,
    targets: pd.Series | Mapping[str, float] | float | None = None,
    zone_names: Mapping[str, str] | None = None,
    synthetic: bool = False,
    value_labels: bool = False,
    fmt=None,
):
    """Return a bar chart of *values* per zone; ``(fig, ax)``.

    *values*: Series indexed by zone id, or DataFrame (index zone id, one column per
    series, e.g. years — drawn side by side, legend from the column names). Missing
    values draw no bar. *targets*: one number for all zones or a mapping/Series zone
    id → target; each zone gets a short horizontal mark at its target (label
    :data:`TARGET_LABEL`). *value_labels* writes each bar's value above it with *fmt*
    (default :func:`evalkit.present.format.fmt_number` in *unit*).
    """
    from .format import fmt_number

    frame = values.to_frame(name=values.name or "") if isinstance(values, pd.Series) else values
    zones = _zone_sorted(list(frame.index))
    frame = frame.loc[zones]
    kw = {"synthetic": synthetic} | ({"source": source} if source is not None else {})
    fig, ax = figures.new_figure(title, unit, **kw)
    n = len(frame.columns)
    width = 0.8 / n
    x = np.arange(len(zones))
    for j, col in enumerate(frame.columns):
        offset = (j - (n - 1) / 2) * width
        heights = frame[col].astype(float).to_numpy()
        ok = np.isfinite(heights)
        bars = ax.bar(
            x[ok] + offset,
            heights[ok],
            width=width * 0.95,
            color=figures.PALETTE[j % len(figures.PALETTE)],
            hatch=figures.HATCHES[j % len(figures.HATCHES)],
            edgecolor="white",
            label=str(col) if n > 1 else None,
        )
        if value_labels:
            texts = [(fmt or (lambda v: fmt_number(v, unit)))(v) for v in heights[ok]]
            ax.bar_label(bars, labels=texts, fontsize=8, padding=2)
    if targets is not None:
        if isinstance(targets, int | float):
            goal = {z: float(targets) for z in zones}
        else:
            goal = {z: float(v) for z, v in dict(targets).items()}
        marks = [(i, goal[z]) for i, z in enumerate(zones) if z in goal and math.isfinite(goal[z])]
        for k, (i, level) in enumerate(marks):
            ax.hlines(
                level,
                i - 0.45,
                i + 0.45,
                colors="#222222",
                linestyles="--",
                linewidth=1.5,
                label=TARGET_LABEL if k == 0 else None,
            )
    ax.set_xticks(x, [_zone_label(z, zone_names) for z in zones])
    ax.grid(axis="x", visible=False)
    if n > 1 or targets is not None:
        ax.legend()
    return fig, ax


def zone_lines(
    data: pd.DataFrame,
    *,
    title: str,
    unit: str | None = None,
    source: str | None = None,
    value: str = "value",
    zone_col: str = "zone_id",
    month_col: str = "month",
    target: float | None = None,
    zone_names: Mapping[str, str] | None = None,
    synthetic: bool = False,
    monthly: bool = True,
    markersize: float | None = 3.5,
):
    """Return one line per zone over months (or years); ``(fig, ax)``.

    *data*: long frame with columns *zone_col*, *month_col* (datetime) and *value*.
    Months without a row are gaps (the line breaks), never zeros. With
    ``monthly=False`` *month_col* holds any sortable period (e.g. years as ints):
    the x values are those present in *data*, and a zone without a row at one of
    them has a gap there. *target* draws one dashed horizontal line labelled
    :data:`TARGET_LABEL`. *markersize* None keeps Matplotlib's default marker size.
    """
    kw = {"synthetic": synthetic} | ({"source": source} if source is not None else {})
    fig, ax = figures.new_figure(title, unit, **kw)
    wide = data.pivot_table(index=month_col, columns=zone_col, values=value, aggfunc="first")
    if monthly:
        months = pd.date_range(wide.index.min(), wide.index.max(), freq="MS") if len(wide) else []
        wide = wide.reindex(months)
    size = {} if markersize is None else {"markersize": markersize}
    for j, zone in enumerate(_zone_sorted(list(wide.columns))):
        ax.plot(
            wide.index,
            wide[zone].astype(float),
            marker=figures.MARKERS[j % len(figures.MARKERS)],
            color=figures.PALETTE[j % len(figures.PALETTE)],
            label=_zone_label(zone, zone_names),
            **size,
        )
    if target is not None:
        ax.axhline(
            float(target), color="#222222", linestyle="--", linewidth=1.2, label=TARGET_LABEL
        )
    ax.legend()
    return fig, ax


def small_multiples(
    panels: Mapping[str, pd.Series | pd.DataFrame],
    *,
    title: str,
    unit: str | None = None,
    source: str | None = None,
    ncols: int = 3,
    synthetic: bool = False,
    sharey: bool = False,
):
    """Return a grid of small line charts, one per item of *panels*; ``(fig, axes)``.

    *panels*: panel title → Series (x from the index) or DataFrame (one line per
    column, legend on the first panel). Unused grid cells are hidden. Raises
    ValueError for no panels.
    """
    if not panels:
        raise ValueError("small_multiples: 没有可画的面板 / no panels to draw")
    ncols = max(1, min(int(ncols), len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    kw = {"synthetic": synthetic} | ({"source": source} if source is not None else {})
    fig, axes = figures.new_figure(
        title, None, nrows=nrows, ncols=ncols, figsize=(3.2 * ncols, 2.6 * nrows + 0.6), **kw
    )
    flat = np.atleast_1d(axes).ravel()
    for ax, (label, data) in zip(flat, panels.items(), strict=False):
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        for j, col in enumerate(frame.columns):
            ax.plot(
                frame.index,
                frame[col].astype(float),
                marker=figures.MARKERS[j % len(figures.MARKERS)],
                markersize=3,
                color=figures.PALETTE[j % len(figures.PALETTE)],
                label=str(col),
            )
        ax.set_title(label, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.set_ylabel("")
    for ax in flat[len(panels) :]:
        ax.set_visible(False)
    if sharey:
        lo = min(ax.get_ylim()[0] for ax in flat[: len(panels)])
        hi = max(ax.get_ylim()[1] for ax in flat[: len(panels)])
        for ax in flat[: len(panels)]:
            ax.set_ylim(lo, hi)
    if unit:
        fig.supylabel(f"单位：{unit}", fontsize=9)
    first = flat[0]
    if len(first.get_lines()) > 1:
        first.legend(fontsize=7)
    return fig, axes
