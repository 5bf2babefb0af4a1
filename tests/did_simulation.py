"""Simulated regional panels with a known effect for the difference-in-differences tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

REGIONS = tuple(f"region-{i:02d}" for i in range(15))
TREATED = REGIONS[:8]
START = "2021-04"


def simulate_panel(rng, effect=-0.05, n_regions=15, n_treated=8, n_months=36, start_index=18,
                   rho=0.5, sd=0.04, pre_trend=0.0):
    """log count = region level + common month shock + effect·treated·post + AR(1) noise
    (+ a treated-only linear trend of ``pre_trend`` per month when asked)."""
    months = pd.period_range(pd.Period(START, "M") - start_index, periods=n_months, freq="M")
    regions = REGIONS[:n_regions]
    level = rng.normal(np.log(3000), 0.8, n_regions)
    shock = np.cumsum(rng.normal(0, 0.02, n_months))
    rows = []
    for r, region in enumerate(regions):
        noise = np.empty(n_months)
        noise[0] = rng.normal(0, sd / np.sqrt(1 - rho**2))
        for t in range(1, n_months):
            noise[t] = rho * noise[t - 1] + rng.normal(0, sd)
        treated = r < n_treated
        for t, month in enumerate(months):
            post = t >= start_index
            log_count = (level[r] + shock[t] + effect * treated * post + noise[t]
                         + pre_trend * treated * (t - start_index))
            rows.append((region, month, float(np.exp(log_count))))
    return pd.DataFrame(rows, columns=["region", "month", "count"])
