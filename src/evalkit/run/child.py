"""Steps run in a fresh child process, so the memory they take leaves with it.

A Python process keeps most of what it frees, and so does the Typst compiler inside
it. Curation (1.8 GB at its peak for 2.2 million monthly fund rows) and the editions
(about 1 GB at the peak of the Typst compile of a province-scale report, still held
afterwards while the site rendered) each run in a child: a spawned interpreter, killed
with the run (:func:`evalkit.run.execute.die_with_parent`), that returns plain values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .parameters import PipelineError


def call_in_child(fn: Callable, *args, step: tuple[str, str]):
    """Return ``fn(*args)`` computed in a spawned child process.

    *fn* must be importable by name (a module-level function) and *args* and its
    result picklable. The child is killed with the run's process
    (:func:`evalkit.run.execute.die_with_parent`, its initializer). Its exceptions come back as they were raised. *step* names the
    step in Chinese and English for the error below.

    Raises:
        PipelineError: the child died without an answer (killed, or out of memory).
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .execute import die_with_parent

    with ProcessPoolExecutor(
        max_workers=1, mp_context=mp.get_context("spawn"), initializer=die_with_parent
    ) as pool:
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool as exc:
            zh, en = step
            raise PipelineError(
                f"{zh}的进程意外退出（可能内存不足或被终止），请重新运行 / "
                f"the {en} process died (out of memory or killed?); run again: {exc}"
            ) from exc


def _build_editions(report_dir: str, data: str | None, key: str) -> dict:
    """Build the editions (in the child): :func:`evalkit.editions.build`'s entry."""
    from .. import editions

    return editions.build(Path(report_dir), Path(data) if data else None, key=key)


def build_editions_in_child(report_dir: Path, data: Path | None = None, *, key: str) -> dict:
    """Build both editions of *report_dir* in a child process; return the manifest entry.

    Same arguments, result and :class:`evalkit.editions.EditionError` as
    :func:`evalkit.editions.build`; :class:`PipelineError` when the child dies.
    """
    return call_in_child(
        _build_editions,
        str(report_dir),
        str(data) if data is not None else None,
        key,
        step=("生成正式文本", "editions"),
    )
