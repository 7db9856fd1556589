"""Run code in a new interpreter: what it imports on its own, not what this test process has.

``text_made_alone(setup, value)`` runs *setup*, then evaluates *value* (an expression
giving text) and returns the text's SHA-256 and which of :data:`HEAVY` got imported.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

#: Modules the run's main process must not need (about 0.4 s of CPU together).
HEAVY = ("pandas", "numpy")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def text_made_alone(setup: str, value: str) -> tuple[str, list[str]]:
    """Return (SHA-256 of *value*'s text, the :data:`HEAVY` modules loaded) from a new process."""
    code = (
        f"{setup}\nimport hashlib, sys\n_text = {value}\n"
        "print(hashlib.sha256(_text.encode()).hexdigest())\n"
        f"print(*[m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    digest, _, loaded = proc.stdout.partition("\n")
    return digest.strip(), loaded.split()
