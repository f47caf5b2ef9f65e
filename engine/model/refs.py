"""References between the parts of a design: by stable id, with names accepted on the way in.

A link's ends, a policy's scope and a fault's target hold the id of the component (or, for a
fault, the link) they mean, so renaming a component changes nothing but its name. Files written
by hand, designs built in code (``Link(source="api", target="db")``) and files of format 1 name
components instead; a design turns every name it can resolve into an id as it is built. A name it
cannot resolve (a typo) stays as written, and the design's checks
say what is wrong with it, by name.
"""
from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

LINK_ARROW = " -> "
_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def as_ref(value: Any) -> Any:
    """Text that is an id becomes the id; any other text is a name, trimmed."""
    if isinstance(value, str):
        text = value.strip()
        return uuid.UUID(text) if _ID.match(text) else text
    return value


def looks_like_id(text: str) -> bool:
    return bool(_ID.match(text.strip()))


# The id of what is meant, or (until a design resolves it) its name.
Ref = Annotated[uuid.UUID | Annotated[str, Field(min_length=1)], BeforeValidator(as_ref)]


def link_name(source: str, target: str) -> str:
    """``api -> db``: how a link is named in messages, paths and fault targets written by hand."""
    return f"{source}{LINK_ARROW}{target}"


def normalise_link_name(text: str) -> str:
    """Links may be written "a->b"; they are named "a -> b"."""
    return LINK_ARROW.join(p.strip() for p in text.split("->")) if "->" in text else text.strip()


def _get(item: Any, field: str) -> Any:
    return item.get(field) if isinstance(item, dict) else getattr(item, field, None)


def _with(item: Any, changes: dict[str, Any]) -> Any:
    if isinstance(item, dict):
        return {**item, **changes}
    if isinstance(item, BaseModel):
        # The values are ids the item's field accepts as they are.
        return item.model_copy(update=changes)
    return item


def _id_of(item: Any) -> uuid.UUID | None:
    value = as_ref(_get(item, "id"))
    return value if isinstance(value, uuid.UUID) else None


def names_in(item: Any) -> bool:
    """Whether a link, component or experiment refers to anything by name (data not yet built
    into a model object is taken to)."""
    if not isinstance(item, BaseModel):
        return True
    refs = [getattr(item, "source", None), getattr(item, "target", None)]
    refs += [getattr(p, "scope", None) for p in getattr(item, "policies", None) or ()]
    refs += [getattr(f, "target", None) for f in getattr(item, "faults", None) or ()]
    return any(isinstance(ref, str) for ref in refs)


def resolve_names(data: dict[str, Any]) -> dict[str, Any]:
    """Design data (raw or of model objects) with every resolvable name reference turned into an id.

    Components and links without an id get one here, so that what refers to them can hold it.
    Nothing is checked: what stays unresolved is reported by the design's checks.
    """
    components = data.get("components")
    if not isinstance(components, list):
        return data
    out = dict(data)
    components = [c if _get(c, "id") is not None or not isinstance(c, dict) else {**c, "id": uuid.uuid4()}
                  for c in components]
    by_name: dict[str, uuid.UUID] = {}
    name_of: dict[uuid.UUID, str] = {}
    for c in components:
        name, cid = _get(c, "name"), _id_of(c)
        if not isinstance(name, str) or cid is None:
            continue
        name = name.strip()
        # A name two components share (a draft) means the first, as it always has; the checks
        # report the second.
        by_name.setdefault(name, cid)
        name_of[cid] = name

    def component_ref(value: Any) -> Any:
        ref = as_ref(value)
        if isinstance(ref, str) and ref in by_name:
            return by_name[ref]
        return ref

    def display(ref: Any) -> str:
        return name_of.get(ref, str(ref)) if isinstance(ref, uuid.UUID) else str(ref)

    links = data.get("links")
    link_by_name: dict[str, uuid.UUID] = {}
    if isinstance(links, list):
        resolved_links = []
        for link in links:
            if isinstance(link, dict) and link.get("id") is None:
                link = {**link, "id": uuid.uuid4()}
            source, target = component_ref(_get(link, "source")), component_ref(_get(link, "target"))
            changes = {k: v for k, v in (("source", source), ("target", target))
                       if isinstance(v, uuid.UUID) and v != _get(link, k)}
            link = _with(link, changes) if changes else link
            lid = _id_of(link)
            if lid is not None and source is not None and target is not None:
                link_by_name.setdefault(link_name(display(source), display(target)), lid)
            resolved_links.append(link)
        out["links"] = resolved_links

    resolved_components = []
    for c in components:
        policies = _get(c, "policies")
        if isinstance(policies, list):
            new_policies = [_with(p, {"scope": ref}) if isinstance(ref := component_ref(_get(p, "scope")), uuid.UUID)
                            and ref != _get(p, "scope") else p
                            for p in policies]
            if any(a is not b for a, b in zip(new_policies, policies)):
                c = _with(c, {"policies": new_policies})
        resolved_components.append(c)
    out["components"] = resolved_components

    def fault_ref(value: Any) -> Any:
        ref = as_ref(value)
        if isinstance(ref, str):
            if "->" in ref:
                return link_by_name.get(normalise_link_name(ref), ref)
            return component_ref(ref)
        return ref

    experiments = data.get("experiments")
    if isinstance(experiments, list):
        resolved_experiments = []
        for experiment in experiments:
            faults = _get(experiment, "faults")
            if isinstance(faults, list):
                new_faults = [_with(f, {"target": ref}) if isinstance(ref := fault_ref(_get(f, "target")), uuid.UUID)
                              and ref != _get(f, "target") else f
                              for f in faults]
                if any(a is not b for a, b in zip(new_faults, faults)):
                    experiment = _with(experiment, {"faults": new_faults})
            resolved_experiments.append(experiment)
        out["experiments"] = resolved_experiments
    return out
