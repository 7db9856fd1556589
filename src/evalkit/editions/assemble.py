"""Assemble the year's edition as one pandoc-markdown document from the executed notebooks.

Input format (issue #14, Quarto-native outputs): markdown cells are prose; a code cell
contributes only its ``text/markdown`` display outputs — tables as pipe tables followed by
a caption line ``: caption {#tbl-label}``, callouts as ``::: {.callout-… title="…"}``
fenced divs, figures as ``![caption](figures/<name>.png){#fig-<name> fig-alt="…"}``.
Code sources, ``text/plain``-only outputs, HTML outputs (the pre-#14 format), site-only
``{=html}`` blocks in markdown outputs (the search box), streams and
hidden cells (tags ``remove-cell``/``remove-output``, ``#| include: false`` or
``#| output: false``) never appear. Download links are dropped by the Lua filter.

Document order: cover (pandoc metadata), executive summary (:mod:`.summary`), the body
pages of ``pages.yaml`` by ``order`` (not the home page, not the annex pages), then the
annexes (methodology, the annex pages of ``editions.yaml``) and a closing note with the
as-of date and the evalkit version. Page titles (the notebook's front matter, as on the
site; else the registry's menu title) become level-1 headings; a page's own
``##``/``###`` headings are levels 2/3 and are renumbered by the filter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

HIDE_TAGS = frozenset({"remove-cell", "remove-output", "remove_cell", "remove_output"})
_HIDE_OPTION = re.compile(r"^#\|\s*(include|output)\s*:\s*false\s*$", re.MULTILINE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Section:
    """One level-1 section of the edition: *title* (plain text) and its markdown *body*."""

    title: str
    body: str
    numbered: bool = True


def _text(value) -> str:
    """Return a notebook field (a string or a list of lines) as one string."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def _hidden(cell: dict) -> bool:
    """Return True when *cell* is hidden on the site (tags or Quarto cell options)."""
    tags = set((cell.get("metadata") or {}).get("tags") or ())
    return bool(tags & HIDE_TAGS) or bool(_HIDE_OPTION.search(_text(cell.get("source"))))


def notebook_markdown(nb: dict) -> str:
    """Return the reader-facing markdown of the executed notebook *nb* (a parsed .ipynb).

    Markdown cells and the ``text/markdown`` outputs of visible code cells, in order,
    separated by blank lines; everything else is left out (see the module docstring),
    site-only raw HTML blocks of the outputs too (the reform list's search box).
    """
    from ..present.markdown import without_raw_html_blocks

    blocks: list[str] = []
    for cell in nb.get("cells", []):
        kind = cell.get("cell_type")
        if kind == "markdown":
            blocks.append(_text(cell.get("source")))
        elif kind == "code" and not _hidden(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                markdown = (output.get("data") or {}).get("text/markdown")
                if markdown is not None:
                    blocks.append(without_raw_html_blocks(_text(markdown)))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip())


def front_matter_title(nb: dict) -> str | None:
    """Return the ``title`` of the notebook's front matter (its first raw cell), if any."""
    import yaml

    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "raw":
            continue
        m = _FRONT_MATTER.match(_text(cell.get("source")).replace("\r\n", "\n") + "\n")
        if m:
            try:
                meta = yaml.safe_load(m.group(0).strip("-\n")) or {}
            except yaml.YAMLError:
                return None
            title = meta.get("title") if isinstance(meta, dict) else None
            return str(title) if title else None
        return None
    return None


def read_notebook(path: Path) -> dict:
    """Return the parsed notebook at *path* (JSON)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def qmd_body(text: str) -> str:
    """Return a ``.qmd`` page's markdown without its YAML front matter."""
    return _FRONT_MATTER.sub("", text.replace("\r\n", "\n"), count=1).strip("\n")


def section_of(markdown: str, heading: str) -> str:
    """Return the text under the first heading of *markdown* containing *heading*.

    The section runs to the next heading of the same or a higher level; ``""`` when
    no heading contains *heading*. Fenced code blocks are not searched for headings.
    """
    lines = markdown.splitlines()
    start = level = None
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if not m:
            continue
        if start is None and heading in m.group(2):
            start, level = i + 1, len(m.group(1))
        elif start is not None and len(m.group(1)) <= level:
            return "\n".join(lines[start:i]).strip("\n")
    return "\n".join(lines[start:]).strip("\n") if start is not None else ""


_TABLE_ROW = re.compile(r"^\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def cut_note(shown: int, total: int) -> str:
    """Return the paragraph printed after a table cut to its first *shown* of *total* rows."""
    return (
        f"（印发文本只列出此表前 {shown} 行，全表共 {total} 行；"
        "完整表格见网站同一页面及其下载数据 CSV、Excel。）"
    )


def cap_tables(markdown: str, max_rows: int | None) -> str:
    """Return *markdown* with each pipe table cut to its first *max_rows* body rows.

    A long table prints as page after page in the Word and PDF editions (a province's
    reform-item list runs to hundreds of rows), and Typst's memory grows with every
    cell: the print editions list the first *max_rows* rows and say so in a paragraph
    (:func:`cut_note`) placed after the table's caption line (``: …``) when it has one,
    else after the table. The site keeps every row. Tables of at most *max_rows* rows,
    and every table when *max_rows* is None, are left exactly as they are. Raises
    ``ValueError`` when *max_rows* is below 1.
    """
    if max_rows is None:
        return markdown
    if max_rows < 1:
        raise ValueError(f"max_table_rows must be at least 1, got {max_rows}")
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        is_table = (
            _TABLE_ROW.match(lines[i])
            and i + 1 < len(lines)
            and _TABLE_RULE.match(lines[i + 1])
            and not (out and _TABLE_ROW.match(out[-1]))
        )
        if not is_table:
            out.append(lines[i])
            i += 1
            continue
        end = i + 2
        while end < len(lines) and _TABLE_ROW.match(lines[end]):
            end += 1
        body = end - (i + 2)
        if body <= max_rows:
            out.extend(lines[i:end])
            i = end
            continue
        out.extend(lines[i : i + 2 + max_rows])
        j = end
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and lines[j].startswith(": "):  # the caption stays with its table
            out.extend(lines[end : j + 1])
            end = j + 1
        out.extend(["", cut_note(max_rows, body)])
        if end < len(lines) and lines[end].strip():
            out.append("")
        i = end
    return "\n".join(out)


def heading_line(title: str, *, numbered: bool = True) -> str:
    """Return a level-1 heading for *title* (escaped; ``{.unnumbered}`` when not numbered)."""
    from ..report import md_escape

    return f"# {md_escape(title)}" + ("" if numbered else " {.unnumbered}")


def document(sections: list[Section]) -> str:
    """Return the whole edition body: each section as a level-1 heading and its body."""
    parts = []
    for s in sections:
        parts.append(heading_line(s.title, numbered=s.numbered))
        if s.body.strip():
            parts.append(s.body.strip("\n"))
    return "\n\n".join(parts) + "\n"
