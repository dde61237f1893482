"""Pure extraction functions over spaCy Docs, and the cascade that applies them to articles.

This package's own module imports nothing: what a command that only reads a ledger needs from it
(the time budget, a default of the CLI) must not load spaCy, which its submodules do."""

# Seconds of work one article may take before it is given up (a `timeout` rejection; the batch
# goes on). A news report takes well under a second; this stops a pathological input, not a long
# one: sentences are read in bounded windows, so even a megabyte of relevant text fits. The budget
# is checked between sentences, so an article is given up within a few seconds of spending it.
ARTICLE_TIME_BUDGET = 120.0
