"""deploy/ as its consumers read it: the Kubernetes manifests by kind, the Dockerfile's final stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dockerfile_parse import DockerfileParser
from ruamel.yaml import YAML

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUSTOMIZATION = KUBERNETES / "kustomization.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"

Manifest = dict[str, Any]


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path)


def manifest_files() -> list[Path]:
    """Every Kubernetes object's file (the kustomization is kustomize's, not the cluster's)."""
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path != KUSTOMIZATION)


def manifests() -> dict[str, Manifest]:
    """The objects by kind; each file holds one object and each kind is there once."""
    by_kind: dict[str, Manifest] = {}
    for path in manifest_files():
        manifest = load_yaml(path)
        assert manifest["kind"] not in by_kind, f"{path.name}: a second {manifest['kind']}"
        by_kind[manifest["kind"]] = manifest
    return by_kind


def gateway_container(deployment: Manifest) -> Manifest:
    containers: list[Manifest] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container: the gateway"
    return containers[0]


def plain_env(container: Manifest) -> dict[str, str]:
    """The container's variables given as values (those read from a Secret are the cluster's own)."""
    return {item["name"]: item["value"] for item in container["env"] if "value" in item}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (instruction, value) pairs, in order, comments left out."""
    parser = DockerfileParser(path=str(DOCKERFILE))
    return [(item["instruction"], item["value"]) for item in parser.structure if item["instruction"] != "COMMENT"]


def final_stage_environment() -> dict[str, str]:
    """The ENV of the image's last stage, as `docker run` starts it."""
    environment: dict[str, str] = DockerfileParser(path=str(DOCKERFILE)).envs
    return environment
