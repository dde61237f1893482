"""Readers: files and streams in, `Article` or `Rejection` out."""

from .readers import read_inputs

__all__ = ["read_inputs"]
