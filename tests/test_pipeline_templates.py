"""The template notebooks follow what the pipeline relies on (CONTRIBUTING.md).

Checked statically, without running anything: front matter with a title, one
``parameters`` cell of plain literals (``year``, ``as_of``, ``data_dir``),
``metadata.evalkit.reads`` naming existing curated tables (it decides when a
notebook runs again) and ``order``, and no code cell ending in ``;`` (nbval
re-executes with ``store_history=False``, so IPython no longer suppresses the
value: the committed report would then differ, nbval issue #194).
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from evalkit import paths, site
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

    meta = nb.get("metadata", {}).get("evalkit", {})
    assert isinstance(meta.get("reads"), list), "metadata.evalkit.reads missing"
    unknown = set(meta["reads"]) - set(TABLES) - EXTRA_INPUTS
    assert not unknown, f"unknown curated tables in evalkit.reads: {sorted(unknown)}"
    assert isinstance(meta.get("order"), int | float), "metadata.evalkit.order missing"

    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            lines = [ln for ln in _source(cell).rstrip().splitlines() if ln.strip()]
            assert not (lines and lines[-1].rstrip().endswith(";")), (
                f"cell {i} ends with ';' — nbval shows its value (use `_ = ...`)"
            )
