"""What reaches the terminal and the messages: one line per problem, no identity code, no escape sequence.

File names, folder names and params keys come from outside. A line break in one must not split
a message (a forged line could read "OK"), an escape sequence must not act on the terminal, and
an identity code in a folder name must not be printed. Params texts with a character no reader
sees, or one no page can show, are refused by key.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.errors import InputError, InputProblem, one_line
from evalkit.params import load_params
from evalkit.shown import published_path, shown, shown_path
from params_text import GOOD
from register_rows import row, write_register

HETU = "131052-308T"   # valid: 131052308 mod 31 = 26 -> "T"
# The same code as people paste it: with a word processor's dash, with invisible characters.
HETU_FORMS = [HETU, "131052\u2013308T", "1310\u200b52-308T", "131052-308\u00adT", "\ufeff131052-308T"]
CONTROLS = ["\n", "\r", "\x1b[31m", "\x1b]0;title\x07", "\x9b2J", "\u2028", "\u202e", "\x00"]


def _visible(text: str) -> bool:
    """No character a terminal acts on or hides: only printable characters and spaces."""
    return all(c.isprintable() for c in text)


def _no_code(text: str) -> bool:
    return all(form not in text for form in HETU_FORMS) and "131052" not in text and "308T" not in text


# ---------------------------------------------------------------- the functions

def _written(character: str) -> str:
    if character in "\n\r":
        return {"\n": "\\n", "\r": "\\r"}[character]
    if character.isprintable():
        return character
    point = ord(character)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


@pytest.mark.parametrize("control", CONTROLS)
def test_control_characters_are_escaped_to_one_visible_line(control):
    text = one_line(f"lappi{control}.csv")
    assert _visible(text) and "\n" not in text
    assert text == "lappi" + "".join(_written(c) for c in control) + ".csv"


def test_one_line_keeps_ordinary_text():
    for text in ("lappi.csv", "Työpöytä/aineisto – 2023.csv", "päivä\u00a0ja yö", "日本語.csv"):
        assert one_line(text) == text


@pytest.mark.parametrize("form", HETU_FORMS)
def test_a_folder_named_by_an_identity_code_is_hidden(form):
    for path in (f"asiakkaat/{form}/lappi.csv", f"/home/m/{form}", f"{form}.csv", f"x/asiakas-{form}/y",
                 f"'asiakkaat/{form}'"):
        text = shown_path(path)
        assert _no_code(text) and "<identity code>" in text, text
    assert shown_path(f"asiakkaat/{form}/lappi.csv") == "asiakkaat/<identity code>/lappi.csv"


def test_shown_leaves_other_numbers_alone():
    for text in ("data/2023-12-31/lappi.csv", "params/lappi.yml", "puh. 040 123 4567"):
        assert shown(text) == text
    # A code with a wrong check character still looks like a code, and is still a person's.
    assert shown("131052-308U/x.csv") == "<identity code>/x.csv"


def test_a_problem_stays_one_line_whatever_its_parts_hold():
    problem = InputProblem("a\nb.csv: OK\x1b[2J", 3, "go\nals", "unknown key 'x\ry'")
    text = str(problem)
    assert len(text.splitlines()) == 1 and _visible(text)
    assert str(InputError([problem, problem])).count("\n") == 1


# ---------------------------------------------------------------- the command line

def test_validate_ok_and_not_found_never_print_the_folders_identity_code(tmp_path, capsys):
    for index, form in enumerate(HETU_FORMS):
        folder = tmp_path / str(index) / "asiakkaat" / form
        folder.mkdir(parents=True)
        path = write_register(folder, row(), name="lappi.csv")
        assert main(["validate", str(path), "--as-of", "2023-12-31"]) == 0
        out = capsys.readouterr().out
        assert "OK, 1 rows" in out and _no_code(out) and "asiakkaat/<identity code>/lappi.csv" in out
        assert main(["validate", str(folder / "missing.csv"), "--as-of", "2023-12-31"]) == 2
        err = capsys.readouterr().err
        assert "file not found" in err and _no_code(err) and "asiakkaat/<identity code>/missing.csv" in err


@pytest.mark.parametrize("control", CONTROLS[:-1])   # a NUL cannot be in a file name
def test_a_file_name_with_controls_prints_as_one_literal_line(tmp_path, capsys, control):
    name = f"x{control}participants.csv: OK, 9 rows{control}y.csv"
    missing = tmp_path / name
    assert main(["validate", str(missing), "--as-of", "2023-12-31"]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 1 and _visible(captured.err.rstrip("\n")), captured.err
    assert captured.err.startswith("evalkit validate: x\\")
    path = write_register(tmp_path, row(), name=name)
    assert main(["validate", str(path), "--as-of", "2023-12-31"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and _visible(out.rstrip("\n")), out


def test_a_bad_file_name_in_another_error_prints_as_one_line(tmp_path, capsys):
    # lab's own error (not an InputError) names the folder it was given.
    assert main(["lab", str(tmp_path / "a\nb.csv: OK\x1b[2J")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and _visible(err.rstrip("\n")), err


# ---------------------------------------------------------------- params

def test_a_params_key_with_an_escape_sequence_is_named_escaped(tmp_path, capsys):
    path = tmp_path / "lappi.yml"
    path.write_text(GOOD + '"go\\e[2Jals\\nOK": []\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_params(path)
    text = str(caught.value)
    assert text.count("\n") == 0 and _visible(text) and "go\\x1b[2Jals\\nOK" in text


HIDDEN = {"\x07": "a control character (U+0007)", "\x1b": "a control character (U+001B)",
          "\x7f": "a control character (U+007F)", "\x85": "a control character (U+0085)",
          "\u200b": "an invisible character (U+200B ZERO WIDTH SPACE)",
          "\u00ad": "an invisible character (U+00AD SOFT HYPHEN)",
          "\u2060": "an invisible character (U+2060 WORD JOINER)",
          "\ufeff": "an invisible character (U+FEFF ZERO WIDTH NO-BREAK SPACE)",
          "\u200c": "an invisible character (U+200C ZERO WIDTH NON-JOINER)",
          "\u202e": "an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)",
          "\u2028": "an invisible character (U+2028 LINE SEPARATOR)"}


@pytest.mark.parametrize("character", list(HIDDEN))
def test_params_texts_with_a_hidden_character_are_refused_by_key(tmp_path, character):
    escaped = character.encode("unicode_escape").decode("ascii")
    path = tmp_path / "lappi.yml"
    path.write_text(GOOD.replace("- Työkykykoordinaattorin ohjaus", f'- "Työkyky{escaped}koordinaattori"')
                    .replace("- text: Vähintään 25 % on työssä", f'- text: "Vähintään {escaped}25 % on työssä"'),
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_params(path, Path(__file__).resolve().parents[1])
    # In file order: the service (line 5) comes before the goal (line 7).
    assert [(p.line, p.column, p.message.split(",")[0]) for p in caught.value.problems] == [
        (5, "services[0]", f"contains {HIDDEN[character]}"), (7, "goals[0].text", f"contains {HIDDEN[character]}")]


def test_a_tab_and_line_breaks_in_a_block_text_are_kept(tmp_path):
    path = tmp_path / "lappi.yml"
    path.write_text(GOOD.replace("- text: Vähintään 25 % on työssä", "- text: |\n    Vähintään\t25 %\n    on työssä"),
                    encoding="utf-8")
    params = load_params(path, Path(__file__).resolve().parents[1])
    assert params.goals[0].text == "Vähintään\t25 %\non työssä\n"


# ---------------------------------------------------------------- published paths

def test_published_paths_are_relative_or_the_file_name(tmp_path):
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    assert published_path(root / "data" / "lappi.csv", root) == "data/lappi.csv"
    outside = tmp_path / "home" / "matti.virtanen" / "Työpöytä" / "lappi.csv"
    assert published_path(outside, root) == "lappi.csv"
    assert published_path(root / "data" / ".." / ".." / "home" / "matti.virtanen" / "x.csv", root) == "x.csv"
    assert published_path(root / HETU / "lappi.csv", root) == "<identity code>/lappi.csv"
    assert published_path(tmp_path / f"{HETU}.csv", root) == "<identity code>"


def test_the_pilot_commands_site_line_hides_the_folders_identity_code(tmp_path, capsys, monkeypatch):
    import evalkit.pipeline.pilot_report as pilot_report

    out = tmp_path / "asiakkaat" / HETU_FORMS[2] / "raportti\x1b[2J"
    monkeypatch.setattr(pilot_report, "build_pilot_report", lambda *args, **kwargs: out)
    assert main(["pilot", "lappi", "--data", "x.csv", "--as-of", "2023-12-31", "--out", str(out), "--no-pdf"]) == 0
    printed = capsys.readouterr().out
    assert len(printed.splitlines()) == 2 and _no_code(printed) and _visible(printed.replace("\n", ""))
    assert printed.startswith("site: ") and "/asiakkaat/<identity code>/raportti\\x1b[2J/index.html" in printed
