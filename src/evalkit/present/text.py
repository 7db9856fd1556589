"""Chinese wording that depends on the configuration (counts of zones, counties, lists)."""

from __future__ import annotations

from collections.abc import Iterable

_DIGITS = "零一二三四五六七八九"


def zh_count(n: int) -> str:
    """Return *n* (0–99) in Chinese numerals as used before a measure word: 3 → 三, 2 → 两, 12 → 十二.

    Raises ValueError outside 0–99 (pages never count that many zones or counties).
    """
    n = int(n)
    if not 0 <= n <= 99:
        raise ValueError(f"zh_count covers 0–99, got {n}")
    if n == 2:
        return "两"
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def zh_list(names: Iterable[str]) -> str:
    """Join names with the Chinese enumeration comma: ``["北林区", "肇东市"]`` → ``北林区、肇东市``."""
    return "、".join(names)
