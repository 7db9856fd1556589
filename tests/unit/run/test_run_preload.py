"""What a zygote preloads: the PRELOAD modules the run's notebooks reach, no more."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import nbformat
import pytest

from evalkit import paths
from evalkit.run import preload


def _notebook(tmp_path, *sources: str, name: str = "page"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_notebook_without_third_party_imports_preloads_only_the_kernel(tmp_path):
    nb = _notebook(tmp_path, "import json, os\nx = json.dumps({})")
    assert preload.preload_for([nb]) == preload.KERNEL_START
    assert preload.KERNEL_START[0] == "ipykernel.kernelapp"


def test_evalkit_modules_are_followed_to_what_they_import(tmp_path):
    # evalkit.store reads the curated parquet tables with pandas: numpy, pandas,
    # pyarrow.parquet and pyarrow.dataset; PyYAML for the store's metadata; not
    # matplotlib, scipy or openpyxl.
    nb = _notebook(tmp_path, "from evalkit import store\ndf = store.read_table('projects', 'data')")
    assert preload.preload_for([nb]) == (
        "numpy",
        "pandas",
        "pyarrow.parquet",
        "pyarrow.dataset",
        "yaml",
        *preload.KERNEL_START,
    )


def test_what_evalkit_imports_inside_a_function_is_preloaded_too(tmp_path):
    # evalkit.report imports openpyxl only in the function that writes a table's Excel
    # download, which every page calls: a kernel would import it at that call.
    nb = _notebook(tmp_path, "from evalkit import report")
    assert "openpyxl" in preload.preload_for([nb])
    assert "openpyxl" not in preload.preload_for([_notebook(tmp_path, "from evalkit import store")])


def test_only_the_functions_of_modules_a_page_names_count_and_only_for_third_party():
    # The index page names evalkit.topics.composite.present, whose chart functions import
    # evalkit.figures (matplotlib); the page draws no figure, so its zygote imports no
    # matplotlib, scipy or statsmodels; it still gets openpyxl (evalkit.report).
    got = preload.preload_for([paths.ROOT / "notebooks" / "index.ipynb"])
    assert "openpyxl" in got and "filelock" in got
    assert not {"matplotlib", "scipy.stats", "statsmodels.regression.linear_model"} & set(got)


def test_the_union_over_notebooks_keeps_preload_order(tmp_path):
    a = _notebook(tmp_path, "import scipy.stats", name="a")
    b = _notebook(tmp_path, "import matplotlib.pyplot as plt", name="b")
    assert preload.preload_for([a, b]) == (
        "numpy",
        "matplotlib",
        "matplotlib.pyplot",
        "scipy.stats",
        *preload.KERNEL_START,
    )


@pytest.mark.parametrize("cell", ["%time x = 1", "import json\nif True print(1)"])
def test_a_cell_that_is_not_python_preloads_everything(tmp_path, cell):
    assert preload.preload_for([_notebook(tmp_path, cell)]) == preload.PRELOAD
    assert preload.preload_for([tmp_path / "missing.ipynb"]) == preload.PRELOAD


def test_imports_inside_functions_are_not_followed_those_in_classes_are():
    tree = ast.parse(
        "import a\n"
        "def f():\n    import b\n"
        "class C:\n    import c\n"
        "if x:\n    from d import e\n"
        "try:\n    from . import g\nexcept ImportError:\n    import h\n"
        "match y:\n    case 1:\n        import i\n"
        "with z:\n    import j\n"
    )
    found = {"a", "c", "d", "d.e", ".", ".g", "h", "i", "j"}
    assert preload._imports(tree) == found
    # With calls: a function's imports count too (the page calls it).
    assert preload._imports(tree, calls=True) == found | {"b"}


def test_relative_imports_resolve_from_the_module_or_package():
    assert preload._resolve(".x", "evalkit.run.execute", False) == "evalkit.run.x"
    assert preload._resolve("..figures", "evalkit.run.execute", False) == "evalkit.figures"
    assert preload._resolve(".", "evalkit.run", True) == "evalkit.run"
    assert preload._resolve(".fork", "evalkit.run", True) == "evalkit.run.fork"
    assert preload._resolve("pandas", "evalkit.run", True) == "pandas"


@pytest.mark.parametrize("page", ["index", "impact"])
def test_what_a_page_imports_when_its_imports_run_is_preloaded(page):
    # The page's own import statements, run in a new interpreter: every PRELOAD module
    # they load must be in the page's preload (a kernel never pays for one the zygote
    # could have imported).
    template = paths.ROOT / "notebooks" / f"{page}.ipynb"
    nb = json.loads(template.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    lines.append(ast.unparse(node))
    assert lines, "the page imports something"
    code = (
        "\n".join(lines)
        + f"\nimport sys\nprint([m for m in {preload.PRELOAD!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(out.stdout.strip()))
    assert "pandas" in loaded
    assert loaded <= set(preload.preload_for([template]))


def test_what_every_kernel_imports_at_start_is_what_a_launched_kernel_has_imported():
    # KERNEL_START is preloaded for every notebook: each module must be one a kernel
    # launched normally (not forked) has imported before its first cell runs, so a
    # forked kernel holds no module a fresh one would not.
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(
        kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=CRITICAL"]
    )
    try:
        out: list[str] = []
        code = f"import sys\nprint([m for m in {preload.KERNEL_START!r} if m not in sys.modules])"
        reply = kc.execute_interactive(
            code,
            output_hook=lambda m: out.append(m["content"].get("text", "")),
            timeout=60,
        )
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert ast.literal_eval("".join(out).strip()) == []


def test_the_repositorys_pages_reach_every_preload_module():
    # All eight pages together reach every module of PRELOAD (numpy, pandas, pyarrow,
    # matplotlib, scipy, statsmodels, openpyxl, PyYAML, filelock): the walk stops as soon
    # as every module is kept, with the same answer.
    templates = sorted((paths.ROOT / "notebooks").glob("*.ipynb"))
    assert len(templates) >= 8
    assert preload.preload_for(templates) == preload.PRELOAD
