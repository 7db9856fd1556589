"""Impact estimate (政策效应评估): difference-in-differences of the pilot host counties.

- :mod:`.did`: the estimators (two-way fixed effects, cluster-robust SE, event study,
  the too-few-clusters rules);
- :mod:`.bootstrap`: the restricted wild cluster bootstrap and its test inversion;
- :mod:`.compute`: ``run(year, as_of, data_dir) -> ImpactResult`` (the report's choices);
- :mod:`.present`: page tables and charts from a stored result;
- :mod:`.narrative`: the page's sentences and number formats (re-exported by ``present``).
"""
