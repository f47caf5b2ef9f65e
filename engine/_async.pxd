# Non-blocking calls: a component whose worker is freed while its dependency calls are out.
# After its own work, a request of a non-blocking component hands its calls on and lets its
# worker go (unless the instance is at its bound on outstanding requests, when it waits
# holding the worker as a blocking one does); when the answers are in, its continuation
# queues for a worker again, or is answered at once if it takes no time. The rules are in
# the README ("How the engine models a system").
from engine._codes cimport *
from engine._state cimport Sim
from engine._eventlog cimport _log


cdef inline bint _frees_worker(Sim* s, int j) noexcept nogil:
    """Whether job ``j``, its own work done and its calls about to go out, lets its worker go.

    If so it is counted outstanding and no longer holds the worker; the caller releases the
    worker once the calls are out."""
    cdef int c = s.jobs[j].comp
    cdef int inst = s.jobs[j].inst
    if s.comps[c].call_mode != CM_NON_BLOCKING or inst < 0:
        return 0
    if s.comps[c].max_outstanding >= 0 and s.i_outstanding[inst] >= s.comps[c].max_outstanding:
        s.c_out_full_b[c] += 1
        s.calls_marked = 1
        if not s.c_out_flag[c]:
            s.c_out_flag[c] = 1
            _log(s, LG_OUTSTANDING_FULL, c, -1, -1, inst, s.i_outstanding[inst], 0)
        return 0
    s.i_outstanding[inst] += 1
    s.jobs[j].async_state = AS_WAITING
    s.jobs[j].holds_worker = 0
    return 1


cdef inline bint _continues(Sim* s, int j, int outcome) noexcept nogil:
    """Job ``j`` was waiting on its calls without a worker and is done with them: whether it
    now needs a worker for its continuation (which then answers with ``outcome``).

    A cancelled job, one whose instance went down, or one whose continuation takes no time
    is answered at once."""
    cdef int c = s.jobs[j].comp
    cdef int inst = s.jobs[j].inst
    s.i_outstanding[inst] -= 1
    s.jobs[j].async_state = AS_NONE
    if s.comps[c].cont_dist < 0 or s.jobs[j].cancelled:
        return 0
    if s.ih[inst].down > 0:
        return 0
    s.jobs[j].async_state = AS_CONTINUATION
    s.jobs[j].fail = -1 if outcome == O_OK else outcome
    return 1


cdef inline int _continuation_outcome(Sim* s, int j) noexcept nogil:
    return s.jobs[j].fail if s.jobs[j].fail >= 0 else O_OK


cdef inline int _service_dist(Sim* s, int j) noexcept nogil:
    """The distribution of the work a worker does for job ``j``: its own, or its continuation."""
    if s.jobs[j].async_state == AS_CONTINUATION:
        return <int>s.comps[s.jobs[j].comp].cont_dist
    return <int>s.ch[s.jobs[j].comp].dist
