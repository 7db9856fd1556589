"""Chart functions: what they draw (bars, targets, lines, panels) in the house style."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evalkit import figures
from evalkit.core import schema
from evalkit.present import charts


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _bars(ax):
    return [p for p in ax.patches if p.get_height() != 0 or p.get_width() != 0]


def test_zone_bars_in_configured_order_with_chinese_names():
    values = pd.Series({"qinggang": 3.0, "suihua_etdz": 1.0, "zhaodong": 2.0})
    fig, ax = charts.zone_bars(values, title="复制推广事项", unit="项")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [schema.ZONES[z] for z in schema.ZONES]
    assert [b.get_height() for b in _bars(ax)] == [1.0, 2.0, 3.0]
    assert fig._suptitle.get_text() == "复制推广事项"
    assert ax.get_ylabel() == "单位：项"
    assert ax.get_legend() is None
    assert figures.to_png(fig).startswith(b"\x89PNG")


def test_zone_bars_target_marks_one_per_zone_and_per_zone_targets():
    values = pd.Series({"suihua_etdz": 23, "zhaodong": 21, "qinggang": 17})
    _, ax = charts.zone_bars(values, title="t", targets=20)
    marks = ax.collections
    assert len(marks) == 3
    levels = [seg[0][1] for m in marks for seg in m.get_segments()]
    assert levels == [20.0, 20.0, 20.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [charts.TARGET_LABEL]

    _, ax = charts.zone_bars(values, title="t", targets={"zhaodong": 15, "qinggang": np.nan})
    segs = [seg for m in ax.collections for seg in m.get_segments()]
    assert len(segs) == 1
    (x0, y0), (x1, y1) = segs[0]
    assert y0 == y1 == 15 and x0 < 1 < x1  # centred on the second zone


def test_zone_bars_several_series_side_by_side_and_missing_values():
    frame = pd.DataFrame(
        {"2025年": [10.0, 20.0, np.nan], "2026年": [12.0, 18.0, 5.0]},
        index=["suihua_etdz", "zhaodong", "qinggang"],
    )
    _, ax = charts.zone_bars(frame, title="t", unit="万元", value_labels=True)
    heights = [b.get_height() for b in _bars(ax)]
    assert heights == [10.0, 20.0, 12.0, 18.0, 5.0]  # the missing value draws no bar
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025年", "2026年"]
    texts = [t.get_text() for t in ax.texts]
    assert "10.0" in texts and "5.0" in texts


def test_zone_bars_other_zone_names_for_another_pilot():
    values = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
    names = {"a": "甲片区", "b": "乙片区", "c": "丙片区", "d": "丁片区"}
    _, ax = charts.zone_bars(values, title="t", zone_names=names)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(names.values())


def test_zone_lines_one_line_per_zone_gaps_not_zeros_and_target():
    months = pd.date_range("2026-01-01", periods=4, freq="MS")
    rows = [
        {"zone_id": z, "month": m, "value": float(i + k)}
        for i, z in enumerate(["zhaodong", "suihua_etdz"])
        for k, m in enumerate(months)
        if not (z == "zhaodong" and k == 2)
    ]
    _, ax = charts.zone_lines(pd.DataFrame(rows), title="到位资金", unit="万元", target=2.5)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines[:2]] == ["绥化经开区片区", "肇东片区"]
    zhaodong = lines[1].get_ydata()
    assert len(zhaodong) == 4 and np.isnan(zhaodong[2])  # the missing month is a gap
    assert lines[2].get_label() == charts.TARGET_LABEL
    assert list(lines[2].get_ydata()) == [2.5, 2.5]
    assert lines[0].get_marker() != lines[1].get_marker()


def test_zone_lines_over_years_keeps_the_years_and_default_marker_size():
    import matplotlib as mpl

    rows = [
        {"zone_id": z, "year": y, "score": float(y - 2020 + i)}
        for i, z in enumerate(["suihua_etdz", "zhaodong"])
        for y in (2023, 2024, 2026)
        if not (z == "zhaodong" and y == 2024)
    ]
    _, ax = charts.zone_lines(
        pd.DataFrame(rows),
        title="综合得分",
        unit="分",
        value="score",
        month_col="year",
        monthly=False,
        markersize=None,
    )
    first, second = ax.get_lines()
    assert list(first.get_xdata()) == [2023, 2024, 2026]  # no monthly index, no 2025 added
    assert list(first.get_ydata()) == [3.0, 4.0, 6.0]
    assert np.isnan(second.get_ydata()[1])  # zhaodong has no 2024 row: a gap
    assert first.get_markersize() == mpl.rcParams["lines.markersize"]
    assert first.get_color() == figures.PALETTE[0] and second.get_color() == figures.PALETTE[1]


def test_small_multiples_grid_hides_unused_cells():
    idx = pd.date_range("2025-01-01", periods=3, freq="MS")
    panels = {
        "进口额": pd.Series([1.0, 2.0, 3.0], index=idx),
        "出口额": pd.DataFrame({"甲": [1.0, 2.0, 3.0], "乙": [3.0, 2.0, 1.0]}, index=idx),
        "货运量": pd.Series([5.0, 4.0, 6.0], index=idx),
        "快递": pd.Series([1.0, 1.0, 1.0], index=idx),
    }
    fig, axes = charts.small_multiples(panels, title="物流", unit="万元", ncols=3, sharey=True)
    flat = axes.ravel()
    assert flat.size == 6
    assert [ax.get_title(loc="left") for ax in flat[:4]] == list(panels)  # house style: left
    assert [ax.get_visible() for ax in flat] == [True] * 4 + [False] * 2
    assert len(flat[1].get_lines()) == 2
    assert len({ax.get_ylim() for ax in flat[:4]}) == 1
    assert fig._supylabel.get_text() == "单位：万元"


def test_small_multiples_needs_panels():
    with pytest.raises(ValueError, match="no panels"):
        charts.small_multiples({}, title="t")


def test_synthetic_source_note_is_kept():
    fig, _ = charts.zone_bars(pd.Series({"zhaodong": 1.0}), title="t", synthetic=True)
    assert any("演示数据" in t.get_text() for t in fig.texts)
    fig, _ = charts.zone_bars(pd.Series({"zhaodong": 1.0}), title="t", source="资料来源：测试")
    assert any(t.get_text() == "资料来源：测试" for t in fig.texts)
