"""Fork-started notebook kernels: a fresh kernel per notebook without paying its imports again.

A plain kernel start is a new interpreter that imports IPython, ipykernel, zmq and then,
in the notebook's first cells, pandas, numpy, pyarrow and matplotlib (about 2 s of CPU
per notebook, paid again by each of the report's notebooks). Here a run keeps one
*zygote*: a Python process started once by the run's main process, with its workers'
environment and working folder, that imports only those third-party modules (never
``evalkit``, never a notebook's code; only those the run's notebooks import,
:func:`.preload.preload_for`) and then waits, while the papermill workers start. Every
notebook kernel is a ``fork()`` of it, asked for by a worker over the zygote's Unix
socket, that runs ``python -m ipykernel_launcher …`` exactly as the normal launch
would, so:

- each notebook still gets its own fresh kernel process, with its own environment
  (``EVALKIT_PAGE`` …), working folder, session and process group; nothing of one
  notebook's kernel survives into another's (they are siblings, not successors);
- what a kernel inherits is the zygote's interpreter with those modules imported,
  as if the notebook's first cell had imported them: no ``evalkit`` module, no user
  namespace, no notebook state; the random generators (Python's and numpy's
  global one) are re-seeded from the OS in every kernel, as in a new interpreter;
- the kernel dies with the zygote (``PR_SET_PDEATHSIG``), the zygote with the run's
  main process, as the workers do: a killed run leaves no kernel behind;
- interrupt, kill and timeouts work as for a normal kernel: signals go to the
  kernel's process group (see :class:`ForkedKernel`).

A kernel is forked only when the launch it replaces would have started the same
interpreter (``sys.executable -m ipykernel_launcher``) with the same environment as
the zygote's, apart from the per-notebook variables (:data:`.zygote.PER_KERNEL_ENV`), in the
same folder; any other launch, or a zygote that failed, falls back to the normal
launch (:class:`jupyter_client.provisioning.LocalProvisioner`). Linux only (``fork``,
``prctl``); elsewhere every kernel is launched normally. A process may also keep a
zygote of its own (:func:`use_zygote`: the test suite's nbval step, a worker given no
shared zygote).

One zygote per run, not one per worker: each zygote pays the imports (about 0.6 s of
CPU for the pages of a test run, 1.7 s for a full report's), and it imports while the
workers start instead of after.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from . import zygote as zyg
from .preload import PRELOAD
from .zygote import Zygote, ZygoteClient, start_shared

__all__ = [
    "ForkKernelManager",
    "ForkProvisioned",
    "ForkProvisioner",
    "ForkedKernel",
    "Zygote",
    "ZygoteClient",
    "close_zygote",
    "launches",
    "start_shared",
    "use_shared",
    "use_zygote",
]


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


#: The zygote this process forks its kernels from: its own (:func:`use_zygote`) or the
#: run's (:func:`use_shared`).
_zygote: ZygoteClient | None = None
#: How this process's kernels were started: ``{"forked": n, "launched": n}``.
launches = {"forked": 0, "launched": 0}


def close_zygote() -> None:
    """Stop this process's zygote, or stop using the run's; nothing when there is none."""
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
    wanted = {k: v for k, v in env.items() if k not in zyg.PER_KERNEL_ENV}
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


def use_shared(handle: dict) -> ZygoteClient:
    """Fork this process's kernels from the run's zygote described by *handle*.

    *handle* is :meth:`ZygoteClient.handle` of the zygote :func:`start_shared` started;
    the same handle again keeps the client (and what it learnt: a zygote that failed).
    """
    global _zygote
    client = ZygoteClient(**handle)
    if _zygote is None or _zygote.handle() != client.handle():
        close_zygote()
        _zygote = client
    return _zygote


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


#: Longest socket path used (bytes): a Unix socket's path must fit in 108 bytes with its end.
MAX_SOCKET_PATH = 100


class ForkProvisioned:
    """Mixin for a jupyter_client kernel manager: its kernels come from :attr:`provisioner_class`.

    Put it first (``class M(ForkProvisioned, KernelManager)``). It serves the synchronous
    manager too, whose ``start_kernel`` runs the same coroutine (the test suite's nbval
    step uses it so).

    Each kernel talks over Unix sockets (ZeroMQ's ``ipc`` transport) in a folder of its
    own (mode 0700, removed when the kernel is shut down, and with the zygote's folder
    it is made in), not over TCP ports of 127.0.0.1. jupyter_client chooses TCP ports by
    binding free ones and releasing them; the kernel binds them a moment later, and a
    port taken meanwhile (by another worker's kernel or connection) kills the kernel at
    start ("ZMQError: Address already in use", reported to papermill as issue 511; seen
    here once, in a kernel's heartbeat thread, in about 100 runs of eight small
    notebooks on two workers). A socket path is the kernel's own.
    Where the folder's path would be too long for a socket (a very long ``TMPDIR``), or
    there are no Unix sockets (Windows), the kernel keeps TCP.
    """

    provisioner_class: type[LocalProvisioner] = ForkProvisioner
    #: The folder holding this manager's kernel sockets (None: TCP).
    socket_folder: str | None = None

    async def _async_pre_start_kernel(self, **kw: Any):
        """Use :attr:`provisioner_class` (instead of the kernel spec's) for this kernel."""
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = self.provisioner_class(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
            self._use_private_sockets()
        return await super()._async_pre_start_kernel(**kw)

    def _use_private_sockets(self) -> None:
        """Put this kernel's sockets in a new private folder (``ipc`` transport), if possible.

        The folder is made inside the zygote's own (mode 0700), when this process forks
        from one: the run that started the zygote removes it with all its kernels'
        folders, even when a kernel's manager never shuts it down (a killed worker).
        """
        if sys.platform == "win32" or self.socket_folder is not None:
            return
        base = os.path.dirname(_zygote.address) if _zygote is not None else None
        try:
            folder = tempfile.mkdtemp(prefix="kernel-", dir=base)
        except OSError:  # the zygote's folder is gone (the zygote was closed)
            folder = tempfile.mkdtemp(prefix="evalkit-kernel-")
        prefix = os.path.join(folder, "k")  # sockets k-1 … k-5
        if len(os.fsencode(prefix)) + 4 > MAX_SOCKET_PATH:
            os.rmdir(folder)
            return
        self.socket_folder = folder
        self.transport = "ipc"
        self.ip = prefix

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Clean up as jupyter_client does, then remove the socket folder (not on restart)."""
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.socket_folder is not None:
            shutil.rmtree(self.socket_folder, ignore_errors=True)
            self.socket_folder = None


class ForkKernelManager(ForkProvisioned, AsyncKernelManager):
    """AsyncKernelManager whose kernels come from :class:`ForkProvisioner`."""


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())
