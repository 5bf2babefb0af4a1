"""Case-mix adjusted rates (evalkit.compare.adjusted_rates) against independent routes:
a hand-rolled IRLS fit in numpy, an explicit loop for the standardisation, the delta method's
gradient written out and a numerical gradient for the standard error; and the typed reasons
when no adjustment can be made."""
from __future__ import annotations

import math

import numpy as np
import pytest

from comparison_data import make_register, random_register
from evalkit import compare
from evalkit.errors import EvalkitError

AS_OF = "2023-01-01"


def _hand_design(frame, pilots):
    """The model's design built by hand, columns named as patsy names them (reference levels:
    first pilot alphabetically, sex F, basis diagnosis)."""
    columns = {"Intercept": np.ones(len(frame))}
    for pilot in pilots[1:]:
        columns[f"C(pilot_id)[T.{pilot}]"] = (frame["pilot_id"] == pilot).to_numpy(float)
    columns["C(sex)[T.M]"] = (frame["sex"] == "M").to_numpy(float)
    columns["C(basis)[T.none]"] = (frame["basis"] == "none").to_numpy(float)
    columns["C(basis)[T.tasmatyo]"] = (frame["basis"] == "tasmatyo").to_numpy(float)
    columns["age"] = frame["age"].to_numpy(float)
    columns["unemployment_months"] = frame["unemployment_months"].to_numpy(float)
    return list(columns), np.column_stack(list(columns.values()))


def _irls(x, y, iterations=50):
    """Newton–Raphson for the logistic likelihood, written out: β ← β + (XᵀWX)⁻¹Xᵀ(y − p)."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-x @ beta))
        information = x.T @ (x * (p * (1 - p))[:, None])
        step = np.linalg.solve(information, x.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    p = 1 / (1 + np.exp(-x @ beta))
    return beta, np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]))


@pytest.fixture(scope="module")
def fitted():
    register = random_register(seed=7, n_per_pilot=60)
    result = compare.adjusted_rates(register, AS_OF, 6)
    eligible = compare.eligible_at(register, AS_OF, 6)
    pilots = sorted(eligible["pilot_id"].unique())
    names, x = _hand_design(eligible, pilots)
    beta, cov = _irls(x, eligible["employed"].to_numpy(float))
    return result, eligible, pilots, names, beta, cov


def test_coefficients_and_standard_errors_match_hand_rolled_irls(fitted):
    result, _, _, names, beta, cov = fitted
    model = result.model.set_index("term").loc[names]
    np.testing.assert_allclose(model["estimate"], beta, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model["std_error"], np.sqrt(np.diag(cov)), rtol=1e-5)
    np.testing.assert_allclose(model["odds_ratio"], np.exp(beta), rtol=1e-6)


def _standardised_rate(beta, eligible, pilots, pilot):
    """Explicit loop: every eligible person, pilot set to ``pilot``, predicted probability, mean."""
    total = 0.0
    for _, person in eligible.iterrows():
        row = [1.0] + [1.0 if pilot == other else 0.0 for other in pilots[1:]] + [
            1.0 if person["sex"] == "M" else 0.0,
            1.0 if person["basis"] == "none" else 0.0,
            1.0 if person["basis"] == "tasmatyo" else 0.0,
            float(person["age"]), float(person["unemployment_months"]),
        ]
        total += 1 / (1 + math.exp(-float(np.dot(row, beta))))
    return total / len(eligible)


def test_marginal_standardisation_matches_an_explicit_loop(fitted):
    result, eligible, pilots, _, beta, _ = fitted
    rates = result.rates.set_index("pilot_id")
    for pilot in pilots:
        assert rates.loc[pilot, "adjusted_rate"] == pytest.approx(
            _standardised_rate(beta, eligible, pilots, pilot), abs=1e-7)
    assert result.n_model == len(eligible)


def test_delta_method_se_matches_a_numerical_gradient(fitted):
    # Second route: central finite differences of the explicit-loop rate w.r.t. β, then gᵀVg.
    result, eligible, pilots, _, beta, cov = fitted
    rates = result.rates.set_index("pilot_id")
    pilot = pilots[1]
    h = 1e-5
    gradient = np.array([
        (_standardised_rate(beta + h * e, eligible, pilots, pilot)
         - _standardised_rate(beta - h * e, eligible, pilots, pilot)) / (2 * h)
        for e in np.eye(len(beta))
    ])
    se = math.sqrt(gradient @ cov @ gradient)
    row = rates.loc[pilot]
    assert row["adjusted_se"] == pytest.approx(se, rel=1e-4)
    # The interval is the logit-scale one, transformed back.
    r = row["adjusted_rate"]
    logit_se = se / (r * (1 - r))
    expit = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    assert row["ci_low"] == pytest.approx(expit(math.log(r / (1 - r)) - 1.959964 * logit_se), rel=1e-4)
    assert row["ci_high"] == pytest.approx(expit(math.log(r / (1 - r)) + 1.959964 * logit_se), rel=1e-4)


def test_statsmodels_averaged_prediction_matches_the_delta_method_written_out(fitted):
    # The documented formula, on the hand-built design and the IRLS fit: for pilot k, X_k is the
    # design with every person's pilot set to k, p = expit(X_k β), rate = mean(p),
    # g = mean_i p_i(1 − p_i) x_i, se = sqrt(gᵀ V g).
    result, eligible, pilots, names, beta, cov = fitted
    rates = result.rates.set_index("pilot_id")
    _, x = _hand_design(eligible, pilots)
    first_pilot_column = names.index(f"C(pilot_id)[T.{pilots[1]}]")
    for pilot in pilots:
        counterfactual = x.copy()
        counterfactual[:, first_pilot_column:first_pilot_column + len(pilots) - 1] = 0.0
        if pilot != pilots[0]:
            counterfactual[:, names.index(f"C(pilot_id)[T.{pilot}]")] = 1.0
        p = 1 / (1 + np.exp(-counterfactual @ beta))
        gradient = (p * (1 - p)) @ counterfactual / len(p)
        assert rates.loc[pilot, "adjusted_rate"] == pytest.approx(p.mean(), rel=1e-9)
        assert rates.loc[pilot, "adjusted_se"] == pytest.approx(math.sqrt(gradient @ cov @ gradient), rel=1e-6)


def test_logit_interval_is_symmetric_on_the_logit_scale_and_stays_inside_0_1():
    logit = lambda v: math.log(v / (1 - v))  # noqa: E731
    low, high = compare.logit_interval(0.3, 0.05)
    # Half-width on the logit scale: z · se / (r(1 − r)) = 1.959964 · 0.05 / 0.21.
    assert (logit(high) - logit(low)) / 2 == pytest.approx(1.959964 * 0.05 / 0.21, rel=1e-6)
    assert (logit(high) + logit(low)) / 2 == pytest.approx(logit(0.3), abs=1e-12)
    # A wide interval near 0 would cross 0 on the probability scale; this one does not.
    low, high = compare.logit_interval(0.02, 0.03)
    assert 0 < low < 0.02 < high < 1 and 0.02 - 1.96 * 0.03 < 0


def test_with_nothing_to_adjust_for_the_adjusted_rate_is_the_crude_rate():
    # Same covariates for everybody: the model is saturated in pilot, so the standardised rate
    # must equal each pilot's crude share (a property of the logistic MLE with a pilot term).
    register = make_register(
        [{"pilot_id": "hame", "status_6m": "employed_open" if i < 3 else "unemployed"} for i in range(10)]
        + [{"pilot_id": "lappi", "status_6m": "employed_open" if i < 7 else "unknown"} for i in range(10)]
    )
    result = compare.adjusted_rates(register, AS_OF, 6)
    rates = result.rates.set_index("pilot_id")
    assert rates.loc["hame", "adjusted_rate"] == pytest.approx(0.3, abs=1e-6)
    assert rates.loc["lappi", "adjusted_rate"] == pytest.approx(0.7, abs=1e-6)
    # And the delta-method SE then equals the binomial sqrt(p(1-p)/n).
    assert rates.loc["hame", "adjusted_se"] == pytest.approx(math.sqrt(0.21 / 10), rel=1e-4)
    assert {key for key, _ in result.notes} == {"constant_covariate"}


def _with_extra_pilot(rows):
    register = random_register(seed=3, pilots=("hame", "lappi"), n_per_pilot=60, effects=(0.0, 0.3))
    extra = make_register(rows)
    extra["person_id"] = [f"x{i}" for i in range(len(extra))]
    import pandas as pd
    return pd.concat([register, extra], ignore_index=True)


def test_a_pilot_with_nobody_eligible_is_left_out_and_said_so():
    register = _with_extra_pilot([{"pilot_id": "uusimaa", "end_date": None}] * 4)
    result = compare.adjusted_rates(register, AS_OF, 6)
    row = result.rates.set_index("pilot_id").loc["uusimaa"]
    assert row["eligible"] == 0 and not row["in_model"] and np.isnan(row["adjusted_rate"])
    assert row["note"] == "no_eligible"
    assert ("no_eligible", {"pilot": "uusimaa", "horizon": 6}) in result.notes
    assert result.rates.set_index("pilot_id").loc[["hame", "lappi"], "adjusted_rate"].notna().all()


def test_a_pilot_where_everybody_is_employed_is_reported_not_fitted():
    register = _with_extra_pilot([{"pilot_id": "uusimaa", "status_6m": "employed_open", "age": 30 + i}
                                  for i in range(8)])
    result = compare.adjusted_rates(register, AS_OF, 6)
    row = result.rates.set_index("pilot_id").loc["uusimaa"]
    assert row["note"] == "all_employed" and row["crude_rate"] == 1.0
    assert np.isnan(row["adjusted_rate"])
    assert not result.model["term"].str.contains("uusimaa").any()
    assert result.model["std_error"].max() < 10  # no runaway coefficient


def test_a_single_pilot_gives_a_typed_reason_and_an_english_message():
    register = random_register(seed=1, pilots=("hame",), n_per_pilot=30, effects=(0.0,))
    with pytest.raises(compare.ComparisonUndefined, match="at least two pilots.*found 1 \\(hame\\)") as caught:
        compare.adjusted_rates(register, AS_OF, 6)
    assert caught.value.unavailable == compare.Unavailable(6, "one_pilot", {"pilot": "hame"})


def test_one_usable_pilot_after_dropping_the_all_employed_one_is_also_refused():
    register = _table_register_two()
    with pytest.raises(compare.ComparisonUndefined, match="at least two pilots") as caught:
        compare.adjusted_rates(register, AS_OF, 6)
    assert caught.value.unavailable == compare.Unavailable(6, "one_pilot", {"pilot": "lappi"})


def test_no_pilot_left_is_its_own_reason():
    register = make_register([{"pilot_id": pilot, "status_6m": "employed_open", "person_id": f"{pilot}{i}"}
                              for pilot in ("hame", "lappi") for i in range(6)])
    with pytest.raises(compare.ComparisonUndefined) as caught:
        compare.adjusted_rates(register, AS_OF, 6)
    assert caught.value.unavailable == compare.Unavailable(6, "no_pilot", {})


def test_a_covariate_that_only_tells_the_pilots_apart_is_reported_as_collinear():
    # Everybody in Häme is 30, everybody in Lappi 50; nothing else varies: age = 30 + 20·Lappi.
    rows = [{"pilot_id": pilot, "age": age, "status_6m": "employed_open" if i % 3 == 0 else "unemployed"}
            for pilot, age in (("hame", 30), ("lappi", 50)) for i in range(9)]
    with pytest.raises(compare.ComparisonUndefined) as caught:
        compare.adjusted_rates(make_register(rows), AS_OF, 6)
    assert caught.value.unavailable == compare.Unavailable(6, "collinear", {})


def test_an_unknown_reason_is_a_programming_error():
    with pytest.raises(ValueError, match="UNAVAILABLE_REASONS"):
        compare.Unavailable(6, "no_such_reason")


def _table_register_two():
    return make_register(
        [{"pilot_id": "hame", "status_6m": "employed_open"} for _ in range(6)]
        + [{"pilot_id": "lappi", "status_6m": "employed_open" if i % 2 else "unemployed", "age": 30 + i}
           for i in range(10)]
    )


def test_separation_by_a_covariate_is_detected():
    # Every man employed, every woman not: the sex coefficient would be infinite.
    rows = []
    for pilot in ("hame", "lappi"):
        for i in range(12):
            sex = "M" if i % 2 else "F"
            rows.append({"pilot_id": pilot, "sex": sex, "age": 25 + i,
                         "status_6m": "employed_open" if sex == "M" else "unemployed"})
    with pytest.raises(compare.ComparisonUndefined, match="separation") as caught:
        compare.adjusted_rates(make_register(rows), AS_OF, 6)
    assert caught.value.unavailable == compare.Unavailable(6, "separation", {})


# The other indicators the comparison takes, checked by the same second route: the outcome read
# from the status by hand here (not by evalkit), the design built by hand, IRLS, and the
# standardisation as an explicit loop over the people.
HAND_OUTCOMES = {
    "positive_exit_rate": {"employed_open", "employed_subsidised", "entrepreneur", "training", "other_service"},
    "open_employment_rate": {"employed_open"},
}


@pytest.mark.parametrize("indicator", sorted(HAND_OUTCOMES))
def test_other_indicators_match_logit_and_marginal_standardisation_by_hand(indicator):
    register = random_register(seed=11, n_per_pilot=70)
    result = compare.adjusted_rates(register, AS_OF, 6, indicator)
    # Everybody in this register ended on 2021-06-30, so all are followed up at 6 months.
    people = register.assign(pilot_id=register["pilot_id"].astype(str)).reset_index(drop=True)
    outcome = people["status_6m"].astype(str).isin(HAND_OUTCOMES[indicator]).to_numpy(float)
    pilots = sorted(people["pilot_id"].unique())
    names, x = _hand_design(people, pilots)
    beta, cov = _irls(x, outcome)
    model = result.model.set_index("term").loc[names]
    np.testing.assert_allclose(model["estimate"], beta, rtol=1e-6, atol=1e-8)
    rates = result.rates.set_index("pilot_id")
    for pilot in pilots:
        assert rates.loc[pilot, "adjusted_rate"] == pytest.approx(
            _standardised_rate(beta, people, pilots, pilot), abs=1e-7)
        mine = people["pilot_id"] == pilot
        assert rates.loc[pilot, "employed"] == int(outcome[mine.to_numpy()].sum())
        assert rates.loc[pilot, "crude_rate"] == pytest.approx(outcome[mine.to_numpy()].mean())
    # The standard error by central differences of the explicit loop, gᵀVg.
    pilot, h = pilots[2], 1e-5
    gradient = np.array([(_standardised_rate(beta + h * e, people, pilots, pilot)
                          - _standardised_rate(beta - h * e, people, pilots, pilot)) / (2 * h)
                         for e in np.eye(len(beta))])
    assert rates.loc[pilot, "adjusted_se"] == pytest.approx(math.sqrt(gradient @ cov @ gradient), rel=1e-4)
    # A different outcome gives different rates than employment (the indicator is really used).
    employment = compare.adjusted_rates(register, AS_OF, 6).rates.set_index("pilot_id")
    assert not np.allclose(employment["adjusted_rate"], rates["adjusted_rate"])


def test_an_indicator_the_comparison_cannot_take_is_refused():
    register = random_register(seed=11, n_per_pilot=20)
    for name in ("was_change", "cost_per_employed", "participants", "no_such_rate"):
        with pytest.raises(EvalkitError, match="cannot compare pilots by"):
            compare.adjusted_rates(register, AS_OF, 6, name)
