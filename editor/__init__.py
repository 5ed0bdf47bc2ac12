"""Retouch: a desktop image editor with neural operations."""

__version__ = "0.1.0"
