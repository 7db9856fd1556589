"""Chinese wording that follows the configured counts: zh_count, zh_list."""

from __future__ import annotations

import pytest

from evalkit.present.text import zh_count, zh_list


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "一"),
        (2, "两"),
        (3, "三"),
        (4, "四"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (22, "二十二"),
        (99, "九十九"),
    ],
)
def test_zh_count(n, text):
    assert zh_count(n) == text


def test_zh_count_in_a_sentence_follows_the_number_of_zones():
    assert f"{zh_count(3)}个片区" == "三个片区"
    assert f"{zh_count(4)}个片区" == "四个片区"
    assert zh_count("7") == "七"


@pytest.mark.parametrize("n", [-1, 100, 1000])
def test_zh_count_outside_0_99_is_refused(n):
    with pytest.raises(ValueError, match="0–99"):
        zh_count(n)


def test_zh_list():
    assert zh_list(["北林区", "肇东市", "青冈县"]) == "北林区、肇东市、青冈县"
    assert zh_list(["北林区"]) == "北林区"
    assert zh_list([]) == ""
    assert zh_list(x for x in ("甲", "乙")) == "甲、乙"
