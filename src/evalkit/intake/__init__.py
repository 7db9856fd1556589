"""Data intake: read zone submissions, validate them, and curate them atomically.

Entry point for the pipeline: :func:`run` (``evalkit.intake.run(dataset_dir, data_dir)``
→ :class:`IntakeResult`). See :mod:`evalkit.intake.curate` for how errors are handled.

The entry points load :mod:`.curate` (pandas, openpyxl) when first used (a module
``__getattr__``, PEP 562), so reading a light submodule does not: the site's
data-dictionary page (:mod:`.dictionary`) is made in the run's main process, which
never imports pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["IntakeResult", "read_intake", "run"]

if TYPE_CHECKING:
    from .curate import IntakeResult, read_intake, run


def __getattr__(name: str):
    if name in __all__:
        from . import curate

        value = getattr(curate, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
