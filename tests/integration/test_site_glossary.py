"""Issue 16, plain words: every method term is explained where it first appears on a page.

The glossary (``data/config/glossary.yaml``) gives each term one Chinese sentence. On
every page of the site rendered from the committed reports (smalldocs, as
``test_site_reader`` does), the reading text — headings, paragraphs and lists, in order;
tables, captions, navigation and the provenance and release blocks left out — must
follow a term's first appearance with its sentence (:func:`evalkit.present.glossary.unexplained`).
The glossary page lists every term with the same sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from evalkit.present import glossary
from evalkit.run import provenance, site

#: Parts of a page that are not its reading text.
NOT_READING = (
    "table",
    "figure",
    "figcaption",
    "caption",
    "script",
    "style",
    "nav",
    f".{provenance.FOOTER_CLASS}",
    f".{provenance.RELEASE_CLASS}",
)


def reading_text(page_html: str) -> str:
    """Return the reading text of a rendered page's ``<main>``: whitespace collapsed."""
    soup = BeautifulSoup(page_html, "html.parser")
    main = soup.find("main") or soup
    for selector in NOT_READING:
        for node in main.select(selector):
            node.decompose()
    return re.sub(r"\s+", " ", main.get_text(" ")).strip()


@pytest.fixture(scope="module")
def rendered(staged) -> Path:
    return site.render_project(staged, "smalldocs", out=lambda s: None)


def test_the_reading_text_leaves_out_tables_and_captions():
    page = (
        "<main><h2>一、趋势</h2><p>做 STL 分解。</p><table><caption>表 1: STL</caption>"
        "<tr><td>STL</td></tr></table><figure><img alt='a'><figcaption>图 1: STL</figcaption>"
        "</figure><ul><li>要点</li></ul></main>"
    )
    assert reading_text(page) == "一、趋势 做 STL 分解。 要点"


def test_every_page_explains_each_method_term_where_it_first_appears(rendered):
    terms = glossary.load()
    pages = [p for p in sorted(rendered.rglob("*.html")) if p.name != "glossary.html"]
    assert len(pages) > 20
    used = set()
    missing = {}
    for page in pages:
        text = reading_text(page.read_text(encoding="utf-8"))
        used |= {t.id for t in terms.values() if any(m in text for m in t.marks)}
        gaps = glossary.unexplained(text, terms)
        if gaps:
            missing[str(page.relative_to(rendered))] = gaps
    assert not missing, missing
    # Guard: the reports do use the methods, so the check is not vacuous.
    assert {"ets", "hhi", "wild_bootstrap", "webb", "dirichlet", "entropy", "did", "stl"} <= used


def test_the_glossary_page_gives_every_term_its_sentence(rendered):
    text = reading_text((rendered / "glossary.html").read_text(encoding="utf-8"))
    soup = BeautifulSoup((rendered / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    cells = [td.get_text(" ").strip() for td in soup.select("main table td")]
    for t in glossary.load().values():
        assert t.term in cells and t.sentence in cells, t.id
    assert "首次出现" in text
