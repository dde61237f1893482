"""Gazetteers and lexicons shipped as data files, with validating loaders."""

from .base import KnowledgeBase, load_knowledge

__all__ = ["KnowledgeBase", "load_knowledge"]
