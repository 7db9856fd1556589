"""zones.yaml: the pilot zone's sub-zones, counties and comparison counties from configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evalkit.core import paths, schema, zones
from evalkit.core.errors import ConfigError

PROJECT_ZONES = paths.ROOT / "data" / "config" / "zones.yaml"


def _doc() -> dict:
    return yaml.safe_load(PROJECT_ZONES.read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc) -> Path:
    path = tmp_path / "zones.yaml"
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- the project's configuration gives the plan's three zones ----------------------------


def test_schema_constants_come_from_the_project_zones_yaml():
    pilot = zones.load_zones(PROJECT_ZONES)
    assert schema.ZONES == pilot.zone_names
    assert schema.ZONES == {
        "suihua_etdz": "绥化经开区片区",
        "zhaodong": "肇东片区",
        "qinggang": "青冈片区",
    }
    assert schema.ZONE_ORDER == {"suihua_etdz": 0, "zhaodong": 1, "qinggang": 2}
    assert schema.PILOT_HOST_COUNTIES == ("beilin", "zhaodong", "qinggang")
    assert schema.COMPARISON_COUNTIES == (
        "anda",
        "hailun",
        "wangkui",
        "lanxi",
        "qingan",
        "mingshui",
        "suileng",
    )
    assert set(schema.COMPARISON_COUNTIES) | set(schema.PILOT_HOST_COUNTIES) == set(schema.COUNTIES)
    assert len(schema.COUNTIES) == 10 and schema.COUNTIES["beilin"] == "北林区"
    assert list(schema.CLUSTERS) == list(schema.ZONES)
    assert schema.CLUSTERS["qinggang"]["industrial_hemp"] == "工业大麻"
    assert len(schema.ALL_CLUSTERS) == 8 + 5 + 4
    assert schema.PILOT_ZONE.short_name == "绥化协同发展先导区"
    assert schema.PILOT_ZONE.city == "绥化市"


def test_aliases_include_id_name_and_spellings_in_order():
    aliases = schema.ZONE_ALIASES
    assert aliases["绥化经开区片区（含北林片区）"] == "suihua_etdz"
    assert aliases["北林片区"] == "suihua_etdz"
    assert aliases["肇东市"] == "zhaodong"
    assert aliases["青冈县"] == "qinggang"
    for zid, name in schema.ZONES.items():
        assert aliases[zid] == zid and aliases[name] == zid
    assert list(aliases)[:2] == ["suihua_etdz", "绥化经开区片区"]
    assert len(aliases) == 15


def test_tables_enumerate_the_configured_zones_clusters_and_counties():
    assert schema.ZONE_COL.enum == schema.ZONES
    assert schema.PROJECTS.column("cluster").enum == schema.ALL_CLUSTERS
    assert schema.COUNTY_PANEL.column("county_id").enum == schema.COUNTIES
    assert schema.zone_name("zhaodong") == "肇东片区"
    assert schema.zone_name("unknown") == "unknown"


# --- errors: missing or malformed files, bilingual ------------------------------------------


def test_missing_file_is_a_bilingual_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"缺少片区配置文件.*zones configuration file missing"):
        zones.load_zones(tmp_path / "zones.yaml")


def test_invalid_yaml_is_a_bilingual_config_error(tmp_path):
    path = _write(tmp_path, "zones: [\n  - id: a\n")
    with pytest.raises(ConfigError, match=r"YAML 格式错误 / invalid YAML") as info:
        zones.load_zones(path)
    assert str(path) in str(info.value)


def _broken(mutate):
    doc = _doc()
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d.pop("zones"), r"缺少键 zones / missing key 'zones'"),
        (lambda d: d.pop("impact"), r"missing key 'impact'"),
        (lambda d: d.__setitem__("zones", []), r"zones: 应为非空列表 / must be a non-empty list"),
        (lambda d: d.__setitem__("extra", 1), r"未知键.*unknown keys \['extra'\]"),
        (lambda d: d["zones"][0].pop("name"), r"缺少键 name / missing key 'name'"),
        (lambda d: d["zones"][1].__setitem__("id", "Zhao Dong"), r"lower-case ascii"),
        (
            lambda d: d["zones"][1].__setitem__("id", "suihua_etdz"),
            r"duplicate zone id 'suihua_etdz'",
        ),
        (
            lambda d: d["zones"][2]["aliases"].append("肇东"),
            r"重复.*duplicate zone name/alias '肇东'",
        ),
        (
            lambda d: d["zones"][2]["clusters"].__setitem__("biotech", "生物"),
            r"duplicate cluster id 'biotech'",
        ),
        (lambda d: d["zones"][0].__setitem__("host_county", "harbin"), r"not a key of counties"),
        (lambda d: d["zones"][0].__setitem__("clusters", {}), r"非空映射 / must be a non-empty"),
        (
            lambda d: d["impact"].__setitem__("comparison_counties", ["anda", "zhaodong"]),
            r"'zhaodong' 是片区所在县.*hosts a zone",
        ),
        (
            lambda d: d["impact"].__setitem__("comparison_counties", ["nowhere"]),
            r"comparison_counties.*not a key of counties",
        ),
        (lambda d: d["impact"].__setitem__("comparison_counties", []), r"non-empty list"),
        (lambda d: d["pilot_zone"].pop("name"), r"pilot_zone.name: 应为非空文字"),
    ],
)
def test_malformed_zones_yaml_names_file_and_key(tmp_path, mutate, pattern):
    path = _write(tmp_path, _broken(mutate))
    with pytest.raises(ConfigError, match=pattern) as info:
        zones.load_zones(path)
    assert str(path) in str(info.value)


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="must be a non-empty mapping"):
        zones.load_zones(_write(tmp_path, "- a\n- b\n"))


# --- which zones.yaml applies ------------------------------------------------------------------


def test_zones_path_rule(tmp_path):
    # A data folder without config/ (curated tables only) uses the project's file.
    assert zones.zones_path(tmp_path) == zones.default_path() == PROJECT_ZONES
    # A data folder with its own config/ must bring its own zones.yaml.
    (tmp_path / "config").mkdir()
    assert zones.zones_path(tmp_path) == tmp_path / "config" / "zones.yaml"
    with pytest.raises(ConfigError, match="zones configuration file missing"):
        zones.load_zones(zones.zones_path(tmp_path))


def _four_zone_doc() -> dict:
    doc = _doc()
    doc["zones"].append(
        {
            "id": "lanxi_zone",
            "name": "兰西片区",
            "aliases": ["兰西"],
            "host_county": "lanxi",
            "clusters": {"flax": "亚麻"},
        }
    )
    doc["impact"]["comparison_counties"].remove("lanxi")
    return doc


def test_evalkit_data_dir_selects_another_pilot_zones_yaml(tmp_path):
    """A process started with EVALKIT_DATA_DIR=<other pilot> loads that pilot's zones."""
    (tmp_path / "config").mkdir()
    _write(tmp_path / "config", _four_zone_doc())
    code = (
        "import json; from evalkit import schema; "
        "print(json.dumps([list(schema.ZONES), list(schema.PILOT_HOST_COUNTIES), "
        "list(schema.COMPARISON_COUNTIES), schema.ALL_CLUSTERS['flax']]))"
    )
    env = dict(os.environ, EVALKIT_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout)
    assert got[0] == ["suihua_etdz", "zhaodong", "qinggang", "lanxi_zone"]
    assert got[1] == ["beilin", "zhaodong", "qinggang", "lanxi"]
    assert "lanxi" not in got[2] and len(got[2]) == 6
    assert got[3] == "亚麻"


def test_import_fails_loudly_when_the_data_dir_config_lacks_zones_yaml(tmp_path):
    shutil.copy(paths.ROOT / "data" / "config" / "targets.yaml", tmp_path / "targets.yaml")
    (tmp_path / "data" / "config").mkdir(parents=True)
    env = dict(os.environ, EVALKIT_DATA_DIR=str(tmp_path / "data"))
    out = subprocess.run(
        [sys.executable, "-c", "import evalkit.schema"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "ConfigError" in out.stderr and "zones configuration file missing" in out.stderr


# --- reading another pilot's tables with this process's zones is refused ----------------------


def test_read_table_refuses_a_data_dir_with_other_zones(tmp_path):
    import pandas as pd

    from evalkit.core import store

    (tmp_path / "curated").mkdir()
    pd.DataFrame({"county_id": ["beilin"], "year": [2024]}).to_parquet(
        tmp_path / "curated" / "county_panel.parquet"
    )
    # No config/ folder: nothing to compare, the table is read.
    assert len(store.read_table("county_panel", tmp_path)) == 1
    # Its own copy of the same zones: read.
    (tmp_path / "config").mkdir()
    shutil.copy(PROJECT_ZONES, tmp_path / "config" / "zones.yaml")
    assert len(store.read_table("county_panel", tmp_path)) == 1
    # Other zones: refused, naming the fix.
    _write(tmp_path / "config", _four_zone_doc())
    with pytest.raises(ConfigError, match="set EVALKIT_DATA_DIR"):
        store.read_table("county_panel", tmp_path)
    with pytest.raises(ConfigError, match="differs from the zones loaded"):
        schema.check_zones(tmp_path)
