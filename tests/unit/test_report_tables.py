"""Tables on pages: numbered Markdown, plain text for nbval, wide tables given the page width."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit import report


def test_captioned_tables_get_the_pages_next_label_and_a_text_form():
    df = pd.DataFrame({"片区": ["甲"], "条数": [3]})
    first = report.table_output(df, caption="表一")
    second = report.table_output(df, caption="表二")
    n1 = int(first.text.rsplit("{#tbl-", 1)[1].split("}")[0])
    assert f"{{#tbl-{n1 + 1}}}" in second.text  # numbered in the order shown
    assert repr(first) == "表一\n片区  条数\n 甲   3"
    assert not hasattr(first, "_repr_html_")
    explicit = report.table_output(df, caption="表三", label="tbl-three")
    assert explicit.text.endswith(": 表三 {#tbl-three}\n")


def test_wide_tables_use_the_page_column():
    narrow = report.table_output(pd.DataFrame({c: [1] for c in "abc"}), caption="窄")
    wide = report.table_output(
        pd.DataFrame({c: [1] for c in "abcdefgh"[: report.WIDE_COLUMNS]}), caption="宽"
    )
    assert not narrow.text.startswith(":::")
    assert wide.text.startswith("::: {.column-page}\n") and wide.text.endswith(":::\n")


def test_key_points_box_is_a_titled_callout_of_one_to_five_sentences():
    box = report.key_points(["甲片区达标。", " ", "乙片区存在风险。"])
    assert box.text == (
        '::: {.callout-tip title="要点 / Key points"}\n- 甲片区达标。\n- 乙片区存在风险。\n:::\n'
    )
    for bad in ([], ["一"] * 6):
        with pytest.raises(ValueError, match="1 to 5 sentences"):
            report.key_points(bad)
