"""Templates round-trip through the readers; the data dictionary covers the schema."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from evalkit import schema
from evalkit.intake import run
from evalkit.intake.dictionary import data_dictionary_markdown
from evalkit.intake.templates import COUNT_UNITS, EXAMPLES, template_header, write_templates


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    return write_templates(tmp_path_factory.mktemp("templates"))


def test_one_workbook_per_table_plus_all(templates):
    names = {p.stem for p in templates}
    assert names == {"全部数据表"} | {t.title for t in schema.TABLES.values()}


def test_headers_dropdowns_and_instructions(templates):
    wb = openpyxl.load_workbook(templates[0])
    assert wb.sheetnames[0] == "说明"
    assert wb["_lists"].sheet_state == "hidden"
    for table in schema.TABLES.values():
        ws = wb[table.title]
        # Issue #17: count units (家, 个) shown, the quarter header no longer says 季度首月.
        assert [c.value for c in ws[1]] == [template_header(c) for c in table.columns]
        changed = {c.name for c in table.columns if template_header(c) != c.header}
        assert changed <= {"quarter", *COUNT_UNITS}
        ranges = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
        for i, col in enumerate(table.columns, start=1):
            letter = openpyxl.utils.get_column_letter(i)
            has = any(r.startswith(f"{letter}2:") for r in ranges)
            assert has == bool(col.enum), (table.name, col.name)
        # Every drop-down points at a list holding exactly the enumeration's labels.
        lists = wb["_lists"]
        for dv in ws.data_validations.dataValidation:
            ref = dv.formula1.split("!")[1].replace("$", "")
            labels = [c.value for row in lists[ref] for c in row]
            col = table.columns[
                openpyxl.utils.column_index_from_string(str(dv.sqref).split(":")[0][0]) - 1
            ]
            assert labels == list(col.enum.values())
        # The example sheet holds one example row.
        ex = wb[f"示例-{table.title}"[:31]]
        assert ex.max_row == 2
    text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for table in schema.TABLES.values():
        assert table.title in text


def test_filled_template_reads_back_exactly(templates, tmp_path):
    """A zone office fills the all-tables template by hand (openpyxl); intake reads it back."""
    wb = openpyxl.load_workbook(templates[0])
    typed = {
        "projects": [
            [
                "QI-2025-07",
                "青冈片区",
                "生猪屠宰及深加工",
                "畜禽产品精深加工",
                "省内·哈尔滨",
                "哈尔滨市",
                12345.6,
                dt.datetime(2025, 4, 2),
                dt.datetime(2025, 6, 1),
                None,
            ],
            [
                "QI-2025-08",
                "青冈片区",
                "汉麻纤维",
                "工业大麻",
                "境外",
                "俄罗斯",
                8000,
                dt.datetime(2025, 5, 9),
                None,
                None,
            ],
        ],
        "funds_monthly": [
            ["QI-2025-07", "青冈片区", "2025-05", 1500.5],
            ["QI-2025-07", "青冈片区", "2025-06", 2100],
            ["QI-2025-08", "青冈片区", "2025-06", 300],
        ],
    }
    for name, rows in typed.items():
        ws = wb[schema.TABLES[name].title]
        for r, values in enumerate(rows, start=2):
            for c, v in enumerate(values, start=1):
                ws.cell(r, c, v)
    folder = tmp_path / "raw"
    folder.mkdir()
    wb.save(folder / "青冈.xlsx")
    (folder / "dataset.yaml").write_text("synthetic: false\nas_of: 2025-06-30\n", "utf-8")
    result = run(folder, tmp_path / "data")
    assert result.status == 0 and not result.errors, result.errors
    p = pd.read_parquet(tmp_path / "data" / "curated" / "projects.parquet")
    expected = pd.DataFrame(
        {
            "project_id": ["QI-2025-07", "QI-2025-08"],
            "zone_id": ["qinggang", "qinggang"],
            "name": ["生猪屠宰及深加工", "汉麻纤维"],
            "cluster": ["livestock_processing", "industrial_hemp"],
            "origin": ["harbin", "foreign"],
            "origin_detail": ["哈尔滨市", "俄罗斯"],
            "contracted_wan_yuan": [12345.6, 8000.0],
            "signed": pd.to_datetime(["2025-04-02", "2025-05-09"]),
            "construction_started": pd.to_datetime(["2025-06-01", None]),
            "in_production": pd.to_datetime([None, None]),
        }
    )
    for c in ("signed", "construction_started", "in_production"):
        expected[c] = expected[c].astype("datetime64[ns]")
    pd.testing.assert_frame_equal(p, expected, check_dtype=False)
    f = pd.read_parquet(tmp_path / "data" / "curated" / "funds_monthly.parquet")
    assert f["funds_wan_yuan"].tolist() == [1500.5, 2100.0, 300.0]
    assert f["month"].dt.strftime("%Y-%m").tolist() == ["2025-05", "2025-06", "2025-06"]
    # Blank template sheets are read as zero rows, not as errors.
    c = result.counts.set_index("table")
    assert c.loc["reform_items", "rows_read"] == 0


def test_example_rows_are_valid(templates, tmp_path):
    """The example sheets, renamed to data sheets, pass validation (the examples teach valid input)."""
    wb = openpyxl.load_workbook(templates[0])
    for table in schema.TABLES.values():
        del wb[table.title]
        wb[f"示例-{table.title}"[:31]].title = table.title
    folder = tmp_path / "raw"
    folder.mkdir()
    wb.save(folder / "examples.xlsx")
    (folder / "dataset.yaml").write_text("as_of: 2025-06-30\n", "utf-8")
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors, result.errors
    assert all(len(result.tables[n]) == 1 for n in EXAMPLES)


def test_dictionary_covers_every_column_and_rule():
    md = data_dictionary_markdown()
    for table in schema.TABLES.values():
        assert f"### {table.title}\n" in md
        for col in table.columns:
            assert col.header.replace("|", "\\|") in md
    for label in schema.REFORM_SOURCES.values():
        assert label in md
    for rule in schema.TEMPORAL_ORDER:
        label = {c.name: c.label for c in schema.TABLES[rule.table].columns}
        assert f"{label[rule.earlier]} 不晚于 {label[rule.later]}" in md
    assert md.startswith("---\ntitle:")


def test_dictionary_names_things_in_plain_words_only():
    """Issue 16: no table name, column name, zone, cluster or indicator id on the page."""
    md = data_dictionary_markdown()
    ids = set(schema.TABLES) | set(schema.ZONES)
    ids |= {c.name for t in schema.TABLES.values() for c in t.columns if "_" in c.name}
    ids |= {cid for clusters in schema.CLUSTERS.values() for cid in clusters if "_" in cid}
    found = sorted(
        i for i in ids if re.search(rf"(?<![A-Za-z0-9_]){re.escape(i)}(?![A-Za-z0-9_])", md)
    )
    assert not found


def test_the_dictionary_page_is_made_without_pandas_and_is_the_same_with_it():
    # The run's main process stages the site, this page included: it must not load
    # pandas or numpy (with the intake's curate module, about 0.5 s of CPU), and the page
    # must be what it is in a process that has them (this one).
    from fresh_process import sha256, text_made_alone

    made = text_made_alone("from evalkit.run import site", "site.data_dictionary_markdown()")
    assert made == (sha256(data_dictionary_markdown()), [])


def test_template_print_setup_units_and_submitter_fields(templates):
    """Issue #17: A4 landscape fit to width with the header repeated; units per indicator."""
    wb = openpyxl.load_workbook(templates[0])
    for table in schema.TABLES.values():
        ws = wb[table.title]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$1"
    hint = wb["物流与贸易指标（月度）"]["D1"].comment.text
    assert "快递进村覆盖率：%" in hint and "铁路货运量：吨" in hint and "96.5" in hint
    assert "项目台账中已登记" in wb["招商引资到位资金（月度）"]["A1"].comment.text
    first_column = [c.value for c in wb["说明"]["A"]]
    for field in ("填报单位", "填报人", "联系电话", "报送日期"):
        assert field in first_column


def test_zone_templates_offer_only_the_zones_own_clusters(templates):
    """Issue #17: each zone's template lists only its zone and its own industry clusters."""
    zone, name = next(iter(schema.ZONES.items()))
    path = next(p for p in templates if p.parent.name == name)
    wb = openpyxl.load_workbook(path)
    ws = wb["招商引资项目台账"]
    lists = wb["_lists"]
    offered = {}
    for dv in ws.data_validations.dataValidation:
        col = str(next(iter(dv.sqref.ranges)))[0]
        letter = dv.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
        offered[col] = [c.value for c in lists[letter][1:] if c.value is not None]
    assert offered["B"] == [schema.ZONES[zone]]
    assert offered["D"] == list(schema.CLUSTERS[zone].values())
    # Its example rows use the zone and one of its own clusters.
    own = set(schema.CLUSTERS[zone].values())
    projects, industry = wb["示例-招商引资项目台账"], wb["示例-产业集群（年度）"]
    assert projects["B2"].value == industry["A2"].value == schema.ZONES[zone]
    assert projects["D2"].value in own and industry["C2"].value in own
