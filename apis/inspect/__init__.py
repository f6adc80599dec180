"""The inspect API."""
