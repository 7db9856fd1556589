"""Parameters are validated before anything runs, and nothing reaches a shell.

Hostile years, as-of dates and data folders go through ``python -m evalkit
report`` and ``make report``; each must be refused with a bilingual message
before any folder is created, and no injected command may run. A static scan
checks that no code path hands a string to a shell.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from trust_factory import child_env

from evalkit import paths

CANARY = "PWNED_evalkit"
HOSTILE_YEARS = [
    f"2026; touch {CANARY}",
    f"$(touch {CANARY})",
    f"`touch {CANARY}`",
    f"2026' ; touch {CANARY} ; '",
    f'2026" ; touch {CANARY} ; "',
    f"2026 && touch {CANARY}",
    "../../etc",
    "-1",
]
HOSTILE_AS_OF = [f"2026-10-31; touch {CANARY}", "2026-02-30", "2026-10-31T00:00", "31/10/2026"]


def _scratch(tmp_path: Path) -> dict[str, str]:
    return child_env(
        {
            "EVALKIT_DATA_DIR": str(tmp_path / "data"),
            "EVALKIT_REPORTS_DIR": str(tmp_path / "reports"),
            "EVALKIT_SITE_DIR": str(tmp_path / "_site"),
            "EVALKIT_BUILD_DIR": str(tmp_path / "build"),
        }
    )


def _report(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m evalkit report *args*`` in *tmp_path* with every folder under it."""
    return subprocess.run(
        [sys.executable, "-m", "evalkit", "report", *args],
        cwd=tmp_path,
        env=_scratch(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _nothing_created(tmp_path: Path) -> None:
    for name in ("data", "reports", "_site", "build"):
        assert not (tmp_path / name).exists(), name
    assert not list(tmp_path.rglob(f"{CANARY}*"))
    assert not (paths.ROOT / CANARY).exists()


@pytest.mark.parametrize("year", HOSTILE_YEARS)
def test_cli_refuses_hostile_year(tmp_path, year):
    proc = _report(tmp_path, "--year", year)
    assert proc.returncode == 2, proc.stderr
    assert "invalid year" in proc.stderr or "outside the plan" in proc.stderr
    assert "年度" in proc.stderr
    _nothing_created(tmp_path)


@pytest.mark.parametrize("text", [" 2026 ", "2026\n", "２０２６"])
def test_lenient_year_forms_become_a_plain_int(text):
    """Surrounding blanks and full-width digits are accepted, but only the int goes on."""
    from evalkit import pipeline

    year = pipeline.validate_year(text)
    assert year == 2026 and type(year) is int


@pytest.mark.parametrize("as_of", HOSTILE_AS_OF)
def test_cli_refuses_hostile_as_of(tmp_path, as_of):
    proc = _report(tmp_path, "--year", "2026", "--as-of", as_of)
    assert proc.returncode == 2, proc.stderr
    assert "as-of" in proc.stderr and "截至日期" in proc.stderr
    _nothing_created(tmp_path)


def test_hostile_dataset_path_is_data_not_code(tmp_path):
    """A dataset folder whose name is a shell command is only ever a path."""
    weird = tmp_path / f"raw; touch {CANARY}"
    shutil.copytree(paths.ROOT / "data" / "raw" / "demo", weird)
    (tmp_path / "notebooks").mkdir()  # no templates: curation, then an empty site
    env = dict(_scratch(tmp_path), EVALKIT_NOTEBOOKS_DIR=str(tmp_path / "notebooks"))
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit", "report", "--year", "2026", "--dataset", str(weird)],
        cwd=tmp_path,
        env=dict(env, EVALKIT_LOCK_TIMEOUT="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "data" / "curated" / "reform_items.parquet").exists()
    assert not (tmp_path / CANARY).exists() and not (paths.ROOT / CANARY).exists()


@pytest.mark.parametrize(
    "template", ["2026; touch {c}", "$(shell touch {c})", "2026' ; touch {c} ; '", "$$(touch {c})"]
)
def test_make_report_refuses_hostile_year(tmp_path, template):
    canary = tmp_path / CANARY  # absolute: an injected command never writes into the project
    year = template.format(c=canary)
    makefile = paths.ROOT / "Makefile"
    if shutil.which("make") is None or not makefile.exists():
        pytest.skip("make or the Makefile is not available")
    if "\nreport:" not in makefile.read_text(encoding="utf-8"):
        pytest.skip("the Makefile has no report target")
    # -o: never (re)build the venv or the demo data from this test.
    proc = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "-o", "data/raw/demo/dataset.yaml"]
        + ["report", f"YEAR={year}", f"PY={sys.executable}"],
        cwd=paths.ROOT,
        env=_scratch(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "invalid year" in proc.stderr, proc.stderr
    assert not canary.exists(), "make ran the injected command"
    _nothing_created(tmp_path)


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def test_no_code_hands_a_string_to_a_shell():
    offenders = []
    files = [*sorted((paths.ROOT / "src").rglob("*.py"))]
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for call in _calls(tree):
            name = ast.unparse(call.func)
            where = f"{f.relative_to(paths.ROOT)}:{call.lineno}"
            if name in ("os.system", "os.popen", "subprocess.getoutput", "commands.getoutput"):
                offenders.append(f"{where} {name}")
            for kw in call.keywords:
                if kw.arg == "shell" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    offenders.append(f"{where} shell={ast.unparse(kw.value)}")
            if name.startswith("subprocess.") and call.args:
                # The command must be a list of arguments, never one string.
                if isinstance(call.args[0], ast.Constant | ast.JoinedStr | ast.BinOp):
                    offenders.append(f"{where} {name}({ast.unparse(call.args[0])[:40]})")
    assert offenders == []
