"""The index, comprehensive and closing-review notebooks read stored results and never recompute."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
NOTEBOOKS = ["index", "comprehensive", "closing_review"]
MAX_CELL_LINES = 15


def code_cells(name):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return nb, ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_code_cell_is_long(name):
    _, cells = code_cells(name)
    lengths = [len(src.strip("\n").split("\n")) for src in cells]
    assert max(lengths) <= MAX_CELL_LINES, lengths


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_reads_stored_results_and_never_evaluates(name):
    _, cells = code_cells(name)
    code = "\n".join(cells)
    assert "evalkit.results.load(" in code
    for recompute in (
        "evaluate(",
        "attainment(",
        "read_table(",
        ".sensitivity(",
        "ax.plot",
        "ax.bar",
    ):
        assert recompute not in code, recompute
