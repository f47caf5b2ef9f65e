# Queue disciplines of an instance's queue: which waiting request a free worker takes, and
# which one CoDel drops. The queue is a singly linked list taken at its head, so FIFO
# appends at the tail and LIFO pushes at the head; the rules are in the README ("How the
# engine models a system").
from libc.math cimport sqrt
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._eventlog cimport _log
from engine._metrics cimport _count_c
from engine._clock cimport _ns


cdef inline void _enqueue(Sim* s, int inst, int j) noexcept nogil:
    """Put job ``j`` in its instance's queue, where its component's discipline says."""
    cdef int c = s.jobs[j].comp
    cdef int64_t d = s.comps[c].discipline
    cdef bint at_head = d == QD_LIFO
    s.jobs[j].next_q = -1
    if d == QD_ADAPTIVE_LIFO:
        if s.ih[inst].qlen == 0:
            s.i_q_since[inst] = s.now
        elif not s.i_lifo[inst] and _ns(s.now - s.i_q_since[inst]) > _ns(s.comps[c].lifo_after):
            # the queue has stood longer than the threshold: fresh requests go first from now on
            s.i_lifo[inst] = 1
            s.c_lifo_b[c] += 1
            s.c_guard[c] = 1
            if not s.c_lifo_flag[c]:
                s.c_lifo_flag[c] = 1
                _log(s, LG_LIFO_BEGAN, c, -1, -1, inst, s.now - s.i_q_since[inst], s.ih[inst].qlen)
        at_head = s.i_lifo[inst]
    if at_head and s.ih[inst].qhead >= 0:
        s.jobs[j].next_q = s.ih[inst].qhead
        s.ih[inst].qhead = j
        return
    if s.ih[inst].qtail >= 0:
        s.jobs[s.ih[inst].qtail].next_q = j
    else:
        s.ih[inst].qhead = j
    s.ih[inst].qtail = j


cdef inline void _queue_emptied(Sim* s, int inst) noexcept nogil:
    """The instance's queue has emptied: adaptive LIFO goes back to FIFO."""
    cdef int c
    if s.i_lifo[inst]:
        c = <int>s.ih[inst].comp
        s.i_lifo[inst] = 0
        s.c_lifo_b[c] -= 1


cdef inline void _queue_lost(Sim* s, int inst) noexcept nogil:
    """The instance crashed with its queue: its discipline starts afresh."""
    _queue_emptied(s, inst)
    s.i_cd_first_above[inst] = 0.0
    s.i_cd_dropping[inst] = 0
    s.i_cd_count[inst] = 0


cdef inline bint _codel_drops(Sim* s, int inst, double sojourn) noexcept nogil:
    """Whether CoDel drops the request just taken from the head of the queue after ``sojourn``
    seconds in it (Nichols & Jacobson 2012, its dequeue routine with requests for packets).

    i_cd_dropping is 0 outside the dropping state, 1 in it, 2 in it right after a drop, when
    the next drop time is still to be advanced by the control law (the reference code
    advances it only when the next request taken may also be dropped).
    """
    cdef int c = <int>s.ih[inst].comp
    cdef double target = s.comps[c].codel_target, interval = s.comps[c].codel_interval
    cdef bint ok_to_drop = 0
    if sojourn < target or s.ih[inst].qlen == 0:
        # below target, or nothing left behind it (the reference's "at most one packet queued")
        s.i_cd_first_above[inst] = 0.0
    elif s.i_cd_first_above[inst] == 0.0:
        s.i_cd_first_above[inst] = s.now + interval
    elif s.now_ns >= _ns(s.i_cd_first_above[inst]):
        ok_to_drop = 1
    if s.i_cd_dropping[inst]:
        if not ok_to_drop:
            s.i_cd_dropping[inst] = 0
            return 0
        if s.i_cd_dropping[inst] == 2:
            s.i_cd_drop_next[inst] += interval / sqrt(<double>s.i_cd_count[inst])
            s.i_cd_dropping[inst] = 1
        if s.now_ns >= _ns(s.i_cd_drop_next[inst]):
            s.i_cd_count[inst] += 1
            s.i_cd_dropping[inst] = 2
            return 1
        return 0
    if not ok_to_drop:
        return 0
    # enter the dropping state; resume near the last drop rate if it was left only lately
    if s.i_cd_count[inst] > 2 and s.now - s.i_cd_drop_next[inst] < 16 * interval:
        s.i_cd_count[inst] -= 2
    else:
        s.i_cd_count[inst] = 1
    s.i_cd_drop_next[inst] = s.now + interval / sqrt(<double>s.i_cd_count[inst])
    s.i_cd_dropping[inst] = 1
    return 1


cdef inline void _codel_count_drop(Sim* s, int j) noexcept nogil:
    """Account a request CoDel drops as load shed (its caller is answered ``rejected``)."""
    cdef int c = s.jobs[j].comp
    _count_c(s, c, MC_SHED_REJ, 1.0)
    s.c_codel_b[c] += 1
    s.c_guard[c] = 1
    if not s.c_codel_flag[c]:
        s.c_codel_flag[c] = 1
        _log(s, LG_CODEL_BEGAN, c, -1, -1, s.jobs[j].inst, s.now - s.job_times[j].t_service,
             s.ih[s.jobs[j].inst].qlen)


cdef inline void _discipline_bucket_end(Sim* s, int c) noexcept nogil:
    """Edge-triggered log entries, as for load shedding: ended after a bucket without drops,
    or with none of the component's instances serving LIFO."""
    if s.c_codel_flag[c] and s.c_codel_b[c] == 0:
        s.c_codel_flag[c] = 0
        _log(s, LG_CODEL_ENDED, c, -1, -1, -1, 0, 0)
    s.c_codel_b[c] = 0
    if s.c_lifo_flag[c] and s.c_lifo_b[c] == 0:
        s.c_lifo_flag[c] = 0
        _log(s, LG_LIFO_ENDED, c, -1, -1, -1, 0, 0)
