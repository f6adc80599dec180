"""`routes.py`: the router, one function per service method, decorated once per legacy route.

Each route says what its legacy twin's document said (summary, description, the success
response's text, deprecation, who may call it) and answers as it did: a DELETE returning
None with 204, a true `stream` with the shared SSE framing, errors and responses through
`ConventionRouter` (the application's `Conventions` included), unfiltered.
"""

from __future__ import annotations

import libcst as cst

from gateway.scaffold import nodes
from gateway.scaffold.legacy_routes import ServedRoute
from gateway.scaffold.plan import SERVICE, ApiPlan, Endpoint
from gateway.scaffold.source import Import

_CONVENTIONS = ("ConventionRouter", "implementation", "standard_responses")


def _decorator(endpoint: Endpoint, route: ServedRoute, plan: ApiPlan) -> cst.Decorator:
    arguments = [cst.Arg(nodes.text(route.path))]
    for name, value in (
        ("summary", route.summary),
        ("description", route.description),
        ("response_description", route.returns),
    ):
        if value:
            arguments.append(nodes.keyword(name, nodes.text(value)))
    if route.status_code is not None:
        arguments.append(nodes.keyword("status_code", cst.Integer(str(route.status_code))))
    if route.raw_response:
        # The method builds its own response; its class is what the route answers with.
        arguments.append(nodes.keyword("response_class", endpoint.returns))
    if endpoint.stream_condition is not None:
        plan.routes_imports.add(Import("http_conventions", "SSE_MEDIA_TYPE"))
        model = f'"model": {nodes.code_of(endpoint.stream_model)}, ' if endpoint.stream_model else ""
        responses = f'{{200: {{{model}"content": {{SSE_MEDIA_TYPE: {{}}}}}}}}'
        arguments.append(nodes.keyword("responses", nodes.expression(responses)))
    if route.deprecated:
        arguments.append(nodes.keyword("deprecated", cst.Name("True")))
    if route.public:
        plan.routes_imports.add(Import("http_conventions", "public"))
        arguments.append(nodes.keyword("openapi_extra", nodes.call("public")))
    elif route.required_scope:
        plan.routes_imports.add(Import("http_conventions", "requires_scope"))
        scope = nodes.call("requires_scope", cst.Arg(nodes.text(route.required_scope)))
        arguments.append(nodes.keyword("openapi_extra", scope))
    return cst.Decorator(nodes.call(f"router.{route.method.lower()}", *arguments))


def _body(endpoint: Endpoint) -> list[cst.BaseStatement]:
    called: cst.BaseExpression = cst.Await(endpoint.call) if endpoint.is_async else endpoint.call
    returns_nothing = isinstance(endpoint.returns, cst.Name) and endpoint.returns.value == "None"
    if endpoint.routes[0].status_code is not None or returns_nothing:
        # Nothing to return: the route answers 204, or 200 `null` as the legacy route did.
        return [cst.SimpleStatementLine([cst.Expr(called)])]
    answer = cst.SimpleStatementLine([cst.Return(called)])
    if endpoint.stream_condition is None:
        return [answer]
    # The call is awaited inside the stream, as the legacy server did: an early error is an event.
    streamed = cst.SimpleStatementLine([cst.Return(nodes.call("sse_response", cst.Arg(endpoint.call)))])
    return [cst.If(test=endpoint.stream_condition, body=cst.IndentedBlock([streamed])), answer]


def _function(endpoint: Endpoint, plan: ApiPlan, first: bool) -> cst.FunctionDef:
    function = cst.FunctionDef(
        name=cst.Name(endpoint.name),
        params=cst.Parameters(params=endpoint.parameters),
        body=cst.IndentedBlock(_body(endpoint)),
        decorators=[_decorator(endpoint, route, plan) for route in endpoint.routes],
        returns=cst.Annotation(endpoint.returns),
        asynchronous=cst.Asynchronous(),
    )
    return nodes.blank_lines(function, 0 if first else 1)


def routes_module(plan: ApiPlan) -> cst.Module:
    functions = [_function(endpoint, plan, position == 0) for position, endpoint in enumerate(plan.endpoints)]
    for name in _CONVENTIONS:
        plan.routes_imports.add(Import("http_conventions", name))
    plan.routes_imports.add(Import("typing", "Annotated"))
    plan.routes_imports.add(Import("fastapi", "Depends"))
    plan.routes_imports.add(Import(f"{plan.package}.service", plan.service_name))
    router = cst.parse_statement(f"router = ConventionRouter(tags=[{plan.api!r}], responses=standard_responses)")
    create_router = cst.FunctionDef(
        name=cst.Name("create_router"),
        params=cst.Parameters(),
        body=cst.IndentedBlock([router, *functions, nodes.blank_lines(cst.parse_statement("return router"), 1)]),
        returns=cst.Annotation(cst.Name("ConventionRouter")),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    return cst.Module(
        [
            *plan.module_head(
                f"The {plan.api} API as a FastAPI router, answering as its legacy routes do.", plan.routes_imports
            ),
            nodes.blank_lines(
                cst.parse_statement(f"{SERVICE.title()} = Annotated[{plan.service_name}, Depends(implementation)]"), 1
            ),
            create_router,
        ]
    )
