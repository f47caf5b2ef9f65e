# Fault starts and ends, and the crashes, hangs, OOM kills and restarts they bring about:
# included into engine/_loop.pyx, whose steps they call (failing the work an instance held,
# draining queues) and whose dispatch calls them. The kinds' rules live in engine/_faults.pxd.
cdef void _on_fault(Sim* s, int action) noexcept nogil:
    cdef int f = <int>s.actions[action].fault
    cdef bint start = s.actions[action].action == FA_START
    cdef int kind = <int>s.faults[f].kind, c = <int>s.faults[f].comp, l = <int>s.faults[f].link
    cdef int64_t k, inst
    _log(s, LG_FAULT_STARTED if start else LG_FAULT_ENDED, c, l, f, -1, 0, 0)
    s.f_active[f] = 1 if start else 0
    _count_link_fault(s, f, 1 if start else -1)
    if kind == F_CRASH or kind == F_ZONE_OUTAGE:
        for k in range(s.faults[f].inst_count):
            inst = s.f_instances[s.faults[f].inst_first + k]
            if start:
                _crash(s, <int>inst, <int>s.faults[f].down_mode, f)
            else:
                _push(s, s.now + s.faults[f].restart_delay, EV_RESTART, <int>inst, <int>s.faults[f].down_mode, f, 0, 0)
        return
    if kind == F_RANDOM_FAILURES:
        s.f_epoch[f] += 1
        if start:
            for k in range(s.faults[f].inst_count):
                inst = s.f_instances[s.faults[f].inst_first + k]
                _push(s, s.now + _expo(s, &s.rng[s.n_l + f], s.faults[f].mtbf),
                           EV_RANDOM_FAIL, <int>inst, f, <int>s.f_epoch[f], 0, 0)
        return
    if l >= 0:
        _recompute_link_faults(s, l)
        return
    _recompute_component_faults(s, c)
    if kind == F_EXHAUSTION and s.faults[f].resource == R_MEMORY_LEAK:
        for k in range(s.comps[c].instances):
            inst = s.comps[c].inst_offset + k
            s.i_leak_epoch[inst] += 1
            if start:
                s.i_up_since[inst] = s.now
                _schedule_oom(s, <int>inst)
    if kind == F_EXHAUSTION and s.faults[f].resource == R_POOL and not start:
        for k in range(s.comps[c].instances):
            _dispatch_queue(s, <int>(s.comps[c].inst_offset + k), 0)


cdef void _on_oom(Sim* s, int inst, int epoch, int f) noexcept nogil:
    if s.i_leak_epoch[inst] != epoch or s.ch[s.ih[inst].comp].leak_fault != f:
        return
    if s.ih[inst].down > 0:
        return
    _log(s, LG_OOM_KILLED, <int>s.ih[inst].comp, -1, f, inst, 0, 0)
    _crash(s, inst, M_REFUSE, f)
    _push(s, s.now + s.faults[f].restart_delay, EV_RESTART, inst, M_REFUSE, f, 0, 0)


cdef void _on_random_fail(Sim* s, int inst, int f, int epoch) noexcept nogil:
    if s.f_epoch[f] != epoch or not s.f_active[f]:
        return
    _crash(s, inst, M_REFUSE, f)
    _push(s, s.now + _expo(s, &s.rng[s.n_l + f], s.faults[f].mttr),
               EV_RANDOM_REPAIR, inst, f, epoch, 0, 0)


cdef void _on_random_repair(Sim* s, int inst, int f, int epoch) noexcept nogil:
    _restart(s, inst, M_REFUSE)
    if s.f_epoch[f] == epoch and s.f_active[f]:
        _push(s, s.now + _expo(s, &s.rng[s.n_l + f], s.faults[f].mtbf),
                   EV_RANDOM_FAIL, inst, f, epoch, 0, 0)


cdef void _crash(Sim* s, int inst, int hang, int f) noexcept nogil:
    """Take an instance down; the work on it is lost and, unless it hangs, its callers hear so."""
    cdef int c = <int>s.ih[inst].comp
    cdef bint was_up = s.ih[inst].down == 0
    cdef int j, n
    s.ih[inst].down += 1
    if hang:
        s.i_hung[inst] += 1
    else:
        s.refusing += 1
        _lb_note(s, inst)
    if not was_up:
        return
    _log(s, LG_INSTANCE_CRASHED, c, -1, f, inst, hang, 0)
    _touch(s, c)
    s.ch[c].up -= 1
    s.i_leak_epoch[inst] += 1
    # Detach the instance's workers and queue first, so completing lost jobs
    # cannot hand the queue to a worker of a dead instance.
    s.ch[c].busy -= s.ih[inst].busy
    s.ch[c].qlen -= s.ih[inst].qlen
    s.ih[inst].busy = 0
    s.ih[inst].qlen = 0
    s.ih[inst].qhead = -1
    s.ih[inst].qtail = -1
    _queue_lost(s, inst)
    n = s.job_n
    for j in range(n):
        if s.jobs[j].state != JS_FREE and s.jobs[j].inst == inst and s.jobs[j].comp == c:
            s.jobs[j].holds_worker = 0
            if hang:
                s.jobs[j].cancelled = 1
            _count_c(s, c, MC_LOST, 1.0)
            _complete_job(s, j, O_UNAVAILABLE)


cdef void _restart(Sim* s, int inst, int hang) noexcept nogil:
    cdef int c = <int>s.ih[inst].comp
    if hang:
        if s.i_hung[inst] > 0:
            s.i_hung[inst] -= 1
            s.ih[inst].down -= 1
    elif _refuses(s, inst):
        s.ih[inst].down -= 1
        s.refusing -= 1
        _lb_note(s, inst)
    if s.ih[inst].down > 0:
        return
    _log(s, LG_INSTANCE_RESTARTED, c, -1, -1, inst, 0, 0)
    _instance_up(s, inst)

