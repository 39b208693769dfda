#!/usr/bin/env python3
"""A Kubernetes API on 127.0.0.1 for the tests: kmock 0.8's KubernetesEmulator (PyPI, by the
author of kopf), repaired and extended where the real kubectl needs it:

- the core group's discovery says groupVersion "v1" (kmock says "/v1", and kubectl then takes
  pods and nodes for metrics.k8s.io);
- lists carry their kind and apiVersion, and honour label and field selectors;
- `GET /api/v1/namespaces/NAME` finds the namespace (kmock reads NAME as a namespace scope);
- errors are Kubernetes Status objects with the reasons kubectl prints (NotFound, Forbidden);
- watches are JSON lines, with the bookmark that ends the initial events (kmock sends
  application/octet-stream, which kubectl refuses);
- an OpenAPI v3 document per group-version, so `kubectl apply` validates on the server side;
- pods have a filesystem: each volume mount is its volume's folder on this machine (every
  PersistentVolumeClaim shows `--volume`, a ConfigMap's folder holds its data, an emptyDir is
  new), HOME a folder of the pod's own. The init containers of the OpenClaw image (`--image`)
  run their own commands with those paths, `--path` standing for the image's programs;
- `pods/exec` over WebSocket (v5.channel.k8s.io, v4 too) runs the command the same way, with
  the container's env (literal values and Secret references); `pods/log` gives an init
  container's output;
- small controllers: external-secrets (writes each target Secret with stand-in values; a new
  `force-sync` annotation moves `status.refreshTime`) and Deployments (pods from the template;
  a new template or replica count rolls out as `strategy: Recreate` does: the old pods
  terminate, then new ones start, run their init containers and become ready).

The objects come from a JSON file (a list of manifests). `--forbid PLURAL` answers 403 for every
request to that resource (`pods/exec` for exec), as an API server does when RBAC does not allow
it; `--hang PLURAL` (or `--hang '*'`: every resource) never answers, as an overloaded or
half-broken API server does; `/version` and discovery still answer.

usage: kube_emulator.py SEED.json [--forbid PLURAL]... [--hang PLURAL]... [--volume DIR]
                        [--path DIR] [--image PREFIX] [--npm-cache DIR]
Prints `READY <port>`, then serves until standard input closes.
"""
import argparse
import base64
import asyncio
import datetime
import hashlib
import json
import os
import re
import secrets
import sys
import tempfile
import traceback

import aiohttp.web
import kmock
from kmock._internal import k8s
from kmock._internal.apps import Server

VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]

# group/version/plural: (kind, namespaced, short names)
RESOURCES = {
    "v1/namespaces": ("Namespace", False, ["ns"]),
    "v1/pods": ("Pod", True, ["po"]),
    "v1/nodes": ("Node", False, ["no"]),
    "v1/services": ("Service", True, ["svc"]),
    "v1/secrets": ("Secret", True, []),
    "v1/configmaps": ("ConfigMap", True, ["cm"]),
    "apps/v1/deployments": ("Deployment", True, ["deploy"]),
    "networking.k8s.io/v1/servicecidrs": ("ServiceCIDR", False, []),
    "external-secrets.io/v1/clustersecretstores": ("ClusterSecretStore", False, ["css"]),
    "external-secrets.io/v1/externalsecrets": ("ExternalSecret", True, ["es"]),
    "argoproj.io/v1alpha1/applications": ("Application", True, ["app", "apps"]),
    # SIG Apps' Application (some GKE clusters): `application` alone may mean this one.
    "app.k8s.io/v1beta1/applications": ("Application", True, []),
}
# (apiVersion, kind) → resource
KINDS = {(key.rsplit("/", 1)[0], kind): key for key, (kind, _, _) in RESOURCES.items()}

# /api/v1/namespaces/NS/pods/NAME/exec
EXEC_PATH = re.compile(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)/exec")
LOG_PATH = re.compile(r"/api/v1/namespaces/([^/]+)/pods/([^/]+)/log")
NAMESPACE_PATH = re.compile(r"/api/v1/namespaces/([^/]+)")
# /api/v1/… or /apis/GROUP/VERSION/…, optionally namespaced: a list or watch of PLURAL
LIST_PATH = re.compile(
    r"/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<plural>[^/]+)")
HOME_IN_IMAGE = "/home/node"
# Exec stream channels (k8s.io/apimachinery/pkg/util/remotecommand).
STDIN, STDOUT, STDERR, ERROR, CLOSE = 0, 1, 2, 3, 255
# How long each step of a rollout takes, and how often the controllers look.
STEP = 0.5


def now():
    return datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def status(code, reason, message):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return aiohttp.web.json_response(body, status=code)


def forbidden(plural, group, verb):
    return status(403, "Forbidden", f'{plural}.{group or ""} is forbidden: User "clawboot-test" '
                                    f'cannot {verb} resource "{plural}" in API group "{group or ""}"')


def labels_match(labels, selector):
    """Equality- and set-based label selectors, as `kubectl -l` sends them."""
    for term in filter(None, re.split(r",(?![^(]*\))", selector or "")):
        term = term.strip()
        if m := re.fullmatch(r"(\S+?)\s*(!=|==|=)\s*(\S*)", term):
            key, op, value = m.groups()
            if (labels.get(key) == value) != (op != "!="):
                return False
        elif m := re.fullmatch(r"(\S+)\s+(in|notin)\s+\((.*)\)", term):
            key, op, values = m.groups()
            if (labels.get(key) in {v.strip() for v in values.split(",")}) != (op == "in"):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def field(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def fields_match(obj, selector):
    for term in filter(None, (selector or "").split(",")):
        m = re.fullmatch(r"([\w.]+)\s*(!=|==|=)\s*(.*)", term.strip())
        if m and (str(field(obj, m[1]) or "") == m[3]) != (m[2] != "!="):
            return False
    return True


def selected(obj, query):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels_match(labels, query.get("labelSelector")) and \
        fields_match(obj, query.get("fieldSelector"))


def in_pod(places, text):
    """`text` with the pod's paths as they are on this machine: each mount path is its volume's
    folder (a real one: OpenClaw refuses to write through links), anything else under the
    image's HOME is in the pod's root folder. `places`: [(path in the pod, folder here)]."""
    pattern = "|".join(re.escape(path) for path, _ in places)
    folders = dict(places)
    return re.sub(rf"(?<![\w.-])({pattern})(?=/|\s|\"|'|$)", lambda m: folders[m[1]], text)


def object_key(manifest):
    resource = KINDS[manifest["apiVersion"], manifest["kind"]]
    meta = manifest["metadata"]
    namespaced = RESOURCES[resource][1]
    return resource, meta.get("namespace") if namespaced else None, meta["name"]


def resource_path(resource):
    """kmock's resource reference as this file's keys spell it: `apps/v1/deployments`."""
    return "/".join(p for p in (resource.group, resource.version, resource.plural) if p)


def template_hash(deployment):
    spec = deployment.get("spec", {})
    text = json.dumps([spec.get("template"), spec.get("replicas", 1)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def initial_events_end(resource):
    """The bookmark that ends a watch's initial events (kubectl's watch-list asks for it)."""
    kind, _, _ = RESOURCES[resource]
    return {"type": "BOOKMARK", "object": {
        "kind": kind, "apiVersion": resource.rsplit("/", 1)[0],
        "metadata": {"resourceVersion": "1", "annotations": {"k8s.io/initial-events-end": "true"}}}}


def group_version(resource):
    """`apps/v1/deployments` → `apis/apps/v1`; `v1/pods` → `api/v1` (OpenAPI v3's path keys)."""
    gv = resource.rsplit("/", 1)[0]
    return f"apis/{gv}" if "/" in gv else f"api/{gv}"


def openapi_index():
    """OpenAPI v3's index: one document per group-version."""
    return {"paths": {gv: {"serverRelativeURL": f"/openapi/v3/{gv}?hash=0"}
                      for gv in sorted({group_version(r) for r in RESOURCES})}}


def openapi_document(gv):
    """Just enough for kubectl to see that PATCH takes `fieldValidation`, so it leaves
    validation to the server (which accepts any object) instead of asking for OpenAPI v2."""
    paths = {}
    for resource, (kind, namespaced, _) in RESOURCES.items():
        if group_version(resource) != gv:
            continue
        group, _, version = resource.rsplit("/", 1)[0].rpartition("/")
        plural = resource.rsplit("/", 1)[1]
        scope = "/namespaces/{namespace}" if namespaced else ""
        paths[f"/{gv}{scope}/{plural}/{{name}}"] = {"patch": {
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.0"},
            "paths": paths, "components": {"schemas": {}}}


class Emulator(kmock.KubernetesEmulator):
    forbidden: set = set()
    hanging: set = set()
    path: str = ""
    image: str = ""
    npm_cache: str = ""
    scratch: str = ""
    volume: str = ""

    def __attrs_post_init__(self):
        super().__attrs_post_init__()
        self.pod_places = {}  # pod name → [(path in the pod, folder here)]
        self.starting = set()  # tasks running init containers
        self.logs = {}  # (pod, container) → output

    # -- objects, as the controllers and the repairs see them

    def live(self, resource):
        """(key, raw object) of every live object of `resource`."""
        return [(key, obj.raw) for key, obj in self.objects.items()
                if resource_path(key[0]) == resource and not obj.deleted]

    def find(self, resource, namespace, name):
        for (res, ns, n), obj in self.live(resource):
            if (ns, n) == (namespace, name):
                return obj
        return None

    def key_of(self, resource, namespace, name):
        for key, _ in self.live(resource):
            if (key[1], key[2]) == (namespace, name):
                return key
        return None

    # -- requests

    async def __call__(self, raw):
        if m := EXEC_PATH.fullmatch(raw.path):
            if {"pods/exec", "*"} & self.hanging:
                await asyncio.sleep(3600)
            if "pods/exec" in self.forbidden:
                return forbidden("pods/exec", "", "create")
            return await self.exec(raw, *m.groups())
        if raw.method == "GET" and (m := LOG_PATH.fullmatch(raw.path)):
            log = self.logs.get((m[2], raw.query.get("container")))
            if log is None:
                return status(400, "BadRequest", f'container "{raw.query.get("container")}" in pod "{m[2]}" has no log here')
            return aiohttp.web.Response(text=log)
        if raw.path == "/openapi/v3":
            return aiohttp.web.json_response(openapi_index())
        if raw.path.startswith("/openapi/v3/"):
            return aiohttp.web.json_response(openapi_document(raw.path.removeprefix("/openapi/v3/")))
        if raw.method == "GET" and (m := NAMESPACE_PATH.fullmatch(raw.path)):
            if obj := self.find("v1/namespaces", None, m[1]):
                return aiohttp.web.json_response(obj)
            return status(404, "NotFound", f'namespaces "{m[1]}" not found')
        if raw.method == "GET" and raw.query.get("watch") in ("true", "1") and \
                (m := LIST_PATH.fullmatch(raw.path)):
            return await self.watch(raw, m)
        return await super().__call__(raw)

    async def _handle(self, request):
        resource = request.resource
        # Discovery (no plural) still answers: kubectl must get as far as the object.
        if resource is not None and resource.plural and {resource.plural, "*"} & self.hanging:
            await asyncio.sleep(3600)
        if resource is not None and resource.plural in self.forbidden:
            verb = {"fetch": "get"}.get(request.action.name.lower(), request.action.name.lower())
            return forbidden(resource.plural, resource.group, verb)
        try:
            response = await super()._handle(request)
        except k8s.KubernetesNotFoundError:
            name = request.name or ""
            return status(404, "NotFound", f'{resource.plural if resource else "resource"} "{name}" not found')
        if resource is not None and resource_path(resource) == "apps/v1/deployments" and request.name:
            async with self._lock:
                if key := self.key_of("apps/v1/deployments", request.namespace, request.name):
                    self.observe_spec(key)
        return response

    async def _serve_version(self, request):
        payload = await super()._serve_version(request)
        payload["groupVersion"] = payload["groupVersion"].lstrip("/")
        return payload

    async def _serve_list(self, request):
        payload = await super()._serve_list(request)
        resource = request.resource
        key = resource_path(resource)
        kind = RESOURCES.get(key, (resource.plural.capitalize(),))[0]
        group_version = "/".join(p for p in (resource.group, resource.version) if p)
        items = [o for o in payload["items"] if selected(o, request._raw_request.query)]
        return {"kind": f"{kind}List", "apiVersion": group_version, **payload, "items": items}

    async def watch(self, raw, m):
        """JSON lines of changes to the selected objects, until `timeoutSeconds` or the client
        goes: every object at first, then each change seen by polling (the controllers and
        requests change objects without telling anyone)."""
        resource = "/".join(p for p in (m["group"], m["version"] or m["core"], m["plural"]) if p)
        if {m["plural"], "*"} & self.hanging:
            await asyncio.sleep(3600)
        response = aiohttp.web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(raw)
        deadline = asyncio.get_running_loop().time() + float(raw.query.get("timeoutSeconds", 1800))
        seen = {}
        initial = raw.query.get("sendInitialEvents") == "true"
        while asyncio.get_running_loop().time() < deadline:
            current = {key: obj for key, obj in self.live(resource)
                       if m["namespace"] in (None, key[1]) and selected(obj, raw.query)}
            events = [{"type": "DELETED", "object": obj}
                      for key, obj in seen.items() if key not in current]
            events += [{"type": "ADDED" if key not in seen else "MODIFIED", "object": obj}
                       for key, obj in current.items() if seen.get(key) != obj]
            if initial:
                events.append(initial_events_end(resource))
                initial = False
            for event in events:
                await response.write(json.dumps(event).encode() + b"\n")
            seen = current
            await asyncio.sleep(0.1)
        await response.write_eof()
        return response

    async def exec(self, raw, namespace, name):
        pod = self.find("v1/pods", namespace, name)
        if pod is None:
            return status(404, "NotFound", f'pods "{name}" not found')
        containers = pod["spec"]["containers"]
        wanted = raw.query.get("container") or containers[0]["name"]
        container = next((c for c in containers if c["name"] == wanted), None)
        if container is None:
            return status(400, "BadRequest", f"container {wanted} is not valid for pod {name}")
        if (pod.get("status") or {}).get("phase") != "Running":
            return status(400, "BadRequest",
                          f"unable to upgrade connection: container not found (\"{wanted}\")")
        ws = aiohttp.web.WebSocketResponse(protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"))
        await ws.prepare(raw)
        if name not in self.pod_places:  # a pod seeded as running
            self.pod_places[name] = self.mount_volumes(namespace, name, pod["spec"])
        places = self.pod_places[name]
        command = [in_pod(places, arg) for arg in raw.query.getall("command")]
        try:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=in_pod(places, HOME_IN_IMAGE),
                env=self.container_env(namespace, container, places),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
        except OSError as e:
            await self.finish(ws, 127, f"exec failed: {e.strerror}: \"{command[0]}\"")
            return ws
        feeding = asyncio.create_task(self.feed(ws, process))
        try:
            await asyncio.gather(self.pump(ws, process.stdout, STDOUT),
                                 self.pump(ws, process.stderr, STDERR))
            code = await process.wait()
        finally:
            feeding.cancel()
            if process.returncode is None:  # the client went away: so does the command
                process.kill()
        await self.finish(ws, code, "")
        return ws

    def container_env(self, namespace, container, places):
        """The container's env (literal values and Secret references, paths as the pod sees
        them); HOME is the image's, and `--path` stands for the image's programs, first on
        PATH. npm's cache is shared by every pod when `--npm-cache` is given."""
        env = {"HOME": in_pod(places, HOME_IN_IMAGE), "PATH": os.environ["PATH"],
               "TMPDIR": in_pod(places, "/tmp")}
        for name in ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "LANG"):
            if name in os.environ:
                env[name] = os.environ[name]
        if self.npm_cache:
            env["npm_config_cache"] = self.npm_cache
        for variable in container.get("env", []):
            ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
            value = variable.get("value") if ref is None else self.secret_value(namespace, ref)
            if value is not None:
                env[variable["name"]] = in_pod(places, value)
        env["PATH"] = f"{self.path}:{env['PATH']}" if self.path else env["PATH"]
        return env

    @staticmethod
    async def feed(ws, process):
        async for message in ws:
            if message.type != aiohttp.WSMsgType.BINARY or not message.data:
                continue
            channel, data = message.data[0], message.data[1:]
            if channel == STDIN and process.stdin and not process.stdin.is_closing():
                process.stdin.write(data)
                await process.stdin.drain()
            elif channel == CLOSE and data[:1] == bytes([STDIN]):
                process.stdin.close()

    @staticmethod
    async def pump(ws, stream, channel):
        while chunk := await stream.read(65536):
            await ws.send_bytes(bytes([channel]) + chunk)

    @staticmethod
    async def finish(ws, code, message):
        if code == 0:
            result = {"metadata": {}, "status": "Success"}
        else:
            result = {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
                      "message": message or f"command terminated with non-zero exit code: {code}",
                      "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
        await ws.send_bytes(bytes([ERROR]) + json.dumps(result).encode())
        await ws.close()

    # -- controllers

    async def control(self):
        forced = {}
        while True:
            await asyncio.sleep(STEP)
            try:
                async with self._lock:
                    self.step(forced)
            except Exception:  # a broken controller must show, not stop quietly
                traceback.print_exc()

    def step(self, forced):
        self.sync_external_secrets(forced)
        for key, deployment in self.live("apps/v1/deployments"):
            # A deployment seeded without a template keeps the status it was given.
            if "template" in deployment.get("spec", {}):
                self.roll(key, deployment)

    def sync_external_secrets(self, forced):
        """external-secrets: writes each target Secret (with stand-in values: the emulator does
        not read SSM), and a `force-sync` annotation it has not seen moves the refresh time."""
        for key, es in self.live("external-secrets.io/v1/externalsecrets"):
            stamp = (es["metadata"].get("annotations") or {}).get("force-sync")
            if key in forced and forced[key] == stamp:
                continue
            forced[key] = stamp
            self.write_target(es)
            self.objects[key].patch({"status": {"refreshTime": now(), "conditions": [
                {"type": "Ready", "status": "True", "reason": "SecretSynced"}]}})

    def write_target(self, es):
        spec = es.get("spec") or {}
        if not spec.get("data"):
            return
        namespace = es["metadata"]["namespace"]
        name = (spec.get("target") or {}).get("name") or es["metadata"]["name"]
        data = {d["secretKey"]: base64.b64encode(f"emulated-{d['secretKey']}".encode()).decode()
                for d in spec["data"]}
        self.objects[("v1/secrets", namespace, name)] = {
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace}, "data": data}

    def secret_value(self, namespace, ref):
        secret = self.find("v1/secrets", namespace, ref["name"]) or {}
        value = (secret.get("data") or {}).get(ref["key"])
        return None if value is None else base64.b64decode(value).decode()

    def pods_of(self, deployment):
        namespace = deployment["metadata"]["namespace"]
        labels = deployment["spec"]["selector"]["matchLabels"]
        return [(key, pod) for key, pod in self.live("v1/pods")
                if key[1] == namespace and labels.items() <= (pod["metadata"].get("labels") or {}).items()]

    def roll(self, key, deployment):
        """One step of a Recreate rollout toward the deployment's template and replicas."""
        want = template_hash(deployment)
        pods = self.pods_of(deployment)
        old = [(k, p) for k, p in pods if p["metadata"]["labels"].get("pod-template-hash") != want]
        new = [(k, p) for k, p in pods if (k, p) not in old]
        replicas = deployment["spec"].get("replicas", 1)
        self.observe_spec(key)
        if old:
            for pod_key, pod in old:
                if pod["metadata"].get("deletionTimestamp"):
                    self.objects[pod_key].delete()
                else:
                    self.objects[pod_key].patch({"metadata": {"deletionTimestamp": now()},
                                                 "status": {"containerStatuses": [
                                                     {**c, "ready": False} for c in pod["status"].get("containerStatuses", [])]}})
        elif len(new) < replicas:
            self.start_pod(deployment, want)
        else:
            for pod_key, pod in new[replicas:]:
                self.objects[pod_key].delete()
            for pod_key, pod in new[:replicas]:
                if pod["status"].get("phase") == "Running":
                    self.objects[pod_key].patch({"status": {"containerStatuses": [
                        {"name": c["name"], "ready": True, "started": True}
                        for c in deployment["spec"]["template"]["spec"]["containers"]]}})
        running = [p for _, p in new[:replicas] if p["status"].get("phase") == "Running"]
        ready = 0 if old else len(running)
        updated = len(new)
        generation = self.objects[key].raw["metadata"].get("generation", 1)
        self.objects[key].patch({"status": {
            "observedGeneration": generation, "replicas": len(pods), "updatedReplicas": updated,
            "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [{"type": "Available", "status": "True" if ready >= replicas else "False"},
                           {"type": "Progressing", "status": "True",
                            "reason": "NewReplicaSetAvailable" if ready >= replicas else "ReplicaSetUpdated"}]}})

    def observe_spec(self, key):
        """A new template or replica count is a new generation, as the API server counts."""
        meta = self.objects[key].raw["metadata"]
        want = template_hash(self.objects[key].raw)
        seen = (meta.get("annotations") or {}).get("emulator/template-hash")
        if seen != want:
            generation = meta.get("generation", 1) + (seen is not None)
            self.objects[key].patch({"metadata": {
                "generation": generation, "annotations": {"emulator/template-hash": want}}})

    def start_pod(self, deployment, template):
        """A new pod, Pending until its init containers have run."""
        namespace = deployment["metadata"]["namespace"]
        name = f'{deployment["metadata"]["name"]}-{template[:10]}-{secrets.token_hex(3)[:5]}'
        spec = deployment["spec"]["template"]
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": namespace, "creationTimestamp": now(),
                            "labels": {**spec["metadata"].get("labels", {}), "pod-template-hash": template}},
               "spec": spec["spec"], "status": {"phase": "Pending"}}
        key = ("v1/pods", namespace, name)
        self.objects[key] = pod
        self.pod_places[name] = self.mount_volumes(namespace, name, spec["spec"])
        self.starting.add(asyncio.create_task(self.start(key, pod)))

    async def start(self, key, pod):
        try:
            await self.run_init_containers(key, pod)
        except Exception:  # a broken start must show, not leave the pod Pending quietly
            traceback.print_exc()

    def mount_volumes(self, namespace, name, spec):
        """Where the pod's paths are on this machine (see `in_pod`): each mount its volume's
        folder (the claim's is `--volume`, a ConfigMap's holds its data, an emptyDir is new),
        HOME a folder of the pod's own."""
        root = os.path.join(self.scratch, name)
        folders = {}
        for volume in spec.get("volumes", []):
            folder = os.path.join(self.scratch, f"{name}-{volume['name']}")
            if "persistentVolumeClaim" in volume:
                folder = self.volume
            os.makedirs(folder, exist_ok=True)
            if "configMap" in volume:
                config = self.find("v1/configmaps", namespace, volume["configMap"]["name"]) or {}
                for file, text in (config.get("data") or {}).items():
                    with open(os.path.join(folder, file), "w") as f:
                        f.write(text)
            folders[volume["name"]] = folder
        os.makedirs(root + HOME_IN_IMAGE, exist_ok=True)
        places = [(HOME_IN_IMAGE, root + HOME_IN_IMAGE)]
        containers = spec.get("initContainers", []) + spec["containers"]
        for mount in {m["mountPath"]: m for c in containers for m in c.get("volumeMounts", [])}.values():
            target = folders[mount["name"]]
            target = os.path.join(target, mount["subPath"]) if "subPath" in mount else target
            places.append((mount["mountPath"], target))
            # HOME's own lookups (`~/.openclaw`) go through a link, as through a mount.
            link = root + mount["mountPath"]
            if not os.path.lexists(link):
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink(target, link)
        # Longest first: /home/node/.openclaw is the claim's folder, not a path under HOME.
        return sorted(places, key=lambda place: -len(place[0]))

    async def run_init_containers(self, key, pod):
        """Each init container of the OpenClaw image runs its own command, in order (others,
        such as docker's, are taken as done); then the pod runs, or stays Pending with the
        failed one's exit code, as the kubelet leaves it."""
        places = self.pod_places[key[2]]
        statuses = []
        for container in pod["spec"].get("initContainers", []):
            code = 0
            if container.get("image", "").startswith(self.image):
                command = [in_pod(places, a) for a in container.get("command", []) + container.get("args", [])]
                process = await asyncio.create_subprocess_exec(
                    *command, cwd=in_pod(places, HOME_IN_IMAGE),
                    env=self.container_env(key[1], container, places),
                    stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT)
                try:
                    log, _ = await process.communicate()
                finally:
                    if process.returncode is None:  # the emulator stops: so does the pod
                        process.kill()
                self.logs[(key[2], container["name"])] = log.decode(errors="replace")
                code = process.returncode
            statuses.append({"name": container["name"], "ready": code == 0,
                             "state": {"terminated": {"exitCode": code}}})
            if code != 0:
                break
        async with self._lock:
            if live := self.key_of("v1/pods", key[1], key[2]):  # unless deleted meanwhile
                running = all(s["ready"] for s in statuses)
                self.objects[live].patch({"status": {
                    "phase": "Running" if running else "Pending",
                    "initContainerStatuses": statuses,
                    "containerStatuses": [{"name": c["name"], "ready": False, "started": running}
                                          for c in pod["spec"]["containers"]]}})


async def serve(args, seed):
    emulator = Emulator()
    emulator.forbidden = set(args.forbid)
    emulator.hanging = set(args.hang)
    emulator.path = args.path or ""
    emulator.image = args.image
    emulator.npm_cache = args.npm_cache
    with tempfile.TemporaryDirectory() as scratch:
        emulator.scratch = scratch
        emulator.volume = os.path.abspath(args.volume or os.path.join(scratch, "claim"))
        async with emulator as api, Server(api) as server:
            for key, (kind, namespaced, short) in RESOURCES.items():
                api.resources[key] = kmock.ResourceInfo(
                    kind=kind, namespaced=namespaced, verbs=VERBS, singular=kind.lower(),
                    shortnames=short)
            for manifest in seed:
                api.objects[object_key(manifest)] = manifest
            controllers = asyncio.create_task(api.control())
            print(f"READY {server.port}", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            controllers.cancel()
            for task in api.starting:
                task.cancel()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("seed")
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--hang", action="append", default=[])
    parser.add_argument("--volume", help="the folder every PersistentVolumeClaim mount shows")
    parser.add_argument("--path", help="the OpenClaw image's programs: a folder put first on PATH")
    parser.add_argument("--image", default="ghcr.io/openclaw/openclaw",
                        help="init containers of this image run (others are taken as done)")
    parser.add_argument("--npm-cache", help="npm's cache, shared by every pod's commands")
    args = parser.parse_args()
    with open(args.seed) as f:
        seed = json.load(f)
    asyncio.run(serve(args, seed))


if __name__ == "__main__":
    main()
