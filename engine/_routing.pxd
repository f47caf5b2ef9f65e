# Routing: which instance of a target a call goes to (per-link round robin, or the load
# balancer's strategy). A balancer's targets' instances form one flat list (engine/balancing.py),
# so a pick costs O(1), and O(log n) for least outstanding, whatever the number of targets.
from libc.stdint cimport int64_t

from engine._codes cimport *
from engine._state cimport Sim
from engine._structs cimport Rng
from engine._random cimport _uniform

# the tree's value of an instance that refuses (engine/balancing.py TREE_EMPTY)
cdef extern from *:
    """
    #define FL_LT_EMPTY (((int64_t)1) << 62)
    """
    int64_t LT_EMPTY "FL_LT_EMPTY"


cdef inline int64_t _od_slot(Sim* s, int link, int64_t inst) noexcept nogil:
    """Where the link's outlier detector keeps the state of one of the link's target's instances
    (a balancer's detector watches its flat list; any other caller's, the target's instances)."""
    cdef int64_t d = s.lh[link].od
    cdef int64_t k = inst - s.comps[s.lh[link].dst].inst_offset
    if s.od[d].lb >= 0:
        k += s.lk_flat[link]
    return s.od[d].slot_first + k


cdef inline bint _ejected(Sim* s, int link, int64_t inst) noexcept nogil:
    """Outlier detection on this link has ejected the instance."""
    return s.lh[link].od >= 0 and s.od_ejected[_od_slot(s, link, inst)] != 0


cdef inline bint _refuses(Sim* s, int64_t inst) noexcept nogil:
    """The instance refuses calls: something that refuses holds it down (a crash or a
    scale-down), not only hangs, which swallow them (InstHot.down counts both, Sim.i_hung the
    hangs: read only for an instance that is down)."""
    return s.ih[inst].down > 0 and s.ih[inst].down > s.i_hung[inst]


cdef inline bint _shunned(Sim* s, int link, int64_t inst) noexcept nogil:
    """The caller on ``link`` will not pick the instance: it refuses, or its detector ejected it.
    While no instance refuses (the run's usual state), the instance's line is not read: at a
    thousand components it was one more cold line a call."""
    return (s.refusing > 0 and _refuses(s, inst)) or _ejected(s, link, inst)


cdef inline void _lb_note(Sim* s, int64_t inst) noexcept nogil:
    """The instance's jobs or health changed: refresh its leaves in the least-outstanding trees."""
    if s.ih[inst].trees != 0:   # most instances are in no such tree: that check is all they pay
        _lb_refresh(s, inst)


cdef inline void _lb_refresh(Sim* s, int64_t inst) noexcept nogil:
    cdef int64_t k, lb, x, v, a, b
    cdef int64_t* t
    for k in range(s.it_off[inst], s.it_off[inst] + s.ih[inst].trees):
        lb = s.it_lb[k]
        t = s.lt + s.lt_off[lb]
        x = s.lt_size[lb] + s.it_idx[k]
        if _shunned(s, <int>s.fl_link[s.lb_off[lb] + s.it_idx[k]], inst):
            v = LT_EMPTY
        else:
            v = s.ih[inst].jobs
        t[x] = v
        x >>= 1
        while x >= 1:
            a = t[2 * x]
            b = t[2 * x + 1]
            t[x] = a if a <= b else b
            x >>= 1


cdef inline int64_t _lt_min(int64_t* t, int64_t size, int64_t lo, int64_t hi) noexcept nogil:
    """The least value over the leaves lo..hi-1."""
    cdef int64_t res = LT_EMPTY, l = lo + size, r = hi + size
    while l < r:
        if l & 1:
            if t[l] < res:
                res = t[l]
            l += 1
        if r & 1:
            r -= 1
            if t[r] < res:
                res = t[r]
        l >>= 1
        r >>= 1
    return res


cdef inline int64_t _lt_first(int64_t* t, int64_t size, int64_t lo, int64_t m) noexcept nogil:
    """The first leaf at or after lo whose value is at most m, or -1."""
    cdef int64_t x = lo + size
    if t[x] <= m:
        return lo
    while True:
        while x & 1:
            if x == 1:
                return -1
            x >>= 1
        x += 1
        if t[x] <= m:
            break
    while x < size:
        x = 2 * x
        if t[x] > m:
            x += 1
    return x - size


cdef inline int64_t _lt_pick(Sim* s, int lb, int64_t lo, int64_t hi, int64_t start) noexcept nogil:
    """Least outstanding over the flat positions lo..hi-1: the first with the fewest jobs in ring
    order from ``start``, as a scan from there keeping the strictly smaller would find."""
    cdef int64_t* t = s.lt + s.lt_off[lb]
    cdef int64_t size = s.lt_size[lb], m, k
    m = _lt_min(t, size, lo, hi)
    if m >= LT_EMPTY:
        return -1
    k = _lt_first(t, size, start, m)
    if k < 0 or k >= hi:
        k = _lt_first(t, size, lo, m)
    return k


cdef inline int _pick_local(Sim* s, int link, int64_t zone) noexcept nogil:
    """Round robin over the link's target's instances in ``zone`` that take requests (-1: none).
    Zones interleave (instance k in zone k mod zones + 1), so a pick looks at about as many
    instances as there are zones until the zone has none left to give."""
    cdef int64_t first = s.lh[link].first_inst, n = s.lh[link].n_inst, k, i
    for k in range(n):
        i = first + (s.lh[link].rr % n)
        s.lh[link].rr += 1
        if s.i_zone[i] == zone and not _shunned(s, link, i):
            return <int>i
    return -1


cdef inline int _pick_in(Sim* s, int link) noexcept nogil:
    """An instance of the link's target that is not refusing: round robin per link, or the
    balancing strategy when the caller is a load balancer."""
    cdef int chooser = <int>s.lh[link].src
    cdef int64_t first = s.lh[link].first_inst, n = s.lh[link].n_inst, k, lo
    cdef int strategy = <int>s.comps[chooser].strategy if s.comps[chooser].kind == K_LOAD_BALANCER else LB_ROUND_ROBIN
    if strategy == LB_LEAST_OUTSTANDING and s.lt_off[chooser] >= 0 and n > 0:
        lo = s.lk_flat[link]
        k = _lt_pick(s, chooser, lo, lo + n, lo + (s.lh[link].rr % n))
        s.lh[link].rr += 1
        return -1 if k < 0 else <int>s.fl_inst[s.lb_off[chooser] + k]
    return _pick_range(s, chooser, link, strategy, first, n)


cdef inline int _pick_range(Sim* s, int chooser, int link, int strategy, int64_t first, int64_t n) noexcept nogil:
    cdef int64_t k, i, best = -1, a, b
    cdef Rng* r = &s.ch[chooser].rng
    if n <= 0:
        return -1
    if strategy == LB_ROUND_ROBIN:
        for k in range(n):
            i = first + (s.lh[link].rr % n)
            s.lh[link].rr += 1
            if not _shunned(s, link, i):
                return <int>i
        return -1
    if strategy == LB_RANDOM or strategy == LB_POWER_OF_TWO:
        a = first + <int64_t>(_uniform(r) * n)
        if strategy == LB_POWER_OF_TWO and n > 1:
            b = first + <int64_t>(_uniform(r) * n)
            if not _shunned(s, link, b) and (_shunned(s, link, a) or s.ih[b].jobs < s.ih[a].jobs):
                a = b
        if not _shunned(s, link, a):
            return <int>a
        for k in range(n):
            i = first + ((a - first + k) % n)
            if not _shunned(s, link, i):
                return <int>i
        return -1
    # least outstanding; ties go round the ring so equal loads spread
    a = s.lh[link].rr
    s.lh[link].rr += 1
    for k in range(n):
        i = first + ((a + k) % n)
        if _shunned(s, link, i):
            continue
        if best < 0 or s.ih[i].jobs < s.ih[best].jobs:
            best = i
    return <int>best


cdef inline int64_t _pick_flat(Sim* s, int lb) noexcept nogil:
    """A position in the balancer's flat list of its targets' instances (-1: none usable)."""
    cdef int64_t k, idx, start, best = -1, cand, total = s.lb_total[lb]
    cdef int64_t* flat = s.fl_inst + s.lb_off[lb]
    cdef int strategy = s.comps[lb].strategy
    cdef Rng* r = &s.ch[lb].rng
    if total <= 0:
        return -1
    if strategy == LB_ROUND_ROBIN:
        start = s.c_rr[lb]
        s.c_rr[lb] += 1
    else:
        start = <int64_t>(_uniform(r) * total)
    if strategy == LB_LEAST_OUTSTANDING and s.lt_off[lb] >= 0:
        return _lt_pick(s, lb, 0, total, start % total)
    for k in range(total):
        idx = (start + k) % total
        cand = flat[idx]
        if _shunned(s, <int>s.fl_link[s.lb_off[lb] + idx], cand):
            continue
        if strategy == LB_ROUND_ROBIN or strategy == LB_RANDOM:
            return idx
        if best < 0 or s.ih[cand].jobs < s.ih[flat[best]].jobs:
            best = idx
        if strategy == LB_POWER_OF_TWO and k >= 1:
            break   # power of two choices: the better of the first two usable picks
    return best
