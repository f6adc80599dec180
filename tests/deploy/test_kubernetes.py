"""deploy/kubernetes/: valid objects for the cluster, wired to each other and to what the gateway serves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import httpx
import kubernetes_validate
import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import ServerSettings
from tests.deploy.manifests import (
    KUSTOMIZATION,
    Manifest,
    gateway_container,
    load_yaml,
    manifest_files,
    manifests,
    plain_env,
)
from tests.e2e.gateway_process import SHUTDOWN_TIMEOUT, STARTUP_TIMEOUT, ConfigMapFlags, free_port

SHIPPED_FLAGS = Path(__file__).resolve().parents[2] / "config" / "migration.yaml"
HEALTH = "/_gateway/health"
# The oldest Kubernetes release still maintained by the big cloud providers, and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
GRACEFUL_TIMEOUT = ServerSettings.model_fields["graceful_timeout"].default
# The kubelet's swap is followed within a second; the margin is for a busy test machine.
SWAP_FOLLOWED_WITHIN = 5.0


@pytest.fixture(scope="module")
def objects() -> dict[str, Manifest]:
    return manifests()


@pytest.fixture(scope="module")
def deployment(objects: dict[str, Manifest]) -> Manifest:
    return objects["Deployment"]


def _volume_mounts(deployment: Manifest) -> dict[str, tuple[Manifest, Manifest]]:
    """Each mount path with its mount and the pod volume it mounts."""
    volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"]["volumes"]}
    return {
        mount["mountPath"]: (mount, volumes[mount["name"]]) for mount in gateway_container(deployment)["volumeMounts"]
    }


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: path.name)
def test_manifest_matches_the_kubernetes_schema_strictly(path: Path, version: str) -> None:
    # Strict: a misspelt field (`readinesProbe`) is an error, not silently dropped by the API server.
    kubernetes_validate.validate(load_yaml(path), version, strict=True)


def test_strict_schema_check_rejects_a_misspelt_field(deployment: Manifest) -> None:
    misspelt = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSIONS[-1], strict=True)


def test_kustomization_applies_every_manifest_and_sets_the_deployments_image(deployment: Manifest) -> None:
    kustomization = load_yaml(KUSTOMIZATION)
    assert sorted(kustomization["resources"]) == sorted(path.name for path in manifest_files())
    repository = gateway_container(deployment)["image"].rsplit(":", 1)[0]
    assert [image["name"] for image in kustomization["images"]] == [repository]


def test_configmap_holds_the_shipped_flag_file_and_gateway_accepts_it(
    objects: dict[str, Manifest], tmp_path: Path
) -> None:
    [(name, text)] = objects["ConfigMap"]["data"].items()
    assert text == SHIPPED_FLAGS.read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["flags", "check", str(path), "--apis", "apis"])
    assert (result.exit_code, result.output.startswith(f"ok: {path} ")) == (0, True), result.output
    assert "warning" not in result.output


def test_deployment_reads_the_flag_file_from_the_configmap_mounted_as_a_directory(
    objects: dict[str, Manifest], deployment: Manifest
) -> None:
    flags = PurePosixPath(plain_env(gateway_container(deployment))["GATEWAY_FLAGS"])
    mount, volume = _volume_mounts(deployment)[str(flags.parent)]
    # A subPath mount is a copy the kubelet never updates: the gateway would not see a flip.
    assert "subPath" not in mount and mount["readOnly"] is True
    assert volume["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]
    assert flags.name in objects["ConfigMap"]["data"]


def test_deployment_runs_replicas_non_root_on_a_read_only_root_with_writable_scratch(deployment: Manifest) -> None:
    pod = deployment["spec"]["template"]["spec"]
    container = gateway_container(deployment)
    assert deployment["spec"]["replicas"] >= 2
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    mounts = _volume_mounts(deployment)
    for writable in (plain_env(container)["GATEWAY_DATA_DIR"], "/tmp"):
        mount, volume = mounts[writable]
        assert "emptyDir" in volume and not mount.get("readOnly", False), writable
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert "memory" in container["resources"]["limits"]


def test_deployment_probes_health_on_the_api_port_and_prometheus_scrapes_the_admin_port(deployment: Manifest) -> None:
    container = gateway_container(deployment)
    environment = plain_env(container)
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": int(environment["GATEWAY_PORT"]), "admin": int(environment["GATEWAY_ADMIN_PORT"])}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": HEALTH, "port": "http"}, probe
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert (int(annotations["prometheus.io/port"]), annotations["prometheus.io/path"]) == (ports["admin"], "/metrics")
    assert container["args"][:3] == ["serve", "--host", "0.0.0.0"]


def test_deployment_takes_the_database_from_a_secret(deployment: Manifest) -> None:
    [database] = [item for item in gateway_container(deployment)["env"] if item["name"] == "GATEWAY_DATABASE"]
    assert database["valueFrom"]["secretKeyRef"].keys() >= {"name", "key"}


def test_deployment_gives_shutdown_its_graceful_timeout_before_sigkill(deployment: Manifest) -> None:
    pause = int(gateway_container(deployment)["lifecycle"]["preStop"]["exec"]["command"][1])
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > pause + GRACEFUL_TIMEOUT


def test_selectors_of_deployment_service_and_budget_match_the_pods(objects: dict[str, Manifest]) -> None:
    pod_labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    selectors = [
        objects["Deployment"]["spec"]["selector"]["matchLabels"],
        objects["Service"]["spec"]["selector"],
        objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
    ]
    for selector in selectors:
        assert selector.items() <= pod_labels.items()


def test_service_targets_the_api_port_only_and_the_budget_keeps_one_pod(objects: dict[str, Manifest]) -> None:
    assert [port["targetPort"] for port in objects["Service"]["spec"]["ports"]] == ["http"]
    budget = objects["PodDisruptionBudget"]["spec"]["minAvailable"]
    assert 1 <= budget < objects["Deployment"]["spec"]["replicas"]


def _here(value: str, directories: Mapping[str, Path]) -> str:
    """`value` with a mount path of the pod replaced by the directory standing for it in this test."""
    for mount_path, directory in directories.items():
        if value == mount_path or value.startswith(mount_path + "/"):
            return str(directory) + value[len(mount_path) :]
    return value


@contextmanager
def _serving_as_the_pod(command: list[str], environment: Mapping[str, str], workdir: Path) -> Iterator[None]:
    """The pod's command with its environment, until the block ends with SIGTERM, as the kubelet stops it."""
    with (workdir / "stdout").open("wb") as stdout, (workdir / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            command, env={**os.environ, **environment}, stdout=stdout, stderr=stderr, cwd=workdir
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            # uvicorn re-raises the SIGTERM it handled once it is done; SIGKILL's status would mean it hung.
            assert process.wait(timeout=SHUTDOWN_TIMEOUT) in (0, -signal.SIGTERM), (workdir / "stderr").read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_for(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what} not within {within} s")


def test_deployment_container_serves_probes_and_metrics_and_follows_a_configmap_swap(
    objects: dict[str, Manifest], deployment: Manifest, tmp_path: Path
) -> None:
    container = gateway_container(deployment)
    [(key, text)] = objects["ConfigMap"]["data"].items()
    directories = {path: tmp_path / path.strip("/").replace("/", "-") for path in _volume_mounts(deployment)}
    configmap = ConfigMapFlags(
        directories[str(PurePosixPath(plain_env(container)["GATEWAY_FLAGS"]).parent)], text, name=key
    )
    for directory in directories.values():
        directory.mkdir(exist_ok=True)
    ports = {port["name"]: free_port() for port in container["ports"]}
    here = {str(port["containerPort"]): str(ports[port["name"]]) for port in container["ports"]}
    environment = {name: here.get(value, _here(value, directories)) for name, value in plain_env(container).items()}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    api = f"http://127.0.0.1:{ports['http']}"
    scrape = f"http://127.0.0.1:{here[annotations['prometheus.io/port']]}{annotations['prometheus.io/path']}"

    swapped = text.replace("models: migrated", "models: legacy")
    assert swapped != text

    # The image's entry point is `gateway` (tests/deploy/test_dockerfile.py holds it there).
    with _serving_as_the_pod([sys.executable, "-m", "gateway", *container["args"]], environment, tmp_path):
        _wait_for(lambda: httpx.get(api + HEALTH).status_code == 200, STARTUP_TIMEOUT, "ready")
        served = httpx.get(f"{api}/v1/models")
        metrics = httpx.get(scrape)
        on_the_api_port = httpx.get(f"{api}/metrics")
        configmap.swap(swapped)
        _wait_for(
            lambda: httpx.get(f"{api}/v1/models").headers["x-gateway-backend"] == "legacy",
            SWAP_FOLLOWED_WITHIN,
            "the swapped ConfigMap in force",
        )

    assert served.headers["x-gateway-backend"] == "migrated"
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'gateway_requests_total{api="models",backend="migrated",method="GET",route="/v1/models"' in metrics.text
    # The API port listens on every address: the admin surface stays off it.
    assert on_the_api_port.status_code == 404
    assert list(directories[plain_env(container)["GATEWAY_DATA_DIR"]].iterdir()), "the data dir was not used"
