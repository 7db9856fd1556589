"""Compatibility: moved to :mod:`evalkit.run.provenance` (this name is the same module object)."""

import sys

from .run import provenance as _moved

sys.modules[__name__] = _moved
