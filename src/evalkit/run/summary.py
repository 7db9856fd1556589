"""``summary.json``: the pages' ``summary.parts/*.json`` merged over a skeleton from the registry.

The skeleton (:func:`base_summary`) gives every zone the registry's headline
fields (``summary.zone_fields``) and ``targets_met`` entries, ``null`` until the
page owning them fills them. A part written by a registered page may only fill
fields that page ``owns`` (a ``null`` is never a claim); two parts giving
different values for one field is an error naming both.
"""

from __future__ import annotations

import json
from pathlib import Path

from .registry import DEFAULT_TARGETS_MET, DEFAULT_ZONE_FIELDS, Registry

#: Headline fields of every zone without a registry (compatibility: ``pipeline.ZONE_FIELDS``).
ZONE_FIELDS = tuple(f for f, _ in DEFAULT_ZONE_FIELDS)
TARGET_FIELDS = DEFAULT_TARGETS_MET


class SummaryError(ValueError):
    """The summary parts cannot be merged (bilingual message naming the field and part)."""


def base_summary(
    year: int, as_of: str, synthetic: bool | None, registry: Registry | None = None
) -> dict:
    """Return the summary skeleton with ``null`` for every headline figure of every zone."""
    from ..schema import ZONES

    fields = [f for f, _ in registry.zone_fields] if registry else list(ZONE_FIELDS)
    targets = list(registry.targets_met) if registry else list(TARGET_FIELDS)
    zone: dict = {f: None for f in fields}
    zone["targets_met"] = {f: None for f in targets}
    return {
        "year": int(year),
        "as_of": as_of,
        "synthetic_data": synthetic,
        "zones": {z: json.loads(json.dumps(zone)) for z in ZONES},
    }


def deep_merge(base: dict, part: dict, where: str, trail: str = "") -> None:
    """Merge *part* into *base* in place: mappings recursively, ``null`` never overwrites.

    Two parts giving different non-null values for the same field is an error that
    names the field and the part (*where*): a headline figure must have one value.
    """
    for key, value in part.items():
        dotted = f"{trail}{key}"
        if isinstance(value, dict):
            if base.get(key) is None:
                base[key] = {}
            if not isinstance(base[key], dict):
                raise SummaryError(
                    f"摘要字段 {dotted} 类型冲突（{where}）/ summary field {dotted} conflicts in {where}"
                )
            deep_merge(base[key], value, where, dotted + ".")
        elif value is None:
            base.setdefault(key, None)
        elif base.get(key) is None or base[key] == value:
            base[key] = value
        else:
            raise SummaryError(
                f"摘要字段 {dotted} 有两个不同的值：{base[key]!r} 与 {value!r}（{where}）/ "
                f"summary field {dotted} has two different values: {base[key]!r} vs {value!r} ({where})"
            )


def filled_fields(part: dict, trail: tuple[str, ...] = ()) -> list[str]:
    """Return the dotted paths of the non-null leaves of *part*, zone ids written ``*``.

    ``{"zones": {"qinggang": {"rank": 3}}}`` gives ``["zones.*.rank"]``.
    """
    found = []
    for key, value in part.items():
        step = "*" if trail == ("zones",) else str(key)
        if isinstance(value, dict) and value:
            found += filled_fields(value, (*trail, step))
        elif value is not None and value != {}:
            found.append(".".join((*trail, step)))
    return found


def check_ownership(part_name: str, part: dict, registry: Registry | None) -> None:
    """Raise :class:`SummaryError` when a registered page's part fills a field it does not own.

    Parts no registered page writes (``summary_part``) are not checked.
    """
    page = registry.part_owner(part_name) if registry else None
    if page is None:
        return
    for path in filled_fields(part):
        if not any(path == o or path.startswith(o + ".") for o in page.owns):
            raise SummaryError(
                f"摘要片段 {part_name}.json（{page.notebook}）填写了不属于该页面的字段 {path}，"
                f"请在 config/pages.yaml 的 owns 中登记 / summary part {part_name}.json of page "
                f"{page.notebook} fills {path}, which the page does not own in config/pages.yaml"
            )


def merge_summary(
    report_dir: Path, year: int, as_of: str, synthetic: bool | None, registry: Registry | None
) -> dict:
    """Merge ``summary.parts/*.json`` (sorted by name) over the skeleton; return the summary."""
    summary = base_summary(year, as_of, synthetic, registry)
    for part in sorted((Path(report_dir) / "summary.parts").glob("*.json")):
        try:
            data = json.loads(part.read_text(encoding="utf-8"))
        except ValueError as e:
            raise SummaryError(
                f"摘要片段无法读取 {part.name}: {e} / summary part {part.name} is not valid JSON"
            ) from None
        check_ownership(part.stem, data, registry)
        deep_merge(summary, data, f"summary.parts/{part.name}")
    summary["year"], summary["as_of"] = int(year), as_of
    return summary


def summary_json(summary: dict) -> str:
    """Serialize the summary deterministically."""
    return json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
