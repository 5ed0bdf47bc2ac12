"""Errors raised by the model machinery. Messages are written for the user (no traceback needed)."""

from __future__ import annotations


class ModelError(Exception):
    """Base class: anything that went wrong finding, fetching, converting or loading a model."""


class WeightsUnavailable(ModelError):
    """The weights are not on disk and could not be fetched (offline, package gone, ...)."""


class ChecksumMismatch(ModelError):
    """A downloaded or extracted file does not have the pinned sha256; it has been deleted."""


class ModelLoadError(ModelError):
    """A weight file does not fit the architecture (missing/unexpected keys, wrong shapes)."""


class UnknownModel(ModelError):
    """No model of that name is registered."""


class FetchCancelled(ModelError):
    """The user cancelled a download or conversion; partial files were removed."""
