"""Annual comprehensive evaluation (年度综合评估, plan §四(一)): indicators, scores, weights, ranks.

Modules: :mod:`.indicators` (the indicator system from ``indicators.yaml``),
:mod:`.values` (each indicator's yearly value per zone), :mod:`.scoring` (0–100 scores,
dimension and composite scores, ranks), :mod:`.compare` (same-basis changes, weak
dimensions), :mod:`.weights` (entropy weights, weight sensitivity), :mod:`.revisions`
(scores published under earlier methods), :mod:`.compute` (``run``: the stored result)
and :mod:`.present` (page tables, narrative, charts).

The indicator system lives in ``data/config/indicators.yaml`` and is validated by
:func:`load_indicators`. Each indicator's yearly value per zone is computed from a
curated table with a small, closed vocabulary of aggregations (:data:`AGGREGATIONS`;
nothing from the configuration is ever evaluated as code).

The hard-target figures (reform items replicated / original, funds in place and
their growth) and the median adoption lag are not recomputed here: indicators with
``computed_by`` take them from :func:`evalkit.reforms.attainment`,
:func:`evalkit.topics.reforms.compute.adoption_lags` and
:func:`evalkit.investment.attainment` for each year's window, so this page and the
special-topic pages never disagree.

Rules (each one is stated on the comprehensive-evaluation page too):

* **Same-period windows.** A year's value covers 1 January to the report's as-of day
  and month in that year (``2025-01-01 … 2025-10-31`` in a report as of
  2026-10-31), so a year in progress is compared with the same months of earlier
  years (同期口径, like 累计同比). A monthly / quarterly row counts when its whole
  period has ended by the window end. Annual tables (``year`` column) have no
  sub-year detail: a year's row counts for that year if it has been submitted.
* **Scoring (0–100).** Every indicator has either a target or a fixed reference range
  in ``indicators.yaml`` (one of the two is required). With a target it scores
  ``100 × value / target`` capped to [0, 100] (direction "−": ``100 × target / value``);
  a target for a flow (count or sum) is pro-rated to the share of the year the window
  covers — in the plan's partial first year, to the share after the plan was issued.
  With a reference ``{worst, best, source}`` it scores
  ``100 × clip((value − worst) / (best − worst), 0, 1)`` (min–max with fixed bounds
  instead of the observed extremes; for "−" best < worst); a flow's bounds are annual
  amounts pro-rated to the calendar share of the window (annual tables are not
  pro-rated). A zone-year's score therefore depends on its own value and the
  configuration only — never on the other zones or on which years a report loads — so
  a published year's score stays fixed (:func:`~.compute.published_scores`); scores a
  page published under an earlier method are kept in ``composite_revisions.yaml`` and
  shown beside the current ones.
* **Missing values.** A value that could not be computed (not submitted, or
  undefined such as growth on a zero base) is *missing*, never zero: the dimension
  score re-weights the indicators present (``Σ wᵢsᵢ / Σ wᵢ`` over present ones) and
  the composite does the same over dimensions; ``coverage`` records the share of
  configured weight that was actually observed.
* **Ranks.** Scores are rounded to two decimals, then ranked highest first with
  competition ranking (ties share the better rank: 1, 1, 3).
* **Change on last year** is computed on the same basis (:mod:`.compare`): both years
  scored on the indicators the zone has in both; the indicators left out are named.
* **Entropy weights** (熵权法, a check beside the configured weights) are computed per
  year from that year's indicator scores of the zones: ``pᵢⱼ = sᵢⱼ / Σᵢ sᵢⱼ``,
  ``eⱼ = −Σᵢ pᵢⱼ ln pᵢⱼ / ln n`` (0 ln 0 = 0), ``wⱼ = (1 − eⱼ) / Σₖ (1 − eₖ)``; an
  indicator with fewer than two scores, equal scores or a single score above zero gets
  weight 0 with its reason on the page (equal weights if no indicator is left).
* **Common weakness.** A dimension below ``weak_below`` (indicators.yaml) in a majority
  of zones; otherwise the lowest zone-dimension is named with its zone.
* **Sensitivity.** Weights are drawn from Dirichlet distributions centred on the
  configured ones (concentration κ at each level) with a fixed seed; the ranking
  is called robust when the configured leader ranks first in at least 90 % of draws.
"""
