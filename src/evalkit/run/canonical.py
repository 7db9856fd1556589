"""Notebooks in canonical form: every cell source and text output a list of whole lines.

nbformat allows a cell's ``source`` (and a text output) to be one string or a list of
lines; Quarto reads a string source without its line breaks, so staged notebooks are
always written as lists (what nbformat itself writes).
"""

from __future__ import annotations

import copy


def lines(value) -> list[str]:
    """Return a multiline string (or list of strings) as nbformat's list of lines, each kept whole.

    Quarto joins a string ``source`` without its line breaks (a ``{=html}`` fence then
    becomes inline code, front matter becomes text): staged notebooks always hold lists.
    """
    text = "".join(value) if isinstance(value, list) else str(value)
    return text.splitlines(keepends=True)


def canonical_notebook(nb: dict) -> dict:
    """Return *nb* with every cell source and text output as a list of lines (canonical form)."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        cell["source"] = lines(cell.get("source", ""))
        for out in cell.get("outputs", []) or []:
            if "text" in out:
                out["text"] = lines(out["text"])
            data = out.get("data") or {}
            for mime, value in data.items():
                if mime.startswith("text/") or mime == "application/javascript":
                    data[mime] = lines(value)
    return nb
