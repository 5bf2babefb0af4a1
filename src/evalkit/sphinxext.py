"""A small Sphinx extension for the published site (added by evalkit.publication).

Jupyter Book 1.0 with sphinx-thebe 0.3 writes sphinx-thebe's inline configuration script twice
into every page, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared"
in the reader's browser console. Each page keeps only the first copy of any script.
"""
from __future__ import annotations


def _script_key(script) -> tuple:
    filename = str(getattr(script, "filename", script) or "")
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
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


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
