"""Tests' helper: deploy/'s files as data, and the kustomizations rendered the way kustomize does."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
SCHEMAS = Path(__file__).parent / "schemas"

Manifest = dict[str, Any]


def documents(path: Path) -> list[Manifest]:
    """Every non-empty YAML document in `path`."""
    with path.open(encoding="utf-8") as file:
        return [d for d in yaml.safe_load_all(file) if d]


def schema(name: str) -> dict[str, Any]:
    """A vendored JSON schema (tests/deploy/schemas/)."""
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def kustomization(folder: Path) -> Manifest:
    """The kustomization.yaml of `folder`."""
    return documents(folder / "kustomization.yaml")[0]


def render(folder: Path) -> list[Manifest]:
    """The resources a kustomization makes (the subset of kustomize these manifests use).

    Its resources (files or folders), then its labels, namespace, images, replicas and JSON
    6902 patches (replace only).
    """
    spec = kustomization(folder)
    unknown = set(spec) - {"apiVersion", "kind", "resources", "labels", "namespace", "images", "replicas", "patches"}
    assert not unknown, f"{folder}: the test's renderer does not know {sorted(unknown)}"
    resources: list[Manifest] = []
    for entry in spec.get("resources", []):
        path = (folder / entry).resolve()
        resources += render(path) if path.is_dir() else documents(path)
    resources = copy.deepcopy(resources)
    for group in spec.get("labels", []):
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(group["pairs"])
    for resource in resources:
        if "namespace" in spec:
            resource["metadata"]["namespace"] = spec["namespace"]
        for container in containers(resource):
            for image in spec.get("images", []):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    for replicas in spec.get("replicas", []):
        (target,) = [r for r in resources if r["metadata"]["name"] == replicas["name"] and "replicas" in r["spec"]]
        target["spec"]["replicas"] = replicas["count"]
    for patch in spec.get("patches", []):
        (target,) = [r for r in resources if _matches(r, patch["target"])]
        for operation in yaml.safe_load(patch["patch"]):
            _apply(target, operation)
    return resources


def containers(resource: Manifest) -> list[Manifest]:
    """The containers of a workload's pod template (none for other kinds)."""
    spec = resource.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
    return list(pod.get("containers", [])) + list(pod.get("initContainers", []))


def pod_spec(resource: Manifest) -> Manifest:
    """A workload's pod spec."""
    spec: Manifest = resource["spec"]["template"]["spec"]
    return spec


def _matches(resource: Manifest, target: Manifest) -> bool:
    return bool(resource["kind"] == target["kind"] and resource["metadata"]["name"] == target["name"])


def _apply(resource: Manifest, operation: Manifest) -> None:
    assert operation["op"] == "replace", f"the test's renderer knows only replace, not {operation['op']}"
    *parents, last = operation["path"].lstrip("/").split("/")
    node: Any = resource
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        assert int(last) < len(node), f"{operation['path']} is not there"
        node[int(last)] = operation["value"]
    else:
        assert last in node, f"{operation['path']} is not there"
        node[last] = operation["value"]
