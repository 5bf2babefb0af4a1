"""Pydantic's validation errors in evalkit's words: one line each, at the key path a person reads.

A small model stands in for the params file; every expected message is written out by hand.
"""
from __future__ import annotations

from typing import Literal

import pytest
from pydantic import StrictInt, ValidationError, field_validator

from evalkit.input_models import InputModel, key_path, messages, refusal, suggestion


class Item(InputModel):
    name: str
    colour: Literal["red", "green"] = "red"
    size: Literal[1, 2, 3] = 1

    @field_validator("name")
    @classmethod
    def _no_braces(cls, name: str) -> str:
        if "{" in name:
            raise refusal(f"no braces in {name!r}")
        return name


class Box(InputModel):
    title: str
    items: tuple[Item, ...] = ()
    count: StrictInt = 0


def found(raw) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Box.model_validate(raw)
    return {key_path(loc): message for loc, message in messages(caught.value, Box)}


def test_each_kind_of_error_gets_our_words_at_its_key():
    raw = {"titel": "x", "count": "3",
           "items": [{"name": 5, "colour": "gren", "size": "2", "extra": 1}, "oops", {"name": "{b} {message}"}]}
    assert found(raw) == {
        "title": "required key is missing",
        "titel": "unknown key; did you mean 'title'?",
        "count": "expected a whole number, got '3'",
        "items[0].name": "expected text, got 5 (put the text in quotes)",
        "items[0].colour": "unknown colour 'gren'; did you mean 'green'?",
        "items[0].size": "expected one of 1, 2, 3, got '2'",   # the text '2' is not the number 2
        "items[0].extra": "unknown key; valid keys: name, colour, size",
        "items[1]": "expected a mapping with the keys name, colour, size",
        "items[2].name": "no braces in '{b} {message}'",   # a refusal's text is not a template
    }


def test_a_far_word_gets_the_whole_list_not_a_guess():
    # Second variant: 'blue' is near neither colour; a whole list, not a guess.
    assert found({"title": "t", "items": [{"name": "n", "colour": "blue"}], "list": 1}) == {
        "items[0].colour": "unknown colour 'blue'; one of red, green",
        "list": "unknown key; valid keys: title, items, count",
    }


def test_no_message_carries_pydantics_report():
    raw = {"title": ["a"], "items": "none", "count": 1.5}
    for message in found(raw).values():
        assert "\n" not in message and "pydantic" not in message and "Input should" not in message
    assert found(raw)["items"] == "expected a list, got 'none'"


@pytest.mark.parametrize("loc, path", [
    (("goals", 1, "target"), "goals[1].target"),
    (("services", 0), "services[0]"),
    (("focus_area_names", 5, "[key]"), "focus_area_names[5].<key>"),
    ((), ""),
])
def test_key_path(loc, path):
    assert key_path(loc) == path


def test_suggestion_catches_typos_only():
    assert suggestion("lapi", ["lappi", "hame"]) == "did you mean 'lappi'?"
    assert suggestion("ahvenanmaa", ["pohjanmaa", "hame"]) == "one of pohjanmaa, hame"   # ratio 0.63
