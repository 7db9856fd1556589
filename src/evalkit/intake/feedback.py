"""The clerk's feedback workbook: their own submission back, with every problem marked.

For each submitted file with at least one finding, :func:`write_feedback` writes
``build/feedback/<file>`` (a CSV submission becomes ``<file>.xlsx``): a copy of the
workbook in which every cell with an error is filled red and every cell with a
warning yellow, each with a cell comment in Chinese (what is wrong, how to fix it,
then the English), and a first sheet ``问题清单`` listing all findings of the file
with links to the cells and the counts (rows read / accepted / quarantined). The
raw files are only read. Text copied from a CSV is made formula-safe.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from .. import paths
from ..core.safety import neutralize_cell
from .findings import Finding
from .readers import csv_grid, detect_encoding

#: Name of the findings sheet put first in every feedback workbook.
FINDINGS_SHEET = "问题清单"
RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
_HEAD = [
    "严重程度 severity",
    "工作表 sheet",
    "单元格 cell",
    "行 row",
    "列 column",
    "值 value",
    "问题 problem",
    "修改方法 how to fix",
]


def _files_of(finding: Finding) -> list[str]:
    """Return the submitted files a finding is about (a few name several, joined by 、)."""
    return [f for f in finding.file.split("、") if f]


def feedback_path(out: Path, file: str) -> Path:
    """Return where the feedback copy of submitted *file* goes (CSV → ``<file>.xlsx``)."""
    suffix = Path(file).suffix.lower()
    return out / (file + ".xlsx" if suffix not in (".xlsx", ".xlsm") else file)


def write_feedback(dataset_dir, result, out_dir=None) -> list[Path]:
    """Write one marked-up copy per submitted file with findings; return their paths.

    *result* is an :class:`~evalkit.intake.curate.IntakeResult` of *dataset_dir*;
    *out_dir* defaults to ``build/feedback``.
    """
    dataset = paths.resolve(dataset_dir)
    out = Path(out_dir) if out_dir is not None else paths.build_dir() / "feedback"
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        for file in _files_of(f):
            if (dataset / file).is_file():
                by_file.setdefault(file, []).append(f)
    written = []
    for file, findings in sorted(by_file.items()):
        counts = result.counts.loc[result.counts["file"] == file]
        totals = {
            k: int(counts[k].sum()) for k in ("rows_read", "rows_accepted", "rows_quarantined")
        }
        path = feedback_path(out, file)
        wb = _open_copy(dataset / file)
        _mark(wb, findings)
        _findings_sheet(wb, file, findings, totals)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        wb.save(tmp)
        os.replace(tmp, path)
        written.append(path)
    return written


def _open_copy(src: Path) -> Workbook:
    """Open the submission for marking.

    The workbook itself; a CSV as a one-sheet workbook; an empty workbook when the
    file cannot be opened at all (the findings sheet says why).
    """
    suffix = src.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            return load_workbook(src, keep_vba=suffix == ".xlsm")
        except Exception:  # noqa: BLE001 - unreadable files are reported on the findings sheet
            pass
    wb = Workbook()
    if suffix == ".csv":
        data = src.read_bytes()
        encoding = detect_encoding(data)
        if encoding is not None:
            ws = wb.active
            ws.title = "CSV"
            rows, _ = csv_grid(data.decode(encoding))
            for r in rows:
                ws.append([neutralize_cell(v) for v in r])
            return wb
    wb.active.title = "原文件 original"
    return wb


def _target_sheet(wb: Workbook, finding: Finding):
    """Return the worksheet a finding points at (a CSV's only sheet), else None."""
    if finding.sheet and finding.sheet in wb.sheetnames:
        return wb[finding.sheet]
    if not finding.sheet and "CSV" in wb.sheetnames:
        return wb["CSV"]
    return None


def _cell_of(finding: Finding) -> str:
    """Return the cell to mark: the finding's cell, else column A of its row, else ""."""
    if finding.cell:
        return finding.cell
    return f"A{finding.row}" if finding.row else ""


def _mark(wb: Workbook, findings: list[Finding]) -> None:
    """Fill and comment every cell a finding names (an error's red wins over yellow)."""
    notes: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        ws = _target_sheet(wb, f)
        cell = _cell_of(f)
        if ws is not None and cell:
            notes.setdefault((ws.title, cell), []).append(f)
    for (title, cell), fs in notes.items():
        c = wb[title][cell]
        error = any(f.severity == "error" for f in fs)
        c.fill = RED if error else YELLOW
        text = "\n\n".join(
            f"{'错误' if f.severity == 'error' else '警告'}：{f.message}\n修改：{f.fix}" for f in fs
        )
        comment = Comment(text, "evalkit")
        comment.width, comment.height = 420, 60 + 40 * len(fs) * (1 + len(text) // 200)
        c.comment = comment


def _findings_sheet(wb: Workbook, file: str, findings: list[Finding], totals: dict) -> None:
    """Put the findings sheet first: counts, then one row per finding linked to its cell."""
    if FINDINGS_SHEET in wb.sheetnames:
        del wb[FINDINGS_SHEET]
    ws = wb.create_sheet(FINDINGS_SHEET, 0)
    errors = sum(f.severity == "error" for f in findings)
    ws.append([f"报送文件 file: {neutralize_cell(file)}"])
    ws.append(
        [
            "读入 read",
            totals["rows_read"],
            "入库 accepted",
            totals["rows_accepted"],
            "隔离 quarantined",
            totals["rows_quarantined"],
            "错误 errors",
            errors,
            "警告 warnings",
            len(findings) - errors,
        ]
    )
    ws.append([])
    ws.append(_HEAD)
    for c in ws[4]:
        c.font = Font(bold=True)
    for f in findings:
        ws.append(
            [
                "错误 error" if f.severity == "error" else "警告 warning",
                neutralize_cell(f.sheet),
                _cell_of(f) if _target_sheet(wb, f) is not None else "",
                f.row,
                neutralize_cell(f.column),
                neutralize_cell(f.value),
                neutralize_cell(f.message),
                neutralize_cell(f.fix),
            ]
        )
        row = ws.max_row
        ws.cell(row, 1).fill = RED if f.severity == "error" else YELLOW
        target, cell = _target_sheet(wb, f), _cell_of(f)
        if target is not None and cell:
            link = ws.cell(row, 3)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"{quote_sheetname(target.title)}!{cell}"
            )
            link.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEFGH", (12, 22, 9, 6, 22, 18, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for r in ws.iter_rows(min_row=5, min_col=7, max_col=8):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A5"
    wb.active = 0
