"""The ETS backtest's speed-ups change no number: same fit, same paths, BLAS threads restored."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from evalkit.topics.investment import _blas
from evalkit.topics.investment import projection as P

SEASON = np.array([3, 4, 6, 8, 9, 10, 10, 9, 8, 7, 6, 12], float) * 100


def _log_series(n: int = 40, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.resize(SEASON, n) * (1 + 0.01 * np.arange(n)) * rng.lognormal(0, 0.15, n)
    return np.log1p(values)


def _fit_and_paths(model_class, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model_class(y, error="add", seasonal="add", seasonal_periods=12).fit(disp=False)
        paths = res.simulate(5, anchor="end", repetitions=300, rng=np.random.default_rng(0))
    return res, np.asarray(paths)


@pytest.mark.parametrize("n", [24, 31, 40])
def test_fit_without_covariance_matrix_equals_statsmodels_fit(n):
    y = _log_series(n)
    ref, ref_paths = _fit_and_paths(ETSModel, y)
    res, paths = _fit_and_paths(P._ets_model_class(), y)
    # Bit for bit, not approximately: the published tables must not move.
    assert np.array_equal(res.params, ref.params)
    assert res.scale == ref.scale
    assert np.array_equal(np.asarray(res.states), np.asarray(ref.states))
    assert np.array_equal(paths, ref_paths)
    assert np.isnan(res.cov_params_default).all()  # the one thing skipped
    assert np.isfinite(ref.cov_params_default).any()


def test_single_threaded_blas_sets_one_thread_inside_and_restores_after():
    before = _blas.blas_thread_counts()
    with _blas.single_threaded_blas():
        assert all(n == 1 for n in _blas.blas_thread_counts())
    assert _blas.blas_thread_counts() == before


def test_single_threaded_blas_restores_after_an_error():
    before = _blas.blas_thread_counts()
    with pytest.raises(RuntimeError), _blas.single_threaded_blas():
        raise RuntimeError("boom")
    assert _blas.blas_thread_counts() == before


def test_fit_is_the_same_with_one_or_several_blas_threads():
    y = _log_series(36, seed=11)
    res_many, paths_many = _fit_and_paths(ETSModel, y)
    with _blas.single_threaded_blas():
        res_one, paths_one = _fit_and_paths(ETSModel, y)
    assert np.array_equal(res_one.params, res_many.params)
    assert np.array_equal(paths_one, paths_many)


def test_openblas_is_found_in_this_environment():
    # numpy and scipy wheels ship OpenBLAS: if it is not found the speed-up silently
    # does nothing, which this test makes visible.
    assert _blas.blas_thread_counts(), "no OpenBLAS thread control found"
