"""Pinned BLAS kernels and numpy SIMD paths: what is set where, and that the libraries obey."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from evalkit import cli
from evalkit.core import numerics

V3 = frozenset({"sse4_2", "avx", "avx2", "fma"})
PINS = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")


def test_x86_64_with_avx2_and_fma_gets_both_pins():
    got = numerics.pinned_env({}, machine="x86_64", flags=V3, numpy=(2, 4))
    assert got == {
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    }


@pytest.mark.parametrize(
    ("machine", "flags"),
    [
        ("aarch64", V3),  # an ARM machine: no x86 kernels to pin
        ("AMD64", V3),  # Windows' name: no /proc/cpuinfo there, so never pinned
        ("x86_64", frozenset({"sse4_2", "avx"})),  # no AVX2: Haswell kernels would fault
        ("x86_64", frozenset({"avx2"})),  # no FMA
        ("x86_64", frozenset()),  # flags unreadable
    ],
)
def test_nothing_is_pinned_where_the_kernels_could_not_run(machine, flags):
    assert numerics.pinned_env({}, machine=machine, flags=flags, numpy=(2, 4)) == {}


def test_the_environments_own_setting_is_replaced():
    # A machine that sets OPENBLAS_CORETYPE itself is how the reports came to differ.
    environ = {"OPENBLAS_CORETYPE": "SkylakeX", "NPY_DISABLE_CPU_FEATURES": "X86_V4"}
    got = numerics.pinned_env(environ, machine="x86_64", flags=V3, numpy=(2, 4))
    assert got == {
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    }
    environ.update(got)
    assert numerics.pinned_env(environ, machine="x86_64", flags=V3, numpy=(2, 4)) == {}


def test_native_leaves_the_environment_alone_and_a_wrong_switch_is_refused():
    environ = {"EVALKIT_NUMERICS": "native", "OPENBLAS_CORETYPE": "SkylakeX"}
    assert numerics.pin(environ) == {}
    assert environ == {"EVALKIT_NUMERICS": "native", "OPENBLAS_CORETYPE": "SkylakeX"}
    with pytest.raises(ValueError, match="EVALKIT_NUMERICS='nativ'"):
        numerics.pinned_env({"EVALKIT_NUMERICS": "nativ"}, machine="x86_64", flags=V3)


def test_a_numpy_release_with_other_target_names_gets_no_numpy_pin():
    got = numerics.pinned_env({}, machine="x86_64", flags=V3, numpy=(2, 3))
    assert got == {"OPENBLAS_CORETYPE": "Haswell"}


def test_cpu_flags_come_from_the_first_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nflags\t\t: fpu sse4_2 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n",
        encoding="ascii",
    )
    assert numerics.cpu_flags(str(info)) == frozenset({"fpu", "sse4_2", "avx2", "fma"})
    assert numerics.cpu_flags(str(tmp_path / "missing")) == frozenset()


applies = pytest.mark.skipif(
    not numerics.pinned_env({}),
    reason="nothing is pinned on this machine (not Linux x86-64 with AVX2 and FMA)",
)


@applies
def test_the_command_line_pins_before_any_command_runs(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "SkylakeX")
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert os.environ["OPENBLAS_CORETYPE"] == "Haswell"
    assert numerics.pinned_env() == {}  # nothing left to set


def test_the_command_line_refuses_a_wrong_switch(monkeypatch, capsys):
    monkeypatch.setenv("EVALKIT_NUMERICS", "fast")
    assert cli.main(["--help"]) == 2
    assert "EVALKIT_NUMERICS='fast'" in capsys.readouterr().err


# What the libraries do with the pins, in a new process (they read them as they load).
PROBE = r"""
import ctypes, glob, json, os, warnings
warnings.simplefilter("error")  # numpy reports unknown target names as an ImportWarning
import numpy, scipy.linalg
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

def corename(package, symbol):
    folder = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), package + ".libs")
    (lib,) = glob.glob(os.path.join(folder, "libscipy_openblas*.so"))
    fn = getattr(ctypes.CDLL(lib), symbol)
    fn.restype = ctypes.c_char_p
    return fn().decode()

print(json.dumps({
    "dispatch": list(__cpu_dispatch__),
    "on": [name for name in __cpu_dispatch__ if __cpu_features__.get(name)],
    "numpy_blas": corename("numpy", "scipy_openblas_get_corename64_"),
    "scipy_blas": corename("scipy", "scipy_openblas_get_corename"),
}))
"""


@applies
def test_numpy_and_scipy_run_the_pinned_paths():
    pins = numerics.pinned_env({})
    assert "NPY_DISABLE_CPU_FEATURES" in pins, f"numpy {numerics.numpy_release()} has no pin"
    env = {k: v for k, v in os.environ.items() if k not in PINS} | pins
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    seen = json.loads(proc.stdout)
    assert seen["numpy_blas"] == seen["scipy_blas"] == "Haswell"
    disabled = pins["NPY_DISABLE_CPU_FEATURES"].split()
    assert set(disabled) <= set(seen["dispatch"])  # names the installed numpy knows
    assert not set(disabled) & set(seen["on"])
    assert "X86_V3" in seen["on"]


@applies
def test_the_installed_numpy_has_its_target_names_listed():
    # A numpy upgrade that renames its targets fails here rather than leaving its
    # AVX-512 loops on unnoticed.
    assert numerics.numpy_release() in numerics.NUMPY_ABOVE_V3
