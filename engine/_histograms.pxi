# The latency and queue-wait histograms' storage: a pool of chunks per histogram (HistPool in
# engine/_state.pxd, filled by _hist_at in engine/_metrics.pxd), and its reading as dense rows
# for the results. Included into engine/_core.pyx, whose ``Core`` owns the three pools.


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
