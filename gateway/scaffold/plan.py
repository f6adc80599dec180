"""What `gateway scaffold` writes for an API, worked out before anything is written.

Each route is read twice: how the legacy adapter serves it (where each parameter comes
from, the 204, the stream switch, the docstring's texts, who may call it: plain data from
`legacy_routes`) and how its protocol method is written (annotations and defaults, taken
verbatim from the source). What cannot be generated exactly is a `ScaffoldError` naming the
method and parameter: nothing is left for a person to finish.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from pydantic import BaseModel

from gateway.exceptions import ScaffoldError
from gateway.scaffold import nodes
from gateway.scaffold.legacy_routes import ServedRoute
from gateway.scaffold.source import Import, ModuleSource, names_read, protocol_function, resolve

_MARKER_MODULE = "fastapi.param_functions"
_MARKERS = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}
# Arguments of Body() that say where a value is read, not what it is: a request model field has none.
_BODY_ONLY = frozenset({"embed", "media_type"})
SERVICE = "service"
REQUEST = "request"


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class Imports:
    """The imports of one generated file, by local name; two different imports of one name are an error."""

    def __init__(self) -> None:
        self.by_name: dict[str, Import] = {}

    def add(self, item: Import | None, *, used_by: str = "") -> None:
        if item is None:
            return
        known = self.by_name.setdefault(item.local, item)
        if known != item:
            raise ScaffoldError(
                f"{used_by or 'the generated code'} needs {item.local!r} from {item.module}, but the name is "
                f"already taken by {known.module}; rename one of them in the protocol's module"
            )

    def add_names(self, node: cst.CSTNode, source: ModuleSource, used_by: str) -> None:
        for name in names_read(node):
            try:
                item = source.import_of(name)
            except ScaffoldError as exc:
                raise ScaffoldError(f"{used_by}: {exc}") from exc
            self.add(item, used_by=used_by)

    def statements(self) -> list[cst.SimpleStatementLine]:
        return [item.statement() for item in sorted(set(self.by_name.values()))]


@dataclass(frozen=True)
class Annotation:
    """An annotation as written, split into `Annotated`'s type, its FastAPI markers and its other metadata."""

    written: cst.BaseExpression
    base: cst.BaseExpression
    markers: tuple[cst.Call, ...] = ()
    others: tuple[cst.BaseExpression, ...] = ()

    @classmethod
    def read(cls, written: cst.BaseExpression, source: ModuleSource) -> Annotation:
        if not (isinstance(written, cst.Subscript) and source.value(written.value) is typing.Annotated):
            return cls(written, written)
        elements = [element.slice.value for element in written.slice if isinstance(element.slice, cst.Index)]
        markers = tuple(
            element
            for element in elements[1:]
            if isinstance(element, cst.Call) and getattr(source.value(element.func), "__module__", "") == _MARKER_MODULE
        )
        others = tuple(element for element in elements[1:] if not any(element is marker for marker in markers))
        return cls(written, elements[0], markers, others)

    def without_markers(self) -> cst.BaseExpression:
        """The type the method receives, without the markers that say where HTTP reads it."""
        if not self.markers:
            return self.written
        if not self.others:
            return self.base
        assert isinstance(self.written, cst.Subscript)
        kept = (self.base, *self.others)
        return self.written.with_changes(slice=[cst.SubscriptElement(cst.Index(element)) for element in kept])

    def described(self, source: str, description: str | None) -> cst.BaseExpression:
        """The annotation of a route parameter read from `source`, its marker carrying `description`."""
        if description is None:
            return self.written
        if self.markers:
            marker = self.markers[0]
            if any(arg.keyword and arg.keyword.value == "description" for arg in marker.args):
                return self.written
            described = marker.with_changes(args=[*marker.args, nodes.keyword("description", nodes.text(description))])
            return self.written.deep_replace(marker, described)
        marker = nodes.call(_MARKERS[source], nodes.keyword("description", nodes.text(description)))
        return nodes.subscript("Annotated", [self.written, marker])


@dataclass(frozen=True)
class Field:
    """A field of a request model: one parameter the legacy route read from an embedded JSON body."""

    name: str
    annotation: cst.BaseExpression
    arguments: tuple[cst.Arg, ...]
    """The arguments of its `Field(...)`: default, constraints, description."""


@dataclass(frozen=True)
class RequestModel:
    name: str
    route: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Endpoint:
    """One method of the service and the router function that serves its routes."""

    name: str
    routes: tuple[ServedRoute, ...]
    service_method: cst.FunctionDef
    parameters: tuple[cst.Param, ...]
    request_model: RequestModel | None
    call: cst.Call
    is_async: bool
    returns: cst.BaseExpression
    stream_condition: cst.BaseExpression | None
    stream_model: cst.BaseExpression | None


@dataclass
class ApiPlan:
    """Everything the three files hold."""

    api: str
    protocols: tuple[str, ...]
    package: str
    endpoints: list[Endpoint] = field(default_factory=list)
    service_imports: Imports = field(default_factory=Imports)
    models_imports: Imports = field(default_factory=Imports)
    routes_imports: Imports = field(default_factory=Imports)

    @property
    def service_name(self) -> str:
        return f"{pascal(self.api)}Service"

    @property
    def request_models(self) -> list[RequestModel]:
        return [endpoint.request_model for endpoint in self.endpoints if endpoint.request_model]

    def module_head(self, summary: str, imports: Imports) -> list[cst.SimpleStatementLine | cst.BaseCompoundStatement]:
        """A written module's docstring (`summary`, and where it was scaffolded from), future import and `imports`."""
        return [
            nodes.docstring(
                f"{summary}\n\nScaffolded by `gateway scaffold {self.api}` from {', '.join(self.protocols)}.\n"
            ),
            nodes.blank_lines(cst.parse_statement("from __future__ import annotations"), 1),
            *imports.statements(),
        ]


def _flattened(expression: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The members of ``A | B | C``."""
    if isinstance(expression, cst.BinaryOperation) and isinstance(expression.operator, cst.BitOr):
        return [*_flattened(expression.left), *_flattened(expression.right)]
    return [expression]


class _MethodReader:
    """One protocol method and its routes, turned into an `Endpoint`."""

    def __init__(self, plan: ApiPlan, routes: Sequence[ServedRoute]) -> None:
        self.plan = plan
        self.routes = tuple(routes)
        first = routes[0]
        self.name = first.method_name
        self.protocol: type = resolve(first.protocol)
        self.where = f"{self.protocol.__qualname__}.{self.name}"
        self.function, self.source = protocol_function(self.protocol, self.name)
        self.served = {parameter.name: parameter.source for parameter in first.parameters}
        self.docs = first.parameter_docs

    def fail(self, problem: str) -> ScaffoldError:
        return ScaffoldError(f"{self.where}: {problem}")

    def _check_routes_agree(self) -> None:
        def shape(route: ServedRoute) -> object:
            parameters = [(p.name, p.source) for p in route.parameters]
            return parameters, route.embedded_body, route.status_code, route.raw_response, route.stream_argument

        first = shape(self.routes[0])
        for route in self.routes[1:]:
            if shape(route) != first:
                raise self.fail(
                    f"its routes {self.routes[0].method} {self.routes[0].path} and {route.method} {route.path} read "
                    "their parameters from different places, so one function cannot serve both; write one by hand"
                )

    def _parameters(self) -> list[cst.Param]:
        params = self.function.params
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                raise self.fail(
                    f"parameter {star.name.value!r} is variadic (*args or **kwargs): a route's parameters are "
                    "named, so the router cannot pass it on; give the protocol method named parameters"
                )
        declared = [*params.posonly_params, *params.params][1:]  # without self
        for param in [*declared, *params.kwonly_params]:
            if param.annotation is None:
                raise self.fail(f"parameter {param.name.value!r} has no annotation, so its type cannot be declared")
        return [*declared, *params.kwonly_params]

    def _field(self, param: cst.Param, annotation: Annotation) -> Field:
        name = param.name.value
        if name.startswith("_") or hasattr(BaseModel, name):
            reason = (
                "pydantic takes a name starting with '_' for a private attribute"
                if name.startswith("_")
                else f"the name is BaseModel.{name}"
            )
            raise self.fail(
                f"parameter {name!r} is a JSON body field, which cannot be a field of a request model ({reason}); "
                "write this route's model by hand with Field(alias=...)"
            )
        # Body's constraints and texts are the field's; its only positional argument, `...`, says nothing more.
        arguments = [
            arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            for marker in annotation.markers
            for arg in marker.args
            if arg.keyword is not None and arg.keyword.value not in _BODY_ONLY
        ]
        if param.default is not None:
            arguments.insert(0, nodes.keyword("default", param.default))
        description = self.docs.get(name)
        if description is not None and not any(arg.keyword and arg.keyword.value == "description" for arg in arguments):
            arguments.append(nodes.keyword("description", nodes.text(description)))
        return Field(name, annotation.without_markers(), tuple(arguments))

    def read(self) -> Endpoint:
        self._check_routes_agree()
        route = self.routes[0]
        declared = self._parameters()
        sources = {param.name.value: self.served.get(param.name.value, "body") for param in declared}
        if "form" in sources.values() and "body" in sources.values():
            body = ", ".join(name for name, source in sources.items() if source == "body")
            raise self.fail(
                f"parameter {body} would be a JSON body field of a form route (the old server read it from the "
                "form); declare it Form() in the protocol first"
            )
        required: list[cst.Param] = []
        optional: list[cst.Param] = []
        fields: list[Field] = []
        arguments: list[cst.Arg] = []
        values: dict[str, cst.BaseExpression] = {}
        for param in declared:
            name = param.name.value
            annotation = Annotation.read(param.annotation.annotation, self.source)  # type: ignore[union-attr]
            source = sources[name]
            if source == "body" and route.embedded_body:
                model_field = self._field(param, annotation)
                fields.append(model_field)
                for part in (model_field.annotation, *model_field.arguments):
                    self.plan.models_imports.add_names(part, self.source, self.where)
                value: cst.BaseExpression = nodes.expression(f"{REQUEST}.{name}")
                if not any(p.name.value == REQUEST for p in required):
                    required.append(nodes.parameter(REQUEST, cst.Name(self.request_model_name)))
            else:
                (optional if param.default is not None else required).append(
                    self._route_parameter(param, annotation, source)
                )
                value = cst.Name(name)
            values[name] = value
            is_keyword = param in self.function.params.kwonly_params
            arguments.append(nodes.keyword(name, value) if is_keyword else cst.Arg(value))
        parameters = (*required, nodes.parameter(SERVICE, cst.Name("Service")), *optional)
        request_model = (
            RequestModel(self.request_model_name, f"{route.method} {route.path}", tuple(fields)) if fields else None
        )
        if request_model:
            self.plan.routes_imports.add(Import(f"{self.plan.package}.models", request_model.name), used_by=self.where)
        return Endpoint(
            name=self.name,
            routes=self.routes,
            service_method=self._service_method(declared),
            parameters=parameters,
            request_model=request_model,
            call=cst.Call(nodes.expression(f"{SERVICE}.{self.name}"), arguments),
            is_async=self.function.asynchronous is not None,
            returns=self._returns(),
            stream_condition=self._stream_condition(values),
            stream_model=self._stream_model(),
        )

    def _route_parameter(self, param: cst.Param, annotation: Annotation, source: str) -> cst.Param:
        """A parameter of the router function, read from where the legacy route read it, described."""
        name, imports = param.name.value, self.plan.routes_imports
        if name in (SERVICE, REQUEST):
            raise self.fail(
                f"parameter {name!r} is a route parameter, and the router function needs that name for "
                f"the {'implementation' if name == SERVICE else 'request model'}; rename it in the protocol"
            )
        # A body or a dependency is read as its annotation says; the others get the :param text.
        written = (
            annotation.written
            if source in ("body", "dependency")
            else annotation.described(source, self.docs.get(name))
        )
        if written is not annotation.written and not annotation.markers:
            imports.add(Import("typing", "Annotated"), used_by=self.where)
            imports.add(Import("fastapi", _MARKERS[source]), used_by=self.where)
        imports.add_names(annotation.written, self.source, self.where)
        if param.default is not None:
            imports.add_names(param.default, self.source, self.where)
        return nodes.parameter(name, written, param.default)

    @property
    def request_model_name(self) -> str:
        return f"{pascal(self.name)}Request"

    def _returns(self) -> cst.BaseExpression:
        if self.function.returns is None:
            raise self.fail("it has no return annotation, so the router cannot say what it answers")
        returns = self.function.returns.annotation
        self.plan.routes_imports.add_names(returns, self.source, self.where)
        if self.routes[0].stream_argument is None:
            return returns
        self.plan.routes_imports.add(Import("http_conventions", "EventStreamResponse"), used_by=self.where)
        return cst.BinaryOperation(returns, cst.BitOr(), cst.Name("EventStreamResponse"))

    def _stream_condition(self, values: dict[str, cst.BaseExpression]) -> cst.BaseExpression | None:
        argument = self.routes[0].stream_argument
        if argument is None:
            return None
        self.plan.routes_imports.add(Import("http_conventions", "sse_response"), used_by=self.where)
        value = values[argument]
        return value if argument == "stream" else cst.Attribute(value, cst.Name("stream"))

    def _stream_model(self) -> cst.BaseExpression | None:
        """The model a call that does not stream returns, documented beside the event stream."""
        if self.routes[0].stream_argument is None or self.function.returns is None:
            return None
        models = [
            member
            for member in _flattened(self.function.returns.annotation)
            if isinstance(found := self.source.value(member), type) and issubclass(found, BaseModel)
        ]
        return models[0] if len(models) == 1 else None

    def _service_method(self, declared: list[cst.Param]) -> cst.FunctionDef:
        imports, used_by = self.plan.service_imports, self.where

        def plain(param: cst.Param) -> cst.Param:
            assert param.annotation is not None
            annotation = Annotation.read(param.annotation.annotation, self.source).without_markers()
            imports.add_names(annotation, self.source, used_by)
            if param.default is not None:
                imports.add_names(param.default, self.source, used_by)
            return param.with_changes(annotation=cst.Annotation(annotation))

        params = self.function.params
        if self.function.returns is not None:
            imports.add_names(self.function.returns.annotation, self.source, used_by)
        return self.function.with_changes(
            decorators=[],
            leading_lines=[],
            params=params.with_changes(
                posonly_params=[plain(p) if p in declared else p for p in params.posonly_params],
                params=[plain(p) if p in declared else p for p in params.params],
                kwonly_params=[plain(p) for p in params.kwonly_params],
            ),
        )


def plan_api(api: str, routes: Sequence[ServedRoute], package: str) -> ApiPlan:
    """The plan of `api`'s three files, for the package `package`; `ScaffoldError` if any route cannot be written."""
    nested = [route for route in routes if "." in route.method_name]
    if nested:
        route = nested[0]
        raise ScaffoldError(
            f"{api}: {route.method} {route.path} is served by the implementation's attribute "
            f"{route.method_name.rsplit('.', 1)[0]!r} (a nested protocol); a generated router calls the "
            "implementation's own methods, so write this API's router by hand"
        )
    plan = ApiPlan(api, tuple(dict.fromkeys(route.protocol for route in routes)), package)
    by_method: dict[str, list[ServedRoute]] = {}
    for route in routes:
        by_method.setdefault(route.method_name, []).append(route)
    plan.endpoints = [_MethodReader(plan, method_routes).read() for method_routes in by_method.values()]
    return plan
