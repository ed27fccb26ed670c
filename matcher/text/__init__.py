"""text stage of techmatch."""
