"""Session-wide fixtures: the curated demo store and one traced report run, each built once.

Both are built in scratch folders (``EVALKIT_*`` variables), never in the
project's ``data/``, ``reports/`` or ``_site/``. Tests only read them; a test
that changes something copies the project first (``pipeline_factory.copy_project``).
Under pytest-xdist every worker shares one build (a file lock in the session's
common temporary folder), so the expensive run happens once per session.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from filelock import FileLock
from pipeline_factory import DEMO_RAW, project_env, trace_startup

from evalkit import paths
from evalkit.core import numerics

# Before any test imports numpy: this process, the xdist workers, nbval's kernels and
# every run a test starts compute as the report's processes do (evalkit.core.numerics:
# the same BLAS kernels and numpy SIMD paths on Linux x86-64 with AVX2 and FMA,
# whatever the machine's environment sets), as the committed reports were computed.
numerics.pin()

YEAR, AS_OF = 2026, "2026-10-31"
TESTS = Path(__file__).resolve().parent

#: Test files by their measured time (``--durations``), longest first. ``make test`` runs
#: pytest-xdist with ``--dist loadfile --no-loadscope-reorder``: whole files (a notebook's
#: nbval cells are one file) go to the workers in collection order, so these start first
#: and no worker is left running one long file alone at the end. The first file builds
#: the session's ``demo_report`` while the second (which does not need it) runs on the
#: other worker. Order only: no test depends on it; files not listed follow in their
#: usual order.
LONGEST_FIRST = (
    "test_pipeline_incremental.py",
    "e2e/test_other_pilot_zone.py",
    "test_trust_runs.py",
    "test_pipeline_crash.py",
    "test_pipeline.py",
    "unit/intake/test_intake_corpus.py",
    "test_hostile_browser.py",
    "unit/topics/impact/test_impact_compute.py",
    "unit/topics/closing/test_closing_compute.py",
    "unit/topics/summary/test_summary_compute.py",
    "unit/intake/test_intake_roundtrip_props.py",
    "unit/topics/composite/test_composite_compute.py",
    "test_pipeline_reader.py",
    "test_site_browser.py",
    "integration/test_add_a_special_topic.py",
    "test_trust_params.py",
    "integration/test_editions_pipeline.py",
    "unit/intake/test_intake_run.py",
    "unit/topics/impact/test_impact_inference.py",
    "unit/demo/test_demo.py",
)


#: Runs last: it compares what nbval wrote, and waits for nbval to finish if it must.
LAST = "test_pipeline_backtest.py"


def pytest_collection_modifyitems(config, items) -> None:
    """Order the session (a stable sort): :data:`LONGEST_FIRST` in that order, then nbval's
    notebooks (``make test`` runs them in the same session), the other files, :data:`LAST`.
    """
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item) -> tuple[int, int]:
        try:
            name = item.path.relative_to(TESTS).as_posix()
        except ValueError:  # an item outside tests/: nbval's notebook cells
            return (1, 0)
        if name in rank:
            return (0, rank[name])
        return (3, 0) if name == LAST else (2, 0)

    items.sort(key=key)


#: The evalkit source hash every run of these fixtures records (see :func:`pin_code_hash`).
PINNED_CODE = "code-pinned-for-tests"


def pin_code_hash(mp: pytest.MonkeyPatch) -> None:
    """Pin the evalkit source hash: edits to src/ while a session runs must not re-run everything."""
    from evalkit import manifest as mf

    mp.setattr(mf, "source_sha256", lambda: PINNED_CODE)


def _shared(tmp_path_factory, worker_id: str, name: str, build) -> Path:
    """Return folder *name* built once by ``build(folder)`` for the whole session (all workers)."""
    if worker_id == "master":  # no xdist
        folder = tmp_path_factory.getbasetemp() / name
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".done").touch()
        return folder
    common = tmp_path_factory.getbasetemp().parent
    folder = common / name
    with FileLock(str(common / f"{name}.lock")):
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".done").touch()
    return folder


@pytest.fixture(scope="session")
def xdist_worker(request) -> str:
    """The pytest-xdist worker id (``master`` without xdist)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def _build_demo_store(folder: Path) -> None:
    from evalkit import pipeline

    data = folder / "data"
    shutil.copytree(paths.ROOT / "data" / "config", data / "config")
    shutil.copytree(DEMO_RAW, folder / "raw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_BUILD_DIR", str(folder / "build"))
        pin_code_hash(mp)
        assert pipeline.run_intake(folder / "raw", data, out=lambda s: None) is True


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory, xdist_worker) -> Path:
    """A scratch project with the demo submissions (``raw/``) curated into ``data/curated``.

    Returns the project root; ``build/intake-state.json`` records the curation.
    """
    return _shared(tmp_path_factory, xdist_worker, "demo-store", _build_demo_store)


def _build_demo_report(store: Path):
    def build(folder: Path) -> None:
        from evalkit import pipeline

        for name in ("data", "raw", "build"):
            shutil.copytree(store / name, folder / name)
        shutil.copytree(paths.ROOT / "notebooks", folder / "notebooks")
        trace = folder / "trace"
        trace.mkdir()
        with pytest.MonkeyPatch.context() as mp:
            for k, v in project_env(folder).items():
                mp.setenv(k, v)
            pin_code_hash(mp)
            mp.setenv("IPYTHONDIR", str(trace_startup(folder / "ipython")))
            mp.setenv("EVALKIT_TRACE_DIR", str(trace))
            res = pipeline.run_report(
                YEAR, AS_OF, jobs=2, dataset=folder / "raw", out=lambda s: None
            )
        (folder / "result.json").write_text(
            json.dumps({"executed": res.executed, "up_to_date": res.up_to_date}), "utf-8"
        )

    return build


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory, xdist_worker, demo_store) -> Path:
    """One report run of every template notebook on the demo data, with read tracing.

    Returns the project root: ``reports/2026``, ``_site``, ``trace/<page>.<pid>.txt``
    (files each page's kernel read) and ``result.json`` (executed notebooks).
    """
    return _shared(tmp_path_factory, xdist_worker, "demo-report", _build_demo_report(demo_store))


@pytest.fixture
def scratch_project(tmp_path, monkeypatch):
    """Point every ``EVALKIT_*`` folder at *tmp_path* for one test; return a setter for a root."""

    def use(root: Path) -> Path:
        for k, v in project_env(root).items():
            monkeypatch.setenv(k, v)
        return root

    monkeypatch.delenv("EVALKIT_PAUSE_AT", raising=False)
    monkeypatch.delenv("EVALKIT_TRACE_DIR", raising=False)
    pin_code_hash(monkeypatch)
    return use
