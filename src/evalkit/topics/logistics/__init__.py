"""Special topic: logistics and trade (物流与贸易专项评估).

``compute.run(year, as_of, data_dir)`` → :class:`compute.LogisticsResult`; ``present``
turns a stored result into the page's tables, charts and sentences. Sibling modules:
``settings`` (``logistics.yaml``: indicator aggregation rules, thresholds, targets),
``indicators`` (the panel), ``anomaly`` (STL screen), ``corridor`` (Russia trade, trains),
``narrative`` (Chinese sentences).
"""
