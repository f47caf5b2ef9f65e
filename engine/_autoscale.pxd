# Horizontal autoscaling (the Kubernetes HPA controller): every sync period, the service's
# average utilisation over its ready instances since the last sync gives a recommendation,
# ceil(ready x utilisation / target), left at the current replicas within the tolerance and,
# while instances are still starting, with them counted idle (as the HPA counts unready pods
# on a scale-up). The recommendation is stabilised (scale down only to the highest of the
# scale-down window, up only to the lowest of the scale-up window), limited by the default
# scaling policy (at most double, or four more, per sync) and by min and max replicas. An
# added instance takes requests after its start-up time; a removed one stops taking new
# requests and finishes those it holds.
from libc.math cimport ceil, fabs
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._tables cimport AutoscaleRow
from engine._eventlog cimport _log
from engine._heap cimport _push
from engine._metrics cimport _touch
from engine._faults cimport _instance_up
from engine._routing cimport _lb_note
from libc.math cimport floor


cdef inline void _as_start(Sim* s, int a, int64_t inst) noexcept nogil:
    s.i_start_epoch[inst] += 1      # odd while starting
    s.as_starting[a] += 1
    _push(s, s.now + s.hpa[a].startup_time, EV_INSTANCE_READY, <int>inst, <int>s.i_start_epoch[inst], a, 0, 0)


cdef inline void _as_stop(Sim* s, int a, int64_t inst) noexcept nogil:
    cdef int c = <int>s.hpa[a].comp
    if s.i_start_epoch[inst] % 2 == 1:
        s.i_start_epoch[inst] += 1  # not ready yet: the start is called off, it stays stopped
        s.as_starting[a] -= 1
        return
    _touch(s, c)
    if s.ih[inst].down == 0:
        s.ch[c].up -= 1
    s.ih[inst].down += 1      # no new requests; the queued and running ones finish
    s.refusing += 1
    _lb_note(s, inst)


cdef inline void _as_ready(Sim* s, int a, int64_t inst, int64_t epoch) noexcept nogil:
    cdef int c = <int>s.hpa[a].comp
    if s.i_start_epoch[inst] != epoch:
        return
    s.i_start_epoch[inst] += 1
    s.as_starting[a] -= 1
    s.ih[inst].down -= 1
    s.refusing -= 1
    if s.ih[inst].down > 0:
        return                      # a fault holds it down still
    _instance_up(s, <int>inst)
    _lb_note(s, inst)


cdef inline void _as_remember(Sim* s, int a, int64_t replicas) noexcept nogil:
    cdef int64_t k = s.hpa[a].rec_first + s.as_rec_pos[a] % s.hpa[a].rec_cap
    s.as_rec_t[k] = s.now
    s.as_rec_n[k] = replicas
    s.as_rec_pos[a] += 1


cdef inline void _as_sync(Sim* s, int a) noexcept nogil:
    cdef AutoscaleRow* row = &s.hpa[a]
    cdef int c = <int>row.comp
    cdef double busy, up, d_busy, d_up, usage = -1.0, ratio, idle_ratio
    cdef int64_t current = s.as_replicas[a], ready = s.ch[c].up, starting = s.as_starting[a]
    cdef int64_t rec = current, up_rec, down_rec, desired, k, i, limit
    _touch(s, c)
    busy = s.c_cum_area[c * NA + A_BUSY] + s.ch[c].area[A_BUSY]
    up = s.c_cum_area[c * NA + A_UP] + s.ch[c].area[A_UP]
    d_busy = busy - s.as_busy[a]
    d_up = up - s.as_up[a]
    s.as_busy[a] = busy
    s.as_up[a] = up
    if d_up > 0 and ready > 0:
        usage = d_busy / (d_up * s.comps[c].workers)
        ratio = usage / (row.target_utilization / 100.0)
        if starting > 0 and ratio > 1.0:
            idle_ratio = ratio * ready / (ready + starting)
            if idle_ratio > 1.0 + row.tolerance:
                rec = <int64_t>ceil(idle_ratio * (ready + starting))
        elif fabs(ratio - 1.0) > row.tolerance:
            rec = <int64_t>ceil(ratio * ready)
    if s.as_rec_pos[a] == 0 and row.scale_down_stabilization > 0:
        _as_remember(s, a, current)  # the HPA opens its scale-down window with the current replicas
    up_rec = rec
    down_rec = rec
    for k in range(row.rec_first, row.rec_first + row.rec_cap):
        if s.as_rec_t[k] > s.now - row.scale_up_stabilization and s.as_rec_n[k] < up_rec:
            up_rec = s.as_rec_n[k]
        if s.as_rec_t[k] > s.now - row.scale_down_stabilization and s.as_rec_n[k] > down_rec:
            down_rec = s.as_rec_n[k]
    _as_remember(s, a, rec)
    desired = current
    if desired < up_rec:
        desired = up_rec
    if desired > down_rec:
        desired = down_rec
    limit = 2 * current if 2 * current > current + 4 else current + 4
    if desired > limit:
        desired = limit
    if desired > row.max_replicas:
        desired = row.max_replicas
    if desired < row.min_replicas:
        desired = row.min_replicas
    if desired != current:
        _log(s, LG_SCALED, c, -1, -1, <int>current, desired, usage)
        i = s.comps[c].inst_offset
        for k in range(current, desired):
            _as_start(s, a, i + k)
        for k in range(desired, current):
            _as_stop(s, a, i + k)
        s.as_replicas[a] = desired
    if s.now + row.sync_period < s.duration:
        _push(s, s.now + row.sync_period, EV_AUTOSCALE, a, 0, 0, 0, 0)
