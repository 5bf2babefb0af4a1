"""The case-mix core (evalkit.casemix) against the general tools it replaces: patsy's design and
statsmodels' averaged prediction with its complex-step delta method; and the comparison's adjusted
rates against that route on the demonstration register, to 1e-8."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from patsy import dmatrices
from statsmodels.discrete.discrete_model import Logit

from comparison_data import random_register
from evalkit import casemix, compare
from evalkit.paths import project_root

AS_OF = "2023-01-01"
FORMULAS = (
    "employed ~ C(pilot_id) + age + C(sex) + C(basis) + unemployment_months",
    "employed ~ C(pilot_id) + age + C(basis)",  # a categorical term after a numeric one
    "employed ~ C(basis) + C(pilot_id) + unemployment_months + age",  # terms in another order
    "employed ~ C(pilot_id)",
)


def _model_data(register, horizon=6):
    data = compare.eligible_at(register, AS_OF, horizon)
    for column in ("sex", "basis"):
        data[column] = data[column].astype(str)
    for column in ("age", "unemployment_months"):
        data[column] = data[column].astype(float)
    return data


@pytest.fixture(scope="module")
def data():
    # Pilots given out of sorted order and a level ("aa") that sorts before the others.
    register = random_register(seed=3, pilots=("uusimaa", "hame", "lappi", "aa"), n_per_pilot=40,
                               effects=(0.1, 0.5, -0.4, 0.0))
    return _model_data(register)


@pytest.mark.parametrize("formula", FORMULAS)
def test_design_is_patsys_column_for_column(data, formula):
    outcome, design = casemix.design(formula, data)
    patsy_outcome, patsy_design = dmatrices(formula, data, return_type="dataframe")
    assert list(design.columns) == list(patsy_design.columns)
    np.testing.assert_array_equal(design.to_numpy(), patsy_design.to_numpy())
    assert design.index.equals(patsy_design.index)
    assert list(outcome.columns) == list(patsy_outcome.columns)
    np.testing.assert_array_equal(outcome.to_numpy(), patsy_outcome.to_numpy())
    assert design.dtypes.eq(np.float64).all()


@pytest.mark.parametrize("formula", ["employed ~ log(age)", "employed ~ age:C(sex)", "~ age",
                                     "employed ~ C(pilot_id, Sum)", "employed ~ age + "])
def test_a_formula_outside_the_supported_form_is_refused(formula):
    with pytest.raises(ValueError, match="unsupported model formula"):
        casemix.parse_formula(formula)


def test_averaged_prediction_equals_statsmodels_complex_step_delta_method(data):
    outcome, design = casemix.design(FORMULAS[0], data)
    result = Logit(outcome, design).fit(disp=False)
    rng = np.random.default_rng(0)
    for _ in range(3):
        exog = design.to_numpy().copy()
        exog[:, 1:4] = 0.0
        exog[:, rng.integers(1, 4)] = 1.0
        reference = result.get_prediction(exog=exog, average=True)
        rate, se = casemix.averaged_prediction(exog, np.asarray(result.params),
                                               np.asarray(result.cov_params()))
        assert rate == pytest.approx(float(np.squeeze(reference.predicted)), abs=1e-12)
        assert se == pytest.approx(float(np.sqrt(np.squeeze(reference.var_pred))), abs=1e-12)


def _statsmodels_route(register, as_of, horizon):
    """The adjusted rates as computed before evalkit.casemix: patsy design, statsmodels
    get_prediction(average=True)."""
    crude = compare.employment_rates(register, as_of, (horizon,))
    crude = crude[crude["pilot_id"] != "all"].set_index("pilot_id")
    left_out = compare._left_out_pilots(crude)
    data, _ = compare._model_data(compare.eligible_at(register, as_of, horizon), left_out, horizon)
    formula, _ = compare._formula(data, horizon)
    outcome, design = dmatrices(formula, data, return_type="dataframe")
    result = Logit(outcome, design).fit(disp=False, maxiter=100)
    names = list(design.columns)
    pilot_columns = [i for i, n in enumerate(names) if n.startswith("C(pilot_id)[T.")]
    rows = {}
    for pilot_id in sorted(data["pilot_id"].unique()):
        exog = design.to_numpy().copy()
        exog[:, pilot_columns] = 0.0
        if f"C(pilot_id)[T.{pilot_id}]" in names:
            exog[:, names.index(f"C(pilot_id)[T.{pilot_id}]")] = 1.0
        prediction = result.get_prediction(exog=exog, average=True)
        rows[pilot_id] = (float(np.squeeze(prediction.predicted)),
                          float(np.sqrt(np.squeeze(prediction.var_pred))))
    return result, rows


@pytest.fixture(scope="module")
def demo_register():
    from evalkit.register import load_register

    return load_register(project_root() / "data" / "demo" / "participants.csv", "2023-12-31")


@pytest.mark.parametrize("horizon", [3, 6, 12])
def test_adjusted_rates_on_the_demo_register_equal_the_statsmodels_route(demo_register, horizon):
    as_of = pd.Timestamp("2023-12-31")
    ours = compare.adjusted_rates(demo_register, as_of, horizon)
    result, reference = _statsmodels_route(demo_register, as_of, horizon)
    rates = ours.rates.set_index("pilot_id")
    assert set(reference) == set(rates.index[rates["in_model"]])
    for pilot_id, (rate, se) in reference.items():
        assert abs(rates.loc[pilot_id, "adjusted_rate"] - rate) < 1e-8
        assert abs(rates.loc[pilot_id, "adjusted_se"] - se) < 1e-8
        low, high = compare.logit_interval(rate, se)
        assert abs(rates.loc[pilot_id, "ci_low"] - low) < 1e-8
        assert abs(rates.loc[pilot_id, "ci_high"] - high) < 1e-8
    expected = compare.model_table(result)
    pd.testing.assert_frame_equal(ours.model, expected, rtol=0, atol=1e-8)


def test_distinct_rows_with_their_counts_give_the_mean_over_everybody():
    rng = np.random.default_rng(5)
    exog = np.column_stack([np.ones(500), rng.integers(0, 2, 500), rng.integers(20, 24, 500)]).astype(float)
    params, cov = np.array([-1.0, 0.5, 0.02]), np.diag([0.04, 0.01, 0.0001])
    rows, counts = casemix.distinct_rows(exog)
    assert len(rows) < 20 and counts.sum() == 500
    for row, count in zip(rows, counts):
        assert (exog == row).all(axis=1).sum() == count
    assert casemix.averaged_prediction(rows, params, cov, counts) == pytest.approx(
        casemix.averaged_prediction(exog, params, cov), abs=1e-14)


def test_collapse_keeps_every_person_once_as_a_weight(data):
    rows, people = casemix.collapse(FORMULAS[0], data)
    columns = ["employed", "pilot_id", "sex", "basis", "age", "unemployment_months"]
    assert list(rows.columns) == columns and people.sum() == len(data)
    assert len(rows) == len(data.drop_duplicates(columns))
    expected = data.groupby(columns).size()
    got = pd.Series(people, index=pd.MultiIndex.from_frame(rows)).sort_index()
    assert got.to_dict() == expected.sort_index().to_dict()
