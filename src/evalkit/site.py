"""Compatibility: moved to :mod:`evalkit.run.site` (this name is the same module object)."""

import sys

from .run import site as _moved

sys.modules[__name__] = _moved
