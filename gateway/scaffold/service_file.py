"""`service.py`: the service protocol, each routed method as its legacy protocol declares it, undecorated."""

from __future__ import annotations

import libcst as cst

from gateway.scaffold import nodes
from gateway.scaffold.plan import ApiPlan
from gateway.scaffold.source import Import


def service_module(plan: ApiPlan) -> cst.Module:
    """The module: docstrings kept, decorators and HTTP markers (`Query()`, `File()`...) removed."""
    plan.service_imports.add(Import("typing", "Protocol"))
    methods = [
        nodes.blank_lines(endpoint.service_method, 1 if position else 0)
        for position, endpoint in enumerate(plan.endpoints)
    ]
    service = cst.ClassDef(
        name=cst.Name(plan.service_name),
        bases=[cst.Arg(cst.Name("Protocol"))],
        body=cst.IndentedBlock(methods),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    return cst.Module(
        [
            *plan.module_head(f"What the {plan.api} API does, independent of how it is served.", plan.service_imports),
            service,
        ]
    )
