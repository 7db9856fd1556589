"""ReportPeriod: the one year-to-date window / partial-year rule every topic uses."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from evalkit.core.period import ReportPeriod, date_zh, to_timestamp


def test_of_accepts_strings_dates_and_timestamps_and_normalizes():
    a = ReportPeriod.of(2026, "2026-10-31")
    b = ReportPeriod.of(2026, date(2026, 10, 31))
    c = ReportPeriod.of("2026", pd.Timestamp("2026-10-31 15:30"))
    assert a == b == c
    assert a.as_of == pd.Timestamp("2026-10-31")
    assert to_timestamp("2026-10-31 08:00") == pd.Timestamp("2026-10-31")


def test_as_of_before_the_year_is_refused_bilingually():
    with pytest.raises(ValueError, match="早于评估年度.*as-of date is before"):
        ReportPeriod.of(2026, "2025-12-31")


def test_year_in_progress():
    p = ReportPeriod.of(2026, "2026-10-31")
    assert p.in_progress and not p.complete
    assert p.end == pd.Timestamp("2026-10-31")
    assert p.through_month == 10
    assert list(p.months()) == list(pd.date_range("2026-01-01", "2026-10-01", freq="MS"))
    assert p.window() == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-10-31"))
    assert p.window(2025) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-10-31"))
    assert p.label == "2026年（截至10月31日）"
    assert p.window_label == "1—10月"


def test_past_year_reported_later_covers_the_whole_year():
    p = ReportPeriod.of(2025, "2026-10-31")
    assert p.complete and not p.in_progress
    assert p.end == pd.Timestamp("2025-12-31")
    assert p.through_month == 12 and len(p.months()) == 12
    assert p.label == "2025年" and p.window_label == "全年"
    assert p.remaining_months() == 0


def test_as_of_31_december_is_complete():
    p = ReportPeriod.of(2025, "2025-12-31")
    assert p.complete and p.remaining_months() == 0


def test_comparison_window_is_the_same_days_one_year_earlier():
    p = ReportPeriod.of(2026, "2026-10-31")
    prev = p.comparison()
    assert prev.year == 2025 and prev.as_of == pd.Timestamp("2025-10-31")
    assert prev.window() == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-10-31"))


def test_leap_day_clips_to_28_february():
    p = ReportPeriod.of(2024, "2024-02-29")
    assert p.same_day(2023) == pd.Timestamp("2023-02-28")
    assert p.comparison().as_of == pd.Timestamp("2023-02-28")
    assert ReportPeriod.of(2025, "2025-02-28").same_day(2024) == pd.Timestamp("2024-02-28")


def test_remaining_months_and_year_fraction():
    p = ReportPeriod.of(2026, "2026-10-31")
    # 61 days left of 365 → 61 / (365 / 12) ≈ 2.005 months
    assert p.remaining_months() == pytest.approx(61 / (365 / 12))
    assert p.year_fraction() == pytest.approx(304 / 365)
    # The plan's first year only counts from its issue date (9 September 2024; 2024 is leap).
    q = ReportPeriod.of(2024, "2024-12-31")
    assert q.year_fraction(date(2024, 9, 9)) == pytest.approx(114 / 366)
    assert q.year_fraction(date(2023, 6, 1)) == pytest.approx(1.0)


def test_date_zh():
    assert date_zh("2026-03-05") == "2026年3月5日"
