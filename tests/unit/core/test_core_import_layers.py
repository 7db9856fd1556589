"""The import graph of evalkit: no cycle, and the layers keep their direction.

Imports are read with :mod:`ast` from every module under ``src/evalkit`` — module-level
and function-level (a lazy import is still a dependency), relative and absolute — so the
test needs no import side effects. Rules (README, "Layers"):

- no import cycle between evalkit modules;
- ``evalkit.core`` imports only ``evalkit.core``;
- ``evalkit.intake`` imports only ``evalkit.core`` and ``evalkit.intake``;
- ``evalkit.present`` imports only ``evalkit.core``, ``evalkit.present`` and the house
  style ``evalkit.figures``.

The old module paths ``evalkit.{paths,schema,config,store}`` are aliases of the core
modules and count as core. Violations in modules being moved by other work on issue #13
are listed, by name and reason, in :data:`PENDING_VIOLATIONS` / :data:`PENDING_CYCLES`;
the list must shrink to empty (a listed item that no longer occurs fails the test, so it
is removed as soon as it is fixed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from evalkit.core import paths

SRC = paths.ROOT / "src"
PACKAGE = "evalkit"

#: Old module paths that are the core modules themselves (``sys.modules`` aliases).
CORE_ALIASES = {
    **{
        f"evalkit.{m}": f"evalkit.core.{m}"
        for m in ("paths", "schema", "config", "store", "publish")
    },
    "evalkit.run.publish": "evalkit.core.publish",
    **{f"evalkit.{m}": f"evalkit.run.{m}" for m in ("pipeline", "manifest", "provenance", "site")},
}

#: Known layer violations still to be removed: (importer, imported) → owner / reason.
#: The lead empties this list when the parallel branches of issue #13 are merged.
PENDING_VIOLATIONS: dict[tuple[str, str], str] = {}

#: Known cycles still to be removed: frozenset of the modules in one cycle → owner / reason.
PENDING_CYCLES: dict[frozenset[str], str] = {}


def module_name(path: Path) -> str:
    """Return the dotted module name of *path* under ``src/``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """Return the evalkit module *name* refers to (a module, else its package), or None."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return CORE_ALIASES.get(name, name) if name.startswith(PACKAGE) else None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Return the evalkit modules *module* (file *path*) imports anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from pkg import name``: name is a submodule if such a file exists.
            targets = [
                f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names
            ]
        else:
            continue
        for t in targets:
            r = _resolve(t, known)
            if r and r != CORE_ALIASES.get(module, module):
                out.add(r)
    return out


def import_graph() -> dict[str, set[str]]:
    """Return evalkit module → evalkit modules it imports (aliases folded into core)."""
    known = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        node = CORE_ALIASES.get(name, name)
        graph.setdefault(node, set()).update(imports_of(name, path, known))
    # Importing a sub-module runs its (docstring-only) package __init__: not a dependency.
    return {m: {t for t in deps if not m.startswith(t + ".")} for m, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _layer(module: str) -> str:
    for layer in ("core", "intake", "present", "topics", "run"):
        if module == f"evalkit.{layer}" or module.startswith(f"evalkit.{layer}."):
            return layer
    return "other"


ALLOWED = {
    "core": {"core"},
    "intake": {"core", "intake"},
    "present": {"core", "present"},
    # Topics compute and present; they never reach the run layer or the intake.
    "topics": {"core", "present", "topics"},
}
ALLOWED_MODULES = {
    "present": {"evalkit.figures"},
    "topics": {"evalkit.figures", "evalkit.report", "evalkit.results"},
}


def violations(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Return (importer, imported) pairs breaking the layer rules."""
    bad = set()
    for m, deps in graph.items():
        layer = _layer(m)
        if layer not in ALLOWED:
            continue
        for d in deps:
            if _layer(d) not in ALLOWED[layer] and d not in ALLOWED_MODULES.get(layer, set()):
                bad.add((m, d))
    return bad


# --- the graph reader itself ----------------------------------------------------------------


def test_graph_reader_resolves_relative_absolute_and_alias_imports():
    g = import_graph()
    assert "evalkit.core.zones" in g["evalkit.core.schema"]  # from .zones import ...
    assert "evalkit.core.paths" in g["evalkit.core.config"]  # from . import paths
    assert "evalkit.figures" in g["evalkit.present.charts"]  # from .. import figures
    assert "evalkit.core.schema" in g["evalkit.present.charts"]  # from ..core import schema
    assert "evalkit.paths" not in g and "evalkit.core.paths" in g
    assert "evalkit.core.publish" in g["evalkit.demo"]  # a function-level import counts


def test_cycle_finder_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [frozenset({"a", "b", "c"})]
    assert violations({"evalkit.core.x": {"evalkit.pipeline"}}) == {
        ("evalkit.core.x", "evalkit.pipeline")
    }


# --- the rules ----------------------------------------------------------------------------------


def test_no_import_cycle():
    found = cycles(import_graph())
    unexpected = [sorted(c) for c in found if c not in PENDING_CYCLES]
    assert not unexpected, f"import cycles: {unexpected}"
    fixed = [sorted(c) for c in PENDING_CYCLES if c not in found]
    assert not fixed, f"fixed cycles still allow-listed (remove them): {fixed}"


def test_layers_keep_their_direction():
    found = violations(import_graph())
    unexpected = sorted(found - set(PENDING_VIOLATIONS))
    assert not unexpected, f"layer violations (importer, imported): {unexpected}"
    fixed = sorted(set(PENDING_VIOLATIONS) - found)
    assert not fixed, f"fixed violations still allow-listed (remove them): {fixed}"


@pytest.mark.parametrize("layer", ["core", "present"])
def test_core_and_present_have_no_pending_exceptions(layer):
    assert not [k for k in PENDING_VIOLATIONS if _layer(k[0]) == layer]
