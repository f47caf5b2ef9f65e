# Retries: backoff with Resilience4j's and AWS's jitters, gRPC retry throttling and Envoy's budget.
from libc.stdint cimport int64_t
from libc.math cimport floor, fmax

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng
from engine._eventlog cimport _log
from engine._random cimport _uniform


cdef inline double _backoff(Sim* s, int k) noexcept nogil:
    """Wait before the next attempt, after ``attempt`` failures (Resilience4j / AWS jitter)."""
    cdef int link = s.calls[k].link
    cdef int n = s.calls[k].attempt
    cdef double base = s.pol[link].wait_duration, cap = s.pol[link].retry_max_wait_duration
    cdef double v = base, ms, f
    cdef int i
    cdef Rng* r = &s.ch[s.lh[link].src].rng
    cdef int jitter = s.pol[link].jitter
    if s.pol[link].backoff == BO_EXPONENTIAL:
        # Resilience4j truncates to whole milliseconds at every step. Its randomized
        # exponential backoff randomizes the uncapped wait and caps after (below).
        ms = base * 1000.0
        for i in range(1, n):
            ms = floor(ms * s.pol[link].multiplier)
            if cap > 0 and ms > cap * 1000.0 and jitter != J_RANDOMIZED:
                ms = cap * 1000.0
                break
        v = ms / 1000.0
    if jitter == J_DECORRELATED:
        v = base + _uniform(r) * (3.0 * s.calls[k].prev_sleep - base)
        if cap > 0 and v > cap:
            v = cap
        s.calls[k].prev_sleep = v
        return v
    if cap > 0 and v > cap and jitter != J_RANDOMIZED:
        v = cap
    if jitter == J_FULL:
        return _uniform(r) * v
    if jitter == J_EQUAL:
        return v / 2.0 + _uniform(r) * v / 2.0
    if jitter == J_RANDOMIZED:
        f = s.pol[link].randomization_factor
        ms = v * 1000.0
        ms = fmax(1.0, floor(ms - f * ms + _uniform(r) * (2.0 * f * ms + 1.0)))
        v = ms / 1000.0
        if cap > 0 and v > cap:
            v = cap
    return v


cdef inline bint _budget_allows(Sim* s, int link) noexcept nogil:
    cdef int kind = s.pol[link].budget
    cdef double allowed
    if kind == BUD_GRPC_THROTTLING:
        return s.l_tokens[link] * 2 > <int64_t>(s.pol[link].max_tokens * 1000.0 + 0.5)
    if kind == BUD_ENVOY_BUDGET:
        allowed = fmax(s.pol[link].min_retry_concurrency, s.pol[link].budget_percent / 100.0 * s.lh[link].active)
        return s.l_active_retries[link] < allowed
    return 1


cdef inline void _budget_account(Sim* s, int link, bint failed) noexcept nogil:
    """gRPC throttling: a failure costs one token, a success earns tokenRatio (milli-tokens)."""
    cdef int64_t full = <int64_t>(s.pol[link].max_tokens * 1000.0 + 0.5)
    if failed:
        s.l_tokens[link] = s.l_tokens[link] - 1000 if s.l_tokens[link] >= 1000 else 0
    else:
        s.l_tokens[link] += <int64_t>(s.pol[link].token_ratio * 1000.0 + 0.5)
        if s.l_tokens[link] > full:
            s.l_tokens[link] = full
        if s.l_bud_flag[link] and s.l_tokens[link] * 2 > full:
            s.l_bud_flag[link] = 0
            _log(s, LG_BUDGET_RESTORED, s.lh[link].src, link, -1, -1, s.l_tokens[link] / 1000.0, 0)
