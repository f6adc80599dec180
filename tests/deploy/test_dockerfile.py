"""deploy/Dockerfile: hadolint-clean, non-root, the gateway as entry point, agreeing with the Deployment."""

from __future__ import annotations

import json
import subprocess
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.deploy.manifests import (
    DOCKERFILE,
    dockerfile_instructions,
    final_stage_environment,
    gateway_container,
    manifests,
    plain_env,
)

ROOT = DOCKERFILE.parents[1]
HADOLINT = Path(sysconfig.get_path("scripts")) / "hadolint"
WHEEL_PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
    "packages"
]


def _final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(index for index, (instruction, _) in enumerate(instructions) if instruction == "FROM")
    return instructions[last_from:]


def _one(instruction: str) -> str:
    [value] = [value for name, value in _final_stage() if name == instruction]
    return value


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [HADOLINT, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (0, "")


def test_image_runs_as_the_numeric_non_root_user_the_deployment_requires() -> None:
    user, group = (int(part) for part in _one("USER").split(":"))
    pod = manifests()["Deployment"]["spec"]["template"]["spec"]["securityContext"]
    assert user > 0 and (user, group) == (pod["runAsUser"], pod["runAsGroup"])


def test_entry_point_is_gateway_serve_on_every_address() -> None:
    assert json.loads(_one("ENTRYPOINT")) == ["gateway"]
    assert json.loads(_one("CMD")) == ["serve", "--host", "0.0.0.0"]
    assert "/_gateway/health" in _one("HEALTHCHECK")


def test_image_defaults_agree_with_the_deployment() -> None:
    image = final_stage_environment()
    container = gateway_container(manifests()["Deployment"])
    deployed = plain_env(container)
    for name in ("GATEWAY_FLAGS", "GATEWAY_DATA_DIR", "GATEWAY_PORT", "GATEWAY_ADMIN_PORT"):
        assert image[name] == deployed[name], name
    assert container["args"] == json.loads(_one("CMD"))
    exposed = sorted(int(port) for port in _one("EXPOSE").split())
    assert exposed == sorted(port["containerPort"] for port in container["ports"])


def test_shipped_flag_file_is_copied_where_the_image_reads_it() -> None:
    copies = [value.split() for name, value in _final_stage() if name == "COPY"]
    assert ["config/migration.yaml", final_stage_environment()["GATEWAY_FLAGS"]] in copies


def _copied_from_the_context() -> list[str]:
    copies = [value.split() for name, value in dockerfile_instructions() if name == "COPY"]
    # `COPY --from=STAGE` copies from a stage, not from the context.
    return [source for words in copies if not words[0].startswith("--from=") for source in words[:-1]]


def test_dockerignore_lets_through_everything_the_build_copies() -> None:
    # .dockerignore is an allow-list: what it does not name never reaches the build.
    allowed = {line.removeprefix("!") for line in (ROOT / ".dockerignore").read_text().splitlines() if line[:1] == "!"}
    assert set(_copied_from_the_context()) <= allowed


@pytest.mark.parametrize("package", WHEEL_PACKAGES)
def test_every_wheel_package_is_copied_into_the_build(package: str) -> None:
    # A package added to the wheel but not to the image's build would be missing from the image.
    assert f"{package}/" in _copied_from_the_context()
