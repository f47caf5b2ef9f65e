# The steps of non-blocking calls (engine/_async.pxd), deadlines (_deadlines.pxd) and hedging
# (_hedging.pxd) that hand work back to the event loop: included into engine/_loop.pyx, whose
# steps they call and which calls them from hooks marked "calls:".
from engine._async cimport _frees_worker, _continues, _continuation_outcome, _service_dist
from engine._deadlines cimport _arm_deadline, _arrival_deadline, _expired, _count_expired
from engine._hedging cimport _new_copy, _commits, _live_copy, _release_permit


cdef void _calls_without_worker(Sim* s, int j) noexcept nogil:
    """Send job j's calls and let its worker take the next request."""
    cdef int inst = s.jobs[j].inst
    _begin_calls(s, j)
    _release_worker(s, inst, 0)

cdef void _queue_continuation(Sim* s, int j) noexcept nogil:
    """The answers are in: the request waits for a worker again to run its continuation."""
    cdef int c = s.jobs[j].comp
    cdef int inst = s.jobs[j].inst
    s.jobs[j].state = JS_QUEUED
    s.job_times[j].t_service = s.now
    if s.ih[inst].busy < _worker_cap(s, inst) and s.ih[inst].qlen == 0:
        _start_service(s, j, 0)
        return
    _enqueue(s, inst, j)
    _touch(s, c)
    s.ih[inst].qlen += 1
    s.ch[c].qlen += 1


cdef void _on_calls_event(Sim* s, Event* ev) noexcept nogil:
    if ev.type == EV_DEADLINE:
        _on_deadline(s, ev.a, ev.b)
    elif s.calls[ev.a].gen == ev.b and s.calls[ev.a].state == CS_HEDGING and s.calls[ev.a].copies == ev.c:
        _hedge_more(s, ev.a)   # the hedging delay has passed with no answer committed


cdef void _drop_late(Sim* s, int j) noexcept nogil:
    """Drop work that was cancelled, or whose deadline has passed, without doing it.

    A job past its deadline that still holds calls back answers its caller (its calls fail
    with ``timeout``); otherwise the job itself ends."""
    if _expired(s, j):
        _count_expired(s, s.jobs[j].comp)
    if s.jobs[j].state == JS_WAITING and not s.jobs[j].cancelled:
        _child_done(s, j, s.jobs[j].gen, O_TIMEOUT, -1)
    else:
        _complete_job(s, j, O_TIMEOUT)


cdef bint _arrives_late(Sim* s, int j, int k, int gen, int link) noexcept nogil:
    """A request arriving for attempt (k, gen) inherits its deadline; one already past it ends."""
    s.job_times[j].deadline = _arrival_deadline(s, k, gen, link)
    if not _expired(s, j):
        return 0
    _drop_late(s, j)
    return 1


cdef bint _hedged(Sim* s, int k, int j, int link) noexcept nogil:
    """Arm call k's deadline; under a hedging policy send its copies instead of one attempt."""
    _arm_deadline(s, k, j, link)
    if s.pol[link].hedging_max_attempts <= 1:
        return 0
    s.calls[k].state = CS_HEDGING
    _hedge_more(s, k)
    return 1


cdef void _on_deadline(Sim* s, int k, int gen) noexcept nogil:
    """The call's deadline has passed: its caller gives it up, cancelling what is in flight."""
    cdef int st = s.calls[k].state
    if s.calls[k].gen != gen or st == CS_FREE or st == CS_FALLBACK:
        return
    if st == CS_HEDGING:
        _hedge_cancel_rest(s, k)
        _hedge_commit(s, k, O_TIMEOUT)
        return
    if st == CS_IN_FLIGHT:
        _cancel_callee(s, k)
    _attempt_done(s, k, O_TIMEOUT)


cdef void _cancel_callee(Sim* s, int k) noexcept nogil:
    cdef int j = s.calls[k].callee_job
    if j >= 0 and s.jobs[j].gen == s.calls[k].callee_gen:
        _cancel_job(s, j)


cdef void _hedge_more(Sim* s, int p) noexcept nogil:
    """Send the next copy of hedged call ``p`` and arm the timer of the one after; with no
    delay, every copy at once."""
    cdef int gen = s.calls[p].gen
    cdef int k
    while True:
        k = _new_copy(s, p)
        if k < 0:
            return
        _start_attempt(s, k)
        if s.calls[p].gen != gen or s.calls[p].state != CS_HEDGING:
            return
        if s.calls[p].copies >= s.pol[s.calls[p].link].hedging_max_attempts:
            return
        if s.pol[s.calls[p].link].hedging_delay > 0:
            _push(s, s.now + s.pol[s.calls[p].link].hedging_delay, EV_HEDGE, p, gen, s.calls[p].copies, 0, 0)
            return


cdef void _hedge_copy_done(Sim* s, int k, int outcome) noexcept nogil:
    cdef int p = s.calls[k].parent
    cdef int gen
    cdef bint commit = _commits(s, k, outcome)
    _free_call(s, k)
    s.calls[p].out -= 1
    if commit:
        _hedge_cancel_rest(s, p)
        _hedge_commit(s, p, outcome)
    else:
        gen = s.calls[p].gen
        if s.calls[p].copies < s.pol[s.calls[p].link].hedging_max_attempts:
            _hedge_more(s, p)   # a non-fatal failure sends the next copy at once
        # no copy left out, and none sent (all made, or throttled): the last failure answers
        if s.calls[p].gen == gen and s.calls[p].state == CS_HEDGING and s.calls[p].out == 0:
            _hedge_commit(s, p, outcome)


cdef void _hedge_cancel_rest(Sim* s, int p) noexcept nogil:
    """The call has committed: cancel its copies still out (their callees' work too)."""
    cdef int i, k
    for i in range(s.calls[p].copies):
        k = s.calls[p].kids[i]
        if not _live_copy(s, p, k):
            continue
        if s.calls[k].state == CS_IN_FLIGHT:
            _cancel_callee(s, k)
        _release_permit(s, k)
        if s.calls[k].holds_bulkhead:
            s.calls[k].holds_bulkhead = 0
            s.calls[k].state = CS_BACKOFF
            _bh_release(s, s.calls[k].link)
        _free_call(s, k)
        s.calls[p].out -= 1


cdef void _hedge_commit(Sim* s, int p, int outcome) noexcept nogil:
    """A hedged call's answer: the fallback, if one applies, or the outcome itself."""
    cdef int link = s.calls[p].link
    if outcome != O_OK and outcome != O_FALLBACK and (s.pol[link].fallback_on & ((<int64_t>1) << outcome)) != 0:
        s.calls[p].state = CS_FALLBACK
        _push(s, s.now + _draw(s, <int>s.pol[link].fallback_latency, &s.ch[s.lh[link].src].rng),
              EV_FALLBACK_DONE, p, s.calls[p].gen, 0, 0, 0)
        return
    s.calls[p].state = CS_BACKOFF
    _finish_call(s, p, outcome)


cdef void _calls_bucket_end(Sim* s) noexcept nogil:
    """Per-bucket log entries: the bound on outstanding requests no longer reached, work
    dropped past its deadline, hedged copies sent. Nothing to do unless one was marked
    (calls_marked) in this bucket or a bound was still reached in the last."""
    cdef int c, l
    cdef bint still = 0
    if not s.calls_marked:
        return
    for c in range(s.n_c):
        if s.c_out_flag[c] and s.c_out_full_b[c] == 0:
            s.c_out_flag[c] = 0
            _log(s, LG_OUTSTANDING_ENDED, c, -1, -1, -1, 0, 0)
        still |= s.c_out_flag[c] != 0
        s.c_out_full_b[c] = 0
        if s.c_dl_drops_b[c] > 0:
            _log(s, LG_DEADLINE_DROPS, c, -1, -1, -1, s.c_dl_drops_b[c], 0)
            s.c_dl_drops_b[c] = 0
    for l in range(s.n_l):
        if s.l_hedges_b[l] > 0:
            _log(s, LG_HEDGES, s.lh[l].src, l, -1, -1, s.l_hedges_b[l], 0)
            s.l_hedges_b[l] = 0
    s.calls_marked = still
