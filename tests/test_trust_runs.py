"""Crash and concurrency safety with intake in the loop (complements ``test_pipeline_crash``).

``test_pipeline_crash`` kills runs without a raw dataset. Here every run curates
a copy of the demo submissions first, so a kill can land in curation too, and
every kill is checked against the same invariant, for curated data, reports and
the site alike: each is either exactly the previous version or exactly the
version a complete run produces — never a mix — and is readable; a rerun
completes and removes every staging/backup folder the killed run left.

Pause points are the pipeline's ``EVALKIT_PAUSE_AT`` checkpoints (honoured only
when that variable is set; tests set it, nothing else does): ``curate-swap``
(new curated store staged, not yet swapped in), ``render``, ``publish-site``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pytest
from pipeline_factory import copy_project
from trust_factory import DEMO_RAW, child_env, kill_run_at, scratch_env, start_run, tree_hashes

from evalkit import manifest as mf
from evalkit import store

YEAR, AS_OF = 2026, "2026-10-31"

pytestmark = pytest.mark.slow


def _notebook():
    """A quick report page reading two curated tables, with a sleep for kills to land in."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["evalkit"] = {"reads": ["reform_items", "projects"], "order": 10}
    params = nbformat.v4.new_code_cell(f'year = {YEAR}\nas_of = "{AS_OF}"\ndata_dir = "data"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_raw_cell('---\ntitle: "中断测试 改革事项"\n---'),
        params,
        nbformat.v4.new_code_cell(
            "from evalkit import report, store\n"
            "items = store.read_table('reform_items', data_dir)\n"
            "report.show_table(items[['item_id', 'title']].head(5))\n"
            "display(report.save_table(items[['item_id', 'zone_id', 'title']], 'items', year))"
        ),
        # Waits TRUST_NOTEBOOK_SLEEP seconds, or less once the file TRUST_NOTEBOOK_GATE exists.
        nbformat.v4.new_code_cell(
            "import os, time\n"
            "gate = os.environ.get('TRUST_NOTEBOOK_GATE')\n"
            "end = time.monotonic() + float(os.environ.get('TRUST_NOTEBOOK_SLEEP', '0'))\n"
            "while time.monotonic() < end and not (gate and os.path.exists(gate)):\n"
            "    time.sleep(0.05)"
        ),
    ]
    return nb


def _env(root: Path) -> dict[str, str]:
    """The environment of a run in the scratch project *root*."""
    env = scratch_env(root)
    env.update(
        EVALKIT_NOTEBOOKS_DIR=str(root / "notebooks"),
        EVALKIT_LOCK_TIMEOUT="1",
        TRUST_NOTEBOOK_SLEEP="0",
    )
    return child_env(env)


def _new_project(root: Path) -> tuple[Path, dict[str, str]]:
    nbdir = root / "notebooks"
    nbdir.mkdir()
    nbformat.write(_notebook(), nbdir / "trust.ipynb")
    shutil.copytree(DEMO_RAW, root / "raw")
    return root, _env(root)


@pytest.fixture
def project(tmp_path):
    """Scratch project: demo raw copy, one quick notebook; returns (root, env)."""
    return _new_project(tmp_path)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """A scratch project after one complete run (curation, the notebook, the site)."""
    root, env = _new_project(tmp_path_factory.mktemp("trust-first-run"))
    first = _run(root, env)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    return root


@pytest.fixture
def published(first_run, tmp_path):
    """This test's own copy of :func:`first_run`, as if that run had been made here."""
    root = copy_project(first_run, tmp_path / "project")
    return root, _env(root)


def _cmd(root: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "evalkit",
        "report",
        "--year",
        str(YEAR),
        "--as-of",
        AS_OF,
        "--jobs",
        "1",
        "--dataset",
        str(root / "raw"),
        *extra,
    ]


def _run(root: Path, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(root, *extra), env=env, capture_output=True, text=True, timeout=300)


#: Provenance of the code, not of the run's outputs: other commits land in a shared
#: checkout while this test runs, so these may differ between the killed run and
#: the rerun without any file being mixed.
_CODE_FIELDS = ("git_commit", "git_dirty", "code_sha256", "key")
_GIT_ON_PAGE = re.compile(r"git [0-9a-f]{12}(（含未提交改动 / uncommitted changes）)?")


def _stable_manifest(path: Path) -> str:
    man = mf.stable_view(json.loads(path.read_text(encoding="utf-8")))
    for doc in (man, *(man.get("notebooks") or {}).values()):
        for key in _CODE_FIELDS:
            doc.pop(key, None)
    return mf.sha256_text(json.dumps(man, sort_keys=True))


def _state(root: Path) -> dict[str, dict[str, str]]:
    """Hashes of the three published things, without run timestamps and code provenance."""
    reports = tree_hashes(root / "reports" / str(YEAR))
    man = root / "reports" / str(YEAR) / "manifest.json"
    if man.exists():
        reports["manifest.json"] = _stable_manifest(man)
    site = tree_hashes(root / "_site")
    for rel in site:
        if rel.endswith(".html"):
            text = (root / "_site" / rel).read_text(encoding="utf-8")
            site[rel] = mf.sha256_text(_GIT_ON_PAGE.sub("git ?", text))
        elif rel.endswith("manifest.json"):
            site[rel] = _stable_manifest(root / "_site" / rel)
    return {
        "curated": tree_hashes(root / "data" / "curated"),
        "reports": reports,
        "site": site,
    }


def _readable(root: Path) -> None:
    """Every published file opens: curated tables, notebooks, JSON, pages."""
    data = root / "data"
    for name in ("reform_items", "projects"):
        assert len(store.read_table(name, data)) > 0
    year = root / "reports" / str(YEAR)
    nbformat.read(year / "trust.ipynb", as_version=4)
    json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    json.loads((year / "summary.json").read_text(encoding="utf-8"))
    openpyxl.load_workbook(year / "tables" / f"items_{YEAR}.xlsx")
    assert "</html>" in (root / "_site" / "reports" / str(YEAR) / "trust.html").read_text("utf-8")


def _poison_one_title(raw: Path) -> None:
    """Change one reform title: a complete run then changes curated data, reports and site."""
    book = raw / "suihua_etdz.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["改革事项台账"]
    top = next(i for i in range(1, 6) if "事项名称" in [str(c.value).strip() for c in ws[i]])
    j = [str(c.value).strip() for c in ws[top]].index("事项名称") + 1
    ws.cell(row=top + 1, column=j).value = "修订后的事项名称（中断测试）"
    wb.save(book)


def _kill_at(root: Path, env: dict, marker: str, delay: float = 0.0) -> str:
    """Start a run in its own session; SIGKILL the whole session *delay* s after *marker*."""
    return kill_run_at(_cmd(root), env, marker, delay)


#: (what is running when killed, pause checkpoint, output marker, seconds after the marker)
KILL_POINTS = [
    ("curation: reading submissions", None, "整理原始数据 curating", 0.3),
    ("curation: new store staged, not swapped", "curate-swap", "EVALKIT_PAUSED curate-swap", 0),
    ("notebook execution", None, "▶ trust", 2.0),
    ("rendering", "render", "EVALKIT_PAUSED render", 0),
    ("between reports and site swaps", "publish-site", "EVALKIT_PAUSED publish-site", 0),
]


def test_kills_leave_old_or_new_never_a_mix(published):
    root, env = published  # after one complete run
    old = _state(root)
    _readable(root)

    _poison_one_title(root / "raw")
    observed = []
    for point, pause, marker, delay in KILL_POINTS:
        # Only the kill during execution needs a notebook still running.
        sleep = "60" if point == "notebook execution" else "0"
        killed_env = dict(env, TRUST_NOTEBOOK_SLEEP=sleep)
        if pause:
            killed_env["EVALKIT_PAUSE_AT"] = pause
        _kill_at(root, killed_env, marker, delay)
        observed.append((point, _state(root)))
        _readable(root)  # whatever moment the kill hit, everything published still opens

    again = _run(root, env)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    new = _state(root)
    _readable(root)
    for part in ("curated", "reports", "site"):
        assert new[part] != old[part], f"the data change should reach {part}"

    for point, state in observed:
        for part in ("curated", "reports", "site"):
            assert state[part] in (old[part], new[part]), f"{point}: {part} is a mix"
    states = dict(observed)
    # Killed before curation finished: everything is still the previous version.
    assert states["curation: reading submissions"] == old
    assert states["curation: new store staged, not swapped"] == old
    # Curation is its own atomic step: once done, later kills keep the new store.
    assert states["notebook execution"]["curated"] == new["curated"]
    assert states["notebook execution"]["reports"] == old["reports"]
    assert states["rendering"]["reports"] == old["reports"]
    assert states["rendering"]["site"] == old["site"]
    assert states["between reports and site swaps"]["reports"] == new["reports"]
    assert states["between reports and site swaps"]["site"] == old["site"]

    # The rerun left no staging, backup or half-swapped folder behind.
    leftovers = [
        p.relative_to(root).as_posix()
        for p in root.rglob(".*")
        if re.search(r"\.(new|old)-\d+$|^\.staging$", p.name)
    ]
    assert leftovers == []
    assert not (root / "build" / "site-src").exists()


def test_killed_swap_of_curated_store_is_recovered(published):
    """A crash between the two renames of a non-atomic swap: the next run puts the store back."""
    root, env = published  # after one complete run
    curated = root / "data" / "curated"
    before = tree_hashes(curated)
    parked = curated.with_name(".curated.old-999999")
    os.rename(curated, parked)
    staged = curated.with_name(".curated.new-999999")
    staged.mkdir()
    (staged / "half.parquet").write_bytes(b"PAR1")
    # The report run refuses nothing and curates again; the store was recovered first.
    proc = _run(root, env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert tree_hashes(curated) == before
    assert not parked.exists() and not staged.exists()


def test_second_run_waits_then_finds_nothing_to_do(project):
    """With a long lock wait the second run queues behind the first; no work is done twice."""
    root, env = project
    gate = root / "gate"
    slow = dict(
        env, TRUST_NOTEBOOK_SLEEP="120", TRUST_NOTEBOOK_GATE=str(gate), EVALKIT_LOCK_TIMEOUT="240"
    )
    first = start_run(_cmd(root), slow, "curating")  # it holds the lock once it curates
    try:
        # The second run says it waits for the lock; only then may the first one finish.
        waiting = start_run(
            _cmd(root), dict(slow, TRUST_NOTEBOOK_SLEEP="0"), "waiting for the run lock"
        )
        gate.touch()
        out2, _ = waiting.communicate(timeout=300)
        second = subprocess.CompletedProcess(waiting.args, waiting.returncode, out2, out2)
        rest, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, rest
    assert second.returncode == 0, second.stderr
    # The second run started after the first had published: everything was up to date.
    assert "0 个已执行 executed, 1 个无变化 up to date" in second.stdout
    _readable(root)
    assert not (root / "reports" / ".staging").exists()


def test_second_run_refused_names_lock_and_leaves_first_intact(project):
    root, env = project
    gate = root / "gate"
    slow = dict(env, TRUST_NOTEBOOK_SLEEP="120", TRUST_NOTEBOOK_GATE=str(gate))
    first = start_run(_cmd(root), slow, "▶ trust")
    try:
        before = _state(root)
        second = _run(root, dict(env, EVALKIT_LOCK_TIMEOUT="0.5"))
        during = _state(root)
        gate.touch()
        rest, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2
    assert "运行锁" in second.stderr and "holds the run lock" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    # The refused run wrote nothing: not even intake ran.
    assert during == before and "curating" not in second.stdout
    assert first.returncode == 0, rest
    _readable(root)


def test_validate_respects_the_run_lock(tmp_path, monkeypatch):
    """``evalkit validate`` must not swap curated data under a running report."""
    from evalkit import pipeline

    env = child_env(scratch_env(tmp_path))
    for k in ("EVALKIT_BUILD_DIR", "EVALKIT_DATA_DIR"):
        monkeypatch.setenv(k, env[k])
    cmd = [sys.executable, "-m", "evalkit", "validate", "--dataset", str(DEMO_RAW)]
    cmd += ["--data-dir", env["EVALKIT_DATA_DIR"]]
    curated = Path(env["EVALKIT_DATA_DIR"]) / "curated"
    with pipeline.run_lock():
        refused = subprocess.run(
            cmd, env=dict(env, EVALKIT_LOCK_TIMEOUT="0.5"), capture_output=True, text=True
        )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "运行锁" in refused.stderr and f"pid {os.getpid()}" in refused.stderr
    assert not (curated / "reform_items.parquet").exists()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(store.read_table("reform_items", Path(env["EVALKIT_DATA_DIR"]))) > 0


def test_killing_only_the_main_process_leaves_no_orphans(published):
    """SIGKILL to ``evalkit report`` alone (not its session): its workers and kernels die too."""
    import psutil

    root, env = published  # after one complete run
    before = _state(root)
    proc = start_run(
        _cmd(root, "--force"),
        dict(env, TRUST_NOTEBOOK_SLEEP="60"),
        "trust 4/5",  # the last cell (the sleep) is running in the kernel
        start_new_session=True,
    )
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the run should have worker processes"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        gone, alive = psutil.wait_procs(children, timeout=20)
        assert [p.cmdline()[:4] for p in alive] == []
    finally:
        with_pgid = [p for p in psutil.process_iter() if p.pid != os.getpid()]
        for p in with_pgid:
            try:
                if os.getpgid(p.pid) == proc.pid:
                    p.kill()
            except (psutil.Error, ProcessLookupError):
                pass
    assert _state(root) == before
    again = _run(root, env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not (root / "reports" / ".staging").exists()
