"""docker-compose files and Kubernetes manifests as components and links.

Each compose service or Kubernetes workload becomes a component with its replicas as
instances; its kind is guessed from the image (postgres, redis, rabbitmq, nginx...), and the
preview says so. Calls come from ``depends_on`` (compose) or from environment variables and
arguments that name another service (Kubernetes, where ``host:port`` addresses are the usual
wiring). Services that publish a port to the outside get a client. Capacities and workloads
are Faultline's defaults, named as such: these files say how many copies run, not how fast.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.model import COMPONENT_CLASSES, Client, Design, Link, OpenLoop, Service
from engine.model.design import counted, shown

from .notes import ImportResult, InteropError
from .placing import match_name_ok
from .reading import Document, mapping, number, sequence

# Image words that say what a container is; the first match wins.
KIND_BY_IMAGE = (
    (("postgres", "mysql", "mariadb", "mongo", "cassandra", "cockroach", "couchdb", "-db", "_db", "sqlserver",
      "mssql", "oracle", "clickhouse", "elasticsearch", "opensearch", "scylla", "dynamodb"), "database"),
    (("redis", "memcached", "valkey", "hazelcast", "keydb", "dragonfly"), "cache"),
    (("rabbitmq", "kafka", "nats", "activemq", "pulsar", "zookeeper", "redpanda"), "queue"),
    (("nginx", "envoy", "haproxy", "traefik", "edge-router", "caddy"), "load_balancer"),
)
CLIENT_RATE = 10.0  # requests/s of an invented client, until the user says otherwise


@dataclass
class Workload:
    """One container workload before it becomes a component."""

    name: str
    where: str
    image: str = ""
    replicas: int = 1
    calls: list[str] = field(default_factory=list)
    public: bool = False
    words: list[str] = field(default_factory=list)   # env values and arguments, searched for service names
    autoscaling: dict[str, Any] | None = None        # an HPA's settings, as Autoscaler fields


def guess_kind(name: str, image: str) -> str:
    text = f"{image.lower()} {name.lower()}"
    for words, kind in KIND_BY_IMAGE:
        if any(w in text for w in words):
            return kind
    return "service"


def _replicas(value: Any, key: str, where: str) -> int:
    # compose fills ${NAME:-default} from the environment: the default is what a plain run gets
    match = re.fullmatch(r"\$\{\w+:?-([^}]*)\}", str(value).strip())
    count = int(number(match.group(1) if match else value, key, where, integer=True))
    if count < 0:
        raise InteropError(f"{key} must not be negative (got {count})", where)
    return count


# -- compose --------------------------------------------------------------------------------------

_COMPOSE_READ = {"image", "deploy", "scale", "depends_on", "ports", "profiles"}


def _compose(doc: Document, result: ImportResult) -> list[Workload]:
    services = doc.data.get("services")
    if not isinstance(services, dict) or not services:
        raise InteropError("has no services", doc.source)
    workloads = []
    for name, spec in services.items():
        path = ("services", name)
        where = doc.where(path)
        spec = mapping(spec, f"services.{name}", where)
        if spec.get("profiles"):
            result.add("not_understood", f"service {name} runs only with the profile(s) {', '.join(spec['profiles'])}; "
                                         "left out", where)
            continue
        deploy = mapping(spec.get("deploy"), f"services.{name}.deploy", doc.where(path + ("deploy",)))
        replicas = deploy.get("replicas", spec.get("scale", 1))
        w = Workload(str(name), where, str(spec.get("image") or ""), _replicas(replicas, f"services.{name} replicas",
                                                                                doc.where(path + ("deploy",))))
        depends = spec.get("depends_on") or []
        if not isinstance(depends, (list, dict)):
            raise InteropError(f"services.{name}.depends_on must be a list or a map of services (got {shown(depends)})",
                               doc.where(path + ("depends_on",)))
        w.calls = [str(d) for d in (depends if isinstance(depends, list) else depends.keys())]
        w.public = bool(spec.get("ports"))
        limits = (deploy.get("resources") or {}).get("limits") if isinstance(deploy.get("resources"), dict) else None
        if limits:
            result.add("differs", f"service {name}: resource limits {limits} are not modelled; capacity is "
                                  "Faultline's default workers per instance", where)
        workloads.append(w)
    if any(w.calls for w in workloads):
        result.add("differs", "depends_on is start-up order; it was taken as the calls between services",
                   doc.where(("services",)))
    unread = sorted({str(k) for spec in services.values() if isinstance(spec, dict) for k in spec} - _COMPOSE_READ)
    top = sorted(str(k) for k in doc.data if k != "services")
    if unread or top:
        result.add("ignored", "not simulated: " + ", ".join([f"services' {k}" for k in unread] + top), doc.source)
    return workloads


# -- Kubernetes -----------------------------------------------------------------------------------

_WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "DeploymentConfig"}


def _words(container: dict) -> list[str]:
    words = [str(a) for a in sequence(container.get("args"), "args", "") + sequence(container.get("command"),
                                                                                     "command", "")]
    for env in sequence(container.get("env"), "env", ""):
        if isinstance(env, dict) and env.get("value") is not None:
            words.append(str(env["value"]))
    return words


def _kubernetes(docs: list[Document], result: ImportResult) -> list[Workload]:
    workloads: dict[str, Workload] = {}
    labels: dict[str, dict] = {}
    services: list[tuple[str, dict, str, str]] = []
    scalers = []
    for doc in docs:
        items = sequence(doc.data.get("items"), "items", doc.where(("items",))) \
            if doc.data.get("kind") == "List" else [doc.data]
        for item in items:
            if not isinstance(item, dict):
                continue
            where = doc.where(("metadata", "name")) if item is doc.data else doc.where(())
            kind = item.get("kind")
            meta = mapping(item.get("metadata"), f"{kind} metadata", where)
            name = str(meta.get("name", ""))
            spec = mapping(item.get("spec"), f"{kind} {name} spec", where)
            if kind in _WORKLOAD_KINDS:
                pod = mapping(spec.get("template"), f"{kind} {name} spec.template", where)
                template = mapping(pod.get("spec"), f"{kind} {name} spec.template.spec", where)
                containers = [c for c in sequence(template.get("containers"), f"{kind} {name} containers", where)
                              if isinstance(c, dict)]
                replicas = 1 if kind == "DaemonSet" else spec.get("replicas", 1)
                w = Workload(name, where, str(containers[0].get("image", "")) if containers else "",
                             _replicas(replicas, f"{kind} {name} spec.replicas", where))
                for c in containers:
                    w.words += _words(c)
                    if (c.get("resources") or {}).get("limits") or (c.get("resources") or {}).get("requests"):
                        result.add("differs", f"{kind} {name}: container {c.get('name')} resources are not modelled; "
                                              "capacity is Faultline's default workers per instance", where)
                if kind == "DaemonSet":
                    result.add("differs", f"DaemonSet {name}: one copy per node; taken as 1 instance", where)
                workloads[name] = w
                metadata = mapping(pod.get("metadata"), f"{kind} {name} template metadata", where)
                labels[name] = metadata.get("labels") or {}
            elif kind == "Service":
                services.append((name, mapping(spec.get("selector"), f"Service {name} selector", where),
                                 str(spec.get("type", "ClusterIP")), where))
            elif kind == "HorizontalPodAutoscaler":
                scalers.append((spec, where, name))
            elif kind == "Ingress":
                result.add("differs", f"Ingress {name}: the services it exposes are called by a client", where)
                for rule in spec.get("rules") or []:
                    for p in ((rule or {}).get("http") or {}).get("paths") or []:
                        backend = ((p or {}).get("backend") or {}).get("service") or {}
                        if backend.get("name"):
                            services.append((str(backend["name"]), {}, "Ingress", where))
            elif kind:
                result.add("ignored", f"{kind} {name} does not change how requests flow", where)
    # A Service is how others address a workload: map its name to the workload its selector picks.
    address: dict[str, str] = {name: name for name in workloads}
    for name, selector, kind, where in services:
        picked = [w for w, l in labels.items() if selector and all(l.get(k) == v for k, v in selector.items())]
        target = picked[0] if picked else (name if name in workloads else None)
        if target is None:
            if kind != "Ingress":
                result.add("not_understood", f"Service {name} selects no workload of these files", where)
            continue
        address[name] = target
        if kind in ("LoadBalancer", "NodePort", "Ingress"):
            workloads[target].public = True
    for spec, where, name in scalers:
        ref = mapping(spec.get("scaleTargetRef"), f"HorizontalPodAutoscaler {name} scaleTargetRef", where).get("name")
        if ref in workloads:
            w = workloads[ref]
            w.autoscaling = _autoscaler(spec, name, where, result)
            low, high = w.autoscaling["min_replicas"], w.autoscaling["max_replicas"]
            w.replicas = min(max(w.replicas, low), high)
            result.add("mapped", f"HorizontalPodAutoscaler {name} -> autoscaling of {ref} from "
                                 f"{counted(w.replicas, 'instance')}, {low} to {high}, at "
                                 f"{w.autoscaling['target_utilization']:g} % utilisation", where)
        else:
            result.add("not_understood", f"HorizontalPodAutoscaler {name} scales {ref}, which these files do not "
                                         "define", where)
    for w in workloads.values():
        for other, target in address.items():
            if target != w.name and any(re.search(rf"(?:(?<=//)|(?<![\w./-])){re.escape(other)}(?=[:./]|$)", word)
                                        for word in w.words):
                if target not in w.calls:
                    w.calls.append(target)
    if any(w.calls for w in workloads.values()):
        result.add("differs", "calls were read from environment variables and arguments that name another "
                              "service (host:port); add the ones made some other way on the canvas", docs[0].source)
    if not workloads:
        targets = ", ".join(str((spec.get("scaleTargetRef") or {}).get("name")) for spec, _, _ in scalers)
        hint = f"; it autoscales {targets}: import it with the manifest that defines it" if targets else ""
        raise InteropError(f"has no Deployment, StatefulSet or DaemonSet to make components of{hint}", docs[0].source)
    return list(workloads.values())


def _autoscaler(spec: dict, name: str, where: str, result: ImportResult) -> dict[str, Any]:
    """An HPA (autoscaling/v1 or v2) as Autoscaler fields; what it leaves out keeps Kubernetes' default."""
    key = f"HorizontalPodAutoscaler {name}"
    low = _replicas(spec.get("minReplicas", 1), f"{key} minReplicas", where)
    high = _replicas(spec.get("maxReplicas"), f"{key} maxReplicas", where)
    out: dict[str, Any] = {"enabled": True, "min_replicas": max(1, low), "max_replicas": max(1, high, low)}
    target = spec.get("targetCPUUtilizationPercentage")
    for i, metric in enumerate(sequence(spec.get("metrics"), f"{key} spec.metrics", where)):
        metric = mapping(metric, f"{key} spec.metrics[{i}]", where)
        resource = mapping(metric.get("resource"), f"{key} spec.metrics[{i}].resource", where)
        goal = mapping(resource.get("target"), f"{key} spec.metrics[{i}].resource.target", where)
        if metric.get("type") == "Resource" and resource.get("name") == "cpu" and "averageUtilization" in goal:
            target = goal["averageUtilization"]
        else:
            result.add("differs", f"{key}: metric {i + 1} ({metric.get('type')}) is not modelled; Faultline scales "
                                  "on its workers' utilisation", where)
    out["target_utilization"] = float(number(target if target is not None else 80, f"{key} target utilisation",
                                             where))
    behavior = mapping(spec.get("behavior"), f"{key} spec.behavior", where)
    for direction, field_name in (("scaleDown", "scale_down_stabilization"), ("scaleUp", "scale_up_stabilization")):
        rules = mapping(behavior.get(direction), f"{key} behavior.{direction}", where)
        if "stabilizationWindowSeconds" in rules:
            out[field_name] = float(number(rules["stabilizationWindowSeconds"],
                                           f"{key} behavior.{direction}.stabilizationWindowSeconds", where))
        if rules.get("policies"):
            result.add("differs", f"{key}: behavior.{direction}.policies are not modelled; Kubernetes' default "
                                  "policy applies", where)
    return out


def by_workload(workloads: list[Workload], name: str) -> Workload:
    return next(w for w in workloads if w.name == name)


def _reaches(links: list[Link], start: str, goal: str) -> bool:
    """Whether ``goal`` can be reached from ``start`` along ``links``."""
    seen: set = set()
    todo: list = [start]  # the links of an import are still written with names
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo += [l.target for l in links if l.source == name]
    return False


# -- both -----------------------------------------------------------------------------------------

def import_topology(docs: list[Document], design: Design | None, result: ImportResult, fmt: str) -> Design:
    """A new design from the workloads of ``docs``. A design to import into is refused: these
    files describe a whole system, which the other formats then refine."""
    source = docs[0].source if docs else ""
    if design is not None:
        raise InteropError(f"a {'compose file' if fmt == 'compose' else 'Kubernetes manifest'} describes a whole "
                           "system; import it without a design (other files given with it apply to the result)",
                           source)
    workloads = _compose(docs[0], result) if fmt == "compose" else _kubernetes(docs, result)
    components, names = [], set()
    for w in workloads:
        if not match_name_ok(w.name):
            raise InteropError(f'"{w.name}" cannot name a component (quotes, tabs, "->" or over 64 characters)',
                               w.where)
        kind = guess_kind(w.name, w.image)
        fields: dict[str, Any] = {"name": w.name}
        if "instances" in COMPONENT_CLASSES[kind].model_fields:
            fields["instances"] = max(1, w.replicas)
        if w.autoscaling is not None and "autoscaling" in COMPONENT_CLASSES[kind].model_fields:
            fields["autoscaling"] = w.autoscaling
        elif w.autoscaling is not None:
            result.add("differs", f"{w.name} is taken as a {kind}, which does not autoscale in Faultline; "
                                  f"it runs {counted(max(1, w.replicas), 'instance')}", w.where)
        if w.replicas == 0:
            result.add("differs", f"{w.name} runs 0 replicas; modelled with 1 instance", w.where)
        components.append(COMPONENT_CLASSES[kind](**fields))
        names.add(w.name)
        detail = f"{kind.replace('_', ' ')}" + (f" ({w.image})" if w.image else "")
        result.add("mapped", f"{w.name} -> {detail}, {counted(max(1, w.replicas), 'instance')}", w.where)
        if kind != "service":
            result.add("differs", f"{w.name}: kind {kind.replace('_', ' ')} guessed from its name and image", w.where)
    by_name = {c.name: c for c in components}
    links: list[Link] = []
    for w in workloads:
        for target in w.calls:
            if target not in by_name:
                result.add("not_understood", f"{w.name} calls {target}, which these files do not define", w.where)
            elif not by_name[w.name].calls_out:
                result.add("differs", f"{w.name} -> {target} left out: a {by_name[w.name].kind} makes no calls",
                           w.where)
            elif _reaches(links, target, w.name):
                result.add("differs", f"{w.name} -> {target} left out: it would close a call cycle", w.where)
            else:
                links.append(Link(source=w.name, target=target))
                result.add("mapped", f"{w.name} -> {target}: a call", w.where)
    callers = {link.source for link in links}
    for i, component in enumerate(components):
        # What the files leave without a dependency cannot be a cache or a balancer in the model.
        if component.kind == "cache" and component.name not in callers:
            components[i] = component.model_copy(update={"hit_ratio": 1.0})
            result.add("differs", f"{component.name}: a cache with no store behind it in these files; every lookup "
                                  "is taken as a hit", by_workload(workloads, component.name).where)
        elif component.kind == "load_balancer" and component.name not in callers:
            components[i] = Service(name=component.name)
            result.add("differs", f"{component.name}: a proxy that these files connect to nothing; modelled as a "
                                  "service", by_workload(workloads, component.name).where)
    by_name = {c.name: c for c in components}
    called = {link.target for link in links}
    entries = [w for w in workloads if w.public and w.name not in called] or \
        [w for w in workloads if w.name not in called and by_name[w.name].calls_out]
    for w in entries:
        client = f"{w.name} users"
        components.append(Client(name=client, workload=OpenLoop(rate=CLIENT_RATE)))
        links.append(Link(source=client, target=w.name))
    if entries:
        result.add("differs", f"clients at {CLIENT_RATE:g} requests/s call {', '.join(w.name for w in entries)}; "
                              "set the real workload", source)
    result.add("differs", "capacities (workers, connections) and service times are Faultline's defaults; the files "
                          "say how many copies run, not how fast", source)
    name = source.rsplit(".", 1)[0][:200] or "imported system"
    return Design(name=name, components=components, links=links,
                  description=f"Made from {source}: components from its workloads, calls from its wiring.")
