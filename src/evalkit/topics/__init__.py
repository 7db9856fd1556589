"""The evaluations, one package each: ``compute`` (pure, returns a typed result) and ``present``.

See :mod:`evalkit.results` for the ``run(year, as_of, data_dir)`` contract and how
results are stored once per year and read by the pages.
"""
