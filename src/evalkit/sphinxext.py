"""A small Sphinx extension for the published site (added by evalkit.book_settings).

- Jupyter Book 1.0 with sphinx-thebe 0.3 writes sphinx-thebe's inline configuration script twice
  into every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared"
  in the reader's browser console. Each page keeps only the first copy of any script.
- The site's root page is ``national/index``, so ``index.html`` only forwards the reader to it.
  sphinx-external-toc writes that file as a bare ``<meta http-equiv="Refresh">`` line, with no
  language and no title (a screen reader announces an untitled page in no language). We write it
  first, as a complete page: ``<html lang>``, the front page's ``<title>``, the redirect, and a
  link to the front page for a browser that does not follow it; the toc extension then leaves it.
- Text a person wrote (a programme's title and publisher, a pilot's name in a heading) reaches
  pages as markup: the themes put the site title, the author and the page title's plain text
  into some templates unescaped, and Sphinx's search shows the titles of its index (``alltitles``)
  with ``innerHTML``. Both are escaped here, so ``<img onerror=…>`` in a name is shown, never run.
- The themes ship no Finnish or Swedish words for their own controls ("Skip to main content",
  "On this page", "next page") and Sphinx none for "Link to this heading": a Finnish page spoke
  English there, unmarked (WCAG 2.1, 3.1.2). ``locales/<lang>/theme.po`` gives them, added as a
  fallback catalogue (a translation the themes or Sphinx have wins), and the search field's
  placeholder comes from evalkit's catalogue.
"""
from __future__ import annotations

import datetime
import html
import io
import os
from pathlib import Path


def _script_key(script) -> tuple:
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep only the first of identical scripts in a page (Sphinx ``html-page-context`` handler).

    Two scripts are identical when their file names and attributes are (Sphinx keeps an inline
    script's body among its attributes).
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept


# Plain text that Sphinx and its themes put into pages, some escaping it (``docstitle|e`` in
# Sphinx's layout), some not (pydata's logo and search page, sphinx-book-theme's print title and
# footer): the programme's title and author, and the page title the book theme takes as text.
PLAIN_TEXT_CONTEXT = ("docstitle", "author", "copyright", "pagetitle", "root_title")


def escape_plain_text(app, pagename, templatename, context, doctree) -> None:
    """Give the templates :data:`PLAIN_TEXT_CONTEXT` escaped once, as markup (``html-page-context``).

    A ``Markup`` string is what Jinja's ``|e`` leaves alone, so the text is escaped exactly once
    whether a template escapes it or not.
    """
    from markupsafe import Markup, escape

    for key in PLAIN_TEXT_CONTEXT:
        value = context.get(key)
        if isinstance(value, str) and not isinstance(value, Markup):
            context[key] = escape(value)


_INDEX_CALL = "Search.setIndex("


def escape_search_titles(app, exception) -> None:
    """Escape ``<`` and ``>`` in the section titles of ``searchindex.js`` (``build-finished``).

    Sphinx's search shows them with ``innerHTML``. Only the two brackets are escaped, so that the
    step is idempotent: an incremental build reads the index it wrote before back in (titles
    already escaped, which hold no bracket) and adds the pages it read again (titles raw), and
    the result equals a cold build's. An ``&`` left as it is cannot make a tag. The file is
    rewritten only when a title holds a bracket.
    """
    import json

    index = Path(app.outdir, "searchindex.js")
    if exception is not None or not index.is_file():
        return
    text = index.read_text(encoding="utf-8")
    if not (text.startswith(_INDEX_CALL) and text.rstrip().endswith(")")):
        return
    data = json.loads(text[len(_INDEX_CALL):text.rstrip().rfind(")")])
    titles = data.get("alltitles")
    if not isinstance(titles, dict) or not any(set(title) & set("<>") for title in titles):
        return
    escaped: dict[str, list] = {}
    for title, found in titles.items():   # a raw title and its escaped twin become one entry
        places = escaped.setdefault(title.replace("<", "&lt;").replace(">", "&gt;"), [])
        places += [place for place in found if place not in places]
    data["alltitles"] = escaped
    index.write_text(_INDEX_CALL + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ")",
                     encoding="utf-8")


def root_redirect_page(lang: str, title: str, target: str) -> str:
    """The site's ``index.html``: a titled page in the edition's language that forwards to ``target``."""
    title, target = html.escape(title), html.escape(target, quote=True)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n"
            f'<meta http-equiv="refresh" content="0; url={target}">\n'
            f'<link rel="canonical" href="{target}">\n</head>\n<body>\n'
            f'<p><a href="{target}">{title}</a></p>\n</body>\n</html>\n')


def write_root_redirect(app, exception) -> None:
    """Write ``index.html`` when the root document is elsewhere (html and dirhtml builders)."""
    root = app.config.root_doc
    if exception is not None or app.builder.name not in ("html", "dirhtml") or root == "index":
        return
    target = f"{root}/index.html" if app.builder.name == "dirhtml" else f"{root}.html"
    page_title = app.env.titles[root].astext() if root in app.env.titles else ""
    site_title = app.config.html_title or app.config.project or ""
    # A programme's summary is titled as its report: named once (as layout.html titles it).
    title = " \u2014 ".join(dict.fromkeys(part for part in (page_title, site_title) if part))
    lang = app.config.language or "en"
    Path(app.outdir, "index.html").write_text(root_redirect_page(lang, title, target), encoding="utf-8")


def theme_catalogue(lang: str, folder: Path) -> Path | None:
    """Compile ``locales/<lang>/theme.po`` into ``folder/<lang>/LC_MESSAGES/sphinx.mo``; None without one.

    Returns
    -------
    Path or None
        ``folder``, the locale folder to add for Sphinx's ``sphinx`` catalogue.
    """
    from importlib import resources

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files("evalkit") / "locales" / lang / "theme.po"
    if not source.is_file():
        return None
    with source.open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    catalogue.creation_date = catalogue.revision_date = datetime.datetime(2000, 1, 1)   # the same bytes each time
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    target = folder / lang / "LC_MESSAGES" / "sphinx.mo"
    if not (target.is_file() and target.read_bytes() == compiled.getvalue()):
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.{os.getpid()}")
        staged.write_bytes(compiled.getvalue())
        os.replace(staged, target)   # a Sphinx reading it meanwhile sees the old file or the new, whole
    return folder


def _search_placeholder(app, config) -> None:
    """The search field's placeholder in the edition's language (the theme's is English)."""
    from evalkit.i18n import t

    options = dict(config.html_theme_options or {})
    options["search_bar_text"] = t("publication.theme.search_placeholder", config.language or "fi")
    config.html_theme_options = options


def setup(app):
    """Register the handlers with Sphinx (the extension entry point).

    Returns
    -------
    dict
        Extension metadata: safe for parallel reading and writing.
    """
    folder = theme_catalogue(app.config.language or "", Path(app.doctreedir) / "evalkit-locale")
    if folder is not None:
        app.add_message_catalog("sphinx", str(folder))
    app.connect("config-inited", _search_placeholder)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", escape_plain_text, priority=900)   # after the themes' own (500)
    app.connect("build-finished", escape_search_titles)
    # Before sphinx-external-toc's ensure_index_file (priority 500), which skips an existing file.
    app.connect("build-finished", write_root_redirect, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
