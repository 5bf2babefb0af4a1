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


def test_design_of_arrow_texts_is_patsys_on_the_same_texts_as_objects():
    # Levels whose order differs by case, accents and byte length: sorted by code point either way.
    texts = ["ämmä", "zeta", "Alpha", "Ähtäri", "b", "zeta", "Alpha", "ö", "B"]
    frame = pd.DataFrame({"employed": [1, 0, 1, 0, 1, 1, 0, 0, 1], "pilot_id": texts,
                          "age": np.arange(9, dtype=float)})
    formula = "employed ~ C(pilot_id) + age"
    as_arrow = frame.astype({"pilot_id": "str"})
    as_objects = frame.astype({"pilot_id": object})
    assert isinstance(as_arrow["pilot_id"].dtype, pd.StringDtype)
    _, design = casemix.design(formula, as_arrow)
    _, patsy_design = dmatrices(formula, as_objects, return_type="dataframe")
    assert list(design.columns) == list(patsy_design.columns)
    np.testing.assert_array_equal(design.to_numpy(), patsy_design.to_numpy())


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


def _people_data(eligible, left_out, horizon):
    """The model's people one row each, as the comparison took them before it collapsed them."""
    data = eligible[~eligible["pilot_id"].isin(left_out)]
    complete = data[list(compare.MODEL_COVARIATES)].notna().all(axis=1)
    data = data[complete].copy()
    for column in compare.MODEL_COVARIATES:
        data[column] = data[column].astype(str if column in ("sex", "basis") else float)
    return data


def _statsmodels_route(register, as_of, horizon):
    """The adjusted rates as computed before evalkit.casemix: patsy design, statsmodels
    get_prediction(average=True)."""
    crude = compare.employment_rates(register, as_of, (horizon,))
    crude = crude[crude["pilot_id"] != "all"].set_index("pilot_id")
    left_out = compare._left_out_pilots(crude)
    data = _people_data(compare.eligible_at(register, as_of, horizon), left_out, horizon)
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


COVARIATES = ["pilot_id", "sex", "basis", "age", "unemployment_months"]


def _coarse(data):
    """Ages by decade and unemployment by year: people then share covariates with other outcomes."""
    return data.assign(age=data["age"] // 10 * 10, unemployment_months=data["unemployment_months"] // 12)


def test_binomial_rows_keep_every_person_once_as_a_weight(data):
    data = _coarse(data)
    rows, people = casemix.binomial_rows(FORMULAS[0], data)
    assert list(rows.columns) == ["employed", *COVARIATES] and people.sum() == len(data)
    assert len(rows) == len(data.drop_duplicates(COVARIATES)) < len(data.drop_duplicates(["employed", *COVARIATES]))
    by_hand = data.groupby(COVARIATES)["employed"].agg(["size", "sum"])
    got = pd.DataFrame({"people": people, "employed": rows["employed"].to_numpy() * people},
                       index=pd.MultiIndex.from_frame(rows[COVARIATES])).sort_index()
    assert got["people"].to_dict() == by_hand["size"].sort_index().to_dict()
    np.testing.assert_allclose(got["employed"].to_numpy(), by_hand["sum"].sort_index().to_numpy(), rtol=1e-12)


def test_binomial_rows_and_distinct_rows_give_groupbys_groups_in_its_order(data):
    """A second route: pandas' groupby in order of first occurrence, weights summed per group."""
    data = _coarse(data)
    weights = np.random.default_rng(3).integers(1, 9, len(data)).astype(float)
    rows, people = casemix.binomial_rows(FORMULAS[0], data, weights)
    grouped = data[COVARIATES].assign(_w=weights, _y=weights * data["employed"]).groupby(COVARIATES, sort=False)
    expected = grouped[["_w", "_y"]].sum()
    pd.testing.assert_frame_equal(rows[COVARIATES], expected.index.to_frame(index=False), check_dtype=False)
    np.testing.assert_array_equal(people, expected["_w"].to_numpy())
    np.testing.assert_array_equal(rows["employed"].to_numpy(), (expected["_y"] / expected["_w"]).to_numpy())
    exog = casemix.design(FORMULAS[0], data)[1].to_numpy()
    distinct, counts = casemix.distinct_rows(exog, weights)
    by_rows = pd.DataFrame(exog).assign(_w=weights).groupby(list(range(exog.shape[1])), sort=False)["_w"].sum()
    np.testing.assert_array_equal(distinct, by_rows.index.to_frame(index=False).to_numpy(dtype=float))
    np.testing.assert_array_equal(counts, by_rows.to_numpy())


@pytest.mark.parametrize("bad, message", [("missing", "missing value"), ("outcome", "0 or 1"),
                                          ("weight", "positive")])
def test_binomial_rows_refuse_what_the_person_by_person_model_would_not_take(data, bad, message):
    weights = np.ones(len(data))
    data = data.copy()
    if bad == "missing":
        data.loc[data.index[3], "age"] = np.nan
    elif bad == "outcome":
        data.loc[data.index[3], "employed"] = 2
    else:
        weights[3] = 0.0
    with pytest.raises(ValueError, match=message):
        casemix.binomial_rows(FORMULAS[0], data, weights)


def _mixed_register():
    """Pilots out of order, one where everybody is employed (left out of the model), covariates
    missing in two pilots, and statuses of every kind, so each outcome has its own rows."""
    register = random_register(seed=21, pilots=("uusimaa", "hame", "lappi"), n_per_pilot=80,
                               effects=(0.1, 0.5, -0.4))
    rng = np.random.default_rng(21)
    statuses = ["employed_open", "employed_subsidised", "entrepreneur", "training", "other_service",
                "unemployed", "outside_labour_force", "unknown"]
    register["status_6m"] = rng.choice(statuses, len(register))
    register.loc[register.index[:9], "age"] = pd.NA
    register.loc[register.index[100:104], "basis"] = np.nan
    all_employed = random_register(seed=22, pilots=("pirkanmaa",), n_per_pilot=15, effects=(0.0,))
    all_employed["status_6m"] = "employed_open"
    all_employed.loc[all_employed.index[:3], "sex"] = np.nan   # missing, but the pilot is left out
    return pd.concat([register, all_employed], ignore_index=True)


def _as_loaded(register):
    """The register with its code columns Categorical, as load_register gives them, with categories
    no row holds (the programme's other pilots, codes nobody has)."""
    loaded = register.astype({c: "category" for c in ("pilot_id", "sex", "basis", "status_6m")})
    loaded["pilot_id"] = loaded["pilot_id"].cat.add_categories(["pohjanmaa", "etela-pohjanmaa"])
    loaded["basis"] = loaded["basis"].cat.add_categories(["zzz"])
    return loaded


def _as_objects(register):
    """The register with its code columns plain Python objects (no str or Categorical dtype)."""
    return register.astype({c: object for c in ("pilot_id", "sex", "basis", "status_6m")})


@pytest.mark.parametrize("shape", [None, _as_objects, _as_loaded], ids=["str columns", "object columns",
                                                                       "categorical columns"])
@pytest.mark.parametrize("indicator", ["employment_rate", "positive_exit_rate", "open_employment_rate"])
def test_one_horizons_people_collapse_as_each_outcomes_people_do(shape, indicator):
    """The rows the model is fitted on, from the people shared by every outcome, are the rows and
    weights the people one by one collapse into, in the same order (so the fit is the same)."""
    register = _mixed_register()
    register = shape(register) if shape else register
    people = compare.model_people(register, AS_OF, 6)
    crude = compare.crude_rates(register, AS_OF, (6,), indicator)
    left_out = compare._left_out_pilots(crude[crude["pilot_id"] != "all"].set_index("pilot_id"))
    assert left_out == {"pirkanmaa": "all_employed"}
    rows, weights, notes = compare._model_rows(people, left_out, compare.spec(indicator).statuses)
    # By hand: the people one by one, their outcome read from the status here.
    eligible = compare.eligible_at(register, AS_OF, 6)
    eligible["outcome"] = eligible["status"].astype(str).isin(compare.spec(indicator).statuses).astype(int)
    data = _people_data(eligible, left_out, 6)
    formula, _ = compare._formula(data, 6)
    expected_rows, expected_people = casemix.binomial_rows(formula, data)
    got_rows, got_people = casemix.binomial_rows(formula, rows, weights)
    pd.testing.assert_frame_equal(got_rows.astype(object), expected_rows.astype(object))
    np.testing.assert_array_equal(got_people, expected_people)
    incomplete = eligible[~eligible["pilot_id"].isin(left_out)][list(compare.MODEL_COVARIATES)].isna().any(axis=1)
    assert int(incomplete.sum()) == 13
    assert notes == [("missing_covariates", {"count": 13, "horizon": 6})]


def test_sharing_one_horizons_people_changes_no_result_and_another_horizons_are_refused():
    register = _as_loaded(_mixed_register())
    people = compare.model_people(register, AS_OF, 6)
    for indicator in ("employment_rate", "positive_exit_rate", "open_employment_rate"):
        alone = compare.adjusted_rates(register, AS_OF, 6, indicator)
        shared = compare.adjusted_rates(register, AS_OF, 6, indicator, people,
                                        compare.crude_rates(register, AS_OF, (3, 6, 12), indicator))
        pd.testing.assert_frame_equal(shared.rates, alone.rates)
        pd.testing.assert_frame_equal(shared.model, alone.model)
        assert shared.notes == alone.notes and shared.n_model == alone.n_model
    with pytest.raises(ValueError, match="of 6 months given for 12 months"):
        compare.adjusted_rates(register, AS_OF, 12, people=people)
    with pytest.raises(ValueError, match="without employment_rate at 12 months"):
        compare.adjusted_rates(register, AS_OF, 12, crude=compare.crude_rates(register, AS_OF, (6,)))


@pytest.mark.parametrize("columns, cardinality", [(3, 4), (8, 3000)], ids=["few values", "past int64 combined"])
def test_groups_are_numbered_as_groupby_numbers_them_in_order_of_first_occurrence(columns, cardinality):
    rng = np.random.default_rng(columns)
    frame = pd.DataFrame({f"c{i}": rng.integers(0, cardinality, 4000) for i in range(columns)})
    frame["c0"] = frame["c0"].astype(float)
    frame = pd.concat([frame, frame.sample(1000, random_state=1)], ignore_index=True)  # repeats
    groups, first = casemix.group_numbers([frame[c].to_numpy() for c in frame.columns])
    expected = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    np.testing.assert_array_equal(groups, expected)
    np.testing.assert_array_equal(first, [np.flatnonzero(expected == g)[0] for g in range(expected.max() + 1)])


def test_groups_are_told_apart_where_the_combined_number_would_overflow():
    """Five columns of 2**16 - 1 values: combined without renumbering, the first column's number is
    shifted out of the int64 and rows that differ only there would share a group."""
    m = 2**16 - 1
    rows = np.arange(2 * m)
    columns = [(rows >= m).astype(np.int64)] + [rows % m] * 4
    groups, first = casemix.group_numbers(columns)
    assert groups.max() + 1 == 2 * m
    np.testing.assert_array_equal(first, rows)
