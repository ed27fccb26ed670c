"""catalog stage of techmatch."""
