"""Calibrate the logistics anomaly rule on simulated monthly series (prints, no asserts).

Trend + sine seasonality + Gaussian noise (sd 10 on a level of ~1000), with and
without one planted spike; prints, per history length, the false flags per clean
series and how often a spike of 8 and 30 noise standard deviations is found.
Run: ``.venv/bin/python bench/logistics_anomaly_calibration.py``.
"""

import numpy as np
import pandas as pd

from evalkit.topics.logistics.anomaly import decompose
from evalkit.topics.logistics.settings import LogisticsConfig


def flags(y, config):
    idx = pd.date_range("2022-01-01", periods=len(y), freq="MS")
    dec = decompose(pd.Series(y, index=idx), config=config)
    return np.flatnonzero(dec.frame["anomaly"].to_numpy())


def main(trials=100):
    for z in (3.5, 4.0, 4.5):
        config = LogisticsConfig(anomaly_z=z)
        for n in (36, 48):
            t = np.arange(n)
            fp = found8 = found30 = extra30 = 0
            for seed in range(trials):
                rng = np.random.default_rng(seed)
                y = 1000 + 5 * t + 150 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 10, n)
                fp += len(flags(y, config))
                k = int(rng.integers(0, n))
                for spike in (80, 300):
                    y2 = y.copy()
                    y2[k] += spike
                    f = flags(y2, config)
                    if spike == 80:
                        found8 += k in f
                    else:
                        found30 += k in f
                        extra30 += len(f) - (k in f)
            print(
                f"z>{z} months={n}: false flags/series {fp / trials:.2f}; "
                f"8σ spike found {found8 / trials:.0%}; 30σ spike found {found30 / trials:.0%} "
                f"(other months flagged {extra30 / trials:.2f}/series)"
            )


if __name__ == "__main__":
    main()
