"""cli stage of techmatch."""
