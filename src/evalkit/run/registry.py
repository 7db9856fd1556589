"""The page registry (``data/config/pages.yaml``): what each report page is, reads and owns.

One entry per template notebook: its title and menu order (site navigation), the
curated tables and configuration files it reads and the topic results it uses
(the pipeline's change detection), the name of its ``summary.parts/<part>.json``
and the ``summary.json`` fields it owns (the summary merge). Topics declare their
own inputs in ``evalkit/topics/<topic>/compute.py`` (``READS``, ``CONFIG``,
``USES``); :func:`page_inputs` adds them, read statically (no import, so a run
that has nothing to do never imports pandas).

A notebook with no registry entry (a new page, or the tests' scratch notebooks)
falls back to its ``metadata.evalkit`` (``reads``, ``order``) and front-matter
title, and depends on every configuration file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..topics.declarations import topic_closure, topic_declarations  # noqa: F401  (re-exported)

#: File name of the registry in the configuration folder.
REGISTRY_FILE = "pages.yaml"
#: Headline fields of every zone when there is no registry (the plan's three targets).
DEFAULT_ZONE_FIELDS = (
    ("reforms_replicated", "复制推广经验"),
    ("reforms_original", "自主创新经验"),
    ("funds_in_place_wan_yuan", "到位资金（万元）"),
    ("funds_yoy_growth", "同比增长"),
    ("composite_score", "综合得分"),
    ("rank", "排名"),
)
DEFAULT_TARGETS_MET = ("reforms_replicated", "reforms_original", "funds_growth")
_NAME = re.compile(r"[A-Za-z0-9_]+")
_CONFIG_NAME = re.compile(r"[A-Za-z0-9_.-]+\.ya?ml")


class RegistryError(ValueError):
    """The page registry is malformed or inconsistent (message names the file and entry)."""


@dataclass(frozen=True)
class Page:
    """One report page (``notebooks/<notebook>.ipynb``) as declared in the registry."""

    notebook: str
    title: str
    order: float
    reads: tuple[str, ...] = ()
    config: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    summary_part: str | None = None
    owns: tuple[str, ...] = ()
    home: bool = False
    navbar: str | None = None
    #: First report year the page has content for (None: every year), e.g. the
    #: closing review of a three-year pilot only from its final year.
    first_year: int | None = None

    def in_year(self, year: int) -> bool:
        """Return True when the page exists in *year*'s reports (``first_year`` on)."""
        return self.first_year is None or int(year) >= self.first_year


@dataclass(frozen=True)
class Registry:
    """Every page, in menu order, plus the summary skeleton."""

    pages: tuple[Page, ...] = ()
    common_config: tuple[str, ...] = ()
    zone_fields: tuple[tuple[str, str], ...] = DEFAULT_ZONE_FIELDS
    targets_met: tuple[str, ...] = DEFAULT_TARGETS_MET
    source: str = REGISTRY_FILE
    by_name: dict[str, Page] = field(default_factory=dict, compare=False, repr=False)

    def page(self, notebook: str) -> Page | None:
        """Return the entry of *notebook* (template stem), None when it has none."""
        return self.by_name.get(notebook)

    def in_year(self, notebook: str, year: int) -> bool:
        """Return True when *notebook* has a page in *year* (a page it does not list: always)."""
        page = self.page(notebook)
        return page is None or page.in_year(year)

    def absent_in(self, year: int) -> set[str]:
        """Return the notebooks of the pages that have no page in *year* (``first_year`` later)."""
        return {p.notebook for p in self.pages if not p.in_year(year)}

    def part_owner(self, part: str) -> Page | None:
        """Return the page that writes ``summary.parts/<part>.json``, None if no page does."""
        return next((p for p in self.pages if p.summary_part == part), None)


def _names(value, where: str, pattern: re.Pattern = _NAME) -> tuple[str, ...]:
    """Return *value* as a tuple of names matching *pattern*, or raise naming *where*."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, str) and pattern.fullmatch(v) for v in value
    ):
        raise RegistryError(f"{where}: 应为名称列表 / must be a list of names, got {value!r}")
    return tuple(value)


def _page(entry, where: str) -> Page:
    """Validate one ``pages:`` entry and return it as a :class:`Page`."""
    if not isinstance(entry, dict) or not isinstance(entry.get("notebook"), str):
        raise RegistryError(f"{where}: 每页须有 notebook / each page needs `notebook`")
    name = entry["notebook"]
    where = f"{where} ({name})"
    known = {
        "notebook",
        "title",
        "order",
        "reads",
        "config",
        "uses",
        "summary_part",
        "owns",
        "home",
        "navbar",
        "first_year",
    }
    unknown = set(entry) - known
    if unknown:
        raise RegistryError(f"{where}: 未知字段 / unknown keys {sorted(unknown)}")
    if not isinstance(entry.get("title"), str) or not entry["title"].strip():
        raise RegistryError(f"{where}: 缺少标题 / `title` missing")
    order = entry.get("order")
    if isinstance(order, bool) or not isinstance(order, int | float):
        raise RegistryError(f"{where}: order 应为数字 / `order` must be a number")
    owns = entry.get("owns") or []
    if not isinstance(owns, list) or not all(
        isinstance(o, str) and all(_NAME.fullmatch(s) or s == "*" for s in o.split("."))
        for o in owns
    ):
        raise RegistryError(f"{where}: owns 应为字段路径列表 / `owns` must list dotted field paths")
    part = entry.get("summary_part")
    if part is not None and not (isinstance(part, str) and _NAME.fullmatch(part)):
        raise RegistryError(f"{where}: summary_part 应为名称 / `summary_part` must be a name")
    navbar = entry.get("navbar")
    first_year = entry.get("first_year")
    if first_year is not None and (isinstance(first_year, bool) or not isinstance(first_year, int)):
        raise RegistryError(f"{where}: first_year 应为年份 / `first_year` must be a year")
    return Page(
        notebook=name,
        title=entry["title"].strip(),
        order=float(order),
        reads=_names(entry.get("reads"), f"{where} reads"),
        config=_names(entry.get("config"), f"{where} config", _CONFIG_NAME),
        uses=_names(entry.get("uses"), f"{where} uses"),
        summary_part=part,
        owns=tuple(owns),
        home=bool(entry.get("home", False)),
        navbar=str(navbar) if navbar else None,
        first_year=first_year,
    )


def parse(doc, source: str = REGISTRY_FILE) -> Registry:
    """Validate a parsed registry document; return the :class:`Registry` (pages in menu order).

    Raises :class:`RegistryError` for a malformed entry, a notebook or summary part
    listed twice, a field owned by two pages, or a headline field no page owns.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("pages"), list):
        raise RegistryError(f"{source}: 顶层须有 pages 列表 / top level needs a `pages` list")
    pages = [_page(e, f"{source} pages[{i}]") for i, e in enumerate(doc["pages"])]
    seen: dict[tuple[str, str], str] = {}
    for p in pages:
        for kind, key in (("notebook", p.notebook), ("summary_part", p.summary_part)):
            if key is None:
                continue
            if (kind, key) in seen:
                raise RegistryError(f"{source}: {kind} {key!r} 重复 / listed twice")
            seen[(kind, key)] = p.notebook
    owner: dict[str, str] = {}
    for p in pages:
        for path in p.owns:
            for other, who in owner.items():
                if path == other or path.startswith(other + ".") or other.startswith(path + "."):
                    raise RegistryError(
                        f"{source}: 字段 {path} 同时属于 {who} 与 {p.notebook} / "
                        f"field {path} is owned by both {who} and {p.notebook}"
                    )
            owner[path] = p.notebook
    summary = doc.get("summary") or {}
    if not isinstance(summary, dict):
        raise RegistryError(f"{source}: summary 应为映射 / `summary` must be a mapping")
    zone_fields = DEFAULT_ZONE_FIELDS
    if "zone_fields" in summary:
        raw = summary["zone_fields"]
        if not isinstance(raw, list) or not all(
            isinstance(f, dict) and isinstance(f.get("field"), str) for f in raw
        ):
            raise RegistryError(f"{source}: summary.zone_fields 应为 {{field, label}} 列表")
        zone_fields = tuple((f["field"], str(f.get("label") or f["field"])) for f in raw)
    targets = DEFAULT_TARGETS_MET
    if "targets_met" in summary:
        targets = _names(summary["targets_met"], f"{source} summary.targets_met")
    headline = [f"zones.*.{f}" for f, _ in zone_fields]
    headline += [f"zones.*.targets_met.{t}" for t in targets]
    for path in headline:
        if not any(path == o or path.startswith(o + ".") for o in owner):
            raise RegistryError(
                f"{source}: 摘要字段 {path} 不属于任何页面 / summary field {path} has no page owning it"
            )
    ordered = tuple(sorted(pages, key=lambda p: (p.order, p.notebook)))
    return Registry(
        pages=ordered,
        common_config=_names(doc.get("common_config"), f"{source} common_config", _CONFIG_NAME),
        zone_fields=zone_fields,
        targets_met=targets,
        source=source,
        by_name={p.notebook: p for p in ordered},
    )


def registry_path(data: Path | None = None) -> Path:
    """Return the path of the registry, ``<data>/config/pages.yaml``."""
    return paths.config_dir(paths.data_dir(data)) / REGISTRY_FILE


def load(data: Path | None = None) -> Registry | None:
    """Read and validate the registry of the data folder *data*; None when there is none.

    Raises :class:`RegistryError` when the file exists but is not valid YAML or
    not a valid registry.
    """
    import yaml

    from ..core.yamlio import safe_load

    path = registry_path(data)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        doc = safe_load(text)
    except yaml.YAMLError as e:
        raise RegistryError(f"{path}: YAML 格式错误 / invalid YAML: {e}") from None
    return parse(doc, source=f"config/{REGISTRY_FILE}")


def page_inputs(page: Page, registry: Registry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(curated tables, config files)`` *page* depends on, sorted.

    Its own ``reads`` / ``config``, the registry's ``common_config``, and what the
    topics it uses declare (transitively).
    """
    closure = topic_closure(page.uses)
    reads = set(page.reads) | set(closure["reads"])
    config = set(page.config) | set(registry.common_config) | set(closure["config"])
    return tuple(sorted(reads)), tuple(sorted(config))
