"""A small Sphinx extension for the published site (added by evalkit.book_settings).

- Jupyter Book 1.0 with sphinx-thebe 0.3 writes sphinx-thebe's inline configuration script twice
  into every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared"
  in the reader's browser console. Each page keeps only the first copy of any script.
- The site's root page is ``national/index``, so ``index.html`` only forwards the reader to it.
  sphinx-external-toc writes that file as a bare ``<meta http-equiv="Refresh">`` line, with no
  language and no title (a screen reader announces an untitled page in no language). We write it
  first, as a complete page: ``<html lang>``, the front page's ``<title>``, the redirect, and a
  link to the front page for a browser that does not follow it; the toc extension then leaves it.
"""
from __future__ import annotations

import html
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
    title = " \u2014 ".join(part for part in (page_title, site_title) if part)
    lang = app.config.language or "en"
    Path(app.outdir, "index.html").write_text(root_redirect_page(lang, title, target), encoding="utf-8")


def setup(app):
    """Register the two handlers with Sphinx (the extension entry point).

    Returns
    -------
    dict
        Extension metadata: safe for parallel reading and writing.
    """
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    # Before sphinx-external-toc's ensure_index_file (priority 500), which skips an existing file.
    app.connect("build-finished", write_root_redirect, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
