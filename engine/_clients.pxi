# A client's side of a request: its arrival rate at a time (a piecewise-linear schedule), the
# next arrival's draw (thinned against the schedule's peak), and the root job an arrival starts. Included by _loop.pyx where the
# clients' section of the loop was (it shares the loop's module and imports).

cdef double _rate_at(Sim* s, int c, double t) noexcept nogil:
    """Piecewise-linear rate; the cursor only moves forward, as time does."""
    cdef int64_t off = s.comps[c].bp_offset, n = s.comps[c].bp_count
    cdef int64_t k = s.c_bp_cur[c]
    cdef double t0, t1
    while k + 1 < n and s.bp_t[off + k + 1] <= t:
        k += 1
    s.c_bp_cur[c] = k
    if k + 1 >= n:
        return s.bp_r[off + n - 1]
    t0 = s.bp_t[off + k]
    t1 = s.bp_t[off + k + 1]
    if t1 <= t0:
        return s.bp_r[off + k + 1]
    return s.bp_r[off + k] + (s.bp_r[off + k + 1] - s.bp_r[off + k]) * (t - t0) / (t1 - t0)


cdef double _next_arrival(Sim* s, int c, double t, bint first) noexcept nogil:
    cdef double lam = s.c_lam_max[c], rate
    cdef Rng* r = &s.ch[c].rng
    cdef int64_t off = s.comps[c].bp_offset, k
    if lam <= 0:
        return INFINITY
    if s.c_poisson_mean[c] > 0:
        return _next_poisson(s, c, t)
    if s.comps[c].arrival == AR_POISSON:
        # Poisson with a time-varying rate: thinning against the schedule's peak.
        while True:
            t += _expo(s, r, 1.0 / lam)
            if t >= s.duration:
                return t
            # a constant rate is its own peak: no schedule to look up
            if _constant_rate(s, c):
                rate = s.bp_r[off]
            else:
                rate = _rate_at(s, c, t)
            if _uniform(r) * lam <= rate:
                return t
    # evenly spaced at the current rate; skip ahead through zero-rate stretches
    while t < s.duration:
        rate = _rate_at(s, c, t)
        if rate > 0:
            if first:
                return t
            # snap to the 1/rate grid so that repeated additions do not drift across bucket
            # edges: the last arrival was rounded to the nanosecond, so within 1 ns of it
            t += 1.0 / rate
            if fabs(t - floor(t * rate + 0.5) / rate) <= 1e-9:
                t = floor(t * rate + 0.5) / rate
            return t
        k = s.c_bp_cur[c]
        if k + 1 >= s.comps[c].bp_count:
            return INFINITY
        # _rate_at leaves the cursor on the segment holding t, so the next point lies ahead
        t = s.bp_t[off + k + 1]
        first = 1
    return t


cdef inline double _next_poisson(Sim* s, int c, double t) noexcept nogil:
    """_next_arrival after ``t`` of a Poisson client at one rate (`c_poisson_mean`, its mean
    gap): thinning would accept every arrival, so none is tested."""
    return t + _expo(s, &s.ch[c].rng, s.c_poisson_mean[c])


cdef void _on_arrival(Sim* s, int c, int64_t end_ns) noexcept nogil:
    """``end_ns``: the run's end, _ns(duration)."""
    cdef int64_t t
    _start_root(s, c, -1)
    t = _ns(_next_arrival(s, c, s.now, 0))   # rounded once: what _push would round it to
    if t < end_ns:
        _push_ns(s, t, 0, EV_ARRIVAL, c, 0, 0, 0, 0)


cdef void _start_root(Sim* s, int c, int user) noexcept nogil:
    cdef int j = _new_job(s)
    if j < 0:
        return
    s.jobs[j].comp = c
    s.jobs[j].user = user
    _count_c(s, c, MC_ARRIVALS, 1.0)
    _touch_client(s, c)
    s.ch[c].inflight += 1
    _begin_calls(s, j)
