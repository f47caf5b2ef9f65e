# What the Core calls of the event loop (engine/_loop.pyx).
from libc.stdint cimport int64_t

from engine._state cimport Sim
from engine._codes cimport BUD_GRPC_THROTTLING

cdef void _run(Sim* s, double until, int64_t max_events) noexcept nogil
cdef double _next_arrival(Sim* s, int c, double t, bint first) noexcept nogil


cdef inline bint _plain_link(Sim* s, int l) noexcept nogil:
    """Whether no policy wraps the calls over link ``l``: no breaker, timeout, bulkhead, own
    deadline, hedging, retry, gRPC throttling, fallback or outlier detection. Its calls then
    take the loop's short path (`l_plain`): one attempt, sent as it is, and on its answer
    nothing to release, record or retry. Every test skipped there is one these fields make
    false, so the short path does exactly what the whole one would."""
    return (s.pol[l].cb_on == 0 and s.pol[l].timeout <= 0 and s.pol[l].max_concurrent_calls < 0
            and s.pol[l].core_thread_pool_size <= 0 and s.pol[l].deadline <= 0
            and s.pol[l].hedging_max_attempts <= 1 and s.pol[l].max_attempts <= 1
            and s.pol[l].budget != BUD_GRPC_THROTTLING and s.pol[l].fallback_on == 0
            and s.lh[l].od < 0)
