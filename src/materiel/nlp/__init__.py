"""Language processing: the spaCy pipeline and the cheap scan that decides what it parses."""
