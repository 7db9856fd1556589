"""Tables and sentences for the data-quality page, built from the intake report (``_intake.json``)."""

from __future__ import annotations

import re

import pandas as pd

from .. import schema

SEVERITY_ZH = {"error": "错误", "warning": "警告"}

#: Short Chinese name of each finding code, for the page's summary table.
CODE_NAMES: dict[str, str] = {
    "unreadable_file": "文件无法读取",
    "unsupported_file": "文件类型不支持",
    "empty_file": "空文件",
    "bad_encoding": "编码无法识别",
    "unknown_sheet": "工作表名称不符",
    "unknown_table": "无法识别的数据表",
    "no_header": "缺少表头",
    "missing_columns": "缺少必填列",
    "duplicate_column": "列重复",
    "bad_dataset_yaml": "dataset.yaml 有误",
    "no_data_files": "没有数据文件",
    "unknown_column": "无法识别的列",
    "unlabelled_data": "无表头的列有数据",
    "no_dataset_yaml": "缺少 dataset.yaml",
    "table_not_submitted": "数据表未报送",
    "missing": "必填项为空",
    "excel_error": "Excel 错误值",
    "formula_no_value": "公式无计算结果",
    "bad_number": "不是有效数字",
    "not_integer": "不是整数",
    "bad_date": "不是有效日期",
    "bad_text": "不是文字",
    "bad_bool": "不是“是/否”",
    "bad_enum": "取值不在允许范围",
    "below_minimum": "低于下限",
    "above_maximum": "高于上限",
    "required_when": "按类型或状态必填项为空",
    "temporal_order": "日期先后顺序有误",
    "duplicate_key": "编号重复且内容不同",
    "duplicate_row": "重复行",
    "unknown_reference": "项目不在项目台账中",
    "reference_mismatch": "与项目台账不一致",
    "sheet_invalid": "所在工作表表头有误",
    "not_allowed_when": "类型与来源不一致",
    "cluster_not_lead": "非片区主导产业",
    "after_as_of": "日期晚于数据截至日期",
    "duplicate_experience": "重复复制同一经验",
    "funds_above_contract": "到位资金高于签约金额",
    "spike": "数值突增（相邻期十倍以上）",
    "missing_periods": "缺报月份（季度）",
    "no_worksheets": "工作簿没有工作表",
    "encrypted_file": "工作簿设有密码",
    "xls_renamed": "旧版 .xls 改了扩展名",
    "ambiguous_unit": "金额单位矛盾",
    "header_without_unit": "金额表头无单位",
    "hidden_sheet": "隐藏工作表未读入",
    "sheet_copy": "工作表副本未读入",
    "file_without_data": "文件中没有数据表",
    "bad_serial": "日期列中的数字不是日期",
    "period_label": "期间不是单个月份",
    "scaled_format": "数字格式改变了数量级",
    "merged_number": "数值单元格被合并",
    "percent_not_allowed": "不应为百分数",
    "not_positive": "应大于 0",
    "reference_table_missing": "项目台账未读入，无法核对",
    "rate_as_fraction": "百分比疑似填成小数",
    "implausible": "数值超出合理范围",
    "unit_error": "疑似单位错误（万倍、亿倍）",
    "spike_down": "数值突降（不到相邻期十分之一）",
}


_ROWS = ["rows_read", "rows_accepted", "rows_quarantined"]


def _counts(report: dict) -> pd.DataFrame:
    """Return the report's per-table, file and sheet row counts as a frame."""
    return pd.DataFrame(report.get("tables", []), columns=["table", "file", "sheet", *_ROWS])


def table_title(name: str) -> str:
    """Return the Chinese title of the data-contract table *name* (unknown names unchanged)."""
    table = schema.TABLES.get(name)
    return table.title if table is not None else name


def table_counts(report: dict) -> pd.DataFrame:
    """Return rows read / accepted / quarantined per table, in schema order, by Chinese title.

    Columns ``数据表`` (the table's title in the data contract, never its internal
    name), ``读入行数``, ``入库行数``, ``隔离行数``.
    """
    g = _counts(report).groupby("table")[_ROWS].sum()
    g = g.reindex(list(schema.TABLES)).fillna(0).astype("int64")
    out = g.reset_index()
    out["table"] = out["table"].map(table_title)
    out.columns = ["数据表", "读入行数", "入库行数", "隔离行数"]
    return out


def file_counts(report: dict) -> pd.DataFrame:
    """Return rows read / accepted / quarantined per file and sheet."""
    df = _counts(report)
    df = df.sort_values(["file", "sheet", "table"], kind="stable")
    df["sheet"] = df["sheet"].replace("", "（CSV）")
    df["table"] = df["table"].map(table_title)
    df = df[["file", "sheet", "table", *_ROWS]]
    df.columns = ["文件", "工作表", "数据表", "读入行数", "入库行数", "隔离行数"]
    return df.reset_index(drop=True)


def value_as_shown(value) -> str:
    """Return a finding's submitted value for the page: a plain number gets thousands separators.

    Every digit stays as submitted (``14157`` → ``14,157``, ``1089.30`` → ``1,089.30``);
    anything else (text, dates, a number already written with separators) is shown as it
    was typed.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    m = re.fullmatch(r"([+-]?)(\d{4,})(\.\d+)?", text.strip())
    if not m:
        return text
    return f"{m.group(1)}{int(m.group(2)):,}{m.group(3) or ''}"


def findings_frame(report: dict, severity: str | None = None) -> pd.DataFrame:
    """Return findings (optionally one severity) as a table: where, value, problem, fix."""
    cols = [
        "severity",
        "table",
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "message",
        "fix",
        "code",
    ]
    df = pd.DataFrame(report.get("findings", []), columns=cols)
    if severity is not None:
        df = df.loc[df["severity"] == severity]
    df = df.assign(
        severity=df["severity"].map(SEVERITY_ZH),
        row=df["row"].map(lambda r: "" if pd.isna(r) else str(int(r))),
        value=df["value"].map(value_as_shown),
    )
    out = df[["severity", "file", "sheet", "row", "column", "value", "message", "fix"]]
    out.columns = ["级别", "文件", "工作表", "行号", "列", "值", "问题", "修改建议"]
    return out.reset_index(drop=True)


def findings_by_code(report: dict) -> pd.DataFrame:
    """Return how many findings of each kind, errors first: ``级别``, ``问题类型``, ``条数``.

    Kinds are named in Chinese (:data:`CODE_NAMES`); the internal codes stay in
    the intake report and the feedback workbooks.
    """
    df = pd.DataFrame(report.get("findings", []), columns=["severity", "code"])
    if df.empty:
        return pd.DataFrame(columns=["级别", "问题类型", "条数"])
    g = df.groupby(["severity", "code"]).size().reset_index(name="n")
    g["order"] = g["severity"].map({"error": 0, "warning": 1})
    g = g.sort_values(["order", "n", "code"], ascending=[True, False, True], kind="stable")
    out = pd.DataFrame(
        {
            "级别": g["severity"].map(SEVERITY_ZH),
            "问题类型": g["code"].map(lambda c: CODE_NAMES.get(c, c)),
            "条数": g["n"],
        }
    )
    return out.reset_index(drop=True)


def quality_narrative(report: dict, as_of: str | None = None) -> str:
    """Return the page's opening paragraph (Chinese), built from the report's totals.

    *as_of* is the report page's as-of date (the date in its banner). The intake
    validates the whole submitted dataset, whose own as-of date (``report["as_of"]``)
    can be later (a 2024 report built from data to 2026-10-31): the paragraph then
    names both, each for what it is, instead of a bare second "数据截至" date.
    """
    if not report:
        return "尚未运行数据校验（`python -m evalkit validate`），本页暂无内容。"
    t = report["totals"]
    balanced = t["rows_read"] == t["rows_accepted"] + t["rows_quarantined"]
    parts = [
        f"本次共读入 {t['rows_read']:,} 行报送数据，其中 {t['rows_accepted']:,} 行通过校验入库，"
        f"{t['rows_quarantined']:,} 行因存在错误被隔离"
        + ("（读入 = 入库 + 隔离，没有遗漏）。" if balanced else "。")
    ]
    if t["errors"]:
        parts.append(
            f"共发现 {t['errors']} 处错误，均已在下表逐条列出所在文件、工作表、行号和列，并给出修改建议；"
            "被隔离的行不参与本报告的任何计算，改正后重新报送即可入库。"
        )
    else:
        parts.append("未发现错误。")
    if t["warnings"]:
        parts.append(
            f"另有 {t['warnings']} 条警告（数值异常、缺报月份等），相关数据已入库，请报送单位核实。"
        )
    data_as_of = str(report["as_of"])
    if as_of is None or str(as_of) == data_as_of:
        parts.append(f"数据截至 {data_as_of}。")
    else:
        parts.append(
            f"以上校验针对整个报送数据集（数据集截至 {data_as_of}）；"
            f"本年度评估只使用截至 {as_of} 的数据。"
        )
    return "".join(parts)


def summary_part(report: dict) -> dict:
    """Return the headline data-quality figures for ``summary.json``."""
    t = report.get("totals", {})
    return {
        "data_quality": {
            "rows_read": t.get("rows_read", 0),
            "rows_accepted": t.get("rows_accepted", 0),
            "rows_quarantined": t.get("rows_quarantined", 0),
            "errors": t.get("errors", 0),
            "warnings": t.get("warnings", 0),
            "synthetic_data": bool(report.get("synthetic", False)),
        }
    }


def quarantine_note(data) -> str:
    """Return the run's line saying where the quarantine list is (and, for demo data, why).

    *data* is the data folder. The demo dataset (``synthetic: true``) carries
    malformed rows on purpose, so the validation and quarantine can be seen working.
    """
    from ..core import paths
    from ..core.store import read_meta

    where = paths.curated_dir(data) / "_quarantine.csv"
    if where.is_relative_to(paths.ROOT):
        where = where.relative_to(paths.ROOT)
    note = f"  隔离清单 list: {where}，及网站「数据质量」页 / and the site's data-quality page"
    if read_meta(data).get("synthetic"):
        note = (
            "  演示数据特意含有这些错误，用于展示校验与隔离，属预期结果 / the demo data contain "
            "these on purpose to show validation and quarantine: expected\n" + note
        )
    return note
