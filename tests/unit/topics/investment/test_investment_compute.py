"""The investment topic's run(): a typed result, stored and read back unchanged."""

import pandas as pd
import pytest
from result_checks import assert_same_result

from evalkit import results, schema, store
from evalkit.config import load_targets
from evalkit.topics.investment import compute, present, projection
from evalkit.topics.investment import funds as F

YEAR, AS_OF = 2026, "2026-10-31"


@pytest.fixture
def data(investment_data):
    return investment_data


@pytest.fixture
def res(investment_result):
    return investment_result


_assert_same_result = assert_same_result


def test_declares_what_it_reads():
    assert set(compute.READS) <= set(schema.TABLES)
    assert compute.READS == ("funds_monthly", "projects")
    assert "targets.yaml" in compute.CONFIG and "investment.yaml" in compute.CONFIG
    assert compute.USES == ()


def test_run_is_the_recipe_of_the_named_steps(res, data):
    funds = store.read_table("funds_monthly", data)
    att = F.attainment(funds, YEAR, AS_OF, load_targets(data))
    pd.testing.assert_frame_equal(res.attainment, att)
    zones = list(schema.ZONES)
    assert list(res.attainment["zone_id"]) == zones
    assert res.late == [zones[-1]]  # the last zone reported only through September
    assert res.last_month == 10 and not res.partial_year and res.plan_issued == "2024-09-09"
    assert res.synthetic is True
    assert (res.landing.stall_days_signed, res.landing.stall_days_construction) == (120, 400)
    assert res.backtest_years == [2025]
    assert res.chosen_model in projection.MODELS
    assert set(res.projections["zone_id"]) == set(zones)
    assert (
        res.projections["through_month"]
        == res.attainment.set_index("zone_id")
        .loc[res.projections["zone_id"], "through_month"]
        .to_numpy()
    ).all()
    # Projects without construction for more than 120 days are stalled.
    assert set(res.stalled["stage"]) == {"已签约未开工", "已开工未投产"}


def test_result_stored_and_read_back_equal(res, tmp_path):
    folder = results.save(res, tmp_path / "investment")
    back = results.read(folder)
    _assert_same_result(res, back)
    # The page shows the same from the fresh and the stored result.
    assert present.conclusions(back) == present.conclusions(res)
    assert present.summary_part(back) == present.summary_part(res)
    for (n1, _, t1), (n2, _, t2) in zip(
        present.breakdown_tables(res), present.breakdown_tables(back), strict=True
    ):
        assert n1 == n2
        pd.testing.assert_frame_equal(t1, t2)
    pd.testing.assert_frame_equal(
        present.attainment_table(back.attainment, back.last_month, back.partial_year),
        present.attainment_table(res.attainment, res.last_month, res.partial_year),
    )


def test_results_load_computes_once_then_reads_the_stored_result(data, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    calls = []
    real = compute.run

    def counting(*args, **kwargs):
        calls.append(args or kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(compute, "run", counting)
    first = results.load("investment", YEAR, AS_OF, data)
    second = results.load("investment", YEAR, AS_OF, data)
    assert len(calls) == 1
    assert (tmp_path / "reports" / str(YEAR) / "results" / "investment" / "values.json").exists()
    _assert_same_result(first, second)


def test_run_rejects_as_of_before_the_year(data):
    with pytest.raises(ValueError, match="as-of date is before"):
        compute.run(2027, AS_OF, data)
