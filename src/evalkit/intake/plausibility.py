"""Scale and unit checks that the data contract alone cannot express.

- :func:`percent_checks`: a percentage (typed ``80.6%`` or a number under a percent
  format) is accepted only for a percentage indicator; a plain 0–1 number for a
  percentage indicator is ambiguous (0.965 or 96.5 %?) and gets a warning.
- :func:`positive_checks`: outcomes the impact evaluation takes logs of must be > 0
  (:data:`POSITIVE_COLUMNS`); a 0 there means "no statistic", which is a missing row.
- :func:`magnitude_warnings`: a value 10⁴ or 10⁸ times off its own series' median
  (the zone's / project's history) is flagged as a likely unit error (元/万元/亿元),
  and per-column bounds (:data:`PLAUSIBLE_RANGE`) flag values no office would report.

Each check adds row issues (file, sheet, Excel row and column come with them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .bounds import PLAUSIBLE_RANGE, POSITIVE_COLUMNS
from .findings import Finding, make
from .normalize import key

#: Powers of ten that are unit slips between 元, 万元 and 亿元.
UNIT_POWERS = (4, 8)
#: How close (in powers of ten) a ratio must be to a unit power to be flagged.
UNIT_TOLERANCE = 0.6

_INDICATOR_UNITS = {
    k: unit
    for table in (schema.LOGISTICS_INDICATORS, schema.GOV_SERVICE_INDICATORS)
    for k, (_, unit) in table.items()
}


def _is_percent(value) -> bool:
    """Return True for a cell typed or formatted as a percentage (``80.6%``)."""
    return isinstance(value, str) and key(value).endswith("%")


def percent_checks(issues, table: schema.Table, raw: pd.DataFrame, frame, live) -> None:
    """Percent values only for percentage indicators; ambiguous fractions warn."""
    for col in table.columns:
        if col.dtype not in ("float", "int"):
            continue
        pct = raw[col.name].map(_is_percent).to_numpy(dtype=bool)
        if "indicator" in frame and col.name == "value":
            is_rate = (frame["indicator"].map(_INDICATOR_UNITS) == "%").to_numpy(dtype=bool)
        else:
            is_rate = np.zeros(len(frame), dtype=bool)
        issues.add(np.flatnonzero(live & pct & ~is_rate), col.name, "percent_not_allowed")
        v = np.asarray(frame[col.name], dtype=float)
        with np.errstate(invalid="ignore"):
            frac = live & is_rate & ~pct & (v > 0) & (v <= 1)
        idx = np.flatnonzero(frac)
        issues.add(
            idx, col.name, "rate_as_fraction", "warning", detail=[f"{x * 100:g}" for x in v[idx]]
        )


def positive_checks(issues, table: schema.Table, frame: pd.DataFrame, live) -> None:
    """Flag zeros in :data:`POSITIVE_COLUMNS` (negative values fail the minimum already)."""
    for name in POSITIVE_COLUMNS.get(table.name, ()):
        col = table.column(name)
        v = np.asarray(frame[name], dtype=float)
        with np.errstate(invalid="ignore"):
            idx = np.flatnonzero(live & (v == 0))
        issues.add(
            idx,
            name,
            "not_positive",
            detail=f"{col.label}（影响评估取对数）",
            detail_en=f"{name} (the impact evaluation takes its logarithm)",
        )


def _fmt(x: float) -> str:
    """Format a curated number for a message with its decimals (0.16507, 1,650.7)."""
    return f"{x:,.10g}"


def magnitude_warnings(warn, table: schema.Table, frame: pd.DataFrame, ok, raw) -> np.ndarray:
    """Flag likely unit errors against the series' own median, and implausible values.

    Returns the mask of rows flagged as unit errors (the spike check skips them, so one
    cause gives one finding).
    """
    flagged = np.zeros(len(frame), dtype=bool)
    if table.name in schema.SPIKE_SERIES:
        group = list(schema.SPIKE_SERIES[table.name])
        value = next(c.name for c in table.columns if c.dtype == "float")
        unit = table.column(value).unit or ""
        v = pd.Series(np.asarray(frame[value], dtype=float), index=frame.index)
        use = ok & (v > 0).to_numpy()
        sub = frame.loc[use, group].assign(_v=v[use])
        g = sub.groupby(group, sort=False)["_v"]
        n = g.transform("size")
        med = g.transform("median")
        with np.errstate(divide="ignore", invalid="ignore"):
            power = np.log10(sub["_v"] / med)
        near = np.zeros(len(sub), dtype=bool)
        for p in UNIT_POWERS:
            near |= (np.abs(np.abs(power) - p) <= UNIT_TOLERANCE).to_numpy()
        hit = near & (n >= 3).to_numpy()
        idx = sub.index.to_numpy()[hit]
        flagged[idx] = True
        detail = [f"中位数 {_fmt(m)}{unit}" for m in med.to_numpy()[hit]]
        detail_en = [f"median {_fmt(m)}{unit}" for m in med.to_numpy()[hit]]
        ratio = [f"10^{round(abs(x))}" for x in power.to_numpy()[hit]]
        shown = [f"{_fmt(x)}{unit}" for x in sub["_v"].to_numpy()[hit]]
        warn.add(
            idx,
            value,
            "unit_error",
            "warning",
            detail=detail,
            detail_en=detail_en,
            ratio=ratio,
            shown=shown,
        )
    for (tname, name), (low, high) in PLAUSIBLE_RANGE.items():
        if tname != table.name:
            continue
        unit = table.column(name).unit or ""
        v = np.asarray(frame[name], dtype=float)
        with np.errstate(invalid="ignore"):
            bad = ok & ~flagged & ((v > high) | ((v < low) & (v > 0)))
        idx = np.flatnonzero(bad)
        warn.add(
            idx,
            name,
            "implausible",
            "warning",
            detail=f"{_fmt(low)}–{_fmt(high)} {unit}",
            shown=[f"{_fmt(x)}{unit}" for x in v[idx]],
        )
    return flagged


def _fmt_round(x: float) -> str:
    """Format a number for a message without spurious decimals (as before issue #17)."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:g}"


def table_warnings(table: schema.Table, accepted: pd.DataFrame, ctx) -> list[Finding]:
    """Table-level warnings: funds above the contracted amount, missing periods per zone."""
    out: list[Finding] = []
    if table.name == "funds_monthly" and "projects" in ctx.results:
        projects = ctx.results["projects"].accepted.drop_duplicates("project_id")
        total = accepted.groupby("project_id")["funds_wan_yuan"].sum()
        p = projects.set_index("project_id")
        joined = pd.DataFrame({"total": total}).join(p, how="inner")
        over = joined.loc[
            joined["total"] > schema.FUNDS_OVER_CONTRACT_RATIO * joined["contracted_wan_yuan"]
        ]
        header = schema.PROJECTS.column("contracted_wan_yuan").header
        for pid, r in over.iterrows():
            out.append(
                make(
                    "warning",
                    "funds_above_contract",
                    table="projects",
                    file=str(r["_file"]),
                    sheet=str(r["_sheet"]),
                    row=int(r["_row"]),
                    column=header,
                    value=f"{pid}: {_fmt_round(r['contracted_wan_yuan'])}",
                    detail=_fmt_round(r["total"]),
                    ratio=f"{schema.FUNDS_OVER_CONTRACT_RATIO:g}",
                )
            )
    if table.name in schema.COMPLETENESS and len(accepted):
        period, step = schema.COMPLETENESS[table.name]
        start = accepted[period].min()
        # Only periods that have ended by the as-of date are expected.
        nxt = ctx.as_of.normalize() + pd.Timedelta(days=1)
        first = nxt.replace(day=1, month=step * ((nxt.month - 1) // step) + 1)
        end = first - pd.DateOffset(months=step)
        expected = pd.date_range(start, end, freq=f"{step}MS")
        have = accepted[["zone_id", period]].drop_duplicates()
        zone_files = accepted[["zone_id", "_file"]].drop_duplicates()
        for zone in sorted(have["zone_id"].unique()):
            got = set(have.loc[have["zone_id"] == zone, period])
            missing = [m for m in expected if m not in got]
            if not missing:
                continue
            files = sorted({str(f) for f in zone_files.loc[zone_files["zone_id"] == zone, "_file"]})
            out.append(
                make(
                    "warning",
                    "missing_periods",
                    table=table.name,
                    file="、".join(files),
                    sheet=table.title,
                    column=table.column(period).header,
                    zone=schema.zone_name(zone),
                    detail=_runs(missing, step),
                    as_of=ctx.as_of.strftime("%Y-%m-%d"),
                )
            )
    return out


def _runs(months: list[pd.Timestamp], step: int) -> str:
    """Describe missing periods compactly: ``2026-09—2026-10、2025-01``."""
    out, run = [], [months[0]]
    for m in months[1:]:
        if (m.year - run[-1].year) * 12 + m.month - run[-1].month == step:
            run.append(m)
        else:
            out.append(run)
            run = [m]
    out.append(run)
    fmt = "%Y-%m"
    return "、".join(
        r[0].strftime(fmt) if len(r) == 1 else f"{r[0].strftime(fmt)}—{r[-1].strftime(fmt)}"
        for r in out
    )
