# The dense per-bucket rows that results read (``mc``, ``mg``, ``ml``, ``mlg``) and the run's
# totals (``tot_c``, ``tot_l``): the loop counts into one scratch row each and keeps records of
# what was active in a bucket (engine/_metrics.pxd, "Rows"); these are filled from the records
# only when read. Included into engine/_core.pyx, whose ``Core`` owns one ``_DenseRows``.

# each field's place in the live rows (engine/_metrics.pxd), for reading them from numpy
_MC_PLACE = np.array([MC_SLOT[f] for f in range(NMC)])
_ML_PLACE = np.array([ML_SLOT[f] for f in range(NML)])
# and of the totals of their amounts
_MC_TOTAL = np.array([MC_TOTAL[a] for a in range(NAC)])
_ML_TOTAL = np.array([ML_TOTAL[a] for a in range(NAL)])
if any(MC_FIELD[MC_SLOT[f]] != f or MC_SLOT[f] == ROW_HOT for f in range(NMC)) or any(
        ML_FIELD[ML_SLOT[f]] != f or ML_SLOT[f] == ROW_HOT for f in range(NML)) or any(
        MC_FIELD[p] != -1 or p == ROW_HOT for p in _MC_TOTAL) or any(
        ML_FIELD[p] != -1 or p == ROW_HOT for p in _ML_TOTAL) or (
        sum(1 << int(p) for p in _MC_TOTAL) != MC_TOTALS or sum(1 << int(p) for p in _ML_TOTAL) != ML_TOTALS):
    raise ImportError("engine/_metrics.pxd: the live rows' places and fields disagree")


cdef void _catch_up_far(Sim* s, int c) noexcept nogil:
    _catch_up_now(s, c)


cdef double* _counter_rows(dict keep, str name, int64_t n, int64_t width) except NULL:
    """The live counter rows of ``n`` components or links, ``width`` places each, zeroed and
    from a cache line's start. (Padded rows with the counts in the results' order were tried:
    neighbours stopped sharing lines, and a fan-out of 1,000 missed its 1 MiB cache more.
    With the counts a request makes first, it touches one line of a row.)"""
    raw = np.zeros(max(n, 1) * width + 8)
    skip = (-raw.ctypes.data % 64) // 8
    keep[name] = raw[skip:skip + max(n, 1) * width].reshape(-1, width)
    cdef double[::1] mv = raw
    return &mv[skip]


cdef class _DenseRows:
    """What has been filled in of the dense rows and folded into the totals so far."""

    cdef dict _keep
    cdef object _acc_c, _acc_l   # the counts of the buckets folded into the totals so far
    cdef int _folded             # the next bucket to fold
    cdef object _lv, _lg         # the levels and link gauges as of the last bucket rebuilt
    cdef int64_t _built          # the buckets rebuilt into the dense rows so far

    cdef setup(self, Sim* s, dict keep, int64_t n_b, int64_t n_c, int64_t n_l):
        """Allocate the dense rows, the scratch rows and the records' room, and point the run at them."""
        self._keep = keep
        keep["mc"] = np.zeros((max(n_b, 1), max(n_c, 1), NMC))
        keep["mg"] = np.zeros((max(n_b, 1), max(n_c, 1), NMG))
        keep["ml"] = np.zeros((max(n_b, 1), max(n_l, 1), NML))
        keep["mlg"] = np.zeros((max(n_b, 1), max(n_l, 1), NMLG))
        keep["tot_c"] = np.zeros((max(n_c, 1), NMC))
        keep["tot_l"] = np.zeros((max(n_l, 1), NML))
        s.mc_row = _counter_rows(keep, "_mc_row", n_c, ROW_W)
        s.ml_row = _counter_rows(keep, "_ml_row", n_l, ROW_W)
        keep["_c_flushed"] = np.zeros(max(n_c, 1), dtype=np.int64)
        s.c_flushed = _iptr(keep["_c_flushed"])
        s.catch_up = _catch_up_far
        keep["_rc_boff"] = np.zeros(max(n_b + 1, 1), dtype=np.int64)
        keep["_rl_boff"] = np.zeros(max(n_b + 1, 1), dtype=np.int64)
        keep["_rc_voff"] = np.zeros(max(n_b + 1, 1), dtype=np.int64)
        keep["_rl_voff"] = np.zeros(max(n_b + 1, 1), dtype=np.int64)
        s.rc_boff = _iptr(keep["_rc_boff"])
        s.rl_boff = _iptr(keep["_rl_boff"])
        s.rc_voff = _iptr(keep["_rc_voff"])
        s.rl_voff = _iptr(keep["_rl_voff"])
        self._lv = np.zeros(max(n_c, 1) * 5)
        self._lg = np.zeros(max(n_l, 1) * NMLG)
        self._built = 0
        # Room for every record a run can make, up to a quarter million of each, at once: what
        # is never written costs no memory, and one block is reused from run to run where
        # growing block by block would take fresh pages from the kernel each time.
        if not _rows_room(s, min(n_b * n_c, 1 << 18), min(n_b * n_l, 1 << 18)):
            raise MemoryError("not enough memory for the run's per-bucket records")
        keep["_warm_c"] = np.zeros((max(n_c, 1), NMC))
        keep["_warm_l"] = np.zeros((max(n_l, 1), NML))
        s.warm_c = _dptr(keep["_warm_c"].reshape(-1))
        s.warm_l = _dptr(keep["_warm_l"].reshape(-1))
        self._acc_c = np.zeros((max(n_c, 1), NMC))
        self._acc_l = np.zeros((max(n_l, 1), NML))
        self._folded = 1

    cdef rebuild(self, Sim* s):
        """Fill the dense rows ``mc``, ``mg``, ``ml`` and ``mlg`` of the buckets flushed since
        the last call from their records, and the current bucket's counts so far; bring every
        component's areas up to the current bucket."""
        cdef int64_t b, done = min(s.current_bucket, s.n_b)
        cdef double[:, :, ::1] mc = self._keep["mc"]
        cdef double[:, :, ::1] mg = self._keep["mg"]
        cdef double[:, :, ::1] ml = self._keep["ml"]
        cdef double[:, :, ::1] mlg = self._keep["mlg"]
        cdef double[::1] lv = self._lv
        cdef double[::1] lg = self._lg
        cdef int c, l
        with nogil:
            _hp_apply(s)
            _catch_up_all(s)
            for c in range(s.n_c):
                _settle_counts_c(s, c)
            for l in range(s.n_l):
                _settle_counts_l(s, l)
            for b in range(self._built, done):
                _rows_rebuild(s, b, &mc[b, 0, 0], &mg[b, 0, 0], &ml[b, 0, 0], &mlg[b, 0, 0], &lv[0], &lg[0])
            _rows_forget(s, done)
        self._built = done
        if done < s.n_b:
            self._keep["mc"][done] = self._keep["_mc_row"][:, _MC_PLACE]
            self._keep["ml"][done] = self._keep["_ml_row"][:, _ML_PLACE]

    cdef fold(self, Sim* s):
        """Bring ``tot_c`` and ``tot_l`` up to now: the loop counts into the bucket rows
        only, and sums the amounts that close each row into totals its live row keeps. Since the
        warm-up: the buckets after the one it ended in, plus what that one counted from then
        on. Each finished bucket is added once; the counts are whole numbers, so these sums
        are exact whatever their order."""
        cdef int cur = min(s.current_bucket, s.n_b - 1)
        cdef int wb = s.warm_bucket
        if not s.measuring:
            return
        keep = self._keep
        if self._folded <= wb:
            self._folded = wb + 1
        for rows_name, tot_name, warm_name, acc, live, amounts in (
                ("mc", "tot_c", "_warm_c", self._acc_c, "_mc_row", _MC_TOTAL),
                ("ml", "tot_l", "_warm_l", self._acc_l, "_ml_row", _ML_TOTAL)):
            rows = keep[rows_name]
            if cur > self._folded:
                acc += rows[self._folded:cur].sum(axis=0)
            counts = rows[wb] - keep[warm_name]
            if cur > wb:
                counts += acc + rows[cur]
            counts[:, -len(amounts):] = keep[live][:, amounts]
            keep[tot_name][...] = counts
        if cur > self._folded:
            self._folded = cur
