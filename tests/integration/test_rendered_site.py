"""The rendered site references nothing outside itself and shows numbered tables and figures.

Reads the ``_site`` of the session's report run (the renderer CI has: smalldocs). The
same rules hold for Quarto's output; Quarto is not on the CI machine, so the staged
project it would read is pinned in ``test_site_staging.py``.
"""

from __future__ import annotations

import re

import pytest

#: Any attribute that makes a browser fetch or navigate, with an absolute or
#: scheme-relative URL (http:, https:, ftp:, //host).
EXTERNAL = re.compile(
    r"""\b(?:src|href|srcset|poster|data|action|formaction)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""",
    re.I,
)
CSS_EXTERNAL = re.compile(r"""(?:@import|url\()\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I)


@pytest.fixture(scope="module")
def pages(demo_report):
    found = sorted((demo_report / "_site").rglob("*.html"))
    assert len(found) >= 8, found
    return found


def test_no_page_or_stylesheet_references_a_url_outside_the_site(demo_report, pages):
    for page in pages:
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(demo_report).as_posix()
        assert not EXTERNAL.findall(text), f"{where}: {EXTERNAL.findall(text)[:3]}"
        assert not CSS_EXTERNAL.findall(text), where
        # No widget loaders: what Quarto adds for HTML/JS notebook outputs.
        assert "require.js" not in text and "jquery" not in text.lower(), where
    for css in (demo_report / "_site").rglob("*.css"):
        assert not CSS_EXTERNAL.findall(css.read_text(encoding="utf-8")), css.name


def test_topic_pages_number_their_tables_and_figures(demo_report):
    page = (demo_report / "_site" / "reports" / "2026" / "investment.html").read_text("utf-8")
    tables = re.findall(r"表(?:&nbsp;|\u00a0)(\d+): ", page)
    figures = re.findall(r"图(?:&nbsp;|\u00a0)(\d+): ", page)
    assert tables == [str(i) for i in range(1, len(tables) + 1)] and len(tables) >= 8
    assert figures == [str(i) for i in range(1, len(figures) + 1)] and len(figures) >= 2
    # Each figure is an image file of the site with its alt text.
    imgs = re.findall(r"<img\b[^>]*>", page)
    assert imgs and all('alt="' in i and 'alt=""' not in i for i in imgs), imgs[:2]
    for tag in imgs:
        src = re.search(r'src="([^"]+)"', tag).group(1)
        assert (demo_report / "_site" / "reports" / "2026" / src).is_file(), src
    # Raw Markdown never reaches the reader.
    visible = re.sub(r"<[^>]+>", "", page)
    assert "{#tbl-" not in visible and "{=html}" not in visible and "fig-alt=" not in visible
