"""Command line: ``python -m evalkit <command>``.

Commands are registered in :data:`COMMANDS`; each module that owns a stage adds
its sub-command here so ``--help`` lists the whole job.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="绥化协同发展先导区评估报告 / Suihua pilot-zone evaluation reports",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version", help="print the evalkit version")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "version":
        from . import __version__

        print(__version__)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
