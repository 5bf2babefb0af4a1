"""The build's bookkeeping (names checked for identity codes, the register package's names) does not
import the data stack: pandas and pandera cost over a second, and a no-op build needs neither."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                          capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_checking_a_name_for_an_identity_code_needs_no_pandas():
    modules = _modules_after("import evalkit.shown, evalkit.register, evalkit.register.artefact\n"
                             "from evalkit.register.hetu import contains_hetu\n"
                             "assert contains_hetu('131052-308T') and not contains_hetu('a1')")
    assert not {"pandas", "pandera", "pyarrow"} & modules


def test_the_register_package_still_offers_its_names():
    import evalkit.register as register
    from evalkit.register import load_register
    from evalkit.register.load import load_register as direct

    assert load_register is direct
    assert set(register.__all__) <= set(dir(register)) | set(register._WHERE)
    for name in register.__all__:
        assert getattr(register, name) is not None
    with pytest.raises(AttributeError):
        register.no_such_name  # noqa: B018


def test_the_build_command_imports_no_data_stack_before_it_has_work():
    modules = _modules_after("import evalkit.cli, evalkit.commands.build, evalkit.pipeline.orchestrate")
    assert not {"pandas", "numpy", "matplotlib", "scipy", "pyarrow", "pandera"} & modules


def test_evalkit_build_loads_only_its_own_command():
    modules = _modules_after("import sys\nsys.argv = ['evalkit', '--debug', 'build', '--help']\n"
                             "from evalkit import cli\ntry:\n    cli.main()\nexcept SystemExit:\n    pass")
    assert "evalkit.commands.build" in modules and "evalkit.commands.compare" not in modules
    assert not {"pandas", "numpy", "scipy", "statsmodels"} & modules


def test_reading_every_params_file_and_the_programme_needs_no_data_stack():
    # Every build, a no-op one too, checks the params files (their extract dates among them).
    modules = _modules_after("from evalkit.params import load_all_params\nfrom pathlib import Path\n"
                             f"assert load_all_params(Path({str(ROOT)!r}))")
    assert not {"pandas", "numpy", "pyarrow", "pandera"} & modules
