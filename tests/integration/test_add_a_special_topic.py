"""CONTRIBUTING.md "What to touch" (c): add a special topic, done once exactly as the list says.

A scratch copy of the project (its own ``src/evalkit``, ``notebooks/`` and data folder)
gets a tiny toy topic, ``reform_tally`` (reform items in effect per zone), through the
listed steps only:

1. ``src/evalkit/topics/reform_tally/compute.py`` — ``READS`` / ``CONFIG`` / ``USES`` and a
   ``run(year, as_of, data_dir)`` returning a frozen dataclass, as named pure functions;
2. ``src/evalkit/topics/reform_tally/present.py`` — table, sentence and summary part from
   the result only;
3. ``notebooks/reform_tally.ipynb`` — front matter, parameters, ``evalkit.results.load``,
   present calls;
4. its entry in ``data/config/pages.yaml`` (title, order, ``uses``, ``summary_part``, ``owns``).

``python -m evalkit report --year 2026`` then runs in that copy (``PYTHONPATH`` puts the
copy's ``src`` first, for the run and its kernels; the copy's notebooks folder holds only the
toy page, so nothing else executes). The page must be executed, its result stored under
``reports/2026/results/reform_tally/`` with the counts computed here independently, the
site must list the page under the registry title, its summary part must be merged into
``summary.json``, and the page's manifest entry must depend on what the topic declares.
Leaving out a step fails: without the registry entry the manifest entry does not name the
topic or its table; without ``present.py`` or ``READS`` the page fails to execute.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pipeline_factory import DEMO_RAW

from evalkit.core import paths
from evalkit.core.schema import ZONES

YEAR, AS_OF = 2026, "2026-10-31"
TOPIC = "reform_tally"
TITLE = "改革事项生效情况（示例专题）"

COMPUTE = '''\
"""Toy special topic: reform items in effect per zone in the report year up to the as-of date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...core import store
from ...core.schema import ZONES

READS: tuple[str, ...] = ("reform_items",)
CONFIG: tuple[str, ...] = ("zones.yaml",)
USES: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReformTallyResult:
    """Items in effect: ``counts`` (``zone_id, items``), one row per zone in the plan's order."""

    year: int
    as_of: str
    counts: pd.DataFrame


def in_effect(items: pd.DataFrame, year: int, as_of: str) -> pd.DataFrame:
    """Return the items in effect whose ``effective`` date lies in *year*, on or before *as_of*."""
    eff = pd.to_datetime(items["effective"])
    keep = items["status"].eq("in_effect") & eff.dt.year.eq(year) & (eff <= pd.Timestamp(as_of))
    return items[keep]


def tally(items: pd.DataFrame, zones) -> pd.DataFrame:
    """Return ``zone_id, items``: rows of *items* per zone (0 for a zone without any)."""
    counts = items.groupby("zone_id").size().reindex(list(zones), fill_value=0)
    return counts.rename("items").rename_axis("zone_id").reset_index()


def run(year: int, as_of: str, data_dir: str | Path = "data") -> ReformTallyResult:
    """Read the ledger, keep the items in effect, count them per zone."""
    items = store.read_table("reform_items", data_dir)
    counts = tally(in_effect(items, int(year), str(as_of)), ZONES)
    return ReformTallyResult(year=int(year), as_of=str(as_of), counts=counts)
'''

PRESENT = '''\
"""Toy special topic: page table, sentence and summary part, from the stored result only."""

from __future__ import annotations

import pandas as pd

from ...core.schema import zone_name
from ...present.format import fmt_count
from ...present.text import zh_count


def table(res) -> pd.DataFrame:
    """Return the page table: zone name and items in effect."""
    names = res.counts["zone_id"].map(zone_name)
    return pd.DataFrame({"片区": names, "生效事项（条）": res.counts["items"]})


def sentence(res) -> str:
    """Return the page's one-sentence summary."""
    total = int(res.counts["items"].sum())
    n = zh_count(len(res.counts))
    return f"{res.year} 年截至 {res.as_of}，{n}个片区共有 {fmt_count(total)} 条改革事项生效。"


def summary_part(res) -> dict:
    """Return this page's part of ``summary.json``: items in effect per zone."""
    items = dict(zip(res.counts["zone_id"], res.counts["items"].astype(int), strict=True))
    return {"reform_tally": {"items_in_effect": {z: int(n) for z, n in items.items()}}}
'''

CELLS = [
    ("raw", f"---\ntitle: {TITLE}\n---"),
    ("parameters", f'year = {YEAR}\nas_of = "{AS_OF}"\ndata_dir = "data"'),
    (
        "code",
        "from IPython.display import Markdown, display\n\n"
        "import evalkit.report\n"
        "import evalkit.results\n"
        f"from evalkit.topics.{TOPIC} import present\n\n"
        "display(evalkit.report.page_header(year, as_of, data_dir))",
    ),
    ("markdown", "本页统计报告年度内各片区生效的改革事项（示例专题）。"),
    (
        "code",
        f'res = evalkit.results.load("{TOPIC}", year, as_of, data_dir)\n'
        "display(Markdown(present.sentence(res)))\n"
        "evalkit.report.show_table(present.table(res))\n"
        f'_ = evalkit.report.save_summary_part(year, "{TOPIC}", present.summary_part(res))',
    ),
]

ENTRY = {
    "notebook": TOPIC,
    "title": TITLE,
    "order": 50,
    "reads": [],
    "config": [],
    "uses": [TOPIC],
    "summary_part": TOPIC,
    "owns": [TOPIC],
}


def template_notebook() -> dict:
    """Return the toy page's template notebook (front matter, parameters, load, present)."""
    cells = []
    for i, (kind, source) in enumerate(CELLS):
        cell = {
            "cell_type": "code" if kind == "parameters" else kind,
            "id": f"c{i}",
            "metadata": {},
        }
        cell["source"] = source.splitlines(keepends=True)
        if kind == "parameters":
            cell["metadata"] = {"tags": ["parameters"]}
        if cell["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {
        "cells": cells,
        "metadata": {"kernelspec": kernel, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def scratch_project(root: Path) -> Path:
    """Copy the code, configuration and site files a report run needs into *root*."""
    shutil.copytree(
        paths.ROOT / "src" / "evalkit",
        root / "src" / "evalkit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(paths.ROOT / "data" / "config", root / "data" / "config")
    for name in ("_quarto.yml", "index.qmd", "methodology.qmd", "styles.css"):
        if (paths.ROOT / name).exists():
            shutil.copy2(paths.ROOT / name, root / name)
    (root / "notebooks").mkdir()
    return root


def add_topic(root: Path) -> None:
    """The list, steps 1–4: compute, present, template notebook, registry entry."""
    package = root / "src" / "evalkit" / "topics" / TOPIC
    package.mkdir()
    (package / "__init__.py").write_text('"""Toy special topic (test)."""\n', encoding="utf-8")
    (package / "compute.py").write_text(COMPUTE, encoding="utf-8")  # step 1
    (package / "present.py").write_text(PRESENT, encoding="utf-8")  # step 2
    nb = json.dumps(template_notebook(), ensure_ascii=False, indent=1)  # step 3
    (root / "notebooks" / f"{TOPIC}.ipynb").write_text(nb + "\n", encoding="utf-8")
    registry = root / "data" / "config" / "pages.yaml"  # step 4
    doc = yaml.safe_load(registry.read_text(encoding="utf-8"))
    doc["pages"].append(ENTRY)
    registry.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")


def run_report(root: Path) -> subprocess.CompletedProcess:
    """Run ``python -m evalkit report --year YEAR`` in the scratch project, with its own code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALKIT_")}
    env.update(
        PYTHONPATH=str(root / "src"),
        PYTHONHASHSEED="0",
        EVALKIT_ROOT=str(root),
        EVALKIT_DATA_DIR=str(root / "data"),
        EVALKIT_NOTEBOOKS_DIR=str(root / "notebooks"),
        EVALKIT_REPORTS_DIR=str(root / "reports"),
        EVALKIT_SITE_DIR=str(root / "_site"),
        EVALKIT_BUILD_DIR=str(root / "build"),
    )
    args = ["report", "--year", str(YEAR), "--as-of", AS_OF, "--dataset", str(DEMO_RAW)]
    return subprocess.run(
        [sys.executable, "-m", "evalkit", *args, "--jobs", "1"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = scratch_project(tmp_path_factory.mktemp("special-topic"))
    add_topic(root)
    proc = run_report(root)
    assert proc.returncode == 0, (
        f"rc={proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return root


def expected_counts(data: Path) -> dict[str, int]:
    """Items in effect per zone in YEAR up to AS_OF, counted here from the curated ledger."""
    items = pd.read_parquet(data / "curated" / "reform_items.parquet")
    got = {z: 0 for z in ZONES}
    for row in items.itertuples():
        eff = row.effective
        if row.status == "in_effect" and pd.notna(eff) and eff.year == YEAR:
            if eff <= pd.Timestamp(AS_OF):
                got[row.zone_id] += 1
    return got


def test_toy_topic_exists_only_in_the_scratch_copy():
    with pytest.raises(ModuleNotFoundError):
        __import__(f"evalkit.topics.{TOPIC}.compute")


def test_page_executed(project):
    report = project / "reports" / str(YEAR)
    nb = json.loads((report / f"{TOPIC}.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = json.dumps(outputs, ensure_ascii=False)
    assert "条改革事项生效" in text and "生效事项（条）" in text
    assert all(name in text for name in ZONES.values())


def test_result_stored_with_the_counts(project):
    folder = project / "reports" / str(YEAR) / "results" / TOPIC
    values = json.loads((folder / "values.json").read_text(encoding="utf-8"))
    assert values["_class"] == f"evalkit.topics.{TOPIC}.compute:ReformTallyResult"
    assert values["year"] == YEAR and values["as_of"] == AS_OF and values["_key"]
    counts = pd.read_parquet(folder / "counts.parquet")
    got = dict(zip(counts["zone_id"], counts["items"].astype(int), strict=True))
    want = expected_counts(project / "data")
    assert got == want and sum(want.values()) > 0


def test_summary_part_merged(project):
    summary = json.loads(
        (project / "reports" / str(YEAR) / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["reform_tally"]["items_in_effect"] == expected_counts(project / "data")


def test_site_lists_the_page_under_its_registry_title(project):
    page = project / "_site" / "reports" / str(YEAR) / f"{TOPIC}.html"
    assert page.is_file()
    home = (project / "_site" / "index.html").read_text(encoding="utf-8")
    # The navbar's year menu (smalldocs: menu-text; Quarto: dropdown-text).
    link = re.compile(
        rf'href="(?:\./)?reports/{YEAR}/{TOPIC}\.html"[^>]*>\s*'
        r'<span class="(?:menu|dropdown)-text">([^<]*)<'
    )
    assert link.findall(home) == [TITLE]


def test_page_key_covers_what_the_topic_declares(project):
    manifest = json.loads(
        (project / "reports" / str(YEAR) / "manifest.json").read_text(encoding="utf-8")
    )
    entry = manifest["notebooks"][TOPIC]
    assert entry["uses"] == [TOPIC]
    assert entry["reads"] == ["reform_items"]
    assert "zones.yaml" in entry["config"]
