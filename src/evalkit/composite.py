"""Compatibility: moved to evalkit.topics.composite, evalkit.topics.summary, evalkit.topics.closing.

Re-exports the names other modules, notebooks and tests import from ``evalkit.composite``.
"""

# ruff: noqa: F401

from .topics.closing.present import (
    change_sentences,
    closing_intro,
    closing_method_note,
    closing_status,
    closing_targets_sentences,
    cumulative_sentence,
    dimension_change,
    funds_cumulative,
    funds_cumulative_sentence,
    year_label,
)
from .topics.composite.compute import (
    evaluate,
)
from .topics.composite.indicators import (
    load_indicators,
    parse_indicators,
)
from .topics.composite.present import (
    change_sentence,
    dimension_table,
    entropy_sentence,
    indicator_table,
    method_notes,
    missing_sentences,
    ranking_sentence,
    ranking_table,
    sensitivity_sentence,
    sensitivity_table,
    summary_part,
    trend_table,
    weights_table,
)
from .topics.composite.scoring import (
    composite_scores,
    dimension_scores,
    rank_scores,
    reference_score,
    resolve_reference,
    resolve_target,
    score_indicators,
    target_score,
)
from .topics.composite.text import (
    _growth_words,
    _is_none,
    _is_true,
    for_page,
)
from .topics.composite.values import (
    indicator_value,
    indicator_values,
    window_end,
    year_fraction,
)
from .topics.composite.weights import (
    entropy_weights,
    is_robust,
    sensitivity,
)
from .topics.summary.present import (
    composite_finding,
    findings_markdown,
    funds_finding,
    headline_note,
    headline_table,
    light,
    lights_legend,
    reform_finding,
    trade_finding,
    traffic_lights,
    weakest_finding,
)
