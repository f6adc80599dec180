"""Where the three files go, what writing them would overwrite, and writing them.

Nothing is overwritten without `force`; either every file is written or none is.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from gateway.exceptions import ScaffoldError
from gateway.scaffold.formatting import formatted
from gateway.scaffold.legacy_routes import ServedRoute
from gateway.scaffold.models_file import defined_classes, models_module
from gateway.scaffold.plan import ApiPlan, plan_api
from gateway.scaffold.routes_file import routes_module
from gateway.scaffold.service_file import service_module
from gateway.scaffold.source import resolve


def protocol_directory(route: ServedRoute) -> Path:
    """The directory of the module that declares the route's protocol: where the API's code lives."""
    return Path(inspect.getfile(resolve(route.protocol))).parent


def shown(path: Path) -> str:
    """`path` as a person reads it: relative to the current directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def package_of(directory: Path) -> str:
    """The dotted name of the package `directory` is, from the `__init__.py` files above it."""
    parts: list[str] = []
    here = directory.resolve()
    while (here / "__init__.py").is_file():
        parts.insert(0, here.name)
        here = here.parent
    if not parts:
        raise ScaffoldError(
            f"{directory} is not a Python package (no __init__.py): routes.py imports service.py and models.py "
            "from its own package; create the __init__.py or choose another --out"
        )
    return ".".join(parts)


@dataclass(frozen=True)
class Written:
    path: Path
    what: str


def _read_models(path: Path) -> cst.Module | None:
    if not path.exists():
        return None
    try:
        return cst.parse_module(path.read_text())
    except cst.ParserSyntaxError as exc:
        raise ScaffoldError(f"{path}: cannot add the request models to it, it does not parse: {exc}") from exc


def _conflicts(plan: ApiPlan, directory: Path, models: cst.Module | None) -> list[str]:
    found = [shown(directory / name) for name in ("service.py", "routes.py") if (directory / name).exists()]
    if models is not None:
        taken = sorted(defined_classes(models) & {model.name for model in plan.request_models})
        if taken:
            found.append(f"{shown(directory / 'models.py')} (defines {', '.join(taken)})")
    return found


def scaffold_files(
    api: str, routes: list[ServedRoute], out: Path | None, *, force: bool = False, has_router: bool = False
) -> list[Written]:
    """Write `api`'s service, request models and router into `out` (default: its protocol's package)."""
    directory = out or protocol_directory(routes[0])
    plan = plan_api(api, routes, package_of(directory))
    models_path = directory / "models.py"
    existing_models = _read_models(models_path)
    conflicts = _conflicts(plan, directory, existing_models)
    if conflicts and not force:
        already = f"{api} already has a router; " if has_router else ""
        raise ScaffoldError(
            f"{already}writing a router for {api} would overwrite {', '.join(conflicts)}; nothing was written "
            "(--force overwrites them, --out DIR writes elsewhere)"
        )
    modules = [
        (directory / "service.py", service_module(plan), f"{plan.service_name}: {len(plan.endpoints)} methods"),
    ]
    if plan.request_models:
        names = ", ".join(model.name for model in plan.request_models)
        modules.append((models_path, models_module(plan, existing_models), f"request models {names}"))
    routes_count = sum(len(endpoint.routes) for endpoint in plan.endpoints)
    modules.append((directory / "routes.py", routes_module(plan), f"create_router(): {routes_count} routes"))
    texts = [(path, formatted(module.code, path), what) for path, module, what in modules]
    directory.mkdir(parents=True, exist_ok=True)
    for path, text, _ in texts:
        path.write_text(text)
    return [Written(path, what) for path, _, what in texts]
