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

FONT_FAMILY = "Noto Sans CJK SC"

#: Dark-to-light palette (viridis-like): distinct in colour and in greyscale lightness.
PALETTE = ["#1b3a5c", "#c4572a", "#7fb069", "#8c6bb1", "#e8c547", "#4d4d4d"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]

_registered = False


def font_path() -> Path:
    """Return the path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``."""
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


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
    fig.text(0.01, -0.02, note, ha="left", va="top", fontsize=8, color="#555555")
    return fig, ax


def to_png(fig) -> bytes:
    """Return *fig* as PNG bytes, without software metadata so the bytes are reproducible.

    ``bbox_inches="tight"`` keeps the source note (and demo-data label) below the axes.
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def show(fig) -> None:
    """Display *fig* in the notebook as a PNG image and close it.

    The house backend is Agg (set above), under which ``plt.show()`` displays
    nothing in a kernel; this shows the same image under any backend.
    """
    from IPython.display import Image, display

    display(Image(data=to_png(fig), format="png"))
    plt.close(fig)
