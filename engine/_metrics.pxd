# Streaming metrics: per-bucket counters, time-weighted areas, log-bucketed latency histograms
# and the objectives' counters.
from libc.stdint cimport int64_t, int32_t, uint16_t, uint64_t
from libc.math cimport exp, fmin
from libc.string cimport memcpy

from engine._clock cimport _ns, _seconds

from engine._codes cimport *
from engine._state cimport Sim, HistPool, LinkSums

# Log-bucketed latency histogram: bins grow by 0.5 %, 1 µs .. ~6.9 h. A percentile is
# interpolated inside the bin that holds it (``_histogram_quantile``), so it lies in the
# same bin as the exact sample percentile: relative error below 0.5 % for any distribution.
#
# A bin is defined by the formula in faultline_h_formula, floor(log(v / H_MIN) / log(1.005)),
# but a `log` per recorded latency was a third of finishing a request. So the bin is looked
# up instead: the top bits of a positive double (its exponent and first mantissa bits) order
# it like its value and cut each power of two into cells narrower than two bins, so a cell's
# first bin plus a comparison or two against the bins' least values gives the bin. Those
# least values are found once, by bisection against the formula itself, so the lookup gives
# the formula's bin for every double; within a few ulps of a bin's edge, where a
# non-monotone rounding of the formula could disagree with a single edge, the formula
# decides.
cdef extern from *:
    """
    #include <math.h>
    #include <stdint.h>
    #include <string.h>
    #define FAULTLINE_H_MIN 1e-6
    #define FAULTLINE_H_GAMMA 1.005
    #define FAULTLINE_H_LOG_GAMMA 0.004987541511038968  /* log(1.005), to the last bit */
    #define FAULTLINE_NB 4800
    #define FAULTLINE_H_CELL_BITS 7   /* cells of at most 2**-7 = 0.78 %: two bin edges at most */
    #define FAULTLINE_H_NEAR 4        /* ulps around an edge where the formula decides */
    #define FAULTLINE_H_CELLS 4608    /* cells from H_MIN past the last edge (36 binades) */

    static int64_t faultline_h_edge[FAULTLINE_NB + 1];   /* bits of bin k's least value; [NB]: none */
    static uint16_t faultline_h_cell[FAULTLINE_H_CELLS]; /* the bin of each cell's least value */
    static int64_t faultline_h_base;                     /* the cell of H_MIN */
    static int faultline_h_ready = 0;

    static inline int64_t faultline_h_bits(double v) { int64_t b; memcpy(&b, &v, 8); return b; }
    static inline double faultline_h_value(int64_t b) { double v; memcpy(&v, &b, 8); return v; }

    static inline int faultline_h_formula(double value) {
        int b;
        if (value <= FAULTLINE_H_MIN) return 0;
        b = (int)(log(value / FAULTLINE_H_MIN) / FAULTLINE_H_LOG_GAMMA);
        return b >= FAULTLINE_NB ? FAULTLINE_NB - 1 : b;
    }

    static void faultline_h_init(void) {
        int k, c, b = 0;
        int64_t lo, hi, mid, x;
        if (faultline_h_ready) return;
        faultline_h_edge[0] = faultline_h_bits(FAULTLINE_H_MIN) + 1;
        for (k = 1; k < FAULTLINE_NB; k++) {
            /* bracket the edge near its closed form, then bisect: formula(lo) < k <= formula(hi) */
            x = faultline_h_bits(FAULTLINE_H_MIN * exp(k * FAULTLINE_H_LOG_GAMMA));
            lo = x - 16;
            hi = x + 16;
            while (faultline_h_formula(faultline_h_value(lo)) >= k) lo -= 1024;
            while (faultline_h_formula(faultline_h_value(hi)) < k) hi += 1024;
            while (hi - lo > 1) {
                mid = lo + (hi - lo) / 2;
                if (faultline_h_formula(faultline_h_value(mid)) >= k) hi = mid; else lo = mid;
            }
            faultline_h_edge[k] = hi;
        }
        faultline_h_edge[FAULTLINE_NB] = INT64_MAX;
        faultline_h_base = faultline_h_bits(FAULTLINE_H_MIN) >> (52 - FAULTLINE_H_CELL_BITS);
        for (c = 0; c < FAULTLINE_H_CELLS; c++) {
            x = (faultline_h_base + c) << (52 - FAULTLINE_H_CELL_BITS);
            while (b + 1 < FAULTLINE_NB && faultline_h_edge[b + 1] <= x) b++;
            faultline_h_cell[c] = (uint16_t)b;
        }
        faultline_h_ready = 1;
    }

    static inline int faultline_h_bin(double value) {
        int64_t x, c;
        int b;
        if (value <= FAULTLINE_H_MIN) return 0;
        x = faultline_h_bits(value);
        c = (x >> (52 - FAULTLINE_H_CELL_BITS)) - faultline_h_base;
        if ((uint64_t)c >= FAULTLINE_H_CELLS) return faultline_h_formula(value);   /* hours long, or NaN */
        b = faultline_h_cell[c];
        while (x >= faultline_h_edge[b + 1]) b++;
        if (x - faultline_h_edge[b] < FAULTLINE_H_NEAR || faultline_h_edge[b + 1] - x <= FAULTLINE_H_NEAR)
            return faultline_h_formula(value);
        return b;
    }
    """
    bint _unlikely "__builtin_expect"(bint x, long c) noexcept nogil
    const double H_MIN "FAULTLINE_H_MIN"
    const double H_GAMMA "FAULTLINE_H_GAMMA"
    const double H_LOG_GAMMA "FAULTLINE_H_LOG_GAMMA"
    void _histogram_init "faultline_h_init"() noexcept nogil
    int _histogram_bin "faultline_h_bin"(double value) noexcept nogil
    int _histogram_bin_formula "faultline_h_formula"(double value) noexcept nogil
    int _ctz "__builtin_ctzll"(uint64_t x) noexcept nogil

cdef enum:
    NB = 4800
    # A component's latency buffer: a ring of the bins of its bucket's latencies, the i-th
    # of the bucket (i: its latency count, CompLat's b_n, before it) in slot i % LB_SLOTS,
    # after what only a spill or the flush reads: how many of the bucket's latencies are
    # counted in its histogram (hist_b). A latency thus writes its CompLat line, which stages
    # the bins four at a time (CompLat.stage: a component's slot line, among a thousand,
    # was a cache miss at every latency), and every fourth latency four slots (_unstage
    # writes out a group not yet whole before the ring is read). A component that answers up to
    # LB_SLOTS a bucket (a service among a thousand: about a hundred) keeps them all here,
    # and the flush folds them from here (_fold_buffered) without ever writing the bucket's
    # histogram, whose lines would each be a cache miss at the latency and another at the
    # flush's read. One that answers more counts each full ring into the bucket's histogram.
    LB_COUNTED = 0   # an int64 at the buffer's start
    LB_HEAD = 4      # the first slot
    LB_SLOTS = 256   # a power of two
    LB_STRIDE = LB_HEAD + LB_SLOTS
    # A bucket's used bins, a bit each (b_used): the percentiles' walk visits only those.
    NBW = 75   # NB / 64
    # A histogram's chunk (HistPool): two cache lines of bins, so that the chunks a component
    # makes hold little more than the bins it uses (a run of the benchmarks' thousand
    # services: 4 to 6 MB in chunks of 16 bins, 8 to 9 MB of 64, 38.4 MB dense).
    HC_BITS = 4
    HC = 16
    NHC = 300   # NB / HC, a component's chunks
    # Additions to the run's histograms waiting to be made together (_hp_apply): a thousand
    # components' rows are far apart, and a batch of independent additions overlaps their
    # cache misses. Each is (component * NB + bin) << HP_BITS | count, a count of at most LB_SLOTS.
    HP_CAP = 512
    HP_BITS = 9
    # The amounts (seconds summed, not counted) close each row of fields; their totals since
    # the warm-up are kept in the live counter rows (MC_TOTAL, ML_TOTAL).
    NAC = NMC - MC_WAIT_SUM
    NAL = NML - ML_BH_WAIT_SUM


cdef inline double _histogram_quantile(int64_t* hist, int64_t n, double q, double vmax, int lo, int hi) noexcept nogil:
    """The q-quantile of ``n`` latencies in a log-bucketed histogram.

    The rank q·n falls in bin b, which holds h values after ``acc`` smaller ones; the value is
    read at the fraction (q·n − acc) / h of the bin on a log scale, as if the values were spread
    evenly inside it. Seeds that fill a bin differently thus give different percentiles, and the
    result stays in the bin of the exact sample quantile (the ⌈q·n⌉-th smallest value).
    Only bins ``lo`` to ``hi`` (inclusive) may hold values.
    """
    cdef double rank = q * n
    cdef double acc = 0.0, h, frac
    cdef int b
    if n <= 0:
        return 0.0
    for b in range(lo, hi + 1):
        h = <double>hist[b]
        if h > 0 and acc + h >= rank:
            frac = (rank - acc) / h
            if frac < 0:
                frac = 0
            return fmin(H_MIN * exp((b + frac) * H_LOG_GAMMA), vmax)
        acc += h
    return vmax


cdef inline void _fold_bucket_latencies(Sim* s, int c, int64_t n, double* p50, double* p90, double* p99) noexcept nogil:
    """The bucket's 50th, 90th and 99th percentiles of component ``c``'s ``n`` latencies, in
    one pass over the bins it used, which are then added to the run's histogram (once the
    warm-up is over) and cleared.

    Each percentile is ``_histogram_quantile``'s, bit for bit: the same ranks, the same running
    count in the same order. Once one is capped at the bucket's maximum, so are the ones after
    it, and their ``exp`` is skipped: a higher rank's position ``b + frac`` is past
    the lower one's by at least 0.09 of a bin (0.09 n ranks over at most n latencies), a step
    in ``exp`` thousands of times its rounding, so its bound is at least as high.
    """
    cdef HistPool* bucket = s.hist_b
    cdef int32_t* chunks = &bucket.chunk[<int64_t>c * NHC]
    cdef int64_t* count
    cdef uint64_t* used = &s.b_used[<int64_t>c * NBW]
    cdef uint64_t bits
    cdef uint16_t* buf = &s.lat_buf[<int64_t>c * LB_STRIDE]
    cdef int b, w
    cdef double vmax = s.cl[c].b_max, acc = 0.0, h
    cdef double rank[3]
    cdef double out[3]
    cdef int found = 0
    _unstage(s, c)
    rank[0] = 0.50 * n
    rank[1] = 0.90 * n
    rank[2] = 0.99 * n
    out[0] = vmax
    out[1] = vmax
    out[2] = vmax
    if (<int64_t*>buf)[LB_COUNTED] == 0 and n <= LB_SLOTS:
        # All the bucket's latencies are still in the buffer (a component with up to
        # LB_SLOTS a bucket): the same walk over their bins, without the bucket's histogram.
        _fold_buffered(s, c, &buf[LB_HEAD], <int>n, rank, out)
        p50[0] = out[0]
        p90[0] = out[1]
        p99[0] = out[2]
        return
    _count_latencies(s, c)
    (<int64_t*>buf)[LB_COUNTED] = 0
    # The bins with latencies, in ascending order, from the bucket's bitmap: an empty bin
    # would add 0 to the running count and pass every test, so skipping it changes nothing,
    # while a spread-out bucket (a latency fault's long tail) leaves most bins empty. Its
    # NBW words are read whole: a bucket comes here only past LB_SLOTS latencies.
    for w in range(NBW):
        bits = used[w]
        used[w] = 0
        while bits:
            b = (w << 6) + _ctz(bits)
            bits &= bits - 1
            count = &bucket.v[<int64_t>chunks[b >> HC_BITS] * HC + (b & (HC - 1))]
            h = <double>count[0]
            found = _ranks_in_bin(rank, out, found, acc, h, b, vmax)
            if s.hist_split:
                _hist_at(s.hist_t, c, b)[0] += count[0]
            count[0] = 0
            acc += h
    p50[0] = out[0]
    p90[0] = out[1]
    p99[0] = out[2]


cdef inline int _ranks_in_bin(double* rank, double* out, int found, double acc, double h, int b, double vmax) noexcept nogil:
    """The percentiles from the ``found``-th on whose rank falls in bin ``b``, which holds
    ``h`` latencies after ``acc``: each interpolated inside the bin into ``out``, or left at
    the bucket's largest ``vmax`` once one reaches it (the ranks after it are capped too,
    see _fold_bucket_latencies). Returns how many are now found."""
    cdef int k
    cdef double frac, x
    for k in range(found, 3):
        if acc + h < rank[k]:
            break
        frac = (rank[k] - acc) / h
        if frac < 0:
            frac = 0
        x = H_MIN * exp((b + frac) * H_LOG_GAMMA)
        if x >= vmax:
            return 3
        out[k] = x
        found = k + 1
    return found


cdef inline void _hp_apply(Sim* s) noexcept nogil:
    """Make the waiting additions to the run's histograms (whole counts: in any order)."""
    cdef int64_t k, x
    for k in range(s.hp_n):
        x = s.hp_idx[k]
        _hist_at_flat(s.hist_t, x >> HP_BITS)[0] += x & ((1 << HP_BITS) - 1)
    s.hp_n = 0


cdef inline int64_t* _hist_at(HistPool* p, int c, int b) noexcept nogil:
    """Component ``c``'s count in bin ``b`` of ``p``, its chunk made if it had none."""
    return _hist_at_flat(p, <int64_t>c * NB + b)


cdef inline int64_t* _hist_at_flat(HistPool* p, int64_t at) noexcept nogil:
    """_hist_at of bin ``at`` of the components' rows laid end to end (c * NB + b): a row's
    NB bins are its NHC chunks, so the chunk is at's HC-th, without a division."""
    cdef int32_t* k = &p.chunk[at >> HC_BITS]
    if _unlikely(k[0] == 0, 0):
        k[0] = <int32_t>p.n   # the next of the pool's zeros (it has room for every chunk)
        p.n += 1
    return &p.v[<int64_t>k[0] * HC + (at & (HC - 1))]


cdef inline void _fold_buffered(Sim* s, int c, uint16_t* slot, int n, double* rank, double* out) noexcept nogil:
    """_fold_bucket_latencies over the bucket's ``n`` bins in ``slot``, bit for bit: the bins
    with latencies in ascending order, the same running count. They are tallied into the
    flush's own zeroed scratch (s.fold_tally, s.fold_used), which stays in the cache from one
    component to the next and is left zeroed again."""
    cdef int i, b, w, m, lo = NB, hi = 0, found = 0   # lo, hi: the bins' range
    cdef uint16_t* tally = s.fold_tally
    cdef uint64_t* used = s.fold_used
    cdef uint64_t bits
    cdef double acc = 0.0, h, vmax = out[0]
    for i in range(n):
        b = slot[i]
        tally[b] += 1
        used[b >> 6] |= (<uint64_t>1) << (b & 63)
        lo = b if b < lo else lo
        hi = b if b > hi else hi
    for w in range(lo >> 6, (hi >> 6) + 1):
        bits = used[w]
        used[w] = 0
        while bits:
            b = (w << 6) + _ctz(bits)
            bits &= bits - 1
            m = tally[b]
            tally[b] = 0
            h = <double>m
            found = _ranks_in_bin(rank, out, found, acc, h, b, vmax)
            if s.hist_split:
                s.hp_idx[s.hp_n] = ((<int64_t>c * NB + b) << HP_BITS) | m
                s.hp_n += 1
                if s.hp_n == HP_CAP:
                    _hp_apply(s)
            acc += h


cdef inline void _unstage(Sim* s, int c) noexcept nogil:
    """Write the bins of ``c``'s group of four not yet whole (CompLat.stage) to its ring,
    which is then whole up to the bucket's latest latency: before the ring is read."""
    cdef uint16_t* buf = &s.lat_buf[<int64_t>c * LB_STRIDE]
    cdef int64_t i, n = <int64_t>s.cl[c].b_n
    for i in range(n & ~(<int64_t>3), n):
        buf[LB_HEAD + (i & (LB_SLOTS - 1))] = s.cl[c].stage[i & 3]


cdef inline void _count_latencies(Sim* s, int c) noexcept nogil:
    """Count the bins of component ``c``'s bucket not yet counted into its bucket's histogram:
    _hist_at's steps with the component's chunk row and the pool's counts read once, where
    each count's store, which may alias them, had them reloaded at every latency. A bin's bit
    in ``used`` is set as its count leaves 0 (the flush clears both together), so it is set
    exactly when the count is not 0, as before."""
    cdef uint16_t* buf = &s.lat_buf[<int64_t>c * LB_STRIDE]
    cdef uint64_t* used = &s.b_used[<int64_t>c * NBW]
    cdef HistPool* p = s.hist_b
    cdef int32_t* chunks = &p.chunk[<int64_t>c * NHC]
    cdef int64_t* v = p.v
    cdef int64_t* count
    cdef int64_t i, n = <int64_t>s.cl[c].b_n
    cdef int b
    cdef int32_t k
    _unstage(s, c)
    for i in range((<int64_t*>buf)[LB_COUNTED], n):
        b = buf[LB_HEAD + (i & (LB_SLOTS - 1))]
        k = chunks[b >> HC_BITS]
        if _unlikely(k == 0, 0):
            k = <int32_t>p.n   # the next of the pool's zeros (it has room for every chunk)
            chunks[b >> HC_BITS] = k
            p.n += 1
        count = &v[<int64_t>k * HC + (b & (HC - 1))]
        if count[0] == 0:
            used[b >> 6] |= (<uint64_t>1) << (b & 63)
        count[0] += 1
    (<int64_t*>buf)[LB_COUNTED] = n


cdef inline void _hist_split(Sim* s) noexcept nogil:
    """The first latency after the warm-up: what the current bucket holds so far preceded it,
    so it is taken from the run's histogram now, to be added back at the bucket's flush."""
    cdef int c, b, w
    cdef uint64_t bits
    for c in range(s.n_c):
        _count_latencies(s, c)
        for w in range(NBW):
            bits = s.b_used[<int64_t>c * NBW + w]
            while bits:
                b = (w << 6) + _ctz(bits)
                bits &= bits - 1
                _hist_at(s.hist_t, c, b)[0] -= _hist_at(s.hist_b, c, b)[0]
    s.hist_split = 1


cdef inline void _hist_add_dense(HistPool* p, int64_t* out, int n_c) noexcept nogil:
    """Add ``p``'s histograms to ``out``, n_c dense rows of NB bins."""
    cdef int64_t c, j, k
    cdef int i
    for c in range(n_c):
        for j in range(NHC):
            k = p.chunk[c * NHC + j]
            if k:
                for i in range(HC):
                    out[c * NB + j * HC + i] += p.v[k * HC + i]


# Counts (whole numbers) go only to the current bucket's row: the run's total of a count is
# the sum of its rows since the warm-up, exact in doubles in any order, which Core.state_arrays
# folds in as the buckets end. Amounts in seconds (``_sum_c``, ``_sum_l``) are also added to
# the total as they come, since a sum in another order could differ in its last bits.
#
# Rows: the current bucket's counts are one scratch row per component and link, and its
# flush keeps a record only of what was active in it, so a bucket costs what happened in it,
# not one row per component (hundreds of idle ones write no fresh memory and are not
# visited). An idle component's gauges are its levels (unchanged, since every change is
# preceded by a touch) times the bucket's time over its width: Core rebuilds them from its
# last record with the flush's own arithmetic, and its areas are caught up the same way,
# bucket by bucket, when it is next active. A link is recorded when counted or when its
# gauges differ from its last record, and carried forward otherwise. A record's counts are
# stored packed (_take_packed): most of a row's are zero, and a bucket then writes what its
# components and links counted, not a row each, onto fewer fresh pages of the store.
#
# The live counter rows (mc_row, ml_row) hold a component's or link's counts in their own
# order, ROW_W apart from a cache line's start: the counts a request makes (arrivals, calls,
# attempts, answers, waits) share each row's first line, so a request at one of a thousand
# components misses on one line of its row, not on two or three. The line's last place
# (ROW_HOT) is set when anything else is counted: a flush reads the row's other lines only
# then, as a request does only for what it rarely counts. The row also keeps the run's
# totals of its amounts since the warm-up (MC_TOTAL, ML_TOTAL), which no flush takes: a
# call's latency goes to its bucket's sum and its total on the one line, not a line of a
# row of totals besides.
cdef extern from *:
    """
    /* the place in its live row of each MC_ and ML_ field (engine/_codes.pxd), the field
       at each place (-1: none), and the places of the totals of the amounts (the fields
       from MC_WAIT_SUM and ML_BH_WAIT_SUM on), in the fields' order */
    static const int faultline_mc_slot[18] = {0, 1, 8, 9, 10, 11, 12, 13, 14, 2, 3, 15, 16, 17, 4, 5, 6, 18};
    static const int faultline_mc_field[24] = {0, 1, 9, 10, 14, 15, 16, -1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 17, -1, -1, -1, -1, -1};
    static const int faultline_mc_total[2] = {19, 20};
    static const int faultline_ml_slot[18] = {0, 1, 6, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 5, 3, 18};
    static const int faultline_ml_field[24] = {0, 1, 3, 16, -1, 15, 2, -1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 14, -1, -1, -1, -1};
    static const int faultline_ml_total[3] = {20, 4, 21};
    """
    const int MC_SLOT "faultline_mc_slot"[18]
    const int MC_FIELD "faultline_mc_field"[24]
    const int MC_TOTAL "faultline_mc_total"[2]
    const int ML_SLOT "faultline_ml_slot"[18]
    const int ML_FIELD "faultline_ml_field"[24]
    const int ML_TOTAL "faultline_ml_total"[3]


cdef enum:
    ROW_W = 24    # a live counter row's width: three whole cache lines
    ROW_HOT = 7   # the counts a request makes come before it; set, the row's other lines are in use
    # Sim.l_counted: a link counted in its row, or only in its LinkHot.sent_plain and LinkSums,
    # which the flush then packs without reading the row (_take_counts_outside)
    L_IN_ROW = 1
    L_OUTSIDE = 2
    # the places of MC_TOTAL and ML_TOTAL, a bit each, which a flush leaves in the row
    MC_TOTALS = (1 << 19) | (1 << 20)
    ML_TOTALS = (1 << 4) | (1 << 20) | (1 << 21)
    RC_W = 34     # at most: a component's record is its counts (packed), its gauges, then its
                  # levels after the bucket (queue, busy, in flight, up, capacity)
    RL_W = 23     # at most: a link's record is its counts (packed), then its gauges
    # A link record's word has this bit where its gauges follow: without it they are zero
    # (a link without a breaker, bulkhead or retries), and its record is its counts alone.
    REC_GAUGES = ROW_W
    # A component record's word has this bit where its queue, busy and in-flight levels after
    # the bucket follow: without it they are zero, and only its up and capacity levels do.
    REC_LEVELS = ROW_W


cdef inline double _bucket_end(Sim* s, int64_t b) noexcept nogil:
    """The clock at bucket ``b``'s flush, as the loop has it then."""
    return _bucket_end_at(s, b, _ns(s.bucket))


cdef inline double _bucket_end_at(Sim* s, int64_t b, int64_t width_ns) noexcept nogil:
    """``_bucket_end`` with the bucket's width in nanoseconds already at hand (loops over buckets)."""
    if b + 1 < s.n_b:
        return _seconds((b + 1) * width_ns)
    return _seconds(_ns(s.duration))


cdef inline double _bucket_width(Sim* s, int64_t b) noexcept nogil:
    """The width bucket ``b``'s gauges are divided by (the last may be shorter)."""
    cdef double width
    if b + 1 < s.n_b:
        return s.bucket
    width = s.duration - (s.n_b - 1) * s.bucket
    return width if width > 0 else s.bucket


cdef inline int _lowest_bit(double x) noexcept nogil:
    """The exponent of ``x``'s lowest set bit (x = odd * 2**result), for a positive normal
    double; 2000 for zero (a multiple of anything), -2000 for what has none to tell."""
    cdef uint64_t bits
    cdef int ex
    memcpy(&bits, &x, 8)
    if bits == 0:
        return 2000
    ex = <int>((bits >> 52) & 0x7ff)
    if ex == 0 or ex == 0x7ff or (bits >> 63):
        return -2000
    return ex - 1075 + _ctz((bits & ((<uint64_t>1 << 52) - 1)) | (<uint64_t>1 << 52))


cdef inline bint _sum_of_equal_steps(double start, double step, int64_t n, double* out) noexcept nogil:
    """``start`` plus ``n`` times ``step``, added one at a time, each sum rounded, into
    ``out``: in one step when none of those sums rounds, else 0 (``out`` untouched). Both
    being whole multiples of 2**e, every sum is one too, below the last, so exact while the
    last stays under 2**(53 + e); the test asks for under 2**(52 + e), which the last's
    own rounding cannot cross."""
    cdef int e = min(_lowest_bit(start), _lowest_bit(step))
    cdef double total
    cdef uint64_t bits
    if e == 2000:
        out[0] = start
        return 1
    if e == -2000:
        return 0
    total = start + <double>n * step
    memcpy(&bits, &total, 8)
    if <int>((bits >> 52) & 0x7ff) - 1023 >= 52 + e:
        return 0
    out[0] = total
    return 1


cdef inline void _catch_up(Sim* s, int c, int64_t upto) noexcept nogil:
    """Do for component ``c`` what the flushes of the buckets before ``upto`` that it sat
    idle through would have done to its areas and queue peak (as _touch and the flush do)."""
    cdef int64_t k = s.c_flushed[c], width_ns, full
    cdef int a
    cdef double t, dt, last, lt, q, b, i, u, cq, cb, ci, cu
    cdef double* area = s.ch[c].area
    cdef double* cum = &s.c_cum_area[c * NA]
    if k >= upto:
        return
    width_ns = _ns(s.bucket)
    # the first bucket adds what the component did in it before it went idle
    t = _bucket_end_at(s, k, width_ns)
    if s.ch[c].qlen > s.ch[c].qpeak and t >= s.warmup:
        s.ch[c].qpeak = s.ch[c].qlen
    dt = t - s.ch[c].last_t
    if dt > 0:
        area[A_QLEN] += s.ch[c].qlen * dt
        area[A_BUSY] += s.ch[c].busy * dt
        area[A_INFLIGHT] += s.ch[c].inflight * dt
        area[A_UP] += s.ch[c].up * dt
        s.ch[c].last_t = t
    for a in range(NA):
        cum[a] += area[a]
        area[a] = 0
    s.c_flushed[c] = upto
    k += 1
    if k >= upto:
        return
    # The rest start with zero areas, and the levels stay as they are: each bucket's area is
    # exactly level * dt, added to the cumulative ones in the same order as bucket by bucket,
    # in registers. A level of zero adds exactly zero (the sums are never -0), so a component
    # with every level zero only moves its clock to the last bucket's end.
    last = _bucket_end_at(s, upto - 1, width_ns)
    if s.ch[c].qlen > s.ch[c].qpeak and last >= s.warmup:   # the bucket ends only grow
        s.ch[c].qpeak = s.ch[c].qlen
    q = s.ch[c].qlen
    b = s.ch[c].busy
    i = s.ch[c].inflight
    u = s.ch[c].up
    if q == 0 and b == 0 and i == 0 and u == 0:
        if last > s.ch[c].last_t:
            s.ch[c].last_t = last
        return
    lt = s.ch[c].last_t
    cq, cb, ci, cu = cum[A_QLEN], cum[A_BUSY], cum[A_INFLIGHT], cum[A_UP]
    # Where every whole bucket's end is exact in seconds (its width a whole number of 1/512 s:
    # 5**9 divides its nanoseconds), each of them adds the same level * width to an area, so
    # the stretch up to the last whole bucket is one step, if no sum on the way rounds
    # (_sum_of_equal_steps): bucket by bucket, a service active one bucket in ten among a
    # thousand paid this loop, and a division per bucket, at every return.
    full = upto if upto < s.n_b else s.n_b - 1
    if (k < full and width_ns % 1953125 == 0 and full * width_ns < (<int64_t>1 << 53)
            and lt == _bucket_end_at(s, k - 1, width_ns)):
        t = _seconds(width_ns)
        # (a level of zero leaves its area as it is)
        if ((q == 0 or _sum_of_equal_steps(cq, q * t, full - k, &cq))
                and (b == 0 or _sum_of_equal_steps(cb, b * t, full - k, &cb))
                and (i == 0 or _sum_of_equal_steps(ci, i * t, full - k, &ci))
                and (u == 0 or _sum_of_equal_steps(cu, u * t, full - k, &cu))):
            lt = _bucket_end_at(s, full - 1, width_ns)
            k = full
        else:
            cq, cb, ci, cu = cum[A_QLEN], cum[A_BUSY], cum[A_INFLIGHT], cum[A_UP]
    if q == 0 and b == 0 and i == 0:
        # the common idle service: instances up, nothing else
        for k in range(k, upto):
            t = _bucket_end_at(s, k, width_ns)
            dt = t - lt
            if dt > 0:
                cu += u * dt
                lt = t
        s.ch[c].last_t = lt
        cum[A_UP] = cu
        return
    for k in range(k, upto):
        t = _bucket_end_at(s, k, width_ns)
        dt = t - lt
        if dt > 0:
            cq += q * dt
            cb += b * dt
            ci += i * dt
            cu += u * dt
            lt = t
    s.ch[c].last_t = lt
    cum[A_QLEN], cum[A_BUSY], cum[A_INFLIGHT], cum[A_UP] = cq, cb, ci, cu


cdef inline void _catch_up_all(Sim* s) noexcept nogil:
    """Every component's areas up to the current bucket, for what reads them from outside."""
    cdef int c
    cdef int64_t upto = s.current_bucket if s.current_bucket < s.n_b else s.n_b
    for c in range(s.n_c):
        if s.c_flushed[c] < upto:
            _catch_up(s, c, upto)


cdef inline void _catch_up_now(Sim* s, int c) noexcept nogil:
    """Component ``c``, idle through the last flush(es), is touched: its areas are first
    caught up to the current bucket's start. (Its c_last_t is then before that start: the
    flush of a bucket a component was active in leaves it at the bucket's end.)"""
    _catch_up(s, c, s.current_bucket)
    s.c_active[c] = 1
    _touch_now(s, c, 1)


cdef inline void _count_in(double* row, int slot, double v) noexcept nogil:
    """Adds ``v`` at ``slot`` of a live row (the slot a constant where the field is)."""
    row[slot] += v
    if slot > ROW_HOT:
        row[ROW_HOT] = 1.0


cdef inline void _count_c(Sim* s, int c, int field, double v) noexcept nogil:
    s.c_active[c] = 1
    _count_in(&s.mc_row[c * ROW_W], MC_SLOT[field], v)


cdef inline void _count_l(Sim* s, int l, int field, double v) noexcept nogil:
    s.l_counted[l] = L_IN_ROW
    _count_in(&s.ml_row[l * ROW_W], ML_SLOT[field], v)


cdef inline void _count_c_pair(Sim* s, int c, int field, int other) noexcept nogil:
    """One more in two of component ``c``'s counts at once (a call and its only attempt): the
    row's address and its flag once, where two _count_c would reload both after the flag's
    byte, which may alias anything."""
    cdef double* row = &s.mc_row[c * ROW_W]
    s.c_active[c] = 1
    _count_in(row, MC_SLOT[field], 1.0)
    _count_in(row, MC_SLOT[other], 1.0)


cdef inline void _sum_c(Sim* s, int c, int field, double v) noexcept nogil:
    cdef double* row = &s.mc_row[c * ROW_W]
    s.c_active[c] = 1
    _count_in(row, MC_SLOT[field], v)
    if s.measuring:
        row[MC_TOTAL[field - MC_WAIT_SUM]] += v


cdef inline void _sum_l(Sim* s, int l, int field, double v) noexcept nogil:
    cdef double* row = &s.ml_row[l * ROW_W]
    s.l_counted[l] = L_IN_ROW
    _count_in(row, ML_SLOT[field], v)
    if s.measuring:
        row[ML_TOTAL[field - ML_BH_WAIT_SUM]] += v


cdef inline void _settle_counts_c(Sim* s, int c) noexcept nogil:
    """Write into component ``c``'s live row the counts of the current bucket a request left
    out of it, so that it writes one line less where a thousand services take turns:
    - its answers with O_OK, which _record_done leaves to this: every answer it records is a
      latency of the bucket's (CompLat.b_n) but for the refusals, so those with O_OK are the
      latencies less the answers with the other outcomes that have one;
    - the arrivals a worker took at once (CompHot.started_at_once), each an arrival and a
      start (_plain_call_arrive).
    Whole numbers, so exact in any order. Whatever reads the live row settles it first: the
    flush, the warm-up's end and a live read of the rows."""
    cdef double* row = &s.mc_row[c * ROW_W]
    cdef double n = s.cl[c].b_n
    if row[ROW_HOT] != 0:   # the other outcomes' counts lie past ROW_HOT: while it is clear, all 0
        n -= (row[MC_SLOT[MC_OUT + O_ERROR]] + row[MC_SLOT[MC_OUT + O_TIMEOUT]]
              + row[MC_SLOT[MC_OUT + O_FALLBACK]])
    row[MC_SLOT[MC_OUT + O_OK]] = n
    row[MC_SLOT[MC_ARRIVALS]] += s.ch[c].started_at_once
    row[MC_SLOT[MC_STARTED]] += s.ch[c].started_at_once
    s.ch[c].started_at_once = 0


cdef inline void _settle_counts_l(Sim* s, int l) noexcept nogil:
    """Write into link ``l``'s live row what the current bucket counted outside it, so that
    neither a call nor its answer writes the row's line:
    - its calls sent with their one attempt (LinkHot.sent_plain), each a call and an attempt;
    - its answers with O_OK and its latency sums (LinkSums, _count_answer_l). The sums are
      written, not added: they are the row's, summed in the answers' order, so they are the
      same to the last bit however often the row is read (the flush zeroes the bucket's).
    As _settle_counts_c, before anything reads the row, which then holds them (L_IN_ROW)."""
    cdef double* row = &s.ml_row[l * ROW_W]
    cdef LinkSums* sums = &s.l_sums[l]
    if s.l_counted[l]:
        s.l_counted[l] = L_IN_ROW
    row[ML_SLOT[ML_CALLS]] += s.lh[l].sent_plain
    row[ML_SLOT[ML_ATTEMPTS]] += s.lh[l].sent_plain
    s.lh[l].sent_plain = 0
    row[ML_SLOT[ML_OUT + O_OK]] += sums.ok
    sums.ok = 0
    row[ML_SLOT[ML_LAT_SUM]] = sums.lat
    row[ML_TOTAL[ML_LAT_SUM - ML_BH_WAIT_SUM]] = sums.lat_total


cdef inline void _count_answer_l(Sim* s, int l, int outcome, double took) noexcept nogil:
    """A call over link ``l`` ended with ``outcome`` after ``took`` seconds: a refusal's time
    goes to the row (rare), the rest to the link's LinkSums."""
    cdef LinkSums* sums = &s.l_sums[l]
    if outcome == O_OK:
        s.l_counted[l] |= L_OUTSIDE
        sums.ok += 1
    else:
        _count_l(s, l, ML_OUT + outcome, 1.0)
        if outcome == O_REJECTED or outcome == O_SHORT_CIRCUITED or outcome == O_UNAVAILABLE:
            _sum_l(s, l, ML_REFUSED_TIME, took)
            return
    sums.lat += took
    if s.measuring:
        sums.lat_total += took


cdef inline void _count_sent_plain(Sim* s, int l) noexcept nogil:
    """A call over link ``l`` with its one attempt: counted in the link's line, and in its row
    when that is next read (_settle_counts_l)."""
    s.l_counted[l] |= L_OUTSIDE
    s.lh[l].sent_plain += 1


cdef inline void _start_measuring(Sim* s) noexcept nogil:
    """The clock has reached the warm-up's end: keep the current bucket's counts so far, which
    the run's totals leave out."""
    cdef int64_t i
    cdef int f
    s.measuring = 1
    s.warm_bucket = s.current_bucket
    for i in range(s.n_c):
        _settle_counts_c(s, <int>i)
        for f in range(NMC):
            s.warm_c[i * NMC + f] = s.mc_row[i * ROW_W + MC_SLOT[f]]
    for i in range(s.n_l):
        _settle_counts_l(s, <int>i)
        for f in range(NML):
            s.warm_l[i * NML + f] = s.ml_row[i * ROW_W + ML_SLOT[f]]


cdef inline void _touch(Sim* s, int c) noexcept nogil:
    _touch_levels(s, c, 1, 0)


cdef inline void _touch_counted(Sim* s, int c) noexcept nogil:
    """_touch right after a count of ``c`` (_count_c, _record_done), which marked it active:
    the flag's second write, after the row's which may alias it, was not left out for us."""
    _touch_levels(s, c, 1, 1)


cdef inline void _touch_client(Sim* s, int c) noexcept nogil:
    """_touch_counted at a client, whose requests in flight are its only level that moves: its
    queue, busy workers and instances up stay 0 all run long (a design that calls a client, or
    puts an instance's fault or an autoscaler on one, does not compile:
    engine/model/validation.py), so their areas and the queue's peak would only add 0 to 0."""
    _touch_levels(s, c, 0, 1)


cdef inline void _touch_levels(Sim* s, int c, bint serves, bint counted) noexcept nogil:
    if _unlikely(s.ch[c].last_t < s.bucket_start, 0):
        # idle through the last flush: caught up, then touched, by a (tail) call, so that
        # the catching up stays out of every touch's code and registers
        s.catch_up(s, c)
        return
    if not counted:
        s.c_active[c] = 1
    _touch_now(s, c, serves)


cdef inline void _touch_now(Sim* s, int c, bint serves) noexcept nogil:
    """``serves``: the component may queue, work or go down (all but a client, _touch_client);
    its caller has marked it active."""
    cdef double dt
    cdef double* area
    dt = s.now - s.ch[c].last_t
    # Every change of a queue's length is preceded by a touch, so each length it had is seen
    # here, but for the current one (which the results add).
    if serves and s.ch[c].qlen > s.ch[c].qpeak and s.measuring:
        s.ch[c].qpeak = s.ch[c].qlen
    if dt <= 0:
        return
    area = s.ch[c].area
    if serves:
        area[A_QLEN] += s.ch[c].qlen * dt
        area[A_BUSY] += s.ch[c].busy * dt
    area[A_INFLIGHT] += s.ch[c].inflight * dt
    if serves:
        area[A_UP] += s.ch[c].up * dt
    s.ch[c].last_t = s.now


cdef inline void _on_warmup_end(Sim* s) noexcept nogil:
    """Remember the areas so far: the summary's time averages cover only what follows."""
    cdef int c, k
    for c in range(s.n_c):
        _touch(s, c)
        for k in range(NA):
            s.tot_area[c * NA + k] = -(s.c_cum_area[c * NA + k] + s.ch[c].area[k])


cdef inline void _record_done(Sim* s, int c, int outcome, double latency, bint service) noexcept nogil:
    """A component answered a request: count the outcome, and its latency if it did the work.
    ``service``: ``c`` is known not to be a client, the only kind with objectives
    (engine/compile.py), so its row's count of them is not read: at a thousand components
    that was one more cold line an answer."""
    cdef int b
    cdef int64_t k
    if outcome == O_OK:
        s.c_active[c] = 1   # counted by the latency it records (_settle_counts_c)
    else:
        _count_c(s, c, MC_OUT + outcome, 1.0)
    if outcome == O_REJECTED or outcome == O_SHORT_CIRCUITED or outcome == O_UNAVAILABLE:
        # refusals stay out of the latency percentiles, but the time they took is counted
        if s.measuring:
            s.cl[c].all_sum += latency
            s.cl[c].all_n += 1
        _sum_c(s, c, MC_REFUSED_TIME, latency)
        return
    if not service and s.comps[c].obj_count > 0:
        _count_objectives(s, c, outcome, latency)
    # a client's latency over a link without latency is its service's, just recorded
    if latency != s.binned_latency:
        s.binned_latency = latency
        s.binned_bin = _histogram_bin(latency)
    b = s.binned_bin
    # The run's histogram is not written here but folded from the bucket's at its flush
    # (_fold_bucket_latencies), so a latency costs one histogram line, not two. The first
    # latency measured after the warm-up takes the current bucket's earlier ones out first.
    if s.measuring and not s.hist_split:
        _hist_split(s)
    # The bin is noted in the component's buffer, and counted with the bucket's others: a
    # histogram line written per latency misses the cache when hundreds of components take
    # turns, while a batch of them is counted with their misses overlapping, or never.
    k = <int64_t>s.cl[c].b_n
    s.cl[c].stage[k & 3] = <uint16_t>b
    if (k & 3) == 3:
        memcpy(&s.lat_buf[<int64_t>c * LB_STRIDE + LB_HEAD + (k & (LB_SLOTS - 4))], s.cl[c].stage, sizeof(s.cl[c].stage))
    s.cl[c].b_sum += latency
    s.cl[c].b_n += 1
    if latency > s.cl[c].b_max:
        s.cl[c].b_max = latency
    if _unlikely((k & (LB_SLOTS - 1)) == LB_SLOTS - 1, 0):
        _count_latencies(s, c)   # the ring is full
    if s.measuring:
        s.cl[c].all_sum += latency
        s.cl[c].all_n += 1
        s.cl[c].t_sum += latency
        if latency > s.cl[c].t_max:
            s.cl[c].t_max = latency


cdef inline void _count_objectives(Sim* s, int c, int outcome, double latency) noexcept nogil:
    """Count an answered client request against each of the client's latency thresholds."""
    cdef int64_t k, o
    cdef double* row
    for k in range(s.comps[c].obj_count):
        o = s.comps[c].obj_offset + k
        if latency > s.obj_thr[o]:
            continue
        row = &s.mo[(<int64_t>s.current_bucket * s.n_o + o) * NMO]
        row[MO_SERVED] += 1
        if outcome == O_OK:
            row[MO_OK] += 1
        elif outcome == O_FALLBACK:
            row[MO_FALLBACK] += 1
        if s.measuring:
            row = &s.tot_o[o * NMO]
            row[MO_SERVED] += 1
            if outcome == O_OK:
                row[MO_OK] += 1
            elif outcome == O_FALLBACK:
                row[MO_FALLBACK] += 1
