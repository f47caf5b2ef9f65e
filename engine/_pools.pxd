# The pooled, growable records of a run: requests (Job), calls (Call) and the nodes of the
# per-link waiting lines, each freed record reused with its generation bumped.
from libc.stdint cimport int64_t, int32_t
from libc.stdlib cimport realloc
from libc.math cimport INFINITY

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Job, JobTimes, Call

# Pool indices are 32-bit: no pool may grow past this many records, whatever the budget.
cdef enum:
    MAX_RECORDS = 1 << 30

# Jobs and calls start on a cache line (a record whole lines, its fields placed by the step
# that reads them: engine/_structs.pxd). malloc's blocks start 16 bytes past a page here,
# which put each 128-byte call across three lines. Growing a pool is kept out of line: in
# _new_job's own code it made _new_job too large for the compiler to inline into each step.
cdef extern from *:
    """
    #include <stdlib.h>
    #include <string.h>
    #if defined(_MSC_VER)
    #include <malloc.h>
    static void* faultline_lines_alloc(size_t n) { return _aligned_malloc(n, 64); }
    static void faultline_lines_free(void* p) { _aligned_free(p); }
    #define FAULTLINE_COLD __declspec(noinline)
    #else
    static void* faultline_lines_alloc(size_t n) { void* p; return posix_memalign(&p, 64, n) == 0 ? p : NULL; }
    static void faultline_lines_free(void* p) { free(p); }
    #define FAULTLINE_COLD __attribute__((noinline, cold))
    #endif
    /* realloc for a block of faultline_lines_alloc: *block grown to n bytes, its `used`
       first kept; 0 (the block left as it was) when there is no memory */
    static FAULTLINE_COLD int faultline_lines_grow(void** block, size_t used, size_t n) {
        void* grown = faultline_lines_alloc(n);
        if (grown == NULL) return 0;
        memcpy(grown, *block, used);
        faultline_lines_free(*block);
        *block = grown;
        return 1;
    }
    """
    void* _lines_alloc "faultline_lines_alloc"(size_t n) noexcept nogil
    void _lines_free "faultline_lines_free"(void* p) noexcept nogil
    bint _lines_grow "faultline_lines_grow"(void** block, size_t used, size_t n) noexcept nogil


cdef inline bint _may_grow(Sim* s, int64_t records, int64_t more_bytes) noexcept nogil:
    """Whether a pool of ``records`` may double (by ``more_bytes``); if not, halt the run.

    realloc holds the old block and the new, twice its size, while it copies: count both.
    """
    if 2 * records > MAX_RECORDS or (s.pool_limit > 0 and s.pool_bytes + 2 * more_bytes > s.pool_limit):
        s.stops.why.code = HALT_POOL_BUDGET
        return 0
    s.pool_bytes += more_bytes
    return 1


cdef inline int _new_job(Sim* s) noexcept nogil:
    """A job record, its times (JobTimes) set too."""
    cdef int j = _new_untimed_job(s)
    if j >= 0:
        s.job_times[j].deadline = INFINITY
        s.job_times[j].t_service = s.now
    return j


cdef inline int _new_untimed_job(Sim* s) noexcept nogil:
    """A job record, its times (JobTimes) left as its last job left them: for a job that
    sets them itself, or never reads them (_plain_call_arrive). At a thousand components,
    setting them was one more cold line a job."""
    cdef int j
    if s.job_free >= 0:
        j = s.job_free
        s.job_free = s.jobs[j].next_q
    else:
        if s.job_n == s.job_cap:
            if not _may_grow(s, s.job_cap, s.job_cap * (sizeof(Job) + sizeof(JobTimes))):
                return -1
            if not (_lines_grow(<void**>&s.jobs, s.job_cap * sizeof(Job), 2 * s.job_cap * sizeof(Job))
                    and _lines_grow(<void**>&s.job_times, s.job_cap * sizeof(JobTimes),
                                    2 * s.job_cap * sizeof(JobTimes))):
                s.stops.why.out_of_memory = 1
                return -1
            s.job_cap *= 2
        j = s.job_n
        s.job_n += 1
        s.jobs[j].gen = 0
    s.jobs[j].state = JS_SERVICE
    s.jobs[j].inst = -1
    s.jobs[j].reply_call = -1
    s.jobs[j].reply_gen = 0
    s.jobs[j].reply_seq = 0
    s.jobs[j].reply_link = -1
    s.jobs[j].cursor = 0
    s.jobs[j].rep = 0
    s.jobs[j].pending = 0
    s.jobs[j].fail = -1
    s.jobs[j].next_q = -1
    s.jobs[j].cancelled = 0
    s.jobs[j].skip_calls = 0
    s.jobs[j].holds_worker = 0
    s.jobs[j].user = -1
    s.jobs[j].degraded = 0
    s.jobs[j].async_state = AS_NONE
    s.jobs[j].t_arrive = s.now
    s.live_jobs += 1
    return j


cdef inline void _free_job(Sim* s, int j) noexcept nogil:
    s.jobs[j].gen += 1
    s.jobs[j].state = JS_FREE
    s.jobs[j].next_q = s.job_free
    s.job_free = j
    s.live_jobs -= 1


cdef inline int _new_call(Sim* s) noexcept nogil:
    """A call record, both its lines set."""
    cdef int k = _new_plain_call(s)
    if k >= 0:
        _reset_call_policy(s, k)
    return k


cdef inline int _new_plain_call(Sim* s) noexcept nogil:
    """A call record with its first line set, all that a call over a plain link
    (LinkHot.plain) reads: its second line (attempts, breaker permit, bulkhead, hedged
    copies, backoff) keeps what its last call left, which such a call never reads. At a
    thousand components, setting it was one more cold line a call."""
    cdef int k
    if s.call_free >= 0:
        k = s.call_free
        s.call_free = s.calls[k].next_wait
    else:
        if s.call_n == s.call_cap:
            if not _may_grow(s, s.call_cap, s.call_cap * sizeof(Call)):
                return -1
            if not _lines_grow(<void**>&s.calls, s.call_cap * sizeof(Call), 2 * s.call_cap * sizeof(Call)):
                s.stops.why.out_of_memory = 1
                return -1
            s.call_cap *= 2
        k = s.call_n
        s.call_n += 1
        s.calls[k].gen = 0
    s.calls[k].state = CS_IN_FLIGHT
    s.calls[k].seq = 0
    s.calls[k].callee_job = -1
    s.calls[k].callee_gen = 0
    s.calls[k].next_wait = -1
    s.calls[k].retrying = 0
    s.calls[k].t_start = s.now
    s.calls[k].parent = -1
    s.calls[k].deadline = INFINITY
    s.live_calls += 1
    return k


cdef inline void _reset_call_policy(Sim* s, int k) noexcept nogil:
    """The second line of call ``k`` (engine/_structs.pxd), as a call over a link with a
    policy starts it."""
    s.calls[k].attempt = 0
    s.calls[k].holds_bulkhead = 0
    s.calls[k].cb_permit = 0
    s.calls[k].t_attempt = s.now
    s.calls[k].prev_sleep = 0.0
    s.calls[k].copies = 0
    s.calls[k].out = 0


cdef inline void _free_call(Sim* s, int k) noexcept nogil:
    s.calls[k].gen += 1
    s.calls[k].state = CS_FREE
    s.calls[k].next_wait = s.call_free
    s.call_free = k
    s.live_calls -= 1


cdef inline int _node_new(Sim* s, int k, double deadline) noexcept nogil:
    cdef int node
    if s.wn_free >= 0:
        node = s.wn_free
        s.wn_free = s.wn_next[node]
    else:
        if s.wn_n == s.wn_cap:
            if not _may_grow(s, s.wn_cap, s.wn_cap * (4 * sizeof(int32_t) + sizeof(double))):
                return -1
            s.wn_cap *= 2
            s.wn_call = <int32_t*> realloc(s.wn_call, s.wn_cap * sizeof(int32_t))
            s.wn_deadline = <double*> realloc(s.wn_deadline, s.wn_cap * sizeof(double))
            s.wn_gen = <int32_t*> realloc(s.wn_gen, s.wn_cap * sizeof(int32_t))
            s.wn_seq = <int32_t*> realloc(s.wn_seq, s.wn_cap * sizeof(int32_t))
            s.wn_next = <int32_t*> realloc(s.wn_next, s.wn_cap * sizeof(int32_t))
            if (s.wn_call == NULL or s.wn_gen == NULL or s.wn_seq == NULL
                    or s.wn_next == NULL or s.wn_deadline == NULL):
                s.stops.why.out_of_memory = 1
                return -1
        node = s.wn_n
        s.wn_n += 1
    s.wn_call[node] = k
    s.wn_gen[node] = s.calls[k].gen
    s.wn_seq[node] = s.calls[k].seq
    s.wn_deadline[node] = deadline
    s.wn_next[node] = -1
    return node


cdef inline void _node_free(Sim* s, int node) noexcept nogil:
    s.wn_next[node] = s.wn_free
    s.wn_free = node


cdef inline bint _node_live(Sim* s, int node) noexcept nogil:
    """The node's call is still on the attempt it was queued for, and still waiting on it."""
    cdef int k = s.wn_call[node]
    return (s.calls[k].gen == s.wn_gen[node] and s.calls[k].seq == s.wn_seq[node]
            and (s.calls[k].state == CS_IN_FLIGHT or s.calls[k].state == CS_BH_WAIT))
