"""``python -m evalkit``: see :mod:`evalkit.cli`."""

from .cli import main

raise SystemExit(main())
