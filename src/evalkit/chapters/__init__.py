"""One module per book chapter: the functions its notebook cells call."""
from __future__ import annotations


def warm_up() -> None:
    """Do in a new page kernel what every first page in it would do first, before any page runs.

    Imports every chapter module (pandas, scipy, statsmodels, matplotlib with them) and the Parquet
    reader of the build's artefacts, and works out the installed libraries' digest that names
    those artefacts. Nothing of a project is read: a kernel started with this
    (:func:`evalkit.pipeline.kernel.prestart_kernel`) then runs a page as a kernel that has run
    pages before it does.
    """
    import pyarrow.parquet  # noqa: F401 - every page reads the build's artefacts

    import evalkit.chapters.comparison  # noqa: F401
    import evalkit.chapters.national  # noqa: F401
    import evalkit.chapters.pilot  # noqa: F401
    from evalkit.register import artefact

    artefact._installed()
