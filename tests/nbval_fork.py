"""pytest plugin for ``make test``'s nbval step: kernels forked as the pipeline forks them.

``make test`` re-executes the committed reports with nbval (``-p nbval_fork``). nbval
starts every notebook's kernel as a new interpreter that imports IPython, ipykernel
and then, in the notebook's first cells, pandas, numpy, pyarrow, matplotlib and scipy:
24 times. The pipeline that wrote those reports forks its kernels from a zygote
instead (:mod:`evalkit.run.forkkernel`); here each pytest-xdist worker does the same,
so nbval executes every notebook the way the report executed it: each in its own new
kernel process, with no evalkit module and no state of another notebook.

One zygote serves a worker's notebooks of every year. The pipeline's zygote only
forks kernels for its own folder; here the kernels' folders are the three report
folders, which hold no Python modules, and the zygote is started in the project root
whose ``sys.path`` entry is the current folder (``''``): what it imported comes from
the environment's site-packages, as a new kernel's would in any of those folders, and
each forked kernel changes into its notebook's folder before it starts.

Kernels whose launch the zygote would not reproduce (another interpreter, another
environment) start normally. ``EVALKIT_FORK_KERNELS=0`` (the pipeline's switch) turns
this plugin off: every kernel then starts as nbval starts it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evalkit.run import forkkernel as fk

ENABLED = os.environ.get("EVALKIT_FORK_KERNELS", "1") != "0"
#: Folders whose kernels the zygote may fork: the committed report folders.
REPORT_FOLDERS = Path(__file__).resolve().parent.parent / "reports"


class ReportsZygote(fk.Zygote):
    """A zygote that forks kernels for any folder under :data:`REPORT_FOLDERS`."""

    def accepts(self, cmd: list[str], env: dict[str, str], cwd: str) -> bool:
        """As :meth:`~evalkit.run.forkkernel.Zygote.accepts`, for any report folder."""
        folder = Path(os.path.realpath(cwd))
        return REPORT_FOLDERS in folder.parents and super().accepts(cmd, env, self.cwd)


class ReportsForkProvisioner(fk.ForkProvisioner):
    """:class:`~evalkit.run.forkkernel.ForkProvisioner` that starts this worker's zygote."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Start the zygote at the first launch (in this environment), then fork or launch."""
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items()}
        wanted = {k: v for k, v in env.items() if k not in fk.PER_KERNEL_ENV}
        if fk._zygote is None or fk._zygote.env != wanted:
            fk.close_zygote()
            fk._zygote = ReportsZygote(env, str(REPORT_FOLDERS.parent))
        return await super().launch_kernel(cmd, **kwargs)


def pytest_configure(config) -> None:
    """Give nbval a kernel manager whose kernels are forked (see the module docstring)."""
    if not ENABLED:
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
    fk.PER_KERNEL_ENV = fk.PER_KERNEL_ENV | {"PYTEST_CURRENT_TEST"}


def pytest_unconfigure(config) -> None:
    """Stop this worker's zygote (nbval has shut its kernels down)."""
    fk.close_zygote()
