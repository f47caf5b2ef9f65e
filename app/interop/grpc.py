"""gRPC service config JSON (``methodConfig`` with retry and hedging policies, ``retryThrottling``), both ways.

``methodConfig.timeout`` is the call's deadline, retries included: it maps to a deadline policy.

A service config belongs to a client's channel. Each ``methodConfig`` names gRPC services
(``package.Service``); a service matches the component of the same name (the full name or
its last part), and the settings go on every call into that component, or on the call given
by a mapping ``SERVICE=CALLER->CALLEE``. Faultline models one call per link, so a service's
own entry (no method) is the one imported and method-specific entries are named as left out.
"""
from __future__ import annotations

import json
from typing import Any

from engine.model import DeadlinePolicy, Design, GrpcRetryThrottling, HedgingPolicy, RetryPolicy
from engine.model.design import shown

from .notes import ImportResult, InteropError, Target, jitter_words, no_equivalent
from .placing import callers_of, effective_policy, left_out_notes, match_component, pick_caller, put_policy, skeleton
from .reading import Document, mapping, number, proto_duration, proto_text, sequence, validated

FORMAT = "grpc"
TOOL = "gRPC"
# The policies a service config carries; a per-attempt timeout, only in part, has notes of its own.
CARRIED = ("retry", "hedging", "deadline", "timeout")
# gRPC clients treat maxAttempts above 5 as 5 unless a channel argument raises the limit.
MAX_ATTEMPTS_CAP = 5
JITTER = 0.2  # every gRPC backoff is multiplied by random(0.8, 1.2)

# Status codes as the outcomes Faultline keeps apart.
STATUS_OUTCOMES = {
    "UNAVAILABLE": "unavailable",
    "DEADLINE_EXCEEDED": "timeout",
    "RESOURCE_EXHAUSTED": "rejected",
    "UNKNOWN": "error", "INTERNAL": "error", "ABORTED": "error", "DATA_LOSS": "error",
    "FAILED_PRECONDITION": "error", "OUT_OF_RANGE": "error", "UNIMPLEMENTED": "error",
    "INVALID_ARGUMENT": "error", "NOT_FOUND": "error", "ALREADY_EXISTS": "error",
    "PERMISSION_DENIED": "error", "UNAUTHENTICATED": "error",
}
CODE_NUMBERS = {
    1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED", 5: "NOT_FOUND",
    6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
    10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE",
    15: "DATA_LOSS", 16: "UNAUTHENTICATED",
}
OUTCOME_STATUS = {"unavailable": "UNAVAILABLE", "timeout": "DEADLINE_EXCEEDED", "rejected": "RESOURCE_EXHAUSTED",
                  "error": "INTERNAL"}
_IGNORED = {
    "waitForReady": "only changes how a call waits for a connection",
    "maxRequestMessageBytes": "message size limits are not simulated",
    "maxResponseMessageBytes": "message size limits are not simulated",
}


def _status(code: Any, key: str, where: str) -> str:
    if isinstance(code, int) and code in CODE_NUMBERS:
        return CODE_NUMBERS[code]
    text = str(code).strip().upper()
    if text in STATUS_OUTCOMES or text == "CANCELLED":
        return text
    raise InteropError(f"{key}: {shown(code)} is not a gRPC status code", where)


def _key_text(path: tuple) -> str:
    """``("methodConfig", 0, "retryPolicy")`` as the rest of this module writes it:
    ``methodConfig[0].retryPolicy``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _retry_policy(raw: Any, path: tuple, doc: Document, result: ImportResult) -> RetryPolicy | None:
    where, key = doc.where(path), _key_text(path)
    if not isinstance(raw, dict):
        raise InteropError(f"{key} must be an object", where)
    missing = [k for k in ("maxAttempts", "initialBackoff", "maxBackoff", "backoffMultiplier", "retryableStatusCodes")
               if k not in raw]
    if missing:
        result.add("not_understood", f"{key} has no {', '.join(missing)}; gRPC requires every field of a retry "
                                     "policy and ignores one without them, so it was left out", where)
        return None
    attempts = _max_attempts(raw, key, path, doc, result)
    codes_where = doc.where(path + ("retryableStatusCodes",))
    codes = [_status(c, f"{key}.retryableStatusCodes", codes_where)
             for c in sequence(raw["retryableStatusCodes"], f"{key}.retryableStatusCodes", codes_where)]
    retry_on = sorted({STATUS_OUTCOMES[c] for c in codes if c in STATUS_OUTCOMES})
    _no_cancelled(codes, f"{key}.retryableStatusCodes", codes_where, result)
    if not retry_on:
        result.add("not_understood", f"{key}.retryableStatusCodes {shown(raw['retryableStatusCodes'])} names no "
                                     "failure Faultline simulates; the retry policy was left out", where)
        return None
    errors = sorted(c for c in codes if STATUS_OUTCOMES.get(c) == "error")
    if errors:
        result.add("differs", f"{key}.retryableStatusCodes {', '.join(errors)}: Faultline has one application "
                              "error outcome, so every application error is retried", where)
    initial = proto_duration(raw["initialBackoff"], f"{key}.initialBackoff", doc.where(path + ("initialBackoff",)))
    cap = proto_duration(raw["maxBackoff"], f"{key}.maxBackoff", doc.where(path + ("maxBackoff",)))
    multiplier = number(raw["backoffMultiplier"], f"{key}.backoffMultiplier", doc.where(path + ("backoffMultiplier",)))
    if initial <= 0 or cap <= 0 or multiplier <= 0:
        raise InteropError(f"{key}: initialBackoff, maxBackoff and backoffMultiplier must be above 0", where)
    result.add("differs", f"{key}: gRPC caps the backoff at maxBackoff before its ±20 % jitter; Faultline's "
                          "randomized backoff caps after it", where)
    if multiplier < 1:
        # Faultline's backoff never shrinks: the value changes, so the preview must say so
        result.add("differs", f"{key}.backoffMultiplier {multiplier:g}: gRPC shrinks each backoff; Faultline's "
                              "backoff does not shrink, so it was imported as 1 (every retry waits initialBackoff)",
                   doc.where(path + ("backoffMultiplier",)))
    return validated(RetryPolicy, dict(max_attempts=attempts, wait_duration=initial, backoff="exponential",
                                       multiplier=max(1.0, multiplier), max_wait_duration=cap, jitter="randomized",
                                       randomization_factor=JITTER, retry_on=retry_on),
                     key, where, {"wait_duration": "initialBackoff", "max_wait_duration": "maxBackoff",
                                  "multiplier": "backoffMultiplier", "max_attempts": "maxAttempts"})


def _no_cancelled(codes: list[str], key: str, where: str, result: ImportResult) -> None:
    """CANCELLED is a status gRPC accepts here, but no outcome Faultline simulates: said, not dropped."""
    if "CANCELLED" in codes:
        result.add("differs", f"{key} CANCELLED: no call ends CANCELLED in Faultline (it has no such outcome), "
                              "so this code is left out", where)


def _max_attempts(raw: dict, key: str, path: tuple, doc: Document, result: ImportResult) -> int:
    """A retry or hedging policy's maxAttempts: at least 2, and at most what gRPC clients allow."""
    where = doc.where(path + ("maxAttempts",))
    attempts = int(number(raw["maxAttempts"], f"{key}.maxAttempts", doc.where(path), integer=True))
    if attempts < 2:
        raise InteropError(f"{key}.maxAttempts must be at least 2 (got {attempts})", where)
    if attempts > MAX_ATTEMPTS_CAP:
        result.add("differs", f"{key}.maxAttempts {attempts}: gRPC clients cap it at {MAX_ATTEMPTS_CAP}; "
                              f"imported as {MAX_ATTEMPTS_CAP}", where)
        attempts = MAX_ATTEMPTS_CAP
    return attempts


def _hedging_policy(raw: Any, path: tuple, doc: Document, result: ImportResult) -> HedgingPolicy | None:
    where, key = doc.where(path), _key_text(path)
    if not isinstance(raw, dict):
        raise InteropError(f"{key} must be an object", where)
    if "maxAttempts" not in raw:
        result.add("not_understood", f"{key} has no maxAttempts, which gRPC requires; it was left out", where)
        return None
    attempts = _max_attempts(raw, key, path, doc, result)
    delay = proto_duration(raw.get("hedgingDelay", "0s"), f"{key}.hedgingDelay", doc.where(path + ("hedgingDelay",)))
    codes_where = doc.where(path + ("nonFatalStatusCodes",))
    codes = [_status(c, f"{key}.nonFatalStatusCodes", codes_where)
             for c in sequence(raw.get("nonFatalStatusCodes", []), f"{key}.nonFatalStatusCodes", codes_where)]
    _no_cancelled(codes, f"{key}.nonFatalStatusCodes", codes_where, result)
    errors = sorted(c for c in codes if STATUS_OUTCOMES.get(c) == "error")
    if errors:
        result.add("differs", f"{key}.nonFatalStatusCodes {', '.join(errors)}: Faultline has one application "
                              "error outcome, so every application error is non-fatal", where)
    return validated(HedgingPolicy, dict(max_attempts=attempts, hedging_delay=delay, non_fatal_outcomes=sorted(
        {STATUS_OUTCOMES[c] for c in codes if c in STATUS_OUTCOMES})), key, where, {"hedging_delay": "hedgingDelay"})


def _throttling(raw: Any, doc: Document) -> GrpcRetryThrottling:
    where = doc.where(("retryThrottling",))
    if not isinstance(raw, dict) or "maxTokens" not in raw or "tokenRatio" not in raw:
        raise InteropError("retryThrottling needs maxTokens and tokenRatio", where)
    tokens = number(raw["maxTokens"], "retryThrottling.maxTokens", where)
    ratio = number(raw["tokenRatio"], "retryThrottling.tokenRatio", where)
    if not 0 < tokens <= 1000 or ratio <= 0:
        raise InteropError(f"retryThrottling: maxTokens must be in (0, 1000] and tokenRatio above 0 "
                           f"(got {tokens:g}, {ratio:g})", where)
    return validated(GrpcRetryThrottling, {"max_tokens": tokens, "token_ratio": round(ratio, 3)}, "retryThrottling",
                     where, {"max_tokens": "maxTokens", "token_ratio": "tokenRatio (to 3 decimals, as gRPC reads it)"})


def _callee(design: Design, service: str):
    return match_component(design, service) or match_component(design, service.rsplit(".", 1)[-1])


def import_grpc(docs: list[Document], design: Design | None, mappings: dict[str, Target],
                result: ImportResult, caller: str | None = None) -> Design:
    """Apply a service config's timeouts, retry policies and throttling to a copy of ``design``; a
    service config is one client's, and names none: ``caller`` is that client, when the user says."""
    doc = docs[0]
    data = doc.data
    if not isinstance(data, dict):
        raise InteropError("a gRPC service config is a JSON object", doc.source)
    for key in data:
        if key in ("loadBalancingPolicy", "loadBalancingConfig", "healthCheckConfig"):
            result.add("ignored", f"{key}: the client's own balancing and health checks are not simulated; "
                                  "Faultline spreads calls over instances itself", doc.where((key,)))
        elif key not in ("methodConfig", "retryThrottling"):
            result.add("not_understood", f"{key} is not a service config field Faultline knows", doc.where((key,)))
    if "methodConfig" not in data and "retryThrottling" not in data:
        raise InteropError("has no methodConfig or retryThrottling, the parts of a gRPC service config Faultline "
                           "models", doc.source)
    entries = data.get("methodConfig") or []
    if not isinstance(entries, list):
        raise InteropError("methodConfig must be a list", doc.where(("methodConfig",)))
    # One configuration per service: its own entry wins over method-specific ones.
    chosen: dict[str, tuple[int, dict, dict]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InteropError(f"methodConfig[{i}] must be an object", doc.where(("methodConfig", i)))
        names = sequence(entry.get("name"), f"methodConfig[{i}].name", doc.where(("methodConfig", i, "name")))
        for name in names or [{}]:
            name = mapping(name, f"methodConfig[{i}].name", doc.where(("methodConfig", i, "name")))
            service = str(name.get("service", ""))
            if service not in chosen or (not name.get("method") and chosen[service][2].get("method")):
                if service in chosen:
                    _left_out(result, doc, chosen[service][0], chosen[service][2], service)
                chosen[service] = (i, entry, name)
            elif chosen[service][0] != i:
                _left_out(result, doc, i, name, service)
    for service, (i, _entry, name) in chosen.items():
        if name.get("method"):
            # the method's own settings would otherwise pass for the whole service's without a word
            result.add("differs", f"methodConfig[{i}] is for the method {service}/{name['method']} only: Faultline "
                                  "models one call per link, so it applies to every call into "
                                  f"{service or 'every service'}", doc.where(("methodConfig", i)))
    throttling = _throttling(data["retryThrottling"], doc) if "retryThrottling" in data else None
    if design is None:
        design = skeleton("grpc client", [s for s in chosen if s and s not in mappings])
        result.add("differs", f'no design was given: made "{design.name}" calling one service per gRPC '
                              "service; adjust it to your system", doc.source)
    design = design.model_copy(deep=True)
    retried = False
    for service, (i, entry, _name) in chosen.items():
        label = service or "every service"
        path = ("methodConfig", i)
        if service in mappings or (not service and "*" in mappings):
            result.mapped_names.add(service or "*")
            targets = [mappings[service or "*"]]
        else:
            callee = _callee(design, service) if service else None
            if callee is not None:
                targets = callers_of(design, callee.name, caller)
            elif not service and caller is not None:
                # the catch-all entry of the client's channel: every call it makes
                targets = [Target(caller, design.name_of(link.target)) for link in design.links_from(caller)]
            else:
                targets = []
        if not targets:
            result.add_unmapped(service or "*", f'methodConfig for {label} guards no call of "{design.name}"',
                                doc.where(path))
            continue
        for key in entry:
            if key in _IGNORED:
                result.add("ignored", f"methodConfig[{i}].{key} {_IGNORED[key]}", doc.where(path + (key,)))
            elif key not in ("name", "timeout", "retryPolicy", "hedgingPolicy"):
                result.add("not_understood", f"methodConfig[{i}].{key} is not a method config field Faultline knows",
                           doc.where(path + (key,)))
        retry = _retry_policy(entry["retryPolicy"], path + ("retryPolicy",), doc, result) \
            if "retryPolicy" in entry else None
        hedging = _hedging_policy(entry["hedgingPolicy"], path + ("hedgingPolicy",), doc, result) \
            if "hedgingPolicy" in entry else None
        if hedging is not None and retry is not None:
            result.add("not_understood", f"methodConfig[{i}] has both a retryPolicy and a hedgingPolicy, which "
                                         "gRPC refuses; the hedging policy was left out",
                       doc.where(path + ("hedgingPolicy",)))
            hedging = None
        if retry is not None and throttling is not None:
            retry = retry.model_copy(update={"budget": throttling})
        if hedging is not None and throttling is not None:
            hedging = hedging.model_copy(update={"throttling": throttling})
        deadline = None
        if "timeout" in entry:
            seconds = proto_duration(entry["timeout"], f"methodConfig[{i}].timeout", doc.where(path + ("timeout",)))
            if seconds > 0:
                # gRPC's timeout is the call's deadline, every attempt and backoff included: a deadline
                # policy, not a per-attempt timeout.
                deadline = validated(DeadlinePolicy, {"deadline": seconds}, f"methodConfig[{i}].timeout",
                                     doc.where(path + ("timeout",)), {"deadline": "timeout"})
                result.add("differs", f"methodConfig[{i}].timeout {proto_text(seconds)} became a deadline over the "
                                      "whole call, every attempt included, as in gRPC; Faultline also hands what is "
                                      "left of it to the callee's own calls, as a gRPC server passing its context "
                                      "on does", doc.where(path + ("timeout",)))
        for target in targets:
            for policy in (retry, hedging, deadline):
                if policy is None:
                    continue
                refusal = put_policy(design, target, policy.model_copy(deep=True))
                if refusal:
                    result.add("not_understood", refusal, doc.where(path))
                else:
                    result.add("mapped", f"{label} {_summary(policy)} -> {policy.title} on {target}", doc.where(path))
        retried = retried or retry is not None or hedging is not None
    if throttling is not None and not retried:
        result.add("not_understood", "retryThrottling limits retries and hedges, and no retry or hedging policy was "
                                     "imported; it was left out", doc.where(("retryThrottling",)))
    return design


def _left_out(result: ImportResult, doc: Document, index: int, name: dict, service: str) -> None:
    method = name.get("method")
    what = f"{service}/{method}" if method else service or "every service"
    result.add("differs", f"methodConfig[{index}] for {what}: Faultline models one call per link, so only one "
                          "configuration per service is imported", doc.where(("methodConfig", index)))


def _summary(policy) -> str:
    if isinstance(policy, DeadlinePolicy):
        return f"timeout {proto_text(policy.deadline)}"
    if isinstance(policy, HedgingPolicy):
        text = f"hedgingPolicy maxAttempts {policy.max_attempts}, hedgingDelay {proto_text(policy.hedging_delay)}"
        throttling = policy.throttling
    else:
        text = (f"retryPolicy maxAttempts {policy.max_attempts}, initialBackoff {proto_text(policy.wait_duration)}, "
                f"maxBackoff {proto_text(policy.max_wait_duration or policy.wait_duration)}, "
                f"backoffMultiplier {policy.multiplier:g}")
        throttling = policy.budget
    # the channel's throttling rides on every retry and hedge: the preview says which calls it reached
    if isinstance(throttling, GrpcRetryThrottling):
        text += f", with retryThrottling maxTokens {throttling.max_tokens:g}, tokenRatio {throttling.token_ratio:g}"
    return text


# -- export ---------------------------------------------------------------------------------------

def export_grpc(design: Design, caller_name: str | None = None) -> tuple[str, list[str]]:
    """The service config a caller's channel would use for its calls, and notes on what a
    service config cannot say. ``caller_name`` may be left out when only one component guards
    its calls with a retry, hedging, deadline or timeout.

    A deadline policy is gRPC's ``timeout`` (the whole call); a per-attempt timeout has no field in
    a service config, so it is written as the call's timeout only when there is no deadline and
    no retry, where the two mean the same."""
    caller = pick_caller(design, caller_name, CARRIED)
    notes: list[str] = []
    methods, budgets = [], []
    for callee in dict.fromkeys(design.name_of(link.target) for link in design.links_from(caller.id)):
        retry = effective_policy(design, caller, callee, "retry")
        timeout = effective_policy(design, caller, callee, "timeout")
        hedging = effective_policy(design, caller, callee, "hedging")
        deadline = effective_policy(design, caller, callee, "deadline")
        notes += left_out_notes(design, caller, callee, TOOL, CARRIED)
        if retry is None and timeout is None and hedging is None and deadline is None:
            continue
        entry: dict[str, Any] = {"name": [{"service": callee}]}
        if deadline is not None:
            entry["timeout"] = proto_text(deadline.deadline)
        if timeout is not None:
            if deadline is None and retry is None and hedging is None:
                entry["timeout"] = proto_text(timeout.timeout)   # one attempt: its timeout is the call's
            else:
                notes.append(f"{caller.name} -> {callee}: the per-attempt timeout of {proto_text(timeout.timeout)} "
                             "has no field in a gRPC service config (its timeout is a deadline over every "
                             "attempt); left out" + ("" if deadline is not None else
                                                     ": give the call a deadline policy to write one"))
        if retry is not None:
            entry["retryPolicy"] = _retry_json(retry, caller.name, callee, notes)
            if retry.budget is not None:
                budgets.append((callee, retry.budget))
            if hedging is not None:
                notes.append(no_equivalent(f"{caller.name} -> {callee}", "the hedging policy", TOOL,
                                           "a method config holds a retry policy or a hedging policy, not both: "
                                           "wrote the retry policy"))
        elif hedging is not None:
            entry["hedgingPolicy"] = {
                "maxAttempts": hedging.max_attempts, "hedgingDelay": proto_text(hedging.hedging_delay),
                "nonFatalStatusCodes": [OUTCOME_STATUS[o] for o in hedging.non_fatal_outcomes if o in OUTCOME_STATUS]}
            if hedging.throttling is not None:
                budgets.append((callee, hedging.throttling))
        methods.append(entry)
    if not methods:
        raise InteropError(f'"{caller.name}" guards none of its calls with a retry, hedging, deadline or timeout')
    config: dict[str, Any] = {"methodConfig": methods}
    grpc_budgets = {(b.max_tokens, b.token_ratio) for _, b in budgets if isinstance(b, GrpcRetryThrottling)}
    if grpc_budgets:
        tokens, ratio = max(grpc_budgets)
        # maxTokens is a whole number in gRPC's proto; C++ clients refuse "10.0"
        whole = round(tokens)
        config["retryThrottling"] = {"maxTokens": max(1, whole), "tokenRatio": ratio}
        if whole != tokens:
            notes.append(f"retry throttling: maxTokens {tokens:g} written as {max(1, whole)} (gRPC takes whole tokens)")
        if len(grpc_budgets) > 1:
            notes.append("retry throttling differs between calls; a service config has one: wrote the largest")
    for callee, budget in budgets:
        if not isinstance(budget, GrpcRetryThrottling):
            notes.append(no_equivalent(f"{caller.name} -> {callee}", "the Envoy retry budget", TOOL))
    return json.dumps(config, indent=2) + "\n", notes


def _retry_json(retry: RetryPolicy, caller: str, callee: str, notes: list[str]) -> dict:
    attempts = max(2, min(retry.max_attempts, MAX_ATTEMPTS_CAP))
    if attempts != retry.max_attempts:
        notes.append(f"{caller} -> {callee}: maxAttempts {retry.max_attempts} written as {attempts} "
                     f"(gRPC allows 2 to {MAX_ATTEMPTS_CAP})")
    initial = retry.wait_duration or 0.001
    if retry.backoff == "exponential":
        multiplier, cap = retry.multiplier, retry.max_wait_duration or max(initial, 30.0)
    else:
        multiplier, cap = 1.0, initial
    if retry.jitter != "randomized" or abs(retry.randomization_factor - JITTER) > 1e-9:
        notes.append(f"{caller} -> {callee}: gRPC always jitters backoff by ±20 % (Faultline: {jitter_words(retry)})")
    codes = [OUTCOME_STATUS[o] for o in retry.retry_on if o in OUTCOME_STATUS]
    if "short_circuited" in retry.retry_on:
        notes.append(f"{caller} -> {callee}: gRPC has no breaker, so retrying short-circuited calls is left out")
    return {"maxAttempts": attempts, "initialBackoff": proto_text(initial), "maxBackoff": proto_text(cap),
            "backoffMultiplier": multiplier, "retryableStatusCodes": codes}
