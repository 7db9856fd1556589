"""Spreadsheet-formula safety for what intake writes (quarantine CSV, feedback workbooks).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula when the file is opened in a spreadsheet (OWASP "CSV
injection"); such text gets a leading ``'``. Numbers, a lone sign and signed
numbers (``-3.5``, ``+34.0%``) are left as they are.
"""

from __future__ import annotations

import re

import pandas as pd

#: Leading characters a spreadsheet would read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_HARMLESS = re.compile(
    r"[-+]|[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"
)


def neutralize_cell(value):
    """Return *value* with a ``'`` prefix if a spreadsheet would run it as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _HARMLESS.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of *df* whose text cells and headers are formula-safe."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize_cell)
    out.columns = [neutralize_cell(str(c)) for c in out.columns]
    return out
