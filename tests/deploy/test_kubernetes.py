"""deploy/kubernetes/: every manifest valid for its schema, and the resources consistent with each other."""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.manifests import KUBERNETES, Manifest, containers, documents, kustomization, pod_spec, render, schema

KUBERNETES_VERSION = "1.34.0"  # the oldest minor version the manifests are checked for
CNPG_SCHEMA = "cnpg-cluster-1.30.0.json"
WORKLOADS = ("Deployment", "Job")
BASE = KUBERNETES / "base"
PRODUCTION = KUBERNETES / "overlays" / "production"
RENDERED = {"base": render(BASE), "production": render(PRODUCTION)}
SECRETS_EXAMPLE = documents(KUBERNETES / "secrets.example.yaml")


def _one(resources: list[Manifest], kind: str, name: str | None = None) -> Manifest:
    (found,) = [r for r in resources if r["kind"] == kind and name in (None, r["metadata"]["name"])]
    return found


def _cluster_name(resources: list[Manifest]) -> str:
    name: str = _one(resources, "Cluster")["metadata"]["name"]
    return name


def _strict(node: Any) -> Any:
    """The CRD's schema refusing fields it does not name, as `kubectl apply --validate=strict` does."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    strict = {k: {p: _strict(s) for p, s in v.items()} if k == "properties" else _strict(v) for k, v in node.items()}
    open_ended = "additionalProperties" in node or node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in node and not open_ended:
        strict["additionalProperties"] = False
    return strict


CLUSTER_VALIDATOR = jsonschema.Draft7Validator(_strict(schema(CNPG_SCHEMA)))


def test_the_kustomization_lists_every_manifest_and_only_existing_ones() -> None:
    listed = kustomization(BASE)["resources"]
    assert all((BASE / name).is_file() for name in listed)
    assert sorted(listed) == sorted(p.name for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
    assert all((PRODUCTION / name).resolve().is_dir() for name in kustomization(PRODUCTION)["resources"])


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_manifest_validates_against_the_kubernetes_schemas(variant: str) -> None:
    checked = 0
    for resource in RENDERED[variant] + SECRETS_EXAMPLE:
        if resource["apiVersion"].startswith("postgresql.cnpg.io/"):
            continue  # the operator's own kind: below, against its CRD
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_the_database_cluster_validates_against_the_cloudnativepg_crd(variant: str) -> None:
    cluster = _one(RENDERED[variant], "Cluster")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in CLUSTER_VALIDATOR.iter_errors(cluster)]
    assert errors == []


def test_the_crd_check_catches_a_misspelt_field() -> None:
    cluster = copy.deepcopy(_one(RENDERED["base"], "Cluster"))
    cluster["spec"]["instaces"] = 3
    cluster["spec"]["managed"]["roles"][0]["logn"] = True
    assert len(list(CLUSTER_VALIDATOR.iter_errors(cluster))) == 2
    resource = copy.deepcopy(_one(RENDERED["base"], "Deployment", "lagesbild-api"))
    pod_spec(resource)["containers"][0]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_cluster_bootstraps_the_database_and_the_service_roles() -> None:
    spec = _one(RENDERED["production"], "Cluster")["spec"]
    assert spec["instances"] == 3
    assert spec["bootstrap"]["initdb"].items() >= {"database": "lagesbild", "owner": "lagesbild_owner"}.items()
    roles = {r["name"]: r for r in spec["managed"]["roles"]}
    assert roles["lagesbild_service"]["inRoles"] == ["lagesbild_reader"]
    assert roles["lagesbild_api"]["inRoles"] == ["lagesbild_service"]
    assert roles["lagesbild_api"]["login"] is True
    assert not any(r.get(a) for r in roles.values() for a in ("superuser", "bypassrls", "createrole"))


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_workload_runs_under_the_restricted_pod_security_standard(variant: str) -> None:
    workloads = [r for r in RENDERED[variant] if r["kind"] in WORKLOADS]
    assert {w["metadata"]["name"] for w in workloads} == {"lagesbild-api", "lagesbild-projections", "lagesbild-migrate"}
    for workload in workloads:
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        tmp = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert "memory" in container["resources"]["limits"]
            assert any(m["mountPath"] == "/tmp" and m["name"] in tmp for m in container["volumeMounts"])


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_secret_and_config_map_a_workload_names_exists(variant: str) -> None:
    resources = RENDERED[variant]
    cluster = _cluster_name(resources)
    operator_made = {f"{cluster}-app", f"{cluster}-ca"}
    secrets = {s["metadata"]["name"] for s in SECRETS_EXAMPLE if s["kind"] == "Secret"} | operator_made
    config_maps = {r["metadata"]["name"] for r in resources if r["kind"] == "ConfigMap"}
    named: list[tuple[str, str]] = []
    for workload in (r for r in resources if r["kind"] in WORKLOADS):
        named += [("Secret", v["secret"]["secretName"]) for v in pod_spec(workload)["volumes"] if "secret" in v]
        for container in containers(workload):
            for source in container.get("envFrom", []):
                named += [("ConfigMap", source["configMapRef"]["name"])] if "configMapRef" in source else []
                named += [("Secret", source["secretRef"]["name"])] if "secretRef" in source else []
            for env in container.get("env", []):
                ref = env.get("valueFrom", {})
                named += [("Secret", ref["secretKeyRef"]["name"])] if "secretKeyRef" in ref else []
                named += [("ConfigMap", ref["configMapKeyRef"]["name"])] if "configMapKeyRef" in ref else []
    named += [("Secret", r["passwordSecret"]["name"]) for r in _one(resources, "Cluster")["spec"]["managed"]["roles"]
              if "passwordSecret" in r]  # fmt: skip
    named += [("Secret", t["secretName"]) for t in _one(resources, "Ingress")["spec"]["tls"]]
    assert named
    missing = [(kind, name) for kind, name in named if name not in (secrets if kind == "Secret" else config_maps)]
    assert missing == []


def _selects(selector: Manifest, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions with In) selects `labels`."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "the test knows only In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_selectors_select_the_pods_they_mean(variant: str) -> None:
    resources = RENDERED[variant]
    workloads = [r for r in resources if r["kind"] in WORKLOADS]
    pods = {w["metadata"]["name"]: w["spec"]["template"]["metadata"]["labels"] for w in workloads}
    for deployment in (r for r in resources if r["kind"] == "Deployment"):
        assert _selects(deployment["spec"]["selector"], pods[deployment["metadata"]["name"]])

    def selected(selector: Manifest) -> set[str]:
        return {name for name, labels in pods.items() if _selects(selector, labels)}

    service = _one(resources, "Service", "lagesbild-api")
    assert selected({"matchLabels": service["spec"]["selector"]}) == {"lagesbild-api"}
    assert selected(_one(resources, "PodDisruptionBudget", "lagesbild-api")["spec"]["selector"]) == {"lagesbild-api"}
    projections_pdb = _one(resources, "PodDisruptionBudget", "lagesbild-projections")
    assert selected(projections_pdb["spec"]["selector"]) == {"lagesbild-projections"}
    backend = _one(resources, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "lagesbild-api"
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    policy = _one(resources, "NetworkPolicy", "lagesbild-db")
    assert policy["spec"]["podSelector"] == {"matchLabels": {"cnpg.io/cluster": _cluster_name(resources)}}
    ours = [rule for rule in policy["spec"]["ingress"] if all("namespaceSelector" not in f for f in rule["from"])]
    reaching = set().union(*(selected(f["podSelector"]) for rule in ours for f in rule["from"]))
    assert reaching == {"lagesbild-api", "lagesbild-projections", "lagesbild-migrate"}


def _env(container: Manifest) -> dict[str, Manifest]:
    return {e["name"]: e for e in container.get("env", [])}


def test_the_api_the_worker_and_the_job_connect_as_the_manifests_say() -> None:
    resources = RENDERED["production"]
    cluster = _cluster_name(resources)
    api = _one(resources, "Deployment", "lagesbild-api")
    assert api["spec"]["replicas"] >= 2
    (container,) = containers(api)
    assert container["args"] == ["serve"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert _env(container)["LAGESBILD_PROJECTIONS"]["value"] == "off"
    projections = _one(resources, "Deployment", "lagesbild-projections")
    assert projections["spec"]["replicas"] == 2  # the second waits on the advisory locks
    assert containers(projections)[0]["args"] == ["project"]
    job = _one(resources, "Job", "lagesbild-migrate")
    (migrate,) = containers(job)
    assert migrate["args"] == ["migrate"]
    assert _env(migrate)["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": f"{cluster}-app", "key": "uri"}
    for workload in (api, projections):
        env = list(_env(containers(workload)[0]).values())
        url = _env(containers(workload)[0])["DATABASE_URL"]["value"]
        assert url.startswith(f"postgresql://lagesbild_api:$(LAGESBILD_DB_API_PASSWORD)@{cluster}-rw:5432/lagesbild?")
        assert "options=-c%20role%3Dlagesbild_service" in url
        # $(NAME) is expanded only from variables defined before it in the list
        defined_before = {e["name"] for e in env[: env.index(_env(containers(workload)[0])["DATABASE_URL"])]}
        assert set(re.findall(r"\$\((\w+)\)", url)) <= defined_before
        assert f"{cluster}-app" not in str(workload)  # the owner's credentials stay with the Job
    images = {c["image"] for w in (api, projections, job) for c in containers(w)}
    assert images == {"registry.example.se/lagesbild:0.1.0"}
