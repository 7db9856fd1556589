"""Impact estimate (政策效应评估): difference-in-differences of the pilot host counties.

- :mod:`.did`: the estimators (two-way fixed effects, cluster-robust SE, wild cluster
  bootstrap, event study);
- :mod:`.compute`: ``run(year, as_of, data_dir) -> ImpactResult`` (the report's choices);
- :mod:`.present`: page tables, narrative and charts from a stored result.
"""
