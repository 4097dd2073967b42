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

    assert set(deployments) == {"connector", "worker", "publicapi", "frontend", "webhooks", "webhooks-worker"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        (container,) = pod["containers"]
        if name == "worker":
            assert container["command"] == ["python", "-m", "connector.worker"]
        elif name == "webhooks-worker":
            assert container["command"] == ["python", "-m", "webhooks.worker"]
            # No HTTP API: the liveness probe asks its metrics listener.
            assert container["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}
            assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"metrics": 9402}
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
    assert set(services) == {"connector", "publicapi", "frontend", "webhooks"}
    for name, service in services.items():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), name
    assert {name: hpa["spec"]["scaleTargetRef"]["name"] for name, hpa in hpas.items()} == {
        "publicapi": "publicapi",
        "connector": "connector",
        "worker": "worker",
        "webhooks-worker": "webhooks-worker",
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
    # Connector's publisher reaches the webhooks Service; webhooks reads payments from connector's.
    assert config["CONNECTOR_WEBHOOKS_EVENTS_URL"] == "http://webhooks:9400/v1/events"
    assert config["WEBHOOKS_CONNECTOR_URL"] == "http://connector:9300"


@needs_kubectl
def test_every_metrics_port_is_declared_and_annotated_for_scraping() -> None:
    deployments = _of_kind(_build("overlays/production"), "Deployment")
    config = _of_kind(_build("overlays/production"), "ConfigMap")["pay-config"]["data"]

    expected = {
        "connector": "CONNECTOR_METRICS_PORT",
        "publicapi": "PUBLICAPI_METRICS_PORT",
        "frontend": "FRONTEND_METRICS_PORT",
        "webhooks": "WEBHOOKS_METRICS_PORT",
        "webhooks-worker": "WEBHOOKS_WORKER_METRICS_PORT",
    }
    for name, setting in expected.items():
        template = deployments[name]["spec"]["template"]
        (container,) = template["spec"]["containers"]
        ports = {p["name"]: str(p["containerPort"]) for p in container["ports"]}
        assert ports["metrics"] == config[setting], name
        assert template["metadata"]["annotations"]["prometheus.io/port"] == config[setting], name


COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "p",
    "TOKEN_API_HMAC_SECRET": "t" * 32,
    "FRONTEND_SESSION_SECRET": "s" * 32,
    "PUBLICAPI_SERVICE_TOKEN_KEY": "a" * 32,
    "FRONTEND_SERVICE_TOKEN_KEY": "b" * 32,
    "PAY_ADMIN_SERVICE_TOKEN_KEY": "c" * 32,
    "WEBHOOKS_SERVICE_TOKEN_KEY": "d" * 32,
    "WEBHOOKS_EVENTS_SECRET": "e" * 32,
    "WEBHOOKS_SIGNING_KEY_ENCRYPTION_SECRET": "f" * 32,
    "PUBLICAPI_PUBLIC_URL": "https://api.pay.example",
    "FRONTEND_PUBLIC_URL": "https://card.pay.example",
}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    return loaded


def test_compose_runs_everything_and_publishes_only_publicapi_and_the_payment_pages() -> None:
    services = _compose()["services"]

    assert set(services) == {
        "db",
        "redis",
        "migrate",
        "connector",
        "worker",
        "publicapi",
        "frontend",
        "webhooks",
        "webhooks-worker",
    }
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"publicapi", "frontend"}
    assert services["connector"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["connector"]["environment"]["CONNECTOR_RUN_WORKER"] == "false"
    assert services["worker"]["command"] == ["python", "-m", "connector.worker"]
    assert services["webhooks"]["environment"]["APP"] == "webhooks.main:app"
    assert services["webhooks-worker"]["command"] == ["python", "-m", "webhooks.worker"]
    for name in ("webhooks", "webhooks-worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_compose_wires_connector_and_webhooks_with_one_shared_event_secret() -> None:
    common = _compose()["x-common-env"]

    assert common["CONNECTOR_WEBHOOKS_EVENTS_URL"] == "http://webhooks:9400/v1/events"
    assert common["WEBHOOKS_CONNECTOR_URL"] == "http://connector:9300"
    # The publisher signs with the secret the intake checks, and connector accepts webhooks' token.
    assert common["WEBHOOKS_EVENT_INGEST_SECRET"] == "${WEBHOOKS_EVENTS_SECRET}"
    assert common["CONNECTOR_WEBHOOKS_EVENTS_SECRET"].startswith("${WEBHOOKS_EVENTS_SECRET:?")
    assert common["WEBHOOKS_SERVICE_TOKEN_KEY"] == "${WEBHOOKS_SERVICE_TOKEN_KEY}"
    assert common["CONNECTOR_SERVICE_TOKEN_KEYS__WEBHOOKS"].startswith("${WEBHOOKS_SERVICE_TOKEN_KEY:?")


def test_the_migration_step_applies_both_schemas() -> None:
    script = (DEPLOY / "migrate.sh").read_text()

    assert 'python -m connector.migrate "$CONNECTOR_DATABASE_URL"' in script
    assert 'python -m webhooks.migrate "$webhooks_url"' in script


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
