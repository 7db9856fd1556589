"""Targets configuration (``data/config/targets.yaml``), validated on load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from . import paths
from .schema import ZONES


class ConfigError(ValueError):
    """A configuration file is missing, malformed or inconsistent."""


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
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: {missing}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML 格式错误 / invalid YAML: {exc}") from exc


def load_targets(data_dir: str | Path | None = None) -> Targets:
    """Read and validate ``config/targets.yaml`` under *data_dir* (root-relative ok)."""
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
        if zone not in ZONES:
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
