"""Compatibility: moved to :mod:`evalkit.run.publish` (this name is the same module object)."""

import sys

from .run import publish as _moved

sys.modules[__name__] = _moved
