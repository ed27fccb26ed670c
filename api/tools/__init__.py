"""Robustness tools run by hand against a live service (not part of the test suite)."""
