"""Report parameters, validated before anything runs: year, as-of date, the data_dir parameter.

Nothing else reaches a later step (or a shell): a year is four digits within
:data:`YEAR_MIN`..:data:`YEAR_MAX`, an as-of date an ISO date within that year.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .. import paths

#: Years the plan's data can cover (plan issued 2024; the mechanism is to run beyond 2026).
YEAR_MIN, YEAR_MAX = 2024, 2030


class PipelineError(Exception):
    """A user-facing failure with a bilingual (zh / en) message; the run exits non-zero."""


def validate_year(value: object) -> int:
    """Return *value* as a report year, or raise :class:`PipelineError` (zh/en).

    Only a plain four-digit year within ``YEAR_MIN..YEAR_MAX`` is accepted, so
    nothing else (``abc``, ``1999``, ``2026; rm -rf .``) reaches any later step.
    """
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise PipelineError(
            f"无效的评估年度 {text!r}：须为 {YEAR_MIN}–{YEAR_MAX} 之间的四位数字年份 / "
            f"invalid year {text!r}: must be a four-digit year between {YEAR_MIN} and {YEAR_MAX}"
        )
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PipelineError(
            f"评估年度 {year} 超出行动计划的数据范围 {YEAR_MIN}–{YEAR_MAX} / "
            f"year {year} is outside the plan's data range {YEAR_MIN}–{YEAR_MAX}"
        )
    return year


def validate_as_of(value: object, year: int) -> str:
    """Return *value* as an ISO as-of date within *year*, or raise :class:`PipelineError`."""
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise PipelineError(
            f"无效的数据截至日期 {text!r}：格式须为 YYYY-MM-DD / "
            f"invalid as-of date {text!r}: expected YYYY-MM-DD"
        ) from None
    if date.year != year:
        raise PipelineError(
            f"数据截至日期 {text} 不在评估年度 {year} 内 / as-of date {text} is not in year {year}"
        )
    return text


def default_as_of(year: int, data: Path) -> str:
    """Return the as-of date used when none is given: never today's date, so runs repeat.

    A year the curated data cover completely gets ``YEAR-12-31``; the year the data
    end in gets the curated ``_meta.json`` ``as_of``. Without metadata: ``YEAR-12-31``.
    """
    from .manifest import read_meta  # stdlib only: the store would import pandas

    try:
        meta = read_meta(data)
    except (OSError, ValueError):
        meta = {}
    end = f"{year}-12-31"
    data_as_of = str(meta.get("as_of") or "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data_as_of):
        return end
    if data_as_of >= end:
        return end
    if data_as_of < f"{year}-01-01":
        raise PipelineError(
            f"已整理数据截至 {data_as_of}，不含 {year} 年数据（{paths.curated_dir(data)}/_meta.json）/ "
            f"curated data end on {data_as_of}: nothing to report for {year}"
        )
    return data_as_of


def notebook_data_param(data: Path) -> str:
    """Return the ``data_dir`` notebook parameter: root-relative (``"data"``) when possible.

    Executed reports are committed and re-run by nbval from other clones, so the
    parameter must not be an absolute path; only a data folder outside the project
    (tests) is passed as is.
    """
    try:
        return Path(data).resolve().relative_to(paths.ROOT).as_posix() or "."
    except ValueError:
        return str(Path(data).resolve())
