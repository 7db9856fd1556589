"""Crash and concurrency safety: kill ``evalkit report`` mid-run; two runs at once.

The pipeline runs as a real subprocess (its own session, killed with SIGKILL) on
tiny fake notebooks in temporary folders; the previously published reports and
site must stay byte-identical and readable, and the next run must succeed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from trust_factory import kill_run_at, start_run

from evalkit import cli

AS_OF = "2026-10-31"


def _notebook(sleep_cell: bool):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["evalkit"] = {"reads": ["projects"], "order": 10}
    params = nbformat.v4.new_code_cell('year = 2026\nas_of = "2026-10-31"\ndata_dir = "data"')
    params.metadata["tags"] = ["parameters"]
    cells = [nbformat.v4.new_raw_cell('---\ntitle: "崩溃测试"\n---'), params]
    cells.append(
        nbformat.v4.new_code_cell(
            "from evalkit import report, store\n"
            "df = store.read_table('projects', data_dir)\nprint('项目数', len(df))\n"
            "display(report.save_table(df, 'projects_list', year))"
        )
    )
    if sleep_cell:
        # Waits FAKE_NOTEBOOK_SLEEP seconds, or less once the file FAKE_NOTEBOOK_GATE exists.
        cells.append(
            nbformat.v4.new_code_cell(
                "import os, time\n"
                "gate = os.environ.get('FAKE_NOTEBOOK_GATE')\n"
                "end = time.monotonic() + float(os.environ.get('FAKE_NOTEBOOK_SLEEP', '0'))\n"
                "while time.monotonic() < end and not (gate and os.path.exists(gate)):\n"
                "    time.sleep(0.05)"
            )
        )
    nb.cells = cells
    return nb


def _project(root: Path) -> dict[str, str]:
    """Write the scratch project (curated table, one notebook) under *root*; return its env."""
    data = root / "data" / "curated"
    data.mkdir(parents=True)
    pd.DataFrame({"project_id": ["P1", "P2"], "name": ["一", "二"]}).to_parquet(
        data / "projects.parquet"
    )
    (data / "_meta.json").write_text(json.dumps({"synthetic": True, "as_of": AS_OF}), "utf-8")
    nbdir = root / "notebooks"
    nbdir.mkdir()
    nbformat.write(_notebook(sleep_cell=True), nbdir / "slow.ipynb")
    return _env(root)


def _env(root: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        EVALKIT_NOTEBOOKS_DIR=str(root / "notebooks"),
        EVALKIT_DATA_DIR=str(root / "data"),
        EVALKIT_REPORTS_DIR=str(root / "reports"),
        EVALKIT_SITE_DIR=str(root / "_site"),
        EVALKIT_BUILD_DIR=str(root / "build"),
        EVALKIT_LOCK_TIMEOUT="1",
        FAKE_NOTEBOOK_SLEEP="0",
    )
    e.pop("EVALKIT_PAUSE_AT", None)
    return e


@pytest.fixture
def env(tmp_path):
    return tmp_path, _project(tmp_path)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """A project after one complete run: the published reports and site a kill must keep."""
    root = tmp_path_factory.mktemp("crash-first-run")
    first = _run(root, _project(root))
    assert first.returncode == 0, first.stderr
    return root


@pytest.fixture
def published(first_run, tmp_path):
    """This test's own copy of :func:`first_run` (every run here uses ``--force``)."""
    root = tmp_path / "project"
    shutil.copytree(first_run, root, symlinks=True)
    return root, _env(root)


def _cmd(tmp_path):
    return [
        sys.executable,
        "-m",
        "evalkit",
        "report",
        "--year",
        "2026",
        "--as-of",
        AS_OF,
        "--jobs",
        "1",
        "--force",
        "--dataset",
        str(tmp_path / "no-raw"),
    ]


def _run(tmp_path, env):
    return subprocess.run(_cmd(tmp_path), env=env, capture_output=True, text=True, timeout=300)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _start_and_kill(tmp_path, env, marker: str) -> str:
    """Start a run, wait until its output contains *marker*, SIGKILL its whole session."""
    return kill_run_at(_cmd(tmp_path), env, marker)


@pytest.mark.parametrize(
    "point, pause, marker",
    [
        ("during notebook execution", None, "slow 4/5"),
        ("during rendering", "render", "EVALKIT_PAUSED render"),
        ("between the report and site swaps", "publish-site", "EVALKIT_PAUSED publish-site"),
    ],
)
def test_kill_leaves_previous_outputs_and_rerun_succeeds(published, point, pause, marker):
    # The previous outputs come from one complete run (shared, copied for each case).
    tmp_path, e = published
    reports_before = _snapshot(tmp_path / "reports")
    site_before = _snapshot(tmp_path / "_site")
    assert "2026/slow.ipynb" in reports_before and "index.html" in site_before

    # Only the kill during execution needs a notebook still running; the others
    # pause at their checkpoint, so the notebook must not sleep on the way there.
    killed_env = dict(e, FAKE_NOTEBOOK_SLEEP="0" if pause else "60")
    if pause:
        killed_env["EVALKIT_PAUSE_AT"] = pause
    _start_and_kill(tmp_path, killed_env, marker)

    reports_after = _snapshot(tmp_path / "reports")
    site_after = _snapshot(tmp_path / "_site")
    if pause == "publish-site":
        # The new reports were published whole; the site is still the previous one, whole.
        assert set(reports_after) >= {"2026/slow.ipynb", "2026/summary.json", "2026/manifest.json"}
        json.loads(reports_after["2026/manifest.json"])
    else:
        assert {k: v for k, v in reports_after.items() if not k.startswith(".staging/")} == (
            reports_before
        ), point
    assert site_after == site_before, point

    again = _run(tmp_path, e)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "_site" / "reports" / "2026" / "slow.html").exists()
    assert not (tmp_path / "reports" / ".staging").exists()
    assert not list(tmp_path.glob("._site.*"))


def test_two_runs_at_once_one_refused(env):
    tmp_path, e = env
    gate = tmp_path / "gate"
    # The first run's notebook waits until the test opens the gate (at most 120 s).
    slow = dict(e, FAKE_NOTEBOOK_SLEEP="120", FAKE_NOTEBOOK_GATE=str(gate))
    # Returns once the first run holds the lock and executes.
    first = start_run(_cmd(tmp_path), slow, "slow")
    try:
        second = _run(tmp_path, dict(slow, EVALKIT_LOCK_TIMEOUT="1"))
        assert second.returncode == 2
        assert f"pid {first.pid}" in second.stderr and "运行锁" in second.stderr
    finally:
        gate.touch()
        rest, _ = first.communicate(timeout=300)
    assert first.returncode == 0, rest
    assert (tmp_path / "reports" / "2026" / "summary.json").exists()


def test_ctrl_c_stops_the_run_at_once_and_publishes_nothing(env):
    """Ctrl-C (SIGINT to the run's process group) while the first of two notebooks runs.

    The run stops (the notebook would sleep 600 s; the test waits at most 120 s) and
    ends by SIGINT (a shell sees 130) after one bilingual line, no traceback; the
    notebook queued behind the running one is never started, nothing is published,
    and the next run is not refused (the lock is free).
    """
    tmp_path, e = env
    # New notebooks run in name order: "slow" first, then this one (queued, --jobs 1).
    nbformat.write(_notebook(sleep_cell=False), tmp_path / "notebooks" / "zz_after.ipynb")
    gate = tmp_path / "gate"
    slow = dict(e, FAKE_NOTEBOOK_SLEEP="600", FAKE_NOTEBOOK_GATE=str(gate))
    proc = start_run(_cmd(tmp_path), slow, "slow 4/5", start_new_session=True)
    try:
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=120)
    finally:
        gate.touch()  # never leave a kernel sleeping
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGINT, rest
    assert rest.strip().splitlines()[-1] == cli.INTERRUPTED, rest
    assert "Traceback" not in rest and "zz_after" not in rest, rest
    assert not (tmp_path / "reports" / "2026").exists()
    assert not (tmp_path / "reports" / ".staging").exists()
    assert not (tmp_path / "_site").exists()
    again = _run(tmp_path, e)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "reports" / "2026" / "zz_after.ipynb").exists()
