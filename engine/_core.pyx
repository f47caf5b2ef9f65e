# The event loop: every request, call, fault and pattern state machine as C
# records, run `with nogil` so a GUI thread beside it keeps its frame rate.
#
# Layout: static parameters come from engine.compile as numpy arrays and are
# read through raw pointers; dynamic records (jobs, calls, events) live in
# pooled, growable C arrays with generation counters, so an event that refers
# to a record that was freed and reused is recognised as stale and ignored.
from libc.stdlib cimport malloc, realloc, free, calloc
from libc.string cimport memset
from libc.math cimport log, exp, sqrt, floor, ceil, cos, fabs, fmin, fmax, INFINITY
from libc.stdint cimport uint64_t, int64_t, int32_t

import numpy as np

from engine._structs cimport Event, Job, Call, Rng
from engine._codes cimport *
from engine._tables cimport ComponentRow, LinkRow, PolicyRow, FaultRow, FaultActionRow, DistRow

from engine._tables import COMPONENT, DIST, FAULT, FAULT_ACTION, LINK, POLICY

# Log-bucketed latency histogram: bins grow by 0.5 %, 1 µs .. ~6.9 h. A percentile is
# interpolated inside the bin that holds it (``_histogram_quantile``), so it lies in the
# same bin as the exact sample percentile: relative error below 0.5 % for any distribution.
cdef double H_MIN = 1e-6
cdef double H_GAMMA = 1.005
cdef double H_LOG_GAMMA = log(H_GAMMA)
cdef int NB = 4800

HALT_REASON_NAMES = ("", "memory_budget", "zero_time_loop")
# Record sizes, for estimating what a run's pools cost.
EVENT_BYTES = sizeof(Event)
JOB_BYTES = sizeof(Job)
CALL_BYTES = sizeof(Call)
# Pool indices are 32-bit: no pool may grow past this many records, whatever the budget.
cdef int64_t MAX_RECORDS = 1 << 30

LOG_KIND_NAMES = (
    "fault_started", "fault_ended", "instance_crashed", "instance_restarted", "oom_killed",
    "breaker_opened", "breaker_half_open", "breaker_closed", "bulkhead_saturated",
    "bulkhead_recovered", "retries_exhausted", "retry_budget_exhausted", "retry_budget_restored",
    "rate_limiting_began", "rate_limiting_ended", "load_shedding_began", "load_shedding_ended",
)
COUNTER_NAMES = ("arrivals", "ok", "error", "timeout", "rejected", "short_circuited", "unavailable",
                 "fallback", "retries", "attempts", "calls", "rate_limited", "shed", "lost",
                 "started", "waited", "queue_wait_sum", "refused_time")
GAUGE_NAMES = ("queue_length", "busy", "in_flight", "instances_up", "latency_p50", "latency_p90",
               "latency_p99", "latency_max", "latency_mean", "utilisation")
LINK_COUNTER_NAMES = ("calls", "attempts", "retries", "ok", "error", "timeout", "rejected",
                      "short_circuited", "unavailable", "fallback", "bulkhead_rejected",
                      "breaker_rejected", "retries_exhausted", "retries_throttled",
                      "bulkhead_waited", "bulkhead_wait_sum", "latency_sum", "refused_time")
OBJECTIVE_COUNTER_NAMES = ("ok_within", "fallback_within", "served_within")
LINK_GAUGE_NAMES = ("breaker_state", "breaker_open_fraction", "breaker_failure_rate", "bulkhead_in_use")
_OUTCOME_CODES = {"ok": O_OK, "error": O_ERROR, "timeout": O_TIMEOUT, "rejected": O_REJECTED,
                  "short_circuited": O_SHORT_CIRCUITED, "unavailable": O_UNAVAILABLE, "fallback": O_FALLBACK}
HISTOGRAM_BINS = NB
HISTOGRAM_MIN = H_MIN
HISTOGRAM_GAMMA = H_GAMMA


cdef inline int _histogram_bin(double value) noexcept nogil:
    """The latency histogram bin of ``value`` (seconds); the end bins take what lies beyond."""
    cdef int b
    if value <= H_MIN:
        return 0
    b = <int>(log(value / H_MIN) / H_LOG_GAMMA)
    return NB - 1 if b >= NB else b


cdef double _histogram_quantile(int64_t* hist, int64_t n, double q, double vmax, int lo, int hi) noexcept nogil:
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


def histogram_quantile(hist, double q, double vmax):
    """The q-quantile (0 < q < 1) of a latency histogram row (``HISTOGRAM_BINS`` int64 counts)
    whose largest value is ``vmax``; 0 for an empty histogram."""
    counts = np.ascontiguousarray(hist, dtype=np.int64)
    if counts.shape != (NB,):
        raise ValueError(f"a latency histogram has {NB} bins (got shape {counts.shape})")
    cdef int64_t[::1] view = counts
    return _histogram_quantile(&view[0], <int64_t>counts.sum(), q, vmax, 0, NB - 1)


# ---------------------------------------------------------------- random numbers
# xoshiro256** seeded through splitmix64: one independent stream per component,
# link and fault, so editing one component leaves every other stream unchanged.
cdef inline uint64_t _rotl(uint64_t x, int k) noexcept nogil:
    return (x << k) | (x >> (64 - k))

cdef inline uint64_t _next(Rng* r) noexcept nogil:
    cdef uint64_t result = _rotl(r.s1 * 5, 7) * 9
    cdef uint64_t t = r.s1 << 17
    r.s2 ^= r.s0
    r.s3 ^= r.s1
    r.s1 ^= r.s2
    r.s0 ^= r.s3
    r.s2 ^= t
    r.s3 = _rotl(r.s3, 45)
    return result

cdef inline double _uniform(Rng* r) noexcept nogil:
    return <double>(_next(r) >> 11) * (1.0 / 9007199254740992.0)

cdef inline uint64_t _splitmix(uint64_t* x) noexcept nogil:
    x[0] += <uint64_t>0x9E3779B97F4A7C15
    cdef uint64_t z = x[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    return z ^ (z >> 31)

cdef inline void _seed(Rng* r, uint64_t seed) noexcept nogil:
    cdef uint64_t x = seed
    r.s0 = _splitmix(&x)
    r.s1 = _splitmix(&x)
    r.s2 = _splitmix(&x)
    r.s3 = _splitmix(&x)

cdef inline double _normal(Rng* r) noexcept nogil:
    cdef double u1 = 1.0 - _uniform(r)
    cdef double u2 = _uniform(r)
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2)

cdef inline double _expo(Rng* r, double mean) noexcept nogil:
    return -log(1.0 - _uniform(r)) * mean


cdef void* _table(dict keep, str name, object rows, object dtype) except NULL:
    """The buffer of a table the compiler made, once its fields are checked to be the struct's."""
    if rows.dtype != dtype:
        raise TypeError(f"the {name} table has fields {rows.dtype.names}; the core reads {dtype.names}")
    keep[name] = np.ascontiguousarray(rows)
    cdef unsigned char[::1] raw = keep[name].view(np.uint8)
    return <void*>&raw[0]


cdef int64_t* _iptr(object arr):
    cdef int64_t[::1] mv = arr
    if mv.shape[0] == 0:
        return NULL
    return &mv[0]

cdef double* _dptr(object arr):
    cdef double[::1] mv = arr
    if mv.shape[0] == 0:
        return NULL
    return &mv[0]


cdef class Core:
    """The compiled simulation. Driven from Python by ``advance``; see engine.simulation."""

    cdef object _keep
    cdef readonly int n_c, n_l, n_i, n_f, n_fa, n_b
    cdef readonly double duration, warmup, bucket
    cdef readonly double now
    cdef readonly int64_t events_processed
    cdef readonly int current_bucket
    cdef readonly bint finished
    cdef readonly bint out_of_memory
    cdef readonly int halt_reason
    cdef readonly int64_t pool_bytes     # what the growable pools hold now
    cdef readonly int64_t pool_limit     # what they may hold (0: no limit)
    cdef readonly int64_t stall_limit    # events allowed without the clock advancing (0: no limit)
    cdef readonly int64_t stalled        # events since the clock last advanced
    cdef int stop_flag

    # the design's tables (engine/_tables.pxd), read in place from the compiler's arrays
    cdef ComponentRow* comps
    cdef LinkRow* links
    cdef PolicyRow* pol          # the caller's patterns on each link
    cdef FaultRow* faults
    cdef FaultActionRow* actions
    cdef DistRow* dists
    # the lists the rows point into
    cdef double* obj_thr         # latency threshold of each objective (inf: none)
    cdef int64_t* out_links
    cdef int64_t* inst_comp
    cdef double* bp_t
    cdef double* bp_r
    cdef double* d_points
    cdef int64_t* f_instances
    cdef double* cb_open_wait   # the wait of the current opening

    # dynamic state
    cdef Rng* rng
    cdef int64_t* c_rr
    cdef int64_t* l_rr
    cdef int64_t* c_bp_cur
    cdef double* c_lam_max
    cdef double* c_inject_err
    cdef double* c_cpu
    cdef int64_t* c_pool
    cdef int64_t* c_leak_fault
    cdef int64_t* c_qlen
    cdef int64_t* c_busy
    cdef int64_t* c_inflight
    cdef int64_t* c_up
    cdef double* c_last_t
    cdef double* c_area          # n_c * NA, current bucket
    cdef int64_t* c_rl_flag
    cdef int64_t* c_rl_rej_b
    cdef int64_t* c_shed_flag
    cdef int64_t* c_shed_rej_b
    cdef int64_t* c_capacity     # total workers of a component, for utilisation
    cdef int64_t* i_down_refuse
    cdef int64_t* i_down_hang
    cdef int64_t* i_busy
    cdef int64_t* i_qlen
    cdef int64_t* i_qhead
    cdef int64_t* i_qtail
    cdef int64_t* i_jobs
    cdef double* i_rl_perm
    cdef int64_t* i_rl_cycle
    cdef double* i_up_since
    cdef int64_t* i_leak_epoch
    cdef double* l_inject_err
    cdef int64_t* l_part_hang
    cdef int64_t* l_part_refuse
    cdef int64_t* l_active
    cdef int64_t* l_active_retries
    cdef int64_t* l_tokens       # gRPC throttling, in milli-tokens
    cdef int64_t* l_bud_flag
    cdef int64_t* l_bh_inuse
    cdef int64_t* l_bh_head
    cdef int64_t* l_to_head
    cdef int64_t* l_lat_first        # this link's latency faults: l_lat_list[first : first + count]
    cdef int64_t* l_lat_count
    cdef int64_t* l_lat_list
    cdef int64_t* l_faulted          # active faults touching the link; 0 skips every fault check
    cdef int64_t* l_to_tail
    cdef int64_t* l_to_armed
    cdef int64_t* l_bh_tail
    cdef int64_t* l_bh_flag
    cdef int64_t* l_bh_rej_b
    cdef int64_t* l_exh_b
    cdef int64_t* cb_state
    cdef int64_t* cb_attempts
    cdef double* cb_opened_at
    cdef int64_t* cb_epoch
    cdef int64_t* cb_permits
    cdef int64_t* cb_half_window  # 1 while the half-open count window is the live one
    cdef int64_t* cb_ring_off
    cdef int64_t* cb_ring_size
    cdef int64_t* cb_ring_pos
    cdef int64_t* cb_ring_n
    cdef int64_t* cb_tot
    cdef int64_t* cb_fail
    cdef int64_t* cb_slow
    cdef int64_t* cb_last_sec
    cdef unsigned char* cb_ring
    cdef int64_t* cb_tb_off
    cdef int64_t* cb_tb_sec
    cdef int64_t* cb_tb_tot
    cdef int64_t* cb_tb_fail
    cdef int64_t* cb_tb_slow
    cdef double* cb_open_area
    cdef double* cb_last_t
    cdef int64_t* f_active
    cdef int64_t* f_epoch

    # FIFO lines of calls per link (bulkhead waiters, pending timeouts): nodes (call, gen, seq, deadline, next)
    cdef double* wn_deadline
    cdef int32_t* wn_call
    cdef int32_t* wn_gen
    cdef int32_t* wn_seq
    cdef int32_t* wn_next
    cdef int wn_cap, wn_free, wn_n

    # pools
    cdef Event* heap
    cdef int64_t heap_n, heap_cap
    cdef int64_t seq
    cdef Job* jobs
    cdef int job_n, job_cap, job_free
    cdef readonly int live_jobs
    cdef Call* calls
    cdef int call_n, call_cap, call_free
    cdef readonly int live_calls

    # metrics (numpy-owned)
    cdef double* mc
    cdef double* mg
    cdef double* ml
    cdef double* mlg
    cdef double* tot_c
    cdef double* tot_l
    cdef double* tot_area     # minus the areas accumulated before the warm-up ended
    cdef double* c_cum_area   # areas of the buckets flushed so far
    cdef double* tot_lat     # per component: sum served latency, n served, max, sum all sojourn, n all
    cdef int64_t* hist_t
    cdef int64_t* hist_b
    cdef int64_t* hist_w     # per component: queue waits longer than zero, after the warm-up
    cdef double* wait_max
    cdef double* b_lat       # per component, current bucket: sum, n, max
    cdef int64_t* b_bins     # per component, current bucket: lowest and highest histogram bin used
    cdef double* mo          # per bucket and objective: ok, fallback, answered within its threshold
    cdef double* tot_o       # the same over the measured window
    cdef int n_o
    # event log
    cdef double* lg_t
    cdef int64_t* lg_kind
    cdef int64_t* lg_comp
    cdef int64_t* lg_link
    cdef int64_t* lg_fault
    cdef int64_t* lg_inst
    cdef double* lg_v1
    cdef double* lg_v2
    cdef readonly int64_t log_n, log_cap, log_dropped

    def __cinit__(self):
        self.heap = NULL
        self.jobs = NULL
        self.calls = NULL
        self.rng = NULL
        self.cb_ring = NULL
        self.wn_call = NULL
        self.wn_deadline = NULL
        self.wn_gen = NULL
        self.wn_seq = NULL
        self.wn_next = NULL

    def __dealloc__(self):
        free(self.heap)
        free(self.jobs)
        free(self.calls)
        free(self.rng)
        free(self.cb_ring)
        free(self.wn_call)
        free(self.wn_deadline)
        free(self.wn_gen)
        free(self.wn_seq)
        free(self.wn_next)

    def __init__(self, compiled, dict scalars):
        cdef int i, c, l, f, k
        keep = dict(compiled.arrays)
        self._keep = keep
        self.duration = scalars["duration"]
        self.warmup = scalars["warmup"]
        self.bucket = scalars["bucket"]
        self.n_b = scalars["n_buckets"]
        self.n_c = compiled.n_components
        self.n_l = compiled.n_links
        self.n_i = len(keep["inst_comp"])
        self.n_f = compiled.n_faults
        self.n_fa = compiled.n_fault_actions
        self.comps = <ComponentRow*> _table(keep, "components", compiled.components, COMPONENT)
        self.links = <LinkRow*> _table(keep, "links", compiled.links, LINK)
        self.pol = <PolicyRow*> _table(keep, "policies", compiled.policies, POLICY)
        self.faults = <FaultRow*> _table(keep, "faults", compiled.faults, FAULT)
        self.actions = <FaultActionRow*> _table(keep, "fault_actions", compiled.fault_actions, FAULT_ACTION)
        self.dists = <DistRow*> _table(keep, "dists", compiled.dists, DIST)
        self.obj_thr = _dptr(keep["obj_thr"])
        self.out_links = _iptr(keep["out_links"])
        self.inst_comp = _iptr(keep["inst_comp"])
        self.bp_t = _dptr(keep["bp_t"])
        self.bp_r = _dptr(keep["bp_r"])
        self.d_points = _dptr(keep["d_points"])
        self.f_instances = _iptr(keep["f_instances"])

        n_c, n_l, n_i, n_f, n_b = self.n_c, self.n_l, self.n_i, self.n_f, self.n_b

        def zi(name, n, fill=0):
            keep[name] = np.full(max(n, 1), fill, dtype=np.int64)
            return keep[name]

        def zd(name, n, fill=0.0):
            keep[name] = np.full(max(n, 1), fill, dtype=np.float64)
            return keep[name]

        self.c_rr = _iptr(zi("_c_rr", n_c))
        self.l_rr = _iptr(zi("_l_rr", n_l))
        self.c_bp_cur = _iptr(zi("_c_bp_cur", n_c))
        self.c_lam_max = _dptr(zd("_c_lam_max", n_c))
        self.c_inject_err = _dptr(zd("_c_inject_err", n_c))
        self.c_cpu = _dptr(zd("_c_cpu", n_c, 1.0))
        self.c_pool = _iptr(zi("_c_pool", n_c, UNLIMITED))
        self.c_leak_fault = _iptr(zi("_c_leak_fault", n_c, -1))
        self.c_qlen = _iptr(zi("_c_qlen", n_c))
        self.c_busy = _iptr(zi("_c_busy", n_c))
        self.c_inflight = _iptr(zi("_c_inflight", n_c))
        self.c_up = _iptr(zi("_c_up", n_c))
        self.c_last_t = _dptr(zd("_c_last_t", n_c))
        self.c_area = _dptr(zd("_c_area", n_c * NA))
        self.c_rl_flag = _iptr(zi("_c_rl_flag", n_c))
        self.c_rl_rej_b = _iptr(zi("_c_rl_rej_b", n_c))
        self.c_shed_flag = _iptr(zi("_c_shed_flag", n_c))
        self.c_shed_rej_b = _iptr(zi("_c_shed_rej_b", n_c))
        self.c_capacity = _iptr(zi("_c_capacity", n_c))
        self.i_down_refuse = _iptr(zi("_i_down_refuse", n_i))
        self.i_down_hang = _iptr(zi("_i_down_hang", n_i))
        self.i_busy = _iptr(zi("_i_busy", n_i))
        self.i_qlen = _iptr(zi("_i_qlen", n_i))
        self.i_qhead = _iptr(zi("_i_qhead", n_i, -1))
        self.i_qtail = _iptr(zi("_i_qtail", n_i, -1))
        self.i_jobs = _iptr(zi("_i_jobs", n_i))
        self.i_rl_perm = _dptr(zd("_i_rl_perm", n_i))
        self.i_rl_cycle = _iptr(zi("_i_rl_cycle", n_i))
        self.i_up_since = _dptr(zd("_i_up_since", n_i))
        self.i_leak_epoch = _iptr(zi("_i_leak_epoch", n_i))
        self.l_inject_err = _dptr(zd("_l_inject_err", n_l))
        self.l_part_hang = _iptr(zi("_l_part_hang", n_l))
        self.l_part_refuse = _iptr(zi("_l_part_refuse", n_l))
        self.l_active = _iptr(zi("_l_active", n_l))
        self.l_active_retries = _iptr(zi("_l_active_retries", n_l))
        self.l_tokens = _iptr(zi("_l_tokens", n_l))
        self.l_bud_flag = _iptr(zi("_l_bud_flag", n_l))
        self.l_bh_inuse = _iptr(zi("_l_bh_inuse", n_l))
        self.l_bh_head = _iptr(zi("_l_bh_head", n_l, -1))
        self.l_to_head = _iptr(zi("_l_to_head", n_l, -1))
        self.l_to_tail = _iptr(zi("_l_to_tail", n_l, -1))
        self.l_to_armed = _iptr(zi("_l_to_armed", n_l))
        self.l_lat_first = _iptr(zi("_l_lat_first", n_l))
        self.l_lat_count = _iptr(zi("_l_lat_count", n_l))
        self.l_faulted = _iptr(zi("_l_faulted", n_l))
        lat_list = []
        for l in range(n_l):
            keep["_l_lat_first"][l] = len(lat_list)
            for f in range(self.n_f):
                if self.faults[f].kind == F_LATENCY and (self.faults[f].link == l or self.faults[f].comp == self.links[l].dst):
                    lat_list.append(f)
            keep["_l_lat_count"][l] = len(lat_list) - keep["_l_lat_first"][l]
        keep["_l_lat_list"] = np.asarray(lat_list or [0], dtype=np.int64)
        self.l_lat_list = _iptr(keep["_l_lat_list"])
        self.l_bh_tail = _iptr(zi("_l_bh_tail", n_l, -1))
        self.l_bh_flag = _iptr(zi("_l_bh_flag", n_l))
        self.l_bh_rej_b = _iptr(zi("_l_bh_rej_b", n_l))
        self.l_exh_b = _iptr(zi("_l_exh_b", n_l))
        self.cb_state = _iptr(zi("_cb_state", n_l))
        self.cb_attempts = _iptr(zi("_cb_attempts", n_l))
        self.cb_opened_at = _dptr(zd("_cb_opened_at", n_l))
        self.cb_open_wait = _dptr(zd("_cb_open_wait", n_l))
        self.cb_epoch = _iptr(zi("_cb_epoch", n_l))
        self.cb_permits = _iptr(zi("_cb_permits", n_l))
        self.cb_half_window = _iptr(zi("_cb_half_window", n_l))
        self.cb_ring_off = _iptr(zi("_cb_ring_off", n_l))
        self.cb_ring_size = _iptr(zi("_cb_ring_size", n_l))
        self.cb_ring_pos = _iptr(zi("_cb_ring_pos", n_l))
        self.cb_ring_n = _iptr(zi("_cb_ring_n", n_l))
        self.cb_tot = _iptr(zi("_cb_tot", n_l))
        self.cb_fail = _iptr(zi("_cb_fail", n_l))
        self.cb_slow = _iptr(zi("_cb_slow", n_l))
        self.cb_last_sec = _iptr(zi("_cb_last_sec", n_l))
        self.cb_open_area = _dptr(zd("_cb_open_area", n_l))
        self.cb_last_t = _dptr(zd("_cb_last_t", n_l))
        self.f_active = _iptr(zi("_f_active", n_f))
        self.f_epoch = _iptr(zi("_f_epoch", n_f))

        # Breaker windows: a count ring big enough for the closed window and the
        # half-open window, and whole-second buckets for time-based windows.
        ring_total = 0
        tb_total = 0
        ring_offsets = np.zeros(max(n_l, 1), dtype=np.int64)
        tb_offsets = np.zeros(max(n_l, 1), dtype=np.int64)
        for l in range(n_l):
            ring_offsets[l] = ring_total
            tb_offsets[l] = tb_total
            if self.pol[l].cb_on:
                ring_total += max(self.pol[l].cb_size, self.pol[l].cb_half)
                if self.pol[l].cb_time:
                    tb_total += self.pol[l].cb_size
        keep["_cb_ring_off"][:] = ring_offsets
        keep["_cb_tb_off"] = tb_offsets
        self.cb_tb_off = _iptr(tb_offsets)
        self.cb_ring = <unsigned char*> calloc(max(ring_total, 1), 1)
        self.cb_tb_sec = _iptr(zi("_cb_tb_sec", tb_total, -1))
        self.cb_tb_tot = _iptr(zi("_cb_tb_tot", tb_total))
        self.cb_tb_fail = _iptr(zi("_cb_tb_fail", tb_total))
        self.cb_tb_slow = _iptr(zi("_cb_tb_slow", tb_total))
        for l in range(n_l):
            self.cb_ring_size[l] = self.pol[l].cb_size
            self.cb_last_sec[l] = -1
            if self.pol[l].budget == BUD_GRPC_THROTTLING:
                self.l_tokens[l] = <int64_t>(self.pol[l].max_tokens * 1000.0 + 0.5)

        # metrics
        keep["mc"] = np.zeros((max(n_b, 1), max(n_c, 1), NMC))
        keep["mg"] = np.zeros((max(n_b, 1), max(n_c, 1), NMG))
        keep["ml"] = np.zeros((max(n_b, 1), max(n_l, 1), NML))
        keep["mlg"] = np.zeros((max(n_b, 1), max(n_l, 1), NMLG))
        keep["tot_c"] = np.zeros((max(n_c, 1), NMC))
        keep["tot_l"] = np.zeros((max(n_l, 1), NML))
        keep["tot_area"] = np.zeros((max(n_c, 1), NA))
        keep["tot_lat"] = np.zeros((max(n_c, 1), 5))
        keep["hist_t"] = np.zeros((max(n_c, 1), NB), dtype=np.int64)
        keep["hist_b"] = np.zeros((max(n_c, 1), NB), dtype=np.int64)
        keep["b_lat"] = np.zeros((max(n_c, 1), 3))
        keep["b_bins"] = np.tile(np.array([NB, -1], dtype=np.int64), (max(n_c, 1), 1))
        self.b_bins = _iptr(keep["b_bins"].reshape(-1))
        keep["hist_w"] = np.zeros((max(n_c, 1), NB), dtype=np.int64)
        keep["wait_max"] = np.zeros(max(n_c, 1))
        self.hist_w = _iptr(keep["hist_w"].reshape(-1))
        self.wait_max = _dptr(keep["wait_max"])
        self.n_o = len(keep["obj_thr"])
        keep["mo"] = np.zeros((max(n_b, 1), max(self.n_o, 1), NMO))
        keep["tot_o"] = np.zeros((max(self.n_o, 1), NMO))
        self.mo = _dptr(keep["mo"].reshape(-1))
        self.tot_o = _dptr(keep["tot_o"].reshape(-1))
        self.mc = _dptr(keep["mc"].reshape(-1))
        self.mg = _dptr(keep["mg"].reshape(-1))
        self.ml = _dptr(keep["ml"].reshape(-1))
        self.mlg = _dptr(keep["mlg"].reshape(-1))
        self.tot_c = _dptr(keep["tot_c"].reshape(-1))
        self.tot_l = _dptr(keep["tot_l"].reshape(-1))
        self.tot_area = _dptr(keep["tot_area"].reshape(-1))
        keep["c_cum_area"] = np.zeros((max(n_c, 1), NA))
        self.c_cum_area = _dptr(keep["c_cum_area"].reshape(-1))
        self.tot_lat = _dptr(keep["tot_lat"].reshape(-1))
        self.hist_t = _iptr(keep["hist_t"].reshape(-1))
        self.hist_b = _iptr(keep["hist_b"].reshape(-1))
        self.b_lat = _dptr(keep["b_lat"].reshape(-1))
        cap = int(scalars["log_cap"])
        self.log_cap = cap
        for name in ("lg_t", "lg_v1", "lg_v2"):
            keep[name] = np.zeros(max(cap, 1))
        for name in ("lg_kind", "lg_comp", "lg_link", "lg_fault", "lg_inst"):
            keep[name] = np.zeros(max(cap, 1), dtype=np.int64)
        self.lg_t = _dptr(keep["lg_t"])
        self.lg_v1 = _dptr(keep["lg_v1"])
        self.lg_v2 = _dptr(keep["lg_v2"])
        self.lg_kind = _iptr(keep["lg_kind"])
        self.lg_comp = _iptr(keep["lg_comp"])
        self.lg_link = _iptr(keep["lg_link"])
        self.lg_fault = _iptr(keep["lg_fault"])
        self.lg_inst = _iptr(keep["lg_inst"])

        # random streams: components, then links, then faults
        n_streams = n_c + n_l + n_f
        self.rng = <Rng*> malloc(max(n_streams, 1) * sizeof(Rng))
        for c in range(n_c):
            _seed(&self.rng[c], <uint64_t>self.comps[c].seed)
        for l in range(n_l):
            _seed(&self.rng[n_c + l], <uint64_t>self.links[l].seed)
        for f in range(n_f):
            _seed(&self.rng[n_c + n_l + f], <uint64_t>self.faults[f].seed)

        self.heap_cap = 1024
        self.heap = <Event*> malloc(self.heap_cap * sizeof(Event))
        self.job_cap = 1024
        self.jobs = <Job*> malloc(self.job_cap * sizeof(Job))
        self.job_free = -1
        self.call_cap = 1024
        self.calls = <Call*> malloc(self.call_cap * sizeof(Call))
        self.call_free = -1
        self.wn_cap = 256
        self.wn_call = <int32_t*> malloc(self.wn_cap * sizeof(int32_t))
        self.wn_deadline = <double*> malloc(self.wn_cap * sizeof(double))
        self.wn_gen = <int32_t*> malloc(self.wn_cap * sizeof(int32_t))
        self.wn_seq = <int32_t*> malloc(self.wn_cap * sizeof(int32_t))
        self.wn_next = <int32_t*> malloc(self.wn_cap * sizeof(int32_t))
        self.wn_free = -1
        self.pool_bytes = (self.heap_cap * sizeof(Event) + self.job_cap * sizeof(Job)
                           + self.call_cap * sizeof(Call) + self.wn_cap * (4 * sizeof(int32_t) + sizeof(double)))
        self.pool_limit = int(scalars.get("pool_limit", 0))
        self.stall_limit = int(scalars.get("stall_limit", 0))
        if (self.heap == NULL or self.jobs == NULL or self.calls == NULL or self.rng == NULL
                or self.cb_ring == NULL or self.wn_next == NULL or self.wn_deadline == NULL):
            raise MemoryError("not enough memory to start the simulation")

        for c in range(n_c):
            cap_total = 0
            if self.comps[c].kind != K_CLIENT and self.comps[c].kind != K_LOAD_BALANCER:
                self.c_up[c] = self.comps[c].instances
                if self.comps[c].workers < UNLIMITED:
                    cap_total = self.comps[c].workers * self.comps[c].instances
            self.c_capacity[c] = cap_total
            for k in range(self.comps[c].instances if self.comps[c].kind not in (K_CLIENT, K_LOAD_BALANCER) else 0):
                i = self.comps[c].inst_offset + k
                if self.comps[c].rl_limit > 0:
                    self.i_rl_perm[i] = self.comps[c].rl_limit
            if self.comps[c].kind == K_CLIENT:
                if self.comps[c].arrival == AR_CLOSED:
                    for k in range(self.comps[c].users):
                        self._push(self._draw(self.comps[c].think_dist, &self.rng[c]), EV_THINK_DONE, c, k, 0, 0, 0)
                else:
                    lam = 0.0
                    for k in range(self.comps[c].bp_count):
                        lam = max(lam, self.bp_r[self.comps[c].bp_offset + k])
                    self.c_lam_max[c] = lam
                    t = self._next_arrival(c, 0.0, 1)
                    if t < self.duration:
                        self._push(t, EV_ARRIVAL, c, 0, 0, 0, 0)
        for k in range(self.n_fa):
            self._push(self.actions[k].time, EV_FAULT, k, 0, 0, 0, 0)
        if self.n_b > 1:
            self._push(self.bucket, EV_BUCKET, 0, 0, 0, 0, 0)
        if self.warmup > 0:
            self._push(self.warmup, EV_WARMUP, 0, 0, 0, 0, 0)

    # ------------------------------------------------------------------ API
    def advance(self, double until=INFINITY, int64_t max_events=0):
        """Process events up to simulated time ``until`` or ``max_events`` events.

        Returns True once the run has reached its duration. Releases the GIL.
        """
        if until > self.duration:
            until = self.duration
        with nogil:
            self._run(until, max_events)
        if self.out_of_memory:
            raise MemoryError("the simulation ran out of memory")
        return self.finished

    def stop(self):
        """Ask a running ``advance`` (in another thread) to return at its next event."""
        self.stop_flag = 1

    def resume(self):
        self.stop_flag = 0

    def state_arrays(self):
        """The arrays the results are built from (shared, not copied)."""
        return self._keep

    def breaker_states(self):
        return np.array([self.cb_state[l] for l in range(self.n_l)], dtype=np.int64)

    def instances_down(self):
        return np.array([1 if (self.i_down_refuse[i] > 0 or self.i_down_hang[i] > 0) else 0
                         for i in range(self.n_i)], dtype=np.int64)

    # ------------------------------------------------------------------ pattern probes
    # Thin wrappers over the nogil state machines, so tests can replay the
    # libraries' own scenarios call by call without running the event loop.
    # The state machines index C arrays unchecked: every index is checked here first.
    def _link(self, link, str needs=""):
        if not 0 <= link < self.n_l:
            raise IndexError(f"no link {link}: this design has {self.n_l} link(s), numbered 0 to {self.n_l - 1}")
        if needs == "breaker" and not self.pol[link].cb_on:
            raise ValueError(f"link {link} has no circuit breaker")
        if needs == "retry" and self.pol[link].rt_max <= 1:
            raise ValueError(f"link {link} has no retry policy")
        if needs == "budget" and self.pol[link].budget == BUD_NONE:
            raise ValueError(f"link {link} has no retry budget")
        return link

    def _outcome(self, str outcome):
        if outcome not in _OUTCOME_CODES:
            raise ValueError(f"unknown outcome {outcome!r} (expected one of {', '.join(_OUTCOME_CODES)})")
        return _OUTCOME_CODES[outcome]

    def breaker_acquire(self, link, double now):
        """Ask the link's breaker for permission at time ``now`` (Resilience4j tryAcquirePermission)."""
        self._link(link, "breaker")
        self.now = now
        return bool(self._cb_acquire(link))

    def breaker_record(self, link, str outcome, double duration, double now):
        """Record a call's outcome (``ok``, ``error``, ``timeout``, ...) and duration at ``now``."""
        self._link(link, "breaker")
        code = self._outcome(outcome)
        self.now = now
        self._cb_record(link, code, duration)

    def breaker_force(self, link, str state, double now):
        """Manual transition, as CircuitBreaker.transitionTo*State (for scenario set-up)."""
        self._link(link, "breaker")
        if state not in ("OPEN", "HALF_OPEN", "CLOSED"):
            raise ValueError(f"unknown breaker state {state!r} (expected OPEN, HALF_OPEN or CLOSED)")
        self.now = now
        if state == "OPEN":
            self._cb_to_open(link, self._cb_rate(link, RATE_FAILURE), self._cb_rate(link, RATE_SLOW))
        elif state == "HALF_OPEN":
            self._cb_to_half(link)
        else:
            self._cb_to_closed(link, -1.0, -1.0)

    def breaker_status(self, link):
        """State name, failure rate, slow-call rate (-1 below the minimum), buffered, failed, permits."""
        self._link(link, "breaker")
        return {
            "state": ("CLOSED", "OPEN", "HALF_OPEN")[self.cb_state[link]],
            "failure_rate": self._cb_rate(link, RATE_FAILURE),
            "slow_call_rate": self._cb_rate(link, RATE_SLOW),
            "buffered": int(self.cb_tot[link]),
            "failed": int(self.cb_fail[link]),
            "permits": int(self.cb_permits[link]),
        }

    def retry_waits(self, link, int attempts):
        """The waits a call on ``link`` would sleep after 1, 2, ... ``attempts`` failed attempts."""
        self._link(link)
        cdef int k = self._new_call()
        cdef list waits = []
        cdef int n
        if k < 0:
            raise MemoryError("not enough memory for a call record")
        self.calls[k].link = link
        self.calls[k].prev_sleep = self.pol[link].rt_wait
        for n in range(1, attempts + 1):
            self.calls[k].attempt = n
            waits.append(self._backoff(k))
        self._free_call(k)
        return waits

    def budget_record(self, link, bint failed):
        """Account one attempt's result in the link's retry budget."""
        self._link(link, "budget")
        self._budget_account(link, failed)

    def budget_status(self, link):
        self._link(link, "budget")
        return {"tokens": self.l_tokens[link] / 1000.0, "allows_retry": bool(self._budget_allows(link))}

    def rate_limiter_acquire(self, component, instance, double now):
        """Ask an instance's rate limiter for a permit: 0 now, > 0 wait, -1 refused."""
        if not 0 <= component < self.n_c:
            raise IndexError(f"no component {component}: this design has {self.n_c}, numbered 0 to {self.n_c - 1}")
        if self.comps[component].rl_limit <= 0:
            raise ValueError(f"component {component} has no rate limiter")
        if not 0 <= instance < self.comps[component].instances:
            raise IndexError(f"no instance {instance}: component {component} has {self.comps[component].instances} "
                             f"instance(s), numbered 0 to {self.comps[component].instances - 1}")
        self.now = now
        return self._rl_acquire(<int>(self.comps[component].inst_offset + instance), component)

    # ------------------------------------------------------------------ loop
    cdef void _run(self, double until, int64_t max_events) noexcept nogil:
        cdef int64_t processed = 0
        cdef Event ev
        while self.heap_n > 0 and self.stop_flag == 0 and not self.out_of_memory and self.halt_reason == HALT_NONE:
            if self.heap[0].t > until:
                break
            if max_events > 0 and processed >= max_events:
                break
            ev = self._pop()
            if ev.t > self.now:
                self.stalled = 0
            else:
                self.stalled += 1
                if self.stall_limit > 0 and self.stalled > self.stall_limit:
                    self.halt_reason = HALT_STALLED
            self.now = ev.t
            self._dispatch(&ev)
            processed += 1
        self.events_processed += processed
        if self.stop_flag == 0 and (self.heap_n == 0 or self.heap[0].t > until):
            if until > self.now:
                self.now = until
            if until >= self.duration and not self.finished:
                self._finalize()

    cdef void _dispatch(self, Event* ev) noexcept nogil:
        cdef int t = ev.type
        if t == EV_CALL_ARRIVE:
            self._on_call_arrive(ev.a, ev.b, ev.c, ev.d, ev.e)
        elif t == EV_SERVICE_DONE:
            self._on_service_done(ev.a, ev.b)
        elif t == EV_RESPONSE:
            self._on_response(ev.a, ev.b, ev.c, ev.e)
        elif t == EV_ARRIVAL:
            self._on_arrival(ev.a)
        elif t == EV_TIMEOUT:
            self._on_link_timeouts(ev.a)
        elif t == EV_RETRY:
            if self.calls[ev.a].gen == ev.b and self.calls[ev.a].state == CS_BACKOFF:
                self._start_attempt(ev.a)
        elif t == EV_BH_EXPIRE:
            if (self.calls[ev.a].gen == ev.b and self.calls[ev.a].seq == ev.c
                    and self.calls[ev.a].state == CS_BH_WAIT):
                self._count_l(self.calls[ev.a].link, ML_BH_REJ, 1.0)
                self._bulkhead_pressure(self.calls[ev.a].link)
                self._attempt_done(ev.a, O_REJECTED)
        elif t == EV_FALLBACK_DONE:
            if self.calls[ev.a].gen == ev.b and self.calls[ev.a].state == CS_FALLBACK:
                self._finish_call(ev.a, O_FALLBACK)
        elif t == EV_RL_GRANT:
            if self.jobs[ev.a].gen == ev.b and self.jobs[ev.a].state == JS_RL_WAIT:
                self._admit(ev.a)
        elif t == EV_RL_REJECT:
            if self.jobs[ev.a].gen == ev.b and self.jobs[ev.a].state == JS_RL_WAIT:
                self._reject_rate_limited(ev.a)
        elif t == EV_BUCKET:
            self._flush_bucket(self.current_bucket, self.bucket)
            self.current_bucket += 1
            if self.current_bucket < self.n_b - 1:
                self._push((self.current_bucket + 1) * self.bucket, EV_BUCKET, 0, 0, 0, 0, 0)
        elif t == EV_FAULT:
            self._on_fault(ev.a)
        elif t == EV_RESTART:
            self._restart(ev.a, ev.b)
        elif t == EV_RANDOM_FAIL:
            self._on_random_fail(ev.a, ev.b, ev.c)
        elif t == EV_RANDOM_REPAIR:
            self._on_random_repair(ev.a, ev.b, ev.c)
        elif t == EV_OOM:
            self._on_oom(ev.a, ev.b, ev.c)
        elif t == EV_CB_TIMER:
            self._on_cb_timer(ev.a, ev.b, ev.c)
        elif t == EV_THINK_DONE:
            self._start_root(ev.a, ev.b)
        elif t == EV_WARMUP:
            self._on_warmup_end()

    # ------------------------------------------------------------------ heap
    cdef inline bint _before(self, Event* x, Event* y) noexcept nogil:
        return x.t < y.t or (x.t == y.t and x.seq < y.seq)

    # A 4-ary heap: half the levels of a binary one, and the four children of a node share
    # cache lines. Any correct priority queue pops the same (time, seq) order.
    cdef void _push(self, double t, int type, int a, int b, int c, int d, int e) noexcept nogil:
        cdef Event* grown
        cdef int64_t i, p
        cdef Event ev
        if self.heap_n == self.heap_cap:
            if not self._may_grow(self.heap_cap, self.heap_cap * sizeof(Event)):
                return
            grown = <Event*> realloc(self.heap, 2 * self.heap_cap * sizeof(Event))
            if grown == NULL:
                self.out_of_memory = 1
                return
            self.heap = grown
            self.heap_cap *= 2
        ev.t = t
        ev.seq = self.seq
        self.seq += 1
        ev.type = type
        ev.a = a
        ev.b = b
        ev.c = c
        ev.d = d
        ev.e = e
        i = self.heap_n
        self.heap_n += 1
        while i > 0:
            p = (i - 1) >> 2
            if self._before(&ev, &self.heap[p]):
                self.heap[i] = self.heap[p]
                i = p
            else:
                break
        self.heap[i] = ev

    cdef Event _pop(self) noexcept nogil:
        cdef Event top = self.heap[0]
        cdef Event last
        cdef int64_t i = 0, child, best, end, n
        self.heap_n -= 1
        n = self.heap_n
        if n > 0:
            last = self.heap[n]
            while True:
                child = 4 * i + 1
                if child >= n:
                    break
                best = child
                end = child + 4 if child + 4 < n else n
                child += 1
                while child < end:
                    if self._before(&self.heap[child], &self.heap[best]):
                        best = child
                    child += 1
                if self._before(&self.heap[best], &last):
                    self.heap[i] = self.heap[best]
                    i = best
                else:
                    break
            self.heap[i] = last
        return top

    # ------------------------------------------------------------------ pools
    cdef bint _may_grow(self, int64_t records, int64_t more_bytes) noexcept nogil:
        """Whether a pool of ``records`` may double (by ``more_bytes``); if not, halt the run.

        realloc holds the old block and the new, twice its size, while it copies: count both.
        """
        if 2 * records > MAX_RECORDS or (self.pool_limit > 0 and self.pool_bytes + 2 * more_bytes > self.pool_limit):
            self.halt_reason = HALT_POOL_BUDGET
            return 0
        self.pool_bytes += more_bytes
        return 1

    cdef int _new_job(self) noexcept nogil:
        cdef int j
        cdef Job* grown
        if self.job_free >= 0:
            j = self.job_free
            self.job_free = self.jobs[j].next_q
        else:
            if self.job_n == self.job_cap:
                if not self._may_grow(self.job_cap, self.job_cap * sizeof(Job)):
                    return -1
                grown = <Job*> realloc(self.jobs, 2 * self.job_cap * sizeof(Job))
                if grown == NULL:
                    self.out_of_memory = 1
                    return -1
                self.jobs = grown
                self.job_cap *= 2
            j = self.job_n
            self.job_n += 1
            self.jobs[j].gen = 0
        self.jobs[j].state = JS_SERVICE
        self.jobs[j].inst = -1
        self.jobs[j].reply_call = -1
        self.jobs[j].reply_gen = 0
        self.jobs[j].reply_seq = 0
        self.jobs[j].reply_link = -1
        self.jobs[j].cursor = 0
        self.jobs[j].rep = 0
        self.jobs[j].pending = 0
        self.jobs[j].fail = -1
        self.jobs[j].next_q = -1
        self.jobs[j].cancelled = 0
        self.jobs[j].skip_calls = 0
        self.jobs[j].holds_worker = 0
        self.jobs[j].user = -1
        self.jobs[j].degraded = 0
        self.jobs[j].t_arrive = self.now
        self.jobs[j].t_service = self.now
        self.live_jobs += 1
        return j

    cdef void _free_job(self, int j) noexcept nogil:
        self.jobs[j].gen += 1
        self.jobs[j].state = JS_FREE
        self.jobs[j].next_q = self.job_free
        self.job_free = j
        self.live_jobs -= 1

    cdef int _new_call(self) noexcept nogil:
        cdef int k
        cdef Call* grown
        if self.call_free >= 0:
            k = self.call_free
            self.call_free = self.calls[k].next_wait
        else:
            if self.call_n == self.call_cap:
                if not self._may_grow(self.call_cap, self.call_cap * sizeof(Call)):
                    return -1
                grown = <Call*> realloc(self.calls, 2 * self.call_cap * sizeof(Call))
                if grown == NULL:
                    self.out_of_memory = 1
                    return -1
                self.calls = grown
                self.call_cap *= 2
            k = self.call_n
            self.call_n += 1
            self.calls[k].gen = 0
        self.calls[k].state = CS_IN_FLIGHT
        self.calls[k].attempt = 0
        self.calls[k].seq = 0
        self.calls[k].holds_bulkhead = 0
        self.calls[k].cb_permit = 0
        self.calls[k].forced_comp = -1
        self.calls[k].callee_job = -1
        self.calls[k].callee_gen = 0
        self.calls[k].next_wait = -1
        self.calls[k].retrying = 0
        self.calls[k].t_start = self.now
        self.calls[k].t_attempt = self.now
        self.calls[k].prev_sleep = 0.0
        self.live_calls += 1
        return k

    cdef void _free_call(self, int k) noexcept nogil:
        self.calls[k].gen += 1
        self.calls[k].state = CS_FREE
        self.calls[k].next_wait = self.call_free
        self.call_free = k
        self.live_calls -= 1

    # ------------------------------------------------------------------ draws
    cdef double _draw(self, int d, Rng* r) noexcept nogil:
        cdef DistRow* row = &self.dists[d]
        cdef double x
        cdef int tries
        if row.kind == D_CONSTANT:
            return row.value
        if row.kind == D_EXPONENTIAL:
            return _expo(r, row.mean)
        if row.kind == D_UNIFORM:
            return row.low + (row.high - row.low) * _uniform(r)
        if row.kind == D_NORMAL:
            if row.std <= 0:
                return row.mean
            for tries in range(1000):
                x = row.mean + row.std * _normal(r)
                if x >= 0:
                    return x
            return 0.0
        if row.kind == D_LOGNORMAL:
            return exp(row.mu + row.sigma * _normal(r))
        return self.d_points[row.first + <int64_t>(_uniform(r) * row.count)]

    # ------------------------------------------------------------------ metrics
    cdef inline void _count_c(self, int c, int field, double v) noexcept nogil:
        self.mc[(<int64_t>self.current_bucket * self.n_c + c) * NMC + field] += v
        if self.now >= self.warmup:
            self.tot_c[c * NMC + field] += v

    cdef inline void _count_l(self, int l, int field, double v) noexcept nogil:
        self.ml[(<int64_t>self.current_bucket * self.n_l + l) * NML + field] += v
        if self.now >= self.warmup:
            self.tot_l[l * NML + field] += v

    cdef void _touch(self, int c) noexcept nogil:
        cdef double dt = self.now - self.c_last_t[c]
        cdef double* area
        if dt <= 0:
            return
        area = &self.c_area[c * NA]
        area[A_QLEN] += self.c_qlen[c] * dt
        area[A_BUSY] += self.c_busy[c] * dt
        area[A_INFLIGHT] += self.c_inflight[c] * dt
        area[A_UP] += self.c_up[c] * dt
        self.c_last_t[c] = self.now

    cdef void _on_warmup_end(self) noexcept nogil:
        """Remember the areas so far: the summary's time averages cover only what follows."""
        cdef int c, k
        for c in range(self.n_c):
            self._touch(c)
            for k in range(NA):
                self.tot_area[c * NA + k] = -(self.c_cum_area[c * NA + k] + self.c_area[c * NA + k])

    cdef void _record_done(self, int c, int outcome, double latency) noexcept nogil:
        """A component answered a request: count the outcome, and its latency if it did the work."""
        cdef int b
        self._count_c(c, MC_OUT + outcome, 1.0)
        if self.now >= self.warmup:
            self.tot_lat[c * 5 + 3] += latency
            self.tot_lat[c * 5 + 4] += 1
        if outcome == O_REJECTED or outcome == O_SHORT_CIRCUITED or outcome == O_UNAVAILABLE:
            # refusals stay out of the latency percentiles, but the time they took is counted
            self._count_c(c, MC_REFUSED_TIME, latency)
            return
        if self.comps[c].obj_count > 0:
            self._count_objectives(c, outcome, latency)
        b = _histogram_bin(latency)
        self.hist_b[c * NB + b] += 1
        # the bucket's percentiles and reset then touch only the bins in use
        if b < self.b_bins[c * 2]:
            self.b_bins[c * 2] = b
        if b > self.b_bins[c * 2 + 1]:
            self.b_bins[c * 2 + 1] = b
        self.b_lat[c * 3] += latency
        self.b_lat[c * 3 + 1] += 1
        if latency > self.b_lat[c * 3 + 2]:
            self.b_lat[c * 3 + 2] = latency
        if self.now >= self.warmup:
            self.hist_t[c * NB + b] += 1
            self.tot_lat[c * 5] += latency
            self.tot_lat[c * 5 + 1] += 1
            if latency > self.tot_lat[c * 5 + 2]:
                self.tot_lat[c * 5 + 2] = latency

    cdef void _count_objectives(self, int c, int outcome, double latency) noexcept nogil:
        """Count an answered client request against each of the client's latency thresholds."""
        cdef int64_t k, o
        cdef double* row
        for k in range(self.comps[c].obj_count):
            o = self.comps[c].obj_offset + k
            if latency > self.obj_thr[o]:
                continue
            row = &self.mo[(<int64_t>self.current_bucket * self.n_o + o) * NMO]
            row[MO_SERVED] += 1
            if outcome == O_OK:
                row[MO_OK] += 1
            elif outcome == O_FALLBACK:
                row[MO_FALLBACK] += 1
            if self.now >= self.warmup:
                row = &self.tot_o[o * NMO]
                row[MO_SERVED] += 1
                if outcome == O_OK:
                    row[MO_OK] += 1
                elif outcome == O_FALLBACK:
                    row[MO_FALLBACK] += 1

    cdef void _log(self, int kind, int comp, int link, int fault, int inst, double v1, double v2) noexcept nogil:
        cdef int64_t n = self.log_n
        if n >= self.log_cap:
            self.log_dropped += 1
            return
        self.lg_t[n] = self.now
        self.lg_kind[n] = kind
        self.lg_comp[n] = comp
        self.lg_link[n] = link
        self.lg_fault[n] = fault
        self.lg_inst[n] = inst
        self.lg_v1[n] = v1
        self.lg_v2[n] = v2
        self.log_n += 1

    cdef void _flush_bucket(self, int b, double width) noexcept nogil:
        cdef int c, l, lo, hi
        cdef int64_t base, n
        cdef double* g
        for c in range(self.n_c):
            self._touch(c)
            g = &self.mg[(<int64_t>b * self.n_c + c) * NMG]
            g[MG_QLEN] = self.c_area[c * NA + A_QLEN] / width
            g[MG_BUSY] = self.c_area[c * NA + A_BUSY] / width
            g[MG_INFLIGHT] = self.c_area[c * NA + A_INFLIGHT] / width
            g[MG_UP] = self.c_area[c * NA + A_UP] / width
            g[MG_UTIL] = g[MG_BUSY] / self.c_capacity[c] if self.c_capacity[c] > 0 else 0.0
            self.c_cum_area[c * NA + A_QLEN] += self.c_area[c * NA + A_QLEN]
            self.c_cum_area[c * NA + A_BUSY] += self.c_area[c * NA + A_BUSY]
            self.c_cum_area[c * NA + A_INFLIGHT] += self.c_area[c * NA + A_INFLIGHT]
            self.c_cum_area[c * NA + A_UP] += self.c_area[c * NA + A_UP]
            self.c_area[c * NA + A_QLEN] = 0
            self.c_area[c * NA + A_BUSY] = 0
            self.c_area[c * NA + A_INFLIGHT] = 0
            self.c_area[c * NA + A_UP] = 0
            n = <int64_t>self.b_lat[c * 3 + 1]
            base = <int64_t>c * NB
            if n > 0:
                lo, hi = <int>self.b_bins[c * 2], <int>self.b_bins[c * 2 + 1]
                g[MG_P50] = _histogram_quantile(&self.hist_b[base], n, 0.50, self.b_lat[c * 3 + 2], lo, hi)
                g[MG_P90] = _histogram_quantile(&self.hist_b[base], n, 0.90, self.b_lat[c * 3 + 2], lo, hi)
                g[MG_P99] = _histogram_quantile(&self.hist_b[base], n, 0.99, self.b_lat[c * 3 + 2], lo, hi)
                g[MG_MAX] = self.b_lat[c * 3 + 2]
                g[MG_MEAN] = self.b_lat[c * 3] / n
                memset(&self.hist_b[base + lo], 0, (hi - lo + 1) * sizeof(int64_t))
                self.b_bins[c * 2] = NB
                self.b_bins[c * 2 + 1] = -1
            self.b_lat[c * 3] = 0
            self.b_lat[c * 3 + 1] = 0
            self.b_lat[c * 3 + 2] = 0
            # edge-triggered log entries for inbound protection: ended after a quiet bucket
            if self.c_rl_flag[c] and self.c_rl_rej_b[c] == 0:
                self.c_rl_flag[c] = 0
                self._log(LG_RATE_LIMITING_ENDED, c, -1, -1, -1, 0, 0)
            self.c_rl_rej_b[c] = 0
            if self.c_shed_flag[c] and self.c_shed_rej_b[c] == 0:
                self.c_shed_flag[c] = 0
                self._log(LG_SHEDDING_ENDED, c, -1, -1, -1, 0, 0)
            self.c_shed_rej_b[c] = 0
        for l in range(self.n_l):
            g = &self.mlg[(<int64_t>b * self.n_l + l) * NMLG]
            if self.pol[l].cb_on:
                self._cb_touch(l)
                g[MLG_CB_STATE] = self.cb_state[l]
                g[MLG_CB_OPEN] = self.cb_open_area[l] / width
                self.cb_open_area[l] = 0
                g[MLG_CB_FAILURE_RATE] = self._cb_rate(l, RATE_FAILURE)
            g[MLG_BH_INUSE] = self.l_bh_inuse[l]
            if self.l_bh_flag[l] and self.l_bh_rej_b[l] == 0:
                self.l_bh_flag[l] = 0
                self._log(LG_BULKHEAD_RECOVERED, self.links[l].src, l, -1, -1, self.l_bh_inuse[l], 0)
            self.l_bh_rej_b[l] = 0
            if self.l_exh_b[l] > 0:
                self._log(LG_RETRIES_EXHAUSTED, self.links[l].src, l, -1, -1, self.l_exh_b[l], 0)
                self.l_exh_b[l] = 0

    cdef void _finalize(self) noexcept nogil:
        cdef double width = self.duration - (self.n_b - 1) * self.bucket
        self.now = self.duration
        if width <= 0:
            width = self.bucket
        self._flush_bucket(self.n_b - 1, width)
        self.current_bucket = self.n_b
        self.finished = 1

    # ------------------------------------------------------------------ clients
    cdef double _rate_at(self, int c, double t) noexcept nogil:
        """Piecewise-linear rate; the cursor only moves forward, as time does."""
        cdef int64_t off = self.comps[c].bp_offset, n = self.comps[c].bp_count
        cdef int64_t k = self.c_bp_cur[c]
        cdef double t0, t1
        while k + 1 < n and self.bp_t[off + k + 1] <= t:
            k += 1
        self.c_bp_cur[c] = k
        if k + 1 >= n:
            return self.bp_r[off + n - 1]
        t0 = self.bp_t[off + k]
        t1 = self.bp_t[off + k + 1]
        if t1 <= t0:
            return self.bp_r[off + k + 1]
        return self.bp_r[off + k] + (self.bp_r[off + k + 1] - self.bp_r[off + k]) * (t - t0) / (t1 - t0)

    cdef double _next_arrival(self, int c, double t, bint first) noexcept nogil:
        cdef double lam = self.c_lam_max[c], rate
        cdef Rng* r = &self.rng[c]
        cdef int64_t off = self.comps[c].bp_offset, k
        if lam <= 0:
            return INFINITY
        if self.comps[c].arrival == AR_POISSON:
            # Poisson with a time-varying rate: thinning against the schedule's peak.
            while True:
                t += _expo(r, 1.0 / lam)
                if t >= self.duration:
                    return t
                if _uniform(r) * lam <= self._rate_at(c, t):
                    return t
        # evenly spaced at the current rate; skip ahead through zero-rate stretches
        while t < self.duration:
            rate = self._rate_at(c, t)
            if rate > 0:
                if first:
                    return t
                # snap to the 1/rate grid so that repeated additions do not drift across bucket edges
                t += 1.0 / rate
                if fabs(t * rate - floor(t * rate + 0.5)) < 1e-9:
                    t = floor(t * rate + 0.5) / rate
                return t
            k = self.c_bp_cur[c]
            if k + 1 >= self.comps[c].bp_count:
                return INFINITY
            # _rate_at leaves the cursor on the segment holding t, so the next point lies ahead
            t = self.bp_t[off + k + 1]
            first = 1
        return t

    cdef void _on_arrival(self, int c) noexcept nogil:
        cdef double t
        self._start_root(c, -1)
        t = self._next_arrival(c, self.now, 0)
        if t < self.duration:
            self._push(t, EV_ARRIVAL, c, 0, 0, 0, 0)

    cdef void _start_root(self, int c, int user) noexcept nogil:
        cdef int j = self._new_job()
        if j < 0:
            return
        self.jobs[j].comp = c
        self.jobs[j].user = user
        self._count_c(c, MC_ARRIVALS, 1.0)
        self._touch(c)
        self.c_inflight[c] += 1
        self._begin_calls(j)

    # ------------------------------------------------------------------ jobs
    cdef void _begin_calls(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        cdef int gen = self.jobs[j].gen
        cdef int64_t k, r, n, off
        cdef int link
        self.jobs[j].state = JS_WAITING
        self.jobs[j].pending = 0
        self.jobs[j].fail = -1
        self.jobs[j].cursor = 0
        self.jobs[j].rep = 0
        if self.comps[c].kind == K_LOAD_BALANCER:
            self._lb_forward(j)
            return
        n = self.comps[c].out_count
        off = self.comps[c].out_offset
        if self.comps[c].fan_out == FO_PARALLEL:
            # A sentinel pending count keeps the job open while calls are issued:
            # one can be answered at once (an open breaker) before the next is made.
            self.jobs[j].pending = 1
            for k in range(n):
                link = self.out_links[off + k]
                if self.links[link].prob < 1.0 and _uniform(&self.rng[c]) >= self.links[link].prob:
                    continue
                for r in range(self.links[link].count):
                    if self.jobs[j].gen != gen:
                        return
                    self.jobs[j].pending += 1
                    self._issue_call(j, link, -1)
            self._child_done(j, gen, O_OK)
        else:
            self._next_sequential(j)

    cdef void _next_sequential(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        cdef int64_t n = self.comps[c].out_count, off = self.comps[c].out_offset
        cdef int link
        while self.jobs[j].cursor < n:
            link = self.out_links[off + self.jobs[j].cursor]
            if self.jobs[j].rep == 0 and self.links[link].prob < 1.0:
                if _uniform(&self.rng[c]) >= self.links[link].prob:
                    self.jobs[j].cursor += 1
                    continue
            if self.jobs[j].rep < self.links[link].count:
                self.jobs[j].rep += 1
                self.jobs[j].pending = 1
                self._issue_call(j, link, -1)
                return
            self.jobs[j].rep = 0
            self.jobs[j].cursor += 1
        self._complete_job(j, self.jobs[j].fail if self.jobs[j].fail >= 0 else O_OK)

    cdef void _child_done(self, int j, int gen, int outcome) noexcept nogil:
        cdef int c
        if self.jobs[j].gen != gen or self.jobs[j].state != JS_WAITING:
            return
        c = self.jobs[j].comp
        if outcome == O_FALLBACK:
            self.jobs[j].degraded = 1
        elif outcome != O_OK:
            # A load balancer passes the outcome through and a client reports what its user saw;
            # a service turns a failed dependency into an error of its own.
            if self.comps[c].kind == K_LOAD_BALANCER or self.comps[c].kind == K_CLIENT:
                self.jobs[j].fail = outcome
            else:
                self.jobs[j].fail = O_ERROR
        self.jobs[j].pending -= 1
        if self.comps[c].fan_out == FO_PARALLEL and self.comps[c].kind != K_LOAD_BALANCER:
            if self.jobs[j].pending == 0:
                self._complete_job(j, self.jobs[j].fail if self.jobs[j].fail >= 0 else O_OK)
            return
        if self.jobs[j].fail >= 0:
            self._complete_job(j, self.jobs[j].fail)
        elif self.jobs[j].pending == 0:
            if self.comps[c].kind == K_LOAD_BALANCER:
                self._complete_job(j, O_OK)
            else:
                self._next_sequential(j)

    cdef void _complete_job(self, int j, int outcome) noexcept nogil:
        if outcome == O_OK and self.jobs[j].degraded:
            outcome = O_FALLBACK
        cdef int c = self.jobs[j].comp
        cdef int inst = self.jobs[j].inst
        cdef int held = self.jobs[j].holds_worker
        cdef int user = self.jobs[j].user
        cdef int reply = self.jobs[j].reply_call
        cdef int cancelled = self.jobs[j].cancelled
        self._record_done(c, outcome, self.now - self.jobs[j].t_arrive)
        self._touch(c)
        self.c_inflight[c] -= 1
        if inst >= 0:
            self.i_jobs[inst] -= 1
        if reply >= 0 and not cancelled:
            self._send_response(reply, self.jobs[j].reply_gen, self.jobs[j].reply_seq,
                                self.jobs[j].reply_link, outcome)
        self._free_job(j)
        if user >= 0:
            self._push(self.now + self._draw(self.comps[c].think_dist, &self.rng[c]), EV_THINK_DONE, c, user, 0, 0, 0)
        if held:
            self._release_worker(inst)

    cdef int _worker_cap(self, int inst) noexcept nogil:
        cdef int c = self.inst_comp[inst]
        cdef int64_t cap = self.comps[c].workers
        if self.c_pool[c] < cap:
            cap = self.c_pool[c]
        return <int>cap

    cdef void _release_worker(self, int inst) noexcept nogil:
        cdef int c = self.inst_comp[inst]
        self._touch(c)
        self.i_busy[inst] -= 1
        self.c_busy[c] -= 1
        self._dispatch_queue(inst)

    cdef void _dispatch_queue(self, int inst) noexcept nogil:
        """Hand queued work to free workers, dropping cancelled and overdue work on the way."""
        cdef int c = self.inst_comp[inst]
        cdef int j
        while self.i_busy[inst] < self._worker_cap(inst) and self.i_qlen[inst] > 0:
            j = <int>self.i_qhead[inst]
            self.i_qhead[inst] = self.jobs[j].next_q
            if self.i_qhead[inst] < 0:
                self.i_qtail[inst] = -1
            self._touch(c)
            self.i_qlen[inst] -= 1
            self.c_qlen[c] -= 1
            if self.jobs[j].cancelled:
                self._complete_job(j, O_TIMEOUT)
            elif self.comps[c].shed_wait >= 0 and self.now - self.jobs[j].t_arrive > self.comps[c].shed_wait:
                self._shed(j)
            else:
                self._start_service(j)

    cdef void _shed(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        self._count_c(c, MC_SHED_REJ, 1.0)
        self.c_shed_rej_b[c] += 1
        if not self.c_shed_flag[c]:
            self.c_shed_flag[c] = 1
            self._log(LG_SHEDDING_BEGAN, c, -1, -1, self.jobs[j].inst, self.i_qlen[self.jobs[j].inst], 0)
        self._complete_job(j, O_REJECTED)

    cdef void _start_service(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        cdef int inst = self.jobs[j].inst
        cdef double st, factor = self.c_cpu[c], wait = 0.0
        cdef int f = self.c_leak_fault[c]
        self._touch(c)
        self.i_busy[inst] += 1
        self.c_busy[c] += 1
        self.jobs[j].holds_worker = 1
        if self.jobs[j].state == JS_QUEUED:
            wait = self.now - self.jobs[j].t_service    # t_service holds the time it joined the queue
        self._count_c(c, MC_STARTED, 1.0)
        if wait > 0:
            self._count_c(c, MC_WAITED, 1.0)
            self._count_c(c, MC_WAIT_SUM, wait)
            if self.now >= self.warmup:
                self.hist_w[<int64_t>c * NB + _histogram_bin(wait)] += 1
                if wait > self.wait_max[c]:
                    self.wait_max[c] = wait
        self.jobs[j].state = JS_SERVICE
        self.jobs[j].t_service = self.now
        if self.comps[c].hit_ratio > 0:
            self.jobs[j].skip_calls = _uniform(&self.rng[c]) < self.comps[c].hit_ratio
        if f >= 0:
            factor *= 1.0 + self.faults[f].leak_rate * (self.now - self.i_up_since[inst])
        st = self._draw(self.comps[c].dist, &self.rng[c]) * factor
        self._push(self.now + st, EV_SERVICE_DONE, j, self.jobs[j].gen, 0, 0, 0)

    cdef void _on_service_done(self, int j, int gen) noexcept nogil:
        cdef int c
        if self.jobs[j].gen != gen or self.jobs[j].state != JS_SERVICE:
            return
        c = self.jobs[j].comp
        if self.jobs[j].cancelled:
            self._complete_job(j, O_TIMEOUT)
        elif self.comps[c].error_probability > 0 and _uniform(&self.rng[c]) < self.comps[c].error_probability:
            self._complete_job(j, O_ERROR)
        elif self.jobs[j].skip_calls or self.comps[c].out_count == 0:
            self._complete_job(j, O_OK)
        else:
            self._begin_calls(j)

    # ------------------------------------------------------------------ arrival at a callee
    cdef bint _refusing(self, int inst) noexcept nogil:
        return self.i_down_refuse[inst] > 0

    cdef void _on_call_arrive(self, int k, int gen, int seq, int link, int inst) noexcept nogil:
        cdef int c = self.links[link].dst
        cdef int j, kind = self.comps[c].kind
        cdef bint current = self.calls[k].gen == gen and self.calls[k].seq == seq and self.calls[k].state == CS_IN_FLIGHT
        cdef double wait
        if not current and self.pol[link].cancel_on_timeout:
            return   # the caller gave up and cancelled: the request never starts
        if kind == K_LOAD_BALANCER:
            inst = -1
        j = self._new_job()
        if j < 0:
            return
        self.jobs[j].comp = c
        self.jobs[j].inst = inst
        self.jobs[j].reply_call = k
        self.jobs[j].reply_gen = gen
        self.jobs[j].reply_seq = seq
        self.jobs[j].reply_link = link
        self.jobs[j].state = JS_QUEUED
        self._count_c(c, MC_ARRIVALS, 1.0)
        self._touch(c)
        self.c_inflight[c] += 1
        if inst >= 0:
            self.i_jobs[inst] += 1
        if current:
            self.calls[k].callee_job = j
            self.calls[k].callee_gen = self.jobs[j].gen
        if inst >= 0 and (self.i_down_refuse[inst] > 0 or self.i_down_hang[inst] > 0):
            self._count_c(c, MC_LOST, 1.0)
            if self.i_down_refuse[inst] == 0:
                self.jobs[j].cancelled = 1   # hung: the caller never hears back
            self._complete_job(j, O_UNAVAILABLE)
            return
        if self.c_inject_err[c] > 0 and _uniform(&self.rng[c]) < self.c_inject_err[c]:
            self._complete_job(j, O_ERROR)
            return
        if kind == K_LOAD_BALANCER:
            self._begin_calls(j)
            return
        if self.comps[c].rl_limit > 0:
            wait = self._rl_acquire(inst, c)
            if wait != 0:
                self.jobs[j].state = JS_RL_WAIT
                if wait > 0:
                    self._push(self.now + wait, EV_RL_GRANT, j, self.jobs[j].gen, 0, 0, 0)
                elif self.comps[c].rl_timeout > 0:
                    # Resilience4j makes a refused caller wait its whole timeout first.
                    self._push(self.now + self.comps[c].rl_timeout, EV_RL_REJECT, j, self.jobs[j].gen, 0, 0, 0)
                else:
                    self._reject_rate_limited(j)
                return
        self._admit(j)

    cdef void _reject_rate_limited(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        self._count_c(c, MC_RL_REJ, 1.0)
        self.c_rl_rej_b[c] += 1
        if not self.c_rl_flag[c]:
            self.c_rl_flag[c] = 1
            self._log(LG_RATE_LIMITING_BEGAN, c, -1, -1, self.jobs[j].inst, 0, 0)
        self._complete_job(j, O_REJECTED)

    cdef double _rl_acquire(self, int inst, int c) noexcept nogil:
        """Resilience4j AtomicRateLimiter: 0 now, > 0 the wait for a reserved permit, -1 refused."""
        cdef double period = self.comps[c].rl_period
        cdef double limit = <double>self.comps[c].rl_limit
        cdef int64_t cycle = <int64_t>floor(self.now / period)
        cdef double wait, missing
        if cycle > self.i_rl_cycle[inst]:
            self.i_rl_perm[inst] = fmin(self.i_rl_perm[inst] + (cycle - self.i_rl_cycle[inst]) * limit, limit)
            self.i_rl_cycle[inst] = cycle
        if self.i_rl_perm[inst] >= 1:
            self.i_rl_perm[inst] -= 1
            return 0.0
        missing = 1.0 - (self.i_rl_perm[inst] + limit)
        wait = (cycle + 1) * period - self.now
        if missing > 0:
            wait += ceil(missing / limit) * period
        if wait <= self.comps[c].rl_timeout:
            self.i_rl_perm[inst] -= 1
            return wait if wait > 0 else 1e-12
        return -1.0

    cdef void _admit(self, int j) noexcept nogil:
        cdef int c = self.jobs[j].comp
        cdef int inst = self.jobs[j].inst
        if self.jobs[j].cancelled:
            self._complete_job(j, O_TIMEOUT)
            return
        if self.comps[c].kind == K_QUEUE and self.jobs[j].reply_call >= 0:
            if self.i_busy[inst] >= self._worker_cap(inst) and self.i_qlen[inst] >= self.comps[c].queue_capacity:
                self._complete_job(j, O_REJECTED)
                return
            # Asynchronous hand-off: the producer is answered on enqueue, the work goes on.
            self._send_response(self.jobs[j].reply_call, self.jobs[j].reply_gen, self.jobs[j].reply_seq,
                                self.jobs[j].reply_link, O_OK)
            self.jobs[j].reply_call = -1
        if self.i_busy[inst] < self._worker_cap(inst) and self.i_qlen[inst] == 0:
            self._start_service(j)
            return
        if self.comps[c].shed_len >= 0 and self.i_qlen[inst] >= self.comps[c].shed_len:
            self._shed(j)
            return
        if self.comps[c].queue_capacity >= 0 and self.i_qlen[inst] >= self.comps[c].queue_capacity:
            self._complete_job(j, O_REJECTED)
            return
        self.jobs[j].state = JS_QUEUED
        self.jobs[j].t_service = self.now
        self.jobs[j].next_q = -1
        if self.i_qtail[inst] >= 0:
            self.jobs[self.i_qtail[inst]].next_q = j
        else:
            self.i_qhead[inst] = j
        self.i_qtail[inst] = j
        self._touch(c)
        self.i_qlen[inst] += 1
        self.c_qlen[c] += 1

    # ------------------------------------------------------------------ routing
    cdef int _pick_in(self, int link) noexcept nogil:
        """An instance of the link's target that is not refusing: round robin per link, or the
        balancing strategy when the caller is a load balancer."""
        cdef int chooser = <int>self.links[link].src, target = <int>self.links[link].dst
        cdef int64_t first = self.comps[target].inst_offset, n = self.comps[target].instances
        cdef int strategy = <int>self.comps[chooser].strategy if self.comps[chooser].kind == K_LOAD_BALANCER else LB_ROUND_ROBIN
        return self._pick_range(chooser, link, strategy, first, n)

    cdef int _pick_range(self, int chooser, int link, int strategy, int64_t first, int64_t n) noexcept nogil:
        cdef int64_t k, i, best = -1, a, b
        cdef Rng* r = &self.rng[chooser]
        if n <= 0:
            return -1
        if strategy == LB_ROUND_ROBIN:
            for k in range(n):
                i = first + (self.l_rr[link] % n)
                self.l_rr[link] += 1
                if not self._refusing(<int>i):
                    return <int>i
            return -1
        if strategy == LB_RANDOM or strategy == LB_POWER_OF_TWO:
            a = first + <int64_t>(_uniform(r) * n)
            if strategy == LB_POWER_OF_TWO and n > 1:
                b = first + <int64_t>(_uniform(r) * n)
                if not self._refusing(<int>b) and (self._refusing(<int>a) or self.i_jobs[b] < self.i_jobs[a]):
                    a = b
            if not self._refusing(<int>a):
                return <int>a
            for k in range(n):
                i = first + ((a - first + k) % n)
                if not self._refusing(<int>i):
                    return <int>i
            return -1
        # least outstanding; ties go round the ring so equal loads spread
        a = self.l_rr[link]
        self.l_rr[link] += 1
        for k in range(n):
            i = first + ((a + k) % n)
            if self._refusing(<int>i):
                continue
            if best < 0 or self.i_jobs[i] < self.i_jobs[best]:
                best = i
        return <int>best

    cdef void _lb_forward(self, int j) noexcept nogil:
        """Pick one instance over all the balancer's targets, then call through that target's link."""
        cdef int lb = self.jobs[j].comp
        cdef int64_t off = self.comps[lb].out_offset, n = self.comps[lb].out_count, k, total = 0
        cdef int link = -1, target, inst
        for k in range(n):
            total += self.comps[self.links[self.out_links[off + k]].dst].instances
        # Balance over the flat list of instances by remembering which target it falls in.
        if n == 1:
            link = <int>self.out_links[off]
        else:
            inst = self._pick_flat(lb, off, n, total)
            if inst >= 0:
                target = <int>self.inst_comp[inst]
                for k in range(n):
                    if self.links[self.out_links[off + k]].dst == target:
                        link = <int>self.out_links[off + k]
                        break
            else:
                link = <int>self.out_links[off]
        self.jobs[j].pending = 1
        self._issue_call(j, link, -1)

    cdef int _pick_flat(self, int lb, int64_t off, int64_t n, int64_t total) noexcept nogil:
        cdef int64_t k, idx, start, t, best = -1, i, cand
        cdef int strategy = self.comps[lb].strategy
        cdef Rng* r = &self.rng[lb]
        if total <= 0:
            return -1
        if strategy == LB_ROUND_ROBIN:
            start = self.c_rr[lb]
            self.c_rr[lb] += 1
        else:
            start = <int64_t>(_uniform(r) * total)
        for k in range(total):
            idx = (start + k) % total
            # map the flat index to an instance
            cand = -1
            for t in range(n):
                i = self.links[self.out_links[off + t]].dst
                if idx < self.comps[i].instances:
                    cand = self.comps[i].inst_offset + idx
                    break
                idx -= self.comps[i].instances
            if cand < 0 or self._refusing(<int>cand):
                continue
            if strategy == LB_ROUND_ROBIN or strategy == LB_RANDOM:
                return <int>cand
            if best < 0 or self.i_jobs[cand] < self.i_jobs[best]:
                best = cand
            if strategy == LB_POWER_OF_TWO and k >= 1:
                break   # power of two choices: the better of the first two usable picks
        return <int>best

    # ------------------------------------------------------------------ caller side
    cdef void _issue_call(self, int j, int link, int forced) noexcept nogil:
        cdef int k = self._new_call()
        if k < 0:
            return
        self.calls[k].job = j
        self.calls[k].job_gen = self.jobs[j].gen
        self.calls[k].link = link
        self.calls[k].prev_sleep = self.pol[link].rt_wait
        self._count_l(link, ML_CALLS, 1.0)
        self._count_c(<int>self.links[link].src, MC_CALLS, 1.0)
        self.l_active[link] += 1
        self._start_attempt(k)

    cdef void _start_attempt(self, int k) noexcept nogil:
        cdef int link = self.calls[k].link
        cdef int gen = self.calls[k].gen
        self.calls[k].attempt += 1
        self.calls[k].seq += 1
        self.calls[k].t_attempt = self.now
        self.calls[k].cb_permit = 0
        self.calls[k].state = CS_IN_FLIGHT
        self._count_l(link, ML_ATTEMPTS, 1.0)
        self._count_c(<int>self.links[link].src, MC_ATTEMPTS, 1.0)
        # Resilience4j order, outer to inner: retry, circuit breaker, timeout, bulkhead, call.
        if self.pol[link].cb_on:
            if not self._cb_acquire(link):
                self._count_l(link, ML_SHORT, 1.0)
                self._attempt_done(k, O_SHORT_CIRCUITED)
                return
            self.calls[k].cb_permit = 1
        if self.pol[link].timeout > 0:
            self._arm_timeout(k, link)
        if self.pol[link].bh_max >= 0:
            if self.l_bh_inuse[link] < self.pol[link].bh_max and self.l_bh_head[link] < 0:
                self.l_bh_inuse[link] += 1
                self.calls[k].holds_bulkhead = 1
            elif self.pol[link].bh_wait > 0:
                self._bulkhead_pressure(link)
                self._count_l(link, ML_BH_WAITED, 1.0)
                self._bh_enqueue(k)
                self.calls[k].state = CS_BH_WAIT
                self._push(self.now + self.pol[link].bh_wait, EV_BH_EXPIRE, k, gen, self.calls[k].seq, 0, 0)
                return
            else:
                self._count_l(link, ML_BH_REJ, 1.0)
                self._bulkhead_pressure(link)
                self._attempt_done(k, O_REJECTED)
                return
        self._send(k)

    cdef void _bulkhead_pressure(self, int link) noexcept nogil:
        self.l_bh_rej_b[link] += 1
        if not self.l_bh_flag[link]:
            self.l_bh_flag[link] = 1
            self._log(LG_BULKHEAD_SATURATED, self.links[link].src, link, -1, -1, self.l_bh_inuse[link], 0)

    cdef int _node_new(self, int k, double deadline) noexcept nogil:
        cdef int node
        if self.wn_free >= 0:
            node = self.wn_free
            self.wn_free = self.wn_next[node]
        else:
            if self.wn_n == self.wn_cap:
                if not self._may_grow(self.wn_cap, self.wn_cap * (4 * sizeof(int32_t) + sizeof(double))):
                    return -1
                self.wn_cap *= 2
                self.wn_call = <int32_t*> realloc(self.wn_call, self.wn_cap * sizeof(int32_t))
                self.wn_deadline = <double*> realloc(self.wn_deadline, self.wn_cap * sizeof(double))
                self.wn_gen = <int32_t*> realloc(self.wn_gen, self.wn_cap * sizeof(int32_t))
                self.wn_seq = <int32_t*> realloc(self.wn_seq, self.wn_cap * sizeof(int32_t))
                self.wn_next = <int32_t*> realloc(self.wn_next, self.wn_cap * sizeof(int32_t))
                if (self.wn_call == NULL or self.wn_gen == NULL or self.wn_seq == NULL
                        or self.wn_next == NULL or self.wn_deadline == NULL):
                    self.out_of_memory = 1
                    return -1
            node = self.wn_n
            self.wn_n += 1
        self.wn_call[node] = k
        self.wn_gen[node] = self.calls[k].gen
        self.wn_seq[node] = self.calls[k].seq
        self.wn_deadline[node] = deadline
        self.wn_next[node] = -1
        return node

    cdef inline void _node_free(self, int node) noexcept nogil:
        self.wn_next[node] = self.wn_free
        self.wn_free = node

    cdef inline bint _node_live(self, int node) noexcept nogil:
        """The node's call is still on the attempt it was queued for, and still waiting on it."""
        cdef int k = self.wn_call[node]
        return (self.calls[k].gen == self.wn_gen[node] and self.calls[k].seq == self.wn_seq[node]
                and (self.calls[k].state == CS_IN_FLIGHT or self.calls[k].state == CS_BH_WAIT))

    cdef void _bh_enqueue(self, int k) noexcept nogil:
        cdef int link = self.calls[k].link
        cdef int node = self._node_new(k, 0.0)
        if node < 0:
            return
        if self.l_bh_tail[link] >= 0:
            self.wn_next[self.l_bh_tail[link]] = node
        else:
            self.l_bh_head[link] = node
        self.l_bh_tail[link] = node

    cdef void _arm_timeout(self, int k, int link) noexcept nogil:
        """Queue the attempt's deadline on its link. A timeout is the same for every call on a
        link, so deadlines arrive in order: one heap event per link at a time is enough, and
        attempts that finished in time are dropped from the line without touching the heap."""
        cdef double deadline = self.now + self.pol[link].timeout
        cdef int node = self._node_new(k, deadline)
        if node < 0:
            return
        if self.l_to_tail[link] >= 0:
            self.wn_next[self.l_to_tail[link]] = node
        else:
            self.l_to_head[link] = node
        self.l_to_tail[link] = node
        if not self.l_to_armed[link]:
            self.l_to_armed[link] = 1
            self._push(deadline, EV_TIMEOUT, link, 0, 0, 0, 0)

    cdef void _on_link_timeouts(self, int link) noexcept nogil:
        cdef int node, k
        cdef bint live
        # stays armed while this runs: a retry queued from inside re-arms through the loop below
        self.l_to_armed[link] = 1
        while self.l_to_head[link] >= 0:
            node = <int>self.l_to_head[link]
            live = self._node_live(node)
            if live and self.wn_deadline[node] > self.now:
                self._push(self.wn_deadline[node], EV_TIMEOUT, link, 0, 0, 0, 0)
                return
            self.l_to_head[link] = self.wn_next[node]
            if self.l_to_head[link] < 0:
                self.l_to_tail[link] = -1
            k = self.wn_call[node]
            self._node_free(node)
            if live:
                self._timeout_call(k)
        self.l_to_armed[link] = 0

    cdef void _bh_release(self, int link) noexcept nogil:
        """Give the permit back and hand it to the first caller still waiting (fair FIFO)."""
        cdef int node, k
        cdef bint live
        self.l_bh_inuse[link] -= 1
        while self.l_bh_head[link] >= 0 and self.l_bh_inuse[link] < self.pol[link].bh_max:
            node = <int>self.l_bh_head[link]
            self.l_bh_head[link] = self.wn_next[node]
            if self.l_bh_head[link] < 0:
                self.l_bh_tail[link] = -1
            k = self.wn_call[node]
            live = self._node_live(node) and self.calls[k].state == CS_BH_WAIT
            self._node_free(node)
            if live:
                self._count_l(link, ML_BH_WAIT_SUM, self.now - self.calls[k].t_attempt)
                self.l_bh_inuse[link] += 1
                self.calls[k].holds_bulkhead = 1
                self.calls[k].state = CS_IN_FLIGHT
                self._send(k)

    cdef double _extra_latency(self, int link, int direction) noexcept nogil:
        """Added delay of the latency faults active on this link (or on its target)."""
        cdef int f
        cdef int64_t i
        cdef double extra = 0.0
        cdef Rng* r
        for i in range(self.l_lat_first[link], self.l_lat_first[link] + self.l_lat_count[link]):
            f = <int>self.l_lat_list[i]
            if not self.f_active[f] or not (self.faults[f].direction & direction):
                continue
            r = &self.rng[self.n_c + self.n_l + f]
            if self.faults[f].fraction < 1.0 and _uniform(r) >= self.faults[f].fraction:
                continue
            extra += self._draw(<int>self.faults[f].delay_dist, r)
        return extra

    cdef void _send(self, int k) noexcept nogil:
        cdef int link = self.calls[k].link
        cdef int dst = <int>self.links[link].dst
        cdef int inst = -1
        cdef double lat
        cdef Rng* lr = &self.rng[self.n_c + link]
        self.calls[k].state = CS_IN_FLIGHT
        lat = self._draw(<int>self.links[link].dist, lr)
        if self.l_faulted[link]:
            lat += self._extra_latency(link, DIR_REQUEST)
            if self.l_part_refuse[link] > 0:
                self._push(self.now, EV_RESPONSE, k, self.calls[k].gen, self.calls[k].seq, link, O_UNAVAILABLE)
                return
            if self.l_part_hang[link] > 0:
                return   # dropped on the floor: only a timeout ends this attempt
            if self.l_inject_err[link] > 0 and _uniform(lr) < self.l_inject_err[link]:
                self._push(self.now + lat, EV_RESPONSE, k, self.calls[k].gen, self.calls[k].seq, link, O_ERROR)
                return
        if self.comps[dst].kind != K_LOAD_BALANCER and self.comps[dst].kind != K_CLIENT:
            inst = self._pick_in(link)
            if inst < 0:
                # every instance is down: the connection is refused one hop away
                self._push(self.now + lat, EV_RESPONSE, k, self.calls[k].gen, self.calls[k].seq, link, O_UNAVAILABLE)
                return
        self._push(self.now + lat, EV_CALL_ARRIVE, k, self.calls[k].gen, self.calls[k].seq, link, inst)

    cdef void _send_response(self, int k, int gen, int seq, int link, int outcome) noexcept nogil:
        cdef double lat = self._draw(<int>self.links[link].dist, &self.rng[self.n_c + link])
        if self.l_faulted[link]:
            if self.l_part_hang[link] > 0 or self.l_part_refuse[link] > 0:
                return
            lat += self._extra_latency(link, DIR_RESPONSE)
        self._push(self.now + lat, EV_RESPONSE, k, gen, seq, link, outcome)

    cdef void _on_response(self, int k, int gen, int seq, int outcome) noexcept nogil:
        if self.calls[k].gen != gen or self.calls[k].seq != seq or self.calls[k].state != CS_IN_FLIGHT:
            return   # an answer to an attempt the caller already gave up on
        self._attempt_done(k, outcome)

    cdef void _timeout_call(self, int k) noexcept nogil:
        cdef int j
        if self.calls[k].state == CS_IN_FLIGHT and self.pol[self.calls[k].link].cancel_on_timeout:
            j = self.calls[k].callee_job
            if j >= 0 and self.jobs[j].gen == self.calls[k].callee_gen:
                self._cancel_job(j)
        self._attempt_done(k, O_TIMEOUT)

    cdef void _cancel_job(self, int j) noexcept nogil:
        self.jobs[j].cancelled = 1
        if self.jobs[j].state == JS_WAITING:
            self._complete_job(j, O_TIMEOUT)

    cdef double _backoff(self, int k) noexcept nogil:
        """Wait before the next attempt, after ``attempt`` failures (Resilience4j / AWS jitter)."""
        cdef int link = self.calls[k].link
        cdef int n = self.calls[k].attempt
        cdef double base = self.pol[link].rt_wait, cap = self.pol[link].rt_max_wait
        cdef double v = base, ms, f
        cdef int i
        cdef Rng* r = &self.rng[self.links[link].src]
        cdef int jitter = self.pol[link].rt_jitter
        if self.pol[link].rt_backoff == BO_EXPONENTIAL:
            # Resilience4j truncates to whole milliseconds at every step.
            ms = base * 1000.0
            for i in range(1, n):
                ms = floor(ms * self.pol[link].rt_mult)
                if cap > 0 and ms > cap * 1000.0:
                    ms = cap * 1000.0
                    break
            v = ms / 1000.0
        if jitter == J_DECORRELATED:
            v = base + _uniform(r) * (3.0 * self.calls[k].prev_sleep - base)
            if cap > 0 and v > cap:
                v = cap
            self.calls[k].prev_sleep = v
            return v
        if cap > 0 and v > cap and jitter != J_RANDOMIZED:
            v = cap
        if jitter == J_FULL:
            return _uniform(r) * v
        if jitter == J_EQUAL:
            return v / 2.0 + _uniform(r) * v / 2.0
        if jitter == J_RANDOMIZED:
            f = self.pol[link].rt_rand
            ms = v * 1000.0
            ms = fmax(1.0, floor(ms - f * ms + _uniform(r) * (2.0 * f * ms + 1.0)))
            v = ms / 1000.0
            if cap > 0 and v > cap:
                v = cap
        return v

    cdef bint _budget_allows(self, int link) noexcept nogil:
        cdef int kind = self.pol[link].budget
        cdef double allowed
        if kind == BUD_GRPC_THROTTLING:
            return self.l_tokens[link] * 2 > <int64_t>(self.pol[link].max_tokens * 1000.0 + 0.5)
        if kind == BUD_ENVOY_BUDGET:
            allowed = fmax(self.pol[link].min_retry_concurrency, self.pol[link].budget_percent / 100.0 * self.l_active[link])
            return self.l_active_retries[link] < allowed
        return 1

    cdef void _budget_account(self, int link, bint failed) noexcept nogil:
        """gRPC throttling: a failure costs one token, a success earns tokenRatio (milli-tokens)."""
        cdef int64_t full = <int64_t>(self.pol[link].max_tokens * 1000.0 + 0.5)
        if failed:
            self.l_tokens[link] = self.l_tokens[link] - 1000 if self.l_tokens[link] >= 1000 else 0
        else:
            self.l_tokens[link] += <int64_t>(self.pol[link].token_ratio * 1000.0 + 0.5)
            if self.l_tokens[link] > full:
                self.l_tokens[link] = full
            if self.l_bud_flag[link] and self.l_tokens[link] * 2 > full:
                self.l_bud_flag[link] = 0
                self._log(LG_BUDGET_RESTORED, self.links[link].src, link, -1, -1, self.l_tokens[link] / 1000.0, 0)

    cdef void _attempt_done(self, int k, int outcome) noexcept nogil:
        cdef int link = self.calls[k].link
        cdef int gen = self.calls[k].gen
        cdef int64_t bit = (<int64_t>1) << outcome
        cdef bint failed = outcome != O_OK and outcome != O_FALLBACK
        cdef bint retry
        cdef double wait
        if self.calls[k].state == CS_BH_WAIT:
            # the wait for a permit ends without one: its maximum wait, or the call's timeout
            self._count_l(link, ML_BH_WAIT_SUM, self.now - self.calls[k].t_attempt)
        self.calls[k].state = CS_BACKOFF   # no longer in flight: late answers are ignored
        if self.calls[k].holds_bulkhead:
            self.calls[k].holds_bulkhead = 0
            self._bh_release(link)
        if self.calls[k].cb_permit:
            self.calls[k].cb_permit = 0
            self._cb_record(link, outcome, self.now - self.calls[k].t_attempt)
        if self.pol[link].budget == BUD_GRPC_THROTTLING and outcome != O_SHORT_CIRCUITED:
            self._budget_account(link, failed and (self.pol[link].rt_on & bit) != 0)
        retry = failed and (self.pol[link].rt_on & bit) != 0 and self.calls[k].attempt < self.pol[link].rt_max
        if retry and not self._budget_allows(link):
            retry = 0
            self._count_l(link, ML_THROTTLED, 1.0)
            if not self.l_bud_flag[link]:
                self.l_bud_flag[link] = 1
                self._log(LG_BUDGET_EXHAUSTED, self.links[link].src, link, -1, -1, self.l_tokens[link] / 1000.0, 0)
        if retry:
            wait = self._backoff(k)
            self._count_l(link, ML_RETRIES, 1.0)
            self._count_c(<int>self.links[link].src, MC_RETRIES, 1.0)
            if not self.calls[k].retrying:
                self.calls[k].retrying = 1
                self.l_active_retries[link] += 1
            self._push(self.now + wait, EV_RETRY, k, gen, 0, 0, 0)
            return
        if failed and self.pol[link].rt_max > 1 and self.calls[k].attempt >= self.pol[link].rt_max:
            self._count_l(link, ML_EXHAUSTED, 1.0)
            self.l_exh_b[link] += 1
        if failed and (self.pol[link].fb_mask & bit) != 0:
            self.calls[k].state = CS_FALLBACK
            self._push(self.now + self._draw(<int>self.pol[link].fb_dist, &self.rng[self.links[link].src]),
                       EV_FALLBACK_DONE, k, gen, 0, 0, 0)
            return
        self._finish_call(k, outcome)

    cdef void _finish_call(self, int k, int outcome) noexcept nogil:
        cdef int link = self.calls[k].link
        cdef int j = self.calls[k].job, jgen = self.calls[k].job_gen
        cdef double took = self.now - self.calls[k].t_start
        self._count_l(link, ML_OUT + outcome, 1.0)
        if outcome == O_REJECTED or outcome == O_SHORT_CIRCUITED or outcome == O_UNAVAILABLE:
            self._count_l(link, ML_REFUSED_TIME, took)
        else:
            self._count_l(link, ML_LAT_SUM, took)
        self.l_active[link] -= 1
        if self.calls[k].retrying:
            self.l_active_retries[link] -= 1
        self._free_call(k)
        self._child_done(j, jgen, outcome)

    # ------------------------------------------------------------------ circuit breaker
    cdef void _cb_touch(self, int l) noexcept nogil:
        if self.cb_state[l] == CB_OPEN:
            self.cb_open_area[l] += self.now - self.cb_last_t[l]
        self.cb_last_t[l] = self.now

    cdef void _cb_reset_ring(self, int l, int64_t size) noexcept nogil:
        self.cb_ring_size[l] = size
        self.cb_ring_pos[l] = 0
        self.cb_ring_n[l] = 0
        self.cb_tot[l] = 0
        self.cb_fail[l] = 0
        self.cb_slow[l] = 0

    cdef void _cb_reset_time_window(self, int l) noexcept nogil:
        cdef int64_t off = self.cb_tb_off[l], k
        for k in range(self.pol[l].cb_size):
            self.cb_tb_sec[off + k] = -1
            self.cb_tb_tot[off + k] = 0
            self.cb_tb_fail[off + k] = 0
            self.cb_tb_slow[off + k] = 0
        self.cb_tot[l] = 0
        self.cb_fail[l] = 0
        self.cb_slow[l] = 0
        self.cb_last_sec[l] = -1

    cdef bint _cb_time_window(self, int l) noexcept nogil:
        return self.pol[l].cb_time and not self.cb_half_window[l]

    cdef void _cb_add(self, int l, bint failed, bint slow) noexcept nogil:
        cdef int64_t pos, off, s, sec, n, k, slot
        cdef unsigned char old
        if self._cb_time_window(l):
            # whole epoch seconds; data of second s counts until the clock reaches s + N
            n = self.pol[l].cb_size
            off = self.cb_tb_off[l]
            sec = <int64_t>floor(self.now)
            if sec > self.cb_last_sec[l]:
                s = self.cb_last_sec[l] + 1 if self.cb_last_sec[l] >= 0 else sec
                if sec - s >= n:
                    s = sec - n + 1
                for k in range(s, sec + 1):
                    slot = off + (k % n)
                    self.cb_tot[l] -= self.cb_tb_tot[slot]
                    self.cb_fail[l] -= self.cb_tb_fail[slot]
                    self.cb_slow[l] -= self.cb_tb_slow[slot]
                    self.cb_tb_tot[slot] = 0
                    self.cb_tb_fail[slot] = 0
                    self.cb_tb_slow[slot] = 0
                    self.cb_tb_sec[slot] = k
                if self.cb_last_sec[l] >= 0 and sec - self.cb_last_sec[l] >= n:
                    # every slot is stale: clear the ones the loop above did not reach
                    for k in range(n):
                        slot = off + k
                        if self.cb_tb_sec[slot] <= sec - n:
                            self.cb_tot[l] -= self.cb_tb_tot[slot]
                            self.cb_fail[l] -= self.cb_tb_fail[slot]
                            self.cb_slow[l] -= self.cb_tb_slow[slot]
                            self.cb_tb_tot[slot] = 0
                            self.cb_tb_fail[slot] = 0
                            self.cb_tb_slow[slot] = 0
                self.cb_last_sec[l] = sec
            slot = off + (sec % n)
            self.cb_tb_tot[slot] += 1
            self.cb_tb_fail[slot] += failed
            self.cb_tb_slow[slot] += slow
            self.cb_tot[l] += 1
            self.cb_fail[l] += failed
            self.cb_slow[l] += slow
            return
        pos = self.cb_ring_off[l] + self.cb_ring_pos[l]
        if self.cb_ring_n[l] == self.cb_ring_size[l]:
            old = self.cb_ring[pos]
            self.cb_tot[l] -= 1
            self.cb_fail[l] -= old & 1
            self.cb_slow[l] -= (old >> 1) & 1
        else:
            self.cb_ring_n[l] += 1
        self.cb_ring[pos] = <unsigned char>((1 if failed else 0) | (2 if slow else 0))
        self.cb_tot[l] += 1
        self.cb_fail[l] += failed
        self.cb_slow[l] += slow
        self.cb_ring_pos[l] = (self.cb_ring_pos[l] + 1) % self.cb_ring_size[l]

    cdef double _cb_rate(self, int l, int which) noexcept nogil:
        """Failure (0) or slow-call (1) rate in percent, or -1 below the minimum number of calls."""
        cdef int64_t minimum = self.pol[l].cb_min
        cdef int64_t tot = self.cb_tot[l]
        if self.cb_half_window[l]:
            if self.pol[l].cb_half < minimum:
                minimum = self.pol[l].cb_half
        elif not self.pol[l].cb_time and self.pol[l].cb_size < minimum:
            minimum = self.pol[l].cb_size
        if tot == 0 or tot < minimum:
            return -1.0
        if which == RATE_FAILURE:
            return self.cb_fail[l] * 100.0 / tot
        return self.cb_slow[l] * 100.0 / tot

    cdef bint _cb_acquire(self, int l) noexcept nogil:
        if self.cb_state[l] == CB_CLOSED:
            return 1
        if self.cb_state[l] == CB_OPEN:
            # strictly after the wait, as Instant.isAfter
            if self.now > self.cb_opened_at[l] + self.cb_open_wait[l]:
                self._cb_to_half(l)
            else:
                return 0
        if self.cb_permits[l] > 0:
            self.cb_permits[l] -= 1
            return 1
        return 0

    cdef void _cb_record(self, int l, int outcome, double duration) noexcept nogil:
        cdef bint failed = ((self.pol[l].cb_mask >> outcome) & 1) != 0
        cdef bint slow = duration > self.pol[l].cb_slow
        cdef double fr, sr
        cdef bint above
        self._cb_add(l, failed, slow)
        if self.cb_state[l] == CB_OPEN:
            return   # recorded into the carried-over window, never a transition
        fr = self._cb_rate(l, RATE_FAILURE)
        sr = self._cb_rate(l, RATE_SLOW)
        if fr < 0 or sr < 0:
            return
        above = fr >= self.pol[l].cb_fr or sr >= self.pol[l].cb_sr
        if above:
            self._cb_to_open(l, fr, sr)
        elif self.cb_state[l] == CB_HALF_OPEN:
            self._cb_to_closed(l, fr, sr)

    cdef void _cb_to_open(self, int l, double fr, double sr) noexcept nogil:
        self._cb_touch(l)
        self._log(LG_BREAKER_OPENED, self.links[l].src, l, -1, self.cb_state[l], fr, sr)
        self.cb_state[l] = CB_OPEN
        self.cb_attempts[l] += 1
        self.cb_opened_at[l] = self.now
        self.cb_open_wait[l] = self._cb_wait(l, self.cb_attempts[l])
        self.cb_epoch[l] += 1
        if self.pol[l].cb_auto:
            self._push(self.now + self.cb_open_wait[l], EV_CB_TIMER, l, <int>self.cb_epoch[l], CBT_OPEN_WAIT, 0, 0)

    cdef double _cb_wait(self, int l, int64_t attempt) noexcept nogil:
        """Wait of the attempt-th consecutive opening: IntervalFunction.ofExponentialBackoff,
        which truncates to whole milliseconds at every step."""
        cdef double ms = self.pol[l].cb_wait * 1000.0
        cdef int64_t k
        if self.pol[l].cb_wait_mult == 1.0:
            return self.pol[l].cb_wait
        for k in range(1, attempt):
            ms = floor(ms * self.pol[l].cb_wait_mult)
        return ms / 1000.0

    cdef void _cb_to_half(self, int l) noexcept nogil:
        self._cb_touch(l)
        self._log(LG_BREAKER_HALF_OPEN, self.links[l].src, l, -1, self.cb_state[l], 0, 0)
        self.cb_state[l] = CB_HALF_OPEN
        self.cb_permits[l] = self.pol[l].cb_half
        self.cb_half_window[l] = 1
        self._cb_reset_ring(l, self.pol[l].cb_half)
        self.cb_epoch[l] += 1
        if self.pol[l].cb_half_wait > 0:
            self._push(self.now + self.pol[l].cb_half_wait, EV_CB_TIMER, l, <int>self.cb_epoch[l], CBT_HALF_OPEN_WAIT, 0, 0)

    cdef void _cb_to_closed(self, int l, double fr, double sr) noexcept nogil:
        self._cb_touch(l)
        self._log(LG_BREAKER_CLOSED, self.links[l].src, l, -1, self.cb_state[l], fr, sr)
        self.cb_state[l] = CB_CLOSED
        self.cb_attempts[l] = 0
        self.cb_half_window[l] = 0
        self.cb_epoch[l] += 1
        if self.pol[l].cb_time:
            self._cb_reset_time_window(l)
        else:
            self._cb_reset_ring(l, self.pol[l].cb_size)

    cdef void _on_cb_timer(self, int l, int epoch, int which) noexcept nogil:
        if self.cb_epoch[l] != epoch:
            return
        if which == CBT_OPEN_WAIT and self.cb_state[l] == CB_OPEN:
            self._cb_to_half(l)
        elif which == CBT_HALF_OPEN_WAIT and self.cb_state[l] == CB_HALF_OPEN:
            self._cb_to_open(l, self._cb_rate(l, RATE_FAILURE), self._cb_rate(l, RATE_SLOW))

    # ------------------------------------------------------------------ faults
    cdef void _recompute_component_faults(self, int c) noexcept nogil:
        cdef int f
        cdef double cpu = 1.0, ok = 1.0
        cdef int64_t pool = UNLIMITED
        cdef int leak = -1
        for f in range(self.n_f):
            if not self.f_active[f] or self.faults[f].comp != c:
                continue
            if self.faults[f].kind == F_EXHAUSTION:
                if self.faults[f].resource == R_CPU:
                    cpu *= self.faults[f].factor
                elif self.faults[f].resource == R_POOL:
                    if self.faults[f].pool_size < pool:
                        pool = self.faults[f].pool_size
                else:
                    leak = f
            elif self.faults[f].kind == F_ERROR:
                ok *= 1.0 - self.faults[f].fraction
        self.c_cpu[c] = cpu
        self.c_pool[c] = pool
        self.c_leak_fault[c] = leak
        self.c_inject_err[c] = 1.0 - ok

    cdef void _recompute_link_faults(self, int l) noexcept nogil:
        cdef int f
        cdef double ok = 1.0
        cdef int64_t hang = 0, refuse = 0
        for f in range(self.n_f):
            if not self.f_active[f] or self.faults[f].link != l:
                continue
            if self.faults[f].kind == F_ERROR:
                ok *= 1.0 - self.faults[f].fraction
            elif self.faults[f].kind == F_PARTITION:
                if self.faults[f].down_mode == M_HANG:
                    hang += 1
                else:
                    refuse += 1
        self.l_inject_err[l] = 1.0 - ok
        self.l_part_hang[l] = hang
        self.l_part_refuse[l] = refuse

    cdef void _on_fault(self, int action) noexcept nogil:
        cdef int f = <int>self.actions[action].fault
        cdef bint start = self.actions[action].action == FA_START
        cdef int kind = <int>self.faults[f].kind, c = <int>self.faults[f].comp, l = <int>self.faults[f].link
        cdef int64_t k, inst
        self._log(LG_FAULT_STARTED if start else LG_FAULT_ENDED, c, l, f, -1, 0, 0)
        self.f_active[f] = 1 if start else 0
        self._count_link_fault(f, 1 if start else -1)
        if kind == F_CRASH:
            for k in range(self.faults[f].inst_count):
                inst = self.f_instances[self.faults[f].inst_first + k]
                if start:
                    self._crash(<int>inst, <int>self.faults[f].down_mode, f)
                else:
                    self._push(self.now + self.faults[f].restart_delay, EV_RESTART, <int>inst, <int>self.faults[f].down_mode, f, 0, 0)
            return
        if kind == F_RANDOM_FAILURES:
            self.f_epoch[f] += 1
            if start:
                for k in range(self.faults[f].inst_count):
                    inst = self.f_instances[self.faults[f].inst_first + k]
                    self._push(self.now + _expo(&self.rng[self.n_c + self.n_l + f], self.faults[f].mtbf),
                               EV_RANDOM_FAIL, <int>inst, f, <int>self.f_epoch[f], 0, 0)
            return
        if l >= 0:
            self._recompute_link_faults(l)
            return
        self._recompute_component_faults(c)
        if kind == F_EXHAUSTION and self.faults[f].resource == R_MEMORY_LEAK:
            for k in range(self.comps[c].instances):
                inst = self.comps[c].inst_offset + k
                self.i_leak_epoch[inst] += 1
                if start:
                    self.i_up_since[inst] = self.now
                    self._schedule_oom(<int>inst)
        if kind == F_EXHAUSTION and self.faults[f].resource == R_POOL and not start:
            for k in range(self.comps[c].instances):
                self._dispatch_queue(<int>(self.comps[c].inst_offset + k))

    cdef void _count_link_fault(self, int f, int delta) noexcept nogil:
        """Keep count of the active faults each link must look at: a latency fault on a link
        or on its target, an error or partition fault on the link itself."""
        cdef int l
        for l in range(self.n_l):
            if self.faults[f].link == l or (self.faults[f].kind == F_LATENCY and self.faults[f].comp == self.links[l].dst):
                self.l_faulted[l] += delta

    cdef void _schedule_oom(self, int inst) noexcept nogil:
        cdef int c = <int>self.inst_comp[inst]
        cdef int f = <int>self.c_leak_fault[c]
        if f < 0:
            return
        self._push(self.i_up_since[inst] + (self.faults[f].kill_factor - 1.0) / self.faults[f].leak_rate, EV_OOM, inst,
                   <int>self.i_leak_epoch[inst], f, 0, 0)

    cdef void _on_oom(self, int inst, int epoch, int f) noexcept nogil:
        if self.i_leak_epoch[inst] != epoch or self.c_leak_fault[self.inst_comp[inst]] != f:
            return
        if self.i_down_refuse[inst] > 0 or self.i_down_hang[inst] > 0:
            return
        self._log(LG_OOM_KILLED, <int>self.inst_comp[inst], -1, f, inst, 0, 0)
        self._crash(inst, M_REFUSE, f)
        self._push(self.now + self.faults[f].restart_delay, EV_RESTART, inst, M_REFUSE, f, 0, 0)

    cdef void _on_random_fail(self, int inst, int f, int epoch) noexcept nogil:
        if self.f_epoch[f] != epoch or not self.f_active[f]:
            return
        self._crash(inst, M_REFUSE, f)
        self._push(self.now + _expo(&self.rng[self.n_c + self.n_l + f], self.faults[f].mttr),
                   EV_RANDOM_REPAIR, inst, f, epoch, 0, 0)

    cdef void _on_random_repair(self, int inst, int f, int epoch) noexcept nogil:
        self._restart(inst, M_REFUSE)
        if self.f_epoch[f] == epoch and self.f_active[f]:
            self._push(self.now + _expo(&self.rng[self.n_c + self.n_l + f], self.faults[f].mtbf),
                       EV_RANDOM_FAIL, inst, f, epoch, 0, 0)

    cdef void _crash(self, int inst, int hang, int f) noexcept nogil:
        """Take an instance down; the work on it is lost and, unless it hangs, its callers hear so."""
        cdef int c = <int>self.inst_comp[inst]
        cdef bint was_up = self.i_down_refuse[inst] == 0 and self.i_down_hang[inst] == 0
        cdef int j, n
        if hang:
            self.i_down_hang[inst] += 1
        else:
            self.i_down_refuse[inst] += 1
        if not was_up:
            return
        self._log(LG_INSTANCE_CRASHED, c, -1, f, inst, hang, 0)
        self._touch(c)
        self.c_up[c] -= 1
        self.i_leak_epoch[inst] += 1
        # Detach the instance's workers and queue first, so completing lost jobs
        # cannot hand the queue to a worker of a dead instance.
        self.c_busy[c] -= self.i_busy[inst]
        self.c_qlen[c] -= self.i_qlen[inst]
        self.i_busy[inst] = 0
        self.i_qlen[inst] = 0
        self.i_qhead[inst] = -1
        self.i_qtail[inst] = -1
        n = self.job_n
        for j in range(n):
            if self.jobs[j].state != JS_FREE and self.jobs[j].inst == inst and self.jobs[j].comp == c:
                self.jobs[j].holds_worker = 0
                if hang:
                    self.jobs[j].cancelled = 1
                self._count_c(c, MC_LOST, 1.0)
                self._complete_job(j, O_UNAVAILABLE)

    cdef void _restart(self, int inst, int hang) noexcept nogil:
        cdef int c = <int>self.inst_comp[inst]
        if hang:
            if self.i_down_hang[inst] > 0:
                self.i_down_hang[inst] -= 1
        elif self.i_down_refuse[inst] > 0:
            self.i_down_refuse[inst] -= 1
        if self.i_down_refuse[inst] > 0 or self.i_down_hang[inst] > 0:
            return
        self._log(LG_INSTANCE_RESTARTED, c, -1, -1, inst, 0, 0)
        self._touch(c)
        self.c_up[c] += 1
        self.i_up_since[inst] = self.now
        self.i_leak_epoch[inst] += 1
        if self.comps[c].rl_limit > 0:
            self.i_rl_perm[inst] = self.comps[c].rl_limit
            self.i_rl_cycle[inst] = <int64_t>floor(self.now / self.comps[c].rl_period)
        self._schedule_oom(inst)

