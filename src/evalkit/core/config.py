"""Configuration: the targets (``config/targets.yaml``) and one :class:`Config` loaded once.

:func:`load_config` gathers what varies between pilot zones and plans — the pilot zone
and its sub-zones (``zones.yaml``), the targets (``targets.yaml``) — into one frozen
object, cached per data folder. The older loaders (:func:`load_targets`,
:func:`read_yaml`) stay for the modules that call them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from . import paths
from .errors import ConfigError
from .schema import ZONES
from .yamlio import safe_load
from .zones import PilotZone, load_zones, zones_path

TARGET_KEYS = ("reforms_replicated", "reforms_original", "funds_growth")


@dataclass(frozen=True)
class Targets:
    """The plan's yearly hard targets, with optional per-zone overrides."""

    reforms_replicated: int = 20
    reforms_original: int = 3
    funds_growth: float = 0.25
    first_year: int = 2024
    last_year: int = 2026
    plan_issued: date = date(2024, 9, 9)
    zone_overrides: dict[str, dict[str, float]] = field(default_factory=dict)

    def for_zone(self, zone_id: str, key: str) -> float:
        """Return target *key* for *zone_id* (the override if configured, else the default)."""
        if key not in TARGET_KEYS:
            raise KeyError(key)
        return self.zone_overrides.get(zone_id, {}).get(key, getattr(self, key))

    def is_partial_year(self, year: int) -> bool:
        """Return True for the plan's first year, which starts at the plan's issue date."""
        return year == self.first_year


def _number(value, where: str, *, integer: bool) -> float:
    """Return *value* as a non-negative number or raise :class:`ConfigError` naming *where*."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: 应为数字 / must be a number, got {value!r}")
    if value < 0:
        raise ConfigError(f"{where}: 不能为负 / must not be negative, got {value!r}")
    if integer and int(value) != value:
        raise ConfigError(f"{where}: 应为整数 / must be a whole number, got {value!r}")
    return int(value) if integer else float(value)


def config_path(filename: str, data_dir: str | Path | None = None) -> Path:
    """Return the path of configuration file *filename* under *data_dir* (root-relative ok)."""
    data = paths.data_dir(data_dir)
    return paths.config_dir(data) / filename


def read_yaml(path: Path, *, missing: str = "缺少配置文件 / configuration file missing"):
    """Parse YAML file *path*; a missing or malformed file is a :class:`ConfigError` naming it."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: {missing}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML 格式错误 / invalid YAML: {exc}") from exc


def load_targets(
    data_dir: str | Path | None = None, *, zones: Iterable[str] | None = None
) -> Targets:
    """Read and validate ``config/targets.yaml`` under *data_dir* (root-relative ok).

    *zones* are the zone ids a ``zone_targets`` entry may name (default: the
    configured :data:`evalkit.core.schema.ZONES`).
    """
    known = set(ZONES if zones is None else zones)
    path = config_path("targets.yaml", data_dir)
    doc = read_yaml(path, missing="缺少目标配置文件 / targets file missing") or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: 顶层应为映射 / top level must be a mapping")
    raw = doc.get("targets") or {}
    unknown = set(raw) - set(TARGET_KEYS)
    if unknown:
        raise ConfigError(f"{path}: targets 中有未知键 / unknown target keys: {sorted(unknown)}")
    kw = {
        k: _number(raw[k], f"{path}: targets.{k}", integer=k != "funds_growth")
        for k in TARGET_KEYS
        if k in raw
    }
    overrides: dict[str, dict[str, float]] = {}
    for zone, values in (doc.get("zone_targets") or {}).items():
        if zone not in known:
            raise ConfigError(f"{path}: zone_targets 中片区未知 / unknown zone {zone!r}")
        bad = set(values or {}) - set(TARGET_KEYS)
        if bad:
            raise ConfigError(f"{path}: zone_targets.{zone} 未知键 / unknown keys {sorted(bad)}")
        overrides[zone] = {
            k: _number(v, f"{path}: zone_targets.{zone}.{k}", integer=k != "funds_growth")
            for k, v in (values or {}).items()
        }
    plan = doc.get("plan") or {}
    first, last = int(plan.get("first_year", 2024)), int(plan.get("last_year", 2026))
    if first > last:
        raise ConfigError(f"{path}: plan.first_year > plan.last_year")
    issued = plan.get("issued", date(2024, 9, 9))
    if not isinstance(issued, date):
        raise ConfigError(f"{path}: plan.issued 应为日期 / must be a date (YYYY-MM-DD)")
    return Targets(
        **kw, first_year=first, last_year=last, plan_issued=issued, zone_overrides=overrides
    )


@dataclass(frozen=True)
class Config:
    """Everything configured for one data folder, loaded once (see :func:`load_config`).

    ``pilot`` is the pilot zone with its sub-zones, counties and comparison counties
    (``zones.yaml``); ``targets`` the plan's targets (``targets.yaml``); ``data_dir``
    the resolved data folder and ``config_dir`` its configuration folder.
    """

    data_dir: Path
    config_dir: Path
    pilot: PilotZone
    targets: Targets

    @property
    def zones(self) -> dict[str, str]:
        """Zone id → Chinese name, in the plan's order."""
        return self.pilot.zone_names

    @property
    def counties(self) -> dict[str, str]:
        """County id → Chinese name."""
        return self.pilot.counties

    @property
    def host_counties(self) -> tuple[str, ...]:
        """Counties hosting the sub-zones."""
        return self.pilot.host_counties

    @property
    def comparison_counties(self) -> tuple[str, ...]:
        """Counties the host counties are compared with (impact estimate)."""
        return self.pilot.comparison_counties

    @property
    def clusters(self) -> dict[str, dict[str, str]]:
        """Zone id → {cluster id → Chinese name}."""
        return self.pilot.clusters

    def read(self, filename: str):
        """Return the parsed YAML of ``config/<filename>`` (ConfigError if missing/malformed)."""
        return read_yaml(self.config_dir / filename)


def _stamp(path: Path) -> int | None:
    """Modification time of *path* in ns, None if absent (part of the cache key)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


@functools.lru_cache(maxsize=8)
def _load_config(data: Path, zones_file: Path, stamps: tuple) -> Config:
    pilot = load_zones(zones_file)
    targets = load_targets(data, zones=pilot.zone_names)
    return Config(data, paths.config_dir(data), pilot, targets)


def load_config(data_dir: str | Path | None = None) -> Config:
    """Return the :class:`Config` of *data_dir* (default ``EVALKIT_DATA_DIR`` or ``data``).

    Loaded once per data folder and cached; an edited ``zones.yaml`` or ``targets.yaml``
    is re-read (the cache key holds their modification times). The zones come from
    :func:`evalkit.core.zones.zones_path` (the folder's own ``config/zones.yaml``).
    Raises :class:`ConfigError` (zh/en) for a missing or malformed file.
    """
    data = paths.data_dir(data_dir)
    zones_file = zones_path(data)
    targets_file = config_path("targets.yaml", data)
    return _load_config(data, zones_file, (_stamp(zones_file), _stamp(targets_file)))
