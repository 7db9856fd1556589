"""Sub-commands ``validate`` and ``templates`` (registered in :data:`evalkit.cli.COMMAND_MODULES`)."""

from __future__ import annotations

import argparse
import contextlib

import pandas as pd

from .. import schema

#: Findings printed in full before the rest are only counted (all are in _intake.json).
PRINT_LIMIT = 40


def register(sub) -> None:
    """Add the ``validate`` and ``templates`` parsers to *sub*."""
    p = sub.add_parser(
        "validate",
        help="validate submissions and curate them / 校验报送数据并入库",
        description=(
            "读取报送数据、逐行校验并原子性写入 data/curated。结构性错误（文件无法读取、工作表缺失、"
            "表头有误）退出码 2 且不改动已有数据；行级错误的行进入隔离清单，其余行入库（退出码 0，"
            "--strict 时为 2）。 / Read, validate and curate submissions; exit 2 on structural "
            "errors (or any error with --strict)."
        ),
    )
    p.add_argument(
        "--dataset", default="data/raw/demo", help="submission folder (default data/raw/demo)"
    )
    p.add_argument("--data-dir", default=None, help="data folder receiving curated/ (default data)")
    p.add_argument(
        "--strict", action="store_true", help="fail on row-level errors too / 行级错误也视为失败"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="validate only, write nothing / 只校验不写入"
    )
    p.set_defaults(func=_validate)
    t = sub.add_parser("templates", help="write blank submission workbooks / 生成报送模板")
    t.add_argument("--out", default=None, help="output folder (default build/templates)")
    t.set_defaults(func=_templates)


def format_summary(result) -> str:
    """Return the plain-text summary table and the first findings of an intake run."""
    s = result.summary()
    s.insert(1, "title", [schema.TABLES[n].title for n in s["table"]])
    s.columns = [
        "数据表 table",
        "名称",
        "读入 read",
        "入库 accepted",
        "隔离 quarantined",
        "错误 errors",
        "警告 warnings",
    ]
    lines = [s.to_string(index=False)]
    tot = s.iloc[:, 2:].sum()
    lines.append(
        f"合计 total: 读入 {tot.iloc[0]} = 入库 {tot.iloc[1]} + 隔离 {tot.iloc[2]}；"
        f"错误 {tot.iloc[3] + len([f for f in result.findings if not f.table and f.severity == 'error'])}，"
        f"警告 {len(result.warnings)}"
    )
    shown = result.findings[:PRINT_LIMIT]
    for f in shown:
        where = " ".join(
            x
            for x in (
                f.file,
                f"[{f.sheet}]" if f.sheet else "",
                f"第{f.row}行" if f.row is not None else "",
                f"“{f.column}”" if f.column else "",
                f"({f.cell})" if f.cell else "",
            )
            if x
        )
        lines.append(
            f"{'错误' if f.severity == 'error' else '警告'} {f.severity.upper()} {where}: {f.message} → {f.fix}"
        )
    if len(result.findings) > PRINT_LIMIT:
        lines.append(
            f"……另有 {len(result.findings) - PRINT_LIMIT} 条（见 _intake.json）/ {len(result.findings) - PRINT_LIMIT} more in _intake.json"
        )
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> int:
    """Run the intake and print its summary; return its exit status.

    Writing into the data folder the report pipeline uses takes the run lock:
    curated tables must not change under a running ``evalkit report`` (its
    notebooks would read a mix of old and new).
    """
    import sys

    from .. import paths
    from ..core.lock import RunLockBusy, run_lock
    from . import run
    from .feedback import write_feedback

    target = paths.data_dir(args.data_dir)
    shared = not args.dry_run and target == paths.data_dir()
    try:
        with run_lock() if shared else contextlib.nullcontext():
            result = run(args.dataset, args.data_dir, strict=args.strict, write=not args.dry_run)
            if shared and result.written and not result.status:
                # The report pipeline's next run then finds this curation up to date.
                from ..core.curation_state import record_curation

                record_curation(args.dataset, target)
    except RunLockBusy as e:
        print(f"错误 error: {e}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(format_summary(result))
    if result.structural:
        print(
            "结构性错误：未写入，已有数据保持不变 / structural errors: nothing written, curated data unchanged"
        )
    elif result.status:
        print("--strict：存在错误，未写入 / --strict: errors found, nothing written")
    elif result.written:
        print(f"已写入 written: {result.curated_dir}")
    if result.report_path is not None:
        print(f"报告 report: {result.report_path}")
    for path in write_feedback(args.dataset, result):
        print(f"反馈工作簿 feedback: {path}")
    return result.status


def _templates(args: argparse.Namespace) -> int:
    """Write the blank templates and list them."""
    from .templates import write_templates

    for path in write_templates(args.out):
        print(path)
    return 0
