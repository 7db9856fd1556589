"""Every template notebook is thin and the page registry covers what it loads.

The registry (``data/config/pages.yaml``) is the only place a page's inputs are
declared; these checks read the templates statically (no kernel).
"""

import json
import re

import pytest

from evalkit.core import paths
from evalkit.run import registry

#: The longest code cell a thin notebook may have (parameters, load, present calls).
MAX_CELL_LINES = 15
TEMPLATES = sorted(p.stem for p in (paths.ROOT / "notebooks").glob("*.ipynb"))
REGISTRY = registry.load(paths.ROOT / "data")


def code_cells(name: str) -> list[str]:
    nb = json.loads((paths.ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_every_template_is_registered():
    assert TEMPLATES, "no template notebooks found"
    assert sorted(p.notebook for p in REGISTRY.pages) == TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_code_cell_is_long(name):
    lengths = [len(src.strip("\n").split("\n")) for src in code_cells(name)]
    assert max(lengths) <= MAX_CELL_LINES, lengths


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_template_copies_its_inputs(name):
    nb = json.loads((paths.ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert "evalkit" not in nb["metadata"], "inputs and menu order live in pages.yaml only"


@pytest.mark.parametrize("name", TEMPLATES)
def test_registry_covers_the_topics_a_page_loads(name):
    loaded = set(re.findall(r'evalkit\.results\.load\(\s*"(\w+)"', "\n".join(code_cells(name))))
    page = REGISTRY.page(name)
    assert loaded <= set(page.uses), f"{name} loads {sorted(loaded)}, registry uses {page.uses}"
    # ... and the page's key then covers every table and config file those topics read.
    tables, config = registry.page_inputs(page, REGISTRY)
    closure = registry.topic_closure(loaded)
    assert set(closure["reads"]) <= set(tables)
    assert set(closure["config"]) <= set(config)


def test_a_missing_topic_in_uses_is_caught():
    page = REGISTRY.page("index")
    narrowed = page.__class__(**{**page.__dict__, "uses": ("summary",)})
    loaded = set(re.findall(r'evalkit\.results\.load\(\s*"(\w+)"', "\n".join(code_cells("index"))))
    assert not loaded <= set(narrowed.uses)
