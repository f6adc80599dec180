"""The example APIs: an OpenAI-compatible subset served through the gateway."""

from apis.registry import registry

__all__ = ["registry"]
