"""rules stage of techmatch."""
