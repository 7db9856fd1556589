"""Render the website: a staging copy of the Quarto project, rendered, swapped into ``_site/``.

The staging project (``build/site-src/``) holds ``_quarto.yml`` (with the
navigation generated from the years that have reports), the static pages
(``index.qmd``, ``methodology.qmd``, ``styles.css``), the generated data
dictionary, and a copy of ``reports/``. Each report page gets a provenance
footer (as-of date, short SHA-256 of its input files, evalkit version, git
commit, renderer). The home page is the latest year's executive summary
(``reports/<year>/index.ipynb``) under an introduction naming the three zones.

Rendering uses the ``quarto`` CLI when it is on PATH (``--no-execute``: papermill
already ran the notebooks), else the pure-Python ``smalldocs`` renderer. The
result is swapped into ``_site/`` atomically (:mod:`evalkit.core.publish`).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import yaml

from .. import paths
from ..core import publish
from ..present import glossary
from . import crossref, provenance, site_pages
from . import manifest as mf
from . import registry as reg
from .canonical import canonical_notebook
from .canonical import lines as _lines
from .render import SiteError, quarto_warnings, render_project, renderer_name  # noqa: F401
from .site_state import STATIC_FILES, report_years, site_key, site_state_path

#: Reference pages (file, navbar text), grouped under one navbar menu so the bar fits at 1280 px.
REFERENCE_PAGES = (
    ("methodology.qmd", "方法说明"),
    ("glossary.qmd", "术语表"),
    ("data-dictionary.qmd", "数据字典"),
)
#: Navbar menu holding :data:`REFERENCE_PAGES`.
REFERENCE_MENU = "参考资料"
#: Below this Bootstrap breakpoint (xl: 1200 px) the navbar folds into its menu button
#: (``navbar.collapse-below``, read by Quarto and smalldocs).
NAVBAR_COLLAPSE_BELOW = "xl"


def notebook_title(nb: dict, fallback: str) -> str:
    """Return the ``title:`` of a notebook's front-matter raw cell, else *fallback*."""
    for cell in nb.get("cells", [])[:1]:
        m = re.match(r"^---\s*\n(.*?)\n---", _source(cell).lstrip(), re.S)
        if m:
            try:
                front = yaml.safe_load(m.group(1)) or {}
            except yaml.YAMLError:
                front = {}
            if isinstance(front, dict) and front.get("title"):
                return str(front["title"])
    return fallback


def notebook_order(nb: dict) -> float:
    """Return a notebook's place in the navigation (``metadata.evalkit.order``, default 50)."""
    try:
        return float((nb.get("metadata") or {}).get("evalkit", {}).get("order", 50))
    except (TypeError, ValueError):
        return 50.0


def registry() -> reg.Registry | None:
    """Return the page registry (``config/pages.yaml``); None without one."""
    try:
        return reg.load()
    except reg.RegistryError as e:
        raise SiteError(str(e)) from None


def year_pages(
    folder: Path, pages: reg.Registry | None = None, year: int | None = None
) -> list[tuple[str, str]]:
    """Return ``[(file name, title)]`` of a year's report notebooks in navigation order.

    Title and order come from the page registry; a notebook it does not list
    uses its front-matter title and ``metadata.evalkit.order``. With *year*, pages
    the registry gives no content that year (``first_year``) are left out.
    """
    found = []
    for f in folder.glob("*.ipynb"):
        if pages is not None and year is not None and not pages.in_year(f.stem, year):
            continue
        page = pages.page(f.stem) if pages else None
        if page is not None:
            found.append((page.order, f.name, page.title))
            continue
        nb = json.loads(f.read_text(encoding="utf-8"))
        found.append((notebook_order(nb), f.name, notebook_title(nb, f.stem)))
    found.sort()
    return [(name, title) for _, name, title in found]


def _source(cell: dict) -> str:
    """Return a cell's source as one string."""
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _md_cell(text: str) -> dict:
    """Return a new Markdown cell."""
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _static_provenance(as_of: str | None, renderer: str, renderer_version: str | None) -> str:
    """Return the footer of a page built from no input file (methodology, dictionary, home)."""
    commit, dirty = provenance.git_state()
    return provenance.footer_block(
        as_of,
        {},
        commit=commit,
        renderer=renderer,
        renderer_version=renderer_version,
        dirty=dirty,
    )


_LINK = re.compile(r'(\b(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"]*)(")')
_MD_LINK = re.compile(r"(\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)\s]+)(\))")


def rebase_links(text: str, prefix: str) -> str:
    """Prefix the relative links (HTML ``href``/``src`` and Markdown) in *text* with *prefix*."""
    text = _LINK.sub(lambda m: m.group(1) + prefix + m.group(2) + m.group(3), text)
    return _MD_LINK.sub(lambda m: m.group(1) + prefix + m.group(2) + m.group(3), text)


def _rebase_cell(cell: dict, prefix: str) -> dict:
    """Return a copy of *cell* whose Markdown and HTML outputs link relative to the site root."""
    cell = copy.deepcopy(cell)
    if cell.get("cell_type") == "markdown":
        cell["source"] = rebase_links(_source(cell), prefix)
    for out in cell.get("outputs", []) or []:
        data = out.get("data") or {}
        for mime in ("text/html", "text/markdown"):
            if mime in data:
                v = data[mime]
                data[mime] = rebase_links("".join(v) if isinstance(v, list) else v, prefix)
    return cell


def _front_matter(title: str) -> dict:
    """Return a raw front-matter cell with *title*."""
    front = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
    return {"cell_type": "raw", "metadata": {}, "source": _lines(front)}


def _split_front(text: str) -> tuple[dict, str]:
    """Split a ``.qmd`` into its YAML front matter and body."""
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n?", text, re.S)
    if not m:
        return {}, text
    return (yaml.safe_load(m.group(1)) or {}), text[m.end() :]


def year_links_markdown(years: dict[int, Path], pages: reg.Registry | None = None) -> str:
    """Return a Markdown list linking every year's pages, latest year first."""
    lines = ["## 各年度报告 / Reports by year", ""]
    for year in sorted(years, reverse=True):
        links = " · ".join(
            f"[{title}](reports/{year}/{name})"
            for name, title in year_pages(years[year], pages, year)
        )
        lines.append(f"- **{year} 年度**：{links}")
    return "\n".join(lines) + "\n"


def headline_table(summary: dict, pages: reg.Registry | None = None) -> str:
    """Return the latest summary's headline figures per zone as a Markdown table.

    Columns: the registry's ``summary.zone_fields`` (field and label), in order.
    """
    from ..schema import ZONES

    fields = pages.zone_fields if pages else reg.DEFAULT_ZONE_FIELDS

    def fmt(v):
        if v is None:
            return "—"
        if isinstance(v, bool):
            return "达标" if v else "未达标"
        if isinstance(v, float):
            return f"{v:,.2f}"
        return str(v)

    rows = [
        "| 片区 zone | " + " | ".join(label for _, label in fields) + " |",
        "|---|" + "---|" * len(fields),
    ]
    for zid, name in ZONES.items():
        z = (summary.get("zones") or {}).get(zid) or {}
        rows.append(f"| {name} | " + " | ".join(fmt(z.get(f)) for f, _ in fields) + " |")
    return "\n".join(rows) + "\n"


def data_dictionary_markdown() -> str:
    """Return the data dictionary: the intake's generator when present, else one from the schema."""
    try:
        from ..intake.dictionary import data_dictionary_markdown as intake_dictionary
    except ImportError:
        intake_dictionary = None
    if intake_dictionary is not None:
        return intake_dictionary()
    from ..schema import TABLES

    out = []
    for table in TABLES.values():
        out += [
            f"## {table.title}（`{table.name}`）",
            "",
            "| 列 column | 名称 | 类型 | 单位 | 必填 |",
        ]
        out.append("|---|---|---|---|---|")
        for c in table.columns:
            out.append(
                f"| `{c.name}` | {c.label} | {c.dtype} | {c.unit or ''} | {'是' if c.required else '否'} |"
            )
        out.append("")
    return "\n".join(out)


def navbar(years: dict[int, Path], pages: reg.Registry | None = None) -> list[dict]:
    """Return the navbar entries for every year, latest first: one menu of pages per year."""
    entries = []
    for year in sorted(years, reverse=True):
        menu = [
            {"href": f"reports/{year}/{name}", "text": title}
            for name, title in year_pages(years[year], pages, year)
        ]
        entries.append({"text": f"{year} 年度", "menu": menu})
    return entries


def _write_notebook(path: Path, nb: dict) -> None:
    """Write notebook JSON deterministically, in canonical form (:func:`canonical_notebook`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(canonical_notebook(nb), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def stage_project(overrides: dict[int, Path] | None = None, renderer: str | None = None) -> Path:
    """Build the staging Quarto project ``build/site-src/`` and return its folder."""
    renderer = renderer or renderer_name()
    src = paths.build_dir() / "site-src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for name in STATIC_FILES:
        if (paths.ROOT / name).exists():
            shutil.copy2(paths.ROOT / name, src / name)
    if not (src / "_quarto.yml").exists():
        raise SiteError(f"缺少网站配置 {paths.ROOT / '_quarto.yml'} / _quarto.yml missing")

    years = report_years(paths.reports_dir(), overrides)
    # The renderer building this site, not the one recorded when the reports ran
    # (``evalkit render`` may use another).
    renderer_version = provenance.renderer_version(renderer)
    pages = registry()
    staged_years = _stage_years(src, years, renderer, renderer_version, home=_home_notebook(pages))
    static_footer = _stage_static_pages(src, staged_years, renderer, renderer_version)
    home = _stage_home(src, staged_years, static_footer, pages)
    _stage_navigation(src, staged_years, pages, home)
    site_pages.stage_release_info(src, staged_years, pilot_titles()[0], pages)
    site_pages.stage_renderer_options(src, renderer)
    return src


def _stage_years(
    src: Path,
    years: dict[int, Path],
    renderer: str,
    renderer_version: str | None,
    home: str = "index",
) -> dict[int, Path]:
    """Copy each year's reports into *src* with a provenance footer per page; return the copies.

    The year's executive summary (*home*) also links the year's Word/PDF editions,
    when they were built (:func:`evalkit.run.site_pages.edition_links_markdown`).
    """
    staged_years: dict[int, Path] = {}
    for year, folder in years.items():
        dest = src / "reports" / str(year)
        shutil.copytree(
            folder, dest, ignore=shutil.ignore_patterns(".*", "summary.parts", "results")
        )
        staged_years[year] = dest
        man = mf.read_manifest(dest)
        summary = {}
        if (dest / "summary.json").exists():
            summary = json.loads((dest / "summary.json").read_text(encoding="utf-8"))
        as_of = summary.get("as_of") or (man.get("parameters") or {}).get("as_of")
        for nb_path in dest.glob("*.ipynb"):
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            entry = (man.get("notebooks") or {}).get(nb_path.stem, {})
            nb["cells"].append(
                _md_cell(
                    provenance.footer_block(
                        as_of,
                        provenance.page_inputs(entry),
                        commit=man.get("git_commit"),
                        renderer=renderer,
                        renderer_version=renderer_version,
                        dirty=man.get("git_dirty"),
                    )
                )
            )
            editions = site_pages.edition_links_markdown(year, dest) if nb_path.stem == home else ""
            if editions:
                nb["cells"].insert(site_pages.before_last_section(nb["cells"]), _md_cell(editions))
            if renderer == "smalldocs":
                # Quarto numbers tables and figures itself; smalldocs does not (its gap).
                crossref.number_notebook(nb)
            _write_notebook(nb_path, nb)
    return staged_years


def _stage_static_pages(
    src: Path, staged_years: dict[int, Path], renderer: str, renderer_version: str | None
) -> str:
    """Write the data dictionary and footers of the static pages; return that footer."""
    # Pages built from no input file still say how current the site's data are.
    latest_as_of = None
    if staged_years:
        latest = staged_years[max(staged_years)] / "summary.json"
        if latest.exists():
            latest_as_of = json.loads(latest.read_text(encoding="utf-8")).get("as_of")
    # One footer for all of them (git and renderer looked up once, not once per page).
    static_footer = _static_provenance(latest_as_of, renderer, renderer_version)
    dictionary = data_dictionary_markdown()
    # The dictionary brings its own front matter: one block per page, never two.
    if not dictionary.lstrip().startswith("---"):
        dictionary = '---\ntitle: "数据字典 / Data dictionary"\n---\n\n' + dictionary
    (src / "data-dictionary.qmd").write_text(dictionary + "\n\n" + static_footer, encoding="utf-8")
    glossary_page = src / "glossary.qmd"
    if glossary_page.exists():
        text = glossary_page.read_text(encoding="utf-8")
        table = glossary.glossary_table(glossary.load())
        text = re.sub(r"<!-- evalkit:glossary-table\b.*?-->", lambda _: table, text, flags=re.S)
        glossary_page.write_text(text, encoding="utf-8")
    for name in ("methodology.qmd", "glossary.qmd"):
        page = src / name
        if page.exists():
            page.write_text(page.read_text(encoding="utf-8") + "\n\n" + static_footer, "utf-8")
    return static_footer


def _stage_navigation(
    src: Path, staged_years: dict[int, Path], pages: reg.Registry | None, home: str
) -> None:
    """Write the staged ``_quarto.yml`` and make the staged report pages year-aware.

    The navbar fits at 1280 px: home, one menu per year (latest first), the
    registry's top-level links (e.g. 数据质量), then one 参考资料 menu with the
    reference pages (:data:`REFERENCE_PAGES`); Chinese labels only, and it folds
    into a menu button below :data:`NAVBAR_COLLAPSE_BELOW`. The report pages get
    the year in their title (search results show it), a link to the same page in
    the other years, and pages with no content in a year are not staged
    (:func:`evalkit.run.site_pages.year_aware_pages`).
    """
    site_pages.year_aware_pages(staged_years, pages)
    cfg = yaml.safe_load((src / "_quarto.yml").read_text(encoding="utf-8")) or {}
    website = cfg.setdefault("website", {})
    website["title"], website["description"] = pilot_titles()
    nav = website.setdefault("navbar", {})
    nav["collapse-below"] = NAVBAR_COLLAPSE_BELOW
    reference_files = {name for name, _ in REFERENCE_PAGES}
    left = [
        e
        for e in nav.get("left", [])
        if not (isinstance(e, dict) and ("menu" in e or e.get("href") in reference_files))
    ]
    for e in left:
        if isinstance(e, dict):
            if e.get("href") == "index.qmd":
                e["href"] = home
            e["text"] = site_pages.short_label(str(e.get("text") or ""))
    nav["left"] = left[:1] + navbar(staged_years, pages) + left[1:]
    # Pages with a `navbar` text in the registry also get a top-level link (latest year).
    if staged_years:
        latest_dir = staged_years[max(staged_years)]
        for page in _top_links(pages):
            if (latest_dir / f"{page.notebook}.ipynb").exists():
                nav["left"].append(
                    {
                        "href": f"reports/{max(staged_years)}/{page.notebook}.ipynb",
                        "text": site_pages.short_label(page.navbar or page.title),
                    }
                )
    reference = [
        {"href": name, "text": text} for name, text in REFERENCE_PAGES if (src / name).exists()
    ]
    if reference:
        nav["left"].append({"text": REFERENCE_MENU, "menu": reference})
    # Quarto refuses render entries naming missing files: keep globs and files that exist.
    project = cfg.setdefault("project", {})
    render = list(project.get("render", []))
    render += [e["href"] for e in reference if e["href"] not in render]
    project["render"] = [r for r in render if any(c in r for c in "*?[") or (src / r).exists()]
    (src / "_quarto.yml").write_text(
        yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def pilot_titles() -> tuple[str, str]:
    """Return ``(site title, description)`` for the configured pilot zone (``zones.yaml``).

    E.g. ``("绥化协同发展先导区评估报告", "中国（黑龙江）自由贸易试验区绥化协同发展先导区
    年度综合评估与专项评估")``: another pilot zone's site names that pilot zone.
    """
    from ..core import schema

    pilot = schema.PILOT_ZONE
    return f"{pilot.short_name}评估报告", f"{pilot.name} 年度综合评估与专项评估"


def _top_links(pages: reg.Registry | None) -> list[reg.Page]:
    """Return the pages with a top-level navbar link (without a registry: the data-quality page)."""
    if pages is None:
        return [reg.Page("data_quality", "", 90.0, navbar="数据质量 Data quality")]
    return [p for p in pages.pages if p.navbar]


def _home_notebook(pages: reg.Registry | None) -> str:
    """Return the notebook whose latest report is the home page (registry ``home``; ``index``)."""
    homes = [p.notebook for p in pages.pages if p.home] if pages else []
    return homes[0] if homes else "index"


def _stage_home(
    src: Path, years: dict[int, Path], footer: str, pages: reg.Registry | None = None
) -> str:
    """Write the home page (zones, year links, latest executive summary); return its file name.

    *footer* is the static pages' provenance footer, shown under the headline table
    when the latest year has no executive summary notebook. The executive summary
    is the registry's ``home`` page.
    """
    index_qmd = src / "index.qmd"
    front, intro = (
        _split_front(index_qmd.read_text(encoding="utf-8")) if index_qmd.exists() else ({}, "")
    )
    title = pilot_titles()[0]
    intro = intro.strip() + "\n\n" + year_links_markdown(years, pages)
    if not years:
        return "index.qmd"
    latest = max(years)
    summary_path = years[latest] / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    exec_summary = years[latest] / f"{_home_notebook(pages)}.ipynb"
    if not exec_summary.exists():
        body = (
            intro
            + f"\n## {latest} 年度主要指标 / Headline figures\n\n"
            + headline_table(summary, pages)
            + "\n"
            + footer
        )
        index_qmd.write_text(f"---\ntitle: {json.dumps(title)}\n---\n\n{body}", encoding="utf-8")
        return "index.qmd"
    nb = json.loads(exec_summary.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    page_title = notebook_title(nb, title)
    if (
        cells
        and cells[0].get("cell_type") == "raw"
        and _source(cells[0]).lstrip().startswith("---")
    ):
        cells = cells[1:]
    prefix = f"reports/{latest}/"
    home = dict(nb)
    # Its list of the year's pages loses those the year has none of (as its own copy
    # does, site_pages.year_aware_pages), before the links are rebased.
    gone = pages.absent_in(latest) if pages else set()
    # The answer first: the executive summary (as-of date, data label, targets table)
    # opens the page; the introduction and the links to every year follow it.
    body = [_rebase_cell(site_pages.drop_list_links(c, gone), prefix) for c in cells]
    footer_cells = [c for c in body if provenance.FOOTER_CLASS in _source(c)]
    home["cells"] = [
        # Short enough for one line: the navbar already names the pilot zone's site.
        _front_matter(site_pages.year_title(page_title, latest) if page_title != title else title),
        *(c for c in body if c not in footer_cells),
        _md_cell("## 关于本站 / About\n\n" + intro),
        *footer_cells,
    ]
    index_qmd.unlink(missing_ok=True)
    _write_notebook(src / "index.ipynb", home)
    return "index.ipynb"


def prepare_site(overrides: dict[int, Path] | None = None, out=print) -> tuple[Path, str]:
    """Stage and render the site (nothing published yet); return ``(built folder, renderer)``."""
    renderer = renderer_name()
    src = stage_project(overrides, renderer)
    built = render_project(src, renderer, out=out)
    out(f"渲染器 renderer: {renderer}")
    return built, renderer


def publish_site(built: Path, out=print, key: str | None = None) -> Path:
    """Swap the rendered site into ``_site/`` atomically and remove the staging project.

    *key* (:func:`site_key` of the inputs it was rendered from) is recorded after
    the swap, so the next run can skip rendering; without one the record is
    removed. A crash between the two only costs a re-render.
    """
    dest = paths.site_dir()
    state = site_state_path()
    state.unlink(missing_ok=True)
    publish.recover(dest)
    publish.swap_dir(built, dest)
    shutil.rmtree(paths.build_dir() / "site-src", ignore_errors=True)
    if key is not None:
        state.write_text(
            json.dumps({"key": key, "site": str(dest)}, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    out(f"网站已发布 site published: {mf.display_path(dest)}/index.html")
    return dest


def build_site(out=print) -> str:
    """Render the site from the published reports and publish it; return the renderer used."""
    key = site_key(None)
    built, renderer = prepare_site(None, out=out)
    publish_site(built, out=out, key=key)
    return renderer
