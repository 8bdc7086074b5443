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
}


def load(project: Path) -> dict[str, dict]:
    resources = {}
    for name in MANIFESTS:
        documents = [
            doc for doc in yaml.safe_load_all((project / "deploy" / "k8s" / name).read_text()) if doc
        ]
        assert len(documents) == 1, name
        resources[documents[0]["kind"]] = documents[0]
    assert sorted(resources) == ["Deployment", "Ingress", "NetworkPolicy", "Service"]
    return resources


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
    assert secret["secretRef"]["optional"] is ("auth" not in answers)  # sign-in needs it
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

    # The schemas of a current Kubernetes, strict: unknown fields are errors too.
    for resource in resources.values():
        kubernetes_validate.validate(resource, K8S_VERSION, strict=True)


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
    k8s = bake(tmp_path) / "deploy" / "k8s"
    files = [str(k8s / name) for name in MANIFESTS]
    command = [*prefix, sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S_VERSION, *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == len(MANIFESTS), result.stdout
