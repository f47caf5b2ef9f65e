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

from engine import RunResult
from engine.model import Design, Experiment

from .formatting import format_value

AMPLIFICATION_NOTED = 1.3  # load at a dependency this many times what it gets without retries
BREAKER_OPEN_NOTED = 0.05  # share of the run a breaker spent open
REJECTED_NOTED = 0.01  # share of calls a bulkhead turned away


@dataclass(frozen=True)
class Finding:
    """One reason: what it is about (a component or link name), the sentence, and the rule."""

    subject: str
    text: str
    rule: str


def explain(design: Design, experiment: Experiment | None, results: dict[str, RunResult]) -> list[Finding]:
    """Every reason the rules find, the likeliest causes first; no run results, no reasons."""
    if not results:
        return []
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(design, experiment, results))
    return findings


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


def _policies(design: Design, kind: str) -> Iterable[tuple[object, object, str]]:
    """(component, policy, link) for each enabled policy of ``kind`` and each link it guards."""
    for component in design.components:
        for policy in component.policies:
            if policy.kind == kind and policy.enabled and not policy.inbound:
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
    return format_value("latency", seconds)


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
    for _component, policy, link in _policies(design, "timeout"):
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
    timed = {link for _c, _p, link in _policies(design, "timeout")} if _protected(results) is not None else set()
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
    """Retries multiply the load on a dependency: measured against the run without them when there is one."""
    protected = _protected(results)
    if protected is None:
        return []
    unprotected = results.get("unprotected")
    out = []
    seen = set()
    for _component, _policy, link in _policies(design, "retry"):
        target = link.split(" -> ", 1)[1]
        if target in seen:
            continue
        factor = None
        if unprotected is not None:
            with_ = protected.summary["components"].get(target, {}).get("arrivals", 0.0)
            without = unprotected.summary["components"].get(target, {}).get("arrivals", 0.0)
            factor = with_ / without if without else None
        if factor is None:
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
    for _component, policy, link in _policies(design, "circuit_breaker"):
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


def bulkhead_rejections(design, experiment, results) -> list[Finding]:
    """A bulkhead that turned away a noticeable share of calls."""
    protected = _protected(results)
    out = []
    for _component, policy, link in _policies(design, "bulkhead"):
        summary = _link_summary(protected, link)
        if not summary or not summary.get("calls"):
            continue
        share = summary.get("bulkhead_rejected", 0.0) / summary["calls"]
        if share >= REJECTED_NOTED:
            out.append(Finding(link, f"the bulkhead on {link} (at most {policy.max_concurrent_calls} calls at once) "
                                     f"rejected {share * 100:.0f} % of calls", "bulkhead_rejections"))
    return out


RULES: list[Callable[[Design, Experiment | None, dict[str, RunResult]], list[Finding]]] = [
    timeout_below_injected_latency,
    no_timeout_on_a_hung_dependency,
    retry_amplification,
    breaker_open,
    bulkhead_rejections,
]
