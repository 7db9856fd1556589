"""Compatibility: moved to evalkit.topics.composite, evalkit.topics.summary, evalkit.topics.closing.

Re-exports the names other modules, notebooks and tests import from ``evalkit.composite``.
"""

# ruff: noqa: F401

from .topics.closing.compute import (
    ClosingResult,
)
from .topics.closing.present import (
    UNCHANGED_POINTS,
    by_year,
    change_sentences,
    closing_intro,
    closing_method_note,
    closing_status,
    closing_targets_sentences,
    composite_trend,
    composite_trend_chart,
    cumulative_reforms_table,
    cumulative_sentence,
    cumulative_sentences,
    dimension_change,
    funds_cumulative,
    funds_cumulative_sentence,
    funds_cumulative_table,
    status_table,
    targets_sentences,
    year_label,
)
from .topics.composite.compute import (
    CompositeResult,
    evaluate,
    plan_years,
    read_tables,
    run,
)
from .topics.composite.indicators import (
    AGGREGATIONS,
    COMPUTED_BY,
    DIRECTIONS,
    FLOW_AGGS,
    FORMULA_KEYS,
    INDICATOR_KEYS,
    INDICATOR_REQUIRED,
    PERIOD_COLUMNS,
    VALUE_AGGS,
    WEIGHT_TOLERANCE,
    ZONE_TABLES,
    Dimension,
    Formula,
    Indicator,
    IndicatorConfig,
    load_indicators,
    parse_indicators,
)
from .topics.composite.present import (
    DIRECTION_WORDS,
    METHOD_WORDS,
    MISSING_WORD,
    NOT_SUBMITTED,
    change_sentence,
    dimension_bars,
    dimension_table,
    entropy_sentence,
    indicator_table,
    method_notes,
    missing_sentences,
    page_method_notes,
    ranking_sentence,
    ranking_table,
    score_sentences,
    sensitivity_ranges,
    sensitivity_sentence,
    sensitivity_table,
    summary_part,
    trend_table,
    weights_table,
)
from .topics.composite.scoring import (
    composite_scores,
    dimension_scores,
    minmax_scores,
    rank_scores,
    resolve_target,
    score_indicators,
    target_score,
)
from .topics.composite.text import (
    _growth_text,
    _growth_words,
    _is_none,
    _is_true,
    _num,
    _pct,
    _signed,
    _zone_order,
    for_page,
    zones_word,
)
from .topics.composite.values import (
    computed_values,
    indicator_value,
    indicator_values,
    window_end,
    year_fraction,
)
from .topics.composite.weights import (
    CONCENTRATION,
    DEFAULT_SEED,
    DRAWS,
    ROBUST_SHARE,
    entropy_composite,
    entropy_weights,
    is_robust,
    score_matrix,
    sensitivity,
)
from .topics.summary.compute import (
    SummaryResult,
)
from .topics.summary.present import (
    LIGHT_BASELINE,
    LIGHT_MET,
    LIGHT_NOT_MET,
    LIGHT_NOT_YET,
    LIGHT_UNDEFINED,
    PAGE_LABELS,
    composite_finding,
    findings,
    findings_markdown,
    funds_finding,
    headline_note,
    headline_table,
    legend,
    light,
    lights_legend,
    lights_table,
    reform_finding,
    trade_finding,
    traffic_lights,
    weakest_finding,
)
