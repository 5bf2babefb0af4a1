"""Building the book: instantiate notebook templates, run them with papermill, build with Jupyter Book."""
