"""The pilot zone and its sub-zones, read from ``config/zones.yaml``.

Which file: :func:`zones_path` — ``<data dir>/config/zones.yaml`` where the data dir
is the ``data_dir`` argument, else ``EVALKIT_DATA_DIR``, else ``<root>/data``. A data
folder with no ``config/`` folder at all (a scratch folder holding only curated
tables) uses the project's own ``<root>/data/config/zones.yaml``; a data folder that
has its own ``config/`` must have its own ``zones.yaml`` (else :class:`ConfigError`),
so another pilot zone never silently gets this one's zones.

Format (every key required unless marked optional)::

    pilot_zone: {name: ..., short_name: ..., city: ...}   # short_name, city optional
    zones:                       # list, in the plan's order
      - id: suihua_etdz          # lower-case ascii id, unique
        name: 绥化经开区片区
        aliases: [绥化经开区, ...]   # optional; the id and the name always match too
        host_county: beilin      # a key of counties
        clusters: {agri_processing: 农产品加工, ...}   # id unique across zones
    counties: {beilin: 北林区, ...}
    impact:
      comparison_counties: [anda, ...]   # counties of `counties`, none a host county

Errors are :class:`~evalkit.core.errors.ConfigError` with a bilingual message naming
the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import paths
from .errors import ConfigError
from .yamlio import safe_load

FILENAME = "zones.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Zone:
    """One sub-zone: id, Chinese name, submission aliases, host county, lead clusters."""

    id: str
    name: str
    aliases: tuple[str, ...]
    host_county: str
    clusters: dict[str, str]


@dataclass(frozen=True)
class PilotZone:
    """A pilot zone as configured in ``zones.yaml`` (see the module docstring)."""

    name: str
    short_name: str
    city: str
    zones: tuple[Zone, ...]
    counties: dict[str, str]
    comparison_counties: tuple[str, ...]
    source: str = ""

    @property
    def zone_names(self) -> dict[str, str]:
        """Zone id → Chinese name, in the plan's order."""
        return {z.id: z.name for z in self.zones}

    @property
    def zone_order(self) -> dict[str, int]:
        """Zone id → position in the plan's order."""
        return {z.id: i for i, z in enumerate(self.zones)}

    @property
    def zone_aliases(self) -> dict[str, str]:
        """Spelling seen in submissions → zone id (the id, the name, then the aliases)."""
        out: dict[str, str] = {}
        for z in self.zones:
            for spelling in (z.id, z.name, *z.aliases):
                out[spelling] = z.id
        return out

    @property
    def host_counties(self) -> tuple[str, ...]:
        """County ids hosting the sub-zones, in zone order (duplicates removed)."""
        return tuple(dict.fromkeys(z.host_county for z in self.zones))

    @property
    def clusters(self) -> dict[str, dict[str, str]]:
        """Zone id → {cluster id → Chinese name}."""
        return {z.id: dict(z.clusters) for z in self.zones}

    @property
    def all_clusters(self) -> dict[str, str]:
        """Cluster id → Chinese name over all zones."""
        return {k: v for z in self.zones for k, v in z.clusters.items()}


def default_path() -> Path:
    """Return the project's own ``<root>/data/config/zones.yaml``."""
    return paths.ROOT / "data" / "config" / FILENAME


def zones_path(data_dir: str | Path | None = None) -> Path:
    """Return the ``zones.yaml`` that applies to *data_dir* (rule: see the module docstring)."""
    config = paths.config_dir(paths.data_dir(data_dir))
    if config.is_dir():
        return config / FILENAME
    return default_path()


def _fail(where: str, zh: str, en: str) -> ConfigError:
    return ConfigError(f"{where}: {zh} / {en}")


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "应为非空文字", f"must be non-empty text, got {value!r}")
    return value.strip()


def _mapping(value, where: str, *, keys: set[str] | None = None) -> dict:
    if not isinstance(value, dict) or not value:
        raise _fail(where, "应为非空映射", f"must be a non-empty mapping, got {value!r}")
    if keys is not None and set(value) - keys:
        unknown = sorted(map(str, set(value) - keys))
        raise _fail(where, f"有未知键 {unknown}", f"unknown keys {unknown}")
    return value


def _id(value, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise _fail(
            where,
            "标识应为小写字母开头的小写字母、数字、下划线",
            f"an id must be lower-case ascii (a-z, 0-9, _), got {value!r}",
        )
    return value


def _names(value, where: str) -> dict[str, str]:
    return {
        _id(k, f"{where}.{k}"): _text(v, f"{where}.{k}") for k, v in _mapping(value, where).items()
    }


def _zone(doc, source: str, index: int, counties: dict[str, str]) -> Zone:
    where = f"{source}: zones[{index}]"
    doc = _mapping(doc, where, keys={"id", "name", "aliases", "host_county", "clusters"})
    for key in ("id", "name", "host_county", "clusters"):
        if key not in doc:
            raise _fail(where, f"缺少键 {key}", f"missing key {key!r}")
    zid = _id(doc["id"], f"{where}.id")
    where = f"{source}: zones[{zid}]"
    aliases = doc.get("aliases") or []
    if not isinstance(aliases, list):
        raise _fail(f"{where}.aliases", "应为列表", "must be a list")
    host = doc["host_county"]
    if host not in counties:
        raise _fail(
            f"{where}.host_county",
            f"县（市、区）{host!r} 不在 counties 中",
            "not a key of counties",
        )
    return Zone(
        id=zid,
        name=_text(doc["name"], f"{where}.name"),
        aliases=tuple(_text(a, f"{where}.aliases") for a in aliases),
        host_county=host,
        clusters=_names(doc["clusters"], f"{where}.clusters"),
    )


def parse_zones(doc, source: str = FILENAME) -> PilotZone:
    """Validate the parsed YAML *doc* of a ``zones.yaml`` and return the :class:`PilotZone`.

    *source* names the file in error messages. Raises :class:`ConfigError` for a missing
    or unknown key, an empty list, a duplicate zone id, alias or cluster id, a host or
    comparison county not listed in ``counties``, or a comparison county that hosts a zone.
    """
    doc = _mapping(doc, source, keys={"pilot_zone", "zones", "counties", "impact"})
    for key in ("pilot_zone", "zones", "counties", "impact"):
        if key not in doc:
            raise _fail(source, f"缺少键 {key}", f"missing key {key!r}")
    pilot = _mapping(
        doc["pilot_zone"], f"{source}: pilot_zone", keys={"name", "short_name", "city"}
    )
    name = _text(pilot.get("name"), f"{source}: pilot_zone.name")
    counties = _names(doc["counties"], f"{source}: counties")
    if not isinstance(doc["zones"], list) or not doc["zones"]:
        raise _fail(f"{source}: zones", "应为非空列表", "must be a non-empty list")
    zones = tuple(_zone(z, source, i, counties) for i, z in enumerate(doc["zones"]))
    seen: dict[str, str] = {}
    for kind, items in (
        ("片区标识 zone id", [(z.id, z.id) for z in zones]),
        (
            "片区名称或别名 zone name/alias",
            [(s, z.id) for z in zones for s in {z.name, *z.aliases}],
        ),
        ("产业集群标识 cluster id", [(c, z.id) for z in zones for c in z.clusters]),
    ):
        seen.clear()
        for item, zid in items:
            if item in seen:
                raise _fail(
                    f"{source}: zones",
                    f"{kind} {item!r} 重复（{seen[item]}、{zid}）",
                    f"duplicate {kind.split(' ', 1)[1]} {item!r} ({seen[item]}, {zid})",
                )
            seen[item] = zid
    impact = _mapping(doc["impact"], f"{source}: impact", keys={"comparison_counties"})
    comparison = impact.get("comparison_counties")
    where = f"{source}: impact.comparison_counties"
    if not isinstance(comparison, list) or not comparison:
        raise _fail(where, "应为非空列表", "must be a non-empty list of county ids")
    hosts = {z.host_county for z in zones}
    for c in comparison:
        if c not in counties:
            raise _fail(where, f"{c!r} 不在 counties 中", "not a key of counties")
        if c in hosts:
            raise _fail(
                where, f"{c!r} 是片区所在县，不能作对照", "hosts a zone, cannot be a comparison"
            )
    if len(set(comparison)) != len(comparison):
        raise _fail(where, "有重复", "has duplicates")
    return PilotZone(
        name=name,
        short_name=_text(pilot.get("short_name", name), f"{source}: pilot_zone.short_name"),
        city=str(pilot.get("city") or ""),
        zones=zones,
        counties=counties,
        comparison_counties=tuple(comparison),
        source=source,
    )


def load_zones(path: str | Path | None = None) -> PilotZone:
    """Read and validate ``zones.yaml`` at *path* (default: :func:`zones_path`).

    Raises :class:`ConfigError` (zh/en, naming the file) if the file is missing, is not
    valid YAML or breaks the format (see :func:`parse_zones`).
    """
    path = Path(path) if path is not None else zones_path()
    try:
        doc = safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _fail(
            str(path),
            "缺少片区配置文件（见 README“其他先导区”）",
            "zones configuration file missing (see README, 'Another pilot zone')",
        ) from exc
    except yaml.YAMLError as exc:
        raise _fail(str(path), "YAML 格式错误", f"invalid YAML: {exc}") from exc
    return parse_zones(doc, str(path))
