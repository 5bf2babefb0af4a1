"""Reading a YAML file a person wrote (a params file), with the gotchas made plain.

- Encoding: UTF-8 (with or without a byte-order mark), UTF-16 with its mark (Notepad's
  "Unicode"), else Windows-1252 (Notepad's "ANSI" on a Finnish Windows).
- Only ``true`` and ``false`` are booleans (as in YAML 1.2): YAML 1.1 also reads ``yes``, ``no``,
  ``on`` and ``off`` as booleans, which turns a goal text "yes" or a pilot "no" into ``True`` or
  ``False``; here they stay the words written. Numbers are decimal only: YAML 1.1 reads ``0x1``
  as 1, ``017`` as 15, ``1:30`` as 90 and ``1_000`` as 1000; here such forms stay texts, which the
  key's check refuses, and ``017`` is 17.
- A syntax error is one line with its line and column, never YAML's multi-line report, which
  quotes the file (and could quote an identity code). A tab in the indentation says so.
- A key written twice in one mapping is refused with its line: YAML keeps the last value
  silently, so a second ``as_of`` lower down would win unseen.
- Anchors and aliases (``&name``, ``*name``, ``<<: *name``) are refused as the parser meets them,
  before anything is built or walked: a params file has no need for them, and nested aliases
  make a few hundred bytes stand for a billion texts (a "billion laughs"). A file over
  :data:`MAX_BYTES` is refused unread.
- :func:`identity_code_keys` finds every text holding a personal identity code, by its key
  (``goals[1].text``), so that a caller refuses the file without printing the value.
- :func:`hidden_character_keys` finds every text holding a character that cannot be shown as
  written: a control character (other than a tab or a line break, which a block string holds) or an
  invisible one (a zero-width space, a soft hyphen, a bidirectional override: see
  ``evalkit.register.hetu.INVISIBLE``). The report shows texts exactly as written, so such a text
  is refused at the edge, naming its key and the character's code point, rather than published
  with a character no reader sees (or one that stops the PDF late with no key named).
"""
from __future__ import annotations

import codecs
import re
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from evalkit.errors import InputError, InputProblem

MAX_BYTES = 1 << 20   # a params file is a few kilobytes; a megabyte is already no hand's work
ALIAS_MESSAGE = ("uses a YAML anchor or alias (& or *); write each value out in full (aliases can "
                 "make a small file expand without bound)")


class ValueRefused(yaml.constructor.ConstructorError):
    """A value written in valid YAML that cannot be what its form says (a 30th of February)."""


class _AliasRefused(Exception):
    def __init__(self, mark):
        self.mark = mark


class KeyRepeated(Exception):
    """A key written twice in one mapping (:class:`OneKeyOnce`); :func:`repeated_key_problem` says it."""

    def __init__(self, mark, key):
        self.mark, self.key = mark, key


def repeated_key_problem(name: str, repeated: KeyRepeated) -> InputProblem:
    """The one-line problem of a repeated key: the file, its line and column, the key."""
    from evalkit.shown import shown

    return InputProblem(name, repeated.mark.line + 1, str(repeated.mark.column + 1),
                        f"repeats the key {shown(repeated.key)!r} of the same mapping; "
                        "keep one (YAML would silently use the last)")


class OneKeyOnce(yaml.SafeLoader):
    """SafeLoader refusing a key written twice in one mapping (:class:`KeyRepeated`)."""

    def construct_mapping(self, node, deep=False):
        """Refuse a key written twice in one mapping: YAML would keep the last value without a word."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:   # a key YAML cannot hash is refused by SafeLoader itself
                    continue
                if repeated:
                    raise KeyRepeated(key_node.start_mark, key)
        return super().construct_mapping(node, deep=deep)


class PlainLoader(OneKeyOnce):
    """SafeLoader with YAML 1.2 booleans (only true/false), decimal numbers only, no aliases, no key twice."""

    def compose_node(self, parent, index):
        """Refuse an anchored or aliased node before it is composed (see the module text)."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


# YAML 1.1 reads 0x1 as 1, 0o17 and 017 as 15, 1:30 as 90 and 1_000 as 1000: a target of 0x1
# passed as 100 %. Numbers are read only as decimal integers and decimal floats (YAML 1.2's core
# forms, without its 0x and 0o integers); anything else stays a text, which the key's check then
# refuses, quoting it.
_YAML_12 = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_12]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PlainLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                  re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
PlainLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
def decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """Decimal, leading zeros too (017 is 17): YAML 1.1's constructor would read it as octal.

    An explicit ``!!int`` of another form (``!!int 0x10``) is refused at its place, as YAML refuses
    a value it cannot read.
    """
    text = loader.construct_scalar(node)
    try:
        return int(text, 10)
    except ValueError:
        raise ValueRefused(None, None, f"{text!r} is not a whole number written in decimal digits",
                           node.start_mark) from None


PlainLoader.add_constructor("tag:yaml.org,2002:int", decimal_int)


def _refused_at_its_place(construct, what: str):
    """YAML's constructor ``construct``, refusing a value it cannot read as ``what`` at its line.

    YAML's own constructors raise bare errors for ``2024-02-30`` or ``2025-13-01`` (ValueError),
    ``!!timestamp x`` (AttributeError), ``!!float foo`` (ValueError) or ``!!bool maybe``
    (KeyError), which name neither the file nor the line.
    """
    def constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode):
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, AttributeError, KeyError, TypeError):
            raise ValueRefused(None, None, f"{loader.construct_scalar(node)!r} is not {what}",
                               node.start_mark) from None
    return constructor


PlainLoader.add_constructor("tag:yaml.org,2002:timestamp",
                            _refused_at_its_place(yaml.SafeLoader.construct_yaml_timestamp, "a date of the calendar"))


def _finite_unless_written_so(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    """A float, refused when its digits overflow (``1e400`` is read as infinity, then said to be ``inf``)."""
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    text = loader.construct_scalar(node)
    if value in (float("inf"), float("-inf")) and "inf" not in text.lower():
        raise ValueRefused(None, None, f"{text!r} is too large a number", node.start_mark)
    return value


PlainLoader.add_constructor("tag:yaml.org,2002:float", _refused_at_its_place(_finite_unless_written_so, "a number"))
PlainLoader.add_constructor("tag:yaml.org,2002:bool",
                            _refused_at_its_place(yaml.SafeLoader.construct_yaml_bool, "true or false"))
PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


def decode(data: bytes, name: str) -> str:
    """The text of a file's bytes: UTF-16 by its byte-order mark, else UTF-8, else Windows-1252.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        How a message names the file.

    Returns
    -------
    str
        The text; the byte-order mark of UTF-8 or UTF-16 text is dropped.

    Raises
    ------
    InputError
        One line naming the file: bytes that start with a UTF-16 byte-order mark but are not
        UTF-16, or bytes that are neither UTF-8 nor Windows-1252 (which leaves five byte values
        undefined).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError([InputProblem(name, None, None, "starts as UTF-16 but is not readable "
                                           "as UTF-16; save it as UTF-8")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError([InputProblem(name, None, None, "is neither UTF-8 nor Windows-1252 text; "
                                       "save it as UTF-8")]) from None


def load_yaml(path: Path, name: str) -> Any:
    """The file's content, or :class:`InputError` with one line naming line and column."""
    try:
        if not stat.S_ISREG(Path(path).stat().st_mode):   # a named pipe would be waited on for ever
            raise InputError([InputProblem(name, None, None, "is a device, a pipe or a folder, not a file")])
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([InputProblem(name, None, None, f"cannot read the file: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise InputError([InputProblem(name, None, None, f"is larger than {MAX_BYTES >> 20} MB; a "
                                       "params file is a short text a person writes")])
    text = decode(data, name)
    try:
        return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InputError([syntax_problem(name, exc, text)]) from None
    except _AliasRefused as refused:
        raise InputError([InputProblem(name, refused.mark.line + 1, str(refused.mark.column + 1),
                                       ALIAS_MESSAGE)]) from None
    except KeyRepeated as repeated:
        raise InputError([repeated_key_problem(name, repeated)]) from None


def syntax_problem(name: str, exc: yaml.YAMLError, text: str) -> InputProblem:
    """A YAML syntax error as one line: the file, its line and column, what is wrong in plain words.

    Parameters
    ----------
    name : str
        How the message names the file.
    exc : yaml.YAMLError
        What the YAML parser raised.
    text : str
        The file's text, to tell a tab in the indentation.

    Returns
    -------
    InputProblem
        Line and column counted from 1, from the error's mark (None without one; the column as
        text). The message says so when a tab is used for indentation or where YAML needs a
        space; otherwise it gives the parser's short problem, or only "is not valid YAML" when
        that holds an identity code. YAML's multi-line report, which quotes the file, is never
        used.
    """
    from evalkit.register.hetu import contains_hetu

    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = str(mark.column + 1) if mark is not None else None
    if isinstance(exc, ValueRefused) and mark is not None:
        key = key_at(text, mark.index)   # named by its key, as other problems of a value are
        column = key if key and not contains_hetu(key) else column
    problem = str(getattr(exc, "problem", "") or "")
    if mark is not None and _tab_in_indentation(text, mark.line):
        message = "a tab is used for indentation; YAML indents with spaces only (replace the tab " \
                  "with spaces)"
    elif "'\\t'" in problem:
        message = "a tab where YAML needs a space; replace the tab with spaces"
    elif problem and not contains_hetu(problem):
        message = problem if isinstance(exc, ValueRefused) else f"is not valid YAML: {problem}"
    else:
        message = "is not valid YAML"
    return InputProblem(name, line, column, message)


def key_at(text: str, index: int) -> str | None:
    """The key path (``period.start``, ``goals[1].target``) of the value that starts at ``index`` of ``text``.

    None when the text cannot be composed or no value starts there.
    """
    try:
        root = yaml.compose(text, Loader=PlainLoader)  # noqa: S506 - composing builds no value
    except (yaml.YAMLError, _AliasRefused):
        return None

    def walk(node, path: str) -> str | None:
        if node.start_mark.index == index and isinstance(node, yaml.ScalarNode):
            return path
        children = (node.value if isinstance(node, yaml.MappingNode) else
                    [(None, child) for child in node.value] if isinstance(node, yaml.SequenceNode) else [])
        for position, (key, child) in enumerate(children):
            step = f"[{position}]" if key is None else (f".{key.value}" if path else str(key.value))
            found = walk(child, f"{path}{step}")
            if found is not None:
                return found
        return None

    return walk(root, "") if root is not None else None


def _tab_in_indentation(text: str, line: int) -> bool:
    lines = text.splitlines()
    return 0 <= line < len(lines) and "\t" in lines[line][:len(lines[line]) - len(lines[line].lstrip())]


def identity_code_keys(node: Any, path: str = "") -> list[str]:
    """The keys of every text in ``node`` that holds a personal identity code.

    Parameters
    ----------
    node : any
        What :func:`load_yaml` returned: mappings, lists and scalars, nested.
    path : str
        The key of ``node`` itself; empty at the top.

    Returns
    -------
    list of str
        Keys as messages name them (``services[0]``, ``goals[1].text``), in document order. Text
        values are searched, and every mapping key as text; a key holding an identity code is
        named by its parent and ``<key>`` (``goals[0].<key>``), and so are the keys under it.
    """
    from evalkit.register.hetu import contains_hetu

    return [where for where, text, is_key in _texts(node, path) if is_key or contains_hetu(text)]


def _texts(node: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    """(key path, text, is a mapping key) for every text in ``node``, in document order.

    Text values are given; a mapping key only when it holds an identity code, named by its parent
    and ``<key>``, which also stands for it in the paths under it: no path names a code.
    """
    from evalkit.register.hetu import contains_hetu

    if isinstance(node, dict):
        for key, value in node.items():
            key_text = str(key)
            if contains_hetu(key_text):
                key_text = "<key>"
                yield (f"{path}.{key_text}" if path else key_text), str(key), True
            yield from _texts(value, f"{path}.{key_text}" if path else key_text)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node, False


# Where a YAML block string or a pasted text has them, a tab or a line break shows as a space.
_ALLOWED_CONTROLS = "\t\n"


def hidden_character_keys(node: Any, path: str = "") -> list[tuple[str, str]]:
    """The key and a description of the first hidden character of every text in ``node`` that has one.

    Parameters
    ----------
    node : any
        What :func:`load_yaml` returned: mappings, lists and scalars, nested.
    path : str
        The key of ``node`` itself; empty at the top.

    Returns
    -------
    list of (str, str)
        In document order: the key as messages name it (``goals[1].text``) and what was found
        (``a control character (U+0007)``, ``an invisible character (U+200B ZERO WIDTH SPACE)``).
        Text values are searched; a mapping key is named in the path (escaped when printed; a key
        holding an identity code as ``<key>``).
    """
    from evalkit.register.hetu import INVISIBLE, character_name

    found = []
    for where, text, is_key in _texts(node, path):
        if is_key or text.isprintable():
            continue
        for character in text:
            point = f"U+{ord(character):04X}"
            if unicodedata.category(character) == "Cc" and character not in _ALLOWED_CONTROLS:
                found.append((where, f"a control character ({point})"))
                break
            if INVISIBLE.fullmatch(character) or unicodedata.category(character) in ("Zl", "Zp"):
                found.append((where, f"an invisible character ({character_name(character)})"))
                break
    return found


class KeyLines:
    """The line of each key path (``pilots[2].budget_eur``) in a YAML file, from its node tree."""

    def __init__(self, path: Path):
        try:
            self.root = yaml.compose(decode(path.read_bytes(), path.name), Loader=PlainLoader)  # noqa: S506
        except (yaml.YAMLError, InputError, OSError):
            self.root = None

    def line(self, key: str | None) -> int | None:
        """1-based line of the key (a list item's start), or of the nearest entry holding a missing key.

        None when not even the key's first part is in the file (a missing top-level key).
        """
        node, found = self.root, None
        if node is None:
            return None
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", key or ""):
            if part.startswith("[") and isinstance(node, yaml.SequenceNode):
                index = int(part[1:-1])
                if index >= len(node.value):
                    break
                node = node.value[index]
                found = node.start_mark.line + 1
            elif isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == part), None)
                if match is None:   # a missing key: the line of the mapping that lacks it, if any
                    break
                found = match[0].start_mark.line + 1
                node = match[1]
            else:
                break
        return found
