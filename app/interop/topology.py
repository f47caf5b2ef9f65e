"""docker-compose files and Kubernetes manifests as components and links.

Each compose service or Kubernetes workload becomes a component with its replicas as
instances; its kind is guessed from the image (postgres, redis, rabbitmq, nginx...), and the
preview says so. Calls come from ``depends_on`` and ``links`` (compose) and from environment
variables and arguments that name another service by address (``host:port``, a URL, a bare
host name), the usual wiring in both; a Kubernetes container's environment may come from a ConfigMap
or a Secret. Compose files given together (a base file and its override, ``-f`` files) are merged
as docker compose merges them, the documents of one file (``---``) and the merge tags ``!reset`` and
``!override`` included. Services that publish a port to the outside get a client.
Capacities and workloads are Faultline's defaults, named as such: these files say how many copies run, not how fast.
"""
from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.model import COMPONENT_CLASSES, Client, Design, Link, OpenLoop, Service
from engine.model.design import counted, shown

from .notes import ImportResult, InteropError
from .placing import match_name_ok
from .reading import Document, mapping, number, sequence

# Image words that say what a container is; the first match wins.
KIND_BY_IMAGE = (
    # ZooKeeper and etcd are coordination stores their clients call and wait on, not brokers (Consul is
    # one too, but its name is a word's start: a "consultation" service is no store)
    (("postgres", "mysql", "mariadb", "mongo", "cassandra", "cockroach", "couchdb", "-db", "_db", "sqlserver",
      "mssql", "oracle", "clickhouse", "elasticsearch", "opensearch", "scylla", "dynamodb", "zookeeper", "etcd"),
     "database"),
    (("redis", "memcached", "valkey", "hazelcast", "keydb", "dragonfly"), "cache"),
    (("rabbitmq", "kafka", "nats", "activemq", "pulsar", "redpanda"), "queue"),
    (("nginx", "envoy", "haproxy", "traefik", "edge-router", "caddy"), "load_balancer"),
)
# Tools that sit beside a store or broker and are named after it (its exporter, its admin UI, its
# migrations): services, whatever store their name mentions.
TOOL_WORDS = ("exporter", "kafka-ui", "kafdrop", "akhq", "mongo-express", "redis-commander", "redisinsight",
              "pgadmin", "phpmyadmin", "adminer", "migrat", "flyway", "liquibase", "backup")
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
    names: list[str] = field(default_factory=list)   # other host names it answers to (compose container_name)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (host name, service) its own links add
    autoscaling: dict[str, Any] | None = None        # an HPA's settings, as Autoscaler fields


_INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$\$")


def interpolated(text: str) -> str:
    """``text`` as a plain ``docker compose up`` fills it: ``${NAME:-default}`` is its default, a
    variable without one is empty (compose warns), ``$$`` a dollar."""
    def fill(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return match.group(3) or "" if match.group(2) in (":-", "-") else ""
    return _INTERPOLATION.sub(fill, text) if "$" in text else text


def names_address(word: str, name: str) -> bool:
    """Whether ``word`` (an environment value, an argument) addresses the host ``name``: the whole
    value (``REDIS_HOST=cache``, ``api.shop``, ``api.shop.svc.cluster.local``), a ``host:port``, or a
    URL's host (``postgres://user@db:5432/x``). A StatefulSet pod's own name (``kafka-0.kafka``)
    counts as its Service's. A name among other words (``controller,broker``) is no address."""
    if name not in word:
        # every form below holds the name as written: a system of a thousand services asks a
        # million times, nearly always of a word that does not hold it
        return False
    whole, host_port, url = _address_patterns(name)
    word = word.strip()
    return bool(whole.fullmatch(word) or host_port.search(word) or url.search(word))


@functools.lru_cache(maxsize=8192)
def _address_patterns(name: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    # compiled once a host: re's own cache holds 512, which a thousand hosts' three patterns overran,
    # so every test compiled its pattern again (nine minutes for 1,200 workloads)
    host = rf"(?:[\w-]+-\d+\.)?{re.escape(name)}"
    domain = r"(?:\.[\w-]+\.svc(?:\.[\w.-]+)?|\.[\w-]+)?"
    return (re.compile(host + domain), re.compile(rf"(?:^|[\s,;=@/]){host}(?:\.[\w-]+)*:\d"),
            re.compile(rf"//(?:[^/@\s]*@)?{host}(?:\.[\w-]+)*(?=[:/?#]|$)"))


def image_name(image: str) -> str:
    """``traefik`` of ``docker.io/library/traefik:v3.0``: the repository's own name, without the
    registry, the organisation (``traefik/whoami`` is no Traefik) or the tag."""
    return image.lower().rsplit("/", 1)[-1].split("@")[0].split(":")[0]


def guess_kind(name: str, image: str) -> str:
    text = f"{image_name(image)} {name.lower()}"
    if any(w in text for w in TOOL_WORDS):
        return "service"
    for words, kind in KIND_BY_IMAGE:
        if any(w in text for w in words):
            return kind
    return "service"


_HELM = "is a Helm or Go template ({{ ... }}), not a value yet: render the chart first (helm template) and import " \
        "the output"


def _replicas(value: Any, key: str, where: str) -> int:
    if "{{" in str(value):
        raise InteropError(f"{key} {_HELM}", where)
    # compose fills ${NAME:-default} from the environment: the default is what a plain run gets
    match = re.fullmatch(r"\$\{\w+:?-([^}]*)\}", str(value).strip())
    variable = re.fullmatch(r"\$\{(\w+)(?::?\?[^}]*)?\}", str(value).strip())
    if variable:
        raise InteropError(f"{key} is {value}, which compose fills from the environment or an .env file; give it a "
                           f"default as a plain run would get it (${{{variable.group(1)}:-1}})", where)
    count = int(number(match.group(1) if match else value, key, where, integer=True))
    if count < 0:
        raise InteropError(f"{key} must not be negative (got {count})", where)
    return count


# -- compose --------------------------------------------------------------------------------------

_COMPOSE_READ = {"image", "deploy", "scale", "depends_on", "ports", "profiles", "links", "environment", "command",
                 "entrypoint", "extends", "container_name", "hostname", "labels"}
# What a service that extends another does not take from it: the compose documentation keeps a
# service's dependencies visible where it is written.
_NOT_EXTENDED = {"depends_on", "volumes_from", "extends"}


def _env_values(environment: Any, key: str, where: str) -> list[str]:
    """The values of a compose ``environment``, written as a map or as ``NAME=value`` lines."""
    if isinstance(environment, list):
        return [str(item).partition("=")[2] for item in environment if item is not None]
    return [str(v) for v in mapping(environment, key, where).values() if v is not None]


def _env_map(environment: Any) -> Any:
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment if item is not None)
    return environment


def _merged(base: Any, own: Any) -> Any:
    """``own`` over ``base`` as compose merges an extended service: maps key by key, lists joined,
    anything else replaced."""
    if isinstance(base, dict) and isinstance(own, dict):
        return {**base, **{k: _merged(base[k], v) if k in base else v for k, v in own.items()}}
    if isinstance(base, list) and isinstance(own, list):
        return base + [item for item in own if item not in base]
    return own


def _extended(services: dict, name: str, doc: Document, result: ImportResult, seen: tuple = ()) -> dict:
    """Service ``name``'s settings with those of the service it ``extends`` (in the same file)."""
    where = doc.where(("services", name, "extends"))
    spec = mapping(services.get(name), f"services.{name}", doc.where(("services", name)))
    extends = spec.get("extends")
    if extends is None:
        return spec
    ref = {"service": extends} if isinstance(extends, str) else mapping(extends, f"services.{name}.extends", where)
    if ref.get("file"):
        result.add("not_understood", f"service {name} extends {ref.get('service')} of {ref['file']}, which is not "
                                     "read; give the settings it takes from there in this file", where)
        return spec
    base = str(ref.get("service", ""))
    if base not in services:
        raise InteropError(f"services.{name}.extends names the service {base!r}, which this file does not define",
                           where)
    if base in seen or base == name:
        raise InteropError(f"services.{name}.extends makes a loop ({' -> '.join((*seen, name, base))})", where)
    inherited = {k: v for k, v in _extended(services, base, doc, result, (*seen, name)).items()
                 if k not in _NOT_EXTENDED}
    if "environment" in inherited and "environment" in spec:
        # NAME=value lines and a map merge as one map, as compose merges them
        inherited["environment"] = _env_map(inherited["environment"])
        spec = {**spec, "environment": _env_map(spec["environment"])}
    return _merged(inherited, spec)


# -- compose files merged -------------------------------------------------------------------------

# What docker compose reads when no -f is given; its override goes over it.
_DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_OVERRIDE_FILE = re.compile(r"(?P<stem>.+)\.override\.ya?ml", re.IGNORECASE)
# Shell commands replace the earlier one whole rather than append to it (compose-spec, "Merge").
_REPLACED = {"command", "entrypoint"}
# Unique resources: an entry already there is not added twice.
_UNIQUE = {"ports", "links", "volumes", "secrets", "configs", "profiles"}


def _stem(name: str) -> str:
    return re.sub(r"\.ya?ml$", "", name, flags=re.IGNORECASE).lower()


def merge_order(names: list[str]) -> list[str]:
    """Compose files in the order docker compose merges them: the file it reads by default first,
    each override (``NAME.override.yml``) right after the file it overrides, the others as given.
    A folder is read in name order, which puts ``compose.override.yaml`` before ``compose.yaml``."""
    stems = {_stem(name) for name in names}
    overrides: dict[str, list[str]] = {}
    given = []
    for name in names:
        match = _OVERRIDE_FILE.fullmatch(name)
        if match and match["stem"].lower() in stems:
            overrides.setdefault(match["stem"].lower(), []).append(name)
        else:
            given.append(name)
    given.sort(key=lambda n: n.lower() not in _DEFAULT_FILES)
    return [placed for n in given for placed in (n, *overrides.pop(_stem(n), []))]


def _depends_map(depends: Any) -> Any:
    """``depends_on`` as a map: a list of services is compose's short form of one."""
    if isinstance(depends, list):
        return {str(name): {"condition": "service_started"} for name in depends}
    return depends


def compose_merged(base: Any, top: Any, path: tuple = ()) -> Any:
    """``top`` (a later compose file) over ``base`` as docker compose merges them: maps key by key,
    lists appended, a command replaced; ``environment`` and ``labels`` merge by name whether written
    as a map or as ``NAME=value`` lines, ``depends_on`` by service; ports and links are not added twice."""
    setting = path[2] if len(path) == 3 and path[0] == "services" else None
    if len(path) == 2 and path[0] == "services" and top is None:
        return base   # an empty service in an override changes nothing
    if setting in _REPLACED or (path[-2:] == ("healthcheck", "test") and path[0] == "services"):
        return top
    if setting in ("environment", "labels"):
        base, top = _env_map(base), _env_map(top)
    elif setting == "depends_on":
        base, top = _depends_map(base), _depends_map(top)
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for key, value in top.items():
            out[key] = compose_merged(base[key], value, path + (key,)) if key in base else value
        return out
    if isinstance(base, list) and isinstance(top, list):
        return base + [item for item in top if setting not in _UNIQUE or item not in base]
    return top


def _value_at(data: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


@dataclass
class MergedCompose(Document):
    """Compose files merged into one: ``where`` names the file that wrote a setting, the first
    that defines a map (a service is where its base file defines it), the last that sets a value."""

    layers: list[Document] = field(default_factory=list)

    def where(self, path: tuple) -> str:
        for depth in range(len(path), -1, -1):
            at = path[:depth]
            having = [layer for i, layer in enumerate(self.layers) if at in layer.lines
                      and not self._dropped(i, at)]
            if having:
                layer = having[0] if isinstance(_value_at(self.data, at), dict) else having[-1]
                return f"{layer.source}:{layer.lines[at]}"
        return self.source

    def _dropped(self, i: int, path: tuple) -> bool:
        """Whether what layer ``i`` wrote at ``path`` is gone from the merge: a later layer tags it (or a
        map holding it) ``!reset`` or ``!override``, or the layer itself tags it ``!reset``."""
        ancestors = [path[:depth] for depth in range(len(path) + 1)]
        tags = self._layer_tags
        return any(tags[i].get(at) == "!reset" for at in ancestors) or \
            any(at in later for later in tags[i + 1:] for at in ancestors)

    @functools.cached_property
    def _layer_tags(self) -> list[dict[tuple, str]]:
        # asked for every setting a message names: a system of a thousand services asks thousands of times
        return [_outer_tags(layer) for layer in self.layers]


def _outer_tags(doc: Document) -> dict[tuple, str]:
    """The merge tags of ``doc`` that docker compose acts on: one inside a tagged value is part of that
    value (compose-go reads no further into a tagged node)."""
    return {path: tag for path, tag in doc.tags.items()
            if not any(path[:depth] in doc.tags for depth in range(len(path)))}


def _untagged(data: Any, resets: set[tuple], path: tuple = ()) -> Any:
    """``data`` without the values tagged ``!reset``: compose reads them as never written."""
    if isinstance(data, dict):
        return {k: _untagged(v, resets, path + (k,)) for k, v in data.items() if path + (k,) not in resets}
    if isinstance(data, list):
        return [_untagged(v, resets, path + (i,)) for i, v in enumerate(data) if path + (i,) not in resets]
    return data


def _cleared(merged: Any, path: tuple) -> Any:
    """``merged`` (the files before) without the setting at ``path``, which a later file tags ``!reset`` or
    ``!override``. compose-go follows map keys only: a tag on a list item leaves the earlier items as
    they are."""
    if not path:
        return {}
    if not isinstance(merged, dict) or path[0] not in merged:
        return merged
    rest = path[1:]
    if not rest:
        return {k: v for k, v in merged.items() if k != path[0]}
    return {**merged, path[0]: _cleared(merged[path[0]], rest)}


def _said_tags(tags: dict[tuple, str]) -> str:
    words = {"!reset": "resets", "!override": "replaces whole"}
    return "; ".join(f"{words[tag]} {'.'.join(map(str, path)) or 'the whole file'} ({tag})"
                     for path, tag in sorted(tags.items(), key=lambda item: (item[1], str(item[0]))))


def compose_document(docs: list[Document], result: ImportResult) -> Document:
    """The one compose file ``docs`` make: a file of one document alone as it is; several files (a base
    and its override, ``-f`` files) merged in docker compose's order, which the notes state. A file of
    several YAML documents (``---``) is merged document by document, as compose-go loads it, and the
    merge tags ``!reset`` and ``!override`` act as compose's do: the tagged setting of the files and
    documents before is dropped, and a ``!reset`` value is read as never written."""
    if len(docs) == 1 and not docs[0].tags:
        return docs[0]
    files = list(dict.fromkeys(doc.source for doc in docs))
    order = merge_order(files) if len(files) > 1 else files
    layers = [doc for name in order for doc in docs if doc.source == name]   # a file's documents in order
    if len(files) > 1:
        result.add("mapped", f"compose files merged in this order, each over the ones before, as docker compose "
                             f"-f {' -f '.join(order)} merges them: services by name, settings key by key")
    for name in files:
        parts = [doc for doc in layers if doc.source == name]
        if len(parts) > 1:
            result.add("mapped", f"{name} holds {len(parts)} YAML documents (separated by ---); docker compose "
                                 "merges them in order, each over the ones before, as it merges files",
                       parts[1].where(()))
    merged: Any = {}
    for layer in layers:
        if not isinstance(layer.data, dict):
            raise InteropError("a compose file is a map (services: ...)", layer.where(()))
        tags = _outer_tags(layer)
        data = _untagged(layer.data, {path for path, tag in tags.items() if tag == "!reset"})
        services = mapping(layer.data.get("services"), "services", layer.where(("services",)))
        before = merged.get("services") or {}
        changed = [f"{name} ({', '.join(map(str, spec))})" if isinstance(spec, dict) and spec else str(name)
                   for name, spec in services.items() if name in before and ("services", name) not in tags]
        added = [str(name) for name in services if name not in before and ("services", name) not in tags]
        for path in sorted(tags, key=len):
            merged = _cleared(merged, path)
        merged = compose_merged(merged, data)
        first_of_file = layer is next(doc for doc in layers if doc.source == layer.source)
        what = layer.source if first_of_file else f"{layer.source} (document {layer.index + 1})"
        said = "; ".join(part for part in (f"changes {', '.join(changed)}" if changed else "",
                                           f"adds {', '.join(added)}" if added else "", _said_tags(tags)) if part)
        if layer is not layers[0]:
            over = "the files before it" if first_of_file else "the documents before it"
            result.add("mapped", f"{what} merged over {over}: {said or 'changes no service'}", layer.where(()))
        elif tags:
            result.add("mapped", f"{what}: {_said_tags(tags)}, as docker compose reads these tags", layer.where(()))
    return MergedCompose(merged, order[0], 0, dict(layers[0].lines), layers=layers)


def _compose(doc: Document, result: ImportResult) -> list[Workload]:
    services = doc.data.get("services")
    if not isinstance(services, dict) or not services:
        raise InteropError("has no services", doc.source)
    workloads = []
    depended = False
    routed: list[str] = []   # services a Traefik in the file routes to, by their labels
    for name, written_spec in services.items():
        path = ("services", name)
        where = doc.where(path)
        mapping(written_spec, f"services.{name}", where)
        spec = _extended(services, name, doc, result)
        if spec.get("profiles"):
            profiles = spec["profiles"] if isinstance(spec["profiles"], list) else [spec["profiles"]]
            result.add("not_understood", f"service {name} runs only with the profile(s) "
                                         f"{', '.join(map(str, profiles))}; left out", where)
            continue
        deploy = mapping(spec.get("deploy"), f"services.{name}.deploy", doc.where(path + ("deploy",)))
        replicas = deploy.get("replicas", spec.get("scale", 1))
        # of merged files, the one that set the count is named
        counted_at = path + (("deploy", "replicas") if "replicas" in deploy else ("scale",))
        w = Workload(str(name), where, interpolated(str(spec.get("image") or "")),
                     _replicas(replicas, f"services.{name} replicas", doc.where(counted_at)))
        if deploy.get("mode") == "global":
            result.add("differs", f"service {name}: deploy mode global runs one copy per node; taken as "
                                  "1 instance", where)
        depends = spec.get("depends_on") or []
        if not isinstance(depends, (list, dict)):
            raise InteropError(f"services.{name}.depends_on must be a list or a map of services (got {shown(depends)})",
                               doc.where(path + ("depends_on",)))
        w.calls = [str(d) for d in (depends if isinstance(depends, list) else depends.keys())]
        depended = depended or bool(w.calls)
        for link in sequence(spec.get("links"), f"services.{name}.links", doc.where(path + ("links",))):
            # SERVICE or SERVICE:ALIAS; the alias is a host name the service's settings may use
            target, _, alias = str(link).partition(":")
            if target not in w.calls:
                w.calls.append(target)
            if alias:
                w.aliases.append((alias, target))
        w.public = bool(spec.get("ports"))
        w.words = _env_values(spec.get("environment"), f"services.{name}.environment",
                              doc.where(path + ("environment",)))
        for key in ("command", "entrypoint"):
            value = spec.get(key)
            w.words += value.split() if isinstance(value, str) else [str(v) for v in sequence(value, key, where)]
        w.names = [str(spec[k]) for k in ("container_name", "hostname") if spec.get(k)]
        labels = _env_map(spec.get("labels"))
        if isinstance(labels, dict) and any(str(k).startswith("traefik.") for k in labels) \
                and str(labels.get("traefik.enable", "true")).lower() != "false":
            routed.append(w.name)
        resources = deploy.get("resources")
        limits = resources.get("limits") if isinstance(resources, dict) else None
        if limits:
            written_limits = ", ".join(f"{k} {v}" for k, v in limits.items()) if isinstance(limits, dict) else limits
            result.add("differs", f"service {name}: resource limits ({written_limits}) are not modelled; capacity "
                                  "is Faultline's default workers per instance", where)
        workloads.append(w)
    for proxy in (w for w in workloads if image_name(w.image) == "traefik"):
        picked = [name for name in routed if name != proxy.name and name not in proxy.calls]
        proxy.calls += picked
        if picked:
            result.add("mapped", f"{proxy.name} routes to {', '.join(picked)}: their traefik labels", proxy.where)
    by_host = {host: w.name for w in workloads for host in (w.name, *w.names)}
    wired = _wire(workloads, lambda w: {**by_host, **dict(w.aliases)})
    if wired:
        result.add("differs", f"calls were also read from environment variables and commands that name another "
                              f"service ({', '.join(wired)}); add the ones made some other way on the canvas",
                   doc.where(("services",)))
    if depended:
        result.add("differs", "depends_on is start-up order; it was taken as the calls between services",
                   doc.where(("services",)))
    unread = sorted({str(k) for spec in services.values() if isinstance(spec, dict) for k in spec} - _COMPOSE_READ)
    top = sorted(str(k) for k in doc.data if k not in ("services", "name", "version"))
    if unread or top:
        result.add("ignored", "not simulated: " + ", ".join([f"services' {k}" for k in unread] + top), doc.source)
    return workloads


def _wire(workloads: list[Workload], hosts: Callable[[Workload], dict[str, str]]) -> list[str]:
    """Add the calls each workload's words address (``hosts(w)``: host name -> workload); the calls
    added, as ``caller -> callee``."""
    added = []
    for w in workloads:
        for host, target in hosts(w).items():
            if target != w.name and target not in w.calls and any(names_address(word, host) for word in w.words):
                w.calls.append(target)
                added.append(f"{w.name} -> {target}")
    return added


# -- Kubernetes -----------------------------------------------------------------------------------

_WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "DeploymentConfig"}


# Where a container's environment takes values from: the reference's key, and the kind it names.
_KEY_REFS = {"configMapKeyRef": "ConfigMap", "secretKeyRef": "Secret"}
_ALL_REFS = {"configMapRef": "ConfigMap", "secretRef": "Secret"}


def _words(container: dict, configs: list[tuple[str, str, str | None]]) -> list[str]:
    """A container's arguments and environment values; the ConfigMaps and Secrets (kind, name, key)
    its environment takes values from are added to ``configs``, to be read once every file is."""
    words = [str(a) for a in sequence(container.get("args"), "args", "") + sequence(container.get("command"),
                                                                                     "command", "")]
    for env in sequence(container.get("env"), "env", ""):
        if isinstance(env, dict) and env.get("value") is not None:
            words.append(str(env["value"]))
        value_from = (env.get("valueFrom") if isinstance(env, dict) else None) or {}
        for field_name, kind in _KEY_REFS.items():
            ref = (value_from.get(field_name) if isinstance(value_from, dict) else None) or {}
            if isinstance(ref, dict) and ref.get("name"):
                configs.append((kind, str(ref["name"]), str(ref.get("key"))))
    for source in sequence(container.get("envFrom"), "envFrom", ""):
        for field_name, kind in _ALL_REFS.items():
            ref = (source.get(field_name) if isinstance(source, dict) else None) or {}
            if isinstance(ref, dict) and ref.get("name"):
                configs.append((kind, str(ref["name"]), None))
    return words


def _secret_values(item: dict, name: str, where: str, result: ImportResult) -> dict[str, str]:
    """A Secret's values as its containers see them: ``data`` decoded from base64, ``stringData``
    as written and winning over ``data`` (the API server merges it so). Only searched for the
    services they name: no value of a Secret is ever shown."""
    values: dict[str, str] = {}
    for key, value in mapping(item.get("data"), f"Secret {name} data", where).items():
        try:
            # Go's decoder, which the API server uses, skips line breaks
            raw = base64.b64decode(re.sub(r"[\r\n]", "", str(value)), validate=True)
        except (binascii.Error, ValueError):
            result.add("not_understood", f"Secret {name}: data.{key} is not base64, which Kubernetes refuses; the "
                                         "calls it names are not read", where)
            continue
        try:
            values[str(key)] = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue   # a certificate or a key store: bytes that address no service
    values.update({str(k): str(v) for k, v in mapping(item.get("stringData"), f"Secret {name} stringData",
                                                      where).items() if v is not None})
    return values


def _kubernetes(docs: list[Document], result: ImportResult, source: str) -> tuple[list[Workload], str]:
    """The workloads of ``docs``, and the system's name: its namespace, when they share one."""
    workloads: dict[str, Workload] = {}
    labels: dict[str, dict] = {}
    config_maps: dict[tuple[str, str], dict] = {}       # (ConfigMap or Secret, name) -> its values
    config_where: dict[tuple[str, str], str] = {}
    uses: dict[str, list[tuple[str, str, str | None]]] = {}   # workload -> the (kind, name, key) it reads
    services: list[tuple[str, dict, str, str]] = []
    scalers = []
    namespaces: set[str] = set()
    for doc in docs:
        items = sequence(doc.data.get("items"), "items", doc.where(("items",))) \
            if doc.data.get("kind") == "List" else [doc.data]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            at = () if item is doc.data else ("items", i)
            where = doc.where(at + ("metadata", "name"))
            kind = item.get("kind")
            meta = mapping(item.get("metadata"), f"{kind} metadata", where)
            name = str(meta.get("name", ""))
            if kind in _WORKLOAD_KINDS and not name:
                raise InteropError(f"this {kind} has no metadata.name; Kubernetes refuses it", where)
            spec = mapping(item.get("spec"), f"{kind} {name} spec", where)
            if kind in _WORKLOAD_KINDS:
                if meta.get("namespace"):
                    namespaces.add(str(meta["namespace"]))
                if name in workloads:
                    result.add("not_understood", f"{kind} {name}: a second workload of this name (a component has "
                                                 "one name); left out", where)
                    continue
                if not spec.get("template"):
                    raise InteropError(f"{kind} {name} has no spec.template, the pods it runs; Kubernetes refuses it",
                                       where)
                pod = mapping(spec.get("template"), f"{kind} {name} spec.template", where)
                template = mapping(pod.get("spec"), f"{kind} {name} spec.template.spec", where)
                containers = [c for c in sequence(template.get("containers"), f"{kind} {name} containers", where)
                              if isinstance(c, dict)]
                if not containers:
                    raise InteropError(f"{kind} {name} has no containers in spec.template.spec; Kubernetes refuses "
                                       "it", where)
                replicas = 1 if kind == "DaemonSet" else spec.get("replicas", 1)
                w = Workload(name, where, str(containers[0].get("image", "")),
                             _replicas(replicas, f"{kind} {name} spec.replicas", doc.where(at + ("spec", "replicas"))))
                for c in containers:
                    w.words += _words(c, uses.setdefault(name, []))
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
            elif kind == "ConfigMap":
                config_maps[(kind, name)] = mapping(item.get("data"), f"ConfigMap {name} data", where)
                config_where[(kind, name)] = where
            elif kind == "Secret":
                config_maps[(kind, name)] = _secret_values(item, name, where, result)
                config_where[(kind, name)] = where
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
    for user, configs in uses.items():
        for kind, config, key in configs:
            if (kind, config) not in config_maps:
                # Secrets are usually kept out of the files a system is described in: said, not an error
                kept = " (Secrets are often kept out of a repository)" if kind == "Secret" else ""
                result.add("not_understood", f"{user} takes environment values from {kind} {config}, which these "
                                             f"files do not define{kept}; the calls it names are not read",
                           workloads[user].where)
                continue
            values = config_maps[(kind, config)]
            workloads[user].words += [str(v) for v in (values.values() if key is None else [values.get(key)])
                                      if v is not None]
    used = {(kind, config) for configs in uses.values() for kind, config, _ in configs}
    for (kind, name), where in config_where.items():
        if (kind, name) not in used:
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
    wired = _wire(list(workloads.values()), lambda w: address)
    if wired:
        result.add("differs", f"calls were read from environment variables and arguments that name another service "
                              f"({', '.join(wired)}); add the ones made some other way on the canvas", source)
    if not workloads:
        targets = ", ".join(str((spec.get("scaleTargetRef") or {}).get("name")) for spec, _, _ in scalers)
        hint = f"; it autoscales {targets}: import it with the manifest that defines it" if targets else ""
        raise InteropError(f"has no Deployment, StatefulSet or DaemonSet to make components of{hint}",
                           source or ", ".join(dict.fromkeys(doc.source for doc in docs)))
    return list(workloads.values()), namespaces.pop() if len(namespaces) == 1 else ""


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
            what = " ".join(str(w) for w in (metric.get("type"), resource.get("name")) if w)
            result.add("differs", f"{key}: metric {i + 1} ({what}) is not modelled; Faultline scales "
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
    files = list(dict.fromkeys(doc.source for doc in docs))
    # a note about the whole system names its file; of several files, it stands without one
    source = files[0] if len(files) == 1 else ""
    if design is not None:
        raise InteropError(f"a {'compose file' if fmt == 'compose' else 'Kubernetes manifest'} describes a whole "
                           "system; import it without a design (other files given with it apply to the result)",
                           docs[0].source if docs else "")
    if fmt == "compose":
        doc = compose_document(docs, result)
        if isinstance(doc, MergedCompose):
            files = [layer.source for layer in doc.layers]   # the base file names the design
        workloads, system = _compose(doc, result), str(doc.data.get("name") or "")
    else:
        workloads, system = _kubernetes(docs, result, source)
    components, names = [], set()
    for w in workloads:
        if "{{" in w.name:
            raise InteropError(f"the name {w.name!r} {_HELM}", w.where)
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
    # A workload that nothing calls and that publishes no port, yet uses a queue, is that queue's
    # consumer: its work starts with the queue's messages, not with calls of its own to the queue.
    wanted = {target for w in workloads for target in w.calls}
    consumers = {w.name for w in workloads if not w.public and w.name not in wanted}
    for w in workloads:
        for target in w.calls:
            if target not in by_name:
                result.add("not_understood", f"{w.name} calls {target}, which these files do not define", w.where)
            elif w.name in consumers and by_name[target].kind == "queue" and not _reaches(links, w.name, target):
                links.append(Link(source=target, target=w.name))
                result.add("mapped", f"{target} -> {w.name}: {w.name} consumes {target}'s messages (nothing calls "
                                     f"{w.name} and it publishes no port)", w.where)
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
    reached = {link.target for link in links}
    for w in workloads:
        if w.name not in reached:
            result.add("differs", f"{w.name}: nothing in these files calls it and it publishes no port, so it gets no "
                                  "requests; connect it on the canvas", w.where)
    result.add("differs", "capacities (workers, connections) and service times are Faultline's defaults; the files "
                          "say how many copies run, not how fast", source)
    # compose's project name or the manifests' one namespace names the system as its owners do
    name = (interpolated(system) or files[0].rsplit(".", 1)[0])[:200] or "imported system"
    return Design(name=name, components=components, links=links,
                  description=f"Made from {', '.join(files)}: components from its workloads, calls from its wiring.")
