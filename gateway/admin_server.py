"""Serving the admin surface on a port of its own, beside the gateway, in every worker."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp


def _shared_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Every worker binds the admin port; the kernel spreads connections over them.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


@asynccontextmanager
async def admin_listener(app: ASGIApp, host: str, port: int, http: type[asyncio.Protocol]) -> AsyncIterator[None]:
    """Serve `app` on `host:port` with the `http` protocol until the block ends, without uvicorn's signal handling.

    The gateway's own uvicorn server owns the process's signals; this one only listens.
    """
    sock = _shared_socket(host, port)
    config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, http=http)
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    try:
        yield
    finally:
        await server.shutdown(sockets=[sock])
