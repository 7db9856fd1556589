"""run(): the reform result from a curated data folder, stored and read back unchanged."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from reforms_ledgers import SMALL, data_ledger, write_data_dir

from evalkit import results
from evalkit.schema import ZONES
from evalkit.topics.reforms import compute, present


@pytest.fixture
def data_dir(tmp_path):
    return write_data_dir(tmp_path / "data")


def assert_results_equal(a: compute.ReformsResult, b: compute.ReformsResult) -> None:
    """Every field equal: frames cell by cell (any missing marker counts as one), the rest by ==.

    Parquet may hand text back as a string dtype and ``pd.NA`` as None, so frames are
    compared as objects with every missing value turned into None; numbers, dates and
    column order must match exactly.
    """
    for name in compute.ReformsResult.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, pd.DataFrame):
            assert list(x.columns) == list(y.columns), name
            assert len(x) == len(y), name
            pd.testing.assert_frame_equal(_cells(x), _cells(y), obj=name)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, obj=name)
        else:
            assert x == y, name


def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* as object cells with every missing value as None."""
    out = df.astype(object)
    return out.where(df.notna(), None).reset_index(drop=True)


def test_declares_what_it_reads():
    assert compute.READS == ("reform_items",)
    assert "targets.yaml" in compute.CONFIG
    assert compute.USES == ()


def test_run_complete_year_matches_the_steps(data_dir):
    res = compute.run(2025, "2025-12-31", data_dir)
    items = data_ledger()
    assert (res.year, res.as_of, res.in_progress, res.partial_year) == (
        2025,
        "2025-12-31",
        False,
        False,
    )
    assert (res.first_year, res.last_year, res.plan_issued) == (2024, 2026, "2024-09-09")
    assert res.synthetic is True
    assert res.pace is None  # a complete year has no pace section
    pd.testing.assert_frame_equal(
        res.attainment, compute.attainment(items, 2025, "2025-12-31", SMALL)
    )
    # E2 and E5 repeat counted experiences of suihua_etdz (see reforms_ledgers.A)
    assert res.duplicates.to_dict() == {"suihua_etdz": 2, "zhaodong": 0, "qinggang": 0}
    assert list(res.duplicates.index) == list(ZONES)  # page order, kept when stored
    assert set(res.duplicate_items["item_id"]) == {"E2", "E5"}
    assert list(res.attainment["zone_id"]) == list(ZONES)
    # counted 2025: etdz E1 E3 E6, zhaodong Z1–Z5, qinggang Q25a–e
    assert len(res.counted_items) == 3 + 5 + 5
    assert set(res.pipeline_items["item_id"]) == {"E7", "E8"}
    assert res.cumulative.set_index("zone_id").loc["qinggang", "cum_replicated"] == 2 + 5


def test_run_year_in_progress_has_pace(data_dir):
    res = compute.run(2026, "2026-10-31", data_dir)
    assert res.in_progress is True
    pd.testing.assert_frame_equal(res.pace, compute.pace(data_ledger(), 2026, "2026-10-31", SMALL))
    q = res.pace.set_index(["zone_id", "kind"]).loc[("qinggang", "replicated")]
    assert (q["to_date"], q["same_day_2025"]) == (3, 4)  # Q26a–c; Q25a–d


def test_run_rejects_as_of_before_the_year(data_dir):
    with pytest.raises(ValueError, match="as-of date is before the report year"):
        compute.run(2026, "2025-12-31", data_dir)


@pytest.mark.parametrize(
    ("year", "as_of"), [(2024, "2024-12-31"), (2025, "2025-12-31"), (2026, "2026-10-31")]
)
def test_stored_result_reads_back_equal(data_dir, tmp_path, year, as_of):
    res = compute.run(year, as_of, data_dir)
    back = results.read(results.save(res, tmp_path / "stored" / "reforms"))
    assert_results_equal(res, back)


def test_pages_from_stored_result_equal_pages_from_fresh_result(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    fresh = compute.run(2026, "2026-10-31", data_dir)
    stored = results.load("reforms", 2026, "2026-10-31", data_dir)
    assert (tmp_path / "reports" / "2026" / "results" / "reforms" / "values.json").exists()
    assert isinstance(stored, compute.ReformsResult)
    assert present.page_narrative(stored) == present.page_narrative(fresh)
    assert present.summary_part(stored.attainment) == present.summary_part(fresh.attainment)
    for page in (
        lambda r: present.attainment_table(r.attainment, in_progress=r.in_progress),
        lambda r: present.pace_table(r.pace),
        lambda r: present.item_table(r.counted_items),
        lambda r: present.item_table(r.pipeline_items, r.as_of),
        lambda r: present.lag_table(r.lag_distribution),
        lambda r: present.cumulative_table(r.cumulative, r.first_year, r.last_year),
    ):
        pd.testing.assert_frame_equal(page(stored), page(fresh))
    for by, table in present.breakdown_tables(stored).items():
        pd.testing.assert_frame_equal(table, present.breakdown_tables(fresh)[by], obj=by)


def test_counting_rule_from_result_equals_from_targets(data_dir):
    res = compute.run(2025, "2025-12-31", data_dir)
    assert present.counting_rule(res) == present.counting_rule(SMALL)
    assert "计划于 2024年9月9日印发" in present.counting_rule(res)


def test_lag_trend_table_one_row_per_zone(data_dir):
    res = compute.run(2025, "2025-12-31", data_dir)
    t = present.lag_trend_table(res.lag_trend)
    assert list(t.columns[:1]) == ["片区"] and len(t) == len(ZONES)
    assert all(math.isnan(v) for v in t["2025年中位数（天）"])  # ledger has no publication dates
