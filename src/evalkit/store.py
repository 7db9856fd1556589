"""Compatibility: moved to evalkit.core.store.

``import evalkit.store`` and ``from evalkit import store`` return the very module
:mod:`evalkit.core.store` (not a copy), so every public name, and monkeypatching
in tests, keeps working for code and notebooks written before the move.
"""

import sys

from .core import store as _moved

sys.modules[__name__] = _moved
