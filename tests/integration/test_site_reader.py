"""Issue 16, the reader's parts of the site: a navbar that fits, year-aware pages and search,
release information on every page, a glossary, and no internal ids or codes on any page.

The staged and smalldocs-rendered project is built from the committed reports (as
``tests/integration/test_site_staging.py`` does); the plain-words scan reads the site
of a fresh report run on the demo data (``demo_report``), i.e. pages made by this code.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from bs4 import BeautifulSoup

from evalkit.core import schema
from evalkit.intake.quality import CODE_NAMES
from evalkit.run import provenance, site

YEARS = (2024, 2025, 2026)


@pytest.fixture(scope="module")
def rendered(staged):
    return site.render_project(staged, "smalldocs", out=lambda s: None)


def _title(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return site.notebook_title(nb, "")


def test_navbar_fits_one_menu_per_year_then_data_quality_and_reference(staged):
    nav = yaml.safe_load((staged / "_quarto.yml").read_text(encoding="utf-8"))["website"]["navbar"]
    assert nav["collapse-below"] == "xl"
    texts = [e["text"] for e in nav["left"]]
    assert texts == ["首页", "2026 年度", "2025 年度", "2024 年度", "数据质量", "参考资料"]
    reference = nav["left"][-1]["menu"]
    assert [e["href"] for e in reference] == [
        "methodology.qmd",
        "glossary.qmd",
        "data-dictionary.qmd",
    ]
    render = yaml.safe_load((staged / "_quarto.yml").read_text("utf-8"))["project"]["render"]
    assert "glossary.qmd" in render


def test_the_closing_review_exists_only_in_its_year(staged, rendered):
    for year in (2024, 2025):
        assert not (staged / "reports" / str(year) / "closing_review.ipynb").exists()
        assert not (rendered / "reports" / str(year) / "closing_review.html").exists()
        for page in (rendered / "reports" / str(year)).glob("*.html"):
            # Only the navbar's 2026 menu links it (../2026/closing_review.html).
            same_year = re.findall(r'href="(?:\./)?closing_review\.html', page.read_text("utf-8"))
            assert not same_year, page.name
    assert (rendered / "reports" / "2026" / "closing_review.html").exists()


def test_titles_and_search_results_carry_the_year(staged, rendered):
    for year in YEARS:
        for nb_path in (staged / "reports" / str(year)).glob("*.ipynb"):
            assert re.match(rf"{year} (年 |年度)", _title(nb_path)), nb_path
    entries = json.loads((rendered / "search.json").read_text(encoding="utf-8"))
    investment = {e["title"] for e in entries if re.search(r"reports/\d{4}/investment", e["href"])}
    assert investment and all(re.match(r"\d{4} 年 ", t) for t in investment)
    assert len(investment) == len(YEARS)  # one distinguishable result per year


def test_each_topic_links_to_the_same_topic_in_the_other_years(rendered):
    page = (rendered / "reports" / "2025" / "investment.html").read_text(encoding="utf-8")
    assert 'href="../2026/investment.html"' in page and 'href="../2024/investment.html"' in page


def test_every_page_carries_release_information(rendered):
    pages = sorted(rendered.rglob("*.html"))
    assert len(pages) > 20
    config = provenance.site_config()
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        block = soup.select_one(f".{provenance.RELEASE_CLASS}")
        assert block is not None, page.relative_to(rendered)
        text = block.get_text(" ")
        assert config["issuer"] in text and "建议引用" in text and "evalkit" in text
        link = block.find("a", string="manifest.json")
        assert link is not None, page.relative_to(rendered)
        assert (page.parent / link["href"]).resolve().is_file(), page.relative_to(rendered)


def test_glossary_explains_every_method_term(rendered):
    text = BeautifulSoup((rendered / "glossary.html").read_text("utf-8"), "html.parser").get_text()
    for term in ("ETS(A,N,A)", "HHI", "wild cluster bootstrap", "Webb", "Dirichlet", "κ"):
        assert term in text
    for term in ("极差标准化", "熵权法", "双重差分", "事件研究", "STL"):
        assert term in text


# --- Plain words: no internal ids, table names, field names or error codes on any page ----


def internal_names() -> set[str]:
    """Zone ids, table names, error codes and field names of the data contract.

    Single English words that are also codes or names (``missing``, ``projects``)
    are left out: they read as words. File names (``qinggang.xlsx``) are what a
    submitter named the file, not an id, and are not matched.
    """
    names = set(schema.ZONES) | set(schema.TABLES) | set(CODE_NAMES)
    names |= {c.name for t in schema.TABLES.values() for c in t.columns}
    return {n for n in names if "_" in n or n in schema.ZONES}


def find_internal_names(text: str) -> list[str]:
    """Return the internal names in *text* (whole identifiers, not inside file names)."""
    alternatives = "|".join(sorted(map(re.escape, internal_names()), key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])({alternatives})(?![A-Za-z0-9_]|\.(?:xlsx|xls|csv)\b)")
    return sorted({m.group(1) for m in pattern.finditer(text)})


def test_the_scan_finds_what_it_looks_for():
    text = (
        "片区 suihua_etdz；表 reform_items；代码 bad_enum；字段 in_production；文件 qinggang.xlsx"
    )
    assert find_internal_names(text) == ["bad_enum", "in_production", "reform_items", "suihua_etdz"]


def test_no_page_shows_an_internal_id_or_code(demo_report):
    """Every page of a fresh demo run: main text outside the technical provenance footer."""
    pages = sorted((demo_report / "_site").rglob("*.html"))
    assert len(pages) > 8
    found = {}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for footer in soup.select(f".{provenance.FOOTER_CLASS}"):
            footer.decompose()  # input file names and hashes: the technical record
        main = soup.find("main") or soup
        names = find_internal_names(main.get_text(" "))
        if names:
            found[page.relative_to(demo_report / "_site").as_posix()] = names
    assert not found


# --- One number style in every table ---------------------------------------------------

#: A number of five or more digits without thousands separators (``230560``), not part of
#: a date, a decimal fraction, a code or a file name.
BARE_NUMBER = re.compile(r"(?<![\d.,\-/_A-Za-z])\d{5,}(?![\d,_A-Za-z])")
WHOLE_WITH_ZEROS = re.compile(r"^[+\-−]?[\d,]+\.0+$")
DECIMAL_RATE = re.compile(r"^[+\-−]?0\.\d+$")


def number_style_problems(table) -> list[str]:
    """Return the cells of a rendered *table* (BeautifulSoup) outside the one number style."""
    heads = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    ]
    problems = [f"bare {m}" for row in rows for cell in row for m in BARE_NUMBER.findall(cell)]
    for i, head in enumerate(heads):
        cells = [row[i] for row in rows if i < len(row) and row[i] not in ("", "—")]
        if cells and all(WHOLE_WITH_ZEROS.match(c) for c in cells):
            problems.append(f"{head}: whole numbers shown with decimals ({cells[0]})")
        if "年" in head and any(re.fullmatch(r"[12],\d{3}", c) for c in cells):
            problems.append(f"{head}: a year with a thousands separator ({cells[0]})")
        if ("增长" in head or "增速" in head) and any(DECIMAL_RATE.match(c) for c in cells):
            problems.append(f"{head}: growth as a decimal fraction ({cells[0]})")
    return problems


def test_the_number_style_scan_finds_what_it_looks_for():
    html = (
        "<table><thead><tr><th>片区</th><th>条数</th><th>同比增长</th><th>资金</th></tr></thead>"
        "<tbody><tr><td>甲</td><td>19.00</td><td>0.34</td><td>230560</td><td>2,026</td></tr>"
        "<tr><td>乙</td><td>3.00</td><td>+34.0%</td><td>241,042.5</td><td>2,025</td></tr>"
        "</tbody></table>"
    )
    table = BeautifulSoup(
        html.replace("<th>资金</th>", "<th>资金</th><th>年度</th>"), "html.parser"
    )
    assert number_style_problems(table.find("table")) == [
        "bare 230560",
        "条数: whole numbers shown with decimals (19.00)",
        "同比增长: growth as a decimal fraction (0.34)",
        "年度: a year with a thousands separator (2,026)",
    ]


def test_every_table_of_every_page_uses_the_one_number_style(demo_report):
    found = {}
    for page in sorted((demo_report / "_site").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for footer in soup.select(f".{provenance.FOOTER_CLASS}"):
            footer.decompose()  # hashes and file names
        for table in (soup.find("main") or soup).find_all("table"):
            problems = number_style_problems(table)
            if problems:
                found.setdefault(page.relative_to(demo_report / "_site").as_posix(), []).extend(
                    problems
                )
    assert not found, found
