"""Issue 16, the reader's parts in the run layer: year-aware registry, navbar, release
information and revisions, newcomer output (progress, quarantine note, make help)."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
import yaml

from evalkit.core import paths
from evalkit.intake import quality
from evalkit.run import execute, provenance, site, site_pages
from evalkit.run import registry as reg

PAGES = {
    "pages": [
        {"notebook": "a", "title": "甲", "order": 1},
        {"notebook": "closing", "title": "三年总结", "order": 2, "first_year": 2026},
    ],
    "summary": {"zone_fields": [], "targets_met": []},
}


# --- Year-aware registry -------------------------------------------------------------


def test_first_year_limits_a_page_to_later_years():
    r = reg.parse(PAGES)
    assert r.page("closing").first_year == 2026
    assert not r.in_year("closing", 2025) and r.in_year("closing", 2026)
    assert r.in_year("closing", 2027)
    assert r.in_year("a", 2024) and r.in_year("unlisted", 2024)


@pytest.mark.parametrize("bad", ["2026", 2026.5, True])
def test_first_year_must_be_a_year(bad):
    doc = json.loads(json.dumps(PAGES))
    doc["pages"][1]["first_year"] = bad
    with pytest.raises(reg.RegistryError, match="first_year"):
        reg.parse(doc)


def test_the_closing_review_starts_in_the_pilot_periods_final_year():
    """The committed registry: no empty closing-review placeholder in 2024 or 2025."""
    r = reg.load(paths.ROOT / "data")
    targets = yaml.safe_load((paths.ROOT / "data/config/targets.yaml").read_text("utf-8"))
    last = next(
        v["last_year"] for v in targets.values() if isinstance(v, dict) and "last_year" in v
    )
    assert r.page("closing_review").first_year == last
    assert [y for y in (2024, 2025, 2026) if r.in_year("closing_review", y)] == [last]


def test_year_pages_and_menus_leave_out_pages_without_content(tmp_path):
    r = reg.parse(PAGES)
    for year in (2025, 2026):
        for name in ("a", "closing"):
            folder = tmp_path / str(year)
            folder.mkdir(exist_ok=True)
            (folder / f"{name}.ipynb").write_text('{"cells": []}', "utf-8")
    years = {y: tmp_path / str(y) for y in (2025, 2026)}
    menus = {e["text"]: [m["text"] for m in e["menu"]] for e in site.navbar(years, r)}
    assert menus == {"2026 年度": ["甲", "三年总结"], "2025 年度": ["甲"]}
    assert "reports/2025/closing" not in site.year_links_markdown(years, r)


# --- Navbar labels, titles, other-year links -----------------------------------------------


def test_navbar_labels_keep_the_chinese_part():
    assert site_pages.short_label("首页 Home") == "首页"
    assert site_pages.short_label("数据质量 Data quality") == "数据质量"
    assert site_pages.short_label("2026 年度") == "2026 年度"
    assert site_pages.short_label("Only English") == "Only English"


def test_titles_carry_the_year_once():
    assert site_pages.year_title("招商引资专项评估", 2026) == "2026 年 招商引资专项评估"
    assert site_pages.year_title("2026 年 招商引资专项评估", 2026) == "2026 年 招商引资专项评估"
    assert site_pages.year_title("年度评估摘要", 2026) == "2026 年度评估摘要"
    assert site_pages.year_title("2026 年度评估摘要", 2026) == "2026 年度评估摘要"


def test_other_year_links_name_every_other_year_latest_first():
    line = site_pages.other_years_markdown("investment", 2025, [2024, 2025, 2026])
    assert line.index("../2026/investment.ipynb") < line.index("../2024/investment.ipynb")
    assert "../2025/" not in line
    assert site_pages.other_years_markdown("closing_review", 2026, [2026]) == ""


def test_list_items_linking_a_dropped_page_are_removed():
    cell = {
        "cell_type": "markdown",
        "source": "## 页面\n\n- [综合](comprehensive.html)\n- [三年总结评估](closing_review.html)\n",
    }
    out = site_pages.drop_list_links(cell, {"closing_review"})
    text = "".join(out["source"])
    assert "closing_review" not in text and "[综合](comprehensive.html)" in text
    assert "closing_review" in cell["source"]  # the input is not modified


# --- Release information and revisions ----------------------------------------------------


def test_summary_changes_list_figures_not_dates():
    before = {"as_of": "2024-12-31", "zones": {"z": {"funds": 10.0, "rank": 1}}}
    after = {"as_of": "2025-01-31", "zones": {"z": {"funds": 10.0 + 1e-12, "rank": 2, "new": 1}}}
    assert provenance.summary_changes(before, after) == ["zones.z.new", "zones.z.rank"]


def test_a_revision_is_recorded_only_for_the_same_as_of_date():
    old = {"as_of": "2024-12-31", "zones": {"z": {"funds": 10.0}}}
    new = {"as_of": "2024-12-31", "zones": {"z": {"funds": 12.5}}}
    rec = provenance.revisions({}, old, new, "2026-11-29T10:00:00+00:00")
    assert rec == [{"date": "2026-11-29", "as_of": "2024-12-31", "changed": ["zones.z.funds"]}]
    # The record is kept by later runs; an update to a later as-of date is no revision.
    later = dict(new, as_of="2025-01-31")
    assert provenance.revisions({"revisions": rec}, new, later, "2026-12-01") == rec
    assert provenance.revisions({"revisions": rec}, new, new, "2026-12-01") == rec
    assert provenance.revisions({}, {}, new, "2026-12-01") == []


def test_release_block_links_the_manifest_and_escapes_every_value():
    config = {"issuer": "<b>评估组</b>", "contact": 'x@example.org" onclick="y'}
    block = provenance.release_block(
        title="2026 年 <script>",
        date="2026-11-29",
        manifest_href="manifest.json",
        config=config,
        revision_record=[{"date": "2026-11-29", "as_of": "2026-10-31", "changed": ["a", "b"]}],
    )
    assert block.startswith("```{=html}\n") and block.rstrip().endswith("```")
    assert '<a href="manifest.json">manifest.json</a>' in block
    assert "<script>" not in block and "<b>评估组" not in block and 'onclick="y' not in block
    assert "2026-11-29" in block and "evalkit" in block and "建议引用" in block
    assert "修订说明" in block and "2 项" in block


def test_revision_note_names_changed_figures_in_plain_words():
    changed = ["zones.z1.composite_score", "zones.z1.targets_met.funds_growth", "impact.x"]
    labels = provenance.change_labels(
        changed, {"z1": "肇东片区"}, {"composite_score": "综合得分", "funds_growth": "到位资金增长"}
    )
    assert labels == {
        "zones.z1.composite_score": "肇东片区·综合得分",
        "zones.z1.targets_met.funds_growth": "肇东片区·到位资金增长是否达标",
    }
    rev = [{"date": "2026-11-29", "as_of": "2026-10-31", "changed": changed}]
    block = provenance.release_block(
        title="t",
        date=None,
        manifest_href=None,
        config={"issuer": "i"},
        revision_record=rev,
        labels=labels,
    )
    assert "3 项主要指标（肇东片区·综合得分、肇东片区·到位资金增长是否达标）" in block
    assert "z1" not in block and "impact.x" not in block


def test_site_config_defaults_to_the_pilot_zone_without_a_file(tmp_path):
    (tmp_path / "config").mkdir()
    cfg = provenance.site_config(tmp_path)
    assert cfg["issuer"] and cfg["contact"] is None
    (tmp_path / "config" / "site.yaml").write_text("issuer: 某工作组\ncontact: 电话 123\n", "utf-8")
    assert provenance.site_config(tmp_path) == {"issuer": "某工作组", "contact": "电话 123"}
    (tmp_path / "config" / "site.yaml").write_text('issuer: "{short_name}工作组 {x}"\n', "utf-8")
    short = provenance.site_config(tmp_path)["issuer"]
    assert short.endswith("工作组 {x}") and "{short_name}" not in short
    (tmp_path / "config" / "site.yaml").write_text("- a list\n", "utf-8")
    with pytest.raises(ValueError, match="site.yaml"):
        provenance.site_config(tmp_path)


def test_release_date_is_the_runs_finish_date():
    assert (
        provenance.release_date({"run": {"finished": "2026-11-29T23:00:00+00:00"}}) == "2026-11-29"
    )
    assert provenance.release_date({}) is None


# --- Newcomer output ------------------------------------------------------------------------


def test_quarantine_note_says_demo_errors_are_intended_and_where_the_list_is(tmp_path):
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "_meta.json").write_text('{"synthetic": true}', "utf-8")
    note = quality.quarantine_note(tmp_path)
    assert "_quarantine.csv" in note and "数据质量" in note and "预期" in note
    (curated / "_meta.json").write_text('{"synthetic": false}', "utf-8")
    assert "预期" not in quality.quarantine_note(tmp_path)


def test_heartbeat_names_running_notebooks_with_elapsed_seconds():
    out = io.StringIO()
    progress = execute.Progress(["a", "b"], stream=out)
    progress.update("start", "a", 0, 0)
    progress.update("start", "b", 0, 0)
    progress.finished.add("b")
    progress.heartbeat()
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("  … 仍在执行 still running: a ") and lines[-1].endswith(" s")
    assert "b " not in lines[-1].split(":", 1)[1]


def test_kernels_print_no_log_noise(tmp_path):
    """No "Kernel is running over TCP without encryption" (or other kernel log) line."""
    import sys

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    src = tmp_path / "tiny.ipynb"
    nbformat.write(nb, src)
    code = (
        "import papermill, sys; from evalkit.run import execute; "
        "papermill.execute_notebook(sys.argv[1], sys.argv[2], kernel_name='python3', "
        "progress_bar=False, log_output=False, extra_arguments=execute.KERNEL_ARGUMENTS)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(src), str(tmp_path / "out.ipynb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "IPKernelApp" not in proc.stderr and "encryption" not in proc.stderr, proc.stderr


def test_make_help_lists_only_user_targets():
    out = subprocess.run(
        ["make", "-s", "help"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout
    targets = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "report" in targets and "test" in targets
    assert not [t for t in targets if "/" in t or t.startswith(".")]


def test_links_to_a_page_without_content_go_even_when_no_copy_was_published(tmp_path):
    """A regenerated earlier year has no closing_review.ipynb, but its summary still lists it."""
    pages = reg.load(paths.ROOT / "data")
    year = pages.page("closing_review").first_year - 1
    folder = tmp_path / str(year)
    folder.mkdir()
    cell = {
        "cell_type": "markdown",
        "metadata": {},
        "source": [
            "## 页面\n",
            "\n",
            "- [综合](comprehensive.html)\n",
            "- [总结](closing_review.html)\n",
        ],
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "index.ipynb").write_text(json.dumps(nb), "utf-8")
    site_pages.year_aware_pages({year: folder}, pages)
    text = (folder / "index.ipynb").read_text("utf-8")
    assert "closing_review" not in text and "comprehensive.html" in text
