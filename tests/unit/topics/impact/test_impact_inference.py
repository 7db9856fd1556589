"""Issue #18 item 6: impact inference shown consistently (one minimal input per sub-item).

Each test names the value the old code gave (before) and asserts the new behaviour.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from evalkit.topics.impact import compute, narrative, present
from evalkit.topics.impact import did as est


def _panel(rng, *, effect=0.0, units=10, treated_units=3, years=range(2019, 2026), rho=0.5):
    """Simulated county panel: unit and year effects, AR(1) errors within unit."""
    years = list(years)
    rows = []
    for u in range(units):
        a, e = rng.normal(), rng.normal()
        for i, y in enumerate(years):
            if i:
                e = rho * e + math.sqrt(1 - rho**2) * rng.normal()
            d = int(u < treated_units and y >= 2024)
            rows.append(
                {"unit": f"c{u:02d}", "year": y, "D": d, "y": a + 0.02 * y + effect * d + 0.1 * e}
            )
    return pd.DataFrame(rows)


# --- 1. Bootstrap intervals invert the bootstrap test ---------------------------------------------


def _level_like_panel():
    """A panel whose t interval excludes 0 while the bootstrap p-value is above 0.05."""
    rng = np.random.default_rng(0)
    for _ in range(400):
        df = _panel(rng, effect=0.09, rho=0.2)
        res = est.did(df, "y", "unit", "year", "D", bootstrap_reps=999, seed=3, bootstrap_ci=False)
        if res.ci_low > 0 and res.p_wild_bootstrap >= 0.05:
            return df, est.did(df, "y", "unit", "year", "D", bootstrap_reps=999, seed=3)
    raise AssertionError("no panel with t interval excluding 0 and bootstrap p >= 0.05")


def test_robustness_interval_is_the_bootstrap_one_beside_the_bootstrap_p():
    # Before: the robustness table showed the t interval next to the bootstrap p
    # (2026 level row: 4,914 ～ 136,180 with p 0.080 — the interval excluded 0).
    # After: the page shows the interval inverting the same bootstrap test, so it
    # contains 0 exactly when the p-value does not reject (2026 level row: -3,868.6 ～
    # 121,030.9, p 0.080).
    df, res = _level_like_panel()
    assert res.ci_low > 0  # the old, inconsistent pair
    assert res.boot_ci_low <= 0 <= res.boot_ci_high
    table = pd.DataFrame([compute._row("水平值（非对数）", "2019–2023 对 2025", res, "万元")])
    shown = present.robustness_display(table)
    assert "95% 区间（t 分布）" not in shown.columns
    lo, hi = shown["95% 区间（wild bootstrap）"].iloc[0].split(" ～ ")
    assert float(lo.replace(",", "")) <= 0 <= float(hi.replace(",", ""))


def test_interval_end_points_have_wildboottest_p_values_of_five_percent():
    # Independent check: the wildboottest package's p-value (same seed, same Webb
    # draws) just inside each end point is >= 0.05 and just outside < 0.05.
    wbt = pytest.importorskip("wildboottest.wildboottest")
    sm = pytest.importorskip("statsmodels.api")
    df = _panel(np.random.default_rng(5), effect=0.15)
    res = est.did(df, "y", "unit", "year", "D", bootstrap_reps=999, seed=1)
    codes = df["unit"].map({u: i for i, u in enumerate(sorted(df["unit"].unique()))}).to_numpy()
    x = pd.get_dummies(df[["unit", "year"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "D", df["D"].astype(float))
    x = sm.add_constant(x)

    def p_at(beta0: float) -> float:
        # Testing D = beta0 is testing D = 0 with y - beta0·D as the outcome.
        y = df["y"].to_numpy() - beta0 * df["D"].to_numpy()
        ref = wbt.wildboottest(
            sm.OLS(y, x), B=999, cluster=codes, param="D", weights_type="webb",
            impose_null=True, bootstrap_type="11", seed=1, show=False, parallel=False,
        )  # fmt: skip
        return float(ref["p-value"].iloc[0])

    eps = 1e-3 * res.se
    for bound, outward in [(res.boot_ci_low, -eps), (res.boot_ci_high, eps)]:
        assert p_at(bound + outward) < 0.05 <= p_at(bound - outward)


def test_closed_form_p_values_equal_the_direct_bootstrap_on_a_grid():
    # Brute force: the inversion's closed form against the direct computation
    # (residualize, re-estimate, re-cluster every replication) on 41 values of beta0.
    df = _panel(np.random.default_rng(9), effect=0.1)
    p = est._prepare(df, "y", "unit", "year", ["D"], None)
    boot = est._Bootstrap(p, est.webb_weights(p.n_clusters, 999, 4))
    grid = boot.beta + np.linspace(-6, 6, 41) * float(boot.se)
    direct = np.array([boot.pvalue(b) for b in grid])
    assert boot.pvalues(grid) == pytest.approx(direct, abs=1.5 / 999)
    # The interval is the hull of the non-rejected grid values (to grid resolution).
    lo, hi = boot.confint(0.05, float(boot.se))
    inside = grid[direct >= 0.05]
    step = grid[1] - grid[0]
    assert lo == pytest.approx(inside.min(), abs=step) and hi == pytest.approx(
        inside.max(), abs=step
    )


# --- 2. Leave one pilot county out ---------------------------------------------------------------


def _county_panel():
    rng = np.random.default_rng(11)
    df = _panel(rng, effect=0.15, units=6, treated_units=3)
    hosts = ("c00", "c01", "c02")
    return df.rename(columns={"unit": "county_id", "y": "x"}).assign(
        x=lambda d: np.exp(d["x"])
    ), hosts


def test_robustness_drops_each_pilot_county_too():
    # Before: rows only for each comparison county ("剔除对照县：…"); no pilot row.
    # After: one "剔除试点县：…" row per pilot county, with 2 pilot counties left
    # and the few-treated warning (2026 demo: estimates 0.111–0.151, p 0.088, 0.088, 0.020).
    county, hosts = _county_panel()
    panel = compute.prepare_panel(county.drop(columns="D"), 2025, hosts)
    plan = compute.headline_years(2025, panel["year"].unique())
    table = compute.robustness(panel, "x", plan, county_names={}, reps=199)
    host_rows = table[table["spec"].str.startswith("剔除试点县：")]
    assert host_rows["spec"].tolist() == [f"剔除试点县：{h}" for h in hosts]
    assert (host_rows["n_treated_clusters"] == 2).all()
    assert (host_rows["inference"] == "few_treated").all()
    assert (table[table["spec"].str.startswith("剔除对照县：")]["n_treated_clusters"] == 3).all()
    text = narrative._host_loo_sentence(host_rows, 0.05)
    assert "逐一剔除一个试点县" in text and "只剩 2 个试点县" in text


# --- 3. Partly treated year and anticipation -----------------------------------------------------


def _event(coefs: dict[int, float]) -> est.EventStudy:
    rows = [(k, v, 0.05, v - 0.1, v + 0.1) if k != 2023 else (k, 0.0, *[math.nan] * 3)
            for k, v in coefs.items()]  # fmt: skip
    table = pd.DataFrame(rows, columns=["period", "estimate", "se", "ci_low", "ci_high"])
    return est.EventStudy(table, 2023, 1.0, (4, 9), 0.4, 10)


def test_event_timing_note_discusses_a_partial_year_as_large_as_a_full_year():
    # Before: nothing on the page compared 2024 (partly treated, 0.160) with 2025 (0.147).
    es = _event(
        {2019: -0.027, 2020: 0.042, 2021: 0.014, 2022: 0.018, 2023: 0, 2024: 0.160, 2025: 0.147}
    )
    plan = compute.headline_years(2026, list(range(2019, 2026)))
    text = present.event_timing_note(es, plan)
    assert "0.160" in text and "0.147" in text and "不小于" in text
    assert "预期效应" in text and "-0.027 ～ 0.042" in text
    # A small partial-year coefficient reads differently (no "not smaller" claim).
    small = present.event_timing_note(_event({2022: 0.0, 2023: 0, 2024: 0.03, 2025: 0.15}), plan)
    assert "小于完整处理年" in small and "它并不更小" not in small


# --- 4. Too few clusters ---------------------------------------------------------------------------


def test_two_clusters_are_refused():
    # Before: did() on 2 counties × 2 years returned SE 1e-10 and p ~ 6e-15.
    df = pd.DataFrame(
        {"unit": ["a", "a", "b", "b"], "year": [1, 2, 1, 2], "D": [0, 1, 0, 0],
         "y": [1.0, 2.5, 1.2, 1.4]}
    )  # fmt: skip
    res = est.did(df, "y", "unit", "year", "D", bootstrap_reps=99)
    assert res.estimate == pytest.approx(1.3)
    assert res.inference == "withheld" and "少于 5 个" in res.inference_note
    assert all(math.isnan(getattr(res, k)) for k in ("se", "p_analytic", "p_wild_bootstrap"))
    assert math.isnan(res.boot_ci_low) and math.isnan(res.ci_high)


def test_one_treated_cluster_is_refused_and_two_are_warned():
    # Before: one treated county of ten gave a p-value with no remark.
    one = _panel(np.random.default_rng(1), effect=0.1, treated_units=1)
    res = est.did(one, "y", "unit", "year", "D", bootstrap_reps=99)
    assert res.inference == "withheld" and res.n_treated_clusters == 1
    assert math.isnan(res.p_wild_bootstrap) and math.isfinite(res.estimate)
    two = _panel(np.random.default_rng(1), effect=0.1, treated_units=2)
    res2 = est.did(two, "y", "unit", "year", "D", bootstrap_reps=99)
    assert res2.inference == "few_treated" and math.isfinite(res2.p_wild_bootstrap)
    three = _panel(np.random.default_rng(1), effect=0.1, treated_units=3)
    assert est.did(three, "y", "unit", "year", "D", bootstrap_reps=99).inference == "ok"
    # One untreated cluster is as bad as one treated.
    assert est.inference_check(10, 9, 1)[0] == "withheld"


def test_organ_donation_with_only_california_treated_is_withheld(organ):
    # Huntington-Klein's example has one treated state: fixest prints an SE, but
    # MacKinnon & Webb (2017) show no cluster-robust inference is reliable then.
    res = est.did(organ, "Rate", "State", "Quarter", "Treated", bootstrap_reps=99)
    assert res.inference == "withheld" and math.isnan(res.se)
    assert round(res.estimate, 3) == -0.022


def test_bootstrap_size_by_number_of_treated_clusters():
    # The thresholds, checked on the county design (10 clusters, 7 years, AR(1)):
    # rejection of a true null at 5 % with 1000 panels × 199 replications was
    # 0.000 (1 treated), 0.009 (2 treated), 0.065 (3 treated) when this was written.
    rates = {}
    for g1 in (1, 2, 3):
        base = est._prepare(_panel(np.random.default_rng(0), treated_units=g1), "y", "unit",
                            "year", ["D"], None)  # fmt: skip
        outcomes = _null_outcomes(np.random.default_rng(2024), 1000)
        rej = 0
        for r, y in enumerate(outcomes):
            boot = est._Bootstrap(dataclasses.replace(base, y=y), est.webb_weights(10, 199, r))
            rej += boot.pvalue(0.0) < 0.05
        rates[g1] = rej / len(outcomes)
    assert rates[1] < 0.01, rates  # withheld: the bootstrap almost never rejects
    assert rates[2] < 0.025, rates  # warned: far below 5 %
    assert 0.03 <= rates[3] <= 0.085, rates  # reported: near 5 %


def _null_outcomes(rng, reps, units=10, years=7, rho=0.5):
    e = np.empty((reps, units, years))
    e[:, :, 0] = rng.normal(size=(reps, units))
    for t in range(1, years):
        e[:, :, t] = rho * e[:, :, t - 1] + math.sqrt(1 - rho**2) * rng.normal(size=(reps, units))
    unit_fx = rng.normal(size=(reps, units, 1))
    year_fx = rng.normal(scale=0.05, size=(reps, 1, years))
    return (unit_fx + year_fx + 0.1 * e).reshape(reps, units * years)


# --- 5. Zero values in a logged outcome -----------------------------------------------------------


def test_a_zero_value_excludes_that_county_from_the_log_specification_with_a_note():
    # Before: compute.headline_estimate raised ImpactError ("不为正，不能取对数") and
    # the notebook failed. After: the county is left out of the log specification
    # (all its years), named, and the level specification keeps it.
    county, hosts = _county_panel()
    county = county.drop(columns="D")
    county.loc[(county["county_id"] == "c04") & (county["year"] == 2021), "x"] = 0.0
    panel = compute.prepare_panel(county, 2025, hosts)
    plan = compute.headline_years(2025, panel["year"].unique())
    logged, excluded = compute.log_sample(panel, "x")
    assert excluded == ["c04"] and "c04" not in set(logged["county_id"])
    res = compute.headline_estimate(panel, "x", plan, bootstrap_reps=99)
    assert res.n_clusters == 5
    table = compute.robustness(panel, "x", plan, county_names={}, reps=99)
    assert table.loc[table["spec"] == "水平值（非对数）", "n_clusters"].iloc[0] == 6
    outcomes = compute.outcomes_table(panel, plan, {"x": ("指标", "万元")}, reps=99)
    assert outcomes["excluded"].tolist() == ["c04"]
    assert "未纳入对数估计的县（有 0 或负值）" in present.outcomes_display(outcomes).columns
    note = present.log_exclusion_note(["c04"], "指标")
    assert "c04" in note and "0 或负值" in note and "水平值" in note


def test_run_with_a_zero_county_value_completes_and_names_the_county(tmp_path):
    # Issue #17 case 10 / #18: a county value of 0 in the headline outcome made
    # compute.run (and so the notebook) raise ImpactError ("不为正，不能取对数").
    from evalkit import demo, schema

    county = demo.generate()["county_panel"]
    county.loc[(county["county_id"] == "anda") & (county["year"] == 2020),
               "domestic_capital_used"] = 0.0  # fmt: skip
    demo.write_curated({"county_panel": county}, demo.metadata(), tmp_path)
    with pytest.raises(est.ImpactError):
        compute.with_log(county, "domestic_capital_used")  # the old, strict path
    res = compute.run(2026, "2026-10-31", tmp_path)
    assert res.log_excluded == {"domestic_capital_used": ["anda"]}
    assert res.headline.n_clusters == len(schema.COUNTIES) - 1
    level = res.robustness[res.robustness["spec"] == "水平值（非对数）"].iloc[0]
    assert level["n_clusters"] == len(schema.COUNTIES)
    assert schema.COUNTIES["anda"] in present.narrative_of(res)


def test_bootstrap_interval_returns_on_an_exact_fit():
    # Before: a panel fitted exactly (standard error ~1e-15) made the interval's
    # bisection loop for ever (tolerance 1e-6 × SE is below float spacing); now the
    # inference is withheld, and forced it still returns.
    rows = [
        {"unit": f"u{u}", "year": t, "D": int(u < 3 and t >= 3), "y": u + 0.5 * t + 0.2 * (u < 3 and t >= 3)}
        for u in range(6)
        for t in range(1, 5)
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    res = est.did(df, "y", "unit", "year", "D", bootstrap_reps=99)
    assert res.estimate == pytest.approx(0.2)
    assert res.inference == "withheld" and math.isnan(res.p_wild_bootstrap)
    forced = est.did(df, "y", "unit", "year", "D", bootstrap_reps=99, allow_few_clusters=True)
    assert forced.se < 1e-10
    lo, hi = forced.boot_ci_low, forced.boot_ci_high
    assert (math.isnan(lo) and math.isnan(hi)) or lo <= forced.estimate <= hi


def test_outcomes_download_has_chinese_headers_for_every_column():
    county, hosts = _county_panel()
    panel = compute.prepare_panel(county.drop(columns="D"), 2025, hosts)
    plan = compute.headline_years(2025, panel["year"].unique())
    table = compute.outcomes_table(panel, plan, {"x": ("指标", "万元")}, reps=99)
    headers = present.outcomes_csv(table).columns
    assert not [h for h in headers if h.isascii()], list(headers)
    assert "95% 区间下限（wild bootstrap）" in headers
