"""Params files as people write them: identity codes anywhere refused by key (never printed),
Notepad's encodings read, YAML's gotchas answered in one line, goal targets in range.

Expected messages are written out by hand from the small files below.
"""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from evalkit.errors import InputError
from evalkit.params import load_params
from params_text import GOOD

ROOT = Path(__file__).resolve().parents[1]
HETU = "131052-308T"   # valid: 131052308 mod 31 = 26 -> "T"
HETU_WORDS = ("holds a Finnish personal identity code (henkilötunnus); no text that reaches the "
              "report may hold one (the value is not shown)")



def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "lappi.yml"
    path.write_bytes(text.encode(encoding))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_params(path, ROOT)
    return [str(p).replace(str(path), path.name) for p in caught.value.problems]


# ---------------------------------------------------------------- identity codes

def test_a_code_in_a_goal_text_is_refused_by_key_and_never_printed(tmp_path):
    path = write(tmp_path, GOOD.replace("Työnantajien tieto vahvistuu", f"Asiakas {HETU} ohjattiin"))
    assert problems(path) == [f"lappi.yml: line 11: column goals[1].text: {HETU_WORDS}"]


@pytest.mark.parametrize("where, text", [   # where: "line N: column KEY"
    ("line 5: column services[0]", GOOD.replace("- Työkykykoordinaattorin ohjaus", "- Ohjaus 131052–308T")),   # en dash
    ("line 8: column goals[0].indicator", GOOD.replace("indicator: employment_rate", "indicator: 131052-308T y")),
    ("line 2: column data", GOOD.replace("data/demo/participants.csv", "own/131052-308T.csv")),
    ("line 11: column goals[1].<key>", GOOD.replace("- text: Työnantajien tieto vahvistuu",
                                    "- text: Työnantajien tieto vahvistuu\n  131052-308T: x")),
    ("line 3: column as_of", GOOD.replace("as_of: 2023-12-31", "as_of: 'syntynyt 131052-308T'")),
])
def test_a_code_in_any_field_is_refused_by_key(tmp_path, where, text):
    # Second variants: a service typed with an en dash, a bad indicator (whose message would quote
    # it), the data path, a mapping key, the date.
    found = problems(write(tmp_path, text))
    assert found == [f"lappi.yml: {where}: {HETU_WORDS}"]


def test_a_code_in_the_file_name_is_not_printed(tmp_path):
    path = tmp_path / f"{HETU}.yml"
    path.write_text(GOOD, encoding="utf-8")
    assert problems(path) == [f"(file name not shown): the file name {HETU_WORDS}; rename the file"]


def test_a_code_in_a_file_yaml_cannot_read_is_not_quoted(tmp_path):
    # YAML's own error reports quote the lines around the fault.
    for text in (GOOD.replace("Työnantajien tieto vahvistuu", f'"Asiakas {HETU}'),
                 GOOD.replace("Työnantajien tieto vahvistuu", f"*{HETU}")):
        found = problems(write(tmp_path, text))
        assert len(found) == 1 and HETU not in found[0] and "308" not in found[0]


def test_pilot_command_refuses_a_code_in_its_params_and_writes_nothing(project, tmp_path):
    from conftest import run_evalkit

    params = write(tmp_path, GOOD.replace("Työnantajien tieto vahvistuu", f"Asiakas {HETU} ohjattiin"))
    out = tmp_path / "report"
    done = run_evalkit(project, "pilot", "lappi", "--data", "data/demo/participants.csv",
                       "--as-of", "2023-12-31", "--params", str(params), "--out", str(out), "--no-pdf")
    assert done.returncode == 2, done.stderr
    assert "goals[1].text: holds a Finnish personal identity code" in done.stderr
    assert HETU not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert not out.exists()


# ---------------------------------------------------------------- encodings and YAML gotchas

def test_notepad_ansi_windows_1252_is_read(tmp_path):
    params = load_params(write(tmp_path, GOOD, encoding="cp1252"), ROOT)
    assert params.services == ("Työkykykoordinaattorin ohjaus",)
    assert params.goals[1].text == "Työnantajien tieto vahvistuu"


def test_notepad_unicode_utf16_is_read(tmp_path):
    # Second variant: Notepad's "Unicode" is UTF-16 little-endian with a byte-order mark.
    path = tmp_path / "lappi.yml"
    path.write_bytes(codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"))
    assert load_params(path, ROOT).goals[0].text == "Vähintään 25 % on työssä"


def test_yes_no_on_off_stay_the_words_written(tmp_path):
    text = GOOD.replace("- Työkykykoordinaattorin ohjaus", "- on\n- off").replace(
        "text: Työnantajien tieto vahvistuu", "text: yes")
    params = load_params(write(tmp_path, text), ROOT)
    assert params.services == ("on", "off") and params.goals[1].text == "yes"


def test_yes_as_a_target_and_true_as_a_text_get_clear_messages(tmp_path):
    text = GOOD.replace("target: 0.25", "target: yes").replace("text: Työnantajien tieto vahvistuu", "text: true")
    assert problems(write(tmp_path, text)) == [
        "lappi.yml: line 10: column goals[0].target: a goal with an indicator needs a numeric target, got 'yes'; "
        "a share is written 0–1 (25 % as 0.25)",
        "lappi.yml: line 11: column goals[1].text: expected text, got true (put the text in quotes)"]


@pytest.mark.parametrize("target", ["0x1", "0o1", "0:30", "0_5"])
def test_yaml_1_1_number_forms_are_texts_not_numbers(tmp_path, target):
    # YAML 1.1 read 0x1 as 1: a target of 100 % passed unseen. Now a text, refused quoting it.
    assert problems(write(tmp_path, GOOD.replace("target: 0.25", f"target: {target}"))) == [
        f"lappi.yml: line 10: column goals[0].target: a goal with an indicator needs a numeric target, "
        f"got {target!r}; "
        "a share is written 0–1 (25 % as 0.25)"]


def test_a_number_with_a_leading_zero_is_decimal(tmp_path):
    text = GOOD.replace("horizon: 6", "horizon: 06")   # YAML 1.1 octal: the same here, but 012 was 10
    assert load_params(write(tmp_path, text), ROOT).goals[0].horizon == 6
    import yaml

    from evalkit.yaml_input import PlainLoader
    assert yaml.load("a: 012", Loader=PlainLoader) == {"a": 12}   # noqa: S506 - PlainLoader is a SafeLoader


def test_a_tab_in_the_indentation_is_one_line(tmp_path):
    # Line 9 is "  horizon: 6"; its indentation becomes a tab.
    path = write(tmp_path, GOOD.replace("  horizon: 6", "\thorizon: 6"))
    assert problems(path) == ["lappi.yml: line 9: column 1: a tab is used for indentation; YAML indents "
                              "with spaces only (replace the tab with spaces)"]


def test_a_tab_after_a_colon_is_one_line_too(tmp_path):
    # Second variant: the tab separates a key from its value (line 10, after "  target:").
    found = problems(write(tmp_path, GOOD.replace("target: 0.25", "target:\t0.25")))
    assert len(found) == 1 and found[0].startswith("lappi.yml: line 10: column ") and "tab" in found[0]


# ---------------------------------------------------------------- targets in range

@pytest.mark.parametrize("target, shown", [("25", "25"), ("-3", "-3"), ("1.5", "1.5"), (".nan", "nan")])
def test_a_share_target_outside_0_to_1_is_refused(tmp_path, target, shown):
    found = problems(write(tmp_path, GOOD.replace("target: 0.25", f"target: {target}")))
    assert found == [f"lappi.yml: line 10: column goals[0].target: {shown} is outside 0–1: a share is written "
                     "0–1 (25 % as 0.25)"]


@pytest.mark.parametrize("target", ["0", "1", "0.0", "1.0"])
def test_share_targets_at_the_ends_are_accepted(tmp_path, target):
    assert load_params(write(tmp_path, GOOD.replace("target: 0.25", f"target: {target}")), ROOT).goals[0].target \
        == float(target)


def test_other_indicators_have_their_own_ranges(tmp_path):
    # Second variant: a score change of 15 cannot happen on a 0–10 scale; -3 (a decrease) can;
    # the täsmätyö share is a share; "25 %" and "0,25" are not numbers YAML reads.
    text = GOOD.replace("indicator: employment_rate\n  horizon: 6\n  target: 0.25",
                        "indicator: was_change\n  target: 15") + (
        "- text: b\n  indicator: was_change\n  target: -3\n"
        "- text: c\n  indicator: tasmatyo_share\n  target: 30\n"
        "- text: d\n  indicator: share_unknown\n  horizon: 3\n  target: 25 %\n"
        "- text: e\n  indicator: positive_exit_rate\n  horizon: 12\n  target: 0,25\n"
        "- text: f\n  indicator: tasmatyo_share\n  horizon: 6\n  target: 0.3\n")
    assert problems(write(tmp_path, text)) == [
        "lappi.yml: line 9: column goals[0].target: 15 is outside -10–10: a change of the work ability score "
        "(0–10) lies between -10 and 10",
        "lappi.yml: line 16: column goals[3].target: 30 is outside 0–1: a share is written 0–1 (25 % as 0.25)",
        "lappi.yml: line 20: column goals[4].target: a goal with an indicator needs a numeric target, got '25 %'; "
        "a share is written 0–1 (25 % as 0.25)",
        "lappi.yml: line 24: column goals[5].target: '0,25' uses a decimal comma; write a decimal point (0.25)",
        "lappi.yml: line 27: column goals[6].horizon: tasmatyo_share has no follow-up time; leave horizon out"]


# ---------------------------------------------------------------- hostile files

def _laughs(levels: int = 9) -> str:
    """Nested aliases: under 700 bytes that stand for 9**levels texts ("billion laughs")."""
    lines = ["pilot_id: lappi", "a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"services: *a{levels}")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_its_first_anchor_in_seconds(tmp_path):
    from bounded import assert_refused, run_bounded

    params = write(tmp_path, _laughs())
    assert params.stat().st_size < 700
    done = run_bounded("pilot", "lappi", "--data", "data/demo/participants.csv", "--as-of", "2023-12-31",
                       "--params", str(params), "--out", str(tmp_path / "report"), "--no-pdf", timeout=30)
    assert_refused(done, "lappi.yml: line 2: column 5: uses a YAML anchor or alias")
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("text, line", [
    (GOOD.replace("services:\n- Työ", "services:\n- &s Työ") + "extra: *s\n", 5),   # one plain anchor
    (GOOD.replace("- text: Vähintään", "- &goal\n  text: Vähintään") + "- *goal\n", 7),
    (GOOD.replace("- text: Työnantajien tieto vahvistuu", "- <<: *x\n  text: t"), 11),  # merge key, no anchor
], ids=["anchor", "alias", "merge-key"])
def test_any_anchor_or_alias_is_refused_by_line(tmp_path, text, line):
    found = problems(write(tmp_path, text))
    assert len(found) == 1 and found[0].startswith(f"lappi.yml: line {line}: column ")
    assert "uses a YAML anchor or alias" in found[0]


@pytest.mark.parametrize("text, line, key", [
    (GOOD + "as_of: 2024-06-30\n", 12, "as_of"),   # a second extract date, lower down
    (GOOD.replace("  horizon: 6\n", "  horizon: 6\n  horizon: 12\n"), 10, "horizon"),   # within one goal
], ids=["top level", "in a goal"])
def test_a_key_written_twice_is_refused_by_line_not_silently_overwritten(tmp_path, text, line, key):
    found = problems(write(tmp_path, text))
    assert found == [f"lappi.yml: line {line}: column {3 if key == 'horizon' else 1}: repeats the key '{key}' "
                     "of the same mapping; keep one (YAML would silently use the last)"]


def test_the_same_key_in_two_goals_is_no_repetition(tmp_path):
    assert load_params(write(tmp_path, GOOD), ROOT).pilot_id == "lappi"   # both goals have text, indicator...


def test_a_params_file_over_a_megabyte_is_refused_unread(tmp_path):
    found = problems(write(tmp_path, GOOD + "# " + "x" * (1 << 20) + "\n"))
    assert found == ["lappi.yml: is larger than 1 MB; a params file is a short text a person writes"]


def test_a_missing_key_is_named_without_a_line_and_an_explicit_hex_int_is_one_line(tmp_path):
    found = problems(write(tmp_path, "# a comment on line 1\n" + GOOD.replace("as_of: 2023-12-31\n", "")))
    assert [p for p in found if "as_of" in p] == ["lappi.yml: column as_of: required key is missing"], found
    found = problems(write(tmp_path, GOOD.replace("horizon: 6", "horizon: !!int 0x6")))
    assert len(found) == 1 and found[0].startswith("lappi.yml: line ") and "is not a whole number" in found[0], found


def test_a_day_the_calendar_lacks_is_one_line_at_its_place(tmp_path):
    # YAML's own reading raised a bare ValueError: an internal error naming no file or key.
    found = problems(write(tmp_path, GOOD.replace("as_of: 2023-12-31", "as_of: 2023-02-30")))
    assert found == ["lappi.yml: line 3: column as_of: '2023-02-30' is not a date of the calendar"]


def test_an_extract_date_before_1900_is_refused(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("as_of: 2023-12-31", "as_of: 0001-01-01")))
    assert len(found) == 1 and found[0].startswith("lappi.yml: line 3: column as_of: ") \
        and "is before the year 1900" in found[0], found


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
def test_a_device_or_a_pipe_as_the_data_is_refused_unread(tmp_path, device):
    # Hashing /dev/zero for the page's cache key never ended (the build ran at full CPU).
    import os

    if device == "fifo":
        device = str(tmp_path / "extract.csv")
        os.mkfifo(device)
    found = problems(write(tmp_path, GOOD.replace("data/demo/participants.csv", device)))
    assert found == ["lappi.yml: line 2: column data: names a device or a pipe, not a file; give the "
                     "register's CSV, .xlsx or .parquet file"]


@pytest.mark.parametrize("value, what", [("!!timestamp x", "'x' is not a date of the calendar"),
                                         ("!!float foo", "'foo' is not a number"),
                                         ("!!bool maybe", "'maybe' is not true or false")])
def test_an_explicit_tag_yaml_cannot_read_is_one_line_at_its_place(tmp_path, value, what):
    # YAML's own constructors raised AttributeError, ValueError or KeyError: internal errors.
    found = problems(write(tmp_path, GOOD.replace("as_of: 2023-12-31", f"as_of: {value}")))
    assert found == [f"lappi.yml: line 3: column as_of: {what}"]


def test_a_data_path_the_system_cannot_look_up_is_refused_at_its_key(tmp_path):
    found = problems(write(tmp_path, GOOD.replace("data/demo/participants.csv", "a" * 5000 + ".csv")))
    assert found == ["lappi.yml: line 2: column data: cannot be looked up: File name too long"]


def test_a_params_file_that_is_a_pipe_is_refused_unread(tmp_path):
    import os

    os.mkfifo(tmp_path / "lappi.yml")
    with pytest.raises(InputError) as caught:
        load_params(tmp_path / "lappi.yml", ROOT)
    assert [p.message for p in caught.value.problems] == ["is a device, a pipe or a folder, not a file"]


def test_a_key_holding_a_code_is_not_printed_when_its_value_cannot_be_read(tmp_path):
    # The value's problem names its key; a key holding a code is named by line and column only.
    found = problems(write(tmp_path, GOOD + f"{HETU}: 2023-02-30\n"))
    assert len(found) == 1 and HETU not in found[0] and found[0].startswith("lappi.yml: line 12: column 14: "), found
