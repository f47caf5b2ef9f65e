# The compiled simulation as Python sees it: ``Core`` owns a run's state (engine/_state.pxd)
# and its arrays, and drives the event loop (engine/_loop.pyx), which runs `with nogil`
# so a GUI thread beside it keeps its frame rate.
#
# Layout: static parameters are the compiler's typed tables (engine/_tables.pxd), read in
# place; dynamic records (jobs, calls, events) live in pooled, growable C arrays with
# generation counters, so an event that refers to a record that was freed and reused is
# recognised as stale and ignored.
from libc.stdlib cimport malloc, free, calloc
from libc.string cimport memset
from libc.math cimport INFINITY
from libc.stdint cimport uint64_t, int64_t, int32_t, uint16_t

import numpy as np

from engine import _codes as _py_codes

from engine._structs cimport Event, EventBody, Job, JobTimes, Call, Rng
from engine._codes cimport *
from engine._tables cimport ComponentRow, LinkRow, PolicyRow, FaultRow, FaultActionRow, DistRow, OutlierRow, AutoscaleRow

from engine._state cimport Sim, CompHot, CompLat, InstHot, LinkHot, LinkSums, HistPool, N_LANES, REPLY_NONE, REPLY_DIST_BITS, REPLY_LANE_SHIFT, REPLY_PLAIN_SHIFT
from engine._random cimport _seed, _draw, _zig_build
from engine._pools cimport _new_call, _free_call, _lines_alloc, _lines_free
from engine._heap cimport (
    _push, _push_ns, _push_edge, _push_key, _fill, _pop, _events_pending, _events_init, _events_free, _event_slot_bytes
)
from engine._metrics cimport (
    H_MIN, H_GAMMA, NB, LB_STRIDE, _histogram_quantile, _count_latencies, _histogram_init, _histogram_bin,
    _histogram_bin_formula, _catch_up_all, _hp_apply, _settle_counts_c, _settle_counts_l, HP_CAP, NBW, _catch_up_now,
    NAC, NAL, ROW_W, ROW_HOT, MC_SLOT, MC_FIELD, MC_TOTAL, MC_TOTALS, ML_SLOT, ML_FIELD, ML_TOTAL, ML_TOTALS, HC, NHC,
    _hist_add_dense,
)
from engine._records cimport _rows_rebuild, _rows_forget, _rows_room
from engine._breakers cimport _cb_rate, _cb_acquire, _cb_record, _cb_to_open, _cb_to_half, _cb_to_closed
from engine._guards cimport _rl_acquire, _rl_slot
from engine._retries cimport _backoff, _budget_allows, _budget_account
from engine._loop cimport _run, _next_arrival, _constant_rate, _plain_link, _plain_service, _plain_client
from engine._clock cimport _ns, _seconds, _never_ns
from engine._routing cimport _lb_note

from engine._tables import AUTOSCALE, COMPONENT, DIST, FAULT, FAULT_ACTION, LINK, OUTLIER, POLICY

HALT_REASON_NAMES = ("", "memory_budget", "zero_time_loop")
# Record sizes, for estimating what a run's pools cost.
EVENT_BYTES = _event_slot_bytes()
JOB_BYTES = sizeof(Job) + sizeof(JobTimes)
CALL_BYTES = sizeof(Call)
LATENCY_BUFFER_BYTES = LB_STRIDE * sizeof(uint16_t)   # a component's (engine/_metrics.pxd)

LOG_KIND_NAMES = (
    "fault_started", "fault_ended", "instance_crashed", "instance_restarted", "oom_killed",
    "breaker_opened", "breaker_half_open", "breaker_closed", "bulkhead_saturated",
    "bulkhead_recovered", "retries_exhausted", "retry_budget_exhausted", "retry_budget_restored",
    "rate_limiting_began", "rate_limiting_ended", "load_shedding_began", "load_shedding_ended",
    "codel_dropping_began", "codel_dropping_ended", "adaptive_lifo_began", "adaptive_lifo_ended",
    "outstanding_limit_reached", "outstanding_limit_ended", "deadline_drops", "hedges_sent",
    "thread_pool_grew", "thread_pool_shrank",
    "instance_ejected", "instance_returned", "scaled",
)
# Why an instance was ejected, by engine/_codes.pxd OutlierType.
OUTLIER_TYPE_NAMES = ("consecutive_5xx", "consecutive_gateway_failure", "success_rate", "failure_percentage")
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
_OUTCOME_CODES = {member.name.removeprefix("O_").lower(): int(member) for member in _py_codes.Outcome}
HISTOGRAM_BINS = NB
# engine/_state.pxd's CompHot, field for field (checked against its size when a run starts)
_COMP_HOT = np.dtype([("last_t", np.float64), ("area", np.float64, (NA,)),
                      *((f, np.int32) for f in ("qlen", "qpeak", "busy", "inflight", "up", "worker_cap")),
                      ("cpu", np.float64), ("inject_err", np.float64), ("leak_fault", np.int32), ("started_at_once", np.int32),
                      ("rng", np.uint64, (4,)), ("dist", np.int32), ("guarded", np.int16), ("kind", np.int16)])
# engine/_state.pxd's InstHot and LinkHot, likewise
_INST_HOT = np.dtype([(f, np.int32) for f in ("comp", "trees", "busy", "qlen", "jobs", "down", "qhead", "qtail")])
_LINK_HOT = np.dtype([*((f, np.int32) for f in ("src", "dst", "dist", "od", "count")),
                      *((f, np.uint8) for f in ("zone_aware", "plain", "src_plain", "dst_plain")), ("probability", np.float64),
                      *((f, np.int32) for f in ("lane", "faulted", "first_inst", "n_inst")),
                      ("active", np.int32), ("sent_plain", np.int32), ("rr", np.int64)])
# engine/_state.pxd's CompLat, likewise: its first three fields are b_lat
_COMP_LAT = np.dtype([*((f, np.float64) for f in ("b_sum", "b_n", "b_max", "t_sum", "t_max")), ("stage", np.uint16, (4,)),
                      *((f, np.float64) for f in ("all_sum", "all_n"))])
# engine/_state.pxd's LinkSums, likewise
_LINK_SUMS = np.dtype([(f, np.float64) for f in ("ok", "lat", "lat_total", "pad")])
HISTOGRAM_MIN = H_MIN
HISTOGRAM_GAMMA = H_GAMMA


# ---------------------------------------------------------------- random numbers
# xoshiro256** seeded through splitmix64: one independent stream per component,
# link and fault, so editing one component leaves every other stream unchanged.
cdef void* _table(dict keep, str name, object rows, object dtype) except NULL:
    """The buffer of a table the compiler made, once its fields are checked to be the struct's."""
    if rows.dtype != dtype:
        raise TypeError(f"the {name} table has fields {rows.dtype.names}; the core reads {dtype.names}")
    # a copy on a cache line's start, where a row of whole lines (ComponentRow) keeps its
    # fields on the lines they were placed on
    buffer = np.zeros(rows.nbytes + 64, dtype=np.uint8)
    skip = -buffer.ctypes.data % 64
    keep[name] = buffer[skip:skip + rows.nbytes].view(dtype)
    keep[name][:] = rows
    cdef unsigned char[::1] raw = buffer
    return <void*>&raw[skip]


cdef void* _records(dict keep, str prefix, object dtype, size_t size, Py_ssize_t n) except NULL:
    """``n`` zeroed records of a C struct of ``size`` bytes (``dtype`` field for field), aligned
    to their size so that each lies on its own cache lines; kept as keep[prefix + "hot"], and
    each field also as a (strided) array keep[prefix + field], for the results to read."""
    if dtype.itemsize != size:
        raise TypeError(f"{prefix}hot: a record is {size} bytes in C, {dtype.itemsize} in numpy")
    raw = np.zeros((max(n, 1) + 1) * size, dtype=np.uint8)
    skip = -raw.ctypes.data % size
    recs = raw[skip:skip + max(n, 1) * size].view(dtype)
    keep[prefix + "hot"] = recs
    for field in dtype.names:
        if field != "pad":
            keep[prefix + field] = recs[field]
    cdef unsigned char[::1] raw_bytes = raw
    return <void*>&raw_bytes[skip]


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


include "_rows.pxi"   # the dense per-bucket rows and the totals, filled when read
include "_histograms.pxi"   # the latency histograms: bins, chunk pools, percentiles
include "_queue_probe.pxi"   # the event queue driven alone, for its tests


cdef class Core:
    """The compiled simulation. Driven from Python by ``advance``; see engine.simulation."""

    cdef Sim s
    cdef object _keep
    cdef _DenseRows _rows
    cdef HistPool _hist[3]   # the run's and the bucket's latencies, and the queue waits

    @property
    def n_c(self):
        return self.s.n_c

    @property
    def n_l(self):
        return self.s.n_l

    @property
    def n_i(self):
        return self.s.n_i

    @property
    def n_f(self):
        return self.s.n_f

    @property
    def n_fa(self):
        return self.s.n_fa

    @property
    def n_b(self):
        return self.s.n_b

    @property
    def duration(self):
        return self.s.duration

    @property
    def warmup(self):
        return self.s.warmup

    @property
    def bucket(self):
        return self.s.bucket

    @property
    def now(self):
        return self.s.now

    @property
    def events_processed(self):
        return self.s.events_processed

    @property
    def current_bucket(self):
        return self.s.current_bucket

    @property
    def finished(self):
        return self.s.finished

    @property
    def out_of_memory(self):
        return self.s.stops.why.out_of_memory != 0

    @property
    def halt_reason(self):
        return self.s.stops.why.code

    @property
    def pool_bytes(self):
        return self.s.pool_bytes

    @property
    def pool_limit(self):
        return self.s.pool_limit

    @property
    def stall_limit(self):
        return self.s.stall_limit

    @property
    def stalled(self):
        return self.s.stalled

    @property
    def live_jobs(self):
        return self.s.live_jobs

    @property
    def live_calls(self):
        return self.s.live_calls

    @property
    def log_n(self):
        return self.s.log_n

    @property
    def log_cap(self):
        return self.s.log_cap

    @property
    def log_dropped(self):
        return self.s.log_dropped

    def __cinit__(self):
        self.s.heap = NULL
        self.s.now_q = NULL
        self.s.ev_pool = NULL
        self.s.jobs = NULL
        self.s.job_times = NULL
        self.s.calls = NULL
        self.s.rng = NULL
        self.s.cb_ring = NULL
        self.s.wn_call = NULL
        self.s.wn_deadline = NULL
        self.s.wn_gen = NULL
        self.s.wn_seq = NULL
        self.s.wn_next = NULL
        self.s.rc_idx = NULL
        self.s.rc_val = NULL
        self.s.rl_idx = NULL
        self.s.rl_val = NULL

    def __dealloc__(self):
        _events_free(&self.s)
        free(self.s.rc_idx)
        free(self.s.rc_val)
        free(self.s.rl_idx)
        free(self.s.rl_val)
        _lines_free(self.s.jobs)
        _lines_free(self.s.job_times)
        _lines_free(self.s.calls)
        free(self.s.rng)
        free(self.s.cb_ring)
        free(self.s.wn_call)
        free(self.s.wn_deadline)
        free(self.s.wn_gen)
        free(self.s.wn_seq)
        free(self.s.wn_next)

    def __init__(self, compiled, dict scalars):
        cdef int i, c, l, f, k
        cdef FaultRow* fault
        keep = dict(compiled.arrays)
        self._keep = keep
        # on the clock's nanosecond grid, so that `now` reaches them exactly (engine/_clock.pxd)
        self.s.duration = _seconds(_ns(scalars["duration"]))
        self.s.warmup = _seconds(_ns(scalars["warmup"]))
        self.s.bucket = scalars["bucket"]
        self.s.n_b = scalars["n_buckets"]
        self.s.n_c = compiled.n_components
        self.s.n_l = compiled.n_links
        self.s.n_i = len(keep["inst_comp"])
        self.s.n_f = compiled.n_faults
        self.s.n_fa = compiled.n_fault_actions
        self.s.comps = <ComponentRow*> _table(keep, "components", compiled.components, COMPONENT)
        self.s.links = <LinkRow*> _table(keep, "links", compiled.links, LINK)
        self.s.pol = <PolicyRow*> _table(keep, "policies", compiled.policies, POLICY)
        self.s.faults = <FaultRow*> _table(keep, "faults", compiled.faults, FAULT)
        self.s.actions = <FaultActionRow*> _table(keep, "fault_actions", compiled.fault_actions, FAULT_ACTION)
        self.s.dists = <DistRow*> _table(keep, "dists", compiled.dists, DIST)
        self.s.od = <OutlierRow*> _table(keep, "outliers", compiled.outliers, OUTLIER)
        self.s.n_od = compiled.n_outliers
        self.s.hpa = <AutoscaleRow*> _table(keep, "autoscalers", compiled.autoscalers, AUTOSCALE)
        self.s.n_hpa = compiled.n_autoscalers
        self.s.obj_thr = _dptr(keep["obj_thr"])
        self.s.out_links = _iptr(keep["out_links"])
        self.s.bp_t = _dptr(keep["bp_t"])
        self.s.bp_r = _dptr(keep["bp_r"])
        self.s.d_points = _dptr(keep["d_points"])
        self.s.f_instances = _iptr(keep["f_instances"])
        keep["lt"] = keep["lt"].copy()   # the tree is live state; the compiled tables stay as lowered
        self.s.lb_off = _iptr(keep["lb_off"])
        self.s.lb_total = _iptr(keep["lb_total"])
        self.s.fl_inst = _iptr(keep["fl_inst"])
        self.s.fl_link = _iptr(keep["fl_link"])
        self.s.lk_flat = _iptr(keep["lk_flat"])
        self.s.i_zone = _iptr(keep["i_zone"])
        self.s.lt_off = _iptr(keep["lt_off"])
        self.s.lt_size = _iptr(keep["lt_size"])
        self.s.lt = _iptr(keep["lt"])
        self.s.it_off = _iptr(keep["it_off"])
        self.s.it_lb = _iptr(keep["it_lb"])
        self.s.it_idx = _iptr(keep["it_idx"])

        n_c, n_l, n_i, n_f, n_b = self.s.n_c, self.s.n_l, self.s.n_i, self.s.n_f, self.s.n_b

        def zi(name, n, fill=0):
            keep[name] = np.full(max(n, 1), fill, dtype=np.int64)
            return keep[name]

        def zd(name, n, fill=0.0):
            keep[name] = np.full(max(n, 1), fill, dtype=np.float64)
            return keep[name]

        self.s.c_rr = _iptr(zi("_c_rr", n_c))
        n_slots = int(keep["od_slots"][0])
        self.s.od_active = _iptr(zi("_od_active", self.s.n_od))
        self.s.od_ejected = _iptr(zi("_od_ejected", n_slots))
        self.s.od_c5xx = _iptr(zi("_od_c5xx", n_slots))
        self.s.od_cgw = _iptr(zi("_od_cgw", n_slots))
        self.s.od_total = _iptr(zi("_od_total", n_slots))
        self.s.od_ok = _iptr(zi("_od_ok", n_slots))
        self.s.od_backoff = _iptr(zi("_od_backoff", n_slots))
        self.s.od_times = _iptr(zi("_od_times", n_slots))
        self.s.od_last_ej = _dptr(zd("_od_last_ej", n_slots))
        self.s.od_last_unej = _dptr(zd("_od_last_unej", n_slots, -1.0))
        n_recs = int(keep["as_recs"][0])
        self.s.as_replicas = _iptr(zi("_as_replicas", self.s.n_hpa))
        self.s.as_starting = _iptr(zi("_as_starting", self.s.n_hpa))
        self.s.as_busy = _dptr(zd("_as_busy", self.s.n_hpa))
        self.s.as_up = _dptr(zd("_as_up", self.s.n_hpa))
        self.s.as_rec_pos = _iptr(zi("_as_rec_pos", self.s.n_hpa))
        self.s.as_rec_t = _dptr(zd("_as_rec_t", n_recs, -INFINITY))
        self.s.as_rec_n = _iptr(zi("_as_rec_n", n_recs))
        self.s.c_bp_cur = _iptr(zi("_c_bp_cur", n_c))
        self.s.c_lam_max = _dptr(zd("_c_lam_max", n_c))
        self.s.c_poisson_mean = _dptr(zd("_c_poisson_mean", n_c))
        # one record per component (CompHot), per instance (InstHot) and per link (LinkHot)
        self.s.ch = <CompHot*>_records(keep, "_c_", _COMP_HOT, sizeof(CompHot), n_c)
        keep["_c_hot"]["cpu"] = 1.0
        keep["_c_hot"]["worker_cap"][:n_c] = np.minimum(keep["components"]["workers"][:n_c], UNLIMITED)
        keep["_c_hot"]["leak_fault"] = -1
        del keep["_c_area"]   # state_arrays gives it as n_c * NA, as it always was
        del keep["_c_rng"]   # working state, not a result
        keep["_c_dist"][:n_c] = keep["components"]["dist"][:n_c]
        del keep["_c_dist"]   # the compiler's components table
        keep["_c_guarded"][:n_c] = ((keep["components"]["limit_for_period"][:n_c] > 0)
                                    | (keep["components"]["hit_ratio"][:n_c] > 0))
        del keep["_c_guarded"]   # likewise
        keep["_c_kind"][:n_c] = keep["components"]["kind"][:n_c]
        del keep["_c_kind"]   # likewise
        self.s.ih = <InstHot*>_records(keep, "_i_", _INST_HOT, sizeof(InstHot), n_i)
        keep["_i_comp"][:n_i] = keep["inst_comp"][:n_i]
        keep["_i_trees"][:n_i] = keep["it_n"][:n_i]
        del keep["_i_trees"]   # balancing's it_n
        keep["_i_qhead"][:] = -1
        keep["_i_qtail"][:] = -1
        del keep["_i_comp"]   # the compiler's inst_comp
        self.s.lh = <LinkHot*>_records(keep, "_l_", _LINK_HOT, sizeof(LinkHot), n_l)
        for field in ("src", "dst", "dist", "count", "probability"):
            keep["_l_" + field][:n_l] = keep["links"][field][:n_l]
            del keep["_l_" + field]   # the compiler's links table
        keep["_l_od"][:n_l] = keep["lk_od"][:n_l]
        keep["_l_zone_aware"][:n_l] = keep["c_zone_aware"][keep["links"]["src"][:n_l]]
        del keep["_l_zone_aware"]   # the compiler's c_zone_aware, of each link's source
        targets = keep["components"][keep["links"]["dst"][:n_l]]
        keep["_l_first_inst"][:n_l] = targets["inst_offset"]
        keep["_l_n_inst"][:n_l] = np.where((targets["kind"] == K_LOAD_BALANCER) | (targets["kind"] == K_CLIENT),
                                           -1, targets["instances"])
        del keep["_l_first_inst"], keep["_l_n_inst"]   # the compiler's components table
        keep["_l_lane"][:] = -1
        del keep["_l_od"]   # the compiler's lk_od
        keep["_c_active"] = np.ones(max(n_c, 1), dtype=np.uint8)   # every component's first bucket is flushed
        cdef unsigned char[::1] c_active = keep["_c_active"]
        self.s.c_active = &c_active[0]
        self.s.c_rl_flag = _iptr(zi("_c_rl_flag", n_c))
        self.s.c_rl_rej_b = _iptr(zi("_c_rl_rej_b", n_c))
        self.s.c_shed_flag = _iptr(zi("_c_shed_flag", n_c))
        self.s.c_shed_rej_b = _iptr(zi("_c_shed_rej_b", n_c))
        self.s.c_capacity = _iptr(zi("_c_capacity", n_c))
        self.s.c_codel_flag = _iptr(zi("_c_codel_flag", n_c))
        self.s.c_codel_b = _iptr(zi("_c_codel_b", n_c))
        self.s.c_lifo_flag = _iptr(zi("_c_lifo_flag", n_c))
        self.s.c_lifo_b = _iptr(zi("_c_lifo_b", n_c))
        self.s.i_q_since = _dptr(zd("_i_q_since", n_i))
        self.s.i_lifo = _iptr(zi("_i_lifo", n_i))
        self.s.i_cd_first_above = _dptr(zd("_i_cd_first_above", n_i))
        self.s.i_cd_drop_next = _dptr(zd("_i_cd_drop_next", n_i))
        self.s.i_cd_count = _iptr(zi("_i_cd_count", n_i))
        self.s.i_cd_dropping = _iptr(zi("_i_cd_dropping", n_i))
        self.s.i_outstanding = _iptr(zi("_i_outstanding", n_i))
        self.s.c_out_flag = _iptr(zi("_c_out_flag", n_c))
        self.s.c_out_full_b = _iptr(zi("_c_out_full_b", n_c))
        self.s.c_dl_drops_b = _iptr(zi("_c_dl_drops_b", n_c))
        self.s.l_hedges_b = _iptr(zi("_l_hedges_b", n_l))
        self.s.i_rl_perm = _dptr(zd("_i_rl_perm", n_i))
        self.s.i_rl_cycle = _iptr(zi("_i_rl_cycle", n_i))
        self.s.i_up_since = _dptr(zd("_i_up_since", n_i))
        self.s.i_start_epoch = _iptr(zi("_i_start_epoch", n_i))
        self.s.i_leak_epoch = _iptr(zi("_i_leak_epoch", n_i))
        self.s.i_hung = _iptr(zi("_i_hung", n_i))
        self.s.l_inject_err = _dptr(zd("_l_inject_err", n_l))
        self.s.l_part_hang = _iptr(zi("_l_part_hang", n_l))
        self.s.l_part_refuse = _iptr(zi("_l_part_refuse", n_l))
        self.s.l_active_retries = _iptr(zi("_l_active_retries", n_l))
        self.s.l_tokens = _iptr(zi("_l_tokens", n_l))
        self.s.l_bud_flag = _iptr(zi("_l_bud_flag", n_l))
        self.s.l_bh_inuse = _iptr(zi("_l_bh_inuse", n_l))
        self.s.l_bh_head = _iptr(zi("_l_bh_head", n_l, -1))
        self.s.l_to_head = _iptr(zi("_l_to_head", n_l, -1))
        self.s.l_to_tail = _iptr(zi("_l_to_tail", n_l, -1))
        self.s.l_to_armed = _iptr(zi("_l_to_armed", n_l))
        self.s.l_lat_first = _iptr(zi("_l_lat_first", n_l))
        self.s.l_lat_count = _iptr(zi("_l_lat_count", n_l))
        # A ring of the event queue for each of the first few constant latencies other than
        # zero (zero-delay events have a line of their own): a link's events then skip the heap.
        delays = []
        for l in range(n_l):
            kind = self.s.dists[self.s.links[l].dist].kind
            delay = self.s.dists[self.s.links[l].dist].value
            if kind == D_CONSTANT and delay > 0:
                if delay not in delays and len(delays) < N_LANES:
                    delays.append(delay)
                if delay in delays:
                    keep["_l_lane"][l] = delays.index(delay)
        self.s.n_lanes = len(delays)
        lat_list = []
        for l in range(n_l):
            keep["_l_lat_first"][l] = len(lat_list)
            for f in range(self.s.n_f):
                fault = &self.s.faults[f]
                if fault.kind == F_LATENCY and (fault.link == l or fault.comp == self.s.links[l].dst):
                    lat_list.append(f)
            keep["_l_lat_count"][l] = len(lat_list) - keep["_l_lat_first"][l]
        keep["_l_lat_list"] = np.asarray(lat_list or [0], dtype=np.int64)
        self.s.l_lat_list = _iptr(keep["_l_lat_list"])
        self.s.l_bh_tail = _iptr(zi("_l_bh_tail", n_l, -1))
        self.s.l_bh_flag = _iptr(zi("_l_bh_flag", n_l))
        self.s.l_bh_rej_b = _iptr(zi("_l_bh_rej_b", n_l))
        self.s.l_tp_threads = _iptr(zi("_l_tp_threads", n_l))
        self.s.l_tp_queued = _iptr(zi("_l_tp_queued", n_l))
        self.s.l_tp_idled = _iptr(zi("_l_tp_idled", n_l))
        self.s.l_tp_served = _iptr(zi("_l_tp_served", n_l))
        self.s.l_exh_b = _iptr(zi("_l_exh_b", n_l))
        self.s.cb_state = _iptr(zi("_cb_state", n_l))
        self.s.cb_attempts = _iptr(zi("_cb_attempts", n_l))
        self.s.cb_opened_at = _dptr(zd("_cb_opened_at", n_l))
        self.s.cb_open_wait = _dptr(zd("_cb_open_wait", n_l))
        self.s.cb_epoch = _iptr(zi("_cb_epoch", n_l))
        self.s.cb_permits = _iptr(zi("_cb_permits", n_l))
        self.s.cb_half_window = _iptr(zi("_cb_half_window", n_l))
        self.s.cb_ring_off = _iptr(zi("_cb_ring_off", n_l))
        self.s.cb_ring_size = _iptr(zi("_cb_ring_size", n_l))
        self.s.cb_ring_pos = _iptr(zi("_cb_ring_pos", n_l))
        self.s.cb_ring_n = _iptr(zi("_cb_ring_n", n_l))
        self.s.cb_tot = _iptr(zi("_cb_tot", n_l))
        self.s.cb_fail = _iptr(zi("_cb_fail", n_l))
        self.s.cb_slow = _iptr(zi("_cb_slow", n_l))
        self.s.cb_last_sec = _iptr(zi("_cb_last_sec", n_l))
        self.s.cb_open_area = _dptr(zd("_cb_open_area", n_l))
        self.s.cb_last_t = _dptr(zd("_cb_last_t", n_l))
        self.s.f_active = _iptr(zi("_f_active", n_f))
        self.s.f_epoch = _iptr(zi("_f_epoch", n_f))

        # Breaker windows: a count ring big enough for the closed window and the
        # half-open window, and whole-second buckets for time-based windows.
        ring_total = 0
        tb_total = 0
        ring_offsets = np.zeros(max(n_l, 1), dtype=np.int64)
        tb_offsets = np.zeros(max(n_l, 1), dtype=np.int64)
        for l in range(n_l):
            ring_offsets[l] = ring_total
            tb_offsets[l] = tb_total
            if self.s.pol[l].cb_on:
                ring_total += max(self.s.pol[l].sliding_window_size, self.s.pol[l].permitted_number_of_calls_in_half_open_state)
                if self.s.pol[l].sliding_window_type:
                    tb_total += self.s.pol[l].sliding_window_size
        keep["_cb_ring_off"][:] = ring_offsets
        keep["_cb_tb_off"] = tb_offsets
        self.s.cb_tb_off = _iptr(tb_offsets)
        self.s.cb_ring = <unsigned char*> calloc(max(ring_total, 1), 1)
        self.s.cb_tb_sec = _iptr(zi("_cb_tb_sec", tb_total, -1))
        self.s.cb_tb_tot = _iptr(zi("_cb_tb_tot", tb_total))
        self.s.cb_tb_fail = _iptr(zi("_cb_tb_fail", tb_total))
        self.s.cb_tb_slow = _iptr(zi("_cb_tb_slow", tb_total))
        for l in range(n_l):
            self.s.cb_ring_size[l] = self.s.pol[l].sliding_window_size
            self.s.cb_last_sec[l] = -1
            if self.s.pol[l].budget == BUD_GRPC_THROTTLING:
                self.s.l_tokens[l] = <int64_t>(self.s.pol[l].max_tokens * 1000.0 + 0.5)

        # metrics
        keep["tot_area"] = np.zeros((max(n_c, 1), NA))
        self.s.cl = <CompLat*>_records(keep, "_cl_", _COMP_LAT, sizeof(CompLat), n_c)
        keep["b_lat"] = keep["_cl_hot"].view(np.float64).reshape(-1, 8)[:, :3]
        keep["tot_lat"] = np.zeros((max(n_c, 1), 5))
        self.s.hist_t = _histogram_pool(&self._hist[0], keep, "hist_t_pool", n_c)
        self.s.hist_b = _histogram_pool(&self._hist[1], keep, "hist_b_pool", n_c)
        keep["b_used"] = np.zeros(max(n_c, 1) * NBW, dtype=np.uint64)
        cdef uint64_t[::1] b_used = keep["b_used"]
        self.s.b_used = &b_used[0]
        self.s.hist_w = _histogram_pool(&self._hist[2], keep, "hist_w_pool", n_c)
        keep["wait_max"] = np.zeros(max(n_c, 1))
        self.s.wait_max = _dptr(keep["wait_max"])
        self.s.n_o = len(keep["obj_thr"])
        keep["mo"] = np.zeros((max(n_b, 1), max(self.s.n_o, 1), NMO))
        keep["tot_o"] = np.zeros((max(self.s.n_o, 1), NMO))
        self.s.mo = _dptr(keep["mo"].reshape(-1))
        self.s.tot_o = _dptr(keep["tot_o"].reshape(-1))
        # the dense rows, filled from the records when read (state_arrays; engine/_rows.pxi)
        self._rows = _DenseRows()
        self._rows.setup(&self.s, keep, n_b, n_c, n_l)
        keep["_l_counted"] = np.zeros(max(n_l, 1), dtype=np.uint8)
        cdef unsigned char[::1] l_counted = keep["_l_counted"]
        self.s.l_counted = &l_counted[0]
        self.s.l_sums = <LinkSums*>_records(keep, "_ls_", _LINK_SUMS, sizeof(LinkSums), n_l)
        self.s.l_cb = _iptr(zi("_l_cb", n_l))
        keep["_l_watch"] = np.zeros(max(n_l, 8), dtype=np.uint8)   # read eight at a time
        keep["_c_guard"] = np.zeros(max(n_c, 1), dtype=np.uint8)
        cdef unsigned char[::1] c_guard = keep["_c_guard"]
        self.s.c_guard = &c_guard[0]
        cdef unsigned char[::1] l_watch = keep["_l_watch"]
        self.s.l_watch = &l_watch[0]
        for l in range(n_l):
            self.s.l_cb[l] = self.s.pol[l].cb_on != 0
            # what can leave a link something to record or log at a flush though not counted
            self.s.l_watch[l] = (self.s.l_cb[l] or self.s.pol[l].max_concurrent_calls >= 0
                                 or self.s.pol[l].core_thread_pool_size > 0 or self.s.pol[l].max_attempts > 1)
            self.s.lh[l].plain = _plain_link(&self.s, l)
        keep["_c_plain"] = np.zeros(max(n_c, 1), dtype=np.uint8)
        cdef unsigned char[::1] c_plain = keep["_c_plain"]
        self.s.c_plain = &c_plain[0]
        for c in range(n_c):
            self.s.c_plain[c] = _plain_client(&self.s, c) or _plain_service(&self.s, c)
        keep["_l_reply"] = np.full(max(n_l, 1), REPLY_NONE, dtype=np.uint16)
        cdef uint16_t[::1] l_reply = keep["_l_reply"]
        self.s.l_reply = &l_reply[0]
        for l in range(n_l):
            self.s.lh[l].src_plain = self.s.c_plain[self.s.lh[l].src]
            self.s.lh[l].dst_plain = self.s.c_plain[self.s.lh[l].dst]
            if 0 <= self.s.lh[l].dist < (1 << REPLY_DIST_BITS) - 1 and self.s.lh[l].lane < N_LANES:
                self.s.l_reply[l] = (self.s.lh[l].dist | (self.s.lh[l].lane + 1) << REPLY_LANE_SHIFT
                                     | self.s.lh[l].src_plain << REPLY_PLAIN_SHIFT)
        self.s.l_last_g = _dptr(zd("_l_last_g", n_l * NMLG))
        if self.s.warmup <= 0:
            self.s.measuring = 1   # from the first instant, with nothing before it
        self.s.tot_area = _dptr(keep["tot_area"].reshape(-1))
        keep["c_cum_area"] = np.zeros((max(n_c, 1), NA))
        self.s.c_cum_area = _dptr(keep["c_cum_area"].reshape(-1))
        self.s.hist_split = 0
        # the histograms' working arrays (their bins waiting to be counted, and the flush's
        # scratch) are named hist_: what a run's results compare is the histograms as read
        self.s.hp_idx = _iptr(zi("hist_hp_idx", HP_CAP))
        keep["hist_fold_tally"] = np.zeros(NB, dtype=np.uint16)
        cdef uint16_t[::1] fold_tally = keep["hist_fold_tally"]
        self.s.fold_tally = &fold_tally[0]
        self.s.fold_used = <uint64_t*>_iptr(zi("hist_fold_used", NBW))
        # LB_STRIDE per component, the first aligned to a 64-byte line
        raw = np.zeros(max(n_c, 1) * LB_STRIDE + LB_STRIDE, dtype=np.uint16)
        skip = (-raw.ctypes.data % 64) // raw.itemsize
        keep["hist_lat_buf"] = raw[skip:skip + max(n_c, 1) * LB_STRIDE]
        cdef uint16_t[::1] lat_buf = keep["hist_lat_buf"]
        self.s.lat_buf = &lat_buf[0]
        cap = int(scalars["log_cap"])
        self.s.log_cap = cap
        for name in ("lg_t", "lg_v1", "lg_v2"):
            keep[name] = np.zeros(max(cap, 1))
        for name in ("lg_kind", "lg_comp", "lg_link", "lg_fault", "lg_inst"):
            keep[name] = np.zeros(max(cap, 1), dtype=np.int64)
        self.s.lg_t = _dptr(keep["lg_t"])
        self.s.lg_v1 = _dptr(keep["lg_v1"])
        self.s.lg_v2 = _dptr(keep["lg_v2"])
        self.s.lg_kind = _iptr(keep["lg_kind"])
        self.s.lg_comp = _iptr(keep["lg_comp"])
        self.s.lg_link = _iptr(keep["lg_link"])
        self.s.lg_fault = _iptr(keep["lg_fault"])
        self.s.lg_inst = _iptr(keep["lg_inst"])

        # random streams: each component's in its record, then links', then faults'
        _zig_build(&self.s)
        self.s.rng = <Rng*> malloc(max(n_l + n_f, 1) * sizeof(Rng))
        for c in range(n_c):
            _seed(&self.s.ch[c].rng, <uint64_t>self.s.comps[c].seed)
        for l in range(n_l):
            _seed(&self.s.rng[l], <uint64_t>self.s.links[l].seed)
        for f in range(n_f):
            _seed(&self.s.rng[n_l + f], <uint64_t>self.s.faults[f].seed)

        events_ok = _events_init(&self.s, 1024)
        self.s.job_cap = 1024
        self.s.jobs = <Job*> _lines_alloc(self.s.job_cap * sizeof(Job))
        self.s.job_times = <JobTimes*> _lines_alloc(self.s.job_cap * sizeof(JobTimes))
        self.s.job_free = -1
        self.s.call_cap = 1024
        self.s.calls = <Call*> _lines_alloc(self.s.call_cap * sizeof(Call))
        self.s.call_free = -1
        self.s.wn_cap = 256
        self.s.wn_call = <int32_t*> malloc(self.s.wn_cap * sizeof(int32_t))
        self.s.wn_deadline = <double*> malloc(self.s.wn_cap * sizeof(double))
        self.s.wn_gen = <int32_t*> malloc(self.s.wn_cap * sizeof(int32_t))
        self.s.wn_seq = <int32_t*> malloc(self.s.wn_cap * sizeof(int32_t))
        self.s.wn_next = <int32_t*> malloc(self.s.wn_cap * sizeof(int32_t))
        self.s.wn_free = -1
        self.s.pool_bytes = (self.s.heap_cap * _event_slot_bytes() + self.s.job_cap * (sizeof(Job) + sizeof(JobTimes))
                           + self.s.call_cap * sizeof(Call) + self.s.wn_cap * (4 * sizeof(int32_t) + sizeof(double)))
        self.s.pool_limit = int(scalars.get("pool_limit", 0))
        self.s.stall_limit = int(scalars.get("stall_limit", 0))
        if (not events_ok or self.s.jobs == NULL or self.s.job_times == NULL or self.s.calls == NULL
                or self.s.rng == NULL or self.s.cb_ring == NULL or self.s.wn_next == NULL or self.s.wn_deadline == NULL):
            raise MemoryError("not enough memory to start the simulation")

        for c in range(n_c):
            cap_total = 0
            if self.s.comps[c].kind != K_CLIENT and self.s.comps[c].kind != K_LOAD_BALANCER:
                self.s.ch[c].up = self.s.comps[c].instances
                if self.s.comps[c].workers < UNLIMITED:
                    cap_total = self.s.comps[c].workers * self.s.comps[c].instances
            self.s.c_capacity[c] = cap_total
            for k in range(self.s.comps[c].instances if self.s.comps[c].kind not in (K_CLIENT, K_LOAD_BALANCER) else 0):
                i = self.s.comps[c].inst_offset + k
                if self.s.comps[c].limit_for_period > 0:
                    self.s.i_rl_perm[i] = self.s.comps[c].limit_for_period
            if self.s.comps[c].kind == K_CLIENT:
                if self.s.comps[c].arrival == AR_CLOSED:
                    for k in range(self.s.comps[c].users):
                        _push(&self.s, _draw(&self.s, self.s.comps[c].think_dist, &self.s.ch[c].rng), EV_THINK_DONE, c, k, 0, 0, 0)
                else:
                    lam = 0.0
                    for k in range(self.s.comps[c].bp_count):
                        lam = max(lam, self.s.bp_r[self.s.comps[c].bp_offset + k])
                    self.s.c_lam_max[c] = lam
                    if self.s.comps[c].arrival == AR_POISSON and 0 < lam < INFINITY and _constant_rate(&self.s, c):
                        self.s.c_poisson_mean[c] = 1.0 / lam
                    t = _next_arrival(&self.s, c, 0.0, 1)
                    if _ns(t) < _ns(self.s.duration):
                        _push(&self.s, t, EV_ARRIVAL, c, 0, 0, 0, 0)
        for k in range(self.s.n_fa):
            _push_edge(&self.s, _ns(self.s.actions[k].time), EV_FAULT, k, 0, 0, 0, 0)
        if self.s.n_b > 1:
            _push_edge(&self.s, _ns(self.s.bucket), EV_BUCKET, 0, 0, 0, 0, 0)
        if self.s.warmup > 0:
            _push_edge(&self.s, _ns(self.s.warmup), EV_WARMUP, 0, 0, 0, 0, 0)
        for k in range(self.s.n_hpa):
            # instances beyond the starting replicas exist only to be started: stopped until asked for
            c = self.s.hpa[k].comp
            for i in range(self.s.comps[c].inst_offset + self.s.hpa[k].initial,
                           self.s.comps[c].inst_offset + self.s.comps[c].instances):
                self.s.ih[i].down = 1
                self.s.refusing += 1
                self.s.ch[c].up -= 1
                _lb_note(&self.s, i)
            self.s.as_replicas[k] = self.s.hpa[k].initial
            if self.s.hpa[k].sync_period < self.s.duration:
                _push(&self.s, self.s.hpa[k].sync_period, EV_AUTOSCALE, k, 0, 0, 0, 0)
        for k in range(self.s.n_od):
            # Envoy arms each detector's interval timer when the cluster starts
            if self.s.od[k].interval < self.s.duration:
                _push(&self.s, self.s.od[k].interval, EV_OUTLIER_SWEEP, k, 0, 0, 0, 0)

    # ------------------------------------------------------------------ API
    def advance(self, double until=INFINITY, int64_t max_events=0):
        """Process events up to simulated time ``until`` or ``max_events`` events.

        Returns True once the run has reached its duration. Releases the GIL.
        """
        if until > self.s.duration:
            until = self.s.duration
        with nogil:
            _run(&self.s, until, max_events)
        if self.s.stops.why.out_of_memory:
            raise MemoryError("the simulation ran out of memory")
        return self.s.finished

    def stop(self):
        """Ask a running ``advance`` (in another thread) to return at its next event."""
        self.s.stops.why.stop = 1

    def resume(self):
        self.s.stops.why.stop = 0

    def state_arrays(self):
        """The arrays the results are built from (shared, not copied)."""
        self._rows.rebuild(&self.s)
        self._rows.fold(&self.s)
        keep = self._keep
        keep["_c_area"] = keep["_c_hot"]["area"].reshape(-1)   # n_c * NA, as it always was
        # Since the warm-up, per component: the latencies served (sum, count, largest), and
        # every answer's (sum, count). A refusal is an answer that is not served, and the
        # only one: served is counted as the answers less the refusals (_record_done).
        lat, tot_c = keep["_cl_hot"], keep["tot_c"]
        tot = keep["tot_lat"]
        tot[:, 0] = lat["t_sum"]
        tot[:, 1] = lat["all_n"] - (tot_c[:, MC_OUT + O_REJECTED] + tot_c[:, MC_OUT + O_SHORT_CIRCUITED]
                                    + tot_c[:, MC_OUT + O_UNAVAILABLE])
        tot[:, 2] = lat["t_max"]
        tot[:, 3] = lat["all_sum"]
        tot[:, 4] = lat["all_n"]
        return keep

    cdef HistPool* _run_rest(self):
        """The run's histogram takes in a bucket's latencies when the bucket is flushed
        (engine/_metrics.pxd): mid-run, once the warm-up is over, the current bucket's pool
        (returned, counted up to now) holds the rest of it; before, and after the last flush,
        NULL: the run's own pool is the whole of it."""
        cdef int c
        _hp_apply(&self.s)
        if not self.s.hist_split or self.s.finished:
            return NULL
        for c in range(self.s.n_c):
            _count_latencies(&self.s, c)
        return self.s.hist_b

    def run_histograms(self):
        """Each component's latency histogram over the measured window so far (n_c x bins)."""
        cdef HistPool* rest = self._run_rest()
        hist = _dense_histograms(&self.s, self.s.hist_t)
        cdef int64_t[:, ::1] view = hist
        if rest != NULL:
            _hist_add_dense(rest, &view[0, 0], self.s.n_c)
        return hist

    def run_quantiles(self, components, qs, vmax):
        """``histogram_quantile`` of ``run_histograms()``'s row of each of ``components``, at the
        levels of its row of ``qs`` (ascending; one row: the same for all), capped at its
        ``vmax``; without the dense rows."""
        cdef HistPool* rest = self._run_rest()
        return _histogram_quantiles(self.s.hist_t, rest, components, qs, vmax)

    def wait_quantiles(self, components, qs, vmax):
        """As ``run_quantiles``, of ``wait_histograms()``'s rows."""
        return _histogram_quantiles(self.s.hist_w, NULL, components, qs, vmax)

    @property
    def histogram_bytes(self):
        """What the three histogram pools use so far (the bound: ``histogram_bytes_bound``)."""
        cdef int i
        return sum([_pool_touched(self.s.n_c, self._hist[i].n) for i in range(3)])

    def bucket_histograms(self):
        """Each component's latency histogram of the current bucket, counted so far (n_c x bins)."""
        return _dense_histograms(&self.s, self.s.hist_b)

    def wait_histograms(self):
        """Each component's histogram of its queue waits longer than zero since the warm-up (n_c x bins)."""
        return _dense_histograms(&self.s, self.s.hist_w)

    def breaker_states(self):
        return np.array([self.s.cb_state[l] for l in range(self.s.n_l)], dtype=np.int64)

    def instances_down(self):
        return np.array([1 if self.s.ih[i].down > 0 else 0
                         for i in range(self.s.n_i)], dtype=np.int64)

    # ------------------------------------------------------------------ pattern probes
    # Thin wrappers over the nogil state machines, so tests can replay the
    # libraries' own scenarios call by call without running the event loop.
    # The state machines index C arrays unchecked: every index is checked here first.
    def _link(self, link, str needs=""):
        if not 0 <= link < self.s.n_l:
            raise IndexError(f"no link {link}: this design has {self.s.n_l} link(s), numbered 0 to {self.s.n_l - 1}")
        if needs == "breaker" and not self.s.pol[link].cb_on:
            raise ValueError(f"link {link} has no circuit breaker")
        if needs == "retry" and self.s.pol[link].max_attempts <= 1:
            raise ValueError(f"link {link} has no retry policy")
        if needs == "budget" and self.s.pol[link].budget == BUD_NONE:
            raise ValueError(f"link {link} has no retry budget")
        return link

    def _outcome(self, str outcome):
        if outcome not in _OUTCOME_CODES:
            raise ValueError(f"unknown outcome {outcome!r} (expected one of {', '.join(_OUTCOME_CODES)})")
        return _OUTCOME_CODES[outcome]

    cdef void _set_clock(self, double now):
        self.s.now_ns = _ns(now)
        self.s.now = _seconds(self.s.now_ns)

    def breaker_acquire(self, link, double now):
        """Ask the link's breaker for permission at time ``now`` (Resilience4j tryAcquirePermission)."""
        self._link(link, "breaker")
        self._set_clock(now)
        return bool(_cb_acquire(&self.s, link))

    def breaker_record(self, link, str outcome, double duration, double now):
        """Record a call's outcome (``ok``, ``error``, ``timeout``, ...) and duration at ``now``."""
        self._link(link, "breaker")
        code = self._outcome(outcome)
        self._set_clock(now)
        _cb_record(&self.s, link, code, duration)

    def breaker_force(self, link, str state, double now):
        """Manual transition, as CircuitBreaker.transitionTo*State (for scenario set-up)."""
        self._link(link, "breaker")
        if state not in ("OPEN", "HALF_OPEN", "CLOSED"):
            raise ValueError(f"unknown breaker state {state!r} (expected OPEN, HALF_OPEN or CLOSED)")
        self._set_clock(now)
        if state == "OPEN":
            _cb_to_open(&self.s, link, _cb_rate(&self.s, link, RATE_FAILURE), _cb_rate(&self.s, link, RATE_SLOW))
        elif state == "HALF_OPEN":
            _cb_to_half(&self.s, link)
        else:
            _cb_to_closed(&self.s, link, -1.0, -1.0)

    def breaker_status(self, link):
        """State name, failure rate, slow-call rate (-1 below the minimum), buffered, failed, permits."""
        self._link(link, "breaker")
        return {
            "state": ("CLOSED", "OPEN", "HALF_OPEN")[self.s.cb_state[link]],
            "failure_rate": _cb_rate(&self.s, link, RATE_FAILURE),
            "slow_call_rate": _cb_rate(&self.s, link, RATE_SLOW),
            "buffered": int(self.s.cb_tot[link]),
            "failed": int(self.s.cb_fail[link]),
            "permits": int(self.s.cb_permits[link]),
        }

    def retry_waits(self, link, int attempts):
        """The waits a call on ``link`` would sleep after 1, 2, ... ``attempts`` failed attempts."""
        self._link(link)
        cdef int k = _new_call(&self.s)
        cdef list waits = []
        cdef int n
        if k < 0:
            raise MemoryError("not enough memory for a call record")
        self.s.calls[k].link = link
        self.s.calls[k].prev_sleep = self.s.pol[link].wait_duration
        for n in range(1, attempts + 1):
            self.s.calls[k].attempt = n
            waits.append(_backoff(&self.s, k))
        _free_call(&self.s, k)
        return waits

    def budget_record(self, link, bint failed):
        """Account one attempt's result in the link's retry budget."""
        self._link(link, "budget")
        _budget_account(&self.s, link, failed)

    def budget_status(self, link):
        self._link(link, "budget")
        return {"tokens": self.s.l_tokens[link] / 1000.0, "allows_retry": bool(_budget_allows(&self.s, link))}

    def rate_limiter_acquire(self, component, instance, double now):
        """Ask an instance's rate limiter for a permit: 0 now, > 0 wait, -1 refused."""
        if not 0 <= component < self.s.n_c:
            raise IndexError(f"no component {component}: this design has {self.s.n_c}, numbered 0 to {self.s.n_c - 1}")
        if self.s.comps[component].limit_for_period <= 0:
            raise ValueError(f"component {component} has no rate limiter")
        if not 0 <= instance < self.s.comps[component].instances:
            raise IndexError(f"no instance {instance}: component {component} has {self.s.comps[component].instances} "
                             f"instance(s), numbered 0 to {self.s.comps[component].instances - 1}")
        self._set_clock(now)
        return _rl_acquire(&self.s, _rl_slot(&self.s, <int>(self.s.comps[component].inst_offset + instance), component),
                           component)

    # ------------------------------------------------------------------ loop
