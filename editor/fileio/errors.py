"""Errors whose message is shown to the user as is."""


class ImageFileError(Exception):
    """An image could not be read or written; the message says why in plain words."""
