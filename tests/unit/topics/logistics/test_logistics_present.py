"""Tests of ``evalkit.topics.logistics.present``: figures, page sections and zone paragraphs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from logistics_factory import AS_OF, SPIKE, YEAR, build_data

from evalkit.schema import ZONES, zone_name
from evalkit.topics.logistics import compute
from evalkit.topics.logistics import present as P
from evalkit.topics.logistics import settings as S
from evalkit.topics.logistics.corridor import CORRIDOR_INDICATORS


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    return compute.run(YEAR, AS_OF, build_data(tmp_path_factory.mktemp("logistics-present")))


def test_trend_figure_draws_submitted_values_trend_and_anomalies(res):
    first, second = list(ZONES)[:2]
    fig = P.trend_figure(res, first)
    try:
        visible = [ax for ax in fig.axes if ax.get_visible()]
        assert len(visible) == 1  # one decomposed series: rail freight
        ax = visible[0]
        assert S.indicator_label("freight_rail") in ax.get_title(loc="left")
        observed, trend, marks = ax.get_lines()
        comp = res.components[res.components["indicator"] == "freight_rail"]
        np.testing.assert_allclose(observed.get_ydata(), comp["observed"].to_numpy())
        np.testing.assert_allclose(trend.get_ydata(), comp["trend"].to_numpy())
        assert [pd.Timestamp(x) for x in marks.get_xdata()] == [SPIKE]
        assert "截至2025年6月" in fig._suptitle.get_text()
        assert zone_name(first) in fig._suptitle.get_text()
    finally:
        plt.close(fig)
    # A zone without any decomposable series gets no figure.
    assert P.trend_figure(res, second) is None


def test_corridor_figure_stacks_each_zones_reported_values(res):
    fig = P.corridor_figure(res)
    try:
        axes = fig.axes
        assert len(axes) == len(CORRIDOR_INDICATORS)
        for ax, ind in zip(axes, CORRIDOR_INDICATORS, strict=True):
            assert [t.get_text() for t in ax.get_xticklabels()] == [f"{m}月" for m in range(1, 7)]
            g = res.corridor[res.corridor["indicator"] == ind]
            bars = ax.patches
            assert len(bars) == len(ZONES) * 6
            heights = np.array([b.get_height() for b in bars]).reshape(len(ZONES), 6)
            for i, zone in enumerate(ZONES):
                expected = g[g["zone_id"] == zone]["value"].fillna(0).to_numpy()
                np.testing.assert_allclose(heights[i], expected)
            # The stacks add up to the total of the zones that reported.
            np.testing.assert_allclose(
                heights.sum(axis=0),
                g.groupby("month", sort=True)["total_reported"].first().to_numpy(),
            )
        legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
        assert legend == [zone_name(z) for z in ZONES]
    finally:
        plt.close(fig)
    trains = res.corridor[
        (res.corridor["indicator"] == "train_departures")
        & (res.corridor["zone_id"] == list(ZONES)[1])
    ]
    assert not trains.set_index("month").loc[pd.Timestamp("2025-04-01"), "submitted"]


def test_zone_notes_and_summary_come_from_the_stored_result(res):
    first, second = list(ZONES)[:2]
    notes = P.zone_notes(res)
    assert len(notes) == len(ZONES)
    assert notes[0].startswith(zone_name(first))
    assert "季节分解后有 1 个月份的数值异常" in notes[0]
    assert "未做异常筛查" in notes[1]  # nothing long enough to screen
    part = P.summary(res)
    assert set(part["zones"]) == set(ZONES)
    entry = part["zones"][first]["logistics"]
    assert entry["anomalies"] == 1 and entry["as_of_month"] == "2025-06"
    # Foreign trade Jan–Jun 2025: imports 112…117 and exports 62…67 (sum over the months).
    assert entry["foreign_trade_ytd"] == pytest.approx(sum(range(112, 118)) + sum(range(62, 68)))
    assert part["zones"][second]["logistics"]["anomalies"] == 0


def test_page_sections_write_their_tables(res, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path))
    for show in (
        P.show_period,
        P.show_panel,
        P.show_missing,
        P.show_decomposition,
        P.show_trends,
        P.show_anomalies,
        P.show_flagged,
        P.show_corridor,
        P.show_corridor_shares,
        P.show_zone_notes,
        P.show_rules,
    ):
        show(res)
    plt.close("all")
    tables = tmp_path / str(YEAR) / "tables"
    names = {p.stem.removesuffix(f"_{YEAR}") for p in tables.glob(f"*_{YEAR}.csv")}
    assert names == {
        "logistics_panel_latest",
        "logistics_panel_monthly",
        "logistics_missing",
        "logistics_decomposition_status",
        "logistics_trend",
        "logistics_anomalies",
        "logistics_flagged",
        "logistics_corridor_monthly",
        "logistics_corridor_shares",
        "logistics_rules",
    }
    rules = pd.read_csv(tables / f"logistics_rules_{YEAR}.csv", encoding="utf-8-sig")
    assert len(rules) == len(S.all_indicators())
    assert list(rules["累计口径"]).count("月度累加") == sum(
        1 for i in S.all_indicators() if res.config.how(i) == "sum" and i != S.FOREIGN_TRADE
    )
    anomalies = pd.read_csv(tables / f"logistics_anomalies_{YEAR}.csv", encoding="utf-8-sig")
    assert list(anomalies["月份"]) == ["2025-03"]
    # The planted rail-freight spike is listed with the value used for the sensitivity figures.
    flagged = pd.read_csv(tables / f"logistics_flagged_{YEAR}.csv", encoding="utf-8-sig")
    assert "2025-03" in list(flagged["月份"])
    assert flagged["拟合值（敏感性测算用）"].notna().all()


def test_status_and_trend_tables_accept_decompositions_or_stored_frames():
    """Older callers pass the list of decompositions; pages pass the stored frames."""
    from evalkit.topics.logistics import anomaly as A

    t = np.arange(30)
    s = pd.Series(
        100 + t + 10 * np.sin(2 * np.pi * t / 12),
        index=pd.date_range("2023-01-01", periods=30, freq="MS"),
    )
    cfg = S.load_config("data")
    zone = list(ZONES)[0]
    decs = [
        A.decompose(s, zone_id=zone, indicator="freight_rail", config=cfg),
        A.decompose(s.iloc[:5], zone_id=zone, indicator="freight_air", config=cfg),
    ]
    pd.testing.assert_frame_equal(P.trend_table(decs), P.trend_table(A.components_frame(decs)))
    assert len(P.trend_table(decs)) == 30
    status = P.decomposition_status(decs)
    pd.testing.assert_frame_equal(status, P.decomposition_status(A.status_frame(decs)))
    assert list(status["历史月数"]) == [30, 5]
