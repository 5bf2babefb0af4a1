"""Notebook templates: Markdown cells hold ``{{ key }}`` placeholders filled per language.

``{{ ctx.name }}`` takes a value from the page's context (pilot facts and the like);
any other ``{{ key }}`` is a catalogue key, whose text may hold placeholders of its own.
Code cells are left as they are. The filling is Jinja2's, with ``StrictUndefined``: a name
that is neither a context value nor a catalogue key fails the build, naming both.

Everything else in a cell is text to Jinja: single braces (MyST roles such as
``{glue:text}`name```, JSON, ``str.format`` fields) pass through unchanged. Jinja's other
delimiters, ``{%`` and ``{#``, appear in no template, catalogue or ``_toc.yml``; were one
written, the build would stop with the line it is on.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from jinja2.runtime import Context, missing

from evalkit.errors import BuildError
from evalkit.i18n import has, t
from evalkit.pipeline.read_log import package_only

# The shape of a plain placeholder, for callers that look for placeholders in a line
# (the self-assessment notebook gives glued catalogue texts a cell of their own).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")

_FILLING = "evalkit_filling"  # the render variable that carries one fill()'s context and language


class _Name(jinja2.StrictUndefined):
    """A dotted placeholder name that has not reached a value.

    Jinja reads ``{{ a.b.c }}`` as ``a``, then ``.b``, then ``.c``, and each step asks the filling
    for the longer name. Printing one is the error (``{{ pilot }}`` when only ``pilot.heading`` is
    a message).
    """

    __slots__ = ("dotted", "filling")

    def __init__(self, filling: _Filling, dotted: str):
        super().__init__(hint=f"catalogue {filling.lang!r} has no message {dotted!r}", name=dotted)
        self.filling = filling
        self.dotted = dotted


class _Filling:
    """One ``fill`` call: the page's context values and the catalogue of one language."""

    def __init__(self, context: dict[str, Any], lang: str, source: str):
        self.context, self.lang, self.source = context, lang, source

    def lookup(self, dotted: str, environment: jinja2.Environment) -> Any:
        """The value of a dotted name, or a :class:`_Name` to be continued."""
        if dotted.startswith("ctx."):
            name = dotted[4:]
            if name in self.context:
                return self.context[name]
            return environment.undefined(hint=f"no value for placeholder {{{{ {dotted} }}}}")
        if has(dotted, self.lang):
            return fill(t(dotted, self.lang), self.context, self.lang, self.source)
        return _Name(self, dotted)


class _NameContext(Context):
    """Every top-level name starts a dotted name: the catalogue is not handed to Jinja whole."""

    def resolve_or_missing(self, key: str) -> Any:
        found = super().resolve_or_missing(key)
        if found is not missing or key == _FILLING:
            return found
        return super().resolve_or_missing(_FILLING).lookup(key, self.environment)


class _Environment(jinja2.Environment):
    context_class = _NameContext

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``{{ a.b }}`` names a message or a context value, never a Python attribute.
        if isinstance(obj, _Name):
            return obj.filling.lookup(f"{obj.dotted}.{attribute}", self)
        return super().getattr(obj, attribute)


_JINJA = _Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


@package_only
@lru_cache(maxsize=4096)
def _compiled(text: str, source: str) -> jinja2.Template:
    try:
        return _JINJA.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"{source}, line {exc.lineno}: {exc.message}") from None


def fill(text: str, context: dict[str, Any], lang: str, source: str = "template") -> str:
    """Fill the ``{{ }}`` placeholders of ``text``.

    Parameters
    ----------
    text : str
        A Markdown cell, a catalogue text or ``_toc.yml``.
    context : dict
        The page's values, named ``{{ ctx.<name> }}`` in the text; shown with ``str``.
    lang : str
        The catalogue's language for the other placeholders.
    source : str
        What ``text`` comes from, for the error message (a template's file name, a key).

    Returns
    -------
    str
        ``text`` with each placeholder replaced, everything else unchanged.

    Raises
    ------
    BuildError
        ``"<source>: no value for placeholder {{ ctx.x }}"`` or
        ``"<source>: catalogue 'fi' has no message 'a.b'"`` for a name with no value, or a line
        that is not a valid Jinja template.
    """
    filling = _Filling(context, lang, source)
    try:
        return _compiled(text, source).render({_FILLING: filling})
    except jinja2.UndefinedError as exc:
        raise BuildError(f"{source}: {exc.message}") from None


def render(template: Path, context: dict[str, Any], lang: str) -> nbformat.NotebookNode:
    """The notebook ``template`` with its Markdown cells filled in ``lang`` (code cells as they are)."""
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = fill(cell.source, context, lang, source=template.name)
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return notebook
