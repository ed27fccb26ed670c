"""techmatch: Vietnamese semantic search and matching over technology-transfer catalogs."""

from __future__ import annotations

__version__ = "0.1.0"
