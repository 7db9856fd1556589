"""What every staged page of the site gets for its readers (issue 16).

* Year-aware report pages (:func:`year_aware_pages`): a page the registry gives no
  content in a year (``first_year`` in ``pages.yaml``) is not staged and list items
  linking it are dropped; every report page's title carries its year, so search
  results tell the years apart; each page links the same page in the other years.
* Links to the year's Word/PDF editions on its summary page
  (:func:`edition_links_markdown`) and options for one renderer only
  (:func:`stage_renderer_options`).
* Release information (:func:`stage_release_info`): release date, evalkit version,
  issuing body and contact (``config/site.yaml``), a suggested citation, a link to
  the year's ``manifest.json`` and any revision note, at the foot of every page.

Both work on the staging copy (``build/site-src``) only; the executed reports keep
their titles and outputs, so nbval's comparisons are unaffected. Called by
:mod:`evalkit.run.site` while it stages the project.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml

from . import manifest as mf
from . import provenance
from . import registry as reg
from .canonical import canonical_notebook
from .canonical import lines as _lines

_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*\n?", re.S)


def _text(cell: dict) -> str:
    """Return a cell's source as one string."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _front(text: str) -> dict | None:
    """Return the YAML front matter at the start of *text* (``{}`` if unreadable), None if none."""
    m = _FRONT.match(text.lstrip())
    if not m:
        return None
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _front_cell(meta: dict) -> dict:
    """Return a raw front-matter cell holding *meta* (title first, written as text)."""
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return {"cell_type": "raw", "metadata": {}, "source": _lines(f"---\n{text}---\n")}


def _md(text: str) -> dict:
    """Return a new Markdown cell."""
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, nb: dict) -> None:
    """Write notebook JSON in canonical form, as the site's staging does."""
    text = json.dumps(canonical_notebook(nb), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def _title(nb: dict, fallback: str) -> str:
    """Return the ``title`` of a notebook's front-matter cell, else *fallback*."""
    cells = nb.get("cells") or []
    meta = _front(_text(cells[0])) if cells and cells[0].get("cell_type") == "raw" else None
    return str(meta["title"]) if meta and meta.get("title") else fallback


def short_label(text: str) -> str:
    """Return the Chinese part of a bilingual navbar label (``"首页 Home"`` → ``"首页"``).

    A label with no Chinese before its first space is returned unchanged.
    """
    m = re.match(r"^([^\sA-Za-z]*[\u4e00-\u9fff][^\sA-Za-z]*)\s+[A-Za-z]", text.strip())
    return m.group(1) if m else text.strip()


def year_title(title: str, year: int) -> str:
    """Return a report page's title with its year, e.g. ``"2026 年 招商引资专项评估"``.

    A title that starts with 年度 takes the year directly: ``"2026 年度评估摘要"``, not
    "2026 年 年度评估摘要".
    """
    title = title.strip()
    if title.startswith(f"{int(year)} 年"):
        return title
    return f"{int(year)} {title}" if title.startswith("年度") else f"{int(year)} 年 {title}"


def other_years_markdown(notebook: str, year: int, years_with_page: list[int]) -> str:
    """Return a Markdown line linking the same page in the other years (``""`` when none).

    Links are relative to ``reports/<year>/`` (``../2025/investment.ipynb``), latest first.
    """
    others = sorted((y for y in years_with_page if y != int(year)), reverse=True)
    if not others:
        return ""
    links = " · ".join(f"[{y} 年](../{y}/{notebook}.ipynb)" for y in others)
    return f"**本专题其他年度 / Other years**：{links}\n"


def drop_list_links(cell: dict, gone: set[str]) -> dict:
    """Return *cell* without the Markdown list items linking to a page in *gone* (same year).

    E.g. an executive summary's "- [三年总结评估](closing_review.html)" in a year
    that has no closing review. Markdown cells and ``text/markdown`` outputs.
    """
    if not gone:
        return cell
    names = "|".join(re.escape(n) for n in sorted(gone))
    item = re.compile(
        rf"^\s*[-*+] .*\]\((?:\./)?(?:{names})\.(?:html|ipynb)(?:#[^)]*)?\).*(?:\n|$)", re.M
    )
    cell = copy.deepcopy(cell)
    if cell.get("cell_type") == "markdown":
        cell["source"] = _lines(item.sub("", _text(cell)))
    for out in cell.get("outputs", []) or []:
        data = out.get("data") or {}
        if "text/markdown" in data:
            v = data["text/markdown"]
            data["text/markdown"] = _lines(item.sub("", "".join(v) if isinstance(v, list) else v))
    return cell


def year_aware_pages(staged_years: dict[int, Path], pages: reg.Registry | None) -> None:
    """Drop staged pages without content that year; add the year to titles and other-year links.

    Works on the staged copies only (``build/site-src/reports/<year>/``): the
    executed reports keep their titles, so nbval's comparisons are unaffected.
    The other-year line goes just above the provenance footer (the last cell).
    """
    by_notebook: dict[str, list[int]] = {}
    dropped: dict[int, set[str]] = {}
    for year, folder in staged_years.items():
        # Pages the registry gives no content this year, whether or not a stale copy
        # was published (a regenerated year has none, but its list may still link one).
        if pages is not None:
            dropped[year] = pages.absent_in(year)
        for nb_path in sorted(folder.glob("*.ipynb")):
            if pages is not None and not pages.in_year(nb_path.stem, year):
                nb_path.unlink()
                continue
            by_notebook.setdefault(nb_path.stem, []).append(year)
    for year, folder in staged_years.items():
        for nb_path in sorted(folder.glob("*.ipynb")):
            nb = _read(nb_path)
            cells = [drop_list_links(c, dropped.get(year, set())) for c in nb.get("cells", [])]
            page = pages.page(nb_path.stem) if pages else None
            title = year_title(_title(nb, page.title if page else nb_path.stem), year)
            meta = _front(_text(cells[0])) if cells and cells[0]["cell_type"] == "raw" else None
            if meta is None:
                cells.insert(0, _front_cell({"title": title}))
            else:
                cells[0] = _front_cell(
                    {"title": title, **{k: v for k, v in meta.items() if k != "title"}}
                )
            line = other_years_markdown(nb_path.stem, year, by_notebook.get(nb_path.stem, []))
            if line:
                last = _text(cells[-1]) if cells else ""
                at = len(cells) - 1 if provenance.FOOTER_CLASS in last else len(cells)
                cells.insert(at, _md(line))
            nb["cells"] = cells
            _write(nb_path, nb)


def stage_release_info(
    src: Path, staged_years: dict[int, Path], site_title: str, pages: reg.Registry | None
) -> None:
    """Append the release block (:func:`provenance.release_block`) to every staged page.

    Report pages: their year's release date, revisions and ``manifest.json``; the
    home page and the static pages: the latest year's. Runs after the navigation
    step, so titles already carry the year. *site_title* names the site in the
    suggested citation; *pages* (the registry) labels the revised figures.
    """
    from ..core import schema

    config = provenance.site_config()
    fields = dict(pages.zone_fields if pages else reg.DEFAULT_ZONE_FIELDS)
    fields.update({"funds_growth": "到位资金增长"})  # the third target of targets_met

    def block(title: str, year: int | None, href_prefix: str) -> str:
        man = mf.read_manifest(staged_years[year]) if year is not None else {}
        href = f"{href_prefix}manifest.json" if man else None
        changed = [c for r in man.get("revisions") or [] for c in r.get("changed") or []]
        return provenance.release_block(
            title=title,
            date=provenance.release_date(man),
            manifest_href=href,
            config=config,
            revision_record=man.get("revisions"),
            labels=provenance.change_labels(changed, dict(schema.ZONES), fields),
        )

    for year, folder in staged_years.items():
        for nb_path in sorted(folder.glob("*.ipynb")):
            nb = _read(nb_path)
            title = f"{site_title}：{_title(nb, nb_path.stem)}"
            nb["cells"].append(_md(block(title, year, "")))
            _write(nb_path, nb)
    latest = max(staged_years) if staged_years else None
    prefix = f"reports/{latest}/"
    home = src / "index.ipynb"
    if home.exists():
        nb = _read(home)
        nb["cells"].append(_md(block(_title(nb, site_title), latest, prefix)))
        _write(home, nb)
    for path in sorted(src.glob("*.qmd")):
        text = path.read_text(encoding="utf-8")
        title = f"{site_title}：{(_front(text) or {}).get('title') or path.stem}"
        path.write_text(text + "\n\n" + block(title, latest, prefix), encoding="utf-8")


# --- Official editions and renderer-specific options -------------------------------


def edition_links_markdown(year: int, folder: Path) -> str:
    """Return a line linking the year's Word and PDF editions in *folder*, or "" if none exist."""
    from ..editions.builder import load_config

    names = load_config().file_names(year)
    links = [
        f"[{label}（{names[suffix]}）]({names[suffix]})"
        for suffix, label in ((".docx", "Word 版"), (".pdf", "PDF 版"))
        if (folder / names[suffix]).is_file()
    ]
    if not links:
        return ""
    return f"**{int(year)} 年度评估报告正式文本 / Official editions**：" + " · ".join(links) + "\n"


def before_last_section(cells: list[dict]) -> int:
    """Return where the editions line goes: before the page's last ``## `` section.

    On the year's summary that is the list of the year's pages, after the targets,
    scores and findings, so the first screen keeps the answer (the targets table).
    Without such a section: before the provenance footer, else at the end.
    """
    headings = [
        i
        for i, c in enumerate(cells)
        if c.get("cell_type") == "markdown" and _text(c).startswith("## ")
    ]
    if headings:
        return headings[-1]
    footer = [i for i, c in enumerate(cells) if provenance.FOOTER_CLASS in _text(c)]
    return footer[0] if footer else len(cells)


#: Options for one renderer only, added to the staged ``_quarto.yml`` (another renderer
#: would warn that it ignores them). Quarto: pipe tables wider than a source line would
#: get fixed relative column widths from their dash counts (Pandoc); ``false`` lets the
#: browser size each column to its content (quarto-cli filters/modules/tablecolwidths.lua).
RENDERER_OPTIONS = {"quarto": {"format": {"html": {"tbl-colwidths": False}}}}


def stage_renderer_options(src: Path, renderer: str) -> None:
    """Merge :data:`RENDERER_OPTIONS` of *renderer* into the staged ``_quarto.yml``."""
    options = RENDERER_OPTIONS.get(renderer)
    if not options:
        return
    path = src / "_quarto.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def merge(into: dict, extra: dict) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(cfg, options)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
