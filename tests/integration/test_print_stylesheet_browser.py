"""The site printed from Chromium (issue #15, item 6): A4, no navigation, rows whole, links shown."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
from browser import chromium_driver

from evalkit import paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def printed(demo_report, tmp_path_factory):
    site = tmp_path_factory.mktemp("print-site") / "_site"
    shutil.copytree(demo_report / "_site", site)
    shutil.copy2(paths.ROOT / "styles.css", site / "styles.css")  # the stylesheet under test
    driver = chromium_driver(tmp_path_factory.mktemp("print-profile"))
    try:
        driver.get((site / "reports" / "2026" / "comprehensive.html").as_uri())
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        styles = driver.execute_script(
            """
            const css = (sel, pseudo) => {
              const el = document.querySelector(sel);
              return el ? getComputedStyle(el, pseudo || null) : null;
            };
            const link = [...document.querySelectorAll('main a[href]')]
              .find(a => !a.getAttribute('href').startsWith('#'));
            return {
              header: css('#quarto-header').display,
              toc: css('#quarto-margin-sidebar').display,
              tr: css('main table tr') ? css('main table tr').breakInside : null,
              thead: css('main table thead') ? css('main table thead').display : null,
              href: link ? link.getAttribute('href') : null,
              after: link ? getComputedStyle(link, '::after').content : null,
            };
            """
        )
        pdf = base64.b64decode(
            driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"]
        )
    finally:
        driver.quit()
    return styles, pdf


def test_print_hides_navigation(printed):
    styles, _ = printed
    assert styles["header"] == "none" and styles["toc"] == "none"


def test_print_keeps_rows_whole_and_repeats_table_headers(printed):
    styles, _ = printed
    assert styles["tr"] == "avoid"
    assert styles["thead"] == "table-header-group"


def test_print_shows_link_addresses(printed):
    styles, _ = printed
    assert styles["href"] and styles["href"] in styles["after"]


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils missing")
def test_printed_pages_are_a4(printed, tmp_path):
    _, pdf = printed
    (tmp_path / "p.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "p.pdf")], capture_output=True, text=True)
    assert "(A4)" in info.stdout
