"""What evalkit's declared input models (pydantic) share, and their errors in evalkit's words.

This is the one place where pydantic's validation errors become evalkit's one-line messages.

A model refuses a value in our own words with :func:`refusal`. Pydantic's own checks (an unknown
or a missing key, a code outside its ``Literal``, a number where text belongs) are put into our
words by :func:`messages`; pydantic's multi-line report and its documentation links never reach
the user. Callers turn each ``(loc, message)`` into an :class:`evalkit.errors.InputProblem`,
because only they know the file, the line and how a key is named there.
"""
from __future__ import annotations

import datetime as dt
import difflib
import inspect
from collections.abc import Callable, Iterable
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]

_OURS = "evalkit"   # the error type of a refusal; its text is passed on as it is
QUOTE_HINT = " (put the text in quotes)"
# Pydantic's scalar type errors, said the way a person editing YAML reads them.
_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "date_type": "a date such as 2023-06-30", "date_parsing": "a date such as 2023-06-30",
}


class InputModel(BaseModel):
    """Base of every model of a file a person writes: unknown keys refused, values frozen.

    An unknown key is refused because a typo must not silently drop a setting, and a loaded
    value cannot be changed afterwards (pydantic ``extra="forbid"``, ``frozen=True``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def refusal(message: str) -> PydanticCustomError:
    """The error a validator raises to refuse a value with ``message``, word for word.

    The message goes in as a context value, not as the template, so braces in a quoted value are
    not read as placeholders.
    """
    return PydanticCustomError(_OURS, "{message}", {"message": message})


def iso_date(value: Any, *, timestamps: bool = False) -> dt.date:
    """A date from a YAML date or from text in ISO form (YYYY-MM-DD); one rule for every input file.

    With ``timestamps``, a date-time keeps its date; otherwise it is refused like any non-date. An
    integer is refused, where pydantic would read it as a timestamp.

    Raises
    ------
    PydanticCustomError
        :func:`refusal` naming the value.
    """
    if isinstance(value, dt.datetime):
        if timestamps:
            return value.date()
    elif isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise refusal(f"a date is written YYYY-MM-DD (such as 2023-06-30), got {shown(value)}")


def shown(value: Any) -> str:
    """A value for a message: a boolean as YAML writes it, anything else as Python quotes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def suggestion(word: Any, valid: Iterable[Any], listing: str = "one of") -> str:
    """``did you mean 'x'?`` for a valid word close to ``word``, else ``<listing> a, b, c``.

    Close means difflib's ratio ≥ 0.8: a typo ('lapi', 'as_off', 'goalz') is caught, while an
    unrelated word gets the whole list rather than a misleading guess ('ahvenanmaa' is not
    'pohjanmaa', at 0.63).
    """
    valid = [str(v) for v in valid]
    close = difflib.get_close_matches(str(word), valid, n=1, cutoff=0.8)
    return f"did you mean {close[0]!r}?" if close else f"{listing} {', '.join(valid)}"


def key_path(loc: Loc) -> str:
    """A pydantic error location written as a params file names a key: ``goals[1].target``.

    Parameters
    ----------
    loc : tuple of str and int
        The location as pydantic gives it, e.g. ``("goals", 1, "target")``; pydantic's
        ``"[key]"`` (the error is in a mapping's key itself, not in its value) is written
        ``<key>``.

    Returns
    -------
    str
        Names joined by dots and indices in brackets; empty for an empty location.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = "<key>" if part == "[key]" else str(part)
            text = f"{text}.{name}" if text else name
    return text


def messages(error: ValidationError, model: type[BaseModel]) -> list[tuple[Loc, str]]:
    """Every error of ``error`` as (location, one-line message in our words).

    Parameters
    ----------
    error
        What ``model.model_validate`` raised.
    model
        The validated model: unknown keys are answered with its nearest key, codes with the
        nearest value of the field's ``Literal``.

    Returns
    -------
    list of (loc, message)
        ``loc`` as pydantic gives it (``("goals", 1, "target")``; see :func:`key_path`).
    """
    return [(tuple(item["loc"]), _message(item, model)) for item in error.errors(include_url=False)]


def _message(item: dict, model: type[BaseModel]) -> str:
    kind, loc, value = item["type"], tuple(item["loc"]), item.get("input")
    if kind == _OURS:
        return item["msg"]
    if kind == "extra_forbidden":
        keys = _field_names(_annotation_at(model, loc[:-1]))
        return f"unknown key; {suggestion(loc[-1], keys, 'valid keys:')}" if keys else "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return _not_allowed(value, loc, model) or f"expected {item['ctx']['expected']}, got {shown(value)}"
    if kind == "string_type":
        return f"expected text, got {shown(value)}{QUOTE_HINT}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _field_names(_annotation_at(model, loc))
        return f"expected a mapping with the keys {', '.join(keys)}" if keys else "expected a mapping"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {shown(value)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {shown(value)}"
    # Anything else: pydantic's own sentence, which is one line without the links.
    return item["msg"][:1].lower() + item["msg"][1:]


def _not_allowed(value: Any, loc: Loc, model: type[BaseModel]) -> str | None:
    """The message for a code outside the field's ``Literal``; None when the field has none.

    A word gets the nearest allowed word (``unknown pilot 'lapi'; did you mean 'lappi'?``), a
    number the allowed numbers (a quoted '6' is not 6).
    """
    literal = _found(_annotation_at(model, loc), lambda a: get_origin(a) is Literal)
    if literal is None:
        return None
    allowed = get_args(literal)
    if not all(isinstance(v, str) for v in allowed):
        return f"expected one of {', '.join(map(str, allowed))}, got {shown(value)}"
    named = [part for part in loc if isinstance(part, str) and part != "[key]"]
    noun = named[-1].removesuffix("_id") if named else "value"
    return f"unknown {noun} {shown(value)}; {suggestion(value, allowed)}"


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The type annotation of the field at ``loc``, or None when ``loc`` leaves the models.

    An index or a mapping key in ``loc`` stays inside the container's annotation: the next
    field name is looked up in the model that annotation holds (``tuple[Goal, ...]`` → Goal).
    """
    annotation: Any = model
    for part in loc:
        if isinstance(part, int) or part == "[key]":
            continue
        holder = _found(annotation, _is_model)
        field = holder.model_fields.get(part) if holder is not None else None
        if field is None:
            return None
        annotation = field.annotation
    return annotation


def _field_names(annotation: Any) -> list[str]:
    holder = _found(annotation, _is_model)
    return list(holder.model_fields) if holder is not None else []


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _found(annotation: Any, wanted: Callable[[Any], bool]) -> Any:
    """The first part of ``annotation`` that is ``wanted``, or None if there is none.

    ``annotation`` itself, else depth first through its type arguments (not into a ``Literal``,
    whose arguments are values).
    """
    if annotation is None:
        return None
    if wanted(annotation):
        return annotation
    if get_origin(annotation) is Literal:   # its arguments are values, not types
        return None
    for argument in get_args(annotation):
        hit = _found(argument, wanted)
        if hit is not None:
            return hit
    return None
