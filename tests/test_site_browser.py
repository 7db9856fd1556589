"""Open the rendered site in headless Chromium: Chinese text, figures and the three zones visible.

The site is rendered from the committed reports (``reports/<year>/``) into a
temporary folder with ``python -m evalkit render``; the real ``_site/`` is not
touched. Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run``
installs them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium_driver

from evalkit import paths
from evalkit.run import registry
from evalkit.schema import ZONES

pytestmark = pytest.mark.browser

REPORTS = paths.ROOT / "reports"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _report_notebooks() -> list[Path]:
    """The committed reports the site shows (a page without content in a year is not staged)."""
    pages = registry.load()
    return sorted(
        p
        for p in REPORTS.glob("*/*.ipynb")
        if p.parent.name.isdigit() and (pages is None or pages.in_year(p.stem, int(p.parent.name)))
    )


def _image_outputs(nb_path: Path) -> int:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    # Figures are Markdown outputs pointing at figures/<name>.png (Quarto-native).
    return sum(
        "".join((out.get("data") or {}).get("text/markdown", "")).count("](figures/")
        for cell in nb["cells"]
        if "remove-cell" not in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", [])
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not _report_notebooks():
        pytest.skip("no committed reports yet (reports/<year>/*.ipynb)")
    tmp = tmp_path_factory.mktemp("browser-site")
    env = dict(os.environ)
    env.update(
        EVALKIT_REPORTS_DIR=str(REPORTS),
        EVALKIT_SITE_DIR=str(tmp / "_site"),
        EVALKIT_BUILD_DIR=str(tmp / "build"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit", "render"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "renderer" in proc.stdout
    return tmp / "_site"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium_driver(
        tmp_path_factory.mktemp("chromium-profile"), extra_args=("--window-size=1280,900",)
    )
    yield driver
    driver.quit()


def _open(browser, page: Path):
    from selenium.webdriver.common.by import By

    browser.get(page.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.is_displayed()
    return body.text


def _images(browser) -> list[dict]:
    return browser.execute_script(
        "return Array.from(document.images).map(i => ({src: i.src.slice(0, 40),"
        " w: i.naturalWidth, h: i.naturalHeight, shown: i.getClientRects().length > 0}));"
    )


CJK_FONT = re.compile(
    r"CJK|Han|Hei|Song|Ming|Kai|WenQuanYi|Droid Sans Fallback|PingFang|YaHei|Source Han", re.I
)


def _fonts_for_first_chinese_heading(browser) -> list[dict]:
    """Ask Chromium (DevTools protocol) which platform fonts drew the page's first heading."""
    doc = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1})
    browser.execute_cdp_cmd("CSS.enable", {})
    node = browser.execute_cdp_cmd(
        "DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "h1"}
    )
    assert node.get("nodeId"), "page has no <h1>"
    return browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})[
        "fonts"
    ]


def test_home_page_names_three_zones_and_years(site, browser):
    text = _open(browser, site / "index.html")
    # Chinese drawn with a font that has CJK glyphs (not empty boxes).
    fonts = _fonts_for_first_chinese_heading(browser)
    assert any(CJK_FONT.search(f["familyName"]) and f["glyphCount"] > 0 for f in fonts), fonts
    for name in ZONES.values():
        assert name in text, name
    years = sorted({p.parent.name for p in _report_notebooks()})
    for year in years:
        assert f"{year} 年度" in text, year
    for img in _images(browser):
        assert img["w"] > 0 and img["h"] > 0, img


def test_every_evaluation_page_shows_chinese_text_and_figures(site, browser):
    pages = _report_notebooks()
    figures_seen = 0
    for nb_path in pages:
        year = nb_path.parent.name
        html = site / "reports" / year / f"{nb_path.stem}.html"
        assert html.exists(), html
        text = _open(browser, html)
        assert len(CJK.findall(text)) > 20, f"{html}: too little Chinese text"
        assert "Provenance" in text and "来源与版本" in text, html
        imgs = [i for i in _images(browser) if i["shown"]]
        broken = [i for i in imgs if i["w"] == 0 or i["h"] == 0]
        assert not broken, f"{html}: images not displayed {broken}"
        expected = _image_outputs(nb_path)
        assert len(imgs) >= expected, f"{html}: {len(imgs)} visible images, notebook has {expected}"
        figures_seen += len(imgs)
        browser.get("about:blank")
    assert figures_seen > 0, "no figure on any evaluation page"


def test_download_links_resolve(site):
    checked = 0
    for nb_path in _report_notebooks():
        year = nb_path.parent.name
        html = (site / "reports" / year / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        for href in re.findall(r'href="(tables/[^"]+\.csv)"', html):
            assert (site / "reports" / year / href).exists(), f"{nb_path.stem}: {href}"
            checked += 1
    # Guard: a page change that dropped every download link must not pass vacuously.
    assert checked > 0


def test_home_page_shows_each_zones_target_verdicts_on_the_first_screen(site, browser):
    """At 1280×800 the targets table, a row per zone with its verdicts, ends above 800 px."""
    latest = max(int(p.parent.name) for p in _report_notebooks())
    summary = json.loads((REPORTS / str(latest) / "summary.json").read_text(encoding="utf-8"))
    browser.set_window_size(1280, 800)
    try:
        _open(browser, site / "index.html")
        rows = browser.execute_script(
            """
            const out = {};
            const table = document.querySelector('main table');
            for (const tr of table.querySelectorAll('tbody tr')) {
              const cells = [...tr.children].map(td => td.innerText.trim());
              out[cells[0]] = {cells: cells, bottom: tr.getBoundingClientRect().bottom};
            }
            return out;
            """
        )
    finally:
        browser.set_window_size(1280, 900)
    assert set(rows) == set(ZONES.values()), rows
    for zid, name in ZONES.items():
        row = rows[name]
        assert row["bottom"] <= 800, f"{name}: row ends at {row['bottom']:.0f} px"
        # The row states the zone's own counts from summary.json (its verdicts sit beside them).
        zone = summary["zones"][zid]
        assert f"{zone['reforms_replicated']} / " in " ".join(row["cells"]), (name, row)
