"""Compatibility: moved to :mod:`evalkit.core.publish` (this name is the same module object)."""

import sys

from ..core import publish as _moved

sys.modules[__name__] = _moved
