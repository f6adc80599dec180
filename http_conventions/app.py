"""The FastAPI app both sides of an API are served by, with the legacy server's conventions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute

from http_conventions.body_limit import BodySizeLimit
from http_conventions.body_parsing import BodyParsingRoute
from http_conventions.errors import install_error_handlers
from http_conventions.openapi import conventional_openapi

DocumentStep = Callable[[dict[str, Any]], dict[str, Any]]


class ConventionalApp(FastAPI):
    """A FastAPI app whose OpenAPI document is `conventional_openapi`'s, then `complete_document`'s.

    The document is built once, on first use, from a fresh `conventional_openapi`, so no
    step changes a document another step has already handed out.
    """

    def __init__(self, *, complete_document: DocumentStep | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._complete_document = complete_document

    def openapi(self) -> dict[str, Any]:
        """The app's document, built on first use and the same object afterwards."""
        if self.openapi_schema is None:
            document = conventional_openapi(self)
            self.openapi_schema = self._complete_document(document) if self._complete_document else document
        return self.openapi_schema


def create_conventional_app(
    *,
    title: str,
    version: str,
    max_body_size: int | None = None,
    routes: Sequence[BaseRoute] | None = None,
    complete_document: DocumentStep | None = None,
) -> FastAPI:
    """A FastAPI app that answers errors by the legacy table and limits and parses request bodies.

    Every route reads its body as a `BodyParsingRoute`: a body that cannot be parsed is a
    validation error (400), and a large JSON body never holds the event loop.

    `routes` are served as they are, so the app's `routes` list every template (which
    is how the gateway finds them). It serves no docs of its own: the gateway serves one
    document for every API, built from each app's `openapi()`, which `complete_document`
    (given the conventional document) may add to, e.g. from docstrings.
    """
    app = ConventionalApp(
        complete_document=complete_document,
        title=title,
        version=version,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # The legacy server read a body without a Content-Type header as JSON.
        strict_content_type=False,
        routes=list(routes or ()),
    )
    # Routes added later (the legacy adapter's) read their bodies as the given ones do.
    app.router.route_class = BodyParsingRoute
    install_error_handlers(app)
    if max_body_size is not None:
        app.add_middleware(BodySizeLimit, max_body_size=max_body_size)
    return app
