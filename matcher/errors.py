"""Domain errors. Messages are for people, so they are in Vietnamese and say what to fix."""

from __future__ import annotations


class TechmatchError(Exception):
    """Base of every error techmatch raises on purpose."""


class InputError(TechmatchError, ValueError):
    """The caller's input is wrong (empty text, bad filter, top_k out of range...)."""


class CatalogError(TechmatchError):
    """A catalog file cannot be used as it is."""


class IndexError_(TechmatchError):
    """An index is missing, stale, foreign or corrupt."""


class ModelError(TechmatchError):
    """An embedding model cannot be loaded."""


class RulesError(TechmatchError):
    """The rules corpus is malformed."""
