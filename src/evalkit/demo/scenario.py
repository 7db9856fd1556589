"""Demo scenarios: what varies by pilot zone and sub-zone, read from ``assets/demo-<name>.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.config import ConfigError, read_yaml
from ..core.zones import PilotZone, default_path, load_zones, parse_zones

#: Folder of the scenario files shipped with evalkit (``demo-<name>.yaml``).
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "assets"
#: Scenario names (``--pilot``) → file; ``suihua`` is the shipped demo dataset.
SCENARIOS: dict[str, str] = {"suihua": "demo-suihua.yaml", "four-zone": "demo-four-zone.yaml"}


@dataclass(frozen=True)
class Scenario:
    """A synthetic pilot zone: its zones configuration and the per-zone generator settings.

    Read from ``src/evalkit/assets/demo-<name>.yaml`` by :func:`load_scenario`. ``pilot`` is
    the :class:`~evalkit.core.zones.PilotZone` (embedded ``zones_config``, or the project's
    ``data/config/zones.yaml`` when that key is null, independent of ``EVALKIT_DATA_DIR``); ``zones`` maps zone id → settings
    (reform counts, projects, funds calibration, logistics levels, industry, raw-file
    habits); the other fields are the scenario-wide events (duplicates, the one large
    project, the late submitter, logistics anomalies, invalid raw rows).
    """

    name: str
    pilot: PilotZone
    zones_doc: dict | None
    zones: dict[str, dict]
    reform_duplicates: dict[tuple[str, int], int]
    national_first_at: tuple[str, int] | None
    late_funds_zone: str | None
    big_project: dict | None
    logistics_anomalies: tuple[tuple[str, str, str, float], ...]
    logistics_never_submitted: tuple[tuple[str, str], ...]
    logistics_missing: tuple[tuple[str, str, str], ...]
    logistics_series_start: dict[tuple[str, str], str]
    logistics_zero_until: dict[tuple[str, str], str]
    project_names: dict[str, tuple[str, ...]]
    counties_2019: dict[str, tuple[float, ...]]
    raw_messiness: tuple[str, ...]
    invalid_rows: tuple[dict[str, str], ...]

    @property
    def date_overrides(self) -> dict[tuple[str, str], str]:
        """(zone, table) → date style overriding the zone's."""
        return {
            (z, t): style
            for z, v in self.zones.items()
            for t, style in (v["raw"].get("date_overrides") or {}).items()
        }

    @property
    def yi_yuan(self) -> set[tuple[str, str, str]]:
        """(zone, table, column) written in 亿元."""
        return {(z, t, c) for z, v in self.zones.items() for t, c in v["raw"].get("yi_yuan") or []}

    @property
    def gbk_csv(self) -> set[tuple[str, str]]:
        """(zone, table) exported as a GBK CSV."""
        return {(z, t) for z, v in self.zones.items() for t in v["raw"].get("gbk_csv") or []}


def load_scenario(name: str = "suihua") -> Scenario:
    """Return the scenario *name* (a key of :data:`SCENARIOS` or a path to a YAML file).

    Raises :class:`~evalkit.core.errors.ConfigError` (zh/en) for an unknown name, or
    when the scenario's zones do not match its zones configuration.
    """
    path = Path(SCENARIOS[name]) if name in SCENARIOS else Path(name)
    if not path.is_absolute():
        path = SCENARIO_DIR / path
    if name not in SCENARIOS and not path.exists():
        raise ConfigError(
            f"未知演示场景 {name!r}（可选 {sorted(SCENARIOS)}）/ unknown demo scenario {name!r}"
        )
    doc = read_yaml(path)
    zones_doc = doc.get("zones_config")
    if zones_doc:
        pilot = parse_zones(zones_doc, f"{path}: zones_config")
    else:  # the project's own zones, whatever EVALKIT_DATA_DIR points at
        pilot = load_zones(default_path())
    zones = doc["zones"]
    if list(zones) != list(pilot.zone_names):
        raise ConfigError(
            f"{path}: zones 应与片区配置一致且同序 / zones must match the zones configuration "
            f"in order: {list(zones)} vs {list(pilot.zone_names)}"
        )
    if list(doc["counties_2019"]) != list(pilot.counties):
        raise ConfigError(f"{path}: counties_2019 应与 counties 一致 / must match counties")
    lg, rf, fd = doc["logistics"], doc["reforms"], doc["funds"]
    return Scenario(
        name=doc["name"],
        pilot=pilot,
        zones_doc=zones_doc,
        zones=zones,
        reform_duplicates={(z, int(y)): int(n) for z, y, n in rf.get("duplicates") or []},
        national_first_at=tuple(rf["national_first_at"]) if rf.get("national_first_at") else None,
        late_funds_zone=fd.get("late_zone"),
        big_project=fd.get("big_project"),
        logistics_anomalies=tuple(tuple(a) for a in lg.get("anomalies") or []),
        logistics_never_submitted=tuple(tuple(a) for a in lg.get("never_submitted") or []),
        logistics_missing=tuple(tuple(a) for a in lg.get("missing") or []),
        logistics_series_start={(z, i): m for z, i, m in lg.get("series_start") or []},
        logistics_zero_until={(z, i): m for z, i, m in lg.get("zero_until") or []},
        project_names={k: tuple(v) for k, v in doc["project_names"].items()},
        counties_2019={k: tuple(v) for k, v in doc["counties_2019"].items()},
        raw_messiness=tuple(doc.get("raw_messiness") or ()),
        invalid_rows=tuple(dict(r) for r in doc.get("invalid_rows") or ()),
    )


#: The shipped demo dataset's scenario (the configured pilot zone).
DEFAULT = load_scenario("suihua")
