"""Pure extraction functions over spaCy Docs, and the cascade that applies them to articles."""
