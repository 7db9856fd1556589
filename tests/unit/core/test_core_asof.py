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


def test_an_unreadable_as_of_date_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        asof.as_of_date("2026-13-01")
    with pytest.raises(ValueError):
        asof.as_of_date("十月底")


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
def test_a_year_is_in_progress_until_its_last_day_as_for_the_report_period(year, as_of, open_):
    assert asof.year_in_progress(year, as_of) is open_
    assert ReportPeriod.of(year, as_of).in_progress is open_
