# The record store: what each bucket's flush keeps of the components and links active in it
# (packed counts, gauges, levels; see "Rows" in _metrics.pxd), grown as the run goes, and
# turned back into dense rows for Core as buckets end.
from libc.stdint cimport int64_t, int32_t, uint64_t
from libc.stdlib cimport free
from libc.string cimport memcpy, memmove

from engine._codes cimport *
from engine._state cimport Sim
from engine._metrics cimport (
    _ctz, _bucket_end, _bucket_width, _touch, MC_FIELD, ML_FIELD, ROW_W, ROW_HOT, RC_W, RL_W, REC_GAUGES, REC_LEVELS,
)


cdef extern from *:
    """
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    /* Grows the block p, whose first `used` bytes are kept, to n bytes. A record store is
       written once, front to back, and each fresh small page costs a fault: on Linux the block
       starts on a 2 MiB boundary and asks for huge pages over all of it (where it began
       anywhere, the small pages before its first whole huge page took up to 512 faults).
       Elsewhere, or if refused, a plain realloc. NULL when memory ran out (p is kept). */
    static void* faultline_huge_realloc(void* p, size_t used, size_t n) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        size_t huge = (size_t)1 << 21;
        void* q = NULL;
        if (posix_memalign(&q, huge, n) != 0)
            return NULL;
        if (p != NULL) {
            memcpy(q, p, used);
            free(p);
        }
        if (n >= huge)
            (void)madvise(q, n & ~(huge - 1), MADV_HUGEPAGE);
        return q;
    #else
        (void)used;
        return realloc(p, n);
    #endif
    }
    """
    void* faultline_huge_realloc(void* p, size_t used, size_t n) nogil


cdef inline bint _grow_records(Sim* s, int32_t** idx, double** val, int64_t* cap, int64_t n,
                               int64_t vn, int64_t need, int64_t width) noexcept nogil:
    """Grows one record store, holding ``n`` records of ``vn`` numbers, to hold ``need``
    records; flags the run out of memory if it cannot."""
    cdef int64_t grown = max(2 * cap[0], need)
    cdef void* a = faultline_huge_realloc(idx[0], n * sizeof(int32_t), grown * sizeof(int32_t))
    if a != NULL:
        idx[0] = <int32_t*>a
    cdef void* b = faultline_huge_realloc(val[0], vn * sizeof(double), grown * width * sizeof(double))
    if b != NULL:
        val[0] = <double*>b
    if a == NULL or b == NULL:
        s.stops.why.out_of_memory = 1
        return 0
    cap[0] = grown
    return 1


cdef inline int64_t _take_packed(double* out, double* row, uint64_t totals) noexcept nogil:
    """Moves a bucket's counts from the live ``row`` to ``out``, packed: a word with a bit for
    each place whose count is not zero, then those counts in the row's order; leaves the row
    zero but for the run's totals at the places of ``totals`` (MC_TOTALS, ML_TOTALS), and
    returns the length written. Only the first line is read unless its ROW_HOT place is
    set. A zero count costs a load and a test (a component's or link's zeros fall in the
    same places bucket after bucket, which the branch predictor learns): fewer instructions
    than a branch-free pass writing each."""
    cdef uint64_t mask = 0, bits
    cdef int64_t k = 1
    cdef int f, n = ROW_HOT
    if row[ROW_HOT] != 0:
        row[ROW_HOT] = 0.0
        n = ROW_W
    for f in range(n):
        memcpy(&bits, &row[f], sizeof(double))
        if bits != 0 and not (totals >> f) & 1:    # by its bits: a -0.0 is kept
            out[k] = row[f]
            row[f] = 0.0
            mask |= (<uint64_t>1) << f
            k += 1
    memcpy(out, &mask, sizeof(double))
    return k


cdef inline int64_t _unpack_counts(double* row, double* rec, const int* field) noexcept nogil:
    """The counts ``_take_packed`` wrote to ``rec``, bit for bit, into ``row`` (zero) in the
    fields' order (the field at each place of the live row: MC_FIELD, ML_FIELD); returns
    their packed length."""
    cdef uint64_t mask
    cdef int64_t k = 1
    memcpy(&mask, rec, sizeof(double))
    mask &= (<uint64_t>1 << ROW_W) - 1
    while mask:
        row[field[_ctz(mask)]] = rec[k]
        k += 1
        mask &= mask - 1
    return k


cdef inline bint _rows_room(Sim* s, int64_t n_c, int64_t n_l) noexcept nogil:
    """Room for ``n_c`` more component records and ``n_l`` link records, or out of memory
    (room for each at its longest: pages of the store never written cost nothing)."""
    if s.rc_n + n_c > s.rc_cap:
        if not _grow_records(s, &s.rc_idx, &s.rc_val, &s.rc_cap, s.rc_n, s.rc_vn, s.rc_n + n_c, RC_W):
            return 0
    if s.rl_n + n_l > s.rl_cap:
        if not _grow_records(s, &s.rl_idx, &s.rl_val, &s.rl_cap, s.rl_n, s.rl_vn, s.rl_n + n_l, RL_W):
            return 0
    return 1


cdef inline void _rows_rebuild(Sim* s, int64_t b, double* mc, double* mg, double* ml, double* mlg,
                               double* lv, double* lg) noexcept nogil:
    """Bucket ``b``'s dense rows (``mc``, ``mg``: n_c rows; ``ml``, ``mlg``: n_l rows) from its
    records. ``lv`` holds each component's five levels and ``lg`` each link's
    gauges as of the bucket before; both are brought up to this one."""
    cdef int64_t k, c, l, f, v
    cdef uint64_t mask
    cdef double dt = _bucket_end(s, b) - (_bucket_end(s, b - 1) if b > 0 else 0.0)
    cdef double width = _bucket_width(s, b)
    cdef double area
    cdef double* r
    cdef double* g
    for c in range(s.n_c):
        # an idle component's flush: 0 + level * dt for each area (_touch), over the width
        g = &mg[c * NMG]
        for f in range(NMG):
            g[f] = 0.0
        for f in range(4):
            area = 0.0
            area += lv[c * 5 + f] * dt
            g[MG_QLEN + f] = area / width
        g[MG_UTIL] = g[MG_BUSY] / lv[c * 5 + 4] if lv[c * 5 + 4] > 0 else 0.0
        for f in range(NMC):
            mc[c * NMC + f] = 0.0
    v = s.rc_voff[b]
    for k in range(s.rc_boff[b], s.rc_boff[b + 1]):
        c = s.rc_idx[k]
        memcpy(&mask, &s.rc_val[v], sizeof(double))
        v += _unpack_counts(&mc[c * NMC], &s.rc_val[v], MC_FIELD)
        r = &s.rc_val[v]
        for f in range(NMG):
            mg[c * NMG + f] = r[f]
        if mask >> REC_LEVELS:
            for f in range(5):
                lv[c * 5 + f] = r[NMG + f]
            v += NMG + 5
        else:
            lv[c * 5] = 0.0
            lv[c * 5 + 1] = 0.0
            lv[c * 5 + 2] = 0.0
            lv[c * 5 + 3] = r[NMG]
            lv[c * 5 + 4] = r[NMG + 1]
            v += NMG + 2
    for l in range(s.n_l * NML):
        ml[l] = 0.0
    v = s.rl_voff[b]
    for k in range(s.rl_boff[b], s.rl_boff[b + 1]):
        l = s.rl_idx[k]
        memcpy(&mask, &s.rl_val[v], sizeof(double))
        v += _unpack_counts(&ml[l * NML], &s.rl_val[v], ML_FIELD)
        if mask >> REC_GAUGES:
            for f in range(NMLG):
                lg[l * NMLG + f] = s.rl_val[v + f]
            v += NMLG
        else:
            for f in range(NMLG):
                lg[l * NMLG + f] = 0.0
    for l in range(s.n_l * NMLG):
        mlg[l] = lg[l]


cdef inline void _rows_forget(Sim* s, int64_t done) noexcept nogil:
    """Drop the records of the buckets before ``done``, all rebuilt: the store keeps only
    what no one has read yet, in memory it reuses, and none once the run is over."""
    cdef int64_t shift = s.rc_boff[done], vshift = s.rc_voff[done]
    if shift > 0:
        memmove(s.rc_idx, &s.rc_idx[shift], (s.rc_n - shift) * sizeof(int32_t))
        memmove(s.rc_val, &s.rc_val[vshift], (s.rc_vn - vshift) * sizeof(double))
        s.rc_n -= shift
        s.rc_vn -= vshift
        s.rc_boff[done] = 0
        s.rc_voff[done] = 0
    shift = s.rl_boff[done]
    vshift = s.rl_voff[done]
    if shift > 0:
        memmove(s.rl_idx, &s.rl_idx[shift], (s.rl_n - shift) * sizeof(int32_t))
        memmove(s.rl_val, &s.rl_val[vshift], (s.rl_vn - vshift) * sizeof(double))
        s.rl_n -= shift
        s.rl_vn -= vshift
        s.rl_boff[done] = 0
        s.rl_voff[done] = 0
    if done >= s.n_b:
        free(s.rc_idx)
        free(s.rc_val)
        free(s.rl_idx)
        free(s.rl_val)
        s.rc_idx = NULL
        s.rc_val = NULL
        s.rl_idx = NULL
        s.rl_val = NULL
        s.rc_n = s.rc_cap = s.rl_n = s.rl_cap = s.rc_vn = s.rl_vn = 0

