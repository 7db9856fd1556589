"""One house style for every figure: CJK font from a PyPI wheel, titles, units, source note.

The font (Noto Sans CJK SC, OFL) is registered explicitly from the
``noto-cjk-sans-otc`` package: figures never depend on the fonts a machine happens
to have. Colours come from a palette that stays distinguishable in greyscale
(different lightness) and every series also gets its own marker / hatch.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures are saved into notebooks, never shown in a window

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .present.fonts import FONT_FAMILY, font_path  # noqa: E402, F401 (figures.font_path)

#: Dark-to-light palette (viridis-like): distinct in colour and in greyscale lightness.
PALETTE = ["#1b3a5c", "#c4572a", "#7fb069", "#8c6bb1", "#e8c547", "#4d4d4d"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]

_registered = False


def setup() -> None:
    """Register the CJK font and apply the house style (idempotent)."""
    global _registered
    if not _registered:
        packaged = font_path()
        manager = font_manager.fontManager
        manager.addfont(str(packaged))
        # A machine may have its own copy of the same family (e.g. a system Noto CJK):
        # keep only the packaged file's entries so every machine draws with the same font.
        manager.ttflist = [
            f for f in manager.ttflist if f.name != FONT_FAMILY or Path(f.fname) == packaged
        ]
        font_manager.FontManager._findfont_cached.cache_clear()
        _registered = True
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_FAMILY],
            "axes.unicode_minus": False,  # the CJK font's minus sign, not U+2212 fallback
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titlesize": 13,
            "axes.titleweight": "normal",  # the wheel ships Regular only
            "axes.titlelocation": "left",
            "legend.frameon": False,
            # Reproducible PNG bytes: no timestamps or software versions in metadata.
            "svg.hashsalt": "evalkit",
        }
    )


def new_figure(
    title: str,
    unit: str | None = None,
    source: str = "资料来源：各片区报送数据，evalkit 整理",
    *,
    synthetic: bool = False,
    nrows: int = 1,
    ncols: int = 1,
    figsize: tuple[float, float] | None = None,
):
    """Create a styled figure with title, unit label and source note; return ``(fig, ax)``.

    *synthetic* appends the demo-data label to the source note so a figure copied
    out of the page still says its data are made up.
    """
    setup()
    fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained")
    fig.suptitle(title, x=0.01, ha="left", fontsize=13)
    first = ax if nrows * ncols == 1 else ax.flat[0]
    if unit:
        first.set_ylabel(f"单位：{unit}")
    note = source + ("（演示数据，系合成数据 / synthetic demo data）" if synthetic else "")
    # At the size readable_text would enlarge it to: a figure whose only small text was
    # its note then needs no extra layout pass to check its tick labels (a third of its
    # drawing time).
    size = max(8.0, min_text_pt(fig))
    fig.text(0.01, -0.02, note, ha="left", va="top", fontsize=size, color="#555555")
    return fig, ax


#: Width of the site's text column at a 1280 px window (smalldocs 760 px, Quarto 800 px):
#: a wider figure is shown scaled down to it.
COLUMN_PX = 760
#: Smallest text on a figure, in CSS pixels as shown at 1280 px (issue #16).
MIN_TEXT_PX = 11.0
#: The saved (tight) image is at most this much wider than the figure (its source note).
TIGHT_MARGIN = 1.12
#: PNG text chunk holding the figure's smallest text size at natural size (pixels).
MIN_TEXT_KEY = "evalkit-min-text-px"


def _texts(fig):
    """Return the visible, non-empty text artists of *fig* (titles, labels, ticks, notes)."""
    from matplotlib.text import Text

    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is not None
    ]


def min_text_pt(fig, min_px: float = MIN_TEXT_PX, column_px: float = COLUMN_PX) -> float:
    """Return the smallest font size, in points, that *fig* may use for *min_px* as shown.

    A figure wider than a *column_px* column is shown scaled down by ``column_px /
    width`` (the saved image is up to :data:`TIGHT_MARGIN` wider than the figure), so
    its text must be ``min_px / scale`` pixels at natural size: points = pixels × 72 / dpi.
    """
    dpi = fig.dpi
    scale = min(1.0, column_px / (fig.get_figwidth() * dpi * TIGHT_MARGIN))
    return min_px / scale * 72 / dpi


def readable_text(fig, min_px: float = MIN_TEXT_PX, column_px: float = COLUMN_PX) -> float:
    """Enlarge every text of *fig* smaller than *min_px* as shown in a *column_px* column.

    A figure wider than the column is scaled down by ``column_px / width`` (the saved
    image is up to :data:`TIGHT_MARGIN` wider than the figure: its source note), and
    its text with it; text is set to at least ``min_px / scale`` pixels at natural size
    (tick labels through ``tick_params``, so ticks made at draw time follow), then
    crowded x tick labels are thinned (:func:`thin_tick_labels`). Returns the smallest
    text size of the figure at natural size, in pixels (points × dpi / 72).
    """
    dpi = fig.dpi
    floor_pt = min_text_pt(fig, min_px, column_px)
    enlarged = False
    for ax in fig.get_axes():
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            for which in ("major", "minor"):
                ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
                if ticks and ticks[0].label1.get_fontsize() < floor_pt:
                    ax.tick_params(axis=name, which=which, labelsize=floor_pt)
                    enlarged = True
    for t in _texts(fig):
        if t.get_fontsize() < floor_pt:
            t.set_fontsize(floor_pt)
            enlarged = True
    if enlarged:  # larger labels may collide (a figure drawn big enough is left as it is)
        thin_tick_labels(fig)
    return min(t.get_fontsize() for t in _texts(fig)) * dpi / 72


def _overlapping(labels) -> bool:
    """Return True when two of the (drawn) tick *labels* touch or overlap along the x axis."""
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
    return any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:], strict=False))


def thin_tick_labels(fig) -> None:
    """Use fewer x ticks on every axes of *fig* whose tick labels would overlap.

    Larger text (:func:`readable_text`) needs room: a date axis
    (``AutoDateLocator``) gets a lower ``maxticks``, a numeric one (``MaxNLocator``)
    fewer ``nbins``, until the labels no longer touch. Fixed ticks (categories) are
    left as they are.
    """
    from matplotlib.dates import AutoDateLocator
    from matplotlib.ticker import MaxNLocator

    todo = list(fig.get_axes())
    for _ in range(8):  # one layout a round, for all axes still crowded
        if not todo:
            break
        # Places every text (tick labels included) as a draw would, without rasterizing:
        # the extents below are the drawn ones, at a fraction of the cost.
        fig.draw_without_rendering()
        crowded = []
        for ax in todo:
            labels = [t for t in ax.xaxis.get_ticklabels() if t.get_visible() and t.get_text()]
            if len(labels) < 3 or not _overlapping(labels):
                continue
            # As many labels as fit side by side, with a label's width of space between.
            widest = max(t.get_window_extent().width for t in labels)
            fit = int(ax.get_window_extent().width // (1.6 * widest)) + 1
            fewer = max(min(len(labels) - 1, fit), 2)
            loc = ax.xaxis.get_major_locator()
            if isinstance(loc, AutoDateLocator):
                # Its count is a bound per frequency: lower it below the last one set, and
                # let a coarser frequency (years for months) qualify with as few ticks.
                fewer = max(min(fewer, max(loc.maxticks.values()) - 1), 2)
                loc.maxticks = dict.fromkeys(loc.maxticks, fewer)
                loc.minticks = min(loc.minticks, fewer)
            elif isinstance(loc, MaxNLocator):
                loc.set_params(nbins=fewer)
            else:
                continue
            crowded.append(ax)
        todo = crowded


def to_png(fig, min_text_px: float | None = None) -> bytes:
    """Return *fig* as PNG bytes, without software metadata so the bytes are reproducible.

    ``bbox_inches="tight"`` keeps the source note (and demo-data label) below the axes.
    *min_text_px* (from :func:`readable_text`) is recorded in the PNG's
    ``evalkit-min-text-px`` text chunk, so a browser test can check the size as shown.
    """
    import io

    meta = {"Software": None}
    if min_text_px is not None:
        meta[MIN_TEXT_KEY] = f"{min_text_px:.2f}"
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata=meta)
    return buf.getvalue()


def thousands_axes(fig) -> None:
    """Give every plain numeric axis of *fig* thousands separators (``250,000``, not ``250000``).

    Only axes with matplotlib's default number formatter and ticks of 1,000 or more
    change; date, category and already-formatted axes are left as they are. Whole
    ticks show no decimals, others one.
    """
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    def fmt(v, _pos=None):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is not ScalarFormatter:
                continue
            lo, hi = axis.get_view_interval()
            if max(abs(lo), abs(hi)) >= 1000:
                axis.set_major_formatter(FuncFormatter(fmt))


def label_zero_bars(fig) -> None:
    """Write "0" on every bar of height (or width) zero and "无数据" where the value is missing.

    A bar of 0 draws nothing, which a reader cannot tell from a missing value; both
    are labelled at the bar's base, in the axis' small text. Stacked bars (a bar that
    starts where another ends) are left alone: a segment of 0 has no place of its own,
    and a "0" on top of a stack would read as the value of the whole bar.
    """
    import math

    from matplotlib.container import BarContainer

    def stacked(ax) -> bool:
        for container in ax.containers:
            if isinstance(container, BarContainer):
                horizontal = getattr(container, "orientation", "vertical") == "horizontal"
                for bar in container.patches:
                    base = bar.get_x() if horizontal else bar.get_y()
                    if base != 0 and not math.isnan(base):
                        return True
        return False

    for ax in fig.get_axes():
        if stacked(ax):
            continue
        missing = False
        for container in ax.containers:
            if not isinstance(container, BarContainer):
                continue
            horizontal = getattr(container, "orientation", "vertical") == "horizontal"
            for bar in container.patches:
                size = bar.get_width() if horizontal else bar.get_height()
                if size != 0 and not math.isnan(size):
                    continue
                if math.isnan(size):  # a missing bar sets no data limits: keep its place in view
                    missing = True
                    if horizontal:
                        ax.update_datalim([(0, bar.get_y()), (0, bar.get_y() + bar.get_height())])
                    else:
                        ax.update_datalim([(bar.get_x(), 0), (bar.get_x() + bar.get_width(), 0)])
                text = "无数据" if math.isnan(size) else "0"
                if horizontal:
                    x, y, ha, va = bar.get_x(), bar.get_y() + bar.get_height() / 2, "left", "center"
                else:
                    x, y, ha, va = (
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y(),
                        "center",
                        "bottom",
                    )
                ax.annotate(
                    text,
                    (x, y),
                    ha=ha,
                    va=va,
                    # Upright on a column: side by side, three "无数据" of a group overlapped.
                    rotation=90 if (not horizontal and len(text) > 1) else 0,
                    fontsize=8,
                    color="#333333",
                    xytext=(2, 0) if horizontal else (0, 2),
                    textcoords="offset points",
                )
        if missing:
            ax.autoscale_view()  # once, with every missing bar's place


def _figure_texts(fig) -> tuple[str, str, str]:
    """Return the title, unit label and source note :func:`new_figure` drew on *fig*."""
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    axes = fig.get_axes()
    unit = axes[0].get_ylabel() if axes else ""
    texts = [t.get_text() for t in fig.texts]
    note = next((t for t in texts if t.startswith("资料来源")), "")
    return title, unit, note


def figure_label(name: str) -> str:
    """Return the cross-reference label of figure *name*: ``fig-`` and the name, ``_`` as ``-``."""
    return "fig-" + name.replace("_", "-")


def show(
    fig,
    name: str,
    year: int,
    *,
    caption: str | None = None,
    alt: str | None = None,
):
    """Save *fig* as ``reports/<year>/figures/<name>.png`` and display it as a numbered figure.

    The page gets one Markdown output, ``![caption](figures/<name>.png){#fig-<name>
    fig-alt="…"}``, which Quarto numbers (图 1, 图 2, … under ``lang: zh``) and both
    renderers show with its caption and alt text; the notebook itself holds no image
    (nbval compares the Markdown; the PNG bytes are reproducible, see :func:`to_png`).

    Args:
        fig: a figure from :func:`new_figure` (closed here).
        name: file and label name, letters, digits, ``-`` or ``_``.
        year: the report year (folder of the page).
        caption: defaults to the figure's title and unit (e.g. "各片区到位资金（单位：万元）").
        alt: alt text for readers who cannot see the image; defaults to the caption
            and the figure's source note.
    Raises:
        ValueError: *name* has other characters.
    """
    from IPython.display import display

    from . import paths
    from .present import markdown
    from .report import MarkdownOutput, _atomic_write_bytes

    if not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"figure name must be letters, digits, - or _: {name!r}")
    title, unit, note = _figure_texts(fig)
    if caption is None:
        caption = title + (f"（{unit}）" if unit else "")
    if alt is None:
        alt = "。".join(s for s in (caption, note) if s)
    thousands_axes(fig)
    label_zero_bars(fig)
    smallest = readable_text(fig)
    _atomic_write_bytes(paths.report_dir(year) / "figures" / f"{name}.png", to_png(fig, smallest))
    plt.close(fig)
    text = markdown.figure_markdown(f"figures/{name}.png", caption, alt, figure_label(name))
    display(MarkdownOutput(text, plain=f"[图 figure] {caption}"))
