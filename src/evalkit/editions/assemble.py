"""Assemble the year's edition as one pandoc-markdown document from the executed notebooks.

Input format (issue #14, Quarto-native outputs): markdown cells are prose; a code cell
contributes only its ``text/markdown`` display outputs — tables as pipe tables followed by
a caption line ``: caption {#tbl-label}``, callouts as ``::: {.callout-… title="…"}``
fenced divs, figures as ``![caption](figures/<name>.png){#fig-<name> fig-alt="…"}``.
Code sources, ``text/plain``-only outputs, HTML outputs (the pre-#14 format), site-only
``{=html}`` blocks in markdown outputs (the search box), streams and
hidden cells (tags ``remove-cell``/``remove-output``, ``#| include: false`` or
``#| output: false``) never appear. Download links are dropped by the Lua filter. Pipe
tables are fitted to the PDF's line and page (:func:`fit_tables`).

Document order: cover (pandoc metadata), executive summary (:mod:`.summary`), the body
pages of ``pages.yaml`` by ``order`` (not the home page, not the annex pages), then the
annexes (methodology, the annex pages of ``editions.yaml``) and a closing note with the
as-of date and the evalkit version. Page titles (the notebook's front matter, as on the
site; else the registry's menu title) become level-1 headings; a page's own
``##``/``###`` headings are levels 2/3 and are renumbered by the filter.
"""

from __future__ import annotations

import json
import math
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


def _rewrite_tables(markdown: str, rewrite) -> str:
    """Return *markdown* with each pipe table replaced by ``rewrite(table, caption)``.

    *table* is the table's lines (header, separator, rows); *caption* the lines after it
    through its caption line (``: …``, blank lines first), or ``[]`` when it has none.
    *rewrite* returns the lines that take their place; a blank last line is dropped
    where a blank line or the end follows anyway.
    """
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
        j = end
        while j < len(lines) and not lines[j].strip():
            j += 1
        stop = j + 1 if j < len(lines) and lines[j].startswith(": ") else end
        new = rewrite(lines[i:end], lines[end:stop])
        if new and new[-1] == "" and (stop >= len(lines) or not lines[stop].strip()):
            new = new[:-1]
        out.extend(new)
        i = stop
    return "\n".join(out)


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

    def cut(table: list[str], caption: list[str]) -> list[str]:
        body = len(table) - 2
        if body <= max_rows:
            return table + caption
        return [*table[: 2 + max_rows], *caption, "", cut_note(max_rows, body), ""]

    return _rewrite_tables(markdown, cut)


#: Text width of the PDF (156 mm) in half-ems of the 10.5 pt table text; a cell's insets
#: (2 × 4 pt), rounded up, in the same unit; table text size and its smallest size (pt).
TABLE_UNITS, CELL_PAD, TABLE_PT, MIN_TABLE_PT = 84, 3, 10.5, 7.0
#: The same on a landscape page (243 mm of text width): for a table that does not fit
#: the portrait line even at :data:`MIN_TABLE_PT`.
LANDSCAPE_UNITS = 130
#: A table whose text columns would get less than this share of :data:`SOFT_UNITS` on a
#: portrait line (under three characters: a name breaks a character a line) is turned.
LANDSCAPE_ROOM = 0.75
#: A column of Chinese text is not made narrower than four characters if the line allows.
SOFT_UNITS = 8
#: pandoc's ``--columns``: a pipe table with a longer line gets relative column widths.
PANDOC_COLUMNS = 72
#: The class of the div around a table printed smaller (``size``, pt) or kept on one page
#: (``keep``): edition.lua reads both.
PRINT_TABLE_CLASS = "evalkit-print-table"
#: A table (with its caption) estimated at most this tall (pt) is kept on one page: a
#: breakable table left its caption alone at the foot of the page before it. The A4
#: text height is 638 pt: such a table fits even if :func:`table_height` is 40 % short.
KEEP_PT = 360.0
_OPENING = set("（“‘《〈〔【「『")
_CLOSING = set("）”’》〉〕】」』。，、；：！？")
_ESCAPE = re.compile(r"\\(.)")


def _cells(line: str) -> list[str]:
    """Return the cells of pipe-table *line* as typed: escapes removed, an escaped bar kept."""
    cells, cur, i = [], [], 1
    body = line.strip()
    while i < len(body) - 1:
        c = body[i]
        if c == "\\" and i + 1 < len(body) - 1:
            cur.append(body[i : i + 2])
            i += 2
            continue
        if c == "|":
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    cells.append("".join(cur))
    return [_ESCAPE.sub(r"\1", c).strip() for c in cells]


def text_units(text: str) -> tuple[int, int]:
    """Return ``(widest unbreakable piece, whole)`` of *text* in half-ems.

    An ASCII character is one unit ("%" two), any other two. Runs of ASCII (a file
    name, a number, a date) are not broken; CJK text breaks between any two characters,
    but not before closing punctuation nor after opening punctuation ("89.6%（未" stays
    together), which Typst sets half-width where it meets other punctuation: one unit.
    """
    widest = run = total = 0
    prev = ""
    for c in text:
        u = 1 if ord(c) < 128 and c != "%" else 2
        total += u
        if c == " ":
            run = 0
        elif ord(c) >= 128:
            if c in _OPENING or c in _CLOSING:
                u = 1
            run = run + u if (c in _CLOSING or prev in _OPENING) else u
        else:
            run += u
        widest = max(widest, run)
        prev = c
    return widest, total


def table_size(crowding: float) -> float:
    """Return the text size (pt) of a table whose text needs *crowding* × the line at 10.5 pt.

    10.5 pt when it fits, else smaller with a 5 % margin, down to :data:`MIN_TABLE_PT`.
    """
    if crowding <= 1:
        return TABLE_PT
    return max(MIN_TABLE_PT, int(TABLE_PT / crowding / 1.05 * 10) / 10)


def column_widths(
    rows: list[list[str]], units: int = TABLE_UNITS
) -> tuple[list[float], float, float]:
    """Return relative widths for a table of *rows* (cells as typed), crowding and room.

    Each column gets at least its longest unbreakable text (:func:`text_units`), then,
    as far as the line allows, :data:`SOFT_UNITS` (four Chinese characters: narrower,
    a name breaks a character or two a line); the rest of the line goes to the columns
    with longer text. Crowding is the sum of the unbreakable widths over the line's
    *units* (:data:`TABLE_UNITS`, or :data:`LANDSCAPE_UNITS`): above 1 the table's text
    is set smaller (:func:`table_size`). Room is the share of the minimums the line
    holds (1: all). Pandoc gives a wide pipe table equal columns, so a file name or an
    item number used to run over the next cell in the PDF.
    """
    n = max(len(r) for r in rows)
    hard, natural = [4] * n, [4] * n
    for row in rows:
        for j, cell in enumerate(row[:n]):
            widest, total = text_units(cell)
            hard[j] = max(hard[j], widest + CELL_PAD)
            natural[j] = max(natural[j], min(total, 40) + CELL_PAD, hard[j])
    soft = [max(h, min(nat, SOFT_UNITS + CELL_PAD)) for h, nat in zip(hard, natural, strict=True)]
    crowding = sum(hard) / units  # text is set smaller for what cannot break, not for SOFT_UNITS
    line = units * TABLE_PT / table_size(crowding)  # the line, in units of the text set
    give = sum(soft) - sum(hard)
    keep = min(1.0, max(line - sum(hard), 0) / give) if give else 0.0
    base = [h + (s - h) * keep for h, s in zip(hard, soft, strict=True)]
    extra = [nat - b for nat, b in zip(natural, base, strict=True)]
    share = min(1.0, max(line - sum(base), 0) / sum(extra)) if sum(extra) else 0.0
    widths = [b + e * share for b, e in zip(base, extra, strict=True)]
    return [w / sum(widths) for w in widths], crowding, min(1.0, line / sum(soft))


def _display_width(line: str) -> int:
    return sum(1 if ord(c) < 128 else 2 for c in line)


def table_height(rows: list[list[str]], widths: list[float] | None, size: float) -> float:
    """Return an estimate of a table's printed height with its caption, in points.

    *widths* are relative column widths of the line (None: a narrow table, each row on
    one line); a cell needs its whole text width over its column's inner width in
    lines. A line is 1.3 × *size* plus the table's 4 pt leading, a row adds its 8 pt
    insets; the caption two lines of 12 pt.
    """
    line_pt = 1.3 * size + 4
    units = TABLE_UNITS * TABLE_PT / size
    height = 40.0
    for row in rows:
        lines = 1
        if widths is not None:
            for cell, w in zip(row, widths, strict=False):
                inner = max(w * units - CELL_PAD, 1.0)
                lines = max(lines, math.ceil(text_units(cell)[1] * 1.1 / inner))
        height += lines * line_pt + 9
    return height


def fit_tables(markdown: str) -> str:
    """Return *markdown* with its pipe tables fitted to the PDF's line and page.

    A table with a line longer than pandoc's ``--columns`` (:data:`PANDOC_COLUMNS`,
    display width) gets a separator line whose dashes are in proportion to
    :func:`column_widths` (pandoc reads relative widths from them). A table whose
    unbreakable text cannot fit the line at 10.5 pt, or short enough to keep on one
    page with its caption (:data:`KEEP_PT`), is wrapped with its caption in a
    :data:`PRINT_TABLE_CLASS` div: ``size`` (pt, at least :data:`MIN_TABLE_PT`) and
    ``keep``, which the Lua filter applies in the PDF; a table too wide even at
    :data:`MIN_TABLE_PT` gets ``landscape`` (pages of its own, turned) and widths for
    :data:`LANDSCAPE_UNITS`. Other tables are left as they are.
    """

    def fit(table: list[str], caption: list[str]) -> list[str]:
        rows = [_cells(line) for line in [table[0], *table[2:]]]
        table = list(table)
        widths, size, landscape = None, TABLE_PT, False
        if max(_display_width(line) for line in table) > PANDOC_COLUMNS:
            widths, crowding, room = column_widths(rows)
            # Too wide even at 7 pt, or Chinese text columns under three characters: turn
            # the page.
            if crowding * 1.05 > TABLE_PT / MIN_TABLE_PT or room < LANDSCAPE_ROOM:
                landscape = True
                widths, crowding, _ = column_widths(rows, LANDSCAPE_UNITS)
            size = table_size(crowding)
            table[1] = _rule_line(table[1], widths)
        attrs = f' size="{size:g}"' if size < TABLE_PT else ""
        if landscape:
            attrs += ' landscape="1"'  # a page of its own: its caption is on it
        elif table_height(rows, widths, size) <= KEEP_PT:
            attrs += ' keep="1"'
        if not attrs:
            return table + caption
        return [f"::: {{.{PRINT_TABLE_CLASS}{attrs}}}", *table, *caption, ":::"]

    return _rewrite_tables(markdown, fit)


def _rule_line(rule: str, widths: list[float]) -> str:
    """Return separator line *rule* with dashes in proportion to *widths*, alignments kept."""
    aligns = _cells(rule)
    cells = []
    for w, a in zip(widths, aligns + [""] * (len(widths) - len(aligns)), strict=False):
        left = ":" if a.startswith(":") else ""
        right = ":" if a.endswith(":") and len(a) > 1 else ""
        cells.append(left + "-" * max(3, round(w * 200)) + right)
    return "|" + "|".join(cells) + "|"


def heading_line(title: str, *, numbered: bool = True) -> str:
    """Return a level-1 heading for *title* (escaped; ``{.unnumbered}`` when not numbered)."""
    from ..present.markdown import md_escape

    return f"# {md_escape(title)}" + ("" if numbered else " {.unnumbered}")


def document(sections: list[Section]) -> str:
    """Return the whole edition body: each section as a level-1 heading and its body."""
    parts = []
    for s in sections:
        parts.append(heading_line(s.title, numbered=s.numbered))
        if s.body.strip():
            parts.append(s.body.strip("\n"))
    return "\n\n".join(parts) + "\n"
