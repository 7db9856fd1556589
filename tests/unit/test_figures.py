"""The house figure style draws Chinese with the packaged CJK font and never logs a missing glyph."""

import json
import logging
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from evalkit import figures

ROOT = Path(__file__).resolve().parents[2]
MISSING = ("missing from font", "findfont")


def _draw(text: str) -> list[str]:
    """Draw and save a house-style figure containing *text*; return glyph/font complaints."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect(level=logging.DEBUG)
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = figures.new_figure(f"{text}：到位资金", unit="万元", synthetic=True)
            ax.plot([1, 2, 3], [-1.5, 2, 3], label=text)
            ax.set_xlabel("月份")
            ax.legend()
            figures.to_png(fig)
            plt.close(fig)
    finally:
        logger.removeHandler(handler)
    messages = [str(w.message) for w in caught] + records
    return [m for m in messages if any(k in m for k in MISSING)]


def test_font_is_the_packaged_noto_sans_cjk_sc():
    figures.setup()
    from matplotlib import font_manager

    found = font_manager.findfont(figures.FONT_FAMILY, fallback_to_default=False)
    assert Path(found) == figures.font_path()
    assert (
        "site-packages" in found or "dist-packages" in found
    )  # shipped by a wheel, not the system


def test_chinese_figure_logs_no_missing_glyph():
    assert _draw("绥化经开区片区 肇东片区 青冈片区 −12.9% 复制推广（条）") == []


def test_a_missing_glyph_is_detected():
    # The check can fail: an emoji the font does not have is reported.
    assert _draw("\U0001f7e2 达标") != []


@pytest.mark.parametrize(
    "notebook", sorted(ROOT.glob("reports/*/*.ipynb")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_committed_reports_logged_no_missing_glyph(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    complaints = [
        text
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for text in ["".join(out.get("text", ""))]
        if any(k in text for k in MISSING)
    ]
    assert complaints == []


def test_large_axis_numbers_get_thousands_separators():
    import pandas as pd

    from evalkit import figures

    fig, ax = figures.new_figure("到位资金", "万元")
    ax.bar(["甲", "乙"], [250000, 120000])
    fig2, ax2 = figures.new_figure("比例", "%")
    ax2.plot([0, 1], [0.2, 0.8])
    fig3, ax3 = figures.new_figure("月度", "万元")
    ax3.plot(pd.to_datetime(["2026-01-01", "2026-02-01"]), [1500, 2500])
    for f in (fig, fig2, fig3):
        figures.thousands_axes(f)
        f.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "250,000" in labels and not any(s.isdigit() and len(s) > 4 for s in labels), labels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["甲", "乙"]  # categories unchanged
    assert all("," not in t.get_text() for t in ax2.get_yticklabels())  # small numbers unchanged
    assert any("," in t.get_text() for t in ax3.get_yticklabels())
    assert all("," not in t.get_text() for t in ax3.get_xticklabels())  # dates unchanged
    for f in (fig, fig2, fig3):
        figures.plt.close(f)


def test_zero_and_missing_bars_are_labelled():
    import math

    from evalkit import figures

    fig, ax = figures.new_figure("得分", "分")
    ax.bar(["甲", "乙", "丙"], [50.0, 0.0, math.nan])
    fig2, ax2 = figures.new_figure("得分", "分")
    ax2.barh(["甲", "乙"], [0.0, 3.0])
    figures.label_zero_bars(fig)
    figures.label_zero_bars(fig2)
    assert sorted(t.get_text() for t in ax.texts) == ["0", "无数据"]
    # "无数据" stands upright on its column, so those of neighbouring columns never overlap.
    assert {t.get_text(): t.get_rotation() for t in ax.texts} == {"0": 0.0, "无数据": 90.0}
    # A missing bar sets no data limits: its place (the last, here) is kept in view.
    missing = ax.containers[0].patches[2]
    assert ax.get_xlim()[1] >= missing.get_x() + missing.get_width()
    assert [t.get_text() for t in ax2.texts] == ["0"]
    figures.plt.close(fig)
    figures.plt.close(fig2)


def test_a_zero_segment_of_a_stacked_bar_gets_no_label():
    """A zone that adds 0 (or did not report) to a stacked bar: no "0" on top of the stack."""
    from evalkit import figures

    fig, ax = figures.new_figure("班列开行", "列")
    ax.bar(["1月", "2月"], [3.0, 4.0], label="甲")
    ax.bar(["1月", "2月"], [0.0, 0.0], bottom=[3.0, 4.0], label="乙")
    figures.label_zero_bars(fig)
    assert [t.get_text() for t in ax.texts] == []
    figures.plt.close(fig)


def _small_multiples():
    """A 12-inch-wide grid of monthly date panels with 7-point tick labels (the old trend figure)."""
    import pandas as pd

    months = pd.date_range("2023-01-01", "2026-10-01", freq="MS")
    fig, axes = figures.new_figure("走势", nrows=2, ncols=3, figsize=(12, 6))
    for ax in axes.flat:
        ax.plot(months, range(len(months)))
        ax.tick_params(labelsize=7)
        ax.set_title("进口额（万元）", fontsize=9)
    return fig


def test_text_is_enlarged_to_eleven_pixels_as_shown_in_the_text_column():
    from io import BytesIO

    from PIL import Image

    fig = _small_multiples()
    smallest = figures.readable_text(fig)
    png = figures.to_png(fig, smallest)
    plt.close(fig)
    image = Image.open(BytesIO(png))
    shown = smallest * min(1.0, figures.COLUMN_PX / image.size[0])
    assert shown >= figures.MIN_TEXT_PX, (smallest, image.size)
    assert float(image.text[figures.MIN_TEXT_KEY]) == pytest.approx(smallest, abs=0.01)


def test_enlarged_date_ticks_are_thinned_until_they_no_longer_overlap():
    fig = _small_multiples()
    figures.readable_text(fig)
    for ax in fig.get_axes():
        labels = [t for t in ax.xaxis.get_ticklabels() if t.get_visible() and t.get_text()]
        assert len(labels) >= 2
        assert not figures._overlapping(labels), [t.get_text() for t in labels]
    plt.close(fig)


def test_the_overlap_check_finds_touching_labels():
    fig = _small_multiples()
    fig.axes[0].tick_params(labelsize=14)  # enlarged, not thinned: half-yearly dates collide
    fig.canvas.draw()
    crowded = [t for t in fig.axes[0].xaxis.get_ticklabels() if t.get_text()]
    assert figures._overlapping(crowded), [t.get_text() for t in crowded]
    fig.canvas.draw()
    roomy = [t for t in fig.axes[1].xaxis.get_ticklabels() if t.get_text()]
    assert not figures._overlapping(roomy)  # 7-point labels fit
    plt.close(fig)


def test_a_figure_that_fits_keeps_its_text_when_large_enough():
    fig, ax = figures.new_figure("到位资金", unit="万元", figsize=(7, 4))
    ax.plot([1, 2, 3], [1, 2, 3])
    ax.tick_params(labelsize=12)
    smallest = figures.readable_text(fig)
    assert smallest >= figures.MIN_TEXT_PX  # 7 in × 100 dpi fits: 11 px at natural size
    assert fig.axes[0].xaxis.get_major_ticks()[0].label1.get_fontsize() == 12
    plt.close(fig)


@pytest.mark.parametrize("figsize", [(7, 4), (7.6, 8), (12, 4.5), None])
def test_the_source_note_is_made_readable_so_no_extra_layout_pass_is_needed(figsize, monkeypatch):
    fig, ax = figures.new_figure("到位资金", unit="万元", synthetic=True, figsize=figsize)
    ax.plot([1, 2, 3], [1, 2, 3])
    ax.tick_params(labelsize=16)  # above the floor of every size here (14 pt at 12 in)
    ax.yaxis.label.set_fontsize(16)
    fig._suptitle.set_fontsize(16)
    note = next(t for t in fig.texts if t.get_text().startswith("资料来源"))
    floor = figures.min_text_pt(fig)
    assert note.get_fontsize() == max(8.0, floor)
    passes = []
    monkeypatch.setattr(figures, "thin_tick_labels", lambda f: passes.append(f))
    smallest = figures.readable_text(fig)
    assert passes == []  # nothing was enlarged: no layout pass to check tick labels
    assert smallest == pytest.approx(max(8.0, floor) * fig.dpi / 72)
    plt.close(fig)


def test_a_figure_resized_after_it_was_made_still_gets_its_note_enlarged(monkeypatch):
    fig, ax = figures.new_figure("到位资金", figsize=(7, 4))
    ax.plot([1, 2, 3], [1, 2, 3])
    fig.set_size_inches(14, 4)  # twice as wide: shown at half size, so text must double
    passes = []
    monkeypatch.setattr(figures, "thin_tick_labels", lambda f: passes.append(f))
    figures.readable_text(fig)
    note = next(t for t in fig.texts if t.get_text().startswith("资料来源"))
    assert note.get_fontsize() == pytest.approx(figures.min_text_pt(fig))
    assert passes == [fig]  # enlarged, so tick labels are checked for overlaps
    plt.close(fig)
