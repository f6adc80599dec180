"""The application uvicorn imports in each worker, configured from `GATEWAY_*` variables."""

from __future__ import annotations

from gateway.dispatch import GatewayApp
from gateway.loading import load_registry
from gateway.logs import configure_logging
from gateway.settings import ServerSettings


def create_app() -> GatewayApp:
    """Build the gateway from the environment `gateway serve` prepared (a factory for uvicorn)."""
    settings = ServerSettings()
    configure_logging(settings.log_format)
    return GatewayApp(load_registry(settings.apis), settings, flags=settings.flags)
