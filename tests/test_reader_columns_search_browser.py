"""Issue 16 in headless Chromium: table columns wide enough, and search from local files.

Columns: every page of a fresh demo run's ``_site`` (``demo_report``) at 1280 px and 390 px:
in every table (folded ``<details>`` opened first, as a reader would), each column's
content box is at least four times its font size wide (four CJK characters: a CJK
glyph is one em wide), and no number (digits with separators, a sign, a decimal
part, a per cent sign, a hash of hex digits, or a date) is broken over two lines.

Search: the site opened as local files (``file://``, as a reviewer opens a copied
``_site``) finds pages, from the home page and from a page one folder down, and
every hit links to a page that exists and names its year.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from browser import chromium_driver

from evalkit.run.render import OFFLINE_SEARCH_INDEX

pytestmark = pytest.mark.browser

#: Measures every column of every table on the open page; returns the offenders.
COLUMNS_JS = r"""
document.querySelectorAll('details').forEach(d => { d.open = true; });
const NUMBER = /^[+\-−]?[\d,]+(\.\d+)?%?$|^[0-9a-f]{12,}$|^\d{4}-\d{2}(-\d{2})?$/;
const lines = (cell) => {
  const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const tops = new Set();
  while (walk.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walk.currentNode);
    for (const r of range.getClientRects()) tops.add(Math.round(r.top));
  }
  return tops.size;
};
const out = {tables: 0, columns: 0, narrow: [], broken: []};
document.querySelectorAll('main table').forEach((table, t) => {
  const rows = Array.from(table.rows);
  if (!rows.length || table.getClientRects().length === 0) return;
  out.tables += 1;
  const head = rows[0];
  for (let c = 0; c < head.cells.length; c++) {
    const cell = head.cells[c];
    const cs = getComputedStyle(cell);
    const inner = cell.getBoundingClientRect().width
      - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
      - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
    const need = 4 * parseFloat(cs.fontSize);
    out.columns += 1;
    if (inner + 0.5 < need) {
      out.narrow.push({table: t, column: c, header: cell.textContent.trim().slice(0, 24),
                       width: Math.round(inner), four_cjk: Math.round(need)});
    }
  }
  for (const row of rows) {
    for (const cell of row.cells) {
      const text = cell.textContent.trim();
      if (NUMBER.test(text) && lines(cell) > 1) out.broken.push({table: t, text: text});
    }
  }
});
return out;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(tmp_path_factory.mktemp("chromium-columns"))
    yield driver
    driver.quit()


@pytest.mark.parametrize("width", [1280, 390])
def test_no_table_column_is_narrower_than_four_cjk_characters_or_its_number(
    demo_report, browser, width
):
    site = demo_report / "_site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10, pages  # every page of the (2026-only) demo site, not a vacuous few
    browser.set_window_size(width, 800)
    tables = columns = 0
    offenders = {}
    for page in pages:
        browser.get(page.as_uri())
        got = browser.execute_script(COLUMNS_JS)
        tables += got["tables"]
        columns += got["columns"]
        if got["narrow"] or got["broken"]:
            offenders[str(page.relative_to(site))] = got["narrow"][:5] + got["broken"][:5]
    assert not offenders, f"at {width} px: {offenders}"
    # Guard: the scan measured real tables (the demo site has 76 tables, 489 columns).
    assert tables >= 50 and columns >= 300, (tables, columns)


@pytest.mark.parametrize("page", ["index.html", "reports/2026/investment.html"])
def test_search_finds_pages_when_the_site_is_opened_from_files(demo_report, browser, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site = demo_report / "_site"
    assert (site / OFFLINE_SEARCH_INDEX).exists()
    browser.set_window_size(1280, 800)
    browser.get((site / page).as_uri())
    assert browser.current_url.startswith("file://")
    box = browser.find_element(By.CSS_SELECTOR, "#quarto-search input")
    box.send_keys("招商引资")

    def hits(driver):
        got = driver.execute_script(
            """
            const box = document.querySelector('#quarto-search');
            const none = box.querySelector('.search-none');
            const links = Array.from(box.querySelectorAll('a.search-result'));
            return {none: none ? none.textContent : null,
                    hits: links.map(a => ({href: a.href,
                                          title: (a.querySelector('.search-result-title') || a).textContent}))};
            """
        )
        return got if (got["none"] or got["hits"]) else False

    got = WebDriverWait(browser, 20).until(hits)
    assert got["none"] is None and got["hits"], got
    # The demo site has one year: its investment page is found, titled with its year.
    investment = [h for h in got["hits"] if "招商引资专项评估" in h["title"]]
    assert investment and all(h["title"].startswith("2026 年 ") for h in investment), investment
    for hit in got["hits"]:
        assert hit["href"].startswith("file://"), hit
        target = unquote(hit["href"][len("file://") :].split("#")[0])
        assert Path(target).is_file(), hit


PAGER_JS = r"""
const box = document.querySelector('.evalkit-searchable');
const rows = Array.from(box.querySelectorAll('tbody tr'));
const pager = box.querySelector('.evalkit-pager span');
return {all: rows.length,
        shown: rows.filter(r => r.getClientRects().length > 0).map(r => r.textContent.trim()),
        info: pager ? pager.textContent.trim() : null};
"""


def test_the_long_item_list_is_paged_and_filtered_and_prints_whole(demo_report, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 800)
    browser.get((demo_report / "_site" / "reports" / "2026" / "reforms.html").as_uri())
    got = browser.execute_script(PAGER_JS)
    total, pages = got["all"], -(-got["all"] // 20)
    assert total > 20, got["all"]  # long enough to page (the demo list has 50 items)
    first = got["shown"]
    assert len(first) == 20 and got["info"] == f"第 1 / {pages} 页，共 {total} 条", got["info"]
    browser.execute_script("document.querySelectorAll('.evalkit-pager button')[1].click()")
    got = browser.execute_script(PAGER_JS)
    assert got["info"] == f"第 2 / {pages} 页，共 {total} 条"
    assert got["shown"] and not set(got["shown"]) & set(first)
    # Filtering goes back to page 1 and pages the matching rows only.
    word = first[0].split()[0]  # the first item's id
    browser.find_element(By.CSS_SELECTOR, "input.evalkit-search").send_keys(word)
    got = browser.execute_script(PAGER_JS)
    assert got["shown"] and all(word in row for row in got["shown"]), got
    assert got["info"].startswith("第 1 / 1 页，共 ") and len(got["shown"]) < 20
    # Printing shows every row the filter leaves, not just one page.
    browser.find_element(By.CSS_SELECTOR, "input.evalkit-search").clear()
    browser.execute_script(
        "const i = document.querySelector('input.evalkit-search');"
        "i.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        got = browser.execute_script(PAGER_JS)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert len(got["shown"]) == total


TOPIC_PAGES = ("reforms", "investment", "logistics", "impact", "comprehensive")


@pytest.mark.parametrize("topic", TOPIC_PAGES)
def test_each_topic_page_opens_with_its_key_points(demo_report, browser, topic):
    """Right after the title and the data banner: the 要点 box, before any other text."""
    browser.set_window_size(1280, 800)
    browser.get((demo_report / "_site" / "reports" / "2026" / f"{topic}.html").as_uri())
    got = browser.execute_script(
        r"""
        const main = document.querySelector('main');
        const box = Array.from(main.querySelectorAll('.callout')).find(
          c => c.textContent.includes('要点'));
        if (!box) return null;
        const header = main.querySelector('.evalkit-page-header');
        const before = Array.from(main.querySelectorAll('p, h2, h3, table, img')).filter(e =>
          !box.contains(e) && !(header && header.contains(e))
          && !e.closest('#title-block-header, .quarto-title-block')
          && (box.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING));
        return {top: box.getBoundingClientRect().top, before: before.map(e => e.textContent.slice(0, 40))};
        """
    )
    assert got is not None, f"{topic}: no 要点 box"
    assert got["before"] == [], f"{topic}: text before the key points: {got['before']}"
    assert got["top"] < 800, f"{topic}: key points start at {got['top']:.0f} px"


def test_figure_text_is_at_least_eleven_pixels_at_1280(demo_report, browser):
    """Each figure's smallest text (recorded in its PNG) times its shown scale is ≥ 11 px."""
    from PIL import Image

    from evalkit import figures

    site = demo_report / "_site"
    browser.set_window_size(1280, 800)
    checked = 0
    small = []
    for page in sorted((site / "reports" / "2026").glob("*.html")):
        browser.get(page.as_uri())
        images = browser.execute_script(
            "return Array.from(document.querySelectorAll('main img')).filter(i => i.naturalWidth)"
            ".map(i => ({src: i.src, shown: i.getBoundingClientRect().width,"
            " natural: i.naturalWidth, link: i.closest('a') ? i.closest('a').href : null}));"
        )
        for img in images:
            assert img["link"] == img["src"], img  # a click opens the full-size image
            path = Path(unquote(img["src"][len("file://") :]))
            smallest = float(Image.open(path).text[figures.MIN_TEXT_KEY])
            shown = smallest * img["shown"] / img["natural"]
            checked += 1
            if shown < figures.MIN_TEXT_PX - 0.05:
                small.append((page.name, path.name, round(shown, 1)))
    assert not small, small
    assert checked >= 10, checked  # the demo's 2026 pages have well over ten figures
