"""Fork-started notebook kernels: a fresh kernel per notebook without paying its imports again.

A plain kernel start is a new interpreter that imports IPython, ipykernel, zmq and then,
in the notebook's first cells, pandas, numpy, pyarrow and matplotlib (about 2 s of CPU
per notebook, paid again by each of the report's notebooks). Here each papermill worker
keeps one *zygote*: a Python process started once, with the worker's environment and
working folder, that imports only those third-party modules (never ``evalkit``, never
a notebook's code; only those the run's notebooks import, :func:`.preload.preload_for`)
and then waits. Every notebook kernel is a ``fork()`` of it that
runs ``python -m ipykernel_launcher …`` exactly as the normal launch would, so:

- each notebook still gets its own fresh kernel process, with its own environment
  (``EVALKIT_PAGE`` …), working folder, session and process group; nothing of one
  notebook's kernel survives into another's (they are siblings, not successors);
- what a kernel inherits is the zygote's interpreter with those modules imported,
  as if the notebook's first cell had imported them: no ``evalkit`` module, no user
  namespace, no notebook state; the random generators (Python's and numpy's
  global one) are re-seeded from the OS in every kernel, as in a new interpreter;
- the kernel dies with the zygote (``PR_SET_PDEATHSIG``), the zygote with its worker,
  the worker with the run: a killed run leaves no kernel behind;
- interrupt, kill and timeouts work as for a normal kernel: signals go to the
  kernel's process group (see :class:`ForkedKernel`).

A kernel is forked only when the launch it replaces would have started the same
interpreter (``sys.executable -m ipykernel_launcher``) with the same environment as
the zygote's, apart from the per-notebook variables (:data:`PER_KERNEL_ENV`), in the
same folder; any other launch, or a zygote that failed, falls back to the normal
launch (:class:`jupyter_client.provisioning.LocalProvisioner`). Linux only (``fork``,
``prctl``); elsewhere every kernel is launched normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from .preload import PRELOAD

#: Environment variables that may differ between the zygote and a kernel forked from it:
#: none of them is read by the interpreter at start-up nor by the pre-imported modules.
PER_KERNEL_ENV = frozenset({"EVALKIT_PAGE", "JPY_PARENT_PID", "JPY_SESSION_NAME"})
#: Seconds the zygote may take to import :data:`PRELOAD` before kernels launch normally.
START_TIMEOUT = 120

# The zygote's program, run with ``python -c`` (so that no evalkit module is imported).
# argv: the worker's pid, the reply pipe's fd, the modules to import. Requests (JSON
# lines) come on stdin; stdout and stderr are the worker's, and so the kernels'.
_ZYGOTE = r"""
import ctypes, json, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the worker
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
reply_fd = int(sys.argv[2])
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # as ipykernel sets it
import importlib
for name in json.loads(sys.argv[3]):
    importlib.import_module(name)
del os.environ["MPLBACKEND"]
def reap(*_):
    # Wait for exited kernels (not SIG_IGN: waiting adds their CPU time to the zygote's
    # children's, and so to the run's, as for kernels launched normally).
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
signal.signal(signal.SIGCHLD, reap)
os.write(reply_fd, b"ready\n")
zygote_pid = os.getpid()
while True:
    line = sys.stdin.readline()
    if not line:  # the worker is done: reap the last kernels, then exit
        reap()
        os._exit(0)
    req = json.loads(line)
    pid = os.fork()
    if pid:
        os.write(reply_fd, (json.dumps({"pid": pid}) + "\n").encode())
        continue
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        libc.prctl(1, signal.SIGKILL)  # die with the zygote
        if os.getppid() != zygote_pid:
            os._exit(1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(3, 1 << 16)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        os.environ["JPY_PARENT_PID"] = str(zygote_pid)
        import random, runpy
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *req["args"]]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush(); sys.stderr.flush()
    finally:
        os._exit(code)
"""


class Zygote:
    """One pre-imported Python process that forks notebook kernels (one per worker)."""

    def __init__(self, env: dict[str, str], cwd: str, preload=PRELOAD):
        self.env = {k: v for k, v in env.items() if k not in PER_KERNEL_ENV}
        self.cwd = str(cwd)
        self.preload = tuple(preload)
        reply_r, reply_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _ZYGOTE,
                    str(os.getpid()),
                    str(reply_w),
                    json.dumps(list(preload)),
                ],
                stdin=subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                pass_fds=(reply_w,),
                text=True,
            )
        finally:
            os.close(reply_w)
        self.replies = os.fdopen(reply_r, "r")
        ready, _, _ = select.select([self.replies], [], [], START_TIMEOUT)
        self.ok = bool(ready) and self.replies.readline().strip() == "ready"
        if not self.ok:  # failed or stuck importing: launch kernels normally
            self.close()

    def accepts(self, cmd: list[str], env: dict[str, str], cwd: str) -> bool:
        """Return True when forking would start the kernel *cmd* would start."""
        same_env = {k: v for k, v in env.items() if k not in PER_KERNEL_ENV} == self.env
        return (
            self.ok
            and self.proc.poll() is None
            and list(cmd[:3]) == [sys.executable, "-m", "ipykernel_launcher"]
            and same_env
            and os.path.realpath(cwd) == os.path.realpath(self.cwd)
        )

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork one kernel running ``ipykernel_launcher`` with *cmd*'s arguments; return its pid."""
        request = {"args": list(cmd[3:]), "env": dict(env), "cwd": str(cwd)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = self.replies.readline()
        if not reply:
            self.ok = False
            raise OSError("the kernel zygote exited")
        return int(json.loads(reply)["pid"])

    def close(self) -> None:
        """Stop the zygote and wait for it (its kernels die with it).

        Waiting matters beyond tidiness: the kernels' CPU time reaches the run's
        accounting (``RUSAGE_CHILDREN``) only through a waited-for zygote.
        """
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # end of requests: the zygote exits
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.replies.close()


class ForkedKernel:
    """The ``subprocess.Popen`` subset jupyter_client uses, for a kernel forked by the zygote.

    The kernel is the zygote's child, not ours: it is reaped by the zygote, so its
    exit status is unknown here (``returncode`` is ``-signal`` when we killed it, else 0).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._signal = 0

    def poll(self) -> int | None:
        """Return None while the kernel runs, else its (assumed) return code."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -self._signal if self._signal else 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait until the kernel has exited (polling; callers bound it with their timeouts)."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["kernel", str(self.pid)], timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send *signum* to the kernel; nothing once it has exited (as ``Popen`` does)."""
        if self.poll() is not None:
            return
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self._signal = int(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the kernel."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM the kernel."""
        self.send_signal(signal.SIGTERM)


#: The zygote of this (worker) process, set by :func:`use_zygote`.
_zygote: Zygote | None = None
#: How this process's kernels were started: ``{"forked": n, "launched": n}``.
launches = {"forked": 0, "launched": 0}


def close_zygote() -> None:
    """Stop this process's zygote, if any (workers call it on exit)."""
    global _zygote
    if _zygote is not None:
        _zygote.close()
        _zygote = None


def use_zygote(env: dict[str, str], cwd: str, preload=PRELOAD) -> Zygote | None:
    """Return this process's zygote for *env*, *cwd* and *preload*, starting (or replacing) it.

    Returns None where kernels cannot be forked (not Linux) or the zygote failed to start.
    """
    global _zygote
    if not sys.platform.startswith("linux"):
        return None
    wanted = {k: v for k, v in env.items() if k not in PER_KERNEL_ENV}
    if _zygote is not None and (
        _zygote.env != wanted
        or _zygote.cwd != str(cwd)
        or _zygote.preload != tuple(preload)
        or not _zygote.ok
    ):
        _zygote.close()
        _zygote = None
    if _zygote is None:
        try:
            _zygote = Zygote(env, cwd, preload)
        except OSError:
            return None
    return _zygote if _zygote.ok else None


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner that forks the kernel from the process's zygote when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Fork the kernel from the zygote, or launch it normally when the zygote cannot."""
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        zygote = _zygote
        pid = None
        if zygote is not None and zygote.accepts(cmd, env, cwd):
            loop = asyncio.get_running_loop()
            with contextlib.suppress(OSError):  # the zygote died: launch normally
                pid = await loop.run_in_executor(None, zygote.fork, cmd, env, cwd)
        if pid is None:
            launches["launched"] += 1
            return await super().launch_kernel(cmd, **kwargs)
        launches["forked"] += 1
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own session and process group
        self.cwd = cwd
        return self.connection_info


class ForkProvisioned:
    """Mixin for a jupyter_client kernel manager: its kernels come from :attr:`provisioner_class`.

    Put it first (``class M(ForkProvisioned, KernelManager)``). It serves the synchronous
    manager too, whose ``start_kernel`` runs the same coroutine (the test suite's nbval
    step uses it so).
    """

    provisioner_class: type[LocalProvisioner] = ForkProvisioner

    async def _async_pre_start_kernel(self, **kw: Any):
        """Use :attr:`provisioner_class` (instead of the kernel spec's) for this kernel."""
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = self.provisioner_class(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)


class ForkKernelManager(ForkProvisioned, AsyncKernelManager):
    """AsyncKernelManager whose kernels come from :class:`ForkProvisioner`."""


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())
