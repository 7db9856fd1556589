"""Spreadsheet-formula safety for every file evalkit writes (downloads, quarantine, feedback).

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

#: Text starting with a formula prefix that is still harmless: a lone sign used as a
#: placeholder ("-", "+") or a signed number as pages format it ("-12.5", "+34.0%",
#: "-1,234.5"), which a spreadsheet may read as a number but never as a formula.
#: Left as is, so a spreadsheet shows "-15.6%" rather than "'-15.6%".
_HARMLESS = re.compile(
    r"[-+]|[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?"
)


def neutralize_cell(value):
    """Prefix a string that a spreadsheet would run as a formula with ``'``.

    Numbers (including negative ones) are returned unchanged so they stay numeric;
    so are the harmless texts ``"-"``, ``"+"`` and signed numbers like ``"-3.5"`` or
    ``"+34.0%"``.
    """
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
