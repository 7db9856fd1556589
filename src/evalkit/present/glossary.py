"""Method terms and their one-sentence explanations (``data/config/glossary.yaml``, issue #16).

A reader meets "ETS(A,N,A)" or "wild bootstrap" on a page and needs one Chinese
sentence saying what it is, right there. The glossary file holds, per term, the words
that show it on a page (``marks``) and that sentence; the glossary page lists every
term, and a page explains a term where it first appears by writing the sentence in
parentheses after it (:meth:`Term.explained`, or literally in a notebook's Markdown).
:func:`unexplained` is the check: on a page's reading text, the first mark of a term
must be followed, within :data:`WINDOW` characters, by the term's sentence.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ..core import paths
from ..core.config import config_path, read_yaml
from ..core.errors import ConfigError

#: Configuration file of the terms, in the configuration folder.
FILE = "glossary.yaml"
#: Characters from a term's first mark within which its explanation must begin.
WINDOW = 80


@dataclass(frozen=True)
class Term:
    """One method term: *id*, the glossary heading *term*, its page *marks* and its *sentence*."""

    id: str
    term: str
    marks: tuple[str, ...]
    sentence: str

    @property
    def gloss(self) -> str:
        """The sentence without its final 。, as it stands in parentheses after the term."""
        return self.sentence.removesuffix("。")

    def explained(self, name: str | None = None) -> str:
        """Return ``name（gloss）``: the term as first written on a page (*name*: its first mark)."""
        return f"{name or self.marks[0]}（{self.gloss}）"


def _bad(path: Path, where: str, what: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {what}")


def parse_terms(doc, path: Path) -> dict[str, Term]:
    """Validate a parsed glossary document; return its terms by id, in file order.

    Raises :class:`ConfigError` (naming the file and the entry) when ``terms`` is not a
    list, an entry lacks ``id``/``term``/``marks``/``sentence``, an id repeats, a mark is
    empty, or a sentence is not one sentence ending with 。.
    """
    entries = doc.get("terms") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _bad(path, "terms", "应为非空列表 / expected a non-empty list of terms")
    terms: dict[str, Term] = {}
    for k, entry in enumerate(entries):
        where = f"terms[{k}]"
        if not isinstance(entry, dict) or not all(
            entry.get(key) for key in ("id", "term", "marks", "sentence")
        ):
            raise _bad(
                path, where, "须有 id、term、marks、sentence / needs id, term, marks, sentence"
            )
        marks = entry["marks"]
        if not isinstance(marks, list) or not all(isinstance(m, str) and m.strip() for m in marks):
            raise _bad(path, where, "marks 应为非空字符串列表 / marks must be non-empty strings")
        sentence = str(entry["sentence"]).strip()
        if not sentence.endswith("。") or "。" in sentence[:-1]:
            raise _bad(path, where, "sentence 应为以“。”结尾的一句话 / one sentence ending with 。")
        tid = str(entry["id"])
        if tid in terms:
            raise _bad(path, where, f"id {tid!r} 重复 / repeated")
        terms[tid] = Term(tid, str(entry["term"]), tuple(marks), sentence)
    return terms


@functools.lru_cache(maxsize=8)
def _load(path: Path, stamp: int) -> dict[str, Term]:
    return parse_terms(read_yaml(path), path)


def load(data_dir: str | Path | None = None) -> dict[str, Term]:
    """Return the terms of ``config/glossary.yaml`` under *data_dir*, by id (file order).

    The methods are evalkit's, not a pilot zone's: a data folder without its own
    glossary uses the one shipped in the project (``data/config/glossary.yaml``).
    Raises :class:`ConfigError` when the file in use is invalid (:func:`parse_terms`).
    """
    path = config_path(FILE, data_dir)
    if not path.exists():
        path = paths.ROOT / "data" / "config" / FILE
    stamp = path.stat().st_mtime_ns if path.exists() else -1
    return _load(path, stamp)


def explained(term_id: str, name: str | None = None, data_dir: str | Path | None = None) -> str:
    """Return term *term_id* as first written on a page, as Markdown: ``name（gloss）``.

    The configured words are escaped (:func:`~evalkit.present.markdown.md_escape`), so
    the result can stand in any Markdown paragraph. Raises KeyError for an id the
    glossary does not have.
    """
    from .markdown import md_escape  # late: it loads pandas, and run.site imports this module

    return md_escape(load(data_dir)[term_id].explained(name))


def glossary_table(terms: dict[str, Term]) -> str:
    """Return the glossary page's Markdown table (术语 | 说明), one row per term in file order."""
    from .markdown import md_escape  # late: it loads pandas, and run.site imports this module

    rows = ["| 术语 | 说明 |", "|---|---|"]
    rows += [f"| {md_escape(t.term)} | {md_escape(t.sentence)} |" for t in terms.values()]
    return "\n".join(rows)


def unexplained(text: str, terms: dict[str, Term]) -> list[tuple[str, str]]:
    """Return ``(term id, context)`` for each term whose first use in *text* is not explained.

    *text* is a page's reading text in order (tables and captions left out). A term is
    used where any of its marks first occurs; it is explained when its gloss begins
    within :data:`WINDOW` characters after that point. Terms not used pass.
    """
    missing = []
    for t in terms.values():
        found = [i for i in (text.find(m) for m in t.marks) if i >= 0]
        if not found:
            continue
        first = min(found)
        at = text.find(t.gloss, first)
        if at < 0 or at - first > WINDOW:
            missing.append((t.id, text[max(0, first - 20) : first + 60]))
    return missing
