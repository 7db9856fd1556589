"""A submission full of hostile strings, run end to end and opened in headless Chromium.

One module-scoped run (intake of the poisoned demo workbooks, the reforms and
investment notebooks for 2026, smalldocs/Quarto rendering) in scratch folders
selected with the ``EVALKIT_*`` variables. The browser tests then check that no
script ran (no dialog, no ``alert`` call, no console error or network request
caused by the strings) and that the strings are visible literally as text; the
other tests check provenance and the downloads of the same run.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from browser import chromium_driver
from trust_factory import HOSTILE, child_env, hostile_dataset, scratch_env

from evalkit import __version__, provenance

YEAR, AS_OF = 2026, "2026-10-31"
#: The notebooks that show submitted project names, reform titles and evidence references.
NOTEBOOKS = ["reforms", "investment"]
#: Table headers of submitted text on the pages (reform title, evidence, project name).
SUBMITTED_COLUMNS = ("事项名称", "佐证材料（文号或链接）", "项目名称")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """Run ``python -m evalkit report`` on the hostile submission; return the scratch root."""
    root = tmp_path_factory.mktemp("hostile")
    hostile_dataset(root / "raw")
    env = child_env(scratch_env(root, notebooks=NOTEBOOKS))
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit", "report", "--year", str(YEAR), "--as-of", AS_OF]
        + ["--jobs", "2", "--dataset", str(root / "raw")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root


def _pages(root: Path) -> list[Path]:
    return sorted((root / "_site").rglob("*.html"))


# --- the browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium through chromedriver, recording ``alert`` calls and console logs."""
    driver = chromium_driver(
        tmp_path_factory.mktemp("chromium-profile"),
        capabilities={
            "goog:loggingPrefs": {"browser": "ALL"},
            # Leave a dialog open instead of dismissing it, so the test can see it.
            "unhandledPromptBehavior": "ignore",
        },
    )
    # Record every alert/confirm/prompt call before any page script runs.
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__dialogs = [];"
            "for (const f of ['alert', 'confirm', 'prompt']) {"
            "  window[f] = (m) => { window.__dialogs.push(f + ':' + String(m)); };"
            "}"
        },
    )
    yield driver
    driver.quit()


def _open(driver, page: Path) -> dict:
    """Load *page*; return dialogs, console entries, text, hostile DOM nodes and requests."""
    from selenium.common.exceptions import NoAlertPresentException

    driver.get_log("browser")  # drop entries from the previous page
    driver.get(page.as_uri())
    try:
        open_dialog = driver.switch_to.alert.text
    except NoAlertPresentException:
        open_dialog = None
    state = driver.execute_script(
        """
        const bad = [];
        for (const s of document.querySelectorAll('script')) {
          if ((s.textContent || '').includes('alert(1)')) bad.push('script:' + s.textContent);
        }
        for (const el of document.querySelectorAll('[onerror], [onload], [onclick]')) {
          bad.push('handler:' + el.outerHTML.slice(0, 200));
        }
        for (const a of document.querySelectorAll('a[href]')) {
          if (a.getAttribute('href').trim().toLowerCase().startsWith('javascript:'))
            bad.push('link:' + a.outerHTML);
        }
        for (const img of document.querySelectorAll('img[src]')) {
          const src = img.getAttribute('src');
          if (src === 'x' || src.includes('127.0.0.1')) bad.push('img:' + img.outerHTML);
        }
        const columns = {};
        for (const table of document.querySelectorAll('table')) {
          const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
          heads.forEach((h, i) => {
            if (!arguments[0].includes(h)) return;
            for (const tr of table.querySelectorAll('tbody tr')) {
              const td = tr.children[i];
              if (td) (columns[h] = columns[h] || []).push(td.innerText);
            }
          });
        }
        return {
          columns: columns,
          dialogs: window.__dialogs || [],
          text: document.body.innerText,
          bad: bad,
          requests: performance.getEntriesByType('resource').map(r => r.name),
        };
        """,
        list(SUBMITTED_COLUMNS),
    )
    state["open_dialog"] = open_dialog
    state["console"] = driver.get_log("browser")
    return state


@pytest.mark.browser
@pytest.mark.slow
def test_no_script_runs_and_strings_shown_as_text(hostile_run, browser):
    pages = _pages(hostile_run)
    report_pages = [p for p in pages if p.parent.name == str(YEAR)]
    assert {p.stem for p in report_pages} >= set(NOTEBOOKS)
    seen_text = ""
    columns: dict[str, list[str]] = {}
    for page in pages:
        st = _open(browser, page)
        where = page.relative_to(hostile_run).as_posix()
        assert st["open_dialog"] is None, f"{where}: dialog {st['open_dialog']!r}"
        assert st["dialogs"] == [], f"{where}: {st['dialogs']}"
        assert st["bad"] == [], f"{where}: {st['bad']}"
        assert not [r for r in st["requests"] if "127.0.0.1" in r or r.endswith("/x")], where
        hostile_console = [
            e
            for e in st["console"]
            if e.get("level") == "SEVERE"
            and any(k in e.get("message", "") for k in ("alert", "127.0.0.1", "/x ", "passwd"))
        ]
        assert hostile_console == [], f"{where}: {hostile_console}"
        # Any other console error is a defect of the page too (the site loads nothing from
        # outside: it must work offline and from mainland China).
        errors = [e["message"] for e in st["console"] if e.get("level") == "SEVERE"]
        assert errors == [], f"{where}: console errors {errors}"
        if page in report_pages:
            seen_text += st["text"]
            for head, cells in st["columns"].items():
                columns.setdefault(head, []).extend(cells)
    # Each hostile string is shown, character for character, as text on a report page.
    for s in HOSTILE:
        assert s in seen_text, f"{s!r} not visible as text"
    # Field by field: every shown reform title, evidence reference and project name is
    # exactly one of the submitted strings, as text (the demo rows were all replaced).
    assert set(columns) == set(SUBMITTED_COLUMNS), sorted(columns)
    for head, cells in columns.items():
        assert cells and set(cells) <= set(HOSTILE), (head, sorted(set(cells) - set(HOSTILE)))


# --- escaping without a browser ----------------------------------------------------


@pytest.mark.slow
def test_no_live_markup_in_html(hostile_run):
    for page in _pages(hostile_run):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(hostile_run).as_posix()
        assert "<script>alert(1)" not in text, where
        assert "<img src=x" not in text and 'src="x"' not in text, where
        assert 'href="javascript:' not in text.lower(), where
        assert 'src="http://127.0.0.1' not in text and "src=http://127.0.0.1" not in text, where
        assert "root:x:0:0" not in text, f"{where}: a shortcode included /etc/passwd"


# --- provenance --------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_every_page_has_provenance(hostile_run):
    man = json.loads((hostile_run / "reports" / str(YEAR) / "manifest.json").read_text("utf-8"))
    pages = _pages(hostile_run)
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert provenance.page_has_provenance(html), page.name
        assert f"evalkit {__version__}" in html and f"数据截至 as of {AS_OF}" in html, page.name
        assert f"renderer {man['renderer']} {man['renderer_version']}" in html, page.name
        if man.get("git_commit"):
            assert man["git_commit"][:12] in html, page.name
    for name in NOTEBOOKS:
        html = (hostile_run / "_site" / "reports" / str(YEAR) / f"{name}.html").read_text("utf-8")
        entry = man["notebooks"][name]
        assert f"数据截至 as of {AS_OF}" in html
        # The raw submission files and the curated tables this page used, by short hash.
        raw = entry["raw_inputs_sha256"]
        assert "raw/demo/dataset.yaml" in raw and any(k.endswith(".xlsx") for k in raw)
        curated = [k for k in entry["inputs_sha256"] if k.endswith(".parquet")]
        assert sorted(Path(k).stem for k in curated) == sorted(entry["reads"])
        for sha in {**raw, **entry["inputs_sha256"]}.values():
            assert sha[:12] in html, name


@pytest.mark.slow
def test_manifest_hashes_are_the_files(hostile_run):
    man = json.loads((hostile_run / "reports" / str(YEAR) / "manifest.json").read_text("utf-8"))
    raw = man["raw_inputs_sha256"]
    # Independent check: hash the submitted files ourselves.
    for f in sorted((hostile_run / "raw").iterdir()):
        assert raw[f"raw/demo/{f.name}"] == _sha(f)
    for name, entry in man["notebooks"].items():
        for rel, sha in entry["inputs_sha256"].items():
            assert sha == _sha(hostile_run / rel), (name, rel)
        assert entry["template_sha256"] == _sha(hostile_run / "notebooks" / f"{name}.ipynb")
    # reforms reads only reform items: the county panel workbook is not among its inputs.
    assert not any("county_panel" in k for k in man["notebooks"]["reforms"]["raw_inputs_sha256"])
    assert man["evalkit_version"] == __version__ and man["renderer"] in ("smalldocs", "quarto")
    assert man["renderer_version"] and "git_dirty" in man
    assert set(man["run"]) >= {"started", "finished"}


@pytest.mark.slow
def test_reports_hold_no_volatile_provenance(hostile_run):
    """Version, commit and renderer live in the site only: nbval compares reports, not pages."""
    man = json.loads((hostile_run / "reports" / str(YEAR) / "manifest.json").read_text("utf-8"))
    for name in NOTEBOOKS:
        text = (hostile_run / "reports" / str(YEAR) / f"{name}.ipynb").read_text("utf-8")
        assert provenance.FOOTER_CLASS not in text
        if man.get("git_commit"):
            assert man["git_commit"][:12] not in text
        # The scratch data folder lies outside the project, so it is passed as an absolute
        # data_dir parameter (hidden from pages); no other absolute path may appear.
        data_param = json.dumps(str(hostile_run / "data"))[1:-1]
        assert str(hostile_run) not in text.replace(data_param, "")
        nb = nbformat.reads(text, as_version=4)
        assert "start_time" not in json.dumps(nb.metadata.get("papermill", {}))


# --- downloads of the same run -----------------------------------------------------


@pytest.mark.slow
def test_exported_tables_neutralize_hostile_cells(hostile_run):
    tables = hostile_run / "reports" / str(YEAR) / "tables"
    hyperlink = HOSTILE[5]
    found = 0
    for csv in sorted(tables.glob("*.csv")):
        xlsx = csv.with_suffix(".xlsx")
        assert xlsx.exists(), xlsx.name
        df = pd.read_csv(csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        ws = openpyxl.load_workbook(xlsx).active
        cells = [c for row in ws.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells), xlsx.name
        texts = [c.value for c in cells if isinstance(c.value, str)]
        csv_texts = df.to_numpy().ravel().tolist()
        for values in (texts, csv_texts):
            assert hyperlink not in values
            # Only a signed plain number (as pages format it) may start with + or -.
            live = [
                v
                for v in values
                if v.startswith(("=", "@", "+", "-", "\t", "\r"))
                and not re.fullmatch(r"[-+]|[-+][\d,]*\.?\d*%?", v)
            ]
            assert live == [], (csv.name, live[:5])
        found += ("'" + hyperlink in texts) + ("'" + hyperlink in csv_texts)
    assert found >= 2, "no exported table carried the hostile formula"


def test_scratch_env_is_isolated(tmp_path):
    """The scratch environment never points at the repository's folders."""
    env = scratch_env(tmp_path)
    for key in ("EVALKIT_DATA_DIR", "EVALKIT_REPORTS_DIR", "EVALKIT_SITE_DIR", "EVALKIT_BUILD_DIR"):
        assert Path(env[key]).is_relative_to(tmp_path)
