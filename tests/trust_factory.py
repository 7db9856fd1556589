"""Scratch projects for the trust tests: hostile submissions and isolated pipeline folders.

Every folder the pipeline writes (data, reports, site, build, notebooks) is a
temporary directory selected through the ``EVALKIT_*`` environment variables;
the repository's data, reports and ``_site`` are only ever read.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
from intake_factory import tree_digest as tree_hashes  # noqa: F401  (re-exported for the trust tests)

from evalkit import paths

#: Strings a hostile (or careless) submitter could type into a workbook cell.
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![x](http://127.0.0.1:9/x.png)",
    "{{< include /etc/passwd >}}",
    '=HYPERLINK("http://127.0.0.1:9/","x")',
)

#: Submitted text columns (sheet title → column headers as in the templates).
HOSTILE_COLUMNS = {
    "改革事项台账": ("事项名称", "佐证材料（文号或链接）"),
    "招商引资项目台账": ("项目名称",),
}

DEMO_RAW = paths.ROOT / "data" / "raw" / "demo"


def hostile_dataset(dest: Path) -> Path:
    """Copy the demo raw submissions to *dest* with every submitted text cell made hostile.

    Each reform title, evidence reference and project name becomes one of
    :data:`HOSTILE` (cycling), so whichever rows a page lists show hostile text.
    """
    shutil.copytree(DEMO_RAW, dest)
    n = 0
    for book in sorted(dest.glob("*.xlsx")):
        wb = openpyxl.load_workbook(book)
        changed = False
        for ws in wb.worksheets:
            cols = HOSTILE_COLUMNS.get(ws.title)
            if not cols:
                continue
            # Some workbooks put a title row above the header: find the header row.
            top = next(i for i in range(1, 6) if cols[0] in [str(c.value).strip() for c in ws[i]])
            header = [str(c.value).strip() for c in ws[top]]
            for col in cols:
                j = header.index(col) + 1
                for r in range(top + 1, ws.max_row + 1):
                    cell = ws.cell(row=r, column=j)
                    if cell.value in (None, ""):
                        continue
                    cell.value = HOSTILE[n % len(HOSTILE)]
                    cell.data_type = "s"  # keep "=HYPERLINK(…)" a string, not a formula
                    n += 1
                    changed = True
        if changed:
            wb.save(book)
    assert n >= 2 * len(HOSTILE), "the demo workbooks should have rows to poison"
    return dest


def scratch_env(root: Path, *, notebooks: list[str] | None = None) -> dict[str, str]:
    """Return ``EVALKIT_*`` overrides pointing every writable folder under *root*.

    The data folder gets a copy of the project's configuration; *notebooks*
    (template names) are copied into a private notebooks folder when given.
    """
    data = root / "data"
    (data / "curated").mkdir(parents=True, exist_ok=True)
    if not (data / "config").exists():
        shutil.copytree(paths.ROOT / "data" / "config", data / "config")
    env = {
        "EVALKIT_DATA_DIR": str(data),
        "EVALKIT_REPORTS_DIR": str(root / "reports"),
        "EVALKIT_SITE_DIR": str(root / "_site"),
        "EVALKIT_BUILD_DIR": str(root / "build"),
        "PYTHONHASHSEED": "0",
    }
    if notebooks is not None:
        nbdir = root / "notebooks"
        nbdir.mkdir(exist_ok=True)
        for name in notebooks:
            shutil.copy2(paths.ROOT / "notebooks" / f"{name}.ipynb", nbdir / f"{name}.ipynb")
        env["EVALKIT_NOTEBOOKS_DIR"] = str(nbdir)
    return env


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    """Return the current environment with *overrides* (for subprocess runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALKIT_")}
    env.update(overrides)
    return env


def start_run(cmd: list[str], env: dict, marker: str, **popen_kw) -> subprocess.Popen:
    """Start *cmd* (output piped, stderr merged); return once it printed a line with *marker*.

    Also returns when the output ends without *marker*; the caller collects the
    rest with ``communicate``. *popen_kw* go to :class:`subprocess.Popen`.
    """
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen_kw
    )
    try:
        for line in proc.stdout:
            if marker in line:
                break
    except BaseException:
        proc.kill()
        raise
    return proc


def kill_run_at(cmd: list[str], env: dict, marker: str, delay: float = 0.0) -> str:
    """Start *cmd* in its own session; SIGKILL the whole session *delay* s after *marker*.

    Returns the output seen so far; fails if *marker* never appeared (within 240 s).
    """
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 240
        for line in proc.stdout:
            seen.append(line)
            if marker in line or time.monotonic() > deadline:
                break
        time.sleep(delay)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    out = "".join(seen)
    assert marker in out, out[-3000:]
    return out
