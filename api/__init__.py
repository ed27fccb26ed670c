"""techmatch's HTTP API and web page: a thin shell over `matcher` (see api/app.py)."""
