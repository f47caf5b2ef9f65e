# The event loop: the dispatch of every event to the step it triggers, and the steps that
# call one another in turns (requests at a component, calls between components, faults
# taking instances down). The concerns they lean on are inline functions of their own
# modules (engine/_heap.pxd, _pools, _metrics, _breakers, _guards, _retries, _faults,
# _routing ...), so every call here is direct. Run `with nogil`, on the state struct the
# Core owns.
from libc.math cimport floor, fabs, INFINITY
from libc.stdint cimport int64_t, int32_t, uint64_t, INT64_MAX
from libc.string cimport memcpy, memset, memcmp

from engine._structs cimport Event, Rng
from engine._codes cimport *

from engine._state cimport Sim, LinkSums, REPLY_NONE, REPLY_DIST_BITS, REPLY_LANE_SHIFT, REPLY_PLAIN_SHIFT
from engine._random cimport _next, _uniform, _expo, _draw
from engine._pools cimport _new_job, _new_untimed_job, _free_job, _new_plain_call, _reset_call_policy, _free_call, _node_free, _node_live
from engine._heap cimport _push, _push_lane, _push_at, _push_edge, _push_ns, _pop, _next_time, _events_pending, _push_head, _fill, _peek
from engine._clock cimport _ns, _ns_after, _seconds, NS_PER_S
from engine._eventlog cimport _log
from engine._metrics cimport (
    NB, _histogram_init, _histogram_bin, _fold_bucket_latencies, _count_c, _count_l, _count_c_pair,
    _sum_c, _sum_l, _touch_counted, _touch_client,
    _start_measuring, _settle_counts_c, _settle_counts_l, _count_sent_plain, _count_answer_l, _touch, _catch_up_all, _hp_apply, ROW_W, ROW_HOT, L_IN_ROW, MC_SLOT, ML_SLOT, MC_TOTALS, ML_TOTALS, _count_in,
    _on_warmup_end, _record_done, _hist_at
)
from engine._records cimport _rows_room, _take_packed
from engine._breakers cimport _cb_touch, _cb_rate, _cb_acquire, _cb_record, _on_cb_timer
from engine._guards cimport _bulkhead_pressure, _bh_try, _bh_enqueue, _arm_timeout, _rl_acquire, _rl_slot
from engine._threadpool cimport _tp_execute, _tp_next, _tp_keep_alive
from engine._retries cimport _backoff, _budget_allows, _budget_account
from engine._faults cimport (
    _recompute_component_faults, _recompute_link_faults, _count_link_fault, _schedule_oom,
    _extra_latency, _instance_up
)
from engine._routing cimport _pick_in, _pick_flat, _pick_local, _shunned, _refuses, _lb_note
from engine._ejection cimport _od_record, _od_sweep
from engine._autoscale cimport _as_sync, _as_ready
from engine._disciplines cimport (
    _enqueue, _queue_emptied, _queue_lost, _codel_drops, _codel_count_drop, _discipline_bucket_end
)
include "_calls.pxi"   # non-blocking calls, deadlines, hedging: the hooks marked "calls:"
include "_plain.pxi"   # a request from a plain client to a plain service: four fused steps (c_plain)

_histogram_init()   # the latency bins' lookup tables, once per process


cdef void _run(Sim* s, double until, int64_t max_events) noexcept nogil:
    cdef int64_t until_ns = _ns(until)
    cdef int64_t limit = max_events if max_events > 0 else INT64_MAX
    cdef int64_t end_ns = _ns(s.duration)   # once, not at every arrival
    cdef int64_t stall_cap = s.stall_limit if s.stall_limit > 0 else INT64_MAX   # one test an event, not two
    cdef Event ev
    # the count left in the state, not a local: a fused step that takes its zero-delay hop at
    # once (_hop_now) counts and tests it as this loop does
    s.ev_left = limit
    s.stall_cap = stall_cap
    # the three reasons to stop in one load and test (Stops, engine/_state.pxd; HALT_NONE is 0)
    while s.stops.any == 0 and s.ev_left > 0:
        if not _pop(s, until_ns, &ev):
            break
        if ev.t > s.now_ns:
            s.stalled = 0
            _clock_to(s, ev.t)
        else:
            _count_stalled(s, stall_cap)
        s.ev_left -= 1
        _dispatch(s, &ev, end_ns)
    s.events_processed += limit - s.ev_left
    if s.stops.why.stop == 0 and (_events_pending(s) == 0 or _next_time(s) > until_ns):
        if until_ns > s.now_ns:
            _clock_to(s, until_ns)
        if until >= s.duration and not s.finished:
            _finalize(s)


cdef inline void _count_stalled(Sim* s, int64_t stall_cap) noexcept nogil:
    """One more event at the same instant as the last: too many in a row stop the run."""
    s.stalled += 1
    if s.stalled > stall_cap:
        s.stops.why.code = HALT_STALLED


cdef inline void _clock_to(Sim* s, int64_t t) noexcept nogil:
    """Move the clock forward: every move goes through here, so `measuring` is always
    `now >= warmup` and the steps test the flag instead of comparing times."""
    s.now_ns = t
    s.now = _seconds(t)
    if not s.measuring and s.now >= s.warmup:
        _start_measuring(s)


cdef void _dispatch(Sim* s, Event* ev, int64_t end_ns) noexcept nogil:
    cdef int t = ev.type
    if t == EV_PLAIN_CALL_ARRIVE:
        _plain_call_arrive(s, ev.a, ev.b, ev.c, ev.d, ev.e, 1)
    elif t == EV_PLAIN_SERVICE_DONE:
        _plain_service_done(s, ev.a, ev.b)
    elif t == EV_PLAIN_ANSWER:
        _plain_answer(s, ev.a, ev.b, ev.c, ev.e)
    elif t == EV_PLAIN_ARRIVAL:
        _plain_arrival(s, ev.a, end_ns)
    # the same events pushed by the whole steps, which do not tell them apart
    elif t == EV_CALL_ARRIVE:
        if s.lh[ev.d].dst_plain:
            _plain_call_arrive(s, ev.a, ev.b, ev.c, ev.d, ev.e, 0)
        else:
            _on_call_arrive(s, ev.a, ev.b, ev.c, ev.d, ev.e)
    elif t == EV_SERVICE_DONE:
        if s.c_plain[s.jobs[ev.a].comp]:
            _plain_service_done(s, ev.a, ev.b)
        else:
            _on_service_done(s, ev.a, ev.b)
    elif t == EV_RESPONSE:
        if s.lh[ev.d].src_plain:
            _plain_answer(s, ev.a, ev.b, ev.c, ev.e)
        else:
            _on_response(s, ev.a, ev.b, ev.c, ev.e)
    elif t == EV_ARRIVAL:
        if s.c_plain[ev.a]:
            _plain_arrival(s, ev.a, end_ns)
        else:
            _on_arrival(s, ev.a, end_ns)
    elif t == EV_TIMEOUT:
        _on_link_timeouts(s, ev.a)
    elif t == EV_RETRY:
        if s.calls[ev.a].gen == ev.b and s.calls[ev.a].state == CS_BACKOFF:
            _start_attempt(s, ev.a)
    elif t == EV_BH_EXPIRE:
        if (s.calls[ev.a].gen == ev.b and s.calls[ev.a].seq == ev.c
                and s.calls[ev.a].state == CS_BH_WAIT):
            _count_l(s, s.calls[ev.a].link, ML_BH_REJ, 1.0)
            _bulkhead_pressure(s, s.calls[ev.a].link)
            _attempt_done(s, ev.a, O_REJECTED)
    elif t == EV_FALLBACK_DONE:
        if s.calls[ev.a].gen == ev.b and s.calls[ev.a].state == CS_FALLBACK:
            _finish_call(s, ev.a, O_FALLBACK)
    elif t == EV_RL_GRANT:
        if s.jobs[ev.a].gen == ev.b and s.jobs[ev.a].state == JS_RL_WAIT:
            _admit(s, ev.a, 0)
    elif t == EV_RL_REJECT:
        if s.jobs[ev.a].gen == ev.b and s.jobs[ev.a].state == JS_RL_WAIT:
            _reject_rate_limited(s, ev.a)
    elif t == EV_BUCKET:
        _flush_bucket(s, s.current_bucket, s.bucket)
        s.current_bucket += 1
        s.bucket_start = s.now
        if s.current_bucket < s.n_b - 1:
            _push_edge(s, (s.current_bucket + 1) * _ns(s.bucket), EV_BUCKET, 0, 0, 0, 0, 0)
    elif t == EV_FAULT:
        _on_fault(s, ev.a)
    elif t == EV_RESTART:
        _restart(s, ev.a, ev.b)
    elif t == EV_RANDOM_FAIL:
        _on_random_fail(s, ev.a, ev.b, ev.c)
    elif t == EV_RANDOM_REPAIR:
        _on_random_repair(s, ev.a, ev.b, ev.c)
    elif t == EV_OOM:
        _on_oom(s, ev.a, ev.b, ev.c)
    elif t == EV_CB_TIMER:
        _on_cb_timer(s, ev.a, ev.b, ev.c)
    elif t == EV_THINK_DONE:
        _start_root(s, ev.a, ev.b)
    elif t == EV_TP_KEEPALIVE:
        _tp_keep_alive(s, ev.a, ev.b)
    elif t == EV_WARMUP:
        _on_warmup_end(s)
    elif t == EV_DEADLINE or t == EV_HEDGE:   # calls
        _on_calls_event(s, ev)
    elif t == EV_OUTLIER_SWEEP:
        _od_sweep(s, ev.a)
    elif t == EV_AUTOSCALE:
        _as_sync(s, ev.a)
    elif t == EV_INSTANCE_READY:
        _as_ready(s, ev.c, ev.a, ev.b)


include "_clients.pxi"   # a client: its rate, its next arrival, the root job an arrival starts


# ------------------------------------------------------------------ jobs
cdef void _begin_calls(Sim* s, int j) noexcept nogil:
    cdef int c = s.jobs[j].comp
    cdef int gen = s.jobs[j].gen
    cdef int64_t k, r, n, off
    cdef int link
    # its pending count, outcome, cursor and repeat are still _new_job's: a job begins its calls once
    s.jobs[j].state = JS_WAITING
    if s.comps[c].kind == K_LOAD_BALANCER:
        _lb_forward(s, j)
        return
    n = s.comps[c].out_count
    off = s.comps[c].out_offset
    if s.comps[c].fan_out == FO_PARALLEL:
        # A sentinel pending count keeps the job open while calls are issued:
        # one can be answered at once (an open breaker) before the next is made.
        s.jobs[j].pending = 1
        for k in range(n):
            link = s.out_links[off + k]
            if s.lh[link].probability < 1.0 and _uniform(&s.ch[c].rng) >= s.lh[link].probability:
                continue
            for r in range(s.lh[link].count):
                if s.jobs[j].gen != gen:
                    return
                s.jobs[j].pending += 1
                _issue_call(s, j, link)
        _child_done(s, j, gen, O_OK, -1)
    else:
        _next_sequential(s, j, -1)


cdef inline void _next_sequential(Sim* s, int j, int answered) noexcept nogil:
    """The job's next call, or its end. ``answered``: the link at its cursor when the caller
    knows it (the link of the call just answered), else -1: at a thousand components its
    place in out_links is one more cold line."""
    cdef int c = s.jobs[j].comp
    cdef int64_t n = s.comps[c].out_count, off = s.comps[c].out_offset
    cdef int link
    while s.jobs[j].cursor < n:
        link = answered if answered >= 0 else <int>s.out_links[off + s.jobs[j].cursor]
        answered = -1
        if s.jobs[j].rep == 0 and s.lh[link].probability < 1.0:
            if _uniform(&s.ch[c].rng) >= s.lh[link].probability:
                s.jobs[j].cursor += 1
                continue
        if s.jobs[j].rep < s.lh[link].count:
            s.jobs[j].rep += 1
            s.jobs[j].pending = 1
            _issue_call(s, j, link)
            return
        s.jobs[j].rep = 0
        s.jobs[j].cursor += 1
    _complete_job(s, j, s.jobs[j].fail if s.jobs[j].fail >= 0 else O_OK)


cdef void _child_done(Sim* s, int j, int gen, int outcome, int link) noexcept nogil:
    """One of job ``j``'s calls ended with ``outcome``; ``link``: the call's (-1: none to tell)."""
    cdef int c
    if s.jobs[j].gen != gen or s.jobs[j].state != JS_WAITING:
        return
    c = s.jobs[j].comp
    if outcome == O_FALLBACK:
        s.jobs[j].degraded = 1
    elif outcome != O_OK:
        # A load balancer passes the outcome through and a client reports what its user saw;
        # a service turns a failed dependency into an error of its own.
        if s.comps[c].kind == K_LOAD_BALANCER or s.comps[c].kind == K_CLIENT:
            s.jobs[j].fail = outcome
        else:
            s.jobs[j].fail = O_ERROR
    s.jobs[j].pending -= 1
    if s.comps[c].fan_out == FO_PARALLEL and s.comps[c].kind != K_LOAD_BALANCER:
        if s.jobs[j].pending == 0:
            _complete_job(s, j, s.jobs[j].fail if s.jobs[j].fail >= 0 else O_OK)
        return
    if s.jobs[j].fail >= 0:
        _complete_job(s, j, s.jobs[j].fail)
    elif s.jobs[j].pending == 0:
        if s.comps[c].kind == K_LOAD_BALANCER:
            _complete_job(s, j, O_OK)
        else:
            _next_sequential(s, j, link)


cdef void _complete_job(Sim* s, int j, int outcome) noexcept nogil:
    if s.jobs[j].async_state == AS_WAITING and _continues(s, j, outcome):   # calls: continuation
        _queue_continuation(s, j)
        return
    if outcome == O_OK and s.jobs[j].degraded:
        outcome = O_FALLBACK
    cdef int c = s.jobs[j].comp
    cdef int inst, held, user, reply, cancelled
    _record_done(s, c, outcome, s.now - s.jobs[j].t_arrive, 0)
    _touch_counted(s, c)
    # read after the recording and the touch, which leave the job alone: held across them,
    # they took registers those need and went to the stack and back
    inst = s.jobs[j].inst
    held = s.jobs[j].holds_worker
    user = s.jobs[j].user
    reply = s.jobs[j].reply_call
    cancelled = s.jobs[j].cancelled
    s.ch[c].inflight -= 1
    if inst >= 0:
        s.ih[inst].jobs -= 1
        _lb_note(s, inst)
    if reply >= 0 and not cancelled:
        _send_response(s, reply, s.jobs[j].reply_gen, s.jobs[j].reply_seq,
                            s.jobs[j].reply_link, outcome)
    _free_job(s, j)
    if user >= 0:
        _push(s, s.now + _draw(s, s.comps[c].think_dist, &s.ch[c].rng), EV_THINK_DONE, c, user, 0, 0, 0)
    if held:
        _release_worker(s, inst, 1)


cdef int _worker_cap(Sim* s, int inst) noexcept nogil:
    # kept with the component's levels (CompHot), not read from its row: at a thousand
    # components, that was a cold line a request's arrival read for it alone
    return s.ch[s.ih[inst].comp].worker_cap


cdef void _release_worker(Sim* s, int inst, bint touched) noexcept nogil:
    """Free one of the instance's workers; ``touched``: as for _start_service."""
    cdef int c = s.ih[inst].comp
    if not touched:
        _touch(s, c)
    s.ih[inst].busy -= 1
    s.ch[c].busy -= 1
    if s.ih[inst].qlen > 0:   # as _dispatch_queue tests first, without its call when idle
        _dispatch_queue(s, inst, 1)


cdef void _dispatch_queue(Sim* s, int inst, bint touched) noexcept nogil:
    """Hand queued work to free workers, dropping cancelled and overdue work on the way.
    ``touched``: as for _start_service; it spares the first job's touch only."""
    cdef int c = s.ih[inst].comp
    cdef int j
    while s.ih[inst].qlen > 0 and s.ih[inst].busy < _worker_cap(s, inst):   # mostly nothing queued
        j = _next_queued(s, inst, c, touched)
        touched = 0
        if j >= 0:
            _start_service(s, j, 1)


cdef inline int _next_queued(Sim* s, int inst, int c, bint touched) noexcept nogil:
    """Takes the first job off the queue of ``inst`` (an instance of ``c``, touched first unless
    ``touched``): the job, to start now; or -1 when it was dropped, shed or rejected instead."""
    cdef int j = <int>s.ih[inst].qhead
    s.ih[inst].qhead = s.jobs[j].next_q
    if s.ih[inst].qhead < 0:
        s.ih[inst].qtail = -1
    if not touched:
        _touch(s, c)
    s.ih[inst].qlen -= 1
    s.ch[c].qlen -= 1
    if s.ih[inst].qlen == 0:
        _queue_emptied(s, inst)
    if s.jobs[j].cancelled or _expired(s, j):   # calls: or past its deadline
        _drop_late(s, j)
        return -1
    if s.jobs[j].async_state == AS_CONTINUATION:   # calls: no shedding once the calls are made
        return j
    if s.comps[c].max_queue_wait >= 0 and _ns(s.now - s.jobs[j].t_arrive) > _ns(s.comps[c].max_queue_wait):
        _shed(s, j)
        return -1
    if s.comps[c].discipline == QD_CODEL and _codel_drops(s, inst, s.now - s.job_times[j].t_service):
        _codel_count_drop(s, j)
        _complete_job(s, j, O_REJECTED)
        return -1
    return j


cdef void _shed(Sim* s, int j) noexcept nogil:
    cdef int c = s.jobs[j].comp
    _count_c(s, c, MC_SHED_REJ, 1.0)
    s.c_shed_rej_b[c] += 1
    s.c_guard[c] = 1
    if not s.c_shed_flag[c]:
        s.c_shed_flag[c] = 1
        _log(s, LG_SHEDDING_BEGAN, c, -1, -1, s.jobs[j].inst, s.ih[s.jobs[j].inst].qlen, 0)
    _complete_job(s, j, O_REJECTED)


cdef void _start_service(Sim* s, int j, bint touched) noexcept nogil:
    """A worker takes job j. ``touched``: its component was already touched at this instant
    (another touch would add no area: no time has passed) and its queue has not grown since
    (it would find no new peak), so that touch is left out."""
    cdef int c = s.jobs[j].comp
    cdef int inst = s.jobs[j].inst
    cdef double st, factor = s.ch[c].cpu
    cdef int f = s.ch[c].leak_fault
    if not touched:
        _touch(s, c)
    _take_worker(s, j, c, inst)
    if s.ch[c].guarded and s.comps[c].hit_ratio > 0:
        s.jobs[j].skip_calls = _uniform(&s.ch[c].rng) < s.comps[c].hit_ratio
    if f >= 0:
        factor *= 1.0 + s.faults[f].leak_rate * (s.now - s.i_up_since[inst])
    st = _draw(s, _service_dist(s, j), &s.ch[c].rng) * factor
    _push(s, s.now + st, EV_SERVICE_DONE, j, s.jobs[j].gen, 0, 0, 0)


cdef inline void _take_worker(Sim* s, int j, int c, int inst) noexcept nogil:
    """A worker of ``inst`` (an instance of ``c``) takes job ``j``: its start counted, and the
    time it waited in the queue if it did."""
    cdef double wait = 0.0
    s.ih[inst].busy += 1
    s.ch[c].busy += 1
    s.jobs[j].holds_worker = 1
    if s.jobs[j].state == JS_QUEUED:
        wait = s.now - s.job_times[j].t_service    # t_service holds the time it joined the queue
    _count_c(s, c, MC_STARTED, 1.0)
    if wait > 0:
        _count_wait(s, c, wait)
    s.jobs[j].state = JS_SERVICE
    s.job_times[j].t_service = s.now


cdef inline void _count_wait(Sim* s, int c, double wait) noexcept nogil:
    _count_c(s, c, MC_WAITED, 1.0)
    _sum_c(s, c, MC_WAIT_SUM, wait)
    if s.measuring:
        _hist_at(s.hist_w, c, _histogram_bin(wait))[0] += 1
        if wait > s.wait_max[c]:
            s.wait_max[c] = wait


cdef void _on_service_done(Sim* s, int j, int gen) noexcept nogil:
    cdef int c
    if s.jobs[j].gen != gen or s.jobs[j].state != JS_SERVICE:
        return
    c = s.jobs[j].comp
    if s.jobs[j].cancelled:
        _drop_late(s, j)   # calls: counted when its deadline cancelled it
    elif s.jobs[j].async_state == AS_CONTINUATION:   # calls: the continuation is done
        _complete_job(s, j, _continuation_outcome(s, j))
    elif s.comps[c].error_probability > 0 and _uniform(&s.ch[c].rng) < s.comps[c].error_probability:
        _complete_job(s, j, O_ERROR)
    elif s.jobs[j].skip_calls or s.comps[c].out_count == 0:
        _complete_job(s, j, O_OK)
    elif _frees_worker(s, j):   # calls: non-blocking, the worker goes once the calls are out
        _calls_without_worker(s, j)
    else:
        _begin_calls(s, j)


# ------------------------------------------------------------------ arrival at a callee
cdef void _on_call_arrive(Sim* s, int k, int gen, int seq, int link, int inst) noexcept nogil:
    cdef int c = s.lh[link].dst
    cdef int j, kind = s.ch[c].kind
    cdef bint current = s.calls[k].gen == gen and s.calls[k].seq == seq and s.calls[k].state == CS_IN_FLIGHT
    cdef double wait
    if not current and s.pol[link].cancel_on_timeout:
        return   # the caller gave up and cancelled: the request never starts
    if kind == K_LOAD_BALANCER:
        inst = -1
    j = _new_job(s)
    if j < 0:
        return
    s.jobs[j].comp = c
    s.jobs[j].inst = inst
    s.jobs[j].reply_call = k
    s.jobs[j].reply_gen = gen
    s.jobs[j].reply_seq = seq
    s.jobs[j].reply_link = link
    s.jobs[j].state = JS_QUEUED
    _count_c(s, c, MC_ARRIVALS, 1.0)
    _touch_counted(s, c)
    s.ch[c].inflight += 1
    if inst >= 0:
        s.ih[inst].jobs += 1
        _lb_note(s, inst)
    if current:
        s.calls[k].callee_job = j
        s.calls[k].callee_gen = s.jobs[j].gen
    if _arrives_late(s, j, k, gen, link):   # calls: the deadline travels with the call
        return
    if _refused_on_arrival(s, j, c, inst):
        return
    if kind == K_LOAD_BALANCER:
        _begin_calls(s, j)
        return
    if s.ch[c].guarded and s.comps[c].limit_for_period > 0:
        wait = _rl_acquire(s, _rl_slot(s, inst, c), c)
        if wait != 0:
            s.jobs[j].state = JS_RL_WAIT
            if wait > 0:
                _push(s, s.now + wait, EV_RL_GRANT, j, s.jobs[j].gen, 0, 0, 0)
            elif s.comps[c].timeout_duration > 0:
                # Resilience4j makes a refused caller wait its whole timeout first.
                _push(s, s.now + s.comps[c].timeout_duration, EV_RL_REJECT, j, s.jobs[j].gen, 0, 0, 0)
            else:
                _reject_rate_limited(s, j)
            return
    _admit(s, j, 1)


cdef inline bint _refused_on_arrival(Sim* s, int j, int c, int inst) noexcept nogil:
    """A request arriving at a down instance, or failed by an injected error, ends at once."""
    if inst >= 0 and s.ih[inst].down > 0:
        _count_c(s, c, MC_LOST, 1.0)
        if not _refuses(s, inst):
            s.jobs[j].cancelled = 1   # hung: the caller never hears back
        _complete_job(s, j, O_UNAVAILABLE)
        return 1
    if s.ch[c].inject_err > 0 and _uniform(&s.ch[c].rng) < s.ch[c].inject_err:
        _complete_job(s, j, O_ERROR)
        return 1
    return 0


cdef void _reject_rate_limited(Sim* s, int j) noexcept nogil:
    cdef int c = s.jobs[j].comp
    _count_c(s, c, MC_RL_REJ, 1.0)
    s.c_rl_rej_b[c] += 1
    s.c_guard[c] = 1
    if not s.c_rl_flag[c]:
        s.c_rl_flag[c] = 1
        _log(s, LG_RATE_LIMITING_BEGAN, c, -1, -1, s.jobs[j].inst, 0, 0)
    _complete_job(s, j, O_REJECTED)


cdef void _admit(Sim* s, int j, bint touched) noexcept nogil:
    cdef int c = s.jobs[j].comp
    cdef int inst = s.jobs[j].inst
    if s.jobs[j].cancelled:
        _complete_job(s, j, O_TIMEOUT)
        return
    if s.ch[c].kind == K_QUEUE and s.jobs[j].reply_call >= 0:
        if s.ih[inst].busy >= _worker_cap(s, inst) and s.ih[inst].qlen >= s.comps[c].queue_capacity:
            _complete_job(s, j, O_REJECTED)
            return
        # Asynchronous hand-off: the producer is answered on enqueue, the work goes on.
        _send_response(s, s.jobs[j].reply_call, s.jobs[j].reply_gen, s.jobs[j].reply_seq,
                            s.jobs[j].reply_link, O_OK)
        s.jobs[j].reply_call = -1
        s.job_times[j].deadline = INFINITY   # calls: the producer's deadline ended with its call
    # a queue holding work takes this job behind it whatever the workers: the cap, a few
    # rows away, is read only when it is empty
    if s.ih[inst].qlen == 0 and s.ih[inst].busy < _worker_cap(s, inst):
        _start_service(s, j, touched)
        return
    if s.comps[c].max_queue_length >= 0 and s.ih[inst].qlen >= s.comps[c].max_queue_length:
        _shed(s, j)
        return
    if s.comps[c].queue_capacity >= 0 and s.ih[inst].qlen >= s.comps[c].queue_capacity:
        _complete_job(s, j, O_REJECTED)
        return
    s.jobs[j].state = JS_QUEUED
    s.job_times[j].t_service = s.now
    _enqueue(s, inst, j)
    if not touched:
        _touch(s, c)
    s.ih[inst].qlen += 1
    s.ch[c].qlen += 1


# ------------------------------------------------------------------ routing
cdef void _lb_forward(Sim* s, int j) noexcept nogil:
    """Pick one instance over all the balancer's targets, then call through that target's link."""
    cdef int lb = s.jobs[j].comp
    cdef int64_t off = s.comps[lb].out_offset, n = s.comps[lb].out_count, idx
    cdef int link = <int>s.out_links[off]
    # Balance over the flat list of instances; the target it falls in names the link.
    if n > 1:
        idx = _pick_flat(s, lb)
        if idx >= 0:
            link = <int>s.fl_link[s.lb_off[lb] + idx]
    s.jobs[j].pending = 1
    _issue_call(s, j, link)


# ------------------------------------------------------------------ caller side
cdef void _issue_call(Sim* s, int j, int link) noexcept nogil:
    cdef int k
    if _expired(s, j):   # calls: no call starts past the request's deadline
        _drop_late(s, j)
        return
    k = _new_plain_call(s)
    if k < 0:
        return
    s.calls[k].job = j
    s.calls[k].job_gen = s.jobs[j].gen
    s.calls[k].link = link
    s.lh[link].active += 1
    if s.lh[link].plain:
        _start_plain_attempt(s, k, j, link)
        return
    _reset_call_policy(s, k)
    _count_l(s, link, ML_CALLS, 1.0)
    _count_c(s, <int>s.lh[link].src, MC_CALLS, 1.0)
    # a retry's backoff starts from it; a plain call never retries, so its policy row stays
    # out of the cache
    s.calls[k].prev_sleep = s.pol[link].wait_duration
    if not _hedged(s, k, j, link):   # calls: deadline and hedging
        _start_attempt(s, k)


cdef inline void _begin_attempt(Sim* s, int k) noexcept nogil:
    """What every attempt of a call over a link with a policy starts with."""
    s.calls[k].attempt += 1
    s.calls[k].t_attempt = s.now
    s.calls[k].cb_permit = 0
    _begin_plain_attempt(s, k)


cdef inline void _begin_plain_attempt(Sim* s, int k) noexcept nogil:
    """What every attempt starts with: a plain call's one attempt, on its first line alone
    (_new_plain_call)."""
    s.calls[k].seq += 1
    s.calls[k].inst = -1
    s.calls[k].state = CS_IN_FLIGHT


cdef inline void _start_plain_attempt(Sim* s, int k, int j, int link) noexcept nogil:
    """_hedged and _start_attempt over a link no policy wraps (_plain_link): the call's
    deadline is its job's, and its one attempt is sent as it is. The call and its attempt
    are counted together, each count in its own field as the whole path counts them."""
    _count_sent_plain(s, link)
    _count_c_pair(s, <int>s.lh[link].src, MC_CALLS, MC_ATTEMPTS)
    s.calls[k].deadline = s.job_times[j].deadline
    if s.calls[k].deadline < INFINITY:
        _push(s, s.calls[k].deadline, EV_DEADLINE, k, s.calls[k].gen, 0, 0, 0)
    _begin_plain_attempt(s, k)
    _send(s, k)


cdef void _start_attempt(Sim* s, int k) noexcept nogil:
    cdef int link = s.calls[k].link
    cdef int gen = s.calls[k].gen
    cdef int admitted
    _begin_attempt(s, k)
    _count_l(s, link, ML_ATTEMPTS, 1.0)
    _count_c(s, <int>s.lh[link].src, MC_ATTEMPTS, 1.0)
    # Resilience4j order, outer to inner: retry, circuit breaker, timeout, bulkhead, call.
    if s.pol[link].cb_on:
        if not _cb_acquire(s, link):
            _count_l(s, link, ML_SHORT, 1.0)
            _attempt_done(s, k, O_SHORT_CIRCUITED)
            return
        s.calls[k].cb_permit = 1
    if s.pol[link].timeout > 0:
        _arm_timeout(s, k, link)
    if s.pol[link].max_concurrent_calls >= 0 or s.pol[link].core_thread_pool_size > 0:
        admitted = _tp_execute(s, link) if s.pol[link].core_thread_pool_size > 0 else _bh_try(s, link)
        if admitted > 0:
            s.calls[k].holds_bulkhead = 1
        elif admitted == 0:
            _bulkhead_pressure(s, link)
            _count_l(s, link, ML_BH_WAITED, 1.0)
            _bh_enqueue(s, k)
            s.calls[k].state = CS_BH_WAIT
            if s.pol[link].core_thread_pool_size == 0:   # a semaphore's wait is bounded; a thread pool's queue is not
                _push(s, s.now + s.pol[link].bulkhead_max_wait_duration, EV_BH_EXPIRE, k, gen, s.calls[k].seq, 0, 0)
            return
        else:
            _count_l(s, link, ML_BH_REJ, 1.0)
            _bulkhead_pressure(s, link)
            _attempt_done(s, k, O_REJECTED)
            return
    _send(s, k)


cdef void _on_link_timeouts(Sim* s, int link) noexcept nogil:
    cdef int node, k
    cdef bint live
    # stays armed while this runs: a retry queued from inside re-arms through the loop below
    s.l_to_armed[link] = 1
    while s.l_to_head[link] >= 0:
        node = <int>s.l_to_head[link]
        live = _node_live(s, node)
        if live and _ns(s.wn_deadline[node]) > s.now_ns:
            _push(s, s.wn_deadline[node], EV_TIMEOUT, link, 0, 0, 0, 0)
            return
        s.l_to_head[link] = s.wn_next[node]
        if s.l_to_head[link] < 0:
            s.l_to_tail[link] = -1
        k = s.wn_call[node]
        _node_free(s, node)
        if live:
            _timeout_call(s, k)
    s.l_to_armed[link] = 0


cdef void _bh_release(Sim* s, int link) noexcept nogil:
    """Give the permit back and hand it to the first caller still waiting (fair FIFO); a
    thread-pool bulkhead's thread takes the next call of its queue, or goes idle."""
    cdef int node, k
    cdef bint live
    if s.pol[link].core_thread_pool_size > 0:
        k = _tp_next(s, link)
        if k >= 0:
            _sum_l(s, link, ML_BH_WAIT_SUM, s.now - s.calls[k].t_attempt)
            s.calls[k].holds_bulkhead = 1
            s.calls[k].state = CS_IN_FLIGHT
            _send(s, k)
        return
    s.l_bh_inuse[link] -= 1
    while s.l_bh_head[link] >= 0 and s.l_bh_inuse[link] < s.pol[link].max_concurrent_calls:
        node = <int>s.l_bh_head[link]
        s.l_bh_head[link] = s.wn_next[node]
        if s.l_bh_head[link] < 0:
            s.l_bh_tail[link] = -1
        k = s.wn_call[node]
        live = _node_live(s, node) and s.calls[k].state == CS_BH_WAIT
        _node_free(s, node)
        if live:
            _sum_l(s, link, ML_BH_WAIT_SUM, s.now - s.calls[k].t_attempt)
            s.l_bh_inuse[link] += 1
            s.calls[k].holds_bulkhead = 1
            s.calls[k].state = CS_IN_FLIGHT
            _send(s, k)


cdef void _send(Sim* s, int k) noexcept nogil:
    cdef int link = s.calls[k].link
    cdef int inst = -1
    cdef double lat
    cdef Rng* lr = &s.rng[link]
    s.calls[k].state = CS_IN_FLIGHT
    lat = _draw(s, <int>s.lh[link].dist, lr)
    if s.lh[link].faulted:
        lat += _extra_latency(s, link, DIR_REQUEST)
        if s.l_part_refuse[link] > 0:
            _push(s, s.now, EV_RESPONSE, k, s.calls[k].gen, s.calls[k].seq, link, O_UNAVAILABLE)
            return
        if s.l_part_hang[link] > 0:
            return   # dropped on the floor: only a timeout ends this attempt
        if s.l_inject_err[link] > 0 and _uniform(lr) < s.l_inject_err[link]:
            _push_lane(s, _lane(s, link, lat), s.now + lat, EV_RESPONSE, k, s.calls[k].gen, s.calls[k].seq, link, O_ERROR)
            return
    if s.lh[link].n_inst >= 0:   # not a balancer or a client
        if s.lh[link].zone_aware and s.jobs[s.calls[k].job].inst >= 0:
            inst = _pick_local(s, link, s.i_zone[s.jobs[s.calls[k].job].inst])
        if inst < 0:
            inst = _pick_in(s, link)
        if inst < 0:
            # every instance is down: the connection is refused one hop away
            _push_lane(s, _lane(s, link, lat), s.now + lat, EV_RESPONSE, k, s.calls[k].gen, s.calls[k].seq, link, O_UNAVAILABLE)
            return
        s.calls[k].inst = inst
    # told apart here, where the link's and the call's lines are at hand: a plain call's
    # arrival at a plain service then reads neither (_plain_call_arrive)
    _push_lane(s, _lane(s, link, lat), s.now + lat,
               EV_PLAIN_CALL_ARRIVE if s.lh[link].plain and s.lh[link].dst_plain and s.calls[k].deadline == INFINITY
               else EV_CALL_ARRIVE,
               k, s.calls[k].gen, s.calls[k].seq, link, inst)


cdef void _send_response(Sim* s, int k, int gen, int seq, int link, int outcome) noexcept nogil:
    cdef double lat = _draw(s, <int>s.lh[link].dist, &s.rng[link])
    if s.lh[link].faulted:
        if s.l_part_hang[link] > 0 or s.l_part_refuse[link] > 0:
            return
        lat += _extra_latency(s, link, DIR_RESPONSE)
    _push_lane(s, _lane(s, link, lat), s.now + lat, EV_RESPONSE, k, gen, seq, link, outcome)


cdef inline int _lane(Sim* s, int link, double lat) noexcept nogil:
    """The ring of the event queue for the link's constant latency; none when a fault added
    to it, as that key would be far ahead of the ring's other links and send their keys to
    the heap until it left."""
    if s.lh[link].faulted and lat != s.dists[s.lh[link].dist].value:
        return -1
    return <int>s.lh[link].lane


cdef void _on_response(Sim* s, int k, int gen, int seq, int outcome) noexcept nogil:
    if s.calls[k].gen != gen or s.calls[k].seq != seq or s.calls[k].state != CS_IN_FLIGHT:
        return   # an answer to an attempt the caller already gave up on
    if s.lh[s.calls[k].link].plain:
        _plain_attempt_done(s, k, outcome)
    else:
        _attempt_done(s, k, outcome)


cdef void _timeout_call(Sim* s, int k) noexcept nogil:
    cdef int j
    if s.calls[k].state == CS_IN_FLIGHT and s.pol[s.calls[k].link].cancel_on_timeout:
        j = s.calls[k].callee_job
        if j >= 0 and s.jobs[j].gen == s.calls[k].callee_gen:
            _cancel_job(s, j)
    _attempt_done(s, k, O_TIMEOUT)


cdef void _cancel_job(Sim* s, int j) noexcept nogil:
    s.jobs[j].cancelled = 1
    if s.jobs[j].state == JS_WAITING:
        _complete_job(s, j, O_TIMEOUT)


cdef void _attempt_done(Sim* s, int k, int outcome) noexcept nogil:
    cdef int link = s.calls[k].link
    cdef int gen = s.calls[k].gen
    cdef int64_t bit = (<int64_t>1) << outcome
    cdef bint failed = outcome != O_OK and outcome != O_FALLBACK
    cdef bint retry
    cdef double wait
    if s.lh[link].plain:
        _plain_attempt_done(s, k, outcome)
        return
    if s.calls[k].state == CS_BH_WAIT:
        # the wait for a permit ends without one: its maximum wait, or the call's timeout
        _sum_l(s, link, ML_BH_WAIT_SUM, s.now - s.calls[k].t_attempt)
    s.calls[k].state = CS_BACKOFF   # no longer in flight: late answers are ignored
    if s.calls[k].inst >= 0:
        if s.lh[link].od >= 0:
            _od_record(s, link, s.calls[k].inst, outcome)
        s.calls[k].inst = -1
    if s.calls[k].holds_bulkhead:
        s.calls[k].holds_bulkhead = 0
        _bh_release(s, link)
    if s.calls[k].cb_permit:
        s.calls[k].cb_permit = 0
        _cb_record(s, link, outcome, s.now - s.calls[k].t_attempt)
    if s.pol[link].budget == BUD_GRPC_THROTTLING and outcome != O_SHORT_CIRCUITED:
        # gRPC counts a failure only when its status is retryable (or non-fatal to a hedge); any
        # other failure neither costs a token nor earns one, as a success does
        if not failed:
            _budget_account(s, link, 0)
        elif ((s.pol[link].retry_on | s.pol[link].non_fatal_outcomes) & bit) != 0:
            _budget_account(s, link, 1)
    retry = failed and (s.pol[link].retry_on & bit) != 0 and s.calls[k].attempt < s.pol[link].max_attempts
    retry = retry and s.now_ns < _ns(s.calls[k].deadline)   # calls: the deadline covers every attempt
    if retry and not _budget_allows(s, link):
        retry = 0
        _count_l(s, link, ML_THROTTLED, 1.0)
        if not s.l_bud_flag[link]:
            s.l_bud_flag[link] = 1
            _log(s, LG_BUDGET_EXHAUSTED, s.lh[link].src, link, -1, -1, s.l_tokens[link] / 1000.0, 0)
    if retry:
        wait = _backoff(s, k)
        _count_l(s, link, ML_RETRIES, 1.0)
        _count_c(s, <int>s.lh[link].src, MC_RETRIES, 1.0)
        if not s.calls[k].retrying:
            s.calls[k].retrying = 1
            s.l_active_retries[link] += 1
        _push(s, s.now + wait, EV_RETRY, k, gen, 0, 0, 0)
        return
    if failed and s.pol[link].max_attempts > 1 and s.calls[k].attempt >= s.pol[link].max_attempts:
        _count_l(s, link, ML_EXHAUSTED, 1.0)
        s.l_exh_b[link] += 1
    if failed and (s.pol[link].fallback_on & bit) != 0 and s.calls[k].parent < 0:   # calls: not per copy
        s.calls[k].state = CS_FALLBACK
        _push(s, s.now + _draw(s, <int>s.pol[link].fallback_latency, &s.ch[s.lh[link].src].rng),
                   EV_FALLBACK_DONE, k, gen, 0, 0, 0)
        return
    _finish_call(s, k, outcome)


cdef inline void _plain_attempt_done(Sim* s, int k, int outcome) noexcept nogil:
    """_attempt_done over a link no policy wraps (_plain_link): no permit to give back,
    nothing to record, and no retry or fallback to start."""
    s.calls[k].state = CS_BACKOFF
    s.calls[k].inst = -1
    _finish_call(s, k, outcome)


cdef void _finish_call(Sim* s, int k, int outcome) noexcept nogil:
    cdef int link = s.calls[k].link
    cdef int j = s.calls[k].job, jgen = s.calls[k].job_gen
    cdef double took = s.now - s.calls[k].t_start
    if s.calls[k].parent >= 0:   # calls: a hedged copy answers its call, not the job
        _hedge_copy_done(s, k, outcome)
        return
    _count_answer_l(s, link, outcome, took)
    s.lh[link].active -= 1
    if s.calls[k].retrying:
        s.l_active_retries[link] -= 1
    _free_call(s, k)
    _child_done(s, j, jgen, outcome, link)


# ------------------------------------------------------------------ circuit breaker


# ------------------------------------------------------------------ faults
include "_fault_events.pxi"   # _on_fault, _on_oom, random failures, _crash, _restart
include "_flush.pxi"          # _flush_bucket, _finalize: a bucket's end and the run's
