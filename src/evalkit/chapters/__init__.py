"""One module per book chapter: the functions its notebook cells call."""
