"""batch stage of techmatch."""
