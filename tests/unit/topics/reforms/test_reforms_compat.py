"""The old module path ``evalkit.reforms`` keeps working (period helpers via ReportPeriod)."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit import reforms
from evalkit.core.period import ReportPeriod
from evalkit.topics.reforms import compute, present


def test_remaining_months():
    # 2026-10-31 → 30 (Nov) + 31 (Dec) = 61 days; 365/12 days a month
    assert reforms.remaining_months(2026, "2026-10-31") == pytest.approx(61 / (365 / 12))
    assert reforms.remaining_months(2026, "2026-12-31") == 0
    assert reforms.remaining_months(2025, "2026-10-31") == 0
    assert reforms.year_in_progress(2026, "2026-10-31")
    assert not reforms.year_in_progress(2025, "2025-12-31")


def test_same_day_handles_29_february():
    assert reforms.same_day("2028-02-29", 2027) == pd.Timestamp("2027-02-28")
    assert reforms.same_day("2026-10-31", 2024) == pd.Timestamp("2024-10-31")


def test_period_helpers_agree_with_report_period():
    period = ReportPeriod.of(2026, "2026-10-31")
    assert reforms.remaining_months(2026, "2026-10-31") == period.remaining_months()
    assert reforms.year_in_progress(2026, "2026-10-31") is period.in_progress
    assert reforms.same_day("2026-10-31", 2025) == period.same_day(2025)
    assert reforms.date_zh("2026-10-31") == "2026年10月31日"
    assert reforms.to_timestamp("2026-10-31 13:45") == pd.Timestamp("2026-10-31")


def test_old_names_are_the_moved_functions():
    # composite, index.ipynb and closing_review.ipynb import these from evalkit.reforms
    assert reforms.attainment is compute.attainment
    assert reforms.cumulative is compute.cumulative
    assert reforms.cumulative_table is present.cumulative_table
    assert reforms.narrative is present.narrative
    assert reforms.SearchableTable is present.SearchableTable
    for name in reforms.__all__:
        assert getattr(reforms, name) is not None, name
