"""Data intake: read zone submissions, validate them, and curate them atomically.

Entry point for the pipeline: :func:`run` (``evalkit.intake.run(dataset_dir, data_dir)``
→ :class:`IntakeResult`). See :mod:`evalkit.intake.curate` for how errors are handled.
"""

from __future__ import annotations

from .curate import IntakeResult, read_intake, run

__all__ = ["IntakeResult", "read_intake", "run"]
