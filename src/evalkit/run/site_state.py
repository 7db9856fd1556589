"""Is the published site current? The key of everything the site is made from.

A run re-renders the site only when :func:`site_key` of its inputs differs from the key
recorded when the published site was rendered (``build/site-state.json``), so a run in
which nothing changed renders nothing. Kept apart from :mod:`evalkit.run.site` (staging
and rendering) so that such a run imports neither.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .. import paths
from . import manifest as mf
from . import provenance
from .render import renderer_name

#: Static files of the site, copied from the project root into the staging project.
STATIC_FILES = (
    "_quarto.yml",
    "index.qmd",
    "methodology.qmd",
    "glossary.qmd",
    "styles.css",
    "site-scripts.html",
)


def report_years(reports_root: Path, overrides: dict[int, Path] | None = None) -> dict[int, Path]:
    """Return ``{year: folder}`` for every year with executed reports (overrides win)."""
    years: dict[int, Path] = {}
    if reports_root.is_dir():
        for d in reports_root.iterdir():
            if d.is_dir() and re.fullmatch(r"\d{4}", d.name) and any(d.glob("*.ipynb")):
                years[int(d.name)] = d
    for year, folder in (overrides or {}).items():
        years[int(year)] = Path(folder)
    return dict(sorted(years.items()))


def site_state_path() -> Path:
    """Return the record of the published site's inputs key (``build/site-state.json``)."""
    return paths.build_dir() / "site-state.json"


def _tree_sha256(folder: Path, h) -> None:
    """Feed the relative path and SHA-256 of every file the site stages from *folder* into *h*.

    The files :func:`stage_project` copies: no dot-files, no ``summary.parts``.
    """
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if rel.parts[0] == "summary.parts":
            continue
        h.update(rel.as_posix().encode("utf-8") + b"\0" + mf.sha256_file(p).encode() + b"\0")


def site_key(
    overrides: dict[int, Path] | None = None,
    *,
    code_sha: str | None = None,
    git: tuple | None = None,
) -> str:
    """Return the SHA-256 of everything the rendered site is made from.

    Every year's reports (*overrides* as in :func:`stage_project`), the static
    pages and ``_quarto.yml``, the configuration (page registry, zones), the
    evalkit code, the renderer and its version, and the git state shown in the
    footers. Same key, same site: :func:`site_is_current` lets a run skip rendering.
    *code_sha* and *git* (:func:`evalkit.run.provenance.git_state`) are computed here
    when None.
    """
    import hashlib

    h = hashlib.sha256()
    renderer = renderer_name()
    commit, dirty = git if git is not None else provenance.git_state()
    facts = {
        "renderer": renderer,
        "renderer_version": provenance.renderer_version(renderer),
        "git": [commit, dirty],
        "code": code_sha or mf.source_sha256(),
        "site": str(paths.site_dir()),
    }
    h.update(json.dumps(facts, sort_keys=True).encode("utf-8"))
    for name in STATIC_FILES:
        f = paths.ROOT / name
        h.update(f"static/{name}\0{mf.sha256_file(f) if f.is_file() else '-'}\0".encode())
    config = paths.config_dir(paths.data_dir())
    for f in sorted(config.glob("*.y*ml")) if config.is_dir() else []:
        h.update(f"config/{f.name}\0{mf.sha256_file(f)}\0".encode())
    for year, folder in report_years(paths.reports_dir(), overrides).items():
        h.update(f"year/{year}\0".encode())
        _tree_sha256(folder, h)
    return h.hexdigest()


def site_is_current(key: str) -> bool:
    """Return True when the published site was rendered from inputs with *key*."""
    try:
        state = json.loads(site_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    dest = paths.site_dir()
    return (
        isinstance(state, dict)
        and state.get("key") == key
        and state.get("site") == str(dest)
        and (dest / "index.html").is_file()
    )
