"""Table and figure numbers for the renderer that has none (smalldocs), as Quarto gives them.

Pages label their tables and figures the Quarto way (a pipe table's caption line
``: caption {#tbl-…}``, an image ``![caption](…){#fig-…}``, see
:mod:`evalkit.present.markdown`). Quarto's crossref filter numbers them per page, tables
and figures separately, in document order, and prefixes each caption with its title
and number — "表 1: …", "图 1: …" on a ``lang: zh`` page (quarto-cli
``src/resources/filters/crossref/``; the titles come from its ``language/_language-zh.yml``
``crossref-tbl-title`` / ``crossref-fig-title``). smalldocs 0.5 keeps the labels as ids
and shows the captions, but numbers nothing (its gap); :func:`number_notebook` writes
Quarto's numbers into the staged copy of a page for smalldocs, so both renderers show
the same "表 n" / "图 n". Cross-references in text (``@tbl-…``) become "表 n" too.
Quarto's own staging is left alone (it numbers them itself).
"""

from __future__ import annotations

import re

#: Quarto's crossref titles for ``lang: zh``, and the separator it puts before the caption.
TITLES = {"tbl": "表", "fig": "图"}
NBSP = "\u00a0"
SEPARATOR = ": "

_TABLE_CAPTION = re.compile(r"^(: )(.*?)( \{#(tbl-[A-Za-z0-9_-]+)\})[ \t]*$", re.MULTILINE)
_FIGURE = re.compile(r"^(!\[)(.*?)(\]\([^)\s]+\)\{#(fig-[A-Za-z0-9_-]+)\b)", re.MULTILINE)
_REFERENCE = re.compile(r"(?<![\w\\])@((?:tbl|fig)-[A-Za-z0-9_-]*[A-Za-z0-9])")


def _title(kind: str, n: int) -> str:
    return f"{TITLES[kind]}{NBSP}{n}"


def number_markdown(texts: list[str]) -> list[str]:
    """Return one page's Markdown pieces with its labelled tables and figures numbered.

    Args:
        texts: the page's Markdown, one string a piece (cell source or output), in
            document order.
    Returns:
        The pieces with "表 n: " / "图 n: " before each labelled caption and every
        ``@tbl-…``/``@fig-…`` reference replaced by its "表 n"/"图 n" (unknown labels
        are left as they are). Unlabelled tables and figures get no number, as in Quarto.
    """
    numbers: dict[str, int] = {}
    counts = {"tbl": 0, "fig": 0}

    def caption(kind: str, m: re.Match) -> str:
        label = m.group(4)
        if label not in numbers:
            counts[kind] += 1
            numbers[label] = counts[kind]
        return m.group(1) + _title(kind, numbers[label]) + SEPARATOR + m.group(2) + m.group(3)

    out = []
    for text in texts:
        # Tables and figures in the order they appear within the piece.
        marks = sorted(
            [(m.start(), "tbl", m) for m in _TABLE_CAPTION.finditer(text)]
            + [(m.start(), "fig", m) for m in _FIGURE.finditer(text)],
            key=lambda x: x[0],
        )
        pieces, last = [], 0
        for start, kind, m in marks:
            pieces += [text[last:start], caption(kind, m)]
            last = m.end()
        out.append("".join(pieces) + text[last:])

    def reference(m: re.Match) -> str:
        label = m.group(1)
        if label not in numbers:
            return m.group(0)
        return _title(label[:3], numbers[label])

    return [_REFERENCE.sub(reference, text) for text in out]


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def number_notebook(nb: dict) -> dict:
    """Return notebook page *nb* with its labelled tables and figures numbered (in place).

    Reads markdown cells and the ``text/markdown`` outputs of code cells, in order;
    other outputs are left untouched. Sources keep their list-of-lines form.
    """
    slots: list[tuple[dict, str]] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            slots.append((cell, "source"))
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "text/markdown" in (out.get("data") or {}):
                slots.append((out["data"], "text/markdown"))
    texts = [_joined(holder[key]) for holder, key in slots]
    for (holder, key), text, new in zip(slots, texts, number_markdown(texts), strict=True):
        if new != text:
            holder[key] = new.splitlines(keepends=True) if isinstance(holder[key], list) else new
    return nb
