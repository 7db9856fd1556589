"""Another pilot zone by configuration only: four sub-zones through validate → report → site.

``python -m evalkit demo --pilot four-zone --out DIR`` writes a fictitious pilot zone with
four sub-zones (its own names, clusters, host and comparison counties) to ``DIR/raw`` and
``DIR/config``; the same code then validates it, executes every notebook for 2026 and
renders the site with ``EVALKIT_DATA_DIR=DIR`` — no code change. The summary must list the
four zones, and no page may say "三个片区"/"三片区" or name the default pilot's zones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalkit.core import paths, zones

pytestmark = pytest.mark.slow

DATASET = "demo-four-zone"
THREE_ZONES = ("三个片区", "三片区")


def _run(args: list[str], env: dict[str, str], timeout: int = 1800) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit", *args],
        env=env,
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"{args}: rc={proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def pilot(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("four-zone")
    data = root / "data"
    env = dict(os.environ)
    env.update(
        EVALKIT_DATA_DIR=str(data),
        EVALKIT_REPORTS_DIR=str(root / "reports"),
        EVALKIT_SITE_DIR=str(root / "_site"),
        EVALKIT_BUILD_DIR=str(root / "build"),
        PYTHONHASHSEED="0",
    )
    env.pop("EVALKIT_NOTEBOOKS_DIR", None)
    _run(["demo", "--pilot", "four-zone", "--out", str(data)], env)
    raw = data / "raw" / DATASET
    _run(["validate", "--dataset", str(raw)], env)
    _run(["report", "--year", "2026", "--dataset", str(raw), "--jobs", "1"], env)
    return {"root": root, "data": data, "env": env}


def test_configuration_written_for_the_other_pilot(pilot):
    pz = zones.load_zones(pilot["data"] / "config" / "zones.yaml")
    assert len(pz.zones) == 4
    assert pz.host_counties == ("songbei", "lianhe", "baiquan", "hongshan")
    assert len(pz.comparison_counties) == 6
    targets = yaml.safe_load((pilot["data"] / "config" / "targets.yaml").read_text("utf-8"))
    assert targets["plan"]["title"].startswith(pz.name)


def test_curated_tables_hold_the_four_zones(pilot):
    pz = zones.load_zones(pilot["data"] / "config" / "zones.yaml")
    curated = pilot["data"] / "curated"
    for table in ("reform_items", "projects", "funds_monthly", "logistics_monthly"):
        got = set(pd.read_parquet(curated / f"{table}.parquet")["zone_id"])
        assert got == set(pz.zone_names), table
    counties = set(pd.read_parquet(curated / "county_panel.parquet")["county_id"])
    assert counties == set(pz.counties)
    intake = json.loads((curated / "_intake.json").read_text("utf-8"))
    assert intake["dataset"] == DATASET
    totals = intake["totals"]
    # Every row of the other pilot's submissions is valid under its own zones.yaml.
    assert totals["rows_read"] == totals["rows_accepted"] > 0
    assert totals["rows_quarantined"] == 0 and totals["errors"] == 0


def test_summary_has_the_four_zones(pilot):
    pz = zones.load_zones(pilot["data"] / "config" / "zones.yaml")
    summary = json.loads((pilot["root"] / "reports" / "2026" / "summary.json").read_text("utf-8"))
    assert sorted(summary["zones"]) == sorted(pz.zone_names)  # summary.json sorts its keys
    assert len(summary["zones"]) == 4


def _page_texts(root: Path) -> dict[str, str]:
    pages = {}
    for path in sorted((root / "_site").rglob("*.html")):
        pages[str(path.relative_to(root))] = path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((root / "reports" / "2026").glob("*.ipynb")):
        pages[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return pages


def _pages_with(pages: dict[str, str], words) -> dict[str, list[str]]:
    bad = {name: [w for w in words if w in text] for name, text in pages.items()}
    return {k: v for k, v in bad.items() if v}


def test_no_page_says_three_zones(pilot):
    pages = _page_texts(pilot["root"])
    assert any(name.endswith("index.html") for name in pages), sorted(pages)[:20]
    bad = _pages_with(pages, THREE_ZONES)
    assert not bad, f"pages saying three zones: {bad}"


def test_no_page_names_the_default_pilots_zones_or_host_counties(pilot):
    default = zones.load_zones(zones.default_path())
    words = [*default.zone_names.values(), *(default.counties[c] for c in default.host_counties)]
    bad = _pages_with(_page_texts(pilot["root"]), words)
    assert not bad, f"pages naming the default pilot's zones or host counties: {bad}"


def test_no_page_names_the_default_pilot_zone(pilot):
    default = zones.load_zones(zones.default_path())
    # The city both in full (绥化市) and as the pages' short form (绥化建设…).
    city_short = default.city.removesuffix("市")
    words = [default.short_name, default.city, city_short]
    bad = _pages_with(_page_texts(pilot["root"]), words)
    assert not bad, f"pages naming the default pilot zone: {bad}"


def test_site_names_the_four_zones(pilot):
    pz = zones.load_zones(pilot["data"] / "config" / "zones.yaml")
    text = "\n".join(_page_texts(pilot["root"]).values())
    for name in pz.zone_names.values():
        assert name in text
