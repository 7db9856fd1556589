"""The template notebooks follow what the pipeline relies on (CONTRIBUTING.md).

Checked statically, without running anything: front matter with a title, one
``parameters`` cell of plain literals (``year``, ``as_of``, ``data_dir``), an
entry in the page registry ``data/config/pages.yaml`` (what it reads decides when
the notebook runs again; see ``test_pipeline_pages``) — a copied
``metadata.evalkit.reads`` is tolerated but must name curated tables — and no
code cell ending in ``;`` (nbval
re-executes with ``store_history=False``, so IPython no longer suppresses the
value: the committed report would then differ, nbval issue #194).
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from evalkit import paths, site
from evalkit.run import registry as reg
from evalkit.schema import TABLES

TEMPLATES = sorted(paths.notebooks_dir().glob("*.ipynb"))
#: Curated files that are not Parquet tables but may be declared as inputs.
EXTRA_INPUTS = {"_intake", "_meta"}


def _source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


pytestmark = pytest.mark.skipif(not TEMPLATES, reason="no template notebooks yet")


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_template_conventions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert cells and cells[0]["cell_type"] == "raw", "first cell must be raw front matter"
    assert site.notebook_title(nb, "") != "", "front matter needs a title"

    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged parameters"
    tree = ast.parse(_source(params[0]))
    names = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        names[node.targets[0].id] = ast.literal_eval(node.value)  # plain literals only
    assert {"year", "as_of", "data_dir"} <= set(names)
    assert isinstance(names["year"], int) and names["data_dir"] == "data"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", names["as_of"])

    page = reg.load(paths.ROOT / "data").page(path.stem)
    assert page is not None, "no entry in data/config/pages.yaml"
    unknown = set(page.reads) - set(TABLES) - EXTRA_INPUTS
    assert not unknown, f"unknown curated tables in pages.yaml reads: {sorted(unknown)}"
    meta = nb.get("metadata", {}).get("evalkit", {})
    if "reads" in meta:  # the copy the registry replaces, until the lead strips it
        assert isinstance(meta["reads"], list), "metadata.evalkit.reads must be a list"
        unknown = set(meta["reads"]) - set(TABLES) - EXTRA_INPUTS
        assert not unknown, f"unknown curated tables in evalkit.reads: {sorted(unknown)}"

    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            lines = [ln for ln in _source(cell).rstrip().splitlines() if ln.strip()]
            assert not (lines and lines[-1].rstrip().endswith(";")), (
                f"cell {i} ends with ';' — nbval shows its value (use `_ = ...`)"
            )
