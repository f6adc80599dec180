"""Adopting the gateway on a team's package with the `gateway` console script, from an empty directory.

The walkthrough of README "Adopting on your codebase": `gateway init`, `gateway routes`, `gateway serve`,
with no PYTHONPATH; and a protocol method the implementation lacks stops `gateway serve` with status 2.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.gateway_process import STARTUP_TIMEOUT, _environment, free_port

GATEWAY = str(Path(sys.executable).parent / "gateway")

PROTOCOL = """
from typing import Protocol

from legacy_adapter import webmethod


class BookMissing(Exception):
    pass


class ShelfApi(Protocol):
    @webmethod(route="/health", method="GET", require_authentication=False)
    async def health(self) -> dict: ...

    @webmethod(route="/books/{book_id}", method="GET")
    async def get_book(self, book_id: str) -> dict: ...
"""

IMPLEMENTATION = """
from shelf.api import BookMissing


class Shelf:
    async def health(self) -> dict:
        return {"status": "OK"}

    async def {get_book}(self, book_id: str) -> dict:
        if book_id != "dune":
            raise BookMissing(book_id)
        return {"id": book_id}
"""


def _package(directory: Path, get_book: str = "get_book") -> None:
    (directory / "shelf").mkdir()
    (directory / "shelf" / "__init__.py").write_text("")
    (directory / "shelf" / "api.py").write_text(PROTOCOL)
    (directory / "shelf" / "impl.py").write_text(IMPLEMENTATION.replace("{get_book}", get_book))


def _gateway(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GATEWAY, *args], cwd=directory, capture_output=True, text=True, env=_environment(), timeout=60, check=False
    )


def test_init_routes_and_serve_from_the_current_directory(tmp_path: Path) -> None:
    _package(tmp_path)
    init = _gateway(tmp_path, "init", "shelf")
    assert init.returncode == 0, init.stderr
    assert "shelf.api.ShelfApi (implemented by shelf.impl.Shelf)" in init.stdout
    assert "gateway serve --apis gateway_apis" in init.stdout
    assert (tmp_path / "config" / "migration.yaml").read_text().endswith("apis:\n  shelf: legacy\n")

    routes = _gateway(tmp_path, "routes", "--apis", "gateway_apis")
    assert routes.returncode == 0, routes.stderr
    assert "/v1/books/{book_id}" in routes.stdout

    port = free_port()
    command = [GATEWAY, "serve", "--apis", "gateway_apis", "--port", str(port), "--data-dir", "data"]
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=log, env=_environment())
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=1.0) as client:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while True:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    if client.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                    time.sleep(0.05)
            assert client.get("/v1/books/dune").json() == {"id": "dune"}
            # The generated module's Conventions() are the defaults: the team's own class is a 500 until listed.
            assert client.get("/v1/books/other").status_code == 500
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    _package(tmp_path)
    (tmp_path / "gateway_apis.py").write_text("# ours\n")
    result = _gateway(tmp_path, "init", "shelf")
    assert result.returncode == 2
    assert "gateway_apis.py exists; nothing was written" in result.stderr
    assert (tmp_path / "gateway_apis.py").read_text() == "# ours\n"
    assert not (tmp_path / "config").exists()


def test_a_protocol_method_missing_on_the_implementation_exits_2_naming_it(tmp_path: Path) -> None:
    _package(tmp_path, get_book="get_books")
    assert _gateway(tmp_path, "init", "shelf").returncode == 0
    # init found no class with every method: fill in the implementation by hand, as a person would.
    module = tmp_path / "gateway_apis.py"
    text = module.read_text()
    start = text.index("    # TODO")
    end = text.index("    yield\n", start) + len("    yield\n")
    module.write_text(text[:start] + "    from shelf.impl import Shelf\n\n    yield Shelf()\n" + text[end:])
    result = _gateway(tmp_path, "serve", "--apis", "gateway_apis", "--port", str(free_port()), "--data-dir", "data")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: the APIs did not start" in result.stderr
    assert (
        "API 'shelf': protocol ShelfApi routes GET /v1/books/{book_id} to method 'get_book', "
        "which the implementation (Shelf) does not have; the closest name on it is 'get_books'"
    ) in result.stdout
