"""`models.py`: the request models, one per route whose legacy twin read named fields of a JSON body.

Added to the package's `models.py` when there is one (its response models often live there,
and the protocol imports them from it), else written as a new module.
"""

from __future__ import annotations

import libcst as cst

from gateway.scaffold import nodes
from gateway.scaffold.plan import ApiPlan, RequestModel
from gateway.scaffold.source import Import


def _value(arguments: tuple[cst.Arg, ...]) -> cst.BaseExpression | None:
    """What a field is assigned: nothing, its default alone, or `Field(...)` with the rest."""
    if len(arguments) == 1 and arguments[0].keyword and arguments[0].keyword.value == "default":
        return arguments[0].value
    return nodes.call("Field", *arguments) if arguments else None


def _model(model: RequestModel) -> cst.ClassDef:
    fields = [
        cst.SimpleStatementLine(
            [
                cst.AnnAssign(
                    target=cst.Name(field.name),
                    annotation=cst.Annotation(field.annotation),
                    value=_value(field.arguments),
                )
            ]
        )
        for field in model.fields
    ]
    body = [nodes.docstring(f"The body of `{model.route}`."), nodes.blank_lines(fields[0], 1), *fields[1:]]
    return cst.ClassDef(
        name=cst.Name(model.name),
        bases=[cst.Arg(cst.Name("EmbeddedFields"))],
        body=cst.IndentedBlock(body),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )


def defined_classes(module: cst.Module) -> set[str]:
    return {statement.name.value for statement in module.body if isinstance(statement, cst.ClassDef)}


def models_module(plan: ApiPlan, existing: cst.Module | None) -> cst.Module:
    """`existing` (or a new module) with the plan's request models: one already there is replaced in place."""
    plan.models_imports.add(Import("pydantic", "Field"))
    plan.models_imports.add(Import("http_conventions", "EmbeddedFields"))
    models = {model.name: _model(model) for model in plan.request_models}
    if existing is None:
        return cst.Module(
            [*plan.module_head(f"Request models of the {plan.api} API.", plan.models_imports), *models.values()]
        )
    body = [
        models.pop(s.name.value) if isinstance(s, cst.ClassDef) and s.name.value in models else s for s in existing.body
    ]
    # New imports go after the module's last import; the import sorter puts them in place.
    last_import = max(
        (
            position
            for position, statement in enumerate(body)
            if isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(part, cst.Import | cst.ImportFrom) for part in statement.body)
        ),
        default=0,
    )
    imports = plan.models_imports.statements()
    return existing.with_changes(body=[*body[: last_import + 1], *imports, *body[last_import + 1 :], *models.values()])
