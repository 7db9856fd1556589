"""Restricted wild cluster bootstrap-t for one coefficient, and its inversion.

Webb six-point weights drawn per cluster exactly as the ``wildboottest`` package
draws them (so the same seed gives that package's p-values); the p-value is
``P(|t*| > |t|)``; the confidence interval inverts the same test with the same
draws (Roodman, Nielsen, MacKinnon & Webb 2019, "Fast and wild", *Stata J.* 19(1)).
Used through :func:`evalkit.topics.impact.did.did` and
:func:`~evalkit.topics.impact.did.wild_cluster_bootstrap`; the panel arrays come
from ``did._prepare``.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ImpactError

#: Webb (2023) six-point weights, in the order ``wildboottest`` samples them.
WEBB_WEIGHTS = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)


def webb_weights(n_clusters: int, reps: int, seed: int) -> np.ndarray:
    """Return a ``(n_clusters, reps)`` matrix of Webb weights from ``default_rng(seed)``.

    Drawn exactly as ``wildboottest`` draws them (one ``rng.choice`` of
    ``n_clusters * reps`` values, reshaped cluster-major), so the same seed gives
    the same bootstrap samples in both.
    """
    rng = np.random.default_rng(seed)
    return rng.choice(WEBB_WEIGHTS, size=n_clusters * reps).reshape(n_clusters, reps)


class _Bootstrap:
    """Restricted wild cluster bootstrap-t for one coefficient (column 0 of ``x``).

    Works on the Frisch–Waugh–Lovell residualized model: every other regressor
    and the fixed effects are partialled out once; each bootstrap sample costs
    one ``n × reps`` projection.
    """

    def __init__(self, p, weights: np.ndarray):  # p: did._Panel (did imports this module)
        others = np.column_stack([p.x[:, 1:], p.z])
        q, r = np.linalg.qr(others)
        keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(np.diag(r)).max())
        self.q = q[:, keep]  # orthonormal basis of the nuisance columns
        self.d = self._resid(p.x[:, 0])  # residualized regressor of interest
        self.y = self._resid(p.y)
        self.dd = float(self.d @ self.d)
        if self.dd <= 1e-12 * max(1.0, float(p.x[:, 0] @ p.x[:, 0])):
            raise ImpactError("处理变量被固定效应吸收 / treatment absorbed by fixed effects")
        # Cluster-membership matrix: cluster sums become one matrix product.
        self.members = (p.cluster[None, :] == np.arange(p.n_clusters)[:, None]).astype(float)
        self.ssc = p.ssc
        self.v_obs = weights[p.cluster, :]  # per-observation weights, n × reps
        self.beta = float(self.d @ self.y) / self.dd
        self.se = self._se(self.y - self.beta * self.d)

    def _resid(self, a: np.ndarray) -> np.ndarray:
        """Return *a* minus its projection on the nuisance columns."""
        return a - self.q @ (self.q.T @ a)

    def _cluster_sum(self, a: np.ndarray) -> np.ndarray:
        """Sum the rows of *a* (n or n × reps) within clusters."""
        return self.members @ a

    def _se(self, u: np.ndarray) -> np.ndarray:
        """Return the fixest-scaled CRV1 standard error(s) for residuals *u* (n or n × reps)."""
        scores = self._cluster_sum(self.d.reshape((-1,) + (1,) * (u.ndim - 1)) * u)
        return np.sqrt(self.ssc * (scores**2).sum(axis=0)) / self.dd

    def pvalue(self, beta0: float = 0.0) -> float:
        """Return the symmetric bootstrap p-value of H0: beta = beta0.

        ``P(|t*| > |t|)`` over the replications (the definition ``wildboottest``
        and ``fwildclusterboot`` use).
        """
        t_obs = (self.beta - beta0) / self.se
        u_r = self.y - beta0 * self.d  # residuals of the restricted model
        e = u_r[:, None] * self.v_obs
        e = self._resid(e)
        b_star = (self.d @ e) / self.dd  # bootstrap estimate minus beta0
        u_star = e - self.d[:, None] * b_star
        t_star = b_star / self._se(u_star)
        return float(np.mean(np.abs(t_obs) < np.abs(t_star)))

    def _inversion(self) -> None:
        """Precompute the bootstrap t statistics as closed-form functions of beta0.

        Everything in :meth:`pvalue` is linear in ``beta0``: the bootstrap errors
        are ``e = A - beta0 B`` (``A``, ``B`` the residualized ``y v*`` and ``d v*``),
        so ``b* = a - beta0 b`` and the cluster scores are ``S_A - beta0 S_B``; the
        squared bootstrap standard error is a quadratic in ``beta0``. Storing the
        per-replication coefficients makes one p-value cost O(reps), with the same
        draws as :meth:`pvalue` (Roodman et al. 2019, section 3.3).
        """
        if hasattr(self, "_a"):
            return
        big_a = self._resid(self.y[:, None] * self.v_obs)
        big_b = self._resid(self.d[:, None] * self.v_obs)
        self._a = (self.d @ big_a) / self.dd
        self._b = (self.d @ big_b) / self.dd
        s_a = self._cluster_sum(self.d[:, None] * (big_a - self.d[:, None] * self._a))
        s_b = self._cluster_sum(self.d[:, None] * (big_b - self.d[:, None] * self._b))
        scale = self.ssc / self.dd**2
        self._q = (
            scale * (s_a**2).sum(axis=0),
            -2 * scale * (s_a * s_b).sum(axis=0),
            scale * (s_b**2).sum(axis=0),
        )

    def pvalues(self, beta0s: np.ndarray) -> np.ndarray:
        """Return :meth:`pvalue` for every value of *beta0s* (closed form, same draws)."""
        self._inversion()
        b0 = np.asarray(beta0s, dtype=float).reshape(-1, 1)
        t_obs = np.abs((self.beta - b0[:, 0]) / self.se)
        q0, q1, q2 = self._q
        out = np.empty(len(b0))
        for i in range(0, len(b0), 256):  # chunks keep the grid × reps arrays small
            b = b0[i : i + 256]
            var = np.maximum(q0 + q1 * b + q2 * b**2, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):  # var 0: t* NaN, not counted
                t_star = np.abs(self._a - b * self._b) / np.sqrt(var)
            out[i : i + 256] = np.mean(t_obs[i : i + 256, None] < t_star, axis=1)
        return out

    def confint(self, alpha: float, se_guess: float) -> tuple[float, float]:
        """Invert the bootstrap test: the range of beta0 the test does not reject at *alpha*.

        The test rejects when ``p < alpha`` (as the page reads p-values), so the set
        ``{beta0 : p(beta0) >= alpha}`` (same draws as the p-value) is found
        on a grid of 401 points over ``beta +/- K se`` (K doubled from 8 until the
        outer tenth of the grid on each side is rejected), and its outermost
        accepted grid points are refined by bisection to 1e-6 of the standard
        error. The interval is the set's hull, so it contains every beta0 the test
        does not reject (in particular 0 whenever ``p(0) >= alpha``). Returns NaN
        for a side that cannot be bracketed.
        """
        if not (math.isfinite(se_guess) and se_guess > 0):
            return math.nan, math.nan
        # Never below a few units in the last place: a near-zero standard error must
        # not make the bisection run for ever.
        tol = max(1e-6 * se_guess, 8 * np.spacing(max(abs(self.beta), se_guess)))
        n, width = 401, 8.0
        for _ in range(12):
            grid = self.beta + np.linspace(-width, width, n) * se_guess
            accepted = self.pvalues(grid) >= alpha
            edge = n // 10
            if not accepted[:edge].any() and not accepted[-edge:].any():
                break
            width *= 2
        else:
            return math.nan, math.nan
        idx = np.flatnonzero(accepted)
        first, last = int(idx[0]), int(idx[-1])

        def refine(inside: float, outside: float) -> float:
            for _ in range(200):
                if abs(outside - inside) <= tol:
                    break
                mid = (inside + outside) / 2
                if self.pvalues(np.array([mid]))[0] >= alpha:
                    inside = mid
                else:
                    outside = mid
            return (inside + outside) / 2

        return refine(grid[first], grid[first - 1]), refine(grid[last], grid[last + 1])
