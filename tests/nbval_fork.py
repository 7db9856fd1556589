"""pytest plugin for ``make test``'s nbval step: kernels forked as the pipeline forks them.

``make test`` re-executes the committed reports with nbval (``-p nbval_fork``). nbval
starts every notebook's kernel as a new interpreter that imports IPython, ipykernel
and then, in the notebook's first cells, pandas, numpy, pyarrow, matplotlib and scipy,
once per notebook of every year. The pipeline that wrote those reports forks its
kernels from a zygote instead (:mod:`evalkit.run.forkkernel`); here each pytest-xdist
worker does the same, with what a full report run preloads (``preload_for`` over the
report notebooks), so nbval executes every notebook as a full run executes it: each in
its own new kernel process, with no evalkit module and no state of another notebook.

One zygote serves a worker's notebooks of every year. The pipeline's zygote only
forks kernels for its own folder; here the kernels' folders are the three report
folders, which hold no Python modules, and the zygote is started in the project root
whose ``sys.path`` entry is the current folder (``''``): what it imported comes from
the environment's site-packages, as a new kernel's would in any of those folders, and
each forked kernel changes into its notebook's folder before it starts.

Kernels whose launch the zygote would not reproduce (another interpreter, another
environment, a folder outside ``reports/``) start normally, and so do all of them where
no zygote can start (not Linux, or it failed). ``EVALKIT_FORK_KERNELS=0`` (the
pipeline's switch) turns this plugin off: every kernel then starts as nbval starts it.
The plugin replaces ``nbval.kernel.KernelManager``, the one name nbval 0.11 starts
kernels with.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from evalkit.run import forkkernel as fk
from evalkit.run import zygote as zyg
from evalkit.run.preload import preload_for

ENABLED = os.environ.get("EVALKIT_FORK_KERNELS", "1") != "0"
#: The folder of the committed reports: the zygote forks kernels for its year folders.
REPORT_FOLDERS = Path(__file__).resolve().parent.parent / "reports"


#: The environment no zygote could start for (kernels then launch normally, not retried).
_failed_env: dict[str, str] | None = None


class ReportsZygote(fk.Zygote):
    """A zygote that forks kernels for any folder under :data:`REPORT_FOLDERS`."""

    def accepts(self, cmd: list[str], env: dict[str, str], cwd: str) -> bool:
        """As :meth:`~evalkit.run.forkkernel.Zygote.accepts`, for any report folder."""
        folder = Path(os.path.realpath(cwd))
        # The parent's checks (interpreter, environment, alive) with its folder check
        # answered for a report folder: the kernel changes into *cwd* when forked.
        return REPORT_FOLDERS in folder.parents and super().accepts(cmd, env, self.cwd)


class ReportsForkProvisioner(fk.ForkProvisioner):
    """:class:`~evalkit.run.forkkernel.ForkProvisioner` that starts this worker's zygote."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Start the zygote at the first launch (in this environment), then fork or launch."""
        env = dict(kwargs.get("env") or os.environ)
        wanted = {k: v for k, v in env.items() if k not in zyg.PER_KERNEL_ENV}
        global _failed_env
        if (fk._zygote is None or fk._zygote.env != wanted) and wanted != _failed_env:
            fk.close_zygote()
            notebooks = sorted(REPORT_FOLDERS.glob("*/*.ipynb"))
            try:  # as forkkernel.use_zygote: no zygote, then kernels launch normally
                zygote = ReportsZygote(env, str(REPORT_FOLDERS.parent), preload_for(notebooks))
            except OSError:
                zygote = None
            fk._zygote = zygote if zygote is not None and zygote.ok else None
            _failed_env = None if fk._zygote else wanted  # not again for this environment
        return await super().launch_kernel(cmd, **kwargs)


def pytest_configure(config) -> None:
    """Give nbval a kernel manager whose kernels are forked (see the module docstring).

    Its kernels, forked or not, also get the numerical libraries' thread settings the
    pipeline gives its kernels (:func:`~evalkit.run.execute.kernel_threads_env`): set
    here in the session's environment, they reach pytest-xdist's workers (started
    after this) and every kernel and run those start.
    """
    from evalkit.run.execute import kernel_threads_env

    os.environ.update(kernel_threads_env())
    if not ENABLED or not sys.platform.startswith("linux"):  # fork, prctl: Linux only
        return
    import nbval.kernel
    from jupyter_client.manager import KernelManager

    class ForkedNbvalKernelManager(fk.ForkProvisioned, KernelManager):
        """nbval's (synchronous) kernel manager with forked kernels."""

        provisioner_class = ReportsForkProvisioner

    nbval.kernel.KernelManager = ForkedNbvalKernelManager
    # pytest names the running test in the environment, so it differs for every
    # notebook; nothing reads it at start-up, and each forked kernel still gets it (a
    # kernel gets the environment of its own launch).
    zyg.PER_KERNEL_ENV = zyg.PER_KERNEL_ENV | {"PYTEST_CURRENT_TEST"}


def pytest_unconfigure(config) -> None:
    """Stop this worker's zygote (nbval has shut its kernels down)."""
    fk.close_zygote()


# --- "done" markers: the suite's backtest reads what nbval wrote, in the same session ---


def done_marker(notebook: Path) -> Path:
    """Return the file that says nbval has finished *notebook* (``reports/<year>/<name>.ipynb``).

    It lies in the folder nbval's kernels write to (``EVALKIT_REPORTS_DIR``), which
    ``make test`` empties first.
    """
    root = Path(os.environ["EVALKIT_REPORTS_DIR"])
    return root / ".nbval-done" / notebook.parent.name / f"{notebook.stem}.done"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """After a notebook's last cell has run (passed or not), write its :func:`done_marker`."""
    yield
    if (
        item.path.suffix == ".ipynb"
        and (nextitem is None or nextitem.path != item.path)
        and "EVALKIT_REPORTS_DIR" in os.environ
    ):
        marker = done_marker(item.path)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()


def wait_for_notebooks(notebooks: list[Path], timeout: float = 1800) -> None:
    """Wait until nbval has finished every one of *notebooks* (on any pytest-xdist worker).

    Raises TimeoutError naming the notebooks still missing after *timeout* seconds (a
    worker that died mid-notebook never writes its marker).
    """
    deadline = time.monotonic() + timeout
    while True:
        missing = [str(n) for n in notebooks if not done_marker(n).exists()]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"nbval did not finish within {timeout:.0f} s: {missing}")
        time.sleep(0.5)
