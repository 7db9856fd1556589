"""Malformed-submission corpus: each case breaks one thing in a valid submission.

For every case the intake must (1) not raise, (2) report a finding with the
expected code at the expected file / sheet / Excel row / column, in Chinese with
English, (3) keep rows read = rows accepted + rows quarantined, and (4) leave an
existing curated store byte-for-byte unchanged when the run fails (structural
errors, or --strict with row errors).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from intake_factory import AS_OF, tree_digest, valid_rows, write_dataset, write_workbook

from evalkit import schema
from evalkit.intake import run

PROJ = schema.PROJECTS.title
FUNDS = schema.FUNDS_MONTHLY.title
REFORM = schema.REFORM_ITEMS.title
LOG = schema.LOGISTICS_MONTHLY.title
WB = "submission.xlsx"


def _set(table, i, **values):
    """Return a mutator that changes row *i* of *table*."""

    def mutate(rows):
        rows[table][i].update(values)

    return mutate


def _rows_case(mutate):
    """Return a builder writing the valid dataset after *mutate*(rows)."""

    def build(folder: Path):
        rows = valid_rows()
        mutate(rows)
        write_dataset(folder, rows)

    return build


def _extra_file(name: str, data: bytes):
    """Return a builder adding a raw file *name* beside the valid workbook."""

    def build(folder: Path):
        write_dataset(folder)
        (folder / name).write_bytes(data)

    return build


def _wrong_headers(table: str, transform):
    """Return a builder whose *table* sheet has headers transformed by *transform*(list)."""

    def build(folder: Path):
        write_dataset(folder)
        hdr = transform([c.header for c in schema.TABLES[table].columns])
        write_workbook(folder / WB, valid_rows(), headers={table: hdr})

    return build


def _drop(name):
    return lambda h: [x for x in h if x != name]


def _wrong_sheet_name(folder: Path):
    write_dataset(folder)
    wb = openpyxl.load_workbook(folder / WB)
    wb[PROJ].title = "项目台帐"  # a typo of 账
    wb.save(folder / WB)


def _cell(table_title: str, cell: str, value):
    def build(folder: Path):
        write_dataset(folder)
        wb = openpyxl.load_workbook(folder / WB)
        wb[table_title][cell] = value
        wb.save(folder / WB)

    return build


def _no_header(folder: Path):
    write_dataset(folder)
    wb = openpyxl.load_workbook(folder / WB)
    ws = wb[LOG]
    for c in range(1, 5):
        ws.cell(1, c, f"列{c}")
    wb.save(folder / WB)


def _bad_yaml(folder: Path):
    write_dataset(folder)
    (folder / "dataset.yaml").write_text("synthetic: [unclosed\n", encoding="utf-8")


def _late_submission(rows):
    # 青冈 did not send June: every June row of the monthly tables is missing.
    for t in ("funds_monthly", "logistics_monthly"):
        rows[t] = [r for r in rows[t] if not (r["zone_id"] == "青冈" and r["month"] == "2025-06")]


def _dup_conflict(rows):
    rows["projects"].append(dict(rows["projects"][0], name="另一个名称"))


def _dup_exact(rows):
    rows["projects"].append(dict(rows["projects"][0]))


def _spike(rows):
    rows["logistics_monthly"][4]["value"] = 99999  # zhaodong rail, 2025-03


# (id, builder, code, severity, file, sheet, excel row, column header)
CASES = [
    ("empty_csv", _extra_file("资金.csv", b""), "empty_file", "error", "资金.csv", "", None, ""),
    (
        "empty_xlsx",
        _extra_file("empty.xlsx", b""),
        "empty_file",
        "error",
        "empty.xlsx",
        "",
        None,
        "",
    ),
    (
        "corrupt_xlsx",
        _extra_file("broken.xlsx", b"PK\x03\x04 not really a zip"),
        "unreadable_file",
        "error",
        "broken.xlsx",
        "",
        None,
        "",
    ),
    (
        "ragged_csv",
        _extra_file(
            "funds_monthly.csv",
            (
                "项目编号,片区,月份,当月到位资金（万元）\n"
                + "".join(f"ZH-P1,肇东,2024-{m:02d},1\n" for m in range(1, 13))
                + "ZH-P1,肇东,2023-12,1,2,3\n"  # line 14 has two cells too many
            ).encode(),
        ),
        # Issue #17 case 7: a ragged row anywhere is read; the extra cells are reported.
        "unlabelled_data",
        "warning",
        "funds_monthly.csv",
        "",
        1,
        "",
    ),
    (
        "unlabelled_data",
        _cell(schema.INDUSTRY_ANNUAL.title, "I3", "备注：含新设企业"),
        "unlabelled_data",
        "warning",
        WB,
        schema.INDUSTRY_ANNUAL.title,
        1,
        "",
    ),
    (
        "xls",
        _extra_file("old.xls", b"\xd0\xcf\x11\xe0"),
        "unsupported_file",
        "error",
        "old.xls",
        "",
        None,
        "",
    ),
    (
        "bad_encoding",
        _extra_file("projects.csv", b"\xff\xfe\xff\xff,\xff\n"),
        "bad_encoding",
        "error",
        "projects.csv",
        "",
        None,
        "",
    ),
    ("wrong_sheet_name", _wrong_sheet_name, "unknown_sheet", "error", WB, "项目台帐", None, ""),
    (
        "missing_column",
        _wrong_headers("projects", _drop("签约日期")),
        "missing_columns",
        "error",
        WB,
        PROJ,
        1,
        "",
    ),
    (
        "duplicate_column",
        _wrong_headers("funds_monthly", lambda h: h[:3] + ["月份"]),
        "duplicate_column",
        "error",
        WB,
        FUNDS,
        1,
        "月份",  # the finding now names the repeated header (issue #17)
    ),
    ("no_header", _no_header, "no_header", "error", WB, LOG, None, ""),
    ("bad_yaml", _bad_yaml, "bad_dataset_yaml", "error", "dataset.yaml", "", None, ""),
    (
        "excel_ref_error",
        _cell(PROJ, "G3", "#REF!"),
        "excel_error",
        "error",
        WB,
        PROJ,
        3,
        "签约金额（万元）",
    ),
    (
        "excel_div0",
        _cell(FUNDS, "D5", "#DIV/0!"),
        "excel_error",
        "error",
        WB,
        FUNDS,
        5,
        "当月到位资金（万元）",
    ),
    (
        "formula_uncached",
        _cell(FUNDS, "D4", "=D2*2"),
        "formula_no_value",
        "error",
        WB,
        FUNDS,
        4,
        "当月到位资金（万元）",
    ),
    (
        "unknown_zone",
        _rows_case(_set("projects", 0, zone_id="哈尔滨片区")),
        "bad_enum",
        "error",
        WB,
        PROJ,
        2,
        "片区",
    ),
    (
        "bad_kind",
        _rows_case(_set("reform_items", 2, kind="复制")),
        "bad_enum",
        "error",
        WB,
        REFORM,
        4,
        "类型",
    ),
    (
        "bad_date",
        _rows_case(_set("projects", 1, signed="2024-13-01")),
        "bad_date",
        "error",
        WB,
        PROJ,
        3,
        "签约日期",
    ),
    (
        "negative_funds",
        _rows_case(_set("funds_monthly", 7, funds_wan_yuan=-5)),
        "below_minimum",
        "error",
        WB,
        FUNDS,
        9,
        "当月到位资金（万元）",
    ),
    (
        "not_a_number",
        _rows_case(_set("projects", 2, contracted_wan_yuan="约5000")),
        "bad_number",
        "error",
        WB,
        PROJ,
        4,
        "签约金额（万元）",
    ),
    (
        "not_integer",
        _rows_case(_set("industry_annual", 0, leading_firms=2.5)),
        "not_integer",
        "error",
        WB,
        schema.INDUSTRY_ANNUAL.title,
        2,
        "龙头企业数",
    ),
    (
        "missing_required",
        _rows_case(_set("reform_items", 1, title="  ")),
        "missing",
        "error",
        WB,
        REFORM,
        3,
        "事项名称",
    ),
    ("duplicate_key", _rows_case(_dup_conflict), "duplicate_key", "error", WB, PROJ, 2, "项目编号"),
    ("duplicate_row", _rows_case(_dup_exact), "duplicate_row", "error", WB, PROJ, 6, "项目编号"),
    (
        "unknown_project",
        _rows_case(_set("funds_monthly", 3, project_id="ZH-P9")),
        "unknown_reference",
        "error",
        WB,
        FUNDS,
        5,
        "项目编号",
    ),
    (
        "zone_mismatch",
        _rows_case(_set("funds_monthly", 0, zone_id="青冈片区")),
        "reference_mismatch",
        "error",
        WB,
        FUNDS,
        2,
        "片区",
    ),
    (
        "production_before_signed",
        _rows_case(_set("projects", 0, in_production=dt.date(2024, 1, 1))),
        "temporal_order",
        "error",
        WB,
        PROJ,
        2,
        "投产日期",
    ),
    (
        "effective_before_adopted",
        _rows_case(_set("reform_items", 0, effective=dt.date(2025, 1, 1))),
        "temporal_order",
        "error",
        WB,
        REFORM,
        2,
        "落地见效日期",
    ),
    (
        "published_after_adopted",
        _rows_case(_set("reform_items", 0, source_published="2025年3月1日")),
        "temporal_order",
        "error",
        WB,
        REFORM,
        2,
        "复制（创新）启动日期",
    ),
    (
        "replicated_without_published",
        _rows_case(_set("reform_items", 0, source_published=None)),
        "required_when",
        "error",
        WB,
        REFORM,
        2,
        "来源经验发布日期",
    ),
    (
        "original_without_rating",
        _rows_case(_set("reform_items", 1, originality=None)),
        "required_when",
        "error",
        WB,
        REFORM,
        3,
        "原创性评级",
    ),
    (
        "in_effect_without_date",
        _rows_case(_set("reform_items", 2, effective="")),
        "required_when",
        "error",
        WB,
        REFORM,
        4,
        "落地见效日期",
    ),
    (
        "percent_over_100",
        _rows_case(_set("logistics_monthly", 1, value=120)),
        "above_maximum",
        "error",
        WB,
        LOG,
        3,
        "数值",
    ),
    # warnings: the row is kept
    (
        "funds_above_contract",
        _rows_case(_set("funds_monthly", 2, funds_wan_yuan=50000)),
        "funds_above_contract",
        "warning",
        WB,
        PROJ,
        2,
        "签约金额（万元）",
    ),
    ("spike", _rows_case(_spike), "spike", "warning", WB, LOG, 6, "数值"),
    (
        "late_submission",
        _rows_case(_late_submission),
        "missing_periods",
        "warning",
        WB,
        FUNDS,
        None,
        "月份",
    ),
    (
        "cluster_not_lead",
        _rows_case(_set("projects", 0, cluster="工业大麻")),
        "cluster_not_lead",
        "warning",
        WB,
        PROJ,
        2,
        "产业集群",
    ),
    (
        "original_from_harbin",
        _rows_case(_set("reform_items", 1, source="哈尔滨片区")),
        "not_allowed_when",
        "warning",
        WB,
        REFORM,
        3,
        "经验来源",
    ),
    (
        "unknown_column",
        _wrong_headers("county_panel", lambda h: h + ["备注"]),
        "unknown_column",
        "warning",
        WB,
        schema.COUNTY_PANEL.title,
        1,
        "备注",
    ),
]


#: The finding codes that are structural (the submission cannot be read as the template
#: describes: the whole run fails); a case expecting another code has no structural one.
STRUCTURAL = {
    "empty_file",
    "unreadable_file",
    "unsupported_file",
    "bad_encoding",
    "unknown_sheet",
    "missing_columns",
    "duplicate_column",
    "no_header",
    "bad_dataset_yaml",
}


@pytest.fixture(scope="module")
def valid_store(tmp_path_factory):
    """Curate the valid dataset once; tests copy the resulting store."""
    root = tmp_path_factory.mktemp("valid")
    src = write_dataset(root / "raw")
    assert run(src, root / "data").status == 0
    return root / "data" / "curated"


def _prepopulate(data: Path, store: Path) -> dict[str, str]:
    """Copy the valid curated store into *data* and return its digest."""
    shutil.copytree(store, data / "curated")
    return tree_digest(data / "curated")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_submission(case, tmp_path, monkeypatch, valid_store):
    cid, build, code, severity, file, sheet, row, column = case
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    folder = tmp_path / "raw"
    build(folder)
    raw_before = tree_digest(folder)
    data = tmp_path / "data"
    before = _prepopulate(data, valid_store)

    result = run(folder, data, strict=True)

    hits = [f for f in result.findings if f.code == code]
    assert hits, f"{cid}: no {code} finding; got {[(f.code, f.row) for f in result.findings]}"
    match = [
        f
        for f in hits
        if f.file == file and f.sheet == sheet and f.row == row and f.column == column
    ]
    assert match, f"{cid}: {code} not at {file}/{sheet}/{row}/{column}: {hits}"
    f = match[0]
    assert f.severity == severity
    assert bool(result.structural) == (code in STRUCTURAL), cid
    # Chinese first, then English; a fix in both languages.
    assert re.search(r"[\u4e00-\u9fff]", f.message.split(" / ")[0])
    assert re.search(r"[A-Za-z]", f.message.split(" / ", 1)[1])
    assert " / " in f.fix
    # Nothing is lost: rows read = accepted + quarantined, per file and sheet.
    c = result.counts
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    assert len(result.quarantine) == c["rows_quarantined"].sum()
    # Raw files are never modified.
    assert tree_digest(folder) == raw_before
    if severity == "error":
        # --strict (and any structural error) fails and leaves the curated store alone.
        assert result.status == 2 and not result.written
        assert tree_digest(data / "curated") == before
    else:
        assert result.status == 0 and result.written
        assert result.counts["rows_quarantined"].sum() == 0


@pytest.mark.parametrize("case", [c for c in CASES if c[3] == "error"], ids=lambda c: c[0])
def test_default_mode_quarantines_row_errors(case, tmp_path, monkeypatch, valid_store):
    """Without --strict, row errors quarantine the row and the rest is curated."""
    cid, build, code, _, file, sheet, row, _ = case
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    build(tmp_path / "raw")
    data = tmp_path / "data"
    before = _prepopulate(data, valid_store)
    result = run(tmp_path / "raw", data)
    if any(f.structural for f in result.findings):
        assert result.status == 2 and tree_digest(data / "curated") == before
        return
    assert result.status == 0 and result.written
    q = result.quarantine
    hit = q.loc[(q["file"] == file) & (q["sheet"] == sheet) & (q["row"] == row)]
    assert len(hit) == 1, f"{cid}: row {row} not quarantined: {q[['sheet', 'row']].values.tolist()}"
    assert hit["reasons"].iloc[0]
    total = result.counts[["rows_read", "rows_accepted", "rows_quarantined"]].sum()
    assert total["rows_read"] == total["rows_accepted"] + total["rows_quarantined"]
    # The curated tables hold exactly the accepted rows.
    for name, df in result.tables.items():
        accepted = result.counts.loc[result.counts["table"] == name, "rows_accepted"].sum()
        assert len(df) == accepted


def test_formula_with_cached_value_is_read(tmp_path):
    """A formula saved by Excel carries its computed value, which is what we read."""
    folder = tmp_path / "raw"
    write_dataset(folder)
    wb = openpyxl.load_workbook(folder / WB)
    wb[FUNDS]["D2"] = "=400+100"
    wb.save(folder / WB)
    # Excel would store <v>500</v> beside the formula; openpyxl writes none, so add it.
    with zipfile.ZipFile(folder / WB) as z:
        items = {n: z.read(n) for n in z.namelist()}
    sheet_xml = next(
        n for n, b in items.items() if n.startswith("xl/worksheets/") and b"400+100" in b
    )
    items[sheet_xml] = re.sub(
        rb"<f>400\+100</f><v\s*/?>(</v>)?", b"<f>400+100</f><v>500</v>", items[sheet_xml]
    )
    assert b"<v>500</v>" in items[sheet_xml]
    with zipfile.ZipFile(folder / WB, "w") as z:
        for n, b in items.items():
            z.writestr(n, b)
    result = run(folder, tmp_path / "data", write=False)
    assert not result.errors, result.errors
    funds = result.tables["funds_monthly"]
    first = funds.loc[(funds["project_id"] == "ZH-P1") & (funds["month"] == "2025-01-01")]
    assert first["funds_wan_yuan"].tolist() == [500.0]


def test_as_of_from_dataset_yaml(tmp_path):
    folder = write_dataset(tmp_path / "raw")
    result = run(folder, tmp_path / "data")
    assert result.meta["as_of"] == AS_OF
    assert result.meta["synthetic"] is True


ODD_CELLS = [
    True,
    dt.time(12, 30),
    dt.datetime(1900, 1, 1),
    -45000,
    1e300,
    "inf",
    "nan",
    "=1/0",
    "#N/A",
    "长" * 5000,
    "\u200b",
    "１２,３４５.６万元",
    "2024年2月30日",
    "Q5",
]


@pytest.mark.parametrize("odd", ODD_CELLS, ids=lambda v: repr(v)[:20])
def test_odd_values_in_every_column_never_raise(odd, tmp_path):
    """Any cell value in any column gives findings, never an exception."""
    rows = valid_rows()
    for name, table_rows in rows.items():
        for col in schema.TABLES[name].columns:
            table_rows[0][col.name] = odd
    folder = write_dataset(tmp_path / "raw", rows)
    result = run(folder, tmp_path / "data", write=False)
    c = result.counts
    assert (c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]).all()
    assert not result.structural
    for name, df in result.tables.items():
        assert list(df.columns) == schema.TABLES[name].column_names
