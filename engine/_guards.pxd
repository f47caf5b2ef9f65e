# Bulkheads, timeouts and rate limiters: the waiting lines of calls per link and the permits
# of an instance's rate limiter.
from libc.stdint cimport int64_t
from libc.math cimport floor, ceil, fmin

from engine._codes cimport *
from engine._state cimport Sim
from engine._eventlog cimport _log
from engine._heap cimport _push
from engine._clock cimport _ns, _seconds
from engine._pools cimport _node_new


cdef inline void _bulkhead_pressure(Sim* s, int link) noexcept nogil:
    s.l_bh_rej_b[link] += 1
    if not s.l_bh_flag[link]:
        s.l_bh_flag[link] = 1
        _log(s, LG_BULKHEAD_SATURATED, s.lh[link].src, link, -1, -1, s.l_bh_inuse[link], 0)


cdef inline int _bh_try(Sim* s, int link) noexcept nogil:
    """A semaphore bulkhead's permit for a call on ``link``: 1 taken, 0 wait for one (fairly,
    behind those already waiting), -1 rejected."""
    if s.l_bh_inuse[link] < s.pol[link].max_concurrent_calls and s.l_bh_head[link] < 0:
        s.l_bh_inuse[link] += 1
        return 1
    return 0 if s.pol[link].bulkhead_max_wait_duration > 0 else -1


cdef inline void _bh_enqueue(Sim* s, int k) noexcept nogil:
    cdef int link = s.calls[k].link
    cdef int node = _node_new(s, k, 0.0)
    if node < 0:
        return
    if s.l_bh_tail[link] >= 0:
        s.wn_next[s.l_bh_tail[link]] = node
    else:
        s.l_bh_head[link] = node
    s.l_bh_tail[link] = node


cdef inline void _arm_timeout(Sim* s, int k, int link) noexcept nogil:
    """Queue the attempt's deadline on its link. A timeout is the same for every call on a
    link, so deadlines arrive in order: one heap event per link at a time is enough, and
    attempts that finished in time are dropped from the line without touching the heap."""
    cdef double deadline = s.now + s.pol[link].timeout
    cdef int node = _node_new(s, k, deadline)
    if node < 0:
        return
    if s.l_to_tail[link] >= 0:
        s.wn_next[s.l_to_tail[link]] = node
    else:
        s.l_to_head[link] = node
    s.l_to_tail[link] = node
    if not s.l_to_armed[link]:
        s.l_to_armed[link] = 1
        _push(s, deadline, EV_TIMEOUT, link, 0, 0, 0, 0)


cdef inline int _rl_slot(Sim* s, int inst, int c) noexcept nogil:
    """Where an instance's rate limiter keeps its permits: its own slot, or with a global quota
    the component's first instance's, which every instance then draws from."""
    return <int>s.comps[c].inst_offset if s.comps[c].global_quota else inst


cdef inline double _rl_acquire(Sim* s, int inst, int c) noexcept nogil:
    """Resilience4j AtomicRateLimiter: 0 now, > 0 the wait for a reserved permit, -1 refused.
    Cycles are counted in whole nanoseconds from time 0, as the library counts them from its
    creation on System.nanoTime: a call at the very instant a cycle begins is in that cycle."""
    cdef int64_t period = max(_ns(s.comps[c].limit_refresh_period), 1)
    cdef double limit = <double>s.comps[c].limit_for_period
    cdef int64_t cycle = s.now_ns // period
    cdef int64_t wait
    cdef double missing
    if cycle > s.i_rl_cycle[inst]:
        s.i_rl_perm[inst] = fmin(s.i_rl_perm[inst] + (cycle - s.i_rl_cycle[inst]) * limit, limit)
        s.i_rl_cycle[inst] = cycle
    if s.i_rl_perm[inst] >= 1:
        s.i_rl_perm[inst] -= 1
        return 0.0
    missing = 1.0 - (s.i_rl_perm[inst] + limit)
    wait = (cycle + 1) * period - s.now_ns
    if missing > 0:
        wait += <int64_t>ceil(missing / limit) * period
    if wait <= _ns(s.comps[c].timeout_duration):
        s.i_rl_perm[inst] -= 1
        return _seconds(wait)
    return -1.0
