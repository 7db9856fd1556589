"""One configuration object (core.config.Config) and the compatibility module paths."""

from __future__ import annotations

import importlib
import shutil

import pytest
import yaml

import evalkit
from evalkit.core import config, paths, schema
from evalkit.core.errors import ConfigError


@pytest.fixture
def data(tmp_path):
    shutil.copytree(paths.ROOT / "data" / "config", tmp_path / "config")
    return tmp_path


def test_load_config_gathers_zones_and_targets(data):
    cfg = config.load_config(data)
    assert cfg.data_dir == data.resolve()
    assert cfg.config_dir == data.resolve() / "config"
    assert cfg.zones == schema.ZONES
    assert cfg.counties == schema.COUNTIES
    assert cfg.host_counties == schema.PILOT_HOST_COUNTIES
    assert cfg.comparison_counties == schema.COMPARISON_COUNTIES
    assert cfg.clusters == schema.CLUSTERS
    assert cfg.pilot.name.startswith("中国（黑龙江）自由贸易试验区")
    assert cfg.targets == config.load_targets(data)
    assert cfg.targets.reforms_replicated == 20
    assert cfg.read("indicators.yaml") == config.read_yaml(data / "config" / "indicators.yaml")


def test_load_config_is_loaded_once_and_reloaded_after_an_edit(data):
    first = config.load_config(data)
    assert config.load_config(str(data)) is first
    path = data / "config" / "targets.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["targets"]["reforms_original"] = 5
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    import os

    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    second = config.load_config(data)
    assert second is not first and second.targets.reforms_original == 5


def test_zone_targets_are_checked_against_that_folders_zones(data):
    zones_path = data / "config" / "zones.yaml"
    doc = yaml.safe_load(zones_path.read_text(encoding="utf-8"))
    doc["zones"] = doc["zones"][:2]
    zones_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    targets = data / "config" / "targets.yaml"
    targets.write_text(
        targets.read_text(encoding="utf-8")
        + "zone_targets:\n  qinggang: {reforms_replicated: 15}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown zone 'qinggang'"):
        config.load_config(data)


def test_missing_zones_yaml_in_a_configured_folder(data):
    (data / "config" / "zones.yaml").unlink()
    with pytest.raises(ConfigError, match="zones configuration file missing"):
        config.load_config(data)


@pytest.mark.parametrize("name", ["paths", "schema", "config", "store"])
def test_old_module_paths_are_the_core_modules(name):
    old = importlib.import_module(f"evalkit.{name}")
    new = importlib.import_module(f"evalkit.core.{name}")
    assert old is new
    assert getattr(evalkit, name) is new
    public = [n for n in dir(new) if not n.startswith("_")]
    assert public and all(hasattr(old, n) for n in public)


def test_old_names_keep_working():
    from evalkit.config import ConfigError as OldError
    from evalkit.config import load_targets
    from evalkit.paths import ROOT, data_dir
    from evalkit.schema import ALL_CLUSTERS, COMPARISON_COUNTIES, ZONES, zone_name
    from evalkit.store import read_table

    assert OldError is ConfigError
    assert ROOT == paths.ROOT and (ROOT / "src" / "evalkit" / "core").is_dir()
    assert data_dir() == paths.data_dir()
    assert ZONES is schema.ZONES and ALL_CLUSTERS is schema.ALL_CLUSTERS
    assert COMPARISON_COUNTIES == schema.COMPARISON_COUNTIES
    assert zone_name("qinggang") == "青冈片区"
    assert load_targets().funds_growth == 0.25
    assert callable(read_table)
