"""A minimal HTTP/1.1 client over asyncio streams, for the load generator and the SSE figures.

It reads a chunked body chunk by chunk and notes when each chunk arrived, which is what
proves that N events left the server as N chunks; a general client would hide that.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any


def request_bytes(method: str, path: str, host: str, *, json_body: Any = None) -> bytes:
    body = b"" if json_body is None else json.dumps(json_body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\nAccept: */*\r\n"
    if json_body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    chunks: list[bytes] = field(default_factory=list)
    chunk_times: list[float] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


async def read_response(reader: asyncio.StreamReader) -> Response:
    """One response from a keep-alive connection: a Content-Length body, or a chunked one."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    response = Response(status, headers)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";", 1)[0], 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            response.chunk_times.append(time.perf_counter())
            response.chunks.append(data[:-2])
    elif (length := int(headers.get("content-length", "0"))) > 0:
        response.chunks.append(await reader.readexactly(length))
        response.chunk_times.append(time.perf_counter())
    return response


class Connection:
    """One keep-alive connection to a loopback server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, *, json_body: Any = None) -> tuple[float, Response]:
        """Send one request; the time it was sent and the response."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        sent = time.perf_counter()
        writer.write(request_bytes(method, path, f"{self.host}:{self.port}", json_body=json_body))
        try:
            return sent, await read_response(reader)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
