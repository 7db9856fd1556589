"""The old module paths evalkit.investment / evalkit.projection keep working after the move."""

import pandas as pd
import pytest
from investment_cases import funds_frame

from evalkit import investment as inv
from evalkit import projection as old_projection
from evalkit.config import Targets
from evalkit.topics.investment import funds, present, projection, structure


def test_old_names_are_the_moved_objects():
    assert inv.attainment is funds.attainment
    assert inv.complete_monthly is funds.complete_monthly
    assert inv.concentration is structure.concentration
    assert inv.load_landing_config is structure.load_landing_config
    assert inv.project_year is projection.project_year
    assert inv.summary_part is present.attainment_summary
    assert old_projection.backtest is projection.backtest
    assert old_projection.MODELS is projection.MODELS
    for name in inv.__all__:
        assert hasattr(inv, name), name


def test_as_of_helpers_follow_report_period():
    assert inv.as_of_month(2026, "2026-10-31") == 10
    assert inv.as_of_month(2025, "2026-03-31") == 12
    assert inv.as_of_date("2026-10-31") == pd.Timestamp("2026-10-31")
    with pytest.raises(ValueError, match="as-of date is before"):
        inv.as_of_month(2027, "2026-10-31")


def test_wrappers_keep_the_old_signatures():
    f = funds_frame()
    att = inv.attainment(f, 2026, "2026-10-31", Targets())
    pd.testing.assert_frame_equal(
        inv.attainment_table(att, 2026, "2026-10-31", Targets()),
        present.attainment_table(att, 10, False),
    )
    first = inv.attainment_table(att, 2026, "2026-10-31", Targets(first_year=2026))
    assert set(first["是否达标"]) == {"首年基期，不评判"}
    assert inv.narrative(att, Targets(), late=["qinggang"]) == present.narrative(
        att, late=["qinggang"]
    )
    partial = "\n".join(inv.narrative(att, Targets(first_year=2026)))
    assert "作为基期展示，不评判是否达标" in partial
    assert inv.period_note(2026, "2026-10-31") == present.period_note(2026, 10)
