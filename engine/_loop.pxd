# What the Core calls of the event loop (engine/_loop.pyx).
from libc.stdint cimport int64_t

from engine._state cimport Sim
from engine._codes cimport BUD_GRPC_THROTTLING, K_CLIENT, K_LOAD_BALANCER, K_QUEUE, FO_PARALLEL

cdef void _run(Sim* s, double until, int64_t max_events) noexcept nogil
cdef double _next_arrival(Sim* s, int c, double t, bint first) noexcept nogil


cdef inline bint _constant_rate(Sim* s, int c) noexcept nogil:
    """Whether client ``c``'s schedule is one rate: one point, or a start and an end at the
    same rate (between two equal points the schedule gives that rate)."""
    cdef int64_t off = s.comps[c].bp_offset, n = s.comps[c].bp_count
    return n == 1 or (n == 2 and s.bp_r[off] == s.bp_r[off + 1])


cdef inline bint _plain_link(Sim* s, int l) noexcept nogil:
    """Whether no policy wraps the calls over link ``l``: no breaker, timeout, bulkhead, own
    deadline, hedging, retry, gRPC throttling, fallback or outlier detection. Its calls then
    take the loop's short path (`LinkHot.plain`): one attempt, sent as it is, and on its answer
    nothing to release, record or retry. Every test skipped there is one these fields make
    false, so the short path does exactly what the whole one would."""
    return (s.pol[l].cb_on == 0 and s.pol[l].timeout <= 0 and s.pol[l].max_concurrent_calls < 0
            and s.pol[l].core_thread_pool_size <= 0 and s.pol[l].deadline <= 0
            and s.pol[l].hedging_max_attempts <= 1 and s.pol[l].max_attempts <= 1
            and s.pol[l].budget != BUD_GRPC_THROTTLING and s.pol[l].fallback_on == 0
            and s.lh[l].od < 0)


cdef inline bint _plain_service(Sim* s, int c) noexcept nogil:
    """Whether a request at component ``c`` takes the loop's fused steps (`c_plain`,
    engine/_plain.pxi): a worker does its work and it answers, calling no one, with no
    error drawn, no cache hit and no rate limiter; not a queue (which answers on enqueue)
    nor a client or balancer. Whatever hangs on the run's state (faults, deadlines, a full
    queue) the fused steps still test."""
    return (s.comps[c].kind != K_CLIENT and s.comps[c].kind != K_LOAD_BALANCER
            and s.comps[c].kind != K_QUEUE and s.comps[c].out_count == 0
            and s.comps[c].error_probability <= 0 and s.comps[c].hit_ratio <= 0
            and s.comps[c].limit_for_period <= 0)


cdef inline bint _plain_client(Sim* s, int c) noexcept nogil:
    """Whether client ``c``'s requests take the loop's fused steps (`c_plain`): each makes
    one call, over a plain link (`LinkHot.plain`, set before) to a component with instances."""
    cdef int link
    if s.comps[c].kind != K_CLIENT or s.comps[c].fan_out == FO_PARALLEL or s.comps[c].out_count != 1:
        return 0
    link = <int>s.out_links[s.comps[c].out_offset]
    return (s.lh[link].plain != 0 and s.lh[link].count == 1 and s.lh[link].probability >= 1.0
            and s.comps[s.lh[link].dst].kind != K_LOAD_BALANCER and s.comps[s.lh[link].dst].kind != K_CLIENT)
