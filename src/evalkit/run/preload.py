"""What a run's kernel zygote imports before it forks kernels (:mod:`evalkit.run.forkkernel`).

Kept apart from :mod:`.forkkernel` so that the run's own process can choose the
modules (:func:`preload_for`) without importing jupyter_client.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

#: What every kernel imports while it starts, whatever its notebook: ``ipykernel.kernelapp``,
#: then, when the kernel object is made, what ipykernel 7 imports only then: its debugger
#: (``ipykernel.debugger``, which imports debugpy), the shell's completer and
#: ``storemagic`` extension, sqlite3 (the shell's history), psutil (ipykernel's usage
#: replies) and tornado's asyncio loop and queues; and, by its first cell, IPython's
#: debugger (pdb) and object inspector. Forked from a zygote without them, each
#: kernel imported them itself: 0.14–0.19 s of CPU from its fork to the last cell of a
#: three-cell notebook, 0.06–0.085 s with them preloaded.
KERNEL_START = (
    "ipykernel.kernelapp",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "psutil",
    "sqlite3",
    "tornado.platform.asyncio",
    "tornado.queues",
)

#: Third-party modules a zygote may import: those most pages import (``evalkit.figures``
#: imports ``matplotlib.pyplot``), ``scipy.stats`` and statsmodels' OLS (impact,
#: investment, closing), and what evalkit's functions import when called: openpyxl (every
#: page writes its tables' Excel downloads, :mod:`evalkit.report`), PyYAML (the
#: configuration), filelock (:mod:`evalkit.results`) and ``pyarrow.dataset`` (pandas'
#: ``read_parquet`` imports it at its first call). Each is otherwise imported again by
#: every kernel that uses it: openpyxl alone took 0.08 s a kernel, in all eight kernels of
#: a 2026 report (``PYTHONPROFILEIMPORTTIME``). :func:`preload_for` keeps those the run's
#: notebooks reach. ``matplotlib`` reads
#: ``MPLBACKEND`` when imported: the zygote imports it with the value ipykernel gives
#: every kernel, so ``rcParams["backend"]`` is what a new kernel would have;
#: ``evalkit.figures`` then selects Agg either way (with pyplot already imported,
#: ``matplotlib.use`` switches to it at once instead of at the first figure; no
#: figure exists before it).
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "pyarrow.dataset",
    "matplotlib",
    "matplotlib.pyplot",
    "scipy.stats",
    "statsmodels.regression.linear_model",
    "openpyxl",
    "yaml",
    "filelock",
    *KERNEL_START,
)

#: For each module of :data:`PRELOAD`: the top-level packages whose import by a notebook
#: (directly or through evalkit's modules) makes preloading it worth it. pandas reads the
#: curated store's parquet files with pyarrow; statsmodels imports scipy.stats.
PRELOAD_WHEN = {
    "numpy": {"numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pyarrow"},
    "pandas": {"pandas", "statsmodels"},
    "pyarrow.parquet": {"pyarrow", "pandas"},
    "matplotlib": {"matplotlib"},
    "matplotlib.pyplot": {"matplotlib"},
    "scipy.stats": {"scipy", "statsmodels"},
    "pyarrow.dataset": {"pyarrow", "pandas"},
    "statsmodels.regression.linear_model": {"statsmodels"},
    "openpyxl": {"openpyxl"},
    "yaml": {"yaml"},
    "filelock": {"filelock"},
    **dict.fromkeys(KERNEL_START),  # None: always, every kernel imports them
}


#: The fields of a statement that hold statements (or ``except`` handlers, ``case``s).
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _import_levels(tree) -> tuple[set[str], set[str]]:
    """Return what the statements of *tree* (an ``ast.Module``) import, in one walk.

    A pair: the modules imported when *tree* runs, and those imported only inside its
    functions (when they are called; a name imported both ways is in the first only).
    ``from a import b`` yields ``a`` and ``a.b`` (``b`` may be a submodule); a relative
    import keeps its dots, to be resolved by the caller.
    """
    top: set[str] = set()
    inner: set[str] = set()
    todo = [(node, False) for node in getattr(tree, "body", [])]
    while todo:
        node, in_function = todo.pop()
        in_function = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        found = inner if in_function else top
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
            sep = "" if base.endswith(".") else "."
            found.update(base + sep + alias.name for alias in node.names if alias.name != "*")
        # Only statements import: follow the blocks of statements (an ``except``'s and a
        # ``case``'s too), never expressions, which hold none (a lambda's body included).
        for field in _BLOCKS:
            todo.extend((child, in_function) for child in getattr(node, field, ()))
    return top, inner - top


def _imports(tree, calls: bool = False) -> set[str]:
    """Return the modules the statements of *tree* (an ``ast.Module``) import when it runs.

    Statements inside functions are skipped (they import when called), unless *calls*
    is true: then they count too, as for a function the notebook calls. See
    :func:`_import_levels`.
    """
    top, inner = _import_levels(tree)
    return top | inner if calls else top


def _evalkit_file(name: str) -> Path | None:
    """Return the source file of evalkit module *name* (``evalkit.a.b``), or None."""
    root = Path(__file__).resolve().parent.parent  # src/evalkit
    rel = name.split(".")[1:]
    package = root.joinpath(*rel, "__init__.py")
    if package.is_file():
        return package
    module = root.joinpath(*rel).with_suffix(".py") if rel else None
    return module if module is not None and module.is_file() else None


def _resolve(name: str, module: str, is_package: bool) -> str:
    """Return the absolute name of import *name* made in evalkit module *module*.

    :func:`importlib.util.resolve_name`, relative to *module* itself when it is a
    package, else to the package that holds it.
    """
    return importlib.util.resolve_name(name, module if is_package else module.rpartition(".")[0])


def preload_for(notebooks) -> tuple[str, ...]:
    """Return the modules of :data:`PRELOAD` that the *notebooks* (paths of .ipynb) will import.

    The notebooks' code cells are read for their imports; evalkit modules among them are
    followed through their own module-level imports. For the modules a page imports by
    name, the third-party imports inside their functions count too: the page calls
    those functions, which may import a module only then (openpyxl in
    :mod:`evalkit.report`). No further: following every function of every module
    reached would preload matplotlib, scipy and statsmodels for the index page alone,
    which draws no figure (:mod:`evalkit.topics.composite.present` imports the figures
    module inside its chart functions). A module of :data:`PRELOAD` is kept when one of
    its :data:`PRELOAD_WHEN` packages is reached.
    Imports made by name at run time (``importlib.import_module``) are not seen: their
    kernels import those modules themselves, as a kernel launched normally would.
    Preloading a module no notebook imports costs every kernel's zygote its import
    (scipy.stats and matplotlib: about 1 s of CPU) and saves nothing. Anything that
    cannot be read (a cell that is not Python, a missing file) gives all of
    :data:`PRELOAD`: a zygote with too much imported costs time, never correctness.
    """
    try:
        seen: set[str] = set()
        todo: list[str] = []
        third_party: set[str] = set()
        for path in notebooks:
            nb = json.loads(Path(path).read_text(encoding="utf-8"))
            for cell in nb.get("cells", []):
                if cell.get("cell_type") != "code":
                    continue
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                todo.extend(_imports(ast.parse(source), calls=True))
        named = set(todo)  # the modules the pages import by name: they call their functions
        while todo:
            name = todo.pop()
            if name in seen or name.startswith("."):
                continue
            seen.add(name)
            if name.split(".")[0] != "evalkit":
                third_party.add(name.split(".")[0])
                if all(when is None or when & third_party for when in PRELOAD_WHEN.values()):
                    return PRELOAD  # every module is kept: nothing read further changes that
                continue
            parts = name.split(".")
            todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
            file = _evalkit_file(name)
            if file is None:
                continue  # a name imported from a module (``from evalkit.x import f``)
            is_package = file.name == "__init__.py"
            found, inner = _import_levels(ast.parse(file.read_text(encoding="utf-8")))
            if name in named:  # what its functions import from outside evalkit
                found |= {
                    n for n in inner if not n.startswith(".") and n.split(".")[0] != "evalkit"
                }
            todo.extend(_resolve(n, name, is_package) for n in found)
    except (OSError, ValueError, SyntaxError, AttributeError, TypeError):
        return PRELOAD
    return tuple(m for m in PRELOAD if PRELOAD_WHEN.get(m) is None or PRELOAD_WHEN[m] & third_party)
