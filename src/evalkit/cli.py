"""Command line: ``python -m evalkit <command>``.

Each stage's module registers its own sub-command: it defines
``register(subparsers)`` which adds a parser and sets ``func`` (called with the
parsed arguments, returning the exit status). Add the module to
:data:`COMMAND_MODULES` to expose it.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that contribute sub-commands, in ``--help`` order.
COMMAND_MODULES: list[str] = ["evalkit.pipeline", "evalkit.demo", "evalkit.intake.cli"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="绥化协同发展先导区评估报告 / Suihua pilot-zone evaluation reports",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    version = sub.add_parser("version", help="print the evalkit version / 显示版本")
    version.set_defaults(func=_version)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version(args: argparse.Namespace) -> int:
    """Print the package version."""
    from . import __version__

    print(__version__)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
