"""``python -m evalkit editions --year 2026``: (re)build a year's official editions.

Writes ``reports/<year>/<file_stem>.docx`` and ``.pdf`` from the published reports
(``make report`` does this itself after the notebooks run; this command is for
rebuilding the editions alone, e.g. after changing ``config/editions.yaml``). It does
not touch the manifest: the next ``make report`` records the editions' SHA-256.
"""

from __future__ import annotations

import argparse
import sys

HELP = "build the year's Word and PDF editions / 生成正式文本（Word、PDF）"


def _cmd_editions(args: argparse.Namespace) -> int:
    """Build the editions of ``--year``; print the files and their SHA-256.

    Errors go to standard error, as the ``report`` command's do: 2 for a bad year or
    configuration, 1 when there is nothing to build from or an engine failed.
    """
    from .. import paths
    from ..core.errors import ConfigError
    from ..run.parameters import PipelineError, validate_year
    from . import EditionError, build

    try:
        year = validate_year(args.year)
    except PipelineError as exc:
        print(exc, file=sys.stderr)
        return 2
    folder = paths.report_dir(year)
    if not (folder / "summary.json").exists():
        print(
            f"{folder}: 没有已发布的报告，请先运行 make report / no published reports: run make report first",
            file=sys.stderr,
        )
        return 1
    try:
        entry = build(folder)
    except ConfigError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    except EditionError as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, digest in sorted(entry["sha256"].items()):
        print(f"{folder / name}  sha256 {digest}")
    return 0


def register(sub) -> None:
    """Add the ``editions`` sub-command."""
    p = sub.add_parser("editions", help=HELP)
    p.add_argument("--year", required=True, help="report year / 评估年度")
    p.set_defaults(func=_cmd_editions)
