"""Compatibility: moved to :mod:`evalkit.run.manifest` (this name is the same module object)."""

import sys

from .run import manifest as _moved

sys.modules[__name__] = _moved
