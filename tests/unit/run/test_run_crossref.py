"""smalldocs' missing table/figure numbers, written in as Quarto numbers them."""

from __future__ import annotations

from evalkit.run import crossref

NB = "\u00a0"


def test_tables_and_figures_numbered_separately_in_document_order():
    texts = [
        "| a |\n|---|\n| 1 |\n\n: 第一表 {#tbl-a}\n",
        '![第一图](figures/x.png){#fig-x fig-alt="x"}\n',
        "| b |\n|---|\n| 2 |\n\n: 第二表 {#tbl-b}\n\n| c |\n|---|\n| 3 |\n\n: 无标签\n",
        "见 @tbl-b、@fig-x 与 @tbl-unknown；邮箱 a@tbl-b 不变。",
    ]
    out = crossref.number_markdown(texts)
    assert out[0].endswith(f": 表{NB}1: 第一表 {{#tbl-a}}\n")
    assert out[1].startswith(f"![图{NB}1: 第一图](figures/x.png){{#fig-x")
    assert f": 表{NB}2: 第二表 {{#tbl-b}}" in out[2]
    assert out[2].endswith(": 无标签\n")  # no label, no number (as in Quarto)
    assert out[3] == f"见 表{NB}2、图{NB}1 与 @tbl-unknown；邮箱 a@tbl-b 不变。"


def test_number_notebook_reads_markdown_cells_and_markdown_outputs_only():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["如 @tbl-t 所示。\n"]},
            {
                "cell_type": "code",
                "source": [],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": [": x {#tbl-s}\n"]},
                    {
                        "output_type": "display_data",
                        "data": {"text/markdown": ["| a |\n", "|---|\n", "\n", ": 表 {#tbl-t}\n"]},
                    },
                ],
            },
        ]
    }
    crossref.number_notebook(nb)
    assert nb["cells"][0]["source"] == [f"如 表{NB}1 所示。\n"]
    out = nb["cells"][1]["outputs"]
    assert out[0]["text"] == [": x {#tbl-s}\n"]  # streams untouched
    assert out[1]["data"]["text/markdown"][-1] == f": 表{NB}1: 表 {{#tbl-t}}\n"
