"""Resilience4j's Spring Boot configuration (``application.yml`` / ``.properties``), both ways.

An instance guards the calls its application makes to one backend. On import, an instance
named after a component guards the calls to that component (from the application named by
``spring.application.name`` when it is a component, else from every caller); other instances
need a mapping ``INSTANCE=CALLER->CALLEE``. Each instance's properties are resolved the way
the library does: its ``baseConfig`` (or ``configs.default``), then its own keys; a key it
leaves out takes the library's default.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from engine.model import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    Design,
    RateLimiterPolicy,
    RetryPolicy,
    ThreadPoolBulkheadPolicy,
    TimeoutPolicy,
)
from engine.model.design import counted, field_path, field_problems, shown
from engine.model.resilience import _Policy

from .notes import ImportResult, InteropError, NoteKind, Target
from .placing import (
    callers_of,
    effective_policy,
    left_out_notes,
    match_component,
    pick_caller,
    put_policy,
    skeleton,
)
from .reading import (
    Document,
    Entry,
    boolean,
    canonical,
    number,
    resolve_templates,
    spring_duration,
    spring_duration_written,
    spring_entries,
    spring_text,
    written,
)
from .yaml_out import Commented, dump

FORMAT = "resilience4j"

# Spring module key -> (what the preview calls it, Faultline policy kind)
MODULES = {
    "circuitbreaker": ("circuitbreaker", "circuit_breaker"),
    "retry": ("retry", "retry"),
    "bulkhead": ("bulkhead", "bulkhead"),
    "threadpoolbulkhead": ("thread-pool-bulkhead", "thread_pool_bulkhead"),
    "ratelimiter": ("ratelimiter", "rate_limiter"),
    "timelimiter": ("timelimiter", "timeout"),
}
# "backends" and "limiters" are the names older releases used for "instances".
INSTANCE_SECTIONS = {"instances", "backends", "limiters"}

# canonical property -> (Faultline field, how to read it). Old names sit beside the current ones.
_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "circuitbreaker": {
        "failureratethreshold": ("failure_rate_threshold", "float"),
        "slowcallratethreshold": ("slow_call_rate_threshold", "float"),
        "slowcalldurationthreshold": ("slow_call_duration_threshold", "duration"),
        "slidingwindowtype": ("sliding_window_type", "window"),
        "slidingwindowsize": ("sliding_window_size", "int"),
        "ringbuffersizeinclosedstate": ("sliding_window_size", "int"),
        "minimumnumberofcalls": ("minimum_number_of_calls", "int"),
        "permittednumberofcallsinhalfopenstate": ("permitted_number_of_calls_in_half_open_state", "int"),
        "ringbuffersizeinhalfopenstate": ("permitted_number_of_calls_in_half_open_state", "int"),
        "waitdurationinopenstate": ("wait_duration_in_open_state", "duration"),
        "waitinterval": ("wait_duration_in_open_state", "duration"),
        "automatictransitionfromopentohalfopenenabled": ("automatic_transition_from_open_to_half_open_enabled", "bool"),
        "maxwaitdurationinhalfopenstate": ("max_wait_duration_in_half_open_state", "duration"),
        "enableexponentialbackoff": ("_exponential", "bool"),
        "exponentialbackoffmultiplier": ("_multiplier", "float"),
        "exponentialmaxwaitdurationinopenstate": ("_max_open_wait", "duration"),
        "enablerandomizedwait": ("_randomized", "bool"),
        "randomizedwaitfactor": ("_random_factor", "float"),
        "transitiontostateafterwaitduration": ("_after_half_open", "text"),
        "initialstate": ("_initial_state", "text"),
    },
    "retry": {
        "maxattempts": ("max_attempts", "int"),
        "maxretryattempts": ("max_attempts", "int"),
        "waitduration": ("wait_duration", "duration"),
        "enableexponentialbackoff": ("_exponential", "bool"),
        "exponentialbackoffmultiplier": ("multiplier", "float"),
        "exponentialmaxwaitduration": ("max_wait_duration", "duration"),
        "enablerandomizedwait": ("_randomized", "bool"),
        "randomizedwaitfactor": ("randomization_factor", "float"),
    },
    "bulkhead": {
        "maxconcurrentcalls": ("max_concurrent_calls", "int"),
        "maxwaitduration": ("max_wait_duration", "duration"),
        "maxwaittime": ("max_wait_duration", "duration"),
        "faircallhandlingstrategyenabled": ("_fair", "bool"),
    },
    "threadpoolbulkhead": {
        "maxthreadpoolsize": ("max_thread_pool_size", "int"),
        "corethreadpoolsize": ("core_thread_pool_size", "int"),
        "queuecapacity": ("queue_capacity", "int"),
        "keepaliveduration": ("keep_alive_duration", "duration"),
    },
    "ratelimiter": {
        "limitforperiod": ("limit_for_period", "int"),
        "limitrefreshperiod": ("limit_refresh_period", "duration"),
        "timeoutduration": ("timeout_duration", "duration"),
    },
    "timelimiter": {
        "timeoutduration": ("timeout", "duration"),
        "cancelrunningfuture": ("cancel_on_timeout", "bool"),
    },
}

# Keys that only change logs, metrics, health checks or stack traces.
_OBSERVABILITY = {
    "registerhealthindicator", "allowhealthindicatortofail", "eventconsumerbuffersize", "writablestacktraceenabled",
    "subscribeforevents", "tags", "metricnames", "slidingwindowsynchronizationstrategy", "contextpropagators",
}
# Keys that choose which exceptions or results count: Java code Faultline cannot evaluate.
_CLASSIFIERS = {
    "recordexceptions", "ignoreexceptions", "recordfailurepredicate", "recordresultpredicate",
    "ignoreexceptionpredicate", "retryexceptions", "retryexceptionpredicate", "resultpredicate",
    "failaftermaxattempts", "retryonresultpredicate",
}
_OUTCOMES_TEXT = {
    "circuit_breaker": "Faultline records the outcomes error, timeout, rejected and unavailable as failures",
    "retry": "Faultline retries every failed outcome (error, timeout, rejected, short-circuited, unavailable)",
}
_POLICY_CLASSES: dict[str, type[_Policy]] = {
    "circuit_breaker": CircuitBreakerPolicy,
    "retry": RetryPolicy,
    "bulkhead": BulkheadPolicy,
    "thread_pool_bulkhead": ThreadPoolBulkheadPolicy,
    "rate_limiter": RateLimiterPolicy,
    "timeout": TimeoutPolicy,
}
# Spring keys outside resilience4j that the import reads.
_SPRING_USED = {"spring.application.name", "spring.config.activate.onprofile", "spring.profiles",
                "spring.profiles.active"}
# Resilience4j's assumption for thread pools when the file does not say: the machine's processors.
ASSUMED_PROCESSORS = 4


@dataclass
class Settings:
    """The keys written for one instance or config of one module."""

    module: str
    name: str
    where: str
    props: dict[str, Entry] = field(default_factory=dict)
    base: Entry | None = None
    rewritten: set[str] = field(default_factory=set)   # props a later document (a profile's) set again


@dataclass
class Application:
    """The Resilience4j settings of one application (one ``spring.application.name``)."""

    name: str | None
    instances: dict[str, dict[str, Settings]] = field(default_factory=dict)   # module -> name -> settings
    configs: dict[str, dict[str, Settings]] = field(default_factory=dict)


def looks_like(docs: list[Document]) -> bool:
    """Whether a file holds Resilience4j settings."""
    for doc in docs:
        if isinstance(doc.data, dict):
            for key in doc.data:
                if str(key).split(".")[0].lower() == "resilience4j":
                    return True
    return False


def _profile(entries: list[Entry]) -> str | None:
    for e in entries:
        key = canonical(e.key)
        if key in ("spring.config.activate.onprofile", "spring.profiles"):
            return ",".join(str(v) for v in e.value) if isinstance(e.value, list) else str(e.value)
    return None


def _active_profiles(read: list[tuple[Document, list[Entry]]], profiles: list[str | None]) -> set[str]:
    """The profiles the file itself activates (``spring.profiles.active`` in a document of no
    profile), or Spring's ``default`` when it activates none."""
    active: set[str] = set()
    for (_doc, entries), profile in zip(read, profiles):
        for e in entries:
            if profile is None and canonical(e.key) == "spring.profiles.active":
                values = e.value if isinstance(e.value, list) else str(e.value).split(",")
                active |= {str(v).strip() for v in values if str(v).strip()}
    return active or {"default"}


def _profile_matches(expression: str, active: set[str]) -> bool:
    """Whether a document's profile expression (``prod``, ``prod,cloud``, ``prod & !eu``,
    ``(a | b) & c``) holds with ``active`` profiles, as Spring's ``Profiles.of`` reads it."""
    tokens = re.findall(r"[()&|!]|[^()&|!\s]+", expression.replace(",", "|"))
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str | None:
        nonlocal position
        position += 1
        return tokens[position - 1] if position <= len(tokens) else None

    def either() -> bool:
        value = both()
        while peek() == "|":
            take()
            value = both() or value
        return value

    def both() -> bool:
        value = single()
        while peek() == "&":
            take()
            value = single() and value
        return value

    def single() -> bool:
        token = take()
        if token == "!":
            return not single()
        if token == "(":
            value = either()
            take()   # ")"
            return value
        return token in active

    return bool(tokens) and either()


def read_applications(docs: list[Document], result: ImportResult) -> list[Application]:
    """Group a file's documents by application and collect their Resilience4j keys."""
    apps: list[Application] = []
    read = [(doc, spring_entries(doc)) for doc in docs]
    profiles = [_profile(entries) for _doc, entries in read]
    # Spring reads a profile's document only when that profile is active: the import takes the file as it
    # runs with the profiles it activates itself (spring.profiles.active), unless no document would be
    # read at all (then the first one is all there is).
    active = _active_profiles(read, profiles)
    read_now = [profile is None or _profile_matches(profile, active) for profile in profiles]
    for position, ((doc, entries), profile) in enumerate(zip(read, profiles)):
        if not read_now[position] and not (position == 0 and not any(read_now)):
            result.add("not_understood", f"document {doc.index + 1} applies only to the Spring profile "
                                         f'"{profile}"; it was left out', doc.where(()))
            continue
        if profile is not None and read_now[position]:
            why = ("no profile is active, so Spring's \"default\" is" if active == {"default"}
                   else f"spring.profiles.active is {', '.join(sorted(active))}")
            result.add("differs", f'document {doc.index + 1} (Spring profile "{profile}") was read: {why}',
                       doc.where(()))
        elif profile is not None:
            result.add("differs", f'every document of the file belongs to a Spring profile: document {doc.index + 1} '
                                  f'was read as if the profile "{profile}" were active', doc.where(()))
        known = {e.key: e.value for e in entries}
        name = next((str(e.value) for e in entries if canonical(e.key) == "spring.application.name"), None)
        app = next((a for a in apps if a.name == name), None) if name else (apps[0] if apps else None)
        if app is None:
            app = Application(name)
            apps.append(app)
        elif app.name is None and name:
            app.name = name
        others: dict[str, str] = {}
        for entry in entries:
            if entry.parts and canonical(entry.parts[0]) == "resilience4j":
                _take(app, entry, known, result)
            elif entry.parts and canonical(entry.key) not in _SPRING_USED:
                others.setdefault(entry.parts[0], entry.where)
        if others:
            result.add("ignored", f"{', '.join(others)}: settings outside resilience4j, not resilience patterns",
                       next(iter(others.values())))
    return [a for a in apps if a.instances or a.configs]


def _take(app: Application, entry: Entry, known: dict, result: ImportResult) -> None:
    parts = entry.parts[1:]
    module = canonical(parts[0]) if parts else ""
    if module not in MODULES:
        result.add("not_understood", f"{entry.key} is not a resilience pattern Faultline models", entry.where)
        return
    label = MODULES[module][0]
    section = canonical(parts[1]) if len(parts) > 1 else ""
    if (len(parts) == 1 or section in INSTANCE_SECTIONS | {"configs"} and len(parts) <= 3) \
            and entry.value not in ({}, None, ""):
        # Spring cannot bind a plain value or a list where a map of settings belongs: the service would not start
        what = {1: "instances and configs", 2: "settings by name"}.get(len(parts), "settings")
        raise InteropError(f"{entry.key} must be a map of {what} (got {shown(entry.value)})", entry.where)
    if section in INSTANCE_SECTIONS | {"configs"} and len(parts) == 3 and entry.value in ({}, None):
        book = app.configs if section == "configs" else app.instances
        book.setdefault(module, {}).setdefault(parts[2], Settings(module, parts[2], entry.where))
        return
    if section not in INSTANCE_SECTIONS | {"configs"} or len(parts) < 4:
        kind: NoteKind = "ignored" if "aspectorder" in section or section in ("tags", "metrics") else "not_understood"
        result.add(kind, f"{entry.key} is not an instance or config setting", entry.where)
        return
    name, prop = parts[2], canonical(".".join(parts[3:]))
    book = app.configs if section == "configs" else app.instances
    settings = book.setdefault(module, {}).setdefault(name, Settings(module, name, entry.where))
    value = resolve_templates(entry.value, entry.key, entry.where, known)
    entry = Entry(entry.parts, value, entry.where)
    if prop == "baseconfig":
        settings.base = entry
    elif prop in _FIELDS[module]:
        if prop in settings.props:
            settings.rewritten.add(prop)
        settings.props[prop] = entry
    elif prop.split(".")[0] in _OBSERVABILITY:
        result.add("ignored", f"{entry.key} only changes metrics, health or logs", entry.where)
    elif prop.split(".")[0] in _CLASSIFIERS:
        policy_kind = MODULES[module][1]
        result.add("differs", f"{entry.key} names Java exceptions or predicates; "
                              f"{_OUTCOMES_TEXT.get(policy_kind, 'Faultline classifies outcomes, not exceptions')}",
                   entry.where)
    else:
        result.add("not_understood", f"{entry.key}: {label} has no setting Faultline knows by this name", entry.where)


def _resolved(app: Application, module: str, settings: Settings, seen: tuple = ()) -> dict[str, Entry]:
    """The instance's keys over its base, chosen as the library does: its ``baseConfig``, else a
    config of its own name, else ``configs.default``. A config used as a base inherits only
    through its own ``baseConfig``, never from ``default``."""
    configs = app.configs.get(module, {})
    is_config = any(settings is c for c in configs.values())
    base_name = str(settings.base.value) if settings.base else None
    if base_name is None and not is_config:
        base_name = settings.name if settings.name in configs else "default" if "default" in configs else None
    props: dict[str, Entry] = {}
    if base_name is not None:
        if base_name not in configs:
            label = MODULES[module][0]
            known = ", ".join(configs) or "none"
            # only a baseConfig can name a config that is not there: the other two are looked up among them
            named_by = settings.base.key if settings.base else f"{settings.name}.baseConfig"
            raise InteropError(f'{named_by} names the config "{base_name}", '
                               f"which resilience4j.{label}.configs does not define (it has: {known})",
                               settings.base.where if settings.base else settings.where)
        if base_name in seen or (settings.base is not None and base_name == settings.name and not is_config):
            raise InteropError(f'baseConfig "{base_name}" refers back to itself',
                               settings.base.where if settings.base else settings.where)
        props.update(_resolved(app, module, configs[base_name], seen + (base_name,)))
    props.update(settings.props)
    return props


def _from(settings: Settings, prop: str, entry: Entry) -> str:
    """Where a value the note's line does not show came from: a config the instance inherits it from,
    or a later document (a profile's) that set it again."""
    if prop not in settings.rewritten and settings.props.get(prop) is entry:
        return ""
    file, _, line = entry.where.rpartition(":")
    return f" from line {line}" if file == settings.where.rpartition(":")[0] else f" from {entry.where}"


def _written(module: str, prop: str, entry: Entry) -> str:
    """A property's value as the file gives it, with the unit of a duration written as a bare number."""
    return spring_duration_written(entry.value) if _FIELDS[module][prop][1] == "duration" else written(entry.value)


def _value(entry: Entry, how: str) -> Any:
    if how == "duration":
        return spring_duration(entry.value, entry.key, entry.where)
    if how == "int":
        return number(entry.value, entry.key, entry.where, integer=True)
    if how == "float":
        return number(entry.value, entry.key, entry.where)
    if how == "bool":
        return boolean(entry.value, entry.key, entry.where)
    if how == "window":
        text = str(entry.value).strip().upper().replace("-", "_")
        if text not in ("COUNT_BASED", "TIME_BASED"):
            raise InteropError(f"{entry.key} must be COUNT_BASED or TIME_BASED (got {shown(entry.value)})", entry.where)
        return text.lower()
    return str(entry.value).strip()


def build_policy(module: str, props: dict[str, Entry], result: ImportResult, target: Target | None = None,
                 where: str = ""):
    """The Faultline policy for one resolved instance (declared at ``where``); notes say where the
    models part ways."""
    kind = MODULES[module][1]
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    source: dict[str, Entry] = {}
    for prop, entry in props.items():
        name, how = _FIELDS[module][prop]
        (extra if name.startswith("_") else values)[name] = _value(entry, how)
        source[name] = entry
    if module == "circuitbreaker":
        if ("sliding_window_size" in values and "ringbuffersizeinclosedstate" in props
                and "minimum_number_of_calls" not in values):
            values["minimum_number_of_calls"] = values["sliding_window_size"]  # the old ring buffer was both
        if extra.get("_exponential") and extra.get("_randomized"):
            entry = source["_randomized"]
            raise InteropError(f"{entry.key}: Resilience4j refuses exponential backoff and a randomized wait in the "
                               "open state together", entry.where)
        if not extra.get("_exponential"):
            _inert(source, ("_multiplier", "_max_open_wait"), "enableExponentialBackoff", result)
        if not extra.get("_randomized"):
            _inert(source, ("_random_factor",), "enableRandomizedWait", result)
        if extra.get("_exponential"):
            values["wait_duration_multiplier"] = extra.get("_multiplier", 1.5)
            if "_max_open_wait" in extra:
                entry = source["_max_open_wait"]
                result.add("differs", f"{entry.key}: Faultline's open-state wait grows without a cap", entry.where)
        if extra.get("_randomized"):
            entry = source["_randomized"]
            result.add("differs", f"{entry.key}: Faultline's open-state wait takes no randomised interval; the "
                                  "wait is fixed", entry.where)
        for key, default, why in (("_after_half_open", "OPEN",
                                   "a half-open breaker that waited too long goes back to OPEN in Faultline"),
                                  ("_initial_state", "CLOSED", "Faultline's breakers start CLOSED")):
            if key in extra and extra[key].upper() != default:
                entry = source[key]
                result.add("differs", f"{entry.key} = {extra[key]}: {why}", entry.where)
    elif module == "retry":
        if extra.get("_exponential"):
            values["backoff"] = "exponential"
        else:
            _inert(source, ("multiplier", "max_wait_duration"), "enableExponentialBackoff", result)
            values.pop("multiplier", None)
            values.pop("max_wait_duration", None)
        if extra.get("_randomized"):
            values["jitter"] = "randomized"
        else:
            _inert(source, ("randomization_factor",), "enableRandomizedWait", result)
            values.pop("randomization_factor", None)
    elif module == "bulkhead" and extra.get("_fair") is False:
        entry = source["_fair"]
        result.add("differs", f"{entry.key} = false: Faultline's bulkhead always serves waiting calls in order",
                   entry.where)
    elif module == "threadpoolbulkhead" and ("max_thread_pool_size" not in values
                                             or "core_thread_pool_size" not in values):
        # Resilience4j sizes an unset pool by the machine's processors: core = processors - 1, max = processors
        maximum = values.setdefault("max_thread_pool_size",
                                    max(values.get("core_thread_pool_size", 1), ASSUMED_PROCESSORS))
        values.setdefault("core_thread_pool_size", max(1, min(maximum, ASSUMED_PROCESSORS - 1)))
        result.add("differs", f"{MODULES[module][0]}: coreThreadPoolSize or maxThreadPoolSize not set; Resilience4j "
                              f"takes the machine's processor count, Faultline assumes {ASSUMED_PROCESSORS} "
                              f"(core {values['core_thread_pool_size']}, max {values['max_thread_pool_size']})",
                   next(iter(source.values())).where if source else "")
    elif module == "timelimiter":
        values.setdefault("cancel_on_timeout", True)   # the library cancels the running future by default
    try:
        policy = _POLICY_CLASSES[kind].model_validate(values)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        culprit = source.get(name)
        # the model's own sentence ("max_attempts must be at most 100 (got 200)") under the file's key
        message = field_problems(exc)[0].message
        field = field_path(err["loc"])
        if culprit is None:
            raise InteropError(f"resilience4j.{MODULES[module][0]}: {message}", "") from None
        raise InteropError(f"{culprit.key} {message.removeprefix(field + ' ') if field else message}",
                           culprit.where) from None
    if kind == "rate_limiter" and target is not None:
        result.add("differs", f"rate limiter {target}: Resilience4j limits the calls {target.caller} makes; Faultline "
                              f"limits what each instance of {target.callee} accepts", where)
    return policy


def _inert(source: dict[str, Entry], names: tuple[str, ...], switch: str, result: ImportResult) -> None:
    """Keys the library reads only when ``switch`` is on: named, since the preview lists them as given."""
    for name in names:
        if name in source:
            entry = source[name]
            result.add("ignored", f"{entry.key} has no effect without {switch}: true (in Resilience4j too); "
                                  "left out", entry.where)


def _targets(design: Design, app: Application, instance: str, mappings: dict[str, Target],
             result: ImportResult, named: str | None = None) -> list[Target]:
    if instance in mappings:
        result.mapped_names.add(instance)
        return [mappings[instance]]
    callee = match_component(design, instance)
    if callee is None:
        return []
    if named is not None:   # the user said whose file it is: that outweighs spring.application.name
        return callers_of(design, callee.name, named)
    caller = match_component(design, app.name) if app.name else None
    if caller is not None and design.link_between(caller.id, callee.id) is not None:
        return [Target(caller.name, callee.name)]
    return callers_of(design, callee.name)


def import_resilience4j(docs: list[Document], design: Design | None, mappings: dict[str, Target],
                        result: ImportResult, caller: str | None = None) -> Design:
    """Apply the Resilience4j instances of ``docs`` to a copy of ``design`` (or to a skeleton); the
    instances guard ``caller``'s calls when the user names it."""
    apps = read_applications(docs, result)
    source = docs[0].source if docs else ""
    if not apps:
        raise InteropError("has no resilience4j instances or configs", source)
    if design is None:
        names = [n for a in apps for mod in a.instances.values() for n in mod if n not in mappings]
        design = skeleton(apps[0].name or "application", names)
        result.add("differs", f'no design was given: made "{design.name}" called by "clients" at 10 requests/s and '
                              "calling one service per instance; adjust it to your system", source)
    design = design.model_copy(deep=True)
    for app in apps:
        for module, instances in app.instances.items():
            label = MODULES[module][0]
            for name, settings in instances.items():
                props = _resolved(app, module, settings)
                targets = _targets(design, app, name, mappings, result, caller)
                if not targets:
                    result.add_unmapped(name, f'resilience4j.{label} instance {name} guards no call of '
                                              f'"{design.name}"', settings.where)
                    continue
                if module == "threadpoolbulkhead" and name in app.instances.get("bulkhead", {}):
                    result.add("differs", f"thread-pool-bulkhead {name} left out: the semaphore bulkhead of the "
                                          "same name guards the call (Spring's default bulkhead type)", settings.where)
                    continue
                for target in targets:
                    policy = build_policy(module, props, result, target, settings.where)
                    refusal = put_policy(design, target, policy)
                    if refusal:
                        result.add("not_understood", refusal, settings.where)
                    else:
                        given = (", ".join(f"{e.parts[-1]} {_written(module, prop, e)}{_from(settings, prop, e)}"
                                           for prop, e in props.items()) or "library defaults")
                        result.add("mapped", f"{label} {name} -> {policy.title} on {target} ({given})", settings.where)
    return design


# -- export ---------------------------------------------------------------------------------------

def _key(name: str) -> str:
    """A component name as a Spring map key: brackets keep dots and spaces."""
    return name if all(ch.isalnum() or ch in "-_" for ch in name) else f"[{name}]"


def _cb_props(p: CircuitBreakerPolicy) -> dict:
    props: dict[str, Any] = {
        "slidingWindowType": p.sliding_window_type.upper(),
        "slidingWindowSize": p.sliding_window_size,
        "minimumNumberOfCalls": p.minimum_number_of_calls,
        "failureRateThreshold": p.failure_rate_threshold,
        "slowCallRateThreshold": p.slow_call_rate_threshold,
        "slowCallDurationThreshold": spring_text(p.slow_call_duration_threshold),
        "waitDurationInOpenState": spring_text(p.wait_duration_in_open_state),
        "permittedNumberOfCallsInHalfOpenState": p.permitted_number_of_calls_in_half_open_state,
        "automaticTransitionFromOpenToHalfOpenEnabled": p.automatic_transition_from_open_to_half_open_enabled,
        "maxWaitDurationInHalfOpenState": spring_text(p.max_wait_duration_in_half_open_state)
        if p.max_wait_duration_in_half_open_state else 0,
    }
    if p.wait_duration_multiplier > 1:
        props["enableExponentialBackoff"] = True
        props["exponentialBackoffMultiplier"] = p.wait_duration_multiplier
    default = CircuitBreakerPolicy().record_outcomes
    if sorted(p.record_outcomes) != sorted(default):
        props["recordExceptions"] = Commented(
            None, f"Faultline records {', '.join(p.record_outcomes)} as failures; list the matching exceptions")
    return props


def _retry_props(p: RetryPolicy) -> dict:
    props: dict[str, Any] = {"maxAttempts": p.max_attempts, "waitDuration": spring_text(p.wait_duration)}
    if p.backoff == "exponential":
        props["enableExponentialBackoff"] = True
        props["exponentialBackoffMultiplier"] = p.multiplier
        if p.max_wait_duration is not None:
            props["exponentialMaxWaitDuration"] = spring_text(p.max_wait_duration)
    if p.jitter == "randomized":
        props["enableRandomizedWait"] = True
        props["randomizedWaitFactor"] = p.randomization_factor
    elif p.jitter != "none":
        props["enableRandomizedWait"] = Commented(
            False, f"Faultline uses {p.jitter} jitter, which Resilience4j has no setting for")
    from engine.model import FAILURE_OUTCOMES
    if sorted(p.retry_on) != sorted(FAILURE_OUTCOMES):
        props["retryExceptions"] = Commented(
            None, f"Faultline retries only {', '.join(p.retry_on)}; list the matching exceptions")
    if p.budget is not None:
        budget = p.budget.kind.replace("_", " ")
        props["maxAttempts"] = Commented(p.max_attempts, f"Faultline also limits retries with a {budget} "
                                                         "retry budget, which Resilience4j does not have")
    return props


def _policy_props(policy) -> dict:
    if isinstance(policy, CircuitBreakerPolicy):
        return _cb_props(policy)
    if isinstance(policy, RetryPolicy):
        return _retry_props(policy)
    if isinstance(policy, BulkheadPolicy):
        return {"maxConcurrentCalls": policy.max_concurrent_calls,
                "maxWaitDuration": spring_text(policy.max_wait_duration) if policy.max_wait_duration else 0}
    if isinstance(policy, ThreadPoolBulkheadPolicy):
        return {"coreThreadPoolSize": policy.core_thread_pool_size, "maxThreadPoolSize": policy.max_thread_pool_size,
                "queueCapacity": policy.queue_capacity, "keepAliveDuration": spring_text(policy.keep_alive_duration)}
    if isinstance(policy, TimeoutPolicy):
        return {"timeoutDuration": spring_text(policy.timeout), "cancelRunningFuture": policy.cancel_on_timeout}
    if isinstance(policy, RateLimiterPolicy):
        return {"limitForPeriod": policy.limit_for_period,
                "limitRefreshPeriod": spring_text(policy.limit_refresh_period),
                "timeoutDuration": spring_text(policy.timeout_duration) if policy.timeout_duration else 0}
    raise AssertionError(policy.kind)


_EXPORT_MODULES = (("circuit_breaker", "circuitbreaker"), ("retry", "retry"), ("bulkhead", "bulkhead"),
                   ("thread_pool_bulkhead", "threadpoolbulkhead"), ("rate_limiter", "ratelimiter"),
                   ("timeout", "timelimiter"))


EXPORTED_KINDS = tuple(kind for kind, _module in _EXPORT_MODULES)
_R4J_CARRIED = (*EXPORTED_KINDS, "fallback", "load_shedding")


def export_resilience4j(design: Design, caller_name: str | None = None) -> tuple[str, list[str]]:
    """The ``application.yml`` of one calling component: its Resilience4j instances, named after
    the components they guard, with comments where Faultline's value has no Resilience4j
    equivalent. One service's file, not every caller's: Spring Boot merges every document of a
    file that no profile guards, so a second caller's instances would run in the first one too."""
    caller = pick_caller(design, caller_name, EXPORTED_KINDS, "caller-side policy, rate limiter or timeout")
    callees = list(dict.fromkeys(design.name_of(link.target) for link in design.links_from(caller.id)))
    modules: dict[str, dict] = {}
    comments: list[str] = []
    for callee in callees:
        target = design.component(callee)
        for kind, module in _EXPORT_MODULES:
            if kind == "rate_limiter":
                policy = next((p for p in target.policies if p.kind == kind and p.enabled), None)
            else:
                policy = effective_policy(design, caller, callee, kind)
            if policy is None:
                continue
            props = _policy_props(policy)
            if kind == "rate_limiter":
                instances = getattr(target, "instances", 1)
                shared = ("all its instances together (a global quota, which Resilience4j does not have)"
                          if policy.global_quota
                          else f"each instance of {callee} ({counted(instances, 'instance')})")
                props = {**props, "limitForPeriod": Commented(
                    policy.limit_for_period, f"Faultline limits {shared} for all its callers together")}
            modules.setdefault(module, {}).setdefault("instances", {})[_key(callee)] = props
        fallback = effective_policy(design, caller, callee, "fallback")
        if fallback is not None:
            comments.append(f"{caller.name} -> {callee} has a fallback; in Resilience4j a fallback is code "
                            "(fallbackMethod), not configuration")
        # hedging, deadlines, outlier ejection…: said, not silently dropped (a fallback and load
        # shedding have notes of their own)
        comments += left_out_notes(design, caller, callee, "Resilience4j", _R4J_CARRIED)
    if not modules:
        raise InteropError(f'"{caller.name}" has no caller-side policy, and calls no component with a rate limiter, '
                           "to export", "--caller")
    for policy in caller.policies:
        if not policy.enabled and policy.kind in dict(_EXPORT_MODULES):
            comments.append(f"the disabled {policy.title} of {caller.name} is left out")
    shedding = [c.name for c in design.components
                if c.name in callees and any(p.kind == "load_shedding" and p.enabled for p in c.policies)]
    if shedding:
        comments.append(f"load shedding on {', '.join(shedding)} has no Resilience4j equivalent; left out")
    notes = list(comments)
    for module, section in modules.items():
        for instance, props in section["instances"].items():
            notes += [f"{caller.name} -> {instance.strip('[]')}, {module}.{key}: {value.comment}"
                      for key, value in props.items() if isinstance(value, Commented)]
    header = [f'Resilience4j settings of "{caller.name}" in design "{design.name}"'] + comments
    return dump({"spring": {"application": {"name": caller.name}}, "resilience4j": modules}, header), notes
