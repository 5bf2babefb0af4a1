"""Monte Carlo check of the difference-in-differences estimator (evalkit.did.estimate_did).

200 simulated panels, 15 regions (8 with a pilot, as in the real design) × 36 months, AR(1)
errors within region, true effect −0.05 log points. The estimate must be unbiased within its
Monte Carlo error and the cluster-robust 95 % interval (CR1, t with G − 1 df) must cover the
truth in at least 90 % of panels. Takes about 6 seconds.
"""
from __future__ import annotations

import numpy as np
import pytest

from did_simulation import START, TREATED, simulate_panel
from evalkit import did

TRUE_EFFECT = -0.05
N_SIM = 200


@pytest.fixture(scope="module")
def simulations():
    rng = np.random.default_rng(20210401)
    results = [did.estimate_did(simulate_panel(rng, effect=TRUE_EFFECT), TREATED, START)
               for _ in range(N_SIM)]
    return results


def test_interval_covers_the_true_effect_in_at_least_90_percent(simulations):
    covered = [r.ci_low <= TRUE_EFFECT <= r.ci_high for r in simulations]
    assert np.mean(covered) >= 0.90


def test_estimate_is_unbiased_within_monte_carlo_error(simulations):
    estimates = np.array([r.estimate for r in simulations])
    mc_error = estimates.std(ddof=1) / np.sqrt(N_SIM)
    assert abs(estimates.mean() - TRUE_EFFECT) < 3 * mc_error


def test_pre_trend_test_detects_a_diverging_trend():
    # Treated regions drifting 1 % a month apart from the start of the panel: the leads are
    # far from zero and the joint Wald test rejects in (nearly) every panel.
    rng = np.random.default_rng(5)
    p_values = [did.estimate_did(simulate_panel(rng, pre_trend=0.01), TREATED, START).pretrend_p
                for _ in range(20)]
    assert np.mean(np.array(p_values) < 0.05) >= 0.9
