# Circuit breakers (Resilience4j semantics): count- and time-based windows, the CLOSED / OPEN /
# HALF_OPEN transitions and their timers.
from libc.stdint cimport int64_t
from libc.math cimport floor

from engine._codes cimport *
from engine._state cimport Sim
from engine._eventlog cimport _log
from engine._heap cimport _push
from engine._clock cimport _ns, NS_PER_S


cdef inline void _cb_touch(Sim* s, int l) noexcept nogil:
    if s.cb_state[l] == CB_OPEN:
        s.cb_open_area[l] += s.now - s.cb_last_t[l]
    s.cb_last_t[l] = s.now


cdef inline void _cb_reset_ring(Sim* s, int l, int64_t size) noexcept nogil:
    s.cb_ring_size[l] = size
    s.cb_ring_pos[l] = 0
    s.cb_ring_n[l] = 0
    s.cb_tot[l] = 0
    s.cb_fail[l] = 0
    s.cb_slow[l] = 0


cdef inline void _cb_reset_time_window(Sim* s, int l) noexcept nogil:
    cdef int64_t off = s.cb_tb_off[l], k
    for k in range(s.pol[l].sliding_window_size):
        s.cb_tb_sec[off + k] = -1
        s.cb_tb_tot[off + k] = 0
        s.cb_tb_fail[off + k] = 0
        s.cb_tb_slow[off + k] = 0
    s.cb_tot[l] = 0
    s.cb_fail[l] = 0
    s.cb_slow[l] = 0
    s.cb_last_sec[l] = -1


cdef inline bint _cb_time_window(Sim* s, int l) noexcept nogil:
    return s.pol[l].sliding_window_type and not s.cb_half_window[l]


cdef inline void _cb_add(Sim* s, int l, bint failed, bint slow) noexcept nogil:
    cdef int64_t pos, off, first, sec, n, k, slot
    cdef unsigned char old
    if _cb_time_window(s, l):
        # whole epoch seconds; data of second s counts until the clock reaches s + N
        n = s.pol[l].sliding_window_size
        off = s.cb_tb_off[l]
        sec = s.now_ns // NS_PER_S
        if sec > s.cb_last_sec[l]:
            first = s.cb_last_sec[l] + 1 if s.cb_last_sec[l] >= 0 else sec
            if sec - first >= n:
                first = sec - n + 1
            for k in range(first, sec + 1):
                slot = off + (k % n)
                s.cb_tot[l] -= s.cb_tb_tot[slot]
                s.cb_fail[l] -= s.cb_tb_fail[slot]
                s.cb_slow[l] -= s.cb_tb_slow[slot]
                s.cb_tb_tot[slot] = 0
                s.cb_tb_fail[slot] = 0
                s.cb_tb_slow[slot] = 0
                s.cb_tb_sec[slot] = k
            if s.cb_last_sec[l] >= 0 and sec - s.cb_last_sec[l] >= n:
                # every slot is stale: clear the ones the loop above did not reach
                for k in range(n):
                    slot = off + k
                    if s.cb_tb_sec[slot] <= sec - n:
                        s.cb_tot[l] -= s.cb_tb_tot[slot]
                        s.cb_fail[l] -= s.cb_tb_fail[slot]
                        s.cb_slow[l] -= s.cb_tb_slow[slot]
                        s.cb_tb_tot[slot] = 0
                        s.cb_tb_fail[slot] = 0
                        s.cb_tb_slow[slot] = 0
            s.cb_last_sec[l] = sec
        slot = off + (sec % n)
        s.cb_tb_tot[slot] += 1
        s.cb_tb_fail[slot] += failed
        s.cb_tb_slow[slot] += slow
        s.cb_tot[l] += 1
        s.cb_fail[l] += failed
        s.cb_slow[l] += slow
        return
    pos = s.cb_ring_off[l] + s.cb_ring_pos[l]
    if s.cb_ring_n[l] == s.cb_ring_size[l]:
        old = s.cb_ring[pos]
        s.cb_tot[l] -= 1
        s.cb_fail[l] -= old & 1
        s.cb_slow[l] -= (old >> 1) & 1
    else:
        s.cb_ring_n[l] += 1
    s.cb_ring[pos] = <unsigned char>((1 if failed else 0) | (2 if slow else 0))
    s.cb_tot[l] += 1
    s.cb_fail[l] += failed
    s.cb_slow[l] += slow
    s.cb_ring_pos[l] = (s.cb_ring_pos[l] + 1) % s.cb_ring_size[l]


cdef inline double _cb_rate(Sim* s, int l, int which) noexcept nogil:
    """Failure (0) or slow-call (1) rate in percent, or -1 below the minimum number of calls."""
    cdef int64_t minimum = s.pol[l].minimum_number_of_calls
    cdef int64_t tot = s.cb_tot[l]
    if s.cb_half_window[l]:
        if s.pol[l].permitted_number_of_calls_in_half_open_state < minimum:
            minimum = s.pol[l].permitted_number_of_calls_in_half_open_state
    elif not s.pol[l].sliding_window_type and s.pol[l].sliding_window_size < minimum:
        minimum = s.pol[l].sliding_window_size
    if tot == 0 or tot < minimum:
        return -1.0
    if which == RATE_FAILURE:
        return s.cb_fail[l] * 100.0 / tot
    return s.cb_slow[l] * 100.0 / tot


cdef inline bint _cb_acquire(Sim* s, int l) noexcept nogil:
    if s.cb_state[l] == CB_CLOSED:
        return 1
    if s.cb_state[l] == CB_OPEN:
        # strictly after the wait, as Instant.isAfter: compared in whole nanoseconds
        if s.now_ns > _ns(s.cb_opened_at[l]) + _ns(s.cb_open_wait[l]):
            _cb_to_half(s, l)
        else:
            return 0
    if s.cb_permits[l] > 0:
        s.cb_permits[l] -= 1
        return 1
    return 0


cdef inline void _cb_record(Sim* s, int l, int outcome, double duration) noexcept nogil:
    cdef bint failed = ((s.pol[l].record_outcomes >> outcome) & 1) != 0
    cdef bint slow = duration > s.pol[l].slow_call_duration_threshold
    cdef double fr, sr
    cdef bint above
    _cb_add(s, l, failed, slow)
    if s.cb_state[l] == CB_OPEN:
        return   # recorded into the carried-over window, never a transition
    fr = _cb_rate(s, l, RATE_FAILURE)
    sr = _cb_rate(s, l, RATE_SLOW)
    if fr < 0 or sr < 0:
        return
    above = fr >= s.pol[l].failure_rate_threshold or sr >= s.pol[l].slow_call_rate_threshold
    if above:
        _cb_to_open(s, l, fr, sr)
    elif s.cb_state[l] == CB_HALF_OPEN:
        _cb_to_closed(s, l, fr, sr)


cdef inline void _cb_to_open(Sim* s, int l, double fr, double sr) noexcept nogil:
    _cb_touch(s, l)
    _log(s, LG_BREAKER_OPENED, s.lh[l].src, l, -1, s.cb_state[l], fr, sr)
    s.cb_state[l] = CB_OPEN
    s.cb_attempts[l] += 1
    s.cb_opened_at[l] = s.now
    s.cb_open_wait[l] = _cb_wait(s, l, s.cb_attempts[l])
    s.cb_epoch[l] += 1
    if s.pol[l].automatic_transition_from_open_to_half_open_enabled:
        _push(s, s.now + s.cb_open_wait[l], EV_CB_TIMER, l, <int>s.cb_epoch[l], CBT_OPEN_WAIT, 0, 0)


cdef inline double _cb_wait(Sim* s, int l, int64_t attempt) noexcept nogil:
    """Wait of the attempt-th consecutive opening: IntervalFunction.ofExponentialBackoff,
    which truncates to whole milliseconds at every step."""
    cdef double ms = s.pol[l].wait_duration_in_open_state * 1000.0
    cdef int64_t k
    if s.pol[l].wait_duration_multiplier == 1.0:
        return s.pol[l].wait_duration_in_open_state
    for k in range(1, attempt):
        ms = floor(ms * s.pol[l].wait_duration_multiplier)
    return ms / 1000.0


cdef inline void _cb_to_half(Sim* s, int l) noexcept nogil:
    _cb_touch(s, l)
    _log(s, LG_BREAKER_HALF_OPEN, s.lh[l].src, l, -1, s.cb_state[l], 0, 0)
    s.cb_state[l] = CB_HALF_OPEN
    s.cb_permits[l] = s.pol[l].permitted_number_of_calls_in_half_open_state
    s.cb_half_window[l] = 1
    _cb_reset_ring(s, l, s.pol[l].permitted_number_of_calls_in_half_open_state)
    s.cb_epoch[l] += 1
    if s.pol[l].max_wait_duration_in_half_open_state > 0:
        _push(s, s.now + s.pol[l].max_wait_duration_in_half_open_state, EV_CB_TIMER, l, <int>s.cb_epoch[l], CBT_HALF_OPEN_WAIT, 0, 0)


cdef inline void _cb_to_closed(Sim* s, int l, double fr, double sr) noexcept nogil:
    _cb_touch(s, l)
    _log(s, LG_BREAKER_CLOSED, s.lh[l].src, l, -1, s.cb_state[l], fr, sr)
    s.cb_state[l] = CB_CLOSED
    s.cb_attempts[l] = 0
    s.cb_half_window[l] = 0
    s.cb_epoch[l] += 1
    if s.pol[l].sliding_window_type:
        _cb_reset_time_window(s, l)
    else:
        _cb_reset_ring(s, l, s.pol[l].sliding_window_size)


cdef inline void _on_cb_timer(Sim* s, int l, int epoch, int which) noexcept nogil:
    if s.cb_epoch[l] != epoch:
        return
    if which == CBT_OPEN_WAIT and s.cb_state[l] == CB_OPEN:
        _cb_to_half(s, l)
    elif which == CBT_HALF_OPEN_WAIT and s.cb_state[l] == CB_HALF_OPEN:
        _cb_to_open(s, l, _cb_rate(s, l, RATE_FAILURE), _cb_rate(s, l, RATE_SLOW))
