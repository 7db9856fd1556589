"""Quarto-native page output: escaping, pipe tables with captions and labels, callouts, figures."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from evalkit.present import markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![x](http://127.0.0.1:9/x.png)",
    "{{< include /etc/passwd >}}",
    "*bold* _em_ `code` $x$ @cite ~sub~ ^sup^",
    "a | b \"键\" 'q'",
    "# heading\n\n::: {.callout-note}\n- item",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_leaves_no_markup(text):
    out = markdown.md_escape(text)
    assert "\n" not in out and "<" not in out and ">" not in out.replace("&gt;", "")
    # Every ASCII punctuation mark that can start markup is escaped (or an entity).
    unescaped = re.findall(r"(?<!\\)[*_`$@~^\[\](){}#|\"'!:.\-]", out)
    assert unescaped == [], (text, out)
    # Removing the escapes gives the text back (entities aside): nothing is lost.
    plain = re.sub(r"\\(.)", r"\1", out).replace("&lt;", "<").replace("&gt;", ">")
    assert plain.replace("&amp;", "&") == re.sub(r"\s*\n+\s*", " ", text)


def test_md_escape_keeps_chinese_and_entities_intact():
    assert markdown.md_escape("到位资金 & 项目") == "到位资金 &amp; 项目"
    assert markdown.md_escape("绥化经开区片区") == "绥化经开区片区"


def test_markdown_table_is_a_captioned_labelled_pipe_table():
    df = pd.DataFrame(
        {"片区": ["A|B", "C"], "到位资金（万元）": ["1,234.5", "—"], "增长": [0.125, np.nan]}
    )
    md = markdown.markdown_table(df, caption="表题 *x*", label="tbl-funds")
    lines = md.splitlines()
    assert lines[0] == "| 片区 | 到位资金（万元） | 增长 |"
    # text column left-aligned; number-like columns right-aligned (missing ignored)
    assert lines[1] == "|:---|---:|---:|"
    assert (
        lines[2] == "| A\\|B | 1,234\\.5 | 0\\.12 |" or lines[2] == "| A\\|B | 1,234\\.5 | 0\\.13 |"
    )
    assert lines[3] == "| C | — | — |"
    assert lines[-1] == ": 表题 \\*x\\* {#tbl-funds}"
    assert md.endswith("\n")


def test_markdown_table_rows_cut_and_empty_frames():
    df = pd.DataFrame({"x": range(5)})
    md = markdown.markdown_table(df, max_rows=2)
    assert md.count("\n| ") == 2 and "仅显示前 2 行，共 5 行" in md
    empty = markdown.markdown_table(df.head(0), caption="空表", label="tbl-empty")
    assert "（无数据）" in empty and "{#tbl-empty}" in empty


def test_labels_are_checked():
    with pytest.raises(ValueError):
        markdown.markdown_table(pd.DataFrame({"x": [1]}), caption="c", label="table 1")
    with pytest.raises(ValueError):
        markdown.figure_markdown("figures/a.png", "c", "alt", "fig-a b")


def test_callout_and_links_and_figure():
    c = markdown.callout("warning", "正文", title='演示"数据"')
    assert c == '::: {.callout-warning title="演示“数据”"}\n正文\n:::\n'
    with pytest.raises(ValueError):
        markdown.callout("danger", "x")
    links = markdown.download_links("tables/a_b.csv", "tables/a_b.xlsx", "下载 a_b.csv", "Excel")
    assert links.startswith("[下载 a\\_b\\.csv](tables/a_b.csv){")
    for bad in ("javascript:alert(1)", "../x.csv", "/etc/passwd", "a b.csv"):
        with pytest.raises(ValueError):
            markdown.download_links(bad, "tables/a.xlsx", "x", "y")
    fig = markdown.figure_markdown("figures/a.png", "图题 [1]", 'alt "quoted"\nline', "fig-a")
    assert fig == '![图题 \\[1\\]](figures/a.png){#fig-a fig-alt="alt “quoted” line"}\n'


def test_raw_html_block_fence_is_longer_than_any_backtick_run():
    block = markdown.raw_html_block("<p>```</p>")
    assert block.startswith("````{=html}\n") and block.endswith("\n````\n")


def test_one_number_style_within_a_column():
    df = pd.DataFrame(
        {"预测（万元）": [230560, 1200], "条数": [19.0, np.nan], "得分": [85.91, 100.0]}
    )
    rows = markdown.markdown_table(df).splitlines()[2:]
    # whole numbers: thousands separators, no decimals (never 230560 or 19.00)
    assert rows[0] == "| 230,560 | 19 | 85\\.91 |"
    assert rows[1] == "| 1,200 | — | 100\\.00 |"  # a column keeps one number of decimals


def test_one_number_style_also_in_object_columns_with_dashes():
    from evalkit.present.format import for_page

    df = for_page(pd.DataFrame({"零分值": [0.0, 100.0, np.nan], "名称": ["甲", "乙", "丙"]}))
    rows = markdown.markdown_table(df).splitlines()[2:]
    assert [r.split(" | ")[0] for r in rows] == ["| 0", "| 100", "| —"]


def test_year_columns_are_written_as_years():
    df = pd.DataFrame(
        {"年度": [2024, 2026], "签约年份": [2021.0, np.nan], "到位资金（万元）": [2086, 1000]}
    )
    rows = markdown.markdown_table(df).splitlines()[2:]
    assert rows == ["| 2024 | 2021 | 2,086 |", "| 2026 | — | 1,000 |"]


def test_raw_html_blocks_are_removed_and_the_rest_kept():
    text = f"前\n\n{markdown.raw_html_block('<p>```x```</p>')}\n| a |\n|---|\n| 1 |\n"
    assert markdown.without_raw_html_blocks(text) == "前\n\n\n| a |\n|---|\n| 1 |\n"
    # Code that is not a raw HTML block stays.
    code = "```python\nx = 1\n```\n"
    assert markdown.without_raw_html_blocks(code) == code
