"""The inference API."""
