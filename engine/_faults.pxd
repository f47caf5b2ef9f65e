# Faults' effects on components and links: CPU, pool and memory-leak exhaustion, error injection,
# partitions and added latency.
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng
from engine._heap cimport _push
from engine._metrics cimport _touch
from engine._clock cimport _ns
from engine._random cimport _draw, _uniform


cdef inline void _recompute_component_faults(Sim* s, int c) noexcept nogil:
    cdef int f
    cdef double cpu = 1.0, ok = 1.0
    cdef int64_t pool = UNLIMITED
    cdef int leak = -1
    for f in range(s.n_f):
        if not s.f_active[f] or s.faults[f].comp != c:
            continue
        if s.faults[f].kind == F_EXHAUSTION:
            if s.faults[f].resource == R_CPU:
                cpu *= s.faults[f].factor
            elif s.faults[f].resource == R_POOL:
                if s.faults[f].pool_size < pool:
                    pool = s.faults[f].pool_size
            else:
                leak = f
        elif s.faults[f].kind == F_ERROR:
            ok *= 1.0 - s.faults[f].fraction
    s.ch[c].cpu = cpu
    s.ch[c].worker_cap = <int>(pool if pool < s.comps[c].workers else s.comps[c].workers)
    s.ch[c].leak_fault = leak
    s.ch[c].inject_err = 1.0 - ok


cdef inline void _recompute_link_faults(Sim* s, int l) noexcept nogil:
    cdef int f
    cdef double ok = 1.0
    cdef int64_t hang = 0, refuse = 0
    for f in range(s.n_f):
        if not s.f_active[f] or s.faults[f].link != l:
            continue
        if s.faults[f].kind == F_ERROR:
            ok *= 1.0 - s.faults[f].fraction
        elif s.faults[f].kind == F_PARTITION:
            if s.faults[f].down_mode == M_HANG:
                hang += 1
            else:
                refuse += 1
    s.l_inject_err[l] = 1.0 - ok
    s.l_part_hang[l] = hang
    s.l_part_refuse[l] = refuse


cdef inline void _count_link_fault(Sim* s, int f, int delta) noexcept nogil:
    """Keep count of the active faults each link must look at: a latency fault on a link
    or on its target, an error or partition fault on the link its."""
    cdef int l
    for l in range(s.n_l):
        if s.faults[f].link == l or (s.faults[f].kind == F_LATENCY and s.faults[f].comp == s.lh[l].dst):
            s.lh[l].faulted += delta
            s.links_faulted += delta


cdef inline void _schedule_oom(Sim* s, int inst) noexcept nogil:
    cdef int c = <int>s.ih[inst].comp
    cdef int f = <int>s.ch[c].leak_fault
    if f < 0:
        return
    _push(s, s.i_up_since[inst] + (s.faults[f].kill_factor - 1.0) / s.faults[f].leak_rate, EV_OOM, inst,
               <int>s.i_leak_epoch[inst], f, 0, 0)


cdef inline void _instance_up(Sim* s, int inst) noexcept nogil:
    """An instance takes requests again (restarted after a fault, or started by the autoscaler):
    counted up from now, its memory leak starts afresh, its rate limiter is full again unless
    the component holds one quota for all its instances (a global quota outlives one instance)."""
    cdef int c = <int>s.ih[inst].comp
    _touch(s, c)
    s.ch[c].up += 1
    s.i_up_since[inst] = s.now
    s.i_leak_epoch[inst] += 1
    if s.comps[c].limit_for_period > 0 and not s.comps[c].global_quota:
        s.i_rl_perm[inst] = s.comps[c].limit_for_period
        s.i_rl_cycle[inst] = s.now_ns // max(_ns(s.comps[c].limit_refresh_period), 1)
    _schedule_oom(s, inst)


cdef inline double _extra_latency(Sim* s, int link, int direction) noexcept nogil:
    """Added delay of the latency faults active on this link (or on its target)."""
    cdef int f
    cdef int64_t i
    cdef double extra = 0.0
    cdef Rng* r
    for i in range(s.l_lat_first[link], s.l_lat_first[link] + s.l_lat_count[link]):
        f = <int>s.l_lat_list[i]
        if not s.f_active[f] or not (s.faults[f].direction & direction):
            continue
        r = &s.rng[s.n_l + f]
        if s.faults[f].fraction < 1.0 and _uniform(r) >= s.faults[f].fraction:
            continue
        extra += _draw(s, <int>s.faults[f].delay_dist, r)
    return extra
