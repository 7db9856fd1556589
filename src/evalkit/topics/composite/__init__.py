"""Annual comprehensive evaluation (年度综合评估, plan §四(一)): indicators, scores, weights, ranks.

Modules: :mod:`.indicators` (the indicator system from ``indicators.yaml``),
:mod:`.values` (each indicator's yearly value per zone), :mod:`.scoring` (0–100 scores,
dimension and composite scores, ranks), :mod:`.weights` (entropy weights, weight
sensitivity), :mod:`.compute` (``run``: the stored result) and :mod:`.present` (page
tables, narrative, charts).

The indicator system lives in ``data/config/indicators.yaml`` and is validated by
:func:`load_indicators`. Each indicator's yearly value per zone is computed from a
curated table with a small, closed vocabulary of aggregations (:data:`AGGREGATIONS`;
nothing from the configuration is ever evaluated as code).

The hard-target figures (reform items replicated / original, funds in place and
their growth) are not recomputed here: indicators with ``computed_by`` take them
from :func:`evalkit.reforms.attainment` and :func:`evalkit.investment.attainment`
for each year's window, so this page and the special-topic pages never disagree.

Rules (each one is stated on the comprehensive-evaluation page too):

* **Same-period windows.** A year's value covers 1 January to the report's as-of day
  and month in that year (``2025-01-01 … 2025-10-31`` in a report as of
  2026-10-31), so a year in progress is compared with the same months of earlier
  years (同期口径, like 累计同比). A monthly / quarterly row counts when its whole
  period has ended by the window end. Annual tables (``year`` column) have no
  sub-year detail: a year's row counts for that year if it has been submitted.
* **Scoring (0–100).** An indicator with a target scores ``100 × value / target``
  capped to [0, 100] (direction "−": ``100 × target / value``); a target for a flow
  (count or sum) is pro-rated to the share of the year the window covers — in the
  plan's partial first year, to the share after the plan was issued. An
  indicator without a target is min–max normalized over the zones × the plan
  years in the report: ``100 × (x − min) / (max − min)`` (reversed for "−"); if all
  values are equal every zone-year scores 100 (the indicator does not separate them).
* **Missing values.** A value that could not be computed (not submitted, or
  undefined such as growth on a zero base) is *missing*, never zero: the dimension
  score re-weights the indicators present (``Σ wᵢsᵢ / Σ wᵢ`` over present ones) and
  the composite does the same over dimensions; ``coverage`` records the share of
  configured weight that was actually observed.
* **Ranks.** Scores are rounded to two decimals, then ranked highest first with
  competition ranking (ties share the better rank: 1, 1, 3).
* **Entropy weights** (熵权法) are computed from the indicator scores pooled over
  zones × years: ``pᵢⱼ = sᵢⱼ / Σᵢ sᵢⱼ``, ``eⱼ = −Σᵢ pᵢⱼ ln pᵢⱼ / ln n`` (0 ln 0 = 0),
  ``wⱼ = (1 − eⱼ) / Σₖ (1 − eₖ)`` (equal weights if no indicator varies).
* **Sensitivity.** Weights are drawn from Dirichlet distributions centred on the
  configured ones (concentration κ at each level) with a fixed seed; the ranking
  is called robust when the configured leader ranks first in at least 90 % of draws.
"""
