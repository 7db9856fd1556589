"""Provenance: which data, code and renderer produced each page of the site.

Where it lives (the decision, issue 9):

* ``reports/<year>/manifest.json`` lists everything in full: per notebook the
  SHA-256 of each curated table and configuration file it read
  (``inputs_sha256``) and of each raw submission file those tables were curated
  from (``raw_inputs_sha256``), plus the evalkit version, git commit (and whether
  the tree had uncommitted changes), the renderer and its version. Run
  timestamps live under ``run`` only and are dropped by
  :func:`evalkit.manifest.stable_view` for determinism comparisons.
* Every page of the site gets a provenance footer (:func:`footer_block`) added
  by the site build to the *staging copy* of each notebook (and to the static
  pages), never to the executed notebooks in ``reports/<year>/``. The version,
  commit and renderer change from commit to commit while nbval re-executes the
  committed reports in CI; kept out of the notebooks, they can never make an
  nbval comparison fail, and both renderers (Quarto and smalldocs) show the
  footer because it is an ordinary cell of the staged page.

The footer is a raw HTML block whose every value is HTML-escaped: file names
come from submitters and must render as text.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

from .. import __version__, paths

SHORT_SHA = 12
#: CSS class of the footer; tests and :func:`page_has_provenance` look for it.
FOOTER_CLASS = "evalkit-provenance"


def short(sha: str | None) -> str:
    """Return the first :data:`SHORT_SHA` hex digits of *sha* (``"?"`` when unknown)."""
    return sha[:SHORT_SHA] if sha else "?"


def _read_json(path: Path) -> dict:
    """Return the JSON object in *path*, ``{}`` when missing or unreadable."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def raw_inputs(reads: list[str] | None, data: Path, *, every_file: bool = False) -> dict[str, str]:
    """Return ``{"raw/<dataset>/<file>": sha256}`` of the raw submissions behind *reads*.

    The curated ``_meta.json`` holds the SHA-256 of every raw file intake read;
    ``_intake.json`` says which file each curated table's rows came from. A
    notebook reading tables *reads* (``None``: every table) depends on the raw
    files that contributed rows to them, and always on ``dataset.yaml`` (as-of
    date, demo-data flag). A page reading an intake file (``_intake``) and
    *every_file* give all files intake read.
    Empty when the curated data did not come from intake.
    """
    curated = paths.curated_dir(data)
    meta = _read_json(curated / "_meta.json")
    files = meta.get("files") or {}
    if not isinstance(files, dict) or not files:
        return {}
    intake = _read_json(curated / "_intake.json")
    used = {
        str(t.get("file"))
        for t in intake.get("tables") or []
        if isinstance(t, dict)
        and (reads is None or t.get("table") in reads)
        and int(t.get("rows_read") or 0) > 0
    }
    from ..schema import TABLES

    if not intake or every_file or (reads is not None and any(r not in TABLES for r in reads)):
        # No record of which file fed which table, or the page reads the intake's own
        # report (``_intake``, ``_quarantine``), which covers every submitted file.
        used = set(files)
    used.add("dataset.yaml")
    dataset = str(meta.get("dataset") or "dataset")
    return {
        f"raw/{dataset}/{name}": str(sha) for name, sha in sorted(files.items()) if name in used
    }


def git_state() -> tuple[str | None, bool | None]:
    """Return ``(commit, dirty)`` of the project checkout; ``(None, None)`` outside git.

    *dirty* is True when tracked files differ from the commit, so a page made
    from uncommitted code, configuration or data says so. The files looked at are the
    project's (:data:`evalkit.paths.ROOT` and below), less the executed reports
    (:func:`evalkit.paths.reports_dir`): they are what runs write, so re-running 2026
    and then 2025 from committed code would otherwise mark the 2025 pages
    "uncommitted changes" because 2026's reports were new. The reports folder is
    excluded by its literal name (a ``*`` in it is no pattern).
    """
    pathspec = ["."]
    reports = paths.reports_dir()
    if reports.is_relative_to(paths.ROOT) and reports != paths.ROOT:
        pathspec.append(f":(exclude,literal){reports.relative_to(paths.ROOT).as_posix()}")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *pathspec],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return (commit or None), bool(status.strip())


def renderer_version(renderer: str | None) -> str | None:
    """Return the version of *renderer* (``quarto --version`` or the smalldocs package)."""
    if renderer == "quarto":
        try:
            out = subprocess.run(
                ["quarto", "--version"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        return out or None
    if renderer == "smalldocs":
        from ..core import installed

        return installed.distribution_version("smalldocs")
    return None


def annotate_manifest(man: dict, data: Path, git: tuple | None = None) -> dict:
    """Add the raw-submission hashes, git state and renderer version to a run manifest.

    Per notebook: ``raw_inputs_sha256`` (the files it used); for the run:
    ``raw_inputs_sha256`` (every file of the curated dataset), ``git_dirty`` and
    ``renderer_version``. Nothing here is a timestamp,
    so two runs on the same data and code give the same stable manifest. *git*: the
    :func:`git_state` the run took at its start (taken here when None). Returns
    *man* (changed in place).
    """
    for entry in (man.get("notebooks") or {}).values():
        entry["raw_inputs_sha256"] = raw_inputs(entry.get("reads"), data)
    man["raw_inputs_sha256"] = raw_inputs(None, data, every_file=True)
    commit, dirty = git if git is not None else git_state()
    if commit and not man.get("git_commit"):
        man["git_commit"] = commit
    man["git_dirty"] = dirty
    man["renderer_version"] = renderer_version(man.get("renderer"))
    return man


def page_inputs(entry: dict) -> dict[str, str]:
    """Return every input file of one page: raw submissions, curated tables, configuration."""
    inputs = dict(entry.get("raw_inputs_sha256") or {})
    inputs.update(entry.get("inputs_sha256") or {})
    return dict(sorted(inputs.items()))


def footer_block(
    as_of: str | None,
    inputs: dict[str, str],
    *,
    commit: str | None,
    renderer: str,
    renderer_version: str | None = None,
    dirty: bool | None = None,
    version: str = __version__,
) -> str:
    """Return a page's provenance footer as a Markdown raw-HTML block (Quarto and smalldocs).

    Shows the as-of date, the short SHA-256 of each input file, the evalkit
    version, the git commit and the renderer. Every value is HTML-escaped, and
    the block is raw HTML so no Markdown or shortcode in a file name is read.
    """
    e = html.escape
    facts = []
    if as_of:
        facts.append(f"数据截至 as of {e(str(as_of))}")
    facts.append(f"evalkit {e(str(version))}")
    git = f"git {e(short(commit)) if commit else '未知 unknown'}"
    if dirty:
        git += "（含未提交改动 / uncommitted changes）"
    facts.append(git)
    rend = f"渲染 renderer {e(renderer)}"
    if renderer_version:
        rend += f" {e(renderer_version)}"
    facts.append(rend)
    lines = [
        "```{=html}",
        f'<div class="{FOOTER_CLASS}">',
        "<hr>",
        "<p><strong>来源与版本 / Provenance</strong></p>",
        f"<p>{' · '.join(facts)}</p>",
    ]
    if inputs:
        # Folded: a technical record, opened on demand; it scrolls in its own box on a phone.
        lines.append(
            f"<details><summary>输入文件及其 SHA-256（{len(inputs)} 个）/ input files</summary>"
            '<div class="evalkit-scroll">'
            '<table class="table table-sm"><thead><tr><th>输入文件 input file</th>'
            "<th>SHA-256（前 12 位 / short）</th></tr></thead><tbody>"
        )
        lines += [
            f"<tr><td><code>{e(name)}</code></td><td><code>{e(short(sha))}</code></td></tr>"
            for name, sha in sorted(inputs.items())
        ]
        lines.append("</tbody></table></div></details>")
    lines += [
        "<p>完整哈希见本年度 <code>manifest.json</code>（链接见下方发布信息）/ full hashes in "
        "<code>manifest.json</code> (linked below).</p>",
        "</div>",
        "```",
        "",
    ]
    return "\n".join(lines)


def page_has_provenance(page_html: str) -> bool:
    """Return True when a rendered page carries the provenance footer."""
    return f'class="{FOOTER_CLASS}"' in page_html


# --- Release information and revisions (issue 16) ---------------------------------

#: Release configuration file in the configuration folder (issuing body, contact).
SITE_CONFIG = "site.yaml"
#: CSS class of the release block; tests look for it.
RELEASE_CLASS = "evalkit-release"
#: Summary fields that say when and for what, not what was found: never a revision.
_NOT_FIGURES = ("as_of", "year", "synthetic", "generated")


def site_config(data: Path | None = None) -> dict:
    """Return the release configuration (``<data>/config/site.yaml``): issuer and contact.

    Keys: ``issuer`` (issuing body; default the pilot zone's name from ``zones.yaml``)
    and ``contact`` (None when not configured). ``{name}``, ``{short_name}`` and
    ``{city}`` in them stand for the pilot zone's (so a copied file names its own zone). Raises ``ValueError`` when the file
    exists but is not a mapping of text values.
    """
    from ..core import schema
    from ..core.yamlio import safe_load

    path = paths.config_dir(paths.data_dir(data)) / SITE_CONFIG
    doc = {}
    if path.is_file():
        doc = safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict) or not all(isinstance(v, str | None) for v in doc.values()):
            raise ValueError(f"{path}: 应为文本字段映射 / must map keys to text")
    pilot = schema.PILOT_ZONE
    names = {"name": pilot.name, "short_name": pilot.short_name, "city": pilot.city}

    def fill(text: str | None) -> str:
        """Replace ``{name}``, ``{short_name}``, ``{city}`` by the pilot zone's; nothing else."""
        return re.sub(
            r"\{(name|short_name|city)\}", lambda m: names[m.group(1)], text or ""
        ).strip()

    return {
        "issuer": fill(doc.get("issuer")) or pilot.name,
        "contact": fill(doc.get("contact")) or None,
    }


def release_date(man: dict) -> str | None:
    """Return the date (``YYYY-MM-DD``) a year's reports were last published, from its manifest."""
    run = man.get("run") or {}
    stamp = run.get("finished") or run.get("started")
    return str(stamp)[:10] if stamp else None


def _flatten(value, prefix: str = "") -> dict[str, object]:
    """Return ``{dotted path: leaf}`` of a JSON value (lists are leaves)."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: value}


def _same(a, b) -> bool:
    """Return True when two summary values are equal (floats to a relative 1e-9)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
    return a == b


def summary_changes(before: dict, after: dict) -> list[str]:
    """Return the dotted paths of the figures that differ between two ``summary.json``.

    Added, removed and changed leaves count; the date and flags in
    :data:`_NOT_FIGURES` do not.
    """
    a, b = _flatten(before), _flatten(after)
    return sorted(
        k
        for k in set(a) | set(b)
        if k.split(".")[0] not in _NOT_FIGURES and not (k in a and k in b and _same(a[k], b[k]))
    )


def revisions(old_manifest: dict, old_summary: dict, new_summary: dict, when: str) -> list[dict]:
    """Return the revision record of a year after regenerating it (oldest first).

    The previous record (``old_manifest["revisions"]``) plus one entry
    ``{"date", "as_of", "changed"}`` when the year was published before for the
    same as-of date and its figures now differ (*changed*: dotted summary paths).
    A run for a later as-of date is an update, not a revision.
    """
    record = [dict(r) for r in old_manifest.get("revisions") or [] if isinstance(r, dict)]
    if not old_summary or old_summary.get("as_of") != new_summary.get("as_of"):
        return record
    changed = summary_changes(old_summary, new_summary)
    if changed:
        record.append(
            {"date": str(when)[:10], "as_of": new_summary.get("as_of"), "changed": changed}
        )
    return record


def change_labels(
    changed: list[str], zone_names: dict[str, str], field_labels: dict[str, str]
) -> dict[str, str]:
    """Return plain-word names of changed summary paths, e.g. ``肇东片区·综合得分``.

    ``zones.<zone>.<field>`` and ``zones.<zone>.targets_met.<target>`` are named
    by the zone's name and the field's label (*field_labels*, e.g. the registry's
    ``summary.zone_fields``); other paths get no name (never their internal ids).
    """
    out = {}
    for path in changed:
        parts = path.split(".")
        if len(parts) < 3 or parts[0] != "zones" or parts[1] not in zone_names:
            continue
        field = parts[-1]
        if field in field_labels:
            suffix = "是否达标" if parts[2] == "targets_met" else ""
            out[path] = f"{zone_names[parts[1]]}·{field_labels[field]}{suffix}"
    return out


def suggested_citation(
    issuer: str, title: str, date: str | None, version: str = __version__
) -> str:
    """Return the suggested citation of a page (plain text; escape before use in HTML)."""
    return f"{issuer}：《{title}》，{date or '未发布'} 发布，evalkit {version} 生成。"


def release_block(
    *,
    title: str,
    date: str | None,
    manifest_href: str | None,
    config: dict,
    revision_record: list[dict] | None = None,
    labels: dict[str, str] | None = None,
    version: str = __version__,
) -> str:
    """Return a page's release information as a Markdown raw-HTML block (both renderers).

    Release date, evalkit version, issuing body and contact (*config*, from
    :func:`site_config`), a suggested citation, a link to the year's
    ``manifest.json`` (*manifest_href*, relative to the page) and, when the year
    was revised (:func:`revisions`), a revision note naming up to five changed
    figures in plain words (*labels*: :func:`change_labels`; figures without a
    label are counted, not named). Every value is HTML-escaped.
    """
    e = html.escape
    facts = [f"发布日期 released {e(date or '—')}", f"evalkit {e(str(version))}"]
    facts.append(f"发布单位 issued by {e(config['issuer'])}")
    if config.get("contact"):
        facts.append(f"联系 contact {e(config['contact'])}")
    lines = [
        "```{=html}",
        f'<div class="{RELEASE_CLASS}">',
        "<p><strong>发布信息 / Release</strong></p>",
        f"<p>{' · '.join(facts)}</p>",
        "<p>建议引用 / Suggested citation："
        f"{e(suggested_citation(config['issuer'], title, date, version))}</p>",
    ]
    if manifest_href:
        lines.append(
            f'<p>运行清单（全部输入文件的哈希与修订记录）/ run manifest: <a href="{e(manifest_href)}">'
            "manifest.json</a></p>"
        )
    for rev in revision_record or []:
        changed = list(rev.get("changed") or [])
        named = [labels[c] for c in changed if labels and c in labels]
        which = f"（{'、'.join(named[:5])}{' 等' if len(named) > 5 else ''}）" if named else ""
        lines.append(
            f'<p class="evalkit-revision"><strong>修订说明 / Revision</strong>：'
            f"本年度报告于 {e(str(rev.get('date')))} 以相同截至日期（{e(str(rev.get('as_of')))}）"
            f"重新生成，{len(changed)} 项主要指标{e(which)}与此前发布的版本不同；"
            "逐项列表见 manifest.json 的 revisions。</p>"
        )
    lines += ["</div>", "```", ""]
    return "\n".join(lines)
