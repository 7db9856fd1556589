"""The report pipeline: ``python -m evalkit report --year 2026`` from data to a published site.

Steps, each safe to interrupt:

1. validate the year and as-of date (before anything runs; nothing reaches a shell);
2. take the run lock (``build/.evalkit.lock``): a second run waits briefly, then refuses;
3. curate the raw dataset with :func:`evalkit.intake.run` when that module exists;
4. execute the template notebooks whose inputs changed (content hashes in the run
   manifest) with papermill, in parallel, into a staging copy of ``reports/<year>``;
5. merge ``summary.parts/*.json`` into ``summary.json``, write ``manifest.json``;
6. swap the staging folder into ``reports/<year>`` atomically, then render the site
   (:mod:`evalkit.site`), which is swapped into ``_site/`` atomically too.

A failing notebook stops the run with the notebook, cell and error named; the
published reports and site are left as they were.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import manifest as mf
from . import paths, provenance, publish

#: Years the plan's data can cover (plan issued 2024; the mechanism is to run beyond 2026).
YEAR_MIN, YEAR_MAX = 2024, 2030
#: Default raw dataset curated before the notebooks run.
DEFAULT_DATASET = "data/raw/demo"
#: Seconds a second run waits for the lock before refusing (override: EVALKIT_LOCK_TIMEOUT).
LOCK_WAIT_SECONDS = 10.0


def say(text: str) -> None:
    """Print one progress line at once (unbuffered even when piped, so lines stay in order)."""
    print(text, flush=True)


def checkpoint(name: str) -> None:
    """Pause at step *name* when ``EVALKIT_PAUSE_AT`` names it (crash-safety tests kill the run here)."""
    if os.environ.get("EVALKIT_PAUSE_AT") == name:
        print(f"EVALKIT_PAUSED {name}", flush=True)
        time.sleep(float(os.environ.get("EVALKIT_PAUSE_SECONDS", "120")))


class PipelineError(Exception):
    """A user-facing failure with a bilingual (zh / en) message; the run exits non-zero."""


# --- Parameters ------------------------------------------------------------------


def validate_year(value: object) -> int:
    """Return *value* as a report year, or raise :class:`PipelineError` (zh/en).

    Only a plain four-digit year within ``YEAR_MIN..YEAR_MAX`` is accepted, so
    nothing else (``abc``, ``1999``, ``2026; rm -rf .``) reaches any later step.
    """
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise PipelineError(
            f"无效的评估年度 {text!r}：须为 {YEAR_MIN}–{YEAR_MAX} 之间的四位数字年份 / "
            f"invalid year {text!r}: must be a four-digit year between {YEAR_MIN} and {YEAR_MAX}"
        )
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PipelineError(
            f"评估年度 {year} 超出行动计划的数据范围 {YEAR_MIN}–{YEAR_MAX} / "
            f"year {year} is outside the plan's data range {YEAR_MIN}–{YEAR_MAX}"
        )
    return year


def validate_as_of(value: object, year: int) -> str:
    """Return *value* as an ISO as-of date within *year*, or raise :class:`PipelineError`."""
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise PipelineError(
            f"无效的数据截至日期 {text!r}：格式须为 YYYY-MM-DD / "
            f"invalid as-of date {text!r}: expected YYYY-MM-DD"
        ) from None
    if date.year != year:
        raise PipelineError(
            f"数据截至日期 {text} 不在评估年度 {year} 内 / as-of date {text} is not in year {year}"
        )
    return text


def default_as_of(year: int, data: Path) -> str:
    """Return the as-of date used when none is given: never today's date, so runs repeat.

    A year the curated data cover completely gets ``YEAR-12-31``; the year the data
    end in gets the curated ``_meta.json`` ``as_of``. Without metadata: ``YEAR-12-31``.
    """
    from .store import read_meta

    try:
        meta = read_meta(data)
    except (OSError, ValueError):
        meta = {}
    end = f"{year}-12-31"
    data_as_of = str(meta.get("as_of") or "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data_as_of):
        return end
    if data_as_of >= end:
        return end
    if data_as_of < f"{year}-01-01":
        raise PipelineError(
            f"已整理数据截至 {data_as_of}，不含 {year} 年数据（{paths.curated_dir(data)}/_meta.json）/ "
            f"curated data end on {data_as_of}: nothing to report for {year}"
        )
    return data_as_of


def notebook_data_param(data: Path) -> str:
    """Return the ``data_dir`` notebook parameter: root-relative (``"data"``) when possible.

    Executed reports are committed and re-run by nbval from other clones, so the
    parameter must not be an absolute path; only a data folder outside the project
    (tests) is passed as is.
    """
    try:
        return Path(data).resolve().relative_to(paths.ROOT).as_posix() or "."
    except ValueError:
        return str(Path(data).resolve())


# --- Run lock --------------------------------------------------------------------


def lock_path() -> Path:
    """Return the path of the run lock file (``build/.evalkit.lock``)."""
    return paths.build_dir() / ".evalkit.lock"


@contextlib.contextmanager
def run_lock(timeout: float | None = None):
    """Hold the run lock; wait up to *timeout* seconds, then refuse naming the holder's pid."""
    from filelock import FileLock, Timeout

    if timeout is None:
        timeout = float(os.environ.get("EVALKIT_LOCK_TIMEOUT", LOCK_WAIT_SECONDS))
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    owner = path.with_name(path.name + ".owner")
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = owner.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            holder = "?"
        raise PipelineError(
            f"另一个 evalkit 运行（进程 {holder}）正持有运行锁 {path}，请等待其结束后重试 / "
            f"another evalkit run (pid {holder}) holds the run lock {path}; "
            f"wait for it to finish and try again"
        ) from None
    try:
        owner.write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield path
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


# --- Intake ----------------------------------------------------------------------


def run_intake(dataset: Path, data: Path, out=say) -> bool:
    """Curate *dataset* into *data* with :func:`evalkit.intake.run` if that module exists.

    Returns True when intake ran. Without the intake module, or without the raw
    dataset, the curated tables already present are used as they are.
    """
    if importlib.util.find_spec("evalkit.intake") is None:
        out("· 未安装数据整理模块，直接使用已整理数据 / no intake module: using curated data as is")
        return False
    if not Path(dataset).exists():
        out(
            f"· 未找到原始数据 {mf.display_path(dataset)}，直接使用已整理数据 / "
            f"raw dataset missing: using curated data as is"
        )
        return False
    from . import intake

    state_path = paths.build_dir() / "intake-state.json"
    state = intake_state(Path(dataset), Path(data))
    try:
        previous = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    if previous == state:
        out("· 原始数据与已整理数据均无变化，跳过整理 / raw data unchanged: curation up to date")
        return False
    out(f"· 整理原始数据 curating {mf.display_path(dataset)} …")
    result = intake.run(Path(dataset), Path(data))
    status = getattr(result, "status", 0)
    findings = list(getattr(result, "findings", []) or [])
    errors = [f for f in findings if getattr(f, "severity", "") == "error"]
    if status:
        where = getattr(result, "report_path", None)
        first = "\n".join(
            "  - "
            + " ".join(
                str(x)
                for x in (
                    getattr(f, "file", ""),
                    getattr(f, "sheet", ""),
                    f"row {f.row}" if getattr(f, "row", None) else "",
                    getattr(f, "column", ""),
                    getattr(f, "message", ""),
                )
                if x
            )
            for f in errors[:5]
        )
        raise PipelineError(
            f"原始数据校验失败（{len(errors)} 个错误），已整理数据未改动；详见 "
            f"{mf.display_path(where) if where else 'python -m evalkit validate'} / "
            f"intake failed ({len(errors)} errors); curated data unchanged\n{first}"
        )
    out(
        f"  已整理 curated: {len(errors)} 个行级错误已隔离 row errors quarantined, "
        f"{len(findings) - len(errors)} 个警告 warnings"
    )
    # Intake never writes into the raw dataset: only the curated hashes changed.
    state["curated"] = _file_hashes(paths.curated_dir(data))
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state, sort_keys=True))
    return True


def intake_state(dataset: Path, data: Path) -> dict:
    """Return the content hashes deciding whether curation must run again.

    The raw files, the evalkit code and the curated files themselves: a curated
    table changed by anything else (``demo --curated-only``) is curated again.
    """
    return {
        "raw": _file_hashes(Path(dataset)),
        "curated": _file_hashes(paths.curated_dir(data)),
        "code_sha256": mf.source_sha256(),
    }


def _file_hashes(folder: Path) -> dict[str, str]:
    """Return ``{path relative to folder: SHA-256}`` of every file under *folder*, sorted."""
    return {
        p.relative_to(folder).as_posix(): mf.sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- Notebook execution ----------------------------------------------------------

_progress_queue = None
_progress_name = ""


def _die_with_parent() -> None:
    """Have Linux SIGKILL this worker when the run's main process dies.

    A killed ``evalkit report`` must not leave workers behind: an orphan would
    finish its notebook into a staging folder the next run has already cleaned,
    then wait forever for work. Elsewhere this is a no-op.
    """
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    except (OSError, AttributeError):
        return


def _worker_init(queue) -> None:
    """Initialize a worker process: keep the progress queue and register the progress engine."""
    global _progress_queue
    _die_with_parent()
    _progress_queue = queue
    from papermill.engines import NBClientEngine, papermill_engines

    class ProgressEngine(NBClientEngine):
        """Papermill's nbclient engine that reports each finished cell to the parent."""

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

    papermill_engines.register("evalkit-progress", ProgressEngine)


def _first_line(source: str) -> str:
    """Return the first non-empty line of a cell's source, shortened."""
    for line in str(source).splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def execute_task(task: dict) -> dict:
    """Execute one notebook with papermill (in a worker process); return a result dict.

    Never raises: a failure comes back as ``{"ok": False, "cell": …, "error": …}``.
    """
    global _progress_name
    _progress_name = task["name"]
    os.environ.update(task["env"])
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    if _progress_queue is not None:
        _progress_queue.put(("start", task["name"], 0, 0))
    try:
        pm.execute_notebook(
            task["template"],
            task["output"],
            parameters=task["params"],
            cwd=task["cwd"],
            progress_bar=False,
            engine_name="evalkit-progress" if _progress_queue is not None else None,
        )
    except PapermillExecutionError as e:
        nb = nbformat.read(task["output"], as_version=4)
        template_index = _template_cell_index(nb, e.cell_index)
        return {
            "name": task["name"],
            "ok": False,
            "cell_index": template_index,
            "cell_source": _first_line(e.source),
            "error": f"{e.ename}: {e.evalue}",
        }
    except Exception as e:  # kernel died, bad notebook JSON, …: report, never hang
        return {
            "name": task["name"],
            "ok": False,
            "cell_index": None,
            "cell_source": "",
            "error": f"{type(e).__name__}: {e}",
        }
    finalize_notebook(Path(task["output"]))
    return {"name": task["name"], "ok": True, "seconds": round(time.monotonic() - started, 2)}


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

    def update(self, kind: str, name: str, done: int, total: int) -> None:
        """Record one progress message from a worker."""
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


def execute_all(tasks: list[dict], jobs: int, out=say) -> list[dict]:
    """Execute *tasks* on *jobs* worker processes; stop scheduling at the first failure."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    if not tasks:
        return []
    ctx = mp.get_context("spawn")  # fresh interpreters: no inherited threads or kernels
    queue = ctx.Queue()
    progress = Progress([t["name"] for t in tasks])
    stop = threading.Event()
    drainer = threading.Thread(target=_drain, args=(queue, progress, stop), daemon=True)
    drainer.start()
    results: list[dict] = []
    try:
        with ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(tasks))),
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(queue,),
        ) as pool:
            pending = {pool.submit(execute_task, t) for t in tasks}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    res = fut.result()
                    results.append(res)
                    if res["ok"]:
                        out(f"  ✓ {res['name']} 完成 done ({res['seconds']:.1f} s)")
                if any(not r["ok"] for r in results):
                    for fut in pending:
                        fut.cancel()
                    pending = {f for f in pending if not f.cancelled()}
    finally:
        stop.set()
        drainer.join(timeout=5)
        progress.close()
    return results


# --- Summary ---------------------------------------------------------------------

ZONE_FIELDS = (
    "reforms_replicated",
    "reforms_original",
    "funds_in_place_wan_yuan",
    "funds_yoy_growth",
    "composite_score",
    "rank",
)
TARGET_FIELDS = ("reforms_replicated", "reforms_original", "funds_growth")


def base_summary(year: int, as_of: str, synthetic: bool | None) -> dict:
    """Return the summary skeleton (issue 2 item 6) with ``null`` for every headline figure."""
    from .schema import ZONES

    zone = {f: None for f in ZONE_FIELDS}
    zone["targets_met"] = {f: None for f in TARGET_FIELDS}
    return {
        "year": int(year),
        "as_of": as_of,
        "synthetic_data": synthetic,
        "zones": {z: json.loads(json.dumps(zone)) for z in ZONES},
    }


def deep_merge(base: dict, part: dict, where: str, trail: str = "") -> None:
    """Merge *part* into *base* in place: mappings recursively, ``null`` never overwrites.

    Two parts giving different non-null values for the same field is an error that
    names the field and the part (*where*): a headline figure must have one value.
    """
    for key, value in part.items():
        dotted = f"{trail}{key}"
        if isinstance(value, dict):
            if base.get(key) is None:
                base[key] = {}
            if not isinstance(base[key], dict):
                raise PipelineError(
                    f"摘要字段 {dotted} 类型冲突（{where}）/ summary field {dotted} conflicts in {where}"
                )
            deep_merge(base[key], value, where, dotted + ".")
        elif value is None:
            base.setdefault(key, None)
        elif base.get(key) is None or base[key] == value:
            base[key] = value
        else:
            raise PipelineError(
                f"摘要字段 {dotted} 有两个不同的值：{base[key]!r} 与 {value!r}（{where}）/ "
                f"summary field {dotted} has two different values: {base[key]!r} vs {value!r} ({where})"
            )


def merge_summary(report_dir: Path, year: int, as_of: str, synthetic: bool | None) -> dict:
    """Merge ``summary.parts/*.json`` (sorted by name) over the skeleton; return the summary."""
    summary = base_summary(year, as_of, synthetic)
    for part in sorted((Path(report_dir) / "summary.parts").glob("*.json")):
        try:
            data = json.loads(part.read_text(encoding="utf-8"))
        except ValueError as e:
            raise PipelineError(
                f"摘要片段无法读取 {part.name}: {e} / summary part {part.name} is not valid JSON"
            ) from None
        deep_merge(summary, data, f"summary.parts/{part.name}")
    summary["year"], summary["as_of"] = int(year), as_of
    return summary


def summary_json(summary: dict) -> str:
    """Serialize the summary deterministically."""
    return json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- The run ---------------------------------------------------------------------


@dataclass
class RunResult:
    """What a report run did."""

    year: int
    as_of: str
    executed: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    renderer: str | None = None
    #: Wall-clock seconds spent executing notebooks (the parallel phase), for bench/.
    execute_seconds: float = 0.0


def templates() -> list[Path]:
    """Return the template notebooks (``notebooks/*.ipynb``), sorted by name."""
    return sorted(p for p in paths.notebooks_dir().glob("*.ipynb") if not p.name.startswith("."))


def _read_json(path: Path) -> dict:
    """Return the JSON object in *path*."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def failure_message(res: dict) -> str:
    """Return the bilingual message for a failed notebook: notebook, cell, error."""
    cell = (
        f"第 {res['cell_index']} 个单元格（模板中从 0 计）「{res['cell_source']}」"
        if res.get("cell_index") is not None
        else "（未定位到单元格）"
    )
    cell_en = (
        f"cell {res['cell_index']} (0-based, in the template) `{res['cell_source']}`"
        if res.get("cell_index") is not None
        else "(no cell)"
    )
    return (
        f"报告执行失败：{res['name']} {cell}：{res['error']}\n"
        f"report failed: notebook {res['name']}, {cell_en}: {res['error']}\n"
        f"已发布的 reports/ 与 _site/ 未改动 / published reports/ and _site/ are unchanged"
    )


def run_report(
    year: int,
    as_of: str | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    dataset: str | Path | None = None,
    render: bool = True,
    out=say,
) -> RunResult:
    """Run the whole report job for *year*; raise :class:`PipelineError` on failure.

    *year* and *as_of* must already be validated (see :func:`validate_year`).
    """
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data = paths.data_dir()
    with run_lock():
        publish.recover(paths.report_dir(year))
        publish.recover(paths.site_dir())
        publish.recover(paths.curated_dir(data))  # a killed intake's half-swapped store
        run_intake(paths.resolve(dataset or DEFAULT_DATASET), data, out=out)
        if as_of is None:
            as_of = default_as_of(year, data)
        as_of = validate_as_of(as_of, year)
        params = {"year": int(year), "as_of": as_of, "data_dir": notebook_data_param(data)}
        result = RunResult(year=int(year), as_of=as_of)
        out(f"评估年度 year {year} · 数据截至 as of {as_of}")

        published = paths.report_dir(year)
        old = mf.read_manifest(published)
        code_sha = mf.source_sha256()
        hashes: dict[Path, str] = {}
        entries: dict[str, dict] = {}
        tasks: list[dict] = []

        # We hold the lock: any staging folder left is from a killed run.
        shutil.rmtree(paths.reports_dir() / ".staging", ignore_errors=True)
        staging_root = paths.reports_dir() / ".staging" / f"run-{os.getpid()}"
        stage = staging_root / str(int(year))
        # Incremental runs start from the published year (up-to-date notebooks keep their
        # outputs); --force starts empty, so tables no notebook writes any more disappear.
        if published.exists() and not force:
            shutil.copytree(published, stage, symlinks=True)
        stage.mkdir(parents=True, exist_ok=True)
        env = {"EVALKIT_REPORTS_DIR": str(staging_root), "PYTHONHASHSEED": "0"}
        try:
            names = []
            for template in templates():
                name = template.stem
                names.append(name)
                nb = _read_json(template)
                entry = mf.notebook_entry(
                    template, mf.notebook_reads(nb), data, params, code_sha, hashes
                )
                entries[name] = entry
                previous = (old.get("notebooks") or {}).get(name, {})
                output = stage / template.name
                if not force and previous.get("key") == entry["key"] and output.exists():
                    result.up_to_date.append(name)
                    continue
                tasks.append(
                    {
                        "name": name,
                        "template": str(template),
                        "output": str(output),
                        "params": params,
                        "cwd": str(stage),
                        "env": env,
                    }
                )
            # Reports whose template was removed leave the published year too.
            for stale in stage.glob("*.ipynb"):
                if stale.stem not in names:
                    stale.unlink()
            if not names:
                out("· notebooks/ 中没有模板 / no template notebooks in notebooks/")

            n_jobs = jobs or os.cpu_count() or 1
            if tasks:
                out(f"执行 executing {len(tasks)} 个笔记本 notebook(s) on {n_jobs} worker(s) …")
            t0 = time.monotonic()
            results = execute_all(tasks, n_jobs, out=out)
            result.execute_seconds = time.monotonic() - t0
            failed = [r for r in results if not r["ok"]]
            if failed:
                raise PipelineError("\n".join(failure_message(r) for r in failed))
            result.executed = sorted(r["name"] for r in results)

            from .store import read_meta

            summary = merge_summary(stage, year, as_of, read_meta(data).get("synthetic"))
            (stage / "summary.json").write_text(summary_json(summary), encoding="utf-8")

            renderer = None
            if render:
                from . import site

                renderer = site.renderer_name()
            man = mf.base_manifest(year, params, renderer)
            man["notebooks"] = dict(sorted(entries.items()))
            man["inputs_sha256"] = dict(
                sorted(
                    {k: v for e in entries.values() for k, v in e["inputs_sha256"].items()}.items()
                )
            )
            # Timestamps live under "run" only (excluded from determinism comparisons).
            previous_runs = (old.get("run") or {}).get("notebooks", {})
            man["run"] = {
                "started": started_at,
                "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "notebooks": {
                    n: started_at if n in result.executed else previous_runs.get(n)
                    for n in sorted(entries)
                },
            }
            provenance.annotate_manifest(man, data)  # raw-file hashes, git state, renderer version
            (stage / mf.MANIFEST_NAME).write_text(mf.manifest_json(man), encoding="utf-8")
            out(
                f"{len(result.executed)} 个已执行 executed, "
                f"{len(result.up_to_date)} 个无变化 up to date"
            )
            built = None
            if render:
                # Render from the staged reports before publishing anything, so a
                # rendering failure leaves both reports/ and _site/ as they were.
                checkpoint("render")
                built, result.renderer = site.prepare_site({int(year): stage}, out=out)
            checkpoint("publish-reports")
            publish.swap_dir(stage, published)
            checkpoint("publish-site")
            if built is not None:
                site.publish_site(built, out=out)
        finally:
            shutil.rmtree(staging_root, ignore_errors=True)
            with contextlib.suppress(OSError):
                (paths.reports_dir() / ".staging").rmdir()

    return result


# --- Command line ----------------------------------------------------------------


def _site_error() -> type[Exception]:
    """Return the site module's error class (imported late: rendering is optional)."""
    from .site import SiteError

    return SiteError


def _cmd_report(args: argparse.Namespace) -> int:
    """Run ``evalkit report``; print a bilingual message and return 2 on failure."""
    try:
        year = validate_year(args.year)
        as_of = validate_as_of(args.as_of, year) if args.as_of is not None else None
        if args.jobs is not None and args.jobs < 1:
            raise PipelineError("--jobs 须为正整数 / --jobs must be a positive integer")
        run_report(year, as_of, jobs=args.jobs, force=args.force, dataset=args.dataset)
    except (PipelineError, _site_error()) as e:
        print(f"错误 error: {e}", file=sys.stderr)
        return 2
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    """Run ``evalkit render``: rebuild the site from the published reports."""
    from . import site

    try:
        with run_lock():
            site.build_site()
    except (PipelineError, site.SiteError) as e:
        print(f"错误 error: {e}", file=sys.stderr)
        return 2
    return 0


def register(sub) -> None:
    """Add the ``report`` and ``render`` sub-commands."""
    p = sub.add_parser(
        "report", help="execute the year's notebooks and publish the site / 生成年度报告"
    )
    p.add_argument("--year", required=True, help=f"report year, {YEAR_MIN}–{YEAR_MAX} / 评估年度")
    p.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="as-of date YYYY-MM-DD (default: YEAR-12-31, or the curated data's as_of) / 数据截至日期",
    )
    p.add_argument("--jobs", type=int, default=None, help="parallel notebooks (default: cores)")
    p.add_argument("--force", action="store_true", help="execute every notebook / 全部重新执行")
    p.add_argument(
        "--dataset",
        default=DEFAULT_DATASET,
        help=f"raw dataset to curate first (default {DEFAULT_DATASET}) / 原始数据目录",
    )
    p.set_defaults(func=_cmd_report)
    r = sub.add_parser("render", help="render the website from reports/ / 生成网站")
    r.set_defaults(func=_cmd_render)
