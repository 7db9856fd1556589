"""The run lock (``build/.evalkit.lock``): one report, render or curation at a time.

Curated tables must not change under a running report (its notebooks would read a
mix of old and new), and two reports must not publish at once. A second run waits
``EVALKIT_LOCK_TIMEOUT`` seconds (default :data:`LOCK_WAIT_SECONDS`), saying once
whom it waits for, then refuses naming the pid that holds the lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from . import paths

#: Seconds a second run waits for the lock before refusing (override: EVALKIT_LOCK_TIMEOUT).
LOCK_WAIT_SECONDS = 10.0


class RunLockBusy(RuntimeError):
    """Another evalkit run holds the run lock (message in Chinese and English)."""


def lock_path() -> Path:
    """Return the path of the run lock file (``build/.evalkit.lock``)."""
    return paths.build_dir() / ".evalkit.lock"


@contextlib.contextmanager
def run_lock(timeout: float | None = None, out=print, error: type[Exception] = RunLockBusy):
    """Hold the run lock; wait up to *timeout* seconds, then raise *error* naming the holder's pid.

    While waiting it says so once through *out*. Yields the lock file's path.
    """
    from filelock import FileLock, Timeout

    if timeout is None:
        timeout = float(os.environ.get("EVALKIT_LOCK_TIMEOUT", LOCK_WAIT_SECONDS))
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    owner = path.with_name(path.name + ".owner")
    lock = FileLock(str(path), timeout=timeout)

    def holder() -> str:
        try:
            return owner.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            out(
                f"· 等待运行锁（进程 {holder()}）/ waiting for the run lock held by pid {holder()} "
                f"(up to {timeout:g} s)"
            )
            lock.acquire()
    except Timeout:
        raise error(
            f"另一个 evalkit 运行（进程 {holder()}）正持有运行锁 {path}，请等待其结束后重试 / "
            f"another evalkit run (pid {holder()}) holds the run lock {path}; "
            f"wait for it to finish and try again"
        ) from None
    try:
        owner.write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield path
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()
