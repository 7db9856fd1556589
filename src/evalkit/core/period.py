"""The report period: one year evaluated with data up to an as-of date.

Every topic takes its year-to-date window, partial-year and comparison-window rules
from :class:`ReportPeriod`, so "January–October 2026 against January–October 2025"
means the same on every page.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .asof import before_year_end, check_not_before, date_zh  # noqa: F401 (date_zh: pages)


def to_timestamp(value: str | date | pd.Timestamp) -> pd.Timestamp:
    """Return *value* (``"YYYY-MM-DD"``, date or Timestamp) as a midnight Timestamp."""
    return pd.Timestamp(value).normalize()


@dataclass(frozen=True)
class ReportPeriod:
    """Report *year* with data up to *as_of* (a midnight Timestamp).

    Construct with :meth:`of`. The as-of date may lie after the year (a past year
    reported later: the whole year is covered) but not before it.
    """

    year: int
    as_of: pd.Timestamp

    @classmethod
    def of(cls, year: int, as_of: str | date | pd.Timestamp) -> ReportPeriod:
        """Return the period of *year* at *as_of*; ValueError (zh/en) if *as_of* precedes *year*."""
        ts = to_timestamp(as_of)
        check_not_before(year, ts.date())
        return cls(int(year), ts)

    # --- The year-to-date window -------------------------------------------------

    @property
    def end(self) -> pd.Timestamp:
        """Last day covered in the report year: *as_of*, or 31 December for a later as-of date."""
        return min(self.as_of, pd.Timestamp(self.year, 12, 31))

    @property
    def through_month(self) -> int:
        """Last month of the year covered (1–12)."""
        return int(self.end.month)

    @property
    def in_progress(self) -> bool:
        """True while the year is not complete at the as-of date (as-of before 31 December)."""
        return before_year_end(self.year, self.as_of.date())

    @property
    def complete(self) -> bool:
        """True when the data cover the whole year."""
        return not self.in_progress

    def months(self) -> pd.DatetimeIndex:
        """Month starts of the window: January … the as-of month (``freq="MS"``)."""
        last = pd.Timestamp(self.year, self.through_month, 1)
        return pd.date_range(pd.Timestamp(self.year, 1, 1), last, freq="MS")

    def same_day(self, year: int) -> pd.Timestamp:
        """Return the as-of month and day in *year*, clipped to the month's length (29 Feb → 28 Feb)."""
        end = self.end
        day = min(end.day, calendar.monthrange(int(year), end.month)[1])
        return pd.Timestamp(int(year), end.month, day)

    def window(self, year: int | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Return (1 January, same day) of *year* (default: the report year), both inclusive."""
        y = self.year if year is None else int(year)
        return pd.Timestamp(y, 1, 1), self.same_day(y)

    def comparison(self) -> ReportPeriod:
        """Return the same window one year earlier (the year-on-year base)."""
        return ReportPeriod(self.year - 1, self.same_day(self.year - 1))

    def remaining_months(self) -> float:
        """Months left in the year after the as-of date (days left ÷ average month length)."""
        days_in_year = 366 if calendar.isleap(self.year) else 365
        left = max((pd.Timestamp(self.year, 12, 31) - self.as_of).days, 0)
        return left / (days_in_year / 12)

    def year_fraction(self, start: date | None = None) -> float:
        """Share of the year the window covers; with *start* only days from *start* on count."""
        end = self.end.date()
        begin = max(date(self.year, 1, 1), start) if start is not None else date(self.year, 1, 1)
        days = 366 if calendar.isleap(self.year) else 365
        return max((end - begin).days + 1, 0) / days

    # --- Labels ----------------------------------------------------------------------

    @property
    def label(self) -> str:
        """``2026年`` or, for a year in progress, ``2026年（截至10月31日）``."""
        if self.in_progress:
            return f"{self.year}年（截至{self.as_of.month}月{self.as_of.day}日）"
        return f"{self.year}年"

    @property
    def window_label(self) -> str:
        """``1—10月`` for a year in progress, ``全年`` for a complete year."""
        return "全年" if self.complete else f"1—{self.through_month}月"
