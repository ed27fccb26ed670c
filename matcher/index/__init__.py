"""index stage of techmatch."""
