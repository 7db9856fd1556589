"""As-of dates without pandas (evalkit.core.asof): read, worded, year in progress."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from evalkit.core import asof
from evalkit.core.period import ReportPeriod


@pytest.mark.parametrize(
    "value",
    [
        "2026-10-31",
        " 2026-10-31 ",
        "2026-10-31 15:30:00",
        "2026-10-31T15:30",
        "20261031",
        "2026/10/31",  # not ISO 8601: read by pandas, as the report period reads it
        date(2026, 10, 31),
        datetime(2026, 10, 31, 15, 30),
        pd.Timestamp("2026-10-31 15:30"),
    ],
)
def test_every_spelling_of_an_as_of_date_reads_as_pandas_reads_it(value):
    assert asof.as_of_date(value) == date(2026, 10, 31)
    assert asof.as_of_date(value) == pd.Timestamp(value).date()
    assert asof.date_zh(value) == "2026年10月31日"


@pytest.mark.parametrize("value", ["2026-13-01", "十月底", "", "NaT", "nan", pd.NaT])
def test_an_unreadable_or_missing_as_of_date_is_an_error_not_a_guess(value):
    # pandas reads "", "NaT" and "nan" as NaT: no date, never "nan年nan月nan日".
    with pytest.raises(ValueError):
        asof.date_zh(value)


@pytest.mark.parametrize(
    ("year", "as_of", "open_"),
    [
        (2026, "2026-10-31", True),
        (2026, "2026-12-30", True),
        (2026, "2026-12-31", False),  # the last day: the year is complete
        (2025, "2026-03-31", False),  # a past year reported later
        ("2026", date(2026, 1, 1), True),
    ],
)
def test_a_year_is_in_progress_until_its_last_day(year, as_of, open_):
    assert asof.year_in_progress(year, as_of) is open_
    # The report period answers by the same rule.
    assert ReportPeriod.of(year, as_of).in_progress is open_


def test_an_as_of_date_before_the_year_is_refused_as_the_report_period_refuses_it():
    with pytest.raises(ValueError, match="早于评估年度.*as-of date is before") as pure:
        asof.year_in_progress(2026, "2025-10-31")
    with pytest.raises(ValueError) as period:
        ReportPeriod.of(2026, "2025-10-31")
    assert str(pure.value) == str(period.value)
