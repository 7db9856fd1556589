"""The synthetic demo dataset: determinism, schema conformance, and the intended scenarios.

Scenario checks recompute every figure here with plain pandas from the generated
frames (not with evalkit's evaluation helpers), so they test the data, not the code
that will later evaluate it.
"""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from evalkit import demo, paths, schema


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo.generate()


# --- determinism -------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(frames):
    again = demo.generate()
    assert list(again) == list(frames)
    for name in frames:
        pd.testing.assert_frame_equal(again[name], frames[name], check_exact=True)


def test_other_seed_gives_other_numbers(frames):
    other = demo.generate(seed=1)
    assert not other["funds_monthly"]["funds_wan_yuan"].equals(
        frames["funds_monthly"]["funds_wan_yuan"]
    )
    assert not other["county_panel"]["gdp"].equals(frames["county_panel"]["gdp"])


def test_curated_files_are_byte_identical_across_runs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        demo.write_curated(demo.generate(), demo.metadata(), d)
    files = sorted(p.name for p in (a / "curated").iterdir())
    assert files == sorted([f"{t}.parquet" for t in schema.TABLES] + ["_meta.json"])
    for name in files:
        assert (a / "curated" / name).read_bytes() == (b / "curated" / name).read_bytes(), name
    # No temporary files are left behind by the atomic write.
    assert not [p for p in (a / "curated").iterdir() if p.name.startswith(".")]


def test_meta_says_synthetic(tmp_path):
    demo.write_curated(demo.generate(), demo.metadata(), tmp_path)
    meta = json.loads((tmp_path / "curated" / "_meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert meta["as_of"] == "2026-10-31"
    assert meta["dataset"] == "demo"
    assert "合成" in meta["description"] and "synthetic" in meta["description"].lower()


def test_cli_curated_only(tmp_path, capsys):
    from evalkit.cli import main

    assert main(["demo", "--curated-only", "--data-dir", str(tmp_path)]) == 0
    got = pd.read_parquet(tmp_path / "curated" / "funds_monthly.parquet")
    pd.testing.assert_frame_equal(got, demo.generate()["funds_monthly"])


# --- schema conformance --------------------------------------------------------------------

_DTYPES = {"float": "float64", "int": "int64", "date": "datetime64[ns]", "month": "datetime64[ns]"}


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_schema_conformance(frames, name):
    table = schema.TABLES[name]
    df = frames[name]
    assert list(df.columns) == table.column_names
    assert len(df) > 0
    assert not df.duplicated(list(table.key)).any(), "key not unique"
    for col in table.columns:
        s = df[col.name]
        if col.dtype == "str":
            assert pd.api.types.is_string_dtype(s), col.name
        else:
            assert str(s.dtype) == _DTYPES[col.dtype], (col.name, s.dtype)
        if col.required:
            assert s.notna().all(), f"{name}.{col.name} has missing values"
        if col.enum is not None:
            assert set(s.dropna()) <= set(col.enum), (col.name, set(s.dropna()) - set(col.enum))
        if col.minimum is not None:
            assert (s.dropna() >= col.minimum).all(), col.name
        if col.maximum is not None:
            assert (s.dropna() <= col.maximum).all(), col.name
        if col.dtype == "month":
            assert (s.dt.day == 1).all(), col.name
    if "indicator" in df and "value" in df:
        limit = df["indicator"].map(schema.INDICATOR_MAXIMUM)
        assert not (df["value"] > limit).any()


def test_cross_field_rules_hold(frames):
    r = frames["reform_items"]
    rep, orig = r[r["kind"] == "replicated"], r[r["kind"] == "original"]
    assert rep["source_published"].notna().all() and rep["source_experience"].notna().all()
    assert (rep["source"] != "own").all() and (orig["source"] == "own").all()
    assert orig["originality"].notna().all() and rep["originality"].isna().all()
    assert (rep["source_published"] < rep["adopted"]).all()
    done = r[r["status"] == "in_effect"]
    assert done["effective"].notna().all() and (done["effective"] >= done["adopted"]).all()
    assert r.loc[r["status"] == "in_progress", "effective"].isna().all()
    assert (r["adopted"] >= pd.Timestamp(demo.PLAN_ISSUED)).all()
    p = frames["projects"]
    for a, b in (("signed", "construction_started"), ("construction_started", "in_production")):
        both = p[a].notna() & p[b].notna()
        assert (p.loc[both, a] <= p.loc[both, b]).all()
    pairs = {(z, c) for z, cl in schema.CLUSTERS.items() for c in cl}
    assert set(zip(p["zone_id"], p["cluster"], strict=True)) <= pairs
    f = frames["funds_monthly"].merge(p[["project_id", "zone_id", "signed"]], on="project_id")
    assert (f["zone_id_x"] == f["zone_id_y"]).all(), "funds refer to a project of another zone"
    assert (f["month"] >= f["signed"].dt.to_period("M").dt.to_timestamp()).all()
    total = frames["funds_monthly"].groupby("project_id")["funds_wan_yuan"].sum()
    contracted = p.set_index("project_id")["contracted_wan_yuan"]
    assert (total <= contracted.reindex(total.index)).all(), "funds above the contracted amount"


def test_as_of_censoring(frames):
    as_of = pd.Timestamp("2026-10-31")
    for name, table in schema.TABLES.items():
        for col in table.columns:
            if col.dtype in ("date", "month"):
                assert (frames[name][col.name].dropna() <= as_of).all(), (name, col.name)
    gov = frames["gov_services_quarterly"]
    assert gov["quarter"].max() == pd.Timestamp("2026-07-01")  # Q4 2026 is not complete
    assert frames["county_panel"]["year"].max() == 2025
    assert frames["industry_annual"]["year"].max() == 2025


def test_earlier_end_month_is_the_same_world_earlier(frames):
    early = demo.generate(end_month="2025-12")
    f, e = frames["funds_monthly"], early["funds_monthly"]
    # Before 2025-12 (qinggang's late month), the funds are identical.
    cut = pd.Timestamp("2025-11-01")
    pd.testing.assert_frame_equal(
        f[f["month"] <= cut].reset_index(drop=True), e[e["month"] <= cut].reset_index(drop=True)
    )
    assert early["county_panel"]["year"].max() == 2024
    r = early["reform_items"]
    assert (r["adopted"] <= pd.Timestamp("2025-12-31")).all()
    assert r["effective"].max() <= pd.Timestamp("2025-12-31")


def test_end_month_out_of_range():
    with pytest.raises(ValueError):
        demo.generate(end_month="2027-01")
    with pytest.raises(ValueError):
        demo.generate(end_month="2026-13")


# --- reform scenarios ------------------------------------------------------------------------


def _in_effect_counts(r: pd.DataFrame) -> pd.DataFrame:
    """Per zone and year of taking effect: distinct replicated experiences and original items."""
    done = r[r["status"] == "in_effect"].assign(year=lambda d: d["effective"].dt.year)
    rep = done[done["kind"] == "replicated"].drop_duplicates(["zone_id", "source_experience"])
    orig = done[done["kind"] == "original"]
    return pd.DataFrame(
        {
            "replicated": rep.groupby(["zone_id", "year"]).size(),
            "original": orig.groupby(["zone_id", "year"]).size(),
        }
    ).fillna(0)


def test_reform_targets_met_and_missed(frames):
    c = _in_effect_counts(frames["reform_items"])
    met = {
        z: (c.loc[(z, 2025), "replicated"] >= 20, c.loc[(z, 2025), "original"] >= 3)
        for z in schema.ZONES
    }
    assert met == {
        "suihua_etdz": (True, True),
        "zhaodong": (True, False),
        "qinggang": (False, True),
    }
    # 2026 to October: on pace means at least 10/12 of the annual target.
    pace = {z: c.loc[(z, 2026), "replicated"] >= 20 * 10 / 12 for z in schema.ZONES}
    assert pace == {"suihua_etdz": True, "zhaodong": False, "qinggang": False}
    # 2024 (September to December) is a partial year with small counts.
    assert (c.xs(2024, level="year")["replicated"] < 10).all()


def test_reform_duplicates_matter_for_counting(frames):
    r = frames["reform_items"]
    rep = r[(r["kind"] == "replicated") & (r["status"] == "in_effect")]
    dup = rep[rep.duplicated(["zone_id", "source_experience"], keep=False)]
    assert dup["zone_id"].nunique() >= 2
    assert dup["item_id"].is_unique  # distinct ledger entries of one experience
    # Raw row counts would overstate the deduplicated count.
    raw = rep.assign(year=rep["effective"].dt.year).groupby(["zone_id", "year"]).size()
    dedup = _in_effect_counts(r)["replicated"]
    assert (raw.reindex(dedup.index).fillna(0) > dedup).any()


def test_reform_edge_cases_present(frames):
    r = frames["reform_items"]
    spans = r[(r["adopted"].dt.month == 12) & (r["effective"].dt.month == 1)]
    spans = spans[spans["effective"].dt.year == spans["adopted"].dt.year + 1]
    assert spans["zone_id"].nunique() == 3
    assert (r["status"] == "in_progress").groupby(r["zone_id"]).sum().min() >= 2
    rep = r[r["kind"] == "replicated"]
    lag = (rep["adopted"] - rep["source_published"]).dt.days
    assert lag.min() < 60 and lag.max() > 365
    assert {
        "harbin_area",
        "heihe_area",
        "suifenhe_area",
        "state_council_batch",
        "other_province_ftz",
    } <= set(rep["source"])
    orig = r[r["kind"] == "original"]
    share_national = (orig["originality"] == "national_first").mean()
    assert 0 < share_national < 0.3
    assert r["evidence"].str.fullmatch(r"\S+〔20\d\d〕\d+号").all()


# --- funds scenarios ---------------------------------------------------------------------------


def _annual(f: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    sub = f[f["month"].dt.month <= months]
    return sub.groupby(["zone_id", sub["month"].dt.year])["funds_wan_yuan"].sum().unstack()


def test_funds_growth_scenarios(frames):
    f, p = frames["funds_monthly"], frames["projects"]
    a = _annual(f)
    g25 = a[2025] / a[2024] - 1
    assert g25["suihua_etdz"] >= 0.25
    assert g25["zhaodong"] < 0.25
    assert g25["qinggang"] >= 0.25
    qg = p[p["zone_id"] == "qinggang"]
    largest = qg.loc[qg["contracted_wan_yuan"].idxmax(), "project_id"]
    b = _annual(f[f["project_id"] != largest])
    assert b.loc["qinggang", 2025] / b.loc["qinggang", 2024] - 1 < 0.25
    # The largest project is very large (several hundred thousand 万元).
    assert qg["contracted_wan_yuan"].max() >= 200_000
    # Annual funds in place per zone of the order of 6–40 亿元.
    assert a[[2023, 2024, 2025]].stack().between(50_000, 400_000).all()


def test_funds_2026_on_track_and_borderline(frames):
    f = frames["funds_monthly"]
    ytd = _annual(f, months=10)
    g = ytd[2026] / ytd[2025] - 1
    assert g["suihua_etdz"] > 0.3  # clearly on track
    assert abs(g["zhaodong"] - 0.25) < 0.03  # borderline
    # Late submission: qinggang's last month is September 2026, the others' October.
    last = f.groupby("zone_id")["month"].max()
    assert last["qinggang"] == pd.Timestamp("2026-09-01")
    assert (last.drop("qinggang") == pd.Timestamp("2026-10-01")).all()


def test_funds_seasonality(frames):
    f = frames["funds_monthly"]
    f = f[f["month"].dt.year <= 2025]
    by_month = f.groupby(f["month"].dt.month)["funds_wan_yuan"].sum()
    assert by_month[[1, 2]].mean() < by_month[[4, 5, 6, 7, 8, 9]].mean()
    assert by_month[12] == by_month.max()


def test_project_ledger_shape(frames):
    p = frames["projects"]
    n = p.groupby("zone_id").size()
    assert n.between(40, 120).all()
    assert p["contracted_wan_yuan"].min() >= 1_000
    assert set(p["origin"]) == set(schema.INVESTOR_ORIGINS)
    foreign = p.loc[p["origin"] == "foreign", "origin_detail"]
    assert "俄罗斯" in set(foreign)
    # Stalled: signed over a year before the as-of date, not in production, no funds for a year.
    last_funds = frames["funds_monthly"].groupby("project_id")["month"].max()
    old = p[(p["signed"] < "2025-06-01") & p["in_production"].isna()]
    stalled = old[
        old["project_id"].map(last_funds).fillna(pd.Timestamp("2000-01-01")) < "2025-10-01"
    ]
    assert len(stalled) >= 3


# --- logistics ----------------------------------------------------------------------------------


def test_logistics_scenarios(frames):
    lg = frames["logistics_monthly"]
    series = lg.groupby(["zone_id", "indicator"])
    present = set(series.groups)
    assert ("qinggang", "train_departures") not in present
    assert ("qinggang", "bonded_throughput") not in present
    for zone in ("suihua_etdz", "zhaodong"):
        assert {(zone, i) for i in schema.LOGISTICS_INDICATORS} <= present
    first = series["month"].min()
    assert first[("zhaodong", "bonded_throughput")].year == 2025
    n = series.size()
    assert n[("zhaodong", "express_parcels")] == n[("zhaodong", "import_value")] - 1
    mm = lg[(lg["zone_id"] == "qinggang") & (lg["indicator"] == "freight_multimodal")]
    assert (mm.loc[mm["month"].dt.year == 2023, "value"] == 0).all()
    assert mm.loc[mm["month"].dt.year == 2025, "value"].gt(0).all()
    # One obvious spike: a value more than ten times both neighbours.
    lg = lg.sort_values(["zone_id", "indicator", "month"])
    s = lg.groupby(["zone_id", "indicator"])["value"]
    prev, nxt = s.shift(1), s.shift(-1)
    spikes = lg.loc[(lg["value"] > 10 * np.maximum(prev, nxt)) & (prev > 0) & (nxt > 0)]
    assert list(zip(spikes["zone_id"], spikes["indicator"], strict=True)) == [
        ("suihua_etdz", "export_value")
    ]


def test_logistics_magnitudes(frames):
    lg = frames["logistics_monthly"]
    y = lg[lg["month"].dt.year == 2024]
    trade = y[
        (y["zone_id"] == "suihua_etdz") & y["indicator"].isin(["import_value", "export_value"])
    ]
    assert 10_000 < trade["value"].sum() < 40_000  # about 2 亿元 a year
    wide = lg.pivot_table(index=["zone_id", "month"], columns="indicator", values="value")
    ok = wide[["russia_trade_value", "import_value", "export_value"]].dropna()
    assert (ok["russia_trade_value"] <= ok["import_value"] + ok["export_value"]).all()
    share = (ok["russia_trade_value"] / (ok["import_value"] + ok["export_value"])).mean()
    assert 0.3 < share < 0.7
    trains = lg.loc[lg["indicator"] == "train_departures", "value"]
    assert trains.max() <= 15 and (trains == trains.round()).all()


# --- county panel and the injected effect ----------------------------------------------------------


def _did_2x2(panel: pd.DataFrame, outcome: str) -> float:
    d = panel.assign(
        y=np.log(panel[outcome]),
        treated=panel["county_id"].isin(schema.PILOT_HOST_COUNTIES),
        post=panel["year"] >= demo.INJECTED_EFFECT_FIRST_YEAR,
    )
    m = d.groupby(["treated", "post"])["y"].mean()
    return float((m[True, True] - m[True, False]) - (m[False, True] - m[False, False]))


def test_county_panel_shape_and_magnitudes(frames):
    c = frames["county_panel"]
    assert set(c["county_id"]) == set(schema.COUNTIES)
    assert sorted(c["year"].unique()) == list(range(2019, 2026))
    v = c.set_index(["county_id", "year"])
    assert 2_000_000 < v.loc[("beilin", 2024), "gdp"] < 2_600_000  # 230.6 亿元 published
    assert 2_000_000 < v.loc[("zhaodong", 2021), "gdp"] < 2_500_000  # 222.2 亿元 published
    assert 300_000 < v.loc[("beilin", 2024), "domestic_capital_used"] < 600_000  # 44.3 亿元
    # The 2020 dip is common: most counties' GDP grows less in 2020 than in 2021.
    g = np.log(c.pivot(index="year", columns="county_id", values="gdp")).diff()
    assert (g.loc[2020] < g.loc[2021]).all()


def test_injected_effect_documented():
    assert demo.INJECTED_EFFECT_LOG == 0.15
    assert demo.INJECTED_EFFECT_OUTCOME == "domestic_capital_used"
    assert "exp(0.15)" in demo.__doc__ and "domestic_capital_used" in demo.__doc__


def test_injected_effect_recovered_by_simple_2x2(frames):
    est = _did_2x2(frames["county_panel"], demo.INJECTED_EFFECT_OUTCOME)
    # The default seed's realization; the sampling sd of this estimate is about 0.026.
    assert abs(est - demo.INJECTED_EFFECT_LOG) < 0.06


def test_injected_effect_is_unbiased_and_only_on_one_outcome():
    # Across many seeds the 2x2 estimate averages the injected effect, and zero elsewhere.
    draws = {k: [] for k in schema.COUNTY_INDICATORS}
    for s in range(60):
        panel = demo.county_panel(np.random.default_rng(s))
        for k in draws:
            draws[k].append(_did_2x2(panel, k))
    means = {k: float(np.mean(v)) for k, v in draws.items()}
    assert abs(means["domestic_capital_used"] - 0.15) < 0.015
    for k in ("gdp", "retail_sales", "fixed_asset_investment", "foreign_trade"):
        se = np.std(draws[k]) / np.sqrt(len(draws[k]))
        assert abs(means[k]) < 4 * se + 0.005, (k, means[k])


# --- raw submissions ---------------------------------------------------------------------------------

RAW_DIR = paths.ROOT / "data" / "raw" / demo.RAW_DATASET


@pytest.fixture(scope="module")
def raw(frames) -> dict[str, bytes]:
    return demo.raw_files(frames, demo.metadata())


def test_committed_raw_files_match_the_generator(raw):
    # Re-running the generator must not dirty git: the committed bytes are what it writes.
    committed = {p.name: p.read_bytes() for p in sorted(RAW_DIR.iterdir())}
    assert sorted(committed) == sorted(raw)
    for name, blob in raw.items():
        assert committed[name] == blob, f"{name} differs: run `python -m evalkit demo`"


def test_raw_files_are_reproducible(frames, raw):
    assert demo.raw_files(frames, demo.metadata()) == raw
    assert sum(len(b) for b in raw.values()) < 3_000_000


def test_write_raw_replaces_the_folder(tmp_path, frames):
    stale = tmp_path / "raw" / "demo" / "old_layout.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"stale")
    written = demo.write_raw(frames, demo.metadata(), tmp_path)
    assert not stale.exists()
    assert sorted(p.name for p in written) == sorted(demo.raw_files(frames, demo.metadata()))
    assert not [p for p in (tmp_path / "raw").iterdir() if p.name.startswith(".")]


def test_dataset_yaml_says_synthetic(raw):
    doc = yaml.safe_load(raw["dataset.yaml"].decode("utf-8"))
    assert doc["synthetic"] is True
    assert str(doc["as_of"]) == "2026-10-31"
    assert "合成" in doc["description"] and "synthetic" in doc["description"].lower()


def _workbook(blob: bytes):
    return openpyxl.load_workbook(io.BytesIO(blob), data_only=True)


def test_zone_workbooks_layout(raw):
    zone_tables = [t for t in schema.TABLES.values() if "zone_id" in t.column_names]
    for zone in schema.ZONES:
        wb = _workbook(raw[f"{zone}.xlsx"])
        assert wb.sheetnames[0] == "说明"
        text = " ".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True) if r[0])
        assert "合成" in text and "synthetic" in text.lower()
        expected = [t.title for t in zone_tables if (zone, t.name) not in demo.RAW_GBK_CSV]
        assert wb.sheetnames[1:] == expected
        for title in expected:
            table = next(t for t in zone_tables if t.title == title)
            rows = list(wb[title].iter_rows(values_only=True))
            header = rows[1] if demo.RAW_STYLE[zone].get("title_row") else rows[0]
            want = [
                f"{c.label}（亿元）" if (zone, table.name, c.name) in demo.RAW_YI_YUAN else c.header
                for c in table.columns
            ]
            assert list(header) == want, (zone, title)
    county = _workbook(raw["county_panel.xlsx"])
    assert county.sheetnames == ["说明", schema.COUNTY_PANEL.title]


def test_raw_files_are_messy(raw):
    zd = _workbook(raw["zhaodong.xlsx"])
    zones = {r[1] for r in zd[schema.REFORM_ITEMS.title].iter_rows(min_row=2, values_only=True)}
    assert {"肇东", "肇东市", "肇东片区"} <= {z.strip() for z in zones}
    contracted = [r[6] for r in zd[schema.PROJECTS.title].iter_rows(min_row=2, values_only=True)]
    assert max(v for v in contracted if isinstance(v, float)) < 100  # in 亿元
    dates = [r[7] for r in zd[schema.PROJECTS.title].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(d, str) and d.endswith("日") for d in dates)
    csv_name = next(n for n in raw if n.endswith(".csv"))
    with pytest.raises(UnicodeDecodeError):
        raw[csv_name].decode("utf-8")
    text = raw[csv_name].decode("gbk")
    assert text.startswith("片区,月份,指标,数值")
    qg = _workbook(raw["qinggang.xlsx"])
    cells = [c for r in qg[schema.FUNDS_MONTHLY.title].iter_rows(values_only=True) for c in r]
    assert any(isinstance(c, str) and "，" in c and "０" <= c[0] <= "９" for c in cells)


def test_intake_quarantines_exactly_the_invalid_rows(frames):
    intake = pytest.importorskip("evalkit.intake")
    result = intake.run(RAW_DIR, paths.ROOT / "build" / "test-demo-unused", write=False)
    assert result.status == 0, [f.to_dict() for f in result.structural]
    assert result.meta["synthetic"] is True and result.meta["as_of"] == "2026-10-31"
    counts = result.counts
    assert (counts["rows_read"] == counts["rows_accepted"] + counts["rows_quarantined"]).all()
    assert counts["rows_quarantined"].sum() == len(demo.INVALID_ROWS)
    errors = {(f.code, f.file, f.table) for f in result.errors}
    expected = {(s["code"], s["file"], s["table"]) for s in demo.INVALID_ROWS}
    assert errors == expected
    # Everything else survives the messy formatting unchanged: the curated tables equal
    # the generator's frames.
    for name, table in schema.TABLES.items():
        got = result.tables[name].sort_values(list(table.key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, frames[name], rtol=1e-9)


# --- scenarios: per-zone settings from configuration, another pilot zone -------------------------


def test_default_scenario_follows_the_configured_zones():
    sc = demo.load_scenario()
    assert list(sc.zones) == list(schema.ZONES)
    assert sc.pilot.zone_names == schema.ZONES
    assert list(sc.counties_2019) == list(schema.COUNTIES)
    assert sc.name == demo.RAW_DATASET == "demo"
    # Every cluster a zone can draw a project in has project name templates.
    assert set(schema.ALL_CLUSTERS) <= set(sc.project_names)
    for zone, spec in sc.zones.items():
        assert set(spec["industry_2023"]) == set(schema.CLUSTERS[zone]), zone


def test_scenario_zones_must_match_its_zones_configuration(tmp_path):
    src = demo.SCENARIO_DIR / demo.SCENARIOS["suihua"]
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    doc["zones"] = dict(reversed(list(doc["zones"].items())))
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    from evalkit.core.errors import ConfigError

    with pytest.raises(ConfigError, match="must match the zones configuration"):
        demo.load_scenario(str(bad))
    with pytest.raises(ConfigError, match="unknown demo scenario"):
        demo.load_scenario("no-such-pilot")


@pytest.fixture(scope="module")
def four_zone():
    sc = demo.load_scenario("four-zone")
    return sc, demo.generate(scenario=sc)


def test_four_zone_scenario_has_its_own_zones_clusters_and_counties(four_zone):
    sc, frames = four_zone
    assert len(sc.pilot.zones) == 4
    assert not set(sc.pilot.zone_names) & set(schema.ZONES)
    assert not set(sc.pilot.counties) & set(schema.COUNTIES)
    assert not set(sc.pilot.all_clusters) & set(schema.ALL_CLUSTERS)
    assert len(sc.pilot.comparison_counties) == 6
    for name in ("reform_items", "projects", "funds_monthly", "logistics_monthly"):
        assert set(frames[name]["zone_id"]) == set(sc.pilot.zone_names), name
    clusters = frames["projects"][["zone_id", "cluster"]].drop_duplicates()
    for zone, cluster in clusters.itertuples(index=False):
        assert cluster in sc.pilot.clusters[zone]
    assert set(frames["county_panel"]["county_id"]) == set(sc.pilot.counties)
    # The late submitter has not sent the as-of month.
    late = frames["funds_monthly"]
    assert late[late["zone_id"] == "hongshan"]["month"].max() < pd.Timestamp("2026-10-01")


def test_four_zone_injected_effect_is_on_its_own_host_counties(four_zone):
    sc, frames = four_zone
    panel = frames["county_panel"].set_index(["county_id", "year"])["domestic_capital_used"]
    logs = np.log(panel).unstack("year")
    change = logs[[2024, 2025]].mean(axis=1) - logs[[2021, 2022, 2023]].mean(axis=1)
    hosts = change[list(sc.pilot.host_counties)].mean()
    others = change[list(sc.pilot.comparison_counties)].mean()
    assert 0.08 < hosts - others < 0.22


def test_cli_four_zone_writes_raw_and_config(tmp_path):
    from evalkit.cli import main
    from evalkit.core.zones import load_zones

    out = tmp_path / "other"
    assert main(["demo", "--pilot", "four-zone", "--out", str(out)]) == 0
    pz = load_zones(out / "config" / "zones.yaml")
    assert list(pz.zone_names) == ["songbei_hitech", "lianhe", "baiquan", "hongshan"]
    for name in ("targets.yaml", "indicators.yaml", "investment.yaml", "logistics.yaml"):
        assert (out / "config" / name).is_file(), name
    files = sorted(p.name for p in (out / "raw" / "demo-four-zone").iterdir())
    assert [f for f in files if f.endswith(".xlsx")] == sorted(
        [f"{z}.xlsx" for z in pz.zone_names] + ["county_panel.xlsx"]
    )
    meta = yaml.safe_load((out / "raw" / "demo-four-zone" / "dataset.yaml").read_text("utf-8"))
    assert meta["name"] == "demo-four-zone" and meta["synthetic"] is True
    # The project's own data folder is never the target of another pilot.
    with pytest.raises(SystemExit, match="needs --out"):
        main(["demo", "--pilot", "four-zone"])
