"""Which pages Sphinx writes again: those it read, or every page when what pages show of each other changed.

Sphinx, building from its kept environment (:func:`evalkit.pipeline.book.cached_site`), reads
only the pages whose sources changed and writes only those (and the few its own checks add).
Yet every page shows something of the others: the navigation lists every page's title and
sections, previous and next links name the neighbours, figure and table numbers run through the
book, and a cross-reference shows its target's caption. Sphinx does not write a page again when
only that changed elsewhere, so alone it could publish a page with an older title or number.

Once the pages are read and numbered, :func:`write_all_when_shared_changed` takes a digest of
everything a page may show of another page: the list of pages, their titles, tables of contents and section, figure and
table numbers, and every domain's data (labels with their captions, index entries, equations).
When it differs from the last successful build's, every page is written; when it is the same, a
page Sphinx did not read again shows nothing that changed. The digest is kept beside Sphinx's
environment, removed as a build starts and written only when it ends without an exception (a
failed build's environment is dropped by the caller).

A Sphinx extension: :func:`evalkit.pipeline.book.cached_site` adds it to every book it builds
from a kept environment.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

DIGEST_FILE = "evalkit-shared.sha256"


def _canonical(value: Any) -> Any:
    """A text form of ``value`` that does not depend on insertion order or object addresses.

    Mappings and sets are sorted (Sphinx inserts a page's entries again when it reads the page
    again, so their order changes); docutils nodes are shown with their whole structure; any
    other value by its text (Sphinx keeps a translated text as a proxy object in one build and
    as the text itself in the next). A value with no stable text (a default text naming an
    address) makes the digest differ from build to build, so every page is written: slower,
    never stale.
    """
    if isinstance(value, dict):
        return sorted((repr(_canonical(key)), _canonical(item)) for key, item in value.items())
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_canonical(item)) for item in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if hasattr(value, "pformat"):   # a docutils node
        return value.pformat()
    return str(value)


def shared_digest(env) -> str:
    """SHA-256 of what any page may show of the others, from a Sphinx environment after reading."""
    shared = {
        "pages": sorted(env.found_docs),
        "titles": {name: node.astext() for name, node in env.titles.items()},
        "long_titles": {name: node.astext() for name, node in env.longtitles.items()},
        "tocs": env.tocs,
        "toctree_includes": env.toctree_includes,
        "section_numbers": env.toc_secnumbers,
        "figure_numbers": env.toc_fignumbers,
        "domains": env.domaindata,
    }
    return hashlib.sha256(repr(_canonical(shared)).encode()).hexdigest()


def _digest_file(app) -> Path:
    return Path(app.doctreedir) / f"{app.builder.name}-{DIGEST_FILE}"


def write_all_when_shared_changed(app, env) -> list[str]:
    """Every page, when what pages show of each other changed since the last good build (``env-get-updated``)."""
    digest = shared_digest(env)
    path = _digest_file(app)
    try:
        before = path.read_text(encoding="utf-8")
    except OSError:
        before = None
    path.unlink(missing_ok=True)
    app.evalkit_shared_digest = digest
    return sorted(env.found_docs) if before != digest else []


def record_shared(app, exception) -> None:
    """Keep this build's digest for the next build, when the build ended without an exception (``build-finished``)."""
    digest = getattr(app, "evalkit_shared_digest", None)
    if exception is None and digest is not None:
        _digest_file(app).write_text(digest, encoding="utf-8")


def drop_files_no_page_uses(app, exception) -> None:
    """Remove images and downloads of the kept site that no page uses any more (``build-finished``).

    Sphinx copies a page's images and downloads when it writes the page, and never removes one:
    a figure a page no longer shows would stay in the kept site and be published with it.
    """
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    used = {"_images": {name for _, name in env.images.values()},
            "_downloads": {name for _, name in env.dlfiles.values()}}
    for folder, names in used.items():
        root = Path(app.builder.outdir, folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*"), reverse=True):   # files before their folders
            relative = path.relative_to(root).as_posix()
            if path.is_dir():
                if not any(path.iterdir()):
                    path.rmdir()
            elif relative not in names:
                path.unlink()


def static_files_first(app) -> None:
    """Put myst-nb's style sheet in the site before any page is written (``builder-inited``).

    myst-nb copies it only when the build ends, and Sphinx adds a checksum to a style sheet's
    link only when the file is there as it writes a page: a page written in a build from nothing
    and one written over a kept site would differ. Copied first, every page links it the same way.
    """
    from myst_nb.sphinx_ext import add_global_html_resources

    if app.builder.format == "html":
        Path(app.builder.outdir, "_static").mkdir(parents=True, exist_ok=True)
        add_global_html_resources(app, None)


def setup(app):
    """Register the handlers with Sphinx (the extension entry point).

    Returns
    -------
    dict
        Extension metadata: safe for parallel reading and writing.
    """
    app.connect("builder-inited", static_files_first)
    # After Sphinx's own handler, which numbers sections, figures and tables through the book.
    app.connect("env-get-updated", write_all_when_shared_changed, priority=900)
    app.connect("build-finished", drop_files_no_page_uses, priority=940)
    app.connect("build-finished", record_shared, priority=950)   # after every other handler
    return {"parallel_read_safe": True, "parallel_write_safe": True}
