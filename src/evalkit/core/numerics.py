"""The same numerical code on every x86-64 machine: pinned BLAS kernels and numpy SIMD paths.

OpenBLAS picks its kernels by the CPU it runs on, and numpy picks its SIMD loops the same
way, so one report computed on two machines can differ in the last bits of a number.
Seen here: the committed reports were computed where OpenBLAS chose its ``SkylakeX``
kernels (an AVX-512 CPU); on an AMD EPYC with AVX-512 it chose ``Haswell``, and 20
files of a forced 2026 report changed (cluster-robust standard errors in the 17th
digit, the ETS back-test forecasts by 2e-7 of their value, as the optimizer follows
other roundings). Run there with ``OPENBLAS_CORETYPE=SkylakeX`` the report was
byte-identical to the committed one. With OpenBLAS pinned, numpy's AVX-512 loops against
its AVX2 ones changed 12 files (the investment projections among them).

So every process of a run (and of the tests) gets, unless the caller set them:

- ``OPENBLAS_CORETYPE=Haswell``: OpenBLAS's AVX2 + FMA kernels, which every x86-64-v3
  CPU runs (Intel since Haswell, AMD since Zen); numpy's and scipy's OpenBLAS read it.
- ``NPY_DISABLE_CPU_FEATURES``: numpy's dispatch targets above x86-64-v3 (AVX-512)
  switched off, so numpy runs its AVX2 loops on every such CPU.

Both are read when the library loads, so they must be in the environment before numpy
is imported: :func:`pin` is called where a run starts (``evalkit.cli.main``), and the
kernels, workers and curation child inherit it. On a CPU without AVX2 and FMA, or not
x86-64 (an ARM machine), nothing is pinned: results there can differ in the last
digits, as they would anyway. Sources: OpenBLAS's README (``OPENBLAS_CORETYPE``, with
``DYNAMIC_ARCH`` builds such as numpy's wheels); numpy's "CPU build options" /
"Runtime dispatch" documentation (``NPY_DISABLE_CPU_FEATURES``).
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping, MutableMapping
from importlib import metadata

#: OpenBLAS kernels every x86-64-v3 CPU (AVX2, FMA) runs.
OPENBLAS_CORETYPE = "Haswell"
#: numpy's dispatch targets above x86-64-v3, by numpy release (their names changed in
#: numpy 2.4). A release not listed gets no numpy pin (unknown names would make numpy
#: warn at every import); ``tests/unit/core/test_core_numerics.py`` fails for it.
NUMPY_ABOVE_V3 = {(2, 4): "X86_V4 AVX512_ICL AVX512_SPR"}
#: CPU flags (``/proc/cpuinfo``) the pinned kernels need.
NEEDED_FLAGS = frozenset({"avx2", "fma"})


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """Return the CPU's feature flags (the first ``flags`` line of *cpuinfo*; empty if none)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def numpy_release() -> tuple[int, int] | None:
    """Return the installed numpy's ``(major, minor)`` (None when it is not installed)."""
    try:
        major, minor = metadata.version("numpy").split(".")[:2]
        return int(major), int(minor)
    except (metadata.PackageNotFoundError, ValueError):
        return None


def pinned_env(
    environ: Mapping[str, str] | None = None,
    *,
    machine: str | None = None,
    flags: frozenset[str] | None = None,
    numpy: tuple[int, int] | None = None,
) -> dict[str, str]:
    """Return the variables :func:`pin` would set: ``{name: value}``, possibly empty.

    *environ* (default ``os.environ``): a variable it sets already is left to it. The
    other arguments default to this machine (``platform.machine()``, :func:`cpu_flags`,
    :func:`numpy_release`; *numpy* is that release as ``(major, minor)``). Empty off x86-64
    or without AVX2 and FMA; no numpy pin for a release :data:`NUMPY_ABOVE_V3` lacks.
    """
    environ = os.environ if environ is None else environ
    machine = platform.machine() if machine is None else machine
    if machine.lower() not in {"x86_64", "amd64"}:
        return {}
    if not NEEDED_FLAGS <= (cpu_flags() if flags is None else flags):
        return {}
    wanted = {"OPENBLAS_CORETYPE": OPENBLAS_CORETYPE}
    above_v3 = NUMPY_ABOVE_V3.get(numpy_release() if numpy is None else numpy)
    if above_v3:
        wanted["NPY_DISABLE_CPU_FEATURES"] = above_v3
    return {k: v for k, v in wanted.items() if k not in environ}


def pin(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set :func:`pinned_env` in *environ* (default ``os.environ``); return what was set.

    Takes effect in processes started afterwards and in this one only if numpy has not
    been imported yet.
    """
    environ = os.environ if environ is None else environ
    pins = pinned_env(environ)
    environ.update(pins)
    return pins
