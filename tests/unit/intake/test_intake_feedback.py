"""Issue #17: the clerk's feedback workbook (build/feedback/<file>), opened with openpyxl."""

from __future__ import annotations

import openpyxl
from intake_factory import tree_digest, valid_rows, write_dataset

from evalkit.cli import main
from evalkit.intake import run
from evalkit.intake.feedback import FINDINGS_SHEET, RED, YELLOW, write_feedback


def _bad_dataset(tmp_path):
    rows = valid_rows()
    rows["projects"][1]["contracted_wan_yuan"] = "#REF!"  # error at 招商引资项目台账!G3
    rows["logistics_monthly"][3]["value"] = 0.965  # warning at 物流与贸易指标（月度）!D5
    folder = write_dataset(tmp_path / "raw", rows)
    lines = ["片区,月份,指标,数值", "肇东,2024-01,公路货运量,=1+2", "肇东,2024-02,公路货运量,abc"]
    (folder / "物流与贸易指标（月度）.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_feedback_workbook_marks_cells_and_lists_findings(tmp_path):
    folder = _bad_dataset(tmp_path)
    raw_before = tree_digest(folder)
    result = run(folder, tmp_path / "data", write=False)
    paths = write_feedback(folder, result, tmp_path / "fb")
    assert sorted(p.name for p in paths) == ["submission.xlsx", "物流与贸易指标（月度）.csv.xlsx"]
    assert tree_digest(folder) == raw_before  # raw files untouched

    wb = openpyxl.load_workbook(tmp_path / "fb" / "submission.xlsx")
    assert wb.sheetnames[0] == FINDINGS_SHEET
    err = wb["招商引资项目台账"]["G3"]
    assert err.fill.fgColor.rgb.endswith(RED.fgColor.rgb[-6:])
    assert "错误" in err.comment.text and "#REF!" in err.comment.text and "修改" in err.comment.text
    warn = wb["物流与贸易指标（月度）"]["D5"]
    assert warn.fill.fgColor.rgb.endswith(YELLOW.fgColor.rgb[-6:])
    assert "警告" in warn.comment.text and "96.5" in warn.comment.text
    untouched = wb["招商引资项目台账"]["G2"]
    assert untouched.comment is None and untouched.fill.fill_type is None
    ws = wb[FINDINGS_SHEET]
    counts = [c.value for c in ws[2]]
    c = result.counts.loc[result.counts["file"] == "submission.xlsx"]
    assert counts[1] == c["rows_read"].sum() and counts[3] == c["rows_accepted"].sum()
    assert counts[5] == c["rows_quarantined"].sum() == 7  # ZH-P2 and its six fund rows
    listed = {(r[1].value, r[2].value): r[2].hyperlink for r in ws.iter_rows(min_row=5)}
    assert listed[("招商引资项目台账", "G3")].location == "'招商引资项目台账'!G3"
    assert ("物流与贸易指标（月度）", "D5") in listed
    n_findings = sum(1 for f in result.findings if "submission.xlsx" in f.file.split("、"))
    assert ws.max_row - 4 == n_findings

    csv_wb = openpyxl.load_workbook(tmp_path / "fb" / "物流与贸易指标（月度）.csv.xlsx")
    sheet = csv_wb["CSV"]
    assert sheet["D2"].value == "'=1+2"  # formula text from a CSV is made harmless
    assert sheet["D3"].fill.fgColor.rgb.endswith(RED.fgColor.rgb[-6:])
    assert "abc" in sheet["D3"].comment.text


def test_validate_command_writes_feedback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    folder = _bad_dataset(tmp_path)
    code = main(["validate", "--dataset", str(folder), "--data-dir", str(tmp_path / "data")])
    assert code == 0
    out = capsys.readouterr().out
    fb = tmp_path / "build" / "feedback"
    assert (fb / "submission.xlsx").is_file() and "feedback" in out
    # A clean dataset gets no feedback copy.
    clean = write_dataset(tmp_path / "clean")
    main(["validate", "--dataset", str(clean), "--data-dir", str(tmp_path / "data2")])
    result = run(clean, tmp_path / "data3", write=False)
    assert not [f for f in result.findings if f.file == "submission.xlsx"]
    assert write_feedback(clean, result, tmp_path / "fb2") == []
