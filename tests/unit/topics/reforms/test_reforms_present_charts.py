"""The reform page's charts draw exactly the result's numbers (bars, target marks, lines)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from reforms_ledgers import write_data_dir

from evalkit.schema import ZONES, zone_name
from evalkit.topics.reforms import compute, present


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    data = write_data_dir(tmp_path_factory.mktemp("reforms") / "data")
    return compute.run(2026, "2026-10-31", data)


def bar_heights(ax) -> list[float]:
    return [p.get_height() for p in ax.patches]


def test_attainment_chart_bars_and_targets(res):
    fig = present.attainment_chart(res)
    try:
        axes = fig.axes
        assert len(axes) == 2
        assert fig._suptitle.get_text() == "2026 年各片区复制推广与自主创新事项与年度目标"
        for ax, kind in zip(axes, compute.KINDS, strict=True):
            assert bar_heights(ax) == list(res.attainment[kind])
            marks = ax.collections[0].get_offsets()[:, 1]
            assert list(marks) == list(res.attainment[f"target_{kind}"])
            assert [t.get_text() for t in ax.get_xticklabels()] == [zone_name(z) for z in ZONES]
        assert "synthetic" in " ".join(t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)


def test_attainment_chart_says_baseline_in_partial_year(tmp_path):
    res = compute.run(2024, "2024-12-31", write_data_dir(tmp_path / "data"))
    fig = present.attainment_chart(res)
    try:
        assert fig._suptitle.get_text().endswith("（基线年，不考核）")
    finally:
        plt.close(fig)


def test_source_chart_stacks_to_zone_totals(res):
    fig = present.source_chart(res)
    try:
        ax = fig.axes[0]
        totals = np.zeros(len(ZONES))
        n_cats = len(ax.patches) // len(ZONES)
        for k in range(n_cats):
            totals += [p.get_width() for p in ax.patches[k * len(ZONES) : (k + 1) * len(ZONES)]]
        table = present.breakdown_table(res.by_source, "source")
        assert list(totals) == list(table["合计（条）"].astype(float))
        assert [t.get_text() for t in ax.get_legend().get_texts()][0] == table.columns[
            1
        ].removesuffix("（条）")
    finally:
        plt.close(fig)


def test_lag_trend_chart_one_line_per_zone(res):
    fig = present.lag_trend_chart(res)
    try:
        lines = fig.axes[0].get_lines()
        assert [ln.get_label() for ln in lines] == [zone_name(z) for z in ZONES]
        for ln, z in zip(lines, ZONES, strict=True):
            t = res.lag_trend[res.lag_trend["zone_id"] == z]
            assert list(ln.get_xdata()) == list(t["year"])
            np.testing.assert_array_equal(ln.get_ydata(), t["median"].to_numpy())
    finally:
        plt.close(fig)


def test_cumulative_chart_stacks_years_to_cumulative(res):
    fig = present.cumulative_chart(res)
    try:
        for ax, kind in zip(fig.axes, compute.KINDS, strict=True):
            patches = ax.patches
            n_years = len(patches) // len(ZONES)
            assert n_years == 3  # 2024, 2025, 2026 in the 2026 report
            tops = [
                patches[(n_years - 1) * len(ZONES) + i].get_y()
                + patches[(n_years - 1) * len(ZONES) + i].get_height()
                for i in range(len(ZONES))
            ]
            assert tops == list(res.cumulative[f"cum_{kind}"].astype(float))
            marks = ax.collections[0].get_offsets()[:, 1]
            assert list(marks) == list(res.cumulative[f"target_{kind}"])
    finally:
        plt.close(fig)
