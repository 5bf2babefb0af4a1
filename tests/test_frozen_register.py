"""The computations run on a register as a build gives it: read-only, named after its artefact.

In a build a loaded register stands for its artefact (evalkit.register.artefact): its arrays are
read-only, so code that set a value in place would fail the build. This shows it here, fast, on
every computation the pages make from a register, and that the results equal those on a register
loaded outside a build.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit import compare, indicators, key_results
from evalkit.params import load_all_params
from evalkit.programme import current
from evalkit.register import artefact, load_employers, load_register


@pytest.fixture(scope="module")
def registers(tmp_path_factory):
    params = load_all_params()
    source = next(iter(params.values()))
    plain = load_register(source.data, source.as_of), load_employers(source.employers)
    with artefact.kept_in(tmp_path_factory.mktemp("artefacts")):
        load_register(source.data, source.as_of)   # kept; the next load reads the artefact back
        frozen = load_register(source.data, source.as_of), load_employers(source.employers)
    assert artefact.origin(frozen[0]) is not None and artefact.origin(plain[0]) is None
    return plain, frozen, source.as_of, params


def _computations(register, employers, as_of, params):
    budgets = current().budgets
    yield "crude", compare.crude_rates(register, as_of)
    yield "homogeneity", compare.homogeneity_tests(register, as_of)
    for indicator in compare.OUTCOME_INDICATORS:
        yield f"adjusted {indicator}", compare.adjusted_rates(register, as_of, 6, indicator).rates
    yield "was change", compare.was_change_by_pilot(register)
    yield "indicators", indicators.compute_indicators(register, as_of, budgets)
    yield "extra", indicators.extra_indicators(register, as_of, employers=employers)
    yield "published", indicators._published(register, as_of, budgets, employers)
    yield "goals", key_results.goal_verdicts(register, as_of, params, budgets, employers)


def test_every_computation_runs_on_a_read_only_register_and_gives_the_same(registers):
    (plain, plain_employers), (frozen, frozen_employers), as_of, params = registers
    expected = dict(_computations(plain, plain_employers, as_of, params))
    for name, result in _computations(frozen, frozen_employers, as_of, params):
        pd.testing.assert_frame_equal(result, expected[name], check_exact=True, obj=name)
    assert artefact.origin(frozen) is not None   # and nothing changed it on the way
    with pytest.raises(ValueError, match="read-only"):
        frozen.loc[frozen.index[0], "age"] = 99
