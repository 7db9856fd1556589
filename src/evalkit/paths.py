"""Compatibility: moved to evalkit.core.paths.

``import evalkit.paths`` and ``from evalkit import paths`` return the very module
:mod:`evalkit.core.paths` (not a copy), so every public name, and monkeypatching
in tests, keeps working for code and notebooks written before the move.
"""

import sys

from .core import paths as _moved

sys.modules[__name__] = _moved
