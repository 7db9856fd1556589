"""The site's print stylesheet (styles.css, ``@media print``): A4, no navigation, rows kept whole."""

import re

from evalkit import paths


def _print_block() -> str:
    css = (paths.ROOT / "styles.css").read_text(encoding="utf-8")
    start = css.index("@media print")
    depth, i = 0, css.index("{", start)
    for j in range(i, len(css)):
        depth += {"{": 1, "}": -1}.get(css[j], 0)
        if depth == 0:
            return css[i + 1 : j]
    raise AssertionError("unclosed @media print block")


def _rule(block: str, selector_part: str) -> str:
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        if selector_part in [s.strip() for s in selectors.split(",")]:
            return body
    raise AssertionError(f"no print rule for {selector_part}")


def test_print_page_is_a4():
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", _print_block())


def test_print_hides_navigation():
    block = _print_block()
    for selector in ("nav.navbar", "#quarto-sidebar", "#quarto-margin-sidebar", "#TOC"):
        assert "display: none" in _rule(block, selector), selector


def test_print_keeps_table_rows_whole_and_repeats_headers():
    block = _print_block()
    assert "break-inside: avoid" in _rule(block, "tr")
    assert "display: table-header-group" in _rule(block, "thead")


def test_print_shows_link_addresses():
    block = _print_block()
    selector = next(s for s in re.findall(r"([^{}]+)\{", block) if "::after" in s)
    assert "a[href]" in selector
    assert "attr(href)" in _rule(block, selector.strip())
