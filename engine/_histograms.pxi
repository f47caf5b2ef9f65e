# The latency and queue-wait histograms: their bins (histogram_bins, histogram_quantile), their
# storage, a pool of chunks per histogram (HistPool in engine/_state.pxd, filled by _hist_at in
# engine/_metrics.pxd), and its reading: the results' percentiles straight from the chunks,
# dense rows only for a caller that wants every bin.
# Included into engine/_core.pyx, whose ``Core`` owns the three pools.
from libc.math cimport exp, fmin

from engine._metrics cimport H_LOG_GAMMA


cdef inline int64_t _gap(void* at, int64_t align) noexcept:
    """The bytes from ``at`` to the next multiple of ``align`` (0 if it is one)."""
    return (align - <int64_t>(<Py_ssize_t>at % align)) % align


cdef HistPool* _histogram_pool(HistPool* p, dict keep, str name, int n_c):
    """``p``, histograms with no chunk made yet, in one array of zeros (``name`` in ``keep``):
    the chunk table, then room for every chunk, the first at a cache line's start. The kernel
    gives memory only to the pages touched, so the room costs only the chunks made. numpy
    asks for huge pages over an array of 4 MB or more, but only from its first 2 MiB
    boundary on: the table starts there, or its 300 small pages a thousand components
    were as many faults in the run."""
    cdef int64_t chunks = max(n_c, 1) * NHC + 1
    cdef int64_t table = (chunks + 1) // 2   # int32 each
    cdef int64_t size = table + chunks * HC
    cdef int64_t align = (1 << 21) if size * 8 >= (1 << 22) else 64
    keep[name] = np.zeros(size + align // 8 + 8, dtype=np.int64)
    cdef int64_t[::1] pool = keep[name]
    cdef int64_t start = _gap(&pool[0], align) // 8
    cdef int64_t first = start + table + _gap(&pool[start + table], 64) // 8
    p.chunk = <int32_t*>&pool[start]
    p.v = &pool[first]
    p.n = 1
    return p


cdef object _dense_histograms(Sim* s, HistPool* p):
    """``p``'s histograms as n_c rows of all NB bins."""
    out = np.zeros((max(s.n_c, 1), NB), dtype=np.int64)
    cdef int64_t[:, ::1] view = out
    _hist_add_dense(p, &view[0, 0], s.n_c)
    return out


cdef inline int64_t* _chunk_of(HistPool* p, int c, int64_t j) noexcept nogil:
    """Component ``c``'s chunk ``j`` in ``p``: its HC counts, or NULL if ``p`` is NULL or has none."""
    if p == NULL or p.chunk[<int64_t>c * NHC + j] == 0:
        return NULL
    return &p.v[<int64_t>p.chunk[<int64_t>c * NHC + j] * HC]


cdef void _hist_quantiles(HistPool* p, HistPool* more, int c, double* qs, int nq, double vmax,
                          double* out) noexcept nogil:
    """The quantiles ``qs`` (ascending) of component ``c``'s histogram in ``p``, plus its
    histogram in ``more`` unless NULL: ``_histogram_quantile``'s over the dense row, bit for
    bit, from the chunks made. A bin with no chunk holds zero, which adds nothing to the
    running count and passes no test, so skipping it changes nothing; and the ranks ascend,
    so one walk serves them all."""
    cdef int64_t n = 0, j, h
    cdef int64_t* a
    cdef int64_t* b
    cdef int i, m = 0
    cdef double acc = 0.0, rank, frac
    for j in range(NHC):
        a = _chunk_of(p, c, j)
        b = _chunk_of(more, c, j)
        for i in range(HC):
            n += (a[i] if a != NULL else 0) + (b[i] if b != NULL else 0)
    if n <= 0:
        for m in range(nq):
            out[m] = 0.0
        return
    for j in range(NHC):
        a = _chunk_of(p, c, j)
        b = _chunk_of(more, c, j)
        if m == nq:
            break
        if a == NULL and b == NULL:
            continue
        for i in range(HC):
            h = (a[i] if a != NULL else 0) + (b[i] if b != NULL else 0)
            while m < nq and h > 0:
                rank = qs[m] * n
                if acc + <double>h < rank:
                    break
                frac = (rank - acc) / <double>h
                if frac < 0:
                    frac = 0
                out[m] = fmin(H_MIN * exp((j * HC + i + frac) * H_LOG_GAMMA), vmax)
                m += 1
            acc += <double>h
    while m < nq:
        out[m] = vmax
        m += 1

cdef object _histogram_quantiles(HistPool* p, HistPool* more, components, qs, vmax):
    """``_hist_quantiles`` of each of ``components`` (indices) at its row of ``qs`` (or at the
    one row given for all), the i-th at most ``vmax[i]``."""
    cdef int64_t[::1] comps = np.ascontiguousarray(components, dtype=np.int64)
    cdef double[:, ::1] levels = np.ascontiguousarray(qs, dtype=np.float64)
    cdef double[::1] tops = np.ascontiguousarray(vmax, dtype=np.float64)
    cdef Py_ssize_t r, k, n = comps.shape[0], nq = levels.shape[1]
    if levels.shape[0] not in (1, n) or tops.shape[0] != n:
        raise ValueError("one row of quantiles (or one for all) and one largest value per component")
    for r in range(levels.shape[0]):
        for k in range(1, nq):
            if levels[r, k] < levels[r, k - 1]:
                raise ValueError("each row of quantiles must ascend")
    out = np.zeros((n, nq), dtype=np.float64)
    cdef double[:, ::1] view = out
    if nq == 0:
        return out
    for r in range(n):
        _hist_quantiles(p, more, <int>comps[r], &levels[r if levels.shape[0] == n else 0, 0], <int>nq, tops[r],
                        &view[r, 0])
    return out

cdef int64_t _pool_touched(int n_c, int64_t chunks) noexcept nogil:
    """The bytes of a pool (``_histogram_pool``) of ``n_c`` components the kernel gives pages
    to once ``chunks`` chunks are made (chunk 0 included): the table, every entry of which a
    component's first count may read, and the chunks, made front to back, to the end of the
    page the last one is in (a huge page over a pool of 4 MB or more)."""
    cdef int64_t room = max(n_c, 1) * NHC + 1
    cdef int64_t table = (room + 1) // 2 * 8
    cdef int64_t page = (1 << 21) if table + room * HC * 8 >= (1 << 22) else 4096
    cdef int64_t used = table + 64 + chunks * HC * 8
    return (used + page - 1) // page * page


def histogram_bytes_bound(int n_c, double longest):
    """The most the three histogram pools of ``n_c`` components can come to use in a run where
    no latency or queue wait lasts more than ``longest`` seconds.

    A pool reserves room for every chunk (as much as dense rows), but that room is address
    space: the kernel gives a page only when it is first written, and a chunk is made only
    when one of its bins is first counted. A latency or a wait fits in the run, so it lies
    in a bin at most the bin of ``longest``: no component makes a chunk past that one's.
    """
    cdef int64_t chunks = min(<int64_t>NHC, _histogram_bin(longest) // HC + 1)
    return 3 * _pool_touched(n_c, 1 + max(n_c, 1) * chunks)


def histogram_quantile(hist, double q, double vmax):
    """The q-quantile (0 < q < 1) of a latency histogram row (``HISTOGRAM_BINS`` int64 counts)
    whose largest value is ``vmax``; 0 for an empty histogram."""
    counts = np.ascontiguousarray(hist, dtype=np.int64)
    if counts.shape != (NB,):
        raise ValueError(f"a latency histogram has {NB} bins (got shape {counts.shape})")
    cdef int64_t[::1] view = counts
    return _histogram_quantile(&view[0], <int64_t>counts.sum(), q, vmax, 0, NB - 1)


_histogram_init()


def histogram_bins(values, bint formula=False):
    """The latency histogram bin of each value (seconds), as the engine records it; with
    ``formula``, by the defining formula floor(log(v / HISTOGRAM_MIN) / log(HISTOGRAM_GAMMA))
    (capped to the end bins) instead of the engine's table lookup. Both must always agree."""
    cdef double[::1] v = np.ascontiguousarray(values, dtype=np.float64).ravel()
    out = np.empty(v.shape[0], dtype=np.int32)
    cdef int[::1] o = out
    cdef Py_ssize_t i
    with nogil:
        if formula:
            for i in range(v.shape[0]):
                o[i] = _histogram_bin_formula(v[i])
        else:
            for i in range(v.shape[0]):
                o[i] = _histogram_bin(v[i])
    return out
