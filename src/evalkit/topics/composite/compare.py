"""Comparisons between years on the same basis, and weak dimensions.

*Same basis* (同一口径): a zone's change on the previous year is computed from the
indicators that zone has a score for in **both** years only. Both years are scored on
that common set (re-weighting within dimensions and over dimensions exactly as
:func:`~.scoring.dimension_scores` / :func:`~.scoring.composite_scores` do), so a
dimension or indicator missing in one year (e.g. annual industry data not yet submitted
in a year in progress) never enters one side of the comparison only. The indicators
left out are named on the page.

*Weak dimension* (短板): a dimension is a common weakness only when it scores below the
configured ``weak_below`` in a majority of zones; otherwise the lowest zone-dimension is
named with its zone.
"""

from __future__ import annotations

import math

import pandas as pd

from ...schema import ZONES
from .indicators import IndicatorConfig
from .scoring import composite_scores, dimension_scores

#: Columns :func:`same_basis_change` adds to the composite frame.
CHANGE_COLUMNS = ("basis_prev_score", "basis_score", "change", "basis_prev_rank", "basis_rank")


def basis_indicators(scored: pd.DataFrame, zone_id: str, year: int) -> tuple[list[str], list[str]]:
    """Return ``(common, dropped)`` indicator ids of *zone_id* for *year* − 1 → *year*.

    *common*: scored in both years; *dropped*: scored in exactly one of them (in
    *scored*'s indicator order). *scored* is the frame of :func:`~.scoring.score_indicators`.
    """
    z = scored[(scored["zone_id"] == zone_id) & scored["year"].isin([year - 1, year])]
    order = list(dict.fromkeys(scored["indicator"]))
    have = {
        y: set(z.loc[(z["year"] == y) & z["score"].notna(), "indicator"]) for y in (year - 1, year)
    }
    common = [i for i in order if i in have[year - 1] and i in have[year]]
    dropped = [i for i in order if (i in have[year - 1]) != (i in have[year])]
    return common, dropped


def same_basis_change(scored: pd.DataFrame, config: IndicatorConfig, year: int) -> pd.DataFrame:
    """Return per zone the composite of *year* − 1 and *year* on their common indicators.

    Columns ``zone_id, basis_prev_score, basis_score, change`` (points, *year* minus
    *year* − 1), ``basis_prev_rank, basis_rank`` (competition ranks among the zones, each
    on its own common basis) and ``dropped`` (indicator ids left out, ``、``-joined, empty
    when none). Empty frame (those columns) when *year* − 1 is not in *scored*.
    """
    cols = ["zone_id", *CHANGE_COLUMNS, "dropped"]
    if not (scored["year"] == year - 1).any():
        return pd.DataFrame(columns=cols)
    parts, dropped = [], {}
    for z in [z for z in ZONES if z in set(scored["zone_id"])]:
        common, left_out = basis_indicators(scored, z, year)
        dropped[z] = "、".join(left_out)
        rows = scored[
            (scored["zone_id"] == z)
            & scored["year"].isin([year - 1, year])
            & scored["indicator"].isin(common)
        ]
        parts.append(rows)
    basis = pd.concat(parts, ignore_index=True)
    comp = composite_scores(dimension_scores(basis, config), config)
    score = comp.set_index(["zone_id", "year"])["score"]
    rank = comp.set_index(["zone_id", "year"])["rank"]
    out = []
    for z in dropped:
        p_score = float(score.get((z, year - 1), math.nan))
        c_score = float(score.get((z, year), math.nan))
        out.append(
            {
                "zone_id": z,
                "basis_prev_score": p_score,
                "basis_score": c_score,
                "change": c_score - p_score,
                "basis_prev_rank": rank.get((z, year - 1), pd.NA),
                "basis_rank": rank.get((z, year), pd.NA),
                "dropped": dropped[z],
            }
        )
    frame = pd.DataFrame(out, columns=cols)
    for col in ("basis_prev_rank", "basis_rank"):
        frame[col] = frame[col].astype("Int64")
    return frame


def with_changes(comp: pd.DataFrame, scored: pd.DataFrame, config: IndicatorConfig) -> pd.DataFrame:
    """Return *comp* with each year's same-basis change on the year before (see module doc).

    Adds :data:`CHANGE_COLUMNS` and ``dropped`` to every row of the composite frame
    (NaN / NA / empty for the first year, which has no year before).
    """
    frames = [same_basis_change(scored, config, int(y)) for y in sorted(comp["year"].unique())]
    years = sorted(comp["year"].unique())
    stacked = [f.assign(year=int(y)) for f, y in zip(frames, years, strict=True) if len(f)]
    if not stacked:
        out = comp.copy()
        for col in CHANGE_COLUMNS:
            out[col] = math.nan
        out["dropped"] = ""
        for col in ("basis_prev_rank", "basis_rank"):
            out[col] = out[col].astype("Int64")
        return out
    changes = pd.concat(stacked, ignore_index=True)
    out = comp.merge(changes, on=["zone_id", "year"], how="left")
    out["dropped"] = out["dropped"].fillna("")
    for col in ("basis_prev_rank", "basis_rank"):
        out[col] = out[col].astype("Int64")
    for col in ("basis_prev_score", "basis_score", "change"):
        out[col] = out[col].astype(float)
    return out


def weak_dimensions(dims: pd.DataFrame, config: IndicatorConfig, year: int) -> pd.DataFrame:
    """Return per dimension of *year*: mean score, zones below ``config.weak_below`` and the lowest.

    Columns ``dimension, mean, n_zones, n_weak, weak_zones`` (zone ids in zone order),
    ``lowest_zone, lowest_score, common`` (True when more than half of the zones with a
    score are below the threshold). Dimensions without any score are left out; rows in
    configuration order.
    """
    d = dims[dims["year"] == year]
    rows = []
    for dim in config.dimensions:
        g = d[(d["dimension"] == dim.id) & d["score"].notna()]
        if g.empty:
            continue
        g = g.assign(_o=g["zone_id"].map({z: k for k, z in enumerate(ZONES)}))
        g = g.sort_values(["score", "_o"])
        weak = [z for z in ZONES if z in set(g.loc[g["score"] < config.weak_below, "zone_id"])]
        rows.append(
            {
                "dimension": dim.id,
                "mean": float(g["score"].mean()),
                "n_zones": len(g),
                "n_weak": len(weak),
                "weak_zones": tuple(weak),
                "lowest_zone": g["zone_id"].iloc[0],
                "lowest_score": float(g["score"].iloc[0]),
                "common": len(weak) * 2 > len(g),
            }
        )
    return pd.DataFrame(rows)
