"""The providers API."""
