"""The staged site project (``build/site-src``) is in the form Quarto reads as intended.

Quarto joins a notebook cell whose ``source`` is one string without its line breaks
(a ``{=html}`` fence becomes inline code, front matter becomes body text), and it
merges a second front-matter block silently. These checks read the staged project
the pipeline hands to either renderer; they need no Quarto.
"""

import json
import re
import shutil

import yaml

from evalkit.core import paths, schema
from evalkit.run import site, site_pages


def notebooks(src):
    found = sorted(src.rglob("*.ipynb"))
    assert found, "nothing staged"
    return found


def test_every_cell_source_and_text_output_is_a_list_of_whole_lines(staged):
    for path in notebooks(staged):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            where = f"{path.relative_to(staged)} cell {i}"
            assert isinstance(cell["source"], list), where
            assert all(line.endswith("\n") for line in cell["source"][:-1]), where
            for out in cell.get("outputs", []):
                for mime, value in (out.get("data") or {}).items():
                    if mime.startswith("text/"):
                        assert isinstance(value, list), f"{where} {mime}"


def test_one_front_matter_block_per_page_in_the_first_cell(staged):
    for path in notebooks(staged):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        fronts = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "raw" and "".join(c["source"]).lstrip().startswith("---")
        ]
        assert fronts == [0], f"{path.relative_to(staged)}: front matter in cells {fronts}"
        assert "\\u" not in "".join(cells[0]["source"]), "titles are written as text, not escapes"
    for path in sorted(staged.glob("*.qmd")):
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"^---\s*\ntitle:", text, re.M)
        assert text.startswith("---") and len(blocks) == 1, path.name


def test_the_site_names_the_configured_pilot_zone(staged):
    cfg = yaml.safe_load((staged / "_quarto.yml").read_text(encoding="utf-8"))
    assert cfg["website"]["title"] == f"{schema.PILOT_ZONE.short_name}评估报告"
    assert schema.PILOT_ZONE.name in cfg["website"]["description"]


def test_canonical_form_splits_string_sources_keeping_line_ends():
    nb = {"cells": [{"cell_type": "markdown", "source": "a\n```{=html}\n<b>x</b>\n```"}]}
    out = site.canonical_notebook(nb)
    assert out["cells"][0]["source"] == ["a\n", "```{=html}\n", "<b>x</b>\n", "```"]
    assert nb["cells"][0]["source"].startswith("a\n")  # the input is not modified


def test_quarto_warnings_keep_warnings_and_drop_progress():
    stderr = (
        "\x1b[1m\x1b[34m\n[ 1/27] reports/2026/index.ipynb\n\n"
        "\x1b[33mWARN (src/x.ts): unknown option fig-alt\x1b[39m\n"
        "Output created: _site/index.html\nERROR: something\n"
    )
    assert site.quarto_warnings(stderr) == [
        "WARN (src/x.ts): unknown option fig-alt",
        "ERROR: something",
    ]


# --- Quarto-native outputs (issue #14) ----------------------------------------------
#
# Quarto adds require.js and jQuery from a public CDN to any page whose notebook has a
# ``text/html`` or ``application/javascript`` output (quarto-cli src/core/jupyter/
# widgets.ts, extractJupyterWidgetDependencies); Word and PDF drop such outputs.

_TABLE_CAPTION = re.compile(r"^: (.+?)(?: \{#(tbl-[A-Za-z0-9_-]+)\})?\s*$", re.M)
_FIGURE = re.compile(r"!\[(.*?)\]\(([^)\s]+)\)\{#(fig-[A-Za-z0-9_-]+) fig-alt=\"([^\"]+)\"\}")


def _outputs(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        yield from cell.get("outputs", []) if cell["cell_type"] == "code" else []


def _markdown_outputs(path):
    for out in _outputs(path):
        if "text/markdown" in (out.get("data") or {}):
            yield "".join(out["data"]["text/markdown"])


def test_no_html_or_javascript_outputs(staged):
    for path in notebooks(staged):
        for out in _outputs(path):
            mimes = set(out.get("data") or {})
            where = path.relative_to(staged)
            assert not mimes & {"text/html", "application/javascript"}, f"{where}: {mimes}"
            # Pictures are files shown by Markdown figures, never inline image outputs.
            assert not any(m.startswith("image/") for m in mimes), f"{where}: {mimes}"


def test_tables_and_figures_are_captioned_labelled_and_numbered(staged):
    n_tables = n_figures = 0
    for path in notebooks(staged):
        where = path.relative_to(staged)
        labels = []
        for md in _markdown_outputs(path):
            outside_raw = re.sub(r"(`{3,})\{=html\}\n.*?\n\1\n", "", md, flags=re.S)
            for line in outside_raw.splitlines():
                # Raw HTML only inside a {=html} block (the search box of long lists).
                assert not re.match(r"\s*<(table|div|p|img|script)\b", line), f"{where}: {line}"
            for caption, label in _TABLE_CAPTION.findall(md):
                assert label, f"{where}: table caption without a label: {caption}"
                # smalldocs numbers nothing itself: staging writes Quarto's numbers in.
                assert re.match(r"表\u00a0\d+: ", caption), f"{where}: {caption}"
                labels.append(label)
                n_tables += 1
            for caption, src, label, alt in _FIGURE.findall(md):
                assert re.match(r"图\u00a0\d+: \S", caption) and alt.strip(), f"{where}: {label}"
                assert (path.parent / src).is_file(), f"{where}: {src} missing"
                labels.append(label)
                n_figures += 1
            assert "![" not in _FIGURE.sub("", md), f"{where}: an image without label/alt"
        assert len(labels) == len(set(labels)), f"{where}: duplicate labels"
        tables = [int(n) for n in re.findall(r"表\u00a0(\d+): ", "".join(_markdown_outputs(path)))]
        assert tables == list(range(1, len(tables) + 1)), f"{where}: table numbers {tables}"
    # Every year's topic pages have tables and figures (a silent loss would show here).
    assert n_tables >= 100 and n_figures >= 30, (n_tables, n_figures)


def test_staged_config_ships_figures_and_sets_quarto_only_options_for_quarto(staged, tmp_path):
    cfg = yaml.safe_load((staged / "_quarto.yml").read_text(encoding="utf-8"))
    assert "reports/*/figures/*" in cfg["project"]["resources"]
    # smalldocs would warn that it ignores Quarto's column-width option: not given to it.
    assert "tbl-colwidths" not in cfg["format"]["html"]
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    site_pages.stage_renderer_options(tmp_path, "quarto")
    quarto = yaml.safe_load((tmp_path / "_quarto.yml").read_text(encoding="utf-8"))
    assert quarto["format"]["html"]["tbl-colwidths"] is False
    assert quarto["format"]["html"]["lang"] == "zh" and quarto["website"] == cfg["website"]


def test_a_render_with_warnings_says_so(tmp_path, monkeypatch):
    """Quarto's stderr is shown on success, filtered, and the run says it had warnings."""
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\nprintf '[ 1/2] index.ipynb\\nWARN: unknown crossref tbl-9\\n' >&2\n", "utf-8"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    said = []
    site.render_project(tmp_path, "quarto", out=said.append)
    assert said == [
        "  ! quarto: WARN: unknown crossref tbl-9",
        "渲染有 1 条警告 / quarto rendered with 1 warning(s), listed above",
    ]


def test_no_straight_quotes_around_chinese_text_in_page_sources(staged):
    """Pandoc's smart quotes pair ``"键"`` as ”键” (two closing quotes): write “键” instead."""
    cjk_quote = re.compile(r'"[\u4e00-\u9fff]|[\u4e00-\u9fff]"')
    texts = {p.name: p.read_text(encoding="utf-8") for p in staged.glob("*.qmd")}
    for path in notebooks(staged):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                texts[f"{path.relative_to(staged)} cell {i}"] = "".join(cell["source"])
    for where, text in texts.items():
        body = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)  # front matter is YAML
        body = re.sub(r"(`{3,}).*?\1|`[^`\n]*`", "", body, flags=re.S)  # code stays as is
        assert not cjk_quote.search(body), f"{where}: {cjk_quote.search(body).group()!r}"


#: Topic pages that open with a "要点" box (the home page's table is its answer; the
#: data-quality page opens with its count sentence).
KEY_POINT_PAGES = {"investment", "reforms", "logistics", "impact", "comprehensive"}


def test_topic_pages_open_with_a_key_points_box(staged):
    seen = 0
    for path in notebooks(staged):
        if path.stem not in KEY_POINT_PAGES and path.stem != "closing_review":
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        box_at = first_heading = None
        for i, cell in enumerate(cells):
            text = "".join(cell["source"])
            if first_heading is None and cell["cell_type"] == "markdown" and text.startswith("## "):
                first_heading = i
            for out in cell.get("outputs", []):
                md = "".join((out.get("data") or {}).get("text/markdown", ""))
                if md.startswith('::: {.callout-tip title="要点 / Key points"}'):
                    assert box_at is None, f"{path}: two key-points boxes"
                    box_at = i
                    bullets = [line for line in md.splitlines() if line.startswith("- ")]
                    assert 1 <= len(bullets) <= 5, (path, bullets)
        if path.stem == "closing_review" and box_at is None:
            continue  # a year before the last: the closing review is a placeholder
        assert box_at is not None, f"{path.relative_to(staged)}: no key-points box"
        assert first_heading is None or box_at < first_heading, path.relative_to(staged)
        seen += 1
    assert seen >= 3 * len(KEY_POINT_PAGES) + 1, seen


def test_the_years_summary_links_its_editions_only_when_built(tmp_path):
    assert site_pages.edition_links_markdown(2026, tmp_path) == ""
    (tmp_path / "report-2026.pdf").write_bytes(b"%PDF")
    assert site_pages.edition_links_markdown(2026, tmp_path) == (
        "**2026 年度评估报告正式文本 / Official editions**：[PDF 版（report-2026.pdf）](report-2026.pdf)\n"
    )
    (tmp_path / "report-2026.docx").write_bytes(b"PK")
    assert "[Word 版（report-2026.docx）](report-2026.docx) · [PDF 版" in (
        site_pages.edition_links_markdown(2026, tmp_path)
    )
    md = {"cell_type": "markdown"}
    cells = [
        {"cell_type": "raw", "source": ["---\n"]},
        {**md, "source": ["## 一、目标\n"]},
        {**md, "source": ["## 本年度各评估页面\n"]},
        {**md, "source": ['<div class="evalkit-provenance">']},
    ]
    assert site_pages.before_last_section(cells) == 2
    assert site_pages.before_last_section([cells[0], cells[3]]) == 1


def test_the_home_page_links_only_pages_its_year_has(tmp_path, monkeypatch):
    """Latest year 2025 (no closing review before 2026): the home page does not link one."""
    reports = tmp_path / "reports"
    for year in (2024, 2025):
        shutil.copytree(paths.ROOT / "reports" / str(year), reports / str(year))
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(reports))
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    src = site.stage_project(renderer="smalldocs")
    committed = (paths.ROOT / "reports" / "2025" / "index.ipynb").read_text("utf-8")
    assert "(closing_review.html)" in committed  # the template lists it every year
    home = (src / "index.ipynb").read_text("utf-8")
    assert "closing_review" not in home
    assert "(reports/2025/investment.html)" in home  # the year's other pages stay linked
