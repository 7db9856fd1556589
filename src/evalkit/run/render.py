"""Rendering the staged site project: Quarto where its CLI is on PATH, smalldocs otherwise.

The renderer's warnings are shown even when it succeeds (Quarto prints them on stderr,
with ANSI colours and progress lines that are dropped here), and the run says how many
there were. Staging the project is :mod:`evalkit.run.site`'s work.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path


class SiteError(Exception):
    """Rendering failed; the published site is unchanged."""


def renderer_name() -> str:
    """Return ``"quarto"`` when the Quarto CLI is on PATH, else ``"smalldocs"``."""
    return "quarto" if shutil.which("quarto") else "smalldocs"


def quarto_warnings(stderr: str) -> list[str]:
    """Return the lines of Quarto's stderr worth showing: warnings and errors, not progress.

    Quarto prints progress (``[ 1/27] reports/2026/index.ipynb``, ``Output created``)
    on stderr too; those and blank lines are dropped, everything else is kept.
    """
    noise = re.compile(r"^\s*(\[\s*\d+/\d+\]|Output created|Watching files|pandoc\b|$)")
    # Quarto colours its output (ANSI escapes, also on lines of their own): plain text here.
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", stderr)
    return [line.rstrip() for line in plain.splitlines() if not noise.match(line)]


def render_project(src: Path, renderer: str, out=print) -> Path:
    """Render the staging project with *renderer*; return its output folder."""
    if renderer == "quarto":
        proc = subprocess.run(
            ["quarto", "render", str(src), "--no-execute"], capture_output=True, text=True
        )
        if proc.returncode:
            raise SiteError(f"Quarto 渲染失败 / quarto render failed:\n{proc.stderr[-4000:]}")
        warnings = quarto_warnings(proc.stderr)
        for line in warnings:
            out(f"  ! quarto: {line}")
        _say_warnings(len(warnings), "quarto", out)
        write_offline_search_index(src / "_site")
        return src / "_site"
    from smalldocs.config import BuildError, ConfigError
    from smalldocs.site import build

    try:
        site = build(src, quiet=True)
    except (BuildError, ConfigError) as e:
        raise SiteError(f"smalldocs 渲染失败 / smalldocs render failed: {e}") from e
    for w in site.warnings:
        out(f"  ! smalldocs: {w}")
    _say_warnings(len(site.warnings), "smalldocs", out)
    write_offline_search_index(site.out)
    return site.out


#: The search index as a script, for a site opened from local files (``site-scripts.html``).
OFFLINE_SEARCH_INDEX = "search-index.js"


def write_offline_search_index(site: Path) -> Path | None:
    """Write ``search-index.js`` beside the rendered site's ``search.json``; return its path.

    Browsers refuse ``fetch()`` of ``file://`` URLs, so a site opened from local files
    could not load ``search.json``; a ``<script>`` may load a local file. The script
    sets ``window.EVALKIT_SEARCH_INDEX`` to the same entries (list of dicts, as the
    renderer wrote them), which ``site-scripts.html`` hands to the search under
    ``file://``. Returns None when the renderer wrote no ``search.json``.

    Raises :class:`SiteError` when ``search.json`` is not valid JSON.
    """
    index = site / "search.json"
    if not index.exists():
        return None
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except ValueError as e:
        raise SiteError(f"search.json 无法解析 / search.json is not valid JSON: {e}") from e
    # U+2028/U+2029 end a line inside older JavaScript string literals: written escaped.
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    dest = site / OFFLINE_SEARCH_INDEX
    dest.write_text(f"window.EVALKIT_SEARCH_INDEX = {text};\n", encoding="utf-8")
    return dest


def _say_warnings(n: int, renderer: str, out) -> None:
    """Say in the run's summary that the render gave *n* warnings (printed just above)."""
    if n:
        out(f"渲染有 {n} 条警告 / {renderer} rendered with {n} warning(s), listed above")
