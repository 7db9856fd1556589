"""Relations between rows: duplicate keys (within and across files) and references.

Split from :mod:`.validate` (same row-issue collector): :func:`duplicates` keeps the
first of exact repeats and quarantines every row of a key with conflicting content,
naming the other row with its file and sheet when it is elsewhere;
:func:`references` checks funds rows against the accepted project ledger and, when
the ledger was not read at all, gives one summarised finding instead of one per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema


def duplicates(issues, table, frame, raw, src, sheets, ok) -> None:
    """Exact repeats: keep the first; conflicting rows with one key: quarantine them all."""
    key = list(table.key)
    sub = frame.loc[ok]
    if sub.empty:
        return
    dup_key = sub.duplicated(key, keep=False)
    if not dup_key.any():
        return
    d = sub.loc[dup_key]
    exact_repeat = d.duplicated(table.column_names, keep="first")
    # Within a key group: conflicting when the rows are not all the same.
    distinct = d.drop_duplicates(table.column_names)
    conflicting_keys = distinct.loc[distinct.duplicated(key, keep=False), key]
    conflict = (
        d.set_index(key).index.isin(pd.MultiIndex.from_frame(conflicting_keys))
        if len(key) > 1
        else d[key[0]].isin(conflicting_keys[key[0]]).to_numpy()
    )
    rows = raw["_row"].to_numpy()

    def keys_of(df: pd.DataFrame):
        return pd.MultiIndex.from_frame(df[key]) if len(key) > 1 else df[key[0]].to_numpy()

    keys_d = keys_of(d)
    groups = d.groupby(key, sort=False, dropna=False)

    # For conflicts, point every row at another row of the group (by position in *raw*).
    pos = pd.Series(d.index.to_numpy(), index=d.index)
    first = groups.head(1)
    last = groups.tail(1)
    ref_pos = pd.Series(first.index.to_numpy(), index=keys_of(first)).reindex(keys_d).to_numpy()
    last_pos = pd.Series(last.index.to_numpy(), index=keys_of(last)).reindex(keys_d).to_numpy()
    other_pos = np.where(pos.to_numpy() == ref_pos, last_pos, ref_pos)
    conf_pos, conf_other = d.index.to_numpy()[conflict], other_pos[conflict]
    zh, en = _elsewhere(conf_pos, conf_other, src, sheets, rows)
    issues.add(conf_pos, key[0], "duplicate_key", detail=zh, detail_en=en)
    rep = exact_repeat.to_numpy() & ~conflict
    rep_pos = d.index.to_numpy()[rep]
    zh, en = _elsewhere(rep_pos, ref_pos[rep], src, sheets, rows)
    issues.add(rep_pos, key[0], "duplicate_row", detail=zh, detail_en=en)


def _elsewhere(pos, other, src, sheets, rows) -> tuple[list[str], list[str]]:
    """Describe row *other* as seen from row *pos*: "第 5 行", or with its file and sheet."""
    zh, en = [], []
    for a, b in zip(pos.tolist(), np.asarray(other).tolist(), strict=True):
        b = int(b)
        sa, sb = sheets[int(src[a])], sheets[int(src[b])]
        if (sa.file, sa.sheet) == (sb.file, sb.sheet):
            zh.append(f"第 {rows[b]} 行")
            en.append(f"row {rows[b]}")
        else:
            where = f"“{sb.sheet}”工作表" if sb.sheet else ""
            zh.append(f"{sb.file} {where}第 {rows[b]} 行")
            en.append(f"row {rows[b]} of {sb.file}" + (f" sheet {sb.sheet!r}" if sb.sheet else ""))
    return zh, en


def references(issues, table, frame: pd.DataFrame, ctx, ok) -> None:
    """Referential integrity against tables validated earlier (funds → projects)."""
    for rule in schema.REFERENCES:
        if rule.table != table.name or rule.ref_table not in ctx.results:
            continue
        ref = ctx.results[rule.ref_table]
        if int(ref.counts["rows_read"].sum()) == 0:
            # One root cause, one finding per sheet: the ledger itself was not read.
            rows_ok = np.flatnonzero(ok & frame[rule.column].notna().to_numpy())
            issues.add(rows_ok, rule.column, "reference_table_missing", detail=str(len(rows_ok)))
            continue
        known = ref.accepted.drop_duplicates(rule.ref_column).set_index(rule.ref_column)
        values = frame[rule.column]
        found = values.isin(known.index).to_numpy()
        missing = np.flatnonzero(ok & ~found & values.notna().to_numpy())
        quarantined = values.iloc[missing].isin(list(ref.quarantined_keys)).to_numpy(dtype=bool)
        detail = np.where(quarantined, "（该项目因有错误已隔离）", "")
        detail_en = np.where(quarantined, " (the project row was quarantined)", "")
        issues.add(missing, rule.column, "unknown_reference", detail=detail, detail_en=detail_en)
        for col in rule.same:
            theirs_s = values.map(known[col])
            differs = (frame[col] != theirs_s).fillna(False).to_numpy(dtype=bool)
            bad = np.flatnonzero(ok & found & frame[col].notna().to_numpy() & differs)
            theirs = theirs_s.iloc[bad].to_numpy(dtype=object)
            label = schema.TABLES[table.name].column(col).label
            issues.add(
                bad,
                col,
                "reference_mismatch",
                detail=[f"项目台账中{label}为 {t}" for t in theirs],
                detail_en=[f"the project ledger says {col} = {t}" for t in theirs],
            )
