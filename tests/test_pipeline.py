"""Orchestration tests with tiny fake notebooks in temporary folders.

Every folder the pipeline touches (notebooks, data, reports, site, build) is a
temporary directory selected through the ``EVALKIT_*`` environment variables, so
the real project is never written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pipeline_factory import copy_project

from evalkit import manifest as mf
from evalkit import paths, pipeline, publish

YEAR = 2026
AS_OF = "2026-10-31"


def _notebook(title: str, reads: list[str], body: list[str], order: int = 10):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["evalkit"] = {"reads": reads, "order": order}
    params = nbformat.v4.new_code_cell('year = 2026\nas_of = "2026-10-31"\ndata_dir = "data"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_raw_cell(f'---\ntitle: "{title}"\n---'),
        params,
        *[nbformat.v4.new_code_cell(src) for src in body],
    ]
    return nb


NB_A = _notebook(
    "测试甲 改革事项",
    ["reform_items"],
    [
        "from evalkit import report, store\ndf = store.read_table('reform_items', data_dir)\n"
        "print('改革事项行数', len(df))",
        "report.save_summary_part(year, 'a', {'zones': {'zhaodong': {"
        "'reforms_replicated': int(len(df)), 'targets_met': {'reforms_replicated': True}}}})\n"
        "display(report.save_table(df, 'a_items', year))",
    ],
    order=10,
)
NB_B = _notebook(
    "测试乙 招商项目",
    ["projects"],
    [
        "from evalkit import report, store\ndf = store.read_table('projects', data_dir)\n"
        "print('项目数', len(df), '年度', year, '截至', as_of)",
        "report.save_summary_part(year, 'b', {'zones': {'zhaodong': {"
        "'targets_met': {'funds_growth': False}}}, 'impact': {'estimate': 1.5}})",
    ],
    order=20,
)
NB_FAIL = _notebook(
    "测试丙 出错",
    ["projects"],
    ["x = 1", "raise ValueError('故意的错误 deliberate failure')"],
    order=30,
)


def _new_project(root: Path, monkeypatch) -> Path:
    """Write notebooks a and b and a tiny curated store under *root*; point the pipeline there."""
    nbdir, data = root / "notebooks", root / "data"
    (data / "curated").mkdir(parents=True)
    nbdir.mkdir()
    pd.DataFrame({"item_id": ["R1", "R2"], "title": ["复制经验一", "复制经验二"]}).to_parquet(
        data / "curated" / "reform_items.parquet"
    )
    pd.DataFrame({"project_id": ["P1"], "name": ["项目一"]}).to_parquet(
        data / "curated" / "projects.parquet"
    )
    (data / "curated" / "_meta.json").write_text(
        json.dumps({"synthetic": True, "as_of": AS_OF}), encoding="utf-8"
    )
    nbformat.write(NB_A, nbdir / "a.ipynb")
    nbformat.write(NB_B, nbdir / "b.ipynb")
    return _use(root, monkeypatch)


def _use(root: Path, monkeypatch) -> Path:
    """Point every folder the pipeline touches at *root*; return *root*."""
    env = {
        "EVALKIT_NOTEBOOKS_DIR": root / "notebooks",
        "EVALKIT_DATA_DIR": root / "data",
        "EVALKIT_REPORTS_DIR": root / "reports",
        "EVALKIT_SITE_DIR": root / "_site",
        "EVALKIT_BUILD_DIR": root / "build",
        "EVALKIT_LOCK_TIMEOUT": "1",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, str(v))
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch project: notebooks, curated data, empty reports/site/build folders."""
    return _new_project(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """A scratch project after one complete run of notebooks a and b (reports and site)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mf, "source_sha256", lambda: "code-v1")
        root = _new_project(tmp_path_factory.mktemp("pipeline-first-run"), mp)
        res, _ = _run(root)
    assert res.executed == ["a", "b"] and res.site_rendered
    return root


@pytest.fixture
def published(first_run, tmp_path, monkeypatch):
    """This test's own copy of :func:`first_run`, as if that run had been made here."""
    return _use(copy_project(first_run, tmp_path / "project"), monkeypatch)


@pytest.fixture(autouse=True)
def fixed_code_hash(monkeypatch):
    """Pin the evalkit source hash: other engineers edit src/ while these tests run."""
    monkeypatch.setattr(mf, "source_sha256", lambda: "code-v1")


def _run(project, **kw):
    lines: list[str] = []
    res = pipeline.run_report(
        YEAR, AS_OF, jobs=2, dataset=project / "no-raw-dataset", out=lines.append, **kw
    )
    return res, "\n".join(lines)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- parameters --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "1999", "2026; rm -rf .", "20266", "", "2031", " 2026x"])
def test_invalid_years_rejected(bad):
    with pytest.raises(pipeline.PipelineError) as e:
        pipeline.validate_year(bad)
    assert "year" in str(e.value) and "年度" in str(e.value)


def test_valid_year_accepted():
    assert pipeline.validate_year("2024") == 2024
    assert pipeline.validate_year(2030) == 2030


@pytest.mark.parametrize(
    "bad", ["2026-13-01", "2026/10/31", "2025-12-31", "today", "2026-10-31; ls"]
)
def test_invalid_as_of_rejected(bad):
    with pytest.raises(pipeline.PipelineError):
        pipeline.validate_as_of(bad, 2026)


def test_default_as_of_never_today(tmp_path):
    cur = tmp_path / "curated"
    cur.mkdir()
    (cur / "_meta.json").write_text(json.dumps({"as_of": "2026-10-31"}), encoding="utf-8")
    assert pipeline.default_as_of(2026, tmp_path) == "2026-10-31"
    assert pipeline.default_as_of(2025, tmp_path) == "2025-12-31"
    with pytest.raises(pipeline.PipelineError):
        pipeline.default_as_of(2027, tmp_path)


def test_cli_rejects_injection_before_anything_runs(tmp_path):
    env = {**os.environ, "EVALKIT_BUILD_DIR": str(tmp_path / "build")}
    env["EVALKIT_REPORTS_DIR"] = str(tmp_path / "reports")
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit", "report", "--year", "2026; rm -rf ."],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "invalid year" in proc.stderr and "无效的评估年度" in proc.stderr
    assert not (tmp_path / "build").exists() and not (tmp_path / "reports").exists()


def test_cli_parses_without_importing_pandas_or_the_demo():
    probe = (
        "import sys\n"
        "from evalkit import cli\n"
        "args = cli.build_parser(['report', '--year', '2026']).parse_args(['report', '--year', '2026'])\n"
        "assert args.year == '2026' and args.func.__module__ == 'evalkit.run.pipeline'\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'evalkit.demo', 'evalkit.intake') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout
    helped = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "evalkit", "--help"],
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0
    for command in ("report", "render", "demo", "validate", "templates", "version"):
        assert command in helped.stdout
    imported = {line.split("|")[-1].strip() for line in helped.stderr.splitlines() if "|" in line}
    assert "pandas" not in imported and "evalkit.demo" not in imported
    assert "evalkit.pipeline" not in imported and "evalkit.run.pipeline" not in imported


def test_cli_help_lines_match_the_modules_that_register_them():
    import argparse

    from evalkit import cli

    for command, (module, help_text) in cli.COMMANDS.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        __import__(module, fromlist=["register"]).register(sub)
        actions = {a.dest: a.help for a in sub._choices_actions}
        assert actions.get(command) == help_text, command


# --- summary merge -----------------------------------------------------------------


def test_summary_merge_combines_parts(tmp_path):
    """Each page's part fills the fields it owns (pages.yaml): target verdicts come from the
    summary page (index), counts from the reforms page."""
    parts = tmp_path / "summary.parts"
    parts.mkdir()
    (parts / "reforms.json").write_text(
        json.dumps({"zones": {"qinggang": {"reforms_replicated": 21}}}), encoding="utf-8"
    )
    (parts / "summary.json").write_text(
        json.dumps(
            {
                "zones": {
                    "qinggang": {"targets_met": {"reforms_replicated": True, "funds_growth": False}}
                }
            }
        ),
        encoding="utf-8",
    )
    (parts / "impact.json").write_text(json.dumps({"impact": {"att": 0.12}}), encoding="utf-8")
    s = pipeline.merge_summary(tmp_path, 2026, AS_OF, True)
    q = s["zones"]["qinggang"]
    assert q["reforms_replicated"] == 21
    assert q["targets_met"] == {
        "reforms_replicated": True,
        "reforms_original": None,
        "funds_growth": False,
    }
    assert q["composite_score"] is None and q["rank"] is None
    assert s["impact"] == {"att": 0.12}
    assert s["synthetic_data"] is True and s["as_of"] == AS_OF and s["year"] == 2026
    assert set(s["zones"]) == {"suihua_etdz", "zhaodong", "qinggang"}
    assert s["zones"]["zhaodong"]["targets_met"]["funds_growth"] is None


def test_a_page_filling_targets_it_does_not_own_is_refused(tmp_path):
    parts = tmp_path / "summary.parts"
    parts.mkdir()
    (parts / "investment.json").write_text(
        json.dumps({"zones": {"qinggang": {"targets_met": {"funds_growth": False}}}}),
        encoding="utf-8",
    )
    with pytest.raises(pipeline.PipelineError, match="targets_met.funds_growth"):
        pipeline.merge_summary(tmp_path, 2026, AS_OF, True)


def test_summary_merge_conflict_named(tmp_path):
    parts = tmp_path / "summary.parts"
    parts.mkdir()
    for name, v in (("x", 1), ("y", 2)):
        (parts / f"{name}.json").write_text(
            json.dumps({"zones": {"zhaodong": {"rank": v}}}), encoding="utf-8"
        )
    with pytest.raises(pipeline.PipelineError) as e:
        pipeline.merge_summary(tmp_path, 2026, AS_OF, None)
    assert "zones.zhaodong.rank" in str(e.value) and "y.json" in str(e.value)


# --- atomic folder swap ------------------------------------------------------------


def test_swap_dir_replaces_and_recover_restores(tmp_path):
    dest, new = tmp_path / "site", tmp_path / "site-new"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    publish.swap_dir(new, dest)
    assert [p.name for p in dest.iterdir()] == ["new.txt"] and not new.exists()
    # A crash between the two renames of the fallback dance: dest gone, old parked.
    parked = tmp_path / ".site.old-999"
    os.rename(dest, parked)
    publish.recover(dest)
    assert (dest / "new.txt").read_text() == "new" and not parked.exists()


# --- end to end with fake notebooks ------------------------------------------------


def test_incremental_runs_and_site(project):
    res, log = _run(project)
    assert res.executed == ["a", "b"] and res.up_to_date == []
    year_dir = project / "reports" / str(YEAR)
    assert (year_dir / "a.ipynb").exists() and (
        year_dir / "tables" / f"a_items_{YEAR}.csv"
    ).exists()

    # The injected parameters cell and the parameters cell are hidden from renderers.
    nb = nbformat.read(year_dir / "a.ipynb", as_version=4)
    tagged = {t for c in nb.cells for t in c.metadata.get("tags", [])}
    assert "injected-parameters" in tagged
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            assert "remove-cell" in tags
            assert cell.source.startswith("#| include: false\n")
    assert "start_time" not in json.dumps(nb.metadata.get("papermill", {}))
    assert str(project) not in (year_dir / "a.ipynb").read_text(encoding="utf-8").replace(
        json.dumps(str(project / "data"))[1:-1], ""
    )

    # Summary: parts merged over the skeleton.
    summary = json.loads((year_dir / "summary.json").read_text(encoding="utf-8"))
    z = summary["zones"]["zhaodong"]
    assert z["reforms_replicated"] == 2
    assert z["targets_met"] == {
        "reforms_replicated": True,
        "reforms_original": None,
        "funds_growth": False,
    }
    assert summary["impact"] == {"estimate": 1.5} and summary["synthetic_data"] is True

    # Manifest: per-notebook hashes of the inputs each one reads.
    man = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    a_inputs = man["notebooks"]["a"]["inputs_sha256"]
    assert "data/curated/reform_items.parquet" in a_inputs
    assert "data/curated/_meta.json" in a_inputs
    assert not any(k.endswith("projects.parquet") for k in a_inputs)
    assert man["notebooks"]["a"]["template_sha256"] == mf.sha256_file(project / "notebooks/a.ipynb")
    assert man["parameters"]["year"] == YEAR and man["renderer"] == "smalldocs"

    # Site: rendered, parameters cell not shown, provenance footer shown.
    page = (project / "_site" / "reports" / str(YEAR) / "a.html").read_text(encoding="utf-8")
    assert "改革事项行数" in page and "测试甲" in page
    assert "as_of = " not in page and "Parameters" not in page
    assert "Provenance" in page and a_inputs[next(iter(a_inputs))][:12] in page
    assert (project / "_site" / "reports" / str(YEAR) / "tables" / f"a_items_{YEAR}.csv").exists()
    assert "2026 年度" in (project / "_site" / "index.html").read_text(encoding="utf-8")

    # Second run: nothing changed, nothing executed.
    res2, log2 = _run(project)
    assert res2.executed == [] and res2.up_to_date == ["a", "b"]
    assert "0 个已执行 executed, 2 个无变化 up to date" in log2
    man2 = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert mf.stable_view(man2) == mf.stable_view(man)

    # Touching one curated table re-executes only the notebook that reads it.
    pd.DataFrame({"item_id": ["R1", "R2", "R3"], "title": ["一", "二", "三"]}).to_parquet(
        project / "data" / "curated" / "reform_items.parquet"
    )
    res3, _ = _run(project)
    assert res3.executed == ["a"] and res3.up_to_date == ["b"]
    summary3 = json.loads((year_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary3["zones"]["zhaodong"]["reforms_replicated"] == 3


def test_code_or_parameter_change_reexecutes(published, monkeypatch):
    project = published  # after one complete run
    year_dir = project / "reports" / str(YEAR)
    outputs = ["summary.json", f"tables/a_items_{YEAR}.csv"]
    before = {f: (year_dir / f).read_bytes() for f in outputs}
    monkeypatch.setattr(mf, "source_sha256", lambda: "code-v2")
    res, _ = _run(project)
    assert res.executed == ["a", "b"]
    (year_dir / "tables" / "orphan.csv").write_text("no notebook writes this\n", encoding="utf-8")
    eds_before = {p.name: p.read_bytes() for p in year_dir.glob("report-*")}
    man_before = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    res2, said = _run(project, force=True)
    assert res2.executed == ["a", "b"]
    # The re-executed pages came out the same, so the editions' key did: the published
    # pair is carried into the empty staging folder, not rebuilt.
    assert "editions up to date: published files reused" in said
    assert "building the editions" not in said
    man_after = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert man_after["editions"] == man_before["editions"]
    assert {p.name: p.read_bytes() for p in year_dir.glob("report-*")} == eds_before
    assert len(eds_before) == 2
    assert not (year_dir / "tables" / "orphan.csv").exists()  # --force rebuilds the year
    # Determinism: re-executed on the same inputs, byte-identical tables and summary.
    assert {f: (year_dir / f).read_bytes() for f in outputs} == before
    res3 = pipeline.run_report(
        YEAR, "2026-09-30", jobs=2, dataset=project / "none", render=False, out=lambda s: None
    )
    assert res3.executed == ["a", "b"]


def test_an_edition_engine_failure_is_a_message_and_publishes_nothing(
    published, monkeypatch, capsys
):
    from evalkit import cli
    from evalkit.editions import EditionError

    project = published  # after one complete run
    before_reports = _snapshot(project / "reports")
    before_site = _snapshot(project / "_site")
    monkeypatch.setattr(mf, "source_sha256", lambda: "code-v2")  # pages and editions stale

    def fail(*args, **kwargs):
        raise EditionError("pandoc failed: 故意的错误 deliberate")

    monkeypatch.setattr(pipeline, "build_editions_in_child", fail)
    argv = ["report", "--year", str(YEAR), "--as-of", AS_OF, "--jobs", "2"]
    assert cli.main([*argv, "--dataset", str(project / "no-raw-dataset")]) == 2
    err = capsys.readouterr().err
    assert "错误 error: pandoc failed: 故意的错误 deliberate" in err
    assert "Traceback" not in err
    assert _snapshot(project / "reports") == before_reports
    assert _snapshot(project / "_site") == before_site


def test_failure_names_notebook_cell_error_and_leaves_outputs(published):
    project = published  # after one complete run
    before_reports = _snapshot(project / "reports")
    before_site = _snapshot(project / "_site")
    nbformat.write(NB_FAIL, project / "notebooks" / "c.ipynb")
    with pytest.raises(pipeline.PipelineError) as e:
        _run(project)
    msg = str(e.value)
    assert "c" in msg.split("report failed: notebook ")[1].split(",")[0]
    assert "cell 3" in msg and "第 3 个单元格" in msg  # raw, parameters, x = 1, raise
    assert "raise ValueError" in msg and "ValueError: 故意的错误 deliberate failure" in msg
    assert _snapshot(project / "reports") == before_reports
    assert _snapshot(project / "_site") == before_site
    assert not (project / "reports" / ".staging").exists()


def test_second_run_refused_while_lock_held(project):
    with pipeline.run_lock():
        env = {**os.environ, "EVALKIT_LOCK_TIMEOUT": "0.5"}
        proc = subprocess.run(
            [sys.executable, "-m", "evalkit", "report", "--year", "2026", "--as-of", AS_OF],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert proc.returncode == 2
    assert f"pid {os.getpid()}" in proc.stderr and "运行锁" in proc.stderr
    assert not (project / "reports" / str(YEAR)).exists()


def test_paths_are_not_absolute_in_parameters():
    assert pipeline.notebook_data_param(paths.ROOT / "data") == "data"


def test_smalldocs_honours_remove_cell_tag_alone():
    from smalldocs.notebook import to_markdown

    nb = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("year = 2031")
    hidden.metadata["tags"] = ["injected-parameters", "remove-cell"]
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="SECRET-PARAM\n")]
    shown = nbformat.v4.new_code_cell("print(1)")
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="VISIBLE\n")]
    nb.cells = [hidden, shown]
    _, body = to_markdown(nbformat.writes(nb))
    assert "VISIBLE" in body
    assert "SECRET-PARAM" not in body and "2031" not in body


def test_intake_skipped_when_raw_and_curated_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    raw = paths.ROOT / "data" / "raw" / "demo"
    if not (raw / "dataset.yaml").exists():
        pytest.skip("no raw demo dataset")
    data = tmp_path / "data"
    quiet = lambda s: None  # noqa: E731
    assert pipeline.run_intake(raw, data, out=quiet) is True
    assert (data / "curated" / "_meta.json").exists()
    assert pipeline.run_intake(raw, data, out=quiet) is False
    # A curated table changed behind the pipeline's back is curated again.
    (data / "curated" / "projects.parquet").write_bytes(b"not parquet")
    assert pipeline.run_intake(raw, data, out=quiet) is True
    assert (data / "curated" / "projects.parquet").read_bytes()[:4] == b"PAR1"


def test_a_report_after_validate_does_not_curate_the_same_files_again(tmp_path):
    """``evalkit validate`` into the pipeline's data folder records its curation for the report.

    Both as a user runs them (new processes: this module pins the code hash in its own).
    """
    raw = paths.ROOT / "data" / "raw" / "demo"
    if not (raw / "dataset.yaml").exists():
        pytest.skip("no raw demo dataset")
    data, build = tmp_path / "data", tmp_path / "build"
    shutil.copytree(paths.ROOT / "data" / "config", data / "config")
    env = {
        **os.environ,
        "EVALKIT_DATA_DIR": str(data),
        "EVALKIT_BUILD_DIR": str(build),
        "EVALKIT_REPORTS_DIR": str(tmp_path / "reports"),
        "EVALKIT_SITE_DIR": str(tmp_path / "_site"),
    }
    validate = [sys.executable, "-m", "evalkit", "validate", "--dataset", str(raw)]
    dry = subprocess.run([*validate, "--dry-run"], env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert not (build / "intake-state.json").exists()  # nothing curated, nothing recorded
    done = subprocess.run(validate, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (build / "intake-state.json").exists()
    before = {p.name: p.read_bytes() for p in (data / "curated").iterdir()}
    report = [sys.executable, "-m", "evalkit", "report", "--year", "2026", "--dry-run"]
    dry_report = subprocess.run(
        [*report, "--dataset", str(raw)], env=env, capture_output=True, text=True
    )
    assert dry_report.returncode == 0, dry_report.stdout[-2000:] + dry_report.stderr[-2000:]
    assert "raw data unchanged: curation up to date" in dry_report.stdout, dry_report.stdout
    assert "curating" not in dry_report.stdout
    assert {p.name: p.read_bytes() for p in (data / "curated").iterdir()} == before


def test_no_change_run_leaves_manifest_of_another_commit_untouched(project):
    """#16 item 12: a fresh clone (another commit, another renderer) rewrites no report file."""
    _run(project)
    year_dir = project / "reports" / str(YEAR)
    path = year_dir / "manifest.json"
    man = json.loads(path.read_text(encoding="utf-8"))
    # As committed from another checkout: its commit, dirty flag and renderer version.
    man.update(git_commit="0" * 40, git_dirty=True, renderer_version="0.0.1")
    path.write_text(mf.manifest_json(man), encoding="utf-8")
    before = _snapshot(year_dir)
    mtime = path.stat().st_mtime_ns
    res, log = _run(project)
    assert res.executed == [] and not res.reports_published
    assert "reports are current: nothing to run or publish" in log
    assert _snapshot(year_dir) == before and path.stat().st_mtime_ns == mtime
    # The same run as a new process (as `make report` runs it, no --as-of) loads no pandas.
    probe = (
        "import sys\n"
        "from evalkit.run import manifest as mf\n"
        "mf.source_sha256 = lambda: 'code-v1'\n"
        "from evalkit import pipeline\n"
        f"r = pipeline.run_report({YEAR}, dataset={str(project / 'none')!r}, out=print)\n"
        "print('RESULT', r.executed, r.reports_published, r.site_rendered, 'pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "RESULT [] False False False" in proc.stdout, proc.stdout
    assert _snapshot(year_dir) == before
    # What the reports are made from is compared still: another input hash republishes.
    man["inputs_sha256"] = {**man["inputs_sha256"], "data/curated/_meta.json": "f" * 64}
    path.write_text(mf.manifest_json(man), encoding="utf-8")
    res2, _ = _run(project)
    assert res2.executed == [] and res2.reports_published
    fresh = json.loads(path.read_text(encoding="utf-8"))
    assert fresh["git_commit"] != "0" * 40 and fresh["renderer_version"] != "0.0.1"
