"""embed stage of techmatch."""
