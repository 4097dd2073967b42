"""The Kubernetes manifests and the compose file describe a safe, complete deployment.

``kubectl kustomize`` (installed with kubectl) builds both kustomizations offline; without a
cluster, ``kubectl --dry-run=client`` cannot run (it asks the API server for its schemas), so
the built objects are checked here instead. The compose file is checked as YAML, and by
``docker-compose config`` when Debian's docker-compose is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBECTL = shutil.which("kubectl")
COMPOSE = shutil.which("docker-compose")
needs_kubectl = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl is not installed (apt-get install kubectl)"
)


def _build(kustomization: str) -> list[dict[str, Any]]:
    assert KUBECTL is not None
    built = subprocess.run(
        [KUBECTL, "kustomize", str(DEPLOY / "k8s" / kustomization)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@needs_kubectl
@pytest.mark.parametrize("kustomization", ["base", "overlays/production"])
def test_every_deployment_is_probed_bounded_and_unprivileged(kustomization: str) -> None:
    deployments = _of_kind(_build(kustomization), "Deployment")

    assert set(deployments) == {"connector", "worker", "publicapi", "frontend"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        (container,) = pod["containers"]
        if name == "worker":
            assert container["command"] == ["python", "-m", "connector.worker"]
        else:
            assert container["readinessProbe"]["httpGet"]["path"] == "/healthcheck", name
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthcheck", name
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
        assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        sources = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert sources == {"pay-config", "pay-secrets"}, name


@needs_kubectl
def test_services_hpas_and_the_migration_job_fit_together() -> None:
    objects = _build("overlays/production")
    deployments = _of_kind(objects, "Deployment")
    services = _of_kind(objects, "Service")
    hpas = _of_kind(objects, "HorizontalPodAutoscaler")

    # connector is a ClusterIP service; nothing here exposes it outside the cluster.
    assert set(services) == {"connector", "publicapi", "frontend"}
    for name, service in services.items():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), name
    assert {name: hpa["spec"]["scaleTargetRef"]["name"] for name, hpa in hpas.items()} == {
        "publicapi": "publicapi",
        "connector": "connector",
        "worker": "worker",
    }
    assert hpas["publicapi"]["spec"]["minReplicas"] == 3
    (job,) = _of_kind(objects, "Job").values()
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["/app/deploy/migrate.sh"]
    connector_env = {
        e["name"]: e.get("value")
        for e in deployments["connector"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert connector_env["CONNECTOR_RUN_WORKER"] == "false"
    images = {d["spec"]["template"]["spec"]["containers"][0]["image"] for d in deployments.values()}
    assert images == {"registry.example/pay:1.0.0"}
    config = _of_kind(objects, "ConfigMap")["pay-config"]["data"]
    assert all(config[key].startswith("https://") for key in ("PUBLICAPI_BASE_URL", "FRONTEND_BASE_URL"))


COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "p",
    "TOKEN_API_HMAC_SECRET": "t" * 32,
    "FRONTEND_SESSION_SECRET": "s" * 32,
    "PUBLICAPI_SERVICE_TOKEN_KEY": "a" * 32,
    "FRONTEND_SERVICE_TOKEN_KEY": "b" * 32,
    "PAY_ADMIN_SERVICE_TOKEN_KEY": "c" * 32,
    "PUBLICAPI_PUBLIC_URL": "https://api.pay.example",
    "FRONTEND_PUBLIC_URL": "https://card.pay.example",
}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    return loaded


def test_compose_runs_everything_and_publishes_only_publicapi_and_the_payment_pages() -> None:
    services = _compose()["services"]

    assert set(services) == {"db", "redis", "migrate", "connector", "worker", "publicapi", "frontend"}
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"publicapi", "frontend"}
    assert services["connector"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["connector"]["environment"]["CONNECTOR_RUN_WORKER"] == "false"
    assert services["worker"]["command"] == ["python", "-m", "connector.worker"]


@pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (apt-get install docker-compose)"
)
def test_docker_compose_accepts_the_file() -> None:
    assert COMPOSE is not None
    checked = subprocess.run(
        [COMPOSE, "-f", str(DEPLOY / "compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **COMPOSE_ENV},
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
