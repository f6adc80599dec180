"""Turning an implementation method into the endpoint the legacy server built for it."""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body, Path, params
from starlette.responses import Response

from http_conventions import current_conventions, is_streaming_call, sse_response
from http_conventions.endpoint_call import endpoint_call, served_signature
from legacy_adapter.discovery import WebRoute

_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def path_parameters(path: str) -> set[str]:
    """Names of the parameters in a path template (``{model_id:path}`` gives ``model_id``)."""
    return set(_PATH_PARAM.findall(path))


def _names_its_source(annotation: Any) -> bool:
    """Whether an `Annotated` parameter says where it is read from (`File()`, `Form()`, `Body`, `Depends`...).

    Other metadata (a pydantic validator or constraint) leaves the parameter a body field.
    """
    return typing.get_origin(annotation) is Annotated and any(
        isinstance(item, params.Param | params.Body | params.Depends) for item in annotation.__metadata__
    )


def _served_parameters(method: Callable[..., Any], route: WebRoute) -> list[inspect.Parameter]:
    hints = typing.get_type_hints(method, include_extras=True)
    parameters = [
        param.replace(annotation=hints.get(name, Any)) for name, param in inspect.signature(method).parameters.items()
    ]
    if route.method != "POST":
        # GET and DELETE keep FastAPI's own inference: scalars and enums from the query.
        return parameters
    in_path = path_parameters(route.path)
    served = []
    for param in parameters:
        if param.name in in_path:
            param = param.replace(annotation=Annotated[param.annotation, Path(title=param.name)])
        elif not _names_its_source(param.annotation):
            # Every other POST parameter is a field of one embedded JSON body.
            param = param.replace(annotation=Annotated[param.annotation, Body(embed=True)])
        served.append(param)
    return served


class LegacyEndpoint:
    """An implementation method as a FastAPI endpoint, quirks included.

    The request context (and the team's, `Conventions.context`) is bound for the call and
    kept inside streams; exceptions are translated by the conventions' error table; a result
    that is not a stream goes through `Conventions.result_hook`; a DELETE returning None answers 204.
    Its signature, read from the method's annotations, is made when FastAPI first reads it:
    when the route is built, on first use, not when the app is made.
    """

    def __init__(self, method: Callable[..., Any], route: WebRoute) -> None:
        self.method = method
        self.route = route
        self.__name__ = route.name
        self.__doc__ = inspect.getdoc(route.protocol_function)

    async def __call__(self, **kwargs: Any) -> Any:
        method, route = self.method, self.route
        with endpoint_call(kwargs, route.path, route.method):
            if is_streaming_call(kwargs):
                return sse_response(method(**kwargs))
            result = method(**kwargs)
            if inspect.isawaitable(result):
                result = await result
            result = current_conventions().finished(result, route.path)
        if result is None and route.method == "DELETE":
            return Response(status_code=204)
        return result

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        return served_signature(_served_parameters(self.method, self.route))
