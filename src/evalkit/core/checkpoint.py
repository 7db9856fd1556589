"""Crash-safety checkpoints: pause a run at a named step so tests can kill it there.

Set ``EVALKIT_PAUSE_AT=<name>`` and the run prints ``EVALKIT_PAUSED <name>`` (flushed)
when it reaches :func:`checkpoint` ``(name)``, then sleeps ``EVALKIT_PAUSE_SECONDS``
(default 120) seconds. Without the variable a checkpoint does nothing.
"""

from __future__ import annotations

import os
import time


def checkpoint(name: str) -> None:
    """Pause at step *name* when ``EVALKIT_PAUSE_AT`` names it (crash-safety tests kill the run here)."""
    if os.environ.get("EVALKIT_PAUSE_AT") == name:
        print(f"EVALKIT_PAUSED {name}", flush=True)
        time.sleep(float(os.environ.get("EVALKIT_PAUSE_SECONDS", "120")))
