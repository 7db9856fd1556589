"""Build a year's two editions into its report folder, only when their inputs changed.

:func:`build` assembles the document (:mod:`.assemble`, :mod:`.summary`), writes the
reference document (:mod:`.style`) and runs both engines (:mod:`.engines`) in a scratch
folder, then moves ``<file_stem>.docx`` and ``.pdf`` into ``reports/<year>/``.
:func:`update` is what the pipeline calls: it returns the manifest entry of the editions
(``{"key", "sha256": {file: digest}, "engines"}``), building them only when
:func:`inputs_key` differs from the previous manifest's or a file is missing or altered.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__, paths
from ..core.digest import sha256_file, sha256_text
from ..core.errors import ConfigError
from ..core.yamlio import safe_load
from . import assemble, engines

CONFIG_FILE = "editions.yaml"
SUFFIXES = (".docx", ".pdf")
#: Configuration files the editions read (their parsed values enter the key); of
#: ``pages.yaml`` only what the editions use enters it (:func:`page_plan`).
CONFIG_INPUTS = ("zones.yaml", "targets.yaml", CONFIG_FILE)


@dataclass(frozen=True)
class EditionConfig:
    """``config/editions.yaml``: what varies between deployments (see that file)."""

    issuing_body: str = ""
    file_stem: str = "report-{year}"
    findings_heading: str = "主要发现"
    annex_pages: tuple[str, ...] = ()
    annex_documents: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    #: Body rows a table keeps in the editions (:func:`.assemble.cap_tables`); None: all.
    max_table_rows: int | None = 100

    def file_names(self, year: int) -> dict[str, str]:
        """Return ``{".docx": name, ".pdf": name}`` for *year*."""
        stem = self.file_stem.format(year=int(year))
        if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
            raise ValueError(f"{CONFIG_FILE}: file_stem must be a plain file name, got {stem!r}")
        return {suffix: stem + suffix for suffix in SUFFIXES}


def config_home(data: Path | None = None) -> Path:
    """Return the data folder whose ``config/`` the editions read.

    *data* itself when it has a ``config/`` folder, else the project's own ``data/``
    (a scratch folder holding only curated tables, as :mod:`evalkit.core.zones` does).
    """
    data = paths.data_dir(data)
    return data if paths.config_dir(data).is_dir() else paths.ROOT / "data"


def load_config(data: Path | None = None) -> EditionConfig:
    """Read ``config/editions.yaml`` (see :func:`config_home`); defaults when absent.

    Raises :class:`evalkit.core.errors.ConfigError` for a ``max_table_rows`` that is not
    a whole number ≥ 1 or ``null``.
    """
    path = paths.config_dir(config_home(data)) / CONFIG_FILE
    if not path.exists():
        return EditionConfig()
    doc = safe_load(path.read_text(encoding="utf-8")) or {}
    docs = tuple(
        (str(d["path"]), str(d.get("title") or Path(d["path"]).stem))
        for d in doc.get("annex_documents") or ()
    )
    return EditionConfig(
        issuing_body=str(doc.get("issuing_body") or ""),
        file_stem=str(doc.get("file_stem") or "report-{year}"),
        findings_heading=str(doc.get("findings_heading") or "主要发现"),
        annex_pages=tuple(str(p) for p in doc.get("annex_pages") or ()),
        annex_documents=docs,
        max_table_rows=_max_table_rows(doc, path),
    )


def _max_table_rows(doc: dict, path: Path) -> int | None:
    """Return ``max_table_rows`` of editions.yaml: 100 when absent, None for ``null`` (no cut).

    Raises :class:`evalkit.core.errors.ConfigError` naming *path* for any other value
    than a whole number ≥ 1 or ``null``.
    """
    if "max_table_rows" not in doc:
        return EditionConfig.max_table_rows
    value = doc["max_table_rows"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{path}: max_table_rows 须为不小于 1 的整数或 null（不截断）/ must be a whole "
            f"number ≥ 1 or null (no cut), got {value!r}"
        )
    return value


def _pages(data: Path, report_dir: Path | None = None):
    """Return the registry's pages in order (``pages.yaml``).

    Without a registry (a data folder without ``pages.yaml``): every notebook of
    *report_dir* by name, as the pipeline then runs every template.
    """
    from ..run import registry

    reg = registry.load(data)
    if reg:
        return sorted(reg.pages, key=lambda p: (p.order, p.notebook))
    found = sorted(Path(report_dir).glob("*.ipynb")) if report_dir else []
    return [registry.Page(notebook=f.stem, title=f.stem, order=0) for f in found]


def page_plan(data: Path, report_dir: Path | None = None) -> list[dict]:
    """Return what the editions use of ``pages.yaml``: each page's notebook, order, home flag.

    Menu titles are not used (a page's heading is its notebook's own title), so a
    change of menu title re-renders the site without rebuilding the editions.
    """
    pages = _pages(data, report_dir)
    return [{"notebook": p.notebook, "order": p.order, "home": p.home} for p in pages]


def _title(nb: dict, page) -> str:
    """Return the page's heading: its front-matter title, else the registry title."""
    return assemble.front_matter_title(nb) or page.title


def _summary_section(report_dir: Path, data: Path, cfg: EditionConfig, pages) -> assemble.Section:
    """Return the executive summary: summary.json's tables and the home page's findings."""
    from ..core.config import load_targets
    from ..core.zones import load_zones, zones_path

    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    home_data = config_home(data)
    names = {z.id: z.name for z in load_zones(zones_path(home_data)).zones}
    targets = load_targets(home_data, zones=list(names))
    home = next((p for p in pages if p.home), None)
    findings = ""
    if home is not None:
        nb = assemble.read_notebook(report_dir / f"{home.notebook}.ipynb")
        findings = assemble.section_of(assemble.notebook_markdown(nb), cfg.findings_heading)
    # Imported here: a no-change run, which only asks whether the editions are stale,
    # never loads the verdict words and the configuration they read.
    from . import summary as exec_summary

    body = exec_summary.executive_summary(summary, names, targets, findings)
    return assemble.Section("执行摘要", body)


def _page_section(report_dir: Path, page, title_prefix: str = "", numbered: bool = True):
    """Return one report page as a section headed by its title."""
    nb = assemble.read_notebook(report_dir / f"{page.notebook}.ipynb")
    title = title_prefix + _title(nb, page)
    return assemble.Section(title, assemble.notebook_markdown(nb), numbered=numbered)


def sections(report_dir: Path, data: Path, cfg: EditionConfig) -> list[assemble.Section]:
    """Return the edition's level-1 sections in order (see :mod:`.assemble`).

    Executive summary; every page but the home and annex pages, in registry order;
    annexes "附件 n" (the annex documents, then the annex pages); the closing note.
    Tables longer than ``max_table_rows`` are cut, with a note (:func:`.assemble.cap_tables`);
    wide tables get columns sized from their content (:func:`.assemble.fit_tables`).
    """
    pages = [p for p in _pages(data, report_dir) if (report_dir / f"{p.notebook}.ipynb").exists()]
    annex = {name: i for i, name in enumerate(cfg.annex_pages)}
    out = [_summary_section(report_dir, data, cfg, pages)]
    out += [_page_section(report_dir, p) for p in pages if not p.home and p.notebook not in annex]
    n = 0
    for rel, title in cfg.annex_documents:
        if (paths.ROOT / rel).exists():
            n += 1
            body = assemble.qmd_body((paths.ROOT / rel).read_text(encoding="utf-8"))
            out.append(assemble.Section(f"附件 {n}　{title}", body, numbered=False))
    for page in sorted((p for p in pages if p.notebook in annex), key=lambda p: annex[p.notebook]):
        n += 1
        out.append(_page_section(report_dir, page, f"附件 {n}　", numbered=False))
    capped = [replace(s, body=assemble.cap_tables(s.body, cfg.max_table_rows)) for s in out]
    cut = any(c.body != s.body for c, s in zip(capped, out, strict=True))
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    rows = cfg.max_table_rows
    cut_words = f"（超过 {rows} 行的表格只列出前 {rows} 行，全表见网站）" if cut else ""
    note = (
        f"本报告由 evalkit {__version__} 根据截至 {summary.get('as_of') or '—'} 的数据生成，"
        f"与同年度网站各页面内容一致{cut_words}；Word 与 PDF 两种文本内容相同。"
        "各页面的输入文件哈希、代码版本等溯源信息见网站各页页脚与本年度 manifest.json。"
    )
    capped.append(assemble.Section("编制说明", note, numbered=False))
    return [replace(s, body=assemble.fit_tables(s.body)) for s in capped]


def metadata(summary: dict, pilot, cfg: EditionConfig) -> dict:
    """Return the cover metadata: title, issuing body, as-of date, synthetic-data notice.

    *pilot* is the pilot zone (:class:`evalkit.core.zones.PilotZone`); the issuing body's
    placeholders ``{name}``, ``{short_name}``, ``{city}`` are its fields.
    """
    from ..core.asof import date_zh
    from ..present.markdown import md_escape

    year = int(summary["year"])
    meta = {
        "title": md_escape(f"《{pilot.name}{year}年度评估报告》"),
        "lang": "zh-CN",
    }
    if cfg.issuing_body:
        body = cfg.issuing_body.format(
            name=pilot.name, short_name=pilot.short_name, city=pilot.city
        )
        meta["author"] = [md_escape(body)]
    if summary.get("as_of"):
        meta["date"] = md_escape(f"数据截至{date_zh(summary['as_of'])}")
    if summary.get("synthetic_data"):
        meta["abstract"] = (
            "本报告使用合成的演示数据（synthetic data）生成，数字不代表真实情况，不得引用。"
        )
    return meta


def _resource_hashes() -> dict[str, str]:
    """Return the SHA-256 of each non-Python file of the editions package (filter, template)."""
    return {f.name: sha256_file(f) for f in sorted(engines.RESOURCES.iterdir()) if f.is_file()}


def inputs_key(report_dir: Path, data: Path | None = None, *, code_sha: str | None = None) -> str:
    """Return the SHA-256 of everything the editions of *report_dir* are made from.

    The year's executed notebooks, ``summary.json`` and figures; the parsed configuration
    (:data:`CONFIG_INPUTS`); the annex documents; the evalkit source and the editions'
    resources; the engines' and fonts' versions.
    """
    from ..run import manifest as mf

    data = paths.data_dir(data)
    cfg = load_config(data)
    report_dir = Path(report_dir)
    files = sorted(report_dir.glob("*.ipynb")) + sorted((report_dir / "figures").glob("*.png"))
    parts = {
        "report": {f.relative_to(report_dir).as_posix(): sha256_file(f) for f in files},
        "summary": sha256_file(report_dir / "summary.json"),
        "config": {
            name: mf.yaml_value_sha256(paths.config_dir(config_home(data)) / name)
            for name in CONFIG_INPUTS
        },
        "pages": page_plan(data, report_dir),
        "annex": {
            rel: sha256_file(paths.ROOT / rel)
            for rel, _ in cfg.annex_documents
            if (paths.ROOT / rel).exists()
        },
        # The run manifest's code hash (one definition; the run passes the one it took).
        "source": code_sha or mf.source_sha256(),
        "resources": _resource_hashes(),
        "engines": engines.engine_versions(),
        "version": __version__,
    }
    return sha256_text(json.dumps(parts, sort_keys=True, ensure_ascii=False))


def build(report_dir: Path, data: Path | None = None, *, key: str | None = None) -> dict:
    """Write both editions of *report_dir* (``reports/<year>``) into it; return the entry.

    The entry is ``{"key", "sha256": {file name: digest}, "engines": {name: version}}``.
    Raises :class:`evalkit.editions.engines.EditionError` when an engine fails (nothing
    is written then) and ``FileNotFoundError`` without ``summary.json``.
    """
    from ..core.zones import load_zones, zones_path

    data = paths.data_dir(data)
    report_dir = Path(report_dir)
    cfg = load_config(data)
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    names = cfg.file_names(int(summary["year"]))
    key = key or inputs_key(report_dir, data)
    as_of = summary.get("as_of") or f"{int(summary['year'])}-12-31"
    with tempfile.TemporaryDirectory(prefix="evalkit-editions-") as tmp:
        work = Path(tmp)
        if (report_dir / "figures").is_dir():
            shutil.copytree(report_dir / "figures", work / "figures")
        (work / "edition.md").write_text(
            assemble.document(sections(report_dir, data, cfg)), encoding="utf-8"
        )
        pilot = load_zones(zones_path(config_home(data)))
        meta = metadata(summary, pilot, cfg)
        (work / "metadata.yaml").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        reference = work / "reference.docx"
        from . import style  # python-docx: loaded only when an edition is built

        reference.write_bytes(style.reference_docx(engines.default_reference_docx()))
        docx, pdf = work / "out.docx", work / "out.pdf"
        engines.write_docx(work, "edition.md", work / "metadata.yaml", reference, docx, as_of)
        engines.write_pdf(work, "edition.md", work / "metadata.yaml", pdf, as_of)
        for made, suffix in ((docx, ".docx"), (pdf, ".pdf")):
            _place(made, report_dir / names[suffix])
    return {
        "key": key,
        "sha256": {names[s]: sha256_file(report_dir / names[s]) for s in SUFFIXES},
        "engines": engines.engine_versions(),
    }


def is_current(report_dir: Path, entry: dict | None, key: str) -> bool:
    """Return True when *entry* (a manifest's ``editions``) has *key* and its files are unaltered."""
    if not entry or entry.get("key") != key:
        return False
    digests = entry.get("sha256") or {}
    return bool(digests) and all(
        (Path(report_dir) / name).is_file() and sha256_file(Path(report_dir) / name) == digest
        for name, digest in digests.items()
    )


def update(
    report_dir: Path,
    old: dict | None,
    *,
    data: Path | None = None,
    build_new=True,
    published: Path | None = None,
    build_with=None,
    code_sha: str | None = None,
    out=print,
):
    """Return the ``editions`` manifest entry of *report_dir*, building only when needed.

    *old* is the previous manifest (its ``editions`` entry is reused when current).
    *published*: the year's published folder, when *report_dir* is a staging folder
    that starts empty (``report --force``): if *old*'s pair there is current for the
    key of *report_dir* (same inputs key, files unaltered), it is copied instead of
    rebuilt. Builds are deterministic (same key, same bytes), so a copy is what a
    rebuild would write. Only the configured file names are copied.
    With *build_new* False an out-of-date pair is removed instead of rebuilt (so no
    stale edition is ever published) and ``None`` returned. *build_with*: what builds
    (default :func:`build`; the pipeline builds in a child process,
    :func:`evalkit.run.child.build_editions_in_child`), called as ``build``.
    *code_sha*: the code hash of :func:`inputs_key` (computed when None).
    """
    report_dir = Path(report_dir)
    entry = (old or {}).get("editions")
    key = inputs_key(report_dir, data, code_sha=code_sha)
    if is_current(report_dir, entry, key):
        out("· 正式文本无变化 / editions up to date")
        return entry
    if published is not None and _copy_current(Path(published), report_dir, entry, key, data):
        out("· 正式文本无变化，沿用已发布的文件 / editions up to date: published files reused")
        return entry
    if not build_new:
        for name in (entry or {}).get("sha256") or {}:
            (report_dir / name).unlink(missing_ok=True)
        return None
    out("生成正式文本 building the editions (.docx, .pdf) …")
    entry = (build_with or build)(report_dir, data, key=key)
    out("· " + ", ".join(sorted(entry["sha256"])))
    return entry


def _copy_current(
    published: Path, report_dir: Path, entry: dict | None, key: str, data: Path | None
) -> bool:
    """Copy *entry*'s pair from *published* into *report_dir* when current for *key*.

    Returns False (copying nothing) unless *entry* names exactly this year's configured
    file names and :func:`is_current` holds for them in *published*.
    """
    summary = report_dir / "summary.json"
    if not entry or not summary.is_file():
        return False
    year = int(json.loads(summary.read_text(encoding="utf-8"))["year"])
    names = set(load_config(data).file_names(year).values())
    if set(entry.get("sha256") or {}) != names or not is_current(published, entry, key):
        return False
    for name in sorted(names):
        _place(published / name, report_dir / name)
    return True


def _place(source: Path, target: Path) -> None:
    """Copy *source* to *target* whole: a ``.part`` file beside it, then renamed over it."""
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def is_stale(
    report_dir: Path, old: dict | None, data: Path | None = None, *, code_sha: str | None = None
) -> bool:
    """Return True when the editions of *report_dir* must be (re)built (see :func:`update`)."""
    if not (Path(report_dir) / "summary.json").exists():
        return False
    key = inputs_key(report_dir, data, code_sha=code_sha)
    return not is_current(report_dir, (old or {}).get("editions"), key)
