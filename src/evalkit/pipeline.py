"""Compatibility: moved to :mod:`evalkit.run.pipeline` (this name is the same module object)."""

import sys

from .run import pipeline as _moved

sys.modules[__name__] = _moved
