"""Intake run: read a dataset folder, validate every table, write the curated store atomically.

How problems are handled (the decision recorded for ``make report``):

* **Structural errors** — a file that cannot be read, a sheet whose name is not a
  table title, a header row that is missing or lacks required columns, a bad
  ``dataset.yaml`` — fail the run: status 2, the curated store is left exactly as
  it was (the report is written to ``build/intake/`` for inspection).
* **Row-level errors** — a bad value, a missing required value, a broken rule —
  quarantine that row (``_quarantine.csv`` with its reasons); the valid rows are
  curated. Status 0, unless ``strict`` is set (then 2 and nothing is written).
* **Warnings** — plausibility and completeness — are reported; rows are kept.

Always: rows read = rows accepted + rows quarantined, per table and per file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .. import paths, schema
from .findings import Finding, make
from .readers import Sheet, discover, read_source
from .validate import Context, validate_table

#: Exit statuses.
OK, FAILED = 0, 2


@dataclass
class IntakeResult:
    """What an intake run found and did.

    ``status`` is the process exit status (0 ok, 2 failed); ``written`` says whether
    the curated store was replaced; ``tables`` holds the accepted rows per table
    (contract columns only); ``counts`` rows read / accepted / quarantined per
    table, file and sheet; ``findings`` every finding; ``quarantine`` the
    quarantined rows; ``meta`` the dataset metadata written to ``_meta.json``.
    """

    status: int
    written: bool
    tables: dict[str, pd.DataFrame]
    counts: pd.DataFrame
    findings: list[Finding]
    quarantine: pd.DataFrame
    meta: dict
    curated_dir: Path
    report_path: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        """Return findings of severity error."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Return findings of severity warning."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def structural(self) -> list[Finding]:
        """Return the structural errors (the ones that fail the run)."""
        return [f for f in self.findings if f.structural]

    def summary(self) -> pd.DataFrame:
        """Return rows read / accepted / quarantined and finding counts per table."""
        c = self.counts.groupby("table", sort=False)[
            ["rows_read", "rows_accepted", "rows_quarantined"]
        ].sum()
        f = pd.DataFrame([x.to_dict() for x in self.findings], columns=["table", "severity"])
        for sev in ("error", "warning"):
            c[f"{sev}s"] = f.loc[f["severity"] == sev].groupby("table").size()
        c = c.reindex(list(schema.TABLES)).fillna(0).astype("int64")
        return c.reset_index().rename(columns={"index": "table"})


def _sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_dataset_yaml(dataset_dir: Path) -> tuple[dict, list[Finding]]:
    """Return ``dataset.yaml`` as a dict (``{}`` if absent) and any findings about it."""
    path = dataset_dir / "dataset.yaml"
    if not path.exists():
        return {}, []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(doc, dict):
            raise ValueError("top level must be a mapping")
        if "as_of" in doc:
            doc["as_of"] = pd.Timestamp(str(doc["as_of"])).strftime("%Y-%m-%d")
        if "synthetic" in doc and not isinstance(doc["synthetic"], bool):
            raise ValueError("synthetic must be true or false")
    except (yaml.YAMLError, ValueError, UnicodeDecodeError) as exc:
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return {}, [make("error", "bad_dataset_yaml", file="dataset.yaml", detail=detail)]
    return doc, []


def _rel(path: Path, root: Path) -> str:
    """Return *path* relative to *root* in POSIX form (stable across machines)."""
    return path.relative_to(root).as_posix()


def _latest_month(sheets: list[Sheet]) -> pd.Timestamp:
    """Return the latest month mentioned in month columns (fallback when as_of is unknown)."""
    from .normalize import map_series, parse_month

    best = pd.Timestamp("2000-01-01")
    for sh in sheets:
        for col in ("month", "quarter"):
            if col in sh.frame and len(sh.frame):
                values, _ = map_series(sh.frame[col], parse_month)
                stamps = pd.to_datetime(pd.Series(values, dtype=object)).dropna()
                if len(stamps):
                    best = max(best, stamps.max())
    return best + pd.offsets.MonthEnd(0)


def run(
    dataset_dir: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    *,
    strict: bool = False,
    write: bool = True,
) -> IntakeResult:
    """Read, validate and curate the submissions in *dataset_dir* into ``<data_dir>/curated``.

    Paths may be relative to the project root. With *strict*, any row-level error
    also fails the run. With ``write=False`` nothing is written (a dry run). Never
    raises for bad input: every problem is a finding.

    Longer than 80 lines on purpose: it is the intake recipe read top to bottom (read every
    file, validate each table, gather counts, findings and quarantine, write the store or,
    on failure, only the report), each step a call or two.
    """
    dataset = paths.resolve(dataset_dir)
    data = paths.data_dir(data_dir)
    curated = paths.curated_dir(data)
    findings: list[Finding] = []
    meta_doc, yaml_findings = read_dataset_yaml(dataset)
    findings += yaml_findings
    files = discover(dataset) if dataset.is_dir() else []
    if not files:
        findings.append(make("error", "no_data_files", file=str(dataset_dir)))
    sheets: list[Sheet] = []
    hashes: dict[str, str] = {}
    for path in files:
        rel = _rel(path, dataset)
        hashes[rel] = _sha256(path)
        got, found = read_source(path, rel)
        sheets += got
        findings += found
    if (dataset / "dataset.yaml").exists():
        hashes["dataset.yaml"] = _sha256(dataset / "dataset.yaml")
    if meta_doc.get("as_of"):
        as_of = pd.Timestamp(meta_doc["as_of"])
    else:
        as_of = _latest_month(sheets)
        if not yaml_findings:
            findings.append(
                make(
                    "warning",
                    "no_dataset_yaml",
                    file="dataset.yaml",
                    detail=as_of.strftime("%Y-%m-%d"),
                )
            )
    ctx = Context(as_of=as_of)
    for name, table in schema.TABLES.items():
        mine = [s for s in sheets if s.table == name]
        if not mine and files:
            findings.append(make("warning", "table_not_submitted", table=name, sheet=table.title))
        ctx.results[name] = validate_table(table, mine, ctx)
        findings += ctx.results[name].findings
    results = ctx.results
    counts = pd.concat([r.counts.assign(table=n) for n, r in results.items()], ignore_index=True)[
        ["table", "file", "sheet", "rows_read", "rows_accepted", "rows_quarantined"]
    ]
    quarantine = pd.concat([r.quarantine for r in results.values()], ignore_index=True)
    meta = {
        "dataset": meta_doc.get("name") or dataset.name,
        "synthetic": bool(meta_doc.get("synthetic", False)),
        "generator": str(meta_doc.get("generator") or ""),
        "as_of": as_of.strftime("%Y-%m-%d"),
        "description": meta_doc.get("description", ""),
        "files": dict(sorted(hashes.items())),
    }
    structural = any(f.structural for f in findings)
    row_errors = any(f.severity == "error" and not f.structural for f in findings)
    failed = structural or (strict and row_errors)
    tables = {n: r.accepted[schema.TABLES[n].column_names] for n, r in results.items()}
    result = IntakeResult(
        status=FAILED if failed else OK,
        written=False,
        tables=tables,
        counts=counts,
        findings=_sorted(findings),
        quarantine=quarantine,
        meta=meta,
        curated_dir=curated,
    )
    if not write:
        return result
    report = intake_report(result, strict=strict)
    if failed:
        # The previous curated data stay as they were; the report goes to build/ for inspection.
        out = paths.build_dir() / "intake"
        out.mkdir(parents=True, exist_ok=True)
        (out / "_intake.json").write_text(_dumps(report), encoding="utf-8")
        _write_quarantine(quarantine, out / "_quarantine.csv")
        result.report_path = out / "_intake.json"
        return result
    write_store(curated, tables, meta, report, quarantine)
    result.written = True
    result.report_path = curated / "_intake.json"
    return result


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Order findings deterministically: errors first, then by table, file, sheet, row."""
    sev = {"error": 0, "warning": 1}
    table_order = {n: i for i, n in enumerate(schema.TABLES)}
    return sorted(
        findings,
        key=lambda f: (
            sev.get(f.severity, 2),
            table_order.get(f.table, -1),
            f.file,
            f.sheet,
            f.row if f.row is not None else -1,
            f.column,
            f.code,
        ),
    )


def intake_report(result: IntakeResult, *, strict: bool = False) -> dict:
    """Return the JSON-ready intake report (``_intake.json``)."""
    totals = result.counts[["rows_read", "rows_accepted", "rows_quarantined"]].sum()
    return {
        "dataset": result.meta["dataset"],
        "synthetic": result.meta["synthetic"],
        "as_of": result.meta["as_of"],
        "status": "failed" if result.status else "ok",
        "strict": strict,
        "totals": {k: int(v) for k, v in totals.items()}
        | {
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "structural_errors": len(result.structural),
        },
        "tables": [
            {k: (int(v) if k.startswith("rows") else v) for k, v in rec.items()}
            for rec in result.counts.to_dict(orient="records")
        ],
        "findings": [f.to_dict() for f in result.findings],
    }


def _dumps(doc: dict) -> str:
    """Serialize a report deterministically."""
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _write_quarantine(quarantine: pd.DataFrame, path: Path) -> None:
    """Write quarantined rows as UTF-8-with-BOM CSV (opens cleanly in Excel)."""
    from ..core.safety import neutralize_frame

    # CRLF (RFC 4180) so a field holding a submitted CR is quoted and cannot split a row.
    text = neutralize_frame(quarantine).to_csv(index=False, lineterminator="\r\n")
    path.write_bytes(("\ufeff" + text).encode("utf-8"))


def write_store(
    curated: Path,
    tables: dict[str, pd.DataFrame],
    meta: dict,
    report: dict,
    quarantine: pd.DataFrame,
) -> None:
    """Replace *curated* as a whole: write a sibling temporary folder, then swap it in.

    A lock file beside the folder keeps two runs from swapping at once; if anything
    fails (or the process is killed) before the swap the previous store is
    untouched. The swap is :func:`evalkit.core.publish.swap_dir` (one atomic exchange on
    Linux); leftovers of a killed run are repaired or removed first
    (:func:`evalkit.core.publish.recover`).
    """
    from filelock import FileLock

    from ..core import publish
    from ..core.checkpoint import checkpoint

    parent = curated.parent
    parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(parent / f".{curated.name}.lock")):
        publish.recover(curated)
        tmp = parent / f".{curated.name}.new-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            for name, df in tables.items():
                df.reset_index(drop=True).to_parquet(tmp / f"{name}.parquet", index=False)
            (tmp / "_meta.json").write_text(
                json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            (tmp / "_intake.json").write_text(_dumps(report), encoding="utf-8")
            _write_quarantine(quarantine, tmp / "_quarantine.csv")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        checkpoint("curate-swap")  # tests kill the run here: new store staged, not swapped
        publish.swap_dir(tmp, curated)


def read_intake(data_dir: str | os.PathLike | None = None) -> dict:
    """Return the curated store's intake report (``curated/_intake.json``), ``{}`` if absent."""
    data = paths.data_dir(data_dir)
    path = paths.curated_dir(data) / "_intake.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
