# What a run holds, as one struct: the Core (engine/_core.pyx) owns it, and every step of the
# loop, in whichever module of its concern, is a function of a pointer to it.
from libc.stdint cimport int64_t, int32_t, int16_t, uint8_t, uint16_t, uint32_t, uint64_t

from engine._structs cimport Event, EventBody, EventKey, LaneEvent, Job, JobTimes, Call, Rng, ZigLayer
from engine._tables cimport ComponentRow, LinkRow, PolicyRow, FaultRow, FaultActionRow, DistRow, OutlierRow, AutoscaleRow

# The event queue's rings of constant delays (engine/_heap.pxd): how many, and the events each holds.
cdef enum:
    N_LANES = 4
    LANE_CAP = 1024

# A link's answer as a plain service's end sends it (Sim.l_reply), packed in 16 bits: its
# latency's distribution row, its ring + 1 (0: none) and whether its source takes the fused
# steps; REPLY_NONE where those do not fit, and the end reads the link's line instead.
cdef enum:
    REPLY_DIST_BITS = 11
    REPLY_LANE_SHIFT = 11
    REPLY_PLAIN_SHIFT = 14
    REPLY_NONE = 0xFFFF


cdef struct HistPool:
    # A latency histogram per component (NB bins), kept in chunks of HC bins made as a bin is
    # first counted (engine/_metrics.pxd, _hist_at): a component's latencies spread over a
    # thousand bins but fill a hundred or so, and dense rows were 38 MB at a thousand
    # components, each of whose huge pages the kernel zeroed as the run first touched it.
    int64_t* v          # the chunks' counts, HC each, in the order made (chunk 0: none's, unused)
    int32_t* chunk      # per component, NB / HC: the chunk in v holding each HC bins, 0: none yet
    int64_t n           # chunks made, chunk 0 included


cdef struct CompHot:
    # A component's state that a request at it reads and writes, in one record of two cache
    # lines (aligned, so the pair is fetched together): kept in separate arrays, a component
    # that sat idle while hundreds of others ran missed the cache on a line for each field.
    # The first line is what a touch reads and writes and all an answer at it needs (its
    # levels count jobs, which an int indexes); the second what its faults change, which an
    # arrival reads too, and its random stream and service time's distribution (its row's,
    # copied, so that a plain service's arrival reads one line of its row, not two), which the
    # arrival then draws its service from
    double last_t           # when its levels below were last integrated into its areas
    double area[4]          # the current bucket's areas (A_QLEN, A_BUSY, A_INFLIGHT, A_UP)
    int32_t qlen
    int32_t qpeak           # the longest qlen seen since the warm-up, up to the current one
    int32_t busy
    int32_t inflight
    int32_t up
    int32_t worker_cap      # workers an instance may use: its row's, or a pool-exhaustion fault's fewer
    double cpu              # service-time factor of a CPU fault
    double inject_err       # error fraction injected
    int32_t leak_fault      # the memory-leak fault slowing it, -1: none
    int32_t started_at_once # arrivals of the current bucket a worker took at once (a plain
                            # service's), each an arrival and a start its row has not counted
                            # yet: at a thousand services the row was one more cold line a
                            # call (_settle_counts_c)
    Rng rng                 # its random stream (the links' and faults' are Sim.rng)
    int32_t dist            # its service time: a row of the distribution table, -1: none
    int16_t guarded         # a rate limiter or a cache (its row's limit_for_period, hit_ratio):
                            # the row's second line, which only those read at an arrival, is
                            # read only then
    int16_t kind            # its row's kind (copied, like dist): all that a call's arrival read
                            # of the row's first line


cdef struct InstHot:
    # An instance's state that a request at it reads and writes, in one aligned half of a
    # cache line: in arrays of their own, an instance that sat idle while hundreds of others
    # ran missed the cache on a line for each; at half a line, a thousand instances' records
    # take 32 KB of the cache, not 64. Its counts are int32 like the job indices they count.
    int32_t comp            # its component (the compiler's inst_comp)
    int32_t trees           # least-outstanding trees it is a leaf of (engine/balancing.py's it_n)
    int32_t busy            # workers busy
    int32_t qlen
    int32_t jobs            # requests at it (queued, in service or waiting on calls)
    int32_t down            # what holds it down (crashes, hangs, a scale-down): > 0, down; of
                            # those, the hangs are Sim.i_hung's, which only a down instance reads
    int32_t qhead           # its queue of jobs (Job.next_q), -1: empty
    int32_t qtail


cdef struct LinkHot:
    # A link's state that a call over it reads and writes, in one aligned cache line, with
    # what a call reads of its row (LinkRow) and of its target's copied in, so that those
    # rows are not one more miss each
    int32_t src
    int32_t dst
    int32_t dist            # its latency: a row of the distribution table
    int32_t od              # the outlier detector watching it, -1: none (the compiler's lk_od)
    int32_t count           # calls per request
    uint8_t zone_aware      # its source's instances call their own zone first (the compiler's c_zone_aware)
    uint8_t plain           # no policy wraps its calls: one attempt, sent as is (engine/_loop.pyx)
    uint8_t src_plain       # its source's and its target's c_plain: the dispatch of a call's
    uint8_t dst_plain       # arrival and answer reads them here, not on a line of c_plain's
    double probability      # of a call
    int32_t lane            # its ring of the event queue (engine/_heap.pxd), or -1
    int32_t faulted         # active faults touching the link; 0 skips every fault check
    int32_t first_inst      # its target's instances, first_inst .. + n_inst (the target's row),
    int32_t n_inst          # -1: a balancer or client, whose instances no call picks
    int32_t active          # calls in progress
    int32_t sent_plain      # calls of the current bucket sent with their one attempt, each a
                            # call and an attempt its row has not counted yet: one cold line
                            # less a call at a thousand links (_settle_counts_l)
    int64_t rr              # round robin over its target's instances


cdef struct CompLat:
    # A component's sums of the latencies it answers with, all updated by each answer, in one
    # aligned cache line (in arrays of their own, three or four lines a latency)
    double b_sum            # the current bucket's: sum, count, largest
    double b_n
    double b_max
    double t_sum            # served since the warm-up: sum, largest; their count is all_n
    double t_max            # less the refusals (Core.state_arrays), so stage has its place
    uint16_t stage[4]       # the bins of the bucket's latest group of four till it is whole
    double all_sum          # every answer's sojourn since the warm-up: sum, count
    double all_n


cdef struct LinkSums:
    # What an answer counts at its link (_count_answer_l), for the current bucket, in records
    # of their own: 32 KB at a thousand links, where the link's row was a cold line an answer.
    # _settle_counts_l writes them into the row wherever it is read.
    double ok               # answers with O_OK not yet counted in the row
    double lat              # the bucket's latency sum (ML_LAT_SUM), added in the answers' order
    double lat_total        # the same since the warm-up (the row's total of ML_LAT_SUM)
    double pad


cdef struct Halts:
    # The reasons the loop stops before the run's end, a byte each, so that the loop tests
    # all of them with one load of the word they share (Stops.any), not three
    uint8_t out_of_memory
    uint8_t code            # a Halt (engine/_codes.pxd)
    uint8_t stop            # asked to stop (Core.stop, from another thread)
    uint8_t zero            # never set: the word's fourth byte, so that `any` reads no padding


cdef union Stops:
    Halts why
    uint32_t any            # 0: none of them


cdef struct Sim:
    # Everything a run holds: the Core owns one, and every function of the loop takes a pointer to it.
    int n_c
    int n_l
    int n_i
    int n_f
    int n_fa
    int n_b
    double duration
    double warmup
    double bucket
    double now              # seconds: always now_ns / 1e9 (engine/_clock.pxd)
    int64_t now_ns          # the clock, in whole nanoseconds
    int64_t events_processed
    int current_bucket
    bint finished
    volatile Stops stops    # volatile: Core.stop writes it while the loop runs
    int64_t pool_bytes     # what the growable pools hold now
    int64_t pool_limit     # what they may hold (0: no limit)
    int64_t stall_limit    # events allowed without the clock advancing (0: no limit)
    int64_t stalled        # events since the clock last advanced
    int64_t stall_cap      # stall_limit for the loop's test, "none" as the largest value (_run)
    int64_t ev_left        # events the loop may still take in this call of _run (_run, _hop_now)

    # the design's tables (engine/_tables.pxd), read in place from the compiler's arrays
    ComponentRow* comps
    LinkRow* links
    PolicyRow* pol          # the caller's patterns on each link
    FaultRow* faults
    FaultActionRow* actions
    DistRow* dists
    # the lists the rows point into
    double* obj_thr         # latency threshold of each objective (inf: none)
    int64_t* out_links
    double* bp_t
    double* bp_r
    double* d_points
    int64_t* f_instances
    double* cb_open_wait   # the wait of the current opening

    # load balancers' pick tables (engine/balancing.py); lt is the live min-tree of jobs
    int64_t* lb_off
    int64_t* lb_total
    int64_t* fl_inst
    int64_t* fl_link
    int64_t* lk_flat
    int64_t* i_zone         # each instance's zone (0: none)
    int64_t* lt_off
    int64_t* lt_size
    int64_t* lt
    int64_t* it_off
    int64_t* it_lb
    int64_t* it_idx

    # outlier detectors (engine/_ejection.pxd): a row each, the detector of each link (-1: none),
    # and per watched instance ("slot") its ejection and its counts
    OutlierRow* od
    int n_od
    int64_t* od_active      # per detector: instances ejected now
    int64_t* od_ejected
    int64_t* od_c5xx        # consecutive 5xx
    int64_t* od_cgw         # consecutive gateway failures
    int64_t* od_total       # answers in the current interval
    int64_t* od_ok          # of which successes
    int64_t* od_backoff     # Envoy's ejection-time multiplier
    int64_t* od_times       # ejections so far
    double* od_last_ej
    double* od_last_unej    # -1: never returned

    # horizontal autoscalers (engine/_autoscale.pxd)
    AutoscaleRow* hpa
    int n_hpa
    int64_t* as_replicas    # per autoscaler: the replicas it has asked for (ready or starting)
    int64_t* as_starting    # of which still starting
    double* as_busy         # busy and up worker-areas at the last sync
    double* as_up
    double* as_rec_t        # recommendations: when, and how many replicas
    int64_t* as_rec_n
    int64_t* as_rec_pos
    int64_t* i_start_epoch  # an instance's start, cancelled when scaled down before it is ready

    # dynamic state
    Rng* rng                # random streams: the links', then the faults' (a component's is in CompHot)
    int64_t* c_rr
    int64_t* c_bp_cur
    double* c_lam_max
    CompHot* ch             # per component, what a request at it reads and writes (one record)
    unsigned char* c_active  # a byte each: touched, answered, counted or flagged in the current bucket (the flush's to visit)
    int64_t* c_rl_flag
    int64_t* c_rl_rej_b
    int64_t* c_shed_flag
    int64_t* c_shed_rej_b
    int64_t* c_capacity     # total workers of a component, for utilisation
    int64_t* c_codel_flag   # CoDel dropped on this component lately (edge-triggered log)
    int64_t* c_codel_b      # CoDel drops in the current bucket
    int64_t* c_lifo_flag    # adaptive LIFO served some instance LIFO lately (edge-triggered log)
    int64_t* c_lifo_b       # instances of the component serving LIFO now (never reset: it follows i_lifo)
    InstHot* ih             # per instance, what a request at it reads and writes (one record)
    LinkHot* lh             # per link, what a call over it reads and writes (one record)
    double* i_q_since       # when the instance's queue last became non-empty
    int64_t* i_lifo         # 1 while adaptive LIFO serves this instance LIFO
    double* i_cd_first_above  # CoDel: when the sojourn time may first count as standing (0: below target)
    double* i_cd_drop_next  # CoDel: time of the next drop while dropping
    int64_t* i_cd_count     # CoDel: drops since dropping began
    int64_t* i_cd_dropping  # CoDel: 1 in the dropping state
    # calls (engine/_async.pxd, _deadlines.pxd, _hedging.pxd)
    int64_t* i_outstanding  # non-blocking: requests waiting on their calls without a worker
    int64_t* c_out_flag     # an instance reached its bound on outstanding requests lately (edge-triggered log)
    int64_t* c_out_full_b   # requests that kept their worker at the bound in the current bucket
    int64_t* c_dl_drops_b   # work dropped past its deadline in the current bucket
    int64_t* l_hedges_b     # hedged copies (beyond the first) sent in the current bucket
    double* i_rl_perm
    int64_t* i_rl_cycle
    double* i_up_since
    int64_t* i_leak_epoch
    int64_t* i_hung         # of what holds each instance down (InstHot.down), the hangs
    double* l_inject_err
    int64_t* l_part_hang
    int64_t* l_part_refuse
    int64_t* l_active_retries
    int64_t* l_tokens       # gRPC throttling, in milli-tokens
    int64_t* l_bud_flag
    int64_t* l_bh_inuse
    int64_t* l_bh_head
    int64_t* l_to_head
    int64_t* l_lat_first        # this link's latency faults: l_lat_list[first : first + count]
    int64_t* l_lat_count
    int64_t* l_lat_list
    int64_t* l_to_tail
    int64_t* l_to_armed
    int64_t* l_bh_tail
    int64_t* l_bh_flag
    int64_t* l_bh_rej_b
    # a thread-pool bulkhead per link (its busy threads are l_bh_inuse, its queue the bulkhead's
    # line): threads alive, calls in its queue, and the tickets of idle spells issued and ended
    int64_t* l_tp_threads
    int64_t* l_tp_queued
    int64_t* l_tp_idled
    int64_t* l_tp_served
    int64_t* l_exh_b
    int64_t* cb_state
    int64_t* cb_attempts
    double* cb_opened_at
    int64_t* cb_epoch
    int64_t* cb_permits
    int64_t* cb_half_window  # 1 while the half-open count window is the live one
    int64_t* cb_ring_off
    int64_t* cb_ring_size
    int64_t* cb_ring_pos
    int64_t* cb_ring_n
    int64_t* cb_tot
    int64_t* cb_fail
    int64_t* cb_slow
    int64_t* cb_last_sec
    unsigned char* cb_ring
    int64_t* cb_tb_off
    int64_t* cb_tb_sec
    int64_t* cb_tb_tot
    int64_t* cb_tb_fail
    int64_t* cb_tb_slow
    double* cb_open_area
    double* cb_last_t
    int64_t* f_active
    int64_t* f_epoch

    # FIFO lines of calls per link (bulkhead waiters, pending timeouts): nodes (call, gen, seq, deadline, next)
    double* wn_deadline
    int32_t* wn_call
    int32_t* wn_gen
    int32_t* wn_seq
    int32_t* wn_next
    int wn_cap
    int wn_free
    int wn_n

    # pools
    # pending events (engine/_heap.pxd): records in a pool, ordered by keys in a heap, and
    # those due at the current instant in a line of their own, in push order, and those a
    # constant delay ahead in rings, bodies and all
    EventKey* heap
    int64_t heap_n
    int64_t heap_cap        # capacity of every array below (a power of two)
    EventBody* ev_pool      # the bodies of the heap's events: 2 * heap_cap slots
    int64_t ev_next         # the slot the next push takes if it is free (engine/_heap.pxd)
    int64_t ev_span_mask    # the cursor goes round slots 0 to this one (a power of two less one)
    EventBody* now_q        # ring of the events due at `now`, in push order (no key: engine/_heap.pxd)
    int64_t now_head
    int64_t now_n
    # rings of events a constant delay ahead, one per delay (a link's constant latency):
    # pushed in time order, so each stays sorted without the heap (engine/_heap.pxd)
    LaneEvent* lane_q       # n_lanes rings of LANE_CAP events
    int64_t lane_head[N_LANES]
    int64_t lane_n[N_LANES]
    int64_t lanes_n         # events in all the rings
    int n_lanes             # rings in use
    int64_t seq
    Job* jobs
    JobTimes* job_times     # the rest of each job, as many
    int job_n
    int job_cap
    int job_free
    int live_jobs
    Call* calls
    int call_n
    int call_cap
    int call_free
    int live_calls

    # metrics (numpy-owned). The hot fields keep their places in the struct (and so their
    # cache lines); what only the flush reads comes at its end.
    double* mc_row          # the current bucket's counts, cleared at its flush, and the run's amounts (engine/_metrics.pxd, "Rows")
    double* ml_row
    unsigned char* l_counted  # per link, counted in the current bucket: L_IN_ROW in its row (and
                              # maybe elsewhere), L_OUTSIDE only outside it (_settle_counts_l)
    LinkSums* l_sums        # per link, its answers' counts and sums (LinkSums)
    double bucket_start     # the clock at the current bucket's start (its EV_BUCKET)
    int64_t* c_flushed      # per component, the bucket its area (CompHot) covers: older ones are caught up when it is next active
    void (*catch_up)(Sim* s, int c) noexcept nogil   # _metrics._catch_up_now, called, not inlined (Core sets it)
    bint measuring          # now >= warmup: set once, as the clock first reaches the warm-up's end
    int warm_bucket         # the bucket the warm-up ended in
    double* warm_c          # that bucket's counter rows at that instant (the part before it)
    double* warm_l
    double* tot_area     # minus the areas accumulated before the warm-up ended
    double* c_cum_area   # areas of the buckets flushed so far
    CompLat* cl         # per component, its latency sums (one record; tot_lat is built from them)
    HistPool* hist_t     # per component, the buckets flushed since the warm-up (see _record_done)
    HistPool* hist_b     # per component, the current bucket's latencies counted so far
    bint hist_split      # hist_t has been told which of the current bucket's latencies preceded the warm-up
    uint16_t* lat_buf    # per component, LB_STRIDE: how many of its bucket's latencies hist_b counts, then a ring of their bins (_metrics.pxd)
    HistPool* hist_w    # per component: queue waits longer than zero, after the warm-up
    double* wait_max
    uint64_t* b_used    # per component, current bucket: a bit per histogram bin counted in hist_b
    double* mo          # per bucket and objective: ok, fallback, answered within its threshold
    double* tot_o       # the same over the measured window
    int n_o
    # event log
    double* lg_t
    int64_t* lg_kind
    int64_t* lg_comp
    int64_t* lg_link
    int64_t* lg_fault
    int64_t* lg_inst
    double* lg_v1
    double* lg_v2
    int64_t log_n
    int64_t log_cap
    int64_t log_dropped

    # A bucket's rows are kept only for what was active in it (engine/_metrics.pxd, "Rows"):
    # a record per component (its counts, gauges and levels after the bucket) and per link
    # (its counts and gauges), bucket b's from rc_boff[b] to rc_boff[b + 1] (rl_boff for
    # links), their numbers in rc_val from rc_voff[b] on (rl_voff). Core rebuilds the dense
    # (bucket, component, field) arrays from them when read.
    int64_t rc_n, rc_cap, rl_n, rl_cap
    int64_t rc_vn, rl_vn    # the numbers rc_val and rl_val hold
    int32_t* rc_idx
    double* rc_val
    int64_t* rc_boff
    int64_t* rc_voff
    int32_t* rl_idx
    double* rl_val
    int64_t* rl_boff
    int64_t* rl_voff
    int64_t* l_cb           # per link, has a circuit breaker (its gauges change with time alone)
    unsigned char* l_watch  # per link, a breaker, bulkhead or retries: the flush visits it even when not counted
    unsigned char* c_plain  # per component, a request there takes the fused steps (engine/_plain.pxi)
    unsigned char* c_guard  # per component, an inbound protection refused, dropped or served LIFO in the current bucket, or its flag is up: the flush ends it
    double* l_last_g        # per link, its gauges as last recorded: unchanged ones are not recorded again
    bint calls_marked       # _calls_bucket_end has something to end or log (_async, _deadlines, _hedging)
    int64_t refusing        # the instances' refusals (InstHot.down less Sim.i_hung) summed: while 0, a pick reads no
                            # instance's line to see whether it refuses (_shunned)
    int64_t links_faulted   # the links' LinkHot.faulted summed: while 0, a plain service's end
    uint16_t* l_reply       # answers by its link's l_reply, not its line (REPLY_NONE above)
    int64_t* hp_idx         # additions to hist_t not yet made (_metrics.pxd, HP_CAP)
    int64_t hp_n
    uint16_t* fold_tally    # NB zeros and NBW zeros between flushes: _fold_buffered's scratch
    uint64_t* fold_used
    double binned_latency   # the last latency _record_done binned, and its bin (0 and 0 at the start)
    int binned_bin
    double* c_poisson_mean  # per client, 1 / its rate when Poisson at one rate, else 0 (_next_poisson)
    ZigLayer zig[256]       # the exponential's ziggurat and its curve at each layer's edge (_zig_build)
    double zig_f[256]
    ZigLayer zig_n[256]     # the normal's (_zig_build)
    double zig_nf[256]
