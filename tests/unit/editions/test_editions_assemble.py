import re

import nbformat
import pytest

from evalkit.editions import assemble


def _md(text):
    return nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "x"})


def _nb(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _code(source, outputs, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = outputs
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_markdown_cells_and_markdown_outputs_in_order():
    nb = _nb(
        [
            nbformat.v4.new_raw_cell("---\ntitle: T\n---"),
            nbformat.v4.new_markdown_cell("## 一、甲"),
            _code("show()", [_md("| a |\n|---|\n| 1 |\n\n: cap {#tbl-a}")]),
            nbformat.v4.new_markdown_cell("正文"),
        ]
    )
    text = assemble.notebook_markdown(nb)
    assert text == "## 一、甲\n\n| a |\n|---|\n| 1 |\n\n: cap {#tbl-a}\n\n正文"


@pytest.mark.parametrize(
    "cell",
    [
        _code("print(1)", [nbformat.v4.new_output("stream", name="stdout", text="LEAK")]),
        _code("x", [nbformat.v4.new_output("display_data", data={"text/plain": "LEAK"})]),
        _code("x", [nbformat.v4.new_output("display_data", data={"text/html": "LEAK"})]),
        _code("x", [_md("LEAK")], tags=["remove-cell"]),
        _code("x", [_md("LEAK")], tags=["remove-output"]),
        _code("#| include: false\nx", [_md("LEAK")]),
        _code("#| output: false\nx", [_md("LEAK")]),
        _code("LEAK = 1", []),
        nbformat.v4.new_raw_cell("LEAK"),
    ],
)
def test_what_never_reaches_an_edition(cell):
    nb = _nb([nbformat.v4.new_markdown_cell("keep"), cell])
    assert assemble.notebook_markdown(nb) == "keep"


def test_list_sources_are_joined():
    nb = {"cells": [{"cell_type": "markdown", "source": ["a\n", "b"], "metadata": {}}]}
    assert assemble.notebook_markdown(nb) == "a\nb"


def test_section_of_runs_to_the_next_heading_of_its_level():
    text = "## 一、甲\n\nx\n\n## 三、主要发现\n\n1. f\n\n### 细节\n\ny\n\n## 其他\n\nz"
    assert assemble.section_of(text, "主要发现") == "1. f\n\n### 细节\n\ny"
    assert assemble.section_of(text, "没有") == ""
    assert assemble.section_of("```\n## 主要发现\n```\n", "主要发现") == ""


def test_qmd_body_drops_front_matter_only():
    assert assemble.qmd_body('---\ntitle: "M"\n---\n\n## A\n\n---\n\nb\n') == "## A\n\n---\n\nb"


def test_document_headings_escape_titles_and_mark_annexes():
    doc = assemble.document(
        [
            assemble.Section("标题*一*", "正文"),
            assemble.Section("附件 1　方法", "", numbered=False),
        ]
    )
    assert doc.startswith("# 标题\\*一\\*\n\n正文\n\n")
    assert "# 附件 1　方法 {.unnumbered}\n" in doc


def test_front_matter_title_is_the_page_heading():
    nb = _nb([nbformat.v4.new_raw_cell('---\ntitle: "年度综合评估"\n---'), _code("x", [])])
    assert assemble.front_matter_title(nb) == "年度综合评估"
    assert assemble.front_matter_title(_nb([nbformat.v4.new_markdown_cell("# x")])) is None
    assert assemble.front_matter_title(_nb([nbformat.v4.new_raw_cell("---\n: [\n---")])) is None


def _table(rows, caption=": 表 {#tbl-x}"):
    lines = ["| 片区 | 值 |", "| --- | ---: |"] + [f"| 片区{i} | {i} |" for i in range(rows)]
    return "\n".join(lines) + ("\n\n" + caption if caption else "")


def test_a_table_within_the_limit_is_left_exactly_as_it_is():
    text = "前文\n\n" + _table(3) + "\n\n[下载数据 x.csv](tables/x.csv)\n\n后文"
    assert assemble.cap_tables(text, 3) == text
    assert assemble.cap_tables(text, None) == text


def test_a_long_table_keeps_its_first_rows_its_caption_and_a_note_with_its_length():
    text = "前文\n\n" + _table(5) + "\n\n[下载数据 x.csv](tables/x.csv)\n\n后文"
    out = assemble.cap_tables(text, 2)
    assert out == (
        "前文\n\n| 片区 | 值 |\n| --- | ---: |\n| 片区0 | 0 |\n| 片区1 | 1 |\n\n: 表 {#tbl-x}\n\n"
        + assemble.cut_note(2, 5)
        + "\n\n[下载数据 x.csv](tables/x.csv)\n\n后文"
    )
    assert "前 2 行" in assemble.cut_note(2, 5) and "共 5 行" in assemble.cut_note(2, 5)


def test_a_long_table_without_caption_gets_the_note_right_after_it():
    out = assemble.cap_tables(_table(4, caption=None) + "\n正文紧随", 1)
    assert out.split("\n") == [
        "| 片区 | 值 |",
        "| --- | ---: |",
        "| 片区0 | 0 |",
        "",
        assemble.cut_note(1, 4),
        "",
        "正文紧随",
    ]


def test_every_long_table_is_cut_and_other_pipes_are_not_tables():
    text = "a | b 不是表格\n\n" + _table(4) + "\n\n" + _table(1) + "\n\n" + _table(6, caption=None)
    out = assemble.cap_tables(text, 2)
    assert len(re.findall(r"^\| 片区\d", out, re.MULTILINE)) == 2 + 1 + 2  # body rows kept
    assert out.count("全表共 4 行") == 1 and out.count("全表共 6 行") == 1
    assert out.startswith("a | b 不是表格\n\n")
    with pytest.raises(ValueError):
        assemble.cap_tables(text, 0)


def test_the_reform_lists_search_box_stays_on_the_site():
    import pandas as pd

    from evalkit.topics.reforms.present import SearchableTable

    table = SearchableTable(pd.DataFrame({"事项编号": ["SH-1"]}), caption="事项清单")
    page = table._repr_markdown_()
    assert "{=html}" in page and "<input" in page  # the site's box
    text = assemble.notebook_markdown(_nb([_code("show()", [_md(page)])]))
    assert "{=html}" not in text and "<input" not in text and "oninput" not in text
    assert "| SH\\-1 |" in text and ": 事项清单" in text


def test_text_units_keep_ascii_runs_and_cjk_punctuation_together():
    assert assemble.text_units("county_panel.xlsx") == (17, 17)
    assert assemble.text_units("2025-12-16 至今") == (10, 15)
    # "（" may start a line, "未" may not be left behind it, "）" stays with "准".
    assert assemble.text_units("89.6%（未校准）") == (6, 16)
    assert assemble.text_units("招商引资") == (2, 8)


_WIDE = (
    "| 文件 | 工作表 | 数据表 | 读入行数 | 入库行数 | 隔离行数 |\n"
    "|:---|:---|:---|---:|---:|---:|\n"
    "| county\\_panel\\.xlsx | 县（市、区）面板（年度） | 县（市、区）面板（年度） | 70 | 70 | 0 |\n"
    "| qinggang\\_物流与贸易指标（月度）\\.csv | （CSV） | 物流与贸易指标（月度） | 506 | 506 | 0 |\n"
    "\n: 各报送文件入库情况 {#tbl-files}\n\n后文"
)


def test_a_wide_tables_columns_are_sized_from_their_content():
    text = assemble.fit_tables(_WIDE)
    assert text.startswith('::: {.evalkit-print-table keep="1"}\n')  # short: kept whole
    lines = text.splitlines()[1:]
    wide = _WIDE.splitlines()
    assert lines[0] == wide[0] and lines[2:6] == wide[2:6] and lines[6] == ":::"
    assert lines[7:] == wide[6:]
    dashes = [len(c.strip(":")) for c in lines[1].strip("|").split("|")]
    assert [c[0] == ":" for c in lines[1].strip("|").split("|")] == [True] * 3 + [False] * 3
    assert [c[-1] == ":" for c in lines[1].strip("|").split("|")] == [False] * 3 + [True] * 3
    share = [d / sum(dashes) for d in dashes]
    # The file name column is the widest and holds "county_panel.xlsx" (17 units + insets).
    assert share[0] == max(share) and share[0] * assemble.TABLE_UNITS >= 17 + assemble.CELL_PAD
    assert all(s * assemble.TABLE_UNITS >= 7 for s in share[3:])  # "读入行数" breaks: 2 + pad


def test_a_short_table_is_kept_whole_with_its_caption_and_a_long_one_left_as_it_is():
    narrow = "| 片区 | 条数 |\n|:---|---:|\n| 肇东片区 | 19 |\n\n: 条数 {#tbl-n}"
    kept = '::: {.evalkit-print-table keep="1"}\n' + narrow + "\n:::"
    assert assemble.fit_tables(narrow + "\n\n后文") == kept + "\n\n后文"
    long = "| 片区 | 条数 |\n|:---|---:|\n" + "| 肇东片区 | 19 |\n" * 40 + "\n: 条数 {#tbl-n}"
    assert assemble.fit_tables(long) == long
    rows = [["片区", "条数"], *[["肇东片区", "19"]] * 40]
    assert assemble.table_height(rows, None, assemble.TABLE_PT) > assemble.KEEP_PT


def test_the_height_estimate_counts_the_lines_a_narrow_column_wraps_to():
    rows = [["片区", "说明"], ["肇东片区", "按回测误差校准（6 个片区年度）" * 3]]
    wide = assemble.table_height(rows, [0.5, 0.5], assemble.TABLE_PT)
    narrow = assemble.table_height(rows, [0.9, 0.1], assemble.TABLE_PT)
    assert narrow > 3 * wide > 0


def _numbers_table(columns: int) -> str:
    header = "| " + " | ".join(f"第{i}列（万元）" for i in range(columns)) + " |"
    rule = "|" + "---:|" * columns
    row = "| " + " | ".join("241,042.50" for _ in range(columns)) + " |"
    return f"前文\n\n{header}\n{rule}\n{row}\n\n: 预测 {{#tbl-w}}\n\n后文"


def test_a_table_too_wide_for_the_line_is_set_smaller_with_its_caption():
    text = assemble.fit_tables(_numbers_table(8))  # 8 × 13 units of numbers: 1.24 lines
    lines = text.splitlines()
    start = lines.index('::: {.evalkit-print-table size="8" keep="1"}')
    assert lines[start + 1] == _numbers_table(8).splitlines()[2]
    assert lines[start + 5] == ": 预测 {#tbl-w}"
    assert lines[start + 6] == ":::" and lines[-1] == "后文"
    widths, crowding, room = assemble.column_widths(
        [[c] * 8 for c in ("第1列（万元）", "241,042.50")]
    )
    assert crowding > 1 and widths == [1 / 8] * 8 and room == 1.0


def test_a_table_too_wide_even_at_seven_points_is_printed_on_turned_pages():
    text = assemble.fit_tables(_numbers_table(14))  # 14 × 13 units: 2.2 portrait lines
    opening = next(line for line in text.splitlines() if line.startswith(":::"))
    assert 'landscape="1"' in opening and "keep" not in opening
    size = float(opening.split('size="')[1].split('"')[0])
    assert assemble.MIN_TABLE_PT <= size < assemble.TABLE_PT


def test_a_table_whose_text_columns_would_break_a_character_a_line_is_turned():
    header = [f"名称{i}" for i in range(12)]
    row = ["辽宁自贸试验区粮食仓单质押融资"] * 12  # twelve columns of Chinese text
    _, crowding, room = assemble.column_widths([header, row])
    assert crowding <= 1  # it fits at 10.5 pt, but only broken a character or two a line
    assert room < assemble.LANDSCAPE_ROOM
    lines = ["| " + " | ".join(r) + " |" for r in (header, row)]
    table = "\n".join([lines[0], "|" + "---|" * len(header), lines[1]])
    assert 'landscape="1"' in assemble.fit_tables(table).splitlines()[0]


def test_a_chinese_text_column_keeps_four_characters_when_the_line_allows():
    header = ["片区", "事项名称", *(f"{y}年（条）" for y in range(2019, 2024))]
    row = ["绥化经开区片区", "粮食仓单质押融资", *("1,234" for _ in range(5))]
    widths, crowding, room = assemble.column_widths([header, row])
    assert room == 1.0
    line = assemble.TABLE_UNITS * assemble.TABLE_PT / assemble.table_size(crowding)
    units = [w * line for w in widths]
    assert min(units[:2]) >= assemble.SOFT_UNITS + assemble.CELL_PAD - 1e-9
    assert min(units[2:]) >= assemble.text_units("1,234")[0] + assemble.CELL_PAD - 1e-9


def test_table_size_is_smaller_only_when_needed_and_never_below_the_floor():
    assert assemble.table_size(0.5) == assemble.table_size(1.0) == assemble.TABLE_PT
    assert assemble.MIN_TABLE_PT < assemble.table_size(1.2) < assemble.TABLE_PT
    assert assemble.table_size(5.0) == assemble.MIN_TABLE_PT
