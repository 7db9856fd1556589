"""Tables on pages: numbered Markdown, plain text for nbval, wide tables given the page width."""

from __future__ import annotations

import pandas as pd

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
