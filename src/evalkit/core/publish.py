"""Crash-safe replacement of whole folders (reports of a year, the website).

A folder is built beside its destination, then swapped in with one rename so a
reader (or a crash) sees either the old folder or the new one, never a mix:

- on Linux, ``renameat2(RENAME_EXCHANGE)`` swaps the two folders atomically;
- elsewhere, a rename dance (``dest`` → ``.old``, ``new`` → ``dest``) whose only
  crash window (no ``dest`` for a moment) is repaired by :func:`recover` at the
  start of the next run.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange folders *a* and *b* (Linux ``renameat2``); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system or kernel cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(a))


def _old_name(dest: Path) -> Path:
    """Return the sibling name a replaced folder is parked under before deletion."""
    return dest.with_name(f".{dest.name}.old-{os.getpid()}")


def recover(dest: Path) -> None:
    """Repair an interrupted swap of *dest* and delete leftovers of earlier swaps.

    If *dest* is missing but a parked ``.old`` copy exists (a crash between the two
    renames of the fallback dance), the old copy is put back.
    """
    dest = Path(dest)
    parked = sorted(dest.parent.glob(f".{dest.name}.old-*")) if dest.parent.exists() else []
    if not dest.exists() and parked:
        os.rename(parked[-1], dest)
        parked = parked[:-1]
    for p in parked:
        shutil.rmtree(p, ignore_errors=True)
    for p in dest.parent.glob(f".{dest.name}.new-*") if dest.parent.exists() else []:
        shutil.rmtree(p, ignore_errors=True)


def swap_dir(new: Path, dest: Path) -> None:
    """Replace folder *dest* by folder *new* atomically; *new* is consumed.

    If *new* lies on another file system it is first copied beside *dest* (the copy
    may be interrupted safely: it is not yet visible under *dest*).
    """
    new, dest = Path(new), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if new.stat().st_dev != dest.parent.stat().st_dev:
        beside = dest.with_name(f".{dest.name}.new-{os.getpid()}")
        shutil.rmtree(beside, ignore_errors=True)
        shutil.copytree(new, beside, symlinks=True)
        shutil.rmtree(new, ignore_errors=True)
        new = beside
    if not dest.exists():
        os.rename(new, dest)
        return
    if _exchange(new, dest):
        shutil.rmtree(new, ignore_errors=True)  # *new* now holds the previous contents
        return
    old = _old_name(dest)
    shutil.rmtree(old, ignore_errors=True)
    os.rename(dest, old)
    os.rename(new, dest)
    shutil.rmtree(old, ignore_errors=True)
