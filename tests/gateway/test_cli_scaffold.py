"""`gateway scaffold`: the files it writes, what it refuses to overwrite, and the protocols it cannot express."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[2]
UNSCAFFOLDABLE = "tests.gateway.scaffold.unscaffoldable_apis"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """An empty package to scaffold into."""
    directory = tmp_path / "scaffolded"
    directory.mkdir()
    (directory / "__init__.py").touch()
    return directory


def _scaffold(*arguments: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["scaffold", *map(str, arguments)])
    return result.exit_code, result.output


def _contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.py"))}


def test_scaffold_providers_writes_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    # The repository laid out again: its ruff settings, and its packages, which tell ruff's import
    # sorter first-party imports from others. The same inputs must give the same bytes.
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "apis" / "providers"
    target.mkdir(parents=True)
    (tmp_path / "http_conventions").mkdir()
    for name in (
        "apis/__init__.py",
        "apis/providers/__init__.py",
        "apis/providers/models.py",
        "http_conventions/__init__.py",
    ):
        shutil.copy(ROOT / name, tmp_path / name)

    status, output = _scaffold("providers", "--out", target)

    assert status == 0, output
    assert "wrote" in output and "ProvidersService: 2 methods" in output and "create_router(): 2 routes" in output
    for name in ("service.py", "routes.py", "models.py"):
        assert (target / name).read_bytes() == (ROOT / "apis" / "providers" / name).read_bytes(), name


def test_scaffold_writes_request_models_and_the_same_bytes_every_time(package: Path, tmp_path: Path) -> None:
    assert _scaffold("models", "--out", package)[0] == 0
    first = _contents(package)
    assert set(first) == {"__init__.py", "service.py", "models.py", "routes.py"}
    assert b"class RegisterModelRequest(EmbeddedFields):" in first["models.py"]
    assert b'openapi_extra=requires_scope("models:write")' in first["routes.py"]
    assert b"status_code=204" in first["routes.py"] and b"deprecated=True" in first["routes.py"]

    again = tmp_path / "again" / "scaffolded"
    again.mkdir(parents=True)
    (again / "__init__.py").touch()
    assert _scaffold("models", "--out", again)[0] == 0
    assert _contents(again) == first


def test_scaffold_unknown_api_names_the_closest_one() -> None:
    status, output = _scaffold("modles")
    assert status == 2
    assert output.startswith("error: unknown API 'modles' (did you mean 'models'?); registered: ")


def test_scaffold_an_api_with_a_router_refuses_naming_the_files_and_writes_nothing() -> None:
    before = _contents(ROOT / "apis" / "models")

    status, output = _scaffold("models")

    assert status == 2
    assert "models already has a router" in output
    for name in ("service.py", "routes.py"):
        assert f"apis/models/{name}" in output
    assert "apis/models/models.py (defines RegisterModelRequest, UpdateModelRequest)" in output
    assert "--force" in output and "--out" in output
    assert _contents(ROOT / "apis" / "models") == before


def test_scaffold_force_replaces_its_files_and_keeps_the_rest_of_models_py(package: Path) -> None:
    assert _scaffold("models", "--out", package)[0] == 0
    (package / "routes.py").write_text("edited = True\n")
    models = package / "models.py"
    models.write_text(
        models.read_text().replace(
            "class UpdateModelRequest", "class Kept(EmbeddedFields):\n    pass\n\n\nclass UpdateModelRequest"
        )
    )

    status, output = _scaffold("models", "--out", package)
    assert status == 2
    assert f"{package / 'routes.py'}" in output and "(defines RegisterModelRequest, UpdateModelRequest)" in output
    assert (package / "routes.py").read_text() == "edited = True\n"

    status, output = _scaffold("models", "--out", package, "--force")
    assert status == 0, output
    assert "def create_router()" in (package / "routes.py").read_text()
    rewritten = models.read_text()
    assert rewritten.count("class RegisterModelRequest") == 1 and "class Kept(EmbeddedFields)" in rewritten


def test_scaffold_refuses_a_directory_that_is_not_a_package(tmp_path: Path) -> None:
    status, output = _scaffold("providers", "--out", tmp_path)
    assert status == 2
    assert f"{tmp_path} is not a Python package (no __init__.py)" in output


@pytest.mark.parametrize(
    ("api", "message"),
    [
        pytest.param(
            "variadic", "VariadicApi.create_gadget: parameter 'options' is variadic (*args or **kwargs)", id="variadic"
        ),
        pytest.param(
            "private_field",
            "PrivateFieldApi.create_gadget: parameter '_token' is a JSON body field, which cannot be a field of a "
            "request model (pydantic takes a name starting with '_' for a private attribute)",
            id="private-field",
        ),
        pytest.param(
            "shadowing_field",
            "ShadowingFieldApi.create_gadget: parameter 'copy' is a JSON body field, which cannot be a field of a "
            "request model (the name is BaseModel.copy)",
            id="shadowing-field",
        ),
        pytest.param(
            "form_and_json",
            "FormAndJsonApi.upload_gadget: parameter name would be a JSON body field of a form route",
            id="form-and-json",
        ),
        pytest.param(
            "unannotated", "UnannotatedApi.create_gadget: parameter 'name' has no annotation", id="unannotated"
        ),
        pytest.param(
            "nested", "nested: POST /v1/rag/query is served by the implementation's attribute 'rag'", id="nested"
        ),
        pytest.param(
            "unannotated_result",
            "UnannotatedResultApi.list_gadgets: it has no return annotation",
            id="unannotated-result",
        ),
        pytest.param(
            "split_routes",
            "SplitRoutesApi.get_gadget: its routes GET /v1/gadgets/{name} and GET /v1/gadget read their parameters "
            "from different places",
            id="split-routes",
        ),
        pytest.param(
            "service_parameter",
            "ServiceParameterApi.list_gadgets: parameter 'service' is a route parameter, and the router function "
            "needs that name for the implementation",
            id="service-parameter",
        ),
        pytest.param(
            "no_routes", "no_routes: its legacy protocol declares no routes, so there is no router", id="no-routes"
        ),
        pytest.param(
            "not_webmethod",
            "not_webmethod: its legacy side is not a webmethod protocol served by the adapter",
            id="not-webmethod",
        ),
    ],
)
def test_scaffold_refuses_what_a_router_cannot_express_naming_method_and_parameter(
    api: str, message: str, package: Path
) -> None:
    status, output = _scaffold(api, "--apis", UNSCAFFOLDABLE, "--out", package)
    assert status == 2
    assert output.startswith(f"error: {message}"), output
    assert _contents(package) == {"__init__.py": b""}
