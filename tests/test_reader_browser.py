"""Issue 16 in headless Chromium: the page never scrolls sideways and the navbar fits.

At 1280×800 (desktop) and 390 px (phone), on the home page, a topic page and the
glossary of a fresh demo run (``demo_report``'s ``_site``): the document is no wider
than the window; at 1280 the navbar is one row whose search box is on screen; at
390 it is folded behind its menu button. Tables wider than the text column scroll
in their own box (``overflow-x: auto``), never the page.
"""

from __future__ import annotations

import pytest
from browser import chromium_driver

pytestmark = pytest.mark.browser

PAGES = ("index.html", "reports/2026/investment.html", "reports/2026/reforms.html", "glossary.html")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-reader"))
    yield driver
    driver.quit()


def _layout(browser) -> dict:
    return browser.execute_script(
        """
        const nav = document.querySelector('nav.navbar');
        const search = document.querySelector('.navbar input, .navbar .aa-DetachedSearchButton,'
          + ' .navbar #quarto-search');
        const toggler = document.querySelector('.navbar-toggler');
        const tables = Array.from(document.querySelectorAll('main table')).map(t => {
          let box = t;  // a table may be its own scroll box (display: block)
          while (box && getComputedStyle(box).overflowX !== 'auto') box = box.parentElement;
          return {wide: t.scrollWidth > t.parentElement.clientWidth + 1, scrolls: !!box};
        });
        return {
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          navHeight: nav ? nav.getBoundingClientRect().height : null,
          searchRight: search ? search.getBoundingClientRect().right : null,
          togglerShown: !!toggler && toggler.getBoundingClientRect().width > 0
            && getComputedStyle(toggler).display !== 'none',
          tables: tables,
        };
        """
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_no_horizontal_page_scroll_and_the_navbar_fits(demo_report, browser, width):
    site = demo_report / "_site"
    browser.set_window_size(width, 800)
    for page in PAGES:
        assert (site / page).exists(), page
        browser.get((site / page).as_uri())
        got = _layout(browser)
        where = f"{page} at {width} px"
        assert got["scrollWidth"] <= got["clientWidth"], f"{where}: page scrolls sideways {got}"
        if width == 1280:
            assert not got["togglerShown"], f"{where}: navbar folded on a desktop"
            assert got["navHeight"] < 80, f"{where}: navbar wraps to a second row {got}"
            assert got["searchRight"] is not None and got["searchRight"] <= got["clientWidth"]
        else:
            assert got["togglerShown"], f"{where}: navbar not folded on a phone"
        for table in got["tables"]:
            assert not table["wide"] or table["scrolls"], f"{where}: a wide table is cut off"
