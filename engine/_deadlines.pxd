# Deadline propagation (gRPC): a call's deadline is the earlier of its own (a deadline policy)
# and the one the request being served inherited from its caller; it travels with every
# attempt, so a callee's request and its own calls inherit it in turn. Work whose deadline
# has passed is dropped when a worker would take it and starts no call; the caller gives the
# call up at the deadline, cancelling the attempt in flight. Rules in the README.
from libc.math cimport INFINITY

from engine._codes cimport *
from engine._state cimport Sim
from engine._heap cimport _push
from engine._clock cimport _ns, _seconds


cdef inline double _call_deadline(Sim* s, int j, int link) noexcept nogil:
    """The deadline of a call job ``j`` makes over ``link``: an instant on the clock's
    nanosecond grid, so that it ties exactly with events due then."""
    cdef double own = _seconds(s.now_ns + _ns(s.pol[link].deadline)) if s.pol[link].deadline > 0 else INFINITY
    return own if own < s.job_times[j].deadline else s.job_times[j].deadline


cdef inline void _arm_deadline(Sim* s, int k, int j, int link) noexcept nogil:
    s.calls[k].deadline = _call_deadline(s, j, link)
    if s.calls[k].deadline < INFINITY:
        _push(s, s.calls[k].deadline, EV_DEADLINE, k, s.calls[k].gen, 0, 0, 0)


cdef inline double _arrival_deadline(Sim* s, int k, int gen, int link) noexcept nogil:
    """The deadline a request arriving for attempt (``k``, ``gen``) over ``link`` inherits.

    The call record is only valid while its call lives; a request that arrives after its
    call ended over a link with a deadline policy was given up on, and counts as expired."""
    if s.calls[k].gen == gen:
        return s.calls[k].deadline
    if s.pol[link].deadline > 0:
        return s.now
    return INFINITY


cdef inline bint _expired(Sim* s, int j) noexcept nogil:
    # most work has no deadline (infinite): that needs no rounding to tell
    return s.job_times[j].deadline < 1e9 and _ns(s.job_times[j].deadline) <= s.now_ns


cdef inline void _count_expired(Sim* s, int c) noexcept nogil:
    s.c_dl_drops_b[c] += 1
    s.calls_marked = 1
