"""Tests of ``evalkit.topics.logistics.compute.run`` and of the indicator configuration."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from logistics_factory import AS_OF, SPIKE, YEAR, build_data
from result_checks import assert_same_result

from evalkit import results
from evalkit.config import ConfigError
from evalkit.schema import LOGISTICS_INDICATORS, TABLES, ZONES
from evalkit.topics.logistics import compute
from evalkit.topics.logistics import settings as S
from evalkit.topics.logistics.indicators import indicator_panel


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return build_data(tmp_path_factory.mktemp("logistics"))


@pytest.fixture(scope="module")
def res(data):
    return compute.run(YEAR, AS_OF, data)


def test_declares_what_it_reads():
    assert compute.READS == ("logistics_monthly",)
    assert set(compute.READS) <= set(TABLES)
    assert compute.CONFIG == ("logistics.yaml", "targets.yaml")
    assert compute.USES == ()


def test_run_covers_the_report_window_and_finds_the_planted_spike(res):
    assert res.months == [f"2025-0{m}-01" for m in range(1, 7)]
    assert res.last_month == pd.Timestamp("2025-06-01")
    assert res.synthetic is True
    first = list(ZONES)[0]
    assert list(res.anomalies["month"]) == [SPIKE]
    assert list(res.anomalies["zone_id"]) == [first]
    assert list(res.anomalies["indicator"]) == ["freight_rail"]
    # Every zone × contract indicator has a decomposition row; only the long series is decomposed.
    assert len(res.decompositions) == len(ZONES) * len(LOGISTICS_INDICATORS)
    ok = res.decompositions[res.decompositions["ok"]]
    assert list(zip(ok["zone_id"], ok["indicator"], strict=True)) == [(first, "freight_rail")]
    assert len(res.components) == 42  # 2022-01 … 2025-06
    # The panel: every zone × (contract indicators + foreign trade) × six months.
    assert len(res.panel) == len(ZONES) * (len(LOGISTICS_INDICATORS) + 1) * 6


def test_run_result_is_stored_and_read_back_equal(res, tmp_path):
    folder = results.save(res, tmp_path / "logistics", key="k")
    back = results.read(folder)
    assert_same_result(back, res)


def test_results_load_computes_once_then_reads_the_stored_result(data, monkeypatch, tmp_path):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    first = results.load("logistics", YEAR, AS_OF, data)
    assert (tmp_path / "reports" / str(YEAR) / "results" / "logistics" / "values.json").exists()

    def no_run(*args, **kwargs):
        raise AssertionError("run() called although the stored result is current")

    monkeypatch.setattr(compute, "run", no_run)
    again = results.load("logistics", YEAR, AS_OF, data)
    pd.testing.assert_frame_equal(again.panel, first.panel)
    assert again.config == first.config


def test_run_refuses_an_indicator_without_declared_aggregation(data, tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(data, broken)
    path = broken / "config" / "logistics.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["indicators"]["clearance_hours"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="no aggregation declared.*clearance_hours"):
        compute.run(YEAR, AS_OF, broken)


def test_a_new_contract_indicator_must_declare_its_aggregation(monkeypatch):
    """Adding an indicator to the data contract without logistics.yaml is an error, not a sum."""
    monkeypatch.setitem(LOGISTICS_INDICATORS, "pipeline_throughput", ("管道运量", "吨"))
    with pytest.raises(ConfigError, match="pipeline_throughput"):
        S.load_config("data")
    # Declared beside the others, it is accepted with its rule.
    doc = yaml.safe_load((S.config_path("logistics.yaml", "data")).read_text(encoding="utf-8"))
    doc["indicators"]["pipeline_throughput"] = {"aggregation": "last"}
    cfg = S.parse_config(doc)
    assert cfg.how("pipeline_throughput") == "last"
    # The panel then takes its latest month (a stock), not the sum of the months.
    zone = list(ZONES)[0]
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    df = pd.DataFrame(
        {"zone_id": zone, "month": months, "indicator": "pipeline_throughput", "value": [5.0, 7, 9]}
    )
    panel = indicator_panel(df, 2025, "2025-03-31", cfg, zones=[zone])
    march = panel[(panel["indicator"] == "pipeline_throughput") & (panel["month"] == months[-1])]
    assert list(march["ytd"]) == [9.0]


def test_undeclared_aggregation_is_never_a_silent_sum():
    with pytest.raises(ConfigError, match="no aggregation declared for indicator 'export_value'"):
        S.LogisticsConfig().how("export_value")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"aggregation": "total"}, "aggregation"),
        ({}, "aggregation"),
        ({"aggregation": "sum", "change": "ratio"}, "change"),
        ({"aggregation": "sum", "lower_is_better": "yes"}, "lower_is_better"),
        ({"aggregation": "sum", "unit": "吨"}, "unknown keys"),
        ("sum", "must be a mapping"),
    ],
)
def test_invalid_indicator_rules_name_the_indicator(spec, message):
    doc = {"indicators": {i: {"aggregation": "sum"} for i in S.all_indicators()}}
    doc["indicators"]["freight_air"] = spec
    with pytest.raises(ConfigError, match=rf"indicators\.freight_air.*{message}"):
        S.parse_config(doc)
    doc["indicators"]["freight_air"] = {"aggregation": "sum"}
    doc["indicators"]["pipelines"] = {"aggregation": "sum"}
    with pytest.raises(ConfigError, match="unknown indicator 'pipelines'"):
        S.parse_config(doc)


def test_project_file_declares_every_indicator():
    cfg = S.load_config("data")
    assert set(cfg.aggregation) == set(S.all_indicators())
    assert cfg.how("cold_chain_capacity") == "last" and cfg.how("clearance_hours") == "mean"
    assert cfg.points("village_delivery_share") and cfg.lower_better("clearance_hours")
    with pytest.raises(ConfigError, match="configuration file missing"):
        S.load_config("/nonexistent-logistics-data")
