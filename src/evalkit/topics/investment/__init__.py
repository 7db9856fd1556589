"""Investment special topic (招商引资专项评估): funds in place against the growth target.

- :mod:`.compute` — ``run(year, as_of, data_dir) -> InvestmentResult`` (stored by
  :func:`evalkit.results.load`);
- :mod:`.funds` — attainment rules (year to date, late zones, base period);
- :mod:`.projection` — year-end projection models and their backtests (预测);
- :mod:`.calibration` — intervals calibrated from backtest errors at the same origin,
  coverage per origin counted in zone-years;
- :mod:`.structure` — breakdowns, concentration, landing speed;
- :mod:`.present` / :mod:`.present_projection` / :mod:`.wording` — page tables,
  narrative, charts, number wording (incl. the small-base rule).
"""
