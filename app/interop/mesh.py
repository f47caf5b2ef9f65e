"""Envoy clusters and routes, and Istio ``DestinationRule`` / ``VirtualService``, both ways.

A cluster or host names the component it sends to (``default/orders``, ``orders:8080``,
``orders.shop.svc.cluster.local`` and ``outbound|80||orders.shop.svc.cluster.local`` all name
``orders``); its settings go on every call into that component, or on the call given by a
mapping ``CLUSTER=CALLER->CALLEE``. Where a field is left out, the proxy's default applies,
as it would in production (Envoy's route timeout of 15 s, Istio's two retries).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.model import (
    BulkheadPolicy,
    DeadlinePolicy,
    Design,
    EnvoyRetryBudget,
    OutlierDetectionPolicy,
    RetryPolicy,
    TimeoutPolicy,
)

from .notes import ImportResult, InteropError, Target, jitter_words, no_equivalent
from .placing import callers_of, effective_policy, left_out_notes, match_component, pick_caller, put_policy, skeleton
from .reading import (
    Document,
    boolean,
    go_duration,
    mapping,
    number,
    pick,
    proto_duration,
    proto_text,
    sequence,
    snake,
    validated,
)
from .yaml_out import Commented, dump_documents

# Envoy's own defaults [route_components.proto, circuit_breaker.proto, router filter docs].
ENVOY_ROUTE_TIMEOUT = 15.0
ENVOY_NUM_RETRIES = 1
ENVOY_BASE_INTERVAL = 0.025
ENVOY_THRESHOLD = 1024
# Istio's mesh-wide default retry policy when a VirtualService route says nothing.
ISTIO_ATTEMPTS = 2
ISTIO_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
# The exported sidecar's outbound listener (Istio's outbound port) and the port each cluster's endpoint
# is reached on: a design holds neither, so the file's header asks the user to adjust them.
ENVOY_LISTENER = ("127.0.0.1", 15001)
ENVOY_UPSTREAM_PORT = 80
HTTP_CONNECTION_MANAGER = ("type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
                           "HttpConnectionManager")
ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
UNLIMITED = 1_000_000   # limits at or above this are no limit a simulation would reach
# The policies each export writes; the others are named as left out.
ENVOY_CARRIED = ("bulkhead", "retry", "timeout", "deadline", "outlier_detection")
ISTIO_CARRIED = ("bulkhead", "retry", "timeout", "deadline")

# retry_on / retryOn conditions as the outcomes Faultline keeps apart
RETRY_ON = {
    "5xx": ("error", "unavailable", "timeout"),
    "gateway-error": ("unavailable", "timeout"),
    "reset": ("unavailable",),
    "reset-before-request": ("unavailable",),
    "connect-failure": ("unavailable",),
    "refused-stream": ("unavailable",),
    "http3-post-connect-failure": ("unavailable",),
    "unavailable": ("unavailable",),
    "deadline-exceeded": ("timeout",),
    "resource-exhausted": ("rejected",),
    "envoy-ratelimited": ("rejected",),
    "internal": ("error",),
    "retriable-4xx": ("error",),
    "cancelled": (),
    "retriable-headers": (),
}
STATUS_OUTCOME = {503: "unavailable", 504: "timeout", 429: "rejected"}
OUTCOME_RETRY_ON = {"error": "5xx", "unavailable": "connect-failure,refused-stream,unavailable",
                    "timeout": "gateway-error", "rejected": "resource-exhausted"}
_CLUSTER_KEYS = {"connect_timeout", "circuit_breakers", "outlier_detection", "lb_policy", "load_assignment",
                 "eds_cluster_config", "dns_lookup_family", "load_balancing_policy"}


@dataclass
class CallSettings:
    """What one cluster or host says about the calls into it."""

    name: str
    where: str
    bulkhead: BulkheadPolicy | None = None
    retry: RetryPolicy | None = None
    timeout: TimeoutPolicy | None = None
    deadline: DeadlinePolicy | None = None   # a route timeout over every attempt
    budget: EnvoyRetryBudget | None = None
    outlier: OutlierDetectionPolicy | None = None
    wheres: dict[str, str] = field(default_factory=dict)
    given: dict[str, str] = field(default_factory=dict)   # by policy kind: the file's fields, as written


def written(fields: Any, prefix: str = "") -> str:
    """A file's fields as the preview shows them, as written: ``num_retries 2, retry_on 5xx,reset,
    retry_back_off.base_interval 0.025s`` (a protobuf wrapper's ``{value: 5}`` is its value)."""
    if not isinstance(fields, dict):
        return ""
    parts = []
    for key, value in fields.items():
        if isinstance(value, dict) and set(value) == {"value"}:
            value = value["value"]
        if isinstance(value, dict):
            inner = written(value, f"{prefix}{key}.")
            if inner:
                parts.append(inner)
        elif isinstance(value, list):
            parts.append(f"{prefix}{key} {','.join(map(str, value))}")
        elif value is not None:
            parts.append(f"{prefix}{key} {value}")
    return ", ".join(parts)


def host_names(name: str) -> list[str]:
    """The names a cluster or host may go by, most specific first."""
    names = [name]
    if name.count("|") == 3:                      # Istio: outbound|port|subset|host
        name = name.split("|")[3]
        names.append(name)
    tail = name.rsplit("/", 1)[-1].split(":")[0]  # namespace/name:port
    names += [tail, tail.split(".")[0]]            # name.namespace.svc.cluster.local
    return list(dict.fromkeys(n for n in names if n))


def _callee(design: Design, name: str):
    for candidate in host_names(name):
        found = match_component(design, candidate)
        if found is not None:
            return found
    return None


def _dicts(data: Any, path: tuple = (), budget: list | None = None) -> Iterator[tuple[dict, tuple]]:
    budget = budget if budget is not None else [200_000]
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(data, dict):
        yield data, path
        for key, value in data.items():
            yield from _dicts(value, path + (key,), budget)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _dicts(value, path + (i,), budget)


def looks_like_istio(data: Any) -> bool:
    return isinstance(data, dict) and "istio.io" in str(data.get("apiVersion", ""))


def _retry_outcomes(conditions: str, codes: list, key: str, where: str, result: ImportResult) -> list[str]:
    outcomes: set[str] = set()
    for token in (t.strip() for t in str(conditions).split(",") if t.strip()):
        if token.isdigit():                        # Istio accepts plain status codes in retryOn
            codes = list(codes) + [int(token)]
        elif token == "retriable-status-codes":
            outcomes.update(STATUS_OUTCOME.get(int(c), "error") for c in codes or [])
        elif token in RETRY_ON:
            outcomes.update(RETRY_ON[token])
        else:
            result.add("not_understood", f"{key}: retry condition {token!r} is not one Faultline knows", where)
    if any(t.isdigit() for t in str(conditions).split(",")):
        outcomes.update(STATUS_OUTCOME.get(int(c), "error") for c in codes)
    return sorted(outcomes)


def _settings(found: dict[str, CallSettings], name: str, where: str) -> CallSettings:
    return found.setdefault(name, CallSettings(name, where))


# -- outlier detection ----------------------------------------------------------------------------

_OUTLIER_TIMES = ("interval", "base_ejection_time", "max_ejection_time")
_OUTLIER_COUNTS = ("consecutive_5xx", "consecutive_gateway_failure", "success_rate_minimum_hosts",
                   "success_rate_request_volume", "success_rate_stdev_factor", "failure_percentage_minimum_hosts",
                   "failure_percentage_request_volume")
_OUTLIER_PERCENTS = ("max_ejection_percent", "enforcing_consecutive_5xx", "enforcing_consecutive_gateway_failure",
                     "enforcing_success_rate", "failure_percentage_threshold", "enforcing_failure_percentage")
# Istio's names, and what its control plane writes into Envoy's cluster for each
_ISTIO_OUTLIER = {"consecutive5xxErrors": "consecutive_5xx", "consecutiveGatewayErrors": "consecutive_gateway_failure",
                  "interval": "interval", "baseEjectionTime": "base_ejection_time",
                  "maxEjectionPercent": "max_ejection_percent"}


def _outlier_policy(values: dict, key: str, where: str) -> OutlierDetectionPolicy:
    return validated(OutlierDetectionPolicy, values, key, where)


def _envoy_outlier(config: Any, name: str, where: str, result: ImportResult) -> OutlierDetectionPolicy:
    """Envoy's cluster outlier_detection; a field left out keeps Envoy's default."""
    key = f"cluster {name} outlier_detection"
    config = mapping(config, key, where)
    values: dict[str, Any] = {}
    for raw, value in config.items():
        field_name = snake(str(raw))
        if isinstance(value, dict) and set(value) == {"value"}:   # a protobuf wrapper type
            value = value["value"]
        if field_name in _OUTLIER_TIMES:
            values[field_name] = proto_duration(value, f"{key}.{raw}", where)
        elif field_name in _OUTLIER_COUNTS:
            values[field_name] = number(value, f"{key}.{raw}", where, integer=True)
        elif field_name in _OUTLIER_PERCENTS:
            values[field_name] = number(value, f"{key}.{raw}", where)
        elif field_name == "always_eject_one_host":
            values[field_name] = boolean(value, f"{key}.{raw}", where)
        else:
            result.add("differs", f"{key}.{raw} is not modelled (local-origin errors count as gateway failures, "
                                  "with no jitter, panic threshold or active health checks)", where)
    return _outlier_policy(values, key, where)


def _istio_outlier(config: Any, key: str, where: str, result: ImportResult) -> OutlierDetectionPolicy:
    """Istio's outlierDetection as its control plane writes it for Envoy: success-rate ejection
    off, and a consecutive count given enforced at 100 % (0 turns it off)."""
    config = mapping(config, f"{key} outlierDetection", where)
    values: dict[str, Any] = {"enforcing_success_rate": 0.0}
    for raw, value in config.items():
        name = "consecutive5xxErrors" if raw == "consecutiveErrors" else str(raw)
        field_name = _ISTIO_OUTLIER.get(name)
        if field_name in _OUTLIER_TIMES:
            values[field_name] = go_duration(value, f"{key} outlierDetection.{raw}", where)
        elif field_name == "max_ejection_percent":
            values[field_name] = number(value, f"{key} outlierDetection.{raw}", where)
        elif field_name is not None:
            count = number(value, f"{key} outlierDetection.{raw}", where, integer=True)
            enforcing = "enforcing_" + field_name
            values[enforcing] = 100.0 if count > 0 else 0.0
            if count > 0:
                values[field_name] = count
        else:
            result.add("differs", f"{key}: outlierDetection.{raw} is not modelled (no panic threshold, no split of "
                                  "local-origin errors)", where)
    return _outlier_policy(values, f"{key} outlierDetection", where)


# -- Envoy ----------------------------------------------------------------------------------------

def _envoy_outlier_out(policy: OutlierDetectionPolicy) -> dict[str, Any]:
    """A cluster's outlier_detection, every field spelled out so the file says what runs."""
    out: dict[str, Any] = {}
    for name in OutlierDetectionPolicy.model_fields:
        value = getattr(policy, name)
        if name in _OUTLIER_TIMES:
            if value is not None:
                out[name] = proto_text(value)
        elif name in _OUTLIER_COUNTS or name in _OUTLIER_PERCENTS or name == "always_eject_one_host":
            out[name] = value
    return out


def _envoy_cluster(cluster: dict, path: tuple, doc: Document, found: dict, result: ImportResult) -> None:
    name = str(pick(cluster, "name"))
    where = doc.where(path)
    settings = _settings(found, name, where)
    for key in cluster:
        key_s = snake(str(key))
        if key_s == "outlier_detection":
            settings.outlier = _envoy_outlier(cluster[key], name, doc.where(path + (key,)), result)
            settings.wheres["outlier_detection"] = doc.where(path + (key,))
            settings.given["outlier_detection"] = written(cluster[key]) or "Envoy's defaults"
        elif key_s in ("connect_timeout", "lb_policy", "load_balancing_policy", "dns_lookup_family"):
            result.add("ignored", f"cluster {name}: {key} — connections, DNS and the proxy's host choice are not "
                                  "simulated", doc.where(path + (key,)))
    breakers = pick(cluster, "circuit_breakers")
    if breakers is None:
        return
    cb_where = doc.where(path + (next(k for k in cluster if snake(str(k)) == "circuit_breakers"),))
    breakers = mapping(breakers, f"cluster {name} circuit_breakers", cb_where)
    every = [t for t in sequence(pick(breakers, "thresholds"), f"cluster {name} circuit_breakers.thresholds", cb_where)
             if isinstance(t, dict)]
    thresholds = [t for t in every if str(t.get("priority", "DEFAULT")).upper() == "DEFAULT"]
    for t in every:
        if t not in thresholds:
            result.add("not_understood", f"cluster {name} circuit_breakers: the thresholds for priority "
                                         f"{t.get('priority')} guard only routes of that priority, which Faultline "
                                         "does not model; left out", cb_where)
    if pick(breakers, "per_host_thresholds"):
        result.add("not_understood", f"cluster {name}: per-host thresholds are not modelled", cb_where)
    if not thresholds:
        return
    t = thresholds[0]
    key = f"cluster {name} circuit_breakers"
    limits = {k: number(pick(t, k, ENVOY_THRESHOLD), f"{key}.{k}", cb_where, integer=True)
              for k in ("max_connections", "max_pending_requests", "max_requests", "max_retries")}
    concurrency = min(limits["max_requests"], limits["max_connections"])
    if concurrency < UNLIMITED:
        settings.bulkhead = validated(BulkheadPolicy, {"max_concurrent_calls": concurrency, "max_wait_duration": 0.0},
                                      key, cb_where, {"max_concurrent_calls": "max_requests"})
        settings.wheres["bulkhead"] = cb_where
        settings.given["bulkhead"] = ", ".join(f"{k} {limits[k]}" for k in ("max_requests", "max_connections"))
        result.add("differs", f"{key}: modelled as a bulkhead of {concurrency} concurrent calls "
                              f"(the lower of max_requests {limits['max_requests']} and max_connections "
                              f"{limits['max_connections']}); the {limits['max_pending_requests']} pending requests "
                              "Envoy queues for a connection are not", cb_where)
    budget = pick(t, "retry_budget")
    if isinstance(budget, dict):
        percent = pick(budget, "budget_percent", {})
        percent = percent.get("value", 20.0) if isinstance(percent, dict) else percent
        settings.budget = validated(EnvoyRetryBudget, {
            "budget_percent": number(percent, f"{key}.retry_budget.budget_percent", cb_where),
            "min_retry_concurrency": number(pick(budget, "min_retry_concurrency", 3),
                                            f"{key}.retry_budget.min_retry_concurrency", cb_where, integer=True)},
            f"{key}.retry_budget", cb_where)
    elif "max_retries" in {snake(str(k)) for k in t}:
        result.add("differs", f"{key}.max_retries {limits['max_retries']}: a cap on concurrent retries is not "
                              "modelled (an Envoy retry_budget is)", cb_where)


def _envoy_route(route: dict, path: tuple, doc: Document, found: dict, result: ImportResult) -> None:
    action = route["route"]
    where = doc.where(path)
    clusters = []
    if pick(action, "cluster"):
        clusters = [str(pick(action, "cluster"))]
    weighted = pick(action, "weighted_clusters")
    if isinstance(weighted, dict):
        clusters += [str(c.get("name")) for c in weighted.get("clusters", []) if isinstance(c, dict)]
    if not clusters:
        return
    label = f"route to {', '.join(clusters)}"
    raw_timeout = pick(action, "timeout")
    overall = ENVOY_ROUTE_TIMEOUT if raw_timeout is None else go_duration(raw_timeout, f"{label} timeout", where)
    route_given = "Envoy's default timeout 15s" if raw_timeout is None else f"timeout {raw_timeout}"
    retry, per_try = None, None
    policy = pick(action, "retry_policy")
    if isinstance(policy, dict):
        retry, per_try = _envoy_retry(policy, label, doc.where(path + ("route",)), result)
    deadline, timeout, named = None, None, ""
    if retry is not None:
        if overall > 0:
            # The route's timeout bounds the whole request, every retry and backoff included, and
            # per_try_timeout each attempt: a deadline around the retries, as gRPC's call timeout is.
            deadline = validated(DeadlinePolicy, {"deadline": overall}, label, where, {"deadline": "timeout"})
            said = "Envoy's default route timeout of 15 s" if raw_timeout is None \
                else f"the route timeout of {overall:g} s"
            result.add("differs", f"{label}: {said} bounds the whole call, every retry included: a deadline in "
                                  "Faultline, which also hands what is left of it to the callee's own calls (Envoy "
                                  "only tells the upstream, in x-envoy-expected-rq-timeout-ms)", where)
        if per_try:
            timeout, named = per_try, "per_try_timeout"
    elif per_try and (overall <= 0 or per_try <= overall):
        timeout, named = per_try, "per_try_timeout"   # one attempt: the earlier of the two bounds ends it
    elif overall > 0:
        timeout, named = overall, "timeout"
        if raw_timeout is None:
            result.add("differs", f"{label}: no timeout, so Envoy's default of 15 s applies", where)
    for name in clusters:
        settings = _settings(found, name, where)
        if timeout is not None:
            settings.timeout = validated(TimeoutPolicy, {"timeout": timeout, "cancel_on_timeout": True},
                                         label, where, {"timeout": named})
            settings.wheres["timeout"] = where
            settings.given["timeout"] = (f"per_try_timeout {pick(policy, 'per_try_timeout')}"
                                         if named == "per_try_timeout" else route_given)
        if deadline is not None:
            settings.deadline = deadline
            settings.wheres["deadline"] = where
            settings.given["deadline"] = f"{route_given}, over every attempt"
        if retry is not None:
            settings.retry = retry
            settings.wheres["retry"] = where
            settings.given["retry"] = written(policy)


def _envoy_retry(policy: dict, label: str, where: str, result: ImportResult) -> tuple[RetryPolicy | None, float | None]:
    per_try = pick(policy, "per_try_timeout")
    per_try = go_duration(per_try, f"{label} per_try_timeout", where) if per_try is not None else None
    conditions = pick(policy, "retry_on")
    if not conditions:
        result.add("not_understood", f"{label}: retry_policy has no retry_on, so Envoy retries only when a request "
                                     "header asks; left out", where)
        return None, per_try
    if isinstance(conditions, list):
        conditions = ",".join(str(c) for c in conditions)
    codes = pick(policy, "retriable_status_codes", []) or []
    outcomes = _retry_outcomes(conditions, codes, f"{label} retry_on", where, result)
    raw_retries = pick(policy, "num_retries", ENVOY_NUM_RETRIES)
    if isinstance(raw_retries, dict) and set(raw_retries) == {"value"}:   # a protobuf wrapper type
        raw_retries = raw_retries["value"]
    retries = number(raw_retries, f"{label} num_retries", where, integer=True)
    if retries < 0:
        raise InteropError(f"{label} num_retries must be 0 or more (got {retries}); Envoy refuses the route", where)
    backoff = mapping(pick(policy, "retry_back_off"), f"{label} retry_back_off", where)
    base = go_duration(pick(backoff, "base_interval"), f"{label} base_interval", where) \
        if pick(backoff, "base_interval") else ENVOY_BASE_INTERVAL
    cap = go_duration(pick(backoff, "max_interval"), f"{label} max_interval", where) \
        if pick(backoff, "max_interval") else 10 * base
    if cap < base:
        raise InteropError(f"{label} retry_back_off: max_interval {cap * 1000:g} ms is below base_interval "
                           f"{base * 1000:g} ms, which Envoy refuses", where)
    for key in policy:
        if snake(str(key)) in ("retry_host_predicate", "host_selection_retry_max_attempts", "retry_priority"):
            result.add("ignored", f"{label}: {key} picks another host for a retry; Faultline's load balancing "
                                  "decides the instance", where)
    if retries == 0:
        result.add("ignored", f"{label}: retry_policy num_retries 0 makes no retry (in Envoy too); left out", where)
    if not outcomes or retries < 1:
        return None, per_try
    result.add("differs", f"{label}: Envoy's backoff is fully jittered exponential from {base * 1000:g} ms; "
                          "Faultline draws full jitter over base x 2^(n-1)", where)
    retry = validated(RetryPolicy, dict(max_attempts=min(retries + 1, 100), wait_duration=base, backoff="exponential",
                                        multiplier=2.0, max_wait_duration=cap, jitter="full", retry_on=outcomes),
                      f"{label} retry_back_off", where,
                      {"wait_duration": "base_interval", "max_wait_duration": "max_interval"})
    return retry, per_try


# -- Istio ----------------------------------------------------------------------------------------

def _istio(doc: Document, found: dict, result: ImportResult) -> None:
    data = doc.data
    kind = data.get("kind")
    spec = mapping(data.get("spec"), f"{kind} spec", doc.where(("spec",)))
    if kind == "DestinationRule":
        host = str(spec.get("host", ""))
        where = doc.where(("spec", "host"))
        settings = _settings(found, host, where)
        policy = mapping(spec.get("trafficPolicy"), "trafficPolicy", doc.where(("spec", "trafficPolicy")))
        limit_where = doc.where(("spec", "trafficPolicy", "connectionPool"))
        pool = mapping(policy.get("connectionPool"), "trafficPolicy.connectionPool", limit_where)
        tcp = mapping(pool.get("tcp"), "connectionPool.tcp", limit_where)
        http = mapping(pool.get("http"), "connectionPool.http", limit_where)
        key = f"DestinationRule {data.get('metadata', {}).get('name', host)}"
        conns = number(tcp.get("maxConnections", 2**32 - 1), f"{key} tcp.maxConnections", limit_where, integer=True)
        reqs = number(http.get("http2MaxRequests", 2**32 - 1), f"{key} http2MaxRequests", limit_where, integer=True)
        concurrency = min(conns, reqs)
        if concurrency < UNLIMITED:
            settings.bulkhead = validated(BulkheadPolicy, {"max_concurrent_calls": concurrency}, key, limit_where,
                                          {"max_concurrent_calls": "connectionPool"})
            settings.wheres["bulkhead"] = limit_where
            settings.given["bulkhead"] = written(pool)
            pending = http.get("http1MaxPendingRequests", 2**32 - 1)
            result.add("differs", f"{key}: connectionPool modelled as a bulkhead of {concurrency} concurrent calls; "
                                  f"the {pending} pending requests queued for a connection are not", limit_where)
        if "maxRetries" in http:
            result.add("differs", f"{key}: http.maxRetries {http['maxRetries']} caps concurrent retries, which is "
                                  "not modelled", limit_where)
        if "outlierDetection" in policy:
            od_where = doc.where(("spec", "trafficPolicy", "outlierDetection"))
            settings.outlier = _istio_outlier(policy["outlierDetection"], key, od_where, result)
            settings.wheres["outlier_detection"] = od_where
            settings.given["outlier_detection"] = written(policy["outlierDetection"]) or "Istio's defaults"
            result.add("differs", f"{key}: outlierDetection as Istio configures Envoy: success-rate ejection off",
                       od_where)
        for other in ("loadBalancer", "tls", "portLevelSettings"):
            if other in policy:
                result.add("ignored", f"{key}: trafficPolicy.{other} is not simulated",
                           doc.where(("spec", "trafficPolicy", other)))
        if spec.get("subsets"):
            result.add("not_understood", f"{key}: subsets (versions of {host}) are not modelled; their own "
                                         "traffic policies were left out", doc.where(("spec", "subsets")))
    elif kind == "VirtualService":
        for i, route in enumerate(sequence(spec.get("http"), "VirtualService spec.http", doc.where(("spec", "http")))):
            route = mapping(route, f"spec.http[{i}]", doc.where(("spec", "http", i)))
            _istio_route(route, ("spec", "http", i), doc, found, result)
        for other in ("tcp", "tls"):
            if spec.get(other):
                result.add("not_understood", f"VirtualService {other} routes are not modelled",
                           doc.where(("spec", other)))
    else:
        result.add("not_understood", f"an Istio {kind} says nothing Faultline models", doc.where(("kind",)))


def _istio_route(route: dict, path: tuple, doc: Document, found: dict, result: ImportResult) -> None:
    where = doc.where(path)
    hosts = [str(mapping(d.get("destination"), "destination", where).get("host"))
             for d in sequence(route.get("route"), "route", where) if isinstance(d, dict)]
    if not hosts:
        return
    label = f"VirtualService route to {', '.join(hosts)}"
    if "fault" in route:
        result.add("not_understood", f"{label}: fault injection belongs in an experiment; it was left out",
                   doc.where(path + ("fault",)))
    if len(route.get("match") or []) > 0:
        result.add("differs", f"{label}: match conditions are not modelled; the route applies to every call", where)
    timeout = go_duration(route["timeout"], f"{label} timeout", doc.where(path + ("timeout",))) \
        if "timeout" in route else None
    retries = route.get("retries")
    if retries is None:
        retries = {"attempts": ISTIO_ATTEMPTS, "retryOn": ISTIO_RETRY_ON}
        result.add("differs", f"{label}: no retries, so Istio's default applies ({ISTIO_ATTEMPTS} retries on "
                              f"{ISTIO_RETRY_ON}, 503)", where)
    r_where = doc.where(path + ("retries",))
    retries = mapping(retries, f"{label} retries", r_where)
    attempts = number(retries.get("attempts", ISTIO_ATTEMPTS), f"{label} retries.attempts", r_where, integer=True)
    per_try = go_duration(retries["perTryTimeout"], f"{label} perTryTimeout", r_where) \
        if "perTryTimeout" in retries else None
    retry = None
    if attempts > 0:
        outcomes = _retry_outcomes(retries.get("retryOn", ISTIO_RETRY_ON), [503], f"{label} retryOn", r_where, result)
        if outcomes:
            retry = RetryPolicy(max_attempts=min(attempts + 1, 100), wait_duration=ENVOY_BASE_INTERVAL,
                                backoff="exponential", multiplier=2.0, max_wait_duration=10 * ENVOY_BASE_INTERVAL,
                                jitter="full", retry_on=outcomes)
    deadline = None
    if retry is not None and timeout:
        # as Envoy's route timeout, which Istio writes it into: the whole call, every retry included
        deadline = validated(DeadlinePolicy, {"deadline": timeout}, label, where, {"deadline": "timeout"})
        result.add("differs", f"{label}: timeout {timeout:g} s bounds the whole call, every retry included: a "
                              "deadline in Faultline, which also hands what is left of it to the callee's own calls",
                   where)
        each = per_try
    elif per_try and (not timeout or per_try <= timeout):
        each = per_try   # one attempt, or retries with no overall bound: perTryTimeout bounds each
    else:
        each = timeout
    for host in hosts:
        settings = _settings(found, host, where)
        if retry is not None:
            settings.retry = retry
            settings.wheres["retry"] = r_where
            settings.given["retry"] = ("Istio's default " if route.get("retries") is None else "") + written(retries)
        if each is not None and each > 0:
            named = "perTryTimeout" if each == per_try else "timeout"
            settings.timeout = validated(TimeoutPolicy, {"timeout": each, "cancel_on_timeout": True}, label, where,
                                         {"timeout": named})
            settings.wheres["timeout"] = where
            settings.given["timeout"] = (f"perTryTimeout {retries['perTryTimeout']}" if named == "perTryTimeout"
                                         else f"timeout {route['timeout']}")
        if deadline is not None:
            settings.deadline = deadline
            settings.wheres["deadline"] = where
            settings.given["deadline"] = f"timeout {route['timeout']}, over every attempt"


# -- import ---------------------------------------------------------------------------------------

def import_mesh(docs: list[Document], design: Design | None, mappings: dict[str, Target], result: ImportResult,
                fmt: str, caller: str | None = None) -> Design:
    """Apply Envoy or Istio settings to a copy of ``design`` (or to a skeleton around them); an Envoy
    file is the sidecar of ``caller`` when the user says so, else of the component its
    ``node.cluster`` names, else of every caller."""
    found: dict[str, CallSettings] = {}
    for doc in docs:
        if looks_like_istio(doc.data):
            _istio(doc, found, result)
            continue
        for item, path in _dicts(doc.data):
            keys = {snake(str(k)) for k in item}
            if "name" in keys and keys & _CLUSTER_KEYS and not isinstance(item.get("route"), dict):
                _envoy_cluster(item, path, doc, found, result)
            elif isinstance(item.get("route"), dict):
                _envoy_route(item, path, doc, found, result)
    source = docs[0].source if docs else ""
    if fmt == "envoy":
        result.add("ignored", "listeners, filters, endpoints and everything else but clusters' limits and outlier "
                              "detection and routes' timeouts and retries are not simulated", source)
    if not found:
        wanted = "Envoy cluster or route" if fmt == "envoy" else "DestinationRule or VirtualService"
        raise InteropError(f"has no {wanted} settings Faultline models", source)
    if design is None:
        design = skeleton("proxy client", [host_names(n)[-1] for n in found if n not in mappings])
        result.add("differs", f'no design was given: made "{design.name}" calling one service per cluster or host; '
                              "adjust it to your system", source)
    design = design.model_copy(deep=True)
    beside = caller if caller is not None else _sidecar_of(docs, design, result) if fmt == "envoy" else None
    for name, settings in found.items():
        if settings.retry is not None and settings.budget is not None:
            settings.retry = settings.retry.model_copy(update={"budget": settings.budget})
        elif settings.budget is not None:
            result.add("not_understood", f"cluster {name}: retry_budget, but no route retries into it", settings.where)
        if name in mappings:
            result.mapped_names.add(name)
            targets = [mappings[name]]
        else:
            callee = _callee(design, name)
            targets = callers_of(design, callee.name, beside) if callee else []
        policies = [(k, p) for k, p in (("bulkhead", settings.bulkhead), ("retry", settings.retry),
                                         ("timeout", settings.timeout), ("deadline", settings.deadline),
                                         ("outlier_detection", settings.outlier))
                    if p is not None]
        if not policies:
            continue
        if not targets:
            result.add_unmapped(name, f'{name} guards no call of "{design.name}"', settings.where)
            continue
        for target in targets:
            for kind, policy in policies:
                refusal = put_policy(design, target, policy.model_copy(deep=True))
                where = settings.wheres.get(kind, settings.where)
                given = settings.given.get(kind)
                result.add("not_understood" if refusal else "mapped",
                           refusal or f"{name} -> {policy.title} on {target}" + (f" ({given})" if given else ""), where)
    return design


def _sidecar_of(docs: list[Document], design: Design, result: ImportResult) -> str | None:
    """The component an Envoy bootstrap's ``node.cluster`` names (the service the proxy runs beside),
    whose calls alone its clusters and routes then guard; None when the file names none of them."""
    for doc in docs:
        node = doc.data.get("node") if isinstance(doc.data, dict) else None
        service = node.get("cluster") if isinstance(node, dict) else None
        if not service:
            continue
        component = match_component(design, str(service))
        where = doc.where(("node", "cluster"))
        if component is None:
            result.add("differs", f"node.cluster {service} names no component: the clusters guard the calls of "
                                  "every caller of their services", where)
            return None
        result.add("differs", f"node.cluster {service}: the proxy beside {component.name}, so its settings go on "
                              f"{component.name}'s calls only", where)
        return component.name
    return None


# -- export ---------------------------------------------------------------------------------------

def _go_ms(seconds: float) -> str:
    """A duration as Istio reads it, in milliseconds: "%g" would write 1000 s as "1e+06ms", which it refuses."""
    return f"{round(seconds * 1000, 6):f}".rstrip("0").rstrip(".") + "ms"


def _retry_on(retry: RetryPolicy) -> str:
    return ",".join(dict.fromkeys(OUTCOME_RETRY_ON[o] for o in retry.retry_on if o in OUTCOME_RETRY_ON))


def export_istio(design: Design) -> tuple[str, list[str]]:
    """A DestinationRule and a VirtualService per called component, from its callers' bulkhead,
    retry and timeout; what Istio does not have (a breaker, a fallback...) is named in a comment."""
    documents, notes = [], []
    for callee in design.components:
        callers = [design.component(link.source) for link in design.links_into(callee.name)]
        if not callers:
            continue
        guarded = [(c, {k: effective_policy(design, c, callee.name, k)
                        for k in ("bulkhead", "retry", "timeout", "deadline", "circuit_breaker")}) for c in callers]
        guarded = [(c, p) for c, p in guarded if any(p.values())]
        if not guarded:
            continue
        caller, chosen = guarded[0]
        header = [f'Istio traffic policy for calls into "{callee.name}" in design "{design.name}"']
        if len({tuple(sorted((k, v.model_dump_json(exclude={"id", "scope"}) if v else "") for k, v in p.items()))
                for _, p in guarded}) > 1:
            text = (f"callers of {callee.name} guard it differently; Istio applies one policy to all of them, "
                    f"written from {caller.name}")
            header.append(text)
            notes.append(text)
        bulkhead, retry, timeout, deadline = (chosen[k] for k in ("bulkhead", "retry", "timeout", "deadline"))
        host = _host(callee.name)   # Kubernetes refuses a name or host that is not a DNS name ("Orders DB")
        if bulkhead is not None:
            pool = {"tcp": {"maxConnections": bulkhead.max_concurrent_calls},
                    "http": {"http2MaxRequests": bulkhead.max_concurrent_calls,
                             "http1MaxPendingRequests": Commented(1, "Istio needs at least 1; Faultline's bulkhead "
                                                                     f"waits {bulkhead.max_wait_duration:g} s")}}
            rule = {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                    "metadata": {"name": host}, "spec": {"host": host, "trafficPolicy": {"connectionPool": pool}}}
            documents.append((rule, header))
        service_header = [] if bulkhead is not None else header
        left_out = left_out_notes(design, caller, callee.name, "Istio", ISTIO_CARRIED,
                                  {"circuit_breaker": "outlierDetection ejects hosts instead"})
        notes += left_out
        service_header = service_header + left_out
        route: dict[str, Any] = {"route": [{"destination": {"host": host}}]}
        if retry is not None:
            retries: dict[str, Any] = {"attempts": retry.max_attempts - 1, "retryOn": _retry_on(retry)}
            if timeout is not None:
                retries["perTryTimeout"] = _go_ms(timeout.timeout)
            route["retries"] = retries
            if retry.backoff != "exponential" or retry.jitter != "full" or retry.wait_duration != ENVOY_BASE_INTERVAL:
                notes.append(f"{caller.name} -> {callee.name}: Istio's retry backoff is fixed by the proxy (25 ms, "
                             f"fully jittered); Faultline waits {retry.wait_duration * 1000:g} ms, {retry.backoff}")
        else:
            route["retries"] = {"attempts": 0}   # without it Istio's default would retry twice
        overall = _overall(timeout, deadline, retry)
        if overall is not None:
            route["timeout"] = _go_ms(overall)
        if deadline is not None:
            notes.append(_deadline_note(caller.name, callee.name, deadline, "Istio"))
        service = {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                   "metadata": {"name": host}, "spec": {"hosts": [host], "http": [route]}}
        documents.append((service, service_header))
    if not documents:
        raise InteropError(f'design "{design.name}" has no bulkhead, retry, timeout or deadline on a call to export')
    return dump_documents(documents), notes


def _overall(timeout: TimeoutPolicy | None, deadline: DeadlinePolicy | None,
             retry: RetryPolicy | None) -> float | None:
    """A route's timeout, which bounds the whole call: the deadline's; of a call made once, the
    earlier of its deadline and its timeout (a retried call's timeout goes on each attempt)."""
    bounds = [p for p in (deadline.deadline if deadline else None,
                          timeout.timeout if timeout and retry is None else None) if p is not None]
    return min(bounds) if bounds else None


def _deadline_note(caller: str, callee: str, deadline: DeadlinePolicy, tool: str) -> str:
    return (f"{caller} -> {callee}: the deadline of {proto_text(deadline.deadline)} bounds the route timeout, which "
            f"covers every attempt; {tool} does not hand what is left of it to {callee}'s own calls, as Faultline "
            "does")


def _host(name: str) -> str:
    """A component name as a DNS name (what a cluster's endpoint and a virtual host's domain need)."""
    host = "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())
    return host or "upstream"


def _envoy_upstream(callee: str, host: str) -> dict[str, Any]:
    """A cluster reaching ``callee`` by DNS. Envoy accepts a STRICT_DNS cluster without
    endpoints but then answers every call "no healthy upstream"; one endpoint makes it work."""
    endpoint = {"address": {"socket_address": {"address": host, "port_value": ENVOY_UPSTREAM_PORT}}}
    return {"name": callee, "type": "STRICT_DNS", "connect_timeout": "1s",
            "load_assignment": {"cluster_name": callee, "endpoints": [{"lb_endpoints": [{"endpoint": endpoint}]}]}}


def export_envoy(design: Design, caller_name: str | None) -> tuple[str, list[str]]:
    """The caller's sidecar as an Envoy bootstrap: one cluster per dependency (circuit_breakers
    from its bulkhead and retry budget, outlier_detection) and an outbound listener whose route
    configuration holds each call's timeout and retry policy. A bootstrap, because a file-based
    xDS ``resources:`` list holds one resource type: clusters and routes together load as neither."""
    caller = pick_caller(design, caller_name, ENVOY_CARRIED)
    if not design.links_from(caller.id):
        # an empty route table would be written as if it were the sidecar's whole configuration
        raise InteropError(f'"{caller.name}" calls no other component: its sidecar has no route to write', "--caller")
    clusters, virtual_hosts, notes = [], [], []
    hosts: set[str] = set()
    for callee in dict.fromkeys(design.name_of(link.target) for link in design.links_from(caller.id)):
        bulkhead, retry, timeout, deadline = (effective_policy(design, caller, callee, k)
                                              for k in ("bulkhead", "retry", "timeout", "deadline"))
        host = _host(callee)
        while host in hosts:   # two names alike as DNS names: Envoy refuses a domain written twice
            host += "-2"
        hosts.add(host)
        cluster = _envoy_upstream(callee, host)
        thresholds: dict[str, Any] = {"priority": "DEFAULT"}
        if bulkhead is not None:
            thresholds.update(max_requests=bulkhead.max_concurrent_calls, max_connections=bulkhead.max_concurrent_calls,
                              max_pending_requests=1)
        if retry is not None and isinstance(retry.budget, EnvoyRetryBudget):
            thresholds["retry_budget"] = {"budget_percent": {"value": retry.budget.budget_percent},
                                          "min_retry_concurrency": retry.budget.min_retry_concurrency}
        elif retry is not None and retry.budget is not None:
            notes.append(no_equivalent(f"{caller.name} -> {callee}", "the gRPC retry throttling", "Envoy"))
        if len(thresholds) > 1:
            cluster["circuit_breakers"] = {"thresholds": [thresholds]}
        outlier = effective_policy(design, caller, callee, "outlier_detection")
        if outlier is not None:
            cluster["outlier_detection"] = _envoy_outlier_out(outlier)
        notes += left_out_notes(design, caller, callee, "Envoy", ENVOY_CARRIED,
                                {"circuit_breaker": "Envoy's circuit_breakers are concurrency limits; "
                                                    "outlier_detection ejects hosts"})
        clusters.append(cluster)
        # "0s" turns off Envoy's default of 15 s, which the design does not have
        overall = _overall(timeout, deadline, retry)
        action: dict[str, Any] = {"cluster": callee, "timeout": proto_text(overall) if overall is not None else "0s"}
        if deadline is not None:
            notes.append(_deadline_note(caller.name, callee, deadline, "Envoy"))
        if retry is not None:
            max_interval = retry.max_wait_duration or 10 * retry.wait_duration
            action["retry_policy"] = {"retry_on": _retry_on(retry), "num_retries": retry.max_attempts - 1,
                                      "retry_back_off": {"base_interval": proto_text(retry.wait_duration),
                                                         "max_interval": proto_text(max_interval)}}
            if timeout is not None:
                action["retry_policy"]["per_try_timeout"] = proto_text(timeout.timeout)
            if retry.backoff != "exponential" or retry.jitter != "full" or retry.multiplier != 2:
                notes.append(f"{caller.name} -> {callee}: Envoy's backoff is always fully jittered and doubling; "
                             f"Faultline's is {retry.backoff} (x{retry.multiplier:g}) with {jitter_words(retry)}")
        # the application calls http://<callee>/...: the Host header picks the route, with or without a port
        virtual_hosts.append({"name": callee, "domains": [host, f"{host}:*"],
                              "routes": [{"match": {"prefix": "/"}, "route": action}]})
    manager = {"@type": HTTP_CONNECTION_MANAGER, "stat_prefix": f"{_host(caller.name)}_outbound",
               "route_config": {"name": f"{caller.name}-outbound", "virtual_hosts": virtual_hosts},
               "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}]}
    listener = {"name": f"{caller.name}-outbound",
                "address": {"socket_address": {"address": ENVOY_LISTENER[0], "port_value": ENVOY_LISTENER[1]}},
                "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                                "typed_config": manager}]}]}
    header = [f'Envoy bootstrap for the sidecar of "{caller.name}" in design "{design.name}" (envoy -c this file).',
              f"{caller.name} sends its calls to the listener on {ENVOY_LISTENER[0]}:{ENVOY_LISTENER[1]} (for "
              "instance as its HTTP proxy); the Host header picks the route.",
              f"Each cluster reaches its component by DNS name on port {ENVOY_UPSTREAM_PORT}. "
              "Adjust the listener and the endpoints to your deployment."]
    # node.cluster is Envoy's name for the service the proxy runs beside: read back, it keeps the
    # settings on that service's calls, not on every caller of the same clusters
    tree = {"node": {"id": f"{_host(caller.name)}-sidecar", "cluster": caller.name},
            "static_resources": {"listeners": [listener], "clusters": clusters}}
    return dump_documents([(tree, header + notes)]), notes
