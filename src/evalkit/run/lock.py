"""The run lock of the report pipeline: :mod:`evalkit.core.lock`, refusing with a PipelineError."""

from __future__ import annotations

import functools

from ..core.lock import LOCK_WAIT_SECONDS, lock_path  # noqa: F401  (re-exported)
from ..core.lock import run_lock as _run_lock
from .execute import say
from .parameters import PipelineError

#: Hold the run lock; wait, then refuse with a bilingual :class:`PipelineError` naming the holder.
run_lock = functools.partial(_run_lock, out=say, error=PipelineError)
