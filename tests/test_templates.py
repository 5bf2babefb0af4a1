"""Filling a template's ``{{ }}`` placeholders: names resolved, every other brace left alone."""
from __future__ import annotations

import nbformat
import pytest

from evalkit.errors import BuildError
from evalkit.i18n import t
from evalkit.pipeline import templates
from evalkit.pipeline.templates import fill, render

# A made-up catalogue, so that the cases do not depend on the report's own texts.
FAKE = {
    "area.plain": "Plain text",
    "area.named": "Heading for {{ ctx.region }}",
    "area.nested": "See: {{ area.named }}.",
    "area.glued": "Rate {glue:text}`rate` of {number}",
    "deep.er.key": "deep",
}


@pytest.fixture
def fake_catalogue(monkeypatch):
    monkeypatch.setattr(templates, "has", lambda key, lang: key in FAKE)
    monkeypatch.setattr(templates, "t", lambda key, lang: FAKE[key])


def test_context_values_and_catalogue_texts_are_filled(fake_catalogue):
    text = "# {{ area.plain }}\n\n{{ ctx.region }} / {{deep.er.key}}\n"
    assert fill(text, {"region": "Lappi"}, "xx") == "# Plain text\n\nLappi / deep\n"


def test_a_catalogue_text_is_filled_in_turn(fake_catalogue):
    # area.nested -> area.named -> ctx.region, written out by hand
    assert fill("{{ area.nested }}", {"region": "Häme"}, "xx") == "See: Heading for Häme."


def test_other_braces_pass_through_unchanged(fake_catalogue):
    text = ('{"cells": [{"a": {"b": 1}}]} {glue:text}`rate_3` {number} f"{x:.1f}" {}\n'
            "```{code-cell}\nd = {'k': {1, 2}}\n```\n{{ area.glued }}")
    expected = ('{"cells": [{"a": {"b": 1}}]} {glue:text}`rate_3` {number} f"{x:.1f}" {}\n'
                "```{code-cell}\nd = {'k': {1, 2}}\n```\nRate {glue:text}`rate` of {number}")
    assert fill(text, {}, "xx") == expected


def test_a_context_value_is_shown_as_it_is_not_filled_again(fake_catalogue):
    context = {"region": "{{ area.plain }} {% if %}", "items": 3}
    # "items" is also a dict method's name: the context value wins, as for any other name.
    assert fill("{{ ctx.region }}|{{ ctx.items }}", context, "xx") == "{{ area.plain }} {% if %}|3"


@pytest.mark.parametrize("text, message", [
    ("x {{ ctx.project }} y", "page.ipynb: no value for placeholder {{ ctx.project }}"),
    ("{{ area.missing }}", "page.ipynb: catalogue 'xx' has no message 'area.missing'"),
    ("{{ nowhere.at.all }}", "page.ipynb: catalogue 'xx' has no message 'nowhere.at.all'"),
    ("{{ deep.er }}", "page.ipynb: catalogue 'xx' has no message 'deep.er'"),  # a prefix only
    ("{{ ctx }}", "page.ipynb: catalogue 'xx' has no message 'ctx'"),
])
def test_a_missing_name_names_the_template_and_the_name(fake_catalogue, text, message):
    with pytest.raises(BuildError) as caught:
        fill(text, {"region": "Lappi"}, "xx", source="page.ipynb")
    assert str(caught.value) == message


def test_a_missing_name_inside_a_catalogue_text_is_reported_too(fake_catalogue):
    with pytest.raises(BuildError, match=r"^page.ipynb: no value for placeholder \{\{ ctx.region \}\}$"):
        fill("{{ area.nested }}", {}, "xx", source="page.ipynb")


def test_a_broken_jinja_tag_names_the_template_and_line(fake_catalogue):
    with pytest.raises(BuildError, match=r"^page.ipynb, line 2: "):
        fill("fine\n{% nonsense %}", {}, "xx", source="page.ipynb")


def test_render_fills_markdown_and_leaves_code_cells(tmp_path):
    notebook = nbformat.v4.new_notebook()
    code = 'glue("x", f"{value:.1f}")  # {{ ctx.region }} stays\nd = {"a": {"b": 1}}'
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# {{ pilot.heading }}\n\nShare {glue:text}`x`."),
        nbformat.v4.new_code_cell(code),
    ]
    path = tmp_path / "page.ipynb"
    nbformat.write(notebook, path)
    context = {"region": "Lappi", "project_name": "Ohjaamo", "heading": "Lappi: Ohjaamo"}
    rendered = render(path, context, "fi")
    # Second route: the catalogue text with its context names replaced by str.replace.
    heading = t("pilot.heading", "fi").replace("{{ ctx.region }}", "Lappi") \
                                      .replace("{{ ctx.project_name }}", "Ohjaamo") \
                                      .replace("{{ ctx.heading }}", "Lappi: Ohjaamo")
    assert rendered.cells[0].source == f"# {heading}\n\nShare {{glue:text}}`x`."
    assert rendered.cells[1].source == code
