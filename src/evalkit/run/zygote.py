"""The kernel zygote's process: started once, it forks notebook kernels on request.

Only the process side of :mod:`.forkkernel` (which explains the whole scheme): the run's
main process starts the zygote here without importing jupyter_client, and the workers'
kernel managers fork from it (:class:`ZygoteClient`). Linux only (``fork``, ``prctl``).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile

from .preload import PRELOAD

#: Environment variables that may differ between the zygote and a kernel forked from it:
#: none of them is read by the interpreter at start-up nor by the pre-imported modules.
PER_KERNEL_ENV = frozenset({"EVALKIT_PAGE", "JPY_PARENT_PID", "JPY_SESSION_NAME"})
#: Seconds the zygote may take to import :data:`PRELOAD` before kernels launch normally.
START_TIMEOUT = 120
#: Prefix of a zygote's private folder (socket, kernels' socket folders) in the temp folder.
FOLDER_PREFIX = "evalkit-zygote-"
#: File in that folder holding the pid of the process that started the zygote.
OWNER_FILE = "owner"
#: A folder with no owner file (written right after the folder is made; older versions
#: wrote none) is left this many seconds before it counts as stale.
UNOWNED_GRACE = 3600

# The zygote's program, run with ``python -c`` (so that no evalkit module is imported).
# argv: its starter's pid, the ready pipe's fd, the listening socket's fd, the modules to
# import. Fork requests (one JSON line per connection) come on the Unix socket, from the
# starter or from the processes it gave the socket's address; stdin only tells the end of
# requests (end of file). stdout and stderr are the starter's, and so the kernels'.
_ZYGOTE = r"""
import ctypes, json, os, select, signal, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the process that started it
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
# Ctrl-C reaches the whole process group: the run that started the zygote stops it
# (end of stdin) once its workers are done; its kernels get Python's handler back.
signal.signal(signal.SIGINT, signal.SIG_IGN)
ready_fd, listen_fd = int(sys.argv[2]), int(sys.argv[3])
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # as ipykernel sets it
# debugpy (imported by ipykernel.debugger) warns at import, on stderr, that frozen modules
# may make it miss breakpoints: here that is the run's console (in a kernel launched
# normally, its iopub, which nobody reads). The variable is debugpy's switch for that
# warning, read once at import; it changes nothing else, and no report sets breakpoints.
validation = "PYDEVD_DISABLE_FILE_VALIDATION" in os.environ
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
import importlib
for name in json.loads(sys.argv[4]):
    importlib.import_module(name)
del os.environ["MPLBACKEND"]
if not validation:
    del os.environ["PYDEVD_DISABLE_FILE_VALIDATION"]
# The imported objects go to the collector's permanent generation: a kernel's collections
# then skip them, instead of writing to (and so copying) every page they live on
# (Python's gc.freeze documentation: "If a process will fork() without exec()").
import gc
gc.freeze()
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
listener = socket.socket(fileno=listen_fd)
os.write(ready_fd, b"ready\n")
os.close(ready_fd)
zygote_pid = os.getpid()
def request(conn):
    conn.settimeout(30)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1 << 16)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)
while True:
    readable, _, _ = select.select([0, listener], [], [])
    if 0 in readable and not os.read(0, 1 << 12):  # end of requests: reap the last kernels
        reap()
        os._exit(0)
    if listener not in readable:
        continue
    conn, _ = listener.accept()
    try:
        req = request(conn)
    except (OSError, ValueError):
        req = None
    if req is None:
        conn.close()
        continue
    pid = os.fork()
    if pid:
        try:
            conn.sendall((json.dumps({"pid": pid, "zygote": zygote_pid}) + "\n").encode())
        except OSError:  # the requester is gone: nobody would ever use or stop its kernel
            os.kill(pid, signal.SIGKILL)
        conn.close()
        continue
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupt_kernel's signal
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


class ZygoteClient:
    """A zygote's address and launch conditions: forks kernels from it, in any process.

    The run's main process starts the zygote (:class:`Zygote`) and hands
    :meth:`Zygote.handle` to its workers, which build this from it; each fork is one
    connection to the zygote's Unix socket (in a folder only this user can enter).
    """

    def __init__(
        self,
        address: str,
        env: dict[str, str],
        cwd: str,
        preload=PRELOAD,
        per_kernel: frozenset[str] | None = None,
    ):
        self.address = str(address)
        #: The variables that may differ between a kernel and the zygote
        #: (:data:`PER_KERNEL_ENV` when the zygote was made, whatever it is now).
        self.per_kernel = frozenset(PER_KERNEL_ENV if per_kernel is None else per_kernel)
        self.env = {k: v for k, v in env.items() if k not in self.per_kernel}
        self.cwd = str(cwd)
        self.preload = tuple(preload)
        self.ok = True
        #: The zygote's pid, known after the first fork.
        self.pid: int | None = None

    def handle(self) -> dict:
        """Return the arguments another process builds its client of this zygote from."""
        return {
            "address": self.address,
            "env": self.env,
            "cwd": self.cwd,
            "preload": self.preload,
            "per_kernel": self.per_kernel,
        }

    def accepts(self, cmd: list[str], env: dict[str, str], cwd: str) -> bool:
        """Return True when forking would start the kernel *cmd* would start."""
        same_env = {k: v for k, v in env.items() if k not in self.per_kernel} == self.env
        return (
            self.ok
            and list(cmd[:3]) == [sys.executable, "-m", "ipykernel_launcher"]
            and same_env
            and os.path.realpath(cwd) == os.path.realpath(self.cwd)
        )

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork one kernel running ``ipykernel_launcher`` with *cmd*'s arguments; return its pid.

        Waits while the zygote is still importing (at most :data:`START_TIMEOUT` s).
        Raises :class:`OSError` when the zygote is gone or does not answer; this
        client then forks no more (later kernels launch normally).
        """
        request = {"args": list(cmd[3:]), "env": dict(env), "cwd": str(cwd)}
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(START_TIMEOUT)
                conn.connect(self.address)
                conn.sendall((json.dumps(request) + "\n").encode())
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = conn.recv(1 << 12)
                    if not chunk:
                        raise OSError("the kernel zygote exited")
                    reply += chunk
        except OSError:
            self.ok = False
            raise
        answer = json.loads(reply)
        self.pid = int(answer["zygote"])
        return int(answer["pid"])

    def close(self) -> None:
        """Fork no more from this zygote (the process that started it stops it)."""
        self.ok = False


class Zygote(ZygoteClient):
    """One pre-imported Python process that forks notebook kernels.

    Started by the run's main process for all its workers (:func:`start_shared`), or by
    a process for its own kernels (:func:`use_zygote`). With *wait* the constructor
    waits until the imports are done (:attr:`ok` then says whether they succeeded);
    without, the first fork waits. Raises :class:`OSError` when no socket can be made.
    """

    def __init__(self, env: dict[str, str], cwd: str, preload=PRELOAD, *, wait: bool = True):
        remove_stale_folders()
        self.folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX)  # mode 0700
        try:
            with open(os.path.join(self.folder, OWNER_FILE), "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address = os.path.join(self.folder, "socket")
            with listener:
                listener.bind(address)
                listener.listen(16)
                super().__init__(address, env, cwd, preload)
                self._start(listener.fileno())
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.pid = self.proc.pid
        if wait:
            ready, _, _ = select.select([self.ready], [], [], START_TIMEOUT)
            self.ok = bool(ready) and self.ready.readline().strip() == "ready"
            if not self.ok:  # failed or stuck importing: launch kernels normally
                self.close()

    def _start(self, listen_fd: int) -> None:
        """Start the zygote's process with the listening socket *listen_fd*."""
        ready_r, ready_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _ZYGOTE,
                    str(os.getpid()),
                    str(ready_w),
                    str(listen_fd),
                    json.dumps(list(self.preload)),
                ],
                stdin=subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                pass_fds=(ready_w, listen_fd),
            )
        except OSError:
            os.close(ready_r)
            raise
        finally:
            os.close(ready_w)
        self.ready = os.fdopen(ready_r, "r")

    def accepts(self, cmd: list[str], env: dict[str, str], cwd: str) -> bool:
        """As :meth:`ZygoteClient.accepts`, and only while the zygote runs."""
        return self.proc.poll() is None and super().accepts(cmd, env, cwd)

    def close(self) -> None:
        """Stop the zygote and wait for it (its kernels die with it).

        Waiting matters beyond tidiness: the kernels' CPU time reaches the run's
        accounting (``RUSAGE_CHILDREN``) only through a waited-for zygote.
        """
        self.ok = False
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # end of requests: the zygote exits
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.ready.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    return True


def remove_stale_folders(temp: str | None = None, now: float | None = None) -> list[str]:
    """Remove zygote folders left by runs that were killed; return the paths removed.

    A run killed with SIGKILL cannot remove its zygote's folder (the zygote then exits
    too: it watches its starter). A folder is stale when the pid in its
    :data:`OWNER_FILE` is no longer running, or, without a pid in that file, when it is
    older than :data:`UNOWNED_GRACE` seconds. Folders of other users, or that cannot be read,
    are left alone. *temp* defaults to :func:`tempfile.gettempdir`.
    """
    import time

    temp = temp or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(temp))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(FOLDER_PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat().st_uid != os.getuid():
                continue
            try:
                with open(os.path.join(entry.path, OWNER_FILE), encoding="ascii") as f:
                    text = f.read().strip()
            except FileNotFoundError:
                text = ""
            if text.isdigit() and int(text) > 0:
                stale = not _alive(int(text))
            else:  # no owner, or one cut short by a kill as it was written: go by age
                stale = now - entry.stat().st_mtime > UNOWNED_GRACE
        except (OSError, UnicodeDecodeError):
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def start_shared(env: dict[str, str], cwd: str, preload=PRELOAD) -> Zygote | None:
    """Start one zygote for all of a run's workers, without waiting for its imports.

    The caller hands :meth:`Zygote.handle` to each worker (:func:`use_shared`) and
    closes the zygote once the workers are done. The zygote imports while the workers
    start; a worker's first fork waits for it. Returns None where kernels cannot be
    forked (not Linux) or no zygote can be started (the workers then start their own).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        return Zygote(env, cwd, preload, wait=False)
    except OSError:
        return None
