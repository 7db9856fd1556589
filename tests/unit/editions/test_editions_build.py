import json

import nbformat
import pytest

from evalkit import paths
from evalkit.core.digest import sha256_file
from evalkit.core.errors import ConfigError
from evalkit.editions import builder as build


def test_file_names_follow_the_configured_stem():
    cfg = build.EditionConfig(file_stem="评估报告-{year}")
    assert cfg.file_names(2025) == {".docx": "评估报告-2025.docx", ".pdf": "评估报告-2025.pdf"}
    for bad in ("../x-{year}", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            build.EditionConfig(file_stem=bad).file_names(2025)


def test_project_configuration_is_read():
    cfg = build.load_config(paths.ROOT / "data")
    assert cfg.issuing_body and cfg.file_names(2026)[".pdf"] == "report-2026.pdf"
    assert cfg.annex_pages == ("data_quality",)
    assert cfg.annex_documents == (("methodology.qmd", "方法说明"),)


def test_scratch_data_folder_without_config_uses_the_projects(tmp_path):
    (tmp_path / "curated").mkdir()
    assert build.config_home(tmp_path) == paths.ROOT / "data"
    (tmp_path / "config").mkdir()
    assert build.config_home(tmp_path) == tmp_path.resolve()
    assert build.load_config(tmp_path) == build.EditionConfig()  # no editions.yaml: defaults


def test_pages_without_a_registry_are_the_report_folders_notebooks(tmp_path):
    (tmp_path / "config").mkdir()
    for name in ("b", "a"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    plan = build.page_plan(tmp_path, tmp_path)
    assert [p["notebook"] for p in plan] == ["a", "b"]


def test_page_plan_ignores_menu_titles(tmp_path):
    plan = build.page_plan(paths.ROOT / "data")
    assert plan[0] == {"notebook": "index", "order": 0, "home": True}
    assert all(set(p) == {"notebook", "order", "home"} for p in plan)


def test_is_current_needs_the_key_and_unaltered_files(tmp_path):
    f = tmp_path / "report-2026.pdf"
    f.write_bytes(b"%PDF")
    entry = {"key": "k", "sha256": {f.name: sha256_file(f)}}
    assert build.is_current(tmp_path, entry, "k")
    assert not build.is_current(tmp_path, entry, "other")
    assert not build.is_current(tmp_path, None, "k")
    assert not build.is_current(tmp_path, {"key": "k", "sha256": {}}, "k")
    f.write_bytes(b"%PDF altered")
    assert not build.is_current(tmp_path, entry, "k")
    f.unlink()
    assert not build.is_current(tmp_path, entry, "k")


def test_cover_metadata_names_the_configured_pilot_zone_and_body():
    from evalkit.core.zones import load_zones

    pilot = load_zones(paths.ROOT / "data" / "config" / "zones.yaml")
    cfg = build.EditionConfig(issuing_body="{city}人民政府 <{short_name}>")
    meta = build.metadata({"year": 2025, "as_of": "2025-12-31"}, pilot, cfg)
    assert meta["title"] == f"《{pilot.name}2025年度评估报告》"
    assert meta["author"] == [f"{pilot.city}人民政府 &lt;{pilot.short_name}&gt;"]
    assert meta["date"] == "数据截至2025年12月31日"
    assert "abstract" not in meta  # not synthetic: no notice
    synthetic = build.metadata({"year": 2025, "synthetic_data": True}, pilot, build.EditionConfig())
    assert "合成" in synthetic["abstract"] and "author" not in synthetic


def test_max_table_rows_defaults_to_100_and_null_prints_every_row(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    assert build.load_config(paths.ROOT / "data").max_table_rows == 100
    for text, expected in (
        ("issuing_body: x\n", 100),
        ("max_table_rows: null\n", None),
        ("max_table_rows: 7\n", 7),
    ):
        (config / "editions.yaml").write_text(text, encoding="utf-8")
        assert build.load_config(tmp_path).max_table_rows == expected
    for bad in ("0", "-1", "2.5", "many", "true"):
        (config / "editions.yaml").write_text(f"max_table_rows: {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="editions.yaml: max_table_rows 须为"):
            build.load_config(tmp_path)


def test_sections_cut_long_tables_and_the_closing_note_says_so():
    report, data = paths.ROOT / "reports" / "2026", paths.ROOT / "data"
    full = build.sections(report, data, build.load_config(data))
    cut = build.sections(report, data, build.EditionConfig(max_table_rows=3))
    assert "只列出前" not in full[-1].body and "与同年度网站各页面内容一致" in full[-1].body
    assert "超过 3 行的表格只列出前 3 行" in cut[-1].body
    longest = 0
    for section in cut[:-1]:
        run = 0
        for line in section.body.splitlines() + [""]:
            run = run + 1 if line.startswith("|") else 0
            longest = max(longest, run)
    assert longest == 2 + 3  # header, rule and three rows
    assert sum(s.body.count("全表共") for s in cut) > 0


def test_the_editions_text_is_made_without_pandas_and_is_the_same_with_it():
    # The run's main process builds the editions: their text (summary tables, verdict
    # words, every page's Markdown, the cover) must not load pandas or numpy (about 0.4 s
    # of CPU), and must be what it is in a process that has them (this one).
    from fresh_process import sha256, text_made_alone

    from evalkit.core.zones import load_zones, zones_path
    from evalkit.editions import assemble

    report_dir = paths.ROOT / "reports" / "2026"
    cfg = build.load_config()
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    meta = build.metadata(summary, load_zones(zones_path()), cfg)
    text = assemble.document(build.sections(report_dir, None, cfg)) + json.dumps(meta)
    setup = (
        "import json\n"
        "from pathlib import Path\n"
        "from evalkit.core.zones import load_zones, zones_path\n"
        "from evalkit.editions import assemble, builder\n"
        f"folder = Path({str(report_dir)!r})\n"
        "cfg = builder.load_config()\n"
        "summary = json.loads((folder / 'summary.json').read_text('utf-8'))\n"
        "meta = builder.metadata(summary, load_zones(zones_path()), cfg)\n"
    )
    value = "assemble.document(builder.sections(folder, None, cfg)) + json.dumps(meta)"
    assert text_made_alone(setup, value) == (sha256(text), [])
