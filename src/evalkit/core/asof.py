"""As-of dates without pandas: reading one, wording it in Chinese, whether its year is still open.

:mod:`evalkit.core.period` (the report period, on pandas timestamps) builds on these.
The Word and PDF editions use them directly: the run's main process builds the
editions and never imports pandas (about 0.4 s of CPU with numpy).
"""

from __future__ import annotations

from datetime import date, datetime


def as_of_date(value) -> date:
    """Return *value* (an as-of date) as a :class:`~datetime.date`.

    *value*: ``"YYYY-MM-DD"`` (or any ISO 8601 date or date-time text), a date, or a
    :class:`~datetime.datetime` (a pandas ``Timestamp`` too). Text that is not ISO 8601
    is read by pandas (``pd.Timestamp``), as the report period always read it
    (``2026/10/31``). ValueError when pandas cannot read it either, or reads it as no
    date at all (``""``, ``"NaT"``, ``"nan"``; ``pd.NaT`` itself).
    """
    if isinstance(value, datetime):
        if value != value:  # pd.NaT: the one datetime not equal to itself
            raise ValueError(f"数据截至日期缺失 / as-of date missing: {value!r}")
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        import pandas as pd  # other spellings, read as the report period reads them

        ts = pd.Timestamp(text)
        if ts is pd.NaT:
            raise ValueError(f"数据截至日期缺失 / as-of date missing: {value!r}") from None
        return ts.date()


def date_zh(value) -> str:
    """Format a date (:func:`as_of_date`'s inputs) the Chinese way, e.g. ``2026年10月31日``."""
    day = as_of_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def check_not_before(year: int, day: date) -> None:
    """Raise ValueError (zh/en) when the as-of date *day* precedes report year *year*."""
    if day.year < int(year):
        raise ValueError(
            f"数据截至日期 {day} 早于评估年度 {year} / as-of date is before the report year"
        )


def before_year_end(year: int, day: date) -> bool:
    """Return True when *day* is before 31 December of *year*: the year is not complete."""
    return day < date(int(year), 12, 31)


def year_in_progress(year: int, as_of) -> bool:
    """Return True while *year* is not complete at *as_of*: the as-of date is before 31 December.

    ValueError when *as_of* is not a date (:func:`as_of_date`) or precedes *year*.
    """
    day = as_of_date(as_of)
    check_not_before(year, day)
    return before_year_end(year, day)
