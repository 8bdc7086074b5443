"""deploy/k8s/*.yaml: baked for several answer sets, checked field by field, then validated
against the Kubernetes schemas that the kubernetes-validate package ships (no network)."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.support import bake

MANIFESTS = ("deployment.yaml", "service.yaml", "ingress.yaml", "networkpolicy.yaml")
K8S_VERSION = "1.33"
DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")  # Service names; the strictest of the three

ANSWERS = {
    "default": {},
    "auth-and-allowlist": {"auth": "password", "ip_allowlist": True},
    "streamlit-parent": {"parent": "streamlit", "security_headers": False},
    "odd-slug": {"project_slug": "_3d_charts_", "parent": "flask"},
    "bare-slug": {"project_slug": "__"},
    "oidc-mcp": {"auth": "oidc", "mcp": True, "project_slug": "_3d_charts_"},
}


def documents(project: Path) -> list[dict]:
    """Every object of deploy/k8s/, in file order."""
    return [
        doc
        for name in MANIFESTS
        for doc in yaml.safe_load_all((project / "deploy" / "k8s" / name).read_text())
        if doc
    ]


def load(project: Path) -> dict[str, dict]:
    """The app's own objects by kind (each file's first document)."""
    resources = {}
    for name in MANIFESTS:
        first = next(
            doc for doc in yaml.safe_load_all((project / "deploy" / "k8s" / name).read_text()) if doc
        )
        resources[first["kind"]] = first
    assert sorted(resources) == ["Deployment", "Ingress", "NetworkPolicy", "Service"]
    return resources


def load_valkey(project: Path, app_name: str) -> dict[str, dict]:
    """Valkey's objects by kind: those named ``<app>-valkey`` (one of each kind at most)."""
    found = [doc for doc in documents(project) if doc["metadata"]["name"] == f"{app_name}-valkey"]
    assert len({doc["kind"] for doc in found}) == len(found), "one Valkey object of each kind"
    others = [
        doc for doc in documents(project) if doc["metadata"]["name"] not in (app_name, f"{app_name}-valkey")
    ]
    assert others == [], "an object neither the app's nor Valkey's"
    return {doc["kind"]: doc for doc in found}


def auth_of(answers: dict) -> str:
    return answers.get("auth", "none")


@pytest.mark.parametrize("answers", ANSWERS.values(), ids=ANSWERS.keys())
def test_manifests_hold_the_scale_out_recipe(tmp_path, answers):
    project = bake(tmp_path, **answers)
    resources = load(project)
    deployment, service, ingress = resources["Deployment"], resources["Service"], resources["Ingress"]
    name = deployment["metadata"]["name"]
    assert DNS_1035.fullmatch(name) and len(name) <= 63, name
    assert service["metadata"]["name"] == ingress["metadata"]["name"] == name

    # Deployment: pods that match its selector, non-root, one uvicorn process, probes on /healthz.
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    (container,) = pod["containers"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    command = container["command"] + container["args"]
    assert command[:2] == ["uvicorn", "app:app"] and not any("--workers" in part for part in command)
    # Proxy trust is TRUSTED_PROXIES, read by the app; uvicorn's own (127.0.0.1) stays off.
    assert "--no-proxy-headers" in command and "--http=h11" in command
    assert "--ws-per-message-deflate=false" in command
    assert not any(part.startswith(("--proxy-headers", "--forwarded-allow-ips")) for part in command)
    env = {item["name"]: item.get("value") for item in container["env"]}
    trusted = ipaddress.ip_network(env["TRUSTED_PROXIES"])
    assert trusted.is_private and trusted.prefixlen >= 12, "trust the pod network at most"
    assert env["PUBLIC_BASE_URL"].startswith("https://")
    assert ("ALLOWED_IPS" in env) == answers.get("ip_allowlist", False)
    (secret,) = container["envFrom"]
    assert secret["secretRef"]["name"] == f"{name}-secrets"
    assert secret["secretRef"]["optional"] is (auth_of(answers) != "password")  # auth needs it
    (port,) = container["ports"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["path"] == "/healthz" and check["port"] == port["name"], probe

    # Service: the same pods, ClientIP affinity, the container's port.
    assert service["spec"]["selector"] == spec["selector"]["matchLabels"]
    assert service["spec"]["sessionAffinity"] == "ClientIP"
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]

    # Ingress: ingress-nginx cookie affinity and websocket-friendly timeouts, to the Service.
    notes = ingress["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie" and notes[prefix + "session-cookie-name"]
    assert (
        int(notes[prefix + "proxy-read-timeout"]) >= 3600
        and int(notes[prefix + "proxy-send-timeout"]) >= 3600
    )
    assert notes[prefix + "proxy-body-size"] == "201m"
    assert all(isinstance(value, str) for value in notes.values()), "annotation values must be strings"
    (rule,) = ingress["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": name, "port": {"name": service["spec"]["ports"][0]["name"]}}

    # NetworkPolicy: these pods take connections from the ingress controller's pods only.
    policy = resources["NetworkPolicy"]["spec"]
    assert policy["podSelector"]["matchLabels"] == spec["selector"]["matchLabels"]
    assert policy["policyTypes"] == ["Ingress"]
    (allowed,) = policy["ingress"]
    (peer,) = allowed["from"]
    assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "ingress-nginx"}
    assert allowed["ports"] == [{"port": port["name"], "protocol": "TCP"}]

    # Several pods (one process each); with sign-in, they share Valkey through REDIS_URL.
    assert spec["replicas"] >= 2
    needs_store = auth_of(answers) != "none"
    valkey = load_valkey(project, name)
    assert sorted(valkey) == (["Deployment", "NetworkPolicy", "Service"] if needs_store else [])
    redis_url = [item for item in container["env"] if item["name"] == "REDIS_URL"]
    if needs_store:
        check_valkey(valkey, name, deployment, container)
        (item,) = redis_url
        assert "value" not in item, "REDIS_URL holds a password: from the Secret only"
        assert item["valueFrom"]["secretKeyRef"] == {"name": f"{name}-secrets", "key": "REDIS_URL"}
        readme = (project / "deploy" / "README.md").read_text()
        assert re.search(rf'--from-literal=REDIS_URL="redis://:\S+@{name}-valkey:6379/0"', readme)
        assert "--from-literal=VALKEY_PASSWORD=" in readme
    else:
        assert redis_url == []

    # The schemas of a current Kubernetes, strict: unknown fields are errors too.
    for resource in [*resources.values(), *valkey.values()]:
        kubernetes_validate.validate(resource, K8S_VERSION, strict=True)


def check_valkey(valkey: dict[str, dict], name: str, app: dict, app_container: dict) -> None:
    """Valkey: a pinned BSD image, non-root like the app, limited; reachable from the app's pods only."""
    deployment, service, policy = valkey["Deployment"], valkey["Service"], valkey["NetworkPolicy"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert re.fullmatch(r"valkey/valkey:\d+\.\d+\.\d+(-alpine)?", container["image"]), container["image"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == app_container["securityContext"], "hardened like the app"
    assert container["resources"]["limits"]["memory"] and container["resources"]["requests"]["cpu"]
    command = container["command"] + container["args"]
    assert command[0] == "valkey-server"
    assert command[command.index("--save") + 1] == "" and command[command.index("--appendonly") + 1] == "no"
    assert command[command.index("--requirepass") + 1] == "$(VALKEY_PASSWORD)"
    (password,) = container["env"]
    assert password["name"] == "VALKEY_PASSWORD"
    assert password["valueFrom"]["secretKeyRef"] == {"name": f"{name}-secrets", "key": "VALKEY_PASSWORD"}
    (port,) = container["ports"]
    assert port["containerPort"] == 6379
    assert {volume["name"]: volume for volume in pod["volumes"]}["data"] == {"name": "data", "emptyDir": {}}

    # The Service: Valkey's pods, port 6379 (what REDIS_URL names).
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["type"] == "ClusterIP"
    (service_port,) = service["spec"]["ports"]
    assert service_port["port"] == 6379 and service_port["targetPort"] == port["name"]

    # The NetworkPolicy: it selects Valkey's pods and admits the app's pods only, on 6379 only.
    app_labels = app["spec"]["template"]["metadata"]["labels"]
    spec = policy["spec"]
    assert spec["podSelector"]["matchLabels"].items() <= labels.items()
    assert not spec["podSelector"]["matchLabels"].items() <= app_labels.items(), "not the app's pods"
    assert spec["policyTypes"] == ["Ingress"]
    (rule,) = spec["ingress"]
    (peer,) = rule["from"]
    assert list(peer) == ["podSelector"], "pods of this namespace, no other namespace or address block"
    assert peer["podSelector"]["matchLabels"].items() <= app_labels.items()
    assert not peer["podSelector"]["matchLabels"].items() <= labels.items()
    assert peer["podSelector"]["matchLabels"] == app["spec"]["selector"]["matchLabels"]
    assert rule["ports"] == [{"port": port["name"], "protocol": "TCP"}]


def test_validator_rejects_a_broken_manifest(tmp_path):
    """kubernetes-validate really checks: a misspelt field and a wrong type both fail."""
    deployment = load(bake(tmp_path))["Deployment"]
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)
    del deployment["spec"]["replica"]
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "8000"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def _no_network() -> list[str] | None:
    """A command prefix that runs without any network (a new user and network namespace)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return None


def test_validator_needs_no_network(tmp_path):
    prefix = _no_network()
    if prefix is None:
        pytest.skip("cannot make a network namespace here (unshare -rn)")
    project = bake(tmp_path, auth="password")  # with Valkey: several objects per file
    k8s = project / "deploy" / "k8s"
    files = [str(k8s / name) for name in MANIFESTS]
    command = [*prefix, sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S_VERSION, *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == len(documents(project)) == len(MANIFESTS) + 3, result.stdout
