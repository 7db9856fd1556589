"""The page registry (``data/config/pages.yaml``) covers what every page actually reads.

Static checks: one entry per template notebook with the notebook's own title,
known tables, existing configuration files, and entries that cover what the
topics they use declare (``READS`` / ``CONFIG`` / ``USES``; topics not migrated
yet are skipped). The dynamic check executes every template once (the session's
traced report run) and fails when a page read a curated table or configuration
file its entry does not list, since the incremental cache would then serve a
stale page.
"""

from __future__ import annotations

import json

import pytest
from pipeline_factory import traced_reads

from evalkit import paths, site
from evalkit.run import registry as reg
from evalkit.run import summary as sm
from evalkit.schema import TABLES

TEMPLATES = sorted(paths.notebooks_dir().glob("*.ipynb"))
REGISTRY = reg.load(paths.ROOT / "data")
#: Curated files that are not Parquet tables but may be declared as inputs.
EXTRA_INPUTS = {"_intake", "_quarantine"}


def test_every_template_has_one_entry_and_every_entry_a_template():
    assert REGISTRY is not None
    assert sorted(p.notebook for p in REGISTRY.pages) == sorted(t.stem for t in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_entry_matches_the_notebook(path):
    page = REGISTRY.page(path.stem)
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert page.title == site.notebook_title(nb, ""), "registry title ≠ front-matter title"
    assert not set(page.reads) - set(TABLES) - EXTRA_INPUTS, "unknown curated tables"
    for name in page.config:
        assert (paths.ROOT / "data" / "config" / name).is_file(), f"{name} is not in data/config"
    assert "evalkit" not in (nb.get("metadata") or {}), "inputs are declared in pages.yaml only"


@pytest.mark.parametrize("page", REGISTRY.pages, ids=[p.notebook for p in REGISTRY.pages])
def test_entry_inputs_include_what_its_topics_declare(page):
    for topic in page.uses:
        assert reg.topic_declarations(topic) is not None, f"{topic}: no READS/CONFIG/USES declared"
    closure = reg.topic_closure(page.uses)
    tables, config = reg.page_inputs(page, REGISTRY)
    assert set(closure["reads"]) <= set(tables), "a topic it uses reads more tables"
    assert set(closure["config"]) <= set(config)


def test_one_home_page_and_headline_fields_owned():
    assert [p.notebook for p in REGISTRY.pages if p.home] == ["index"]
    owned = {o for p in REGISTRY.pages for o in p.owns}
    for field, label in REGISTRY.zone_fields:
        assert f"zones.*.{field}" in owned and label


def test_registry_rejects_a_field_owned_twice_and_unowned_headlines():
    doc = {
        "pages": [
            {"notebook": "a", "title": "甲", "order": 1, "owns": ["zones.*.rank"]},
            {"notebook": "b", "title": "乙", "order": 2, "owns": ["zones.*.rank"]},
        ],
        "summary": {"zone_fields": [{"field": "rank", "label": "排名"}], "targets_met": []},
    }
    with pytest.raises(reg.RegistryError, match="owned by both a and b"):
        reg.parse(doc)
    doc["pages"][1]["owns"] = []
    doc["summary"]["zone_fields"].append({"field": "composite_score", "label": "得分"})
    with pytest.raises(reg.RegistryError, match="zones.\\*.composite_score has no page"):
        reg.parse(doc)


def test_part_filling_a_field_its_page_does_not_own_is_refused():
    doc = {
        "pages": [
            {
                "notebook": "r",
                "title": "改革",
                "order": 1,
                "summary_part": "r",
                "owns": ["zones.*.x"],
            }
        ],
        "summary": {"zone_fields": [{"field": "x", "label": "X"}], "targets_met": []},
    }
    registry = reg.parse(doc)
    sm.check_ownership("r", {"zones": {"z1": {"x": 1, "y": None}}}, registry)
    with pytest.raises(sm.SummaryError, match="zones.\\*.y"):
        sm.check_ownership("r", {"zones": {"z1": {"x": 1, "y": 2}}}, registry)
    sm.check_ownership("unregistered", {"anything": 1}, registry)


# --- What the pages read when they run --------------------------------------------


@pytest.fixture(scope="module")
def reads(demo_report):
    found = traced_reads(demo_report / "trace", demo_report / "data")
    executed = json.loads((demo_report / "result.json").read_text("utf-8"))["executed"]
    assert sorted(found) == sorted(executed) == sorted(t.stem for t in TEMPLATES)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_registry_covers_what_each_page_reads(reads, path):
    page = REGISTRY.page(path.stem)
    tables, config = reg.page_inputs(page, REGISTRY)
    got = reads[path.stem]
    assert got["tables"] <= set(tables), (
        f"reads tables not in its key: {got['tables'] - set(tables)}"
    )
    assert got["config"] <= set(config), (
        f"reads config not in its key: {got['config'] - set(config)}"
    )


@pytest.mark.slow
def test_trace_sees_table_reads(reads):
    """The tracer itself works: the reforms page is seen reading its ledger."""
    assert "reform_items" in reads["reforms"]["tables"]
    assert "county_panel" in reads["impact"]["tables"]
