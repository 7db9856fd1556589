"""The same numerical code on every x86-64 machine: pinned BLAS kernels and numpy SIMD paths.

OpenBLAS picks its kernels by the CPU it runs on (or by ``OPENBLAS_CORETYPE`` when the
environment sets it), and numpy picks its SIMD loops by the CPU, so one report computed
on two machines can differ in the last bits of its numbers. Seen here: the committed
reports had been computed with OpenBLAS's ``SkylakeX`` kernels (its own choice on an
AVX-512 CPU). On a later machine whose environment set ``OPENBLAS_CORETYPE=Haswell``, a
forced 2026 report changed 20 files (cluster-robust standard errors in the 15th-16th
significant digit, the ETS back-test forecasts by 2e-7 of their value, as the optimizer
follows other roundings) and ``make test``'s backtest failed; with
``OPENBLAS_CORETYPE=SkylakeX`` the same report matched the committed files byte for byte. With OpenBLAS fixed, numpy's
AVX-512 loops against its AVX2 ones changed 12 files (the investment projections among
them).

So on Linux on an x86-64 CPU with AVX2 and FMA, every process of a run (and of the
tests) computes with:

- ``OPENBLAS_CORETYPE=Haswell``: OpenBLAS's AVX2 + FMA kernels, which every x86-64-v3
  CPU runs (Intel since Haswell, AMD since Zen); numpy's and scipy's OpenBLAS read it.
- ``NPY_DISABLE_CPU_FEATURES``: numpy's dispatch targets above x86-64-v3 (AVX-512)
  switched off, so numpy runs its AVX2 loops on every such CPU.

These replace what the environment says, since a machine's own setting (as above) is
what made the numbers differ; ``EVALKIT_NUMERICS=native`` leaves the environment and the
libraries' own choice alone. Both are read when the library loads, so they must be set
before numpy is imported: :func:`pin` is called where a run starts
(``evalkit.cli.main``), and the kernels, workers and curation child inherit them.
Elsewhere (an ARM machine, another system, a CPU without AVX2 and FMA) nothing is
pinned, and numbers can differ in their last digits. Sources: OpenBLAS's README
(``OPENBLAS_CORETYPE``, for ``DYNAMIC_ARCH`` builds such as numpy's wheels); numpy's
"CPU/SIMD optimizations" documentation (``NPY_DISABLE_CPU_FEATURES``).
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping, MutableMapping

#: OpenBLAS kernels every x86-64-v3 CPU (AVX2, FMA) runs.
OPENBLAS_CORETYPE = "Haswell"
#: numpy's dispatch targets above x86-64-v3, by numpy release (their names changed in
#: numpy 2.4). A release not listed gets no numpy pin (unknown names would make numpy
#: warn at every import); ``tests/unit/core/test_core_numerics.py`` fails for it.
NUMPY_ABOVE_V3 = {(2, 4): "X86_V4 AVX512_ICL AVX512_SPR"}
#: Environment variable that switches pinning: ``pinned`` (the default) or ``native``.
SWITCH = "EVALKIT_NUMERICS"
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
    """Return the installed numpy's ``(major, minor)`` (None when it is not installed).

    Read with :mod:`importlib.metadata`, remembered while nothing is installed
    (:mod:`evalkit.core.installed`).
    """
    from . import installed

    text = installed.distribution_version("numpy")
    try:
        major, minor = str(text).split(".")[:2]
        return int(major), int(minor)
    except ValueError:  # not installed (None), or not a release number
        return None


def pinned_env(
    environ: Mapping[str, str] | None = None,
    *,
    machine: str | None = None,
    flags: frozenset[str] | None = None,
    numpy: tuple[int, int] | None = None,
) -> dict[str, str]:
    """Return the variables :func:`pin` would change in *environ*: ``{name: value}``.

    *environ* (default ``os.environ``): variables it already sets to the pinned value
    are left out; other values of them are replaced. Empty when *environ* sets
    ``EVALKIT_NUMERICS=native``, off Linux x86-64 (no ``/proc/cpuinfo`` flags) or
    without AVX2 and FMA; no numpy pin for a numpy release :data:`NUMPY_ABOVE_V3` lacks.
    The other arguments default to this machine (``platform.machine()``,
    :func:`cpu_flags`, :func:`numpy_release`; *numpy* is a release as ``(major, minor)``).
    Raises ValueError when ``EVALKIT_NUMERICS`` is neither ``pinned`` nor ``native``.
    """
    environ = os.environ if environ is None else environ
    switch = environ.get(SWITCH, "pinned")
    if switch not in ("pinned", "native"):
        raise ValueError(
            f"{SWITCH}={switch!r}: 应为 pinned 或 native / must be 'pinned' (the default) or 'native'"
        )
    machine = platform.machine() if machine is None else machine
    if switch == "native" or machine != "x86_64":
        return {}
    if not NEEDED_FLAGS <= (cpu_flags() if flags is None else flags):
        return {}
    wanted = {"OPENBLAS_CORETYPE": OPENBLAS_CORETYPE}
    above_v3 = NUMPY_ABOVE_V3.get(numpy_release() if numpy is None else numpy)
    if above_v3:
        wanted["NPY_DISABLE_CPU_FEATURES"] = above_v3
    return {k: v for k, v in wanted.items() if environ.get(k) != v}


def pin(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set :func:`pinned_env` in *environ* (default ``os.environ``); return what changed.

    Takes effect in processes started afterwards and in this one only if numpy has not
    been imported yet. Raises ValueError for an invalid ``EVALKIT_NUMERICS``.
    """
    environ = os.environ if environ is None else environ
    pins = pinned_env(environ)
    environ.update(pins)
    return pins
