"""Ranked fixes: try the standard mitigations on a design that misses its objectives, and rank them.

A baseline run without faults measures what the settings are derived from: each
callee's p99.9 latency (a timeout gives up on the slowest 0.1 % only), the calls
per second on each link and the callee's mean latency (a bulkhead sized by
Little's law, plus three standard deviations of a Poisson count of calls in
flight), and each callee's p99 (load shedding by queue wait). Each candidate is
the design with one mitigation on one call, or on every call at once, or with
more instances or workers; every candidate runs the experiment with the same
seeds as the design as it is (common random numbers), so candidates differ by
their changes, not by their luck.

A fallback is tried on a service's calls, never a client's (its users would be
served by nothing), and counts only where an objective counts fallbacks as good.
A mitigation on a caller whose one policy guards all its calls gets a copy of it
for the call it is about, so that it neither changes the caller's other calls nor
is undone by a second change to the same policy; candidates (and pairs) that come
to the same settings are tried once.

Candidates are ranked by the objectives they meet (in every replication), then
by their attainment, then by their cost (instances x workers, summed over the
components). Among fixes that meet every objective, attainment beyond them ranks
last: cost, then the fewest settings changed, decide first.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..model import Design, DesignError, Problem, RunOptions, format_seconds, parse_design
from ..model.validation import experiment_problems
from ..stats import mean_ci, wilson_interval
from .paths import format_value
from .sweep import Task
from .worker import objective_prefix, objective_words

# Kinds whose capacity is instances x this field.
_POOL_FIELDS = ("workers", "connections")
# Kinds a link's caller must be to hold caller policies, and a callee to hold inbound ones.
_NO_POLICIES = ("load_balancer",)
_DEFAULT_BREAKER = {"sliding_window_type": "count_based", "sliding_window_size": 50, "minimum_number_of_calls": 20,
                    "failure_rate_threshold": 50.0, "wait_duration_in_open_state": 5.0,
                    "permitted_number_of_calls_in_half_open_state": 5}
_BUDGET = {"kind": "envoy_budget", "budget_percent": 20.0, "min_retry_concurrency": 3}


def nice(seconds: float) -> float:
    """``seconds`` rounded up to two significant digits (at least a millisecond): a setting a
    person would type."""
    seconds = max(seconds, 0.001)
    scale = 10 ** (math.floor(math.log10(seconds)) - 1)
    return round(math.ceil(seconds / scale - 1e-9) * scale, 6)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def cost(design: Design) -> int:
    """Instances x workers (or connections) summed over the components that have them."""
    total = 0
    for component in design.components:
        pool = next((getattr(component, f) for f in _POOL_FIELDS if hasattr(component, f)), None)
        if pool is not None and hasattr(component, "instances"):
            total += int(component.instances) * int(pool)
    return total


@dataclass(frozen=True)
class Change:
    """One edit of a candidate: where, in words, and the parameter paths it sets."""

    words: str
    paths: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        if not self.paths:
            return self.words
        return f"{self.words} ({', '.join(f'{p}={format_value(v)}' for p, v in self.paths)})"


@dataclass
class Candidate:
    """A design to try, what it changes, and (once run) how it fared."""

    name: str
    changes: list[Change]
    design: Design
    cost: int = 0
    runs: list[dict[str, float]] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    # Makes the changes on a design's dict: what a combination of two candidates replays.
    build: Callable[[dict], list[Change]] | None = field(default=None, repr=False, compare=False)

    def met_share(self, objective: str) -> float:
        """The share of replications meeting ``objective``."""
        values = [r.get(f"{objective}.met", 0.0) for r in self.runs]
        return sum(values) / len(values) if values else math.nan

    def met_interval(self, objective: str) -> tuple[float, float]:
        """Wilson 95 % interval of that share."""
        return wilson_interval(int(sum(r.get(f"{objective}.met", 0.0) for r in self.runs)), len(self.runs))

    def attainment(self, objective: str) -> tuple[float, float]:
        """Mean attainment of ``objective`` over replications and the half-width of its 95 % interval."""
        return mean_ci([r[f"{objective}.attainment"] for r in self.runs if f"{objective}.attainment" in r])

    @property
    def objectives_met(self) -> int:
        """How many objectives every replication met."""
        return sum(1 for o in self.objectives if self.met_share(o) == 1.0)

    @property
    def meets_all(self) -> bool:
        return bool(self.runs) and self.objectives_met == len(self.objectives)

    def score(self) -> tuple:
        """The ranking key (smaller ranks first): objectives met, then the share of runs meeting
        them, then mean attainment, then cost, then the number of settings changed. Among fixes
        that meet every objective, attainment beyond them comes last: a fix of one call ranks
        before one of every call that attains a hundredth of a point more."""
        shares = sum(self.met_share(o) for o in self.objectives)
        attained = -round(sum(self.attainment(o)[0] for o in self.objectives), 6) if self.objectives else 0.0
        settings = sum(len(c.paths) for c in self.changes)
        if self.meets_all:
            return (-self.objectives_met, -shares, 0.0, self.cost, settings, attained)
        return (-self.objectives_met, -shares, attained, self.cost, settings, 0.0)

    def describe(self) -> str:
        """What this candidate changes, in words, one change a line."""
        return "\n".join(str(c) for c in self.changes) if self.changes else "nothing: the design as it is"


def without_resilience(design: Design) -> Design:
    """``design`` with every resilience policy removed: the starting point for finding them."""
    data = design.to_dict()
    for component in data["components"]:
        component["policies"] = []
    return parse_design(data)


# -- the baseline ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Baseline:
    """What a run without faults measured, for deriving the candidates' settings."""

    p999: dict[str, float]
    p99: dict[str, float]
    mean: dict[str, float]
    calls: dict[str, float]  # per link name "a -> b": calls per second

    def rate(self, source: str, target: str) -> float:
        return self.calls.get(f"{source} -> {target}", 0.0)


def measure_baseline(design: Design, options: RunOptions) -> Baseline:
    """Run ``design`` once without faults and keep the figures the catalogue needs."""
    from ..simulation import simulate

    result = simulate(design, options.model_copy(update={"faults": False}))
    comps = result.summary["components"]
    seconds = result.summary.get("measured_seconds") or options.duration - options.warmup
    return Baseline(
        p999={n: float(s.get("latency_p999", s["latency_p99"])) for n, s in comps.items()},
        p99={n: float(s["latency_p99"]) for n, s in comps.items()},
        mean={n: float(s["latency_mean"]) for n, s in comps.items()},
        calls={n: float(s["calls"]) / seconds for n, s in result.summary["links"].items()},
    )


# -- the catalogue --------------------------------------------------------------------------------
def _component(data: dict, name: str) -> dict:
    return next(c for c in data["components"] if c["name"] == name)


def _policy(component: dict, kind: str, scope: tuple[str, ...]) -> dict | None:
    """The policy of ``kind`` guarding calls to ``scope`` (a callee by name or id): one scoped to it,
    else one guarding all."""
    scoped = [p for p in component["policies"] if p["kind"] == kind and p.get("scope") in scope]
    unscoped = [p for p in component["policies"] if p["kind"] == kind and p.get("scope") is None]
    return (scoped or unscoped or [None])[0]


def _callees(data: dict, component: dict) -> set[str]:
    """The ids of the components ``component`` calls."""
    return {link["target"] for link in data["links"] if link["source"] in (component["id"], component["name"])}


def _guard(data: dict, caller: str, callee: str, kind: str, settings: dict) -> Change:
    """Set ``settings`` on the caller's ``kind`` policy for ``callee``, adding one scoped to it
    if there is none."""
    component = _component(data, caller)
    policy = _policy(component, kind, (callee, str(_component(data, callee)["id"])))
    label = kind.replace("_", " ")
    if policy is not None and policy.get("scope") is None and len(_callees(data, component)) > 1:
        # The caller's policy for all its calls also guards calls this change is not about: a
        # timeout fitted to one callee would cut another's calls short, and a second change to the
        # same policy would silently replace the first. Its own copy for this callee wins over it.
        policy = {k: v for k, v in policy.items() if k != "id"}
        policy["scope"] = callee
        component["policies"].append(policy)
        words = f"add a {label} on {caller} -> {callee}, from its {label} for all calls"
        owner = f"{caller}->{callee}.{kind}"
        policy["enabled"] = True
    elif policy is None:
        policy = {"kind": kind, "scope": callee, "enabled": True}
        component["policies"].append(policy)
        words = f"add a {label} on {caller} -> {callee}"
        owner = f"{caller}->{callee}.{kind}"
    else:
        words = f"set the {label} of {caller}" + (f" -> {callee}" if policy.get("scope") else " (all calls)")
        owner = f"{caller}->{callee}.{kind}" if policy.get("scope") else f"{caller}.{kind}"
        policy["enabled"] = True
    policy.update(settings)
    shown = {k: v for k, v in settings.items() if not isinstance(v, (dict, list))}
    for key, value in settings.items():
        if isinstance(value, dict):
            shown.update({f"{key}.{k}": v for k, v in value.items() if k != "kind"})
    return Change(words, tuple((f"{owner}.{k}", v) for k, v in shown.items()))


def _timeout(data, base: Baseline, caller, callee) -> list[Change]:
    value = nice(1.25 * base.p999.get(callee, 0.0))
    change = _guard(data, caller, callee, "timeout", {"timeout": value})
    return [Change(f"{change.words}: {_ms(value)}, the callee's p99.9 ({_ms(base.p999.get(callee, 0.0))}) "
                   "with a quarter to spare", change.paths)]


def _retry(data, base, caller, callee) -> list[Change]:
    settings = {"max_attempts": 3, "wait_duration": 0.05, "backoff": "exponential", "multiplier": 2.0,
                "jitter": "full", "budget": dict(_BUDGET)}
    existing = _policy(_component(data, caller), "retry", (callee, str(_component(data, callee)["id"])))
    if existing is not None:
        settings = {"budget": dict(_BUDGET)}
        if existing.get("wait_duration", 0.0) == 0.0:
            settings.update(wait_duration=0.05, backoff="exponential", multiplier=2.0, jitter="full")
    change = _guard(data, caller, callee, "retry", settings)
    return _timeout(data, base, caller, callee) + [
        Change(f"{change.words}: retries within a budget of 20 % of the calls in flight, backing off", change.paths)]


def _breaker(data, base, caller, callee) -> list[Change]:
    timeout = nice(1.25 * base.p999.get(callee, 0.0))
    settings = dict(_DEFAULT_BREAKER, slow_call_duration_threshold=timeout, slow_call_rate_threshold=80.0)
    change = _guard(data, caller, callee, "circuit_breaker", settings)
    return _timeout(data, base, caller, callee) + [
        Change(f"{change.words}: opens at 50 % failures or 80 % calls slower than {_ms(timeout)}", change.paths)]


def bulkhead_size(rate: float, latency: float) -> int:
    """Little's law: ``rate`` x ``latency`` calls in flight on average, plus three standard
    deviations of a Poisson count of that mean, at least 2."""
    mean = rate * latency
    return max(2, math.ceil(mean + 3 * math.sqrt(mean) + 1))


def _bulkhead(data, base, caller, callee) -> list[Change]:
    rate, latency = base.rate(caller, callee), base.mean.get(callee, 0.0)
    size = bulkhead_size(rate, latency)
    change = _guard(data, caller, callee, "bulkhead", {"max_concurrent_calls": size, "max_wait_duration": 0.0})
    return _timeout(data, base, caller, callee) + [
        Change(f"{change.words}: {size} concurrent calls (Little's law: {rate:.3g} calls/s x {_ms(latency)} "
               "in flight, plus three standard deviations)", change.paths)]


def _full(data, base, caller, callee) -> list[Change]:
    changes = _breaker(data, base, caller, callee)
    return changes + _bulkhead(data, base, caller, callee)[1:]


def _shed(data, base, caller, callee) -> list[Change]:
    component = _component(data, callee)
    wait = nice(base.p99.get(callee, 0.0))
    existing = next((p for p in component["policies"] if p["kind"] == "load_shedding"), None)
    if existing is None:
        component["policies"].append({"kind": "load_shedding", "enabled": True, "max_queue_wait": wait})
        words = f"add load shedding to {callee}"
    else:
        existing.update(enabled=True, max_queue_wait=wait)
        words = f"set the load shedding of {callee}"
    return [Change(f"{words}: shed requests that waited longer than {_ms(wait)} in the queue "
                   "(its p99 latency without faults)", ((f"{callee}.load_shedding.max_queue_wait", wait),))]


# Caller-side mitigations of a call, by name: (label, builder). Retries, a breaker and a bulkhead
# come with a timeout (without one a hung callee holds them all), and their names say so.
def _fallback(data, base, caller, callee) -> list[Change]:
    """A degraded answer on any failure of the call, after a timeout so that a hung callee fails
    too; it meets only an objective that counts fallbacks as good, which is the user's own word
    for a degraded answer being acceptable. Never at a client: its users would be counted as
    served by an answer nothing behind it made."""
    if _component(data, caller)["kind"] == "client":
        return []
    existing = _policy(_component(data, caller), "fallback", (callee, str(_component(data, callee)["id"])))
    if existing is not None and existing.get("enabled", True):
        return _timeout(data, base, caller, callee)   # a candidate the timeout alone already is
    change = _guard(data, caller, callee, "fallback", {"enabled": True})
    return _timeout(data, base, caller, callee) + [
        Change(f"{change.words}: a degraded answer on any failure (good only where an objective counts "
               "fallbacks)", change.paths)]


CALLER_MITIGATIONS: tuple[tuple[str, Callable], ...] = (
    ("timeout", lambda d, b, a, c: _timeout(d, b, a, c)),
    ("timeout and retries with a budget", _retry),
    ("timeout and circuit breaker", _breaker),
    ("timeout and bulkhead", _bulkhead),
    ("timeout, breaker and bulkhead", _full),
    ("timeout and fallback", _fallback),
)


def _capacity(data, callee: str, field_name: str) -> list[Change]:
    component = _component(data, callee)
    old = int(component[field_name])
    new = old + max(1, math.ceil(old / 2))
    component[field_name] = new
    return [Change(f"{field_name} of {callee}: {old} -> {new}", ((f"{callee}.{field_name}", new),))]


def _links_to_faults(design: Design, experiment: str | None) -> list[tuple[str, str]]:
    """The calls (caller, callee) whose callee leads to a faulted component: where a fault is felt."""
    names = design.names()
    links = [(design.name_of(link.source, names), design.name_of(link.target, names)) for link in design.links]
    if experiment is None:
        return links
    targets = {design.name_of(f.target, names).split("->")[-1].strip() for f in design.experiment(experiment).faults}
    reaches = set(targets)
    changed = True
    while changed:
        changed = False
        for source, target in links:
            if target in reaches and source not in reaches:
                reaches.add(source)
                changed = True
    return [(s, t) for s, t in links if t in reaches]


def candidates(design: Design, base: Baseline, experiment: str | None = None) -> list[Candidate]:
    """The catalogue applied to ``design``: each mitigation on each call a fault is felt through
    and on all of them at once, load shedding and more instances or workers where a fault is
    felt. The design as it is comes first. Candidates that would make an invalid design are left out."""
    kinds = {c.name: c.kind for c in design.components}
    calls = [(a, c) for a, c in _links_to_faults(design, experiment) if kinds[a] not in _NO_POLICIES]
    callees = list(dict.fromkeys(c for _, c in _links_to_faults(design, experiment)))
    out = [Candidate("as it is", [], design, cost(design))]

    tried: set[frozenset] = set()

    def add(name: str, build: Callable[[dict], list[Change]]) -> None:
        candidate = _made(design, name, build)
        if candidate is not None and _settings(candidate) not in tried:   # one mitigation that another already is
            tried.add(_settings(candidate))
            out.append(candidate)

    def on_call(build: Callable, caller: str | None, callee: str) -> Callable[[dict], list[Change]]:
        return lambda d: build(d, base, caller, callee)

    def on_every_call(build: Callable) -> Callable[[dict], list[Change]]:
        return lambda d: [ch for a, c in calls for ch in build(d, base, a, c)]

    for label, builder in CALLER_MITIGATIONS:
        for caller, callee in calls:
            add(f"{label} on {caller} -> {callee}", on_call(builder, caller, callee))
        if len(calls) > 1:
            add(f"{label} on every call", on_every_call(builder))
    for callee in callees:
        if kinds[callee] not in _NO_POLICIES and kinds[callee] != "client":
            add(f"load shedding at {callee}", on_call(_shed, None, callee))
        component = design.component(callee) if hasattr(design, "component") else None
        for name in ("instances", *_POOL_FIELDS):
            if component is not None and hasattr(component, name) and kinds[callee] != "client":
                add(f"more {name} of {callee}", partial(_capacity, callee=callee, field_name=name))
    return out


def _made(design: Design, name: str, build: Callable[[dict], list[Change]]) -> Candidate | None:
    """The candidate ``build`` makes of ``design``; None if it changes nothing or breaks the design."""
    data = design.to_dict()
    try:
        changes = _settled(build(data))
        variant = parse_design(data)
    except (DesignError, KeyError, StopIteration):
        return None
    if not changes or variant == design:
        return None
    return Candidate(name, changes, variant, cost(variant), build=build)


def _settled(changes: list[Change]) -> list[Change]:
    """``changes`` as the design ends up: a setting made twice is listed once, where it was first
    made, and one set again to another value only where it was last set, which is the value the
    design holds (two mitigations of a pair may both set a call's timeout)."""
    final = {path: value for change in changes for path, value in change.paths}
    out: list[Change] = []
    listed: set[str] = set()
    for change in dict.fromkeys(changes):
        kept = tuple((p, v) for p, v in change.paths if final[p] == v and p not in listed)
        if change.paths and not kept:
            continue
        listed.update(p for p, _ in kept)
        out.append(change if kept == change.paths else Change(change.words, kept))
    return out


def _settings(candidate: Candidate) -> frozenset:
    return frozenset(pv for change in candidate.changes for pv in change.paths)


def _outcome(candidate: Candidate) -> tuple:
    """What a candidate's runs measured of its objectives, run by run (common seeds)."""
    return tuple((r.get(f"{o}.met"), r.get(f"{o}.attainment")) for r in candidate.runs for o in candidate.objectives)


def without_idle_settings(ranked: list[Candidate]) -> list[Candidate]:
    """``ranked`` less each candidate that adds settings to another's to no effect: the same
    measures of every objective in every run as a fix of some of its settings ("timeout and
    fallback" where no objective counts a fallback is "timeout" again, with one more setting)."""
    fixes = [(c, _settings(c), _outcome(c)) for c in ranked if c.runs]
    idle = {id(c) for c, settings, outcome in fixes
            if any(other and other < settings and same == outcome for d, other, same in fixes if d is not c)}
    return [c for c in ranked if id(c) not in idle]


def combinations(design: Design, ranked: list[Candidate], best: int = 4) -> list[Candidate]:
    """Pairs of the ``best`` ranked candidates, each pair's changes made together: what a
    second round tries when no single mitigation meets every objective. A pair whose settings
    are those of a candidate already tried (one holds the other) is left out."""
    top = [c for c in ranked if c.build is not None][:best]
    tried = {_settings(c) for c in ranked}
    out = []
    for i, first in enumerate(top):
        for second in top[i + 1:]:
            def build(d, a=first.build, b=second.build):
                return a(d) + b(d)

            candidate = _made(design, f"{first.name} + {second.name}", build)
            if candidate is not None and _settings(candidate) not in tried:
                tried.add(_settings(candidate))
                out.append(candidate)
    return out


def _objective_models(design: Design) -> dict[str, Any]:
    """Every client objective of ``design`` by its prefix (``browsers.objectives.1``), in order."""
    return {objective_prefix(c.name, i): o for c in design.components if c.kind == "client"
            for i, o in enumerate(getattr(c, "objectives", ()))}


def _objectives(design: Design) -> list[str]:
    return list(_objective_models(design))


@dataclass
class Suggestions:
    """Candidates ranked best first, and what was measured to make them."""

    design: Design
    experiment: str | None
    options: RunOptions
    replications: int
    baseline: Baseline
    ranked: list[Candidate]
    # candidates run but left out of ``ranked``: they added settings to another's to no effect
    idle: int = 0

    @property
    def tried(self) -> int:
        """How many candidates ran, those left out included."""
        return len(self.ranked) + self.idle

    @property
    def left_out(self) -> str:
        """Which candidates that ran are not ranked, and why, in words ("" when none)."""
        if not self.idle:
            return ""
        return f"{self.idle} that added settings to no effect left out"

    @property
    def objectives(self) -> list[str]:
        return _objectives(self.design)

    def out_of_reach(self) -> list[str]:
        """Why no fix tried meets an objective, in words ([] when each was met by one): for each
        objective no candidate met in every replication, the best attainment any reached; then
        how much of the measured time the experiment's faults take; and, for a crash or a
        partition against an objective that counts only ok answers, that while it lasts only a
        fallback answers for what it takes away, and such an answer counts only if the
        objective says so. Without this the user saw every candidate short of 99 % and no
        reason, where a fault that takes the only database away for a fifth of the run caps what
        a timeout, a retry or a breaker can attain."""
        words = objective_words(self.design)
        models = _objective_models(self.design)
        unmet = [o for o in self.objectives if not any(c.met_share(o) == 1.0 for c in self.ranked)]
        if not self.ranked or not unmet:
            return []
        lines = []
        for objective in unmet:
            best = max(self.ranked, key=lambda c: c.attainment(objective)[0])
            lines.append(f"No candidate met {words[objective]}: the best, {best.name}, attained "
                         f"{best.attainment(objective)[0] * 100:.2f} % of requests, where it needs "
                         f"{models[objective].good_share_target * 100:.6g} %.")
        faults = [f for f in self.design.experiment(self.experiment).faults if f.enabled] if self.experiment else []
        start, end = self.options.warmup, self.options.duration
        spans = sorted((max(a, start), min(b, end)) for f in faults for a, b in f.windows(end) if b > start)
        covered, reached = 0.0, start
        for a, b in spans:
            covered += max(0.0, b - max(a, reached))
            reached = max(reached, b)
        if covered <= 0:
            return lines
        lines.append(f'The faults of "{self.experiment}" last {format_seconds(covered)} of the '
                     f"{format_seconds(end - start)} measured ({covered / (end - start) * 100:.0f} %).")
        strict = [words[o] for o in unmet if getattr(models[o], "count_fallback", True) is False]
        away = sorted({f.title for f in faults if f.takes_away})
        if strict and away:
            lines.append(f"A request that needs what a {' or a '.join(away)} takes away fails while it lasts, "
                         f"unless a fallback answers it; {' and '.join(strict)} counts only ok answers: "
                         "if a degraded answer will do, let it count fallbacks as good.")
        return lines


def suggest(design: Design, experiment: str | None, options: RunOptions, replications: int = 3,
            executor=None, on_progress: Callable[[int, int], None] | None = None,
            stop: threading.Event | None = None, start_without_resilience: bool = False,
            only: Iterable[str] | None = None, combine: bool = True) -> Suggestions:
    """Try the catalogue's candidates on ``design`` under ``experiment`` and rank them.

    Each candidate runs ``replications`` seeds (``options.seed + k``, the same for all). With
    ``start_without_resilience`` every policy is removed first. ``only`` keeps the candidates
    whose name contains one of its words (and the design as it is). ``stop`` ends early: the
    candidates that ran are ranked, the rest are left out. When no candidate meets every
    objective (and ``combine``), pairs of the four best are tried as a second round.
    """
    from .executors import InProcessExecutor

    if replications < 1:
        raise DesignError([Problem("--replications", f"must be at least 1 (got {replications})")])
    design = design.check()
    if experiment is not None:
        chosen = design.experiment(experiment)
        problems = experiment_problems(design, chosen, options.duration)
        if problems:
            raise DesignError(problems)
        experiment = chosen.name
    if start_without_resilience:
        design = without_resilience(design)
    if not _objectives(design):
        raise DesignError([Problem(design.name, "has no objectives to meet: give a client an objective first")])
    base = measure_baseline(design, options)
    pool = candidates(design, base, experiment)
    if only:
        words = [w.lower() for w in only]
        pool = [c for c in pool if not c.changes or any(w in c.name.lower() for w in words)]
    executor = executor or InProcessExecutor()
    objectives = _objectives(design)
    options_json = options.model_dump_json()
    progress = {"done": 0, "total": len(pool) * replications}

    def run(batch: list[Candidate]) -> list[Candidate]:
        ran = []
        for candidate in batch:
            if stop is not None and stop.is_set():
                break
            candidate.objectives = objectives
            tasks = [Task(0, (), experiment, k, options.seed + k) for k in range(replications)]
            for _, metrics in executor.run(candidate.design.model_dump_json(), options_json, tasks):
                candidate.runs.append(metrics)
                progress["done"] += 1
                if on_progress:
                    on_progress(progress["done"], progress["total"])
            ran.append(candidate)
        return ran

    ranked = sorted(run(pool), key=Candidate.score)
    if combine and ranked and not any(c.meets_all for c in ranked) and not (stop is not None and stop.is_set()):
        pairs = combinations(design, ranked)
        progress["total"] += len(pairs) * replications
        ranked = sorted(ranked + run(pairs), key=Candidate.score)
    kept = without_idle_settings(ranked)
    return Suggestions(design, experiment, options, replications, base, kept, len(ranked) - len(kept))
