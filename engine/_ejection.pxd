# Outlier detection (Envoy's outlier_detection_impl): a caller counts each instance's answers,
# ejects an instance after consecutive failures at once, or at an interval sweep by success
# rate or failure percentage, and returns it at the first sweep after its ejection time
# (base x the times it was ejected, capped). Picks skip ejected instances (engine/_routing.pxd).
from libc.math cimport sqrt
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._tables cimport OutlierRow
from engine._random cimport _uniform
from engine._eventlog cimport _log
from engine._heap cimport _push
from engine._routing cimport _od_slot, _lb_note


cdef inline void _od_where(Sim* s, int d, int64_t k, int* link, int64_t* inst) noexcept nogil:
    """The link and instance of the detector's k-th watched instance."""
    cdef OutlierRow* row = &s.od[d]
    if row.lb >= 0:
        link[0] = <int>s.fl_link[s.lb_off[row.lb] + k]
        inst[0] = s.fl_inst[s.lb_off[row.lb] + k]
    else:
        link[0] = <int>row.link
        inst[0] = s.comps[s.lh[row.link].dst].inst_offset + k


cdef inline bint _od_enforced(Sim* s, int d, double percent) noexcept nogil:
    # Envoy's featureEnabled: a draw only when the chance is neither none nor certain
    if percent >= 100.0:
        return 1
    if percent <= 0.0:
        return 0
    return _uniform(&s.ch[s.od[d].caller].rng) * 100.0 < percent


cdef inline void _od_eject(Sim* s, int d, int64_t k, int why) noexcept nogil:
    """Envoy's ejectHost: within max_ejection_percent (counting this one), and if enforced."""
    cdef OutlierRow* row = &s.od[d]
    cdef int64_t slot = row.slot_first + k, inst
    cdef double share = 100.0 * (s.od_active[d] + 1) / row.hosts, enforce, took
    cdef int link
    if not (share <= row.max_ejection_percent or (row.always_eject_one_host and s.od_active[d] == 0)):
        return
    if why == OD_CONSECUTIVE_5XX:
        enforce = row.enforcing_consecutive_5xx
    elif why == OD_CONSECUTIVE_GATEWAY_FAILURE:
        enforce = row.enforcing_consecutive_gateway_failure
    elif why == OD_SUCCESS_RATE:
        enforce = row.enforcing_success_rate
    else:
        enforce = row.enforcing_failure_percentage
    if not _od_enforced(s, d, enforce):
        return
    s.od_active[d] += 1
    s.od_ejected[slot] = 1
    s.od_times[slot] += 1
    s.od_last_ej[slot] = s.now
    if s.od_backoff[slot] * row.base_ejection_time < row.max_ejection_time + row.base_ejection_time:
        s.od_backoff[slot] += 1
    took = s.od_backoff[slot] * row.base_ejection_time
    if took > row.max_ejection_time:
        took = row.max_ejection_time
    _od_where(s, d, k, &link, &inst)
    _log(s, LG_INSTANCE_EJECTED, <int>row.caller, link, -1, <int>inst, why, took)
    _lb_note(s, inst)


cdef inline void _od_return(Sim* s, int d, int64_t k) noexcept nogil:
    cdef int64_t slot = s.od[d].slot_first + k, inst
    cdef int link
    s.od_active[d] -= 1
    s.od_ejected[slot] = 0
    # as Envoy: counters start afresh so a few new errors cannot re-eject at once
    s.od_c5xx[slot] = 0
    s.od_cgw[slot] = 0
    s.od_last_unej[slot] = s.now
    _od_where(s, d, k, &link, &inst)
    _log(s, LG_INSTANCE_RETURNED, <int>s.od[d].caller, link, -1, <int>inst, s.od_times[slot],
         s.now - s.od_last_ej[slot])
    _lb_note(s, inst)


cdef inline void _od_consecutive(Sim* s, int d, int64_t k, int why) noexcept nogil:
    cdef int64_t slot = s.od[d].slot_first + k
    if s.od_ejected[slot]:
        return
    _od_eject(s, d, k, why)
    if why == OD_CONSECUTIVE_5XX:
        s.od_c5xx[slot] = 0
    else:
        s.od_cgw[slot] = 0


cdef inline void _od_record(Sim* s, int link, int64_t inst, int outcome) noexcept nogil:
    """An attempt over ``link`` to ``inst`` ended: Envoy's putHttpResponseCode. Failures map to
    HTTP as Envoy maps local-origin errors: timeout 504, unavailable and rejected 503 (gateway
    failures), an application error 500; ok and a degraded answer are successes."""
    cdef int d = <int>s.lh[link].od
    cdef int64_t slot = _od_slot(s, link, inst)
    cdef int64_t k = slot - s.od[d].slot_first
    s.od_total[slot] += 1
    if outcome == O_OK or outcome == O_FALLBACK:
        s.od_ok[slot] += 1
        s.od_c5xx[slot] = 0
        s.od_cgw[slot] = 0
        return
    if outcome == O_TIMEOUT or outcome == O_UNAVAILABLE or outcome == O_REJECTED:
        s.od_cgw[slot] += 1
        if s.od_cgw[slot] == s.od[d].consecutive_gateway_failure:
            _od_consecutive(s, d, k, OD_CONSECUTIVE_GATEWAY_FAILURE)
    else:
        s.od_cgw[slot] = 0
    s.od_c5xx[slot] += 1
    if s.od_c5xx[slot] == s.od[d].consecutive_5xx:
        _od_consecutive(s, d, k, OD_CONSECUTIVE_5XX)


cdef inline void _od_sweep(Sim* s, int d) noexcept nogil:
    """Envoy's onIntervalTimer: return instances whose time is up, judge the interval's success
    rates and failure percentages, shorten the multiplier of instances that stayed back."""
    cdef OutlierRow* row = &s.od[d]
    cdef int64_t k, slot, n_sr = 0, n_fp = 0
    cdef double took, rate, sum_sr = 0.0, mean, var = 0.0, threshold
    for k in range(row.hosts):
        slot = row.slot_first + k
        if s.od_ejected[slot]:
            took = s.od_backoff[slot] * row.base_ejection_time
            if took > row.max_ejection_time:
                took = row.max_ejection_time
            if took <= s.now - s.od_last_ej[slot]:
                _od_return(s, d, k)
    # success rates of the interval just ended, over the instances not ejected
    for k in range(row.hosts):
        slot = row.slot_first + k
        if s.od_ejected[slot] or s.od_total[slot] == 0:
            continue
        if s.od_total[slot] >= row.success_rate_request_volume:
            n_sr += 1
            sum_sr += 100.0 * s.od_ok[slot] / s.od_total[slot]
        if s.od_total[slot] >= row.failure_percentage_request_volume:
            n_fp += 1
    if n_sr > 0 and n_sr >= row.success_rate_minimum_hosts:
        mean = sum_sr / n_sr
        for k in range(row.hosts):
            slot = row.slot_first + k
            if not s.od_ejected[slot] and s.od_total[slot] >= row.success_rate_request_volume:
                rate = 100.0 * s.od_ok[slot] / s.od_total[slot]
                var += (rate - mean) * (rate - mean)
        threshold = mean - row.success_rate_stdev_factor * sqrt(var / n_sr)
        for k in range(row.hosts):
            slot = row.slot_first + k
            if not s.od_ejected[slot] and s.od_total[slot] >= row.success_rate_request_volume:
                if 100.0 * s.od_ok[slot] / s.od_total[slot] < threshold:
                    _od_eject(s, d, k, OD_SUCCESS_RATE)
    if n_fp > 0 and n_fp >= row.failure_percentage_minimum_hosts:
        for k in range(row.hosts):
            slot = row.slot_first + k
            if not s.od_ejected[slot] and s.od_total[slot] >= row.failure_percentage_request_volume:
                if 100.0 - 100.0 * s.od_ok[slot] / s.od_total[slot] >= row.failure_percentage_threshold:
                    _od_eject(s, d, k, OD_FAILURE_PERCENTAGE)
    for k in range(row.hosts):
        slot = row.slot_first + k
        s.od_total[slot] = 0
        s.od_ok[slot] = 0
        if (not s.od_ejected[slot] and s.od_last_unej[slot] >= 0 and s.od_backoff[slot] > 0
                and s.now - s.od_last_unej[slot] >= row.interval):
            s.od_backoff[slot] -= 1
    if s.now + row.interval < s.duration:
        _push(s, s.now + row.interval, EV_OUTLIER_SWEEP, d, 0, 0, 0, 0)
