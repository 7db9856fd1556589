"""Composite page: charts drawn from a result, wording that follows the configured zones."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from evalkit import figures
from evalkit.schema import ZONES, zone_name
from evalkit.topics.composite import compute, indicators, present, text

ZONES3 = list(ZONES)


def make_result(year=2025, *, missing_dim=None):
    """Build a small CompositeResult by hand: two years, every configured dimension."""
    config = indicators.load_indicators("data")
    dims, comp = [], []
    for y in (year - 1, year):
        for k, z in enumerate(ZONES3):
            for j, d in enumerate(config.dimensions):
                score = np.nan if (d.id == missing_dim and y == year) else 10.0 * (k + 1) + j
                dims.append((z, y, d.id, score, 1.0))
            comp.append((z, y, 20.0 * (k + 1), 1.0, len(ZONES3) - k))
    dimensions = pd.DataFrame(dims, columns=["zone_id", "year", "dimension", "score", "coverage"])
    composite = pd.DataFrame(comp, columns=["zone_id", "year", "score", "coverage", "rank"])
    # Same-basis change columns (every indicator present in both years: the plain difference).
    prev = composite[composite["year"] == year - 1].set_index("zone_id")
    composite["basis_prev_score"] = [
        prev.loc[z, "score"] if y == year else np.nan
        for z, y in zip(composite["zone_id"], composite["year"], strict=True)
    ]
    composite["basis_score"] = composite["score"].where(composite["year"] == year)
    composite["change"] = composite["basis_score"] - composite["basis_prev_score"]
    composite["basis_prev_rank"] = [
        prev.loc[z, "rank"] if y == year else pd.NA
        for z, y in zip(composite["zone_id"], composite["year"], strict=True)
    ]
    composite["basis_prev_rank"] = composite["basis_prev_rank"].astype("Int64")
    composite["basis_rank"] = composite["rank"].where(composite["year"] == year).astype("Int64")
    composite["dropped"] = ""
    sens = pd.DataFrame(
        {
            "zone_id": ZONES3,
            "p_first": [0.0, 0.1, 0.9],
            "mean": [20.0, 40.0, 60.0],
            "p05": [15.0, 35.0, 55.0],
            "p50": [20.0, 40.0, 60.0],
            "p95": [25.0, 45.0, 65.0],
        }
    )
    res = compute.CompositeResult(
        year=year,
        as_of=f"{year}-12-31",
        years=[year - 1, year],
        scored=pd.DataFrame(columns=["zone_id", "year", "indicator", "value", "score"]),
        dimensions=dimensions,
        composite=composite,
        published=composite,
        entropy=composite[["zone_id", "year", "score", "rank"]],
        entropy_weights=pd.Series(dtype=float),
        entropy_detail=pd.DataFrame(columns=["year", "indicator", "weight", "reason"]),
        revisions=pd.DataFrame(
            columns=["method", "replaced", "why", "zone_id", "year", "score", "rank"]
        ),
        sensitivity=sens,
        draws=10,
        concentration=5.0,
        synthetic=True,
    )
    return res, config


def test_dimension_bars_draw_one_bar_per_zone_and_dimension():
    res, config = make_result()
    fig, ax = present.dimension_bars(res, config)
    try:
        heights = sorted(round(p.get_height(), 6) for p in ax.patches)
        expected = sorted(
            10.0 * (k + 1) + j for k in range(3) for j in range(len(config.dimensions))
        )
        assert heights == expected
        assert [t.get_text() for t in ax.get_xticklabels()] == [d.name for d in config.dimensions]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [zone_name(z) for z in ZONES3]
        assert fig.get_suptitle() == "2025 年各片区维度得分"
        assert any("演示数据" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)


def test_dimension_bars_label_a_dimension_missing_for_every_zone():
    res, config = make_result(missing_dim=config_first_dimension())
    fig, ax = present.dimension_bars(res, config)
    try:
        # No bar for a missing score (not a bar of height 0, which reads as a score of 0) ...
        assert sum(np.isnan(p.get_height()) for p in ax.patches) == len(ZONES3)
        # ... and figures.show labels each such bar 无数据.
        figures.label_zero_bars(fig)
        assert [t.get_text() for t in ax.texts] == ["无数据"] * len(ZONES3)
    finally:
        plt.close(fig)


def config_first_dimension():
    return indicators.load_indicators("data").dimensions[0].id


def test_sensitivity_ranges_draw_the_5_95_band_and_the_configured_score():
    res, _ = make_result()
    fig, ax = present.sensitivity_ranges(res)
    try:
        lines = ax.get_lines()
        assert len(lines) == 2 * len(ZONES3)
        bands, points = lines[0::2], lines[1::2]
        assert [list(b.get_xdata()) for b in bands] == [[15.0, 25.0], [35.0, 45.0], [55.0, 65.0]]
        assert [list(p.get_xdata()) for p in points] == [[20.0], [40.0], [60.0]]
        assert [t.get_text() for t in ax.get_yticklabels()] == [zone_name(z) for z in ZONES3]
        assert ax.get_xlim() == (0.0, 100.0)
    finally:
        plt.close(fig)


def test_score_sentences_and_method_notes_read_the_result():
    res, config = make_result()
    sentences = present.score_sentences(res, config)
    assert sentences[0] == present.ranking_sentence(res.composite, 2025)
    assert sentences[1] == present.change_sentence(res.composite, 2025, config)
    assert "没有指标被排除" in sentences[1]
    notes = present.page_method_notes(res, config)
    assert notes == present.method_notes(config, 2025, "2025-12-31", 2024, 10, 5.0)


@pytest.mark.parametrize(("n", "word"), [(3, "三个片区"), (4, "四个片区"), (2, "两个片区")])
def test_zone_count_wording_follows_the_number_of_zones(n, word):
    assert text.zones_word(n) == word


def test_zone_count_wording_defaults_to_the_configured_zones():
    assert text.zones_word() == text.zones_word(len(ZONES))
    assert "minmax" not in present.METHOD_WORDS  # no score pooled over the zones any more


def test_trend_table_puts_the_published_score_beside_the_same_period_one():
    res, config = make_result()
    published = res.composite.assign(score=res.composite["score"] + 1.0)
    t = present.trend_table(res.dimensions, res.composite, config, published)
    assert list(t.columns[:4]) == [
        "片区",
        "年度",
        "该年度报告发布的综合得分（分）",
        "该年度报告发布的排名",
    ]
    row = t.iloc[0]
    assert row["该年度报告发布的综合得分（分）"] == row["同期口径综合得分（分）"] + 1.0
    assert "全年" in present.trend_note(res)
