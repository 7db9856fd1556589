"""The staged site project (``build/site-src``) is in the form Quarto reads as intended.

Quarto joins a notebook cell whose ``source`` is one string without its line breaks
(a ``{=html}`` fence becomes inline code, front matter becomes body text), and it
merges a second front-matter block silently. These checks read the staged project
the pipeline hands to either renderer; they need no Quarto.
"""

import json
import re

import pytest
import yaml

from evalkit.core import paths, schema
from evalkit.run import site


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    mp = pytest.MonkeyPatch()
    mp.setenv("EVALKIT_BUILD_DIR", str(build))
    # The committed reports (``make test`` points EVALKIT_REPORTS_DIR at nbval's scratch copy).
    mp.setenv("EVALKIT_REPORTS_DIR", str(paths.ROOT / "reports"))
    try:
        yield site.stage_project(renderer="smalldocs")
    finally:
        mp.undo()


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
        "[ 1/27] reports/2026/index.ipynb\n\nWARN (src/x.ts): unknown option fig-alt\n"
        "Output created: _site/index.html\nERROR: something\n"
    )
    assert site.quarto_warnings(stderr) == [
        "WARN (src/x.ts): unknown option fig-alt",
        "ERROR: something",
    ]
