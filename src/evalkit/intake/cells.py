"""Cell values as a spreadsheet shows them: number formats and merged cells.

openpyxl returns a cell's stored value; what the clerk typed and sees may differ.
:func:`shown_value` turns a number under a percent format (Excel stores 80.6% as
0.806) into the text ``"80.6%"`` and a number under a format that appends a money
unit (``#,##0.00"万元"``) into ``"5000万元"``, so the cell's own unit is read with
its value. A format that rescales the display (a trailing ``,``, ``‰``, ``!``
tricks) cannot be read back unambiguously: the cell becomes
:data:`SCALED_FORMAT` and is reported, never guessed.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r'"([^"]*)"')
_MONEY_LITERAL = re.compile(r"(亿元|万元|元|亿|万)")


class Marker:
    """A cell that cannot be taken at face value; *problem* names the finding it gives."""

    def __init__(self, problem: str, shown: str) -> None:
        self.problem, self.shown = problem, shown

    def __repr__(self) -> str:
        return self.shown

    __str__ = __repr__


#: A number under a display format that rescales it (e.g. ``0.00,,"亿"``).
SCALED_FORMAT = "scaled_format"
#: The 2nd, 3rd … rows of a merged cell holding a number (the number belongs to the first).
MERGED_NUMBER = "merged_number"


def _number_text(x: float) -> str:
    """Return *x* without binary noise (0.806 * 100 → ``80.6``)."""
    return f"{round(x, 10):.12g}"


def shown_value(value, number_format: str | None):
    """Return *value* as the clerk meant it given the cell's *number_format* (see module doc)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not number_format:
        return value
    fmt = number_format
    if fmt == "General" or fmt.startswith("@"):
        return value
    first = fmt.split(";")[0]
    literals = "".join(_QUOTED.findall(first))
    code = _QUOTED.sub("", first)
    code = re.sub(r"\[[^\]]*\]", "", code)  # colours and locale tags: [Red], [$-804]
    code = code.replace("\\", "")
    if "‰" in code or "‰" in literals or "!" in first:
        return Marker(SCALED_FORMAT, f"{_number_text(value)}（格式 {fmt}）")
    if "%" in code:
        return f"{_number_text(value * 100)}%"
    units = _MONEY_LITERAL.findall(literals + code)
    digits = re.sub(r"[^0#?.,]", "", code)
    if digits.endswith(",") or ",." in digits:
        return Marker(SCALED_FORMAT, f"{_number_text(value)}（格式 {fmt}）")
    if units:
        return f"{_number_text(value)}{units[0]}"
    return value


def is_label(value) -> bool:
    """Return True for a value that may be filled down a merged range (text, dates)."""
    return not isinstance(value, int | float) or isinstance(value, bool)
