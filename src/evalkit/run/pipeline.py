"""The report pipeline: ``python -m evalkit report --year 2026`` from data to a published site.

Steps, each safe to interrupt:

1. validate the year and as-of date (before anything runs; nothing reaches a shell);
2. take the run lock (``build/.evalkit.lock``): a second run waits briefly, then refuses;
3. curate the raw dataset with :func:`evalkit.intake.run` when it changed (:mod:`.curation`);
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
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..core import publish
from ..core.checkpoint import checkpoint  # noqa: F401  (re-exported: tests patch pipeline.checkpoint)
from ..core.errors import ConfigError
from . import manifest as mf
from . import provenance
from . import registry as reg
from . import summary as sm
from .child import build_editions_in_child
from .curation import default_dataset, run_intake  # noqa: F401  (run_intake re-exported)
from .execute import (  # noqa: F401  (re-exported: the pipeline's public names)
    Progress,
    execute_all,
    execute_task,
    finalize_notebook,
    say,
)
from .lock import LOCK_WAIT_SECONDS, lock_path, run_lock  # noqa: F401  (re-exported)
from .parameters import (  # noqa: F401  (re-exported: the pipeline's public names)
    YEAR_MAX,
    YEAR_MIN,
    PipelineError,
    default_as_of,
    notebook_data_param,
    validate_as_of,
    validate_year,
)

#: Default raw dataset curated before the notebooks run, under the data folder
#: (``<data dir>/raw/demo``: another pilot zone's data folder brings its own).
DEFAULT_DATASET = "data/raw/demo"


# --- Summary and registry ----------------------------------------------------------

#: Compatibility: the headline fields now come from ``config/pages.yaml`` (``summary``).
ZONE_FIELDS = sm.ZONE_FIELDS
TARGET_FIELDS = sm.TARGET_FIELDS
deep_merge = sm.deep_merge
summary_json = sm.summary_json


def load_registry(data: Path | None = None) -> reg.Registry | None:
    """Return the page registry of *data* (None without one); a bad registry is a PipelineError."""
    try:
        return reg.load(data)
    except reg.RegistryError as e:
        raise PipelineError(f"页面登记表错误 / page registry error: {e}") from None


def base_summary(year: int, as_of: str, synthetic: bool | None) -> dict:
    """Return the summary skeleton with ``null`` for every headline figure (registry fields)."""
    return sm.base_summary(year, as_of, synthetic, load_registry())


def merge_summary(
    report_dir: Path,
    year: int,
    as_of: str,
    synthetic: bool | None,
    registry: reg.Registry | None = None,
) -> dict:
    """Merge ``summary.parts/*.json`` over the skeleton; raise :class:`PipelineError` on a conflict.

    *registry* defaults to the data folder's (``config/pages.yaml``): its headline
    fields make the skeleton and a registered page may only fill fields it owns.
    """
    if registry is None:
        registry = load_registry()
    try:
        return sm.merge_summary(report_dir, year, as_of, synthetic, registry)
    except sm.SummaryError as e:
        raise PipelineError(str(e)) from None


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
    #: False when nothing changed: the published reports were left untouched.
    reports_published: bool = False
    #: False when neither the reports nor any site input changed (no re-render).
    site_rendered: bool = False
    #: With ``dry_run``: the notebooks a run would execute (none was executed).
    would_run: list[str] = field(default_factory=list)


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


def page_entry(
    template: Path,
    registry: reg.Registry | None,
    data: Path,
    params: dict,
    code_sha: str,
    cache: dict,
) -> dict:
    """Return the manifest entry (with its ``key``) of one template notebook.

    A page in the registry depends on what its entry (and the topics it uses)
    declare; a notebook without an entry on its ``metadata.evalkit.reads`` and on
    every configuration file.
    """
    page = registry.page(template.stem) if registry else None
    if page is None:
        reads = mf.notebook_reads(_read_json(template))
        return mf.notebook_entry(template, reads, data, params, code_sha, cache)
    tables, config = reg.page_inputs(page, registry)
    return mf.notebook_entry(
        template,
        list(tables),
        data,
        params,
        code_sha,
        cache,
        config=list(config),
        uses=list(page.uses),
    )


def longest_first(tasks: list[dict], seconds: dict) -> list[dict]:
    """Return *tasks* ordered by the previous run's durations, longest first.

    Notebooks without a recorded duration (new ones) go first: they may be long.
    Ties keep the name order, so the schedule is deterministic.
    """

    def rank(task: dict) -> tuple[float, str]:
        s = seconds.get(task["name"])
        return (-float(s) if isinstance(s, int | float) else float("-inf"), task["name"])

    return sorted(tasks, key=rank)


def run_report(
    year: int,
    as_of: str | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    dataset: str | Path | None = None,
    render: bool = True,
    dry_run: bool = False,
    out=say,
) -> RunResult:
    """Run the whole report job for *year*; raise :class:`PipelineError` on failure.

    With *dry_run* the run stops once it knows which notebooks it would execute
    (``would_run``): nothing is executed, published or rendered. Curation still runs
    when the raw data changed, as in a real run: the keys are those of the curated tables.

    *year* and *as_of* must already be validated (see :func:`validate_year`).
    When no notebook must run and the summary and manifest would come out the same,
    the published reports are left as they are (no staging copy); the site is
    re-rendered only when one of its inputs changed (:func:`evalkit.run.site_state.site_key`).

    Slightly over 80 lines: the run's steps in order (validate, lock, curate, key, execute,
    merge, publish), each one call, plus their progress lines.
    """
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data = paths.data_dir()
    with run_lock(out=out):
        publish.recover(paths.report_dir(year))
        publish.recover(paths.site_dir())
        publish.recover(paths.curated_dir(data))  # a killed intake's half-swapped store
        # We hold the lock: any staging folder left is from a killed run.
        shutil.rmtree(paths.reports_dir() / ".staging", ignore_errors=True)
        code_sha = mf.source_sha256()
        git = provenance.git_state()  # once a run: the manifest and the site key show it
        raw = paths.resolve(dataset) if dataset else default_dataset(data)
        run_intake(raw, data, out=out, code_sha=code_sha)
        if as_of is None:
            as_of = default_as_of(year, data)
        as_of = validate_as_of(as_of, year)
        params = {"year": int(year), "as_of": as_of, "data_dir": notebook_data_param(data)}
        result = RunResult(year=int(year), as_of=as_of)
        out(f"评估年度 year {year} · 数据截至 as of {as_of}")
        registry = load_registry(data)
        if render:  # a bad editions.yaml stops the run before any notebook executes
            _editions().load_config(data)
        published = paths.report_dir(year)
        old = mf.read_manifest(published)
        cache: dict = {}
        entries: dict[str, dict] = {}
        stale: list[str] = []
        for template in templates():
            if registry is not None and not registry.in_year(template.stem, year):
                continue  # no content that year (pages.yaml `first_year`): no page
            entry = page_entry(template, registry, data, params, code_sha, cache)
            entries[template.stem] = entry
            previous = (old.get("notebooks") or {}).get(template.stem, {})
            up_to_date = previous.get("key") == entry["key"]
            if force or not up_to_date or not (published / template.name).exists():
                stale.append(template.stem)
            else:
                result.up_to_date.append(template.stem)
        if not entries:
            out("· notebooks/ 中没有模板 / no template notebooks in notebooks/")
        if dry_run:
            result.would_run = sorted(stale)
            names = "、".join(result.would_run) or "无 none"
            out(
                f"将执行 would run {len(stale)}/{len(entries)}: {names}"
                " （试运行，未执行 / dry run: nothing executed）"
            )
            return result
        renderer = None
        if render:
            from .render import renderer_name

            renderer = renderer_name()
        if (
            not stale
            and _publish_unchanged(
                published, year, as_of, params, entries, old, renderer, registry, data, git
            )
            and not (render and _editions().is_stale(published, old, data, code_sha=code_sha))
        ):
            out(f"0 个已执行 executed, {len(result.up_to_date)} 个无变化 up to date")
            out(
                f"· {year} 年度已发布的报告已是最新（数据、配置与代码均未变化），无需重新执行或发布 / "
                "the published (committed) reports are current: nothing to run or publish"
            )
            if render:
                result.renderer, result.site_rendered = _render_if_changed(None, code_sha, git, out)
            return result
        _stage_and_publish(
            result,
            stale,
            entries,
            old,
            params,
            registry,
            data,
            renderer,
            code_sha,
            started_at,
            git=git,
            force=force,
            jobs=jobs,
            render=render,
            out=out,
        )
    return result


def _manifest(
    year: int,
    params: dict,
    entries: dict,
    renderer: str | None,
    data: Path,
    run: dict,
    revisions: list | None = None,
    git: tuple | None = None,
) -> dict:
    """Return the run manifest of *entries* (annotated with provenance) and *run* block.

    *revisions*: the year's revision record (:func:`evalkit.run.provenance.revisions`),
    kept under ``revisions`` when there is one. *git*: the run's
    :func:`evalkit.run.provenance.git_state`.
    """
    man = mf.base_manifest(year, params, renderer)
    if revisions:
        man["revisions"] = revisions
    man["notebooks"] = dict(sorted(entries.items()))
    man["inputs_sha256"] = dict(
        sorted({k: v for e in entries.values() for k, v in e["inputs_sha256"].items()}.items())
    )
    man["run"] = run
    provenance.annotate_manifest(man, data, git)  # raw-file hashes, git state, renderer
    return man


def _publish_unchanged(
    published: Path,
    year: int,
    as_of: str,
    params: dict,
    entries: dict,
    old: dict,
    renderer: str | None,
    registry,
    data: Path,
    git: tuple | None = None,
) -> bool:
    """Return True when the published year already is what this run would publish.

    Nothing must run, every template's report is there and no other, and the
    merged summary and the manifest (without run timestamps, commit and renderer:
    :func:`evalkit.run.manifest.content_view`) are unchanged. So a no-change run on a
    fresh clone, at another commit or with another renderer, rewrites no file.
    """
    if not old or not (published / "summary.json").exists():
        return False
    if {p.stem for p in published.glob("*.ipynb")} != set(entries):
        return False
    summary = merge_summary(published, year, as_of, mf.read_meta(data).get("synthetic"), registry)
    if summary_json(summary) != (published / "summary.json").read_text(encoding="utf-8"):
        return False
    man = _manifest(
        year, params, entries, renderer, data, old.get("run") or {}, old.get("revisions"), git
    )
    man.update({k: old[k] for k in (mf.EDITIONS_KEY,) if k in old})  # checked apart
    return mf.content_view(man) == mf.content_view(old)


def _render_if_changed(overrides, code_sha: str, git, out) -> tuple[str | None, bool]:
    """Render and publish the site unless its inputs are those of the published site."""
    from . import site_state  # staging and rendering (evalkit.run.site) only when needed

    key = site_state.site_key(overrides, code_sha=code_sha, git=git)
    if site_state.site_is_current(key):
        out("· 网站无变化，未重新渲染 / site unchanged: not re-rendered")
        return site_state.renderer_name(), False
    from . import site

    built, renderer = site.prepare_site(overrides, out=out)
    site.publish_site(built, out=out, key=key)
    return renderer, True


def _stage_and_publish(
    result: RunResult,
    stale: list[str],
    entries: dict,
    old: dict,
    params: dict,
    registry,
    data: Path,
    renderer: str | None,
    code_sha: str,
    started_at: str,
    *,
    git: tuple | None = None,
    force: bool,
    jobs: int | None,
    render: bool,
    out,
) -> None:
    """Execute the *stale* notebooks into a staging copy of the year, merge, publish, render.

    Longer than usual because it is the run's one transaction: staging is removed
    whatever happens, and nothing is published unless every step succeeded.
    """
    year = result.year
    published = paths.report_dir(year)
    staging_root = paths.reports_dir() / ".staging" / f"run-{os.getpid()}"
    stage = staging_root / str(int(year))
    env = {"EVALKIT_REPORTS_DIR": str(staging_root), "PYTHONHASHSEED": "0"}
    previous_runs = old.get("run") or {}
    seconds = dict(previous_runs.get("seconds") or {})
    try:
        # Incremental runs start from the published year (up-to-date notebooks keep their
        # outputs); --force starts empty, so tables no notebook writes any more disappear.
        # A copy that fails (disk full) is removed with the rest of the staging.
        if published.exists() and not force:
            shutil.copytree(published, stage, symlinks=True)
        stage.mkdir(parents=True, exist_ok=True)
        tasks = [
            {
                "name": name,
                "template": str(paths.notebooks_dir() / f"{name}.ipynb"),
                "output": str(stage / f"{name}.ipynb"),
                "params": params,
                "cwd": str(stage),
                # EVALKIT_PAGE: which page a kernel runs (read-tracing tests use it).
                "env": {**env, "EVALKIT_PAGE": name},
            }
            for name in stale
        ]
        tasks = longest_first(tasks, seconds)
        # Reports whose template was removed leave the published year too.
        for gone in stage.glob("*.ipynb"):
            if gone.stem not in entries:
                gone.unlink()
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
        seconds.update({r["name"]: round(float(r["seconds"]), 1) for r in results})

        summary = merge_summary(
            stage, year, result.as_of, mf.read_meta(data).get("synthetic"), registry
        )
        (stage / "summary.json").write_text(summary_json(summary), encoding="utf-8")
        # Timestamps and durations live under "run" only (excluded from comparisons).
        run = {
            "started": started_at,
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "notebooks": {
                n: started_at if n in result.executed else previous_runs.get("notebooks", {}).get(n)
                for n in sorted(entries)
            },
            "seconds": {n: seconds[n] for n in sorted(entries) if n in seconds},
        }
        # Same as-of date, other figures than published: a revision, shown on the pages.
        before = published / "summary.json"
        revisions = provenance.revisions(
            old, _read_json(before) if before.exists() else {}, summary, started_at
        )
        man = _manifest(year, params, entries, renderer, data, run, revisions, git)
        # Official editions (.docx/.pdf), rebuilt only when their inputs changed (#15).
        # A forced run stages into an empty folder: the published pair is reused when
        # its key still matches (the re-executed pages came out the same).
        eds = _editions().update(
            stage,
            old,
            data=data,
            build_new=render,
            published=published if force else None,
            build_with=build_editions_in_child,  # Typst's ~1 GB leaves with the child
            code_sha=code_sha,
            out=out,
        )
        man.update({mf.EDITIONS_KEY: eds} if eds else {})
        (stage / mf.MANIFEST_NAME).write_text(mf.manifest_json(man), encoding="utf-8")
        out(
            f"{len(result.executed)} 个已执行 executed, {len(result.up_to_date)} 个无变化 up to date"
        )
        built = key = None
        if render:
            from . import site

            # Render from the staged reports before publishing anything, so a
            # rendering failure leaves both reports/ and _site/ as they were.
            checkpoint("render")
            key = site.site_key({int(year): stage}, code_sha=code_sha, git=git)
            built, result.renderer = site.prepare_site({int(year): stage}, out=out)
        checkpoint("publish-reports")
        publish.swap_dir(stage, published)
        result.reports_published = True
        checkpoint("publish-site")
        if built is not None:
            site.publish_site(built, out=out, key=key)
            result.site_rendered = True
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
        with contextlib.suppress(OSError):
            (paths.reports_dir() / ".staging").rmdir()


# --- Command line ----------------------------------------------------------------


def _editions():
    """Return :mod:`evalkit.editions` (imported late: only runs that publish need it)."""
    from .. import editions

    return editions


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
        run_report(
            year,
            as_of,
            jobs=args.jobs,
            force=args.force,
            dataset=args.dataset,
            dry_run=args.dry_run,
        )
    except (PipelineError, ConfigError, _site_error(), _editions().EditionError) as e:
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
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="同时执行的笔记本数 / parallel notebooks (default: cores)",
    )
    p.add_argument("--force", action="store_true", help="execute every notebook / 全部重新执行")
    p.add_argument(
        "--dry-run",
        dest="dry_run",
        action="store_true",
        help="list the notebooks that would run; execute nothing (curates changed raw data) "
        "/ 试运行：列出将执行的笔记本",
    )
    p.add_argument(
        "--dataset",
        default=None,
        help="raw dataset to curate first (default: <data dir>/raw/demo, i.e. "
        f"{DEFAULT_DATASET}) / 原始数据目录",
    )
    p.set_defaults(func=_cmd_report)
    r = sub.add_parser("render", help="render the website from reports/ / 生成网站")
    r.set_defaults(func=_cmd_render)
