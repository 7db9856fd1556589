"""A year's executed reports in the Quarto-native output format (issue #14), for the editions.

``make_year(folder)`` writes ``folder/<YEAR>/`` with executed notebooks (index,
comprehensive, reforms, data_quality) whose code cells' outputs are ``text/markdown``
pipe tables with a ``: caption {#tbl-…}`` line, a figure
``![caption](figures/<name>.png){#fig-… fig-alt="…"}`` with its PNG, a callout, download
links, plus what the editions must leave out (code sources, ``text/plain``-only and HTML
outputs, hidden cells), a ``summary.json`` and hostile submitted text in a table.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from evalkit.report import md_escape

YEAR = 2026
AS_OF = "2026-10-31"
#: Text that must never appear in an edition.
CODE_MARKER = "SECRET_CODE_SOURCE_7731"
PLAIN_MARKER = "PLAIN_ONLY_OUTPUT_7731"
HTML_MARKER = "HTML_OUTPUT_7731"
HIDDEN_MARKER = "HIDDEN_CELL_OUTPUT_7731"
#: Submitted project names that must show literally (not run, not formatted).
HOSTILE = [
    "<script>alert('x')</script>",
    "{{< include /etc/passwd >}}",
    "*粗体* _斜体_ `code`",
    '=HYPERLINK("http://example.invalid")',
    "+1+2 | -3 @SUM(A1)",
    "[点我](javascript:alert(1))",
]
ZONES = {"suihua_etdz": "绥化经开区片区", "zhaodong": "肇东片区", "qinggang": "青冈片区"}

SUMMARY = {
    "as_of": AS_OF,
    "year": YEAR,
    "synthetic_data": True,
    "zones": {
        "suihua_etdz": {
            "composite_score": 85.91,
            "rank": 1,
            "reforms_replicated": 19,
            "reforms_original": 3,
            "funds_in_place_wan_yuan": 241042.5,
            "funds_yoy_growth": 0.340002,
            "targets_met": {
                "reforms_replicated": False,
                "reforms_original": True,
                "funds_growth": True,
            },
        },
        "zhaodong": {
            "composite_score": 76.37,
            "rank": 2,
            "reforms_replicated": 14,
            "reforms_original": 2,
            "funds_in_place_wan_yuan": 183314.5,
            "funds_yoy_growth": 0.245,
            "targets_met": {
                "reforms_replicated": False,
                "reforms_original": False,
                "funds_growth": False,
            },
        },
        "qinggang": {
            "composite_score": 44.04,
            "rank": 3,
            "reforms_replicated": 11,
            "reforms_original": 1,
            "funds_in_place_wan_yuan": 66080.7,
            "funds_yoy_growth": -0.128669,
            "targets_met": {
                "reforms_replicated": False,
                "reforms_original": False,
                "funds_growth": None,
            },
        },
    },
}


def table_md(header: list[str], rows: list[list[str]], caption: str, label: str) -> str:
    """Return a pipe table of escaped cells followed by its caption line (issue #14 format)."""
    lines = ["| " + " | ".join(md_escape(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n: {md_escape(caption)} {{#tbl-{label}}}\n"


def figure_md(name: str, caption: str, alt: str) -> str:
    """Return the markdown of a figure file ``figures/<name>.png``."""
    return f'![{md_escape(caption)}](figures/{name}.png){{#fig-{name} fig-alt="{alt}"}}\n'


def _md_out(text: str) -> dict:
    return nbformat.v4.new_output(
        "display_data",
        data={"text/markdown": text, "text/plain": "<IPython.core.display.Markdown object>"},
    )


def _code(source: str, outputs: list, tags=()) -> dict:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = outputs
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _page(title: str, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    front = nbformat.v4.new_raw_cell(f"---\ntitle: {title}\n---")
    params = _code(f"#| include: false\nyear = {YEAR}", [], tags=["parameters", "remove-cell"])
    nb.cells = [front, params, *cells]
    return nb


def _download(name: str) -> dict:
    return _md_out(
        f"[下载数据 {name}.csv](tables/{name}.csv) · [Excel（{name}.xlsx）](tables/{name}.xlsx)"
    )


def _png(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=80)
    ax.bar([0, 1, 2], [85.91, 76.37, 44.04], color="0.4")
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


#: Every table and figure caption per page, in order (what the editions must show).
CAPTIONS = {
    "index": ["2026 年各片区三项硬性目标完成情况（页面）"],
    "comprehensive": ["2026 年各片区维度得分与综合得分（0—100 分）", "2026 年各指标数值与得分"],
    "reforms": ["2026 年报送的改革事项（含原文）"],
    "data_quality": ["隔离行清单"],
}
FIGURES = {"comprehensive": ["2026 年各片区综合得分"]}


def _notebooks() -> dict[str, nbformat.NotebookNode]:
    zones = list(ZONES.values())
    index = _page(
        "年度评估摘要",
        [
            nbformat.v4.new_markdown_cell("本页是先导区本年度评估报告的摘要。"),
            nbformat.v4.new_markdown_cell("## 一、硬性目标完成情况"),
            _code(
                f"show_table(lights)  # {CODE_MARKER}",
                [
                    _md_out(
                        table_md(
                            ["片区", "复制推广经验"],
                            [[z, "× 未达标"] for z in zones],
                            CAPTIONS["index"][0],
                            "summary-targets",
                        )
                    ),
                    _download("summary_targets"),
                ],
            ),
            nbformat.v4.new_markdown_cell("## 三、主要发现"),
            _code(
                "findings()",
                [
                    _md_out(
                        "1. 综合评估第 1 名为绥化经开区片区（85.9 分）。"
                        " [详见：年度综合评估](comprehensive.html)\n"
                        "2. 到位资金增速最高的是绥化经开区片区（+34.0%）。\n"
                    )
                ],
            ),
            nbformat.v4.new_markdown_cell(
                "## 本年度各评估页面\n\n- [年度综合评估](comprehensive.html)"
            ),
        ],
    )
    comprehensive = _page(
        "年度综合评估",
        [
            nbformat.v4.new_markdown_cell("本页把五个维度的指标汇总为各片区 0—100 分的综合得分。"),
            nbformat.v4.new_markdown_cell("## 一、综合得分与排名"),
            _code(
                f"x = 1  # {CODE_MARKER}",
                [
                    _md_out(
                        table_md(
                            ["片区", "综合得分（分）", "排名"],
                            [
                                [z, s, str(i + 1)]
                                for i, (z, s) in enumerate(
                                    zip(zones, ["85.91", "76.37", "44.04"], strict=True)
                                )
                            ],
                            CAPTIONS["comprehensive"][0],
                            "composite-scores",
                        )
                    ),
                    _download("composite_scores"),
                    _md_out(
                        figure_md(
                            "composite_scores",
                            FIGURES["comprehensive"][0],
                            "三个片区的综合得分柱状图",
                        )
                    ),
                    nbformat.v4.new_output("display_data", data={"text/plain": PLAIN_MARKER}),
                    nbformat.v4.new_output(
                        "display_data",
                        data={"text/html": f"<p>{HTML_MARKER}</p>", "text/plain": "x"},
                    ),
                    nbformat.v4.new_output("stream", name="stdout", text=PLAIN_MARKER),
                ],
            ),
            _code("hidden()", [_md_out(HIDDEN_MARKER)], tags=["remove-output"]),
            nbformat.v4.new_markdown_cell("## 二、各指标数值与得分\n\n### 1. 制度创新"),
            _code(
                "show_table(ind)",
                [
                    _md_out(
                        table_md(
                            ["维度", "指标", "片区", "数值"],
                            [["制度创新", "复制推广改革试点经验", z, "19"] for z in zones],
                            CAPTIONS["comprehensive"][1],
                            "composite-indicators",
                        )
                    ),
                    _md_out(
                        '::: {.callout-warning title="数据缺口"}\n'
                        "青冈片区缺少 2 项指标的数据。\n:::\n"
                    ),
                ],
            ),
        ],
    )
    reforms = _page(
        "改革试点经验复制推广与自主创新专项评估",
        [
            nbformat.v4.new_markdown_cell("## 一、报送的改革事项"),
            _code(
                "show_table(items)",
                [
                    _md_out(
                        table_md(
                            ["片区", "事项名称"],
                            [[zones[i % 3], h] for i, h in enumerate(HOSTILE)],
                            CAPTIONS["reforms"][0],
                            "reform-items",
                        )
                    )
                ],
            ),
        ],
    )
    data_quality = _page(
        "数据质量：报送数据校验与隔离清单",
        [
            nbformat.v4.new_markdown_cell("共隔离 7 行无效数据。"),
            _code(
                "show_table(q)",
                [
                    _md_out(
                        table_md(
                            ["文件", "原因"],
                            [["funds.xlsx", "金额为负"]],
                            CAPTIONS["data_quality"][0],
                            "quarantine",
                        )
                    )
                ],
            ),
        ],
    )
    return {
        "index": index,
        "comprehensive": comprehensive,
        "reforms": reforms,
        "data_quality": data_quality,
    }


def make_year(folder: Path, summary: dict | None = None) -> Path:
    """Write a year's reports in the new output format under *folder*; return ``folder/<YEAR>``."""
    year_dir = Path(folder) / str(YEAR)
    (year_dir / "figures").mkdir(parents=True, exist_ok=True)
    for name, nb in _notebooks().items():
        nbformat.write(nb, year_dir / f"{name}.ipynb")
    _png(year_dir / "figures" / "composite_scores.png")
    (year_dir / "summary.json").write_text(
        json.dumps(summary or SUMMARY, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return year_dir
