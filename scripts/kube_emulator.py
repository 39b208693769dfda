#!/usr/bin/env python3
"""A Kubernetes API on 127.0.0.1 for the tests: kmock 0.8's KubernetesEmulator (PyPI, by the
author of kopf), repaired where the real kubectl needs it:

- the core group's discovery says groupVersion "v1" (kmock says "/v1", and kubectl then takes
  pods and nodes for metrics.k8s.io);
- lists carry their kind and apiVersion;
- errors are Kubernetes Status objects with the reasons kubectl prints (NotFound, Forbidden).

The objects come from a JSON file (a list of manifests). `--forbid PLURAL` answers 403 for every
request to that resource, as an API server does when RBAC does not allow it; `--hang PLURAL` (or
`--hang '*'`: every resource) never answers, as an overloaded or half-broken API server does;
`/version` and discovery still answer.

usage: kube_emulator.py SEED.json [--forbid PLURAL]... [--hang PLURAL]...
Prints `READY <port>`, then serves until standard input closes.
"""
import argparse
import asyncio
import json
import sys

import aiohttp.web
import kmock
from kmock._internal import k8s
from kmock._internal.apps import Server

VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]

# group/version/plural: (kind, namespaced)
RESOURCES = {
    "v1/namespaces": ("Namespace", False),
    "v1/pods": ("Pod", True),
    "v1/nodes": ("Node", False),
    "v1/services": ("Service", True),
    "apps/v1/deployments": ("Deployment", True),
    "networking.k8s.io/v1/servicecidrs": ("ServiceCIDR", False),
    "external-secrets.io/v1/clustersecretstores": ("ClusterSecretStore", False),
    "external-secrets.io/v1/externalsecrets": ("ExternalSecret", True),
    "argoproj.io/v1alpha1/applications": ("Application", True),
    # SIG Apps' Application (some GKE clusters): `application` alone may mean this one.
    "app.k8s.io/v1beta1/applications": ("Application", True),
}
# (apiVersion, kind) → resource
KINDS = {(key.rsplit("/", 1)[0], kind): key for key, (kind, _) in RESOURCES.items()}


def status(code, reason, message):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return aiohttp.web.json_response(body, status=code)


class Emulator(kmock.KubernetesEmulator):
    forbidden: set = set()
    hanging: set = set()

    async def _handle(self, request):
        resource = request.resource
        # Discovery (no plural) still answers: kubectl must get as far as the object.
        if resource is not None and resource.plural and {resource.plural, "*"} & self.hanging:
            await asyncio.sleep(3600)
        if resource is not None and resource.plural in self.forbidden:
            return status(403, "Forbidden",
                          f'{resource.plural}.{resource.group} is forbidden: User "clawboot-test" cannot '
                          f'{"get" if request.action.name.lower() == "fetch" else request.action.name.lower()} resource "{resource.plural}" in API group "{resource.group}"')
        try:
            return await super()._handle(request)
        except k8s.KubernetesNotFoundError:
            name = request.name or ""
            return status(404, "NotFound", f'{resource.plural if resource else "resource"} "{name}" not found')

    async def _serve_version(self, request):
        payload = await super()._serve_version(request)
        payload["groupVersion"] = payload["groupVersion"].lstrip("/")
        return payload

    async def _serve_list(self, request):
        payload = await super()._serve_list(request)
        resource = request.resource
        key = "/".join(p for p in (resource.group, resource.version, resource.plural) if p)
        kind = RESOURCES.get(key, (resource.plural.capitalize(), True))[0]
        group_version = "/".join(p for p in (resource.group, resource.version) if p)
        return {"kind": f"{kind}List", "apiVersion": group_version, **payload}


def object_key(manifest):
    resource = KINDS[manifest["apiVersion"], manifest["kind"]]
    meta = manifest["metadata"]
    namespaced = RESOURCES[resource][1]
    return resource, meta.get("namespace") if namespaced else None, meta["name"]


async def serve(seed, forbidden, hanging):
    emulator = Emulator()
    emulator.forbidden = set(forbidden)
    emulator.hanging = set(hanging)
    async with emulator as api, Server(api) as server:
        for key, (kind, namespaced) in RESOURCES.items():
            api.resources[key] = kmock.ResourceInfo(
                kind=kind, namespaced=namespaced, verbs=VERBS, singular=kind.lower())
        for manifest in seed:
            api.objects[object_key(manifest)] = manifest
        print(f"READY {server.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("seed")
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--hang", action="append", default=[])
    args = parser.parse_args()
    with open(args.seed) as f:
        seed = json.load(f)
    asyncio.run(serve(seed, args.forbid, args.hang))


if __name__ == "__main__":
    main()
