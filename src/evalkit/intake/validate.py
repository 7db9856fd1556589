"""Validate and normalize one table's rows from every file that supplies it.

Row-level rules (types, required values, enumerations, ranges, per-kind
requirements, temporal order, unique keys, references) produce *errors*: the row
is quarantined with its reasons and the remaining rows are accepted. Plausibility
and completeness rules produce *warnings* on accepted rows. All rules are
vectorized over the whole table; Python loops run only over distinct values and
over the rows that have a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import schema
from .findings import Finding, render
from .normalize import (
    enum_parser,
    map_series,
    map_strings,
    parse_bool,
    parse_date,
    parse_identifier,
    parse_month,
    parse_numbers,
    parse_quarter,
    parse_text,
    reveal,
)
from .plausibility import magnitude_warnings, percent_checks, positive_checks, table_warnings
from .readers import Sheet
from .relations import duplicates, references


@dataclass
class TableResult:
    """Outcome for one table: accepted rows (contract columns + ``_file/_sheet/_row``) and more."""

    name: str
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    counts: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    quarantined_keys: set = field(default_factory=set)


@dataclass
class Context:
    """What validation of one table needs from the run and from tables validated before it."""

    as_of: pd.Timestamp
    results: dict[str, TableResult] = field(default_factory=dict)


def show(value) -> str:
    """Format a raw cell value for a message: dates as YYYY-MM-DD, 12.0 as 12, empty as ''."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return reveal(str(value))


def _fmt_number(x: float) -> str:
    """Format a number for a message without spurious decimals."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:g}"


def _fmt_exact(x: float) -> str:
    """Format a curated number for a message with its decimals (1089.3 → ``1,089.3``)."""
    return f"{x:,.10g}"


class _Issues:
    """Accumulates row-level findings as arrays (one entry per affected row)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, idx, column: str, code: str, severity: str = "error", **text) -> None:
        """Record *code* for the rows *idx* (positions) in *column*; *text* fills the message."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        part = pd.DataFrame({"idx": idx})
        part["column"], part["code"], part["severity"] = column, code, severity
        for k, v in text.items():
            part[k] = v if np.ndim(v) == 0 else np.asarray(v, dtype=object)
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        """Return all issues as one frame (columns idx, column, code, severity, text fields)."""
        if not self.parts:
            return pd.DataFrame(columns=["idx", "column", "code", "severity"])
        return pd.concat(self.parts, ignore_index=True)


def _parser(col: schema.Column):
    """Return the single-value parser for a non-numeric column."""
    if col.enum is not None:
        return enum_parser(col.enum)
    if col.dtype == "date":
        return parse_date
    if col.dtype == "month":
        return parse_quarter if col.name == "quarter" else parse_month
    if col.dtype == "bool":
        return parse_bool
    if col.name.endswith("_id"):
        return parse_identifier
    return parse_text


def _concat(sheets: list[Sheet], table: schema.Table) -> tuple[pd.DataFrame, np.ndarray]:
    """Stack the sheets' raw frames; return it with the per-row sheet position."""
    frames, src = [], []
    for i, sh in enumerate(sheets):
        frames.append(sh.frame)
        src.append(np.full(len(sh.frame), i, dtype=np.int32))
    if not frames:
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in table.column_names})
        empty["_row"] = pd.Series([], dtype=np.int64)
        return empty, np.array([], dtype=np.int32)
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return raw, np.concatenate(src)


def validate_table(table: schema.Table, sheets: list[Sheet], ctx: Context) -> TableResult:
    """Normalize and validate *table*'s rows from *sheets*; see the module docstring."""
    raw, src = _concat(sheets, table)
    n = len(raw)
    issues = _Issues()
    broken = np.array([sh.broken for sh in sheets], dtype=bool)[src] if n else np.zeros(0, bool)
    issues.add(np.flatnonzero(broken), "", "sheet_invalid")
    live = ~broken
    clean: dict[str, np.ndarray] = {}
    for col in table.columns:
        series = raw[col.name]
        if col.dtype in ("float", "int"):
            factors = np.array([sh.factors.get(col.name, 1.0) for sh in sheets] or [1.0])
            values, problems = _numbers(series, col, factors[src] if n else np.ones(0))
        else:
            parse = _parser(col)
            if col.dtype in ("date", "month"):
                values, problems = map_series(series, parse, "datetime")
            elif parse in (parse_identifier, parse_text):
                values, problems = map_strings(series, parse, identifier=parse is parse_identifier)
            elif col.dtype == "str":
                values, problems = map_series(series, parse, "str")
            else:
                values, problems = map_series(series, parse)
        clean[col.name] = values
        problems = np.asarray(problems, dtype=object)
        for code in pd.unique(problems[live & pd.notna(problems)]):
            if code == "missing" and not col.required:
                continue
            idx = np.flatnonzero(live & (problems == code))
            issues.add(idx, col.name, code, allowed=_allowed_for_rows(table, col, clean, idx))
        if col.dtype in ("float", "int"):
            _range(issues, col, values, live)
    frame = pd.DataFrame(clean)
    percent_checks(issues, table, raw, frame, live)
    positive_checks(issues, table, frame, live)
    _cross_field(issues, table, frame, live, ctx)
    err = _error_mask(issues, n)
    duplicates(issues, table, frame, raw, src, sheets, ~err)
    err = _error_mask(issues, n)
    references(issues, table, frame, ctx, ~err)
    err = _error_mask(issues, n)
    meta = _meta(raw, src, sheets)
    accepted = pd.concat([_typed(table, frame.loc[~err]), meta.loc[~err]], axis=1)
    accepted = accepted.sort_values(list(table.key) + ["_file", "_row"], kind="stable")
    accepted = accepted.reset_index(drop=True)
    warn = _Issues()
    unit_slips = magnitude_warnings(warn, table, frame, ~err, raw)
    _warnings(warn, table, frame, ~err & ~unit_slips, raw["_row"].to_numpy())
    findings = _findings(issues, table, raw, meta, sheets, src)
    findings += _findings(warn, table, raw, meta, sheets, src)
    findings += table_warnings(table, accepted, ctx)
    quarantine = _quarantine(issues, table, raw, meta, sheets, src, err)
    counts = _counts(meta, err, sheets)
    qkeys = set()
    if len(table.key) == 1 and err.any():
        qkeys = set(pd.Series(frame[table.key[0]][err]).dropna().tolist())
    return TableResult(table.name, accepted, quarantine, counts, findings, qkeys)


def _allowed_for_rows(table: schema.Table, col: schema.Column, clean: dict, idx):
    """Return the allowed values to show: for a cluster, the row's own zone's clusters."""
    if not col.enum:
        return ""
    every = "、".join(col.enum.values())
    if (
        col.name != "cluster"
        or table.name not in schema.ZONE_CLUSTER_TABLES
        or "zone_id" not in clean
    ):
        return every
    zones = np.asarray(clean["zone_id"], dtype=object)[idx]
    return [
        "、".join(schema.CLUSTERS[z].values()) if z in schema.CLUSTERS else every for z in zones
    ]


def _numbers(series: pd.Series, col: schema.Column, factors: np.ndarray):
    """Parse a numeric column, applying each row's header unit factor."""
    money = col.unit == "万元"
    integer = col.dtype == "int"
    if np.all(factors == 1.0):
        return parse_numbers(series, money=money, integer=integer, header_factor=1.0)
    values = np.full(len(series), np.nan)
    problems = np.full(len(series), None, dtype=object)
    for f in np.unique(factors):
        rows = np.flatnonzero(factors == f)
        v, p = parse_numbers(series.iloc[rows], money=money, integer=integer, header_factor=f)
        values[rows], problems[rows] = v, p
    return values, problems


def _range(issues: _Issues, col: schema.Column, values: np.ndarray, live: np.ndarray) -> None:
    """Flag values below the column's minimum or above its maximum."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        if col.minimum is not None:
            idx = np.flatnonzero(live & (v < col.minimum))
            issues.add(idx, col.name, "below_minimum", detail=_fmt_number(col.minimum))
        if col.maximum is not None:
            idx = np.flatnonzero(live & (v > col.maximum))
            issues.add(idx, col.name, "above_maximum", detail=_fmt_number(col.maximum))


def _cross_field(
    issues: _Issues, table: schema.Table, frame: pd.DataFrame, live: np.ndarray, ctx: Context
) -> None:
    """Per-kind requirements, temporal order, indicator bounds (errors); consistency (warnings).

    Longer than 80 lines on purpose: one rule per block (date order, funds against contract,
    ...), each a few lines; one function keeps the rules and their message codes side by side.
    """
    cols = table.column_names
    for rule in schema.REQUIRED_WHEN:
        if rule.table != table.name:
            continue
        when = frame[rule.when_column].isin(rule.when_values).to_numpy()
        missing = frame[rule.column].isna().to_numpy()
        enum = table.column(rule.when_column).enum or {}
        labels = "、".join(enum.get(v, v) for v in rule.when_values)
        detail = f"{table.column(rule.when_column).label}为“{labels}”"
        detail_en = f"{table.column(rule.when_column).label} is {labels}"
        issues.add(
            np.flatnonzero(live & when & missing),
            rule.column,
            "required_when",
            detail=detail,
            detail_en=detail_en,
        )
    for rule in schema.ALLOWED_WHEN:
        if rule.table != table.name:
            continue
        when = frame[rule.when_column].isin(rule.when_values).to_numpy()
        bad = frame[rule.column].notna().to_numpy() & ~frame[rule.column].isin(rule.allowed)
        enum_w = table.column(rule.when_column).enum or {}
        enum_c = table.column(rule.column).enum or {}
        detail = (
            f"{table.column(rule.when_column).label}为“{'、'.join(enum_w.get(v, v) for v in rule.when_values)}”"
            f"时，{table.column(rule.column).label}应为“{'、'.join(enum_c.get(v, v) for v in rule.allowed)}”"
        )
        # The English text names columns and values by the contract's labels too:
        # field names and codes are never shown to a submitter or a reader.
        detail_en = (
            f"when {table.column(rule.when_column).label} is "
            f"{'/'.join(enum_w.get(v, v) for v in rule.when_values)}, "
            f"{table.column(rule.column).label} should be "
            f"{'/'.join(enum_c.get(v, v) for v in rule.allowed)}"
        )
        issues.add(
            np.flatnonzero(live & when & bad.to_numpy()),
            rule.column,
            "not_allowed_when",
            rule.severity,
            detail=detail,
            detail_en=detail_en,
        )
    for rule in schema.TEMPORAL_ORDER:
        if rule.table != table.name:
            continue
        a, b = frame[rule.earlier], frame[rule.later]
        bad = (a.notna() & b.notna() & (a > b)).to_numpy()
        la, lb = table.column(rule.earlier).label, table.column(rule.later).label
        idx = np.flatnonzero(live & bad)
        da = pd.Series(a.to_numpy()[idx]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        db = pd.Series(b.to_numpy()[idx]).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        issues.add(
            idx,
            rule.later,
            "temporal_order",
            detail=[f"{lb}（{y}）早于{la}（{x}）" for x, y in zip(da, db, strict=True)],
            detail_en=[f"{lb} ({y}) is before {la} ({x})" for x, y in zip(da, db, strict=True)],
        )
    if "indicator" in cols and "value" in cols:
        limit = frame["indicator"].map(schema.INDICATOR_MAXIMUM).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            over = live & (frame["value"].to_numpy(dtype=float) > limit)
        issues.add(np.flatnonzero(over), "value", "above_maximum", detail="100")
    if table.name in schema.ZONE_CLUSTER_TABLES:
        pairs = {(z, c) for z, cl in schema.CLUSTERS.items() for c in cl}
        zc = pd.MultiIndex.from_arrays([frame["zone_id"], frame["cluster"]])
        ok = (
            zc.isin(list(pairs))
            | frame["zone_id"].isna().to_numpy()
            | frame["cluster"].isna().to_numpy()
        )
        idx = np.flatnonzero(live & ~ok)
        allowed = [
            "、".join(schema.CLUSTERS.get(z, {}).values()) for z in frame["zone_id"].to_numpy()[idx]
        ]
        issues.add(idx, "cluster", "cluster_not_lead", "warning", allowed=allowed)
    for col in table.columns:
        if col.dtype not in ("date", "month"):
            continue
        limit = ctx.as_of if col.dtype == "date" else ctx.as_of.replace(day=1)
        if col.name == "quarter":
            limit = limit.replace(month=3 * ((limit.month - 1) // 3) + 1)
        idx = np.flatnonzero(live & (frame[col.name] > limit).to_numpy())
        issues.add(idx, col.name, "after_as_of", "warning", detail=ctx.as_of.strftime("%Y-%m-%d"))


def _error_mask(issues: _Issues, n: int) -> np.ndarray:
    """Return the rows that have at least one error."""
    err = np.zeros(n, dtype=bool)
    for part in issues.parts:
        if (part["severity"] == "error").any():
            err[part.loc[part["severity"] == "error", "idx"].to_numpy()] = True
    return err


def _warnings(warn: _Issues, table: schema.Table, frame: pd.DataFrame, ok, rows) -> None:
    """Row-level warnings on accepted rows: spikes, repeated source experiences."""
    if table.name in schema.SPIKE_SERIES:
        group = list(schema.SPIKE_SERIES[table.name])
        period = "quarter" if "quarter" in frame else "month"
        value = next(c.name for c in table.columns if c.dtype == "float")
        sub = frame.loc[ok, group + [period, value]].sort_values(group + [period], kind="stable")
        g = sub.groupby(group, sort=False)[value]
        prev, nxt = g.shift(1), g.shift(-1)
        v = sub[value]
        unit = table.column(value).unit or ""
        up, down = schema.spike_masks(v, prev, nxt)
        for code, mask in (("spike", up), ("spike_down", down)):
            idx = sub.index.to_numpy()[mask.to_numpy()]
            detail = [
                f"{_fmt_exact(a)}{unit}、{_fmt_exact(b)}{unit}"
                for a, b in zip(prev[mask].to_numpy(), nxt[mask].to_numpy(), strict=True)
            ]
            shown = [f"{_fmt_exact(x)}{unit}" for x in v[mask].to_numpy()]
            warn.add(
                idx,
                value,
                code,
                "warning",
                detail=detail,
                ratio=_fmt_number(schema.SPIKE_RATIO),
                shown=shown,
            )
    if table.name == "reform_items":
        sub = frame.loc[ok & (frame["kind"] == "replicated").to_numpy()]
        sub = sub.loc[sub["source_experience"].notna()]
        dup = sub.duplicated(["zone_id", "source_experience"], keep="first")
        if dup.any():
            first = sub.loc[~dup].reset_index().set_index(["zone_id", "source_experience"])["index"]
            repeats = sub.loc[dup]
            firsts = first.reindex(
                pd.MultiIndex.from_frame(repeats[["zone_id", "source_experience"]])
            )
            warn.add(
                repeats.index.to_numpy(),
                "source_experience",
                "duplicate_experience",
                "warning",
                detail=[str(r) for r in rows[firsts.to_numpy()]],
            )


def _typed(table: schema.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Return the contract columns with their curated dtypes."""
    out = {}
    for col in table.columns:
        v = frame[col.name]
        if col.dtype == "float":
            out[col.name] = v.astype("float64")
        elif col.dtype == "int":
            out[col.name] = v.astype("int64") if v.notna().all() else v.astype("Int64")
        elif col.dtype in ("date", "month"):
            out[col.name] = pd.to_datetime(v).astype("datetime64[ns]")
        elif col.dtype == "bool":
            out[col.name] = v.astype("boolean")
        else:
            out[col.name] = v.astype("str").where(v.notna(), None) if len(v) else v.astype("str")
    return pd.DataFrame(out, index=frame.index)


def _meta(raw: pd.DataFrame, src: np.ndarray, sheets: list[Sheet]) -> pd.DataFrame:
    """Return ``_file``, ``_sheet``, ``_row`` per row (file and sheet as categoricals)."""
    file_names = [sh.file for sh in sheets]
    sheet_names = [sh.sheet for sh in sheets]
    fcat = sorted(set(file_names)) or [""]
    scat = sorted(set(sheet_names)) or [""]
    fcode = (
        np.array([fcat.index(f) for f in file_names] or [0])[src] if len(src) else np.zeros(0, int)
    )
    scode = (
        np.array([scat.index(s) for s in sheet_names] or [0])[src] if len(src) else np.zeros(0, int)
    )
    return pd.DataFrame(
        {
            "_file": pd.Categorical.from_codes(fcode, categories=fcat),
            "_sheet": pd.Categorical.from_codes(scode, categories=scat),
            "_row": raw["_row"].to_numpy(dtype=np.int64),
        }
    )


def _header_of(table: schema.Table, sheets: list[Sheet], src_i: int, column: str) -> str:
    """Return the header as submitted for *column* in sheet *src_i* (template header otherwise)."""
    if not column:
        return ""
    return sheets[src_i].headers.get(column) or table.column(column).header


class _Rows:
    """Row lookups for the rows that have findings, extracted once (no per-row pandas access)."""

    def __init__(self, table, raw, meta, sheets, src, idx: np.ndarray) -> None:
        self.table, self.sheets = table, sheets
        self.pos = {int(i): k for k, i in enumerate(idx)}
        self.src = src[idx]
        self.file = meta["_file"].iloc[idx].astype(str).tolist()
        self.sheet = meta["_sheet"].iloc[idx].astype(str).tolist()
        self.row = meta["_row"].iloc[idx].astype("int64").tolist()
        self.values = {c: raw[c].iloc[idx].tolist() for c in table.column_names}

    def value(self, i: int, column: str) -> str:
        """Return the raw value of row *i* in *column* as shown in messages."""
        return show(self.values[column][self.pos[i]]) if column else ""

    def header(self, i: int, column: str) -> str:
        """Return the submitted header of *column* for row *i*."""
        return _header_of(self.table, self.sheets, int(self.src[self.pos[i]]), column)

    def cell(self, i: int, column: str) -> str:
        """Return the spreadsheet cell (``G5``) of row *i* in *column*, "" if unknown."""
        if not column:
            return ""
        letter = self.sheets[int(self.src[self.pos[i]])].letters.get(column, "")
        return f"{letter}{self.row[self.pos[i]]}" if letter else ""

    def where(self, i: int) -> dict:
        """Return file, sheet and Excel row of row *i*."""
        k = self.pos[i]
        return {"file": self.file[k], "sheet": self.sheet[k], "row": self.row[k]}


_TEXT_FIELDS = ("detail", "detail_en", "allowed", "ratio")


def _texts(rec, f: pd.DataFrame) -> dict:
    """Return the message fields present on an issue record."""
    return {c: getattr(rec, c) for c in _TEXT_FIELDS if c in f and isinstance(getattr(rec, c), str)}


def _findings(issues, table, raw, meta, sheets, src) -> list[Finding]:
    """Render accumulated row issues as findings (one per row and problem)."""
    f = issues.frame()
    f = f.loc[f["code"] != "sheet_invalid"]
    if f.empty:
        return []
    f = f.sort_values(["idx", "column", "code"], kind="stable")
    summarised = f["code"] == "reference_table_missing"
    if summarised.any():
        part = f.loc[summarised].copy()
        part["_src"] = src[part["idx"].to_numpy()]
        firsts = part.groupby("_src", sort=True).head(1)
        counts = part.groupby("_src", sort=True).size()
        firsts = firsts.assign(detail=[str(counts[s_]) for s_ in firsts["_src"]])
        f = pd.concat([f.loc[~summarised], firsts.drop(columns="_src")], ignore_index=True)
        f = f.sort_values(["idx", "column", "code"], kind="stable")
    rows = _Rows(table, raw, meta, sheets, src, np.unique(f["idx"].to_numpy()))
    out: list[Finding] = []
    for rec in f.itertuples(index=False):
        i = int(rec.idx)
        value = rows.value(i, rec.column)
        shown = getattr(rec, "shown", None) if "shown" in f else None
        text_value = shown if isinstance(shown, str) else value
        message, fix = render(rec.code, value=text_value, **_texts(rec, f))
        out.append(
            Finding(
                severity=rec.severity,
                code=rec.code,
                table=table.name,
                column=rows.header(i, rec.column),
                value=value,
                message=message,
                fix=fix,
                cell=rows.cell(i, rec.column),
                **rows.where(i),
            )
        )
    return out


def _quarantine(issues, table, raw, meta, sheets, src, err) -> pd.DataFrame:
    """Return one row per quarantined row: where it was, why, and its raw values (JSON)."""
    cols = ["table", "file", "sheet", "row", "reasons", "raw"]
    idx = np.flatnonzero(err)
    if len(idx) == 0:
        return pd.DataFrame(columns=cols)
    f = issues.frame()
    f = f.loc[(f["severity"] == "error") & f["idx"].isin(idx)]
    f = f.sort_values(["idx", "column", "code"], kind="stable")
    rows = _Rows(table, raw, meta, sheets, src, idx)
    reasons: dict[int, list[str]] = {}
    for rec in f.itertuples(index=False):
        i = int(rec.idx)
        header = rows.header(i, rec.column)
        message, _ = render(rec.code, value=rows.value(i, rec.column), **_texts(rec, f))
        reasons.setdefault(i, []).append(f"[{header}] {message}" if header else message)
    out = []
    for i in idx.tolist():
        values = {}
        for c in table.column_names:
            v = rows.value(i, c)
            if v != "":
                values[rows.header(i, c)] = v
        out.append(
            {
                "table": table.name,
                **rows.where(i),
                "reasons": "；".join(reasons.get(i, [])),
                "raw": json.dumps(values, ensure_ascii=False, sort_keys=True),
            }
        )
    return pd.DataFrame(out, columns=cols)


def _counts(meta: pd.DataFrame, err: np.ndarray, sheets: list[Sheet]) -> pd.DataFrame:
    """Rows read / accepted / quarantined per file and sheet (sheets without rows included)."""
    df = pd.DataFrame(
        {"file": meta["_file"].astype(str), "sheet": meta["_sheet"].astype(str), "q": err}
    )
    g = df.groupby(["file", "sheet"], sort=True)["q"]
    out = pd.DataFrame({"rows_read": g.size(), "rows_quarantined": g.sum()})
    every = pd.MultiIndex.from_tuples(
        sorted({(sh.file, sh.sheet) for sh in sheets}), names=["file", "sheet"]
    )
    if len(every):
        out = out.reindex(out.index.union(every), fill_value=0)
    out = out.reset_index()
    out["rows_accepted"] = out["rows_read"] - out["rows_quarantined"]
    return out[["file", "sheet", "rows_read", "rows_accepted", "rows_quarantined"]].astype(
        {"rows_read": "int64", "rows_accepted": "int64", "rows_quarantined": "int64"}
    )
