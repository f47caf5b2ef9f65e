# The bucket's end: what the loop records when simulated time crosses a bucket boundary and
# when the run ends. Included by _loop.pyx (it shares the loop's module and imports).
from engine._records cimport REC_GAUGES, REC_LEVELS

cdef inline int64_t _take_counts_l(Sim* s, int l, double* out) noexcept nogil:
    """Settle link ``l``'s row and move its bucket's counts to ``out`` (_take_packed): the
    bucket's latency sum, which a settle writes rather than adds, starts again from zero."""
    _settle_counts_l(s, l)
    s.l_sums[l].lat = 0.0
    return _take_packed(out, &s.ml_row[l * ROW_W], ML_TOTALS)


cdef inline int64_t _take_counts_outside(Sim* s, int l, double* out) noexcept nogil:
    """_take_counts_l for a link counted only outside its row (L_OUTSIDE), whose row is then
    zero but for its totals, which no record takes: the same record, packed from a copy of
    the row's first line with those counts in their places (all of them before ROW_HOT), so
    that a link answered about once a bucket (a balancer's over a thousand targets) is not
    one more line a bucket."""
    cdef double first[ROW_HOT + 1]
    cdef LinkSums* sums = &s.l_sums[l]
    memset(first, 0, sizeof(first))
    first[ML_SLOT[ML_CALLS]] = s.lh[l].sent_plain
    first[ML_SLOT[ML_ATTEMPTS]] = s.lh[l].sent_plain
    first[ML_SLOT[ML_OUT + O_OK]] = sums.ok
    first[ML_SLOT[ML_LAT_SUM]] = sums.lat
    s.lh[l].sent_plain = 0
    sums.ok = 0
    sums.lat = 0.0
    return _take_packed(out, first, ML_TOTALS)


cdef void _flush_bucket(Sim* s, int b, double width) noexcept nogil:
    """End bucket ``b``: record the components active in it and the links that changed
    (engine/_metrics.pxd, "Rows"), and end what a quiet bucket ends."""
    cdef int c = 0, l
    cdef int64_t n
    cdef uint64_t eight, watched
    cdef int64_t k
    cdef double* r
    cdef double* g
    cdef double lg[NMLG]
    if not _rows_room(s, s.n_c, s.n_l):
        return
    # the active components in their order (as their log entries have always come), passing
    # over eight idle ones at a time
    while c < s.n_c:
        if c + 8 <= s.n_c:
            memcpy(&eight, &s.c_active[c], 8)
            if eight == 0:
                c += 8
                continue
        if not s.c_active[c]:
            c += 1
            continue
        s.rc_idx[s.rc_n] = c
        s.rc_n += 1
        r = &s.rc_val[s.rc_vn]
        _settle_counts_c(s, c)
        k = _take_packed(r, &s.mc_row[c * ROW_W], MC_TOTALS)
        g = &r[k]
        memset(g, 0, NMG * sizeof(double))
        _touch(s, c)
        g[MG_QLEN] = s.ch[c].area[A_QLEN] / width
        g[MG_BUSY] = s.ch[c].area[A_BUSY] / width
        g[MG_INFLIGHT] = s.ch[c].area[A_INFLIGHT] / width
        g[MG_UP] = s.ch[c].area[A_UP] / width
        g[MG_UTIL] = g[MG_BUSY] / s.c_capacity[c] if s.c_capacity[c] > 0 else 0.0
        s.c_cum_area[c * NA + A_QLEN] += s.ch[c].area[A_QLEN]
        s.c_cum_area[c * NA + A_BUSY] += s.ch[c].area[A_BUSY]
        s.c_cum_area[c * NA + A_INFLIGHT] += s.ch[c].area[A_INFLIGHT]
        s.c_cum_area[c * NA + A_UP] += s.ch[c].area[A_UP]
        s.ch[c].area[A_QLEN] = 0
        s.ch[c].area[A_BUSY] = 0
        s.ch[c].area[A_INFLIGHT] = 0
        s.ch[c].area[A_UP] = 0
        s.c_flushed[c] = b + 1
        n = <int64_t>s.cl[c].b_n
        if n > 0:
            _fold_bucket_latencies(s, c, n, &g[MG_P50], &g[MG_P90], &g[MG_P99])
            g[MG_MAX] = s.cl[c].b_max
            g[MG_MEAN] = s.cl[c].b_sum / n
        s.cl[c].b_sum = 0
        s.cl[c].b_n = 0
        s.cl[c].b_max = 0
        # edge-triggered log entries for inbound protection, ended after a quiet bucket: only
        # where one refused, dropped or served LIFO, or a flag is still up (c_guard), so the
        # flags and counts of every other component stay out of the cache
        if s.c_guard[c]:
            if s.c_rl_flag[c] and s.c_rl_rej_b[c] == 0:
                s.c_rl_flag[c] = 0
                _log(s, LG_RATE_LIMITING_ENDED, c, -1, -1, -1, 0, 0)
            s.c_rl_rej_b[c] = 0
            if s.c_shed_flag[c] and s.c_shed_rej_b[c] == 0:
                s.c_shed_flag[c] = 0
                _log(s, LG_SHEDDING_ENDED, c, -1, -1, -1, 0, 0)
            s.c_shed_rej_b[c] = 0
            _discipline_bucket_end(s, c)
            s.c_guard[c] = (s.c_rl_flag[c] | s.c_shed_flag[c] | s.c_codel_flag[c] | s.c_lifo_flag[c]) != 0
        # the levels an idle stretch after this bucket keeps (Core rebuilds its gauges from
        # them): queue, busy and in flight only where one is not zero (REC_LEVELS)
        if s.ch[c].qlen | s.ch[c].busy | s.ch[c].inflight:
            g[NMG] = s.ch[c].qlen
            g[NMG + 1] = s.ch[c].busy
            g[NMG + 2] = s.ch[c].inflight
            g[NMG + 3] = s.ch[c].up
            g[NMG + 4] = s.c_capacity[c]
            memcpy(&eight, r, sizeof(double))
            eight |= <uint64_t>1 << REC_LEVELS
            memcpy(r, &eight, sizeof(double))
            s.rc_vn += k + NMG + 5
        else:
            g[NMG] = s.ch[c].up
            g[NMG + 1] = s.c_capacity[c]
            s.rc_vn += k + NMG + 2
        # a flag still up is ended by a later bucket without refusals: that flush must visit it
        s.c_active[c] = s.c_guard[c]
        c += 1
    s.rc_boff[b + 1] = s.rc_n
    s.rc_voff[b + 1] = s.rc_vn
    l = -1
    while l + 1 < s.n_l:
        l += 1
        # Eight links at a time, none counted and none with a breaker, bulkhead or retries
        # (whose state could want recording or logging), have nothing to do.
        if l + 8 <= s.n_l:
            memcpy(&eight, &s.l_counted[l], 8)
            memcpy(&watched, &s.l_watch[l], 8)
            if (eight | watched) == 0:
                l += 7
                continue
        # A link without a breaker, bulkhead or retries has gauges of zero, as last recorded,
        # and nothing to log: a counted one is recorded without reading its policy's arrays,
        # and its record is its counts alone (REC_GAUGES).
        if not s.l_watch[l]:
            if s.l_counted[l]:
                s.rl_idx[s.rl_n] = l
                s.rl_n += 1
                if s.l_counted[l] & L_IN_ROW:
                    s.rl_vn += _take_counts_l(s, l, &s.rl_val[s.rl_vn])
                else:
                    s.rl_vn += _take_counts_outside(s, l, &s.rl_val[s.rl_vn])
                s.l_counted[l] = 0
            continue
        # A link without a breaker, not counted, whose bulkhead use is as last recorded and
        # with nothing to log has nothing to do: tested on a few flat arrays, not its policy.
        if ((s.l_counted[l] | s.l_cb[l] | s.l_bh_flag[l] | s.l_bh_rej_b[l] | s.l_exh_b[l]) == 0
                and s.l_bh_inuse[l] == s.l_last_g[l * NMLG + MLG_BH_INUSE]):
            continue
        memset(lg, 0, NMLG * sizeof(double))
        if s.l_cb[l]:
            _cb_touch(s, l)
            lg[MLG_CB_STATE] = s.cb_state[l]
            lg[MLG_CB_OPEN] = s.cb_open_area[l] / width
            s.cb_open_area[l] = 0
            lg[MLG_CB_FAILURE_RATE] = _cb_rate(s, l, RATE_FAILURE)
        lg[MLG_BH_INUSE] = s.l_bh_inuse[l]
        if s.l_counted[l] or memcmp(lg, &s.l_last_g[l * NMLG], NMLG * sizeof(double)) != 0:
            s.rl_idx[s.rl_n] = l
            s.rl_n += 1
            r = &s.rl_val[s.rl_vn]
            k = _take_counts_l(s, l, r)
            memcpy(&eight, r, sizeof(double))
            eight |= <uint64_t>1 << REC_GAUGES
            memcpy(r, &eight, sizeof(double))
            memcpy(&r[k], lg, NMLG * sizeof(double))
            s.rl_vn += k + NMLG
            memcpy(&s.l_last_g[l * NMLG], lg, NMLG * sizeof(double))
            s.l_counted[l] = 0
        if s.l_bh_flag[l] and s.l_bh_rej_b[l] == 0:
            s.l_bh_flag[l] = 0
            _log(s, LG_BULKHEAD_RECOVERED, s.lh[l].src, l, -1, -1, s.l_bh_inuse[l], 0)
        s.l_bh_rej_b[l] = 0
        if s.l_exh_b[l] > 0:
            _log(s, LG_RETRIES_EXHAUSTED, s.lh[l].src, l, -1, -1, s.l_exh_b[l], 0)
            s.l_exh_b[l] = 0
    s.rl_boff[b + 1] = s.rl_n
    s.rl_voff[b + 1] = s.rl_vn
    _calls_bucket_end(s)


cdef void _finalize(Sim* s) noexcept nogil:
    cdef double width = s.duration - (s.n_b - 1) * s.bucket
    _clock_to(s, _ns(s.duration))
    if width <= 0:
        width = s.bucket
    _flush_bucket(s, s.n_b - 1, width)
    s.current_bucket = s.n_b
    _catch_up_all(s)   # the components idle at the end: their areas and queue peaks
    _hp_apply(s)
    s.finished = 1
