"""One module per book chapter: the functions its notebook cells call."""
from __future__ import annotations


def warm_up(project: str | None = None) -> None:
    """Do in a new page kernel what every first page in it would do first, before any page runs.

    Imports every chapter module (pandas, scipy, statsmodels, matplotlib with them) and the Parquet
    reader of the build's artefacts, and works out the installed libraries' digest that names
    those artefacts. With ``project`` (the folder the pages run in, the kernel's working folder),
    what the imports read is recorded, as a first page records it
    (:func:`evalkit.pipeline.read_log.start_recording`): every later page depends on it. A kernel
    started with this (:func:`evalkit.pipeline.kernel.prestart_kernel`) then runs a page as a
    kernel that has run pages before it does.

    Last, what the imports made is moved out of the cyclic garbage collector's sight
    (:func:`gc.freeze`): modules, classes and functions that live as long as the kernel. The
    reset before every page collects garbage in full (IPython's ``reset``), and so do the pages
    now and then; each such pass went through every object the imports had made, about 0.1 s a
    page. What the pages make is collected as before.
    """
    if project is not None:
        from evalkit.pipeline.read_log import start_recording

        start_recording(project=project)
    import pyarrow.parquet  # noqa: F401 - every page reads the build's artefacts

    import evalkit.chapters.comparison  # noqa: F401
    import evalkit.chapters.national  # noqa: F401
    import evalkit.chapters.pilot  # noqa: F401
    from evalkit.register import artefact

    artefact._installed()
    import gc

    gc.collect()
    gc.freeze()
