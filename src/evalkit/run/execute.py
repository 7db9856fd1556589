"""Notebook execution: papermill in worker processes, one fresh kernel per notebook.

The workers fork their notebooks' kernels from the run's one zygote, which has imported
the common third-party modules once (:mod:`evalkit.run.forkkernel`: still a new kernel
process per notebook, with no evalkit module and no state of another notebook; about
2 s of CPU less per notebook). ``EVALKIT_FORK_KERNELS=0`` launches every kernel normally.

The workers are forked from a server that has imported papermill once
(:func:`worker_context`; spawned where there is none). They die with the run's main
process (Linux: :func:`die_with_run`), report each
finished cell to the parent (progress bars on a TTY, plain lines otherwise) and
return a result dict instead of raising (Ctrl-C aside: :func:`execute_task`). Each
kernel gets one thread per numerical library (:func:`kernel_threads_env`). Executed notebooks are made
deterministic (:func:`finalize_notebook`): parameters cells hidden, volatile
papermill metadata dropped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path


def say(text: str) -> None:
    """Print one progress line at once (unbuffered even when piped, so lines stay in order)."""
    print(text, flush=True)


_progress_queue = None
_progress_name = ""
#: Set in a worker by Ctrl-C (SIGINT): it then starts no further notebook.
_interrupted = False
#: True in a worker while :func:`execute_task` runs (only then does SIGINT raise).
_running = False


def die_with_parent() -> None:
    """Have Linux SIGKILL this process (a worker, the curation child) when the run's main process dies.

    A killed ``evalkit report`` must not leave workers behind: an orphan would
    finish its notebook into a staging folder the next run has already cleaned,
    then wait forever for work. Elsewhere this is a no-op.
    """
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    except (OSError, AttributeError):
        return


def die_with_run(run_pid: int) -> None:
    """Have this worker SIGKILLed when the run's main process *run_pid* exits (Linux).

    A worker's parent is the fork server (:func:`worker_context`), not the run's
    process, so :func:`die_with_parent` alone would keep it alive after a killed run:
    the server exits only once every worker has closed its end of the server's pipe.
    A daemon thread waits on a pidfd of the run's process instead. Elsewhere the
    workers are the run's own children, and this is :func:`die_with_parent` only.
    """
    import select

    die_with_parent()
    try:
        pidfd = os.pidfd_open(run_pid)
    except ProcessLookupError:  # the run is gone already
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux): the workers are spawned
        return

    def watch() -> None:
        select.select([pidfd], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-run", daemon=True).start()


def _on_interrupt(signum, frame) -> None:
    """Handle SIGINT in a worker: remember it (:func:`execute_task` starts no more), raise."""
    global _interrupted
    if not _interrupted:
        # The run prints one line for Ctrl-C; what a notebook's interrupted client
        # logs while it is torn down (a dead kernel, unretrieved asyncio tasks) is noise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    _interrupted = True
    if _running:  # between tasks the worker waits in multiprocessing's queue: no traceback
        raise KeyboardInterrupt


def _worker_init(queue, environ: dict[str, str], fork_kernels: bool, run_pid: int) -> None:
    """Initialize a worker process: the run's environment and the progress queue.

    *environ* is the run's ``os.environ``, *fork_kernels* its :data:`FORK_KERNELS` and
    *run_pid* its process id (the worker dies with it, :func:`die_with_run`);
    a worker forked from the server (:func:`worker_context`) has the server's, as they
    were when the server started, and its C-level environment may hold variables the
    run's ``os.environ`` does not show (GNU readline sets LINES and COLUMNS).
    """
    global _progress_queue, FORK_KERNELS
    signal.signal(signal.SIGINT, _on_interrupt)
    die_with_run(run_pid)
    os.environ.clear()
    os.environ.update(environ)
    FORK_KERNELS = fork_kernels
    _progress_queue = queue
    if FORK_KERNELS:
        from multiprocessing.util import Finalize

        from .forkkernel import close_zygote

        # Run when the worker exits: wait for the zygote (and so count its kernels' CPU).
        Finalize(None, close_zygote, exitpriority=10)


#: The papermill engine evalkit executes notebooks with (:func:`_register_engine`).
ENGINE = "evalkit"
_engine_registered = False


def _register_engine() -> str:
    """Register papermill's nbclient engine as evalkit runs it (once); return its name.

    The change from papermill's own engine: each finished cell is reported to the run's
    process (``(name, cells done, cells total)`` on the progress queue, when there is
    one).
    """
    global _engine_registered
    if _engine_registered:
        return ENGINE
    from papermill.engines import NBClientEngine, papermill_engines

    class Engine(NBClientEngine):
        """Papermill's nbclient engine, reporting progress after each cell."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            """Execute, sending ``(name, cells done, cells total)`` after every cell."""
            done = nb_man.cell_complete
            total = len(nb_man.nb.cells)

            def cell_complete(cell, cell_index=None, **kw):
                done(cell, cell_index=cell_index, **kw)
                if _progress_queue is not None:
                    _progress_queue.put(("cell", _progress_name, (cell_index or 0) + 1, total))

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE, Engine)
    _engine_registered = True
    return ENGINE


def _first_line(source: str) -> str:
    """Return the first non-empty line of a cell's source, shortened."""
    for line in str(source).splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


#: Kernel command-line arguments: the kernel's own log is silent. Its start-up warning
#: "Kernel is running over TCP without encryption" (a kernel launched normally, on
#: 127.0.0.1, started and stopped by this run; a forked one uses Unix sockets,
#: :class:`.forkkernel.ForkProvisioned`) would print once per notebook, and "KeyboardInterrupt
#: caught in kernel" (logged at ERROR when the finished kernel is interrupted on shutdown)
#: now and then. A failing cell still fails the run: papermill reads the cell's error.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Start each notebook's kernel by forking the worker's pre-imported zygote
#: (:mod:`evalkit.run.forkkernel`; Linux) instead of a new interpreter. Set
#: ``EVALKIT_FORK_KERNELS=0`` to launch every kernel normally.
FORK_KERNELS = os.environ.get("EVALKIT_FORK_KERNELS", "1") != "0"
#: Seconds between "still running" lines while notebooks execute (plain-text progress).
HEARTBEAT_SECONDS = 15


def execute_task(task: dict) -> dict:
    """Execute one notebook with papermill (in a worker process); return a result dict.

    A failure comes back as ``{"ok": False, "cell_index": …, "cell_source": …, "error":
    …}``; only Ctrl-C (:class:`KeyboardInterrupt`, in a worker) is raised. After Ctrl-C
    a worker starts no other notebook: each comes back failed, "interrupted".
    """
    global _running
    _running = True
    try:
        if _interrupted:
            return _failure(task, "KeyboardInterrupt: 已中断 interrupted")
        return _execute(task)
    finally:
        _running = False


def _execute(task: dict) -> dict:
    """Execute *task*'s notebook (:func:`execute_task`, which handles Ctrl-C)."""
    global _progress_name
    _progress_name = task["name"]
    os.environ.update(task["env"])
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    forked_before = _forked()
    kernel_manager = {}
    if FORK_KERNELS:
        from . import forkkernel

        if task.get("zygote"):  # the run's zygote (execute_all)
            forkkernel.use_shared(task["zygote"])
            kernel_manager = {"kernel_manager_class": forkkernel.ForkKernelManager}
        else:
            preload = task.get("preload", forkkernel.PRELOAD)
            if forkkernel.use_zygote(dict(os.environ), task["cwd"], preload) is not None:
                kernel_manager = {"kernel_manager_class": forkkernel.ForkKernelManager}
    if _progress_queue is not None:
        _progress_queue.put(("start", task["name"], 0, 0))
    try:
        pm.execute_notebook(
            task["template"],
            task["output"],
            parameters=task["params"],
            cwd=task["cwd"],
            progress_bar=False,
            extra_arguments=KERNEL_ARGUMENTS,
            engine_name=_register_engine(),
            # The notebook is written once, when it ends (a failed one too, with its
            # error), instead of at the start and end of every cell: a validated write
            # of the whole notebook each time, for watching a run from outside; nobody
            # reads it before the end, in a staging folder the run removes.
            request_save_on_cell_execute=False,
            **kernel_manager,
        )
    except PapermillExecutionError as e:
        nb = nbformat.read(task["output"], as_version=4)
        template_index = _template_cell_index(nb, e.cell_index)
        return _failure(task, f"{e.ename}: {e.evalue}", template_index, _first_line(e.source))
    except Exception as e:  # kernel died, bad notebook JSON, …: report, never hang
        return _failure(task, f"{type(e).__name__}: {e}")
    finalize_notebook(Path(task["output"]))
    forked = forked_before != _forked()
    return {
        "name": task["name"],
        "ok": True,
        "seconds": round(time.monotonic() - started, 2),
        "kernel": "forked" if forked else "launched",
        "zygote": _zygote_pid() if forked else None,
    }


def _failure(task: dict, error: str, cell_index: int | None = None, cell_source: str = "") -> dict:
    """Return the result dict of *task*'s failed notebook (the template's cell, if known)."""
    return {
        "name": task["name"],
        "ok": False,
        "cell_index": cell_index,
        "cell_source": cell_source,
        "error": error,
    }


def _forked() -> int:
    """Return how many kernels this process has forked so far (0 before the first)."""
    mod = sys.modules.get("evalkit.run.forkkernel")
    return mod.launches["forked"] if mod else 0


def _zygote_pid() -> int | None:
    """Return the pid of the zygote this process forks its kernels from (None: none yet)."""
    mod = sys.modules.get("evalkit.run.forkkernel")
    return mod._zygote.pid if mod and mod._zygote is not None else None


def _template_cell_index(nb, executed_index: int) -> int:
    """Map a cell index of the executed notebook to the template's.

    *executed_index* counts the cells before papermill added its error-marker
    cells; the injected parameters cell does not exist in the template.
    """
    cells = [
        c
        for c in nb.cells
        if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])
    ]
    injected = sum(
        "injected-parameters" in c.get("metadata", {}).get("tags", [])
        for c in cells[:executed_index]
    )
    return executed_index - injected


HIDE_TAG = "remove-cell"
HIDE_OPTION = "#| include: false\n"
#: Papermill metadata that changes on every run (timestamps) or names absolute paths.
_VOLATILE_NB_META = ("start_time", "end_time", "duration", "input_path", "output_path", "exception")


def finalize_notebook(path: Path) -> None:
    """Hide the parameter cells from every renderer and drop volatile metadata.

    The papermill-injected cell (tag ``injected-parameters``) and the template's
    ``parameters`` cell get the ``remove-cell`` tag (honoured by Quarto and
    smalldocs) and the ``#| include: false`` cell option. Papermill timestamps and absolute paths are removed from the
    notebook and cell metadata so committed reports change only when results do.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.setdefault("metadata", {})
        tags = list(meta.get("tags", []))
        if "injected-parameters" in tags or "parameters" in tags:
            if HIDE_TAG not in tags:
                meta["tags"] = [*tags, HIDE_TAG]
            # Also Quarto's documented cell option, for renderers that ignore tags.
            if not cell.source.startswith(HIDE_OPTION):
                cell.source = HIDE_OPTION + cell.source
        if "injected-parameters" in tags:
            # Papermill gives the injected cell a random id; a fixed one keeps re-runs byte-stable.
            cell["id"] = "injected-parameters"
        pm_meta = meta.get("papermill")
        if isinstance(pm_meta, dict):
            for key in _VOLATILE_NB_META:
                pm_meta.pop(key, None)
        meta.pop("execution", None)
    pm_nb = nb.metadata.get("papermill")
    if isinstance(pm_nb, dict):
        for key in (*_VOLATILE_NB_META, "environment_variables"):
            pm_nb.pop(key, None)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, str(tmp))
    os.replace(tmp, path)


class Progress:
    """Show which notebook is running and how far it is: tqdm bars on a TTY, else plain lines."""

    def __init__(self, names: list[str], stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bars: dict[str, object] = {}
        self.last: dict[str, int] = {}
        self.position = {n: i for i, n in enumerate(names)}
        self.started: dict[str, float] = {}
        self.finished: set[str] = set()

    def update(self, kind: str, name: str, done: int, total: int) -> None:
        """Record one progress message from a worker."""
        if kind == "start":
            self.started[name] = time.monotonic()
        if self.tty:
            from tqdm import tqdm

            bar = self.bars.get(name)
            if bar is None:
                bar = tqdm(
                    total=total or None,
                    desc=name,
                    unit="cell",
                    position=self.position.get(name, 0),
                    file=self.stream,
                    leave=True,
                )
                self.bars[name] = bar
            if total and bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()
            return
        if kind == "start":
            print(f"  ▶ {name} 开始执行 started", file=self.stream, flush=True)
        elif kind == "cell" and total:
            quarter = (4 * done) // total
            if quarter > self.last.get(name, 0):
                self.last[name] = quarter
                print(f"  … {name} {done}/{total} 个单元格 cells", file=self.stream, flush=True)

    def heartbeat(self) -> None:
        """Print one line naming the notebooks still running and their elapsed seconds (not on a TTY)."""
        now = time.monotonic()
        running = [
            f"{n} {now - t:.0f} s" for n, t in self.started.items() if n not in self.finished
        ]
        if running and not self.tty:
            print(f"  … 仍在执行 still running: {', '.join(running)}", file=self.stream, flush=True)

    def close(self) -> None:
        """Close the progress bars."""
        for bar in self.bars.values():
            bar.close()


def _drain(queue, progress: Progress, stop: threading.Event) -> None:
    """Forward worker progress messages to the display until *stop* is set and the queue is empty."""
    import queue as queue_mod

    while True:
        try:
            msg = queue.get(timeout=0.1)
        except queue_mod.Empty:
            if stop.is_set():
                return
            continue
        except (EOFError, OSError):
            return
        progress.update(*msg)


#: What the workers' fork server imports once (:func:`worker_context`): what every worker
#: imports (papermill imports nbclient, nbformat, jupyter_client, numpy and pyarrow).
WORKER_PRELOAD = ("evalkit.run.execute", "evalkit.run.forkkernel", "papermill.engines")


def worker_context():
    """Return the multiprocessing context the workers start in.

    On Linux, ``forkserver``: a server started by the run imports :data:`WORKER_PRELOAD`
    once and forks each worker from it, so the workers do not each pay those imports
    (about 0.5 s of CPU a worker). The server is a fresh single-threaded interpreter: no
    thread, kernel or state of the run's process reaches a worker, as with ``spawn``,
    which serves elsewhere. Each worker takes the run's environment in
    :func:`_worker_init`. A worker dies with the server, the server with the run's
    process (multiprocessing's own rule), and the run stops it when its workers are done
    (:func:`_stop_worker_server`).
    """
    import multiprocessing as mp

    if not sys.platform.startswith("linux"):
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(WORKER_PRELOAD))
    return ctx


def _stop_worker_server(ctx) -> None:
    """Stop the workers' fork server (:func:`worker_context`) and wait for it.

    Then its workers' CPU time counts as the run's (``RUSAGE_CHILDREN``: the server
    waited for them), no server outlives the run with the environment it started in,
    and the next run in this process starts its own. multiprocessing has no public
    call for it: ``_stop`` is the one its own tests use; without it (another Python),
    the server is left to exit with this process.
    """
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


#: Thread-pool variables of the numerical libraries (OpenMP, OpenBLAS, MKL, Apple's
#: Accelerate, numexpr): the ones joblib's loky sets for its worker processes.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def kernel_threads_env(environ=None) -> dict[str, str]:
    """Return the thread settings every notebook kernel gets: one thread per numerical pool.

    The run executes notebooks side by side, one kernel per worker, so the cores are
    busy already; a BLAS that starts a thread per core then spins waiting for them. On
    2 cores with 2 workers the impact page's kernel took 4.6–4.8 s of CPU with
    OpenBLAS's default and 2.1 s with one thread, for byte-identical reports. One
    thread also keeps the reports' sums independent of the machine's core count (a
    threaded BLAS may split a sum between threads): joblib's loky gives each of its
    workers cores ÷ workers threads; here each kernel has one, on any machine.

    *environ* (default ``os.environ``): when it sets any of :data:`THREAD_VARIABLES`,
    ``{}`` is returned (nothing is set: each library then follows the caller's
    settings or its own default); else ``{name: "1"}`` for each of them.
    """
    environ = os.environ if environ is None else environ
    if any(name in environ for name in THREAD_VARIABLES):
        return {}
    return dict.fromkeys(THREAD_VARIABLES, "1")


def execute_all(tasks: list[dict], jobs: int, out=say) -> list[dict]:
    """Execute *tasks* on *jobs* worker processes; stop scheduling at the first failure."""
    from concurrent.futures import ProcessPoolExecutor

    if not tasks:
        return []
    threads = kernel_threads_env()  # the task's own settings, if any, come first
    tasks = [dict(t, env={**threads, **t.get("env", {})}) for t in tasks]
    ctx = worker_context()
    queue = ctx.Queue()
    progress = Progress([t["name"] for t in tasks])
    stop = threading.Event()
    drainer = threading.Thread(target=_drain, args=(queue, progress, stop), daemon=True)
    drainer.start()
    results: list[dict] = []
    zygote = None
    if FORK_KERNELS:  # one zygote for all workers: it imports while they start (.forkkernel)
        from .preload import preload_for

        preload = preload_for([t["template"] for t in tasks])
        zygote = _start_zygote(tasks, preload)
        handle = zygote.handle() if zygote is not None else None
        tasks = [dict(t, preload=preload, zygote=handle) for t in tasks]
    try:
        with ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(tasks))),
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(queue, dict(os.environ), FORK_KERNELS, os.getpid()),
        ) as pool:
            pending = {pool.submit(execute_task, t) for t in tasks}
            try:
                _wait_all(pending, results, progress, out)
            except KeyboardInterrupt:  # Ctrl-C: start no other notebook; running ones stop
                _interrupt_workers(pool)  # before shutdown, which forgets the processes
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        stop.set()
        drainer.join(timeout=5)
        progress.close()
        if zygote is not None:  # the workers are done: stop it, and count its kernels' CPU
            zygote.close()
        _stop_worker_server(ctx)
    return results


def _interrupt_workers(pool) -> None:
    """Send SIGINT to *pool*'s workers (a second one changes nothing, :func:`_on_interrupt`).

    Ctrl-C at a terminal reaches the workers already (the whole process group); a
    SIGINT sent to the run's process alone (``kill -INT``, a supervisor) reaches them
    only through this. ``ProcessPoolExecutor`` has no public list of its processes:
    ``_processes`` is read with a fallback to none.
    """
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if proc.pid:
                os.kill(proc.pid, signal.SIGINT)


def _wait_all(pending: set, results: list[dict], progress: Progress, out) -> None:
    """Wait for the *pending* futures, appending their results to *results*.

    Prints each finished notebook; a heartbeat every :data:`HEARTBEAT_SECONDS`; after
    the first failure the notebooks not started yet are cancelled.
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    while pending:
        finished, pending = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
        if not finished:
            progress.heartbeat()
        for fut in finished:
            res = fut.result()
            results.append(res)
            progress.finished.add(res["name"])
            if res["ok"]:
                out(f"  ✓ {res['name']} 完成 done ({res['seconds']:.1f} s)")
        if any(not r["ok"] for r in results):
            for fut in pending:
                fut.cancel()
            pending = {f for f in pending if not f.cancelled()}


def _start_zygote(tasks: list[dict], preload):
    """Start the run's kernel zygote for *tasks*; return it, or None (workers start their own).

    Its environment is the one every worker gives its kernels (this process's, updated
    by the task's ``env``, apart from the per-kernel variables), its folder the tasks'
    working folder, and it imports *preload* (what these notebooks import,
    :func:`.preload.preload_for`). Tasks with different environments or folders get no
    shared zygote.
    """
    from . import zygote as zyg

    envs = [
        {k: v for k, v in {**os.environ, **t["env"]}.items() if k not in zyg.PER_KERNEL_ENV}
        for t in tasks
    ]
    if any(e != envs[0] for e in envs) or len({t["cwd"] for t in tasks}) != 1:
        return None
    env = envs[0]
    return zyg.start_shared(env, tasks[0]["cwd"], preload)
