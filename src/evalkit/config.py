"""Compatibility: moved to evalkit.core.config.

``import evalkit.config`` and ``from evalkit import config`` return the very module
:mod:`evalkit.core.config` (not a copy), so every public name, and monkeypatching
in tests, keeps working for code and notebooks written before the move.
"""

import sys

from .core import config as _moved

sys.modules[__name__] = _moved
