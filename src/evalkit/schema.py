"""Compatibility: moved to evalkit.core.schema.

``import evalkit.schema`` and ``from evalkit import schema`` return the very module
:mod:`evalkit.core.schema` (not a copy), so every public name, and monkeypatching
in tests, keeps working for code and notebooks written before the move.
"""

import sys

from .core import schema as _moved

sys.modules[__name__] = _moved
