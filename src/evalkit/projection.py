"""Compatibility: moved to :mod:`evalkit.topics.investment.projection`."""

from .topics.investment.projection import (  # noqa: F401
    ETS_MIN_MONTHS,
    MODELS,
    N_SIMS,
    SIMULATORS,
    backtest,
    backtest_summary,
    choose_model,
    project,
    simulate_ets,
    simulate_ratio,
)
