"""The figures' CJK font, named without importing matplotlib.

Noto Sans CJK SC (SIL OFL 1.1) from the ``noto-cjk-sans-otc`` package: the figures
register it (:mod:`evalkit.figures`) and the PDF edition sets its headings in it
(:func:`evalkit.editions.engines.fonts`), which needs the file, not a plotting library.
"""

from __future__ import annotations

from pathlib import Path

FONT_FAMILY = "Noto Sans CJK SC"


def font_path() -> Path:
    """Return the path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``."""
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))
