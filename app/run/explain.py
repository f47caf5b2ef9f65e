"""Why a run came out as it did: short reasons drawn from rules over the design and its results.

Each rule is a pure function of the design, the experiment and the finished
results (one ``RunResult`` per variant: ``protected``, ``unprotected``,
``baseline``). A rule that recognises its situation returns a ``Finding``:
one sentence an architect can check against the design, naming the
component or link, the setting and the figure. Qt-free: the dashboard, the
report and scripts read the same reasons.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from engine import RunResult
from engine.model import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    Design,
    Experiment,
    HedgingPolicy,
    RetryPolicy,
    TimeoutPolicy,
)
from engine.model.components import _Component
from engine.model.resilience import _Policy

from .formatting import format_value

AMPLIFICATION_NOTED = 1.3  # load at a dependency this many times what it gets without retries
BREAKER_OPEN_NOTED = 0.05  # share of the run a breaker spent open
REJECTED_NOTED = 0.01  # share of calls a bulkhead turned away
DEADLINE_DROPS_NOTED = 0.01  # share of a component's requests dropped past their deadline
SATURATED = 0.95  # utilisation at which a component's workers count as all taken
SATURATED_NOTED = 0.1  # share of the run's buckets with the workers all taken
OWN_WORK_SMALL = 0.5  # ... while its own work needs at most this share of them


@dataclass(frozen=True)
class Finding:
    """One reason: what it is about (a component or link name), the sentence, and the rule."""

    subject: str
    text: str
    rule: str


def explain(design: Design, experiment: Experiment | None, results: dict[str, RunResult]) -> list[Finding]:
    """Every reason the rules find, the likeliest causes first; no run results, no reasons.

    The rules read the protected run where there is one. In a comparison the run without
    resilience failed its own way (no timeout at all on a hung dependency), which is what the
    comparison is there to show: its reasons follow, said to be its own, unless the protected
    run's say the same."""
    if not results:
        return []
    findings = _apply_rules(design, experiment, results)
    if "protected" in results and "unprotected" in results:
        said = {f.text for f in findings}
        findings += [Finding(f.subject, f"without resilience: {f.text}", f.rule)
                     for f in _apply_rules(design, experiment, {"unprotected": results["unprotected"]})
                     if f.text not in said]
    return findings


def _apply_rules(design: Design, experiment: Experiment | None, results: dict[str, RunResult]) -> list[Finding]:
    return [finding for rule in RULES for finding in rule(design, experiment, results)]


# -- helpers ---------------------------------------------------------------------------------
def _link_name(source: str, target: str) -> str:
    return f"{source} -> {target}"


def _target_name(design: Design, fault) -> str:
    """What a fault hits, by name: a component's, or a link's ``a -> b``."""
    return design.name_of(fault.target)


def _guarded_links(design: Design, component, policy) -> list[str]:
    """The links a caller-side policy guards: one dependency, or all outgoing calls."""
    targets = [link.target for link in design.links_from(component.id)]
    if policy.scope:
        targets = [t for t in targets if t == policy.scope]
    return [_link_name(component.name, design.name_of(t)) for t in targets]


P = TypeVar("P", bound=_Policy)


def _policies(design: Design, kind: type[P]) -> Iterable[tuple[_Component, P, str]]:
    """(component, policy, link) for each enabled caller-side policy of class ``kind`` and each link it guards."""
    for component in design.components:
        for policy in component.policies:
            if isinstance(policy, kind) and policy.enabled and not policy.inbound:
                for link in _guarded_links(design, component, policy):
                    yield component, policy, link


def _faults(experiment: Experiment | None, *kinds: str) -> list:
    if experiment is None:
        return []
    return [f for f in experiment.faults if f.enabled and f.kind in kinds]


def _hits(design: Design, fault, link: str) -> bool:
    """Whether a fault aimed at a link, or at every link into a component, strikes ``link``."""
    target = _target_name(design, fault)
    return target == link or (" -> " not in target and link.endswith(f" -> {target}"))


def _ms(seconds: float) -> str:
    return format_value("latency_mean", seconds)


def _protected(results: dict[str, RunResult]) -> RunResult | None:
    """The run with resilience on, the one whose policies acted."""
    return results.get("protected")


def _link_summary(result: RunResult | None, link: str) -> dict | None:
    if result is None:
        return None
    return result.summary.get("links", {}).get(link)


# -- rules -----------------------------------------------------------------------------------
def timeout_below_injected_latency(design, experiment, results) -> list[Finding]:
    """A timeout shorter than the delay a latency fault adds: those attempts cannot succeed."""
    if _protected(results) is None:
        return []
    out = []
    for _component, policy, link in _policies(design, TimeoutPolicy):
        for fault in _faults(experiment, "latency"):
            if not _hits(design, fault, link):
                continue
            typical = fault.delay.quantile(0.5)
            if typical >= policy.timeout:
                share = ("every attempt times out" if fault.fraction >= 1
                         else f"the {fault.fraction * 100:.0f} % of attempts it delays time out")
                out.append(Finding(link, f"timeout {_ms(policy.timeout)} on {link} is below the injected "
                                         f"{_ms(typical)} latency: {share}", "timeout_below_latency"))
            elif fault.delay.quantile(0.99) >= policy.timeout:
                out.append(Finding(link, f"timeout {_ms(policy.timeout)} on {link} is below the slowest "
                                         f"injected latency ({_ms(fault.delay.quantile(0.99))} at p99): "
                                         "some attempts time out", "timeout_below_latency"))
    return out


def no_timeout_on_a_hung_dependency(design, experiment, results) -> list[Finding]:
    """A caller without a timeout on calls that hang: its workers wait, and the failure spreads up."""
    hanging = [f for f in _faults(experiment, "crash", "partition") if f.mode == "hang"]
    if not hanging:
        return []
    timed = {link for _c, _p, link in _policies(design, TimeoutPolicy)} if _protected(results) is not None else set()
    out = []
    for link in design.links:
        name = design.link_name(link)
        source, target = design.name_of(link.source), design.name_of(link.target)
        caller = design.find_component(link.source)
        if name in timed or caller is None or caller.kind in ("client", "load_balancer"):
            continue
        for fault in hanging:
            if _hits(design, fault, name) or fault.target == link.target:
                out.append(Finding(name, f"{source} has no timeout on calls to {target}, which hang "
                                         f"during the fault: its workers wait, and its callers wait on it",
                                   "no_timeout_on_hang"))
                break
    return out


def retry_amplification(design, experiment, results) -> list[Finding]:
    """Retries multiply the load on a dependency: by the attempts each call made on the retrying link.

    Not by the dependency's arrivals against the run without resilience: there, a caller's full
    queue or its crash sends fewer calls on, and that ratio (x2.6 under a retry of at most two
    attempts) blamed retries for what the other run did not send."""
    protected = _protected(results)
    if protected is None:
        return []
    out = []
    seen = set()
    for _component, _policy, link in _policies(design, RetryPolicy):
        target = link.split(" -> ", 1)[1]
        if target in seen:
            continue
        summary = _link_summary(protected, link)
        factor = summary.get("attempts_per_call") if summary else None
        if factor is not None and factor >= AMPLIFICATION_NOTED:
            seen.add(target)
            out.append(Finding(target, f"retries multiply load x{factor:.1f} at {target}", "retry_amplification"))
    return out


def breaker_open(design, experiment, results) -> list[Finding]:
    """A breaker that spent a noticeable part of the run open: calls were refused rather than sent."""
    protected = _protected(results)
    if protected is None or "breaker_open_fraction" not in protected.link_series:
        return []
    out = []
    for _component, policy, link in _policies(design, CircuitBreakerPolicy):
        if link not in protected.links:
            continue
        column = protected.link_column("breaker_open_fraction", link)
        share = float(column[column == column].mean()) if len(column) else 0.0
        if share < BREAKER_OPEN_NOTED:
            continue
        summary = _link_summary(protected, link) or {}
        refused = summary.get("breaker_rejected", 0.0)
        out.append(Finding(link, f"the breaker on {link} was open {share * 100:.0f} % of the run: "
                                 f"{refused:.0f} calls short-circuited instead of waiting "
                                 f"(open for {_ms(policy.wait_duration_in_open_state)} at a time)", "breaker_open"))
    return out


def retries_of_short_circuited_calls(design, experiment, results) -> list[Finding]:
    """A retry that retries what its own breaker refuses: each refusal waits out the retry's backoff
    and is refused again while the breaker stays open (Resilience4j's Retry, outermost, retries a
    CallNotPermittedException unless told not to), so the caller waits instead of failing fast."""
    protected = _protected(results)
    out = []
    for component, policy, link in _policies(design, RetryPolicy):
        if "short_circuited" not in policy.retry_on or policy.max_attempts < 2:
            continue
        summary = _link_summary(protected, link)
        if not summary or not summary.get("calls") or not summary.get("retries"):
            continue
        refused = summary.get("breaker_rejected", 0.0)
        if refused / summary["calls"] < REJECTED_NOTED:
            continue
        held = (f", {component.name}'s worker held all the while"
                if getattr(component, "call_mode", None) == "blocking" else "")
        out.append(Finding(link, f"the retry on {link} also retries the calls its open breaker refuses "
                                 f"({refused:.0f} short-circuited), waiting {_ms(policy.wait_duration)} before "
                                 f"each{held}: leave short circuited out of the outcomes it retries",
                           "retries_short_circuited"))
    return out


def bulkhead_rejections(design, experiment, results) -> list[Finding]:
    """A bulkhead that turned away a noticeable share of calls."""
    protected = _protected(results)
    out = []
    for _component, policy, link in _policies(design, BulkheadPolicy):
        summary = _link_summary(protected, link)
        if not summary or not summary.get("calls"):
            continue
        share = summary.get("bulkhead_rejected", 0.0) / summary["calls"]
        if share >= REJECTED_NOTED:
            out.append(Finding(link, f"the bulkhead on {link} (at most {policy.max_concurrent_calls} calls at once) "
                                     f"rejected {share * 100:.0f} % of calls", "bulkhead_rejections"))
    return out


def work_past_its_deadline(design, experiment, results) -> list[Finding]:
    """Requests a component dropped because the deadline their callers set had passed."""
    protected = _protected(results)
    if protected is None:
        return []
    dropped: dict[str, int] = {}
    for event in protected.events_of("deadline_drops"):
        dropped[event["component"]] = dropped.get(event["component"], 0) + event["count"]
    out = []
    for name, count in dropped.items():
        arrivals = protected.summary["components"].get(name, {}).get("arrivals", 0.0)
        if not arrivals or count / arrivals < DEADLINE_DROPS_NOTED:
            continue
        fifo = getattr(design.find_component(name), "queue_discipline", None) == "fifo"
        hint = ("; its FIFO queue hands workers the oldest requests, the first to expire (LIFO or CoDel serve "
                "fresh ones)" if fifo else "")
        out.append(Finding(name, f"{name} dropped {count} requests ({min(count / arrivals, 1.0) * 100:.0f} %) past "
                                 f"their deadline: work its callers had already given up on{hint}", "deadline_drops"))
    return out


def hedges_add_load(design, experiment, results) -> list[Finding]:
    """Hedged copies beyond the first: extra load at the dependency, and what they bought."""
    protected = _protected(results)
    out = []
    for _component, policy, link in _policies(design, HedgingPolicy):
        summary = _link_summary(protected, link)
        if not summary or not summary.get("calls"):
            continue
        extra = summary.get("attempts", 0.0) / summary["calls"] - 1.0
        if extra >= AMPLIFICATION_NOTED - 1.0:
            out.append(Finding(link, f"hedging on {link} (up to {policy.max_attempts} copies, the next after "
                                     f"{_ms(policy.hedging_delay)}) sent {extra * 100:.0f} % more requests than "
                                     "calls", "hedges_add_load"))
    return out


def _own_work(component) -> tuple[float, int] | None:
    """Mean seconds of a component's own work per request, and its workers in all."""
    for work, workers in (("service_time", "workers"), ("hit_time", "workers"), ("process_time", "consumers")):
        if hasattr(component, work):
            return getattr(component, work).mean(), getattr(component, workers) * getattr(component, "instances", 1)
    return None


def blocking_workers_wait_on_calls(design, experiment, results) -> list[Finding]:
    """Blocking workers all taken while the component's own work needs few of them: they wait on calls."""
    out = []
    result = _protected(results) or next(iter(results.values()))
    for component in design.components:
        own_work = _own_work(component)
        if getattr(component, "call_mode", None) != "blocking" or own_work is None:
            continue
        summary = result.summary["components"].get(component.name)
        if not summary or not design.links_from(component.name) or component.name not in result.components:
            continue
        series = result.column("utilisation", component.name)
        saturated = float((series >= SATURATED).mean()) if len(series) else 0.0
        own = summary.get("arrival_rate", 0.0) * own_work[0] / own_work[1]
        if saturated >= SATURATED_NOTED and own <= OWN_WORK_SMALL:
            out.append(Finding(component.name, f"{component.name}'s workers were all busy {saturated * 100:.0f} % of "
                                               f"the run but its own work needs {own * 100:.0f} % of them: they wait "
                                               "on its calls (blocking); non-blocking calls would free them",
                               "blocking_workers_wait"))
    return out


RULES: list[Callable[[Design, Experiment | None, dict[str, RunResult]], list[Finding]]] = [
    timeout_below_injected_latency,
    no_timeout_on_a_hung_dependency,
    retry_amplification,
    breaker_open,
    retries_of_short_circuited_calls,
    bulkhead_rejections,
    work_past_its_deadline,
    blocking_workers_wait_on_calls,
    hedges_add_load,
]
