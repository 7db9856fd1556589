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


def test_key_points_box_is_a_titled_callout_of_one_to_five_sentences():
    box = report.key_points(["甲片区达标。", " ", "乙片区存在风险。"])
    assert box.text == (
        '::: {.callout-tip title="要点 / Key points"}\n- 甲片区达标。\n- 乙片区存在风险。\n:::\n'
    )
    for bad in ([], ["一"] * 6):
        with pytest.raises(ValueError, match="1 to 5 sentences"):
            report.key_points(bad)


def test_page_header_names_a_synthetic_dataset_not_made_by_evalkit_escaped(tmp_path):
    import json

    curated = tmp_path / "curated"
    curated.mkdir()
    meta = {"synthetic": True, "dataset": "*培训*数据 <b>", "generator": "Excel"}
    (curated / "_meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    head = report.page_header(2026, "2026-10-31", str(tmp_path))
    assert head.text.startswith(
        ":::: {.evalkit-page-header}\n**评估年度 2026** · 数据截至 2026\\-10\\-31\n"
    )
    assert head.text.endswith("::::\n")
    assert '::: {.callout-warning appearance="minimal"}\n合成数据：' in head.text
    assert "\\*培训\\*数据 &lt;b&gt;" in head.text and "evalkit 的合成数据生成器" not in head.text
    (curated / "_meta.json").write_text(json.dumps({"synthetic": False}), "utf-8")
    assert "callout" not in report.page_header(2026, "2026-10-31", str(tmp_path)).text
