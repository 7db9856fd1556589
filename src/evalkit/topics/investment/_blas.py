"""Run small numerical fits with OpenBLAS limited to one thread (speed only, same numbers).

The ETS backtest fits thousands of tiny models: L-BFGS-B (scipy) calls BLAS/LAPACK
on matrices of a dozen rows. OpenBLAS's worker threads only add wake-up and
spin-wait cost there; on a loaded two-core machine a fit took 2.5× the CPU time
with them. The operations of such small matrices run on one thread either way, so
the results are the same (``tests/unit/topics/investment/test_investment_blas.py``
checks it on fits). Libraries are found among those already loaded (numpy's and
scipy's OpenBLAS builds); none found → nothing changes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

#: (get, set) symbol names of the OpenBLAS builds shipped with numpy / scipy wheels.
_SYMBOLS = (
    ("openblas_get_num_threads", "openblas_set_num_threads"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
)


def _loaded_openblas_paths() -> list[str]:
    """Return the paths of the OpenBLAS shared libraries mapped into this process."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:  # not Linux: no control, fits run as before
        return []
    return sorted(p for p in paths if p.startswith("/"))


@cache
def _controls() -> tuple[tuple, ...]:
    """Return ``(get, set)`` ctypes functions of each loaded OpenBLAS (looked up once)."""
    import numpy  # noqa: F401  (numpy's OpenBLAS)
    import scipy.optimize  # noqa: F401  (scipy's OpenBLAS, used by L-BFGS-B)

    out = []
    for path in _loaded_openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            get, put = getattr(lib, get_name, None), getattr(lib, set_name, None)
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                out.append((get, put))
                break
    return tuple(out)


def blas_thread_counts() -> list[int]:
    """Return the current thread count of every loaded OpenBLAS (empty if none is found)."""
    return [get() for get, _ in _controls()]


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit every loaded OpenBLAS to one thread inside the block; restore the counts after."""
    controls = _controls()
    before = [get() for get, _ in controls]
    for _, put in controls:
        put(1)
    try:
        yield
    finally:
        for (_, put), n in zip(controls, before, strict=True):
            put(n)
