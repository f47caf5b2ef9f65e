# The fused steps of a request between a plain client and a plain service (`c_plain`,
# _plain_client and _plain_service in engine/_loop.pxd), one function an event: the
# client's arrival with its call; the call's arrival at the service with its admission and
# start; the service's end with its answer, the worker's release and the next queued job's
# start; the answer at the client with the request's end. Each is the loop's whole steps
# (_on_arrival to _send; _on_call_arrive, _admit, _start_service; _on_service_done,
# _complete_job, _send_response, _release_worker, _dispatch_queue, _start_service;
# _on_response to _complete_job) with the tests a plain component makes
# false left out, and every test that hangs on the run's state (a fault, a deadline, a
# cancelled call, a queue) kept, or handed to the whole step where it begins. They push the
# same events in the same order and draw the same numbers, so a run is bit for bit the
# same; what they save is a dozen calls a request and their tests. The events they push
# for one another are of their own types (EV_PLAIN_*), so the dispatch calls them without
# looking the component up. Included into engine/_loop.pyx, whose steps they call.

cdef extern from *:
    """
    /* Where the compiler inlines, which it decides by sizes. Each fused step is kept out of
       line (inlined into the dispatch, they made it too large to be inlined into the loop:
       it now always is, with the whole step of a call's arrival, as before them) and has
       every call it makes inlined into it (flatten), the queue's turns included, but for
       the whole steps it hands uncommon turns to, which stay calls. Attributes on the
       helpers themselves would change the whole steps' code too, and did: three-tier paid
       7 % more instructions. These name the functions as Cython writes them into
       engine/_loop.c (tests/engine/test_fused_steps.py checks that they are there). */
    #if defined(_MSC_VER)
    #define FAULTLINE_FUSED __declspec(noinline)
    #define FAULTLINE_ALWAYS_INLINE __forceinline
    #else
    #define FAULTLINE_FUSED __attribute__((noinline, flatten))
    #define FAULTLINE_ALWAYS_INLINE inline __attribute__((always_inline))
    #endif
    struct __pyx_t_6engine_6_state_Sim;
    struct __pyx_t_6engine_8_structs_Event;
    static FAULTLINE_FUSED void __pyx_f_6engine_5_loop__plain_call_arrive(struct __pyx_t_6engine_6_state_Sim *, int, int, int, int, int, int);
    static FAULTLINE_FUSED void __pyx_f_6engine_5_loop__plain_service_done(struct __pyx_t_6engine_6_state_Sim *, int, int);
    static FAULTLINE_FUSED void __pyx_f_6engine_5_loop__plain_arrival(struct __pyx_t_6engine_6_state_Sim *, int, int64_t);
    static FAULTLINE_FUSED void __pyx_f_6engine_5_loop__plain_answer(struct __pyx_t_6engine_6_state_Sim *, int, int, int, int);
    static FAULTLINE_ALWAYS_INLINE void __pyx_f_6engine_5_loop__dispatch(struct __pyx_t_6engine_6_state_Sim *, struct __pyx_t_6engine_8_structs_Event *, int64_t);
    static FAULTLINE_ALWAYS_INLINE void __pyx_f_6engine_5_loop__on_call_arrive(struct __pyx_t_6engine_6_state_Sim *, int, int, int, int, int);
    static FAULTLINE_NOINLINE double __pyx_f_6engine_5_loop__next_arrival(struct __pyx_t_6engine_6_state_Sim *, int, double, int);
    static FAULTLINE_NOINLINE void __pyx_f_6engine_5_loop__drop_late(struct __pyx_t_6engine_6_state_Sim *, int);
    static FAULTLINE_NOINLINE void __pyx_f_6engine_5_loop__complete_job(struct __pyx_t_6engine_6_state_Sim *, int, int);
    /* _send, out of line too, but flattened: left to itself the compiler called the event
       queue's push from it out of line, 7 instructions a call more */
    static FAULTLINE_FUSED void __pyx_f_6engine_5_loop__send(struct __pyx_t_6engine_6_state_Sim *, int);
    static FAULTLINE_NOINLINE void __pyx_f_6engine_5_loop__send_response(struct __pyx_t_6engine_6_state_Sim *, int, int, int, int, int);
    """


cdef inline bint _hop_now(Sim* s) noexcept nogil:
    """Whether the event a fused step put at the head of the line (a zero-delay hop: the call's
    arrival at a plain service, the answer at a plain client), reserved by _push_head while the
    line was empty and left unwritten, is the loop's very next one; if so it is taken off the
    line, counted and tested as the loop counts and tests an event of the same instant, and
    the step runs it at once. The step asks only after its last push, where the loop would
    pop: the head of the line pops next unless an event of the heap or a ring is due now (an
    edge, or one pushed before this instant), and nothing else is between them, so the order
    of events is the queue's, the sequence numbers are the same, and so is every result. A hop
    that waits has its body written in the line after all."""
    cdef int source
    if s.stops.any != 0 or s.ev_left <= 0 or _peek(s, &source) <= s.now_ns:
        return 0
    s.now_head = (s.now_head + 1) & (s.heap_cap - 1)
    s.now_n -= 1
    s.ev_left -= 1
    _count_stalled(s, s.stall_cap)
    return 1


cdef void _plain_call_arrive(Sim* s, int k, int gen, int seq, int link, int inst, bint plain_call) noexcept nogil:
    """_on_call_arrive at a plain service: ``inst`` is one of its instances (_send picked it).
    ``plain_call``: the call is over a plain link (LinkHot.plain) with no deadline, as the
    event's type tells (EV_PLAIN_CALL_ARRIVE): nothing can end it before its answer (no
    timeout, deadline or hedge), so it is still current, the request inherits no deadline
    and nothing will cancel it. Its service is then found from the instance, and neither
    the link's line nor the call's is read: at a thousand components each was a cold line."""
    cdef int c = <int>s.ih[inst].comp
    cdef int j
    cdef bint current = plain_call or (s.calls[k].gen == gen and s.calls[k].seq == seq
                                       and s.calls[k].state == CS_IN_FLIGHT)
    cdef bint waits
    cdef double deadline = INFINITY
    if not current and s.pol[link].cancel_on_timeout:
        return
    j = _new_untimed_job(s)
    if j < 0:
        return
    s.jobs[j].comp = c
    s.jobs[j].inst = inst
    s.jobs[j].reply_call = k
    s.jobs[j].reply_gen = gen
    s.jobs[j].reply_seq = seq
    s.jobs[j].reply_link = link
    # Its arrival is counted in its row, or, if a worker takes it at once, with that start in
    # its hot record (CompHot.started_at_once): the row is then not written at all.
    s.c_active[c] = 1
    _touch_counted(s, c)
    s.ch[c].inflight += 1
    s.ih[inst].jobs += 1
    _lb_note(s, inst)
    if current and not plain_call:   # only a deadline, a timeout or a hedge cancels the callee's job
        s.calls[k].callee_job = j
        s.calls[k].callee_gen = s.jobs[j].gen
    s.jobs[j].state = JS_QUEUED
    if not plain_call:
        deadline = _arrival_deadline(s, k, gen, link)   # _arrives_late
    waits = s.ih[inst].qlen > 0 or s.ih[inst].busy >= _worker_cap(s, inst)
    # Its times, as _new_job and _arrives_late set them, unless nothing will read them: a
    # plain call's job (no deadline, nothing to cancel it) that a worker takes now. (A
    # refusal below reads none.)
    if not plain_call or waits:
        s.job_times[j].deadline = deadline
        s.job_times[j].t_service = s.now
        if _expired(s, j):
            _count_c(s, c, MC_ARRIVALS, 1.0)
            _drop_late(s, j)
            return
    if _refused_on_arrival(s, j, c, inst):
        _count_c(s, c, MC_ARRIVALS, 1.0)
        return
    if waits:
        _count_c(s, c, MC_ARRIVALS, 1.0)
        _admit(s, j, 1)   # to the queue, or refused there
        return
    # _start_service: it waited for no time (a wait of exactly 0.0 counts nothing)
    s.ih[inst].busy += 1
    s.ch[c].busy += 1
    s.jobs[j].holds_worker = 1
    s.ch[c].started_at_once += 1   # its arrival and its start (_settle_counts_c)
    s.jobs[j].state = JS_SERVICE
    _plain_work(s, j, c, inst)


cdef inline void _plain_work(Sim* s, int j, int c, int inst) noexcept nogil:
    """The end of job ``j``'s work at plain service ``c``, drawn and pushed as _start_service
    draws and pushes it."""
    cdef double factor = s.ch[c].cpu
    cdef int f = <int>s.ch[c].leak_fault
    if f >= 0:
        factor *= 1.0 + s.faults[f].leak_rate * (s.now - s.i_up_since[inst])
    _push(s, s.now + _draw(s, <int>s.ch[c].dist, &s.ch[c].rng) * factor, EV_PLAIN_SERVICE_DONE, j, s.jobs[j].gen, 0, 0, 0)


cdef void _plain_service_done(Sim* s, int j, int gen) noexcept nogil:
    """_on_service_done at a plain service, which calls no one: the job answers its caller.
    While no link is faulted, the answer's ring, distribution and type come from the link's
    16 bits in l_reply, not its line: at a thousand components one more cold line a call."""
    cdef int c, inst, reply, link, rgen = 0, rseq = 0
    cdef unsigned int r
    cdef double lat
    cdef int64_t t
    cdef bint hop = 0
    if s.jobs[j].gen != gen or s.jobs[j].state != JS_SERVICE:
        return
    if s.jobs[j].cancelled:
        _drop_late(s, j)
        return
    c = s.jobs[j].comp
    # _complete_job(j, O_OK) of a job that held a worker and made no call
    _record_done(s, c, O_OK, s.now - s.jobs[j].t_arrive, 1)
    _touch_counted(s, c)
    inst = s.jobs[j].inst
    reply = s.jobs[j].reply_call
    link = s.jobs[j].reply_link
    s.ch[c].inflight -= 1
    s.ih[inst].jobs -= 1
    _lb_note(s, inst)
    r = s.l_reply[link]
    if s.links_faulted == 0 and r != REPLY_NONE:
        lat = _draw(s, <int>(r & ((1 << REPLY_DIST_BITS) - 1)), &s.rng[link])
        t = _ns_after(s.now_ns, s.now, lat)
        rgen = s.jobs[j].reply_gen
        rseq = s.jobs[j].reply_seq
        if r >> REPLY_PLAIN_SHIFT and t == s.now_ns and s.now_n == 0:
            # the line's head, written only if the hop waits (_hop_now)
            hop = _push_head(s)
        else:
            _push_at(s, t, 0, <int>((r >> REPLY_LANE_SHIFT) & 7) - 1,
                     EV_PLAIN_ANSWER if r >> REPLY_PLAIN_SHIFT else EV_RESPONSE, reply, rgen, rseq, link, O_OK)
    elif s.lh[link].faulted:
        _send_response(s, reply, s.jobs[j].reply_gen, s.jobs[j].reply_seq, link, O_OK)
    else:
        lat = _draw(s, <int>s.lh[link].dist, &s.rng[link])
        _push_at(s, _ns_after(s.now_ns, s.now, lat), 0, <int>s.lh[link].lane,
                 EV_PLAIN_ANSWER if s.lh[link].src_plain else EV_RESPONSE, reply, s.jobs[j].reply_gen,
                   s.jobs[j].reply_seq, link, O_OK)
    _free_job(s, j)
    # _release_worker(inst, 1)
    s.ih[inst].busy -= 1
    s.ch[c].busy -= 1
    if s.ih[inst].qlen > 0:
        _plain_dispatch_queue(s, inst, c)
    if hop:
        if _hop_now(s):
            _plain_answer(s, reply, rgen, rseq, O_OK)
        else:
            _fill(&s.now_q[s.now_head], EV_PLAIN_ANSWER, reply, rgen, rseq, link, O_OK)


cdef inline void _plain_dispatch_queue(Sim* s, int inst, int c) noexcept nogil:
    """_dispatch_queue(inst, 1) at plain service ``c``, whose jobs draw no cache hit, each
    started as _start_service starts it, its end pushed as the fused step's."""
    cdef int j
    cdef bint touched = 1
    while s.ih[inst].qlen > 0 and s.ih[inst].busy < _worker_cap(s, inst):
        j = _next_queued(s, inst, c, touched)
        touched = 0
        if j >= 0:
            _take_worker(s, j, c, inst)
            _plain_work(s, j, c, inst)


cdef void _plain_arrival(Sim* s, int c, int64_t end_ns) noexcept nogil:
    """_on_arrival at a plain client: the request's one call goes out as _start_root,
    _begin_calls, _next_sequential, _issue_call, _start_plain_attempt and _send make it."""
    cdef int j = _new_job(s), k, link, inst, dst, gen = 0, seq = 0
    cdef bint hop = 0
    cdef int64_t t
    cdef double lat
    cdef double* counts
    if j >= 0:
        s.jobs[j].comp = c
        # _count_c and _count_c_pair's flag and row once: the stores between them may alias
        # both, so each reloaded what the other had computed
        counts = &s.mc_row[c * ROW_W]
        s.c_active[c] = 1
        _count_in(counts, MC_SLOT[MC_ARRIVALS], 1.0)
        _touch_client(s, c)
        s.ch[c].inflight += 1
        s.jobs[j].state = JS_WAITING
        link = s.out_links[s.comps[c].out_offset]
        s.jobs[j].rep = 1
        s.jobs[j].pending = 1
        # a new request's deadline is infinite: _issue_call's test of it passes
        k = _new_plain_call(s)
        if k >= 0:
            s.calls[k].job = j
            s.calls[k].job_gen = s.jobs[j].gen
            s.calls[k].link = link
            s.lh[link].active += 1
            _count_sent_plain(s, link)
            _count_in(counts, MC_SLOT[MC_CALLS], 1.0)
            _count_in(counts, MC_SLOT[MC_ATTEMPTS], 1.0)
            s.calls[k].deadline = INFINITY
            _begin_plain_attempt(s, k)
            if s.lh[link].faulted:
                _send(s, k)
            else:
                lat = _draw(s, <int>s.lh[link].dist, &s.rng[link])
                dst = <int>s.lh[link].dst
                if s.comps[dst].instances == 1:
                    # _pick_in's round robin over one instance, without its division (rr % 1)
                    s.lh[link].rr += 1
                    inst = <int>s.comps[dst].inst_offset
                    if _shunned(s, link, inst):
                        inst = -1
                else:
                    inst = _pick_in(s, link)
                if inst < 0:
                    _push_at(s, _ns_after(s.now_ns, s.now, lat), 0, <int>s.lh[link].lane, EV_PLAIN_ANSWER, k, s.calls[k].gen,
                               s.calls[k].seq, link, O_UNAVAILABLE)
                else:
                    s.calls[k].inst = inst
                    t = _ns_after(s.now_ns, s.now, lat)
                    if t == s.now_ns and s.now_n == 0 and s.lh[link].dst_plain:
                        # the line's head, written only if the hop waits (_hop_now)
                        if _push_head(s):
                            hop = 1
                            gen = s.calls[k].gen
                            seq = s.calls[k].seq
                    else:
                        _push_at(s, t, 0, <int>s.lh[link].lane,
                                 EV_PLAIN_CALL_ARRIVE if s.lh[link].dst_plain else EV_CALL_ARRIVE, k, s.calls[k].gen,
                                 s.calls[k].seq, link, inst)
    # rounded once: what _push would round it to; a Poisson client at one rate drawn in place
    t = _ns(_next_poisson(s, c, s.now) if s.c_poisson_mean[c] > 0 else _next_arrival(s, c, s.now, 0))
    if t < end_ns:
        _push_ns(s, t, 0, EV_PLAIN_ARRIVAL, c, 0, 0, 0, 0)
    if hop:
        if _hop_now(s):
            _plain_call_arrive(s, k, gen, seq, link, inst, 1)
        else:
            _fill(&s.now_q[s.now_head], EV_PLAIN_CALL_ARRIVE, k, gen, seq, link, inst)


cdef void _plain_answer(Sim* s, int k, int gen, int seq, int outcome) noexcept nogil:
    """_on_response at a plain client: the call ends (_plain_attempt_done, _finish_call) and
    with it the request (_child_done, _next_sequential, _complete_job)."""
    cdef int link, j, jgen, c, user
    cdef double took
    if s.calls[k].gen != gen or s.calls[k].seq != seq or s.calls[k].state != CS_IN_FLIGHT:
        return   # an answer to an attempt the caller already gave up on
    link = s.calls[k].link
    j = s.calls[k].job
    jgen = s.calls[k].job_gen
    took = s.now - s.calls[k].t_start
    # an answer's usual outcome spelled as a constant, here and at the request's end: the
    # slots of its counts are then known when compiled, not looked up in their tables
    if outcome == O_OK:
        _count_answer_l(s, link, O_OK, took)
    else:
        _count_answer_l(s, link, outcome, took)
    s.lh[link].active -= 1
    s.calls[k].inst = -1
    _free_call(s, k)   # a plain call never retries: no retry to count off
    if s.jobs[j].gen != jgen or s.jobs[j].state != JS_WAITING:
        return
    c = s.jobs[j].comp
    if outcome == O_FALLBACK:
        s.jobs[j].degraded = 1
    elif outcome != O_OK:
        s.jobs[j].fail = outcome   # a client reports what its user saw
    s.jobs[j].pending -= 1
    if s.jobs[j].fail >= 0:
        outcome = s.jobs[j].fail
    elif s.jobs[j].pending == 0:
        outcome = O_FALLBACK if s.jobs[j].degraded else O_OK   # its one call was its last
    else:
        return
    if outcome == O_OK:
        _record_done(s, c, O_OK, s.now - s.jobs[j].t_arrive, 0)
    else:
        _record_done(s, c, outcome, s.now - s.jobs[j].t_arrive, 0)
    _touch_client(s, c)
    user = s.jobs[j].user
    s.ch[c].inflight -= 1
    _free_job(s, j)
    if user >= 0:
        _push(s, s.now + _draw(s, s.comps[c].think_dist, &s.ch[c].rng), EV_THINK_DONE, c, user, 0, 0, 0)
