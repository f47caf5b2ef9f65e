# Routing: which instance of a target a call goes to (per-link round robin, or the load
# balancer's strategy).
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng
from engine._random cimport _uniform


cdef inline bint _refusing(Sim* s, int inst) noexcept nogil:
    return s.i_down_refuse[inst] > 0


cdef inline int _pick_in(Sim* s, int link) noexcept nogil:
    """An instance of the link's target that is not refusing: round robin per link, or the
    balancing strategy when the caller is a load balancer."""
    cdef int chooser = <int>s.links[link].src, target = <int>s.links[link].dst
    cdef int64_t first = s.comps[target].inst_offset, n = s.comps[target].instances
    cdef int strategy = <int>s.comps[chooser].strategy if s.comps[chooser].kind == K_LOAD_BALANCER else LB_ROUND_ROBIN
    return _pick_range(s, chooser, link, strategy, first, n)


cdef inline int _pick_range(Sim* s, int chooser, int link, int strategy, int64_t first, int64_t n) noexcept nogil:
    cdef int64_t k, i, best = -1, a, b
    cdef Rng* r = &s.rng[chooser]
    if n <= 0:
        return -1
    if strategy == LB_ROUND_ROBIN:
        for k in range(n):
            i = first + (s.l_rr[link] % n)
            s.l_rr[link] += 1
            if not _refusing(s, <int>i):
                return <int>i
        return -1
    if strategy == LB_RANDOM or strategy == LB_POWER_OF_TWO:
        a = first + <int64_t>(_uniform(r) * n)
        if strategy == LB_POWER_OF_TWO and n > 1:
            b = first + <int64_t>(_uniform(r) * n)
            if not _refusing(s, <int>b) and (_refusing(s, <int>a) or s.i_jobs[b] < s.i_jobs[a]):
                a = b
        if not _refusing(s, <int>a):
            return <int>a
        for k in range(n):
            i = first + ((a - first + k) % n)
            if not _refusing(s, <int>i):
                return <int>i
        return -1
    # least outstanding; ties go round the ring so equal loads spread
    a = s.l_rr[link]
    s.l_rr[link] += 1
    for k in range(n):
        i = first + ((a + k) % n)
        if _refusing(s, <int>i):
            continue
        if best < 0 or s.i_jobs[i] < s.i_jobs[best]:
            best = i
    return <int>best


cdef inline int _pick_flat(Sim* s, int lb, int64_t off, int64_t n, int64_t total) noexcept nogil:
    cdef int64_t k, idx, start, t, best = -1, i, cand
    cdef int strategy = s.comps[lb].strategy
    cdef Rng* r = &s.rng[lb]
    if total <= 0:
        return -1
    if strategy == LB_ROUND_ROBIN:
        start = s.c_rr[lb]
        s.c_rr[lb] += 1
    else:
        start = <int64_t>(_uniform(r) * total)
    for k in range(total):
        idx = (start + k) % total
        # map the flat index to an instance
        cand = -1
        for t in range(n):
            i = s.links[s.out_links[off + t]].dst
            if idx < s.comps[i].instances:
                cand = s.comps[i].inst_offset + idx
                break
            idx -= s.comps[i].instances
        if cand < 0 or _refusing(s, <int>cand):
            continue
        if strategy == LB_ROUND_ROBIN or strategy == LB_RANDOM:
            return <int>cand
        if best < 0 or s.i_jobs[cand] < s.i_jobs[best]:
            best = cand
        if strategy == LB_POWER_OF_TWO and k >= 1:
            break   # power of two choices: the better of the first two usable picks
    return <int>best
