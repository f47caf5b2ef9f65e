"""Where imported settings land in a design: matching names to components, putting a policy
on the call it guards, and the skeleton design used when none is given."""
from __future__ import annotations

import uuid

from engine.model import CALLER_POLICY_KINDS, Client, Design, Link, OpenLoop, Service
from engine.model.validation import policy_refusal

from .notes import InteropError, Target, no_equivalent


def loose(name: str) -> str:
    """Names as configuration files spell them: ``Orders-DB``, ``orders_db`` and ``orders db`` agree."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def match_component(design: Design, name: str):
    """The component called ``name``, exactly or loosely; None when there is none or the loose
    match is ambiguous."""
    exact = design.find_component(name)
    if exact is not None:
        return exact
    found = [c for c in design.components if loose(c.name) == loose(name)]
    return found[0] if len(found) == 1 else None


def parse_target(text: str, design: Design, where: str = "--map") -> Target:
    """``CALLER->CALLEE`` as a call of ``design``; refuses a call the design does not make."""
    if "->" not in text:
        raise InteropError(f'"{text}" is not a call: write CALLER->CALLEE', where)
    caller_name, callee_name = (part.strip() for part in text.split("->", 1))
    caller, callee = match_component(design, caller_name), match_component(design, callee_name)
    for given, found in ((caller_name, caller), (callee_name, callee)):
        if found is None:
            names = ", ".join(c.name for c in design.components) or "none"
            raise InteropError(f'no component named "{given}" in design "{design.name}" (it has: {names})', where)
    if design.link_between(caller.id, callee.id) is None:
        raise InteropError(f'"{caller.name}" does not call "{callee.name}" in design "{design.name}"', where)
    return Target(caller.name, callee.name)


def parse_mappings(items: list[str], design: Design) -> dict[str, Target]:
    """``INSTANCE=CALLER->CALLEE`` options as a dict."""
    out: dict[str, Target] = {}
    for item in items:
        if "=" not in item:
            raise InteropError(f'"{item}" should read INSTANCE=CALLER->CALLEE', "--map")
        name, call = item.split("=", 1)
        out[name.strip()] = parse_target(call, design, f"--map {item}")
    return out


def callers_of(design: Design, callee: str, caller: str | None = None) -> list[Target]:
    """Every call into ``callee`` (``caller``'s only, when the files are that component's)."""
    calls = [Target(design.name_of(link.source), design.name_of(link.target)) for link in design.links_into(callee)]
    return [t for t in calls if caller is None or t.caller == caller]


def put_policy(design: Design, target: Target, policy) -> str | None:
    """Attach ``policy`` where it guards ``target``: on the caller scoped to the callee, or on the
    callee for inbound kinds. A policy of the same kind and scope is replaced, keeping its id.
    Returns why the policy cannot go there (and leaves the design alone), or None."""
    owner_name = target.callee if policy.inbound else target.caller
    index = next(i for i, c in enumerate(design.components) if c.name == owner_name)
    owner = design.components[index]
    refusal = policy_refusal(owner, policy.kind)
    if refusal:
        return f'{policy.title} for {target} left out: {refusal} ("{owner.name}")'
    if not policy.inbound:
        policy = policy.model_copy(update={"scope": design.ref_to(target.callee)})
    scope = getattr(policy, "scope", None)
    policies = list(owner.policies)
    for i, old in enumerate(policies):
        if old.kind == policy.kind and getattr(old, "scope", None) == scope:
            policies[i] = policy.model_copy(update={"id": old.id})
            break
    else:
        policies.append(policy)
    design.components[index] = owner.model_copy(update={"policies": policies})
    return None


def effective_policy(design: Design, caller, callee: uuid.UUID | str, kind: str):
    """The enabled policy of ``kind`` that guards ``caller``'s calls to ``callee``: a scoped one
    wins over one that guards every call (as the engine decides). ``callee`` by name or id."""
    ref = design.ref_to(callee)
    general = None
    for policy in caller.policies:
        if policy.kind != kind or not policy.enabled:
            continue
        scope = getattr(policy, "scope", None)
        if isinstance(scope, str):  # a name not yet resolved (a component edited in code)
            scope = design.ref_to(scope)
        if scope == ref:
            return policy
        if not scope and general is None:
            general = policy
    return general


def left_out_notes(design: Design, caller, callee: str, tool: str, carried: tuple[str, ...],
                   instead: dict[str, str] | None = None) -> list[str]:
    """A note for each enabled policy guarding ``caller``'s calls to ``callee`` (its own, and the
    callee's inbound ones) whose kind ``tool``'s format does not carry; ``instead`` says, by kind,
    what the format has in its place."""
    target = design.component(callee)
    guarding = [effective_policy(design, caller, callee, kind) for kind in CALLER_POLICY_KINDS
                if kind not in carried]
    guarding += [p for p in target.policies if p.inbound and p.enabled and p.kind not in carried]
    notes = []
    for policy in (p for p in guarding if p is not None):
        what = f"the {policy.label.lower()} policy"
        if policy.kind == "circuit_breaker":
            what += f" (failure rate {policy.failure_rate_threshold:g} % over {policy.sliding_window_size})"
        elif policy.inbound:
            what = f"{callee}'s own {policy.label.lower()} policy"
        notes.append(no_equivalent(f"{caller.name} -> {callee}", what, tool, (instead or {}).get(policy.kind, "")))
    return notes


def design_changes(before: Design, after: Design) -> list[tuple[str, uuid.UUID, dict]]:
    """What importing into ``before`` changes to make ``after``: ("component" or "link", the id in
    ``before``, the changed fields) for each component and call both hold that ``after`` holds differently."""
    edits: list[tuple[str, uuid.UUID, dict]] = []
    for new in after.components:
        old = before.find_component(new.name)
        if old is not None:
            edits.append(("component", old.id, _changed(old, new, {"id", "position", "name"})))
    for new_link in after.links:
        old_link = next((link for link in before.links if link.name == new_link.name), None)
        if old_link is not None:
            edits.append(("link", old_link.id, _changed(old_link, new_link, {"id", "source", "target"})))
    return [edit for edit in edits if edit[2]]


def _changed(old, new, keep: set[str]) -> dict:
    """The fields of ``new`` that differ from ``old``, as the editor's dotted-path changes."""
    before, after = old.model_dump(mode="json", exclude=keep), new.model_dump(mode="json", exclude=keep)
    return {key: value for key, value in after.items() if before.get(key) != value}


def guards_a_call(design: Design, caller, kinds: tuple[str, ...]) -> bool:
    """Whether one of ``caller``'s calls is guarded by a policy of ``kinds``: its own, or the
    callee's inbound one (a rate limiter guards the calls into its component)."""
    for link in design.links_from(caller.name):
        callee = design.component(link.target)
        for kind in kinds:
            own = effective_policy(design, caller, link.target, kind)
            if own is not None and not own.inbound:   # the caller's own rate limiter guards what calls it
                return True
            if any(p.kind == kind and p.inbound and p.enabled for p in callee.policies):
                return True
    return False


def export_callers(design: Design, kinds: tuple[str, ...]) -> list:
    """The components a per-caller export of ``kinds`` has something to write for."""
    return [c for c in design.components if guards_a_call(design, c, kinds)]


def pick_caller(design: Design, name: str | None, kinds: tuple[str, ...], nothing: str = ""):
    """The component whose calls a per-client format describes: ``name``, or the only one that
    guards a call with one of ``kinds``; ``nothing`` says what the design lacks when none does."""
    if name is not None:
        caller = design.find_component(name)
        if caller is None:
            raise InteropError(f'design "{design.name}" has no component named "{name}"', "--caller")
        return caller
    callers = export_callers(design, kinds)
    if len(callers) == 1:
        return callers[0]
    if not callers:
        raise InteropError(f'design "{design.name}" has no '
                           + (nothing or f'call guarded by a {" or ".join(kinds)}') + " to export")
    names = ", ".join(c.name for c in callers)
    raise InteropError(f"this format describes one client's calls; choose the caller with --caller (one of: {names})")


def skeleton(application: str, dependencies: list[str]) -> Design:
    """A design for settings that came without one: clients call ``application``, which calls
    each dependency (a service with default capacity until the user says what it is)."""
    app = application if match_name_ok(application) else "application"
    deps = [d for d in dict.fromkeys(dependencies) if match_name_ok(d) and d != app and d != "clients"]
    components = [Client(name="clients", workload=OpenLoop(rate=10.0)), Service(name=app)]
    components += [Service(name=d) for d in deps]
    links = [Link(source="clients", target=app)] + [Link(source=app, target=d) for d in deps]
    return Design(name=app, components=components, links=links,
                  description=f"Made from configuration files: {app} and the dependencies it guards.")


def match_name_ok(name: str) -> bool:
    """Whether ``name`` can be a component name as it stands."""
    return bool(name.strip()) and len(name) <= 64 and "->" not in name and not any(ch in name for ch in '"\n\r\t')
