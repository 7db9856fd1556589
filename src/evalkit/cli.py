"""Command line: ``python -m evalkit <command>``.

Each stage's module registers its own sub-command: it defines
``register(subparsers)`` which adds a parser and sets ``func`` (called with the
parsed arguments, returning the exit status). Add the module to
:data:`COMMAND_MODULES` and its commands to :data:`COMMANDS` to expose it.

Modules are imported lazily: only the module of the command being run is
imported (``--help`` imports none), so ``python -m evalkit report`` never pays
for pandas or the demo generator just to parse its arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .core import numerics

#: Modules that contribute sub-commands, in ``--help`` order.
COMMAND_MODULES: list[str] = [
    "evalkit.run.pipeline",
    "evalkit.demo",
    "evalkit.intake.cli",
    "evalkit.editions.cli",
]
#: Every sub-command: the module registering it and its one-line help (shown by ``--help``).
COMMANDS: dict[str, tuple[str, str]] = {
    "report": (
        "evalkit.run.pipeline",
        "execute the year's notebooks and publish the site / 生成年度报告",
    ),
    "render": ("evalkit.run.pipeline", "render the website from reports/ / 生成网站"),
    "demo": ("evalkit.demo", "生成合成演示数据 / generate the synthetic demo dataset"),
    "validate": (
        "evalkit.intake.cli",
        "validate submissions and curate them / 校验报送数据并入库",
    ),
    "templates": ("evalkit.intake.cli", "write blank submission workbooks / 生成报送模板"),
    "editions": (
        "evalkit.editions.cli",
        "build the year's Word and PDF editions / 生成正式文本（Word、PDF）",
    ),
}


class _Formatter(argparse.HelpFormatter):
    """Help text with the usage line headed in Chinese and English."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(
            usage, actions, groups, prefix="用法 / usage: " if prefix is None else prefix
        )


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose own words (headings, ``-h``, errors) are bilingual.

    argparse writes "usage:", "options:" and "error:" in English; evaluators read
    Chinese first. Sub-command parsers are made of this class too (``add_subparsers``
    uses the parent's class).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数 / positional arguments"
        self._optionals.title = "选项 / options"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出 / show this help message and exit"

    def error(self, message: str):
        """Print the usage and *message* on stderr (the prefix of evalkit's own errors); exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误 error: {message}\n")


def _command_in(argv: list[str]) -> str | None:
    """Return the sub-command named in *argv* (its first non-option word), if any."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser; only the module of the command in *argv* is imported.

    Every other command gets a placeholder parser carrying its help line, so
    ``--help`` lists them all. ``argv=None`` reads ``sys.argv``.
    """
    parser = Parser(
        prog="evalkit",
        description="绥化协同发展先导区评估报告 / Suihua pilot-zone evaluation reports",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    version = sub.add_parser("version", help="print the evalkit version / 显示版本")
    version.set_defaults(func=_version)
    wanted = _command_in(sys.argv[1:] if argv is None else argv)
    module = COMMANDS.get(wanted, (None, ""))[0] if wanted else None
    if module is not None:
        importlib.import_module(module).register(sub)
    registered = set(sub.choices)
    for name, (_, help_text) in COMMANDS.items():
        if name not in registered:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _version(args: argparse.Namespace) -> int:
    """Print the package version."""
    from . import __version__

    print(__version__)
    return 0


#: Printed (on stderr) when the user stops a command with Ctrl-C.
INTERRUPTED = "已中断（Ctrl-C） / interrupted (Ctrl-C)"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status.

    After Ctrl-C (:class:`KeyboardInterrupt`) :data:`INTERRUPTED` is printed, with no
    traceback. Run as the program (*argv* None: ``python -m evalkit``, the ``evalkit``
    script) the interrupt is raised again with a quiet ``sys.excepthook``: Python then
    shuts down as usual and ends the process by SIGINT, so a shell sees status 130 and
    stops a loop of commands. Called with *argv* it returns 130.
    """
    # Before any command imports numpy: the same numerical code on every x86-64 machine,
    # in this process and every process it starts (evalkit.core.numerics).
    try:
        numerics.pin()
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr, flush=True)
        if argv is None:
            sys.excepthook = _quiet_interrupt
            raise
        return 130


def _quiet_interrupt(kind, value, tb) -> None:
    """``sys.excepthook`` after :data:`INTERRUPTED` was printed: no traceback for Ctrl-C."""
    if not issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)


if __name__ == "__main__":
    sys.exit(main())
